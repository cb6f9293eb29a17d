package io.medpipe.privacy;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.time.Period;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keyed pseudonyms and the generalisations applied to quasi-identifiers (GDPR Art. 4(5), HIPAA Safe Harbor).
 *
 * <p>A pseudonym is HMAC-SHA256(key, "patient:" + hospital identifier), truncated to 128 bits: stable within a
 * deployment (the same patient always gets the same pseudonym, so snapshots can be compared), unlinkable without
 * the key, and — unlike an unkeyed hash — not reversible by hashing every possible MRN. The key is never logged
 * and never leaves this object.
 */
public final class Pseudonymizer {

  private static final int PSEUDONYM_BYTES = 16;
  /** Safe Harbor: ages over 89 are aggregated into one category. */
  public static final int AGE_TOP_CODE = 90;

  private final SecretKeySpec key;

  public Pseudonymizer(String secret) {
    if (secret == null || secret.length() < 16) {
      throw new IllegalArgumentException("the pseudonymisation key must have at least 16 characters");
    }
    this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
  }

  /** The pseudonym of a patient identified by the hospital's identifier (e.g. MRN). */
  public String pseudonym(String identifier) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      byte[] digest = mac.doFinal(("patient:" + identifier).getBytes(StandardCharsets.UTF_8));
      return "p-" + HexFormat.of().formatHex(digest, 0, PSEUDONYM_BYTES);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  /** Age in whole years at the index date, top-coded at 90 ("90+") as Safe Harbor requires. */
  public static int age(LocalDate birthDate, LocalDate indexDate) {
    int years = Period.between(birthDate, indexDate).getYears();
    return Math.max(0, Math.min(years, AGE_TOP_CODE));
  }

  @Override
  public String toString() {
    return "Pseudonymizer[key hidden]";
  }
}
