package io.medpipe.privacy;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shapes of personal identifiers in short tokens (a patient reference, a request id, a client id), so that the API
 * can refuse such a token instead of storing it: {@link TextScrubber}'s identifier patterns (e-mail, URL, SSN, record
 * numbers, dates, phone numbers), plus what those patterns leave to context in free text but a token must never hold: a
 * run of six or more digits (an MRN, a compact date), digit groups joined by separators (7+ digits: a phone or national
 * number), day-month-year with hyphens, a date with the month's name and a two- or four-digit year ({@code 30-Sep-58},
 * {@code 30sep58}, {@code Sep58}), and a name run together with a birth year ({@code jane1970}, {@code doe_1985}).
 *
 * <p>A random token is accepted as it is: a UUID or at least 16 hex digits (with a letter), optionally behind a short
 * prefix ({@code p-3fa85f64...}). Random hex holds long digit runs by chance; refusing them would refuse good
 * pseudonyms. What shape cannot tell — a plain name such as {@code janedoe} — is not caught here: the prediction API
 * therefore also stores only a keyed HMAC of the patient reference, never the value sent.
 */
public final class IdentifierShapes {

  private static final Pattern OPAQUE = Pattern.compile("(?i)(?:[a-z]{1,12}[-_:.])?"
      + "((?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})|[0-9a-f]{16,64})");
  private static final Pattern DIGIT_RUN = Pattern.compile("\\d{6,}");
  private static final Pattern DIGIT_GROUPS = Pattern.compile("\\d+(?:[-.]\\d+)+");
  private static final Pattern DAY_MONTH_YEAR = Pattern.compile("(?<!\\d)\\d{1,2}-\\d{1,2}-\\d{2,4}(?!\\d)");
  /** A month's name (not inside a word) with a year right after it, a day before it optional: 30-Sep-58, sep1958. */
  private static final Pattern MONTH_WITH_YEAR = Pattern.compile("(?i)(?<!\\p{L})(?:jan(?:uary)?|feb(?:ruary)?"
      + "|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?"
      + "|dec(?:ember)?)\\.?[-_.:/ ]?(?:\\d{2}|\\d{4})(?!\\d)");
  private static final Pattern NAME_WITH_YEAR = Pattern.compile(
      "(?i)(?:\\p{L}{2,}[-_.:]?(?:19|20)\\d{2}(?!\\d))|(?:(?<!\\d)(?:19|20)\\d{2}[-_.:]?\\p{L}{2,})");

  private static final Map<String, String> KINDS = Map.of(
      "[EMAIL]", "an e-mail address", "[URL]", "a URL", "[ID]", "an identification number",
      "[MRN]", "a medical record number", "[DATE]", "a date", "[PHONE]", "a phone number",
      "[ADDRESS]", "an address", "[ZIP]", "a postal code", "[NAME]", "a name", "[AGE 90+]", "an age over 89");

  private IdentifierShapes() {}

  /** What kind of identifier the token looks like ("a phone number"), or empty if it looks like none. */
  public static Optional<String> kind(String token) {
    if (token == null || token.isEmpty()) {
      return Optional.empty();
    }
    Matcher opaque = OPAQUE.matcher(token);
    if (opaque.matches() && opaque.group(1).chars().anyMatch(Character::isLetter)) {
      return Optional.empty();
    }
    // '_' is a word character: "doe_1970-01-01" must still show its date to the scrubber's \b-bounded patterns
    Optional<String> pattern = TextScrubber.identifierKind(token.replace('_', ' '));
    if (pattern.isPresent()) {
      return Optional.of(KINDS.getOrDefault(pattern.get(), "an identifier"));
    }
    if (DIGIT_RUN.matcher(token).find()) {
      return Optional.of("a record number (6 or more digits in a row)");
    }
    if (DAY_MONTH_YEAR.matcher(token).find() || MONTH_WITH_YEAR.matcher(token).find()) {
      return Optional.of("a date");
    }
    Matcher groups = DIGIT_GROUPS.matcher(token);
    while (groups.find()) {
      if (groups.group().chars().filter(Character::isDigit).count() >= 7) {
        return Optional.of("a phone or identification number");
      }
    }
    if (NAME_WITH_YEAR.matcher(token).find()) {
      return Optional.of("a name with a birth year");
    }
    return Optional.empty();
  }
}
