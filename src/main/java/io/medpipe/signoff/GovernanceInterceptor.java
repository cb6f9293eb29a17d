package io.medpipe.signoff;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.exception.NotFoundException;
import org.camunda.bpm.engine.impl.ProcessInstanceModificationBuilderImpl;
import org.camunda.bpm.engine.impl.batch.RestartProcessInstancesBatchCmd;
import org.camunda.bpm.engine.impl.cmd.AbstractSetJobStateCmd;
import org.camunda.bpm.engine.impl.cmd.AbstractSetProcessInstanceStateCmd;
import org.camunda.bpm.engine.impl.cmd.AbstractUpdateProcessInstancesSuspendStateCmd;
import org.camunda.bpm.engine.impl.cmd.ClaimTaskCmd;
import org.camunda.bpm.engine.impl.cmd.CompleteExternalTaskCmd;
import org.camunda.bpm.engine.impl.cmd.CompleteTaskCmd;
import org.camunda.bpm.engine.impl.cmd.CreateIncidentCmd;
import org.camunda.bpm.engine.impl.cmd.DeleteProcessInstanceCmd;
import org.camunda.bpm.engine.impl.cmd.DeleteProcessInstancesCmd;
import org.camunda.bpm.engine.impl.cmd.ExecuteJobsCmd;
import org.camunda.bpm.engine.impl.cmd.ExtendLockOnExternalTaskCmd;
import org.camunda.bpm.engine.impl.cmd.FetchExternalTasksCmd;
import org.camunda.bpm.engine.impl.cmd.HandleExternalTaskBpmnErrorCmd;
import org.camunda.bpm.engine.impl.cmd.HandleExternalTaskFailureCmd;
import org.camunda.bpm.engine.impl.cmd.HandleTaskBpmnErrorCmd;
import org.camunda.bpm.engine.impl.cmd.HandleTaskEscalationCmd;
import org.camunda.bpm.engine.impl.cmd.LockExternalTaskCmd;
import org.camunda.bpm.engine.impl.cmd.MessageEventReceivedCmd;
import org.camunda.bpm.engine.impl.cmd.ModifyProcessInstanceAsyncCmd;
import org.camunda.bpm.engine.impl.cmd.ModifyProcessInstanceCmd;
import org.camunda.bpm.engine.impl.cmd.PatchExecutionVariablesCmd;
import org.camunda.bpm.engine.impl.cmd.PatchTaskVariablesCmd;
import org.camunda.bpm.engine.impl.cmd.ProcessInstanceModificationBatchCmd;
import org.camunda.bpm.engine.impl.cmd.ProcessInstanceModificationCmd;
import org.camunda.bpm.engine.impl.cmd.RecalculateJobDuedateCmd;
import org.camunda.bpm.engine.impl.cmd.RemoveExecutionVariablesCmd;
import org.camunda.bpm.engine.impl.cmd.RemoveTaskVariablesCmd;
import org.camunda.bpm.engine.impl.cmd.ResolveIncidentCmd;
import org.camunda.bpm.engine.impl.cmd.RestartProcessInstancesCmd;
import org.camunda.bpm.engine.impl.cmd.SetAnnotationForIncidentCmd;
import org.camunda.bpm.engine.impl.cmd.SetExecutionVariablesCmd;
import org.camunda.bpm.engine.impl.cmd.SetExternalTaskPriorityCmd;
import org.camunda.bpm.engine.impl.cmd.SetExternalTaskRetriesCmd;
import org.camunda.bpm.engine.impl.cmd.SetExternalTasksRetriesCmd;
import org.camunda.bpm.engine.impl.cmd.SetJobDuedateCmd;
import org.camunda.bpm.engine.impl.cmd.SetJobPriorityCmd;
import org.camunda.bpm.engine.impl.cmd.SetJobRetriesCmd;
import org.camunda.bpm.engine.impl.cmd.SetProcessDefinitionVersionCmd;
import org.camunda.bpm.engine.impl.cmd.SetTaskVariablesCmd;
import org.camunda.bpm.engine.impl.cmd.SignalCmd;
import org.camunda.bpm.engine.impl.cmd.SignalEventReceivedCmd;
import org.camunda.bpm.engine.impl.cmd.StartProcessInstanceAtActivitiesCmd;
import org.camunda.bpm.engine.impl.cmd.SubmitTaskFormCmd;
import org.camunda.bpm.engine.impl.cmd.UnlockExternalTaskCmd;
import org.camunda.bpm.engine.impl.cmd.batch.CorrelateAllMessageBatchCmd;
import org.camunda.bpm.engine.impl.cmd.batch.variables.SetVariablesToProcessInstancesBatchCmd;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.interceptor.Command;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.camunda.bpm.engine.impl.interceptor.CommandInterceptor;
import org.camunda.bpm.engine.impl.migration.MigrateProcessInstanceCmd;
import org.camunda.bpm.engine.impl.migration.batch.MigrateProcessInstanceBatchCmd;
import org.camunda.bpm.engine.impl.persistence.entity.ExecutionEntity;
import org.camunda.bpm.engine.impl.persistence.entity.TaskEntity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's gatekeeper for medpipe's sign-offs and least privilege, as a command interceptor: every call of the
 * engine (engine REST, the web apps' REST, the Java API) becomes a command and passes here, inside its transaction,
 * before it runs.
 *
 * <ul>
 *   <li>Completing a user task: the completer must be a member of a candidate group the BPMN names (administrators
 *       included), and may set only the fields the task's form declares (HTTP 403 and 400).</li>
 *   <li>Changing a running pipeline around its tasks (modification, migration, variable edits, signals, starting at
 *       an activity, restart): administrators only; done, it is audited and voids every sign-off of the touched
 *       runs. Batch variants are refused to everyone: they run later, as nobody, beyond the audit.</li>
 *   <li>What Camunda's UPDATE permission unlocks beyond that is split by group: workers handle external tasks,
 *       operators retry failed steps, resolve incidents and cancel whole runs, administrators suspend and the
 *       rest.</li>
 * </ul>
 *
 * <p>Only the outermost command of a call is judged; what it runs inside is the engine's own doing. Calls without an
 * authenticated user come from the application itself (job executor, start-up) and pass, audited where they change
 * a run.
 */
final class GovernanceInterceptor extends CommandInterceptor {

  private static final Logger log = LoggerFactory.getLogger(GovernanceInterceptor.class);
  private static final ThreadLocal<Integer> DEPTH = ThreadLocal.withInitial(() -> 0);

  /** What a command needs; everything not listed is left to Camunda's authorizations. */
  enum Rule { FREE, COMPLETE_TASK, CLAIM_TASK, TASK_SHORTCUT, CHANGE_RUN, BATCH_CHANGE, WORKER, OPERATOR, ADMIN }

  @Override
  public <T> T execute(Command<T> command) {
    int depth = DEPTH.get();
    DEPTH.set(depth + 1);
    try {
      return depth == 0 ? govern(command) : next.execute(command);
    } finally {
      if (depth == 0) {
        DEPTH.remove();
      } else {
        DEPTH.set(depth);
      }
    }
  }

  static Rule rule(Command<?> c) {
    if (c instanceof CompleteTaskCmd || c instanceof SubmitTaskFormCmd) {
      return Rule.COMPLETE_TASK;
    }
    if (c instanceof ClaimTaskCmd) {
      return Rule.CLAIM_TASK;
    }
    if (c instanceof HandleTaskBpmnErrorCmd || c instanceof HandleTaskEscalationCmd) {
      return Rule.TASK_SHORTCUT;
    }
    if (c instanceof ModifyProcessInstanceAsyncCmd || c instanceof ProcessInstanceModificationBatchCmd
        || c instanceof MigrateProcessInstanceBatchCmd || c instanceof SetVariablesToProcessInstancesBatchCmd
        || c instanceof RestartProcessInstancesBatchCmd || c instanceof CorrelateAllMessageBatchCmd) {
      return Rule.BATCH_CHANGE;
    }
    if (c instanceof ModifyProcessInstanceCmd || c instanceof ProcessInstanceModificationCmd
        || c instanceof MigrateProcessInstanceCmd || c instanceof SetExecutionVariablesCmd
        || c instanceof PatchExecutionVariablesCmd || c instanceof RemoveExecutionVariablesCmd
        || c instanceof SetTaskVariablesCmd || c instanceof PatchTaskVariablesCmd
        || c instanceof RemoveTaskVariablesCmd || c instanceof SignalCmd || c instanceof MessageEventReceivedCmd
        || c instanceof SignalEventReceivedCmd || c instanceof StartProcessInstanceAtActivitiesCmd
        || c instanceof RestartProcessInstancesCmd || c instanceof SetProcessDefinitionVersionCmd) {
      return Rule.CHANGE_RUN;
    }
    if (c instanceof FetchExternalTasksCmd || c instanceof CompleteExternalTaskCmd
        || c instanceof HandleExternalTaskFailureCmd || c instanceof HandleExternalTaskBpmnErrorCmd
        || c instanceof ExtendLockOnExternalTaskCmd || c instanceof UnlockExternalTaskCmd
        || c instanceof LockExternalTaskCmd) {
      return Rule.WORKER;
    }
    if (c instanceof SetExternalTaskRetriesCmd || c instanceof SetExternalTasksRetriesCmd
        || c instanceof SetJobRetriesCmd || c instanceof ExecuteJobsCmd || c instanceof ResolveIncidentCmd
        || c instanceof SetAnnotationForIncidentCmd || c instanceof DeleteProcessInstanceCmd
        || c instanceof DeleteProcessInstancesCmd) {
      return Rule.OPERATOR;
    }
    if (c instanceof AbstractSetProcessInstanceStateCmd || c instanceof AbstractUpdateProcessInstancesSuspendStateCmd
        || c instanceof AbstractSetJobStateCmd || c instanceof SetJobDuedateCmd || c instanceof SetJobPriorityCmd
        || c instanceof RecalculateJobDuedateCmd || c instanceof SetExternalTaskPriorityCmd
        || c instanceof CreateIncidentCmd) {
      return Rule.ADMIN;
    }
    return Rule.FREE;
  }

  private <T> T govern(Command<T> command) {
    Rule rule = rule(command);
    if (rule == Rule.FREE) {
      return next.execute(command);
    }
    CommandContext context = Context.getCommandContext();
    Actor actor = Actor.current(context);
    switch (rule) {
      case COMPLETE_TASK -> {
        TaskEntity task = existingTask(context, CommandFields.string(command, "taskId"));
        TaskRules.requireCandidate(task, actor);
        TaskRules.requireFormFields(context, task, completionVariables(command));
        return next.execute(command);
      }
      case CLAIM_TASK -> {
        existingTask(context, CommandFields.string(command, "taskId"));
        return next.execute(command);
      }
      case TASK_SHORTCUT -> {
        TaskEntity task = existingTask(context, CommandFields.string(command, "taskId"));
        if (!TaskRules.candidateGroups(task).isEmpty()) {
          throw refuse(context, actor, command, null, "'" + task.getName()
              + "' is a sign-off: it ends only through its form (a decision), not by a BPMN error or escalation");
        }
        return next.execute(command);
      }
      case BATCH_CHANGE -> throw refuse(context, actor, command, null, describe(command)
          + " is refused to everyone: a batch changes runs later, beyond the audit and the sign-off rules;"
          + " change one run at a time");
      case CHANGE_RUN -> {
        return changeRun(context, actor, command);
      }
      case WORKER -> {
        if (actor.system() || actor.worker()) {
          return next.execute(command);
        }
        if (actor.admin()) {
          // an administrator completing a step in a worker's place changes the run like a modification does
          return command instanceof CompleteExternalTaskCmd || command instanceof HandleExternalTaskBpmnErrorCmd
              ? changeRun(context, actor, command) : next.execute(command);
        }
        throw refuse(context, actor, command, null, "only medpipe's workers fetch and complete pipeline steps;"
            + " user " + actor.userId() + " is not one");
      }
      case OPERATOR -> {
        if (!(actor.system() || actor.operator() || actor.admin())) {
          throw refuse(context, actor, command, null, "only operators retry failed steps, resolve incidents and"
              + " cancel runs; user " + actor.userId() + " is not one");
        }
        if (!actor.system() && !actor.admin()) {
          requireWholeRuns(context, actor, command);
        }
        return next.execute(command);
      }
      case ADMIN -> {
        if (!(actor.system() || actor.admin())) {
          throw refuse(context, actor, command, null, describe(command) + " is reserved to administrators");
        }
        return next.execute(command);
      }
      default -> {
        return next.execute(command);
      }
    }
  }

  /** A governed change: administrators (and the application) only, audited, and it voids the runs' sign-offs. */
  private <T> T changeRun(CommandContext context, Actor actor, Command<T> command) {
    String what = describe(command);
    if (!actor.system() && !actor.admin()) {
      throw refuse(context, actor, command, explicitRun(context, command), what + " is reserved to administrators"
          + " (and audited, and voids the run's sign-offs); user " + actor.userId() + " may not change a run"
          + " around its tasks");
    }
    RunChanges.begin();
    T result;
    try {
      RunChanges.note(explicitRun(context, command));
      result = next.execute(command);
    } catch (RuntimeException e) {
      RunChanges.end();
      throw e;
    }
    Set<String> runs = RunChanges.end();
    SignOffRecords records = SignOffRecords.inCommand();
    String at = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    for (String run : runs) {
      int voided = records.voidRun(run, what + " by " + actor.name() + " at " + at);
      records.audit(actor.name(), what, run, "done", voided == 0 ? null : "voided " + voided + " sign-off(s)");
      log.warn("Run {} changed around its tasks by {}: {} ({} sign-off(s) voided)", run, actor.name(), what, voided);
    }
    if (runs.isEmpty()) {
      records.audit(actor.name(), what, null, "done", null);
    }
    return result;
  }

  /** Operators cancel whole runs: deleting a stage's instance would let the run go on as if the stage had ended. */
  private static void requireWholeRuns(CommandContext context, Actor actor, Command<?> command) {
    List<String> ids = new ArrayList<>();
    if (command instanceof DeleteProcessInstanceCmd) {
      ids.add(CommandFields.string(command, "processInstanceId"));
    } else if (command instanceof DeleteProcessInstancesCmd) {
      Object list = CommandFields.get(command, "processInstanceIds");
      if (list instanceof Collection<?> c) {
        c.forEach(id -> ids.add(String.valueOf(id)));
      }
    }
    for (String id : ids) {
      ExecutionEntity instance = context.getExecutionManager().findExecutionById(id);
      if (instance != null && instance.getSuperExecutionId() != null) {
        throw new AuthorizationException("Process instance " + id + " is a stage of run "
            + instance.getRootProcessInstanceId() + ": cancel the run itself (its mlops-pipeline instance)");
      }
    }
  }

  private AuthorizationException refuse(CommandContext context, Actor actor, Command<?> command, String run,
                                        String message) {
    String what = describe(command);
    try {
      // its own transaction: the refused command's transaction is rolled back, the record of the attempt is not
      context.getProcessEngineConfiguration().getCommandExecutorTxRequiresNew().execute(c -> {
        SignOffRecords.inCommand().audit(actor.name(), what, run, "refused", message);
        return null;
      });
    } catch (RuntimeException e) {
      log.warn("could not record the refused attempt ({}): {}", what, e.getMessage());
    }
    log.warn("Refused to {}: {}", actor.name(), message);
    return new AuthorizationException(message);
  }

  private static TaskEntity existingTask(CommandContext context, String taskId) {
    TaskEntity task = taskId == null ? null : context.getTaskManager().findTaskById(taskId);
    if (task == null) {
      throw new NotFoundException("No matching task with id " + taskId);
    }
    return task;
  }

  @SuppressWarnings("unchecked")
  private static Collection<String> completionVariables(Command<?> command) {
    Object variables = CommandFields.get(command, command instanceof SubmitTaskFormCmd ? "properties" : "variables");
    return variables instanceof Map<?, ?> map ? (Collection<String>) map.keySet() : List.of();
  }

  /** The run a single-instance change names itself (the history events find the rest). */
  private static String explicitRun(CommandContext context, Command<?> command) {
    String executionId = null;
    String taskId = null;
    if (command instanceof ModifyProcessInstanceCmd) {
      executionId = ((ProcessInstanceModificationBuilderImpl) CommandFields.get(command, "builder"))
          .getProcessInstanceId();
    } else if (command instanceof SetExecutionVariablesCmd || command instanceof RemoveExecutionVariablesCmd
        || command instanceof PatchExecutionVariablesCmd) {
      executionId = CommandFields.string(command, "entityId");
    } else if (command instanceof SetTaskVariablesCmd || command instanceof RemoveTaskVariablesCmd
        || command instanceof PatchTaskVariablesCmd) {
      taskId = CommandFields.string(command, "entityId");
    } else if (command instanceof SignalCmd) {
      executionId = CommandFields.string(command, "executionId");
    }
    if (executionId != null) {
      ExecutionEntity execution = context.getExecutionManager().findExecutionById(executionId);
      return execution == null ? null : execution.getRootProcessInstanceId();
    }
    if (taskId != null) {
      TaskEntity task = context.getTaskManager().findTaskById(taskId);
      return task == null || task.getProcessInstance() == null ? null
          : task.getProcessInstance().getRootProcessInstanceId();
    }
    return null;
  }

  /** The operation in words for the audit: what was changed, never a variable's value. */
  static String describe(Command<?> command) {
    if (command instanceof ModifyProcessInstanceCmd) {
      ProcessInstanceModificationBuilderImpl builder =
          (ProcessInstanceModificationBuilderImpl) CommandFields.get(command, "builder");
      String ops = builder.getModificationOperations().stream().map(Object::toString)
          .collect(Collectors.joining("; "));
      Set<String> vars = builder.getProcessVariables() == null ? Set.of() : builder.getProcessVariables().keySet();
      return "process-instance modification (" + ops + (vars.isEmpty() ? "" : "; variables " + String.join(", ", vars))
          + ")";
    }
    if (command instanceof SetExecutionVariablesCmd || command instanceof SetTaskVariablesCmd) {
      return "variable edit (" + names(CommandFields.get(command, "variables")) + ")";
    }
    if (command instanceof RemoveExecutionVariablesCmd || command instanceof RemoveTaskVariablesCmd) {
      return "variable removal (" + names(CommandFields.get(command, "variableNames")) + ")";
    }
    if (command instanceof PatchExecutionVariablesCmd || command instanceof PatchTaskVariablesCmd) {
      return "variable edit (" + names(CommandFields.get(command, "variables")) + "; removed "
          + names(CommandFields.get(command, "deletions")) + ")";
    }
    if (command instanceof MigrateProcessInstanceCmd || command instanceof MigrateProcessInstanceBatchCmd) {
      return "process-instance migration";
    }
    if (command instanceof StartProcessInstanceAtActivitiesCmd) {
      return "start at chosen activities";
    }
    if (command instanceof CompleteExternalTaskCmd || command instanceof HandleExternalTaskBpmnErrorCmd) {
      return "pipeline step completed in a worker's place";
    }
    return command.getClass().getSimpleName().replaceAll("Cmd$", "");
  }

  private static String names(Object variables) {
    if (variables instanceof Map<?, ?> map) {
      return map.keySet().stream().map(String::valueOf).sorted().collect(Collectors.joining(", "));
    }
    if (variables instanceof Collection<?> c) {
      return c.stream().map(String::valueOf).sorted().collect(Collectors.joining(", "));
    }
    return "none";
  }
}
