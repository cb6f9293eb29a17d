package io.medpipe.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/** 401 without or with a wrong key, 403 for the wrong role, and the body limit, with configured keys only. */
class ApiKeyFilterTest {

  static final String ADMIN = "admin-key-for-tests";
  static final String SERVICE = "service-key-for-tests";

  final ApiKeys keys = new ApiKeys(null, properties()) {
    @Override
    public Optional<Client> authenticate(String key) {
      // configured keys only: no database in this test
      return ADMIN.equals(key) ? Optional.of(new Client(BOOTSTRAP_ADMIN, ApiRole.ADMIN))
          : SERVICE.equals(key) ? Optional.of(new Client(SERVICE_CLIENT, ApiRole.PREDICT)) : Optional.empty();
    }
  };
  final ApiKeyFilter filter = new ApiKeyFilter(keys, new ObjectMapper(), 1000);

  static MedpipeProperties properties() {
    return new MedpipeProperties("./data", null, null, null, null, null, null, null, null,
        new MedpipeProperties.Api(ADMIN, SERVICE, Duration.ofSeconds(30)));
  }

  MockHttpServletResponse call(String method, String path, String key, byte[] body) throws Exception {
    MockHttpServletRequest request = new MockHttpServletRequest(method, path);
    if (key != null) {
      request.addHeader("X-API-Key", key);
    }
    if (body != null) {
      request.setContent(body);
    }
    MockHttpServletResponse response = new MockHttpServletResponse();
    filter.doFilter(request, response, new MockFilterChain());
    return response;
  }

  @ParameterizedTest
  @CsvSource({"POST,/api/v1/predict", "POST,/api/v1/predict/batch", "POST,/api/v1/staging/predict",
      "GET,/api/v1/model", "POST,/api/v1/feedback", "GET,/api/v1/predictions", "GET,/api/v1/admin/keys"})
  void refusesEveryGuardedPathWithoutAKeyOrWithAWrongOne(String method, String path) throws Exception {
    for (String key : new String[] {null, "wrong", ""}) {
      MockHttpServletResponse r = call(method, path, key, null);
      assertThat(r.getStatus()).isEqualTo(401);
      assertThat(r.getContentType()).isEqualTo("application/problem+json");
      assertThat(r.getHeader("WWW-Authenticate")).contains("X-API-Key");
    }
  }

  @ParameterizedTest
  @CsvSource({"POST,/api/v1/feedback", "GET,/api/v1/predictions", "GET,/api/v1/admin/keys",
      "DELETE,/api/v1/admin/keys/x"})
  void refusesAPredictKeyOutsideItsRole(String method, String path) throws Exception {
    MockHttpServletResponse r = call(method, path, SERVICE, null);
    assertThat(r.getStatus()).isEqualTo(403);
    assertThat(r.getContentAsString()).contains("predict").doesNotContain(SERVICE);
  }

  @Test
  void letsTheRightRoleThroughAndAdminEverywhere() throws Exception {
    assertThat(call("POST", "/api/v1/predict", SERVICE, null).getStatus()).isEqualTo(200);
    for (String path : List.of("/api/v1/predict", "/api/v1/feedback", "/api/v1/predictions", "/api/v1/admin/keys")) {
      assertThat(call("POST", path, ADMIN, null).getStatus()).as(path).isEqualTo(200);
    }
  }

  @Test
  void leavesOtherPathsToTheirOwnAuthentication() throws Exception {
    assertThat(call("POST", "/api/v1/webhooks/retrain", null, null).getStatus()).isEqualTo(200);
    assertThat(call("GET", "/actuator/health", null, null).getStatus()).isEqualTo(200);
  }

  @Test
  void refusesAnOversizedBodyWith400() throws Exception {
    MockHttpServletResponse r = call("POST", "/api/v1/predict", SERVICE, new byte[1001]);
    assertThat(r.getStatus()).isEqualTo(400);
    assertThat(r.getContentAsString()).contains("\"errors\"");
  }

  @Test
  void storesOnlyAHashOfAConfiguredKey() {
    assertThat(ApiKeys.sha256("k")).matches("[0-9a-f]{64}").isNotEqualTo("k");
  }
}
