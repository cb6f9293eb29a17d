package io.medpipe.serving.security;

import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * A caller authenticated by a Cockpit/Tasklist/Admin login (the Camunda web apps' own HTTP session): the user id
 * and one {@code GROUP_<id>} authority per medpipe group the user belongs to. Only read-only requests are ever
 * authenticated this way, so a session can never be used to change anything through medpipe's API.
 */
final class CamundaSessionAuthentication extends AbstractAuthenticationToken {

  static final String GROUP_PREFIX = "GROUP_";

  private final String userId;

  CamundaSessionAuthentication(String userId, List<String> medpipeGroups) {
    super(medpipeGroups.stream().map(g -> new SimpleGrantedAuthority(GROUP_PREFIX + g)).toList());
    this.userId = userId;
    setAuthenticated(true);
  }

  @Override
  public Object getCredentials() { return null; }

  @Override
  public Object getPrincipal() { return userId; }
}
