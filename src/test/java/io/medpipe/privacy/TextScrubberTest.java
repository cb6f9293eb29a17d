package io.medpipe.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import org.junit.jupiter.api.Test;

/** Free-text scrubbing: the patient's own identifiers and identifier patterns become typed placeholders. */
class TextScrubberTest {

  static final PatientIdentifiers ZOE = new PatientIdentifiers("MRN-77001234", "912-34-5678", "Zoltana",
      "Quillfeather", LocalDate.of(1961, 4, 9), "742 Evergreen Terrace, Springfield", "03601",
      "+1 555-867-5309", "zoltana.q@example.org");

  @Test
  void removesThePatientsOwnIdentifiersInAnyCaseAndSpacing() {
    String note = "Zoltana QUILLFEATHER (mrn 77001234? no: MRN-77001234), SSN 912-34-5678, lives at "
        + "742 Evergreen Terrace, Springfield. Call 555 867 5309 or +1 (555) 867-5309, mail Zoltana.Q@example.org. "
        + "Quillfeather, Zoltana reports fatigue. Ms Quillfeather denies fever.";
    String out = TextScrubber.scrub(note, ZOE);
    assertThat(out).doesNotContainIgnoringCase("zoltana").doesNotContainIgnoringCase("quillfeather")
        .doesNotContain("77001234").doesNotContain("5678").doesNotContain("867").doesNotContain("Evergreen")
        .doesNotContain("example.org")
        .contains("[NAME]", "[MRN]", "[ID]", "[ADDRESS]", "[PHONE]", "[EMAIL]")
        .contains("reports fatigue").contains("denies fever");
  }

  @Test
  void patternsCatchWhatTheDictionaryDoesNotKnow() {
    String note = "Seen by Dr. Hannelore Brackwater on 2024-03-05 and 05/03/2024 and March 5, 2024 and 5 March 2024."
        + " Sister Mrs. Ottilie Vance, phone 020 7946 0958, email o.vance@mail.example.com, see https://x.example/p?1."
        + " Record no: ABX-99812. Patient ID 4471823. Lives at 12 Mill Road, Ashford, zip 10115."
        + " A 93-year-old woman; her husband is 102 years old. Creatinine 1.2 mg/dL, eGFR 58, 6 months.";
    String out = TextScrubber.scrub(note);
    assertThat(out).doesNotContain("Hannelore").doesNotContain("Brackwater").doesNotContain("Ottilie")
        .doesNotContain("2024").doesNotContain("7946").doesNotContain("vance@").doesNotContain("x.example")
        .doesNotContain("99812").doesNotContain("4471823").doesNotContain("Mill Road").doesNotContain("10115")
        .doesNotContain("93").doesNotContain("102")
        .contains("[DATE]", "[NAME]", "[PHONE]", "[EMAIL]", "[URL]", "[MRN]", "[ADDRESS]", "[ZIP]",
            "[AGE 90+]-year-old")
        // clinical content survives
        .contains("Creatinine 1.2 mg/dL, eGFR 58, 6 months.");
  }

  @Test
  void leavesTextWithoutIdentifiersAlone() {
    String note = "67-year-old man seen in clinic. Reports palpitations and tinnitus. Denies headache. No fever.";
    assertThat(TextScrubber.scrub(note, ZOE)).isEqualTo(note);
  }
}
