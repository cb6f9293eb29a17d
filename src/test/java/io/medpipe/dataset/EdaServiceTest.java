package io.medpipe.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import io.medpipe.dataset.EdaReport.ClassShare;
import io.medpipe.dataset.EdaReport.FeatureSummary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The imbalance-first EDA on hand-made tables whose every figure is known. */
class EdaServiceTest {

  static final double NA = Double.NaN;
  static final List<Feature> FEATURES = List.of(
      Feature.numeric("creatinine", "mg/dL", 0.1, 15.0, true),
      Feature.numeric("lvmi", "g/m2", 30, 300, false));

  /**
   * 12 rows: none x8, hcm x3, fabry x1 (classes listed fabry, hcm, none). creatinine is missing in 3 rows
   * (all of them "none"), lvmi is observed only for the fabry row.
   */
  static FeatureTable table() {
    List<double[]> x = new ArrayList<>();
    List<Integer> y = new ArrayList<>();
    x.add(new double[] {3.0, 150});  // fabry
    y.add(0);
    for (double c : new double[] {1.0, 2.0, 3.0}) { // hcm, mean 2.0
      x.add(new double[] {c, NA});
      y.add(1);
    }
    for (double c : new double[] {1.0, 1.0, 1.0, 1.0, 2.0, NA, NA, NA}) { // none, mean of observed 1.2
      x.add(new double[] {c, NA});
      y.add(2);
    }
    return new FeatureTable(FEATURES, List.of("fabry", "hcm", "none"), x.toArray(double[][]::new),
        y.stream().mapToInt(Integer::intValue).toArray());
  }

  @Test
  void measuresImbalanceAsMajorityOverMinority() {
    EdaReport r = EdaService.analyse(table());

    assertThat(r.rows()).isEqualTo(12);
    assertThat(r.majorityClass()).isEqualTo("none");
    assertThat(r.minorityClass()).isEqualTo("fabry");
    assertThat(r.minorityCount()).isEqualTo(1);
    assertThat(r.imbalanceRatio()).isEqualTo(8.0);
  }

  @Test
  void reportsEachClassShareAndRatioToTheMajority() {
    EdaReport r = EdaService.analyse(table());

    assertThat(r.classes()).extracting(ClassShare::label, ClassShare::count)
        .containsExactly(tuple("fabry", 1), tuple("hcm", 3),
            tuple("none", 8));
    assertThat(r.classes().get(1).share()).isCloseTo(0.25, within(1e-12));
    assertThat(r.classes().get(1).ratioToMajority()).isCloseTo(0.375, within(1e-12));
    assertThat(r.classes().get(2).ratioToMajority()).isEqualTo(1.0);
  }

  @Test
  void marksClassesWithFewerThanFiveRowsAsNotEvaluable() {
    assertThat(EdaService.analyse(table()).notEvaluable()).containsExactly("fabry", "hcm");
  }

  @Test
  void countsAClassWithExactlyFiveRowsAsEvaluable() {
    double[][] x = new double[10][];
    int[] y = new int[10];
    for (int i = 0; i < 10; i++) {
      x[i] = new double[] {1.0, 100};
      y[i] = i < 5 ? 0 : 1;
    }
    EdaReport r = EdaService.analyse(new FeatureTable(FEATURES, List.of("a", "b"), x, y));

    assertThat(r.notEvaluable()).isEmpty();
    assertThat(r.imbalanceRatio()).isEqualTo(1.0);
  }

  @Test
  void reportsMissingSharesAndMeansOfObservedValues() {
    List<FeatureSummary> features = EdaService.analyse(table()).features();

    FeatureSummary creatinine = features.get(0);
    assertThat(creatinine.name()).isEqualTo("creatinine");
    assertThat(creatinine.type()).isEqualTo("NUMERIC");
    assertThat(creatinine.missingShare()).isEqualTo(0.25);
    assertThat(creatinine.mean()).isEqualTo(Math.round(15.0 / 9 * 10000) / 10000.0);
    assertThat(creatinine.meanByClass()).containsEntry("fabry", 3.0).containsEntry("hcm", 2.0)
        .containsEntry("none", 1.2);

    FeatureSummary lvmi = features.get(1);
    assertThat(lvmi.missingShare()).isEqualTo(Math.round(11.0 / 12 * 10000) / 10000.0);
    assertThat(lvmi.mean()).isEqualTo(150.0);
    assertThat(lvmi.meanByClass()).containsEntry("fabry", 150.0).containsEntry("hcm", null)
        .containsEntry("none", null);
  }

  @Test
  void reportsAnUnobservedFeatureAsFullyMissingWithoutAMean() {
    double[][] x = new double[6][];
    Arrays.setAll(x, i -> new double[] {1.0, NA});
    EdaReport r = EdaService.analyse(new FeatureTable(FEATURES, List.of("a"), x, new int[6]));

    assertThat(r.features().get(1).missingShare()).isEqualTo(1.0);
    assertThat(r.features().get(1).mean()).isNaN();
  }

  @Test
  void reportsAnInfiniteRatioWhenAListedClassHasNoRows() {
    double[][] x = new double[6][];
    Arrays.setAll(x, i -> new double[] {1.0, 100});
    EdaReport r = EdaService.analyse(new FeatureTable(FEATURES, List.of("a", "b"), x, new int[6]));

    assertThat(r.minorityClass()).isEqualTo("b");
    assertThat(r.minorityCount()).isZero();
    assertThat(r.imbalanceRatio()).isInfinite();
    assertThat(r.notEvaluable()).containsExactly("b");
  }
}
