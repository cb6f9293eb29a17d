package io.medpipe.monitoring.drift;

import static org.assertj.core.api.Assertions.assertThat;

import io.medpipe.monitoring.drift.DriftFixtures.Cohort;
import io.medpipe.monitoring.drift.DriftFixtures.Shift;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DriftHtmlTest {

  private static final DriftOptions OPTIONS = DriftOptions.defaults().withDomainClassifier(false)
      .withBootstrapReplicates(50);
  private static final Cohort REFERENCE = DriftFixtures.cohort(2000, Shift.none(), 1);
  private static final ReferenceProfile PROFILE = DriftFixtures.profile(REFERENCE);

  private static int count(String text, String part) {
    return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
  }

  @Test
  void drawsReferenceAgainstWindowForEachDriftedFeatureOnly() {
    Cohort window = DriftFixtures.cohort(1000, Shift.none().creatinine(1.15).sites(0.2, 0.3, 0.2, 0.3), 3);
    DriftReport report = DriftMonitor.analyse(PROFILE, REFERENCE.rows(), window.window(), Map.of(), OPTIONS);
    String html = DriftHtml.render(report, PROFILE, window.window());
    assertThat(count(html, "<figure>")).isEqualTo(2);
    assertThat(html).contains("<figcaption>creatinine</figcaption>").contains("<figcaption>site</figcaption>")
        .contains("<svg").contains("north: ").contains("class=\"DRIFTED\"").contains("Prevalence of fabry");
    // self-contained: no script and no external resource (inline SVG needs no namespace URL)
    assertThat(html).doesNotContain("<script").doesNotContain("http://").doesNotContain("https://");
  }

  @Test
  void numericHistogramSharesAddUpToOneOnEachSide() {
    Cohort window = DriftFixtures.cohort(500, Shift.none().creatinine(1.3), 4);
    double[] column = new double[500];
    for (int i = 0; i < 500; i++) {
      column[i] = window.rows()[i][1];
    }
    String svg = DriftHtml.chart(PROFILE.features().get(1), column);
    double reference = 0;
    double windowShare = 0;
    var m = java.util.regex.Pattern.compile("fill=\"(#[0-9a-f]+)\"><title>[^:]*: ([0-9.e-]+) %").matcher(svg);
    while (m.find()) {
      double share = Double.parseDouble(m.group(2));
      if (m.group(1).equals("#1f77b4")) {
        reference += share;
      } else {
        windowShare += share;
      }
    }
    assertThat(reference).isBetween(99.5, 100.5);
    assertThat(windowShare).isBetween(99.5, 100.5);
  }

  @Test
  void tooFewPredictionsRendersTheMessageOnly() {
    DriftReport report = DriftMonitor.analyse(PROFILE, null, DriftFixtures.cohort(20, Shift.none(), 5).window(),
        Map.of(), OPTIONS);
    String html = DriftHtml.render(report, PROFILE, null);
    assertThat(html).contains("too few predictions").doesNotContain("<table");
  }

  @Test
  void escapesText() {
    assertThat(DriftHtml.esc("<b a=\"x\">&")).isEqualTo("&lt;b a=&quot;x&quot;&gt;&amp;");
  }
}
