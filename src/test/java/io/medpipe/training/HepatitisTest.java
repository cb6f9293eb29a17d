package io.medpipe.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.medpipe.dataset.FeatureTable;
import io.medpipe.dataset.FeatureType;
import io.medpipe.training.evaluation.ClassificationMetrics;
import io.medpipe.training.evaluation.StratifiedSplit;
import io.medpipe.training.model.Classifier;
import io.medpipe.training.model.TrainingOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Training on real clinical data: UCI Hepatitis (155 patients, 32 died; CC BY 4.0, see data/hepatitis/README.txt).
 */
class HepatitisTest {

  private static FeatureTable data;

  @BeforeAll
  static void load() {
    data = CsvFixtures.read("/data/hepatitis/hepatitis.csv", "class");
  }

  @Test
  void csvIsReadAsDocumented() {
    assertThat(data.rows()).isEqualTo(155);
    assertThat(data.features()).hasSize(19);
    assertThat(data.classes()).containsExactly("DIE", "LIVE");
    assertThat(data.classCounts()).containsExactly(32, 123);
    long missing = Arrays.stream(data.x()).flatMapToDouble(Arrays::stream).filter(Double::isNaN).count();
    assertThat(missing).isEqualTo(167);
    assertThat(data.features().get(1).name()).isEqualTo("sex");
    assertThat(data.features().get(1).type()).isEqualTo(FeatureType.CATEGORICAL);
    assertThat(data.features().get(1).levels()).containsExactly("female", "male");
  }

  @Test
  void balancedForestRanksDeathsWellOnAStratifiedHoldOut() {
    StratifiedSplit.Split split = StratifiedSplit.holdOut(data.y(), 0.25, 42);
    FeatureTable train = data.subset(split.train());
    FeatureTable test = data.subset(split.test());
    Classifier model = Classifier.fit(train, TrainingOptions.defaults(42));

    double[][] proba = probabilities(model, test);
    ClassificationMetrics metrics = ClassificationMetrics.of(test.y(), proba, data.classes());
    System.out.println("hepatitis hold-out (" + test.rows() + " rows, " + test.classCounts()[0] + " DIE): " + metrics);
    assertThat(metrics.forClass("DIE").support()).isEqualTo(8); // round(0.25 * 32)
    assertThat(metrics.forClass("DIE").rocAuc()).isGreaterThan(0.7);

    // reproducibility: the same data, options and seed give the very same probabilities
    Classifier again = Classifier.fit(train, TrainingOptions.defaults(42));
    assertThat(probabilities(again, test)).isDeepEqualTo(proba);
  }

  @Test
  void crossValidatedDeathRocAucOnTheSharedFolds() throws IOException {
    int[] fold = sharedFolds();
    double[][] proba = new double[data.rows()][];
    for (int f = 0; f < 5; f++) {
      int current = f;
      int[] trainRows = IntStream.range(0, data.rows()).filter(i -> fold[i] != current).toArray();
      int[] testRows = IntStream.range(0, data.rows()).filter(i -> fold[i] == current).toArray();
      Classifier model = Classifier.fit(data.subset(trainRows), TrainingOptions.defaults(42));
      for (int i : testRows) {
        proba[i] = model.predictProba(data.x()[i]);
      }
    }
    ClassificationMetrics pooled = ClassificationMetrics.of(data.y(), proba, data.classes());
    System.out.println("hepatitis 5-fold CV (folds_seed42.csv), pooled out-of-fold: " + pooled);
    assertThat(pooled.forClass("DIE").rocAuc()).isGreaterThan(0.7);
  }

  /** The test fold of every row from folds_seed42.csv, the split the peer baselines used. */
  private static int[] sharedFolds() throws IOException {
    try (InputStream in = HepatitisTest.class.getResourceAsStream("/data/hepatitis/folds_seed42.csv")) {
      String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\\R");
      int[] fold = new int[data.rows()];
      for (int i = 1; i < lines.length; i++) {
        String[] f = lines[i].split(",");
        int row = Integer.parseInt(f[0]);
        fold[row] = Integer.parseInt(f[1]);
        assertThat(f[2]).isEqualTo(data.classes().get(data.y()[row])); // the folds file matches our row order
      }
      return fold;
    }
  }

  private static double[][] probabilities(Classifier model, FeatureTable table) {
    double[][] p = new double[table.rows()][];
    for (int i = 0; i < p.length; i++) {
      p[i] = model.predictProba(table.x()[i]);
    }
    return p;
  }
}
