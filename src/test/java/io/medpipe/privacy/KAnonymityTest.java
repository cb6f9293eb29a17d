package io.medpipe.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** k-anonymity, date shifting and ZIP3: the Safe Harbor generalisations. */
class KAnonymityTest {

  static final String KEY = "a-test-key-of-enough-length";

  @Test
  void smallClassesAreGeneralisedThenSuppressedAndCounted() {
    List<KAnonymity.Quasi> rows = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      rows.add(new KAnonymity.Quasi(42, "F"));    // a class of 10
    }
    rows.add(new KAnonymity.Quasi(61, "M"));      // 60-64 alone, but 60-79 M has 3 -> generalised
    rows.add(new KAnonymity.Quasi(66, "M"));
    rows.add(new KAnonymity.Quasi(71, "M"));
    rows.add(new KAnonymity.Quasi(12, "F"));      // alone even at 0-19 F -> suppressed
    KAnonymity.Result r = KAnonymity.enforce(rows, 3);
    assertThat(r.report().smallestClassBefore()).isEqualTo(1);
    assertThat(r.report().rowsBelowK()).isEqualTo(4);
    assertThat(r.report().rowsGeneralised()).isEqualTo(3);
    assertThat(r.report().rowsSuppressed()).isEqualTo(1);
    assertThat(r.actions()[0]).isEqualTo(KAnonymity.Action.KEEP);
    assertThat(r.actions()[10]).isEqualTo(KAnonymity.Action.GENERALISE);
    assertThat(r.actions()[13]).isEqualTo(KAnonymity.Action.SUPPRESS);
    assertThat(KAnonymity.generalisedAge(61)).isEqualTo(70);
  }

  @Test
  void kOfOneChangesNothing() {
    KAnonymity.Result r = KAnonymity.enforce(List.of(new KAnonymity.Quasi(30, "F")), 1);
    assertThat(r.report().rowsGeneralised() + r.report().rowsSuppressed()).isZero();
  }

  @Test
  void datesShiftByOneKeyDerivedOffsetPerPatient() {
    Pseudonymizer p = new Pseudonymizer(KEY);
    int shift = p.dateShiftDays("MRN-1");
    assertThat(shift).isBetween(-182, 182).isNotZero();
    LocalDate a = LocalDate.of(2024, 1, 1);
    LocalDate b = LocalDate.of(2024, 3, 1);
    // consistent within a patient: intervals survive
    assertThat(java.time.temporal.ChronoUnit.DAYS.between(p.shift(a, "MRN-1"), p.shift(b, "MRN-1"))).isEqualTo(60);
    assertThat(p.shift(a, "MRN-1")).isEqualTo(a.plusDays(shift));
    // differs between patients and between keys
    long distinct = java.util.stream.IntStream.range(0, 50).map(i -> p.dateShiftDays("MRN-" + i)).distinct().count();
    assertThat(distinct).isGreaterThan(30);
    assertThat(new Pseudonymizer(KEY + "x").dateShiftDays("MRN-1")).isNotEqualTo(shift);
  }

  @Test
  void agesOverEightyNineAreTopCoded() {
    assertThat(Pseudonymizer.age(LocalDate.of(1920, 1, 1), LocalDate.of(2025, 1, 1))).isEqualTo(90);
    assertThat(Pseudonymizer.age(LocalDate.of(1936, 1, 2), LocalDate.of(2025, 1, 1))).isEqualTo(88);
    assertThat(KAnonymity.band(95, 5)).isEqualTo("90+");
  }
}
