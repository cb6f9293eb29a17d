package io.medpipe.pipeline;

import static io.medpipe.pipeline.ProcessConstants.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.calledProcessInstance;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.complete;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.externalTask;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.externalTaskService;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.fetchAndLock;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.historyService;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.identityService;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.jobQuery;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.managementService;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.runtimeService;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.task;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.taskService;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.withVariables;

import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.BadUserRequestException;
import org.camunda.bpm.engine.externaltask.LockedExternalTask;
import org.camunda.bpm.engine.history.HistoricVariableInstance;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;
import org.camunda.bpm.engine.test.Deployment;
import org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests;
import org.camunda.bpm.engine.test.junit5.ProcessEngineExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The business paths of the pipeline, driven through mlops-pipeline with the real files from processes/: workers
 * are played by completing external tasks, clinicians by completing user tasks as a logged-in user.
 */
@Deployment(resources = {
    "processes/mlops-pipeline.bpmn", "processes/develop.bpmn", "processes/staging.bpmn",
    "processes/production.bpmn", "processes/clinical-validation.dmn", "processes/pipeline-schedule.bpmn"})
class MlopsPipelineProcessTest {

  /**
   * An in-memory engine for path tests. Its configuration is not named camunda.cfg.xml: Camunda's engine lookup
   * would otherwise build a second "default" engine from it inside the Spring Boot tests.
   */
  @RegisterExtension
  static final ProcessEngineExtension ENGINE = ProcessEngineExtension.builder()
      .configurationResource("process-test.cfg.xml").build();

  // End events (BPMN ids) the tests expect a path to reach
  static final String PIPELINE_REJECTED_AT_VALIDATION = "end-rejected-at-validation";
  static final String PIPELINE_STAGING_TESTS_FAILED = "end-staging-tests-failed";
  static final String PIPELINE_REJECTED_BY_QA = "end-rejected-by-qa";
  static final String PIPELINE_DEPLOYED = "end-deployed";
  static final String PIPELINE_DEPLOYMENT_REFUSED = "end-deployment-refused";
  static final String PIPELINE_ROLLED_BACK = "end-rolled-back";
  static final String DEVELOP_VALIDATED = "end-validated";
  static final String DEVELOP_REJECTED = "end-rejected-at-validation";
  static final String STAGING_TESTS_FAILED = "end-tests-failed";
  static final String STAGING_APPROVED = "end-qa-approved";
  static final String STAGING_REJECTED = "end-qa-rejected";
  static final String PRODUCTION_DEPLOYED = "end-deployed";
  static final String PRODUCTION_REFUSED = "end-deployment-refused";
  static final String PRODUCTION_ROLLED_BACK = "end-rolled-back";
  static final String VALIDATE_THRESHOLDS = "validate-clinical-thresholds";

  static final String BUSINESS_KEY = "fabry-2025-06";
  static final String QA_REVIEWER = "anna";     // medical-reviewers
  static final String DEVOPS = "bob";           // devops
  static final String WORKER = "test-worker";

  @AfterEach
  void logOut() {
    identityService().clearAuthentication();
  }

  @Test
  void happyPath() {
    ProcessInstance pipeline = startPipeline();

    ProcessInstance develop = develop(pipeline, 0.86, 0.61, 0.95);
    BpmnAwareTests.assertThat(develop).isEnded().hasPassed(VALIDATE_THRESHOLDS, DEVELOP_VALIDATED);
    assertThat(develop.getBusinessKey()).isEqualTo(BUSINESS_KEY);

    ProcessInstance staging = stagingUpToQa(pipeline);
    review(staging, TASK_MEDICAL_QA, QA_REVIEWER,
        Map.of(VAR_QA_DECISION, DECISION_APPROVE, VAR_QA_COMMENT, "Recall and calibration fine for Fabry"));
    BpmnAwareTests.assertThat(staging).isEnded().hasPassed(STAGING_APPROVED);

    ProcessInstance production = calledProcessInstance(PROCESS_PRODUCTION, pipeline);
    review(production, TASK_APPROVE_PRODUCTION, DEVOPS,
        Map.of(VAR_DEPLOY_DECISION, DECISION_APPROVE, VAR_DEPLOY_COMMENT, "Deploy in the Tuesday window"));
    completeExternalTask(production, TOPIC_FETCH_MODEL, withVariables(VAR_PREVIOUS_PRODUCTION_VERSION_ID, "mv-2"));
    completeExternalTask(production, TOPIC_DEPLOY_PRODUCTION, null);
    completeExternalTask(production, TOPIC_SMOKE_TEST, null);
    completeExternalTask(production, TOPIC_PROMOTE_MODEL, null);

    BpmnAwareTests.assertThat(production).isEnded()
        .hasPassedInOrder(TASK_APPROVE_PRODUCTION, TOPIC_FETCH_MODEL, TOPIC_DEPLOY_PRODUCTION, TOPIC_SMOKE_TEST,
            TOPIC_PROMOTE_MODEL, PRODUCTION_DEPLOYED)
        .hasNotPassed(TOPIC_ROLLBACK_PRODUCTION);
    BpmnAwareTests.assertThat(pipeline).isEnded()
        .hasPassedInOrder("started-by-hand", "call-develop", "call-staging", "call-production", PIPELINE_DEPLOYED);
    assertThat(variable(pipeline, VAR_TRIGGER)).isEqualTo("manual");
    assertThat(variable(pipeline, VAR_VALIDATION_PASSED)).isEqualTo(true);
    assertThat(variable(pipeline, VAR_VALIDATION_FAILURES)).asList().isEmpty();
    assertThat(variable(pipeline, VAR_QA_REVIEWER)).isEqualTo(QA_REVIEWER);
    assertThat(variable(pipeline, VAR_DEPLOY_APPROVER)).isEqualTo(DEVOPS);
    assertThat(variable(pipeline, VAR_PRODUCTION_OUTCOME)).isEqualTo(OUTCOME_DEPLOYED);
  }

  @Test
  void validationFails() {
    ProcessInstance pipeline = startPipeline();

    ProcessInstance develop = develop(pipeline, 0.62, 0.61, 0.95);

    BpmnAwareTests.assertThat(develop).isEnded().hasPassed(VALIDATE_THRESHOLDS, DEVELOP_REJECTED)
        .hasNotPassed(DEVELOP_VALIDATED);
    BpmnAwareTests.assertThat(pipeline).isEnded().hasPassed(PIPELINE_REJECTED_AT_VALIDATION)
        .hasNotPassed("call-staging");
    // the DMN decision really ran, once, inside this develop instance
    assertThat(historyService().createHistoricDecisionInstanceQuery()
        .decisionDefinitionKey(DECISION_CLINICAL_VALIDATION).processInstanceId(develop.getId()).count())
        .isEqualTo(1);
    assertThat(variable(pipeline, VAR_DEVELOP_OUTCOME)).isEqualTo(OUTCOME_REJECTED);
    assertThat(variable(pipeline, VAR_VALIDATION_PASSED)).isEqualTo(false);
    assertThat(variable(pipeline, VAR_VALIDATION_FAILURES)).asList()
        .containsExactly("rare-class recall (95% CI lower bound) 0.62 < 0.80");
    assertThat(variable(pipeline, VAR_VALIDATION_RESULTS)).asList().hasSize(4);
  }

  @Test
  void failedValidationReachesTheModelCardStepWithItsRowsAndReasons() {
    ProcessInstance pipeline = startPipeline();
    ProcessInstance develop = calledProcessInstance(PROCESS_DEVELOP, pipeline);
    for (String topic : List.of(TOPIC_EXTRACT_DATA, TOPIC_PSEUDONYMIZE, TOPIC_EDA, TOPIC_PHI_SCAN)) {
      completeExternalTask(develop, topic, null);
    }
    completeExternalTask(develop, TOPIC_TRAIN_MODEL, withVariables(VAR_TRAINING_RUN_ID, "run-1"));
    completeExternalTask(develop, TOPIC_EVALUATE_MODEL,
        withVariables(VAR_RARE_RECALL_LOWER, 0.62, VAR_RARE_AUPRC_LOWER, 0.41, VAR_RARE_ROC_AUC, 0.95,
            VAR_RARE_PRECISION_LOWER, 0.30));

    BpmnAwareTests.assertThat(develop).isWaitingAt(TOPIC_RECORD_VALIDATION).hasPassed(VALIDATE_THRESHOLDS)
        .hasNotPassed(DEVELOP_REJECTED);
    // what the worker fetches: the run, the verdict, every rule and the reasons
    List<LockedExternalTask> locked = fetchAndLock(TOPIC_RECORD_VALIDATION, WORKER, 1);
    assertThat(locked).hasSize(1);
    org.camunda.bpm.engine.variable.VariableMap seen = locked.get(0).getVariables();
    assertThat(seen.get(VAR_TRAINING_RUN_ID)).isEqualTo("run-1");
    assertThat(seen.get(VAR_VALIDATION_PASSED)).isEqualTo(false);
    // the lists reach a worker as the JSON the engine stored, which is how RecordValidationWorker reads them
    String results = seen.<org.camunda.bpm.engine.variable.value.ObjectValue>getValueTyped(VAR_VALIDATION_RESULTS)
        .getValueSerialized();
    assertThat(results).contains("\"rule\":\"rare-class recall (95% CI lower bound)\"", "\"value\":0.62",
        "\"threshold\":0.8", "\"passed\":false", "\"rule\":\"rare-class ROC-AUC\"", "\"passed\":true");
    assertThat(seen.<org.camunda.bpm.engine.variable.value.ObjectValue>getValueTyped(VAR_VALIDATION_FAILURES)
        .getValueSerialized()).isEqualTo("[\"rare-class recall (95% CI lower bound) 0.62 < 0.80\","
            + "\"rare-class AUPRC (95% CI lower bound) 0.41 < 0.50\"]");
    externalTaskService().complete(locked.get(0).getId(), WORKER);

    BpmnAwareTests.assertThat(develop).isEnded().hasPassedInOrder(VALIDATE_THRESHOLDS, TOPIC_RECORD_VALIDATION,
        DEVELOP_REJECTED);
    BpmnAwareTests.assertThat(pipeline).isEnded().hasPassed(PIPELINE_REJECTED_AT_VALIDATION);
  }

  @Test
  void everyElementOfDevelopHasADiagramShapeSoCockpitCanDrawIt() {
    var model = org.camunda.bpm.model.bpmn.Bpmn.readModelFromStream(
        MlopsPipelineProcessTest.class.getClassLoader().getResourceAsStream("processes/develop.bpmn"));
    var drawn = new java.util.HashSet<String>();
    model.getModelElementsByType(org.camunda.bpm.model.bpmn.instance.bpmndi.BpmnShape.class)
        .forEach(shape -> drawn.add(shape.getBpmnElement().getId()));
    model.getModelElementsByType(org.camunda.bpm.model.bpmn.instance.bpmndi.BpmnEdge.class)
        .forEach(edge -> drawn.add(edge.getBpmnElement().getId()));
    var elements = model.getModelElementsByType(org.camunda.bpm.model.bpmn.instance.FlowElement.class).stream()
        .map(org.camunda.bpm.model.bpmn.instance.FlowElement::getId).toList();
    assertThat(drawn).containsAll(elements);
  }

  @Test
  void stagingTestsFail() {
    ProcessInstance pipeline = startPipeline();
    develop(pipeline, 0.86, 0.61, 0.95);
    ProcessInstance staging = calledProcessInstance(PROCESS_STAGING, pipeline);
    completeExternalTask(staging, TOPIC_REGISTER_MODEL, withVariables(VAR_MODEL_VERSION_ID, "mv-3"));
    completeExternalTask(staging, TOPIC_DEPLOY_STAGING, null);

    throwBpmnError(staging, TOPIC_STAGING_TESTS, ERROR_STAGING_TESTS_FAILED, "p99 412 ms > 200 ms");

    BpmnAwareTests.assertThat(staging).isEnded().hasPassed(STAGING_TESTS_FAILED).hasNotPassed(TASK_MEDICAL_QA);
    BpmnAwareTests.assertThat(pipeline).isEnded().hasPassed(PIPELINE_STAGING_TESTS_FAILED)
        .hasNotPassed(PIPELINE_REJECTED_BY_QA, "call-production");
    assertThat(variable(pipeline, VAR_STAGING_OUTCOME)).isEqualTo(OUTCOME_TESTS_FAILED);
    assertThat(variable(pipeline, VAR_FAILURE_REASON)).isEqualTo("p99 412 ms > 200 ms");
  }

  @Test
  void qaRejects() {
    ProcessInstance pipeline = startPipeline();
    develop(pipeline, 0.86, 0.61, 0.95);
    ProcessInstance staging = stagingUpToQa(pipeline);

    assertThatThrownBy(() -> review(staging, TASK_MEDICAL_QA, QA_REVIEWER, Map.of(VAR_QA_DECISION, DECISION_REJECT)))
        .isInstanceOf(BadUserRequestException.class).hasMessageContaining(VAR_QA_COMMENT);
    assertThatThrownBy(() -> review(staging, TASK_MEDICAL_QA, QA_REVIEWER,
        Map.of(VAR_QA_DECISION, DECISION_REJECT, VAR_QA_COMMENT, "   ")))
        .isInstanceOf(BadUserRequestException.class);
    BpmnAwareTests.assertThat(staging).isWaitingAt(TASK_MEDICAL_QA);

    review(staging, TASK_MEDICAL_QA, QA_REVIEWER,
        Map.of(VAR_QA_DECISION, DECISION_REJECT, VAR_QA_COMMENT, "Training cohort has no paediatric cases"));

    BpmnAwareTests.assertThat(staging).isEnded().hasPassed(STAGING_REJECTED);
    BpmnAwareTests.assertThat(pipeline).isEnded().hasPassed(PIPELINE_REJECTED_BY_QA).hasNotPassed("call-production");
    assertThat(variable(pipeline, VAR_STAGING_OUTCOME)).isEqualTo(OUTCOME_REJECTED);
    assertThat(variable(pipeline, VAR_QA_REVIEWER)).isEqualTo(QA_REVIEWER);
    assertThat(variable(pipeline, VAR_QA_COMMENT)).isEqualTo("Training cohort has no paediatric cases");
  }

  @Test
  void reviewRefusesUnknownDecisionAndAnonymousReviewer() {
    ProcessInstance pipeline = startPipeline();
    develop(pipeline, 0.86, 0.61, 0.95);
    ProcessInstance staging = stagingUpToQa(pipeline);

    assertThatThrownBy(() -> review(staging, TASK_MEDICAL_QA, QA_REVIEWER, Map.of(VAR_QA_DECISION, "maybe")))
        .isInstanceOf(BadUserRequestException.class).hasMessageContaining(VAR_QA_DECISION);
    Task qa = task(TASK_MEDICAL_QA, staging);
    Map<String, Object> approve = Map.of(VAR_QA_DECISION, DECISION_APPROVE, VAR_QA_COMMENT, "ok");
    // nobody logged in and nobody assigned: a sign-off must name who signed
    assertThatThrownBy(() -> taskService().complete(qa.getId(), approve))
        .isInstanceOf(BadUserRequestException.class).hasMessageContaining("named user");
    BpmnAwareTests.assertThat(staging).isWaitingAt(TASK_MEDICAL_QA);

    // the assignee signs when no one is authenticated (e.g. completed by an admin tool on their behalf)
    taskService().claim(qa.getId(), "carla");
    taskService().complete(qa.getId(), approve);
    assertThat(variable(pipeline, VAR_QA_REVIEWER)).isEqualTo("carla");
  }

  @Test
  void deploymentRefused() {
    ProcessInstance pipeline = startPipeline();
    ProcessInstance production = upToProductionApproval(pipeline);

    assertThatThrownBy(() -> review(production, TASK_APPROVE_PRODUCTION, DEVOPS,
        Map.of(VAR_DEPLOY_DECISION, DECISION_REFUSE)))
        .isInstanceOf(BadUserRequestException.class).hasMessageContaining(VAR_DEPLOY_COMMENT);
    review(production, TASK_APPROVE_PRODUCTION, DEVOPS,
        Map.of(VAR_DEPLOY_DECISION, DECISION_REFUSE, VAR_DEPLOY_COMMENT, "Change freeze until the audit"));

    BpmnAwareTests.assertThat(production).isEnded().hasPassed(PRODUCTION_REFUSED).hasNotPassed(TOPIC_FETCH_MODEL);
    BpmnAwareTests.assertThat(pipeline).isEnded().hasPassed(PIPELINE_DEPLOYMENT_REFUSED)
        .hasNotPassed(PIPELINE_DEPLOYED);
    assertThat(variable(pipeline, VAR_PRODUCTION_OUTCOME)).isEqualTo(OUTCOME_REFUSED);
    assertThat(variable(pipeline, VAR_DEPLOY_APPROVER)).isEqualTo(DEVOPS);
  }

  @Test
  void deployFailsRollsBack() {
    ProcessInstance pipeline = startPipeline();
    ProcessInstance production = approvedForProduction(pipeline);

    throwBpmnError(production, TOPIC_DEPLOY_PRODUCTION, ERROR_DEPLOYMENT_FAILED, "serving slot did not start");
    completeExternalTask(production, TOPIC_ROLLBACK_PRODUCTION, null);

    BpmnAwareTests.assertThat(production).isEnded()
        .hasPassedInOrder(TOPIC_DEPLOY_PRODUCTION, TOPIC_ROLLBACK_PRODUCTION, PRODUCTION_ROLLED_BACK)
        .hasNotPassed(TOPIC_SMOKE_TEST, TOPIC_PROMOTE_MODEL, PRODUCTION_DEPLOYED);
    BpmnAwareTests.assertThat(pipeline).isEnded().hasPassed(PIPELINE_ROLLED_BACK).hasNotPassed(PIPELINE_DEPLOYED);
    assertThat(variable(pipeline, VAR_PRODUCTION_OUTCOME)).isEqualTo(OUTCOME_ROLLED_BACK);
  }

  @Test
  void smokeTestFailsRollsBack() {
    ProcessInstance pipeline = startPipeline();
    ProcessInstance production = approvedForProduction(pipeline);
    completeExternalTask(production, TOPIC_DEPLOY_PRODUCTION, null);

    throwBpmnError(production, TOPIC_SMOKE_TEST, ERROR_DEPLOYMENT_FAILED, "predict returned HTTP 500");
    completeExternalTask(production, TOPIC_ROLLBACK_PRODUCTION, null);

    BpmnAwareTests.assertThat(production).isEnded()
        .hasPassedInOrder(TOPIC_DEPLOY_PRODUCTION, TOPIC_SMOKE_TEST, TOPIC_ROLLBACK_PRODUCTION, PRODUCTION_ROLLED_BACK)
        .hasNotPassed(TOPIC_PROMOTE_MODEL, PRODUCTION_DEPLOYED);
    BpmnAwareTests.assertThat(pipeline).isEnded().hasPassed(PIPELINE_ROLLED_BACK);
    assertThat(variable(pipeline, VAR_PRODUCTION_OUTCOME)).isEqualTo(OUTCOME_ROLLED_BACK);
    assertThat(variable(pipeline, VAR_FAILURE_REASON)).isEqualTo("predict returned HTTP 500");
  }

  @Test
  void fourEyesRuleRefusesSameUser() {
    ProcessInstance pipeline = startPipeline();
    ProcessInstance production = upToProductionApproval(pipeline);
    Map<String, Object> approve = Map.of(VAR_DEPLOY_DECISION, DECISION_APPROVE, VAR_DEPLOY_COMMENT, "looks good");

    assertThatThrownBy(() -> review(production, TASK_APPROVE_PRODUCTION, QA_REVIEWER, approve))
        .isInstanceOf(AuthorizationException.class)
        .hasMessageContaining("Four-eyes rule: user " + QA_REVIEWER + " reviewed this model in medical QA");
    // same person, differently cased id
    assertThatThrownBy(() -> review(production, TASK_APPROVE_PRODUCTION, QA_REVIEWER.toUpperCase(), approve))
        .isInstanceOf(AuthorizationException.class);
    BpmnAwareTests.assertThat(production).isWaitingAt(TASK_APPROVE_PRODUCTION);

    review(production, TASK_APPROVE_PRODUCTION, DEVOPS, approve);

    BpmnAwareTests.assertThat(production).isWaitingAt(TOPIC_FETCH_MODEL);
    assertThat(variable(production, VAR_DEPLOY_APPROVER)).isEqualTo(DEVOPS);
  }

  @Test
  void retrainRequestedByMonitoringStartsPipeline() {
    ProcessInstance pipeline = runtimeService().createMessageCorrelation(MESSAGE_RETRAIN_REQUESTED)
        .processInstanceBusinessKey(BUSINESS_KEY)
        .setVariable(VAR_ALERT_GROUP, "RareRecallDrop")
        .correlateStartMessage();

    BpmnAwareTests.assertThat(pipeline).hasPassed("retrain-requested").isWaitingAt("call-develop");
    assertThat(variable(pipeline, VAR_TRIGGER)).isEqualTo("alert");
    BpmnAwareTests.assertThat(calledProcessInstance(PROCESS_DEVELOP, pipeline)).isWaitingAt(TOPIC_EXTRACT_DATA);
  }

  @Test
  void scheduledRetrainingStartsPipeline() {
    Job timer = jobQuery().timers().processDefinitionKey(PROCESS_SCHEDULE).singleResult();
    assertThat(timer).as("timer start job of %s", PROCESS_SCHEDULE).isNotNull();

    managementService().executeJob(timer.getId());

    ProcessInstance pipeline = runtimeService().createProcessInstanceQuery()
        .processDefinitionKey(PROCESS_PIPELINE).singleResult();
    BpmnAwareTests.assertThat(pipeline).hasPassed("scheduled-retraining").isWaitingAt("call-develop");
    assertThat(variable(pipeline, VAR_TRIGGER)).isEqualTo("schedule");
    assertThat(pipeline.getBusinessKey()).startsWith("schedule-");
  }

  // ------------------------------------------------------------------------------------------ stages

  /** Started by hand: the none start event "Started by hand", as Tasklist or the REST API start it. */
  private ProcessInstance startPipeline() {
    ProcessInstance pipeline = runtimeService().startProcessInstanceByKey(PROCESS_PIPELINE, BUSINESS_KEY,
        Map.of(VAR_TARGET_CLASS, "fabry"));
    BpmnAwareTests.assertThat(pipeline).hasPassed("started-by-hand");
    assertThat(variable(pipeline, VAR_TRIGGER)).isEqualTo("manual");
    return pipeline;
  }

  /** Plays the develop workers; evaluate-model reports the given rare-class metrics. */
  private ProcessInstance develop(ProcessInstance pipeline, double recall, double auprc, double rocAuc) {
    BpmnAwareTests.assertThat(pipeline).isWaitingAt("call-develop");
    ProcessInstance develop = calledProcessInstance(PROCESS_DEVELOP, pipeline);
    completeExternalTask(develop, TOPIC_EXTRACT_DATA, withVariables(VAR_EXTRACT_ID, "extract-1"));
    completeExternalTask(develop, TOPIC_PSEUDONYMIZE,
        withVariables(VAR_SNAPSHOT_ID, "snapshot-1", VAR_DATASET_HASH, "sha256:5f1c"));
    completeExternalTask(develop, TOPIC_EDA, withVariables(VAR_EDA_REPORT_ID, "eda-1", VAR_IMBALANCE_RATIO, 24.0));
    completeExternalTask(develop, TOPIC_PHI_SCAN, null);
    completeExternalTask(develop, TOPIC_TRAIN_MODEL, withVariables(VAR_TRAINING_RUN_ID, "run-1"));
    completeExternalTask(develop, TOPIC_EVALUATE_MODEL,
        withVariables(VAR_RARE_RECALL_LOWER, recall, VAR_RARE_AUPRC_LOWER, auprc, VAR_RARE_ROC_AUC, rocAuc,
            VAR_RARE_PRECISION_LOWER, 0.30));
    // pass or fail, the decision's rows go into the model card before the run goes on or ends
    BpmnAwareTests.assertThat(develop).isWaitingAt(TOPIC_RECORD_VALIDATION);
    completeExternalTask(develop, TOPIC_RECORD_VALIDATION, null);
    return develop;
  }

  private ProcessInstance stagingUpToQa(ProcessInstance pipeline) {
    BpmnAwareTests.assertThat(pipeline).isWaitingAt("call-staging");
    ProcessInstance staging = calledProcessInstance(PROCESS_STAGING, pipeline);
    completeExternalTask(staging, TOPIC_REGISTER_MODEL,
        withVariables(VAR_MODEL_VERSION_ID, "mv-3", VAR_MODEL_VERSION, "fabry-rf v3"));
    completeExternalTask(staging, TOPIC_DEPLOY_STAGING, null);
    completeExternalTask(staging, TOPIC_STAGING_TESTS, withVariables(VAR_STAGING_TESTS_REPORT,
        "{\"integrationCases\":40,\"integrationPassed\":40,\"requests\":2000,\"p50Ms\":8.1,\"p95Ms\":19.4,\"p99Ms\":31.0}",
        VAR_STAGING_P99_MS, 31.0));
    BpmnAwareTests.assertThat(task(TASK_MEDICAL_QA, staging)).hasCandidateGroup(GROUP_MEDICAL_REVIEWERS)
        .hasFormKey("embedded:deployment:forms/medical-qa-review.html");
    return staging;
  }

  private ProcessInstance upToProductionApproval(ProcessInstance pipeline) {
    develop(pipeline, 0.86, 0.61, 0.95);
    ProcessInstance staging = stagingUpToQa(pipeline);
    review(staging, TASK_MEDICAL_QA, QA_REVIEWER, Map.of(VAR_QA_DECISION, DECISION_APPROVE, VAR_QA_COMMENT, "fine"));
    BpmnAwareTests.assertThat(pipeline).isWaitingAt("call-production");
    ProcessInstance production = calledProcessInstance(PROCESS_PRODUCTION, pipeline);
    BpmnAwareTests.assertThat(production).isWaitingAt(TASK_APPROVE_PRODUCTION);
    BpmnAwareTests.assertThat(task(TASK_APPROVE_PRODUCTION, production)).hasCandidateGroup(GROUP_DEVOPS)
        .hasFormKey("embedded:deployment:forms/approve-production.html");
    return production;
  }

  private ProcessInstance approvedForProduction(ProcessInstance pipeline) {
    ProcessInstance production = upToProductionApproval(pipeline);
    review(production, TASK_APPROVE_PRODUCTION, DEVOPS,
        Map.of(VAR_DEPLOY_DECISION, DECISION_APPROVE, VAR_DEPLOY_COMMENT, "go"));
    completeExternalTask(production, TOPIC_FETCH_MODEL, withVariables(VAR_PREVIOUS_PRODUCTION_VERSION_ID, "mv-2"));
    return production;
  }

  // ------------------------------------------------------------------------------------------ actors

  /** A clinician or engineer, logged in as {@code user}, completes the user task with a decision. */
  private static void review(ProcessInstance instance, String taskId, String user, Map<String, Object> decision) {
    BpmnAwareTests.assertThat(instance).isWaitingAt(taskId);
    Task task = task(taskId, instance);
    identityService().setAuthenticatedUserId(user);
    try {
      taskService().complete(task.getId(), decision);
    } finally {
      identityService().clearAuthentication();
    }
  }

  /** A worker completes the external task; the activity id of every external task is its topic. */
  private static void completeExternalTask(ProcessInstance instance, String topic, Map<String, Object> variables) {
    BpmnAwareTests.assertThat(instance).isWaitingAt(topic);
    assertThat(externalTask(instance).getTopicName()).isEqualTo(topic);
    if (variables == null) {
      complete(externalTask(instance));
    } else {
      complete(externalTask(instance), variables);
    }
  }

  /** A worker reports a business failure as a BPMN error, with the reason in failureReason. */
  private static void throwBpmnError(ProcessInstance instance, String topic, String errorCode, String reason) {
    BpmnAwareTests.assertThat(instance).isWaitingAt(topic);
    List<LockedExternalTask> locked = fetchAndLock(topic, WORKER, 1);
    assertThat(locked).hasSize(1);
    assertThat(locked.get(0).getProcessInstanceId()).isEqualTo(instance.getId());
    externalTaskService().handleBpmnError(locked.get(0).getId(), WORKER, errorCode, reason,
        withVariables(VAR_FAILURE_REASON, reason));
  }

  private static Object variable(ProcessInstance instance, String name) {
    HistoricVariableInstance variable = historyService().createHistoricVariableInstanceQuery()
        .processInstanceId(instance.getId()).variableName(name).singleResult();
    assertThat(variable).as("variable %s of %s", name, instance.getProcessDefinitionId()).isNotNull();
    return variable.getValue();
  }
}
