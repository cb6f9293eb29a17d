package io.medpipe.cloud;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.time.Instant;
import java.util.Map;
import org.springframework.boot.json.JsonWriter;
import org.springframework.boot.logging.structured.JsonWriterStructuredLogFormatter;
import org.springframework.boot.logging.structured.StructuredLoggingJsonMembersCustomizer;
import org.springframework.core.env.Environment;

/**
 * A log line as the JSON object Cloud Logging reads from a container's output: {@code time}, {@code severity},
 * {@code message}, the trace and span of the request that logged it, plus logger, thread and stack trace.
 *
 * <p>Written here because Spring Boot's structured logging knows ECS, GELF and Logstash but not Cloud Logging's
 * special fields: their {@code level} and {@code @timestamp} would land in the payload and every line would show
 * as severity DEFAULT, and no renaming can build the {@code projects/P/traces/T} value the trace field needs.
 * Selected with {@code logging.structured.format.console=io.medpipe.cloud.CloudLoggingFormat} (profile gcp).
 *
 * <p>It adds nothing a text line does not have: the message, logger, thread and stack trace are those of the
 * plain log file the leak scan reads, and of the MDC only the trace and span ids (hex, checked by
 * {@link TraceContextFilter}) are written, so no key-value that some library put in the MDC is published.
 */
public class CloudLoggingFormat extends JsonWriterStructuredLogFormatter<ILoggingEvent> {

  /** Cloud Logging's names of logback's levels; TRACE has no equal and is DEBUG. */
  private static final Map<Level, String> SEVERITY = Map.of(Level.ERROR, "ERROR", Level.WARN, "WARNING",
      Level.INFO, "INFO", Level.DEBUG, "DEBUG", Level.TRACE, "DEBUG");

  /**
   * Called by Spring Boot's structured logging with what it has: the environment (for the project id) and logback's
   * stack trace printer.
   */
  public CloudLoggingFormat(Environment environment, ThrowableProxyConverter throwables,
                            StructuredLoggingJsonMembersCustomizer<?> customizer) {
    super(members(projectId(environment), throwables), customizer);
  }

  private static java.util.function.Consumer<JsonWriter.Members<ILoggingEvent>> members(
                                                                                        String projectId,
                                                                                        ThrowableProxyConverter throwables) {
    return members -> {
      members.add("time", e -> Instant.ofEpochMilli(e.getTimeStamp()).toString());
      members.add("severity", e -> SEVERITY.getOrDefault(e.getLevel(), "DEFAULT"));
      members.add("message", ILoggingEvent::getFormattedMessage);
      members.add("logging.googleapis.com/trace", e -> trace(projectId, e))
          .whenNotNull();
      members.add("logging.googleapis.com/spanId", e -> e.getMDCPropertyMap().get(TraceContextFilter.SPAN_ID))
          .whenNotNull();
      members.add("logger", ILoggingEvent::getLoggerName);
      members.add("thread", ILoggingEvent::getThreadName);
      // Error Reporting groups errors by the stack trace in this field
      members.add("stack_trace", e -> e.getThrowableProxy() == null ? null : throwables.convert(e)).whenNotNull();
    };
  }

  /** Cloud Logging links a line to its trace only by the full resource name, which includes the project. */
  private static String trace(String projectId, ILoggingEvent event) {
    String traceId = event.getMDCPropertyMap().get(TraceContextFilter.TRACE_ID);
    if (traceId == null) {
      return null;
    }
    return projectId == null ? traceId : "projects/" + projectId + "/traces/" + traceId;
  }

  /** The project from medpipe.gcp.project-id (GOOGLE_CLOUD_PROJECT in the manifests), else none. */
  private static String projectId(Environment environment) {
    String id = environment.getProperty("medpipe.gcp.project-id");
    return id == null || id.isBlank() ? null : id.trim();
  }
}
