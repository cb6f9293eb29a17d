package io.medpipe.ehr;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.core.io.ClassPathResource;

/** Notes to symptoms with NegEx-style negation: a negated mention does not count. */
class NoteConceptsTest {

  static final NoteConcepts CONCEPTS = NoteConcepts.load(new ClassPathResource("ehr/symptom-concepts.json"));
  static final String FEVER = "HP:0001945";
  static final String HEADACHE = "HP:0002315";
  static final String FATIGUE = "HP:0012378";
  static final String TINNITUS = "HP:0000360";
  static final String ACRO = "HP:0001315";
  static final String DYSPNEA = "HP:0002094";

  @Test
  void negatedMentionsDoNotCount() {
    assertThat(CONCEPTS.affirmed("No fever.")).isEmpty();
    assertThat(CONCEPTS.affirmed("Denies headache.")).isEmpty();
    assertThat(CONCEPTS.affirmed("Patient denies fever, headache or tinnitus.")).isEmpty();
    assertThat(CONCEPTS.affirmed("Negative for fever. Without headache.")).isEmpty();
    assertThat(CONCEPTS.affirmed("Fever was ruled out.")).isEmpty();
    assertThat(CONCEPTS.affirmed("No evidence of shortness of breath.")).isEmpty();
  }

  @Test
  void affirmedMentionsCountAndNegationStopsAtTheClauseOrSentenceEnd() {
    assertThat(CONCEPTS.affirmed("Reports fever and headache.")).containsExactly(FEVER, HEADACHE);
    assertThat(CONCEPTS.affirmed("Denies fever but reports fatigue.")).containsExactly(FATIGUE);
    assertThat(CONCEPTS.affirmed("No headache. Tinnitus since May.")).containsExactly(TINNITUS);
    assertThat(CONCEPTS.affirmed("Burning pain in the hands and feet; denies dyspnoea."))
        .containsExactly(ACRO);
    assertThat(CONCEPTS.affirmed("SHORTNESS  OF BREATH on exertion")).containsExactly(DYSPNEA);
    // a word that merely contains a concept is not the concept
    assertThat(CONCEPTS.affirmed("Feverfew tea; headaches-free diet")).doesNotContain(FEVER);
  }

  @Test
  void theSyntheticCohortsNotesAreReadAsWritten() {
    String note = "Mr. Keller is a 54-year-old man seen for follow-up. Reports burning pain in the hands and feet"
        + " and palpitations. Denies tinnitus. Negative for fever. Plan: routine labs, review in 6 months.";
    assertThat(CONCEPTS.affirmed(note)).containsExactly(ACRO, "HP:0001962");
  }
}
