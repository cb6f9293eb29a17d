package io.medpipe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.medpipe.artifact.FileSystemArtifactStore;
import io.medpipe.privacy.PrivacyProperties;
import io.medpipe.system.EmbeddedDatabase;
import io.medpipe.training.ModelBytesMigration;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.camunda.bpm.client.ExternalTaskClient;
import org.camunda.bpm.engine.ProcessEngine;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;

/**
 * The API-only role ({@code SPRING_PROFILES_ACTIVE=api}): the prediction API on a database whose schema the engine
 * node made, logged in as a member of {@code medpipe_api} from deploy/cloudsql/roles.sql, the role API nodes get on
 * Cloud SQL. It starts with no engine, no web apps, no migrations and no workers, serves the prediction and key
 * APIs, and needs no right on the EHR.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
@ActiveProfiles("api")
@DirtiesContext
class ApiRoleIT {

  static final int PORT = TestPorts.free();
  static final String ADMIN_KEY = "api-role-it-admin-key";
  static final String SERVICE_KEY = "api-role-it-service-key";
  static final String REFERENCE_KEY = "api-role-it-reference-key";
  static EmbeddedDatabase database;

  static {
    try {
      Path dir = Files.createTempDirectory("medpipe-api-role");
      database = EmbeddedDatabase.start(dir.resolve("postgres").toString(), 0, "api-role-it-superuser");
      // after @DirtiesContext has closed the API node's context at the end of the class
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          database.close();
        } catch (Exception ignored) {
          // the JVM is exiting
        }
      }));
      // the engine node's part: the schema (its Camunda tables are not needed here)
      Flyway.configure().dataSource(database.jdbcUrl(), database.user(), database.password()).schemas("medpipe", "ehr")
          .defaultSchema("medpipe").locations("classpath:db/migration")
          .javaMigrations(new ModelBytesMigration(new FileSystemArtifactStore(dir.resolve("artifacts"))))
          .load().migrate();
      try (Connection c = database.connect();
           Statement s = c.createStatement()) {
        s.execute(Files.readString(Path.of("deploy/cloudsql/roles.sql")));
        s.execute("CREATE ROLE api_node LOGIN PASSWORD 'api-node' IN ROLE medpipe_api");
        // a patient in the EHR the API node must not be able to read
        s.execute("INSERT INTO ehr.patient (mrn, family_name, given_name, birth_date, sex)"
            + " VALUES ('MRN-API-1', 'Doe', 'Jane', DATE '1980-01-01', 'F')");
      }
      String url = database.jdbcUrl().replaceAll("user=[^&]*&?|password=[^&]*&?", "").replaceAll("[?&]$", "");
      // before the context: medpipe decides on its database while the environment is prepared
      System.setProperty("spring.datasource.url", url);
      System.setProperty("spring.datasource.username", "api_node");
      System.setProperty("spring.datasource.password", "api-node");
      System.setProperty("server.port", String.valueOf(PORT));
      System.setProperty("medpipe.data-dir", dir.resolve("node").toString());
      System.setProperty("medpipe.artifacts.dir", dir.resolve("artifacts").toString());
      System.setProperty("medpipe.api.admin-key", ADMIN_KEY);
      System.setProperty("medpipe.api.service-key", SERVICE_KEY);
      // the patient references' key, shared by every API node; the pseudonymisation key stays off this node
      System.setProperty("medpipe.privacy.reference-key", REFERENCE_KEY);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Autowired ApplicationContext context;
  @Autowired ExternalTaskClient workers;

  final HttpClient http = HttpClient.newHttpClient();
  final ObjectMapper json = new ObjectMapper();

  HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpRequest.Builder get(String path, String key) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + PORT + path));
    return key == null ? b : b.header("X-API-Key", key);
  }

  @Test
  void runsNoEngineNoMigrationsAndNoWorkers() {
    assertThat(context.getBeansOfType(ProcessEngine.class)).isEmpty();
    assertThat(context.getBeansOfType(Flyway.class)).isEmpty();
    assertThat(context.getBeansOfType(EmbeddedDatabase.class)).isEmpty();
    assertThat(workers.isActive()).isFalse();
  }

  @Test
  void servesThePredictionApiFromTheSharedDatabase() throws Exception {
    HttpResponse<String> model = send(get("/api/v1/model", SERVICE_KEY));
    // the database has no deployed model: the API says so, it does not fail
    assertThat(model.statusCode()).isEqualTo(503);
    assertThat(model.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(send(get("/api/v1/model", null)).statusCode()).isEqualTo(401);
    assertThat(send(get("/api/v1/predictions", ADMIN_KEY)).statusCode()).isEqualTo(200);
  }

  @Test
  void managesClientKeys() throws Exception {
    HttpResponse<String> created = send(get("/api/v1/admin/keys", ADMIN_KEY).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"clientId\":\"ward-7\",\"role\":\"predict\"}")));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String key = json.readTree(created.body()).path("key").asText();

    assertThat(send(get("/api/v1/model", key)).statusCode()).isEqualTo(503);
    JsonNode listed = json.readTree(send(get("/api/v1/admin/keys", ADMIN_KEY)).body());
    assertThat(listed.findValuesAsText("clientId")).contains("ward-7");
  }

  @Test
  void redactsThePredictionRecordWithOnlyItsGrants() throws Exception {
    HttpResponse<String> redaction = send(get("/api/v1/admin/predictions/redactions", ADMIN_KEY)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
            "{\"patientRef\":\"ref-7f3a9c2e\",\"reason\":\"client sent the wrong reference\"}")));
    assertThat(redaction.statusCode()).as(redaction.body()).isEqualTo(201);
    assertThat(send(get("/api/v1/admin/predictions/redactions", ADMIN_KEY)).body()).contains("patient-ref");
  }

  @Test
  void hashesPatientReferencesWithTheSharedReferenceKeyNotThePseudonymKey(@Autowired PrivacyProperties privacy) {
    // every API node must store the same reference for the same patient, so the key is configured, not drawn per start
    assertThat(privacy.referenceKey()).isEqualTo(REFERENCE_KEY);
    assertThat(privacy.pseudonymKey()).isNotEqualTo(REFERENCE_KEY);
  }

  @Test
  void hasNoEngineApiNoWebAppsAndNoRightOnTheEhr() throws Exception {
    assertThat(send(get("/engine-rest/version", null)).statusCode()).isEqualTo(404);
    assertThat(send(get("/camunda/app/cockpit/", null)).statusCode()).isEqualTo(404);
    try (Connection c = DriverManager.getConnection(System.getProperty("spring.datasource.url"), "api_node",
        "api-node"); Statement s = c.createStatement()) {
      assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> s.executeQuery("SELECT mrn FROM ehr.patient")))
          .hasMessageContaining("permission denied");
    }
  }
}
