package io.medpipe.pipeline;

import static io.medpipe.pipeline.ProcessConstants.VAR_QA_REVIEWER;

import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.delegate.TaskListener;

/**
 * The complete listener of "Approve production deployment" that enforces the four-eyes principle: the person who
 * signed the model off in medical QA may not also decide on putting it in front of patients.
 *
 * <p>Throwing rolls the completion back; the REST API answers HTTP 403.
 */
public class FourEyesRule implements TaskListener {

  @Override
  public void notify(DelegateTask task) {
    Object qaReviewer = task.getVariable(VAR_QA_REVIEWER);
    if (!(qaReviewer instanceof String reviewer) || reviewer.isBlank()) {
      // Without a recorded reviewer the rule cannot be checked, and a model nobody reviewed must not ship.
      throw new AuthorizationException(
          "Four-eyes rule: no medical QA reviewer is recorded for this model, so its production deployment"
              + " cannot be decided");
    }
    String user = ReviewDecision.actingUser(task);
    // Case-insensitive: an identity provider may hand the same person in differently cased ids.
    if (user.equalsIgnoreCase(reviewer)) {
      throw new AuthorizationException("Four-eyes rule: user " + user
          + " reviewed this model in medical QA and cannot also approve its production deployment");
    }
  }
}
