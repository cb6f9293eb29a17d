package io.medpipe.pipeline;

import java.util.ArrayList;
import java.util.List;
import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.BadUserRequestException;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.form.validator.FormFieldValidationException;
import org.camunda.bpm.engine.impl.interceptor.Command;
import org.camunda.bpm.engine.impl.interceptor.CommandInterceptor;

/**
 * A process engine plugin that lets a listener refuse a request the way a service call does: the engine wraps
 * every exception a task listener throws in a plain {@link ProcessEngineException} (ENGINE-03051), which the REST
 * API answers with HTTP 500. This plugin rethrows a wrapped {@link FormFieldValidationException} (the REST API's
 * task completion answers it with HTTP 400), {@link BadUserRequestException} (400 elsewhere) or
 * {@link AuthorizationException} (HTTP 403) as itself, after the transaction has been rolled back.
 *
 * <p>The sign-off listeners (io.medpipe.signoff) rely on it. Register it with the engine: as a
 * {@code ProcessEnginePlugin} bean under Spring Boot, in the plugin list of a plain engine configuration.
 */
public class ListenerRefusalPlugin extends AbstractProcessEnginePlugin {

  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    configuration.setCustomPreCommandInterceptorsTxRequired(
        withUnwrapping(configuration.getCustomPreCommandInterceptorsTxRequired()));
    configuration.setCustomPreCommandInterceptorsTxRequiresNew(
        withUnwrapping(configuration.getCustomPreCommandInterceptorsTxRequiresNew()));
  }

  private static List<CommandInterceptor> withUnwrapping(List<CommandInterceptor> interceptors) {
    List<CommandInterceptor> result = interceptors == null ? new ArrayList<>() : new ArrayList<>(interceptors);
    result.add(new Unwrapping());
    return result;
  }

  /** Outside the command context, so it only sees an exception once the transaction is gone. */
  static class Unwrapping extends CommandInterceptor {

    @Override
    public <T> T execute(Command<T> command) {
      try {
        return next.execute(command);
      } catch (ProcessEngineException wrapper) {
        throw unwrap(wrapper);
      }
    }

    static ProcessEngineException unwrap(ProcessEngineException exception) {
      // The listener's exception sits under one or more of the engine's plain wrappers (the class delegate's
      // "Exception while invoking TaskListener", then ENGINE-03051). Only plain wrappers are peeled off.
      Throwable current = exception;
      while (current != null && current.getClass() == ProcessEngineException.class) {
        current = current.getCause();
      }
      if (current instanceof BadUserRequestException || current instanceof AuthorizationException
          || current instanceof FormFieldValidationException) {
        return (ProcessEngineException) current;
      }
      return exception;
    }
  }
}
