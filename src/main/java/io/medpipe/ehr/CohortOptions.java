package io.medpipe.ehr;

import java.time.LocalDate;

/**
 * What {@link SyntheticCohort} generates: how many patients, from which seed, with which disease shares.
 * Diseases are mutually exclusive as the primary condition; each share is turned into an exact count.
 *
 * @param patients        number of patients, at least 1
 * @param seed            the seed every value is derived from; same options, same cohort
 * @param fabryPrevalence share of patients with Fabry disease (default 0.01)
 * @param hcmPrevalence   share with hypertrophic cardiomyopathy (default 0.05)
 * @param ckdPrevalence   share with chronic kidney disease (default 0.08)
 * @param indexDate       every encounter, lab, symptom, diagnosis and note is dated on or before it
 */
public record CohortOptions(int patients, long seed, double fabryPrevalence, double hcmPrevalence,
                            double ckdPrevalence, LocalDate indexDate) {

  public static final double DEFAULT_FABRY_PREVALENCE = 0.01;
  public static final double DEFAULT_HCM_PREVALENCE = 0.05;
  public static final double DEFAULT_CKD_PREVALENCE = 0.08;
  public static final LocalDate DEFAULT_INDEX_DATE = LocalDate.of(2025, 1, 1);

  public CohortOptions {
    if (patients < 1) {
      throw new IllegalArgumentException("patients must be at least 1, was " + patients);
    }
    for (double p : new double[] {fabryPrevalence, hcmPrevalence, ckdPrevalence}) {
      if (!(p >= 0 && p <= 1)) {
        throw new IllegalArgumentException("a prevalence must be within [0, 1], was " + p);
      }
    }
    if (fabryPrevalence + hcmPrevalence + ckdPrevalence > 1) {
      throw new IllegalArgumentException("prevalences add up to more than 1");
    }
    if (indexDate == null) {
      indexDate = DEFAULT_INDEX_DATE;
    }
  }

  /** Default shares and index date. */
  public static CohortOptions of(int patients, long seed) {
    return new CohortOptions(patients, seed, DEFAULT_FABRY_PREVALENCE, DEFAULT_HCM_PREVALENCE,
        DEFAULT_CKD_PREVALENCE, DEFAULT_INDEX_DATE);
  }

  public CohortOptions withFabryPrevalence(double prevalence) {
    return new CohortOptions(patients, seed, prevalence, hcmPrevalence, ckdPrevalence, indexDate);
  }

  public CohortOptions withIndexDate(LocalDate date) {
    return new CohortOptions(patients, seed, fabryPrevalence, hcmPrevalence, ckdPrevalence, date);
  }

  /** Exact number of patients of each primary condition: {fabry, hcm, ckd}. */
  int[] diseaseCounts() {
    return new int[] {
        (int) Math.round(patients * fabryPrevalence),
        (int) Math.round(patients * hcmPrevalence),
        (int) Math.round(patients * ckdPrevalence)};
  }
}
