package io.medpipe.signoff;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * One completed sign-off task as the engine recorded it: who completed it (the authenticated user), the decision,
 * and the hash of the evidence the form showed. A change to the run afterwards voids it.
 *
 * @param runId             root process instance of the pipeline run
 * @param processInstanceId the instance that held the task (staging or production)
 */
public record SignOff(UUID id, long seq, String runId, String processInstanceId, String taskId, String taskKey,
                      String signedBy, String decision, String comment, UUID evidenceId, String evidenceSha256,
                      OffsetDateTime signedAt, OffsetDateTime voidedAt, String voidReason) {

  public boolean valid() {
    return voidedAt == null;
  }
}
