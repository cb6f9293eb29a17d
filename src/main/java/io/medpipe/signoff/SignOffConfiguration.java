package io.medpipe.signoff;

import io.medpipe.system.EngineRole;
import java.time.Duration;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.impl.cfg.ProcessEnginePlugin;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Registers the sign-off rules with the engine, and the REST answer for missing tasks, where this process hosts it. */
@EngineRole
@Configuration(proxyBeanMethods = false)
class SignOffConfiguration {

  @Bean
  static ProcessEnginePlugin signOffPlugin(
                                           @Value("${medpipe.signoff.claim-idle:PT4H}") Duration claimIdle) {
    return new SignOffPlugin(claimIdle);
  }

  @Bean
  FilterRegistrationBean<MissingTaskFilter> missingTaskFilter(ProcessEngine engine) {
    FilterRegistrationBean<MissingTaskFilter> registration = new FilterRegistrationBean<>(
        new MissingTaskFilter(engine));
    registration.setName("medpipe-missing-task");
    registration.addUrlPatterns(MissingTaskFilter.URL_PATTERNS);
    return registration;
  }
}
