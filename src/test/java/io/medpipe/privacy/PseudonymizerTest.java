package io.medpipe.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.LocalDate;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Keyed pseudonyms are stable, key-dependent and not reversible by hashing; ages follow Safe Harbor. */
class PseudonymizerTest {

  static final String KEY = "0123456789abcdef-deployment-a";
  static final String OTHER_KEY = "0123456789abcdef-deployment-b";
  static final String MRN = "MRN-00000042";

  @Test
  void givesTheSamePseudonymForTheSameKeyAndIdentifier() {
    assertThat(new Pseudonymizer(KEY).pseudonym(MRN)).isEqualTo(new Pseudonymizer(KEY).pseudonym(MRN));
  }

  @Test
  void givesDifferentPseudonymsForDifferentIdentifiers() {
    Pseudonymizer p = new Pseudonymizer(KEY);

    assertThat(p.pseudonym(MRN)).isNotEqualTo(p.pseudonym("MRN-00000043"));
  }

  @Test
  void givesADifferentPseudonymUnderAnotherKey() {
    assertThat(new Pseudonymizer(KEY).pseudonym(MRN)).isNotEqualTo(new Pseudonymizer(OTHER_KEY).pseudonym(MRN));
  }

  @Test
  void isAPrefixedHexStringOf128Bits() {
    assertThat(new Pseudonymizer(KEY).pseudonym(MRN)).matches("p-[0-9a-f]{32}");
  }

  @Test
  void neitherContainsTheIdentifierNorIsItsUnkeyedHash() throws Exception {
    String pseudonym = new Pseudonymizer(KEY).pseudonym(MRN);
    String hex = pseudonym.substring(2);

    assertThat(pseudonym).doesNotContain(MRN).doesNotContain("00000042");
    for (String input : new String[] {MRN, "patient:" + MRN}) {
      String sha = HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(input.getBytes(StandardCharsets.UTF_8)));
      assertThat(sha).as("unkeyed SHA-256 of %s", input).doesNotContain(hex);
    }
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(strings = {"", "short", "fifteen-chars!!"})
  void refusesKeysShorterThan16Characters(String key) {
    assertThatIllegalArgumentException().isThrownBy(() -> new Pseudonymizer(key)).withMessageContaining("16");
  }

  @Test
  void acceptsAKeyOfExactly16Characters() {
    assertThat(new Pseudonymizer("sixteen-chars!!!").pseudonym(MRN)).startsWith("p-");
  }

  @Test
  void doesNotRevealTheKeyInToString() {
    assertThat(new Pseudonymizer(KEY).toString()).doesNotContain(KEY).doesNotContain("0123456789abcdef");
  }

  @Test
  void countsAgeInCompletedYears() {
    LocalDate index = LocalDate.of(2024, 6, 30);

    assertThat(Pseudonymizer.age(LocalDate.of(1980, 6, 30), index)).isEqualTo(44);
    assertThat(Pseudonymizer.age(LocalDate.of(1980, 7, 1), index)).isEqualTo(43);
  }

  @Test
  void topCodesAgesAt90() {
    LocalDate index = LocalDate.of(2024, 6, 30);

    assertThat(Pseudonymizer.age(LocalDate.of(1935, 7, 1), index)).isEqualTo(88);
    assertThat(Pseudonymizer.age(LocalDate.of(1935, 6, 30), index)).isEqualTo(89);
    assertThat(Pseudonymizer.age(LocalDate.of(1934, 6, 30), index)).isEqualTo(90);
    assertThat(Pseudonymizer.age(LocalDate.of(1920, 1, 1), index)).isEqualTo(Pseudonymizer.AGE_TOP_CODE);
    assertThat(Pseudonymizer.age(LocalDate.of(1900, 1, 1), index)).isEqualTo(90);
  }

  @Test
  void givesAgeZeroForABirthDateAfterTheIndexDate() {
    LocalDate index = LocalDate.of(2024, 6, 30);

    assertThat(Pseudonymizer.age(LocalDate.of(2024, 7, 1), index)).isZero();
    assertThat(Pseudonymizer.age(LocalDate.of(2030, 1, 1), index)).isZero();
  }
}
