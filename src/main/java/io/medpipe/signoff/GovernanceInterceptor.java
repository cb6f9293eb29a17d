package io.medpipe.signoff;

import static io.medpipe.pipeline.ProcessConstants.TASK_APPROVE_PRODUCTION;
import static io.medpipe.pipeline.ProcessConstants.TASK_MEDICAL_QA;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.exception.NotFoundException;
import org.camunda.bpm.engine.impl.ProcessInstanceModificationBuilderImpl;
import org.camunda.bpm.engine.impl.batch.RestartProcessInstancesBatchCmd;
import org.camunda.bpm.engine.impl.cmd.AbstractCorrelateMessageCmd;
import org.camunda.bpm.engine.impl.cmd.AbstractSetJobStateCmd;
import org.camunda.bpm.engine.impl.cmd.AbstractSetProcessInstanceStateCmd;
import org.camunda.bpm.engine.impl.cmd.AbstractUpdateProcessInstancesSuspendStateCmd;
import org.camunda.bpm.engine.impl.cmd.AssignTaskCmd;
import org.camunda.bpm.engine.impl.cmd.ClaimTaskCmd;
import org.camunda.bpm.engine.impl.cmd.CompleteExternalTaskCmd;
import org.camunda.bpm.engine.impl.cmd.CompleteTaskCmd;
import org.camunda.bpm.engine.impl.cmd.CreateIncidentCmd;
import org.camunda.bpm.engine.impl.cmd.DelegateTaskCmd;
import org.camunda.bpm.engine.impl.cmd.DeleteHistoricProcessInstancesCmd;
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
import org.camunda.bpm.engine.impl.cmd.ResolveTaskCmd;
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
import org.camunda.bpm.engine.impl.cmd.StartProcessInstanceCmd;
import org.camunda.bpm.engine.impl.cmd.SubmitStartFormCmd;
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
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's gatekeeper for medpipe's sign-offs and least privilege, as a command interceptor: every call of the
 * engine (engine REST, the web apps' REST, the Java API) becomes a command and passes here, inside its transaction,
 * before it runs.
 *
 * <ul>
 *   <li>Completing a user task: the completer must be a member of a candidate group the BPMN names (administrators
 *       included), and may set only the fields the task's form declares, as text (HTTP 403 and 400); the sign-off
 *       records only what this completion sent ({@link Submission}). A sign-off task is never resolved or delegated
 *       (both would let someone else put words in it).</li>
 *   <li>Claiming a sign-off task: only for oneself, never when the four-eyes rule bars the claimer, and a claimed task
 *       goes back to the group by its assignee, an administrator, or a candidate once it has been idle for the
 *       configured time.</li>
 *   <li>Starting a pipeline run: no variables, a business key of a strict format that does not look like a personal
 *       identifier; the monitoring and schedule message starts are the application's own.</li>
 *   <li>Deleting a run's history deletes its stages' history too.</li>
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
  enum Rule {
    FREE, COMPLETE_TASK, CLAIM_TASK, TASK_HANDOVER, TASK_SHORTCUT, START, HISTORY_DELETE, CHANGE_RUN, BATCH_CHANGE,
    WORKER, OPERATOR, ADMIN
  }

  /** How long a claimed sign-off task must sit untouched before another candidate may return it to the group. */
  private final Duration claimIdle;

  GovernanceInterceptor(Duration claimIdle) {
    this.claimIdle = claimIdle;
  }

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
    // ResolveTaskCmd is a CompleteTaskCmd: it must be caught first
    if (c instanceof ResolveTaskCmd || c instanceof DelegateTaskCmd) {
      return Rule.TASK_HANDOVER;
    }
    if (c instanceof CompleteTaskCmd || c instanceof SubmitTaskFormCmd) {
      return Rule.COMPLETE_TASK;
    }
    if (c instanceof ClaimTaskCmd || c instanceof AssignTaskCmd) {
      return Rule.CLAIM_TASK;
    }
    if (c instanceof StartProcessInstanceCmd || c instanceof SubmitStartFormCmd
        || c instanceof AbstractCorrelateMessageCmd) {
      return Rule.START;
    }
    if (c instanceof DeleteHistoricProcessInstancesCmd) {
      return Rule.HISTORY_DELETE;
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
        return complete(context, actor, command, task);
      }
      case TASK_HANDOVER -> {
        TaskEntity task = existingTask(context, CommandFields.string(command, "taskId"));
        if (!TaskRules.candidateGroups(task).isEmpty()) {
          throw refuse(context, actor, command, ReviewDecision.runOf(task), "'" + task.getName() + "' is a sign-off:"
              + " it is neither resolved nor delegated (either would let someone other than its signer set what it"
              + " says); claim it and complete it yourself");
        }
        return next.execute(command);
      }
      case CLAIM_TASK -> {
        TaskEntity task = existingTask(context, CommandFields.string(command, "taskId"));
        return claim(context, actor, command, task, CommandFields.string(command, "userId"));
      }
      case START -> {
        if (!actor.system()) {
          StartRules.require(context, command, (run, message) -> refuse(context, actor, command, run, message));
        }
        return next.execute(command);
      }
      case HISTORY_DELETE -> {
        withStagesOf(context, command);
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

  /**
   * Completes a task with the completion's own variables held for its listeners ({@link Submission}); a refused or
   * failed completion of a medical QA review by one of its candidates is recorded as an attempt, which the four-eyes
   * rule counts like a signature.
   */
  private <T> T complete(CommandContext context, Actor actor, Command<T> command, TaskEntity task) {
    Map<String, Object> submitted = completionVariables(command);
    boolean signOff = !TaskRules.candidateGroups(task).isEmpty();
    String run = signOff ? ReviewDecision.runOf(task) : null;
    Submission.begin(submitted);
    try {
      TaskRules.requireFormFields(context, task, submitted);
      return next.execute(command);
    } catch (RuntimeException e) {
      if (signOff && TASK_MEDICAL_QA.equals(task.getTaskDefinitionKey()) && !actor.system()) {
        inOwnTransaction(context, "the medical QA attempt", () -> SignOffRecords.inCommand().audit(actor.name(),
            SignOffRecords.MEDICAL_QA_ATTEMPT, run, "refused", "not recorded: " + e.getClass().getSimpleName()));
      }
      throw e;
    } finally {
      Submission.end();
    }
  }

  /**
   * Claims, assigns or returns a task. For a sign-off task: a candidate claims for themself only, nobody the
   * four-eyes rule bars gets it, and only a candidate group member gets it at all; a claimed task is returned to the
   * group by its assignee, an administrator, or another candidate once it has been idle for {@link #claimIdle}.
   */
  private <T> T claim(CommandContext context, Actor actor, Command<T> command, TaskEntity task, String target) {
    java.util.Set<String> groups = TaskRules.candidateGroups(task);
    if (groups.isEmpty()) {
      return next.execute(command);
    }
    String run = ReviewDecision.runOf(task);
    if (target != null) {
      if (!actor.system() && !actor.admin() && !target.equals(actor.userId())) {
        throw refuse(context, actor, command, run, "a sign-off task is claimed by its signer for themself: user "
            + actor.userId() + " may not give '" + task.getName() + "' to someone else");
      }
      boolean known = Actor.exists(context, target);
      if (!known || Actor.of(context, target).groups().stream().noneMatch(groups::contains)) {
        throw refuse(context, actor, command, run, "'" + task.getName() + "' goes only to a member of "
            + String.join(" or ", groups) + "; " + (known ? "user " + target + " is not one" : "no such user ("
                + Names.safe(target) + ")"));
      }
      if (TASK_APPROVE_PRODUCTION.equals(task.getTaskDefinitionKey())
          && FourEyesRule.barred(SignOffRecords.inCommand(), run, target)) {
        throw refuse(context, actor, command, run, FourEyesRule.message(target, "claim its production approval"));
      }
      return next.execute(command);
    }
    if (task.getAssignee() == null || actor.system() || actor.admin()) {
      return next.execute(command);
    }
    if (task.getAssignee().equals(actor.userId())) {
      // returning one's own claim: Camunda asks for TASK_ASSIGN on this path (REST unclaim), which candidates lack
      return withoutAuthorization(context, command);
    }
    Date since = task.getLastUpdated() != null ? task.getLastUpdated() : task.getCreateTime();
    Duration idle = Duration.ofMillis(ClockUtil.getCurrentTime().getTime() - since.getTime());
    if (actor.groups().stream().anyMatch(groups::contains) && idle.compareTo(claimIdle) >= 0) {
      return withoutAuthorization(context, command);
    }
    throw refuse(context, actor, command, run, "'" + task.getName() + "' is claimed by " + task.getAssignee()
        + "; it returns to the group when they unclaim it, by an administrator, or by another member of "
        + String.join(" or ", groups) + " after " + claimIdle.toMinutes() + " minutes without activity (idle now: "
        + idle.toMinutes() + ")");
  }

  private <T> T withoutAuthorization(CommandContext context, Command<T> command) {
    boolean was = context.isAuthorizationCheckEnabled();
    context.disableAuthorizationCheck();
    try {
      return next.execute(command);
    } finally {
      if (was) {
        context.enableAuthorizationCheck();
      }
    }
  }

  /**
   * A run's history goes with its stages' (they hold copies of its variables and its business key): the stages of
   * every run named are added to the deletion, in the same command.
   */
  @SuppressWarnings("unchecked")
  private static void withStagesOf(CommandContext context, Command<?> command) {
    Object ids = CommandFields.get(command, "processInstanceIds");
    if (!(ids instanceof List<?> list) || list.isEmpty()) {
      return;
    }
    SignOffRecords records = SignOffRecords.inCommand();
    java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>((List<String>) list);
    for (Object id : list) {
      all.addAll(records.historicStages(String.valueOf(id)));
    }
    if (all.size() > list.size()) {
      CommandFields.set(command, "processInstanceIds", new ArrayList<>(all));
    }
  }

  private static void inOwnTransaction(CommandContext context, String what, Runnable write) {
    try {
      // its own transaction: the refused command's transaction is rolled back, the record of the attempt is not
      context.getProcessEngineConfiguration().getCommandExecutorTxRequiresNew().execute(c -> {
        write.run();
        return null;
      });
    } catch (RuntimeException e) {
      log.warn("could not record {}: {}", what, e.getClass().getSimpleName());
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
    inOwnTransaction(context, "the refused attempt (" + what + ")",
        () -> SignOffRecords.inCommand().audit(actor.name(), what, run, "refused", message));
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
  private static Map<String, Object> completionVariables(Command<?> command) {
    Object variables = CommandFields.get(command, command instanceof SubmitTaskFormCmd ? "properties" : "variables");
    return variables instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
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
      ProcessInstanceModificationBuilderImpl builder = (ProcessInstanceModificationBuilderImpl) CommandFields
          .get(command, "builder");
      String ops = builder.getModificationOperations().stream().map(GovernanceInterceptor::instruction)
          .collect(Collectors.joining("; "));
      Map<String, Object> vars = builder.getProcessVariables() == null ? Map.of() : builder.getProcessVariables();
      return "process-instance modification (" + ops + (vars.isEmpty() ? "" : "; variables " + Names.safeList(vars))
          + ")";
    }
    if (command instanceof SetExecutionVariablesCmd || command instanceof SetTaskVariablesCmd) {
      return "variable edit (" + Names.safeList(CommandFields.get(command, "variables")) + ")";
    }
    if (command instanceof RemoveExecutionVariablesCmd || command instanceof RemoveTaskVariablesCmd) {
      return "variable removal (" + Names.safeList(CommandFields.get(command, "variableNames")) + ")";
    }
    if (command instanceof PatchExecutionVariablesCmd || command instanceof PatchTaskVariablesCmd) {
      return "variable edit (" + Names.safeList(CommandFields.get(command, "variables")) + "; removed "
          + Names.safeList(CommandFields.get(command, "deletions")) + ")";
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

  /**
   * One modification instruction in words: its kind, and the element it names if that is a BPMN id of medpipe's
   * processes (a flow-node id is letters, digits and hyphens), else its length and hash; never a variable's value.
   */
  private static String instruction(Object operation) {
    String kind = operation.getClass().getSimpleName().replaceAll("Cmd$", "");
    for (String field : List.of("activityId", "transitionId", "activityInstanceId", "transitionInstanceId")) {
      try {
        Object id = CommandFields.get(operation, field);
        if (id != null) {
          String text = id.toString();
          return kind + " " + (BPMN_ID.matcher(text).matches() && KNOWN_ELEMENTS.contains(text) ? text
              : Names.safe(text));
        }
      } catch (IllegalStateException noSuchField) {
        // another kind of instruction: try the next field
      }
    }
    return kind;
  }

  /** The kinds of id a BPMN element of medpipe's processes has. */
  private static final java.util.regex.Pattern BPMN_ID = java.util.regex.Pattern.compile("[a-z][a-z0-9-]{0,63}");

  /** The element ids of the processes this engine runs, as named in the code (topics and tasks). */
  private static final java.util.Set<String> KNOWN_ELEMENTS = knownElements();

  private static java.util.Set<String> knownElements() {
    java.util.Set<String> ids = new java.util.TreeSet<>();
    for (java.lang.reflect.Field f : io.medpipe.pipeline.ProcessConstants.class.getFields()) {
      if ((f.getName().startsWith("TOPIC_") || f.getName().startsWith("TASK_")) && f.getType() == String.class) {
        try {
          ids.add((String) f.get(null));
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return java.util.Set.copyOf(ids);
  }
}
