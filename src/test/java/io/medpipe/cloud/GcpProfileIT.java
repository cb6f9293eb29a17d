package io.medpipe.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.contrib.nio.testing.LocalStorageHelper;
import io.medpipe.TestPorts;
import io.medpipe.artifact.ArtifactStore;
import io.medpipe.artifact.GcsArtifactStore;
import io.medpipe.privacy.PrivacyProperties;
import io.medpipe.serving.ApiProperties;
import io.medpipe.system.EmbeddedDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;

/**
 * The engine node with the {@code gcp} profile, as on GKE except for what needs Google: the embedded database
 * stands in for Cloud SQL (no MEDPIPE_CLOUDSQL_INSTANCE; the connector's settings are CloudSqlEnvironmentTest's),
 * google-cloud-nio's in-memory Storage for the GCS bucket, and a directory of files for the Secret Manager volume.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT, properties = {
    "MEDPIPE_GCS_BUCKET=medpipe-it-artifacts",
    "GOOGLE_CLOUD_PROJECT=medpipe-it",
    "medpipe.worker.enabled=false"})
@ActiveProfiles("gcp")
@ExtendWith(OutputCaptureExtension.class)
@DirtiesContext
class GcpProfileIT {

  static final String PSEUDONYM_KEY = "gcp-profile-it-pseudonym-key";
  static final String API_ADMIN_KEY = "gcp-profile-it-admin-key";

  static final Path DIR;

  static {
    // before the context: the config tree import is resolved while the environment is prepared
    try {
      DIR = Files.createTempDirectory("medpipe-gcp-profile");
      System.setProperty("server.port", String.valueOf(TestPorts.free()));
      System.setProperty("medpipe.data-dir", DIR.resolve("data").toString());
      // the Secret Manager volume: one file per secret, named like its environment variable, with a trailing
      // newline as a file written by hand has
      Path secrets = DIR.resolve("secrets");
      System.setProperty("MEDPIPE_SECRETS_DIR", secrets.toString());
      Files.createDirectories(secrets);
      Files.writeString(secrets.resolve("MEDPIPE_PSEUDONYM_KEY"), PSEUDONYM_KEY + "\n");
      Files.writeString(secrets.resolve("MEDPIPE_API_ADMIN_KEY"), API_ADMIN_KEY + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The GCS bucket, in memory. */
  @TestConfiguration
  static class FakeGcs {
    @Bean
    Storage storage() {
      // customOptions(false): the store writes with doesNotExist(), which the fake otherwise refuses outright
      return LocalStorageHelper.customOptions(false).getService();
    }
  }

  @Autowired ApplicationContext context;
  @Autowired ArtifactStore artifacts;
  @Autowired Storage storage;
  @Autowired PrivacyProperties privacy;
  @Autowired ApiProperties api;

  @Test
  void keepsArtifactsInTheBucket() {
    assertThat(artifacts).isInstanceOf(GcsArtifactStore.class);

    String uri = artifacts.put("it/model.bin", "model".getBytes(StandardCharsets.UTF_8));

    assertThat(uri).isEqualTo("gs://medpipe-it-artifacts/medpipe/it/model.bin");
    assertThat(storage.get(BlobId.fromGsUtilUri(uri)).getContent()).isEqualTo("model".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsSecretsFromTheMountedFilesWithoutTheirNewline() {
    assertThat(privacy.pseudonymKey()).isEqualTo(PSEUDONYM_KEY);
    assertThat(api.adminKey()).isEqualTo(API_ADMIN_KEY);
  }

  @Test
  void runsOnTheEmbeddedDatabaseWhenNoCloudSqlInstanceIsNamed() {
    assertThat(context.getBeansOfType(EmbeddedDatabase.class)).hasSize(1);
    assertThat(context.getBeansOfType(TraceContextFilter.class)).hasSize(1);
  }

  @Test
  void logsJsonLinesForCloudLoggingAndPlainTextToTheScannedFile(CapturedOutput output) throws Exception {
    ObjectMapper json = new ObjectMapper();
    List<String> lines = output.getOut().lines().filter(l -> l.contains("Started GcpProfileIT")).toList();
    assertThat(lines).hasSize(1);
    JsonNode started = json.readTree(lines.get(0));
    assertThat(started.path("severity").asText()).isEqualTo("INFO");
    assertThat(started.path("message").asText()).startsWith("Started GcpProfileIT");
    assertThat(started.path("logger").asText()).isEqualTo(GcpProfileIT.class.getName());
    assertThat(started.path("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");

    // the leak scan reads the log file (MEDPIPE_LOG_FILE) as text: same message, not JSON
    List<String> file = Files.readAllLines(DIR.resolve("data/logs/medpipe.log"));
    assertThat(file).filteredOn(l -> l.contains("Started GcpProfileIT")).hasSize(1)
        .allSatisfy(l -> assertThat(l).doesNotStartWith("{"));
  }
}
