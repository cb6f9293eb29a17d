package io.medpipe.champion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.medpipe.training.evaluation.ClassificationMetrics;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The paired bootstrap against numpy and scikit-learn on a fixed table (src/test/resources/champion, with the script
 * that made the reference), and its properties: deterministic under its seed, a difference of nothing between a model
 * and itself, average precision over a draw equal to the plain computation on the drawn rows.
 */
class PairedBootstrapTest {

  record Table(boolean[] positive, PairedBootstrap.Scored challenger, PairedBootstrap.Scored champion) {}

  static Table table() throws Exception {
    List<String> lines;
    try (InputStream in = PairedBootstrapTest.class.getResourceAsStream("/champion/paired_bootstrap_table.csv")) {
      lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().skip(1).toList();
    }
    int n = lines.size();
    boolean[] positive = new boolean[n];
    double[] a = new double[n];
    double[] b = new double[n];
    boolean[] ca = new boolean[n];
    boolean[] cb = new boolean[n];
    for (int i = 0; i < n; i++) {
      String[] f = lines.get(i).split(",");
      positive[i] = f[0].equals("1");
      a[i] = Double.parseDouble(f[1]);
      b[i] = Double.parseDouble(f[2]);
      ca[i] = f[3].equals("1");
      cb[i] = f[4].equals("1");
    }
    return new Table(positive, new PairedBootstrap.Scored(a, ca), new PairedBootstrap.Scored(b, cb));
  }

  @Test
  void matchesNumpyAndScikitLearnOnAFixedTable() throws Exception {
    JsonNode ref;
    try (InputStream in = getClass().getResourceAsStream("/champion/paired_bootstrap_reference.json")) {
      ref = new ObjectMapper().readTree(in);
    }
    Table t = table();
    PairedBootstrap.Result r = PairedBootstrap.of(t.positive(), t.challenger(), t.champion(),
        ref.path("resamples").asInt(), 11);
    // recall over a draw takes values k/m with m around 32: a bound can sit one step (about 0.03) away
    check(r.challengerRecall(), ref.path("challengerRecall"), 0.035);
    check(r.championRecall(), ref.path("championRecall"), 0.035);
    check(r.recallDifference(), ref.path("recallDifference"), 0.035);
    check(r.challengerAuprc(), ref.path("challengerAuprc"), 0.01);
    check(r.championAuprc(), ref.path("championAuprc"), 0.01);
    check(r.auprcDifference(), ref.path("auprcDifference"), 0.01);
    assertThat(r.defined()).isEqualTo(r.replicates());
    // pairing: the interval of the difference is narrower than that of resampling the two models independently
    double width = r.auprcDifference().upper() - r.auprcDifference().lower();
    assertThat(width).isLessThan(0.8 * ref.path("unpairedAuprcDifferenceWidth").asDouble());
  }

  private static void check(PairedBootstrap.Interval got, JsonNode want, double tolerance) {
    // point values are computed, not resampled: equal to scikit-learn's
    assertThat(got.value()).isCloseTo(want.path("value").asDouble(), within(1e-12));
    // bounds: two random generators, 20,000 resamples each (AUPRC's 2.5th percentile varies by about 0.002)
    assertThat(got.lower()).isCloseTo(want.path("lower").asDouble(), within(tolerance));
    assertThat(got.upper()).isCloseTo(want.path("upper").asDouble(), within(tolerance));
  }

  @Test
  void theSameSeedGivesTheSameIntervalsAndAnotherSeedOthers() throws Exception {
    Table t = table();
    PairedBootstrap.Result one = PairedBootstrap.of(t.positive(), t.challenger(), t.champion(), 500, 5);
    PairedBootstrap.Result again = PairedBootstrap.of(t.positive(), t.challenger(), t.champion(), 500, 5);
    PairedBootstrap.Result other = PairedBootstrap.of(t.positive(), t.challenger(), t.champion(), 500, 6);
    assertThat(again).isEqualTo(one);
    assertThat(other.auprcDifference().lower()).isNotEqualTo(one.auprcDifference().lower());
    assertThat(other.auprcDifference().value()).isEqualTo(one.auprcDifference().value());
  }

  @Test
  void aModelAgainstItselfDiffersByExactlyNothing() throws Exception {
    Table t = table();
    PairedBootstrap.Result r = PairedBootstrap.of(t.positive(), t.challenger(), t.challenger(), 300, 1);
    assertThat(r.recallDifference()).isEqualTo(new PairedBootstrap.Interval(0, 0, 0));
    assertThat(r.auprcDifference()).isEqualTo(new PairedBootstrap.Interval(0, 0, 0));
    assertThat(r.challengerAuprc()).isEqualTo(r.championAuprc());
  }

  @Test
  void averagePrecisionOfADrawEqualsTheComputationOnTheDrawnRows() throws Exception {
    Table t = table();
    double[] score = t.challenger().score();
    int[] order = PairedBootstrap.descending(score);
    SplittableRandom random = new SplittableRandom(3);
    for (int trial = 0; trial < 50; trial++) {
      int n = score.length;
      int[] counts = new int[n];
      double[] drawn = new double[n];
      boolean[] drawnPositive = new boolean[n];
      for (int i = 0; i < n; i++) {
        int r = random.nextInt(n);
        counts[r]++;
        drawn[i] = score[r];
        drawnPositive[i] = t.positive()[r];
      }
      assertThat(PairedBootstrap.averagePrecision(score, t.positive(), order, counts))
          .isCloseTo(ClassificationMetrics.averagePrecision(drawn, drawnPositive), within(1e-12));
    }
  }

  @Test
  void refusesRowsThatDoNotPairAndTablesWithoutTheRareClass() {
    boolean[] positive = {true, false, false};
    var three = new PairedBootstrap.Scored(new double[] {0.9, 0.1, 0.2}, new boolean[] {true, false, false});
    var two = new PairedBootstrap.Scored(new double[] {0.9, 0.1}, new boolean[] {true, false});
    assertThatThrownBy(() -> PairedBootstrap.of(positive, three, two, 200, 1))
        .hasMessageContaining("same, non-empty rows");
    boolean[] none = new boolean[3];
    assertThatThrownBy(() -> PairedBootstrap.of(none, three, three, 200, 1)).hasMessageContaining("no row of the rare");
    assertThatThrownBy(() -> PairedBootstrap.of(positive, three, three, 50, 1)).hasMessageContaining("100");
  }
}
