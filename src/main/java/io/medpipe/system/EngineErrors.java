package io.medpipe.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The translation of Camunda's REST error answers into the API's words: Camunda answers an error as
 * {@code {"type": "<Java exception class>", "message": "...", ...}}, often with status 500 for what the request
 * caused (a task claimed by someone else, a form field the form does not accept, a variable that cannot be
 * deserialised, a condition no process waits for), and with messages that may name Java or Jackson types. Cockpit
 * and Tasklist read that shape, so it is kept — {@code type}, {@code message} and Camunda's other fields (a code,
 * missing authorizations) — with the status the cause deserves, a {@code type} that names the kind of problem rather
 * than a Java class, and a message in the API's words wherever Camunda's would name Java.
 *
 * <p>One type is kept as Camunda writes it: {@code AuthorizationException}, because the web apps branch on exactly
 * that value to explain a 403 ("missing permission ... on resource ...").
 */
final class EngineErrors {

  /** Camunda's type names the web apps depend on; kept as they are. */
  static final Set<String> KEPT_TYPES = Set.of("AuthorizationException");

  /** What gives a message away as Java's rather than the API's: packages, exception names, frames, Jackson/Spin. */
  static final Pattern JAVA = Pattern.compile("(?:java|javax|jakarta|sun|org\\.camunda|org\\.springframework"
      + "|org\\.glassfish|org\\.apache|com\\.fasterxml)\\.[A-Za-z]|[A-Za-z](?:Exception|Error)\\b|\\bat [\\w$]+\\.[\\w$.]+\\("
      + "|SPIN/|[Jj]ackson|\\bclass [a-z]|\\bjava type\\b");

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A problem kind: its status and its words when Camunda's message cannot be shown. */
  private record Kind(int status, String type, String words) {}

  private static final Kind CLAIMED = new Kind(409, "Conflict",
      "the task is already claimed by someone else; its assignee (or an administrator) can release it");
  private static final Kind CONCURRENT = new Kind(409, "Conflict",
      "someone else changed this at the same time; reload it and try again");
  private static final Kind FORM = new Kind(400, "InvalidRequest", "a form field is missing, is not one the task's "
      + "form declares, or holds a value the form does not accept");
  private static final Kind VALUE = new Kind(400, "InvalidRequest", "a variable's value cannot be read as the type it "
      + "declares; send plain values, e.g. {\"value\": \"approve\"}");
  private static final Kind REFUSED = new Kind(400, "InvalidRequest", "the engine refused this request as sent: the "
      + "values, or the state of what it addresses, do not allow it");
  private static final Kind BODY = new Kind(400, "InvalidRequest",
      "the request body is not valid JSON of the form this resource expects");

  /** Camunda's exception types by what the request did wrong (status 500 from Camunda for most of them). */
  private static final Map<String, Kind> KINDS = Map.ofEntries(
      Map.entry("TaskAlreadyClaimedException", CLAIMED),
      Map.entry("OptimisticLockingException", CONCURRENT),
      Map.entry("FormFieldValidationException", FORM),
      Map.entry("FormFieldValidatorException", FORM),
      Map.entry("FormFieldConfigurationException", FORM),
      Map.entry("FormException", FORM),
      Map.entry("JsonMappingException", BODY),
      Map.entry("JsonParseException", BODY),
      Map.entry("MismatchedInputException", BODY),
      Map.entry("InvalidFormatException", BODY),
      Map.entry("UnrecognizedPropertyException", BODY),
      Map.entry("ProcessEngineException", REFUSED),
      Map.entry("NullValueException", REFUSED),
      Map.entry("NotValidException", REFUSED),
      Map.entry("BadUserRequestException", REFUSED),
      Map.entry("InvalidRequestException", REFUSED),
      Map.entry("ScriptEvaluationException", REFUSED),
      Map.entry("ScriptCompilationException", REFUSED),
      Map.entry("DecisionException", REFUSED));

  /** An answer: status and body (JSON). */
  record Answer(int status, byte[] body, String type, boolean rewritten) {}

  private EngineErrors() {}

  /** Camunda's error answer (status, body as sent) in the API's words; unchanged if there is nothing to change. */
  static Answer translate(int status, byte[] body) {
    JsonNode parsed;
    try {
      parsed = body.length == 0 ? null : JSON.readTree(body);
    } catch (IOException notJson) {
      parsed = null;
    }
    if (!(parsed instanceof ObjectNode error) || !error.path("type").isTextual()) {
      String text = new String(body, java.nio.charset.StandardCharsets.UTF_8);
      if (!JAVA.matcher(text).find()) {
        return new Answer(status, body, null, false);
      }
      return new Answer(status, write(generic(status), wordsFor(status)), null, true);
    }
    String type = error.path("type").asText();
    String message = error.path("message").asText("");
    Kind kind = kindOf(type, status, message);
    int answered = kind == null ? status : kind.status();
    if (KEPT_TYPES.contains(type)) {
      answered = status;
    } else {
      error.put("type", kind == null ? generic(status) : kind.type());
    }
    if (JAVA.matcher(message).find() || message.isBlank()) {
      error.put("message", kind == null ? wordsFor(answered) : kind.words());
    }
    // other fields are Camunda's data (code, userId, missingAuthorizations): kept unless they name Java
    error.properties().removeIf(e -> !e.getKey().equals("type") && !e.getKey().equals("message")
        && JAVA.matcher(e.getValue().toString()).find());
    try {
      return new Answer(answered, JSON.writeValueAsBytes(error), type, true);
    } catch (IOException e) {
      return new Answer(answered, write(generic(answered), wordsFor(answered)), type, true);
    }
  }

  private static Kind kindOf(String type, int status, String message) {
    if (status == 404 || type.equals("NotFoundException")) {
      return new Kind(404, "NotFound", "there is no such resource, or you may not see it");
    }
    if (status >= 500 && type.endsWith("PersistenceException")) {
      // the database, not the request: stays a server error
      return null;
    }
    Kind kind = KINDS.get(type);
    if (kind == REFUSED && (message.contains("SPIN/") || message.contains("deserializ")
        || message.contains("serializ"))) {
      return VALUE;
    }
    if (kind == null && status >= 400 && status < 500) {
      return null;
    }
    return kind;
  }

  private static String generic(int status) {
    return switch (status) {
      case 400 -> "InvalidRequest";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "NotFound";
      case 405 -> "MethodNotAllowed";
      case 409 -> "Conflict";
      case 415 -> "UnsupportedMediaType";
      default -> status >= 500 ? "ServerFailure" : "InvalidRequest";
    };
  }

  private static String wordsFor(int status) {
    return status >= 500 ? "the engine could not answer this request; it has been logged"
        : status == 404 ? "there is no such resource, or you may not see it"
        : "the engine refused this request as sent";
  }

  private static byte[] write(String type, String message) {
    try {
      return JSON.writeValueAsBytes(Map.of("type", type, "message", message));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
