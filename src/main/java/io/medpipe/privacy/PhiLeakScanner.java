package io.medpipe.privacy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds source identifiers (names, MRNs, national ids, phones, e-mails, addresses) in text, exactly and in
 * normalised form: case, punctuation and spacing are ignored ("QUILLFEATHER,  Zoltana" finds "Zoltana
 * Quillfeather"), and phone-like digit runs are compared digit by digit ("(555) 867-5309" finds
 * "+1 555-867-5309"). A leak is reported by where and what kind, never by the value found.
 */
public final class PhiLeakScanner {

  /** One finding: where (e.g. "report 1b2c... (eda)") and which kind of identifier. */
  public record Leak(String where, String kind) {
    @Override
    public String toString() {
      return kind + " in " + where;
    }
  }

  private static final Pattern NON_WORD = Pattern.compile("[^\\p{L}\\p{N}@]+");
  /**
   * A run of digits with phone punctuation, standing alone: not inside a longer token such as the hex pseudonym
   * p-3fa41796001c… (whose digit runs would otherwise match an MRN or phone by chance).
   */
  private static final Pattern PHONE_LIKE = Pattern
      .compile("(?<![A-Za-z0-9.])\\+?\\d[\\d\\s().-]{5,20}\\d(?![A-Za-z0-9])");
  /** A decimal number such as 0.5558675309 is a measurement, not a phone number. */
  private static final Pattern DECIMAL = Pattern.compile("\\d+\\.\\d+");
  /** An ISO date (2024-07-13): its digits can equal an 8-digit MRN by chance, but a date is not that MRN. */
  private static final Pattern ISO_DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
  /** Single family names shorter than this are too common as words to scan for alone. */
  static final int MIN_SINGLE_NAME = 8;

  /** A needle is indexed by its longest (rarest) word, at {@code offset} within it. */
  private record Needle(String[] words, int offset, String kind) {}

  private final Map<String, List<Needle>> byKeyWord = new HashMap<>();
  private final Map<String, String> digits = new HashMap<>();
  private final int patients;

  public PhiLeakScanner(List<PatientIdentifiers> sources) {
    this.patients = sources.size();
    for (PatientIdentifiers p : sources) {
      if (notBlank(p.givenName()) && notBlank(p.familyName())) {
        add(p.givenName() + " " + p.familyName(), "NAME");
        add(p.familyName() + " " + p.givenName(), "NAME");
      }
      if (notBlank(p.familyName()) && p.familyName().trim().length() >= MIN_SINGLE_NAME) {
        add(p.familyName(), "NAME");
      }
      add(p.mrn(), "MRN");
      add(p.nationalId(), "NATIONAL_ID");
      add(p.email(), "EMAIL");
      add(p.address(), "ADDRESS");
      add(p.phone(), "PHONE");
      addDigits(p.phone(), "PHONE", 7);
      addDigits(p.nationalId(), "NATIONAL_ID", 7);
      addDigits(p.mrn(), "MRN", 6);
    }
  }

  /** How many patients' identifiers are searched for. */
  public int patients() {
    return patients;
  }

  private void add(String value, String kind) {
    if (!notBlank(value)) {
      return;
    }
    String[] words = words(value);
    if (words.length == 0 || String.join("", words).length() < 4) {
      return;
    }
    int key = 0;
    for (int i = 1; i < words.length; i++) {
      if (words[i].length() > words[key].length()) {
        key = i;
      }
    }
    byKeyWord.computeIfAbsent(words[key], w -> new ArrayList<>()).add(new Needle(words, key, kind));
  }

  private void addDigits(String value, String kind, int minDigits) {
    if (value == null) {
      return;
    }
    String d = value.replaceAll("\\D", "");
    if (d.length() >= minDigits) {
      digits.put(d, kind);
      if (kind.equals("PHONE") && d.length() > 10) {
        digits.put(d.substring(d.length() - 10), kind);   // without the country code
      }
      if (kind.equals("MRN")) {
        add(d, kind);                                        // the number alone, as a word
      }
    }
  }

  static String[] words(String text) {
    String norm = NON_WORD.matcher(text.toLowerCase(Locale.ROOT)).replaceAll(" ").trim();
    return norm.isEmpty() ? new String[0] : norm.split(" ");
  }

  /** The leaks in one text; {@code where} names the place in the report. One finding per kind and place. */
  public List<Leak> scan(String where, String text) {
    List<Leak> leaks = new ArrayList<>();
    if (text == null || text.isEmpty()) {
      return leaks;
    }
    Set<String> kinds = new HashSet<>();
    String[] words = words(text);
    for (int i = 0; i < words.length; i++) {
      List<Needle> candidates = byKeyWord.get(words[i]);
      if (candidates == null) {
        continue;
      }
      for (Needle n : candidates) {
        int start = i - n.offset();
        if (start >= 0 && start + n.words().length <= words.length && matchesAt(words, start, n.words())
            && kinds.add(n.kind())) {
          leaks.add(new Leak(where, n.kind()));
        }
      }
    }
    Matcher m = PHONE_LIKE.matcher(text);
    while (m.find()) {
      if (DECIMAL.matcher(m.group()).matches() || ISO_DATE.matcher(m.group().trim()).matches()) {
        continue;
      }
      String d = m.group().replaceAll("\\D", "");
      String kind = digits.get(d);
      if (kind == null && d.length() > 10) {
        kind = digits.get(d.substring(d.length() - 10));
        kind = "PHONE".equals(kind) ? kind : null;
      }
      if (kind != null && kinds.add(kind)) {
        leaks.add(new Leak(where, kind));
      }
    }
    return leaks;
  }

  private static boolean matchesAt(String[] words, int at, String[] needle) {
    for (int k = 0; k < needle.length; k++) {
      if (!words[at + k].equals(needle[k])) {
        return false;
      }
    }
    return true;
  }

  private static boolean notBlank(String s) {
    return s != null && !s.isBlank();
  }

  @Override
  public String toString() {
    return "PhiLeakScanner[" + patients + " patients]";
  }
}
