package io.medpipe.cli;

import static io.medpipe.cli.CliRunner.cli;
import static io.medpipe.cli.CliRunner.resource;
import static org.assertj.core.api.Assertions.assertThat;

import io.medpipe.ehr.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/** {@code medpipe import} into a real, migrated PostgreSQL. */
class ImportCommandTest {

  @TempDir Path tmp;

  static String url(DataSource db) {
    return ((PGSimpleDataSource) db).getUrl();
  }

  CliRunner.Result importInto(DataSource db, String... args) {
    List<String> all = new java.util.ArrayList<>(List.of("import", "--db-url", url(db), "--db-user", "postgres"));
    all.addAll(List.of(args));
    return cli(all.toArray(String[]::new));
  }

  @Test
  void importsCsvAndArffAndSummarisesWhatWasWritten() {
    DataSource db = TestDatabase.freshDatabase();
    CliRunner.Result csv = importInto(db, "--format", "csv", "--data",
        resource("/data/heart_cleveland/heart_cleveland.csv").toString(), "--mapping",
        resource("/data/heart_cleveland/mapping.json").toString());
    assertThat(csv.exit()).as(csv.err()).isZero();
    assertThat(csv.out()).contains("imported heart_cleveland.csv (csv)", "303 patients",
        (303 * 11 - 6) + " observations", "139 diagnoses", "classes: 0 164 (no diagnosis), 1 55");
    assertThat(new JdbcTemplate(db).queryForObject("SELECT count(*) FROM ehr.patient", Integer.class)).isEqualTo(303);

    // ARFF, with the mapping found next to the data file
    DataSource other = TestDatabase.freshDatabase();
    CliRunner.Result arff = importInto(other, "--format", "arff", "--data",
        resource("/data/hepatitis/hepatitis.arff").toString());
    assertThat(arff.exit()).as(arff.err()).isZero();
    assertThat(arff.out()).contains("155 patients", "32 diagnoses", "DIE 32 (HEP-DIED)", "LIVE 123 (no diagnosis)");

    // the same file twice: refused in one line, exit 2
    CliRunner.Result again = importInto(other, "--format", "arff", "--data",
        resource("/data/hepatitis/hepatitis.arff").toString());
    assertThat(again.exit()).isEqualTo(2);
    assertThat(again.err()).contains("already imported").doesNotContain("\tat ");
  }

  @Test
  void aBadCellNamesFileLineAndColumnAndImportsNothing() throws Exception {
    DataSource db = TestDatabase.freshDatabase();
    List<String> lines = Files.readAllLines(resource("/data/heart_cleveland/heart_cleveland.csv"));
    lines.set(200, lines.get(200).replaceFirst("^\\d+,", "sixty,"));
    Path broken = tmp.resolve("heart.csv");
    Files.write(broken, lines);
    CliRunner.Result r = importInto(db, "--format", "csv", "--data", broken.toString(), "--mapping",
        resource("/data/heart_cleveland/mapping.json").toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().trim()).startsWith("medpipe: ").contains("heart.csv:201: column 1 (age)")
        .contains("nothing was imported").doesNotContain("\n");
    assertThat(new JdbcTemplate(db).queryForObject("SELECT count(*) FROM ehr.patient", Integer.class)).isZero();
  }

  @Test
  void aDatabaseWithoutTheSchemaIsSaidInOneLine() {
    String url = TestDatabase.server().getJdbcUrl("postgres", "postgres");
    CliRunner.Result r = cli("import", "--format", "csv", "--data",
        resource("/data/hepatitis/hepatitis.csv").toString(), "--db-url", url, "--db-user", "postgres");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err().trim()).startsWith("medpipe: ").contains("no EHR schema").doesNotContain("\n");

    CliRunner.Result noMapping = cli("import", "--format", "csv", "--data", tmp.resolve("x.csv").toString(),
        "--db-url", url);
    assertThat(noMapping.exit()).isEqualTo(2);
    assertThat(noMapping.err()).contains("mapping.json");

    CliRunner.Result badFormat = cli("import", "--format", "xlsx", "--data",
        resource("/data/hepatitis/hepatitis.csv").toString());
    assertThat(badFormat.exit()).isEqualTo(2);
    assertThat(badFormat.err()).contains("--format must be csv or arff");
  }
}
