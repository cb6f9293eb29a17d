package io.medpipe.training;

import io.medpipe.dataset.FeatureTable;
import io.medpipe.dataset.TabularFile;
import io.medpipe.training.calibration.PlattCalibration;
import io.medpipe.training.calibration.ProbabilityCalibration;
import io.medpipe.training.evaluation.ClassificationMetrics;
import io.medpipe.training.evaluation.CrossValidation;
import io.medpipe.training.evaluation.ModelSelection;
import io.medpipe.training.model.ClassWeighting;
import io.medpipe.training.model.Classifier;
import io.medpipe.training.model.CostMatrix;
import io.medpipe.training.model.TrainingOptions;
import io.medpipe.training.resampling.Resampling;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The benchmark command (not a test): the peer protocol on the real data sets (uncalibrated configurations, then the
 * pipeline's calibrated selection nested in the outer folds beside calibrated fixed configurations), and forest
 * training time by rows.
 *
 * <p>Protocol, as the scikit-learn peers (data/README.md): the folds of {@code folds_seed42.csv} (stratified 5-fold,
 * seed 42), pooled out-of-fold predictions, 300 trees. Run after {@code mvn -o test-compile} with
 * <pre>
 * mvn -o -q dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) io.medpipe.training.Benchmark [peers|calibrated|ensemble|scale|all|seeds [n]|pooling [n]]
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
    if (mode.equals("peers") || mode.equals("calibrated") || mode.equals("all")) {
      calibrated("heart_cleveland", "num");
      calibrated("hepatitis", "class");
    }
    if (mode.equals("ensemble") || mode.equals("all")) {
      ensembles("heart_cleveland", "num");
      ensembles("hepatitis", "class");
    }
    if (mode.equals("scale") || mode.equals("all")) {
      scale();
    }
    if (mode.equals("pooling")) {
      int seeds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
      pooling("heart_cleveland", "num", seeds);
      pooling("hepatitis", "class", seeds);
    }
    if (mode.equals("seeds")) {
      int seeds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
      seeds("heart_cleveland", "num", seeds);
      seeds("hepatitis", "class", seeds);
    }
  }

  /**
   * The primary row (the pipeline's search, nested) repeated with model seeds 42, 43, ... on the same folds: one seed's
   * figures are one draw, and with 13 or 32 rare rows a draw moves by more than the gaps to the peers. Prints each
   * seed's row, then the mean, standard deviation, minimum and maximum of every column.
   */
  static void seeds(String set, String label, int seeds) throws IOException {
    FeatureTable data = CsvFixtures.read("/data/" + set + "/" + set + ".csv", label);
    int[] fold = folds(set, label);
    int rare = DatasetEvaluation.rarest(data);
    System.out.printf(Locale.ROOT, "%n%s, %s, model seeds 42..%d, folds of folds_seed42.csv%n", set, PRIMARY,
        41 + seeds);
    System.out.println(
        "| seed | macro F1 | balanced acc | rarest AUPRC | rarest recall | rarest specificity | chosen per fold | s |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    double[][] columns = new double[5][seeds];
    for (int s = 0; s < seeds; s++) {
      long start = System.nanoTime();
      DatasetEvaluation.Outcome search = DatasetEvaluation.search(data, rare, fold, 300, 42 + s,
          io.medpipe.training.evaluation.Progress.NONE);
      ClassificationMetrics m = search.cv().metrics();
      ClassificationMetrics.PerClass r = m.perClass().get(rare);
      double[] row = {m.macroF1(), m.balancedAccuracy(), r.auprc(), r.recall(), r.specificity()};
      for (int c = 0; c < row.length; c++) {
        columns[c][s] = row[c];
      }
      System.out.printf(Locale.ROOT, "| %d | %.3f | %.3f | %.3f | %.3f | %.3f | %s | %.0f |%n", 42 + s, row[0], row[1],
          row[2], row[3], row[4], search.perFold(), (System.nanoTime() - start) / 1e9);
    }
    String[] stats = {"mean", "sd", "min", "max"};
    for (int k = 0; k < stats.length; k++) {
      StringBuilder line = new StringBuilder("| " + stats[k] + " |");
      for (double[] column : columns) {
        line.append(String.format(Locale.ROOT, " %.3f |", summary(column)[k]));
      }
      System.out.println(line.append(" | |"));
    }
  }

  /** Mean, sample standard deviation, minimum and maximum. */
  private static double[] summary(double[] v) {
    java.util.DoubleSummaryStatistics st = java.util.Arrays.stream(v).summaryStatistics();
    double mean = st.getAverage();
    double sd = Math.sqrt(java.util.Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum()
        / Math.max(1, v.length - 1));
    return new double[] {mean, sd, st.getMin(), st.getMax()};
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
        + " pooled out-of-fold, 300 trees; uncalibrated, cost matrix with miss cost 5%n", set, data.rows(),
        data.classes(), java.util.Arrays.toString(counts),
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
   * Is the nested search's lower rarest-class AUPRC its ranking or the pooling? Pooled out-of-fold AUPRC ranks scores
   * of five different models together; the mean of the five per-fold AUPRCs does not. Printed for the search and for
   * fixed calibrated configurations over the same seeds (mean of each over seeds).
   */
  static void pooling(String set, String label, int seeds) throws IOException {
    FeatureTable data = CsvFixtures.read("/data/" + set + "/" + set + ".csv", label);
    int[] fold = folds(set, label);
    int rare = DatasetEvaluation.rarest(data);
    int k = data.classes().size();
    CostMatrix costs = CostMatrix.rareMiss(k, rare, TrainingRecipe.RARE_MISS_COST);
    Map<String, java.util.function.LongFunction<CrossValidation.Result>> rows = new LinkedHashMap<>();
    rows.put(PRIMARY, seed -> DatasetEvaluation
        .search(data, rare, fold, 300, seed, io.medpipe.training.evaluation.Progress.NONE).cv());
    Map<String, java.util.function.LongFunction<TrainingOptions>> fixed = new LinkedHashMap<>();
    fixed.put("RF + undersampling + Platt + cost matrix", seed -> TrainingOptions.defaults(seed).withTrees(300)
        .withClassWeighting(ClassWeighting.NONE).withResampling(Resampling.UNDERSAMPLE).withCosts(costs));
    fixed.put("RF balanced + Platt + cost matrix", seed -> TrainingOptions.defaults(seed).withTrees(300)
        .withCosts(costs));
    fixed.put("RF + Platt + cost matrix", seed -> TrainingOptions.defaults(seed).withTrees(300)
        .withClassWeighting(ClassWeighting.NONE).withCosts(costs));
    for (Map.Entry<String, java.util.function.LongFunction<TrainingOptions>> e : fixed.entrySet()) {
      rows.put(e.getKey(), seed -> nestedCalibrated(data, e.getValue().apply(seed), fold,
          ProbabilityCalibration.Method.PLATT, rare, new double[1]));
    }
    System.out.printf(Locale.ROOT, "%n%s, rarest %s, model seeds 42..%d: rarest AUPRC pooled vs mean of the 5 "
        + "per-fold AUPRCs%n", set, data.classes().get(rare), 41 + seeds);
    System.out.println("| configuration | pooled AUPRC, mean (sd) | per-fold AUPRC, mean (sd) | pooled - per-fold |");
    System.out.println("|---|---|---|---|");
    for (Map.Entry<String, java.util.function.LongFunction<CrossValidation.Result>> e : rows.entrySet()) {
      double[] pooled = new double[seeds];
      double[] perFold = new double[seeds];
      for (int s = 0; s < seeds; s++) {
        CrossValidation.Result cv = e.getValue().apply(42 + s);
        pooled[s] = cv.metrics().perClass().get(rare).auprc();
        int folds = java.util.Arrays.stream(fold).max().orElse(0) + 1;
        for (int f = 0; f < folds; f++) {
          final int ff = f;
          int[] test = java.util.stream.IntStream.range(0, data.rows()).filter(i -> fold[i] == ff).toArray();
          double[] score = new double[test.length];
          boolean[] positive = new boolean[test.length];
          for (int i = 0; i < test.length; i++) {
            score[i] = cv.proba()[test[i]][rare];
            positive[i] = data.y()[test[i]] == rare;
          }
          perFold[s] += ClassificationMetrics.averagePrecision(score, positive) / folds;
        }
      }
      double[] gap = new double[seeds];
      for (int s = 0; s < seeds; s++) {
        gap[s] = pooled[s] - perFold[s];
      }
      System.out.printf(Locale.ROOT, "| %s | %s | %s | %s |%n", e.getKey(), meanSd(pooled), meanSd(perFold),
          meanSd(gap));
    }
  }

  private static String meanSd(double[] v) {
    double[] s = summary(v);
    return String.format(Locale.ROOT, "%.3f (%.3f)", s[0], s[1]);
  }

  /** The declared primary row: what the pipeline itself would do, nested inside each outer fold. */
  static final String PRIMARY = "pipeline search, nested (medpipe's selected configuration)";

  /**
   * The peer protocol with calibrated models, every choice made inside the outer training folds only. Declared before
   * running, and the same for both sets: the primary row is the pipeline's own search and policy (decisions on
   * calibrated probabilities with the configured miss cost, Platt), nested per outer fold and refitted with 300 trees
   * ({@link DatasetEvaluation#search}). The other rows are fixed configurations whose calibration is fitted on an inner
   * 5-fold cross-validation of the outer training rows ({@link #nestedCalibrated}); they show what each ingredient
   * does, and none of them is picked per column.
   */
  static void calibrated(String set, String label) throws IOException {
    FeatureTable data = CsvFixtures.read("/data/" + set + "/" + set + ".csv", label);
    int[] fold = folds(set, label);
    int rare = DatasetEvaluation.rarest(data);
    int k = data.classes().size();
    double m = TrainingRecipe.RARE_MISS_COST;
    CostMatrix costs = CostMatrix.rareMiss(k, rare, m);
    TrainingOptions rf = TrainingOptions.defaults(42).withTrees(300).withClassWeighting(ClassWeighting.NONE)
        .withMaxNodes(100_000);
    TrainingOptions smote = rf.withResampling(Resampling.SMOTE);
    TrainingOptions gbt = TrainingOptions.boosting(300, 42);
    Map<String, TrainingOptions> configs = new LinkedHashMap<>();
    configs.put("RF balanced + Platt + cost matrix", rf.withClassWeighting(ClassWeighting.BALANCED).withCosts(costs));
    configs.put("RF + SMOTE + Platt + cost matrix", smote.withCosts(costs));
    configs.put("RF + SMOTE + isotonic + cost matrix", smote.withCosts(costs));
    configs.put("RF + SMOTE + Platt (most probable)", smote);
    configs.put("RF + undersampling + Platt + cost matrix", rf.withResampling(Resampling.UNDERSAMPLE).withCosts(costs));
    configs.put("GBT + Platt + cost matrix", gbt.withCosts(costs));
    configs.put("GBT + SMOTE + Platt + cost matrix", gbt.withResampling(Resampling.SMOTE).withCosts(costs));

    System.out.printf(Locale.ROOT, "%n%s, calibrated (nested: every choice and every calibration fitted inside the "
        + "outer training folds), rarest %s, miss cost %.0f%n", set, data.classes().get(rare), m);
    System.out.println("| configuration | macro F1 | balanced acc | rarest AUPRC | rarest recall | rarest specificity"
        + " | rarest Brier before -> after | calib. slope after | calib. intercept after | s |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|");
    long start = System.nanoTime();
    DatasetEvaluation.Outcome search = DatasetEvaluation.search(data, rare, fold, 300, 42,
        io.medpipe.training.evaluation.Progress.NONE);
    double seconds = (System.nanoTime() - start) / 1e9;
    row(PRIMARY + " " + search.perFold(), search.cv(), Double.NaN, rare, seconds);
    for (Map.Entry<String, TrainingOptions> e : configs.entrySet()) {
      ProbabilityCalibration.Method method = e.getKey().contains("isotonic") ? ProbabilityCalibration.Method.ISOTONIC
          : ProbabilityCalibration.Method.PLATT;
      start = System.nanoTime();
      double[] rawBrier = new double[1];
      CrossValidation.Result cv = nestedCalibrated(data, e.getValue(), fold, method, rare, rawBrier);
      row(e.getKey(), cv, rawBrier[0], rare, (System.nanoTime() - start) / 1e9);
    }
  }

  private static void row(String name, CrossValidation.Result cv, double brierBefore, int rare, double seconds) {
    ClassificationMetrics.PerClass r = cv.metrics().perClass().get(rare);
    System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f | %.3f | %.3f | %.3f | %s%.3f | %.2f | %.2f | %.0f |%n", name,
        cv.metrics().macroF1(), cv.metrics().balancedAccuracy(), r.auprc(), r.recall(), r.specificity(),
        Double.isNaN(brierBefore) ? "" : String.format(Locale.ROOT, "%.3f -> ", brierBefore), r.brier(),
        r.calibrationSlope(), r.calibrationIntercept(), seconds);
  }

  /**
   * Outer cross-validation of one configuration whose model is calibrated as the pipeline calibrates it: in each outer
   * fold an inner stratified 5-fold cross-validation of the outer training rows gives out-of-fold predictions, the
   * calibration of the rarest class is fitted on those, and the model refitted on all outer training rows carries it.
   * A cost matrix's miss cost is capped by {@link ModelSelection#capMissCost} on the inner predictions, as the
   * pipeline's search does. {@code rawBrier[0]} receives the rarest-class Brier of the same models without
   * calibration.
   */
  static CrossValidation.Result nestedCalibrated(FeatureTable data, TrainingOptions options, int[] fold,
                                                 ProbabilityCalibration.Method method, int rare, double[] rawBrier) {
    int n = data.rows();
    int k = java.util.Arrays.stream(fold).max().orElse(0) + 1;
    double[][] proba = new double[n][];
    int[] predicted = new int[n];
    double brier = 0;
    List<CrossValidation.Fold> details = new ArrayList<>();
    for (int f = 0; f < k; f++) {
      final int ff = f;
      int[] test = java.util.stream.IntStream.range(0, n).filter(i -> fold[i] == ff).toArray();
      int[] train = java.util.stream.IntStream.range(0, n).filter(i -> fold[i] != ff).toArray();
      FeatureTable trainTable = data.subset(train);
      CrossValidation.Result inner = CrossValidation.run(trainTable, options, CrossValidation.DEFAULT_FOLDS, 42);
      // the miss cost capped as the pipeline caps it, on the inner folds' cross-fitted calibrated predictions
      TrainingOptions capped = ModelSelection.capMissCost(options, CrossValidation.recalibrate(inner, trainTable.y(),
          trainTable.classes(), method, rare).proba(), trainTable.y(), rare, TrainingRecipe.REQUIRED_SPECIFICITY);
      Classifier raw = Classifier.fit(trainTable, capped);
      Classifier model = raw.withCalibration(ProbabilityCalibration.fit(method, trainTable.y(), inner.proba(),
          rare), null);
      for (int i : test) {
        double[] p = raw.predictProba(data.x()[i]);
        brier += Math.pow(p[rare] - (data.y()[i] == rare ? 1 : 0), 2) / n;
        proba[i] = model.predictProba(data.x()[i]);
        predicted[i] = model.decide(proba[i]);
      }
      details.add(new CrossValidation.Fold(f, train, test, 0));
    }
    rawBrier[0] = brier;
    return new CrossValidation.Result(options, k, null, proba, predicted,
        ClassificationMetrics.of(data.y(), proba, predicted, data.classes()), List.copyOf(details), 0);
  }

  /**
   * An ensemble of forests whose probabilities are averaged (soft vote).
   *
   * @param members        the members' options, without a cost matrix (the ensemble's decision has it)
   * @param calibrateEach  true: each member is Platt-calibrated on its own inner out-of-fold predictions and the
   *                       calibrated probabilities are averaged; false: the members' raw probabilities are averaged
   *                       and the average is Platt-calibrated as one model
   */
  record Ensemble(String name, List<TrainingOptions> members, boolean calibrateEach) {
  }

  /** The specificity floor of the declared rows: the pipeline's own, {@link TrainingService#REQUIRED_SPECIFICITY}. */
  static final double FLOOR = TrainingRecipe.REQUIRED_SPECIFICITY;

  /** Diagnostic floors: what the same fitted models decide with the miss cost capped at a lower floor. */
  static final double[] DIAGNOSTIC_FLOORS = {0.85, 0.80};

  /**
   * The last attempt of issue 4 at one configuration that matches or beats the best peer on every column of both
   * sets. Declared here (and in docs/benchmarks.md) before any of their figures was seen, in the order tried; every
   * one is reported, whatever its figures. The claim is made on the floor-{@link #FLOOR} row only; the lower floors
   * are printed as a diagnostic of what the floor costs, not as candidates. All were declared after the fixed
   * configurations' figures on these same folds were known, so a win favours medpipe.
   *
   * <ol>
   *   <li>Soft vote of RF + undersampling (150 trees) and RF + SMOTE(-NC) (150 trees), 300 trees in all: each member
   *   Platt-calibrated for the rarest class on its inner out-of-fold predictions, the calibrated probabilities
   *   averaged, cost-matrix decision (miss cost 19, capped to keep rarest-class specificity >= 0.90 on the inner
   *   cross-fitted averaged predictions). Why: undersampling gave the best F1 / balanced accuracy, SMOTE the best
   *   rare-class ranking.</li>
   *   <li>Balanced bagging: 10 RF + undersampling forests of 30 trees (seeds 42..51, so each sees another
   *   undersample), 300 trees in all, raw probabilities averaged, the average Platt-calibrated as one model, the same
   *   capped cost-matrix decision. Why: one undersample throws most majority rows away; ten use most of them.</li>
   *   <li>Declared after the figures of 1 and 2 were seen (neither won; 1 lost hepatitis AUPRC, where SMOTE ranks
   *   worst): soft vote of three 100-tree forests, RF (no resampling), RF + undersampling and RF + SMOTE(-NC), 300
   *   trees in all, each Platt-calibrated on its inner out-of-fold predictions, averaged, the same capped cost-matrix
   *   decision. Why: plain RF was the peers' best ranker of the rarest class on both sets (scikit-learn RF AUPRC 0.113
   *   and 0.660). Expected before running: hepatitis recall stays below 0.719 at the 0.90 floor.</li>
   * </ol>
   */
  static List<Ensemble> declaredEnsembles() {
    TrainingOptions rf = TrainingOptions.defaults(42).withTrees(300).withClassWeighting(ClassWeighting.NONE)
        .withMaxNodes(100_000);
    List<Ensemble> out = new ArrayList<>();
    out.add(new Ensemble("1. soft vote: RF + undersampling (150) + RF + SMOTE (150), each Platt, averaged, cost matrix",
        List.of(rf.withResampling(Resampling.UNDERSAMPLE).withTrees(150), rf.withResampling(Resampling.SMOTE)
            .withTrees(150)),
        true));
    List<TrainingOptions> bags = new ArrayList<>();
    for (int s = 0; s < 10; s++) {
      bags.add(rf.withResampling(Resampling.UNDERSAMPLE).withTrees(30).withSeed(42 + s));
    }
    out.add(new Ensemble("2. balanced bagging: 10 x RF + undersampling (30), averaged, Platt, cost matrix",
        List.copyOf(bags), false));
    out.add(new Ensemble("3. soft vote: RF (100) + RF + undersampling (100) + RF + SMOTE (100), each Platt, averaged, "
        + "cost matrix",
        List.of(rf.withTrees(100), rf.withResampling(Resampling.UNDERSAMPLE).withTrees(100),
            rf.withResampling(Resampling.SMOTE).withTrees(100)),
        true));
    return out;
  }

  static void ensembles(String set, String label) throws IOException {
    FeatureTable data = CsvFixtures.read("/data/" + set + "/" + set + ".csv", label);
    int[] fold = folds(set, label);
    int rare = DatasetEvaluation.rarest(data);
    System.out.printf(Locale.ROOT, "%n%s, declared ensembles (nested: every calibration and cost cap fitted inside the "
        + "outer training folds), rarest %s, miss cost %.0f capped at specificity >= %.2f%n", set,
        data.classes().get(rare), TrainingRecipe.RARE_MISS_COST, FLOOR);
    System.out.println("| configuration | macro F1 | balanced acc | rarest AUPRC | rarest recall | rarest specificity"
        + " | rarest Brier before -> after | calib. slope after | calib. intercept after | s |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|");
    List<String> diagnostics = new ArrayList<>();
    for (Ensemble e : declaredEnsembles()) {
      long start = System.nanoTime();
      EnsembleOutcome o = nestedEnsemble(data, e, fold, rare);
      double seconds = (System.nanoTime() - start) / 1e9;
      row(e.name() + " (miss cost per fold " + o.costs()[0] + ")", o.results()[0], o.rawBrier(), rare, seconds);
      for (int d = 0; d < DIAGNOSTIC_FLOORS.length; d++) {
        CrossValidation.Result r = o.results()[d + 1];
        ClassificationMetrics.PerClass p = r.metrics().perClass().get(rare);
        diagnostics.add(String.format(Locale.ROOT, "  diagnostic, %s at floor %.2f (miss cost per fold %s): macro F1 "
            + "%.3f, balanced acc %.3f, rarest recall %.3f, rarest specificity %.3f", e.name().substring(0, 2),
            DIAGNOSTIC_FLOORS[d], o.costs()[d + 1], r.metrics().macroF1(), r.metrics().balancedAccuracy(),
            p.recall(), p.specificity()));
      }
    }
    diagnostics.forEach(System.out::println);
  }

  /**
   * @param results  per floor ({@link #FLOOR}, then {@link #DIAGNOSTIC_FLOORS}): the pooled outer predictions
   * @param costs    per floor: the capped miss cost of each outer fold
   * @param rawBrier the rarest-class Brier of the averaged uncalibrated member probabilities
   */
  record EnsembleOutcome(CrossValidation.Result[] results, List<Double>[] costs, double rawBrier) {
  }

  /**
   * Outer cross-validation of an {@link Ensemble}, nested as {@link #nestedCalibrated}: in each outer fold every member
   * is cross-validated on the outer training rows (inner stratified 5-fold, seed 42: the same inner folds for every
   * member), the calibration is fitted on those inner out-of-fold predictions, the miss cost is capped on their
   * cross-fitted calibrated average, and the members refitted on all outer training rows predict the outer test rows.
   */
  @SuppressWarnings("unchecked")
  static EnsembleOutcome nestedEnsemble(FeatureTable data, Ensemble ensemble, int[] fold, int rare) {
    int n = data.rows();
    int k = data.classes().size();
    int folds = java.util.Arrays.stream(fold).max().orElse(0) + 1;
    int floors = 1 + DIAGNOSTIC_FLOORS.length;
    double[][] proba = new double[n][];
    int[][] predicted = new int[floors][n];
    List<Double>[] costs = new List[floors];
    for (int d = 0; d < floors; d++) {
      costs[d] = new ArrayList<>();
    }
    double brier = 0;
    List<CrossValidation.Fold> details = new ArrayList<>();
    TrainingOptions withCosts = ensemble.members().get(0)
        .withCosts(CostMatrix.rareMiss(k, rare, TrainingRecipe.RARE_MISS_COST));
    int members = ensemble.members().size();
    for (int f = 0; f < folds; f++) {
      final int ff = f;
      int[] test = java.util.stream.IntStream.range(0, n).filter(i -> fold[i] == ff).toArray();
      int[] train = java.util.stream.IntStream.range(0, n).filter(i -> fold[i] != ff).toArray();
      FeatureTable trainTable = data.subset(train);
      int[] ty = trainTable.y();
      double[][] innerRaw = new double[train.length][k];
      double[][] innerCal = new double[train.length][k];
      ProbabilityCalibration[] maps = new ProbabilityCalibration[members];
      CrossValidation.Result first = null;
      for (int m = 0; m < members; m++) {
        CrossValidation.Result inner = CrossValidation.run(trainTable, ensemble.members().get(m),
            CrossValidation.DEFAULT_FOLDS, 42);
        first = first == null ? inner : first;
        add(innerRaw, inner.proba(), members);
        if (ensemble.calibrateEach()) {
          maps[m] = ProbabilityCalibration.fit(ProbabilityCalibration.Method.PLATT, ty, inner.proba(), rare);
          add(innerCal, CrossValidation.recalibrate(inner, ty, trainTable.classes(),
              ProbabilityCalibration.Method.PLATT, rare).proba(), members);
        }
      }
      ProbabilityCalibration averageMap = null;
      if (!ensemble.calibrateEach()) {
        averageMap = ProbabilityCalibration.fit(ProbabilityCalibration.Method.PLATT, ty, innerRaw, rare);
        CrossValidation.Result averaged = new CrossValidation.Result(ensemble.members().get(0), first.folds(), null,
            innerRaw, new int[train.length], null, first.foldDetails(), 0);
        innerCal = CrossValidation.recalibrate(averaged, ty, trainTable.classes(),
            ProbabilityCalibration.Method.PLATT, rare).proba();
      }
      CostMatrix[] capped = new CostMatrix[floors];
      for (int d = 0; d < floors; d++) {
        double floor = d == 0 ? FLOOR : DIAGNOSTIC_FLOORS[d - 1];
        capped[d] = ModelSelection.capMissCost(withCosts, innerCal, ty, rare, floor).costs();
        costs[d].add(capped[d].asList().get(rare).get(rare == 0 ? 1 : 0));
      }
      Classifier[] fitted = new Classifier[members];
      for (int m = 0; m < members; m++) {
        fitted[m] = Classifier.fit(trainTable, ensemble.members().get(m));
      }
      for (int i : test) {
        double[] raw = new double[k];
        double[] cal = new double[k];
        for (int m = 0; m < members; m++) {
          double[] p = fitted[m].predictProba(data.x()[i]);
          for (int c = 0; c < k; c++) {
            raw[c] += p[c] / members;
          }
          if (ensemble.calibrateEach()) {
            double[] q = maps[m].apply(p);
            for (int c = 0; c < k; c++) {
              cal[c] += q[c] / members;
            }
          }
        }
        proba[i] = ensemble.calibrateEach() ? cal : averageMap.apply(raw);
        brier += Math.pow(raw[rare] - (data.y()[i] == rare ? 1 : 0), 2) / n;
        for (int d = 0; d < floors; d++) {
          predicted[d][i] = capped[d].decide(proba[i]);
        }
      }
      details.add(new CrossValidation.Fold(f, train, test, 0));
    }
    CrossValidation.Result[] results = new CrossValidation.Result[floors];
    for (int d = 0; d < floors; d++) {
      results[d] = new CrossValidation.Result(withCosts, folds, null, proba, predicted[d],
          ClassificationMetrics.of(data.y(), proba, predicted[d], data.classes()), List.copyOf(details), 0);
    }
    return new EnsembleOutcome(results, costs, brier);
  }

  private static void add(double[][] sum, double[][] proba, int members) {
    for (int i = 0; i < sum.length; i++) {
      for (int c = 0; c < sum[i].length; c++) {
        sum[i][c] += proba[i][c] / members;
      }
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
      CsvDataset dataset = CsvDataset.of(io.medpipe.dataset.TabularFile.parse(set + ".csv",
          new String(data.readAllBytes(), StandardCharsets.UTF_8), "csv"), label);
      return dataset.folds(io.medpipe.dataset.TabularFile.parse("folds_seed42.csv",
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
    Classifier.fit(t, o);
    return (System.nanoTime() - start) / 1e9;
  }

  /** n rows, p features, 5% rare with the first five features shifted by 0.7 (the scale benchmark's table). */
  static FeatureTable synthetic(int n, int p, long seed) {
    return SyntheticTables.shifted(n, p, 0.05, 0.7, 5, "x", seed);
  }
}
