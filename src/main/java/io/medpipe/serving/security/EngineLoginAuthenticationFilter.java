package io.medpipe.serving.security;

import io.medpipe.system.LoginThrottle;
import io.medpipe.system.Problems;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.Group;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.UrlPathHelper;

/**
 * The filter that lets the people who run production (operators, devops) use the kill switch as themselves, with the
 * engine user name and password they use on the engine REST API (HTTP Basic), so the audit names the person, not a
 * shared key. Only on paths {@link ApiRoutes} grants {@link ApiRoutes.Access#OPERATE}, only when no API key
 * authenticated the request, and behind the same login throttle as the engine REST API: a throttled attempt gets 429
 * and never reaches the engine. Why not the web app session: a session rides along with any cross-site request, so
 * it is never accepted for a change (see {@link CamundaSessionAuthenticationFilter}); Basic credentials are not sent
 * by a browser unasked.
 */
final class EngineLoginAuthenticationFilter extends OncePerRequestFilter {

  /** Request attribute: Basic credentials were sent and were wrong. */
  static final String INVALID_LOGIN = EngineLoginAuthenticationFilter.class.getName() + ".invalid";

  private final IdentityService identity;
  private final LoginThrottle throttle;
  private final SecurityContextHolderStrategy contexts = SecurityContextHolder.getContextHolderStrategy();
  private final UrlPathHelper paths = new UrlPathHelper();

  /**
   * @param identity the engine's identity service; null on a node without an engine (no engine logins there)
   * @param throttle the login throttle of the engine REST API; null where there is none
   */
  EngineLoginAuthenticationFilter(IdentityService identity, LoginThrottle throttle) {
    this.identity = identity;
    this.throttle = throttle;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    if (identity == null || throttle == null || basic(request) == null) {
      return true;
    }
    String path = paths.getPathWithinApplication(request);
    return ApiRoutes.accessFor(HttpMethod.valueOf(request.getMethod()), path).orElse(null) != ApiRoutes.Access.OPERATE;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    SecurityContext current = contexts.getContext();
    if (current.getAuthentication() != null && current.getAuthentication().isAuthenticated()) {
      chain.doFilter(request, response);
      return;
    }
    String[] credentials = basic(request);
    String address = request.getRemoteAddr();
    Duration wait = throttle.waitFor(address, credentials[0]);
    if (!wait.isZero()) {
      long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
      response.setHeader("Retry-After", String.valueOf(seconds));
      Problems.write(response, HttpStatus.TOO_MANY_REQUESTS, "too many failed logins; try again in " + seconds + " s");
      return;
    }
    if (identity.checkPassword(credentials[0], credentials[1])) {
      throttle.succeeded(address, credentials[0]);
      List<String> groups = identity.createGroupQuery().groupMember(credentials[0]).list().stream()
          .map(Group::getId).filter(ApiRoutes.OPERATE_GROUPS::contains).toList();
      SecurityContext context = contexts.createEmptyContext();
      context.setAuthentication(
          new EngineUserAuthentication(EngineUserAuthentication.Source.LOGIN, credentials[0], groups));
      contexts.setContext(context);
    } else {
      throttle.failed(address, credentials[0]);
      request.setAttribute(INVALID_LOGIN, Boolean.TRUE);
    }
    chain.doFilter(request, response);
  }

  /** {user, password} of an HTTP Basic header, or null. */
  private static String[] basic(HttpServletRequest request) {
    String header = request.getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    try {
      String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':');
      return colon <= 0 ? null : new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
    } catch (IllegalArgumentException malformed) {
      return null;
    }
  }
}
