package io.medpipe.monitoring;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.medpipe.artifact.FileSystemArtifactStore;
import io.medpipe.dataset.Feature;
import io.medpipe.dataset.FeatureTable;
import io.medpipe.dataset.ReportStore;
import io.medpipe.dataset.Snapshot;
import io.medpipe.dataset.SnapshotStore;
import io.medpipe.ehr.DriftScenario;
import io.medpipe.ehr.TestDatabase;
import io.medpipe.registry.ModelRegistry;
import io.medpipe.registry.ModelVersion;
import io.medpipe.system.Json;
import io.medpipe.training.TrainingProperties;
import io.medpipe.training.TrainingRun;
import io.medpipe.training.TrainingRuns;
import io.medpipe.training.TrainingService;
import io.medpipe.training.model.Classifier;
import io.medpipe.training.model.Explanation;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.boot.info.GitProperties;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A real PostgreSQL with a model version trained, evaluated and registered as the pipeline does it (snapshot,
 * TrainingService, ModelRegistry with its reference profile), and the monitor wired as Spring wires it. Predictions
 * are written to the prediction log in the prediction API's shapes, with clinician feedback for a share of them.
 */
public final class MonitoringFixture {

  static final ObjectMapper MAPPER = new ObjectMapper().findAndRegisterModules();

  public final JdbcTemplate jdbc;
  final Json json;
  final SnapshotStore snapshots;
  final TrainingRuns runs;
  public final ModelRegistry registry;
  final MonitorRuns monitorRuns;
  final ReportStore reports;
  final MonitorMetrics metrics;
  final MeterRegistry meters = new SimpleMeterRegistry();
  public final MonitorService monitor;
  final MonitoringProperties settings;

  public MonitoringFixture(MonitoringProperties settings) throws Exception {
    this.settings = settings;
    jdbc = new JdbcTemplate(TestDatabase.freshDatabase());
    json = new Json(MAPPER);
    snapshots = new SnapshotStore(jdbc, json);
    FileSystemArtifactStore artifacts = new FileSystemArtifactStore(Files.createTempDirectory("medpipe-monitoring"));
    runs = new TrainingRuns(jdbc, json, artifacts);
    registry = new ModelRegistry(jdbc, json, artifacts, runs, snapshots,
        new StaticListableBeanFactory().getBeanProvider(GitProperties.class),
        new ReferenceProfiler(settings, 5));
    monitorRuns = new MonitorRuns(jdbc, json);
    reports = new ReportStore(jdbc, json);
    StaticListableBeanFactory beans = new StaticListableBeanFactory();
    beans.addBean("runs", monitorRuns);
    beans.addBean("reports", reports);
    metrics = new MonitorMetrics(meters, settings, beans.getBeanProvider(MonitorRuns.class),
        beans.getBeanProvider(ReportStore.class));
    monitor = new MonitorService(registry, runs, snapshots, reports, monitorRuns, new PredictionWindow(jdbc),
        settings, metrics);
  }

  /** Trains, evaluates and registers a version on {@code patients} reference patients (no drift, own seed). */
  public ModelVersion registerVersion(int patients, long seed, int trees) {
    FeatureTable table = DriftScenario.table(DriftScenario.NO_DRIFT.generate(patients, seed));
    List<SnapshotStore.Row> rows = new ArrayList<>();
    for (int i = 0; i < table.rows(); i++) {
      rows.add(new SnapshotStore.Row("s-" + seed + "-" + i, table.x()[i], table.classes().get(table.y()[i])));
    }
    Snapshot snapshot = snapshots.create(table.features(), rows, "spec", "pi-reference");
    TrainingProperties training = new TrainingProperties(42, trees, 0.25, 49, "platt");
    TrainingService service = new TrainingService(snapshots, runs, training,
        new StaticListableBeanFactory().getBeanProvider(GitProperties.class));
    long t0 = System.nanoTime();
    TrainingRun run = service.train(snapshot.id(), "fabry", "pi-reference");
    long t1 = System.nanoTime();
    service.evaluate(run.id());
    long t2 = System.nanoTime();
    ModelVersion version = registry.register(run.id(), "pi-reference");
    System.out.printf("train %.1f s, evaluate %.1f s, register with profile %.1f s%n", (t1 - t0) / 1e9,
        (t2 - t1) / 1e9, (System.nanoTime() - t2) / 1e9);
    registry.setStage(version.id(), ModelVersion.Stage.PRODUCTION, "test", "pi-reference");
    return registry.get(version.id());
  }

  /**
   * Predicts each case with the version's model and writes it to the prediction log as the API does (production
   * slot, explained); a share of them gets the clinician's confirmed diagnosis as feedback.
   */
  public void logPredictions(ModelVersion version, List<DriftScenario.Case> cases, double feedbackShare, long seed,
                             Instant start) {
    logPredictions(jdbc, json, registry.load(version), version, cases, feedbackShare, seed, start);
  }

  /** {@link #logPredictions(ModelVersion, List, double, long, Instant)} into any medpipe database. */
  public static void logPredictions(JdbcTemplate jdbc, Json json, Classifier model, ModelVersion version,
                                    List<DriftScenario.Case> cases, double feedbackShare, long seed, Instant start) {
    List<Feature> features = model.features();
    SplittableRandom random = new SplittableRandom(seed);
    List<Object[]> log = new ArrayList<>();
    List<Object[]> feedback = new ArrayList<>();
    double[][] x = DriftScenario.table(cases).x();
    for (int i = 0; i < cases.size(); i++) {
      double[] proba = model.predictProba(x[i]);
      int decided = model.decide(proba);
      Explanation why = model.explain(x[i], decided, 5);
      Map<String, Object> probabilities = new LinkedHashMap<>();
      for (int c = 0; c < proba.length; c++) {
        probabilities.put(model.classes().get(c), proba[c]);
      }
      List<Map<String, Object>> contributions = new ArrayList<>();
      double[] shapByFeature = new double[features.size()];
      for (Explanation.Contribution c : why.top()) {
        contributions.add(Map.of("feature", c.feature(), "value", c.value(), "shap", c.shap()));
        shapByFeature[features.stream().map(Feature::name).toList().indexOf(c.feature())] = c.shap();
      }
      Map<String, Object> explanation = Map.of("scale", why.scale(), "baseValue", why.baseValue(),
          "modelOutput", why.modelOutput(), "contributions", contributions);
      UUID id = UUID.randomUUID();
      Map<String, Object> inputs = new LinkedHashMap<>();
      for (Feature f : features) {
        Object v = cases.get(i).features().get(f.name());
        if (v != null) {
          inputs.put(f.name(), v);
        }
      }
      log.add(new Object[] {id, Timestamp.from(start.plusMillis(i)), version.id(), json.write(inputs),
          model.classes().get(decided), json.write(probabilities), json.write(explanation), encoded(x[i]),
          encoded(shapByFeature)});
      if (random.nextDouble() < feedbackShare) {
        String truth = cases.get(i).label();
        feedback.add(new Object[] {UUID.randomUUID(), id, truth.equals(model.classes().get(decided)) ? "accept"
            : "override", truth});
      }
    }
    jdbc.batchUpdate("""
        INSERT INTO medpipe.prediction_log (id, created_at, slot, model_version_id, features, predicted_class,
          probabilities, explanation, latency_ms, client_id, encoded, shap)
        VALUES (?, ?, 'production', ?, ?::jsonb, ?, ?::jsonb, ?::jsonb, 1.0, 'test', ?::float8[], ?::float8[])""",
        log);
    jdbc.batchUpdate("INSERT INTO medpipe.prediction_feedback (id, prediction_id, verdict, confirmed_class, client_id)"
        + " VALUES (?, ?, ?, ?, 'clinic')", feedback);
  }

  /**
   * A version of a synthetic 30-feature model (labs, findings, categories; two classes, 1% rare) registered straight
   * into the tables, with its profile and learned bands computed from {@code heldOut} reference rows, and
   * {@code logged} window predictions of the same population (the first lab scaled by {@code shift}) in the log.
   * For timing the monitor at scale without training a model.
   */
  public ModelVersion syntheticVersion(int heldOut, int logged, double shift) {
    return registry.get(insertSyntheticVersion(jdbc, json, snapshots, settings, heldOut, logged, shift));
  }

  /** {@link #syntheticVersion} on any medpipe database (e.g. a running application's); returns the version id. */
  public static UUID insertSyntheticVersion(JdbcTemplate jdbc, Json json, SnapshotStore snapshots,
                                            MonitoringProperties settings, int heldOut, int logged, double shift) {
    List<Feature> inputs = new ArrayList<>();
    for (int f = 0; f < 30; f++) {
      inputs.add(f % 10 == 8 ? Feature.binary("finding_" + f, true)
          : f % 10 == 9 ? Feature.categorical("category_" + f, List.of("a", "b", "c", "d"), true)
          : Feature.numeric("lab_" + f, "u", -1e6, 1e6, false));
    }
    List<String> classes = List.of("healthy", "rare");
    SplittableRandom random = new SplittableRandom(7);
    double[][] x = new double[heldOut][];
    int[] truth = new int[heldOut];
    double[][] proba = new double[heldOut][];
    int[] decided = new int[heldOut];
    List<SnapshotStore.Row> rows = new ArrayList<>();
    for (int i = 0; i < heldOut; i++) {
      truth[i] = random.nextDouble() < 0.01 ? 1 : 0;
      x[i] = synthetic(inputs, random, truth[i], 1.0);
      proba[i] = probability(random, truth[i]);
      decided[i] = proba[i][1] > 0.2 ? 1 : 0;
      rows.add(new SnapshotStore.Row("s" + i, x[i], classes.get(truth[i])));
    }
    io.medpipe.monitoring.drift.ReferenceProfile profile = io.medpipe.monitoring.drift.ReferenceBands.learn(
        io.medpipe.monitoring.drift.ReferenceProfile.builder(inputs, classes).rows(x).truth(truth).predicted(decided)
            .probabilities(proba).build(),
        x, settings.driftOptions());
    Snapshot snapshot = snapshots.create(inputs, rows, "synthetic", "pi-synthetic");
    UUID runId = UUID.randomUUID();
    UUID versionId = UUID.randomUUID();
    Integer[] testRows = new Integer[heldOut];
    for (int i = 0; i < heldOut; i++) {
      testRows[i] = i;
    }
    jdbc.update(con -> {
      var ps = con.prepareStatement("""
          INSERT INTO medpipe.training_run (id, snapshot_id, algorithm, params, seed, target_class, test_rows,
            model_uri, model_sha256, train_seconds) VALUES (?, ?, 'RANDOM_FOREST', '{}'::jsonb, 42, 'rare', ?,
            'synthetic', 'synthetic', 0)""");
      ps.setObject(1, runId);
      ps.setObject(2, snapshot.id());
      ps.setArray(3, con.createArrayOf("integer", testRows));
      return ps;
    });
    jdbc.update("""
        INSERT INTO medpipe.model_version (id, name, version, training_run_id, snapshot_id, dataset_hash, algorithm,
          params, metrics, artifact_uri, artifact_sha256, reference_profile, reference_profile_sha256, stage)
        VALUES (?, 'rare-synthetic-' || left(?::text, 8), 1, ?, ?, 'h', 'RANDOM_FOREST', '{}'::jsonb,
          '{"targetClass": "rare", "targetIntervals": {"recall": {"lower": 0.8}}}'::jsonb, 'synthetic', 'synthetic',
          ?, ?, 'NONE')""", versionId, versionId, runId, snapshot.id(), profile.toCanonicalJson(), profile.sha256());
    List<Object[]> log = new ArrayList<>();
    Instant start = Instant.now().minusSeconds(7200);
    for (int i = 0; i < logged; i++) {
      int t = random.nextDouble() < 0.01 ? 1 : 0;
      double[] row = synthetic(inputs, random, t, shift);
      double[] p = probability(random, t);
      Map<String, Object> values = new LinkedHashMap<>();
      List<Map<String, Object>> contributions = new ArrayList<>();
      double[] shapByFeature = new double[inputs.size()];
      for (int f = 0; f < inputs.size(); f++) {
        Feature feature = inputs.get(f);
        if (!Double.isNaN(row[f])) {
          values.put(feature.name(), switch (feature.type()) {
            case NUMERIC -> row[f];
            case BINARY -> row[f] == 1;
            case CATEGORICAL -> feature.levels().get((int) row[f]);
          });
        }
        if (f < 5) {
          contributions.add(Map.of("feature", feature.name(), "value", 0, "shap", 0.01 * (f + 1)));
          shapByFeature[f] = 0.01 * (f + 1);
        }
      }
      // every 50th answer as the API logs an input below the required completeness: no class, explanation JSON null
      boolean undecided = i % 50 == 49;
      log.add(new Object[] {UUID.randomUUID(), Timestamp.from(start.plusMillis(i)), versionId, json.write(values),
          undecided ? null : classes.get(p[1] > 0.2 ? 1 : 0), json.write(Map.of("healthy", p[0], "rare", p[1])),
          undecided ? "null" : json.write(Map.of("scale", "probability", "baseValue", 0.01, "modelOutput", p[1],
              "contributions", contributions)),
          encoded(row), undecided ? null : encoded(shapByFeature)});
      if (log.size() == 5000 || i == logged - 1) {
        jdbc.batchUpdate("""
            INSERT INTO medpipe.prediction_log (id, created_at, slot, model_version_id, features, predicted_class,
              probabilities, explanation, latency_ms, client_id, encoded, shap)
            VALUES (?, ?, 'production', ?, ?::jsonb, ?, ?::jsonb, ?::jsonb, 1.0, 'bench', ?::float8[], ?::float8[])""",
            log);
        log.clear();
      }
    }
    jdbc.execute("ANALYZE medpipe.prediction_log");
    return versionId;
  }

  private static double[] synthetic(List<Feature> inputs, SplittableRandom random, int truth, double shift) {
    double latent = gaussian(random) + 2.5 * truth;
    double[] row = new double[inputs.size()];
    for (int f = 0; f < inputs.size(); f++) {
      row[f] = switch (inputs.get(f).type()) {
        case BINARY -> random.nextDouble() < 0.2 ? 1 : 0;
        case CATEGORICAL -> random.nextInt(4);
        default -> f % 3 == 2 && random.nextDouble() < 0.1 ? Double.NaN
            : (f == 0 ? shift : 1) * Math.exp(1 + 0.3 * gaussian(random) + (f < 3 ? 0.1 * latent : 0));
      };
    }
    return row;
  }

  private static double[] probability(SplittableRandom random, int truth) {
    double latent = gaussian(random) + 2.5 * truth;
    double p1 = 1 / (1 + Math.exp(-(Math.log(0.01 / 0.99) + 2.5 * latent - 3.125)));
    return new double[] {1 - p1, p1};
  }

  private static double gaussian(SplittableRandom r) {
    double u = 1 - r.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
  }

  /** The version's held-out rows, as the monitor reads them. */
  public double[][] referenceRows(ModelVersion version) {
    int[] heldOut = runs.find(version.trainingRunId()).testRows();
    return snapshots.table(version.snapshotId()).subset(heldOut).x();
  }

  /** A row as the API logs the model's inputs (float8[] literal, NaN where missing). */
  static String encoded(double[] row) {
    StringBuilder s = new StringBuilder("{");
    for (int j = 0; j < row.length; j++) {
      s.append(j == 0 ? "" : ",").append(row[j]);
    }
    return s.append('}').toString();
  }

  /** Removes every logged prediction (and its feedback). */
  public void clearLog() {
    jdbc.update("DELETE FROM medpipe.prediction_log");
  }
}
