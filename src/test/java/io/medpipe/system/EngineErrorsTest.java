package io.medpipe.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Camunda's REST error answers (as the review found them) in the API's words: the status the cause deserves, no Java
 * class in {@code type} or {@code message}, Camunda's shape and its other fields kept.
 */
class EngineErrorsTest {

  final ObjectMapper json = new ObjectMapper();

  JsonNode translate(int status, String body, int expectedStatus) throws Exception {
    EngineErrors.Answer answer = EngineErrors.translate(status, body.getBytes(StandardCharsets.UTF_8));
    assertThat(answer.status()).as(body).isEqualTo(expectedStatus);
    String text = new String(answer.body(), StandardCharsets.UTF_8);
    assertThat(text).as(body).doesNotContainPattern(EngineErrors.JAVA);
    return json.readTree(text);
  }

  @Test
  void aTaskClaimedBySomeoneElseIsAConflict() throws Exception {
    JsonNode body = translate(500, "{\"type\":\"TaskAlreadyClaimedException\",\"message\":\"Task 'abc' is already "
        + "claimed by someone else.\",\"code\":0}", 409);
    assertThat(body.path("type").asText()).isEqualTo("Conflict");
    assertThat(body.path("message").asText()).isEqualTo("Task 'abc' is already claimed by someone else.");
    assertThat(body.path("code").asInt(-1)).isZero();
  }

  @Test
  void formValidationSpinAndJacksonFailuresAreBadRequestsInTheApisWords() throws Exception {
    JsonNode form = translate(500, "{\"type\":\"FormFieldValidationException\",\"message\":\"Cannot submit task form"
        + " 1: form field 'x' ...\"}", 400);
    assertThat(form.path("type").asText()).isEqualTo("InvalidRequest");
    JsonNode spin = translate(500, "{\"type\":\"ProcessEngineException\",\"message\":\"ENGINE-03051 There was an "
        + "exception during transaction: Cannot deserialize object in variable 'qaDecision': SPIN/JACKSON-JSON-01007"
        + " Cannot construct java type from type 'java.lang.String'\"}", 400);
    assertThat(spin.path("message").asText()).contains("cannot be read as the type it declares");
    JsonNode jackson = translate(400, "{\"type\":\"JsonMappingException\",\"message\":\"Cannot deserialize value of "
        + "type `java.util.HashMap<java.lang.String,org.camunda.bpm.engine.rest.dto.VariableValueDto>`\"}", 400);
    assertThat(jackson.path("type").asText()).isEqualTo("InvalidRequest");
  }

  @Test
  void aConditionNothingWaitsForIsABadRequestWithCamundasOwnWords() throws Exception {
    JsonNode body = translate(500, "{\"type\":\"ProcessEngineException\",\"message\":\"No subscriptions were found "
        + "during evaluation of the conditional start events.\"}", 400);
    assertThat(body.path("message").asText()).startsWith("No subscriptions were found");
  }

  @Test
  void authorizationAnswersKeepTheTypeTheWebAppsReadAndTheirMissingAuthorizations() throws Exception {
    EngineErrors.Answer answer = EngineErrors.translate(403, ("{\"type\":\"AuthorizationException\",\"message\":"
        + "\"The user with id 'scientist' does not have 'UPDATE' permission on resource 'x' of type "
        + "'ProcessInstance'.\",\"userId\":\"scientist\",\"missingAuthorizations\":[{\"permissionName\":\"UPDATE\","
        + "\"resourceName\":\"ProcessInstance\",\"resourceId\":\"x\"}]}").getBytes(StandardCharsets.UTF_8));
    JsonNode body = json.readTree(answer.body());
    assertThat(answer.status()).isEqualTo(403);
    assertThat(body.path("type").asText()).isEqualTo("AuthorizationException");
    assertThat(body.path("missingAuthorizations").get(0).path("permissionName").asText()).isEqualTo("UPDATE");
  }

  @Test
  void notFoundAndServerErrorsKeepTheirStatusWithoutJava() throws Exception {
    JsonNode missing = translate(404, "{\"type\":\"InvalidRequestException\",\"message\":\"No matching task with id x"
        + "\"}", 404);
    assertThat(missing.path("type").asText()).isEqualTo("NotFound");
    JsonNode database = translate(500, "{\"type\":\"ProcessEnginePersistenceException\",\"message\":\"An exception "
        + "occurred in the persistence layer: org.postgresql.util.PSQLException: connection refused\"}", 500);
    assertThat(database.path("type").asText()).isEqualTo("ServerFailure");
    JsonNode unknown = translate(500, "{\"type\":\"NullPointerException\",\"message\":null}", 500);
    assertThat(unknown.path("message").asText()).contains("could not answer");
  }

  @Test
  void aBodyThatIsNotCamundasJsonIsLeftAloneUnlessItNamesJava() throws Exception {
    EngineErrors.Answer plain = EngineErrors.translate(405, new byte[0]);
    assertThat(plain.rewritten()).isFalse();
    EngineErrors.Answer trace = EngineErrors.translate(500, "java.lang.IllegalStateException: x\n\tat org.camunda.X.y("
        .getBytes(StandardCharsets.UTF_8));
    assertThat(trace.rewritten()).isTrue();
    assertThat(new String(trace.body(), StandardCharsets.UTF_8)).doesNotContainPattern(EngineErrors.JAVA);
  }
}
