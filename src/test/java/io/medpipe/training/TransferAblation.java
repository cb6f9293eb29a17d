package io.medpipe.training;

import io.medpipe.dataset.FeatureTable;
import io.medpipe.ehr.CohortOptions;
import io.medpipe.ehr.EhrExtractor.ExtractRow;
import io.medpipe.ehr.EhrExtractor;
import io.medpipe.ehr.FeatureSpec;
import io.medpipe.ehr.SyntheticCohort;
import io.medpipe.ehr.TestDatabase;
import io.medpipe.training.evaluation.BootstrapCi;
import io.medpipe.training.model.Classifier;
import io.medpipe.training.model.MlpOptions;
import io.medpipe.training.model.TrainingOptions;
import io.medpipe.training.model.TransferScheme;
import java.time.Period;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.core.io.ClassPathResource;

/**
 * The transfer-learning ablation (not a test): does pre-training the MLP on the related diseases help it find a rare
 * disease it has only a few dozen cases of?
 *
 * <p>Per seed, three synthetic cohorts from {@link SyntheticCohort} (each in its own embedded PostgreSQL database,
 * extracted with the shipped feature spec): a SOURCE cohort without Fabry where only the related diseases, HCM and
 * CKD, are coded (abundant labels), a small TRAIN cohort with a few dozen Fabry cases (the rare task: fabry, hcm, ckd,
 * none), and a large TEST cohort with the train cohort's prevalences. Every configuration trains on the same rows with
 * the same seed; only transfer differs. Reported for Fabry on the test cohort: recall of the model's decision and
 * AUPRC with 95% bootstrap intervals, per seed; then the mean over seeds and the paired difference to the MLP without
 * transfer with a t interval over seeds. Run after {@code mvn -o test-compile} with
 * <pre>
 * mvn -o -q dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) io.medpipe.training.TransferAblation [seeds] [trainPatients] [fabryShare]
 * </pre>
 * defaults 5 seeds, 1500 train patients, Fabry share 0.02 (30 cases).
 */
public final class TransferAblation {

  static final int SOURCE_PATIENTS = 8000;
  static final int TEST_PATIENTS = 5000;
  static final int PRETRAIN_EPOCHS = 30;

  private TransferAblation() {
  }

  public static void main(String[] args) {
    int seeds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int trainPatients = args.length > 1 ? Integer.parseInt(args[1]) : 1500;
    double fabryShare = args.length > 2 ? Double.parseDouble(args[2]) : 0.02;
    FeatureSpec spec = FeatureSpec.load(new ClassPathResource("ehr/feature-spec.json"));
    // PostgreSQL's start-up and Smile's per-tree lines would bury the tables
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(ch.qos.logback.classic.Level.WARN);

    Map<String, List<Double>> recall = new LinkedHashMap<>();
    Map<String, List<Double>> auprc = new LinkedHashMap<>();
    Map<String, List<double[]>> pooledProba = new LinkedHashMap<>();
    Map<String, List<Integer>> pooledPredicted = new LinkedHashMap<>();
    List<Integer> pooledTruth = new ArrayList<>();
    System.out.printf(Locale.ROOT, "cohorts per seed: source %d patients (HCM 5%%, CKD 8%%, no Fabry), train %d "
        + "(Fabry %.1f%%, HCM 5%%, CKD 8%%), test %d (same shares); MLP %s, %d fine-tuning epochs, %d pre-training "
        + "epochs%n", SOURCE_PATIENTS, trainPatients, fabryShare * 100, TEST_PATIENTS,
        MlpOptions.DEFAULT_HIDDEN, MlpOptions.DEFAULT_EPOCHS, PRETRAIN_EPOCHS);
    System.out.println("| seed | configuration | train Fabry | test Fabry | Fabry recall [95% CI] | Fabry precision "
        + "| Fabry AUPRC [95% CI] | train s |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    for (int s = 1; s <= seeds; s++) {
      final long seed = s;
      FeatureTable source = related(table(spec, new CohortOptions(SOURCE_PATIENTS, 1000 + seed, 0,
          CohortOptions.DEFAULT_HCM_PREVALENCE, CohortOptions.DEFAULT_CKD_PREVALENCE, null)));
      FeatureTable train = table(spec, CohortOptions.of(trainPatients, 2000 + seed).withFabryPrevalence(fabryShare));
      FeatureTable test = table(spec, CohortOptions.of(TEST_PATIENTS, 3000 + seed).withFabryPrevalence(fabryShare));
      int fabry = train.classIndex("fabry");
      MlpOptions mlp = MlpOptions.defaults();
      Map<String, Fitter> configs = new LinkedHashMap<>();
      configs.put("MLP, no transfer", () -> Classifier.fit(train, TrainingOptions.mlp(mlp, seed)));
      configs.put("MLP + transfer from source cohort (fine-tune all)", () -> Classifier.fit(train,
          TrainingOptions.mlp(mlp.withPretraining(PRETRAIN_EPOCHS), seed), source));
      configs.put("MLP + transfer from source cohort (frozen hidden)", () -> Classifier.fit(train,
          TrainingOptions.mlp(mlp.withPretraining(PRETRAIN_EPOCHS).withScheme(TransferScheme.FROZEN), seed), source));
      configs.put("MLP + stacked source model's outputs", () -> Classifier.fit(train,
          TrainingOptions.mlp(mlp.withPretraining(PRETRAIN_EPOCHS).withScheme(TransferScheme.STACK), seed), source));
      configs.put("MLP + transfer from train's own HCM/CKD/none rows", () -> Classifier.fit(train,
          TrainingOptions.mlp(mlp.withPretraining(PRETRAIN_EPOCHS), seed)));
      configs.put("reference: RF balanced (pipeline default), 200 trees", () -> Classifier.fit(train,
          TrainingOptions.defaults(seed)));
      for (int i = 0; i < test.rows(); i++) {
        pooledTruth.add(test.y()[i]);
      }
      for (Map.Entry<String, Fitter> e : configs.entrySet()) {
        long start = System.nanoTime();
        Classifier model = e.getValue().fit();
        double seconds = (System.nanoTime() - start) / 1e9;
        double[][] proba = new double[test.rows()][];
        int[] predicted = new int[test.rows()];
        for (int i = 0; i < test.rows(); i++) {
          proba[i] = model.predictProba(test.x()[i]);
          predicted[i] = model.decide(proba[i]);
          pooledProba.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(proba[i]);
          pooledPredicted.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(predicted[i]);
        }
        BootstrapCi.ClassIntervals ci = BootstrapCi.of(test.y(), proba, predicted, fabry, "fabry",
            BootstrapCi.DEFAULT_REPLICATES, seed);
        recall.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(ci.recall().value());
        auprc.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(ci.auprc().value());
        System.out.printf(Locale.ROOT, "| %d | %s | %d | %d | %s | %.3f | %s | %.1f |%n", seed, e.getKey(),
            train.classCounts()[fabry], test.classCounts()[fabry], fmt(ci.recall()), ci.precision().value(),
            fmt(ci.auprc()), seconds);
      }
    }

    System.out.printf(Locale.ROOT, "%nSummary over %d seeds (recall and AUPRC: mean over seeds; pooled: all seeds' "
        + "test rows together, 95%% bootstrap CI; difference: paired by seed vs MLP without transfer, mean and 95%% t "
        + "interval over seeds)%n", seeds);
    System.out.println("| configuration | mean recall | pooled recall [95% CI] | mean AUPRC | pooled AUPRC [95% CI] "
        + "| recall diff vs no transfer | AUPRC diff vs no transfer |");
    System.out.println("|---|---|---|---|---|---|---|");
    int[] truth = pooledTruth.stream().mapToInt(Integer::intValue).toArray();
    String baseline = recall.keySet().iterator().next();
    for (String name : recall.keySet()) {
      double[][] proba = pooledProba.get(name).toArray(double[][]::new);
      int[] predicted = pooledPredicted.get(name).stream().mapToInt(Integer::intValue).toArray();
      BootstrapCi.ClassIntervals pooled = BootstrapCi.of(truth, proba, predicted, spec.classLabels().indexOf("fabry"),
          "fabry",
          BootstrapCi.DEFAULT_REPLICATES, 99);
      System.out.printf(Locale.ROOT, "| %s | %.3f | %s | %.3f | %s | %s | %s |%n", name, mean(recall.get(name)),
          fmt(pooled.recall()), mean(auprc.get(name)), fmt(pooled.auprc()),
          name.equals(baseline) ? "-" : pairedDiff(recall.get(name), recall.get(baseline)),
          name.equals(baseline) ? "-" : pairedDiff(auprc.get(name), auprc.get(baseline)));
    }
  }

  @FunctionalInterface
  interface Fitter {
    Classifier fit();
  }

  /** A cohort in a fresh database, extracted with the shipped spec; age from the birth date, as pseudonymisation does. */
  static FeatureTable table(FeatureSpec spec, CohortOptions options) {
    DataSource db = TestDatabase.freshDatabase();
    SyntheticCohort.generate(db, options);
    EhrExtractor extractor = new EhrExtractor(db);
    List<ExtractRow> rows = extractor.rows(extractor.extract(spec, options.indexDate(), null).extractId());
    List<String> classes = spec.classLabels();
    int ageSlot = spec.indexOf("age");
    double[][] x = new double[rows.size()][];
    int[] y = new int[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      ExtractRow row = rows.get(i);
      x[i] = row.features().clone();
      x[i][ageSlot] = Period.between(row.birthDate(), options.indexDate()).getYears();
      y[i] = classes.indexOf(row.label());
    }
    return new FeatureTable(spec.features(), classes, x, y);
  }

  /** The source task: the related diseases and "none", without any Fabry row or class. */
  static FeatureTable related(FeatureTable cohort) {
    int fabry = cohort.classIndex("fabry");
    List<String> classes = new ArrayList<>(cohort.classes());
    classes.remove(fabry);
    List<double[]> x = new ArrayList<>();
    List<Integer> y = new ArrayList<>();
    for (int i = 0; i < cohort.rows(); i++) {
      int c = cohort.y()[i];
      if (c != fabry) {
        x.add(cohort.x()[i]);
        y.add(c < fabry ? c : c - 1);
      }
    }
    return new FeatureTable(cohort.features(), classes, x.toArray(double[][]::new),
        y.stream().mapToInt(Integer::intValue).toArray());
  }

  private static String fmt(BootstrapCi.Interval i) {
    return String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", i.value(), i.lower(), i.upper());
  }

  private static double mean(List<Double> v) {
    return v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }

  /** Mean paired difference a - b over seeds with a 95% t interval (Student t quantile for n - 1 df). */
  private static String pairedDiff(List<Double> a, List<Double> b) {
    int n = a.size();
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      d[i] = a.get(i) - b.get(i);
    }
    double m = java.util.Arrays.stream(d).average().orElse(Double.NaN);
    if (n < 2) {
      return String.format(Locale.ROOT, "%+.3f", m);
    }
    double ss = 0;
    for (double v : d) {
      ss += (v - m) * (v - m);
    }
    double se = Math.sqrt(ss / (n - 1) / n);
    double t = new smile.stat.distribution.TDistribution(n - 1).quantile(0.975);
    return String.format(Locale.ROOT, "%+.3f [%+.3f, %+.3f]", m, m - t * se, m + t * se);
  }
}
