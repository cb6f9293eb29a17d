package io.medpipe.training;

import io.medpipe.dataset.Feature;
import io.medpipe.dataset.FeatureTable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The benchmark command (not a test): the peer protocol on the real data sets, and forest training time by rows.
 *
 * <p>Protocol, as the scikit-learn peers (data/README.md): the folds of {@code folds_seed42.csv} (stratified 5-fold,
 * seed 42), pooled out-of-fold predictions, 300 trees. Run after {@code mvn -o test-compile} with
 * <pre>
 * mvn -o -q dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) io.medpipe.training.Benchmark [peers|scale|all]
 * </pre>
 */
public final class Benchmark {

  private Benchmark() {
  }

  public static void main(String[] args) throws IOException {
    String mode = args.length == 0 ? "all" : args[0];
    if (mode.equals("peers") || mode.equals("all")) {
      peers("heart_cleveland", "num");
      peers("hepatitis", "class");
    }
    if (mode.equals("scale") || mode.equals("all")) {
      scale();
    }
  }

  static void peers(String set, String label) throws IOException {
    FeatureTable data = CsvFixtures.read("/data/" + set + "/" + set + ".csv", label);
    int[] fold = folds(set, label);
    int[] counts = data.classCounts();
    int rare = 0;
    for (int c = 1; c < counts.length; c++) {
      if (counts[c] < counts[rare]) {
        rare = c;
      }
    }
    int k = data.classes().size();
    CostMatrix costs = CostMatrix.rareMiss(k, rare, 5);
    Map<String, TrainingOptions> configs = new LinkedHashMap<>();
    TrainingOptions rf = TrainingOptions.defaults(42).withTrees(300).withClassWeighting(ClassWeighting.NONE)
        .withMaxNodes(100_000);
    configs.put("RF", rf);
    configs.put("RF balanced (class weights)", rf.withClassWeighting(ClassWeighting.BALANCED));
    configs.put("RF + SMOTE(-NC)", rf.withResampling(Resampling.SMOTE));
    configs.put("RF + undersampling", rf.withResampling(Resampling.UNDERSAMPLE));
    configs.put("RF balanced + cost matrix", rf.withClassWeighting(ClassWeighting.BALANCED).withCosts(costs));
    configs.put("RF + SMOTE + cost matrix", rf.withResampling(Resampling.SMOTE).withCosts(costs));
    configs.put("GBT", TrainingOptions.boosting(300, 42));
    configs.put("GBT + SMOTE", TrainingOptions.boosting(300, 42).withResampling(Resampling.SMOTE));
    configs.put("GBT + cost matrix", TrainingOptions.boosting(300, 42).withCosts(costs));

    System.out.printf(Locale.ROOT, "%n%s: %d rows, classes %s, counts %s; rarest %s; 5 folds from folds_seed42.csv,"
        + " pooled out-of-fold, 300 trees%n", set, data.rows(), data.classes(), java.util.Arrays.toString(counts),
        data.classes().get(rare));
    System.out.println("| configuration | macro F1 | balanced acc | rarest AUPRC | rarest recall | rarest specificity"
        + " | rarest Brier | Brier after Platt | calib. slope | calib. intercept | train s (5 folds) |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
    for (Map.Entry<String, TrainingOptions> e : configs.entrySet()) {
      CrossValidation.Result cv = CrossValidation.run(data, e.getValue(), fold);
      ClassificationMetrics.PerClass r = cv.metrics().perClass().get(rare);
      System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.2f | %.2f | %.1f |%n",
          e.getKey(), cv.metrics().macroF1(), cv.metrics().balancedAccuracy(), r.auprc(), r.recall(),
          r.specificity(), r.brier(), plattBrier(data.y(), cv.proba(), fold, rare), r.calibrationSlope(),
          r.calibrationIntercept(), cv.trainSeconds());
    }
  }

  /**
   * Rarest-class Brier after cross-fitted Platt scaling: the rows of fold f are recalibrated by a map fitted on the
   * out-of-fold predictions of the other folds, so no row calibrates itself.
   */
  static double plattBrier(int[] y, double[][] proba, int[] fold, int rare) {
    int k = java.util.Arrays.stream(fold).max().orElse(0) + 1;
    double sum = 0;
    for (int f = 0; f < k; f++) {
      final int ff = f;
      int[] other = java.util.stream.IntStream.range(0, y.length).filter(i -> fold[i] != ff).toArray();
      int[] oy = new int[other.length];
      double[][] op = new double[other.length][];
      for (int i = 0; i < other.length; i++) {
        oy[i] = y[other[i]];
        op[i] = proba[other[i]];
      }
      PlattCalibration platt = PlattCalibration.fit(oy, op, rare);
      for (int i = 0; i < y.length; i++) {
        if (fold[i] == f) {
          double d = platt.apply(proba[i])[rare] - (y[i] == rare ? 1 : 0);
          sum += d * d;
        }
      }
    }
    return sum / y.length;
  }

  /** The folds file, checked against the data set (row count, classes) as {@code medpipe evaluate} checks it. */
  static int[] folds(String set, String label) throws IOException {
    try (InputStream data = Benchmark.class.getResourceAsStream("/data/" + set + "/" + set + ".csv");
         InputStream folds = Benchmark.class.getResourceAsStream("/data/" + set + "/folds_seed42.csv")) {
      CsvDataset dataset = CsvDataset.of(io.medpipe.ehr.TabularFile.parse(set + ".csv",
          new String(data.readAllBytes(), StandardCharsets.UTF_8), "csv"), label);
      return dataset.folds(io.medpipe.ehr.TabularFile.parse("folds_seed42.csv",
          new String(folds.readAllBytes(), StandardCharsets.UTF_8), "csv"));
    }
  }

  /** Training time of a 30-feature, 100-tree forest (default options otherwise) by number of rows. */
  static void scale() {
    System.out.printf(Locale.ROOT, "%nForest training time, 30 numeric features, 100 trees, 2 classes (5%% rare),"
        + " %d cores%n| rows | RF default (maxNodes 256) s | RF deep (maxNodes 100000) s |%n|---|---|---|%n",
        Runtime.getRuntime().availableProcessors());
    for (int n : new int[] {25_000, 50_000, 100_000, 200_000}) {
      FeatureTable t = synthetic(n, 30, n);
      TrainingOptions o = TrainingOptions.defaults(1).withTrees(100).withClassWeighting(ClassWeighting.NONE);
      double a = time(t, o);
      double b = time(t, o.withMaxNodes(100_000));
      System.out.printf(Locale.ROOT, "| %d | %.1f | %.1f |%n", n, a, b);
    }
  }

  private static double time(FeatureTable t, TrainingOptions o) {
    long start = System.nanoTime();
    ClassifierModel.fit(t, o);
    return (System.nanoTime() - start) / 1e9;
  }

  static FeatureTable synthetic(int n, int p, long seed) {
    Random r = new Random(seed);
    List<Feature> features = new ArrayList<>();
    for (int j = 0; j < p; j++) {
      features.add(Feature.numeric("x" + j, "u", -10, 10, false));
    }
    double[][] x = new double[n][p];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = r.nextDouble() < 0.05 ? 1 : 0;
      for (int j = 0; j < p; j++) {
        x[i][j] = r.nextGaussian() + (y[i] == 1 && j < 5 ? 0.7 : 0);
      }
    }
    return new FeatureTable(features, List.of("common", "rare"), x, y);
  }
}
