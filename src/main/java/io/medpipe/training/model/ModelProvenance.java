package io.medpipe.training.model;

import io.medpipe.dataset.FeatureTable;
import io.medpipe.training.calibration.ProbabilityCalibration;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How a model was made, written into its artifact with it (as Tribuo's ModelProvenance): the configuration and its
 * seed, when, on which rows, what resampling made of them, how missing values are imputed, the library and Java
 * versions, the algorithm's own figures, the calibration and, for a pipeline run, the run, snapshot and code version.
 * The stored run and the model card render it with {@link #asMap}, whose keys are those of the string-keyed map this
 * record replaced, plus {@code trainDataSha256} and {@code run}.
 *
 * @param strategy    the configuration's readable name when the model was fitted ({@link TrainingOptions#label()})
 * @param options     the configuration, seed included
 * @param trainedAt   when fitting started
 * @param data        the training rows as handed to fit
 * @param resampled   what resampling made of them before the algorithm saw them
 * @param imputation  how missing values are imputed
 * @param software    library and Java versions
 * @param details     the algorithm's own figures (a forest's out-of-bag accuracy, a network's loss, ...)
 * @param calibration how the served probabilities are recalibrated, or why they are not; null when none was recorded
 * @param run         the training run that made the model; null outside a pipeline run (tests,
 *                    {@code medpipe evaluate})
 */
public record ModelProvenance(String strategy, TrainingOptions options, Instant trainedAt, Data data,
                              Resampled resampled, Imputation imputation, Software software, Details details,
                              Calibration calibration, Run run)
    implements
      Serializable {

  public ModelProvenance {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(trainedAt, "trainedAt");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(resampled, "resampled");
    Objects.requireNonNull(imputation, "imputation");
    Objects.requireNonNull(software, "software");
    Objects.requireNonNull(details, "details");
  }

  /**
   * The training rows as handed to fit.
   *
   * @param rows        how many
   * @param classCounts rows per class, in class order
   * @param sha256      {@link #tableSha256} of the rows; null in models saved before it was recorded
   */
  public record Data(int rows, Map<String, Integer> classCounts, String sha256) implements Serializable {
    public Data {
      classCounts = ordered(classCounts);
    }
  }

  /**
   * What resampling made of the training rows.
   *
   * @param method        the method and its figures in words, e.g. "random undersampling to 24 rows per class"
   * @param syntheticRows rows made up (SMOTE); they exist only inside the fit
   * @param classCounts   rows per class the algorithm was fitted on
   */
  public record Resampled(String method, int syntheticRows, Map<String, Integer> classCounts)
      implements
        Serializable {
    public Resampled {
      classCounts = ordered(classCounts);
    }
  }

  /**
   * How missing values are imputed.
   *
   * @param values     the value per feature, in feature order
   * @param rule       how they were learned
   * @param allMissing features missing in every training row
   */
  public record Imputation(Map<String, Double> values, String rule, List<String> allMissing)
      implements
        Serializable {
    public Imputation {
      values = ordered(values);
      allMissing = List.copyOf(allMissing);
    }
  }

  /** The versions of the learning library and of Java that fitted the model. */
  public record Software(String smileVersion, String javaVersion) implements Serializable {

    /** The versions of this process. */
    static Software current() {
      return new Software(String.valueOf(smile.classification.RandomForest.class.getPackage()
          .getImplementationVersion()), System.getProperty("java.version"));
    }
  }

  /** An algorithm's own figures of one fit, beside the model type that records them. */
  public interface Details extends Serializable {

    /** The figures as plain names and values, merged into {@link ModelProvenance#asMap()}. */
    Map<String, Object> asMap();
  }

  /**
   * How the probabilities a model serves were recalibrated, or why they were not.
   *
   * @param method        the map's method ("platt", "isotonic") or "none"
   * @param parameters    the map's fitted parameters (class, slope, intercept, steps ...)
   * @param fittedOn      what the map was fitted on, in words; null if not recorded
   * @param rows          rows it was fitted on; null if not recorded
   * @param cases         rows of the calibrated class among them; null if not recorded
   * @param notCalibrated why a map could not be fitted; null when one was
   */
  public record Calibration(String method, Map<String, Object> parameters, String fittedOn, Integer rows,
                            Integer cases, String notCalibrated)
      implements
        Serializable {

    public Calibration {
      Objects.requireNonNull(method, "method");
      parameters = ordered(parameters);
    }

    /** A fitted map and what it was fitted on (null where not known). */
    public static Calibration fitted(ProbabilityCalibration map, String fittedOn, Integer rows, Integer cases) {
      Map<String, Object> parameters = new LinkedHashMap<>(map.asMap());
      String method = String.valueOf(parameters.remove("method"));
      return new Calibration(method, parameters, fittedOn, rows, cases, null);
    }

    /** No map, and why. */
    public static Calibration none(String fittedOn, Integer rows, Integer cases, String why) {
      return new Calibration("none", Map.of(), fittedOn, rows, cases, why);
    }

    /** As the model card and the stored run show it: method, parameters, then fittedOn, rows, cases, notCalibrated. */
    public Map<String, Object> asMap() {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("method", method);
      map.putAll(parameters);
      putIfSet(map, "fittedOn", fittedOn);
      putIfSet(map, "rows", rows);
      putIfSet(map, "cases", cases);
      putIfSet(map, "notCalibrated", notCalibrated);
      return Collections.unmodifiableMap(map);
    }

    /** From the map a model saved before this record existed kept. */
    static Calibration fromMap(Map<?, ?> map) {
      Map<String, Object> parameters = new LinkedHashMap<>();
      map.forEach((key, value) -> {
        if (!List.of("method", "fittedOn", "rows", "cases", "notCalibrated").contains(String.valueOf(key))) {
          parameters.put(String.valueOf(key), value);
        }
      });
      return new Calibration(String.valueOf(map.get("method")), parameters, string(map.get("fittedOn")),
          integer(map.get("rows")), integer(map.get("cases")), string(map.get("notCalibrated")));
    }
  }

  /**
   * The pipeline run that made the model.
   *
   * @param runId             the training run
   * @param processInstanceId the process instance that ran the training step
   * @param snapshotId        the snapshot the rows came from
   * @param snapshotSha256    the snapshot's content hash (what the registry records as the version's dataset hash)
   * @param gitCommit         the code version; null when the build recorded none
   */
  public record Run(String runId, String processInstanceId, String snapshotId, String snapshotSha256,
                    String gitCommit)
      implements
        Serializable {

    public Map<String, Object> asMap() {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("runId", runId);
      map.put("processInstanceId", processInstanceId);
      map.put("snapshotId", snapshotId);
      map.put("snapshotSha256", snapshotSha256);
      map.put("gitCommit", gitCommit);
      return Collections.unmodifiableMap(map);
    }
  }

  /** This provenance with another calibration record (null: none recorded). */
  public ModelProvenance withCalibration(Calibration calibration) {
    return new ModelProvenance(strategy, options, trainedAt, data, resampled, imputation, software, details,
        calibration, run);
  }

  /** This provenance with the run that made the model. */
  public ModelProvenance withRun(Run run) {
    return new ModelProvenance(strategy, options, trainedAt, data, resampled, imputation, software, details,
        calibration, run);
  }

  /**
   * The provenance as plain names and values, for the stored run, the registry and the model card: the keys of the
   * map the model carried before this record (algorithm, strategy, params, trainedAt, trainRows, classCounts,
   * resampling, syntheticRows, classCountsAfterResampling, seed, the algorithm's own, smileVersion, javaVersion,
   * imputationValues, imputationRule, imputationAllMissing, calibration), plus trainDataSha256 and run.
   */
  public Map<String, Object> asMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("algorithm", options.algorithm().name());
    map.put("strategy", strategy);
    map.put("params", options.asMap());
    map.put("trainedAt", trainedAt.toString());
    map.put("trainRows", data.rows());
    map.put("classCounts", data.classCounts());
    map.put("resampling", resampled.method());
    map.put("syntheticRows", resampled.syntheticRows());
    map.put("classCountsAfterResampling", resampled.classCounts());
    map.put("seed", options.seed());
    map.putAll(details.asMap());
    map.put("smileVersion", software.smileVersion());
    map.put("javaVersion", software.javaVersion());
    map.put("imputationValues", imputation.values());
    map.put("imputationRule", imputation.rule());
    map.put("imputationAllMissing", imputation.allMissing());
    putIfSet(map, "trainDataSha256", data.sha256());
    if (calibration != null) {
      map.put("calibration", calibration.asMap());
    }
    if (run != null) {
      map.put("run", run.asMap());
    }
    return Collections.unmodifiableMap(map);
  }

  /**
   * The provenance a model saved before this record existed carried as a map, read back; keys it did not have are
   * null or 0.
   */
  static ModelProvenance fromLegacyMap(Map<String, Object> map, TrainingOptions options, Details details) {
    Object trainedAt = map.get("trainedAt");
    Object calibration = map.get("calibration");
    return new ModelProvenance(string(map.getOrDefault("strategy", options.label())), options,
        trainedAt == null ? Instant.EPOCH : Instant.parse(trainedAt.toString()),
        new Data(intOr0(map.get("trainRows")), counts(map.get("classCounts")), null),
        new Resampled(string(map.getOrDefault("resampling", "none")), intOr0(map.get("syntheticRows")),
            counts(map.get("classCountsAfterResampling"))),
        new Imputation(doubles(map.get("imputationValues")), string(map.getOrDefault("imputationRule",
            Imputer.RULE)), strings(map.get("imputationAllMissing"))),
        new Software(string(map.get("smileVersion")), string(map.get("javaVersion"))), details,
        calibration instanceof Map<?, ?> c ? Calibration.fromMap(c) : null, null);
  }

  /**
   * SHA-256 of a table's values and labels (each value as its 8 bytes, then the label, then the class names), so that
   * provenance can name the exact rows a model learned from.
   */
  static String tableSha256(FeatureTable t) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      // one update per row rather than per value: the same bytes in the same order, so the same hash, at a cost
      // that stays small beside a fit on 20,000 rows
      ByteBuffer buf = ByteBuffer.allocate(8 * (t.features().size() + 1));
      for (int i = 0; i < t.rows(); i++) {
        buf.clear();
        for (double v : t.x()[i]) {
          buf.putDouble(v);
        }
        buf.putLong(t.y()[i]);
        md.update(buf.array(), 0, buf.position());
      }
      md.update(String.join("\n", t.classes()).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** Rows per class of a label vector, by class name in class order. */
  static Map<String, Integer> classCounts(List<String> classes, int[] counts) {
    Map<String, Integer> map = new LinkedHashMap<>();
    for (int c = 0; c < classes.size(); c++) {
      map.put(classes.get(c), counts[c]);
    }
    return map;
  }

  private static <V> Map<String, V> ordered(Map<String, V> map) {
    return map == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }

  private static void putIfSet(Map<String, Object> map, String key, Object value) {
    if (value != null) {
      map.put(key, value);
    }
  }

  private static String string(Object o) {
    return o == null ? null : o.toString();
  }

  private static Integer integer(Object o) {
    return o instanceof Number n ? n.intValue() : null;
  }

  private static int intOr0(Object o) {
    return o instanceof Number n ? n.intValue() : 0;
  }

  private static Map<String, Integer> counts(Object o) {
    Map<String, Integer> out = new LinkedHashMap<>();
    if (o instanceof Map<?, ?> m) {
      m.forEach((k, v) -> out.put(String.valueOf(k), intOr0(v)));
    }
    return out;
  }

  private static Map<String, Double> doubles(Object o) {
    Map<String, Double> out = new LinkedHashMap<>();
    if (o instanceof Map<?, ?> m) {
      m.forEach((k, v) -> out.put(String.valueOf(k), v instanceof Number n ? n.doubleValue() : null));
    }
    return out;
  }

  private static List<String> strings(Object o) {
    return o instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of();
  }
}
