package io.medpipe.privacy;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes identifiers from free text (notes, text extracted from PDFs) by replacing them with typed placeholders:
 * [NAME], [MRN], [ID], [PHONE], [EMAIL], [URL], [ADDRESS], [ZIP], [DATE], [AGE 90+].
 *
 * <p>Two passes: first the patient's own identifiers from the EHR (a dictionary: whatever the format rules miss,
 * e.g. a family name without a title, is still caught because the EHR knows it), then patterns for what the EHR
 * may not know (other people's names after a title, any date, phone, e-mail, record number, street address).
 * Matching ignores case and treats runs of spaces, dots and hyphens inside a term as equivalent.
 */
public final class TextScrubber {

  private static final String MONTH = "(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?"
      + "|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)";

  private static final List<Rule> RULES = List.of(
      new Rule("[EMAIL]", "[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}"),
      new Rule("[URL]", "(?i)\\b(?:https?://|www\\.)\\S+"),
      new Rule("[ID]", "\\b\\d{3}-\\d{2}-\\d{4}\\b"),
      new Rule("[MRN]", "(?i)\\b(?:MRN|MR#|med(?:ical)?\\s+record(?:\\s+(?:no|number))?|patient\\s+id|record\\s+no)"
          + "[\\s.:#-]*[A-Z0-9][A-Z0-9-]{3,}\\b"),
      new Rule("[ID]", "(?i)\\b(?:ID|SSN|NHS|insurance(?:\\s+no)?|policy(?:\\s+no)?)[\\s.:#-]*\\d[\\dA-Z-]{3,}\\b"),
      new Rule("[MRN]", "\\b[A-Z]{2,5}-\\d{4,}\\b"),
      new Rule("[DATE]", "\\b\\d{4}-\\d{1,2}-\\d{1,2}\\b"),
      new Rule("[DATE]", "\\b\\d{1,2}[./]\\d{1,2}[./]\\d{2,4}\\b"),
      new Rule("[DATE]", "(?i)\\b" + MONTH + "\\.?\\s+\\d{1,2}(?:st|nd|rd|th)?,?\\s+\\d{4}\\b"),
      new Rule("[DATE]", "(?i)\\b\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?" + MONTH + "\\.?,?\\s+\\d{4}\\b"),
      new Rule("[DATE]", "(?i)\\b" + MONTH + "\\.?\\s+\\d{4}\\b"),
      new Rule("[PHONE]", "(?<![\\w.])(?:\\+\\d{1,3}[\\s.-]?)?(?:\\(\\d{2,4}\\)[\\s.-]?|\\d{2,4}[\\s.-])\\d{3,4}"
          + "[\\s.-]\\d{3,4}(?!\\w|\\.\\d)"),
      new Rule("[PHONE]", "(?<![\\w.])\\+\\d{8,14}(?!\\w|\\.\\d)"),
      new Rule("[ID]", "(?<![\\w.])\\d{7,}(?!\\w|\\.\\d)"),
      new Rule("[ADDRESS]", "\\b\\d{1,5}\\s+(?:[A-Z][a-z]+\\s+){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Drive|Dr"
          + "|Boulevard|Blvd|Way|Court|Ct|Place|Pl|Square|Sq)\\b\\.?(?:,\\s*[A-Z][a-z]+(?:\\s+[A-Z][a-z]+)?)?"),
      new Rule("[ZIP]", "(?i)\\b(?:zip|postal\\s+code|postcode)[\\s.:#-]*\\d{5}(?:-\\d{4})?\\b"),
      new Rule("[NAME]", "\\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\\.?\\s+[A-Z][A-Za-z'-]+(?:\\s+[A-Z][A-Za-z'-]+)?"),
      new Rule("[NAME]", "(?i)\\b(?:patient|name|signed|dictated by|seen by)\\s*:\\s*[A-Z][A-Za-z'-]+"
          + "(?:\\s+[A-Z][A-Za-z'-]+)?"),
      new Rule("[AGE 90+]", "(?i)\\b(?:9\\d|1[0-4]\\d)(?=[\\s-]*(?:years?|yrs?|y/?o)\\b)"));

  private record Rule(String placeholder, Pattern pattern) {
    Rule(String placeholder, String regex) {
      this(placeholder, Pattern.compile(regex));
    }
  }

  private TextScrubber() {
  }

  /** The text with the patient's identifiers and every identifier pattern replaced by placeholders. */
  public static String scrub(String text, PatientIdentifiers patient) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String out = text;
    if (patient != null) {
      for (PatientIdentifiers.Term term : patient.terms()) {
        if (!mayContain(out, term)) {
          continue;   // most notes hold few of the patient's identifiers: skip compiling a pattern for the rest
        }
        Pattern p = term.placeholder().equals("[PHONE]") ? phonePattern(term.text()) : termPattern(term.text());
        out = p.matcher(out).replaceAll(Matcher.quoteReplacement(term.placeholder()));
      }
    }
    for (Rule rule : RULES) {
      out = rule.pattern().matcher(out).replaceAll(Matcher.quoteReplacement(rule.placeholder()));
    }
    return out;
  }

  /** A cheap pre-check: the term's longest letter/digit run occurs in the text (ignoring case). */
  private static boolean mayContain(String text, PatientIdentifiers.Term term) {
    String longest = "";
    for (String part : term.text().split("[^\\p{L}\\p{N}]+")) {
      if (part.length() > longest.length()) {
        longest = part;
      }
    }
    if (term.placeholder().equals("[PHONE]") || longest.isEmpty()) {
      // a phone's digits may be split in any way ("55 53 01 77 88"): always run its pattern
      return true;
    }
    return text.toLowerCase(java.util.Locale.ROOT).contains(longest.toLowerCase(java.util.Locale.ROOT));
  }

  /**
   * The placeholder of the first identifier pattern the text matches (e.g. {@code [PHONE]}), or empty: for refusing
   * input that must not carry an identifier, rather than scrubbing it.
   */
  public static java.util.Optional<String> identifierKind(String text) {
    if (text == null || text.isEmpty()) {
      return java.util.Optional.empty();
    }
    for (Rule rule : RULES) {
      if (rule.pattern().matcher(text).find()) {
        return java.util.Optional.of(rule.placeholder());
      }
    }
    return java.util.Optional.empty();
  }

  /** The patterns only (no dictionary), for text of unknown patients. */
  public static String scrub(String text) {
    return scrub(text, null);
  }

  /**
   * A phone number in any formatting: its national digits (the last ten at most) with any separators between them,
   * optionally preceded by a country code; "+1 555-867-5309" also finds "(555) 867 5309" and "5558675309".
   */
  static Pattern phonePattern(String phone) {
    String digits = phone.replaceAll("\\D", "");
    if (digits.length() < 6) {
      return termPattern(phone);
    }
    String national = digits.length() > 10 ? digits.substring(digits.length() - 10) : digits;
    StringBuilder re = new StringBuilder("(?<![\\p{N}])(?:\\+?\\d{1,3}[\\s().-]*)?");
    for (int i = 0; i < national.length(); i++) {
      if (i > 0) {
        re.append("[\\s().-]*");
      }
      re.append(national.charAt(i));
    }
    return Pattern.compile(re.append("(?!\\p{N})").toString());
  }

  /** A dictionary term as a case-insensitive whole-word pattern; separators inside the term may vary. */
  static Pattern termPattern(String term) {
    StringBuilder re = new StringBuilder("(?<![\\p{L}\\p{N}])");
    String[] parts = term.trim().split("[\\s.,()+-]+");
    boolean first = true;
    for (String part : parts) {
      if (part.isEmpty()) {
        continue;
      }
      if (!first) {
        re.append("[\\s.,()+-]*");
      }
      re.append(Pattern.quote(part));
      first = false;
    }
    re.append("(?![\\p{L}\\p{N}])");
    return Pattern.compile(re.toString(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
  }
}
