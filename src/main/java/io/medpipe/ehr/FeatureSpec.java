package io.medpipe.ehr;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.medpipe.dataset.Feature;
import io.medpipe.dataset.FeatureType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.core.io.Resource;

/**
 * The extraction spec of a cohort: which diagnoses define the label, which EHR facts become features and
 * the index date they are read at. It is configuration (ehr/feature-spec.json), so a clinician can review
 * it and its hash goes into every extract and snapshot.
 *
 * @param name        spec name, e.g. fabry-cohort
 * @param version     spec version, bumped on every change
 * @param targetClass the class the model is built to detect; one of the label classes
 * @param indexDate   the date facts are read at (latest value at or before it)
 * @param label       how a patient's diagnoses become a class label
 * @param featureDefs the features as written in the spec ("features"), in column order
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FeatureSpec(String name, Integer version, String targetClass, IndexDateRule indexDate,
                          LabelRule label,
                          @JsonProperty("features") List<FeatureDef> featureDefs) {

  /**
   * The age every snapshot carries is whole years at the index date, top-coded here (HIPAA Safe Harbor: ages over 89
   * are one category). Defined with the features so that the pseudonymiser and the drift scenarios, which both
   * produce that age, read the same number.
   */
  public static final int AGE_TOP_CODE = 90;

  /** Demographic fields the extractor knows. */
  public static final Set<String> DEMOGRAPHIC_FIELDS = Set.of("age", "sex");

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");
  private static final Pattern CODE = Pattern.compile("[A-Za-z0-9:._-]{1,64}");

  private static final ObjectMapper READER = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .build();

  // Canonical form: sorted keys, no whitespace, nulls left out; the hash ignores formatting and key order.
  private static final ObjectMapper CANONICAL = JsonMapper.builder()
      .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .disable(SerializationFeature.INDENT_OUTPUT)
      .build();

  /**
   * When facts are read. FIXED: at {@code date}; RUN_DATE: at the day the extraction runs.
   *
   * @param rule FIXED or RUN_DATE
   * @param date ISO date, required for FIXED
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record IndexDateRule(String rule, String date) {

    /** The index date this rule gives for an extraction run on {@code today}. */
    public LocalDate resolve(LocalDate today) {
      return "FIXED".equals(rule) ? LocalDate.parse(date) : today;
    }
  }

  /**
   * The label of a patient: the first class with a matching diagnosis on or before the index date, else the default.
   *
   * @param column       where the label comes from; only "diagnosis" is supported
   * @param defaultLabel label of patients matching no class
   * @param classes      classes in precedence order
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record LabelRule(String column, @JsonProperty("default") String defaultLabel, List<LabelClass> classes) {
  }

  /**
   * One class: a diagnosis matches when its ORPHA code is equal or its ICD-10 code starts with {@code icd10}.
   *
   * @param label     class label
   * @param orphaCode Orphanet code (exact match), or null
   * @param icd10     ICD-10 code prefix, or null
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record LabelClass(String label, String orphaCode, String icd10) {
  }

  /**
   * One feature and where it comes from.
   *
   * @param name     snake_case name
   * @param source   demographic | lab | symptom
   * @param field    demographic field (age, sex); demographic only
   * @param code     observation code (lab) or HPO code (symptom)
   * @param type     NUMERIC | BINARY | CATEGORICAL
   * @param unit     unit of a numeric feature
   * @param min      smallest plausible value (numeric)
   * @param max      largest plausible value (numeric)
   * @param required whether a prediction request must carry it (absent = false)
   * @param levels   allowed values of a categorical feature, in encoding order
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record FeatureDef(String name, String source, String field, String code, FeatureType type, String unit,
                           Double min, Double max, Boolean required, List<String> levels) {

    @JsonIgnore
    public boolean isDemographic() { return "demographic".equals(source); }

    @JsonIgnore
    public boolean isLab() { return "lab".equals(source); }

    @JsonIgnore
    public boolean isSymptom() { return "symptom".equals(source); }

    /** The platform's view of this feature. */
    public Feature toFeature() {
      boolean req = Boolean.TRUE.equals(required);
      return switch (type) {
        case NUMERIC -> Feature.numeric(name, unit, min, max, req);
        case BINARY -> Feature.binary(name, req);
        case CATEGORICAL -> Feature.categorical(name, levels, req);
      };
    }
  }

  /** Thrown when a spec cannot be read or breaks a rule; the message lists every problem found. */
  public static class InvalidSpecException extends IllegalArgumentException {
    public InvalidSpecException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  public FeatureSpec {
    featureDefs = featureDefs == null ? null : List.copyOf(featureDefs);
  }

  /** Reads and validates a spec. */
  public static FeatureSpec load(Resource resource) {
    try (InputStream in = resource.getInputStream()) {
      return load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read feature spec " + resource.getDescription(), e);
    }
  }

  /** Reads and validates a spec. */
  public static FeatureSpec load(InputStream in) {
    FeatureSpec spec;
    try {
      spec = READER.readValue(in, FeatureSpec.class);
    } catch (JsonProcessingException e) {
      throw new InvalidSpecException("feature spec is not valid JSON for the spec model: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read feature spec", e);
    }
    if (spec == null) {
      throw new InvalidSpecException("feature spec is empty", null);
    }
    spec.validate();
    return spec;
  }

  /** Checks every rule and throws one exception listing all problems. */
  public FeatureSpec validate() {
    List<String> problems = new ArrayList<>();
    if (name == null || name.isBlank()) {
      problems.add("name is missing");
    }
    if (version == null || version < 1) {
      problems.add("version must be a positive integer");
    }
    if (indexDate == null) {
      problems.add("indexDate is missing");
    } else if ("FIXED".equals(indexDate.rule())) {
      try {
        LocalDate.parse(String.valueOf(indexDate.date()));
      } catch (DateTimeParseException e) {
        problems.add("indexDate.date must be an ISO date (yyyy-mm-dd) for rule FIXED, was " + indexDate.date());
      }
    } else if (!"RUN_DATE".equals(indexDate.rule())) {
      problems.add("indexDate.rule must be FIXED or RUN_DATE, was " + indexDate.rule());
    }
    List<String> labels = new ArrayList<>();
    if (label == null) {
      problems.add("label is missing");
    } else {
      if (!"diagnosis".equals(label.column())) {
        problems.add("label.column must be \"diagnosis\", was " + label.column());
      }
      if (label.classes() == null || label.classes().isEmpty()) {
        problems.add("label.classes must list at least one class");
      } else {
        for (int i = 0; i < label.classes().size(); i++) {
          LabelClass c = label.classes().get(i);
          String where = "label.classes[" + i + "]";
          if (c == null || c.label() == null || c.label().isBlank()) {
            problems.add(where + ".label is missing");
            continue;
          }
          if (labels.contains(c.label())) {
            problems.add(where + ": duplicate class label " + c.label());
          }
          labels.add(c.label());
          if (c.orphaCode() == null && c.icd10() == null) {
            problems.add(where + " (" + c.label() + ") needs orphaCode or icd10");
          }
          if (c.orphaCode() != null && !CODE.matcher(c.orphaCode()).matches()) {
            problems.add(where + " (" + c.label() + ") has an invalid orphaCode " + c.orphaCode());
          }
          if (c.icd10() != null && !CODE.matcher(c.icd10()).matches()) {
            problems.add(where + " (" + c.label() + ") has an invalid icd10 prefix " + c.icd10());
          }
        }
      }
      if (label.defaultLabel() == null || label.defaultLabel().isBlank()) {
        problems.add("label.default is missing");
      } else if (labels.contains(label.defaultLabel())) {
        problems.add("label.default " + label.defaultLabel() + " is also a class label");
      }
    }
    if (targetClass == null || !labels.contains(targetClass)) {
      problems.add("targetClass " + targetClass + " is not one of the label classes " + labels);
    }
    if (featureDefs == null || featureDefs.isEmpty()) {
      problems.add("features must list at least one feature");
    } else {
      Set<String> names = new HashSet<>();
      Set<String> sources = new HashSet<>();
      for (int i = 0; i < featureDefs.size(); i++) {
        validateFeature(featureDefs.get(i), "features[" + i + "]", names, sources, problems);
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidSpecException("invalid feature spec " + name + ": " + String.join("; ", problems), null);
    }
    return this;
  }

  private static void validateFeature(FeatureDef f, String where, Set<String> names, Set<String> sources,
                                      List<String> problems) {
    if (f == null) {
      problems.add(where + " is null");
      return;
    }
    if (f.name() == null || !NAME.matcher(f.name()).matches()) {
      problems.add(where + ".name must be snake_case, was " + f.name());
    } else {
      where = where + " (" + f.name() + ")";
      if (!names.add(f.name())) {
        problems.add(where + ": duplicate feature name");
      }
    }
    if (f.type() == null) {
      problems.add(where + ".type must be NUMERIC, BINARY or CATEGORICAL");
      return;
    }
    switch (String.valueOf(f.source())) {
      case "demographic" -> {
        if (!DEMOGRAPHIC_FIELDS.contains(String.valueOf(f.field()))) {
          problems.add(where + ".field must be one of " + DEMOGRAPHIC_FIELDS + ", was " + f.field());
        } else if (!sources.add("demographic:" + f.field())) {
          problems.add(where + ": demographic field " + f.field() + " is used twice");
        }
        if ("age".equals(f.field()) && f.type() != FeatureType.NUMERIC) {
          problems.add(where + ": age must be NUMERIC");
        }
        if ("sex".equals(f.field()) && f.type() != FeatureType.CATEGORICAL) {
          problems.add(where + ": sex must be CATEGORICAL");
        }
      }
      case "lab" -> {
        checkCode(f, where, sources, problems);
        if (f.type() != FeatureType.NUMERIC) {
          problems.add(where + ": a lab feature must be NUMERIC");
        }
      }
      case "symptom" -> {
        checkCode(f, where, sources, problems);
        if (f.type() != FeatureType.BINARY) {
          problems.add(where + ": a symptom feature must be BINARY");
        }
      }
      default -> problems.add(where + ".source must be demographic, lab or symptom, was " + f.source());
    }
    if (f.type() == FeatureType.NUMERIC) {
      if (f.unit() == null || f.unit().isBlank()) {
        problems.add(where + ": a NUMERIC feature needs a unit");
      }
      if (f.min() == null || f.max() == null || !(f.min() <= f.max())) {
        problems.add(where + ": a NUMERIC feature needs min <= max");
      }
    }
    if (f.type() == FeatureType.CATEGORICAL
        && (f.levels() == null || f.levels().isEmpty() || new HashSet<>(f.levels()).size() != f.levels().size())) {
      problems.add(where + ": a CATEGORICAL feature needs distinct levels");
    }
    if (f.type() != FeatureType.CATEGORICAL && f.levels() != null) {
      problems.add(where + ": only a CATEGORICAL feature has levels");
    }
  }

  private static void checkCode(FeatureDef f, String where, Set<String> sources, List<String> problems) {
    if (f.code() == null || !CODE.matcher(f.code()).matches()) {
      problems.add(where + ".code is missing or has characters other than letters, digits and :._-");
    } else if (!sources.add(f.source() + ":" + f.code())) {
      problems.add(where + ": " + f.source() + " code " + f.code() + " is used twice");
    }
    if (f.field() != null) {
      problems.add(where + ": field is for demographic features only");
    }
  }

  /** The platform's feature list, in spec (column) order. */
  @JsonIgnore
  public List<Feature> features() {
    return featureDefs.stream().map(FeatureDef::toFeature).toList();
  }

  /** Class labels in precedence order followed by the default label: the class list of the data set. */
  public List<String> classLabels() {
    List<String> out = new ArrayList<>();
    label.classes().forEach(c -> out.add(c.label()));
    out.add(label.defaultLabel());
    return List.copyOf(out);
  }

  /** Position of a feature in the row, or -1. */
  public int indexOf(String featureName) {
    for (int i = 0; i < featureDefs.size(); i++) {
      if (featureDefs.get(i).name().equals(featureName)) {
        return i;
      }
    }
    return -1;
  }

  /** The spec in canonical JSON: sorted keys, no whitespace. */
  public byte[] canonicalBytes() {
    try {
      return CANONICAL.writeValueAsBytes(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise feature spec", e);
    }
  }

  /** SHA-256 (hex) of the canonical bytes; formatting and key order do not change it. */
  public String sha256() {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonicalBytes()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
