package io.medpipe.system;

import java.util.Locale;

/** What an API key may do. An admin key may also predict and give feedback. */
public enum ApiRole {
  PREDICT, FEEDBACK, ADMIN;

  /** The role's name in the database and the admin API. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static ApiRole of(String id) {
    return valueOf(id.toUpperCase(Locale.ROOT));
  }

  public boolean allows(ApiRole needed) {
    return this == ADMIN || this == needed;
  }
}
