package io.medpipe.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The HTML EDA report: class bar chart, histograms of the separating features, the too-small class flagged. */
class EdaHtmlTest {

  @Test
  void rendersChartsAndFlagsClassesTooSmallForCrossValidation() {
    List<Feature> features = List.of(Feature.numeric("egfr", "mL/min", 0.0, 200.0, false),
        Feature.numeric("noise", "u", 0.0, 1.0, false));
    int n = 103;
    double[][] x = new double[n][];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = i < 3 ? 0 : 1;
      x[i] = new double[] {y[i] == 0 ? 20 + i : 90 + (i % 20), (i % 7) / 7.0};
    }
    FeatureTable table = new FeatureTable(features, List.of("fabry", "none"), x, y);
    EdaReport report = EdaService.analyse(table);
    Snapshot snapshot = new Snapshot(UUID.randomUUID(), OffsetDateTime.now(), features, List.of("fabry", "none"),
        Map.of("fabry", 3, "none", 100), n, "ab".repeat(32), "spec", "pi");
    String html = EdaHtml.render(report, table, snapshot);
    assertThat(html).startsWith("<!DOCTYPE html>").contains("aria-label=\"class counts\"")
        .contains("aria-label=\"histogram of egfr\"").contains("Too few rows for cross-validation")
        .contains(">too small<").contains("imbalance ratio <b>33.33</b>").doesNotContain("<script");
    assertThat(report.notEvaluable()).containsExactly("fabry");
    assertThat(report.features().get(0).separation()).isGreaterThan(report.features().get(1).separation());
  }
}
