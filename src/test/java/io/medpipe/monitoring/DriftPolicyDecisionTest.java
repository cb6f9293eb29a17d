package io.medpipe.monitoring;

import static io.medpipe.pipeline.ProcessConstants.DECISION_DRIFT_POLICY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.decisionService;

import io.medpipe.monitoring.DriftPolicy.Action;
import io.medpipe.monitoring.drift.DriftReport;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.test.Deployment;
import org.camunda.bpm.engine.test.junit5.ProcessEngineExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The rows of processes/drift-policy.dmn at and just beside each boundary, evaluated by the engine that deploys the
 * file, and by {@link DriftPolicy}, which the monitor uses: both must answer alike.
 */
@Deployment(resources = "processes/drift-policy.dmn")
class DriftPolicyDecisionTest {

  @RegisterExtension static final ProcessEngineExtension ENGINE = ProcessEngineExtension.builder()
      .configurationResource("process-test.cfg.xml").build();

  static final DriftPolicy POLICY = DriftPolicy.fromClasspath();

  private static String engine(String signal, boolean flagged, Double magnitude, long evidence, String otherDrift) {
    Map<String, Object> variables = new HashMap<>();
    variables.put("signal", signal);
    variables.put("flagged", flagged);
    variables.put("magnitude", magnitude);
    variables.put("evidence", evidence);
    variables.put("otherDrift", otherDrift);
    return decisionService().evaluateDecisionTableByKey(DECISION_DRIFT_POLICY, variables).getFirstResult()
        .getEntry("action");
  }

  /** The engine's answer, checked equal to the monitor's. */
  private static Action decide(String signal, boolean flagged, double magnitude, long evidence) {
    return decide(signal, flagged, magnitude, evidence, Action.NONE);
  }

  private static Action decide(String signal, boolean flagged, double magnitude, long evidence, Action otherDrift) {
    Action action = POLICY.decide(signal, flagged, magnitude, evidence, otherDrift).action();
    assertThat(engine(signal, flagged, Double.isNaN(magnitude) ? null : magnitude, evidence, otherDrift.id()))
        .as("engine and monitor agree on %s", signal).isEqualTo(action.id());
    return action;
  }

  @Test
  void dataDriftOfATenthOfTheFeaturesRetrainsAndLessOnlyWarns() {
    assertThat(decide("data_drift", true, 0.10, 3000)).isEqualTo(Action.RETRAIN);
    assertThat(decide("data_drift", true, 0.0999, 3000)).isEqualTo(Action.WARN);
    assertThat(decide("data_drift", false, 0.5, 3000)).isEqualTo(Action.NONE);
  }

  @Test
  void aStrongDomainClassifierRetrainsAWeakOneWarns() {
    assertThat(decide("multivariate_drift", true, 0.65, 500)).isEqualTo(Action.RETRAIN);
    assertThat(decide("multivariate_drift", true, 0.6499, 500)).isEqualTo(Action.WARN);
    assertThat(decide("multivariate_drift", false, Double.NaN, 0)).isEqualTo(Action.NONE);
  }

  @Test
  void aPrevalenceShiftAloneRecalibratesWithAnyOtherDriftItRetrains() {
    assertThat(decide("prevalence_shift", true, 2.6, 4000, Action.NONE)).isEqualTo(Action.RECALIBRATE);
    for (Action other : new Action[] {Action.WARN, Action.PAGE, Action.RETRAIN}) {
      assertThat(decide("prevalence_shift", true, 2.6, 4000, other)).as("other drift %s", other)
          .isEqualTo(Action.RETRAIN);
    }
    assertThat(decide("prevalence_shift", false, 1.2, 4000, Action.NONE)).isEqualTo(Action.NONE);
    assertThat(decide("prevalence_shift", false, 1.2, 4000, Action.RETRAIN)).isEqualTo(Action.NONE);
  }

  @Test
  void lowExpectedRecallRetrainsWhateverElseDrifted() {
    assertThat(decide("estimated_recall", true, 0.6, 4000, Action.NONE)).isEqualTo(Action.RETRAIN);
    assertThat(decide("data_drift", true, 0.2, 4000, Action.NONE)).isEqualTo(Action.RETRAIN);
  }

  /** The second pass of a report: the prevalence shift reads the strongest of data, multivariate drift, live recall. */
  @Test
  void aReportsPrevalenceShiftRecalibratesOnlyWithoutOtherDrift() {
    assertThat(prevalenceAction(0, false, false)).isEqualTo(Action.RECALIBRATE);
    assertThat(prevalenceAction(1, false, false)).as("one drifted feature of 30 warns: a sign").isEqualTo(
        Action.RETRAIN);
    assertThat(prevalenceAction(0, true, false)).as("the domain classifier").isEqualTo(Action.RETRAIN);
    assertThat(prevalenceAction(0, false, true)).as("live recall below its bound").isEqualTo(Action.RETRAIN);
  }

  private static Action prevalenceAction(int driftedFeatures, boolean domainDrifted, boolean liveBelow) {
    return POLICY.decide(report(driftedFeatures, domainDrifted, liveBelow)).stream()
        .filter(s -> s.signal().equals("prevalence_shift")).findFirst().orElseThrow().action();
  }

  /**
   * With the prevalence shifted, input drift is judged against the reference at the new prior: drift the prior explains
   * leaves a recalibration; drift that remains there retrains.
   */
  @Test
  void inputDriftTheNewPriorExplainsLeavesARecalibration() {
    DriftReport plain = report(2, true, false);
    assertThat(prevalence(POLICY.decide(plain, report(0, false, false)))).isEqualTo(Action.RECALIBRATE);
    assertThat(prevalence(POLICY.decide(plain, report(1, false, false)))).isEqualTo(Action.RETRAIN);
    assertThat(prevalence(POLICY.decide(plain, report(0, true, false)))).isEqualTo(Action.RETRAIN);
    assertThat(prevalence(POLICY.decide(plain, null))).isEqualTo(Action.RETRAIN);
    // live recall from feedback is a sign whatever the reference
    assertThat(prevalence(POLICY.decide(report(0, false, true), report(0, false, false)))).isEqualTo(Action.RETRAIN);
    // input drift the new prior explains asks for nothing of its own: one recalibration, not a retraining too
    List<DriftPolicy.Signal> explained = POLICY.decide(plain, report(0, false, false));
    assertThat(explained.stream().filter(s -> s.signal().equals("data_drift")).findFirst().orElseThrow().action())
        .isEqualTo(Action.NONE);
    assertThat(DriftPolicy.highest(explained)).isEqualTo(Action.RECALIBRATE);
    assertThat(POLICY.decide(plain, null).stream().filter(s -> s.signal().equals("data_drift")).findFirst()
        .orElseThrow().action()).isEqualTo(Action.WARN);
  }

  @Test
  void liveRecallBelowTheHeldOutRecallOnEnoughConfirmedCasesRetrains() {
    assertThat(POLICY.decide("live_recall_drop", true, 0.84, 50).action()).isEqualTo(Action.RETRAIN);
    assertThat(POLICY.decide("live_recall_drop", true, 0.5, 10).action()).isEqualTo(Action.WARN);
    assertThat(POLICY.decide("live_recall_drop", false, 0.94, 50).action()).isEqualTo(Action.NONE);
    // a fall in recall is a sign that more than the prior changed: a prevalence shift with it is retrained
    assertThat(POLICY.decide("prevalence_shift", true, 3.0, 3000, Action.RETRAIN).action())
        .isEqualTo(Action.RETRAIN);
  }

  private static Action prevalence(List<DriftPolicy.Signal> signals) {
    return signals.stream().filter(s -> s.signal().equals("prevalence_shift")).findFirst().orElseThrow().action();
  }

  /** A report of 3,000 predictions whose prevalence tripled, with the other drift asked for. */
  static DriftReport report(int driftedFeatures, boolean domainDrifted, boolean liveBelow) {
    DriftReport.Rate rate = new DriftReport.Rate(5, 20, 0.25, 0.11, 0.47);
    DriftReport.LivePerformance live = liveBelow ? new DriftReport.LivePerformance(3000, 1000, 1 / 3.0,
        List.of(new DriftReport.ClassPerformance("fabry", rate, rate, rate, 0.8, true, Double.NaN, Double.NaN))) : null;
    return new DriftReport(3000, 200, false, "test", 0.05, List.of(), driftedFeatures, driftedFeatures / 30.0,
        new DriftReport.DomainDrift(domainDrifted ? 0.7 : 0.52, 0.6, "learned", 500, 5, List.of(), domainDrifted,
            null),
        new DriftReport.PrevalenceShift("fabry", 0.01, 0.03, 0.025, 0.035, 0.95, 0.03, 2.0, false, 3.0, 1e-9, true,
            5),
        new DriftReport.ExpectedPerformance("fabry", 90, 90, 0.9, 0.85, 0.95, 0.5, 0.4, 0.6, true, 0.8, false), live,
        List.of(), "sha", 0);
  }

  @Test
  void recalibrateAnswersOnlyAPrevalenceShift() throws Exception {
    String edited = new String(DriftPolicy.class.getClassLoader().getResourceAsStream("processes/drift-policy.dmn")
        .readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
        .replace("<outputEntry id=\"rule-data-drift-broad-action\"><text>&quot;retrain&quot;",
            "<outputEntry id=\"rule-data-drift-broad-action\"><text>&quot;recalibrate&quot;");
    DriftPolicy policy = DriftPolicy.of(new java.io.ByteArrayInputStream(edited.getBytes(
        java.nio.charset.StandardCharsets.UTF_8)));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> policy.decide("data_drift", true, 0.5, 3000))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("only a prevalence shift");
  }

  @Test
  void liveRecallPagesOnTenConfirmedCasesAndWarnsOnFewer() {
    assertThat(decide("live_recall", true, 0.5, 10)).isEqualTo(Action.PAGE);
    assertThat(decide("live_recall", true, 0.5, 9)).isEqualTo(Action.WARN);
    assertThat(decide("live_recall", false, Double.NaN, 0)).isEqualTo(Action.NONE);
  }

  @Test
  void everySignalHasAnAnswerWithAReason() {
    for (String signal : DriftPolicy.SIGNALS) {
      for (boolean flagged : new boolean[] {true, false}) {
        DriftPolicy.Signal s = POLICY.decide(signal, flagged, Double.NaN, 0);
        assertThat(s.reason()).as(signal).isNotBlank();
      }
    }
    assertThat(POLICY.decide("an_unknown_signal", true, 1, 1).action()).isEqualTo(Action.NONE);
  }
}
