package io.medpipe.signoff;

import static io.medpipe.pipeline.ProcessConstants.DECISION_APPROVE;
import static io.medpipe.pipeline.ProcessConstants.TASK_APPROVE_PRODUCTION;
import static io.medpipe.pipeline.ProcessConstants.TASK_MEDICAL_QA;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * The last check before a model reaches patients, in the deployment step itself (a worker, outside the engine):
 * the production instance must hold a valid approval, and its run a valid medical QA approval of evidence that
 * names this very model version. A modification that jumps over the approvals, even an administrator's with every
 * listener skipped, voided them and stops here, as an incident that says what to do.
 */
@Service
public class SignOffGate {

  private final JdbcTemplate jdbc;
  private final EvidenceStore evidence;

  public SignOffGate(JdbcTemplate jdbc, EvidenceStore evidence) {
    this.jdbc = jdbc;
    this.evidence = evidence;
  }

  /**
   * Returns the production approval that allows deploying the version, or throws with the reason and the action.
   *
   * @param productionProcessInstanceId the production instance that is about to deploy
   */
  public SignOff requireDeployable(String productionProcessInstanceId, UUID modelVersionId) {
    List<SignOff> here = records(r -> r.ofInstance(productionProcessInstanceId));
    SignOff approval = here.stream()
        .filter(s -> s.taskKey().equals(TASK_APPROVE_PRODUCTION) && s.valid() && DECISION_APPROVE.equals(s.decision()))
        .reduce((a, b) -> b)
        .orElseThrow(() -> refused("no valid production approval is recorded for this deployment"
            + lastVoid(here)));
    List<SignOff> run = records(r -> r.ofRun(approval.runId()));
    SignOff qa = run.stream()
        .filter(s -> s.taskKey().equals(TASK_MEDICAL_QA) && s.valid() && DECISION_APPROVE.equals(s.decision()))
        .reduce((a, b) -> b)
        .orElseThrow(() -> refused("no valid medical QA sign-off is recorded for this run" + lastVoid(run)));
    Evidence signed = Optional.ofNullable(qa.evidenceId()).flatMap(evidence::find)
        .orElseThrow(() -> refused("the medical QA sign-off names no evidence"));
    if (!signed.intact() || !signed.sha256().equals(qa.evidenceSha256())) {
      throw refused("the evidence signed in medical QA no longer matches its hash");
    }
    if (!signed.modelVersionId().equals(modelVersionId)) {
      throw refused("medical QA signed model version " + signed.modelVersionId() + ", not " + modelVersionId);
    }
    return approval;
  }

  /** Every sign-off of a run, oldest first. */
  public List<SignOff> ofRun(String runId) {
    return records(r -> r.ofRun(runId));
  }

  /** Sign-offs that name an evidence record, oldest first, with their voids. */
  public List<SignOff> ofEvidence(UUID evidenceId) {
    return jdbc.queryForList("SELECT DISTINCT run_id FROM medpipe.sign_off WHERE evidence_id = ?", String.class,
        evidenceId).stream()
        .flatMap(run -> ofRun(run).stream())
        .toList();
  }

  private <T> T records(Function<SignOffRecords, T> query) {
    return jdbc.execute((ConnectionCallback<T>) c -> query.apply(new SignOffRecords(c)));
  }

  private static String lastVoid(List<SignOff> signOffs) {
    return signOffs.stream().filter(s -> !s.valid()).reduce((a, b) -> b)
        .map(s -> " (the last one was voided: " + s.voidReason() + ")").orElse("");
  }

  private static IllegalStateException refused(String why) {
    return new IllegalStateException("Deployment stopped: " + why + ". Cancel this run and start a new one (it"
        + " must pass medical QA and the production approval again); see docs/security.md, sign-offs.");
  }
}
