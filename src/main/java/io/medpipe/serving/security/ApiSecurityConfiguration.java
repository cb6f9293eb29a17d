package io.medpipe.serving.security;

import io.medpipe.serving.ServingProperties;
import io.medpipe.serving.security.ApiRoutes.Route;
import io.medpipe.system.LoginThrottle;
import io.medpipe.system.Problems;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.camunda.bpm.engine.ProcessEngine;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.access.hierarchicalroles.RoleHierarchyImpl;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;

/**
 * Spring Security for medpipe's own API, {@code /api/**}: deny by default, with Spring MVC's own path matching, so
 * matrix parameters, percent-encoded letters, case, trailing slashes or dot segments cannot reach a handler the rules
 * do not grant (the firewall refuses non-normalised paths with 400 before any rule is read). Callers authenticate with
 * an API key ({@link ApiKeyAuthenticationFilter}); reviewers' evidence also with a Camunda web app login
 * ({@link CamundaSessionAuthenticationFilter}). Who may call what: {@link ApiRoutes}. Stateless: no session, no cookie,
 * so no CSRF to defend; every refusal is problem+json. Camunda's own paths and everything else:
 * {@code io.medpipe.system.WebSecurityConfiguration}.
 */
@Configuration(proxyBeanMethods = false)
class ApiSecurityConfiguration {

  /** An admin key may do what predict and feedback keys do. */
  @Bean
  static RoleHierarchy apiRoleHierarchy() {
    return RoleHierarchyImpl.fromHierarchy("""
        ROLE_ADMIN > ROLE_PREDICT
        ROLE_ADMIN > ROLE_FEEDBACK
        """);
  }

  @Bean
  @Order(1)
  SecurityFilterChain medpipeApi(HttpSecurity http, ObjectProvider<ApiKeys> keys,
                                 ObjectProvider<ProcessEngine> engine, ServingProperties serving,
                                 ObjectProvider<LoginThrottle> throttle)
      throws Exception {
    PathPatternRequestMatcher.Builder paths = PathPatternRequestMatcher.withDefaults();
    ProcessEngine processEngine = engine.getIfAvailable();
    http.securityMatcher(paths.matcher("/api/**"))
        .csrf(AbstractHttpConfigurer::disable)
        .logout(AbstractHttpConfigurer::disable)
        .requestCache(AbstractHttpConfigurer::disable)
        .formLogin(AbstractHttpConfigurer::disable)
        .httpBasic(AbstractHttpConfigurer::disable)
        // no session of its own, and never a session id change (it would end a Camunda web app login)
        .sessionManagement(AbstractHttpConfigurer::disable)
        .securityContext(c -> c.securityContextRepository(new RequestAttributeSecurityContextRepository()))
        // reports and model cards are HTML a Tasklist form may one day embed: same origin only
        .headers(h -> h.frameOptions(f -> f.sameOrigin()))
        .exceptionHandling(e -> e.authenticationEntryPoint((request, response, ex) -> unauthorized(request, response))
            .accessDeniedHandler((request, response, ex) -> forbidden(response)))
        .addFilterBefore(new ApiKeyAuthenticationFilter(keys.getIfAvailable()), AnonymousAuthenticationFilter.class)
        .addFilterAfter(new EngineLoginAuthenticationFilter(processEngine == null ? null
            : processEngine.getIdentityService(), throttle.getIfAvailable()), ApiKeyAuthenticationFilter.class)
        .addFilterAfter(new CamundaSessionAuthenticationFilter(
            processEngine == null ? "default" : processEngine.getName(),
            processEngine == null ? null : processEngine.getIdentityService()),
            ApiKeyAuthenticationFilter.class)
        .addFilterAfter(new ApiBodyLimitFilter(serving.maxBodyBytes()), AuthorizationFilter.class)
        .authorizeHttpRequests(rules -> {
          for (Route route : ApiRoutes.ROUTES) {
            var matcher = route.method() == null ? paths.matcher(route.pattern())
                : paths.matcher(route.method(), route.pattern());
            var rule = rules.requestMatchers(matcher);
            switch (route.access()) {
              case PUBLIC -> rule.permitAll();
              case PREDICT -> rule.hasRole(ApiRole.PREDICT.name());
              case FEEDBACK -> rule.hasRole(ApiRole.FEEDBACK.name());
              case ADMIN -> rule.hasRole(ApiRole.ADMIN.name());
              case REVIEW -> rule.hasAnyAuthority(reviewAuthorities());
              case OPERATE -> rule.hasAnyAuthority(operateAuthorities());
            }
          }
          rules.anyRequest().denyAll();
        });
    return http.build();
  }

  /** The admin key, an engine login of a group that runs production, or (reading) such a group's web app session. */
  static String[] operateAuthorities() {
    return java.util.stream.Stream.concat(java.util.stream.Stream.of(ApiRole.ADMIN.authority()),
        ApiRoutes.OPERATE_GROUPS.stream().flatMap(g -> java.util.stream.Stream.of(
            EngineUserAuthentication.Source.SESSION.authority(g), EngineUserAuthentication.Source.LOGIN.authority(g))))
        .toArray(String[]::new);
  }

  static String[] reviewAuthorities() {
    return java.util.stream.Stream.concat(java.util.stream.Stream.of(ApiRole.ADMIN.authority()),
        ApiRoutes.REVIEW_GROUPS.stream().map(EngineUserAuthentication.Source.SESSION::authority))
        .toArray(String[]::new);
  }

  private static void unauthorized(HttpServletRequest request, HttpServletResponse response) throws IOException {
    response.setHeader("WWW-Authenticate", "ApiKey header=\"X-API-Key\"");
    boolean invalid = request.getAttribute(ApiKeyAuthenticationFilter.INVALID_KEY) != null;
    boolean wrongLogin = request.getAttribute(EngineLoginAuthenticationFilter.INVALID_LOGIN) != null;
    Problems.write(response, HttpStatus.UNAUTHORIZED, wrongLogin
        ? "this user name and password are not valid"
        : invalid
            ? "this API key is not valid (unknown or revoked)"
        : "send a valid API key in the X-API-Key header (or Authorization: Bearer)");
  }

  private static void forbidden(HttpServletResponse response) throws IOException {
    Authentication caller = SecurityContextHolder.getContext().getAuthentication();
    String detail;
    if (caller instanceof ApiKeyAuthentication key) {
      detail = "this API key's role (" + key.role().id() + ") does not allow this request";
    } else if (caller instanceof EngineUserAuthentication user
        && user.source() == EngineUserAuthentication.Source.LOGIN) {
      detail = "an engine login may only stop or resume the production model's automated answers, and only as a"
          + " member of operators or devops";
    } else if (caller instanceof EngineUserAuthentication) {
      detail = "this web app login may only read reports, model records and evidence, and only as a member of a "
          + "medpipe group";
    } else {
      detail = "this request is not allowed";
    }
    Problems.write(response, HttpStatus.FORBIDDEN, detail);
  }
}
