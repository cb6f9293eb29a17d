package io.medpipe.ehr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medpipe.dataset.TabularFile;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;

/** CSV and ARFF imports of the real UCI sets, and the refusals: nothing is ever half imported. */
class EhrImporterTest {

  DataSource db;
  JdbcTemplate jdbc;
  EhrImporter importer;

  @BeforeEach
  void fresh() {
    db = TestDatabase.freshDatabase();
    jdbc = new JdbcTemplate(db);
    importer = new EhrImporter(db);
  }

  static String text(String path) throws Exception {
    try (InputStream in = new ClassPathResource(path).getInputStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static ImportMapping mapping(String set) throws Exception {
    try (InputStream in = new ClassPathResource("data/" + set + "/mapping.json").getInputStream()) {
      return ImportMapping.load("mapping.json", in);
    }
  }

  /** Imports one of the shipped sets (csv or arff) into a database. */
  static EhrImporter.Result importSet(DataSource db, String set, String file) throws Exception {
    String text = text("data/" + set + "/" + file);
    return new EhrImporter(db).importFile(TabularFile.parse(file, text), mapping(set),
        text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void importsHeartClevelandCsvAndExtractsItsFiveClasses() throws Exception {
    EhrImporter.Result r = importSet(db, "heart_cleveland", "heart_cleveland.csv");
    assertThat(r.patients()).isEqualTo(303);
    assertThat(r.diagnoses()).isEqualTo(139);
    // 303 rows x 11 columns minus the 6 missing cells (ca 4, thal 2): missing stays missing
    assertThat(r.observations()).isEqualTo(303 * 11 - 6);
    FeatureSpec spec = FeatureSpec.load(new ClassPathResource("data/heart_cleveland/spec.json"));
    EhrExtractor.ExtractSummary extract = new EhrExtractor(db).extract(spec, "pi-heart");
    assertThat(extract.classCounts()).containsExactly(Map.entry("hd4", 13), Map.entry("hd3", 35),
        Map.entry("hd2", 36), Map.entry("hd1", 55), Map.entry("hd0", 164));
    EhrExtractor.ExtractRow first = new EhrExtractor(db).rows(extract.extractId()).get(0);
    // 63,male,typical_angina,145,233,true,left_ventricular_hypertrophy,150,no,2.3,downsloping,0,fixed_defect,0
    assertThat(first.birthDate()).isEqualTo(LocalDate.of(1962, 1, 1));
    assertThat(first.features()).startsWith(Double.NaN, 1, 0, 145, 233, 1, 2, 150, 0, 2.3, 2, 0, 1);
  }

  @Test
  void csvAndArffOfHepatitisGiveTheSameExtract() throws Exception {
    FeatureSpec spec = FeatureSpec.load(new ClassPathResource("data/hepatitis/spec.json"));
    importSet(db, "hepatitis", "hepatitis.csv");
    var fromCsv = new EhrExtractor(db).rows(new EhrExtractor(db).extract(spec, "csv").extractId());
    DataSource other = TestDatabase.freshDatabase();
    EhrImporter.Result arff = importSet(other, "hepatitis", "hepatitis.arff");
    assertThat(arff.patients()).isEqualTo(155);
    var fromArff = new EhrExtractor(other).rows(new EhrExtractor(other).extract(spec, "arff").extractId());
    assertThat(fromArff).hasSize(155);
    long died = fromArff.stream().filter(r -> r.label().equals("die")).count();
    assertThat(died).isEqualTo(32);
    // protime is missing in 67 rows: NaN, not zero
    int protime = spec.indexOf("protime");
    assertThat(fromArff.stream().filter(r -> Double.isNaN(r.features()[protime])).count()).isEqualTo(67);
    for (int i = 0; i < 155; i++) {
      assertThat(fromArff.get(i).features()).containsExactly(fromCsv.get(i).features());
      assertThat(fromArff.get(i).label()).isEqualTo(fromCsv.get(i).label());
    }
  }

  @Test
  void malformedRowNamesFileLineAndColumnAndImportsNothing() throws Exception {
    String csv = text("data/heart_cleveland/heart_cleveland.csv");
    String[] lines = csv.split("\n");
    lines[200] = lines[200].replaceFirst("^\\d+,", "sixty,");
    String broken = String.join("\n", lines);
    assertThatThrownBy(() -> importer.importFile(TabularFile.parse("heart.csv", broken),
        mapping("heart_cleveland"), broken.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(ImportException.class)
        .hasMessageContaining("heart.csv:201: column 1 (age): not a number")
        .hasMessageContaining("nothing was imported");
    assertThat(patients()).isZero();
  }

  @Test
  void refusesWrongFieldCountUnknownColumnMissingLabelAndBadNominal() throws Exception {
    ImportMapping m = mapping("heart_cleveland");
    String header = "age,sex,cp,trestbps,chol,fbs,restecg,thalach,exang,oldpeak,slope,ca,thal,num\n";
    String good = "63,male,typical_angina,145,233,true,normal,150,no,2.3,flat,0,normal,0\n";
    assertThatThrownBy(() -> importer.importFile(TabularFile.parse("a.csv", header + good + "63,male\n"), m,
        new byte[] {1})).hasMessageContaining("a.csv:3: 2 fields, the header has 14");
    assertThatThrownBy(() -> importer.importFile(TabularFile.parse("b.csv",
        header.replace("num", "num,extra") + good.replace("0\n", "0,1\n")), m, new byte[] {2}))
        .hasMessageContaining("b.csv:1: column extra is not in the mapping");
    assertThatThrownBy(() -> importer.importFile(TabularFile.parse("c.csv", header + good
        + good.replaceFirst(",0\n", ",\n")), m, new byte[] {3}))
        .hasMessageContaining("c.csv:3: column 14 (num): the label is missing");
    assertThatThrownBy(() -> importer.importFile(TabularFile.parse("d.csv", header + good.replace("flat", "steep")),
        m, new byte[] {4})).hasMessageContaining("d.csv:2: column 11 (slope): not one of the mapped levels");
    String arff = "@relation x\n@attribute age numeric\n@attribute sex {male,female}\n@attribute num {0,1}\n"
        + "@data\n50,male,0\n51,other,1\n";
    assertThatThrownBy(() -> TabularFile.parse("e.arff", arff))
        .hasMessageContaining("e.arff:7: column 2 (sex) is not one of the declared values");
    assertThat(patients()).isZero();
  }

  @Test
  void aFileIsImportedOnceAndErrorsNeverQuoteAValue() throws Exception {
    importSet(db, "hepatitis", "hepatitis.csv");
    assertThatThrownBy(() -> importSet(db, "hepatitis", "hepatitis.csv"))
        .hasMessageContaining("already imported as batch");
    assertThat(patients()).isEqualTo(155);
    ImportMapping m = ImportMapping.load("m.json", new java.io.ByteArrayInputStream(("{\"indexDate\":\"2025-01-01\","
        + "\"columns\":{\"mrn\":{\"as\":\"mrn\"},\"age\":{\"as\":\"age\"},\"sex\":{\"as\":\"sex\"},"
        + "\"dx\":{\"as\":\"label\",\"values\":{\"x\":\"X1\",\"-\":null}}}}").getBytes(StandardCharsets.UTF_8)));
    String csv = "mrn,age,sex,dx\nMRN-SECRET-77,40,F,x\nMRN-SECRET-77,41,Q,x\n";
    assertThatThrownBy(() -> importer.importFile(TabularFile.parse("f.csv", csv), m, new byte[] {5}))
        .hasMessageContaining("f.csv:3: column 1 (mrn): the same MRN is on an earlier line")
        .hasMessageContaining("f.csv:3: column 3 (sex): sex must map to M or F")
        .hasMessageNotContaining("SECRET");
  }

  @Test
  void mappingErrorsAreListed() {
    assertThatThrownBy(() -> ImportMapping.load("m.json", new java.io.ByteArrayInputStream(
        "{\"indexDate\":\"2025-01-01\",\"columns\":{\"a\":{\"as\":\"lab\"}}}".getBytes(StandardCharsets.UTF_8))))
        .hasMessageContaining("column a: a lab needs a code")
        .hasMessageContaining("exactly one column must be the label");
  }

  private int patients() {
    return jdbc.queryForObject("SELECT count(*) FROM ehr.patient", Integer.class);
  }
}
