package io.medpipe.system;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.util.StringUtils;

/**
 * The zero-install PostgreSQL: a real server from the zonky binaries, its data kept in a directory so that it
 * survives restarts. Used only when no external database URL is configured.
 *
 * <p>It is a server like any other on the machine: it accepts only the superuser's password (scram-sha-256, set at
 * initdb; a cluster from an older medpipe that trusted local connections is converted on its first start), and a
 * server left running by a killed medpipe is found and stopped before this one starts ({@link LeftoverPostmaster}).
 */
public final class EmbeddedDatabase implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);
  static final String SUPERUSER = "postgres";
  private static final Duration STARTUP_WAIT = Duration.ofSeconds(30);
  /** What medpipe writes into pg_hba.conf: password (scram) authentication only, local and loopback. */
  static final List<String> HBA = List.of(
      "# written by medpipe: the embedded PostgreSQL accepts only password (scram-sha-256) logins",
      "local   all           all                 scram-sha-256",
      "host    all           all   127.0.0.1/32  scram-sha-256",
      "host    all           all   ::1/128       scram-sha-256",
      "local   replication   all                 scram-sha-256",
      "host    replication   all   127.0.0.1/32  scram-sha-256",
      "host    replication   all   ::1/128       scram-sha-256");
  private static final Pattern TRUST = Pattern.compile("(?m)^\\s*[^#\\s].*\\btrust\\s*$");

  private final EmbeddedPostgres postgres;
  private final String password;

  private EmbeddedDatabase(EmbeddedPostgres postgres, String password) {
    this.postgres = postgres;
    this.password = password;
  }

  /**
   * Starts PostgreSQL on the given data directory (created when missing, reused when present).
   *
   * @param dataDir  directory holding the cluster; blank means a throw-away temporary cluster
   * @param port     TCP port on localhost, 0 for any free port
   * @param password the superuser's password: set when the cluster is created, required for every login
   * @throws StartFailure with one line saying why and what to do, if the server does not come up
   */
  public static EmbeddedDatabase start(String dataDir, int port, String password) throws IOException {
    if (!StringUtils.hasText(password)) {
      throw new IllegalArgumentException("the embedded PostgreSQL needs a password");
    }
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
        // zonky's own hook would stop PostgreSQL before Spring stops the engine (the job executor then spins);
        // Spring closes this bean after everything that uses the DataSource instead.
        .setRegisterShutdownHook(false)
        .setPGStartupWait(STARTUP_WAIT)
        .setServerConfig("max_connections", "100")
        // zonky starts PostgreSQL with -F (fsync off) and synchronous_commit off, test-speed defaults under which an
        // OS crash can lose committed rows or corrupt the cluster. medpipe keeps real records here (the registry, the
        // process history, the prediction record whose durability=commit promises that an acknowledged prediction
        // survives a crash), so PostgreSQL's own defaults are restored; -c options come after -F and win.
        .setServerConfig("fsync", "on")
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("password_encryption", "scram-sha-256")
        // zonky checks readiness by logging in: with the password, like everyone else
        .setConnectConfig("password", password);
    if (port > 0) {
      builder.setPort(port);
    }
    Path passwordFile = null;
    Path dir = null;
    if (StringUtils.hasText(dataDir)) {
      dir = Path.of(dataDir).toAbsolutePath();
      Files.createDirectories(dir.getParent());
      builder.setDataDirectory(dir).setCleanDataDirectory(false);
      LeftoverPostmaster.stopIfLeftBehind(dir);
      log.info("Embedded PostgreSQL with data in {}", dir);
    } else {
      log.info("Embedded PostgreSQL with a temporary data directory");
    }
    if (dir == null || !Files.exists(dir.resolve("postgresql.conf"))) {
      // a new cluster: initdb sets the superuser's password and password authentication from the start. zonky passes
      // its "locale" settings to initdb as long options after its own "-A trust", so these win.
      passwordFile = Files.createTempFile("medpipe-pg", ".pw", DemoDefaults.ownerOnlyFile());
      Files.writeString(passwordFile, password + "\n");
      builder.setLocaleConfig("auth", "scram-sha-256").setLocaleConfig("pwfile", passwordFile.toString());
    }
    EmbeddedPostgres started;
    try {
      started = builder.start();
    } catch (IOException | RuntimeException e) {
      throw StartFailure.of(dir, e);
    } finally {
      if (passwordFile != null) {
        Files.deleteIfExists(passwordFile);
      }
    }
    EmbeddedDatabase database = new EmbeddedDatabase(started, password);
    if (dir != null) {
      database.requirePasswordLogins(dir);
    }
    return database;
  }

  /**
   * A cluster made by an older medpipe trusted every local connection: give the superuser the password, allow password
   * logins only, and reload. Idempotent: a cluster already converted is left as it is.
   */
  private void requirePasswordLogins(Path dir) throws IOException {
    Path hba = dir.resolve("pg_hba.conf");
    if (!Files.exists(hba) || !TRUST.matcher(Files.readString(hba)).find()) {
      return;
    }
    log.warn("The embedded PostgreSQL in {} trusted local connections: converting it to password logins", dir);
    try (Connection c = connect(); Statement s = c.createStatement()) {
      // a generated hex secret, so it can be a literal (ALTER ROLE takes no parameters)
      if (!password.matches("[A-Za-z0-9]+")) {
        throw new IllegalStateException("the embedded database password must be letters and digits");
      }
      s.execute("ALTER ROLE " + SUPERUSER + " PASSWORD '" + password + "'");
      Files.write(hba, HBA);
      s.execute("SELECT pg_reload_conf()");
    } catch (SQLException e) {
      throw new IOException("cannot set the embedded database's password (SQLState " + e.getSQLState() + ")", e);
    }
  }

  /** JDBC URL without credentials: the user is in it, the password never is. */
  public String jdbcUrl() {
    return postgres.getJdbcUrl(SUPERUSER, "postgres");
  }

  public String user() {
    return SUPERUSER;
  }

  public String password() {
    return password;
  }

  /** A connection as the superuser, with the password. */
  public Connection connect() throws SQLException {
    Properties props = new Properties();
    props.setProperty("password", password);
    return DriverManager.getConnection(jdbcUrl(), props);
  }

  public int port() {
    return postgres.getPort();
  }

  @Override
  public void close() throws IOException {
    postgres.close();
  }

  /** The embedded database did not start; the message is one line: why, and what to do. */
  public static final class StartFailure extends IOException {

    StartFailure(String message, Throwable cause) {
      super(message, cause);
    }

    static StartFailure of(Path dir, Throwable e) {
      if (e instanceof StartFailure f) {
        return f;
      }
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      String where = dir == null ? "a temporary directory" : dir.toString();
      return new StartFailure("The embedded PostgreSQL in " + where + " did not start (" + root.getMessage()
          + "). Check that no other PostgreSQL uses this directory and that its log in the directory's parent shows"
          + " no error, or set MEDPIPE_DATA_DIR to a fresh directory.", e);
    }
  }
}
