package io.medpipe.monitoring.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.medpipe.dataset.Feature;
import org.junit.jupiter.api.Test;

class DomainClassifierTest {

  private static final String[] NAMES = DriftFixtures.features().stream().map(Feature::name).toArray(String[]::new);
  private static final DomainClassifier.Settings SETTINGS = new DomainClassifier.Settings(50, 32, 3, 1500, 42);

  @Test
  void rankAucMatchesMannWhitney() {
    // scipy.stats.mannwhitneyu(pos, neg).statistic / (5 * 6) -> 0.7833333333333333 (ties at 0.8 and 0.4)
    double[] score = {0.9, 0.8, 0.8, 0.55, 0.4, 0.7, 0.5, 0.4, 0.3, 0.2, 0.8};
    int[] label = {1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0};
    assertThat(DomainClassifier.auc(score, label)).isCloseTo(0.7833333333333333, within(1e-12));
  }

  @Test
  void cannotTellTwoSamplesOfOnePopulationApart() {
    double[][] a = DriftFixtures.cohort(2000, DriftFixtures.Shift.none(), 21).rows();
    double[][] b = DriftFixtures.cohort(2000, DriftFixtures.Shift.none(), 22).rows();
    DomainClassifier.Result result = DomainClassifier.run(a, b, NAMES, SETTINGS);
    assertThat(result.auc()).isBetween(0.44, 0.56);
    assertThat(result.rowsPerSide()).isEqualTo(1500);
  }

  @Test
  void findsACreatinineAssayReadingHigherAndNamesIt() {
    double[][] a = DriftFixtures.cohort(2000, DriftFixtures.Shift.none(), 23).rows();
    double[][] b = DriftFixtures.cohort(5000, DriftFixtures.Shift.none().creatinine(1.15), 24).rows();
    DomainClassifier.Result result = DomainClassifier.run(a, b, NAMES, SETTINGS);
    assertThat(result.auc()).isGreaterThan(0.6);
    int top = 0;
    for (int j = 1; j < NAMES.length; j++) {
      if (result.importanceShare()[j] > result.importanceShare()[top]) {
        top = j;
      }
    }
    assertThat(NAMES[top]).isEqualTo("creatinine");
  }

  @Test
  void isReproducibleWithItsSeed() {
    double[][] a = DriftFixtures.cohort(600, DriftFixtures.Shift.none(), 25).rows();
    double[][] b = DriftFixtures.cohort(600, DriftFixtures.Shift.none().lysoMissing(0.4), 26).rows();
    assertThat(DomainClassifier.run(a, b, NAMES, SETTINGS).auc())
        .isEqualTo(DomainClassifier.run(a, b, NAMES, SETTINGS).auc());
  }
}
