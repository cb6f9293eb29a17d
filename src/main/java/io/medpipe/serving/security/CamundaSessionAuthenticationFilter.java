package io.medpipe.serving.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.util.List;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.webapp.impl.security.auth.AuthenticationUtil;
import org.camunda.bpm.webapp.impl.security.auth.UserAuthentication;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The filter that lets a Cockpit/Tasklist/Admin login read reviewers' evidence in the browser (the Tasklist forms link
 * to reports and model records). The user is read from the web apps' own HTTP session ({@code Authentications}, as
 * their {@code AuthenticationFilter} reads it), and the user's groups are then asked of the engine on every request
 * rather than taken from the session's cache, so a user removed from a group loses access at once. The session is only
 * read, never changed or created. Only GET and HEAD are authenticated this way (nothing a cross-site request could
 * abuse), and only when no API key authenticated the request.
 */
final class CamundaSessionAuthenticationFilter extends OncePerRequestFilter {

  private static final Logger log = LoggerFactory.getLogger(CamundaSessionAuthenticationFilter.class);

  private final String engineName;
  private final IdentityService identity;
  private final SecurityContextHolderStrategy contexts = SecurityContextHolder.getContextHolderStrategy();

  /**
   * @param engineName the process engine the web apps log in to ({@code default})
   * @param identity   that engine's identity service; null on a node without an engine (no web app logins there)
   */
  CamundaSessionAuthenticationFilter(String engineName, IdentityService identity) {
    this.engineName = engineName;
    this.identity = identity;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return identity == null || !("GET".equals(request.getMethod()) || "HEAD".equals(request.getMethod()));
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    HttpSession session = request.getSession(false);
    SecurityContext current = contexts.getContext();
    if (session != null && (current.getAuthentication() == null || !current.getAuthentication().isAuthenticated())) {
      String userId = loggedIn(session);
      if (userId != null && identity.createUserQuery().userId(userId).count() == 1) {
        List<String> groups = identity.createGroupQuery().groupMember(userId).list().stream().map(Group::getId)
            .filter(ApiRoutes.REVIEW_GROUPS::contains).toList();
        SecurityContext context = contexts.createEmptyContext();
        context
            .setAuthentication(new EngineUserAuthentication(EngineUserAuthentication.Source.SESSION, userId, groups));
        contexts.setContext(context);
      }
    }
    chain.doFilter(request, response);
  }

  private String loggedIn(HttpSession session) {
    try {
      return AuthenticationUtil.getAuthsFromSession(session)
          .getAuthenticationForProcessEngine(engineName) instanceof UserAuthentication user ? user.getIdentityId()
              : null;
    } catch (RuntimeException e) {
      // an invalidated session: no web app login to honour
      log.debug("No Camunda web app authentication in this session: {}", e.getClass().getSimpleName());
      return null;
    }
  }
}
