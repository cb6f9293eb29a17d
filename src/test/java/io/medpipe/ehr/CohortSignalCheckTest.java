package io.medpipe.ehr;

import static org.assertj.core.api.Assertions.assertThat;

import io.medpipe.ehr.EhrExtractor.ExtractRow;
import java.time.LocalDate;
import java.time.Period;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import smile.base.cart.SplitRule;
import smile.classification.RandomForest;
import smile.data.DataFrame;
import smile.data.formula.Formula;
import smile.data.vector.IntVector;

/**
 * Is the Fabry signal of the synthetic cohort learnable but not trivial? Generates 4000 patients at 1.5% Fabry
 * prevalence, extracts them, trains a random forest on 75% and scores Fabry-vs-rest on the held-out 25%.
 */
class CohortSignalCheckTest {

  record Result(double recall, double precision, double auprc, int positives) {
  }

  @Test
  void randomForestFindsFabryButNotPerfectly() {
    FeatureSpec spec = FeatureSpecTest.shipped();
    List<Result> results = new ArrayList<>();
    for (long seed = 1; seed <= 5; seed++) {
      DataSource db = TestDatabase.freshDatabase();
      CohortOptions options = CohortOptions.of(4000, seed).withFabryPrevalence(0.015);
      SyntheticCohort.generate(db, options);
      EhrExtractor extractor = new EhrExtractor(db);
      List<ExtractRow> rows = extractor.rows(extractor.extract(spec, options.indexDate(), null).extractId());
      Result r = evaluate(spec, rows, options.indexDate(), seed);
      results.add(r);
      System.out.printf(Locale.ROOT, "cohort seed %d: fabry test positives %d, recall %.3f, precision %.3f,"
          + " AUPRC %.3f%n", seed, r.positives(), r.recall(), r.precision(), r.auprc());
    }
    double recall = results.stream().mapToDouble(Result::recall).average().orElseThrow();
    double auprc = results.stream().mapToDouble(Result::auprc).average().orElseThrow();
    System.out.printf(Locale.ROOT, "mean over 5 cohorts: recall %.3f, AUPRC %.3f%n", recall, auprc);
    assertThat(recall).isGreaterThanOrEqualTo(0.8);
    assertThat(auprc).isGreaterThanOrEqualTo(0.5).isLessThan(0.98);
  }

  static Result evaluate(FeatureSpec spec, List<ExtractRow> rows, LocalDate index, long seed) {
    int p = spec.featureDefs().size();
    int ageSlot = spec.indexOf("age");
    double[][] x = new double[rows.size()][];
    int[] y = new int[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      ExtractRow row = rows.get(i);
      double[] f = row.features().clone();
      f[ageSlot] = Period.between(row.birthDate(), index).getYears(); // what pseudonymisation will provide
      for (int k = 0; k < p; k++) {
        if (Double.isNaN(f[k])) {
          f[k] = -1; // trees split a sentinel away from real values
        }
      }
      x[i] = f;
      y[i] = row.label().equals("fabry") ? 1 : 0;
    }
    // stratified 25% hold-out
    SplittableRandom rnd = new SplittableRandom(seed * 31 + 7);
    List<Integer> train = new ArrayList<>();
    List<Integer> test = new ArrayList<>();
    for (int cls = 0; cls <= 1; cls++) {
      List<Integer> idx = new ArrayList<>();
      for (int i = 0; i < y.length; i++) {
        if (y[i] == cls) {
          idx.add(i);
        }
      }
      for (int i = idx.size() - 1; i > 0; i--) {
        int j = rnd.nextInt(i + 1);
        Integer t = idx.get(i);
        idx.set(i, idx.get(j));
        idx.set(j, t);
      }
      int nTest = (int) Math.round(idx.size() * 0.25);
      test.addAll(idx.subList(0, nTest));
      train.addAll(idx.subList(nTest, idx.size()));
    }
    String[] names = spec.featureDefs().stream().map(FeatureSpec.FeatureDef::name).toArray(String[]::new);
    DataFrame trainDf = DataFrame.of(pick(x, train), names).merge(IntVector.of("y", pickY(y, train)));
    // Smile divides class-i samples by classWeight[i] (STACK-NOTES 15): the majority class gets the big number.
    // {50, 1} roughly balances the trees; {20, 1} gave recall 0.80 / precision 0.68 / AUPRC 0.86 (mean of 5).
    int[] classWeight = {50, 1};
    RandomForest rf = RandomForest.fit(Formula.lhs("y"), trainDf, 300, 5, SplitRule.GINI, 20, 500, 2, 1.0,
        classWeight, LongStream.range(0, 300).map(s -> s + 1000 * seed));
    DataFrame testDf = DataFrame.of(pick(x, test), names);
    double[] score = new double[test.size()];
    int tp = 0;
    int fp = 0;
    int positives = 0;
    for (int i = 0; i < test.size(); i++) {
      double[] post = new double[2];
      int pred = rf.predict(testDf.get(i), post);
      score[i] = post[1];
      int truth = y[test.get(i)];
      positives += truth;
      if (pred == 1 && truth == 1) {
        tp++;
      } else if (pred == 1) {
        fp++;
      }
    }
    return new Result((double) tp / positives, tp + fp == 0 ? 0 : (double) tp / (tp + fp),
        averagePrecision(score, pickY(y, test)), positives);
  }

  /** Area under the precision-recall curve as average precision (step-wise, ties broken pessimistically). */
  static double averagePrecision(double[] score, int[] truth) {
    Integer[] order = new Integer[score.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> score[a] != score[b] ? Double.compare(score[b], score[a])
        : Integer.compare(truth[a], truth[b]));
    int positives = Arrays.stream(truth).sum();
    double ap = 0;
    int tp = 0;
    for (int k = 0; k < order.length; k++) {
      if (truth[order[k]] == 1) {
        tp++;
        ap += (double) tp / (k + 1);
      }
    }
    return ap / positives;
  }

  private static double[][] pick(double[][] x, List<Integer> rows) {
    return rows.stream().map(i -> x[i]).toArray(double[][]::new);
  }

  private static int[] pickY(int[] y, List<Integer> rows) {
    return rows.stream().mapToInt(i -> y[i]).toArray();
  }
}
