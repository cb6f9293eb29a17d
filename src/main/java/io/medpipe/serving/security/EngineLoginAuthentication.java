package io.medpipe.serving.security;

import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * A caller authenticated by an engine user's name and password (HTTP Basic, as on the engine REST API): the user id and
 * one {@code LOGIN_GROUP_<id>} authority per group that runs production the user belongs to. Accepted only where
 * {@link ApiRoutes} grants {@link ApiRoutes.Access#OPERATE}.
 */
final class EngineLoginAuthentication extends AbstractAuthenticationToken {

  static final String GROUP_PREFIX = "LOGIN_GROUP_";

  private final String userId;

  EngineLoginAuthentication(String userId, List<String> operateGroups) {
    super(operateGroups.stream().map(g -> new SimpleGrantedAuthority(GROUP_PREFIX + g)).toList());
    this.userId = userId;
    setAuthenticated(true);
  }

  @Override
  public Object getCredentials() { return null; }

  @Override
  public Object getPrincipal() { return userId; }
}
