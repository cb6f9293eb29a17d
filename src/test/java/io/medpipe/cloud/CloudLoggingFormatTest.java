package io.medpipe.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.logging.structured.StructuredLogFormatter;
import org.springframework.boot.logging.structured.StructuredLogFormatterFactory;
import org.springframework.mock.env.MockEnvironment;

/**
 * Log lines in Cloud Logging's JSON, made the way Spring Boot makes them: the formatter is looked up by the class
 * name that application-gcp.yml gives, through Spring Boot's own factory.
 */
class CloudLoggingFormatTest {

  final ObjectMapper json = new ObjectMapper();
  LoggerContext context;
  Logger logger;
  StructuredLogFormatter<ILoggingEvent> formatter;

  @BeforeEach
  void formatter() {
    context = new LoggerContext();
    logger = context.getLogger("io.medpipe.serving.PredictionService");
    ThrowableProxyConverter throwables = new ThrowableProxyConverter();
    throwables.setContext(context);
    throwables.start();
    MockEnvironment env = new MockEnvironment().withProperty("medpipe.gcp.project-id", "medpipe-prod");
    formatter = new StructuredLogFormatterFactory<>(ILoggingEvent.class, env,
        parameters -> parameters.add(ThrowableProxyConverter.class, throwables), formatters -> {})
        .get("io.medpipe.cloud.CloudLoggingFormat");
  }

  LoggingEvent event(Level level, String message, Throwable error, Map<String, String> mdc) {
    LoggingEvent event = new LoggingEvent("test", logger, level, message, error, new Object[0]);
    event.setTimeStamp(1_764_757_200_123L);
    event.setThreadName("http-nio-8080-exec-1");
    event.setMDCPropertyMap(mdc);
    return event;
  }

  JsonNode line(ILoggingEvent event) throws Exception {
    String text = formatter.format(event);
    assertThat(text).endsWith("\n").doesNotContain("\n{");
    return json.readTree(text);
  }

  @Test
  void writesTheFieldsCloudLoggingReadsWithTheTraceAsAResourceName() throws Exception {
    JsonNode line = line(event(Level.INFO, "slot production serves version 3", null,
        Map.of("traceId", "4bf92f3577b34da6a3ce929d0e0e4736", "spanId", "00f067aa0ba902b7")));

    assertThat(line.path("time").asText()).isEqualTo("2025-12-03T10:20:00.123Z");
    assertThat(line.path("severity").asText()).isEqualTo("INFO");
    assertThat(line.path("message").asText()).isEqualTo("slot production serves version 3");
    assertThat(line.path("logging.googleapis.com/trace").asText())
        .isEqualTo("projects/medpipe-prod/traces/4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(line.path("logging.googleapis.com/spanId").asText()).isEqualTo("00f067aa0ba902b7");
    assertThat(line.path("logger").asText()).isEqualTo("io.medpipe.serving.PredictionService");
    assertThat(line.path("thread").asText()).isEqualTo("http-nio-8080-exec-1");
  }

  @Test
  void namesLevelsAsCloudLoggingDoes() throws Exception {
    assertThat(line(event(Level.WARN, "w", null, Map.of())).path("severity").asText()).isEqualTo("WARNING");
    assertThat(line(event(Level.ERROR, "e", null, Map.of())).path("severity").asText()).isEqualTo("ERROR");
    assertThat(line(event(Level.TRACE, "t", null, Map.of())).path("severity").asText()).isEqualTo("DEBUG");
  }

  @Test
  void leavesOutTraceFieldsOutsideARequestAndPutsTheStackTraceWhereErrorReportingLooks() throws Exception {
    JsonNode line = line(event(Level.ERROR, "step failed", new IllegalStateException("no model"), Map.of()));

    assertThat(line.has("logging.googleapis.com/trace")).isFalse();
    assertThat(line.has("logging.googleapis.com/spanId")).isFalse();
    assertThat(line.path("stack_trace").asText()).startsWith("java.lang.IllegalStateException: no model")
        .contains("at io.medpipe.cloud.CloudLoggingFormatTest");
  }

  @Test
  void publishesNothingElseFromTheLoggingContext() throws Exception {
    // a library may put request data into the MDC; only the two ids may leave
    JsonNode line = line(event(Level.INFO, "m", null, Map.of("traceId", "4bf92f3577b34da6a3ce929d0e0e4736",
        "mrn", "MRN-0042-LEAK", "user", "reviewer")));

    assertThat(line.toString()).doesNotContain("MRN-0042-LEAK").doesNotContain("reviewer");
    assertThat(line.fieldNames()).toIterable().containsExactlyInAnyOrder("time", "severity", "message",
        "logging.googleapis.com/trace", "logger", "thread");
  }

  @Test
  void givesTheBareTraceIdWhenNoProjectIsConfigured() throws Exception {
    formatter = new StructuredLogFormatterFactory<>(ILoggingEvent.class, new MockEnvironment(),
        parameters -> parameters.add(ThrowableProxyConverter.class, new ThrowableProxyConverter()), formatters -> {})
        .get(CloudLoggingFormat.class.getName());

    assertThat(line(event(Level.INFO, "m", null, Map.of("traceId", "4bf92f3577b34da6a3ce929d0e0e4736")))
        .path("logging.googleapis.com/trace").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
  }
}
