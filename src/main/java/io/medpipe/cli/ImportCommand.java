package io.medpipe.cli;

import io.medpipe.ehr.EhrImporter;
import io.medpipe.ehr.ImportMapping;
import io.medpipe.dataset.TabularFile;
import io.medpipe.training.CsvDataset;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.postgresql.ds.PGSimpleDataSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code medpipe import}: a CSV or ARFF export into the EHR schema, with the importers of the ingestion issue. */
@Command(name = "import", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Import a CSV or ARFF export into the EHR schema of medpipe's PostgreSQL: each row becomes a "
        + "patient with one encounter, labs as observations, positive symptoms, the label as a diagnosis.",
        "Every row is checked first and the file is written in one transaction, completely or not at all. "
            + "The schema must exist (a medpipe started once against the database creates it)."})
final class ImportCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--format", required = true, paramLabel = "csv|arff",
      description = "the file's format") String format;

  @Option(names = "--data", required = true, paramLabel = "FILE", description = "the export") Path data;

  @Option(names = "--mapping", paramLabel = "MAP",
      description = "the mapping JSON (column -> role); default: mapping.json next to the data file") Path mapping;

  @Option(names = "--db-url", defaultValue = "${env:MEDPIPE_DB_URL:-jdbc:postgresql://localhost:5432/medpipe}",
      description = "JDBC URL (env MEDPIPE_DB_URL; default ${DEFAULT-VALUE})") String dbUrl;

  @Option(names = "--db-user", defaultValue = "${env:MEDPIPE_DB_USER:-medpipe}",
      description = "database user (env MEDPIPE_DB_USER; default ${DEFAULT-VALUE})") String dbUser;

  @Option(names = "--db-password", defaultValue = "${env:MEDPIPE_DB_PASSWORD}", arity = "0..1", interactive = true,
      description = "database password (env MEDPIPE_DB_PASSWORD; --db-password alone asks for it)") String dbPassword;

  @Override
  public Integer call() {
    String fmt = format.toLowerCase(Locale.ROOT);
    if (!fmt.equals("csv") && !fmt.equals("arff")) {
      throw new CsvDataset.Invalid("--format must be csv or arff, was " + format);
    }
    Path map = mapping != null ? mapping : data.toAbsolutePath().resolveSibling("mapping.json");
    if (mapping == null && !Files.isRegularFile(map)) {
      throw new CsvDataset.Invalid("no --mapping given and no mapping.json next to " + data);
    }
    ImportMapping m;
    try (InputStream in = Files.newInputStream(map)) {
      m = ImportMapping.load(name(map), in);
    } catch (IOException e) {
      throw new CsvDataset.Invalid("cannot read " + map + (Files.exists(map) ? "" : ": no such file"));
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(data);
    } catch (IOException e) {
      throw new CsvDataset.Invalid("cannot read " + data + (Files.exists(data) ? "" : ": no such file"));
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new CsvDataset.Invalid(name(data) + ": not UTF-8 text");
    }
    TabularFile file = TabularFile.parse(name(data), text, fmt);

    PGSimpleDataSource db = new PGSimpleDataSource();
    try {
      db.setURL(dbUrl);
    } catch (IllegalArgumentException e) {
      throw new CsvDataset.Invalid(
          "--db-url " + dbUrl + " is not a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db)");
    }
    db.setUser(dbUser);
    if (dbPassword != null && !dbPassword.isEmpty()) {
      db.setPassword(dbPassword);
    }
    db.setConnectTimeout(10);
    checkSchema(db);
    EhrImporter.Result r;
    try {
      r = new EhrImporter(db).importFile(file, m, bytes);
    } catch (io.medpipe.ehr.ImportException e) {
      // the whole message: it says that nothing was imported
      throw new CsvDataset.Invalid(e.getMessage());
    }

    PrintWriter out = spec.commandLine().getOut();
    out.printf("imported %s (%s) as batch %d: %d patients, %d observations, %d symptoms, %d diagnoses, %d notes%n",
        file.file(), file.format(), r.batchId(), r.patients(), r.observations(), r.symptoms(), r.diagnoses(),
        r.notes());
    out.println("classes: " + classes(file, m));
    out.flush();
    return 0;
  }

  /** The label column's values with their counts and the diagnosis code each became. */
  private static String classes(TabularFile file, ImportMapping m) {
    for (Map.Entry<String, ImportMapping.Column> e : m.columns().entrySet()) {
      if ("label".equals(e.getValue().as())) {
        int col = file.columns().indexOf(e.getKey());
        Map<String, Integer> counts = new TreeMap<>();
        for (TabularFile.Row row : file.rows()) {
          String v = col < 0 || row.cells()[col] == null ? "(missing)" : row.cells()[col].trim();
          counts.merge(v, 1, Integer::sum);
        }
        StringBuilder s = new StringBuilder();
        for (Map.Entry<String, Integer> c : counts.entrySet()) {
          String code = e.getValue().values() == null ? null : e.getValue().values().get(c.getKey());
          s.append(s.isEmpty() ? "" : ", ").append(c.getKey()).append(' ').append(c.getValue())
              .append(code == null ? " (no diagnosis)" : " (" + code + ")");
        }
        return s.toString();
      }
    }
    return "(no label column)";
  }

  private void checkSchema(PGSimpleDataSource db) {
    try (Connection c = db.getConnection(); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT to_regclass('ehr.patient') IS NOT NULL"
             + " AND to_regclass('ehr.import_batch') IS NOT NULL")) {
      rs.next();
      if (!rs.getBoolean(1)) {
        throw new EngineApi.Failure("the database at " + dbUrl + " has no EHR schema (ehr.patient, ehr.import_batch):"
            + " start medpipe once against it to create the schema, then import");
      }
    } catch (SQLException e) {
      throw new EngineApi.Failure("cannot connect to the database at " + dbUrl + " as " + dbUser + " (SQL state "
          + e.getSQLState() + "): check --db-url/--db-user/--db-password or MEDPIPE_DB_URL/_USER/_PASSWORD");
    }
  }

  private static String name(Path p) {
    return p.getFileName() == null ? p.toString() : p.getFileName().toString();
  }

}
