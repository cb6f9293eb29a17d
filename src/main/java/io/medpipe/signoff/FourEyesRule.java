package io.medpipe.signoff;

import static io.medpipe.pipeline.ProcessConstants.DECISION_APPROVE;
import static io.medpipe.pipeline.ProcessConstants.TASK_APPROVE_PRODUCTION;
import static io.medpipe.pipeline.ProcessConstants.TASK_MEDICAL_QA;
import static io.medpipe.pipeline.ProcessConstants.VAR_DEPLOY_DECISION;
import static io.medpipe.pipeline.ProcessConstants.VAR_MEDICAL_QA_VALID;

import java.util.Optional;
import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.delegate.TaskListener;
import org.camunda.bpm.engine.impl.persistence.entity.TaskEntity;
import org.camunda.bpm.engine.variable.Variables;

/**
 * The complete listener of "Approve production deployment", after {@link ReviewDecision}: reads the run's medical
 * QA sign-off from the engine's record (never from a variable) and
 *
 * <ul>
 *   <li>refuses the person who signed the model off in medical QA (four-eyes principle, HTTP 403);</li>
 *   <li>tells the process whether that sign-off still holds ({@code medicalQaValid}, a transient variable nobody can
 *       set from outside): none recorded, voided by a change to the run, rejected, or signed on evidence that is not
 *       this run's current evidence, and an approval sends the run back to medical QA instead of to
 *       deployment.</li>
 * </ul>
 */
public class FourEyesRule implements TaskListener {

  @Override
  public void notify(DelegateTask delegate) {
    TaskEntity task = (TaskEntity) delegate;
    SignOffRecords records = SignOffRecords.inCommand();
    String run = ReviewDecision.runOf(task);
    Optional<Evidence> evidence = ReviewDecision.evidenceOf(task, records, run);
    Optional<SignOff> qa = records.latestValid(run, TASK_MEDICAL_QA)
        .filter(s -> DECISION_APPROVE.equals(s.decision()))
        .filter(s -> evidence.isPresent() && evidence.get().intact() && evidence.get().id().equals(s.evidenceId())
            && evidence.get().sha256().equals(s.evidenceSha256()));
    SignOff approval = records.latestValid(run, TASK_APPROVE_PRODUCTION)
        .filter(s -> s.taskId().equals(task.getId()))
        .orElseThrow(() -> new IllegalStateException(
            "ReviewDecision must run before FourEyesRule on " + task.getTaskDefinitionKey()));
    if (qa.isPresent() && approval.signedBy().equalsIgnoreCase(qa.get().signedBy())) {
      // case-insensitive: an identity provider may hand the same person in differently cased ids
      throw new AuthorizationException("Four-eyes rule: user " + approval.signedBy()
          + " reviewed this model in medical QA and cannot also decide on its production deployment");
    }
    boolean valid = qa.isPresent();
    if (!valid && DECISION_APPROVE.equals(task.getVariable(VAR_DEPLOY_DECISION))) {
      records.voidOne(approval.id(), "no valid medical QA sign-off of this run at approval: sent back to medical QA");
    }
    task.getExecution().setVariable(VAR_MEDICAL_QA_VALID, Variables.booleanValue(valid, true));
  }
}
