package io.medpipe.signoff;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.util.HexFormat;
import java.util.UUID;

/**
 * One evidence record as stored: the canonical JSON a reviewer is shown and signs, and its SHA-256.
 *
 * @param processInstanceId the staging instance whose tests produced it
 * @param content           RFC 8785 canonical JSON, exactly the bytes {@code sha256} is computed over
 */
public record Evidence(UUID id, String processInstanceId, UUID modelVersionId, OffsetDateTime createdAt,
                       String content, String sha256) {

  /** Whether the stored content still hashes to the stored hash (a changed row is detected, not trusted). */
  public boolean intact() {
    return sha256(content).equals(sha256);
  }

  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
