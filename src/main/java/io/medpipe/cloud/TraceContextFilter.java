package io.medpipe.cloud;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.MDC;
import org.springframework.context.annotation.Profile;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Puts the trace and span id of the request, as Google's load balancer sent them, into the logging context for the
 * request's lifetime, so that {@link CloudLoggingFormat} can link each log line to the request's trace.
 *
 * <p>Written here rather than taken from Micrometer Tracing: medpipe exports no spans, only needs the ids, and the
 * load balancer's {@code X-Cloud-Trace-Context} is not one of Micrometer's propagation formats; adding a tracer would
 * also change the log pattern of every profile and sit on the prediction path. The MDC keys are Micrometer's
 * ({@code traceId}, {@code spanId}), so moving to it later needs no change in the formatter.
 *
 * <p>Only well-formed hex ids are taken: a header is client input and must not carry text into the logs.
 */
@Component
@Profile("gcp")
@Order(Ordered.HIGHEST_PRECEDENCE)
class TraceContextFilter extends OncePerRequestFilter {

  static final String TRACE_ID = "traceId";
  static final String SPAN_ID = "spanId";

  /** W3C trace context: version-traceid-parentid-flags. */
  private static final Pattern TRACEPARENT = Pattern.compile("[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}");
  /** Google's own header: TRACE_ID/SPAN_ID;o=OPTIONS with a decimal span id. */
  private static final Pattern CLOUD_TRACE = Pattern.compile("([0-9a-fA-F]{32})(?:/([0-9]{1,20}))?(?:;o=[0-9])?");

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String[] ids = ids(request.getHeader("traceparent"), request.getHeader("X-Cloud-Trace-Context"));
    if (ids == null) {
      chain.doFilter(request, response);
      return;
    }
    MDC.put(TRACE_ID, ids[0]);
    if (ids[1] != null) {
      MDC.put(SPAN_ID, ids[1]);
    }
    try {
      chain.doFilter(request, response);
    } finally {
      MDC.remove(TRACE_ID);
      MDC.remove(SPAN_ID);
    }
  }

  /**
   * The trace id (32 hex digits) and span id (16 hex digits, or null) from the W3C header if valid, else from
   * Google's; null when neither is valid. An all-zero id is invalid in both formats.
   */
  static String[] ids(String traceparent, String cloudTraceContext) {
    if (traceparent != null) {
      Matcher m = TRACEPARENT.matcher(traceparent.trim());
      if (m.matches() && !isZero(m.group(1)) && !isZero(m.group(2))) {
        return new String[] {m.group(1), m.group(2)};
      }
    }
    if (cloudTraceContext != null) {
      Matcher m = CLOUD_TRACE.matcher(cloudTraceContext.trim());
      if (m.matches() && !isZero(m.group(1))) {
        String span = null;
        if (m.group(2) != null) {
          try {
            long value = Long.parseUnsignedLong(m.group(2));
            // Cloud Logging wants the span as 16 hex digits; the header gives it in decimal
            span = value == 0 ? null : String.format("%016x", value);
          } catch (NumberFormatException tooLarge) {
            span = null;
          }
        }
        return new String[] {m.group(1).toLowerCase(), span};
      }
    }
    return null;
  }

  private static boolean isZero(String hex) {
    return hex.chars().allMatch(c -> c == '0');
  }
}
