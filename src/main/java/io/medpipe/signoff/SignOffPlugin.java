package io.medpipe.signoff;

import java.util.ArrayList;
import java.util.List;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.authorization.TaskPermissions;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.history.HistoryLevel;
import org.camunda.bpm.engine.impl.history.handler.HistoryEventHandler;
import org.camunda.bpm.engine.impl.interceptor.CommandInterceptor;

/**
 * The process engine plugin behind medpipe's sign-off rules: installs the {@link GovernanceInterceptor} inside every
 * command's transaction and the {@link RunChanges} history handler, and narrows what a task's candidates may do to
 * working on it (claim, complete: Camunda's TASK_WORK) instead of changing it (assignee, identity links, variables).
 *
 * <p>Register it with the engine: as a {@code ProcessEnginePlugin} bean under Spring Boot (SignOffConfiguration), in
 * the plugin list of a plain engine configuration. It needs history at level audit or full: the audit and the voiding
 * follow the history events of a change.
 */
public class SignOffPlugin extends AbstractProcessEnginePlugin {

  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    configuration.setCustomPostCommandInterceptorsTxRequired(
        with(configuration.getCustomPostCommandInterceptorsTxRequired()));
    configuration.setCustomPostCommandInterceptorsTxRequiresNew(
        with(configuration.getCustomPostCommandInterceptorsTxRequiresNew()));
    List<HistoryEventHandler> handlers = configuration.getCustomHistoryEventHandlers() == null
        ? new ArrayList<>() : new ArrayList<>(configuration.getCustomHistoryEventHandlers());
    handlers.add(new RunChanges());
    configuration.setCustomHistoryEventHandlers(handlers);
    configuration.setDefaultUserPermissionForTask(TaskPermissions.TASK_WORK);
    configuration.setDefaultUserPermissionNameForTask(TaskPermissions.TASK_WORK.getName());
  }

  @Override
  public void postInit(ProcessEngineConfigurationImpl configuration) {
    HistoryLevel level = configuration.getHistoryLevel();
    if (level != null && level.getId() < HistoryLevel.HISTORY_LEVEL_AUDIT.getId()) {
      throw new ProcessEngineException("medpipe's sign-off rules need engine history at level audit or full (it is "
          + level.getName() + "): changes to a run are found through their history events");
    }
  }

  private static List<CommandInterceptor> with(List<CommandInterceptor> interceptors) {
    List<CommandInterceptor> result = interceptors == null ? new ArrayList<>() : new ArrayList<>(interceptors);
    result.add(new GovernanceInterceptor());
    return result;
  }
}
