package io.medpipe.ehr;

import io.medpipe.dataset.Feature;
import io.medpipe.dataset.FeatureTable;
import io.medpipe.dataset.FeatureType;
import io.medpipe.ehr.SyntheticCohort.Disease;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Drift scenarios for the synthetic cohort: patients drawn as {@link SyntheticCohort} draws them and then moved the way
 * production data move, as the model's feature rows (what the prediction API is sent) with their true diagnosis (what
 * a clinician later confirms). Every patient comes from the same clinical model as the cohort the model was trained
 * on; only the scenario's change differs. No identifier leaves the generator: a case is its clinical features and
 * label, nothing else.
 *
 * <p>Features follow the default extraction spec (src/main/resources/ehr/feature-spec.json) as the pipeline extracts
 * them: age in whole years at the index date (top-coded at 90), sex, the latest value of each lab, whether each symptom
 * was recorded.
 */
public enum DriftScenario {

  /** A fresh sample of the same population (another seed): nothing should be flagged. */
  NO_DRIFT("no-drift", "a fresh sample of the same population"),
  /** An older population: patients kept with a probability that grows with age (e.g. a geriatric clinic joins). */
  OLDER("older-population", "an older population (patients kept with a probability rising with age)"),
  /**
   * Another site whose creatinine assay reads 15% higher; its laboratory reports the eGFR computed from that reading
   * (CKD-EPI 2021), so eGFR falls with it.
   */
  CREATININE_ASSAY("creatinine-assay", "another site whose creatinine assay reads 15% higher (eGFR computed from it)"),
  /** The rare disease's prevalence rises from 1% to 3% (e.g. a referral centre). */
  PREVALENCE("prevalence", "Fabry disease prevalence 3% instead of 1%"),
  /**
   * A concept change: the classic signs (acroparesthesia, angiokeratoma, hypohidrosis, corneal verticillata) stop going
   * with Fabry disease and are recorded at the healthy base rate, as in its later-onset variants. One sign alone
   * (angiokeratoma) is not enough to hurt the model: live recall stayed at 0.94 on 50 confirmed cases (measured in
   * MonitorScenarioTest's first version), because the others and the labs still carry the diagnosis.
   */
  CONCEPT_CHANGE("concept-change", "the classic signs stop going with Fabry disease (later-onset variant)"),
  /** A lab no longer ordered: the urine albumin-creatinine ratio is missing for everyone. */
  LAB_NOT_ORDERED("lab-not-ordered", "the urine albumin-creatinine ratio (uacr) is no longer ordered");

  /**
   * The symptoms the concept change takes from Fabry disease, with their rate in people without the three conditions
   * (PatientRecord's base rates): acroparesthesia, angiokeratoma, hypohidrosis, corneal verticillata.
   */
  static final Map<String, Double> CONCEPT_SYMPTOMS = Map.of("HP:0001315", 0.02, "HP:0001014", 0.004,
      "HP:0000966", 0.01, "HP:0007759", 0.003);
  /** The lab no longer ordered (urine albumin-creatinine ratio). */
  static final String DROPPED_LAB = SyntheticCohort.UACR;
  /** The factor of the other site's creatinine assay. */
  static final double ASSAY_FACTOR = 1.15;
  /** The rare disease's prevalence in the prevalence scenario. */
  static final double SHIFTED_PREVALENCE = 0.03;

  private final String id;
  private final String description;

  DriftScenario(String id, String description) {
    this.id = id;
    this.description = description;
  }

  /** The name on the command line. */
  public String id() {
    return id;
  }

  public String description() {
    return description;
  }

  /** The scenario named {@code id}. */
  public static DriftScenario of(String id) {
    for (DriftScenario s : values()) {
      if (s.id.equals(id)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown scenario '" + id + "'; scenarios: "
        + Arrays.stream(values()).map(DriftScenario::id).toList());
  }

  /**
   * One patient as the prediction API sees it.
   *
   * @param features by feature name: a number, "F"/"M", true/false; a missing value is absent
   * @param label    the true diagnosis (fabry, hcm, ckd, none)
   */
  public record Case(Map<String, Object> features, String label) {}

  /**
   * {@code patients} cases of this scenario from {@code seed}. The population (seed, prevalences, index date) is the
   * cohort's default; the reference a model is trained on should use another seed than the scenario.
   */
  public List<Case> generate(int patients, long seed) {
    if (patients < 1) {
      throw new IllegalArgumentException("patients must be at least 1, was " + patients);
    }
    CohortOptions options = CohortOptions.of(this == OLDER ? patients * 3 : patients, seed);
    if (this == PREVALENCE) {
      options = options.withFabryPrevalence(SHIFTED_PREVALENCE);
    }
    Disease[] diseases = SyntheticCohort.assignDiseases(options);
    SplittableRandom change = new SplittableRandom(SyntheticCohort.mix(seed ^ 0x2545F4914F6CDD1DL));
    List<Case> cases = new ArrayList<>(patients);
    for (int i = 0; i < diseases.length && cases.size() < patients; i++) {
      PatientRecord p = PatientRecord.generate(
          new SplittableRandom(SyntheticCohort.mix(options.seed() * 0x9E3779B97F4A7C15L + i)), diseases[i],
          "MRN-00000000", options.indexDate());
      // the age as the pseudonymised snapshot holds it (whole years, top-coded as privacy's Pseudonymizer does, which
      // this package may not call: privacy reads the EHR)
      int age = Math.max(0, Math.min(java.time.Period.between(p.birthDate, options.indexDate()).getYears(),
          FeatureSpec.AGE_TOP_CODE));
      // keep with probability rising from 1/3 at 40 to 1 at 66 and over: the mean age rises by about ten years
      if (this == OLDER && change.nextDouble() > Math.min(1, Math.max(0.05, (age - 27) / 39.0))) {
        continue;
      }
      cases.add(new Case(features(p, age, change), label(p.disease)));
    }
    if (cases.size() < patients) {
      throw new IllegalStateException("the older population kept only " + cases.size() + " of " + patients);
    }
    return cases;
  }

  private Map<String, Object> features(PatientRecord p, int age, SplittableRandom change) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("age", (double) age);
    f.put("sex", p.sex);
    Map<String, Double> latest = new LinkedHashMap<>();
    Map<String, LocalDate> when = new LinkedHashMap<>();
    for (PatientRecord.Lab lab : p.labs) {
      LocalDate at = p.encounterDates.get(lab.encounter());
      // latest value on or before the index date; on the same day the later-inserted row wins (as the extractor)
      if (!when.containsKey(lab.code()) || !at.isBefore(when.get(lab.code()))) {
        when.put(lab.code(), at);
        latest.put(lab.code(), lab.value());
      }
    }
    if (this == CREATININE_ASSAY && latest.containsKey(SyntheticCohort.CREATININE)) {
      double reading = Math.round(latest.get(SyntheticCohort.CREATININE) * ASSAY_FACTOR * 100) / 100.0;
      latest.put(SyntheticCohort.CREATININE, reading);
      if (latest.containsKey(SyntheticCohort.EGFR)) {
        latest.put(SyntheticCohort.EGFR,
            (double) Math.round(SyntheticCohort.ckdEpi2021(reading, age, "F".equals(p.sex))));
      }
    }
    if (this == LAB_NOT_ORDERED) {
      latest.remove(DROPPED_LAB);
    }
    for (FeatureSpec.FeatureDef def : SPEC.featureDefs()) {
      if (def.isLab() && latest.containsKey(def.code())) {
        f.put(def.name(), clip(latest.get(def.code()), def.min(), def.max()));
      } else if (def.isSymptom()) {
        boolean present = p.symptoms.stream().anyMatch(s -> s.code().equals(def.code()));
        if (this == CONCEPT_CHANGE && p.disease == Disease.FABRY && CONCEPT_SYMPTOMS.containsKey(def.code())) {
          present = change.nextDouble() < CONCEPT_SYMPTOMS.get(def.code());
        }
        f.put(def.name(), present);
      }
    }
    return f;
  }

  /** A lab value outside the API's plausible range would be refused; the pipeline's spec clips nothing either. */
  private static double clip(double v, Double min, Double max) {
    return Math.max(min == null ? v : min, Math.min(max == null ? v : max, v));
  }

  private static String label(Disease d) {
    return d.name().toLowerCase(Locale.ROOT);
  }

  /** The default extraction spec the cases follow. */
  static final FeatureSpec SPEC = loadSpec();

  private static FeatureSpec loadSpec() {
    try (InputStream in = DriftScenario.class.getResourceAsStream("/ehr/feature-spec.json")) {
      return FeatureSpec.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The model inputs of the default spec, in column order. */
  public static List<Feature> features() {
    return SPEC.features();
  }

  /** The classes of the default spec (fabry, hcm, ckd, none). */
  public static List<String> classes() {
    return SPEC.classLabels();
  }

  /** The cases as a feature table in the spec's encoding (NaN = missing), e.g. a reference snapshot for tests. */
  public static FeatureTable table(List<Case> cases) {
    List<Feature> features = features();
    List<String> classes = classes().stream().sorted().toList();
    double[][] x = new double[cases.size()][features.size()];
    int[] y = new int[cases.size()];
    for (int i = 0; i < cases.size(); i++) {
      Case c = cases.get(i);
      for (int j = 0; j < features.size(); j++) {
        Feature f = features.get(j);
        Object v = c.features().get(f.name());
        x[i][j] = v == null ? Double.NaN
            : f.type() == FeatureType.CATEGORICAL ? f.levels().indexOf(v.toString())
            : v instanceof Boolean b ? (b ? 1 : 0) : ((Number) v).doubleValue();
      }
      y[i] = classes.indexOf(c.label());
    }
    return new FeatureTable(features, classes, x, y);
  }
}
