package io.medpipe.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.medpipe.dataset.Snapshot;
import io.medpipe.dataset.SnapshotStore;
import io.medpipe.ehr.CohortOptions;
import io.medpipe.ehr.DocumentIngestor;
import io.medpipe.ehr.EhrExtractor;
import io.medpipe.ehr.ExtractionService;
import io.medpipe.ehr.FeatureSpec;
import io.medpipe.ehr.NoteConcepts;
import io.medpipe.ehr.SyntheticCohort;
import io.medpipe.ehr.TestDatabase;
import io.medpipe.ehr.TextDocumentHandlers;
import io.medpipe.system.Json;
import java.util.Locale;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Prints extraction + pseudonymisation throughput (patients/s) on a 100k-patient synthetic cohort: note symptoms,
 * spec extraction, then pseudonyms, k-anonymity, note scrubbing and the snapshot write. Checks results, never
 * timings. Takes a few minutes, so it runs only with -Dmedpipe.benchmark=true.
 */
@EnabledIfSystemProperty(named = "medpipe.benchmark", matches = "true")
class ExtractionPseudonymizationThroughputTest {

  @Test
  void extractsAndPseudonymisesOneHundredThousandPatients() {
    int patients = Integer.getInteger("medpipe.benchmark.patients", 100_000);
    DataSource db = TestDatabase.freshDatabase();
    JdbcTemplate jdbc = new JdbcTemplate(db);
    long t0 = System.nanoTime();
    SyntheticCohort.generate(db, CohortOptions.of(patients, 42));
    long t1 = System.nanoTime();
    FeatureSpec spec = FeatureSpec.load(new ClassPathResource("ehr/feature-spec.json"));
    ExtractionService extraction = new ExtractionService(db, new EhrExtractor(db),
        new DocumentIngestor(TextDocumentHandlers.all()),
        NoteConcepts.load(new ClassPathResource("ehr/symptom-concepts.json")));
    SnapshotStore snapshots = new SnapshotStore(jdbc, new Json(new ObjectMapper().findAndRegisterModules()));
    PseudonymizationService pseudonymization = new PseudonymizationService(jdbc, snapshots,
        ClinicalDataPipelineTest.privacy(), spec, 5);
    extraction.prepareNotes();
    long t2 = System.nanoTime();
    EhrExtractor.ExtractSummary extract = new EhrExtractor(db).extract(spec, "bench");
    long t3 = System.nanoTime();
    Snapshot snapshot = new TransactionTemplate(new DataSourceTransactionManager(db))
        .execute(s -> pseudonymization.pseudonymize(extract.extractId(), "bench"));
    long t4 = System.nanoTime();
    System.out.printf(Locale.ROOT, "cohort generation: %d patients in %.1f s%n", patients, (t1 - t0) / 1e9);
    System.out.printf(Locale.ROOT, "notes -> symptoms: %.1f s = %.0f patients/s%n", (t2 - t1) / 1e9,
        patients / ((t2 - t1) / 1e9));
    System.out.printf(Locale.ROOT, "extraction: %.1f s = %.0f patients/s%n", (t3 - t2) / 1e9,
        patients / ((t3 - t2) / 1e9));
    System.out.printf(Locale.ROOT, "pseudonymisation (+ scrubbing %d notes, k-anonymity, snapshot write): %.1f s"
        + " = %.0f patients/s%n", snapshots.notes(snapshot.id()).size(), (t4 - t3) / 1e9, patients / ((t4 - t3) / 1e9));
    System.out.printf(Locale.ROOT, "extraction + pseudonymisation end to end: %.1f s = %.0f patients/s%n",
        (t4 - t1) / 1e9, patients / ((t4 - t1) / 1e9));
    System.out.println("k-anonymity: " + snapshots.metadata(snapshot.id()).path("kAnonymity"));
    assertThat(snapshot.rowCount()).isEqualTo(patients);
  }
}
