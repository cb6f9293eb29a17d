package io.medpipe.serving.security;

import io.medpipe.system.ApiProblems.NotFoundException;
import io.medpipe.system.InvalidRequestException;
import java.security.Principal;
import java.util.List;
import java.util.UUID;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Manages API keys (role admin, enforced by {@link ApiSecurityConfiguration}): create, list, revoke. */
@RestController
@ConditionalOnProperty(name = "medpipe.serving.enabled", havingValue = "true", matchIfMissing = true)
class ApiKeyController {

  /** A key to create: the client it is for and its role (predict, feedback or admin). */
  record CreateKey(String clientId, String role) {}

  private final ApiKeys keys;

  ApiKeyController(ApiKeys keys) {
    this.keys = keys;
  }

  @PostMapping(path = "/api/v1/admin/keys", consumes = MediaType.APPLICATION_JSON_VALUE)
  @ResponseStatus(HttpStatus.CREATED)
  ApiKeys.NewKey create(@RequestBody CreateKey body, Principal admin) {
    ApiRole role;
    try {
      role = ApiRole.of(String.valueOf(body.role()));
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("role", "must be one of predict, feedback, admin");
    }
    return keys.create(body.clientId(), role, admin == null ? null : admin.getName());
  }

  @GetMapping("/api/v1/admin/keys")
  List<ApiKeys.KeyInfo> list() {
    return keys.list();
  }

  @DeleteMapping("/api/v1/admin/keys/{id}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void revoke(@PathVariable UUID id) {
    if (!keys.revoke(id)) {
      throw new NotFoundException("no active API key " + id);
    }
  }
}
