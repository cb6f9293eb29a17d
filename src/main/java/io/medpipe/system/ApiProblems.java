package io.medpipe.system;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.net.URI;
import java.util.List;
import java.util.stream.Collectors;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/**
 * Turns bad input on medpipe's own API into RFC 9457 problem+json naming the fields, never a stack trace.
 * Unexpected failures fall through to Spring's error handling, configured never to include messages or traces.
 */
@RestControllerAdvice(basePackages = "io.medpipe")
public class ApiProblems {

  @ExceptionHandler(InvalidRequestException.class)
  ProblemDetail invalid(InvalidRequestException e) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
    problem.setTitle("Invalid request");
    problem.setType(URI.create("https://medpipe.io/problems/invalid-request"));
    problem.setProperty("errors", e.problems());
    return problem;
  }

  @ExceptionHandler(HttpMessageNotReadableException.class)
  ProblemDetail unreadable(HttpMessageNotReadableException e) {
    String field = "$";
    String message = "body is not valid JSON";
    if (e.getCause() instanceof UnrecognizedPropertyException u) {
      field = path(u);
      message = "unknown field";
    } else if (e.getCause() instanceof InvalidFormatException f) {
      field = path(f);
      message = "has the wrong type (expected " + f.getTargetType().getSimpleName() + ")";
    } else if (e.getCause() instanceof JsonMappingException m && !m.getPath().isEmpty()) {
      field = path(m);
      message = "cannot be read: " + m.getOriginalMessage().split("\n")[0];
    } else if (e.getMessage() != null && e.getMessage().startsWith("Required request body is missing")) {
      message = "request body is missing";
    }
    return invalid(new InvalidRequestException(field, message));
  }

  @ExceptionHandler(MethodArgumentTypeMismatchException.class)
  ProblemDetail badParameter(MethodArgumentTypeMismatchException e) {
    return invalid(new InvalidRequestException(e.getName(), "is not a valid "
        + (e.getRequiredType() == null ? "value" : e.getRequiredType().getSimpleName())));
  }

  @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
  ProblemDetail mediaType(HttpMediaTypeNotSupportedException e) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.UNSUPPORTED_MEDIA_TYPE,
        "send the body as application/json");
    problem.setTitle("Unsupported media type");
    return problem;
  }

  @ExceptionHandler(ServiceUnavailableException.class)
  ProblemDetail unavailable(ServiceUnavailableException e) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
    problem.setTitle("Service unavailable");
    return problem;
  }

  @ExceptionHandler(NotFoundException.class)
  ProblemDetail notFound(NotFoundException e) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, e.getMessage());
    problem.setTitle("Not found");
    return problem;
  }

  private static String path(JsonMappingException e) {
    List<JsonMappingException.Reference> refs = e.getPath();
    return refs.stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining(".")).replace(".[", "[");
  }

  /** The resource exists in principle but cannot serve now (e.g. no model deployed in the slot). */
  public static class ServiceUnavailableException extends RuntimeException {
    public ServiceUnavailableException(String message) {
      super(message);
    }
  }

  /** The named thing does not exist. */
  public static class NotFoundException extends RuntimeException {
    public NotFoundException(String message) {
      super(message);
    }
  }
}
