package io.medpipe.training.resampling;

import static org.assertj.core.api.Assertions.assertThat;

import io.medpipe.dataset.FeatureTable;
import io.medpipe.training.SyntheticTables;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** SMOTE(-NC) and undersampling on the synthetic rare-class fixture. */
class ResamplerTest {

  private static FeatureTable data;

  @BeforeAll
  static void load() {
    data = SyntheticTables.rareLabs(600, 3);
  }

  @Test
  void smoteNcFillsTheRareClassWithRowsBetweenRareNeighboursAndValidCategories() {
    double[][] x = Arrays.stream(data.x()).map(r -> Arrays.stream(r).map(v -> Double.isNaN(v) ? 0 : v).toArray())
        .toArray(double[][]::new);
    int[] counts = data.classCounts();
    Resampler.Result r = Resampler.smote(data.features(), x, data.y(), 2, 9);

    assertThat(r.method()).startsWith("SMOTE-NC");
    assertThat(r.synthetic()).isEqualTo(counts[0] - counts[1]);
    assertThat(r.x().length).isEqualTo(data.rows() + r.synthetic());
    int p = data.features().size();
    for (int s = data.rows(); s < r.x().length; s++) {
      double[] row = r.x()[s];
      assertThat(r.y()[s]).isEqualTo(1);
      // every numeric value within the rare class's own range (an interpolation of two rare rows)
      for (int j = 0; j < p - 2; j++) {
        final int col = j;
        double min = IntStream.range(0, data.rows()).filter(i -> data.y()[i] == 1).mapToDouble(i -> x[i][col]).min()
            .orElseThrow();
        double max = IntStream.range(0, data.rows()).filter(i -> data.y()[i] == 1).mapToDouble(i -> x[i][col]).max()
            .orElseThrow();
        assertThat(row[j]).isBetween(min, max);
      }
      assertThat(row[p - 2]).isIn(0.0, 1.0);      // binary stays binary
      assertThat(row[p - 1]).isIn(0.0, 1.0, 2.0); // a category stays a level
    }
  }

  @Test
  void undersamplingCutsEveryClassToTheSmallest() {
    Resampler.Result r = Resampler.undersample(data.x(), data.y(), 2, 4);
    int rare = data.classCounts()[1];
    assertThat(r.y()).hasSize(2 * rare);
    assertThat(Arrays.stream(r.y()).filter(v -> v == 1).count()).isEqualTo(rare);
  }
}
