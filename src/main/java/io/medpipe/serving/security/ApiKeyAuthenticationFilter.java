package io.medpipe.serving.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The filter that authenticates the API key a request presents ({@code X-API-Key}, or {@code Authorization: Bearer
 * <key>}): the key is hashed and looked up ({@link ApiKeys}), never logged. It only authenticates; what the key may do
 * is decided by the filter chain's rules ({@link ApiSecurityConfiguration}). An unknown key leaves the request
 * anonymous (so a path with a credential of its own, the retrain webhook, still sees its bearer token) and is
 * remembered for the 401's wording.
 */
final class ApiKeyAuthenticationFilter extends OncePerRequestFilter {

  /** Request attribute set when a key was presented but is unknown or revoked. */
  static final String INVALID_KEY = ApiKeyAuthenticationFilter.class.getName() + ".invalid";

  private final ApiKeys keys;
  private final SecurityContextHolderStrategy contexts = SecurityContextHolder.getContextHolderStrategy();

  /** {@code keys} is null on a node that serves no predictions: no key is valid there. */
  ApiKeyAuthenticationFilter(ApiKeys keys) {
    this.keys = keys;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String key = presentedKey(request);
    if (key != null) {
      Optional<ApiKeys.Client> client = keys == null ? Optional.empty() : keys.authenticate(key);
      if (client.isPresent()) {
        SecurityContext context = contexts.createEmptyContext();
        context.setAuthentication(new ApiKeyAuthentication(client.get().clientId(), client.get().role()));
        contexts.setContext(context);
      } else {
        request.setAttribute(INVALID_KEY, Boolean.TRUE);
      }
    }
    chain.doFilter(request, response);
  }

  static String presentedKey(HttpServletRequest request) {
    String key = request.getHeader("X-API-Key");
    if (key != null) {
      return key;
    }
    String auth = request.getHeader("Authorization");
    if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return auth.substring(7);
    }
    return null;
  }
}
