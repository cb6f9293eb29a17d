package io.medpipe.privacy;

import io.medpipe.ehr.FeatureSpec;

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
  /** Safe Harbor: ages over 89 are aggregated into one category (the feature spec's top code). */
  public static final int AGE_TOP_CODE = FeatureSpec.AGE_TOP_CODE;

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

  /**
   * The only form in which a patient reference sent to the prediction API is stored: HMAC-SHA256(key, "api-ref:" +
   * reference), 128 bits, prefixed {@code r-}. Keyed, so the raw reference cannot be recovered by hashing guesses;
   * stable, so the same reference finds its predictions again (feedback, redaction); in its own domain, so it never
   * equals the snapshots' pseudonym of the same identifier.
   */
  public String apiReference(String presented) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      byte[] digest = mac.doFinal(("api-ref:" + presented).getBytes(StandardCharsets.UTF_8));
      return "r-" + HexFormat.of().formatHex(digest, 0, PSEUDONYM_BYTES);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  /** Largest date shift in days either way: dates stay in their season's neighbourhood, intervals are kept. */
  public static final int MAX_SHIFT_DAYS = 182;

  /**
   * The patient's date shift in days, in [-182, 182] and never 0: derived from the key and the identifier, so
   * every date of one patient moves by the same amount (intervals survive) and nobody without the key can undo it.
   */
  public int dateShiftDays(String identifier) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      byte[] d = mac.doFinal(("date-shift:" + identifier).getBytes(StandardCharsets.UTF_8));
      int v = ((d[0] & 0xff) << 8 | (d[1] & 0xff)) % (2 * MAX_SHIFT_DAYS);
      int shift = v - MAX_SHIFT_DAYS;
      return shift >= 0 ? shift + 1 : shift;
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  /** The date moved by the patient's shift. */
  public LocalDate shift(LocalDate date, String identifier) {
    return date == null ? null : date.plusDays(dateShiftDays(identifier));
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
