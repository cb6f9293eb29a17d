package io.medpipe.registry;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where model artifacts are kept: write-once objects addressed by URI, verified by SHA-256 on every read.
 * Implementations: a directory ({@link FileSystemArtifactStore}) or a Google Cloud Storage bucket
 * ({@link GcsArtifactStore}).
 */
public interface ArtifactStore {

  /** Stores the bytes under the key (never overwriting) and returns the artifact's URI. */
  String put(String key, byte[] content);

  /** Reads an artifact and checks it against the expected SHA-256; a mismatch throws {@link IntegrityException}. */
  default byte[] get(String uri, String expectedSha256) {
    byte[] content = read(uri);
    String actual = sha256(content);
    if (!actual.equals(expectedSha256)) {
      throw new IntegrityException("artifact " + uri + " has SHA-256 " + actual + " but the registry recorded "
          + expectedSha256 + ": it was changed or corrupted after registration");
    }
    return content;
  }

  /** The raw bytes, unverified. */
  byte[] read(String uri);

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
}
