package io.medpipe.training.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class StratifiedSplitTest {

  /** 80 rows of class 0, 17 of class 1, 2 of class 2, 1 of class 3, interleaved. */
  private static int[] labels() {
    int[] y = new int[100];
    for (int i = 0; i < 100; i++) {
      y[i] = i < 80 ? 0 : i < 97 ? 1 : i < 99 ? 2 : 3;
    }
    // interleave deterministically so class blocks are not contiguous
    int[] shuffled = new int[100];
    for (int i = 0; i < 100; i++) {
      shuffled[(i * 37) % 100] = y[i];
    }
    return shuffled;
  }

  private static int count(int[] y, int[] rows, int label) {
    return (int) Arrays.stream(rows).filter(r -> y[r] == label).count();
  }

  @Test
  void holdOutIsSortedDisjointAndCoversEveryRow() {
    int[] y = labels();
    StratifiedSplit.Split split = StratifiedSplit.holdOut(y, 0.25, 7);

    assertThat(split.train()).isSorted();
    assertThat(split.test()).isSorted();
    int[] all = IntStream.concat(Arrays.stream(split.train()), Arrays.stream(split.test())).sorted().toArray();
    assertThat(all).isEqualTo(IntStream.range(0, y.length).toArray());
  }

  @Test
  void holdOutTakesTheRoundedShareOfEachClassButKeepsSmallClassesOnBothSides() {
    int[] y = labels();
    StratifiedSplit.Split split = StratifiedSplit.holdOut(y, 0.25, 7);

    assertThat(count(y, split.test(), 0)).isEqualTo(20);   // round(0.25 * 80)
    assertThat(count(y, split.test(), 1)).isEqualTo(4);    // round(0.25 * 17) = round(4.25)
    assertThat(count(y, split.test(), 2)).isEqualTo(1);    // round(0.5) = 1, and 1 must stay in train
    assertThat(count(y, split.train(), 2)).isEqualTo(1);
    assertThat(count(y, split.test(), 3)).isZero();        // a single row cannot be on both sides: train
    assertThat(count(y, split.train(), 3)).isEqualTo(1);

    // 0.9 of 2 rows would be 2 test rows: clamped so train keeps one
    StratifiedSplit.Split big = StratifiedSplit.holdOut(new int[] {0, 0, 1, 1, 1, 1}, 0.9, 1);
    assertThat(big.train()).hasSize(2);
  }

  @Test
  void holdOutIsDeterministicForASeedAndVariesWithIt() {
    int[] y = labels();
    assertThat(StratifiedSplit.holdOut(y, 0.3, 42).test()).isEqualTo(StratifiedSplit.holdOut(y, 0.3, 42).test());
    assertThat(StratifiedSplit.holdOut(y, 0.3, 42).test()).isNotEqualTo(StratifiedSplit.holdOut(y, 0.3, 43).test());
  }

  @Test
  void foldsSpreadEveryClassEvenly() {
    int[] y = labels();
    int k = 5;
    int[] fold = StratifiedSplit.folds(y, k, 3);

    assertThat(fold).hasSize(y.length);
    assertThat(Arrays.stream(fold).allMatch(f -> f >= 0 && f < k)).isTrue();
    for (int label = 0; label <= 1; label++) {
      int[] perFold = new int[k];
      for (int i = 0; i < y.length; i++) {
        if (y[i] == label) {
          perFold[fold[i]]++;
        }
      }
      int min = Arrays.stream(perFold).min().orElseThrow();
      int max = Arrays.stream(perFold).max().orElseThrow();
      assertThat(max - min).as("class %d per fold %s", label, Arrays.toString(perFold)).isLessThanOrEqualTo(1);
    }
    int[] sizes = new int[k];
    for (int f : fold) {
      sizes[f]++;
    }
    assertThat(sizes).containsOnly(20);
    assertThat(StratifiedSplit.folds(y, k, 3)).isEqualTo(fold);
    assertThat(StratifiedSplit.folds(y, k, 4)).isNotEqualTo(fold);
  }

  @Test
  void rejectsInvalidArguments() {
    assertThatThrownBy(() -> StratifiedSplit.holdOut(new int[] {0, 1}, 1.0, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("testFraction");
    assertThatThrownBy(() -> StratifiedSplit.holdOut(new int[] {0, 1}, Double.NaN, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StratifiedSplit.folds(new int[] {0, 1}, 3, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("k must be");
    assertThatThrownBy(() -> StratifiedSplit.folds(new int[] {0, -1}, 2, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("non-negative");
  }
}
