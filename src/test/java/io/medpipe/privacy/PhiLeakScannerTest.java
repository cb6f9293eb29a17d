package io.medpipe.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The leak scanner finds identifiers in exact and normalised forms, and stays quiet on ordinary output. */
class PhiLeakScannerTest {

  static final PhiLeakScanner SCANNER = new PhiLeakScanner(PlantedPatients.PATIENTS);

  @Test
  void findsEachKindInNormalisedForms() {
    assertThat(kinds("Zoltana Quillfeather")).containsExactly("NAME");
    assertThat(kinds("QUILLFEATHER,   zoltana")).containsExactly("NAME");
    assertThat(kinds("dear ms quillfeather")).containsExactly("NAME");   // long family name alone
    assertThat(kinds("id=mrn_zq_990071")).containsExactly("MRN");
    assertThat(kinds("{\"ref\":\"990071\"}")).containsExactly("MRN");
    assertThat(kinds("call (555) 867-5309 now")).containsExactly("PHONE");
    assertThat(kinds("tel:+15558675309")).containsExactly("PHONE");
    assertThat(kinds("ZOLTANA.QUILLFEATHER@EXAMPLE.ORG")).contains("EMAIL");
    assertThat(kinds("987 65 4321")).containsExactly("NATIONAL_ID");
    assertThat(kinds("19 wisteria lane fairview")).containsExactly("ADDRESS");
  }

  @Test
  void ordinaryOutputIsClean() {
    String log = "2026-11-26 19:49:55.123 INFO 4711 --- [main] extract 3f2a1b4c-1234-4d5e-9f00-aa55 of spec fabry"
        + " v1: 5003 rows, classes {fabry=100, none=4000}; features [0.5558675309, 867, 5309, 555]; p-0123abcd";
    assertThat(SCANNER.scan("log", log)).isEmpty();
    // a name part shorter than the single-name limit is not a finding on its own
    assertThat(SCANNER.scan("log", "Zoltana called")).isEmpty();
  }

  @Test
  void aDateWhoseDigitsEqualAnMrnIsNotThatMrn() {
    // seen with 20,000 synthetic patients: a note written 2024-07-13 and a patient MRN-20240713
    PhiLeakScanner scanner = new PhiLeakScanner(java.util.List.of(new PatientIdentifiers("MRN-20240713", null,
        "Ada", "Lovelace-Byron", null, null, null, null, null)));
    assertThat(scanner.scan("notes", "p-0a1b 2024-07-13 Patient reports fatigue.")).isEmpty();
    assertThat(scanner.scan("notes", "chart 20240713 reviewed")).extracting(PhiLeakScanner.Leak::kind)
        .containsExactly("MRN");
    assertThat(scanner.scan("notes", "MRN-20240713")).extracting(PhiLeakScanner.Leak::kind).containsExactly("MRN");
    // nor is a run of digits inside a hex pseudonym
    assertThat(scanner.scan("rows", "p-3fa20240713c9e0b1d2e3f4a5b6c7d8e9 fabry")).isEmpty();
  }

  private static java.util.List<String> kinds(String text) {
    return SCANNER.scan("t", text).stream().map(PhiLeakScanner.Leak::kind).toList();
  }
}
