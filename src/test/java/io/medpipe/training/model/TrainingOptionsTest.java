package io.medpipe.training.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TrainingOptionsTest {

  @Test
  void defaultsAreABalancedForestOfSmallTrees() {
    TrainingOptions o = TrainingOptions.defaults(9);
    assertThat(o.algorithm()).isEqualTo(Algorithm.RANDOM_FOREST);
    assertThat(o.trees()).isEqualTo(200);
    assertThat(o.maxDepth()).isEqualTo(20);
    assertThat(o.maxNodes()).isEqualTo(256);
    assertThat(o.mtry()).isZero();
    assertThat(o.nodeSize()).isEqualTo(2);
    assertThat(o.classWeighting()).isEqualTo(ClassWeighting.BALANCED);
    assertThat(o.asMap()).containsEntry("trees", 200).containsEntry("classWeighting", "BALANCED")
        .containsEntry("seed", 9L).containsKeys("algorithm", "maxDepth", "maxNodes", "mtry", "nodeSize");
  }

  @Test
  void rejectsOutOfRangeValuesWithTheirName() {
    TrainingOptions d = TrainingOptions.defaults(1);
    assertThatThrownBy(() -> d.withTrees(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trees");
    assertThatThrownBy(() -> d.withTrees(5001)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> d.withClassWeighting(null)).hasMessageContaining("classWeighting");
    assertThatThrownBy(() -> new TrainingOptions(null, 10, 5, 10, 0, 1, ClassWeighting.NONE, 1))
        .hasMessageContaining("algorithm");
    assertThatThrownBy(() -> new TrainingOptions(Algorithm.RANDOM_FOREST, 10, 1, 10, 0, 1, ClassWeighting.NONE, 1))
        .hasMessageContaining("maxDepth");
    assertThatThrownBy(() -> new TrainingOptions(Algorithm.RANDOM_FOREST, 10, 5, 1, 0, 1, ClassWeighting.NONE, 1))
        .hasMessageContaining("maxNodes");
    assertThatThrownBy(() -> new TrainingOptions(Algorithm.RANDOM_FOREST, 10, 5, 10, -1, 1, ClassWeighting.NONE, 1))
        .hasMessageContaining("mtry");
    assertThatThrownBy(() -> new TrainingOptions(Algorithm.RANDOM_FOREST, 10, 5, 10, 0, 0, ClassWeighting.NONE, 1))
        .hasMessageContaining("nodeSize");
  }
}
