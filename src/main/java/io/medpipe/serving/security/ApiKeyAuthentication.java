package io.medpipe.serving.security;

import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * A caller authenticated by an API key: its name is the key's client id (what the prediction record and the audit
 * tables store), its one authority the key's role. The key itself is not kept.
 */
final class ApiKeyAuthentication extends AbstractAuthenticationToken {

  private final String clientId;
  private final ApiRole role;

  ApiKeyAuthentication(String clientId, ApiRole role) {
    super(List.of(new SimpleGrantedAuthority(role.authority())));
    this.clientId = clientId;
    this.role = role;
    setAuthenticated(true);
  }

  ApiRole role() {
    return role;
  }

  @Override
  public Object getCredentials() { return null; }

  @Override
  public Object getPrincipal() { return clientId; }
}
