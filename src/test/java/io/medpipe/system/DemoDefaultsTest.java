package io.medpipe.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/** Generated secrets in demo mode; a refused start when an external database lacks them. */
class DemoDefaultsTest {

  static final String WORKER = "medpipe.worker.password";
  static final String KEY = "medpipe.privacy.pseudonym-key";
  static final String ADMIN = "camunda.bpm.admin-user.password";
  static final String TOKEN = "medpipe.webhook.token";
  static final String SERVICE_KEY = "medpipe.api.service-key";
  static final String API_ADMIN_KEY = "medpipe.api.admin-key";
  static final String REFERENCE_KEY = "medpipe.privacy.reference-key";

  @TempDir Path dataDir;

  /** An environment holding only the given properties (no system properties or OS environment). */
  StandardEnvironment environment(Map<String, Object> properties) {
    StandardEnvironment env = new StandardEnvironment();
    env.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
    env.getPropertySources().remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
    Map<String, Object> p = new HashMap<>(properties);
    p.putIfAbsent("medpipe.data-dir", dataDir.toString());
    env.getPropertySources().addLast(new MapPropertySource("test", p));
    return env;
  }

  StandardEnvironment processed(Map<String, Object> properties) {
    StandardEnvironment env = environment(properties);
    new DemoDefaults().postProcessEnvironment(env, null);
    return env;
  }

  static Map<String, Object> externalDatabaseWith(Map<String, Object> secrets) {
    Map<String, Object> p = new HashMap<>(secrets);
    p.put("spring.datasource.url", "jdbc:postgresql://db:5432/medpipe");
    return p;
  }

  @Test
  void generatesEverySecretInDemoMode() {
    StandardEnvironment env = processed(Map.of());

    assertThat(env.getProperty("medpipe.demo-mode", Boolean.class)).isTrue();
    assertThat(env.getProperty(WORKER)).matches("[0-9a-f]{32}");
    assertThat(env.getProperty(KEY)).matches("[0-9a-f]{64}");
    assertThat(env.getProperty(TOKEN)).matches("[0-9a-f]{64}");
    assertThat(env.getProperty(ADMIN)).isEqualTo("demo");
    assertThat(env.getProperty(SERVICE_KEY)).matches("[0-9a-f]{64}");
    assertThat(env.getProperty(API_ADMIN_KEY)).matches("[0-9a-f]{64}");
    assertThat(dataDir.resolve("api-admin.key")).exists();
  }

  @Test
  void keepsThePseudonymKeyAndWebhookTokenInOwnerOnlyFiles() throws IOException {
    StandardEnvironment env = processed(Map.of());

    for (String[] secret : new String[][] {{"pseudonym.key", KEY}, {"webhook.token", TOKEN}}) {
      Path file = dataDir.resolve(secret[0]);
      assertThat(Files.readString(file).trim()).isEqualTo(env.getProperty(secret[1]));
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }
  }

  @Test
  void keepsThePseudonymKeyAndTokenAcrossRestartsButNotTheWorkerPassword() {
    StandardEnvironment first = processed(Map.of());
    StandardEnvironment second = processed(Map.of());

    assertThat(second.getProperty(KEY)).isEqualTo(first.getProperty(KEY));
    assertThat(second.getProperty(TOKEN)).isEqualTo(first.getProperty(TOKEN));
    assertThat(second.getProperty(WORKER)).isNotEqualTo(first.getProperty(WORKER));
  }

  @Test
  void createsTheDataDirectoryWhenItIsMissing() {
    Path nested = dataDir.resolve("not/yet/there");

    StandardEnvironment env = processed(Map.of("medpipe.data-dir", nested.toString()));

    assertThat(nested.resolve("pseudonym.key")).hasContent(env.getProperty(KEY));
  }

  @Test
  void generatedValuesWinOverBlankDefaults() {
    // application.yml declares e.g. pseudonym-key: ${MEDPIPE_PSEUDONYM_KEY:} which resolves to ""
    StandardEnvironment env = processed(Map.of(KEY, "", TOKEN, " ", WORKER, ""));

    assertThat(env.getProperty(KEY)).matches("[0-9a-f]{64}");
    assertThat(env.getProperty(TOKEN)).matches("[0-9a-f]{64}");
    assertThat(env.getProperty(WORKER)).matches("[0-9a-f]{32}");
  }

  @Test
  void keepsSecretsThatAreConfiguredAndWritesNoFileForThem() {
    StandardEnvironment env = processed(Map.of(KEY, "configured-pseudonym-key", TOKEN, "configured-token"));

    assertThat(env.getProperty(KEY)).isEqualTo("configured-pseudonym-key");
    assertThat(env.getProperty(TOKEN)).isEqualTo("configured-token");
    assertThat(dataDir.resolve("pseudonym.key")).doesNotExist();
    assertThat(dataDir.resolve("webhook.token")).doesNotExist();
  }

  @Test
  void generatesNoEngineSecretsWhenTheEngineIsDisabled() {
    StandardEnvironment env = processed(Map.of("camunda.bpm.enabled", "false"));

    assertThat(env.getProperty(ADMIN)).isNull();
    assertThat(env.getProperty(TOKEN)).isNull();
    assertThat(dataDir.resolve("webhook.token")).doesNotExist();
    assertThat(env.getProperty(KEY)).isNotBlank();
  }

  @Test
  void generatesAPatientReferenceKeyApartFromThePseudonymKeyInDemoMode() {
    StandardEnvironment env = processed(Map.of());

    assertThat(env.getProperty(REFERENCE_KEY)).hasSizeGreaterThanOrEqualTo(32).isNotEqualTo(env.getProperty(KEY));
    assertThat(dataDir.resolve("reference.key")).exists();
  }

  @Test
  void refusesAnExternalDatabaseWithoutSecretsAndNamesEveryMissingVariable() {
    StandardEnvironment env = environment(externalDatabaseWith(Map.of()));

    assertThatIllegalStateException().isThrownBy(() -> new DemoDefaults().postProcessEnvironment(env, null))
        .withMessageContaining("MEDPIPE_WORKER_PASSWORD")
        .withMessageContaining("MEDPIPE_PSEUDONYM_KEY")
        .withMessageContaining("MEDPIPE_ADMIN_PASSWORD")
        .withMessageContaining("MEDPIPE_WEBHOOK_TOKEN")
        .withMessageContaining("MEDPIPE_API_SERVICE_KEY")
        .withMessageContaining("MEDPIPE_API_ADMIN_KEY")
        .withMessageContaining("MEDPIPE_REFERENCE_KEY");
    assertThat(dataDir).isEmptyDirectory();
  }

  @Test
  void namesOnlyTheSecretThatIsMissing() {
    StandardEnvironment env = environment(externalDatabaseWith(Map.of(WORKER, "w", ADMIN, "a", TOKEN, "t",
        KEY, " ", SERVICE_KEY, "s", API_ADMIN_KEY, "k", REFERENCE_KEY, "r")));

    assertThatIllegalStateException().isThrownBy(() -> new DemoDefaults().postProcessEnvironment(env, null))
        .withMessageContaining("MEDPIPE_PSEUDONYM_KEY")
        .withMessageNotContaining("MEDPIPE_WORKER_PASSWORD")
        .withMessageNotContaining("MEDPIPE_ADMIN_PASSWORD")
        .withMessageNotContaining("MEDPIPE_WEBHOOK_TOKEN");
  }

  @Test
  void needsNoEngineSecretsForAnExternalDatabaseWhenTheEngineIsDisabled() {
    Map<String, Object> p = externalDatabaseWith(Map.of(WORKER, "w", KEY, "configured-pseudonym-key",
        SERVICE_KEY, "s"));
    p.put("camunda.bpm.enabled", "false");
    p.put("medpipe.serving.enabled", "false");

    StandardEnvironment env = processed(p);

    assertThat(env.getProperty("medpipe.demo-mode", Boolean.class)).isFalse();
  }

  @Test
  void startsWithAnExternalDatabaseWhenEverySecretIsConfigured() {
    StandardEnvironment env = processed(externalDatabaseWith(Map.of(WORKER, "w", KEY, "configured-pseudonym-key",
        ADMIN, "a", TOKEN, "t", SERVICE_KEY, "s", API_ADMIN_KEY, "k", REFERENCE_KEY, "configured-reference-key")));

    assertThat(env.getProperty("medpipe.demo-mode", Boolean.class)).isFalse();
    assertThat(env.getProperty(KEY)).isEqualTo("configured-pseudonym-key");
    assertThat(dataDir).isEmptyDirectory();
  }
}
