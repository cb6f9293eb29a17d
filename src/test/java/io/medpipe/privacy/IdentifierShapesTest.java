package io.medpipe.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Tokens shaped like identifiers are recognised (and named by kind); pseudonyms, UUIDs and plain ids are not. */
class IdentifierShapesTest {

  @ParameterizedTest
  @CsvSource({
      "MRN-4471902, a medical record number",
      "mrn:A77120, a medical record number",
      "ssn-123-45-6789, an identification number",
      "jane.doe@example.org, an e-mail address",
      "phone-555-867-5309, a phone number",
      "tel.555.867.5309, a phone or identification number",
      "JaneDoe-1970-01-31, a date",
      "doe_1970-01-31, a date",
      "born-31.01.1970, a date",
      "ref-31-01-1970, a date",
      "jane_doe_19700131, an identification number",
      "patient4471902, a record number (6 or more digits in a row)",
      "id-00-44-719-02, an identification number",
      "ref-004-4719-02, a phone or identification number",
      "jane1970, a name with a birth year",
      "smith_1985, a name with a birth year",
      "1985-smith, a name with a birth year",
      "www.example.org, a URL",
      "Novak:Olivia:30-Sep-58, a date",
      "novak-olivia-30sep58, a date",
      "Novak-Olivia-Sep58, a date",
      "olivia-december-1958, a date",
      "for Novak:Olivia:30-Sep-58 request, a date"})
  void recognisesIdentifierShapes(String token, String kind) {
    assertThat(IdentifierShapes.kind(token)).as(token).contains(kind);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ref-e2e-0001", "psn-4c1d9e2a", "ehr-7f3a", "k-1", "b-3", "case-17", "ward-7",
      "ehr-gateway", "medpipe-serving-tests", "p-3fa85f6457174562b3fc2c963f66afa6",
      "12345678-1234-4234-8234-123456789abc", "0123456789abcdef0123", "visit:A17-x",
      "decision-12", "mayor-2", "sepsis-58", "batch-dec"})
  void acceptsPseudonymsAndPlainTokens(String token) {
    assertThat(IdentifierShapes.kind(token)).as(token).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
  void acceptsRandomUuidsWhateverDigitsTheyHold(int seed) {
    java.util.Random random = new java.util.Random(seed);
    for (int i = 0; i < 1000; i++) {
      String uuid = new UUID(random.nextLong(), random.nextLong()).toString();
      assertThat(IdentifierShapes.kind(uuid)).as(uuid).isEmpty();
      assertThat(IdentifierShapes.kind("p-" + uuid.replace("-", ""))).as(uuid).isEmpty();
    }
  }
}
