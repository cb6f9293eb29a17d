package io.medpipe.serving;

/** A serving slot: the staging API that reviewers test, and the production API clinicians use. */
public enum Slot {
  STAGING("staging"),
  PRODUCTION("production");

  private final String id;

  Slot(String id) {
    this.id = id;
  }

  /** The slot's name in the database and in URLs. */
  public String id() {
    return id;
  }
}
