package io.medpipe.monitoring.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.medpipe.dataset.Feature;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReferenceProfileTest {

  private static final List<Feature> FEATURES = List.of(
      Feature.numeric("creatinine", "umol/L", 10, 2000, true),
      Feature.binary("neuropathic_pain", true),
      Feature.categorical("site", List.of("north", "south", "east"), true));

  /** Six rows with a missing lab, a missing finding and a code that is no level. */
  static ReferenceProfile small() {
    double[][] rows = {
        {80.0, 0, 0},
        {95.5, 1, 1},
        {Double.NaN, 0, 1},
        {120.25, Double.NaN, 2},
        {80.0, 0, 5},
        {101.0, 1, 0}};
    return ReferenceProfile.builder(FEATURES, List.of("healthy", "fabry"))
        .rows(rows)
        .truth(new int[] {0, 1, 0, 0, 0, 1})
        .predicted(new int[] {0, 1, 0, 1, 0, 0})
        .probabilities(new double[][] {{0.9, 0.1}, {0.3, 0.7}, {0.95, 0.05}, {0.4, 0.6}, {0.99, 0.01},
            {0.55, 0.45}})
        .shap(new double[][] {{0.1, -0.2, 0}, {0.3, 0.2, 0}, {-0.1, 0, 0}, {0.5, 0, 0.1}, {0.1, 0, 0}, {0.2, 0.4, 0}})
        .quantileBins(4)
        .probabilityBins(10)
        .build();
  }

  @Test
  void countsMissingValuesCategoriesAndTheConfusionMatrix() {
    ReferenceProfile p = small();
    assertThat(p.rows()).isEqualTo(6);
    assertThat(p.classPrior()).containsExactly(4 / 6.0, 2 / 6.0);
    // confusion[predicted][true]
    assertThat(p.confusionMatrix()).isDeepEqualTo(new long[][] {{3, 1}, {1, 1}});
    ReferenceProfile.FeatureProfile creatinine = p.features().get(0);
    assertThat(creatinine.missing()).isEqualTo(1);
    assertThat(creatinine.numeric().edges()).containsExactly(80.0, 95.5, 101.0, 120.25);
    assertThat(creatinine.numeric().counts()).containsExactly(2L, 1L, 1L, 1L);
    assertThat(creatinine.numeric().mean()).isCloseTo((80 + 95.5 + 120.25 + 80 + 101) / 5, within(1e-12));
    ReferenceProfile.FeatureProfile pain = p.features().get(1);
    assertThat(pain.missing()).isEqualTo(1);
    assertThat(pain.categoryCounts()).containsExactly(3L, 2L);
    ReferenceProfile.FeatureProfile site = p.features().get(2);
    assertThat(site.categoryCounts()).containsExactly(2L, 2L, 1L);
    assertThat(site.otherCount()).isEqualTo(1);
    assertThat(p.probabilities().get(1).counts()).containsExactly(2L, 1L, 0L, 0L, 1L, 0L, 1L, 1L, 0L, 0L);
    assertThat(p.meanAbsShap().get(0)).isCloseTo(1.3 / 6, within(1e-12));
  }

  @Test
  void canonicalJsonRoundTripsToTheSameProfileAndBytes() {
    ReferenceProfile p = small().withThresholds(new ReferenceProfile.LearnedThresholds(50, 0.99, 7,
        Map.of("site", new ReferenceProfile.FeatureBand(0.12, 0.0), "creatinine",
            new ReferenceProfile.FeatureBand(0.1, Double.NaN)),
        0.57));
    String json = p.toCanonicalJson();
    ReferenceProfile back = ReferenceProfile.fromJson(json);
    assertThat(back.toCanonicalJson()).isEqualTo(json);
    assertThat(back.sha256()).isEqualTo(p.sha256());
    assertThat(back.features()).isEqualTo(p.features());
    assertThat(back.thresholds().features().get("creatinine").missingness()).isNaN();
    // keys are sorted, so construction order does not change the bytes
    assertThat(json.indexOf("\"classCounts\"")).isLessThan(json.indexOf("\"features\""));
  }

  @Test
  void aProfileWrittenByFormatOneStillReadsAndKeepsItsChecksum() throws IOException {
    String stored;
    try (InputStream in = getClass().getResourceAsStream("/monitoring/profile-format-1.json")) {
      stored = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    }
    ReferenceProfile p = ReferenceProfile.fromJson(stored);
    assertThat(p.toCanonicalJson()).isEqualTo(stored);
    assertThat(p.sha256()).isEqualTo(sha256(stored));
    assertThat(p).isEqualTo(small());
  }

  @Test
  void refusesInconsistentInputNamingTheField() {
    assertThatThrownBy(() -> ReferenceProfile.builder(FEATURES, List.of("healthy", "fabry"))
        .rows(new double[][] {{1, 0, 0}}).truth(new int[] {0, 1}).predicted(new int[] {0})
        .probabilities(new double[][] {{1, 0}}).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truth");
    assertThatThrownBy(() -> ReferenceProfile.builder(FEATURES, List.of("healthy", "fabry"))
        .rows(new double[][] {{1, 0, 0}}).truth(new int[] {0}).predicted(new int[] {2})
        .probabilities(new double[][] {{1, 0}}).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("predicted[0]");
    assertThatThrownBy(() -> ReferenceProfile.builder(FEATURES, List.of("healthy", "fabry"))
        .rows(new double[][] {{1, 0, 0}}).truth(new int[] {0}).predicted(new int[] {0})
        .probabilities(new double[][] {{Double.NaN, 0}}).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("probabilities[0][0]");
    assertThatThrownBy(() -> ReferenceProfile.fromJson("{\"formatVersion\":2}"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("newer");
  }

  @Test
  void canonicalDoublesAreExactAndFixed() {
    assertThat(ReferenceProfile.fromJson(small().toCanonicalJson()).features().get(0).numeric().mean())
        .isEqualTo(small().features().get(0).numeric().mean());
    // 0.1 is written from its exact binary value to 17 digits, the same on every JDK
    String json = small().withThresholds(new ReferenceProfile.LearnedThresholds(50, 0.1, 1, Map.of(), null))
        .toCanonicalJson();
    assertThat(json).contains("\"quantile\":0.10000000000000001");
  }

  static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
