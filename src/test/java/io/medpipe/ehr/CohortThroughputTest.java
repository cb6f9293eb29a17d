package io.medpipe.ehr;

import static org.assertj.core.api.Assertions.assertThat;

import io.medpipe.ehr.EhrExtractor.ExtractSummary;
import java.util.Locale;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** Prints generation and extraction throughput for a 20k-patient cohort; checks results, never timings. */
class CohortThroughputTest {

  @Test
  void generatesAndExtractsTwentyThousandPatients() {
    DataSource db = TestDatabase.freshDatabase();
    CohortOptions options = CohortOptions.of(20_000, 42);
    long t0 = System.nanoTime();
    SyntheticCohort.Counts counts = SyntheticCohort.generate(db, options);
    long t1 = System.nanoTime();
    ExtractSummary summary = new EhrExtractor(db).extract(FeatureSpecTest.shipped(), options.indexDate(), null);
    long t2 = System.nanoTime();
    System.out.printf(Locale.ROOT,
        "generation: %d patients (%d observations, %d symptoms) in %.2f s = %.0f patients/s%n",
        counts.patients(), counts.observations(), counts.symptoms(), (t1 - t0) / 1e9,
        counts.patients() / ((t1 - t0) / 1e9));
    System.out.printf(Locale.ROOT, "extraction: %d rows in %.2f s = %.0f patients/s, classes %s%n",
        summary.rows(), (t2 - t1) / 1e9, summary.rows() / ((t2 - t1) / 1e9), summary.classCounts());
    assertThat(summary.rows()).isEqualTo(20_000);
    assertThat(summary.classCounts()).containsEntry("fabry", 200).containsEntry("hcm", 1000);
    // CKD patients are 8%; the label also sends no Fabry or HCM patient to ckd
    assertThat(summary.classCounts().get("ckd")).isEqualTo(1600);
    assertThat(summary.classCounts().get("none")).isEqualTo(20_000 - 200 - 1000 - 1600);
  }
}
