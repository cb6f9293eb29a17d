package io.medpipe.artifact;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where model artifacts are kept: write-once objects addressed by URI, verified by SHA-256 on every read. The one
 * place medpipe computes an artifact's checksum. Implementations: a directory ({@link FileSystemArtifactStore}) or a
 * Google Cloud Storage bucket ({@link GcsArtifactStore}).
 */
public interface ArtifactStore {

  /** A stored artifact: where it is and the SHA-256 every read is checked against. */
  record Artifact(String uri, String sha256) {
  }

  /**
   * Stores the bytes under the key and returns the artifact's URI.
   *
   * @throws AlreadyExistsException if the key holds an artifact already (artifacts are never overwritten)
   */
  String put(String key, byte[] content);

  /**
   * Stores the bytes under {@code prefix} + their SHA-256 (content addressing): the same bytes stored twice are one
   * artifact, which is checked against the checksum before it is reused.
   */
  default Artifact putContent(String prefix, byte[] content) {
    String sha = sha256(content);
    try {
      return new Artifact(put(prefix + sha, content), sha);
    } catch (AlreadyExistsException e) {
      get(e.uri(), sha);
      return new Artifact(e.uri(), sha);
    }
  }

  /** Reads an artifact and checks it against the expected SHA-256; a mismatch throws {@link IntegrityException}. */
  default byte[] get(String uri, String expectedSha256) {
    byte[] content = read(uri);
    String actual = sha256(content);
    if (!actual.equals(expectedSha256)) {
      throw new IntegrityException("artifact " + uri + " has SHA-256 " + actual + " but was recorded with "
          + expectedSha256 + ": it was changed or corrupted after it was stored");
    }
    return content;
  }

  /** The raw bytes, unverified. */
  byte[] read(String uri);

  /** The hex SHA-256 of the bytes. */
  static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An artifact does not match its registered checksum. */
  class IntegrityException extends RuntimeException {
    public IntegrityException(String message) {
      super(message);
    }
  }

  /** A key that already holds an artifact: artifacts are write-once. */
  class AlreadyExistsException extends IllegalStateException {

    private final String uri;

    public AlreadyExistsException(String key, String uri, Throwable cause) {
      super("artifact " + key + " already exists; artifacts are write-once", cause);
      this.uri = uri;
    }

    /** The existing artifact's URI. */
    public String uri() {
      return uri;
    }
  }
}
