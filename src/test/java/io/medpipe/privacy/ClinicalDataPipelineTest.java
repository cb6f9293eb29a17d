package io.medpipe.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.medpipe.artifact.ArtifactProperties;
import io.medpipe.dataset.EdaService;
import io.medpipe.dataset.ReportStore;
import io.medpipe.dataset.Snapshot;
import io.medpipe.dataset.SnapshotStore;
import io.medpipe.ehr.CohortOptions;
import io.medpipe.ehr.CohortSeeder;
import io.medpipe.ehr.DocumentIngestor;
import io.medpipe.ehr.EhrExtractor;
import io.medpipe.ehr.ExtractionService;
import io.medpipe.ehr.FeatureSpec;
import io.medpipe.ehr.NoteConcepts;
import io.medpipe.ehr.TestDatabase;
import io.medpipe.ehr.TextDocumentHandlers;
import io.medpipe.system.Json;
import io.medpipe.system.MedpipeProperties;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Extract -> pseudonymise -> EDA on a synthetic cohort with planted identifiable patients (names, MRNs, phones,
 * e-mails in their notes and PDFs): documents become notes (the corrupt PDF is skipped and counted), notes become
 * symptoms with negation, the snapshot holds scrubbed notes and metadata, and the leak scan finds nothing — while
 * the same scan does find identifiers planted where they must not be.
 */
class ClinicalDataPipelineTest {

  static final String KEY = "test-pseudonym-key-0123456789";
  static DataSource db;
  static JdbcTemplate jdbc;
  static FeatureSpec spec;
  static ExtractionService extraction;
  static PseudonymizationService pseudonymization;
  static SnapshotStore snapshots;
  static ReportStore reports;
  static EdaService eda;
  static PhiScanService scan;
  static TransactionTemplate tx;
  static Snapshot snapshot;
  @TempDir static Path dataDir;

  @BeforeAll
  static void run() {
    db = TestDatabase.freshDatabase();
    jdbc = new JdbcTemplate(db);
    new CohortSeeder().seedIfEmpty(db, CohortOptions.of(400, 11));
    PlantedPatients.plant(jdbc);
    spec = FeatureSpec.load(new ClassPathResource("ehr/feature-spec.json"));
    Json json = new Json(new ObjectMapper().findAndRegisterModules());
    snapshots = new SnapshotStore(jdbc, json);
    reports = new ReportStore(jdbc, json);
    eda = new EdaService(snapshots, reports);
    extraction = new ExtractionService(db, new EhrExtractor(db), new DocumentIngestor(TextDocumentHandlers.all()),
        NoteConcepts.load(new ClassPathResource("ehr/symptom-concepts.json")));
    pseudonymization = new PseudonymizationService(jdbc, snapshots, privacy(), spec, 5);
    scan = new PhiScanService(jdbc, new MedpipeProperties(dataDir.toString()),
        new ArtifactProperties(dataDir.resolve("artifacts").toString(), null, "medpipe"), "");
    tx = new TransactionTemplate(new DataSourceTransactionManager(db));
    snapshot = extractAndPseudonymize("pi-1");
  }

  static PrivacyProperties privacy() {
    return new PrivacyProperties(KEY, KEY + "-reference");
  }

  static Snapshot extractAndPseudonymize(String pid) {
    EhrExtractor.ExtractSummary extract = extraction.extract(spec, pid);
    return tx.execute(s -> pseudonymization.pseudonymize(extract.extractId(), pid));
  }

  @Test
  void corruptPdfIsSkippedAndCountedInTheSnapshotMetadata() {
    JsonNode meta = snapshots.metadata(snapshot.id());
    assertThat(meta.path("skippedDocuments").asInt()).isEqualTo(1);
    assertThat(jdbc.queryForObject("SELECT error FROM ehr.document WHERE file_name = 'scan.pdf'", String.class))
        .isEqualTo("not a readable PDF");
    assertThat(jdbc.queryForObject("SELECT count(*) FROM ehr.note WHERE document_id IS NOT NULL", Integer.class))
        .isEqualTo(4);   // three PDF letters and one text message
    for (String key : List.of("schema", "rowCount", "classCounts", "contentHash", "specHash", "createdAt",
        "processInstanceId", "kAnonymity", "notesHash")) {
      assertThat(meta.has(key)).as(key).isTrue();
    }
    assertThat(meta.path("processInstanceId").asText()).isEqualTo("pi-1");
    assertThat(meta.path("specHash").asText()).isEqualTo(spec.sha256());
  }

  @Test
  void notesAndPdfsBecomeSymptomsAndNegationsDoNotCount() {
    int tinnitus = spec.indexOf("tinnitus");
    int palpitations = spec.indexOf("palpitations");
    int angiokeratoma = spec.indexOf("angiokeratoma");
    int fatigue = spec.indexOf("fatigue");
    int edema = spec.indexOf("edema");
    double[] zoe = row(0);
    double[] bart = row(1);
    double[] otto = row(2);
    assertThat(zoe[tinnitus]).isEqualTo(1);
    assertThat(zoe[palpitations]).isEqualTo(1);
    assertThat(zoe[angiokeratoma]).as("'Denies angiokeratoma' in the PDF").isZero();
    assertThat(bart[tinnitus]).as("'Denies tinnitus'").isZero();
    assertThat(bart[palpitations]).as("'No palpitations'").isZero();
    assertThat(bart[fatigue]).isEqualTo(1);
    assertThat(bart[edema]).as("'reports ankle swelling' in the text document").isEqualTo(1);
    assertThat(otto[tinnitus]).as("'Negative for tinnitus'").isZero();
    assertThat(otto[palpitations]).as("'Without palpitations'").isZero();
    assertThat(otto[angiokeratoma]).as("affirmed in the PDF").isEqualTo(1);
  }

  @Test
  void snapshotNotesAreScrubbedAndShiftedAndAgesTopCoded() {
    String ref = new Pseudonymizer(KEY).pseudonym(PlantedPatients.PATIENTS.get(1).mrn());
    List<SnapshotStore.Note> notes = snapshots.notes(snapshot.id()).stream()
        .filter(n -> n.subjectRef().equals(ref)).toList();
    assertThat(notes).hasSize(3);   // the note, the PDF letter, the text message; not the corrupt PDF
    for (SnapshotStore.Note n : notes) {
      assertThat(n.body()).doesNotContainIgnoringCase("vandersnoot").doesNotContainIgnoringCase("bartholomew")
          .doesNotContain("440982").doesNotContain("7788").doesNotContain("Wisteria").doesNotContain("1931")
          .doesNotContain("2024-10");
      assertThat(n.writtenAt()).isNotIn(java.time.LocalDate.of(2024, 10, 1), java.time.LocalDate.of(2024, 10, 2),
          java.time.LocalDate.of(2024, 10, 3));
    }
    assertThat(String.join(" ", notes.stream().map(SnapshotStore.Note::body).toList()))
        .contains("[NAME]", "[MRN]", "[PHONE]", "[EMAIL]", "[ADDRESS]", "[DATE]").contains("Reports fatigue");
    // born 1931: 93 at the index date, released as 90 (or generalised/suppressed by k-anonymity, never 93)
    double age = row(1)[spec.indexOf("age")];
    assertThat(Double.isNaN(age) || age == 90 || age < 90).isTrue();
    assertThat(age).isNotEqualTo(93);
  }

  @Test
  void kAnonymityReportSaysWhatWasDone() {
    JsonNode k = snapshots.metadata(snapshot.id()).path("kAnonymity");
    assertThat(k.path("k").asInt()).isEqualTo(5);
    assertThat(k.path("smallestClassBefore").asInt()).isGreaterThanOrEqualTo(1);
    assertThat(k.path("rowsBelowK").asInt())
        .isEqualTo(k.path("rowsGeneralised").asInt() + k.path("rowsSuppressed").asInt());
    // over what the snapshot releases only: ZIP is not in it, so it cannot link a row to anyone
    assertThat(k.path("quasiIdentifiers").toString()).isEqualTo("[\"age band\",\"sex\"]");
  }

  @Test
  void sameDataGivesTheSameHashes() {
    Snapshot again = extractAndPseudonymize("pi-2");
    assertThat(again.id()).isNotEqualTo(snapshot.id());
    assertThat(again.contentHash()).isEqualTo(snapshot.contentHash());
    assertThat(snapshots.metadata(again.id()).path("notesHash").asText())
        .isEqualTo(snapshots.metadata(snapshot.id()).path("notesHash").asText());
  }

  @Test
  void edaAndLeakScanFindNoIdentifierButTheScannerCanFail() throws Exception {
    EdaService.Result result = eda.analyse(snapshot.id(), "pi-1");
    String html = reports.html(result.reportId());
    assertThat(html).contains("<svg", "Classes", "imbalance ratio");
    List<PatientIdentifiers> sources = scan.sources();
    assertThat(sources.size()).isEqualTo(403);
    Path log = dataDir.resolve("app.log");
    Files.writeString(log, "INFO extract done: 403 rows\n");
    PhiScanService.ScanReport clean = scan.scan(sources, List.of(log));
    assertThat(clean.leaks()).isEmpty();
    assertThat(clean.places()).isGreaterThanOrEqualTo(5);

    // now leak on purpose, in normalised forms: the scan must see each of them
    reports.save("eda", snapshot.id(), Map.of("comment", "QUILLFEATHER,  zoltana called (555) 867 5309"), "pi-x");
    Files.writeString(log, "WARN lookup failed for mrn-op-112358 / b.vandersnoot@EXAMPLE.net\n");
    PhiScanService.ScanReport dirty = scan.scan(sources, List.of(log));
    assertThat(dirty.leaks()).extracting(PhiLeakScanner.Leak::kind)
        .contains("NAME", "PHONE", "MRN", "EMAIL");
    assertThat(dirty.summary()).startsWith("PHI leak:").doesNotContainIgnoringCase("quillfeather")
        .doesNotContain("112358").doesNotContain("vandersnoot")
        // what the operator does, per kind of place: the report, the log file
        .contains("What to do: a report: redact it or delete it", "a log file: rotate it and delete the old file",
            "retry this step");
  }

  private static double[] row(int planted) {
    String ref = new Pseudonymizer(KEY).pseudonym(PlantedPatients.PATIENTS.get(planted).mrn());
    return jdbc.query("SELECT features FROM medpipe.dataset_row WHERE snapshot_id = ? AND subject_ref = ?",
        (rs, i) -> {
          Object[] v = (Object[]) rs.getArray(1).getArray();
          double[] out = new double[v.length];
          for (int j = 0; j < v.length; j++) {
            out[j] = ((Number) v[j]).doubleValue();
          }
          return out;
        }, snapshot.id(), ref).get(0);
  }
}
