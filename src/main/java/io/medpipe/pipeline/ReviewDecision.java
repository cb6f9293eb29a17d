package io.medpipe.pipeline;

import static io.medpipe.pipeline.ProcessConstants.DECISION_APPROVE;
import static io.medpipe.pipeline.ProcessConstants.DECISION_REFUSE;
import static io.medpipe.pipeline.ProcessConstants.DECISION_REJECT;
import static io.medpipe.pipeline.ProcessConstants.TASK_APPROVE_PRODUCTION;
import static io.medpipe.pipeline.ProcessConstants.TASK_MEDICAL_QA;
import static io.medpipe.pipeline.ProcessConstants.VAR_DEPLOY_APPROVER;
import static io.medpipe.pipeline.ProcessConstants.VAR_DEPLOY_COMMENT;
import static io.medpipe.pipeline.ProcessConstants.VAR_DEPLOY_DECISION;
import static io.medpipe.pipeline.ProcessConstants.VAR_QA_COMMENT;
import static io.medpipe.pipeline.ProcessConstants.VAR_QA_DECISION;
import static io.medpipe.pipeline.ProcessConstants.VAR_QA_REVIEWER;

import java.util.List;
import org.camunda.bpm.engine.BadUserRequestException;
import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.delegate.TaskListener;
import org.camunda.bpm.engine.impl.identity.Authentication;

/**
 * The complete listener of the two sign-off tasks (medical QA review, production approval): checks that the
 * decision is one the process knows, that a negative decision says why, and records who decided.
 *
 * <p>Throwing here rolls the completion back, so the task stays open; the REST API answers HTTP 400.
 */
public class ReviewDecision implements TaskListener {

  /** The variables of one sign-off task. */
  record Review(String decisionVar, String commentVar, String signedByVar, String negativeDecision) {

    List<String> allowed() {
      return List.of(DECISION_APPROVE, negativeDecision);
    }
  }

  static final Review MEDICAL_QA = new Review(VAR_QA_DECISION, VAR_QA_COMMENT, VAR_QA_REVIEWER, DECISION_REJECT);
  static final Review PRODUCTION =
      new Review(VAR_DEPLOY_DECISION, VAR_DEPLOY_COMMENT, VAR_DEPLOY_APPROVER, DECISION_REFUSE);

  @Override
  public void notify(DelegateTask task) {
    Review review = reviewOf(task);
    Object decision = task.getVariable(review.decisionVar());
    if (!(decision instanceof String d) || !review.allowed().contains(d)) {
      throw new BadUserRequestException(
          review.decisionVar() + " must be one of " + review.allowed() + ", got " + describe(decision));
    }
    Object comment = task.getVariable(review.commentVar());
    if (comment != null && !(comment instanceof String)) {
      throw new BadUserRequestException(review.commentVar() + " must be text, got " + describe(comment));
    }
    if (review.negativeDecision().equals(decision) && (comment == null || ((String) comment).isBlank())) {
      throw new BadUserRequestException(
          "A '" + decision + "' decision needs a comment saying why (" + review.commentVar() + ")");
    }
    task.setVariable(review.signedByVar(), actingUser(task));
  }

  static Review reviewOf(DelegateTask task) {
    return switch (task.getTaskDefinitionKey()) {
      case TASK_MEDICAL_QA -> MEDICAL_QA;
      case TASK_APPROVE_PRODUCTION -> PRODUCTION;
      default -> throw new IllegalStateException(
          ReviewDecision.class.getSimpleName() + " is not configured for task " + task.getTaskDefinitionKey());
    };
  }

  /**
   * The user completing the task: the engine's authenticated user (REST, Tasklist), else the assignee. A sign-off
   * must name a person, so neither is refused.
   */
  static String actingUser(DelegateTask task) {
    Authentication authentication =
        task.getProcessEngineServices().getIdentityService().getCurrentAuthentication();
    if (authentication != null && authentication.getUserId() != null && !authentication.getUserId().isBlank()) {
      return authentication.getUserId();
    }
    String assignee = task.getAssignee();
    if (assignee != null && !assignee.isBlank()) {
      return assignee;
    }
    throw new BadUserRequestException(
        "Task '" + task.getName() + "' can only be completed by a named user: log in or claim the task first");
  }

  private static String describe(Object value) {
    return value == null ? "nothing" : "'" + value + "'";
  }
}
