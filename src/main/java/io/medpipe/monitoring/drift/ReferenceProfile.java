package io.medpipe.monitoring.drift;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.medpipe.dataset.Feature;
import io.medpipe.dataset.FeatureType;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a model version's held-out evaluation rows looked like, kept beside the version so that a monitor can tell
 * when production data, prevalence or performance move away from it. It holds aggregates only (bin counts, category
 * counts, a confusion matrix), never a row, so it may be stored and shown wherever the model record is.
 *
 * <p>Immutable and JSON-serialisable with Jackson. {@link #toCanonicalJson()} writes one byte sequence per profile
 * (properties and map keys sorted, doubles in a fixed decimal form, see {@link CanonicalDouble}), so a SHA-256 over
 * it ({@link #sha256()}) is the same on every machine and JDK.
 *
 * @param formatVersion      the layout of this record, {@value #FORMAT_VERSION}; a reader refuses a newer one
 * @param rows               number of reference rows
 * @param classes            class labels in encoding order
 * @param classCounts        true-label count per class: the class prior is {@code classCounts / rows}
 * @param trainingPrior      the class prior the probabilities are calibrated to (the training set's class shares):
 *                           the starting point of prevalence estimation and the figure a shift is judged against
 * @param features           one profile per model input, in model order
 * @param probabilities      per class, the histogram of its calibrated probability over all rows
 * @param confusion          counts at the served decision rule, {@code confusion[predicted][true]}
 * @param meanAbsShap        mean |SHAP| per feature (model order) of the explained class; empty if not given
 * @param thresholds         effect-size bands and domain-classifier AUC learned on the reference; null if not learned
 */
public record ReferenceProfile(int formatVersion, long rows, List<String> classes, List<Long> classCounts,
                               List<Double> trainingPrior, List<FeatureProfile> features,
                               List<ProbabilityHistogram> probabilities,
                               List<List<Long>> confusion, List<Double> meanAbsShap,
                               LearnedThresholds thresholds) {

  /** The current layout. */
  public static final int FORMAT_VERSION = 1;
  /** Quantile bins per numeric feature unless the builder says otherwise: 2% of the reference each. */
  public static final int DEFAULT_QUANTILE_BINS = 50;
  /** Equal-width bins on [0, 1] of each class's probability histogram. */
  public static final int DEFAULT_PROBABILITY_BINS = 20;

  private static final ObjectMapper CANONICAL = JsonMapper.builder()
      .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .disable(SerializationFeature.INDENT_OUTPUT)
      .addModule(new SimpleModule().addSerializer(Double.class, new CanonicalDouble())
          .addSerializer(double.class, new CanonicalDouble()))
      .build();

  public ReferenceProfile {
    if (formatVersion > FORMAT_VERSION) {
      throw new IllegalArgumentException("reference profile format " + formatVersion + " is newer than this reader ("
          + FORMAT_VERSION + ")");
    }
    classes = List.copyOf(classes);
    classCounts = List.copyOf(classCounts);
    trainingPrior = List.copyOf(trainingPrior);
    features = List.copyOf(features);
    probabilities = List.copyOf(probabilities);
    confusion = confusion.stream().map(List::copyOf).toList();
    meanAbsShap = meanAbsShap == null ? List.of() : List.copyOf(meanAbsShap);
    if (classCounts.size() != classes.size() || confusion.size() != classes.size()
        || trainingPrior.size() != classes.size()) {
      throw new IllegalArgumentException("classCounts, trainingPrior and confusion need one entry per class");
    }
    if (!meanAbsShap.isEmpty() && meanAbsShap.size() != features.size()) {
      throw new IllegalArgumentException("meanAbsShap needs one value per feature");
    }
  }

  /**
   * One feature of the reference.
   *
   * @param feature        name, type and levels as the model knows them
   * @param rows           reference rows
   * @param missing        rows where the value is missing (NaN)
   * @param numeric        bins and moments of the non-missing values of a numeric feature; null if the feature is
   *                       not numeric or has no non-missing value
   * @param categoryCounts count per level code of a binary (0, 1) or categorical feature; empty for numeric
   * @param otherCount     non-missing values of a binary or categorical feature that are no known level
   */
  public record FeatureProfile(Feature feature, long rows, long missing, NumericSummary numeric,
                               List<Long> categoryCounts, long otherCount) {

    public FeatureProfile {
      Objects.requireNonNull(feature, "feature");
      categoryCounts = categoryCounts == null ? List.of() : List.copyOf(categoryCounts);
    }

    /** Share of the reference rows where the value is missing. */
    public double missingRate() {
      return rows == 0 ? 0 : (double) missing / rows;
    }
  }

  /**
   * The non-missing values of a numeric feature, summarised without keeping them.
   *
   * @param mean   mean
   * @param sd     population standard deviation (divisor n): the unit of the normed Wasserstein distance
   * @param edges  increasing bin edges at the reference's quantiles 0, 1/B, ..., 1 (duplicates of tied values
   *               removed), so {@code edges[0]} is the minimum and the last edge the maximum
   * @param counts {@code counts[0]}: values equal to the minimum; {@code counts[j]}: values in (edges[j-1], edges[j]]
   */
  public record NumericSummary(double mean, double sd, List<Double> edges, List<Long> counts) {

    public NumericSummary {
      edges = List.copyOf(edges);
      counts = List.copyOf(counts);
      if (edges.isEmpty() || edges.size() != counts.size()) {
        throw new IllegalArgumentException("a numeric summary needs one count per edge");
      }
    }

    TwoSample.Bins bins() {
      return new TwoSample.Bins(edges.stream().mapToDouble(Double::doubleValue).toArray(),
          counts.stream().mapToLong(Long::longValue).toArray());
    }
  }

  /**
   * The distribution of one class's calibrated probability over the reference rows.
   *
   * @param label  the class
   * @param counts rows per equal-width bin of [0, 1]; the last bin includes 1
   */
  public record ProbabilityHistogram(String label, List<Long> counts) {

    public ProbabilityHistogram {
      counts = List.copyOf(counts);
    }
  }

  /**
   * Thresholds learned from the reference against itself: what a window of the same population reaches by chance.
   *
   * @param splits          random half-splits the effect bands were learned on
   * @param quantile        the quantile of the split effects taken as band (0.99: the 99th percentile)
   * @param seed            seed of the splits
   * @param features        per feature name, the bands of its effect sizes
   * @param domainAuc       the domain classifier's AUC band, or null if not learned
   */
  public record LearnedThresholds(int splits, double quantile, long seed, Map<String, FeatureBand> features,
                                  Double domainAuc) {

    public LearnedThresholds {
      features = features == null ? Map.of() : Map.copyOf(new TreeMap<>(features));
    }
  }

  /**
   * Effect sizes a reference-against-reference split reaches by chance.
   *
   * @param distribution normed Wasserstein (numeric) or Jensen-Shannon distance (binary, categorical)
   * @param missingness  Cohen's h of the missing rate
   */
  public record FeatureBand(double distribution, double missingness) {
  }

  /** The training prior as an array. */
  public double[] trainingPriorArray() {
    return trainingPrior.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** The class prior of the reference, {@code classCounts / rows}. */
  public double[] classPrior() {
    double[] prior = new double[classes.size()];
    for (int c = 0; c < prior.length; c++) {
      prior[c] = rows == 0 ? 0 : (double) classCounts.get(c) / rows;
    }
    return prior;
  }

  /** The confusion matrix as counts, {@code [predicted][true]}. */
  public long[][] confusionMatrix() {
    long[][] m = new long[classes.size()][classes.size()];
    for (int i = 0; i < m.length; i++) {
      for (int j = 0; j < m.length; j++) {
        m[i][j] = confusion.get(i).get(j);
      }
    }
    return m;
  }

  /** The model inputs, in model order. */
  public List<Feature> featureList() {
    return features.stream().map(FeatureProfile::feature).toList();
  }

  /** The same profile with learned thresholds attached (replacing any). */
  public ReferenceProfile withThresholds(LearnedThresholds learned) {
    return new ReferenceProfile(formatVersion, rows, classes, classCounts, trainingPrior, features, probabilities,
        confusion, meanAbsShap, learned);
  }

  /** The canonical JSON form: the same profile always gives the same bytes. */
  public String toCanonicalJson() {
    try {
      return CANONICAL.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("reference profile cannot be written as JSON", e);
    }
  }

  /** SHA-256 (hex) of the canonical JSON. */
  public String sha256() {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(toCanonicalJson().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads a profile written by {@link #toCanonicalJson()} (or any JSON with the same properties). */
  public static ReferenceProfile fromJson(String json) {
    try {
      return CANONICAL.readValue(json, ReferenceProfile.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a reference profile: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * Writes a double so that every JDK writes the same characters: the exact binary value rounded to 17 significant
   * digits (always enough to read back the same double), trailing zeros stripped, plain notation between 1e-7
   * and 1e21. {@link Double#toString} is not
   * used because JDK 19 changed its output for some values, which would change a stored checksum.
   */
  static final class CanonicalDouble extends StdSerializer<Double> {

    private static final MathContext DIGITS_17 = new MathContext(17, RoundingMode.HALF_EVEN);

    CanonicalDouble() {
      super(Double.class);
    }

    @Override
    public void serialize(Double value, JsonGenerator gen, SerializerProvider provider) throws IOException {
      double v = value;
      if (!Double.isFinite(v)) {
        gen.writeString(Double.toString(v));
      } else if (v == 0) {
        gen.writeNumber("0");
      } else {
        BigDecimal d = new BigDecimal(v).round(DIGITS_17).stripTrailingZeros();
        int exponent = d.precision() - d.scale() - 1;
        // plain digits for everyday magnitudes (80, not 8E+1), scientific notation only for the extremes
        gen.writeNumber(exponent >= -7 && exponent < 21 ? d.toPlainString() : d.toString());
      }
    }
  }

  /** Starts a profile of the given model inputs and classes. */
  public static Builder builder(List<Feature> features, List<String> classes) {
    return new Builder(features, classes);
  }

  /**
   * Computes a {@link ReferenceProfile} from plain arrays of the held-out evaluation rows. Rows are in model feature
   * order, NaN meaning missing, binary values 0/1 and categorical values their level's code.
   */
  public static final class Builder {

    private final List<Feature> features;
    private final List<String> classes;
    private double[][] rows;
    private int[] truth;
    private int[] predicted;
    private double[][] probabilities;
    private double[][] shap;
    private double[] trainingPrior;
    private int quantileBins = DEFAULT_QUANTILE_BINS;
    private int probabilityBins = DEFAULT_PROBABILITY_BINS;

    private Builder(List<Feature> features, List<String> classes) {
      this.features = List.copyOf(Objects.requireNonNull(features, "features"));
      this.classes = List.copyOf(Objects.requireNonNull(classes, "classes"));
      if (classes.size() < 2) {
        throw new IllegalArgumentException("classes: at least two are needed");
      }
    }

    /** The feature values, one row per held-out case. */
    public Builder rows(double[][] rows) {
      this.rows = rows;
      return this;
    }

    /** The true class per row. */
    public Builder truth(int[] truth) {
      this.truth = truth;
      return this;
    }

    /** The class the served decision rule chose per row. */
    public Builder predicted(int[] predicted) {
      this.predicted = predicted;
      return this;
    }

    /** The calibrated probability per row and class. */
    public Builder probabilities(double[][] probabilities) {
      this.probabilities = probabilities;
      return this;
    }

    /** Optional: the SHAP value per row and feature of the explained class. */
    public Builder shap(double[][] shap) {
      this.shap = shap;
      return this;
    }

    /**
     * The class prior the probabilities are calibrated to, e.g. the training set's class shares (20,000 training
     * rows know a 1% prevalence better than a few thousand held-out rows). Without it the mean calibrated
     * probability of the reference rows is used, which for a calibrated model estimates the same prior.
     */
    public Builder trainingPrior(double[] prior) {
      this.trainingPrior = prior == null ? null : prior.clone();
      return this;
    }

    /** Quantile bins per numeric feature (at least 2). */
    public Builder quantileBins(int bins) {
      if (bins < 2) {
        throw new IllegalArgumentException("quantileBins: at least 2, was " + bins);
      }
      this.quantileBins = bins;
      return this;
    }

    /** Equal-width bins of the probability histograms (at least 2). */
    public Builder probabilityBins(int bins) {
      if (bins < 2) {
        throw new IllegalArgumentException("probabilityBins: at least 2, was " + bins);
      }
      this.probabilityBins = bins;
      return this;
    }

    /** Checks the arrays and computes the profile. */
    public ReferenceProfile build() {
      int n = require(rows, "rows").length;
      int p = features.size();
      int k = classes.size();
      checkLength(require(truth, "truth").length, n, "truth");
      checkLength(require(predicted, "predicted").length, n, "predicted");
      checkLength(require(probabilities, "probabilities").length, n, "probabilities");
      if (shap != null) {
        checkLength(shap.length, n, "shap");
      }
      long[] classCounts = new long[k];
      double[] meanProbability = new double[k];
      long[][] confusion = new long[k][k];
      long[][] histograms = new long[k][probabilityBins];
      for (int i = 0; i < n; i++) {
        checkLength(rows[i].length, p, "rows[" + i + "]");
        checkLength(probabilities[i].length, k, "probabilities[" + i + "]");
        checkClass(truth[i], k, "truth[" + i + "]");
        checkClass(predicted[i], k, "predicted[" + i + "]");
        classCounts[truth[i]]++;
        confusion[predicted[i]][truth[i]]++;
        for (int c = 0; c < k; c++) {
          double v = probabilities[i][c];
          if (!(v >= 0 && v <= 1)) {
            throw new IllegalArgumentException("probabilities[" + i + "][" + c + "] is not in [0, 1]: " + v);
          }
          histograms[c][Math.min(probabilityBins - 1, (int) (v * probabilityBins))]++;
          meanProbability[c] += v / n;
        }
      }
      List<FeatureProfile> profiles = new ArrayList<>(p);
      double[] column = new double[n];
      for (int f = 0; f < p; f++) {
        for (int i = 0; i < n; i++) {
          column[i] = rows[i][f];
        }
        profiles.add(profileOf(features.get(f), column, quantileBins));
      }
      List<Double> meanAbsShap = List.of();
      if (shap != null) {
        double[] sums = new double[p];
        for (int i = 0; i < n; i++) {
          checkLength(shap[i].length, p, "shap[" + i + "]");
          for (int f = 0; f < p; f++) {
            sums[f] += Math.abs(shap[i][f]);
          }
        }
        meanAbsShap = Arrays.stream(sums).map(s -> n == 0 ? 0 : s / n).boxed().toList();
      }
      List<ProbabilityHistogram> probabilityHistograms = new ArrayList<>(k);
      for (int c = 0; c < k; c++) {
        probabilityHistograms.add(new ProbabilityHistogram(classes.get(c), boxed(histograms[c])));
      }
      double[] prior = trainingPrior != null ? trainingPrior : meanProbability;
      if (prior.length != k || Arrays.stream(prior).anyMatch(v -> !(v >= 0 && v <= 1))
          || Math.abs(Arrays.stream(prior).sum() - 1) > 1e-6) {
        throw new IllegalArgumentException("trainingPrior needs one share in [0, 1] per class, summing to 1");
      }
      return new ReferenceProfile(FORMAT_VERSION, n, classes, boxed(classCounts),
          Arrays.stream(prior).boxed().toList(), profiles, probabilityHistograms,
          Arrays.stream(confusion).map(ReferenceProfile::boxed).toList(), meanAbsShap, null);
    }

    private static <T> T require(T value, String name) {
      if (value == null) {
        throw new IllegalArgumentException(name + " is required");
      }
      return value;
    }

    private static void checkLength(int actual, int expected, String name) {
      if (actual != expected) {
        throw new IllegalArgumentException(name + " has " + actual + " entries, expected " + expected);
      }
    }

    private static void checkClass(int c, int k, String name) {
      if (c < 0 || c >= k) {
        throw new IllegalArgumentException(name + " is not a class index in [0, " + k + "): " + c);
      }
    }
  }

  /** Profiles one column; NaN counts as missing, never dropped unseen. */
  static FeatureProfile profileOf(Feature feature, double[] column, int quantileBins) {
    int n = column.length;
    if (feature.type() == FeatureType.NUMERIC) {
      double[] present = Arrays.stream(column).filter(v -> !Double.isNaN(v)).toArray();
      long missing = n - present.length;
      if (present.length == 0) {
        return new FeatureProfile(feature, n, missing, null, List.of(), 0);
      }
      Arrays.sort(present);
      double[] meanSd = TwoSample.meanSd(present);
      double[] edges = quantileEdges(present, quantileBins);
      long[] counts = new long[edges.length];
      int previous = 0;
      for (int j = 0; j < edges.length; j++) {
        int atMost = TwoSample.countAtMost(present, edges[j]);
        counts[j] = atMost - previous;
        previous = atMost;
      }
      return new FeatureProfile(feature, n, missing,
          new NumericSummary(meanSd[0], meanSd[1], Arrays.stream(edges).boxed().toList(), boxed(counts)),
          List.of(), 0);
    }
    int levels = levelCount(feature);
    long[] counts = new long[levels];
    long missing = 0;
    long other = 0;
    for (double v : column) {
      if (Double.isNaN(v)) {
        missing++;
      } else {
        int code = codeOf(v, levels);
        if (code < 0) {
          other++;
        } else {
          counts[code]++;
        }
      }
    }
    return new FeatureProfile(feature, n, missing, null, boxed(counts), other);
  }

  /** Number of codes of a binary (2) or categorical (its levels) feature. */
  static int levelCount(Feature feature) {
    return feature.type() == FeatureType.BINARY ? 2 : feature.levels().size();
  }

  /** The level code of a non-missing value, or -1 if it is no known level (not an integer in [0, levels)). */
  static int codeOf(double v, int levels) {
    if (v >= 0 && v < levels && v == Math.rint(v)) {
      return (int) v;
    }
    return -1;
  }

  /**
   * Edges at the quantiles j/B (j = 0..B) of sorted values, each an observed value (inverse of the empirical CDF,
   * Hyndman-Fan type 1), ties collapsed: a discrete lab gets one edge per value it takes rather than repeated edges.
   */
  static double[] quantileEdges(double[] sorted, int bins) {
    int n = sorted.length;
    double[] edges = new double[bins + 1];
    int unique = 0;
    for (int j = 0; j <= bins; j++) {
      int index = j == 0 ? 0 : (int) Math.ceil((double) j * n / bins) - 1;
      double edge = sorted[Math.max(0, Math.min(n - 1, index))];
      if (unique == 0 || edge > edges[unique - 1]) {
        edges[unique++] = edge;
      }
    }
    return Arrays.copyOf(edges, unique);
  }

  static List<Long> boxed(long[] values) {
    return Arrays.stream(values).boxed().toList();
  }
}
