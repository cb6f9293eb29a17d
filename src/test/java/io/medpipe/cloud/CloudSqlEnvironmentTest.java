package io.medpipe.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.postgresql.Driver;
import org.springframework.boot.SpringApplication;
import org.springframework.mock.env.MockEnvironment;

/**
 * The gcp profile's Cloud SQL settings: the Java connector configured from the instance name and read back by the
 * real PostgreSQL driver, without connecting (that needs a Cloud SQL instance and Google credentials).
 */
class CloudSqlEnvironmentTest {

  MockEnvironment env(String... pairs) {
    MockEnvironment env = new MockEnvironment();
    for (int i = 0; i < pairs.length; i += 2) {
      env.setProperty(pairs[i], pairs[i + 1]);
    }
    new CloudSqlEnvironment().postProcessEnvironment(env, new SpringApplication());
    return env;
  }

  @Test
  void configuresTheConnectorWithIamLoginAsThePostgresDriverReadsIt() throws Exception {
    MockEnvironment env = env("medpipe.cloud-sql.instance", "medpipe-prod:europe-west1:medpipe",
        "medpipe.cloud-sql.database", "medpipe", "medpipe.cloud-sql.ip-types", "private");

    String url = env.getProperty("spring.datasource.url");
    Properties parsed = Driver.parseURL(url, new Properties());
    assertThat(parsed).isNotNull();
    assertThat(parsed.getProperty("PGDBNAME")).isEqualTo("medpipe");
    assertThat(parsed.getProperty("cloudSqlInstance")).isEqualTo("medpipe-prod:europe-west1:medpipe");
    assertThat(parsed.getProperty("socketFactory")).isEqualTo(CloudSqlEnvironment.SOCKET_FACTORY);
    assertThat(parsed.getProperty("enableIamAuth")).isEqualTo("true");
    assertThat(parsed.getProperty("ipTypes")).isEqualTo("PRIVATE");
    assertThat(parsed.getProperty("sslmode")).isEqualTo("disable");
    // the connector the URL names is on the runtime classpath and is a socket factory the driver can use
    assertThat(javax.net.SocketFactory.class.isAssignableFrom(Class.forName(parsed.getProperty("socketFactory"))))
        .isTrue();
    assertThat(env.getProperty("spring.datasource.password")).isNotBlank();
  }

  @Test
  void keepsAGivenPasswordAndLeavesIamLoginOffWhenAsked() {
    MockEnvironment env = env("medpipe.cloud-sql.instance", "p:r:i", "medpipe.cloud-sql.iam-login", "false",
        "spring.datasource.password", "from-secret-manager");

    assertThat(env.getProperty("spring.datasource.url")).doesNotContain("enableIamAuth");
    assertThat(env.getProperty("spring.datasource.password")).isEqualTo("from-secret-manager");
  }

  @Test
  void anExplicitDatabaseUrlWins() {
    MockEnvironment env = env("medpipe.cloud-sql.instance", "p:r:i",
        "spring.datasource.url", "jdbc:postgresql://db:5432/medpipe");

    assertThat(env.getProperty("spring.datasource.url")).isEqualTo("jdbc:postgresql://db:5432/medpipe");
  }

  @Test
  void withoutAnInstanceNothingChanges() {
    assertThat(env().getProperty("spring.datasource.url")).isNull();
  }

  @Test
  void namesTheSettingThatIsWrong() {
    assertThatIllegalStateException().isThrownBy(() -> env("medpipe.cloud-sql.instance", "medpipe"))
        .withMessageContaining("MEDPIPE_CLOUDSQL_INSTANCE").withMessageContaining("project:region:instance");
    assertThatIllegalStateException()
        .isThrownBy(() -> CloudSqlEnvironment.properties("p:r:i", "medpipe", "INTERNET", true, ""))
        .withMessageContaining("MEDPIPE_CLOUDSQL_IP_TYPES");
  }

  @Test
  void aWrongSettingEndsTheStartWithItsMessageNotAStackTrace() {
    var analysis = new CloudSqlEnvironment.Analyzer().analyze(new IllegalStateException(
        new CloudSqlEnvironment.InvalidSettingException("MEDPIPE_CLOUDSQL_INSTANCE must be ...")));

    assertThat(analysis.getDescription()).isEqualTo("MEDPIPE_CLOUDSQL_INSTANCE must be ...");
  }

  @Test
  void derivesTheUrlBeforeTheDatabaseIsChosen() {
    // io.medpipe.system.EmbeddedDatabaseGuard and DemoDefaults (unordered = last) read spring.datasource.url
    assertThat(CloudSqlEnvironment.ORDER).isLessThan(new io.medpipe.system.EmbeddedDatabaseGuard().getOrder());
  }
}
