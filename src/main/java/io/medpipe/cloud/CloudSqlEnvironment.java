package io.medpipe.cloud;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Turns a Cloud SQL instance name ({@code medpipe.cloud-sql.instance}, MEDPIPE_CLOUDSQL_INSTANCE) into the JDBC
 * settings of the Cloud SQL Java connector, before medpipe decides between the embedded and an external database.
 *
 * <p>The connector is a socket factory inside the PostgreSQL driver: it finds the instance's address through the
 * Cloud SQL Admin API, opens a TLS connection with a short-lived certificate and, with IAM login, authenticates as
 * the pod's Google service account (Workload Identity), so there is no password and no proxy. It reads its settings
 * from the JDBC URL, which is built here; an explicit MEDPIPE_DB_URL always wins.
 */
class CloudSqlEnvironment implements EnvironmentPostProcessor, Ordered {

  static final String SOCKET_FACTORY = "com.google.cloud.sql.postgres.SocketFactory";

  /** project:region:instance, as {@code gcloud sql instances describe} prints connectionName. */
  private static final Pattern INSTANCE = Pattern.compile("[a-z0-9.:-]+:[a-z0-9-]+:[a-z0-9-]+");
  private static final Pattern IP_TYPES = Pattern.compile("(PUBLIC|PRIVATE|PSC)(,(PUBLIC|PRIVATE|PSC))*");

  /** After the config files are read, before EmbeddedDatabaseGuard and DemoDefaults read spring.datasource.url. */
  static final int ORDER = Ordered.LOWEST_PRECEDENCE - 20;

  @Override
  public int getOrder() { return ORDER; }

  @Override
  public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication application) {
    String instance = env.getProperty("medpipe.cloud-sql.instance", "").trim();
    if (instance.isEmpty() || !env.getProperty("spring.datasource.url", "").isBlank()) {
      return;
    }
    env.getPropertySources().addFirst(new MapPropertySource("medpipeCloudSql", properties(
        instance,
        env.getProperty("medpipe.cloud-sql.database", "medpipe"),
        env.getProperty("medpipe.cloud-sql.ip-types", "PRIVATE"),
        env.getProperty("medpipe.cloud-sql.iam-login", Boolean.class, true),
        env.getProperty("spring.datasource.password", ""))));
  }

  /** The datasource settings for this instance; a bad instance name or IP type stops the start with its name. */
  static Map<String, Object> properties(String instance, String database, String ipTypes, boolean iamLogin,
                                        String password) {
    if (!INSTANCE.matcher(instance).matches()) {
      throw new InvalidSettingException("MEDPIPE_CLOUDSQL_INSTANCE must be the instance connection name"
          + " project:region:instance, was '" + instance + "'");
    }
    String types = ipTypes.trim().toUpperCase();
    if (!IP_TYPES.matcher(types).matches()) {
      throw new InvalidSettingException("MEDPIPE_CLOUDSQL_IP_TYPES must be a comma-separated list of PUBLIC, PRIVATE"
          + " and PSC, was '" + ipTypes + "'");
    }
    StringBuilder url = new StringBuilder("jdbc:postgresql:///")
        .append(URLEncoder.encode(database.trim(), StandardCharsets.UTF_8))
        .append("?cloudSqlInstance=").append(instance)
        .append("&socketFactory=").append(SOCKET_FACTORY)
        .append("&ipTypes=").append(types)
        // the connector's socket is TLS already (with the instance's own certificate); the driver's TLS would nest
        .append("&sslmode=disable");
    Map<String, Object> properties = new LinkedHashMap<>();
    if (iamLogin) {
      url.append("&enableIamAuth=true");
      if (password.isBlank()) {
        // with IAM login the connector supplies the token; the driver still insists on some password
        // (the connector's own IAM example sets a placeholder)
        properties.put("spring.datasource.password", "iam-login");
      }
    }
    properties.put("spring.datasource.url", url.toString());
    return properties;
  }

  /** A Cloud SQL setting that cannot be right; the message names the variable and what it must be. */
  static class InvalidSettingException extends IllegalStateException {
    InvalidSettingException(String message) {
      super(message);
    }
  }

  /** Ends the start with the setting's message instead of a stack trace. */
  static class Analyzer extends AbstractFailureAnalyzer<InvalidSettingException> {
    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidSettingException cause) {
      return new FailureAnalysis(cause.getMessage(), "Correct the setting (docs/gcp.md) and start again.", null);
    }
  }
}
