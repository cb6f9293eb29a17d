package io.medpipe.pipeline;

import io.medpipe.system.EngineRole;
import org.camunda.bpm.engine.impl.cfg.ProcessEnginePlugin;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Engine plugins medpipe's processes rely on. */
@EngineRole
@Configuration(proxyBeanMethods = false)
class EngineConfiguration {

  /** Lets the sign-off listeners answer 400/403 instead of the engine's wrapped 500 (see the plugin's doc). */
  @Bean
  ProcessEnginePlugin listenerRefusalPlugin() {
    return new ListenerRefusalPlugin();
  }
}
