package io.medpipe.ehr;

import io.medpipe.ehr.SyntheticCohort.Disease;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * One synthetic patient before it is written: identity, encounters and clinical facts, drawn from one random
 * stream. The clinical model is deliberately simple but keeps the relations a model should learn: Fabry disease
 * starts young and is worse in men (X-linked), hurts kidneys (albuminuria first, then falling eGFR) and heart
 * (left-ventricular hypertrophy), and shows small-fibre neuropathy, angiokeratoma, hypohidrosis and corneal
 * deposits; CKD and HCM share the organ signal but come later in life without the classic signs.
 */
final class PatientRecord {

  record Lab(String code, double value, String unit, int encounter) {
  }

  record Coded(String code, int encounter) {
  }

  record Dx(String icd10, String orpha, String label, int encounter) {
  }

  // Symptom table: HPO code, phrase when present, noun phrase when negated.
  static final String[][] SYMPTOMS = {
      {"HP:0001315", "burning pain in the hands and feet", "acroparesthesia"},
      {"HP:0001014", "angiokeratomas over the lower trunk", "angiokeratoma"},
      {"HP:0000966", "reduced sweating and heat intolerance", "hypohidrosis"},
      {"HP:0007759", "corneal verticillata on slit-lamp examination", "corneal opacities"},
      {"HP:0002027", "recurrent abdominal pain", "abdominal pain"},
      {"HP:0012378", "fatigue", "fatigue"},
      {"HP:0002094", "shortness of breath on exertion", "dyspnea"},
      {"HP:0000822", "elevated blood pressure", "hypertension"},
      {"HP:0000969", "ankle edema", "edema"},
      {"HP:0001962", "palpitations", "palpitations"},
      {"HP:0000360", "tinnitus", "tinnitus"},
  };
  private static final int ACRO = 0;
  private static final int ANGIO = 1;
  private static final int HYPOHID = 2;
  private static final int CORNEA = 3;
  private static final int ABDO = 4;
  private static final int FATIGUE = 5;
  private static final int DYSPNEA = 6;
  private static final int HTN = 7;
  private static final int EDEMA = 8;
  private static final int PALP = 9;
  private static final int TINNITUS = 10;

  // Present-rate of each symptom in people without the three conditions (age adds to dyspnea and hypertension).
  private static final double[] BASE = {0.02, 0.004, 0.01, 0.003, 0.07, 0.14, 0.04, 0.12, 0.04, 0.05, 0.07};
  // Classic Fabry phenotype in men; women (heterozygous) show each sign at about 70% of that rate.
  private static final double[] FABRY_MALE = {0.70, 0.55, 0.50, 0.45, 0.45, 0.50, 0.20, 0.20, 0.12, 0.25, 0.35};
  private static final double[] HCM = {0.02, 0.004, 0.01, 0.003, 0.07, 0.40, 0.55, 0.35, 0.20, 0.50, 0.07};
  // Diabetic neuropathy behind many CKD cases also gives burning feet: a shared sign with Fabry.
  private static final double[] CKD = {0.12, 0.004, 0.01, 0.003, 0.08, 0.45, 0.20, 0.75, 0.45, 0.08, 0.08};

  private static final String[] GENERIC_NEGATIVES = {"fever", "chest pain", "weight loss", "syncope", "cough",
      "headache", "nausea", "rash"};

  private static final String[] FEMALE_NAMES = {"Anna", "Maria", "Laura", "Sophie", "Emma", "Julia", "Clara",
      "Sarah", "Lea", "Hannah", "Olivia", "Nora", "Elena", "Ines", "Marta", "Chloe", "Lucia", "Ida", "Alice", "Mia"};
  private static final String[] MALE_NAMES = {"Lukas", "Jonas", "David", "Paul", "Felix", "Noah", "Elias",
      "Thomas", "Daniel", "Marco", "Peter", "Samuel", "Leon", "Hugo", "Oscar", "Mateo", "Adam", "Simon", "Victor",
      "Ivan"};
  private static final String[] FAMILY_NAMES = {"Smith", "Keller", "Novak", "Rossi", "Meyer", "Garcia", "Dubois",
      "Jansen", "Kowalski", "Berg", "Silva", "Fischer", "Moreau", "Larsen", "Costa", "Weber", "Horvat", "Brennan",
      "Lindqvist", "Petrov", "Schmid", "Nielsen", "Ferrari", "Walsh", "Huber"};
  private static final String[] STREETS = {"Maple", "Oak", "Linden", "Church", "Mill", "River", "Station", "Park",
      "Hill", "Garden", "Cedar", "Willow"};
  private static final String[] STREET_KINDS = {"Street", "Avenue", "Road", "Lane", "Way"};
  private static final String[] CITIES = {"Springfield", "Riverton", "Fairview", "Lakewood", "Greenville",
      "Oakdale", "Milton", "Ashford"};
  private static final String[] MAIL_DOMAINS = {"example.com", "example.org", "example.net"};

  final Disease disease;
  final String mrn;
  final String nationalId;
  final String givenName;
  final String familyName;
  final LocalDate birthDate;
  final String sex;
  final String address;
  final String zip;
  final String phone;
  final String email;
  final List<LocalDate> encounterDates = new ArrayList<>(2);
  final List<String> encounterKinds = new ArrayList<>(2);
  final List<Lab> labs = new ArrayList<>(12);
  final List<Coded> symptoms = new ArrayList<>(4);
  final List<Dx> diagnoses = new ArrayList<>(2);
  String note;

  private PatientRecord(Disease disease, String mrn, String sex, String givenName, String familyName,
                        LocalDate birthDate, SplittableRandom r) {
    this.disease = disease;
    this.mrn = mrn;
    this.sex = sex;
    this.givenName = givenName;
    this.familyName = familyName;
    this.birthDate = birthDate;
    this.nationalId = String.format(Locale.ROOT, "9%02d-%02d-%04d", r.nextInt(100), 1 + r.nextInt(99),
        1 + r.nextInt(9999));
    this.address = (1 + r.nextInt(2500)) + " " + pick(r, STREETS) + " " + pick(r, STREET_KINDS) + ", "
        + pick(r, CITIES);
    this.zip = String.format(Locale.ROOT, "%05d", 1000 + r.nextInt(99_000));
    this.phone = String.format(Locale.ROOT, "+1 555-%03d-%04d", 200 + r.nextInt(800), r.nextInt(10_000));
    this.email = (givenName + "." + familyName).toLowerCase(Locale.ROOT) + r.nextInt(100) + "@"
        + pick(r, MAIL_DOMAINS);
  }

  static PatientRecord generate(SplittableRandom r, Disease disease, String mrn, LocalDate indexDate) {
    boolean male = r.nextDouble() < switch (disease) {
      case FABRY -> 0.55;
      case HCM -> 0.60;
      default -> 0.48;
    };
    double age = switch (disease) {
      case FABRY -> male ? clip(gauss(r, 31, 10), 12, 70) : clip(gauss(r, 41, 12), 14, 75);
      case HCM -> clip(gauss(r, 57, 14), 18, 92);
      case CKD -> clip(gauss(r, 67, 12), 25, 95);
      case NONE -> clip(gauss(r, 50, 18), 16, 95);
    };
    LocalDate birth = indexDate.minusYears((long) age).minusDays(r.nextInt(365));
    String given = male ? pick(r, MALE_NAMES) : pick(r, FEMALE_NAMES);
    PatientRecord p = new PatientRecord(disease, mrn, male ? "M" : "F", given, pick(r, FAMILY_NAMES), birth, r);
    p.clinical(r, male, age, indexDate);
    return p;
  }

  private void clinical(SplittableRandom r, boolean male, double age, LocalDate indexDate) {
    boolean sick = disease != Disease.NONE;
    LocalDate last = indexDate.minusDays(r.nextInt(365));
    if (r.nextDouble() < (sick ? 0.8 : 0.55)) {
      encounterDates.add(last.minusDays(30 + r.nextInt(700)));
      encounterKinds.add(kind(r));
    }
    encounterDates.add(last);
    encounterKinds.add(kind(r));
    int lastEnc = encounterDates.size() - 1;
    boolean female = !male;

    // Severity of Fabry organ involvement grows with age and is higher in men.
    double fabryLoad = disease == Disease.FABRY ? (male ? 1.0 : 0.65) * clip((age - 10) / 35, 0.2, 1.4) : 0;

    // Kidney: a true eGFR, from which creatinine follows by CKD-EPI 2021.
    double egfr = switch (disease) {
      case CKD -> stageEgfr(r);
      case FABRY -> clip(gauss(r, 118 - 0.9 * (age - 20) - 40 * fabryLoad, 15), 8, 135);
      default -> clip(gauss(r, 118 - 0.85 * Math.max(0, age - 25), 14), 20, 140);
    };
    double creatinine = SyntheticCohort.creatinineFor(egfr, age, female);
    double uacr = switch (disease) {
      case CKD -> logNormal(r, 110, 1.1);
      case FABRY -> logNormal(r, 30 + 400 * fabryLoad, 0.9);
      case HCM -> logNormal(r, 12, 0.9);
      case NONE -> logNormal(r, 7, 0.8);
    };
    double lvmi = switch (disease) {
      case HCM -> gauss(r, male ? 148 : 135, 24);
      case FABRY -> gauss(r, (male ? 88 : 76) + 55 * fabryLoad, 18);
      case CKD -> gauss(r, 106, 20);
      case NONE -> gauss(r, male ? 86 : 74, 12) + 0.15 * (age - 45);
    };
    double hemoglobin = gauss(r, male ? 15.0 : 13.5, 1.0) - 0.05 * Math.max(0, 60 - egfr)
        - (disease == Disease.FABRY ? 0.4 : 0);
    double crp = logNormal(r, disease == Disease.CKD ? 3.5 : 1.8, 0.9) * (r.nextDouble() < 0.05 ? 10 : 1);

    // Symptoms
    boolean[] present = new boolean[SYMPTOMS.length];
    for (int s = 0; s < SYMPTOMS.length; s++) {
      double p = switch (disease) {
        case FABRY -> FABRY_MALE[s] * (male ? 1 : 0.7);
        case HCM -> HCM[s];
        case CKD -> CKD[s];
        case NONE -> BASE[s];
      };
      if (s == HTN) {
        p += 0.006 * Math.max(0, age - 35) + (egfr < 60 ? 0.2 : 0);
      } else if (s == DYSPNEA) {
        p += 0.002 * Math.max(0, age - 50);
      }
      present[s] = r.nextDouble() < Math.min(p, 0.95);
    }
    if (present[HTN]) {
      uacr *= 1.8;
      lvmi += 8;
    }

    // Labs: each is never measured for some patients (10-30%); the last encounter carries the latest value and
    // an earlier encounter sometimes an older one (kidney values were better then in progressive disease).
    boolean kidneyPanel = r.nextDouble() >= 0.12;
    if (kidneyPanel) {
      double cr = creatinine * logNormal(r, 1, 0.05);
      addLab(SyntheticCohort.CREATININE, round(cr, 2), "mg/dL", lastEnc);
      addLab(SyntheticCohort.EGFR, Math.round(SyntheticCohort.ckdEpi2021(cr, age, female)), "mL/min/1.73m2",
          lastEnc);
      if (lastEnc > 0 && r.nextDouble() < 0.5) {
        double earlier = cr * (disease == Disease.FABRY || disease == Disease.CKD ? 0.75 + 0.2 * r.nextDouble()
            : logNormal(r, 1, 0.06));
        addLab(SyntheticCohort.CREATININE, round(earlier, 2), "mg/dL", 0);
        addLab(SyntheticCohort.EGFR, Math.round(SyntheticCohort.ckdEpi2021(earlier, age, female)),
            "mL/min/1.73m2", 0);
      }
    }
    maybeLab(r, 0.30, SyntheticCohort.UACR, clip(round(uacr * logNormal(r, 1, 0.15), 1), 1, 5000), "mg/g",
        lastEnc);
    maybeLab(r, 0.30, SyntheticCohort.LVMI, clip(Math.round(lvmi + gauss(r, 0, 6)), 35, 320), "g/m2", lastEnc);
    maybeLab(r, 0.12, SyntheticCohort.HEMOGLOBIN, clip(round(hemoglobin + gauss(r, 0, 0.3), 1), 5, 20), "g/dL",
        lastEnc);
    maybeLab(r, 0.25, SyntheticCohort.CRP, clip(round(crp, 1), 0.1, 300), "mg/L", lastEnc);

    for (int s = 0; s < SYMPTOMS.length; s++) {
      if (present[s]) {
        symptoms.add(new Coded(SYMPTOMS[s][0], r.nextInt(encounterDates.size())));
      }
    }

    // Diagnoses: the primary condition at the last encounter; organ diagnoses a Fabry patient may have collected
    // before the cause was found (the label takes the first matching class of the spec).
    int ckdStage = egfr < 15 ? 5 : egfr < 30 ? 4 : egfr < 60 ? 3 : 2;
    switch (disease) {
      case FABRY -> {
        if (egfr < 60 && r.nextDouble() < 0.8) {
          diagnoses.add(ckd(ckdStage, 0));
        }
        if (lvmi > 130 && r.nextDouble() < 0.35) {
          diagnoses.add(new Dx(SyntheticCohort.HCM_ICD10, null, "Obstructive hypertrophic cardiomyopathy", 0));
        }
        diagnoses.add(new Dx(SyntheticCohort.FABRY_ICD10, SyntheticCohort.FABRY_ORPHA, "Fabry disease", lastEnc));
      }
      case HCM -> {
        diagnoses.add(new Dx(SyntheticCohort.HCM_ICD10, null, "Obstructive hypertrophic cardiomyopathy", lastEnc));
        if (egfr < 60 && r.nextDouble() < 0.5) {
          diagnoses.add(ckd(ckdStage, lastEnc));
        }
      }
      case CKD -> diagnoses.add(ckd(Math.max(3, ckdStage), lastEnc));
      case NONE -> {
        if (present[HTN] && r.nextDouble() < 0.6) {
          diagnoses.add(new Dx("I10", null, "Essential (primary) hypertension", lastEnc));
        }
        if (r.nextDouble() < 0.07) {
          diagnoses.add(new Dx("E11.9", null, "Type 2 diabetes mellitus without complications", lastEnc));
        }
      }
    }
    note = note(r, male, (int) age, present);
  }

  private static Dx ckd(int stage, int encounter) {
    return new Dx("N18." + stage, null, "Chronic kidney disease, stage " + stage, encounter);
  }

  /** eGFR of a diagnosed CKD patient: mostly stage 3, fewer in stages 4 and 5. */
  private static double stageEgfr(SplittableRandom r) {
    double u = r.nextDouble();
    if (u < 0.45) {
      return 45 + 15 * r.nextDouble();
    } else if (u < 0.75) {
      return 30 + 15 * r.nextDouble();
    } else if (u < 0.92) {
      return 15 + 15 * r.nextDouble();
    }
    return 6 + 9 * r.nextDouble();
  }

  private void maybeLab(SplittableRandom r, double missing, String code, double value, String unit, int lastEnc) {
    if (r.nextDouble() >= missing) {
      addLab(code, value, unit, lastEnc);
    }
  }

  private void addLab(String code, double value, String unit, int encounter) {
    labs.add(new Lab(code, value, unit, encounter));
  }

  /** A short note: some present findings (not all get written down) and some pertinent negatives. */
  private String note(SplittableRandom r, boolean male, int age, boolean[] present) {
    StringBuilder sb = new StringBuilder(200);
    String person = male ? "man" : "woman";
    if (r.nextDouble() < 0.5) {
      sb.append(male ? "Mr. " : "Ms. ").append(familyName).append(" is a ").append(age).append("-year-old ")
          .append(person).append(" seen for follow-up.");
    } else {
      sb.append(age).append("-year-old ").append(person).append(" seen in clinic.");
    }
    List<String> reported = new ArrayList<>();
    List<String> negated = new ArrayList<>();
    for (int s = 0; s < SYMPTOMS.length; s++) {
      if (present[s] && r.nextDouble() < 0.8) {
        reported.add(SYMPTOMS[s][1]);
      } else if (!present[s] && r.nextDouble() < 0.2) {
        negated.add(SYMPTOMS[s][2]);
      }
    }
    if (!reported.isEmpty()) {
      sb.append(" Reports ").append(joinWithAnd(reported)).append('.');
    } else {
      sb.append(" No complaints today.");
    }
    negated.add(pick(r, GENERIC_NEGATIVES));
    String[] cues = {"Denies ", "No ", "Negative for ", "Without "};
    for (String n : negated) {
      String cue = cues[r.nextInt(cues.length)];
      sb.append(' ').append(cue).append(n).append('.');
    }
    sb.append(r.nextDouble() < 0.5 ? " Labs reviewed." : " Plan: routine labs, review in 6 months.");
    return sb.toString();
  }

  private static String joinWithAnd(List<String> items) {
    if (items.size() == 1) {
      return items.get(0);
    }
    return String.join(", ", items.subList(0, items.size() - 1)) + " and " + items.get(items.size() - 1);
  }

  private static String kind(SplittableRandom r) {
    double u = r.nextDouble();
    return u < 0.75 ? "outpatient" : u < 0.9 ? "inpatient" : "emergency";
  }

  private static String pick(SplittableRandom r, String[] values) {
    return values[r.nextInt(values.length)];
  }

  private static double gauss(SplittableRandom r, double mean, double sd) {
    return mean + sd * r.nextGaussian();
  }

  private static double logNormal(SplittableRandom r, double median, double sdLog) {
    return median * Math.exp(sdLog * r.nextGaussian());
  }

  private static double clip(double v, double lo, double hi) {
    return Math.max(lo, Math.min(hi, v));
  }

  private static double round(double v, int decimals) {
    double f = Math.pow(10, decimals);
    return Math.round(v * f) / f;
  }
}
