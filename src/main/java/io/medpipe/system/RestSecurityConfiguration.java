package io.medpipe.system;

import org.camunda.bpm.engine.impl.cfg.ProcessEnginePlugin;
import org.camunda.bpm.engine.rest.security.auth.ProcessEngineAuthenticationFilter;
import org.camunda.bpm.engine.rest.security.auth.impl.HttpBasicAuthenticationProvider;
import org.springframework.boot.autoconfigure.security.SecurityProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Puts HTTP Basic authentication in front of Camunda's REST API, which has none by default. With authorizations
 * enabled, every call then runs as the authenticated engine user and is checked against that user's groups. Also
 * registers the translation of Camunda's REST error answers into the API's words.
 */
@EngineRole
@Configuration(proxyBeanMethods = false)
class RestSecurityConfiguration {

  /** The engine's password checks through the login throttle, the workers' own login exempt (LoginThrottle). */
  @Bean
  static ProcessEnginePlugin loginThrottlePlugin(LoginThrottle throttle, WorkerProperties worker) {
    return new LoginThrottlePlugin(throttle, new WorkerLogin(worker.user(), worker.password(), worker.addresses()));
  }

  @Bean
  FilterRegistrationBean<ProcessEngineAuthenticationFilter> engineRestAuthentication() {
    FilterRegistrationBean<ProcessEngineAuthenticationFilter> registration = new FilterRegistrationBean<>(
        new ProcessEngineAuthenticationFilter());
    registration.setName("camunda-auth");
    registration.addInitParameter("authentication-provider", HttpBasicAuthenticationProvider.class.getName());
    registration.addUrlPatterns("/engine-rest/*");
    registration.setOrder(1);
    return registration;
  }

  /**
   * Camunda's REST error answers in the API's words ({@link EngineErrorFilter}); outside every other filter on these
   * paths but Spring Security's (whose login throttle answers 429 itself), so it sees the answers as they leave.
   */
  @Bean
  FilterRegistrationBean<EngineErrorFilter> engineErrors() {
    FilterRegistrationBean<EngineErrorFilter> registration = new FilterRegistrationBean<>(new EngineErrorFilter());
    registration.setName("medpipe-engine-errors");
    registration.addUrlPatterns(EngineErrorFilter.URL_PATTERNS);
    registration.setOrder(SecurityProperties.DEFAULT_FILTER_ORDER + 10);
    return registration;
  }
}
