package io.medpipe.champion;

import io.medpipe.dataset.Feature;
import io.medpipe.dataset.FeatureTable;
import io.medpipe.dataset.FeatureType;
import io.medpipe.dataset.SnapshotStore;
import io.medpipe.pipeline.RunOrigin;
import io.medpipe.pipeline.RunOrigins;
import io.medpipe.registry.ModelRegistry;
import io.medpipe.registry.ModelVersion;
import io.medpipe.serving.DecisionRule;
import io.medpipe.training.TrainingRun;
import io.medpipe.training.TrainingRuns;
import io.medpipe.training.evaluation.ClassificationMetrics;
import io.medpipe.training.model.Classifier;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * Compares a challenger (the version Staging tests) with the champion (the version in production when the run
 * started, as {@code medpipe.run_origin} recorded it) on the same labelled patients, and stores the comparison. Only
 * medpipe's own tables are read, never the engine's: a worker node reaches the engine over its REST API only.
 *
 * <p>The patients: the challenger's held-out evaluation rows (its training never saw them; they carry the outcome the
 * snapshot was extracted with), minus every patient the champion trained on (matched by pseudonym, which is stable
 * under one key), so neither model is judged on patients it learned from. Clinician feedback in the prediction log is
 * not used here: the log keeps the inputs a client sent, which may lack what the snapshot holds, and a patient with
 * feedback reaches a retrain's snapshot through the extraction anyway. The champion is read from the run's origin
 * record, not from a process variable, because an administrator can edit variables.
 */
@Service
public class ChampionChallenger {

  private final ModelRegistry registry;
  private final TrainingRuns training;
  private final SnapshotStore snapshots;
  private final RunOrigins origins;
  private final ChampionComparisons comparisons;
  private final ChampionProperties settings;
  private final JdbcTemplate jdbc;

  public ChampionChallenger(ModelRegistry registry, TrainingRuns training, SnapshotStore snapshots,
                            RunOrigins origins, ChampionComparisons comparisons, ChampionProperties settings,
                            JdbcTemplate jdbc) {
    this.registry = registry;
    this.training = training;
    this.snapshots = snapshots;
    this.origins = origins;
    this.comparisons = comparisons;
    this.settings = settings;
    this.jdbc = jdbc;
  }

  /**
   * Compares the challenger with the champion of the pipeline run, and stores the result.
   *
   * @param processInstanceId the Staging instance that compares
   * @param pipelineRunId     the mlops-pipeline run it belongs to, whose origin names the champion; null for a Staging
   *                          instance started on its own (no champion then)
   * @throws IllegalArgumentException if there is no such challenger version
   */
  public ChampionComparison compare(String processInstanceId, String pipelineRunId, UUID challengerId) {
    ModelVersion challenger = registry.get(challengerId);
    Optional<RunOrigin> origin = pipelineRunId == null ? Optional.empty() : origins.find(pipelineRunId);
    String runId = origin.map(RunOrigin::runId).orElse(pipelineRunId);
    UUID championId = origin.map(RunOrigin::championVersionId).orElse(null);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("challenger", version(challenger));
    if (championId == null || championId.equals(challengerId)) {
      body.put("champion", null);
      return store(body, ChampionComparison.Status.NO_CHAMPION, "no version was in production when this run"
          + " started: a first version has no champion to be compared with; Medical QA judges it on its own"
          + " validation", runId, processInstanceId, challenger, null, 0, 0, null);
    }
    ModelVersion champion = registry.get(championId);
    body.put("champion", version(champion));
    TrainingRun run = training.find(challenger.trainingRunId());
    String target = run.targetClass();
    body.put("targetClass", target);
    FeatureTable table = snapshots.table(run.snapshotId());
    int[] heldOut = run.testRows();
    int[] rows = notTrainedOnByChampion(run.snapshotId(), heldOut, champion);
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("source", "the challenger's held-out evaluation rows (snapshot " + run.snapshotId() + "), less the"
        + " patients the champion trained on");
    data.put("heldOutRows", heldOut.length);
    data.put("excludedTrainedOnByChampion", heldOut.length - rows.length);
    data.put("comparedRows", rows.length);
    body.put("patients", data);

    Classifier challengerModel = registry.load(challenger);
    Classifier championModel = registry.load(champion);
    int targetIndex = table.classIndex(target);
    boolean[] positive = new boolean[rows.length];
    int rare = 0;
    for (int i = 0; i < rows.length; i++) {
      positive[i] = table.y()[rows[i]] == targetIndex;
      rare += positive[i] ? 1 : 0;
    }
    data.put("rareCases", rare);
    String problem = notComparable(table, challengerModel, target, "challenger");
    problem = problem != null ? problem : notComparable(table, championModel, target, "champion");
    if (problem != null) {
      return store(body, ChampionComparison.Status.NOT_COMPARABLE, problem, runId, processInstanceId, challenger,
          champion, rows.length, rare, null);
    }
    if (rare < settings.minRareCases()) {
      return store(body, ChampionComparison.Status.TOO_FEW_RARE_CASES, rare + " labelled " + target + " cases among"
          + " the " + rows.length + " compared patients, fewer than the " + settings.minRareCases() + " a comparison"
          + " needs (medpipe.champion.min-rare-cases): no interval is computed", runId, processInstanceId, challenger,
          champion, rows.length, rare, null);
    }
    Scoring a = score(table, rows, challengerModel, target);
    Scoring b = score(table, rows, championModel, target);
    PairedBootstrap.Result r = PairedBootstrap.of(positive, a.scored, b.scored, settings.replicates(),
        settings.seed());
    body.put("bootstrap", Map.of("method", "paired percentile bootstrap: each resample draws the compared patients"
        + " with replacement once and scores both models on that same draw; 95% intervals are the 2.5th and 97.5th"
        + " percentiles", "replicates", r.replicates(), "defined", r.defined(), "seed", r.seed()));
    body.put("models", Map.of("challenger", figures(a, r.challengerRecall(), r.challengerAuprc(), positive),
        "champion", figures(b, r.championRecall(), r.championAuprc(), positive)));
    body.put("difference", Map.of("of", "challenger - champion", "recall", interval(r.recallDifference()),
        "auprc", interval(r.auprcDifference())));
    return store(body, ChampionComparison.Status.COMPARED, "challenger - champion on " + rows.length
        + " patients (" + rare + " " + target + "): recall " + fmt(r.recallDifference()) + ", AUPRC "
        + fmt(r.auprcDifference()), runId, processInstanceId, challenger, champion, rows.length, rare, r);
  }

  /** How one model scored the compared rows. */
  private record Scoring(PairedBootstrap.Scored scored, int unknownValues, String rule) {}

  private ChampionComparison store(Map<String, Object> body, ChampionComparison.Status status, String summary,
                                   String runId, String processInstanceId, ModelVersion challenger,
                                   ModelVersion champion, int rows, int rare, PairedBootstrap.Result r) {
    Map<String, Object> full = new LinkedHashMap<>();
    full.put("status", status.id());
    full.put("summary", summary);
    full.putAll(body);
    ChampionComparison c = new ChampionComparison(UUID.randomUUID(), null, runId, processInstanceId, challenger.id(),
        champion == null ? null : champion.id(), status, rows, rare,
        r == null ? null : r.recallDifference().lower(), r == null ? null : r.auprcDifference().lower(), full);
    comparisons.insert(c);
    return comparisons.find(c.id()).orElseThrow();
  }

  /**
   * The held-out rows whose patient the champion did not train on: the champion's training rows are its snapshot's
   * rows less its own held-out rows.
   */
  private int[] notTrainedOnByChampion(UUID snapshotId, int[] heldOut, ModelVersion champion) {
    TrainingRun championRun = training.find(champion.trainingRunId());
    Set<String> trainedOn = new HashSet<>(jdbc.queryForList("SELECT subject_ref FROM medpipe.dataset_row"
        + " WHERE snapshot_id = ? AND NOT (row_no = ANY (?))", String.class, championRun.snapshotId(),
        championRun.testRows()));
    Map<Integer, String> refs = new LinkedHashMap<>();
    jdbc.query("SELECT row_no, subject_ref FROM medpipe.dataset_row WHERE snapshot_id = ? AND row_no = ANY (?)",
        rs -> {
          refs.put(rs.getInt(1), rs.getString(2));
        }, snapshotId, heldOut);
    return java.util.Arrays.stream(heldOut).filter(r -> !trainedOn.contains(refs.get(r))).toArray();
  }

  /** Why the model cannot score the snapshot's rows, or null when it can. */
  private static String notComparable(FeatureTable table, Classifier model, String target, String who) {
    if (!model.classes().contains(target)) {
      return "the " + who + " has no class " + target + " (its classes: " + model.classes() + ")";
    }
    for (Feature needed : model.features()) {
      Feature present = table.features().stream().filter(f -> f.name().equals(needed.name())).findFirst()
          .orElse(null);
      if (present == null) {
        return "the " + who + " needs the feature " + needed.name() + ", which the challenger's snapshot lacks";
      }
      if (present.type() != needed.type()) {
        return "the " + who + " reads " + needed.name() + " as " + needed.type() + ", the snapshot holds "
            + present.type();
      }
    }
    return null;
  }

  /**
   * Scores the rows with the model, its inputs taken from the snapshot by name (a model may order or encode them
   * differently: a categorical level is matched by its name; one the model does not know becomes missing, and is
   * counted).
   */
  private static Scoring score(FeatureTable table, int[] rows, Classifier model, String target) {
    List<Feature> wanted = model.features();
    int[] column = new int[wanted.size()];
    List<int[]> levelMap = new ArrayList<>();
    for (int j = 0; j < wanted.size(); j++) {
      Feature w = wanted.get(j);
      int c = 0;
      while (!table.features().get(c).name().equals(w.name())) {
        c++;
      }
      column[j] = c;
      Feature have = table.features().get(c);
      int[] map = null;
      if (w.type() == FeatureType.CATEGORICAL) {
        map = new int[have.levels().size()];
        for (int l = 0; l < map.length; l++) {
          map[l] = w.levels().indexOf(have.levels().get(l));
        }
      }
      levelMap.add(map);
    }
    int t = model.classes().indexOf(target);
    double[] score = new double[rows.length];
    boolean[] called = new boolean[rows.length];
    int unknown = 0;
    for (int i = 0; i < rows.length; i++) {
      double[] source = table.x()[rows[i]];
      double[] x = new double[wanted.size()];
      for (int j = 0; j < x.length; j++) {
        double v = source[column[j]];
        int[] map = levelMap.get(j);
        if (map != null && !Double.isNaN(v)) {
          int level = map[(int) v];
          unknown += level < 0 ? 1 : 0;
          v = level < 0 ? Double.NaN : level;
        }
        x[j] = v;
      }
      double[] proba = model.predictProba(x);
      score[i] = proba[t];
      called[i] = model.decide(proba) == t;
    }
    return new Scoring(new PairedBootstrap.Scored(score, called), unknown, DecisionRule.of(model).description());
  }

  private static Map<String, Object> figures(Scoring s, PairedBootstrap.Interval recall,
                                             PairedBootstrap.Interval auprc, boolean[] positive) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("decisionRule", s.rule());
    m.put("recall", interval(recall));
    m.put("auprc", interval(auprc));
    int flagged = 0;
    for (boolean c : s.scored().called()) {
      flagged += c ? 1 : 0;
    }
    m.put("flagged", flagged);
    m.put("valuesUnknownToTheModel", s.unknownValues());
    m.put("reliability", ClassificationMetrics.reliability(s.scored().score(), positive));
    return m;
  }

  private static Map<String, Object> interval(PairedBootstrap.Interval i) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("value", i.value());
    m.put("lower", i.lower());
    m.put("upper", i.upper());
    return m;
  }

  private static String fmt(PairedBootstrap.Interval i) {
    return String.format(java.util.Locale.ROOT, "%+.3f [%+.3f, %+.3f]", i.value(), i.lower(), i.upper());
  }

  private static Map<String, Object> version(ModelVersion v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", v.id());
    m.put("label", v.label());
    m.put("algorithm", v.algorithm());
    m.put("snapshotId", v.snapshotId());
    m.put("createdAt", v.createdAt().toInstant().toString());
    return m;
  }
}
