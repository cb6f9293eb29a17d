package io.medpipe.champion;

import static io.medpipe.pipeline.ProcessConstants.DECISION_CHAMPION_CHALLENGER;
import static io.medpipe.pipeline.ProcessConstants.VAR_AUPRC_DIFFERENCE_LOWER;
import static io.medpipe.pipeline.ProcessConstants.VAR_COMPARISON_STATUS;
import static io.medpipe.pipeline.ProcessConstants.VAR_RECALL_DIFFERENCE_LOWER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.decisionService;

import java.util.HashMap;
import java.util.Map;
import org.camunda.bpm.engine.test.Deployment;
import org.camunda.bpm.engine.test.junit5.ProcessEngineExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The rows of processes/champion-challenger.dmn at and just beside the margins, evaluated by the engine that deploys
 * the file: a challenger passes only when the lower bound of each difference is above minus the margin.
 */
@Deployment(resources = "processes/champion-challenger.dmn")
class ChampionChallengerDecisionTest {

  @RegisterExtension static final ProcessEngineExtension ENGINE = ProcessEngineExtension.builder()
      .configurationResource("process-test.cfg.xml").build();

  private static Map<String, Object> decide(String status, Double recallLower, Double auprcLower) {
    Map<String, Object> variables = new HashMap<>();
    variables.put(VAR_COMPARISON_STATUS, status);
    variables.put(VAR_RECALL_DIFFERENCE_LOWER, recallLower);
    variables.put(VAR_AUPRC_DIFFERENCE_LOWER, auprcLower);
    return decisionService().evaluateDecisionTableByKey(DECISION_CHAMPION_CHALLENGER, variables).getSingleResult()
        .getEntryMap();
  }

  @Test
  void aChallengerJustInsideBothMarginsGoesToMedicalQa() {
    assertThat(decide("compared", -0.0499, -0.0499)).containsEntry("proceed", true);
    assertThat(decide("compared", 0.12, 0.03)).containsEntry("proceed", true);
  }

  @Test
  void aLowerBoundAtTheMarginOrBelowKeepsTheChampionAndSaysWhich() {
    Map<String, Object> recall = decide("compared", -0.05, 0.2);
    assertThat(recall).containsEntry("proceed", false);
    assertThat((String) recall.get("reason")).contains("recall");
    Map<String, Object> auprc = decide("compared", 0.0, -0.0501);
    assertThat(auprc).containsEntry("proceed", false);
    assertThat((String) auprc.get("reason")).contains("AUPRC");
  }

  @Test
  void aFirstVersionIsNotComparedAndGoesOn() {
    Map<String, Object> d = decide("no-champion", null, null);
    assertThat(d).containsEntry("proceed", true);
    assertThat((String) d.get("reason")).contains("skipped");
  }

  @Test
  void tooFewRareCasesIsInconclusiveAndMedicalQaDecidesByDefault() {
    Map<String, Object> d = decide("too-few-rare-cases", null, null);
    assertThat(d).containsEntry("proceed", true);
    assertThat((String) d.get("reason")).contains("inconclusive");
    assertThat(decide("not-comparable", null, null)).containsEntry("proceed", true);
  }

  @Test
  void aComparisonWithoutBoundsOrAnUnknownStatusKeepsTheChampion() {
    assertThat(decide("compared", null, null)).containsEntry("proceed", false);
    assertThat(decide("something-else", 0.5, 0.5)).containsEntry("proceed", false);
  }
}
