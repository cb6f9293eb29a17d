package io.medpipe.champion;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The change record's HTML: every value escaped, each part said even when it has nothing to show. */
class ChangeRecordHtmlTest {

  final ChangeRecord record = new ChangeRecord(null, null, null, null);

  private static Map<String, Object> pair(Object now, Object before) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("this", now);
    m.put("champion", before);
    return m;
  }

  @Test
  void escapesWhatItShowsAndNamesTheSigners() {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("version", "fabry-rf v3");
    r.put("champion", "fabry-rf v2 <script>alert(1)</script>");
    r.put("changes", Map.of("algorithm", pair("RANDOM_FOREST (a & b)", "XGBOOST")));
    Map<String, Object> criteria = new LinkedHashMap<>();
    criteria.put("clinicalValidation", Map.of("rules", List.of(Map.of("rule", "rare-class recall (95% CI lower bound)",
        "threshold", 0.8, "value", 0.83, "passed", true))));
    criteria.put("championRule", Map.of("reason", "not worse than the champion beyond the margins"));
    r.put("acceptanceCriteria", criteria);
    r.put("championComparison", Map.of("status", "compared", "summary", "recall +0.02", "href", "/x"));
    Map<String, Object> signer = new LinkedHashMap<>();
    signer.put("step", "Medical QA review");
    signer.put("signedBy", "reviewer");
    signer.put("decision", "approve");
    signer.put("signedAt", "2026-12-03T18:00:00Z");
    signer.put("valid", true);
    r.put("approvals", List.of(signer));

    String html = record.html(r);

    assertThat(html).contains("<h2>Change record</h2>", "&lt;script&gt;", "RANDOM_FOREST (a &amp; b)",
        "rare-class recall (95% CI lower bound) &ge; 0.8: 0.83 (passed)", "not worse than the champion",
        "<td>reviewer</td><td>approve</td>").doesNotContain("<script>");
  }

  @Test
  void aFirstVersionWithoutComparisonOrSignOffSaysSo() {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("version", "fabry-rf v1");
    r.put("champion", null);
    r.put("changes", Map.of("data", pair("snapshot s1", null)));
    Map<String, Object> criteria = new LinkedHashMap<>();
    criteria.put("clinicalValidation", null);
    criteria.put("championRule", null);
    r.put("acceptanceCriteria", criteria);
    r.put("championComparison", null);
    r.put("approvals", List.of());

    assertThat(record.html(r)).contains("a first version, no champion", "no clinical validation is recorded",
        "champion rule: not decided", "none recorded", "no sign-off is recorded yet");
  }
}
