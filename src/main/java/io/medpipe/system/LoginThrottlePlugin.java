package io.medpipe.system;

import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.identity.WritableIdentityProvider;
import org.camunda.bpm.engine.impl.interceptor.Session;
import org.camunda.bpm.engine.impl.interceptor.SessionFactory;

/**
 * The engine plugin that puts {@link ThrottledIdentityProvider} in place of Camunda's database identity provider (the
 * one a default engine uses), so that every password check the engine makes goes through {@link LoginThrottle}.
 */
final class LoginThrottlePlugin extends AbstractProcessEnginePlugin {

  private final LoginThrottle throttle;
  private final WorkerLogin workers;

  LoginThrottlePlugin(LoginThrottle throttle, WorkerLogin workers) {
    this.throttle = throttle;
    this.workers = workers;
  }

  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    configuration.setIdentityProviderSessionFactory(new SessionFactory() {
      @Override
      public Class<?> getSessionType() {
        // the engine registers the factory for the writable provider too when this type is one
        return WritableIdentityProvider.class;
      }

      @Override
      public Session openSession() {
        return new ThrottledIdentityProvider(throttle, workers);
      }
    });
  }
}
