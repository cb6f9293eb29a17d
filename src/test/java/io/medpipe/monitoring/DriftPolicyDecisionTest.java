package io.medpipe.monitoring;

import static io.medpipe.pipeline.ProcessConstants.DECISION_DRIFT_POLICY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.decisionService;

import io.medpipe.monitoring.DriftPolicy.Action;
import java.util.HashMap;
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

  private static String engine(String signal, boolean flagged, Double magnitude, long evidence) {
    Map<String, Object> variables = new HashMap<>();
    variables.put("signal", signal);
    variables.put("flagged", flagged);
    variables.put("magnitude", magnitude);
    variables.put("evidence", evidence);
    return decisionService().evaluateDecisionTableByKey(DECISION_DRIFT_POLICY, variables).getSingleResult()
        .getEntry("action");
  }

  /** The engine's answer, checked equal to the monitor's. */
  private static Action decide(String signal, boolean flagged, double magnitude, long evidence) {
    Action action = POLICY.decide(signal, flagged, magnitude, evidence).action();
    assertThat(engine(signal, flagged, Double.isNaN(magnitude) ? null : magnitude, evidence))
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
  void prevalenceShiftAndLowExpectedRecallRetrain() {
    assertThat(decide("prevalence_shift", true, 2.6, 4000)).isEqualTo(Action.RETRAIN);
    assertThat(decide("prevalence_shift", false, 1.2, 4000)).isEqualTo(Action.NONE);
    assertThat(decide("estimated_recall", true, 0.6, 4000)).isEqualTo(Action.RETRAIN);
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
