package io.medpipe.serving.security;

import java.util.Locale;

/** What an API key may do. An admin key may also predict and give feedback (see the role hierarchy). */
enum ApiRole {
  PREDICT, FEEDBACK, ADMIN;

  /** The role's name in the database and the admin API. */
  String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The Spring Security authority a key of this role holds. */
  String authority() {
    return "ROLE_" + name();
  }

  static ApiRole of(String id) {
    return valueOf(id.toUpperCase(Locale.ROOT));
  }
}
