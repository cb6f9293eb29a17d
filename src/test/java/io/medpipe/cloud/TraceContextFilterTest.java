package io.medpipe.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.FilterChain;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class TraceContextFilterTest {

  static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

  @Test
  void readsTheW3cHeader() {
    assertThat(TraceContextFilter.ids("00-" + TRACE + "-00f067aa0ba902b7-01", null))
        .containsExactly(TRACE, "00f067aa0ba902b7");
  }

  @Test
  void readsTheLoadBalancersHeaderAndWritesItsDecimalSpanAsHex() {
    assertThat(TraceContextFilter.ids(null, TRACE.toUpperCase() + "/1;o=1")).containsExactly(TRACE, "0000000000000001");
    assertThat(TraceContextFilter.ids(null, TRACE + "/18446744073709551615;o=0"))
        .containsExactly(TRACE, "ffffffffffffffff");
    assertThat(TraceContextFilter.ids(null, TRACE)).containsExactly(TRACE, null);
  }

  @Test
  void prefersTheW3cHeaderAndFallsBackWhenItIsInvalid() {
    assertThat(TraceContextFilter.ids("00-" + TRACE + "-00f067aa0ba902b7-01", "a".repeat(32) + "/2"))
        .containsExactly(TRACE, "00f067aa0ba902b7");
    assertThat(TraceContextFilter.ids("garbage", "a".repeat(32) + "/2")).containsExactly("a".repeat(32),
        "0000000000000002");
  }

  @Test
  void refusesAnythingButHexIds() {
    assertThat(TraceContextFilter.ids("00-" + "0".repeat(32) + "-00f067aa0ba902b7-01", null)).isNull();
    assertThat(TraceContextFilter.ids(null, "patient Jane Doe MRN 123")).isNull();
    assertThat(TraceContextFilter.ids(null, TRACE + "\nMRN-0042")).isNull();
    assertThat(TraceContextFilter.ids(null, TRACE + "/99999999999999999999999")).isNull();
    assertThat(TraceContextFilter.ids(null, null)).isNull();
  }

  @Test
  void holdsTheIdsInTheLoggingContextForTheRequestOnly() throws Exception {
    MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/v1/predict");
    request.addHeader("X-Cloud-Trace-Context", TRACE + "/255;o=1");
    Map<String, String> seen = new HashMap<>();
    FilterChain chain = (req, res) -> {
      seen.put("traceId", MDC.get("traceId"));
      seen.put("spanId", MDC.get("spanId"));
    };

    new TraceContextFilter().doFilter(request, new MockHttpServletResponse(), chain);

    assertThat(seen).containsEntry("traceId", TRACE).containsEntry("spanId", "00000000000000ff");
    assertThat(MDC.get("traceId")).isNull();
    assertThat(MDC.get("spanId")).isNull();
  }
}
