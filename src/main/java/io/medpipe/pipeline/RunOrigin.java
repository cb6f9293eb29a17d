package io.medpipe.pipeline;

import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Why a pipeline run started, as recorded once at its start in {@code medpipe.run_origin} ({@link RecordRunOrigin}).
 *
 * @param trigger           manual, schedule or alert
 * @param startedBy         the engine user of a start by hand, else null
 * @param alertGroup        the alert group's business key (a hash), for an alert
 * @param alertNames        the firing alerts' names, comma-separated, for an alert
 * @param alertStartedAt    when the first alert started, if Alertmanager said
 * @param monitorRunId      the monitor run whose drift policy asked for retraining, if one was found
 * @param driftReportId     that run's drift report
 * @param championVersionId the version in production when the run started, if any
 * @param action            what the run does: retrain (Develop from the data stage) or recalibrate (the champion
 *                          re-based to the prior its drift report estimated); recalibrate only for an alert whose
 *                          monitor run decided so
 */
public record RunOrigin(String runId, String businessKey, String trigger, String startedBy, String alertGroup,
                        String alertNames, OffsetDateTime alertStartedAt, UUID monitorRunId, UUID driftReportId,
                        UUID championVersionId, String action, OffsetDateTime recordedAt) {

  /** Whether the run recalibrates the champion instead of retraining. */
  public boolean recalibrates() {
    return ProcessConstants.RUN_ACTION_RECALIBRATE.equals(action);
  }

  /** The drift report's address (the monitor run's HTML report), or null. */
  public String driftReportUrl() {
    return monitorRunId == null ? null : "/api/v1/monitoring/runs/" + monitorRunId + ".html";
  }

  /** As the API shows it: every field, with the report's address. */
  public Map<String, Object> asMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("runId", runId);
    m.put("trigger", trigger);
    m.put("startedBy", startedBy);
    m.put("alertGroup", alertGroup);
    m.put("alertNames", alertNames == null ? null : java.util.List.of(alertNames.split(",")));
    m.put("alertStartedAt", alertStartedAt == null ? null : alertStartedAt.toInstant().toString());
    m.put("monitorRunId", monitorRunId);
    m.put("driftReportId", driftReportId);
    m.put("driftReport", driftReportUrl());
    m.put("championVersionId", championVersionId);
    m.put("action", action);
    m.put("recordedAt", recordedAt.toInstant().toString());
    return m;
  }
}
