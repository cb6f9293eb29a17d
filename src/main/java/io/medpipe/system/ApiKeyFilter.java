package io.medpipe.system;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * API-key authentication and role check for the prediction API, plus the request-body size limit. The key comes in
 * {@code X-API-Key} (or {@code Authorization: Bearer <key>}); it is hashed and looked up, never logged. Without a
 * valid key: 401; with a key whose role does not cover the path: 403. Both are problem+json.
 *
 * <p>Paths: predict and model description need role predict; {@code /api/v1/feedback} needs feedback;
 * {@code /api/v1/predictions} (the audit query) and {@code /api/v1/admin/**} need admin. Admin may do everything.
 */
public class ApiKeyFilter extends OncePerRequestFilter {

  /** Request attribute holding the authenticated {@link ApiKeys.Client}. */
  public static final String CLIENT = ApiKeyFilter.class.getName() + ".client";

  private final ApiKeys keys;
  private final ObjectMapper json;
  private final long maxBodyBytes;

  public ApiKeyFilter(ApiKeys keys, ObjectMapper json, long maxBodyBytes) {
    this.keys = keys;
    this.json = json;
    this.maxBodyBytes = maxBodyBytes;
  }

  /** The role a path needs, or empty if this filter does not guard it. */
  static Optional<ApiRole> needed(String path) {
    if (path.equals("/api/v1/predict") || path.equals("/api/v1/predict/batch")
        || path.equals("/api/v1/staging/predict") || path.equals("/api/v1/staging/predict/batch")
        || path.equals("/api/v1/model") || path.equals("/api/v1/staging/model")) {
      return Optional.of(ApiRole.PREDICT);
    }
    if (path.equals("/api/v1/feedback")) {
      return Optional.of(ApiRole.FEEDBACK);
    }
    if (path.equals("/api/v1/predictions") || path.startsWith("/api/v1/admin/")) {
      return Optional.of(ApiRole.ADMIN);
    }
    return Optional.empty();
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String path = request.getRequestURI().substring(request.getContextPath().length());
    Optional<ApiRole> role = needed(path);
    if (role.isEmpty()) {
      chain.doFilter(request, response);
      return;
    }
    Optional<ApiKeys.Client> client = keys.authenticate(presentedKey(request));
    if (client.isEmpty()) {
      response.setHeader("WWW-Authenticate", "ApiKey header=\"X-API-Key\"");
      problem(response, HttpStatus.UNAUTHORIZED, "Unauthorized", "send a valid API key in the X-API-Key header", null);
      return;
    }
    if (!client.get().role().allows(role.get())) {
      problem(response, HttpStatus.FORBIDDEN, "Forbidden",
          "this API key's role (" + client.get().role().id() + ") does not allow this; it needs role "
              + role.get().id(), null);
      return;
    }
    if (request.getContentLengthLong() > maxBodyBytes) {
      problem(response, HttpStatus.BAD_REQUEST, "Invalid request", "request body is larger than " + maxBodyBytes
          + " bytes", List.of(Map.of("field", "$", "message", "body larger than " + maxBodyBytes + " bytes")));
      return;
    }
    request.setAttribute(CLIENT, client.get());
    chain.doFilter(new LimitedBodyRequest(request, maxBodyBytes), response);
  }

  private static String presentedKey(HttpServletRequest request) {
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

  private void problem(HttpServletResponse response, HttpStatus status, String title, String detail,
                       List<Map<String, String>> errors) throws IOException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", "about:blank");
    body.put("title", title);
    body.put("status", status.value());
    body.put("detail", detail);
    if (errors != null) {
      body.put("errors", errors);
    }
    response.setStatus(status.value());
    response.setContentType("application/problem+json");
    json.writeValue(response.getOutputStream(), body);
  }
}
