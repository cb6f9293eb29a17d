package io.medpipe.signoff;

import java.time.Duration;
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

  /** Default of {@code medpipe.signoff.claim-idle}: a claim untouched this long may be returned by another candidate. */
  public static final Duration DEFAULT_CLAIM_IDLE = Duration.ofHours(4);

  private final Duration claimIdle;

  public SignOffPlugin() {
    this(DEFAULT_CLAIM_IDLE);
  }

  /** @param claimIdle how long a claimed sign-off task must be idle before another candidate may return it */
  public SignOffPlugin(Duration claimIdle) {
    this.claimIdle = claimIdle;
  }

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

  private List<CommandInterceptor> with(List<CommandInterceptor> interceptors) {
    List<CommandInterceptor> result = interceptors == null ? new ArrayList<>() : new ArrayList<>(interceptors);
    result.add(new GovernanceInterceptor(claimIdle));
    return result;
  }
}
