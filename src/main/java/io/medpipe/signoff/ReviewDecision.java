package io.medpipe.signoff;

import static io.medpipe.pipeline.ProcessConstants.DECISION_APPROVE;
import static io.medpipe.pipeline.ProcessConstants.DECISION_REFUSE;
import static io.medpipe.pipeline.ProcessConstants.DECISION_REJECT;
import static io.medpipe.pipeline.ProcessConstants.TASK_APPROVE_PRODUCTION;
import static io.medpipe.pipeline.ProcessConstants.TASK_MEDICAL_QA;
import static io.medpipe.pipeline.ProcessConstants.VAR_DEPLOY_COMMENT;
import static io.medpipe.pipeline.ProcessConstants.VAR_DEPLOY_DECISION;
import static io.medpipe.pipeline.ProcessConstants.VAR_EVIDENCE_ID;
import static io.medpipe.pipeline.ProcessConstants.VAR_QA_COMMENT;
import static io.medpipe.pipeline.ProcessConstants.VAR_QA_DECISION;

import io.medpipe.privacy.TextScrubber;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.delegate.TaskListener;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.form.validator.FormFieldValidationException;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.camunda.bpm.engine.impl.persistence.entity.ExecutionEntity;
import org.camunda.bpm.engine.impl.persistence.entity.TaskEntity;

/**
 * The complete listener of the sign-off tasks (medical QA review, production approval): checks that the decision is
 * one the process knows, that a negative one says why and that the comment names no patient (identifier shapes), then
 * records the sign-off in {@code medpipe.sign_off}:
 * the engine's authenticated user, the decision and comment it sent in the completing command itself (never the
 * task's or the run's variables, which others may have set before), and the hash of the run's evidence, looked up
 * here (the form submits only the decision and the comment).
 *
 * <p>Throwing rolls the completion back, so the task stays open; the REST API answers HTTP 400 for a form field
 * (a {@link FormFieldValidationException}) and 403 for a person, through medpipe's ListenerRefusalPlugin.
 */
public class ReviewDecision implements TaskListener {

  /** The fields of one sign-off task. */
  record Review(String decisionVar, String commentVar, String negativeDecision) {

    List<String> allowed() {
      return List.of(DECISION_APPROVE, negativeDecision);
    }
  }

  static final Review MEDICAL_QA = new Review(VAR_QA_DECISION, VAR_QA_COMMENT, DECISION_REJECT);
  static final Review PRODUCTION = new Review(VAR_DEPLOY_DECISION, VAR_DEPLOY_COMMENT, DECISION_REFUSE);

  @Override
  public void notify(DelegateTask delegate) {
    TaskEntity task = (TaskEntity) delegate;
    Review review = reviewOf(task);
    // only what the completer sent in this very completion: never a value someone else put on the task or the run
    Map<String, Object> submitted = Submission.current().orElse(Map.of());
    Object decision = Submission.plain(submitted.get(review.decisionVar()));
    if (!(decision instanceof String d) || !review.allowed().contains(d)) {
      throw new FormFieldValidationException(review.decisionVar(),
          review.decisionVar() + " must be one of " + review.allowed() + ", got " + describe(decision));
    }
    Object comment = Submission.plain(submitted.get(review.commentVar()));
    if (comment != null && !(comment instanceof String)) {
      throw new FormFieldValidationException(review.commentVar(), review.commentVar() + " must be text");
    }
    if (review.negativeDecision().equals(decision) && (comment == null || ((String) comment).isBlank())) {
      throw new FormFieldValidationException(review.commentVar(),
          "A '" + decision + "' decision needs a comment saying why (" + review.commentVar() + ")");
    }
    if (comment != null) {
      // the comment is kept for good in the append-only sign-off record: a patient's identifiers must not go there
      TextScrubber.identifierKind((String) comment).ifPresent(kind -> {
        throw new FormFieldValidationException(review.commentVar(), review.commentVar() + " looks like it holds a"
            + " personal identifier (" + KINDS.getOrDefault(kind, "an identifier") + "): a sign-off is kept for good,"
            + " so describe the case without naming, numbering or dating a patient");
      });
    }
    // the run goes on with exactly what the signer submitted (the gateways read these variables)
    task.getExecution().setVariable(review.decisionVar(), decision);
    task.getExecution().setVariable(review.commentVar(), comment);
    CommandContext context = Context.getCommandContext();
    Actor signer = Actor.current(context);
    // the interceptor checked this before the completion began; checked again so that the sign-off never names
    // someone the rule would refuse, whatever path led here
    TaskRules.requireCandidate(task, signer);

    SignOffRecords records = SignOffRecords.inCommand();
    String run = runOf(task);
    Optional<Evidence> evidence = evidenceOf(task, records, run);
    if (DECISION_APPROVE.equals(decision)) {
      Evidence e = evidence.orElseThrow(() -> new FormFieldValidationException(review.decisionVar(),
          "No evidence is recorded for this run, so there is nothing to approve: reject it, or start a new run"));
      if (!e.intact()) {
        throw new FormFieldValidationException(review.decisionVar(), "The evidence " + e.id() + " of this run no"
            + " longer matches its SHA-256: it was changed after it was written; reject, and report it");
      }
    }
    records.insert(run, task.getProcessInstanceId(), task.getId(), task.getTaskDefinitionKey(), signer.userId(),
        (String) decision, (String) comment, evidence.map(Evidence::id).orElse(null),
        evidence.map(Evidence::sha256).orElse(null));
  }

  static Review reviewOf(DelegateTask task) {
    return switch (task.getTaskDefinitionKey()) {
      case TASK_MEDICAL_QA -> MEDICAL_QA;
      case TASK_APPROVE_PRODUCTION -> PRODUCTION;
      default -> throw new IllegalStateException(
          ReviewDecision.class.getSimpleName() + " is not configured for task " + task.getTaskDefinitionKey());
    };
  }

  /** The pipeline run a task belongs to: the root process instance. */
  static String runOf(TaskEntity task) {
    ExecutionEntity instance = task.getProcessInstance();
    return instance.getRootProcessInstanceId() != null ? instance.getRootProcessInstanceId() : instance.getId();
  }

  /**
   * The evidence the form showed: the record named by the run's evidenceId, refused if it belongs to another run
   * (the variable is the form's pointer, never trusted on its own).
   */
  static Optional<Evidence> evidenceOf(TaskEntity task, SignOffRecords records, String run) {
    Object id = task.getVariable(VAR_EVIDENCE_ID);
    if (id == null) {
      return Optional.empty();
    }
    UUID evidenceId;
    try {
      evidenceId = UUID.fromString(id.toString());
    } catch (IllegalArgumentException e) {
      throw new AuthorizationException("The run's evidence reference is not an evidence id: it was edited");
    }
    Evidence evidence = records.evidence(evidenceId).orElseThrow(() -> new AuthorizationException(
        "The run's evidence reference names no evidence record: it was edited"));
    if (!run.equals(runOfInstance(evidence.processInstanceId()))) {
      throw new AuthorizationException("The evidence " + evidenceId + " belongs to another run: this run's"
          + " evidence reference was edited");
    }
    return Optional.of(evidence);
  }

  private static String runOfInstance(String processInstanceId) {
    CommandContext context = Context.getCommandContext();
    return context.runWithoutAuthorization(() -> {
      ExecutionEntity running = context.getExecutionManager().findExecutionById(processInstanceId);
      if (running != null) {
        return running.getRootProcessInstanceId();
      }
      HistoricProcessInstance ended = context.getHistoricProcessInstanceManager()
          .findHistoricProcessInstance(processInstanceId);
      return ended == null ? null : ended.getRootProcessInstanceId();
    });
  }

  /** What was sent instead of a decision, without repeating it: the sender chose it, and this message is logged. */
  private static String describe(Object value) {
    if (value == null) {
      return "nothing";
    }
    return value instanceof String s ? "another text (" + s.length() + " characters)" : "a value that is not text";
  }

  private static final Map<String, String> KINDS = Map.of("[EMAIL]", "an e-mail address", "[URL]", "a URL",
      "[ID]", "an identification number", "[MRN]", "a medical record number", "[DATE]", "a date",
      "[PHONE]", "a phone number", "[ADDRESS]", "an address", "[ZIP]", "a postal code", "[NAME]", "a name",
      "[AGE 90+]", "an age over 89");
}
