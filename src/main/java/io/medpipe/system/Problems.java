package io.medpipe.system;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

/**
 * RFC 9457 problem+json answers for servlet filters (authentication, throttling, the firewall), where no
 * controller advice runs. The words are medpipe's: a problem never quotes the request, a Java type or a stack trace.
 */
public final class Problems {

  /** A plain mapper: the bodies are maps of strings and numbers, nothing configurable. */
  private static final ObjectMapper JSON = new ObjectMapper();

  private Problems() {}

  /** A problem with medpipe's title for the status. */
  public static ProblemDetail of(HttpStatus status, String detail) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
    problem.setTitle(title(status));
    return problem;
  }

  /** The title medpipe gives a status in every problem answer. */
  public static String title(HttpStatus status) {
    return switch (status) {
      case BAD_REQUEST -> "Invalid request";
      case UNAUTHORIZED -> "Unauthorized";
      case FORBIDDEN -> "Forbidden";
      case NOT_FOUND -> "Not found";
      case METHOD_NOT_ALLOWED -> "Method not allowed";
      case NOT_ACCEPTABLE -> "Not acceptable";
      case UNSUPPORTED_MEDIA_TYPE -> "Unsupported media type";
      case PAYLOAD_TOO_LARGE -> "Request too large";
      case TOO_MANY_REQUESTS -> "Too many requests";
      case SERVICE_UNAVAILABLE -> "Service unavailable";
      default -> status.is5xxServerError() ? "Internal error" : status.getReasonPhrase();
    };
  }

  /** Writes the problem (and the field list of a 400, if any) as the whole response. */
  public static void write(HttpServletResponse response, HttpStatus status, String detail,
                           List<InvalidRequestException.FieldProblem> errors)
      throws IOException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", "about:blank");
    body.put("title", title(status));
    body.put("status", status.value());
    body.put("detail", detail);
    if (errors != null && !errors.isEmpty()) {
      body.put("errors", errors.stream().map(e -> Map.of("field", e.field(), "message", e.message())).toList());
    }
    response.setStatus(status.value());
    response.setContentType("application/problem+json");
    response.setCharacterEncoding(StandardCharsets.UTF_8.name());
    JSON.writeValue(response.getOutputStream(), body);
  }

  public static void write(HttpServletResponse response, HttpStatus status, String detail) throws IOException {
    write(response, status, detail, null);
  }
}
