package io.medpipe.serving.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.medpipe.serving.ApiProperties;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * The API key filter only authenticates: a known key (header or bearer) becomes the client's authentication with its
 * role, an unknown one leaves the request anonymous and marked, no key leaves it untouched. Configured keys only (the
 * database-backed keys are exercised end to end in ApiSecurityIT).
 */
class ApiKeyAuthenticationFilterTest {

  static final String ADMIN = "admin-key-for-tests";
  static final String SERVICE = "service-key-for-tests";

  final ApiKeys keys = new ApiKeys(null, new ApiProperties(ADMIN, SERVICE, Duration.ofSeconds(30))) {
    @Override
    Optional<Client> authenticate(String key) {
      // configured keys only: no database in this test
      return ADMIN.equals(key) ? Optional.of(new Client(BOOTSTRAP_ADMIN, ApiRole.ADMIN))
          : SERVICE.equals(key) ? Optional.of(new Client(SERVICE_CLIENT, ApiRole.PREDICT)) : Optional.empty();
    }
  };

  @AfterEach
  void clear() {
    SecurityContextHolder.clearContext();
  }

  /** What the rest of the chain sees: the authentication, and whether the key was marked invalid. */
  record Seen(Authentication authentication, boolean invalid) {}

  Seen call(String header, String value) throws Exception {
    MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/v1/predict");
    if (header != null) {
      request.addHeader(header, value);
    }
    AtomicReference<Authentication> seen = new AtomicReference<>();
    new ApiKeyAuthenticationFilter(keys).doFilter(request, new MockHttpServletResponse(),
        new MockFilterChain(new jakarta.servlet.http.HttpServlet() {},
            (req, res, chain) -> seen.set(SecurityContextHolder.getContext().getAuthentication())));
    return new Seen(seen.get(), request.getAttribute(ApiKeyAuthenticationFilter.INVALID_KEY) != null);
  }

  @Test
  void aKnownKeyBecomesItsClientWithItsRoleFromEitherHeader() throws Exception {
    for (Seen seen : new Seen[] {call("X-API-Key", SERVICE), call("Authorization", "Bearer " + SERVICE),
        call("Authorization", "bearer " + SERVICE)}) {
      assertThat(seen.authentication().getName()).isEqualTo(ApiKeys.SERVICE_CLIENT);
      assertThat(seen.authentication().getAuthorities()).extracting(GrantedAuthority::getAuthority)
          .containsExactly("ROLE_PREDICT");
      assertThat(seen.authentication().getCredentials()).isNull();
      assertThat(seen.invalid()).isFalse();
    }
    assertThat(call("X-API-Key", ADMIN).authentication().getAuthorities()).extracting(GrantedAuthority::getAuthority)
        .containsExactly("ROLE_ADMIN");
  }

  @Test
  void anUnknownKeyLeavesTheRequestAnonymousAndMarked() throws Exception {
    for (String value : new String[] {"wrong", "", "Bearer wrong"}) {
      Seen seen = call(value.startsWith("Bearer") ? "Authorization" : "X-API-Key", value);
      assertThat(seen.authentication()).isNull();
      assertThat(seen.invalid()).isTrue();
    }
  }

  @Test
  void noKeyOrAnotherSchemeIsLeftAlone() throws Exception {
    assertThat(call(null, null)).isEqualTo(new Seen(null, false));
    assertThat(call("Authorization", "Basic dXNlcjpwdw==")).isEqualTo(new Seen(null, false));
  }

  @Test
  void aNodeWithoutKeysAuthenticatesNobody() throws Exception {
    MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/v1/model");
    request.addHeader("X-API-Key", ADMIN);
    new ApiKeyAuthenticationFilter(null).doFilter(request, new MockHttpServletResponse(), new MockFilterChain());
    assertThat(SecurityContextHolder.getContext().getAuthentication()).isNull();
    assertThat(request.getAttribute(ApiKeyAuthenticationFilter.INVALID_KEY)).isNotNull();
  }

  @Test
  void storesOnlyAHashOfAConfiguredKey() {
    assertThat(ApiKeys.sha256("k")).matches("[0-9a-f]{64}").isNotEqualTo("k");
  }
}
