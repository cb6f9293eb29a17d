package io.medpipe.signoff;

import io.medpipe.system.EngineRole;
import org.camunda.bpm.engine.impl.cfg.ProcessEnginePlugin;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Registers the sign-off rules with the engine where this process hosts it. */
@EngineRole
@Configuration(proxyBeanMethods = false)
class SignOffConfiguration {

  @Bean
  ProcessEnginePlugin signOffPlugin() {
    return new SignOffPlugin();
  }
}
