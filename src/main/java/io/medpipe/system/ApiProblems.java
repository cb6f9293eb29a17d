package io.medpipe.system;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * Turns every error of medpipe's own API into RFC 9457 problem+json in the API's words: a 400 names the fields at
 * fault, and no answer quotes the request, names a Java or Jackson type, or carries a stack trace. Spring MVC's own
 * refusals (404, 405, 406, 415, missing parameters) get the same treatment; anything unexpected is a plain 500
 * problem whose cause is logged by class name only (the message may quote clinical input).
 */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
public class ApiProblems extends ResponseEntityExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(ApiProblems.class);
  private static final MediaType PROBLEM = MediaType.APPLICATION_PROBLEM_JSON;

  @ExceptionHandler(InvalidRequestException.class)
  ResponseEntity<Object> invalid(InvalidRequestException e) {
    ProblemDetail problem = Problems.of(HttpStatus.BAD_REQUEST, e.getMessage());
    problem.setType(URI.create("https://medpipe.io/problems/invalid-request"));
    problem.setProperty("errors", e.problems());
    return ResponseEntity.badRequest().contentType(PROBLEM).body(problem);
  }

  @ExceptionHandler(MethodArgumentTypeMismatchException.class)
  ResponseEntity<Object> badParameter(MethodArgumentTypeMismatchException e) {
    return invalid(new InvalidRequestException(e.getName(), "must be " + expected(e.getRequiredType())));
  }

  @ExceptionHandler(ServiceUnavailableException.class)
  ResponseEntity<Object> unavailable(ServiceUnavailableException e) {
    return answer(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
  }

  @ExceptionHandler(NotFoundException.class)
  ResponseEntity<Object> notFound(NotFoundException e) {
    return answer(HttpStatus.NOT_FOUND, e.getMessage());
  }

  /** The last resort: a bug, never bad input. The class name is logged, never the message (it may quote input). */
  @ExceptionHandler(Exception.class)
  ResponseEntity<Object> unexpected(Exception e) {
    log.error("Unexpected failure answering a request: {} at {}", e.getClass().getName(),
        e.getStackTrace().length > 0 ? e.getStackTrace()[0] : "?");
    return answer(HttpStatus.INTERNAL_SERVER_ERROR, "the request could not be answered; it has been logged");
  }

  @Override
  protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e,
                                                                HttpHeaders headers, HttpStatusCode status,
                                                                WebRequest request) {
    Throwable cause = e.getCause();
    String field = "$";
    String message = "is not valid JSON";
    if (cause instanceof UnrecognizedPropertyException u) {
      field = path(u);
      message = "unknown field";
    } else if (cause instanceof InvalidFormatException f) {
      field = path(f);
      message = "must be " + expected(f.getTargetType());
    } else if (cause instanceof StreamConstraintsException) {
      message = "is too deeply nested or holds a number or string that is too long";
    } else if (cause instanceof JsonParseException p) {
      message = parseProblem(p.getOriginalMessage());
    } else if (cause instanceof MismatchedInputException m) {
      if (String.valueOf(m.getOriginalMessage()).contains("Trailing token")) {
        message = "is not valid JSON here: something follows the JSON value";
      } else {
        field = path(m);
        message = m.getTargetType() == null ? "is not valid JSON" : "must be " + expected(m.getTargetType());
      }
    } else if (cause instanceof JsonMappingException m && !m.getPath().isEmpty()) {
      field = path(m);
      message = "cannot be read";
    } else if (cause == null && e.getMessage() != null && e.getMessage().startsWith("Required request body")) {
      message = "request body is missing";
    } else if (cause instanceof java.io.IOException) {
      message = "could not be read (too large, or the connection broke)";
    }
    return invalid(new InvalidRequestException(field, message));
  }

  @Override
  protected ResponseEntity<Object> handleHttpMediaTypeNotSupported(HttpMediaTypeNotSupportedException e,
                                                                   HttpHeaders headers, HttpStatusCode status,
                                                                   WebRequest request) {
    HttpHeaders out = new HttpHeaders();
    if (!e.getSupportedMediaTypes().isEmpty()) {
      out.setAccept(e.getSupportedMediaTypes());
    }
    return answer(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "send the body as " + names(e.getSupportedMediaTypes()), out);
  }

  @Override
  protected ResponseEntity<Object> handleHttpMediaTypeNotAcceptable(HttpMediaTypeNotAcceptableException e,
                                                                    HttpHeaders headers, HttpStatusCode status,
                                                                    WebRequest request) {
    return answer(HttpStatus.NOT_ACCEPTABLE, "this resource is available as "
        + names(e.getSupportedMediaTypes()) + " only");
  }

  @Override
  protected ResponseEntity<Object> handleHttpRequestMethodNotSupported(HttpRequestMethodNotSupportedException e,
                                                                       HttpHeaders headers, HttpStatusCode status,
                                                                       WebRequest request) {
    HttpHeaders out = new HttpHeaders();
    Set<HttpMethod> allowed = e.getSupportedHttpMethods();
    if (allowed != null) {
      out.setAllow(allowed);
    }
    String methods = allowed == null ? "another method"
        : allowed.stream().map(HttpMethod::name).sorted().collect(Collectors.joining(", "));
    return answer(HttpStatus.METHOD_NOT_ALLOWED, "this resource answers " + methods + " only", out);
  }

  @Override
  protected ResponseEntity<Object> handleNoResourceFoundException(NoResourceFoundException e, HttpHeaders headers,
                                                                  HttpStatusCode status, WebRequest request) {
    return answer(HttpStatus.NOT_FOUND, "there is no such resource");
  }

  @Override
  protected ResponseEntity<Object> handleMissingServletRequestParameter(MissingServletRequestParameterException e,
                                                                        HttpHeaders headers, HttpStatusCode status,
                                                                        WebRequest request) {
    return invalid(new InvalidRequestException(e.getParameterName(), "is required"));
  }

  /**
   * Every other refusal Spring MVC raises itself: keep its status, replace its detail (Spring's may quote the
   * request, e.g. a parameter value or a content type) by the status's own words.
   */
  @Override
  protected ResponseEntity<Object> handleExceptionInternal(Exception e, Object body, HttpHeaders headers,
                                                           HttpStatusCode status, WebRequest request) {
    HttpStatus known = HttpStatus.resolve(status.value());
    HttpStatus s = known == null ? HttpStatus.BAD_REQUEST : known;
    if (s.is5xxServerError() && s != HttpStatus.SERVICE_UNAVAILABLE) {
      log.error("Unexpected failure answering a request: {}", e.getClass().getName());
    }
    String detail = s.is4xxClientError() ? "the request cannot be answered as sent" : Problems.title(s);
    return answer(s, detail, headers);
  }

  private static ResponseEntity<Object> answer(HttpStatus status, String detail) {
    return answer(status, detail, null);
  }

  private static ResponseEntity<Object> answer(HttpStatus status, String detail, HttpHeaders headers) {
    HttpHeaders out = new HttpHeaders();
    if (headers != null) {
      // keep Allow, Accept and Retry-After; never a content type the problem is not
      headers.forEach((name, values) -> {
        if (!name.equalsIgnoreCase(HttpHeaders.CONTENT_TYPE) && !name.equalsIgnoreCase(HttpHeaders.CONTENT_LENGTH)) {
          out.put(name, values);
        }
      });
    }
    out.setContentType(PROBLEM);
    return new ResponseEntity<>(Problems.of(status, detail), out, status);
  }

  /** What a value of this type looks like in the API's words (never the Java type). */
  static String expected(Class<?> type) {
    if (type == null) {
      return "a value of another type";
    }
    if (type == UUID.class) {
      return "a UUID";
    }
    if (type == Instant.class || type == OffsetDateTime.class) {
      return "an ISO-8601 timestamp, e.g. 2026-01-31T12:00:00Z";
    }
    if (type == boolean.class || type == Boolean.class) {
      return "true or false";
    }
    if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
      return "a whole number";
    }
    if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) {
      return "a number";
    }
    if (type == String.class || type.isEnum()) {
      return "a string";
    }
    if (type.isArray() || Collection.class.isAssignableFrom(type)) {
      return "an array";
    }
    if (Map.class.isAssignableFrom(type) || type.isRecord()) {
      return "an object";
    }
    return "a value of another type";
  }

  /** A JSON syntax error in a few words: the parser's message names Java types and quotes the input. */
  private static String parseProblem(String original) {
    String m = original == null ? "" : original;
    if (m.contains("end-of-input") || m.contains("end of input")) {
      return "is not valid JSON (it ends too early)";
    }
    if (m.contains("Duplicate field")) {
      return "is not valid JSON here: a field appears twice";
    }
    if (m.contains("Non-standard token") || m.contains("NaN") || m.contains("Infinity")) {
      return "is not valid JSON: NaN and Infinity are not numbers in JSON";
    }
    return "is not valid JSON";
  }

  private static String names(List<MediaType> types) {
    return types.isEmpty() ? "another media type"
        : types.stream().map(t -> t.getType() + "/" + t.getSubtype()).distinct().collect(Collectors.joining(" or "));
  }

  private static String path(JsonMappingException e) {
    List<JsonMappingException.Reference> refs = e.getPath();
    if (refs.isEmpty()) {
      return "$";
    }
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
