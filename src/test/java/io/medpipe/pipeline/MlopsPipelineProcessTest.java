package io.medpipe.pipeline;

import static io.medpipe.pipeline.ProcessConstants.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.tuple;
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

import com.fasterxml.jackson.databind.ObjectMapper;
import io.medpipe.signoff.Evidence;
import io.medpipe.signoff.EvidenceStore;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.externaltask.LockedExternalTask;
import org.camunda.bpm.engine.history.HistoricVariableInstance;
import org.camunda.bpm.engine.history.UserOperationLogEntry;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.identity.User;
import org.camunda.bpm.engine.impl.form.validator.FormFieldValidationException;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;
import org.camunda.bpm.engine.test.assertions.bpmn.AbstractAssertions;
import org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The business paths of the pipeline, driven through mlops-pipeline with the real files from processes/ on a real
 * PostgreSQL: workers are played by completing external tasks (the staging-tests worker also writes the evidence),
 * clinicians by completing user tasks as a logged-in user. The sign-off rules run as in the application: who signed
 * and on which evidence is read from medpipe.sign_off, never from variables.
 */
class MlopsPipelineProcessTest {

  static ProcessTestEngine testEngine;
  static JdbcTemplate jdbc;
  static EvidenceStore evidenceStore;

  @BeforeAll
  static void startEngine() {
    testEngine = ProcessTestEngine.start();
    jdbc = new JdbcTemplate(testEngine.dataSource());
    evidenceStore = new EvidenceStore(jdbc, new ObjectMapper());
    ProcessEngine engine = testEngine.engine();
    group(engine, GROUP_MEDICAL_REVIEWERS);
    group(engine, GROUP_DEVOPS);
    group(engine, GROUP_OPERATORS);
    group(engine, GROUP_CAMUNDA_ADMIN);
    // anna reviews and may also approve deployments (like the demo's chief), bob approves, carla reviews
    user(engine, QA_REVIEWER, GROUP_MEDICAL_REVIEWERS, GROUP_DEVOPS);
    user(engine, DEVOPS, GROUP_DEVOPS);
    user(engine, "carla", GROUP_MEDICAL_REVIEWERS);
    user(engine, OPERATOR, GROUP_OPERATORS);
    user(engine, ADMIN, GROUP_CAMUNDA_ADMIN);
  }

  @AfterAll
  static void stopEngine() {
    // camunda-bpm-assert keeps the engine per thread: the next test class must not find this closed one
    AbstractAssertions.reset();
    testEngine.close();
  }

  @BeforeEach
  void useEngine() {
    AbstractAssertions.init(testEngine.engine());
  }

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
  static final String STAGING_CHAMPION_KEPT = "end-champion-kept";
  static final String PRODUCTION_DEPLOYED = "end-deployed";
  static final String PRODUCTION_REFUSED = "end-deployment-refused";
  static final String PRODUCTION_ROLLED_BACK = "end-rolled-back";
  static final String PRODUCTION_REJECTED_BY_QA = "end-rejected-by-qa";
  static final String VALIDATE_THRESHOLDS = "validate-clinical-thresholds";

  static final String BUSINESS_KEY = "fabry-2025-06";
  static final String QA_REVIEWER = "anna";     // medical-reviewers and devops
  static final String DEVOPS = "bob";           // devops
  static final String OPERATOR = "olga";        // operators
  static final String ADMIN = "root";           // camunda-admin
  static final String WORKER = "test-worker";
  static final String MODEL_VERSION = "3f0c1c9e-8a53-4a0e-9c55-6a1b2f1d7e01";

  @AfterEach
  void logOutAndClearRuns() {
    identityService().clearAuthentication();
    // runs of one test must not answer another's queries; sign-off rows stay (append-only), keyed by run
    for (ProcessInstance p : runtimeService().createProcessInstanceQuery().rootProcessInstances().list()) {
      runtimeService().deleteProcessInstance(p.getId(), "test over", true, true, true);
    }
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
    assertThat(variable(develop, VAR_VALIDATION_PASSED)).isEqualTo(true);
    assertThat(variable(pipeline, VAR_VALIDATION_FAILURES)).asList().isEmpty();
    assertThat(variable(pipeline, VAR_PRODUCTION_OUTCOME)).isEqualTo(OUTCOME_DEPLOYED);
    // who signed, and on which evidence, is the engine's record; no variable names a signer
    Evidence evidence = evidenceStore.find(UUID.fromString((String) variable(pipeline, VAR_EVIDENCE_ID))).orElseThrow();
    assertThat(signOffs(pipeline)).containsExactly(
        tuple(TASK_MEDICAL_QA, QA_REVIEWER, DECISION_APPROVE, evidence.sha256(), true),
        tuple(TASK_APPROVE_PRODUCTION, DEVOPS, DECISION_APPROVE, evidence.sha256(), true));
    assertThat(historyService().createHistoricVariableInstanceQuery().processInstanceId(pipeline.getId())
        .variableName("qaReviewer").count()).isZero();
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
    assertThat(variable(develop, VAR_VALIDATION_PASSED)).isEqualTo(false);
    assertThat(variable(pipeline, VAR_VALIDATION_FAILURES)).asList()
        .containsExactly("rare-class recall (95% CI lower bound) 0.62 < 0.80");
    assertThat(variable(develop, VAR_VALIDATION_RESULTS)).asList().hasSize(4);
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
  void aChallengerWorseThanTheChampionEndsAtChampionKept() {
    ProcessInstance pipeline = startPipeline();
    develop(pipeline, 0.86, 0.61, 0.95);
    ProcessInstance staging = calledProcessInstance(PROCESS_STAGING, pipeline);
    stagingThroughTests(staging);
    BpmnAwareTests.assertThat(staging).isWaitingAt(TOPIC_COMPARE_CHAMPION);
    // the worker reads the run's origin through this input, set by the engine, not by anyone's variables
    assertThat(externalTask(staging).getProcessInstanceId()).isEqualTo(staging.getId());
    assertThat(runtimeService().getVariableLocal(externalTaskExecution(staging), VAR_PIPELINE_RUN_ID))
        .isEqualTo(pipeline.getId());
    UUID id = UUID.randomUUID();

    completeExternalTask(staging, TOPIC_COMPARE_CHAMPION, comparison(id, "compared", -0.12, 0.02));

    BpmnAwareTests.assertThat(staging).isEnded().hasPassed("champion-rule", STAGING_CHAMPION_KEPT)
        .hasNotPassed(TASK_MEDICAL_QA);
    assertThat(variable(pipeline, VAR_STAGING_OUTCOME)).isEqualTo(OUTCOME_CHAMPION_KEPT);
    BpmnAwareTests.assertThat(pipeline).isEnded().hasNotPassed("call-production")
        .hasPassed("end-champion-kept").hasNotPassed(PIPELINE_REJECTED_BY_QA);
    Map<String, Object> verdict = jdbc.queryForMap("SELECT run_id, proceed, reason FROM medpipe.champion_verdict"
        + " WHERE comparison_id = ?", id);
    assertThat(verdict).containsEntry("run_id", pipeline.getId()).containsEntry("proceed", false);
    assertThat((String) verdict.get("reason")).contains("champion kept", "recall");
  }

  @Test
  void aChallengerNotWorseThanTheChampionGoesToMedicalQa() {
    ProcessInstance pipeline = startPipeline();
    develop(pipeline, 0.86, 0.61, 0.95);
    ProcessInstance staging = calledProcessInstance(PROCESS_STAGING, pipeline);
    stagingThroughTests(staging);
    UUID id = UUID.randomUUID();

    completeExternalTask(staging, TOPIC_COMPARE_CHAMPION, comparison(id, "compared", -0.01, 0.04));

    BpmnAwareTests.assertThat(staging).isWaitingAt(TASK_MEDICAL_QA).hasPassed("champion-rule")
        .hasNotPassed(STAGING_CHAMPION_KEPT);
    assertThat(jdbc.queryForObject("SELECT proceed FROM medpipe.champion_verdict WHERE comparison_id = ?",
        Boolean.class, id)).isTrue();
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
        .isInstanceOf(FormFieldValidationException.class).hasMessageContaining(VAR_QA_COMMENT);
    assertThatThrownBy(() -> review(staging, TASK_MEDICAL_QA, QA_REVIEWER,
        Map.of(VAR_QA_DECISION, DECISION_REJECT, VAR_QA_COMMENT, "   ")))
        .isInstanceOf(FormFieldValidationException.class);
    BpmnAwareTests.assertThat(staging).isWaitingAt(TASK_MEDICAL_QA);

    review(staging, TASK_MEDICAL_QA, QA_REVIEWER,
        Map.of(VAR_QA_DECISION, DECISION_REJECT, VAR_QA_COMMENT, "Training cohort has no paediatric cases"));

    BpmnAwareTests.assertThat(staging).isEnded().hasPassed(STAGING_REJECTED);
    BpmnAwareTests.assertThat(pipeline).isEnded().hasPassed(PIPELINE_REJECTED_BY_QA).hasNotPassed("call-production");
    assertThat(variable(pipeline, VAR_STAGING_OUTCOME)).isEqualTo(OUTCOME_REJECTED);
    assertThat(variable(staging, VAR_QA_COMMENT)).isEqualTo("Training cohort has no paediatric cases");
    assertThat(jdbc.queryForObject("SELECT signed_by || ' ' || decision || ' ' || comment FROM medpipe.sign_off"
        + " WHERE run_id = ?", String.class, pipeline.getId()))
        .isEqualTo(QA_REVIEWER + " reject Training cohort has no paediatric cases");
  }

  @Test
  void reviewRefusesUnknownDecisionAndAnonymousReviewer() {
    ProcessInstance pipeline = startPipeline();
    develop(pipeline, 0.86, 0.61, 0.95);
    ProcessInstance staging = stagingUpToQa(pipeline);

    assertThatThrownBy(() -> review(staging, TASK_MEDICAL_QA, QA_REVIEWER, Map.of(VAR_QA_DECISION, "maybe")))
        .isInstanceOf(FormFieldValidationException.class).hasMessageContaining(VAR_QA_DECISION);
    Task qa = task(TASK_MEDICAL_QA, staging);
    Map<String, Object> approve = Map.of(VAR_QA_DECISION, DECISION_APPROVE, VAR_QA_COMMENT, "ok");
    // nobody logged in: a sign-off must name who signed, and an assignee is not who completed it
    assertThatThrownBy(() -> taskService().complete(qa.getId(), approve))
        .isInstanceOf(AuthorizationException.class).hasMessageContaining("logged-in member of medical-reviewers");
    taskService().claim(qa.getId(), "carla");
    assertThatThrownBy(() -> taskService().complete(qa.getId(), approve))
        .isInstanceOf(AuthorizationException.class);
    BpmnAwareTests.assertThat(staging).isWaitingAt(TASK_MEDICAL_QA);

    review(staging, TASK_MEDICAL_QA, "carla", approve);
    assertThat(signOffs(pipeline)).extracting(t -> t.toList().get(1)).containsExactly("carla");
  }

  /** Issue 11, item 2: a completion may set only its form's fields; the four-eyes rule reads the engine's record. */
  @Test
  void aForgedReviewerInTheCompletionIsRefusedAndFourEyesReadsTheRecord() {
    ProcessInstance pipeline = startPipeline();
    develop(pipeline, 0.86, 0.61, 0.95);
    ProcessInstance staging = stagingUpToQa(pipeline);
    assertThatThrownBy(() -> review(staging, TASK_MEDICAL_QA, QA_REVIEWER, Map.of(VAR_QA_DECISION, DECISION_APPROVE,
        VAR_QA_COMMENT, "fine", "qaReviewer", "carla")))
        .isInstanceOf(FormFieldValidationException.class)
        .hasMessageContaining("an undeclared name (10 characters").hasMessageContaining("only qaComment, qaDecision");
    review(staging, TASK_MEDICAL_QA, QA_REVIEWER, Map.of(VAR_QA_DECISION, DECISION_APPROVE, VAR_QA_COMMENT, "fine"));
    ProcessInstance production = calledProcessInstance(PROCESS_PRODUCTION, pipeline);

    Map<String, Object> forged = Map.of(VAR_DEPLOY_DECISION, DECISION_APPROVE, VAR_DEPLOY_COMMENT, "go",
        "qaReviewer", "carla");
    assertThatThrownBy(() -> review(production, TASK_APPROVE_PRODUCTION, QA_REVIEWER, forged))
        .isInstanceOf(FormFieldValidationException.class).hasMessageContaining("an undeclared name");
    assertThatThrownBy(() -> review(production, TASK_APPROVE_PRODUCTION, QA_REVIEWER,
        Map.of(VAR_DEPLOY_DECISION, DECISION_APPROVE, VAR_DEPLOY_COMMENT, "go")))
        .isInstanceOf(AuthorizationException.class).hasMessageContaining("Four-eyes rule: user " + QA_REVIEWER);
    BpmnAwareTests.assertThat(production).isWaitingAt(TASK_APPROVE_PRODUCTION);
  }

  /** Issue 11, item 4: the administrator bypasses authorizations, not the sign-off rule. */
  @Test
  void anAdministratorCannotSignMedicalQa() {
    ProcessInstance pipeline = startPipeline();
    develop(pipeline, 0.86, 0.61, 0.95);
    ProcessInstance staging = stagingUpToQa(pipeline);

    assertThatThrownBy(() -> review(staging, TASK_MEDICAL_QA, ADMIN,
        Map.of(VAR_QA_DECISION, DECISION_APPROVE, VAR_QA_COMMENT, "admin says yes")))
        .isInstanceOf(AuthorizationException.class)
        .hasMessageContaining("User root is not a member of medical-reviewers")
        .hasMessageContaining("administrators included");
    BpmnAwareTests.assertThat(staging).isWaitingAt(TASK_MEDICAL_QA);
    assertThat(signOffs(pipeline)).isEmpty();
  }

  /**
   * Issue 11, item 3: a modification that cancels Medical QA and starts after it with qaDecision=approve,
   * qaReviewer=reviewer. An operator may not modify at all; an administrator may, audited, and the run is sent back
   * to Medical QA when its deployment is approved: it never reaches a deployable approval without a real review.
   */
  @Test
  void skippingMedicalQaByModificationSendsTheRunBackToMedicalQa() {
    ProcessInstance pipeline = startPipeline();
    develop(pipeline, 0.86, 0.61, 0.95);
    ProcessInstance staging = stagingUpToQa(pipeline);

    as(OPERATOR, () -> assertThatThrownBy(() -> skipMedicalQa(staging))
        .isInstanceOf(AuthorizationException.class).hasMessageContaining("reserved to administrators"));
    BpmnAwareTests.assertThat(staging).isWaitingAt(TASK_MEDICAL_QA);
    assertThat(audit(pipeline)).containsExactly(OPERATOR + " refused");

    as(ADMIN, () -> skipMedicalQa(staging));
    BpmnAwareTests.assertThat(staging).isEnded().hasPassed(STAGING_APPROVED);
    assertThat(audit(pipeline)).containsExactly(OPERATOR + " refused", ADMIN + " done");
    assertThat(historyService().createUserOperationLogQuery().processInstanceId(staging.getId())
        .operationType(UserOperationLogEntry.OPERATION_TYPE_MODIFY_PROCESS_INSTANCE).userId(ADMIN).count())
        .isEqualTo(1);

    ProcessInstance production = calledProcessInstance(PROCESS_PRODUCTION, pipeline);
    review(production, TASK_APPROVE_PRODUCTION, DEVOPS,
        Map.of(VAR_DEPLOY_DECISION, DECISION_APPROVE, VAR_DEPLOY_COMMENT, "looks approved"));
    BpmnAwareTests.assertThat(production).isWaitingAt(TASK_MEDICAL_QA).hasNotPassed(TOPIC_FETCH_MODEL);
    assertThat(signOffs(pipeline)).extracting(t -> t.toList().get(4)).containsExactly(false);

    // the run passes Medical QA again, then its deployment is approved for real
    review(production, TASK_MEDICAL_QA, "carla", Map.of(VAR_QA_DECISION, DECISION_APPROVE, VAR_QA_COMMENT, "ok"));
    review(production, TASK_APPROVE_PRODUCTION, DEVOPS,
        Map.of(VAR_DEPLOY_DECISION, DECISION_APPROVE, VAR_DEPLOY_COMMENT, "now reviewed"));
    BpmnAwareTests.assertThat(production).isWaitingAt(TOPIC_FETCH_MODEL);
  }

  /** Issue 11, item 3: a variable edit after the review voids it, and the approval sends the run back. */
  @Test
  void aVariableEditAfterTheReviewVoidsTheSignOff() {
    ProcessInstance pipeline = startPipeline();
    ProcessInstance production = upToProductionApproval(pipeline);
    as(OPERATOR,
        () -> assertThatThrownBy(() -> runtimeService().setVariable(pipeline.getId(), VAR_RARE_PRECISION, 0.99))
            .isInstanceOf(AuthorizationException.class));

    as(ADMIN, () -> runtimeService().setVariable(pipeline.getId(), VAR_RARE_PRECISION, 0.99));

    assertThat(jdbc.queryForObject("SELECT void_reason FROM medpipe.sign_off WHERE run_id = ? AND task_key = ?",
        String.class, pipeline.getId(), TASK_MEDICAL_QA)).startsWith("variable edit (rarePrecision) by root at ");
    review(production, TASK_APPROVE_PRODUCTION, DEVOPS,
        Map.of(VAR_DEPLOY_DECISION, DECISION_APPROVE, VAR_DEPLOY_COMMENT, "go"));
    BpmnAwareTests.assertThat(production).isWaitingAt(TASK_MEDICAL_QA);
    review(production, TASK_MEDICAL_QA, QA_REVIEWER,
        Map.of(VAR_QA_DECISION, DECISION_REJECT, VAR_QA_COMMENT, "edited after review: not safe"));
    BpmnAwareTests.assertThat(production).isEnded().hasPassed(PRODUCTION_REJECTED_BY_QA);
    BpmnAwareTests.assertThat(pipeline).isEnded().hasPassed(PIPELINE_REJECTED_BY_QA).hasNotPassed(PIPELINE_DEPLOYED);
  }

  @Test
  void reviewersCannotSetTaskVariablesNorEndASignOffByBpmnError() {
    ProcessInstance pipeline = startPipeline();
    develop(pipeline, 0.86, 0.61, 0.95);
    ProcessInstance staging = stagingUpToQa(pipeline);
    Task qa = task(TASK_MEDICAL_QA, staging);

    as(QA_REVIEWER, () -> {
      assertThatThrownBy(() -> taskService().setVariable(qa.getId(), "qaReviewer", "carla"))
          .isInstanceOf(AuthorizationException.class);
      assertThatThrownBy(() -> taskService().handleBpmnError(qa.getId(), "SKIP"))
          .isInstanceOf(AuthorizationException.class).hasMessageContaining("ends only through its form");
    });
    assertThatThrownBy(() -> taskService().complete("no-such-task"))
        .isInstanceOf(org.camunda.bpm.engine.exception.NotFoundException.class);
    BpmnAwareTests.assertThat(staging).isWaitingAt(TASK_MEDICAL_QA);
  }

  @Test
  void deploymentRefused() {
    ProcessInstance pipeline = startPipeline();
    ProcessInstance production = upToProductionApproval(pipeline);

    assertThatThrownBy(() -> review(production, TASK_APPROVE_PRODUCTION, DEVOPS,
        Map.of(VAR_DEPLOY_DECISION, DECISION_REFUSE)))
        .isInstanceOf(FormFieldValidationException.class).hasMessageContaining(VAR_DEPLOY_COMMENT);
    review(production, TASK_APPROVE_PRODUCTION, DEVOPS,
        Map.of(VAR_DEPLOY_DECISION, DECISION_REFUSE, VAR_DEPLOY_COMMENT, "Change freeze until the audit"));

    BpmnAwareTests.assertThat(production).isEnded().hasPassed(PRODUCTION_REFUSED).hasNotPassed(TOPIC_FETCH_MODEL);
    BpmnAwareTests.assertThat(pipeline).isEnded().hasPassed(PIPELINE_DEPLOYMENT_REFUSED)
        .hasNotPassed(PIPELINE_DEPLOYED);
    assertThat(variable(pipeline, VAR_PRODUCTION_OUTCOME)).isEqualTo(OUTCOME_REFUSED);
    assertThat(signOffs(pipeline)).extracting(t -> t.toList().subList(0, 3))
        .containsExactly(List.of(TASK_MEDICAL_QA, QA_REVIEWER, DECISION_APPROVE),
            List.of(TASK_APPROVE_PRODUCTION, DEVOPS, DECISION_REFUSE));
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
    BpmnAwareTests.assertThat(production).isWaitingAt(TASK_APPROVE_PRODUCTION);

    review(production, TASK_APPROVE_PRODUCTION, DEVOPS, approve);

    BpmnAwareTests.assertThat(production).isWaitingAt(TOPIC_FETCH_MODEL);
    assertThat(signOffs(pipeline)).extracting(t -> t.toList().get(1)).containsExactly(QA_REVIEWER, DEVOPS);
  }

  /**
   * Review finding M1: chief, barred by four-eyes, resolved the approval with his deployComment, devops completed it,
   * and the sign-off showed devops with chief's words. Neither resolve nor delegate works on a sign-off, and what an
   * administrator set on the task before (audited) never reaches the sign-off either: it records what its signer sent.
   */
  @Test
  void aSignOffRecordsOnlyWhatItsSignerSentInTheCompletion() {
    ProcessInstance pipeline = startPipeline();
    ProcessInstance production = upToProductionApproval(pipeline);
    Task approval = task(TASK_APPROVE_PRODUCTION, production);

    as(QA_REVIEWER, () -> {
      assertThatThrownBy(() -> taskService().resolveTask(approval.getId(),
          Map.of(VAR_DEPLOY_COMMENT, "anna was here"))).isInstanceOf(AuthorizationException.class)
          .hasMessageContaining("neither resolved nor delegated");
      assertThatThrownBy(() -> taskService().delegateTask(approval.getId(), DEVOPS))
          .isInstanceOf(AuthorizationException.class);
    });
    as(ADMIN, () -> assertThatThrownBy(() -> taskService().resolveTask(approval.getId(),
        Map.of(VAR_DEPLOY_COMMENT, "admin was here"))).isInstanceOf(AuthorizationException.class));
    review(production, TASK_APPROVE_PRODUCTION, DEVOPS, Map.of(VAR_DEPLOY_DECISION, DECISION_APPROVE));
    assertThat(comments(pipeline)).containsExactly("fine", null);
    BpmnAwareTests.assertThat(production).isWaitingAt(TOPIC_FETCH_MODEL);
  }

  /** Task-local and run variables set before the completion (an administrator's, audited) stay out of the sign-off. */
  @Test
  void variablesSetBeforeTheCompletionNeverEndUpInTheSignOff() {
    ProcessInstance pipeline = startPipeline();
    develop(pipeline, 0.86, 0.61, 0.95);
    ProcessInstance staging = stagingUpToQa(pipeline);
    Task qa = task(TASK_MEDICAL_QA, staging);
    as(ADMIN, () -> {
      taskService().setVariableLocal(qa.getId(), VAR_QA_COMMENT, "the administrator's words");
      taskService().setVariableLocal(qa.getId(), VAR_QA_DECISION, DECISION_REJECT);
      runtimeService().setVariable(staging.getId(), VAR_QA_COMMENT, "more of them");
    });

    review(staging, TASK_MEDICAL_QA, "carla", Map.of(VAR_QA_DECISION, DECISION_APPROVE));

    assertThat(comments(pipeline)).containsExactly((String) null);
    assertThat(jdbc.queryForObject("SELECT decision FROM medpipe.sign_off WHERE run_id = ?", String.class,
        pipeline.getId())).isEqualTo(DECISION_APPROVE);
    // the run went on with the signer's decision, not the task-local one set before
    BpmnAwareTests.assertThat(staging).isEnded().hasPassed(STAGING_APPROVED);
  }

  /**
   * Review finding M2, literally: anna approved Medical QA, an administrator's edit voided it, carla approved it again,
   * and anna approved the production deployment. Whoever signed any Medical QA of the run, valid or voided, is barred.
   */
  @Test
  void fourEyesBarsEveryMedicalQaSignerOfTheRunEvenAVoidedOne() {
    ProcessInstance pipeline = startPipeline();
    ProcessInstance production = upToProductionApproval(pipeline);
    as(ADMIN, () -> runtimeService().setVariable(production.getId(), VAR_RARE_PRECISION, 0.99));
    review(production, TASK_APPROVE_PRODUCTION, DEVOPS, Map.of(VAR_DEPLOY_DECISION, DECISION_APPROVE));
    review(production, TASK_MEDICAL_QA, "carla", Map.of(VAR_QA_DECISION, DECISION_APPROVE, VAR_QA_COMMENT, "ok"));

    assertThatThrownBy(() -> review(production, TASK_APPROVE_PRODUCTION, QA_REVIEWER,
        Map.of(VAR_DEPLOY_DECISION, DECISION_APPROVE)))
        .isInstanceOf(AuthorizationException.class)
        .hasMessageContaining("Four-eyes rule: user " + QA_REVIEWER + " reviewed this model in medical QA");
    BpmnAwareTests.assertThat(production).isWaitingAt(TASK_APPROVE_PRODUCTION).hasNotPassed(TOPIC_FETCH_MODEL);
    review(production, TASK_APPROVE_PRODUCTION, DEVOPS, Map.of(VAR_DEPLOY_DECISION, DECISION_APPROVE));
    BpmnAwareTests.assertThat(production).isWaitingAt(TOPIC_FETCH_MODEL);
  }

  /** An attempt to sign Medical QA that was refused (a reject without a reason) bars the production approval too. */
  @Test
  void aRefusedAttemptToSignMedicalQaBarsTheProductionApproval() {
    ProcessInstance pipeline = startPipeline();
    develop(pipeline, 0.86, 0.61, 0.95);
    ProcessInstance staging = stagingUpToQa(pipeline);
    assertThatThrownBy(() -> review(staging, TASK_MEDICAL_QA, QA_REVIEWER, Map.of(VAR_QA_DECISION, DECISION_REJECT)))
        .isInstanceOf(FormFieldValidationException.class);
    review(staging, TASK_MEDICAL_QA, "carla", Map.of(VAR_QA_DECISION, DECISION_APPROVE, VAR_QA_COMMENT, "ok"));
    ProcessInstance production = calledProcessInstance(PROCESS_PRODUCTION, pipeline);

    assertThatThrownBy(() -> review(production, TASK_APPROVE_PRODUCTION, QA_REVIEWER,
        Map.of(VAR_DEPLOY_DECISION, DECISION_APPROVE))).isInstanceOf(AuthorizationException.class)
        .hasMessageContaining("Four-eyes rule");
  }

  /**
   * Review finding M7: a candidate claimed a sign-off for "ghost-user"; chief claimed the approval he is barred from.
   * A sign-off is claimed for oneself only, never by someone four-eyes bars; a claimed one is returned by its assignee,
   * an administrator, or another candidate after the idle time; claiming a claimed task is TaskAlreadyClaimed.
   */
  @Test
  void aSignOffIsClaimedOnlyForOneselfAndNeverBySomeoneFourEyesBars() {
    ProcessInstance pipeline = startPipeline();
    develop(pipeline, 0.86, 0.61, 0.95);
    ProcessInstance staging = stagingUpToQa(pipeline);
    String qa = task(TASK_MEDICAL_QA, staging).getId();

    as("carla", () -> {
      assertThatThrownBy(() -> taskService().claim(qa, "ghost-user")).isInstanceOf(AuthorizationException.class)
          .hasMessageContaining("for themself");
      assertThatThrownBy(() -> taskService().claim(qa, QA_REVIEWER)).isInstanceOf(AuthorizationException.class);
      taskService().claim(qa, "carla");
    });
    as(ADMIN, () -> assertThatThrownBy(() -> taskService().setAssignee(qa, "ghost-user"))
        .isInstanceOf(AuthorizationException.class).hasMessageContaining("no such user"));
    as(QA_REVIEWER, () -> {
      assertThatThrownBy(() -> taskService().claim(qa, QA_REVIEWER))
          .isInstanceOf(org.camunda.bpm.engine.TaskAlreadyClaimedException.class);
      assertThatThrownBy(() -> taskService().setAssignee(qa, null)).isInstanceOf(AuthorizationException.class)
          .hasMessageContaining("is claimed by carla");
    });
    // after the idle time another candidate may return it to the group
    java.util.Date later = new java.util.Date(System.currentTimeMillis()
        + io.medpipe.signoff.SignOffPlugin.DEFAULT_CLAIM_IDLE.toMillis() + 60_000);
    org.camunda.bpm.engine.impl.util.ClockUtil.setCurrentTime(later);
    try {
      as(QA_REVIEWER, () -> taskService().setAssignee(qa, null));
    } finally {
      org.camunda.bpm.engine.impl.util.ClockUtil.reset();
    }
    assertThat(taskService().createTaskQuery().taskId(qa).singleResult().getAssignee()).isNull();
    as("carla", () -> {
      taskService().claim(qa, "carla");
      taskService().setAssignee(qa, null);   // one's own claim
    });
    review(staging, TASK_MEDICAL_QA, QA_REVIEWER, Map.of(VAR_QA_DECISION, DECISION_APPROVE, VAR_QA_COMMENT, "ok"));

    String approval = task(TASK_APPROVE_PRODUCTION, calledProcessInstance(PROCESS_PRODUCTION, pipeline)).getId();
    as(QA_REVIEWER, () -> assertThatThrownBy(() -> taskService().claim(approval, QA_REVIEWER))
        .isInstanceOf(AuthorizationException.class).hasMessageContaining("Four-eyes rule")
        .hasMessageContaining("claim its production approval"));
    as(ADMIN, () -> assertThatThrownBy(() -> taskService().setAssignee(approval, QA_REVIEWER))
        .isInstanceOf(AuthorizationException.class));
    as(DEVOPS, () -> taskService().claim(approval, DEVOPS));
    assertThat(taskService().createTaskQuery().taskId(approval).singleResult().getAssignee()).isEqualTo(DEVOPS);
  }

  /**
   * Review finding M5: a refused request's variable name (here a patient's name and SSN) reached the log and the
   * append-only audit. Names the processes do not declare, and values, are named by length and hash only.
   */
  @Test
  void userChosenNamesAndValuesAreNeverEchoedIntoTheAuditOrTheMessages() {
    ProcessInstance pipeline = startPipeline();
    develop(pipeline, 0.86, 0.61, 0.95);
    ProcessInstance staging = stagingUpToQa(pipeline);
    String chosen = "Olivia Novak 957-66-3191";
    as(OPERATOR, () -> assertThatThrownBy(() -> runtimeService().setVariable(pipeline.getId(), chosen, "x"))
        .isInstanceOf(AuthorizationException.class).message().doesNotContain("Olivia", "957")
        .contains("an undeclared name (24 characters, #"));
    assertThatThrownBy(() -> review(staging, TASK_MEDICAL_QA, QA_REVIEWER,
        Map.of(VAR_QA_DECISION, DECISION_APPROVE, chosen, "x")))
        .isInstanceOf(FormFieldValidationException.class).message().doesNotContain("Olivia", "957");
    assertThatThrownBy(() -> review(staging, TASK_MEDICAL_QA, QA_REVIEWER, Map.of(VAR_QA_DECISION, chosen)))
        .isInstanceOf(FormFieldValidationException.class).message().doesNotContain("Olivia", "957")
        .contains("another text (24 characters)");
    assertThat(jdbc.queryForList("SELECT concat_ws(' ', actor, operation, detail) FROM medpipe.run_audit"
        + " WHERE run_id = ?", String.class, pipeline.getId())).isNotEmpty()
        .allSatisfy(row -> assertThat(row).doesNotContain("Olivia", "957"));
  }

  /** A clinician's comment quoting a patient is refused (400 naming the field): sign-offs are kept for good. */
  @Test
  void aSignOffCommentQuotingAPatientsIdentifiersIsRefused() {
    ProcessInstance pipeline = startPipeline();
    develop(pipeline, 0.86, 0.61, 0.95);
    ProcessInstance staging = stagingUpToQa(pipeline);
    for (String quoting : List.of("Checked against Olivia Novak 957-66-3191", "as seen in MRN-41796001",
        "call her on +1 555-739-5731", "see olivia.novak21@example.org", "Mrs Novak, born 1958-09-30")) {
      assertThatThrownBy(() -> review(staging, TASK_MEDICAL_QA, QA_REVIEWER,
          Map.of(VAR_QA_DECISION, DECISION_REJECT, VAR_QA_COMMENT, quoting)))
          .as(quoting).isInstanceOf(FormFieldValidationException.class).hasMessageContaining(VAR_QA_COMMENT)
          .message().doesNotContain("Novak", "957", "4179", "555", "1958");
    }
    assertThat(signOffs(pipeline)).isEmpty();
    review(staging, TASK_MEDICAL_QA, QA_REVIEWER,
        Map.of(VAR_QA_DECISION, DECISION_REJECT, VAR_QA_COMMENT, "Too few paediatric cases in the cohort"));
    assertThat(comments(pipeline)).containsExactly("Too few paediatric cases in the cohort");
  }

  /**
   * Review finding M3 and L3: identifiers in start variables and business keys were stored and visible to every
   * Cockpit user; an operator's RetrainRequested message started an "alert" run without the webhook. A user starts
   * the pipeline without variables, with a business key of a strict format, and never by its application messages.
   */
  @Test
  void aUserStartsThePipelineWithoutVariablesWithAStrictBusinessKeyAndNeverAsMonitoring() {
    as(OPERATOR, () -> {
      for (String key : List.of("MRN-25697430", "mrn-25697430", "olivia-novak-1958", "Olivia Novak", "a--b",
          "x".repeat(65))) {
        assertThatThrownBy(() -> runtimeService().startProcessInstanceByKey(PROCESS_PIPELINE, key))
            .as(key).isInstanceOf(AuthorizationException.class).hasMessageStartingWith("businessKey ")
            .message().doesNotContain(key);
      }
      assertThatThrownBy(() -> runtimeService().startProcessInstanceByKey(PROCESS_PIPELINE, "fabry-retrain-3",
          Map.of("contact", org.camunda.spin.plugin.variable.SpinValues.jsonValue(
              "{\"patient\":\"Maria Walsh\",\"ssn\":\"997-02-7564\"}").create())))
          .isInstanceOf(AuthorizationException.class).hasMessageStartingWith("variables: ")
          .message().doesNotContain("contact", "Maria");
      assertThatThrownBy(() -> runtimeService().createMessageCorrelation(MESSAGE_RETRAIN_REQUESTED)
          .processInstanceBusinessKey("x").correlateStartMessage())
          .isInstanceOf(AuthorizationException.class).hasMessageContaining("never a user's");
      assertThatThrownBy(() -> testEngine.engine().getFormService().submitStartForm(
          repositoryDefinitionId(), "MRN-25697430", Map.of())).isInstanceOf(AuthorizationException.class);
    });
    assertThat(runtimeService().createProcessInstanceQuery().count()).isZero();
    as(OPERATOR, () -> runtimeService().startProcessInstanceByKey(PROCESS_PIPELINE, "fabry-retrain-3"));
    as(OPERATOR, () -> runtimeService().startProcessInstanceByKey(PROCESS_PIPELINE, "cli-" + UUID.randomUUID()));
    assertThat(runtimeService().createProcessInstanceQuery().processDefinitionKey(PROCESS_PIPELINE).count())
        .isEqualTo(2);
  }

  /** Review finding M3: deleting a run's history left copies of its variables in its stages' histories. */
  @Test
  void deletingARunsHistoryDeletesItsStagesHistoryToo() {
    ProcessInstance pipeline = startPipeline();
    develop(pipeline, 0.62, 0.61, 0.95);
    BpmnAwareTests.assertThat(pipeline).isEnded();
    assertThat(historyService().createHistoricProcessInstanceQuery().rootProcessInstanceId(pipeline.getId()).count())
        .isEqualTo(2);

    as(ADMIN, () -> historyService().deleteHistoricProcessInstance(pipeline.getId()));

    assertThat(historyService().createHistoricProcessInstanceQuery().rootProcessInstanceId(pipeline.getId()).count())
        .isZero();
    assertThat(jdbc.queryForObject("SELECT count(*) FROM act_hi_varinst WHERE root_proc_inst_id_ = ?", Long.class,
        pipeline.getId())).isZero();
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

  // ------------------------------------------------------------------------------------------ stage contracts

  /**
   * Each stage starts with the ids its contract names and nothing else: what Develop's steps wrote (metrics, the
   * EDA report, the dataset hash, the DMN rows) is not in Staging, and what Staging's wrote (the reviewer's decision,
   * the staging report) is not in Production.
   */
  @Test
  void eachStageSeesOnlyTheVariablesItsContractPasses() {
    ProcessInstance pipeline = startPipeline();
    ProcessInstance develop = calledProcessInstance(PROCESS_DEVELOP, pipeline);
    assertThat(runtimeService().getVariables(develop.getId())).isEmpty();

    develop(pipeline, 0.86, 0.61, 0.95);
    assertThat(variable(develop, VAR_RARE_RECALL_LOWER)).isEqualTo(0.86);
    assertThat(variable(develop, VAR_EDA_REPORT_ID)).isEqualTo("eda-1");

    ProcessInstance staging = calledProcessInstance(PROCESS_STAGING, pipeline);
    BpmnAwareTests.assertThat(staging).isWaitingAt(TOPIC_REGISTER_MODEL);
    assertThat(runtimeService().getVariables(staging.getId())).containsOnly(entry(VAR_TRAINING_RUN_ID, "run-1"));
    // and what a worker fetches is that, too
    List<LockedExternalTask> register = fetchAndLock(TOPIC_REGISTER_MODEL, WORKER, 1);
    assertThat(register.get(0).getVariables()).containsOnlyKeys(VAR_TRAINING_RUN_ID);
    externalTaskService().unlock(register.get(0).getId());

    stagingUpToQaFromRegister(staging);
    review(staging, TASK_MEDICAL_QA, QA_REVIEWER, Map.of(VAR_QA_DECISION, DECISION_APPROVE, VAR_QA_COMMENT, "fine"));
    assertThat(variable(staging, VAR_STAGING_TESTS_REPORT)).isNotNull();

    ProcessInstance production = calledProcessInstance(PROCESS_PRODUCTION, pipeline);
    BpmnAwareTests.assertThat(production).isWaitingAt(TASK_APPROVE_PRODUCTION);
    assertThat(runtimeService().getVariables(production.getId())).containsOnlyKeys(VAR_MODEL_VERSION_ID,
        VAR_EVIDENCE_ID);
    assertThat(runtimeService().getVariable(production.getId(), VAR_MODEL_VERSION_ID)).isEqualTo(MODEL_VERSION);
    assertThat(runtimeService().getVariable(production.getId(), VAR_EVIDENCE_ID))
        .isEqualTo(runtimeService().getVariable(pipeline.getId(), VAR_EVIDENCE_ID));
  }

  /**
   * The run holds its trigger, the ids its stages made and their outcomes: exactly the stages' outputs reach it, and
   * the sign-offs still name the evidence the run holds.
   */
  @Test
  void theStagesOutputsAndOnlyThemReachTheRun() {
    ProcessInstance pipeline = startPipeline();
    develop(pipeline, 0.86, 0.61, 0.95);
    assertThat(runtimeService().getVariables(pipeline.getId())).containsOnlyKeys(VAR_TRIGGER, VAR_RUN_ACTION,
        VAR_DEVELOP_OUTCOME, VAR_SNAPSHOT_ID, VAR_TRAINING_RUN_ID, VAR_VALIDATION_FAILURES);
    assertThat(runtimeService().getVariable(pipeline.getId(), VAR_RUN_ACTION)).isEqualTo(RUN_ACTION_RETRAIN);
    assertThat(runtimeService().getVariables(pipeline.getId())).contains(entry(VAR_DEVELOP_OUTCOME, OUTCOME_VALIDATED),
        entry(VAR_SNAPSHOT_ID, "snapshot-1"), entry(VAR_TRAINING_RUN_ID, "run-1"));

    ProcessInstance staging = stagingUpToQa(pipeline);
    review(staging, TASK_MEDICAL_QA, QA_REVIEWER, Map.of(VAR_QA_DECISION, DECISION_APPROVE, VAR_QA_COMMENT, "fine"));
    ProcessInstance production = calledProcessInstance(PROCESS_PRODUCTION, pipeline);
    review(production, TASK_APPROVE_PRODUCTION, DEVOPS,
        Map.of(VAR_DEPLOY_DECISION, DECISION_APPROVE, VAR_DEPLOY_COMMENT, "go"));
    completeExternalTask(production, TOPIC_FETCH_MODEL, withVariables(VAR_PREVIOUS_PRODUCTION_VERSION_ID, "mv-2",
        VAR_MODEL_VERSION, "fabry-rf v3"));
    completeExternalTask(production, TOPIC_DEPLOY_PRODUCTION, null);
    completeExternalTask(production, TOPIC_SMOKE_TEST, null);
    completeExternalTask(production, TOPIC_PROMOTE_MODEL, null);

    BpmnAwareTests.assertThat(pipeline).isEnded().hasPassed(PIPELINE_DEPLOYED);
    Map<String, Object> run = new java.util.TreeMap<>();
    historyService().createHistoricVariableInstanceQuery().processInstanceId(pipeline.getId()).list()
        .forEach(v -> run.put(v.getName(), v.getValue()));
    assertThat(run).containsOnlyKeys(VAR_TRIGGER, VAR_RUN_ACTION, VAR_DEVELOP_OUTCOME, VAR_SNAPSHOT_ID,
        VAR_TRAINING_RUN_ID, VAR_VALIDATION_FAILURES, VAR_STAGING_OUTCOME, VAR_MODEL_VERSION_ID, VAR_EVIDENCE_ID,
        VAR_FAILURE_REASON,
        VAR_PRODUCTION_OUTCOME);
    assertThat(run).contains(entry(VAR_STAGING_OUTCOME, OUTCOME_APPROVED), entry(VAR_MODEL_VERSION_ID, MODEL_VERSION),
        entry(VAR_PRODUCTION_OUTCOME, OUTCOME_DEPLOYED), entry(VAR_FAILURE_REASON, null));
    Evidence evidence = evidenceStore.find(UUID.fromString((String) run.get(VAR_EVIDENCE_ID))).orElseThrow();
    assertThat(evidence.modelVersionId()).isEqualTo(UUID.fromString(MODEL_VERSION));
    assertThat(signOffs(pipeline)).extracting(t -> t.toList().get(3)).containsOnly(evidence.sha256());
  }

  // ------------------------------------------------------------------------------------------ stages

  /** Started by hand: the none start event "Started by hand", as Tasklist or the REST API start it. */
  private ProcessInstance startPipeline() {
    ProcessInstance pipeline = runtimeService().startProcessInstanceByKey(PROCESS_PIPELINE, BUSINESS_KEY);
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
    return stagingUpToQaFromRegister(calledProcessInstance(PROCESS_STAGING, pipeline));
  }

  private ProcessInstance stagingUpToQaFromRegister(ProcessInstance staging) {
    stagingThroughTests(staging);
    // a first version: nothing in production to compare with
    completeExternalTask(staging, TOPIC_COMPARE_CHAMPION, comparison(UUID.randomUUID(), "no-champion", null, null));
    BpmnAwareTests.assertThat(task(TASK_MEDICAL_QA, staging)).hasCandidateGroup(GROUP_MEDICAL_REVIEWERS)
        .hasFormKey("embedded:deployment:forms/medical-qa-review.html");
    return staging;
  }

  /** What the compare-champion worker completes with (the comparison itself is stored by the worker). */
  private static Map<String, Object> comparison(UUID id, String status, Double recallLower, Double auprcLower) {
    Map<String, Object> variables = new java.util.HashMap<>();
    variables.put(VAR_CHAMPION_COMPARISON_ID, id.toString());
    variables.put(VAR_COMPARISON_STATUS, status);
    variables.put(VAR_COMPARED_RARE_CASES, 0);
    variables.put(VAR_RECALL_DIFFERENCE_LOWER, recallLower);
    variables.put(VAR_AUPRC_DIFFERENCE_LOWER, auprcLower);
    return variables;
  }

  private void stagingThroughTests(ProcessInstance staging) {
    completeExternalTask(staging, TOPIC_REGISTER_MODEL,
        withVariables(VAR_MODEL_VERSION_ID, MODEL_VERSION, VAR_MODEL_VERSION, "fabry-rf v3"));
    completeExternalTask(staging, TOPIC_DEPLOY_STAGING, null);
    // as the staging-tests worker does: the evidence is written once, and only its id goes to the process
    Evidence evidence = evidenceStore.append(staging.getId(), UUID.fromString(MODEL_VERSION), Map.of(
        "model", Map.of("id", MODEL_VERSION, "label", "fabry-rf v3", "artifactSha256", "ab".repeat(32)),
        "targetClass", "fabry", "metrics", List.of(Map.of("label", "fabry", "recall", 0.91, "precision", 0.235)),
        "staging", Map.of("integrationCases", 40, "integrationPassed", 40, "requests", 2000, "p99Ms", 31.0)));
    completeExternalTask(staging, TOPIC_STAGING_TESTS, withVariables(VAR_STAGING_TESTS_REPORT,
        "{\"integrationCases\":40,\"integrationPassed\":40,\"requests\":2000,\"p50Ms\":8.1,\"p95Ms\":19.4,\"p99Ms\":31.0}",
        VAR_STAGING_P99_MS, 31.0, VAR_EVIDENCE_ID, evidence.id().toString()));
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
  private static String externalTaskExecution(ProcessInstance instance) {
    return externalTask(instance).getExecutionId();
  }

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

  /** The modification of issue 11: cancel Medical QA, start after it, with a forged decision and reviewer. */
  private static void skipMedicalQa(ProcessInstance staging) {
    runtimeService().createProcessInstanceModification(staging.getId())
        .cancelAllForActivity(TASK_MEDICAL_QA)
        .startAfterActivity(TASK_MEDICAL_QA)
        .setVariable(VAR_QA_DECISION, DECISION_APPROVE)
        .setVariable("qaReviewer", "reviewer")
        .execute();
  }

  /** Runs an engine call as a logged-in user. */
  private static void as(String user, Runnable call) {
    identityService().setAuthenticatedUserId(user);
    try {
      call.run();
    } finally {
      identityService().clearAuthentication();
    }
  }

  /** The run's sign-offs as recorded: task, signer, decision, evidence hash, valid. */
  private static List<org.assertj.core.groups.Tuple> signOffs(ProcessInstance pipeline) {
    return jdbc.query("SELECT task_key, signed_by, decision, evidence_sha256, voided_at IS NULL AS valid"
        + " FROM medpipe.sign_off WHERE run_id = ? ORDER BY seq",
        (rs, i) -> tuple(rs.getString(1), rs.getString(2),
            rs.getString(3), rs.getString(4), rs.getBoolean(5)),
        pipeline.getId());
  }

  /** The run's sign-off comments, in signing order. */
  private static List<String> comments(ProcessInstance pipeline) {
    return jdbc.queryForList("SELECT comment FROM medpipe.sign_off WHERE run_id = ? ORDER BY seq", String.class,
        pipeline.getId());
  }

  private static String repositoryDefinitionId() {
    return BpmnAwareTests.repositoryService().createProcessDefinitionQuery().processDefinitionKey(PROCESS_PIPELINE)
        .latestVersion().singleResult().getId();
  }

  /** The run's audit rows: "actor outcome". */
  private static List<String> audit(ProcessInstance pipeline) {
    return jdbc.queryForList("SELECT actor || ' ' || outcome FROM medpipe.run_audit WHERE run_id = ? ORDER BY id",
        String.class, pipeline.getId());
  }

  private static void group(ProcessEngine engine, String id) {
    if (engine.getIdentityService().createGroupQuery().groupId(id).count() == 0) {
      Group g = engine.getIdentityService().newGroup(id);
      engine.getIdentityService().saveGroup(g);
    }
  }

  private static void user(ProcessEngine engine, String id, String... groups) {
    User u = engine.getIdentityService().newUser(id);
    engine.getIdentityService().saveUser(u);
    for (String g : groups) {
      engine.getIdentityService().createMembership(id, g);
    }
  }

  private static Object variable(ProcessInstance instance, String name) {
    HistoricVariableInstance variable = historyService().createHistoricVariableInstanceQuery()
        .processInstanceId(instance.getId()).variableName(name).singleResult();
    assertThat(variable).as("variable %s of %s", name, instance.getProcessDefinitionId()).isNotNull();
    return variable.getValue();
  }
}
