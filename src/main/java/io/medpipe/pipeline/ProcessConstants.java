package io.medpipe.pipeline;

/**
 * The names shared by the BPMN/DMN files in {@code processes/} and the Java code: process keys, external-task
 * topics, messages, BPMN errors and process variables. Declared once here so that a rename breaks the build
 * instead of a running pipeline.
 */
public final class ProcessConstants {

  private ProcessConstants() {}

  // Process definitions
  public static final String PROCESS_PIPELINE = "mlops-pipeline";
  /** Holds the retraining timer; starts a pipeline run each time it fires. */
  public static final String PROCESS_SCHEDULE = "pipeline-schedule";
  public static final String PROCESS_DEVELOP = "develop";
  public static final String PROCESS_STAGING = "staging";
  public static final String PROCESS_PRODUCTION = "production";
  public static final String DECISION_CLINICAL_VALIDATION = "clinical-validation";
  /** The drift monitor: a timer start (medpipe.monitoring.schedule-*) and a start by hand or by the API. */
  public static final String PROCESS_MONITORING = "monitoring";
  /** What follows from each monitoring signal (processes/drift-policy.dmn). */
  public static final String DECISION_DRIFT_POLICY = "drift-policy";
  /** Whether a challenger goes on to Medical QA or the champion keeps serving (processes/champion-challenger.dmn). */
  public static final String DECISION_CHAMPION_CHALLENGER = "champion-challenger";

  // Messages
  public static final String MESSAGE_RETRAIN_REQUESTED = "RetrainRequested";
  /** Sent by pipeline-schedule when retraining is due; starts mlops-pipeline at "Scheduled retraining". */
  public static final String MESSAGE_SCHEDULED_RETRAINING_DUE = "ScheduledRetrainingDue";
  /** Starts a monitoring run on demand (medpipe monitor, POST /api/v1/monitoring/runs) with requestedBy and window. */
  public static final String MESSAGE_MONITOR_RUN_REQUESTED = "MonitorRunRequested";

  // External-task topics, one worker class each (workers/)
  public static final String TOPIC_EXTRACT_DATA = "extract-data";
  public static final String TOPIC_PSEUDONYMIZE = "pseudonymize";
  public static final String TOPIC_EDA = "eda";
  public static final String TOPIC_PHI_SCAN = "phi-scan";               // fails the run on a personal data leak
  public static final String TOPIC_TRAIN_MODEL = "train-model";
  /** A recalibration run's step instead of extract-to-train: the champion re-based to the monitor's prior. */
  public static final String TOPIC_RECALIBRATE_MODEL = "recalibrate-model";
  public static final String TOPIC_EVALUATE_MODEL = "evaluate-model";
  public static final String TOPIC_RECORD_VALIDATION = "record-validation"; // DMN rows into the stored model card
  public static final String TOPIC_REGISTER_MODEL = "register-model";
  public static final String TOPIC_DEPLOY_STAGING = "deploy-staging";
  public static final String TOPIC_STAGING_TESTS = "staging-tests";
  public static final String TOPIC_COMPARE_CHAMPION = "compare-champion"; // challenger against the production version
  public static final String TOPIC_FETCH_MODEL = "fetch-model";
  public static final String TOPIC_DEPLOY_PRODUCTION = "deploy-production";
  public static final String TOPIC_SMOKE_TEST = "smoke-test";
  public static final String TOPIC_PROMOTE_MODEL = "promote-model";
  public static final String TOPIC_ROLLBACK_PRODUCTION = "rollback-production";
  public static final String TOPIC_MONITOR_DRIFT = "monitor-drift";       // one monitor run over the prediction log

  // BPMN errors thrown by workers (caught by boundary events)
  public static final String ERROR_DEPLOYMENT_FAILED = "DEPLOYMENT_FAILED";
  public static final String ERROR_STAGING_TESTS_FAILED = "STAGING_TESTS_FAILED";

  // User tasks and candidate groups
  public static final String TASK_MEDICAL_QA = "medical-qa-review";
  public static final String TASK_APPROVE_PRODUCTION = "approve-production";
  public static final String GROUP_MEDICAL_REVIEWERS = "medical-reviewers";
  public static final String GROUP_DEVOPS = "devops";
  public static final String GROUP_DATA_SCIENTISTS = "data-scientists";
  public static final String GROUP_OPERATORS = "operators";
  /** Technical group of the external-task workers' own user. */
  public static final String GROUP_WORKERS = "medpipe-workers";
  /** Camunda's administrators: bypass authorizations, yet sign nothing unless also in the task's group. */
  public static final String GROUP_CAMUNDA_ADMIN = "camunda-admin";

  // Process variables: references, never payloads
  public static final String VAR_TRIGGER = "trigger";                     // manual | schedule | alert
  /** The alert group's business key (a hash of Alertmanager's group key, which is free text and never stored). */
  public static final String VAR_ALERT_GROUP = "alertGroup";
  /** The firing alerts' names, comma-separated, each shape-checked by the webhook. */
  public static final String VAR_ALERT_NAMES = "alertNames";
  /** When the first firing alert started (Alertmanager's startsAt, ISO-8601), set by the webhook; may be absent. */
  public static final String VAR_ALERT_STARTED_AT = "alertStartedAt";
  /**
   * The version in production when the run started (the champion), copied for Cockpit from medpipe.run_origin, which
   * the forms and the API read; with driftReportId and monitorRunId for a run an alert started.
   */
  public static final String VAR_CHAMPION_VERSION_ID = "championVersionId";
  /**
   * What the alert asked the run to do (retrain | recalibrate), set by the webhook from the alerts' action labels;
   * RecordRunOrigin records what the run does, which is recalibrate only when the monitor run behind the alert decided
   * so too.
   */
  public static final String VAR_REQUESTED_ACTION = "requestedAction";
  /**
   * What the run does, copied for Cockpit from medpipe.run_origin (retrain | recalibrate); Develop's gateway reads the
   * record, never this copy.
   */
  public static final String VAR_RUN_ACTION = "runAction";
  /** Transient (never stored, so never editable): true when the record says this run recalibrates (develop.bpmn). */
  public static final String VAR_RECALIBRATE = "recalibrate";
  public static final String RUN_ACTION_RETRAIN = "retrain";
  public static final String RUN_ACTION_RECALIBRATE = "recalibrate";
  public static final String VAR_EXTRACT_ID = "extractId";
  public static final String VAR_SNAPSHOT_ID = "snapshotId";
  public static final String VAR_DATASET_HASH = "datasetHash";
  public static final String VAR_ROW_COUNT = "rowCount";
  public static final String VAR_CLASS_COUNTS = "classCounts";            // JSON string {"none":..., ...}
  public static final String VAR_IMBALANCE_RATIO = "imbalanceRatio";      // majority count / minority count
  public static final String VAR_MINORITY_COUNT = "minorityCount";
  public static final String VAR_MINORITY_CLASS = "minorityClass";
  public static final String VAR_EDA_REPORT_ID = "edaReportId";
  public static final String VAR_PHI_SCAN_SUMMARY = "phiScanSummary";   // "no identifier of N patients found in M places"
  public static final String VAR_TRAINING_RUN_ID = "trainingRunId";
  public static final String VAR_TARGET_CLASS = "targetClass";            // the rare disease the model is for
  public static final String VAR_RARE_RECALL = "rareRecall";
  public static final String VAR_RARE_PRECISION = "rarePrecision";
  public static final String VAR_RARE_F1 = "rareF1";
  public static final String VAR_RARE_ROC_AUC = "rareRocAuc";
  public static final String VAR_RARE_AUPRC = "rareAuprc";
  public static final String VAR_MACRO_F1 = "macroF1";
  /** Lower bounds of the 95% bootstrap intervals on held-out data: what the clinical thresholds are applied to. */
  public static final String VAR_RARE_RECALL_LOWER = "rareRecallLower";
  public static final String VAR_RARE_PRECISION_LOWER = "rarePrecisionLower";
  public static final String VAR_RARE_AUPRC_LOWER = "rareAuprcLower";
  public static final String VAR_RARE_SPECIFICITY = "rareSpecificity";
  public static final String VAR_RARE_BRIER = "rareBrier";
  public static final String VAR_MODEL_STRATEGY = "modelStrategy";        // e.g. "RF + SMOTE + cost matrix"
  public static final String VAR_METRICS_TABLE = "metricsTable";          // JSON string, per-class metrics
  /** DMN result list of clinical-validation: one map per rule {rule, threshold, value, passed}. */
  public static final String VAR_VALIDATION_RESULTS = "validationResults";
  public static final String VAR_VALIDATION_PASSED = "validationPassed";  // every threshold met
  /** Human-readable reasons, e.g. "rare-class recall 0.62 < 0.80" (java.util.ArrayList of String). */
  public static final String VAR_VALIDATION_FAILURES = "validationFailures";
  public static final String VAR_DEVELOP_OUTCOME = "developOutcome";      // validated | rejected
  public static final String VAR_MODEL_VERSION_ID = "modelVersionId";
  public static final String VAR_MODEL_VERSION = "modelVersion";          // human label, e.g. fabry-rf v3
  public static final String VAR_STAGING_TESTS_REPORT = "stagingTestsReport"; // JSON string
  public static final String VAR_STAGING_P99_MS = "stagingP99Ms";
  /** The evidence record the sign-off forms show (GET /api/v1/evidence/{id}), written by staging-tests. */
  public static final String VAR_EVIDENCE_ID = "evidenceId";
  /**
   * The pipeline run (the root mlops-pipeline instance) a Staging step belongs to: an input of compare-champion, set by
   * the engine from the call hierarchy, so the worker finds the run's origin (its champion) without engine tables.
   */
  public static final String VAR_PIPELINE_RUN_ID = "pipelineRunId";
  /** The stored comparison of the challenger with the champion (GET /api/v1/models/{id}/champion-comparison). */
  public static final String VAR_CHAMPION_COMPARISON_ID = "championComparisonId";
  /** compared | no-champion | too-few-rare-cases | not-comparable: the input the DMN table decides on. */
  public static final String VAR_COMPARISON_STATUS = "comparisonStatus";
  /** Lower 95% bounds of challenger minus champion (rare-class recall, AUPRC); absent unless compared. */
  public static final String VAR_RECALL_DIFFERENCE_LOWER = "recallDifferenceLower";
  public static final String VAR_AUPRC_DIFFERENCE_LOWER = "auprcDifferenceLower";
  public static final String VAR_COMPARED_RARE_CASES = "comparedRareCases";
  /** The champion-challenger decision's single result: {proceed (to Medical QA), reason}. */
  public static final String VAR_CHAMPION_DECISION = "championDecision";
  public static final String VAR_QA_DECISION = "qaDecision";              // approve | reject
  public static final String VAR_QA_COMMENT = "qaComment";
  // approved | rejected | tests-failed | champion-kept
  public static final String VAR_STAGING_OUTCOME = "stagingOutcome";
  public static final String VAR_DEPLOY_DECISION = "deployDecision";      // approve | refuse
  public static final String VAR_DEPLOY_COMMENT = "deployComment";
  /**
   * Transient (never stored, so never editable): whether the run holds a valid medical QA sign-off when its
   * production deployment is approved; the gateway after the approval sends the run back to medical QA if not.
   */
  public static final String VAR_MEDICAL_QA_VALID = "medicalQaValid";
  public static final String VAR_PREVIOUS_PRODUCTION_VERSION_ID = "previousProductionVersionId";
  public static final String VAR_PRODUCTION_OUTCOME = "productionOutcome"; // deployed | refused | rolled-back
  public static final String VAR_FAILURE_REASON = "failureReason";

  // Monitoring process variables (monitoring.bpmn); its run may name modelVersionId, else production is monitored
  /** Who asked for a monitor run (engine user or API client); absent for the timer. */
  public static final String VAR_REQUESTED_BY = "requestedBy";
  public static final String VAR_MONITOR_RUN_ID = "monitorRunId";
  public static final String VAR_WINDOW_LAST = "windowLast";              // the last N predictions
  public static final String VAR_WINDOW_FROM = "windowFrom";              // ISO-8601 instant, with windowTo
  public static final String VAR_WINDOW_TO = "windowTo";
  public static final String VAR_DRIFT_REPORT_ID = "driftReportId";
  /** What the drift policy decided for the run: none | warn | page | recalibrate | retrain. */
  public static final String VAR_MONITOR_ACTION = "monitorAction";
  public static final String VAR_MONITOR_SUMMARY = "monitorSummary";      // one sentence for people
  public static final String MONITOR_ACTION_RETRAIN = "retrain";
  public static final String MONITOR_ACTION_RECALIBRATE = "recalibrate";
  public static final String MONITOR_ACTION_PAGE = "page";

  // Values a reviewer picks in the Tasklist forms (qaDecision, deployDecision)
  public static final String DECISION_APPROVE = "approve";
  public static final String DECISION_REJECT = "reject";   // medical QA
  public static final String DECISION_REFUSE = "refuse";   // production deployment

  // Outcomes each stage hands back to mlops-pipeline (developOutcome, stagingOutcome, productionOutcome)
  public static final String OUTCOME_VALIDATED = "validated";
  public static final String OUTCOME_REJECTED = "rejected";
  public static final String OUTCOME_APPROVED = "approved";
  public static final String OUTCOME_TESTS_FAILED = "tests-failed";
  /** Staging: the challenger was worse than the champion beyond the margins; the champion keeps serving. */
  public static final String OUTCOME_CHAMPION_KEPT = "champion-kept";
  public static final String OUTCOME_DEPLOYED = "deployed";
  public static final String OUTCOME_REFUSED = "refused";
  public static final String OUTCOME_ROLLED_BACK = "rolled-back";
  // productionOutcome "rejected": sent back to medical QA from production (a void sign-off) and rejected there
}
