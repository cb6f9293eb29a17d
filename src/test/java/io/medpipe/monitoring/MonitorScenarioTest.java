package io.medpipe.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.medpipe.ehr.DriftScenario;
import io.medpipe.monitoring.DriftPolicy.Action;
import io.medpipe.monitoring.DriftPolicy.Signal;
import io.medpipe.registry.ModelVersion;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each drift scenario is caught by the signal meant for it, through the real monitor path on a real PostgreSQL: a
 * version trained and registered with its reference profile, the scenario's predictions in the prediction log with
 * clinician feedback, MonitorService reading the window, the statistics, the drift policy and the stored report.
 */
class MonitorScenarioTest {

  static MonitoringFixture fixture;
  static ModelVersion version;

  @BeforeAll
  static void registeredVersion() throws Exception {
    fixture = new MonitoringFixture(MonitoringProperties.defaults());
    long start = System.nanoTime();
    version = fixture.registerVersion(8000, 11, 60);
    System.out.printf("reference version registered in %.1f s%n", (System.nanoTime() - start) / 1e9);
  }

  private static MonitorService.Result monitor(DriftScenario scenario, int patients, double feedback, long seed) {
    fixture.clearLog();
    fixture.logPredictions(version, scenario.generate(patients, seed), feedback, seed,
        Instant.now().minusSeconds(3600));
    long start = System.nanoTime();
    MonitorService.Result result = fixture.monitor.run(new MonitorService.Request(null, null, null, null, null,
        "manual", "test", null));
    System.out.printf("%s: %s (%.2f s)%n", scenario.id(), result.message(), (System.nanoTime() - start) / 1e9);
    result.signals().forEach(s -> System.out.printf("  %s flagged=%s magnitude=%.4f evidence=%d -> %s%n",
        s.signal(), s.flagged(), s.magnitude(), s.evidence(), s.action().id()));
    return result;
  }

  private static Map<String, Signal> bySignal(MonitorService.Result result) {
    return result.signals().stream().collect(Collectors.toMap(Signal::signal, s -> s));
  }

  @Test
  void noDriftIsNotFlagged() {
    MonitorService.Result result = monitor(DriftScenario.NO_DRIFT, 3000, 0.5, 101);
    assertThat(result.outcome()).isEqualTo("analysed");
    Map<String, Signal> s = bySignal(result);
    for (String signal : List.of("data_drift", "prevalence_shift", "estimated_recall", "live_recall")) {
      assertThat(s.get(signal).flagged()).as(signal).isFalse();
    }
    // the domain classifier may warn by chance (about 1 window in 8 in the benchmark's 50 no-drift windows); a warning
    // alerts nobody, and it never pages or retrains
    assertThat(s.get("multivariate_drift").action()).isIn(Action.NONE, Action.WARN);
    assertThat(result.action()).isIn(Action.NONE, Action.WARN);
  }

  @Test
  void anotherSitesCreatinineAssayIsDataDrift() {
    Map<String, Signal> s = bySignal(monitor(DriftScenario.CREATININE_ASSAY, 3000, 0, 102));
    assertThat(s.get("data_drift").flagged()).isTrue();
    assertThat(fixture.jdbc.queryForObject("SELECT body -> 'report' -> 'features' FROM medpipe.report"
        + " ORDER BY created_at DESC LIMIT 1", String.class)).contains("creatinine");
  }

  @Test
  void anOlderPopulationIsDataDrift() {
    Map<String, Signal> s = bySignal(monitor(DriftScenario.OLDER, 3000, 0, 103));
    assertThat(s.get("data_drift").flagged()).isTrue();
    assertThat(s.get("data_drift").action()).isEqualTo(Action.RETRAIN);
    // older patients have less Fabry disease, a real prevalence shift; with the inputs drifted it is no label shift,
    // so it retrains rather than recalibrates
    assertThat(s.get("prevalence_shift").action()).isIn(Action.NONE, Action.RETRAIN);
  }

  @Test
  void aLabNoLongerOrderedIsMissingnessDrift() {
    MonitorService.Result result = monitor(DriftScenario.LAB_NOT_ORDERED, 3000, 0, 104);
    assertThat(bySignal(result).get("data_drift").flagged()).isTrue();
    String features = fixture.jdbc.queryForObject("SELECT body -> 'report' -> 'features' FROM medpipe.report"
        + " WHERE id = ?", String.class, result.reportId());
    assertThat(features).contains("\"feature\": \"uacr\"");
  }

  @Test
  void aTripledPrevalenceIsAPrevalenceShift() {
    MonitorService.Result result = monitor(DriftScenario.PREVALENCE, 4000, 0, 105);
    Map<String, Signal> s = bySignal(result);
    assertThat(s.get("prevalence_shift").flagged()).isTrue();
    assertThat(s.get("prevalence_shift").magnitude()).isGreaterThan(1.5);
    // nothing else moved: label shift, answered by re-basing the champion to the new prior
    assertThat(s.get("prevalence_shift").action()).isEqualTo(Action.RECALIBRATE);
    assertThat(result.action()).isEqualTo(Action.RECALIBRATE);
  }

  /**
   * The classic signs stop going with Fabry disease: the inputs' distributions hardly move (no data drift), but what
   * the model's explanations give those signs moves, further than in a window without drift of the same size. The
   * direction depends on the model (a forest leaned less on them; the boosted default gives them more weight in the
   * patients who still show them), so the test holds the shift against a no-drift control, not a direction. Live
   * recall falls too, yet stays above this version's validated lower bound, which is wide (a 2,000-row held-out set
   * has about 20 cases), and against the recall the version reached on those few rows it is not yet significant.
   */
  @Test
  void aConceptChangeShowsInTheExplanationsNotInTheInputs() throws Exception {
    MonitorService.Result quiet = monitor(DriftScenario.NO_DRIFT, 5000, 1.0, 206);
    double[] control = classicSigns(quiet);
    assertThat(bySignal(quiet).get("live_recall_drop").flagged()).isFalse();
    MonitorService.Result result = monitor(DriftScenario.CONCEPT_CHANGE, 5000, 1.0, 106);
    Map<String, Signal> s = bySignal(result);
    assertThat(s.get("data_drift").flagged()).isFalse();
    // clinicians confirm fewer cases found than on the held-out rows, but the held-out rows of this version hold
    // about 20 Fabry cases: against so few, a fall from 0.94 to 0.84 on 50 confirmed cases is not significant
    // (Fisher's exact test; docs/monitoring.md gives the sizes it takes), so it points the right way, unflagged
    double conceptP = dropP(result);
    double quietP = dropP(quiet);
    System.out.printf("live recall against the held-out recall: p %.4f (concept change), %.4f (no drift)%n",
        conceptP, quietP);
    assertThat(conceptP).isLessThan(quietP);
    double[] concept = classicSigns(result);
    System.out.printf("classic signs' mean |SHAP|: reference %.5f, no-drift window %.5f, concept-change window %.5f;"
        + " live recall %.3f%n", concept[0], control[1], concept[1], s.get("live_recall").magnitude());
    assertThat(Math.abs(concept[1] - concept[0])).isGreaterThan(2 * Math.abs(control[1] - control[0]));
  }

  /** The target class's dropP (live recall against the held-out recall) in the monitor run's report. */
  private static double dropP(MonitorService.Result result) throws Exception {
    var live = MonitoringFixture.MAPPER.readTree(fixture.jdbc.queryForObject("SELECT body -> 'report' ->"
        + " 'livePerformance' FROM medpipe.report WHERE id = ?", String.class, result.reportId()));
    for (var c : live.path("classes")) {
      if (c.path("label").asText().equals("fabry")) {
        return c.path("dropP").asDouble();
      }
    }
    throw new AssertionError("no live figures for fabry");
  }

  /** The classic signs' summed mean |SHAP| in the reference and in the window of the monitor run's report. */
  private static double[] classicSigns(MonitorService.Result result) throws Exception {
    var shifts = MonitoringFixture.MAPPER.readTree(fixture.jdbc.queryForObject("SELECT body -> 'report' ->"
        + " 'explanationDrift' FROM medpipe.report WHERE id = ?", String.class, result.reportId()));
    double before = 0;
    double after = 0;
    for (var shift : shifts) {
      if (List.of("acroparesthesia", "angiokeratoma", "hypohidrosis", "corneal_verticillata")
          .contains(shift.path("feature").asText())) {
        before += shift.path("reference").asDouble();
        after += shift.path("window").asDouble();
      }
    }
    return new double[] {before, after};
  }

  @Test
  void tooFewPredictionsTestNothing() {
    MonitorService.Result result = monitor(DriftScenario.NO_DRIFT, 50, 0, 107);
    assertThat(result.outcome()).isEqualTo("too-few-predictions");
    assertThat(result.signals()).isEmpty();
    assertThat(result.action()).isEqualTo(Action.NONE);
    assertThat(result.message()).contains("too few predictions");
  }
}
