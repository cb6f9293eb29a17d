package io.medpipe.monitoring;

import io.medpipe.monitoring.drift.DriftReport;
import io.medpipe.monitoring.drift.DriftReport.ClassPerformance;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.camunda.bpm.dmn.engine.DmnDecision;
import org.camunda.bpm.dmn.engine.DmnDecisionRuleResult;
import org.camunda.bpm.dmn.engine.DmnEngine;
import org.camunda.bpm.dmn.engine.DmnEngineConfiguration;

/**
 * The drift policy of {@code processes/drift-policy.dmn}: per monitoring signal, whether its flag counts and what
 * follows (none, warn, page, recalibrate, retrain). The table is read from the classpath (the same file the engine
 * deploys) and evaluated by Camunda's DMN engine in this process, so a worker node without an engine decides exactly
 * as the engine node would; operators change the rows, not the code.
 *
 * <p><b>How the signals combine.</b> Each signal is decided on its own row, except the prevalence shift, which also
 * reads {@code otherDrift}: the strongest action the policy gave the signals that show the model's inputs or their
 * relation to the diagnosis changed (data drift, multivariate drift, live recall from clinicians' feedback). A
 * recalibration re-bases the champion's probabilities to a new prior and is right only under pure label shift, where
 * p(x | y) stays as it was; any sign that it did not makes the prevalence shift a retraining. So the signals are
 * decided in two passes: those three (and the expected recall) first, then the prevalence shift with their strongest
 * action. The rows say which strength still counts as "no sign" (docs/monitoring.md, Drift policy). A label shift
 * moves the inputs that go with the disease too, so when the prevalence shifted, data and multivariate drift are
 * judged against the reference resampled to the estimated prior (LabelShiftReference): only input drift the new
 * prior does not explain is a sign, and only it asks for a retraining of its own.
 */
public final class DriftPolicy {

  /** The decision's key in processes/drift-policy.dmn. */
  public static final String DECISION = "drift-policy";
  static final String RESOURCE = "processes/drift-policy.dmn";

  /**
   * What follows from a signal, in increasing order of urgency; {@link #RECALIBRATE} (re-base the champion's
   * probabilities to the window's prior, a new version validated and approved like any other) is below
   * {@link #RETRAIN}, which subsumes it: a retraining calibrates to its own recent data.
   */
  public enum Action {
    NONE, WARN, PAGE, RECALIBRATE, RETRAIN;

    /** The DMN's and the meters' name. */
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Action of(String id) {
      try {
        return valueOf(id.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException | NullPointerException e) {
        throw new IllegalStateException("drift-policy.dmn answered an action it may not: '" + id
            + "' (allowed: none, warn, page, recalibrate, retrain)");
      }
    }
  }

  /** The signals the policy is asked about, with the names the DMN and the meters use. */
  public static final List<String> SIGNALS = List.of("data_drift", "multivariate_drift", "prevalence_shift",
      "estimated_recall", "live_recall", "live_recall_drop");

  /** The signal a recalibration answers: only a changed prior can be fixed by re-basing to a new prior. */
  public static final String PREVALENCE_SHIFT = "prevalence_shift";

  /** The signals whose actions are the prevalence shift's {@code otherDrift}: signs that p(x | y) changed. */
  static final List<String> DRIFT_SIGNS = List.of("data_drift", "multivariate_drift", "live_recall",
      "live_recall_drop");

  /**
   * One signal as the policy saw it and decided.
   *
   * @param signal    one of {@link #SIGNALS}
   * @param flagged   flagged by the statistics against the reference's bands (or their defaults)
   * @param magnitude the figure the policy may weigh (drifted share, domain AUC, prevalence ratio, recall), NaN if
   *                  not measured
   * @param evidence  how many predictions (or, for live recall, labelled rare cases) stand behind it
   * @param action    what follows
   * @param reason    the policy's words
   */
  public record Signal(String signal, boolean flagged, double magnitude, long evidence, Action action,
                       String reason) {}

  private final DmnEngine engine;
  private final DmnDecision decision;

  private DriftPolicy(DmnEngine engine, DmnDecision decision) {
    this.engine = engine;
    this.decision = decision;
  }

  /** The policy of processes/drift-policy.dmn on the classpath. */
  public static DriftPolicy fromClasspath() {
    try (InputStream in = DriftPolicy.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is not on the classpath");
      }
      return of(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }

  /** The policy of a DMN document with a decision {@value #DECISION}. */
  public static DriftPolicy of(InputStream dmn) {
    DmnEngine engine = DmnEngineConfiguration.createDefaultDmnEngineConfiguration().buildEngine();
    return new DriftPolicy(engine, engine.parseDecision(DECISION, dmn));
  }

  /** Decides one signal with no other drift seen (otherDrift "none"). */
  public Signal decide(String signal, boolean flagged, double magnitude, long evidence) {
    return decide(signal, flagged, magnitude, evidence, Action.NONE);
  }

  /**
   * Decides one signal.
   *
   * @param otherDrift the strongest action of the run's {@link #DRIFT_SIGNS} (read by the prevalence shift's rows)
   * @throws IllegalStateException if the table answers an unknown action, or recalibrate for another signal than the
   *                               prevalence shift (re-basing to a new prior cannot answer anything else)
   */
  public Signal decide(String signal, boolean flagged, double magnitude, long evidence, Action otherDrift) {
    Map<String, Object> variables = new HashMap<>();
    variables.put("signal", signal);
    variables.put("flagged", flagged);
    // FEEL compares no NaN: an unmeasured figure is null, which only an empty entry matches
    variables.put("magnitude", Double.isNaN(magnitude) ? null : magnitude);
    variables.put("evidence", evidence);
    variables.put("otherDrift", otherDrift.id());
    var result = engine.evaluateDecisionTable(decision, variables);
    if (result.isEmpty()) {
      throw new IllegalStateException("drift-policy.dmn has no row for signal " + signal + " (add a last row that"
          + " matches everything)");
    }
    DmnDecisionRuleResult row = result.getFirstResult();
    Action action = Action.of(row.getEntry("action"));
    if (action == Action.RECALIBRATE && !PREVALENCE_SHIFT.equals(signal)) {
      throw new IllegalStateException("drift-policy.dmn answered recalibrate for " + signal + ": only a prevalence"
          + " shift can be answered by re-basing the model to a new prior");
    }
    return new Signal(signal, flagged, magnitude, evidence, action, row.getEntry("reason"));
  }

  /** Decides every signal of a report; a report that tested nothing gives no signal. */
  public List<Signal> decide(DriftReport report) {
    return decide(report, null);
  }

  /**
   * Decides every signal of a report, with data and multivariate drift judged on {@code underNewPrior} when given:
   * the same window against the reference resampled to the estimated prior ({@link LabelShiftReference}), where only
   * drift the new prior does not explain remains. Once the prevalence has shifted, that is what input drift means:
   * the policy's action for those two signals (their meters and alerts) and the prevalence shift's {@code otherDrift}
   * follow it, so a label shift raises one recalibration, not a recalibration and a retraining. Null: everything is
   * judged on the report itself.
   */
  public List<Signal> decide(DriftReport report, DriftReport underNewPrior) {
    List<Signal> signals = new ArrayList<>();
    if (report.tooFewPredictions()) {
      return signals;
    }
    DriftReport inputs = underNewPrior != null && !underNewPrior.tooFewPredictions() ? underNewPrior : report;
    signals.add(decide("data_drift", inputs.driftedFeatures() > 0, inputs.driftedShare(), inputs.windowRows()));
    var domain = inputs.multivariate();
    signals.add(decide("multivariate_drift", domain != null && domain.drifted(),
        domain == null ? Double.NaN : domain.auc(), domain == null ? 0 : domain.rowsPerSide()));
    var expected = report.estimatedPerformance();
    signals.add(decide("estimated_recall", expected != null && expected.belowValidated(),
        expected == null ? Double.NaN : expected.recall(), report.windowRows()));
    ClassPerformance live = livePerformanceOfTarget(report);
    signals.add(decide("live_recall", live != null && live.belowValidated(),
        live == null ? Double.NaN : live.recall().value(), live == null ? 0 : live.recall().trials()));
    // the same recall against what the version reached on its held-out rows: a concept change that costs recall
    // shows here long before the validated floor is crossed (one test, the target class: no multiplicity)
    signals.add(decide("live_recall_drop", live != null && live.dropP() < report.alpha(),
        live == null ? Double.NaN : live.recall().value(), live == null ? 0 : live.recall().trials()));
    // second pass: the prevalence shift with the strongest sign that more than the prior changed
    Action otherDrift = signals.stream().filter(s -> DRIFT_SIGNS.contains(s.signal())).map(Signal::action)
        .max(Enum::compareTo).orElse(Action.NONE);
    var prevalence = report.prevalence();
    signals.add(2, decide(PREVALENCE_SHIFT, prevalence != null && prevalence.shifted(),
        prevalence == null ? Double.NaN : prevalence.ratio(), report.windowRows(), otherDrift));
    return signals;
  }

  /** The target class's live figures, or null without feedback. */
  static ClassPerformance livePerformanceOfTarget(DriftReport report) {
    if (report.livePerformance() == null || report.estimatedPerformance() == null) {
      return null;
    }
    String target = report.estimatedPerformance().targetClass();
    return report.livePerformance().classes().stream().filter(c -> c.label().equals(target)).findFirst()
        .orElse(null);
  }

  /** The most urgent action of the signals, NONE if there are none. */
  public static Action highest(List<Signal> signals) {
    return signals.stream().map(Signal::action).max(Enum::compareTo).orElse(Action.NONE);
  }
}
