package io.medpipe.privacy;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * What the EHR knows that identifies one patient: the dictionary the scrubber removes from that patient's own
 * free text, and what the leak scanner looks for everywhere. Never logged (toString hides it).
 */
public record PatientIdentifiers(String mrn, String nationalId, String givenName, String familyName,
                                 LocalDate birthDate, String address, String zip, String phone, String email) {

  /** A typed term: what it is replaced by, and the literal text. */
  public record Term(String placeholder, String text) {}

  /** The patient's identifiers as typed dictionary terms, longest first (so a full name wins over a part). */
  public List<Term> terms() {
    List<Term> out = new ArrayList<>();
    if (notBlank(givenName) && notBlank(familyName)) {
      out.add(new Term("[NAME]", givenName + " " + familyName));
      out.add(new Term("[NAME]", familyName + ", " + givenName));
    }
    add(out, "[NAME]", familyName, 2);
    add(out, "[NAME]", givenName, 2);
    add(out, "[MRN]", mrn, 4);
    add(out, "[ID]", nationalId, 4);
    add(out, "[ADDRESS]", address, 6);
    add(out, "[PHONE]", phone, 6);
    add(out, "[EMAIL]", email, 5);
    add(out, "[ZIP]", zip, 5);
    if (address != null && address.contains(",")) {
      add(out, "[ADDRESS]", address.substring(0, address.indexOf(',')).trim(), 6);
    }
    out.sort((a, b) -> Integer.compare(b.text().length(), a.text().length()));
    return out;
  }

  private static void add(List<Term> out, String placeholder, String value, int minLength) {
    if (notBlank(value) && value.trim().length() >= minLength) {
      out.add(new Term(placeholder, value.trim()));
    }
  }

  private static boolean notBlank(String s) {
    return s != null && !s.isBlank();
  }

  @Override
  public String toString() {
    return "PatientIdentifiers[hidden]";
  }
}
