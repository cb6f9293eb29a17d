package io.medpipe.serving.security;

import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * A caller authenticated as an engine user, either by a Cockpit/Tasklist/Admin login (the web apps' own HTTP
 * session) or by the user's name and password (HTTP Basic, as on the engine REST API): the user id and one authority
 * per group, prefixed by how the caller proved who they are. The prefixes keep the two apart in every access rule: a
 * session is only ever accepted for reading, a Basic login only where {@link ApiRoutes} grants
 * {@link ApiRoutes.Access#OPERATE}.
 */
final class EngineUserAuthentication extends AbstractAuthenticationToken {

  /** How the caller proved who they are, and the prefix of the group authorities that proof earns. */
  enum Source {
    /** The Camunda web apps' session: one {@code GROUP_<id>} authority per medpipe group. */
    SESSION("GROUP_"),
    /** HTTP Basic with the engine's password: one {@code LOGIN_GROUP_<id>} per group that runs production. */
    LOGIN("LOGIN_GROUP_");

    private final String groupPrefix;

    Source(String groupPrefix) {
      this.groupPrefix = groupPrefix;
    }

    /** The authority a member of {@code group} authenticated this way holds. */
    String authority(String group) {
      return groupPrefix + group;
    }
  }

  private final String userId;
  private final Source source;

  EngineUserAuthentication(Source source, String userId, List<String> groups) {
    super(groups.stream().map(g -> new SimpleGrantedAuthority(source.authority(g))).toList());
    this.userId = userId;
    this.source = source;
    setAuthenticated(true);
  }

  Source source() {
    return source;
  }

  @Override
  public Object getCredentials() { return null; }

  @Override
  public Object getPrincipal() { return userId; }
}
