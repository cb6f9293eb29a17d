package io.medpipe.system;

import jakarta.servlet.DispatcherType;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;

/**
 * Spring Security outside medpipe's own API (which {@code io.medpipe.serving.security.ApiSecurityConfiguration}
 * guards): Camunda's web apps and REST API keep their own authentication untouched (session login with its CSRF
 * token; HTTP Basic through {@link RestSecurityConfiguration}), with failed logins throttled ({@link LoginThrottle});
 * everything else is denied except an explicit allow-list: the health probes, the OpenAPI document and Swagger UI,
 * the root redirect to the web apps, and the actuator on the management port only.
 *
 * <p>A URL that is not in normal form (matrix parameters, encoded slashes or dots, double slashes, dot segments, an
 * encoded servlet path prefix) is refused with 400 problem+json, whatever it addresses: by {@link RequestGuardFilter}
 * before any other filter, and by Spring Security's own firewall in front of every chain.
 */
@Configuration(proxyBeanMethods = false)
class WebSecurityConfiguration {

  /** Camunda's web apps and engine REST API: their own authentication and CSRF protection, unchanged. */
  @Bean
  @Order(2)
  SecurityFilterChain camundaOwnAuthentication(HttpSecurity http) throws Exception {
    PathPatternRequestMatcher.Builder paths = PathPatternRequestMatcher.withDefaults();
    http.securityMatcher(new OrRequestMatcher(paths.matcher("/camunda/**"), paths.matcher("/engine-rest/**")))
        .csrf(AbstractHttpConfigurer::disable)
        .logout(AbstractHttpConfigurer::disable)
        .requestCache(AbstractHttpConfigurer::disable)
        .headers(AbstractHttpConfigurer::disable)
        .anonymous(AbstractHttpConfigurer::disable)
        .servletApi(AbstractHttpConfigurer::disable)
        // no session of its own, and never a session id change (it would end a Camunda web app login)
        .sessionManagement(AbstractHttpConfigurer::disable)
        .securityContext(c -> c.securityContextRepository(new RequestAttributeSecurityContextRepository()))
        .addFilterBefore(new LoginThrottleFilter(), AuthorizationFilter.class)
        .authorizeHttpRequests(rules -> rules.anyRequest().permitAll());
    return http.build();
  }

  /** Everything else: an explicit allow-list, the rest denied. */
  @Bean
  @Order(Ordered.LOWEST_PRECEDENCE)
  SecurityFilterChain everythingElse(HttpSecurity http, ManagementPort management) throws Exception {
    PathPatternRequestMatcher.Builder paths = PathPatternRequestMatcher.withDefaults();
    http.csrf(AbstractHttpConfigurer::disable)
        .logout(AbstractHttpConfigurer::disable)
        .requestCache(AbstractHttpConfigurer::disable)
        .formLogin(AbstractHttpConfigurer::disable)
        .httpBasic(AbstractHttpConfigurer::disable)
        // no session of its own, and never a session id change (it would end a Camunda web app login)
        .sessionManagement(AbstractHttpConfigurer::disable)
        .securityContext(c -> c.securityContextRepository(new RequestAttributeSecurityContextRepository()))
        .exceptionHandling(e -> e
            .authenticationEntryPoint((request, response, ex) -> Problems.write(response, HttpStatus.UNAUTHORIZED,
                "there is nothing here without credentials; medpipe's API is under /api/v1"))
            .accessDeniedHandler((request, response, ex) -> Problems.write(response, HttpStatus.FORBIDDEN,
                "this request is not allowed")))
        .authorizeHttpRequests(rules -> rules
            // the container's error page and async completions of requests a chain already allowed
            .dispatcherTypeMatchers(DispatcherType.ERROR, DispatcherType.ASYNC).permitAll()
            .requestMatchers(management.matcher()).permitAll()
            .requestMatchers(paths.matcher(HttpMethod.GET, "/"), paths.matcher(HttpMethod.GET, "/livez"),
                paths.matcher(HttpMethod.GET, "/readyz"),
                paths.matcher(HttpMethod.GET, "/v3/api-docs"), paths.matcher(HttpMethod.GET, "/v3/api-docs/**"),
                paths.matcher(HttpMethod.GET, "/swagger-ui.html"), paths.matcher(HttpMethod.GET, "/swagger-ui/**"))
            .permitAll()
            .anyRequest().denyAll());
    return http.build();
  }

  /**
   * The guard in front of every other filter, Spring Security's included: URLs not in normal form answered 400, and
   * nothing a request carries quoted in the log when something fails (see {@link RequestGuardFilter}).
   */
  @Bean
  FilterRegistrationBean<RequestGuardFilter> requestGuard() {
    FilterRegistrationBean<RequestGuardFilter> registration = new FilterRegistrationBean<>(new RequestGuardFilter());
    registration.setName("medpipe-request-guard");
    registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR);
    // right after the trace-id filter of the gcp profile, so that its own log line carries the trace id
    registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
    return registration;
  }

  /** The firewall's refusals (non-normalised or ambiguous URLs) as 400 problem+json rather than a bare status. */
  @Bean
  RequestRejectedHandler problemRequestRejectedHandler() {
    return (request, response, rejected) -> {
      if (!response.isCommitted()) {
        response.reset();
        Problems.write(response, HttpStatus.BAD_REQUEST, RequestGuardFilter.NOT_NORMALISED);
      }
    };
  }
}
