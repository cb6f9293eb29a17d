package io.medpipe.training;

import io.medpipe.dataset.Feature;
import io.medpipe.dataset.FeatureTable;
import io.medpipe.dataset.FeatureType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import smile.base.cart.CART;
import smile.base.cart.DecisionNode;
import smile.base.cart.InternalNode;
import smile.base.cart.Node;
import smile.base.cart.SplitRule;
import smile.classification.GradientTreeBoost;
import smile.classification.RandomForest;
import smile.data.DataFrame;
import smile.data.Tuple;
import smile.data.formula.Formula;
import smile.data.vector.IntVector;
import smile.math.MathEx;

/**
 * A trained, immutable classifier over {@link FeatureTable}-encoded rows: imputation, a Smile random forest, its
 * TreeSHAP explanations and the provenance of how it was made.
 *
 * <p>Missing values are imputed with values learned from the training rows only (so that no test information leaks in)
 * and kept in the model, so that serving imputes exactly as training did.
 */
public final class ClassifierModel implements Serializable {

  @Serial
  private static final long serialVersionUID = 1L;

  /**
   * The scale of {@link Explanation} figures: the probability of the predicted class as the PLAIN mean over trees of
   * each leaf's Laplace-smoothed class frequency, (count + 1) / (n + k). Smile's TreeSHAP explains this mean, whereas
   * {@link #predictProba} weights the trees by their out-of-bag accuracy, so modelOutput and the predicted probability
   * differ slightly.
   */
  public static final String SHAP_SCALE = "probability, unweighted mean over trees";

  /** The response column's name inside the Smile data frame; chosen so that no snake_case feature can clash. */
  private static final String LABEL_COLUMN = "__medpipe_class__";

  private final List<Feature> features;
  private final List<String> classes;
  private final TrainingOptions options;
  private final double[] imputation;
  /** The fitted forest; null for a boosted model. */
  private final RandomForest forest;
  /** The fitted boosted trees; null for a forest (and in models saved before boosting existed). */
  private final GradientTreeBoost boosting;
  /** Per class: the expected plain tree-mean output, E[f], the base value TreeSHAP contributions start from. */
  private final double[] baseValues;
  private final LinkedHashMap<String, Object> provenance;
  /** The fitted network and its input encoding; null for tree models (and in models saved before the MLP existed). */
  private final Mlp mlp;
  /**
   * Maps the trees' probabilities back to the natural prevalence; null when uncalibrated (and in models saved before
   * calibration existed, which deserialise with null here).
   */
  private final ProbabilityCalibration calibration;
  /** Cache of {@link #forestShap()}; null until first used (not serialised, so old artifacts load unchanged). */
  private transient volatile ForestShap forestShap;

  private ClassifierModel(List<Feature> features, List<String> classes, TrainingOptions options, double[] imputation,
                          RandomForest forest, GradientTreeBoost boosting, double[] baseValues,
                          LinkedHashMap<String, Object> provenance) {
    this.features = features;
    this.classes = classes;
    this.options = options;
    this.imputation = imputation;
    this.forest = forest;
    this.boosting = boosting;
    this.baseValues = baseValues;
    this.provenance = provenance;
    this.mlp = null;
    this.calibration = null;
  }

  /** An MLP model: no trees. */
  private ClassifierModel(List<Feature> features, List<String> classes, TrainingOptions options, double[] imputation,
                          Mlp mlp, LinkedHashMap<String, Object> provenance) {
    this.features = features;
    this.classes = classes;
    this.options = options;
    this.imputation = imputation;
    this.forest = null;
    this.boosting = null;
    this.baseValues = new double[classes.size()];
    this.provenance = provenance;
    this.mlp = mlp;
    this.calibration = null;
  }

  /** A copy of {@code base} with another calibration and provenance (see {@link #withCalibration}). */
  private ClassifierModel(ClassifierModel base, ProbabilityCalibration calibration,
                          LinkedHashMap<String, Object> provenance) {
    this.features = base.features;
    this.classes = base.classes;
    this.options = base.options;
    this.imputation = base.imputation;
    this.forest = base.forest;
    this.boosting = base.boosting;
    this.baseValues = base.baseValues;
    this.provenance = provenance;
    this.mlp = base.mlp;
    this.calibration = calibration;
  }

  /**
   * This model with {@code calibration} applied at the end of {@link #predictProba} (so {@link #decide} decides on
   * calibrated probabilities), recorded in provenance as {@code calibration}: its parameters plus {@code fittedOn}.
   * The model itself is not changed.
   *
   * @param calibration the map, fitted on predictions of rows this model's configuration did not train on; null to
   *                    derive an uncalibrated model
   * @param fittedOn    what the map was fitted on, for provenance (e.g. rows, cases, "pooled out-of-fold"), or why
   *                    there is none; null records nothing
   */
  public ClassifierModel withCalibration(ProbabilityCalibration calibration, Map<String, Object> fittedOn) {
    if (calibration != null && (calibration.cls() < 0 || calibration.cls() >= classes.size())) {
      throw new IllegalArgumentException("calibration of class " + calibration.cls() + " outside 0.."
          + (classes.size() - 1));
    }
    LinkedHashMap<String, Object> p = new LinkedHashMap<>(provenance);
    p.remove("calibration");
    if (calibration != null || fittedOn != null) {
      LinkedHashMap<String, Object> c = new LinkedHashMap<>(calibration != null ? calibration.asMap()
          : Map.of("method", "none"));
      if (fittedOn != null) {
        c.putAll(fittedOn);
      }
      p.put("calibration", Collections.unmodifiableMap(c));
    }
    return new ClassifierModel(this, calibration, p);
  }

  /** This model without its calibration: the trees' own probabilities, for before/after reports. */
  public ClassifierModel uncalibrated() {
    return calibration == null ? this : withCalibration(null, null);
  }

  /** The calibration {@link #predictProba} applies, if any. */
  public java.util.Optional<ProbabilityCalibration> calibration() {
    return java.util.Optional.ofNullable(calibration);
  }

  /**
   * Trains a model on every row of {@code train}.
   *
   * @throws IllegalArgumentException if a class has no training row (the model could never predict it, and Smile would
   *                                  silently renumber the remaining classes) or mtry exceeds the number of features
   */
  public static ClassifierModel fit(FeatureTable train, TrainingOptions options) {
    return fit(train, options, null);
  }

  /**
   * Trains a model on every row of {@code train}; an MLP whose options ask for transfer learning is pre-trained on
   * {@code source}'s own labels first (a related task with abundant labels over the same features, e.g. a cohort where
   * HCM and CKD are coded), then fine-tuned on {@code train}. A null source means the training rows of every class but
   * the rarest. Models without transfer ignore it.
   *
   * @throws IllegalArgumentException as {@link #fit(FeatureTable, TrainingOptions)}, or if the source has other
   *                                  features than {@code train} or fewer than 2 classes
   */
  public static ClassifierModel fit(FeatureTable train, TrainingOptions options, FeatureTable source) {
    Objects.requireNonNull(train, "train");
    Objects.requireNonNull(options, "options");
    List<Feature> features = train.features();
    List<String> classes = train.classes();
    int p = features.size();
    int k = classes.size();
    if (p == 0) {
      throw new IllegalArgumentException("no features to train on");
    }
    if (k < 2) {
      throw new IllegalArgumentException("need at least 2 classes, got " + classes);
    }
    int[] counts = train.classCounts();
    for (int c = 0; c < k; c++) {
      if (counts[c] == 0) {
        throw new IllegalArgumentException("class " + classes.get(c) + " has no training rows");
      }
    }
    if (options.costs() != null && options.costs().classes() != k) {
      throw new IllegalArgumentException("the cost matrix has " + options.costs().classes() + " classes, the data "
          + k);
    }
    int mtry = options.mtry() == 0 ? Math.max(1, (int) Math.floor(Math.sqrt(p))) : options.mtry();
    if (mtry > p) {
      throw new IllegalArgumentException("mtry " + mtry + " exceeds the " + p + " features");
    }

    List<String> allMissing = new ArrayList<>();
    double[] imputation = imputationValues(train, allMissing);
    double[][] x = new double[train.rows()][];
    for (int i = 0; i < x.length; i++) {
      x[i] = impute(train.x()[i], imputation);
    }
    String[] names = features.stream().map(Feature::name).toArray(String[]::new);
    // Resampling after imputation (SMOTE needs complete rows) and on these training rows only.
    Resampler.Result resampled = Resampler.apply(options.resampling(), features, x, train.y(), k, options.seed());
    DataFrame data = DataFrame.of(resampled.x(), names).merge(IntVector.of(LABEL_COLUMN, resampled.y()));
    int[] fitCounts = new int[k];
    for (int label : resampled.y()) {
      fitCounts[label]++;
    }

    LinkedHashMap<String, Object> provenance = new LinkedHashMap<>();
    provenance.put("algorithm", options.algorithm().name());
    provenance.put("strategy", options.label());
    provenance.put("params", Collections.unmodifiableMap(new LinkedHashMap<>(options.asMap())));
    provenance.put("trainedAt", Instant.now().toString());
    provenance.put("trainRows", train.rows());
    LinkedHashMap<String, Integer> classCounts = new LinkedHashMap<>();
    LinkedHashMap<String, Integer> fittedCounts = new LinkedHashMap<>();
    for (int c = 0; c < k; c++) {
      classCounts.put(classes.get(c), counts[c]);
      fittedCounts.put(classes.get(c), fitCounts[c]);
    }
    provenance.put("classCounts", Collections.unmodifiableMap(classCounts));
    provenance.put("resampling", resampled.method());
    provenance.put("syntheticRows", resampled.synthetic());
    provenance.put("classCountsAfterResampling", Collections.unmodifiableMap(fittedCounts));
    provenance.put("seed", options.seed());

    if (options.algorithm() == Algorithm.MLP) {
      return fitMlp(train, options, source, imputation, resampled, provenance, names, allMissing);
    }
    if (options.algorithm() == Algorithm.GRADIENT_BOOSTING) {
      // Smile's boosting draws its row subsamples from MathEx's generator of the calling thread, and builds its trees
      // on that thread, so seeding it here makes the fit reproducible.
      MathEx.setSeed(options.seed());
      GradientTreeBoost boosting = GradientTreeBoost.fit(Formula.lhs(LABEL_COLUMN), data, options.trees(),
          options.maxDepth(), options.maxNodes(), options.nodeSize(), options.shrinkage(), BOOSTING_SUBSAMPLE);
      provenance.put("subsample", BOOSTING_SUBSAMPLE);
      putCommonProvenance(provenance, names, imputation, allMissing);
      return new ClassifierModel(features, classes, options, imputation, null, boosting, new double[k], provenance);
    }

    int[] classWeight = classWeights(fitCounts, options.classWeighting());
    // Smile seeds a tree's thread-local generator only when that tree's seed is > 1; its default seed stream
    // (-trees..-1) leaves the generators unseeded, so two fits differ. Trees are built in parallel, each seeding
    // its own thread first, which is why one seed per tree (not MathEx.setSeed once) makes the forest reproducible.
    RandomForest forest = RandomForest.fit(Formula.lhs(LABEL_COLUMN), data, options.trees(), mtry, SplitRule.GINI,
        options.maxDepth(), options.maxNodes(), options.nodeSize(), 1.0, classWeight,
        new SplittableRandom(options.seed()).longs(2, Long.MAX_VALUE));

    double[] baseValues = new double[k];
    for (CART tree : forest.trees()) {
      double[] expected = expectedOutput(tree.root(), k);
      for (int c = 0; c < k; c++) {
        baseValues[c] += expected[c] / forest.trees().length;
      }
    }

    provenance.put("mtryUsed", mtry);
    provenance.put("smileClassWeight", Arrays.stream(classWeight).boxed().toList());
    putCommonProvenance(provenance, names, imputation, allMissing);
    provenance.put("oobAccuracy", forest.metrics().accuracy);
    return new ClassifierModel(features, classes, options, imputation, forest, null, baseValues, provenance);
  }

  /** Row share each boosting round fits on (stochastic gradient boosting, Friedman 2002). */
  static final double BOOSTING_SUBSAMPLE = 0.7;

  private static void putCommonProvenance(LinkedHashMap<String, Object> provenance, String[] names,
                                          double[] imputation, List<String> allMissing) {
    provenance.put("smileVersion", String.valueOf(RandomForest.class.getPackage().getImplementationVersion()));
    provenance.put("javaVersion", System.getProperty("java.version"));
    LinkedHashMap<String, Double> imputed = new LinkedHashMap<>();
    for (int j = 0; j < names.length; j++) {
      imputed.put(names[j], imputation[j]);
    }
    provenance.put("imputationValues", Collections.unmodifiableMap(imputed));
    provenance.put("imputationRule", "training rows only: median for NUMERIC, most frequent code for BINARY and "
        + "CATEGORICAL (a median of codes is not a level), 0 for a column missing in every training row");
    provenance.put("imputationAllMissing", List.copyOf(allMissing));
  }

  /**
   * Smile's integer class weights for the requested weighting.
   *
   * <p>Smile draws count[c] / classWeight[c] rows of class c (with replacement) for every tree, so the weight DIVIDES
   * a class's sample, the opposite of scikit-learn's class_weight (STACK-NOTES 15): balancing gives the MAJORITY class
   * the large number, round(count / smallest count). The weights are integers, so the balance is approximate: 92 and 24
   * rows get weights 4 and 1, i.e. 23 and 24 rows per tree. Each tree thus sees a smaller, balanced bootstrap sample
   * (a "balanced random forest").
   */
  static int[] classWeights(int[] counts, ClassWeighting weighting) {
    int[] weight = new int[counts.length];
    Arrays.fill(weight, 1);
    if (weighting == ClassWeighting.BALANCED) {
      int smallest = Arrays.stream(counts).min().orElseThrow();
      for (int c = 0; c < counts.length; c++) {
        weight[c] = Math.max(1, (int) Math.round((double) counts[c] / smallest));
      }
    }
    return weight;
  }

  private static double[] imputationValues(FeatureTable train, List<String> allMissing) {
    int p = train.features().size();
    double[] values = new double[p];
    for (int j = 0; j < p; j++) {
      double[] column = new double[train.rows()];
      int m = 0;
      for (double[] row : train.x()) {
        if (!Double.isNaN(row[j])) {
          column[m++] = row[j];
        }
      }
      Feature feature = train.features().get(j);
      if (m == 0) {
        values[j] = 0; // nothing to learn from; the column then carries no signal, which is noted in provenance
        allMissing.add(feature.name());
      } else if (feature.type() == FeatureType.NUMERIC) {
        values[j] = median(Arrays.copyOf(column, m));
      } else {
        values[j] = mostFrequent(Arrays.copyOf(column, m));
      }
    }
    return values;
  }

  private static double median(double[] v) {
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  /** The most frequent value, the smallest on ties (deterministic). */
  private static double mostFrequent(double[] v) {
    Arrays.sort(v);
    double best = v[0];
    int bestRun = 0;
    int i = 0;
    while (i < v.length) {
      int j = i;
      while (j < v.length && v[j] == v[i]) {
        j++;
      }
      if (j - i > bestRun) {
        bestRun = j - i;
        best = v[i];
      }
      i = j;
    }
    return best;
  }

  private static double[] impute(double[] row, double[] imputation) {
    double[] out = row.clone();
    for (int j = 0; j < out.length; j++) {
      if (Double.isNaN(out[j])) {
        out[j] = imputation[j];
      }
    }
    return out;
  }

  /**
   * E[f] of one tree under TreeSHAP's own weighting: leaf outputs averaged by the share of the tree's training sample
   * that reached them (node sizes). These are the weights Smile's path-dependent TreeSHAP uses, so base + sum(SHAP)
   * equals the tree output exactly. Note the sample is the tree's bootstrap, rebalanced under BALANCED weighting, so
   * the base value is near 1/k there, not the class prevalence.
   */
  private static double[] expectedOutput(Node node, int k) {
    if (node instanceof DecisionNode leaf) {
      return leaf.posteriori(new double[k]);
    }
    InternalNode split = (InternalNode) node;
    double[] t = expectedOutput(split.trueChild(), k);
    double[] f = expectedOutput(split.falseChild(), k);
    double[] out = new double[k];
    for (int c = 0; c < k; c++) {
      out[c] = (t[c] * split.trueChild().size() + f[c] * split.falseChild().size()) / split.size();
    }
    return out;
  }

  public List<Feature> features() {
    return features;
  }

  public List<String> classes() {
    return classes;
  }

  public TrainingOptions options() {
    return options;
  }

  /** How the model was made: algorithm, parameters, data shape, seed, versions and imputation values. */
  public Map<String, Object> provenance() {
    return Collections.unmodifiableMap(provenance);
  }

  /**
   * Class probabilities of one row, indexed like {@link #classes()}: Smile's forest vote, trees weighted by their
   * out-of-bag accuracy (or the boosted trees' softmax), then recalibrated by {@link #calibration()} if the model has
   * one.
   *
   * @param row values in {@link FeatureTable} encoding; NaN = missing, imputed as in training
   */
  public double[] predictProba(double[] row) {
    double[] proba = new double[classes.size()];
    if (mlp != null) {
      proba = mlp.net().predict(mlp.input(imputeChecked(row)));
    } else if (boosting != null) {
      boosting.predict(tuple(row), proba);
    } else {
      forest.predict(tuple(row), proba);
    }
    return calibration == null ? proba : calibration.apply(proba);
  }

  /**
   * The class the model decides for one row: {@link #decide} applied to {@link #predictProba}. This is the decision
   * evaluation and clinical validation measured, and the one serving answers.
   */
  public int predict(double[] row) {
    return decide(predictProba(row));
  }

  /**
   * The clinical decision for given probabilities: the class of least expected cost under the options' cost matrix
   * (threshold moving), or the most probable class without one. Evaluation and validation use this decision, on
   * {@link #predictProba}'s probabilities (calibrated when the model is), so a cost matrix is applied to the
   * probabilities it is Bayes-optimal for.
   */
  public int decide(double[] proba) {
    return options.costs() == null ? argMax(proba) : options.costs().decide(proba);
  }

  /**
   * Explains the model's decision for one row ({@link #predict}, the class {@link #decide} picks from
   * {@link #predictProba}) with TreeSHAP; see {@link #explain(double[], int, int)}.
   *
   * @param topK how many contributions to keep (at most the number of features)
   */
  public Explanation explain(double[] row, int topK) {
    return explain(row, decide(predictProba(row)), topK);
  }

  /**
   * Explains class {@code cls} of one row with TreeSHAP. Serving passes the class it decided, so the explanation is
   * always of the diagnosis the response gives.
   *
   * <p>All figures are on {@link #SHAP_SCALE}: modelOutput is the plain mean over trees of the class's leaf
   * probability, baseValue its expectation over the trees' training samples, and the SHAP values of all features add up
   * to their difference. They are exact (the same as Smile's {@code shap()}), computed by {@link ForestShap}.
   *
   * @param cls  the class to explain, an index into {@link #classes()}
   * @param topK how many contributions to keep (at most the number of features)
   */
  public Explanation explain(double[] row, int cls, int topK) {
    if (topK < 1) {
      throw new IllegalArgumentException("topK must be >= 1, was " + topK);
    }
    if (mlp != null) {
      throw new UnsupportedOperationException(MLP_NOT_EXPLAINED);
    }
    if (cls < 0 || cls >= classes.size()) {
      throw new IllegalArgumentException("class " + cls + " outside 0.." + (classes.size() - 1));
    }
    if (boosting != null) {
      return explainBoosting(row, cls, topK);
    }
    double[] used = imputeChecked(row);
    double[] shap = new double[features.size()];
    double output = forestShap().explain(used, cls, shap);
    List<Explanation.Contribution> all = new ArrayList<>(features.size());
    for (int j = 0; j < features.size(); j++) {
      all.add(new Explanation.Contribution(features.get(j).name(), used[j], shap[j]));
    }
    // stable sort: equal magnitudes keep feature order, so explanations are reproducible
    all.sort(Comparator.comparingDouble((Explanation.Contribution x) -> Math.abs(x.shap())).reversed());
    return new Explanation(cls, SHAP_SCALE, baseValues[cls], output, all.subList(0, Math.min(topK, all.size())));
  }

  /**
   * Smile's own TreeSHAP of one row for every class, {@code p * k} values indexed {@code feature * k + class}; slower
   * than {@link #explain}, which computes the same values for one class only. For cross-checks.
   */
  public double[] smileShap(double[] row) {
    if (forest == null) {
      throw new UnsupportedOperationException("smileShap cross-checks a random forest; this is " + options.algorithm());
    }
    return forest.shap(tuple(row));
  }

  /** The forest flattened for TreeSHAP, built on first use (a cache: not serialised, so old artifacts load as is). */
  private ForestShap forestShap() {
    ForestShap shap = forestShap;
    if (shap == null) {
      shap = ForestShap.of(forest.trees(), classes.size());
      forestShap = shap; // a benign race: two threads may build equal copies
    }
    return shap;
  }

  /** What {@link Explanation} figures of a boosted model measure. */
  public static final String BOOSTING_SHAP_SCALE = "boosting margin (Smile GradientTreeBoost TreeSHAP); baseValue not "
      + "tracked (NaN), modelOutput is the predicted class's probability";

  private Explanation explainBoosting(double[] row, int c, int topK) {
    Tuple tuple = tuple(row);
    double[] proba = predictProba(row);
    double[] shap = boosting.shap(tuple);
    int perFeature = shap.length / features.size(); // binary boosting has one margin, multi-class one per class
    int column = perFeature == 1 ? 0 : c;
    double sign = perFeature == 1 && c == 0 ? -1 : 1; // a binary margin speaks for class 1
    double[] used = imputeChecked(row);
    List<Explanation.Contribution> all = new ArrayList<>(features.size());
    for (int j = 0; j < features.size(); j++) {
      all.add(new Explanation.Contribution(features.get(j).name(), used[j], sign * shap[j * perFeature + column]));
    }
    all.sort(Comparator.comparingDouble((Explanation.Contribution x) -> Math.abs(x.shap())).reversed());
    return new Explanation(c, BOOSTING_SHAP_SCALE, Double.NaN, proba[c], all.subList(0, Math.min(topK, all.size())));
  }

  /** Global importance: mean |SHAP| per feature over the given rows, in feature order. */
  public double[] meanAbsShap(double[][] rows) {
    if (mlp != null) {
      throw new UnsupportedOperationException(MLP_NOT_EXPLAINED);
    }
    double[][] x = new double[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      x[i] = imputeChecked(rows[i]);
    }
    String[] names = features.stream().map(Feature::name).toArray(String[]::new);
    DataFrame data = DataFrame.of(x, names);
    double[] shap = boosting != null ? boosting.shap(data) : forest.shap(data);
    int k = shap.length / features.size();
    double[] out = new double[features.size()];
    for (int j = 0; j < features.size(); j++) {
      for (int c = 0; c < k; c++) {
        out[j] += shap[j * k + c];
      }
    }
    return out;
  }

  private Tuple tuple(double[] row) {
    return Tuple.of(imputeChecked(row), boosting != null ? boosting.schema() : forest.schema());
  }

  private double[] imputeChecked(double[] row) {
    Objects.requireNonNull(row, "row");
    if (row.length != features.size()) {
      throw new IllegalArgumentException("row has " + row.length + " values, expected " + features.size());
    }
    return impute(row, imputation);
  }

  /** The index of the largest probability (the first one on ties): the predicted class. */
  public static int argMax(double[] p) {
    int best = 0;
    for (int j = 1; j < p.length; j++) {
      if (p[j] > p[best]) {
        best = j;
      }
    }
    return best;
  }

  // ---- multi-layer perceptron ----------------------------------------------------------------------------------

  /** Why {@link #explain} refuses an MLP, in the words the caller sees. */
  public static final String MLP_NOT_EXPLAINED = "an MLP model has no exact explanation (TreeSHAP needs trees, and "
      + "sampling approximations such as KernelSHAP would differ from call to call); use a random forest or boosting "
      + "model where explanations are required";

  /** Whether {@link #explain} can explain this model (tree models); false for an MLP. */
  public boolean explainable() {
    return mlp == null;
  }

  /**
   * An MLP model: its network, the encoding of its inputs and, when stacked, the base network whose class
   * probabilities are appended to the encoded row.
   */
  private record Mlp(NeuralNet net, MlpEncoder encoder, Base base) implements Serializable {

    /** The network input of one imputed row. */
    double[] input(double[] imputed) {
      double[] encoded = encoder.encode(imputed);
      if (base == null) {
        return encoded;
      }
      double[] stacked = base.net().predict(base.encoder().encode(imputed));
      double[] out = Arrays.copyOf(encoded, encoded.length + stacked.length);
      System.arraycopy(stacked, 0, out, encoded.length, stacked.length);
      return out;
    }
  }

  /** A stacked base model: the network pre-trained on the related task and its own input encoding. */
  private record Base(NeuralNet net, MlpEncoder encoder) implements Serializable {
  }

  /** The network of an MLP model, for tests of the transfer mechanism; null for a tree model. */
  NeuralNet network() {
    return mlp == null ? null : mlp.net();
  }

  /** The stacked base network of an MLP model; null without stacking. */
  NeuralNet baseNetwork() {
    return mlp == null || mlp.base() == null ? null : mlp.base().net();
  }

  /**
   * Fits an MLP on the imputed, resampled training rows: encodes them (standardised, one-hot), optionally pre-trains
   * the hidden layers on the related task, then trains (fine-tunes) the whole network on this task with a new output
   * layer. All randomness flows from one generator seeded with the options' seed.
   */
  private static ClassifierModel fitMlp(FeatureTable train, TrainingOptions options, FeatureTable source,
                                        double[] imputation, Resampler.Result resampled,
                                        LinkedHashMap<String, Object> provenance, String[] names,
                                        List<String> allMissing) {
    MlpOptions o = options.mlp();
    int k = train.classes().size();
    int[] hidden = o.hidden().stream().mapToInt(Integer::intValue).toArray();
    SplittableRandom random = new SplittableRandom(options.seed());
    double[][] realRows = new double[train.rows()][];
    for (int i = 0; i < realRows.length; i++) {
      realRows[i] = impute(train.x()[i], imputation);
    }
    LinkedHashMap<String, Object> mlpProvenance = new LinkedHashMap<>();
    mlpProvenance.put("implementation", "medpipe NeuralNet: pure Java, ReLU hidden layers, softmax output, mini-batch"
        + " Adam on class-weighted cross-entropy + L2; sequential and seeded, so bit-reproducible");
    NeuralNet start;
    MlpEncoder encoder;
    Base base = null;
    if (o.transfer()) {
      if (o.scheme() == TransferScheme.STACK && source == null) {
        // the base network would then score the very rows it was trained on: confident there, unsure on the rare
        // rows it never saw, and the new network would learn "unsure base = rare", which does not hold for new patients
        throw new IllegalArgumentException("stacking needs a separate source table (other patients than the training "
            + "rows); without one use fine-tuning");
      }
      FeatureTable related = source != null ? source : relatedRows(train);
      if (!related.features().equals(train.features())) {
        throw new IllegalArgumentException("the transfer source has other features than the training rows");
      }
      if (related.classes().size() < 2) {
        throw new IllegalArgumentException(source != null
            ? "the transfer source needs at least 2 classes, got " + related.classes()
            : "transfer without a source table pre-trains on every class but the rarest, which leaves only "
            + related.classes() + ": it needs at least 3 classes");
      }
      double[][] sourceRows = new double[related.rows()][];
      for (int i = 0; i < sourceRows.length; i++) {
        sourceRows[i] = impute(related.x()[i], imputation);
      }
      MlpEncoder sourceEncoder = MlpEncoder.fit(train.features(), sourceRows);
      double[][] sx = sourceEncoder.encode(sourceRows);
      double[] sw = rowWeights(related.y(), related.classes().size(), options.classWeighting());
      NeuralNet pretrained = NeuralNet.init(sourceEncoder.width(), hidden, related.classes().size(), random)
          .train(sx, related.y(), sw, o.pretrainEpochs(), o.learningRate(), o.batchSize(), o.l2(), 0, random);
      LinkedHashMap<String, Object> transfer = new LinkedHashMap<>();
      transfer.put("scheme", switch (o.scheme()) {
        case FINE_TUNE -> "pre-train on the related task, keep the hidden layers, new output layer, fine-tune every "
            + "layer on this task";
        case FROZEN -> "pre-train on the related task, keep the hidden layers, new output layer, train the output "
            + "layer only (hidden layers frozen)";
        case STACK -> "pre-train a base network on the related task; its class probabilities ("
            + String.join(", ", related.classes()) + ") are extra inputs of a network trained from scratch";
      });
      transfer.put("source", source != null ? "a separate table handed to fit"
          : "the training rows of every class but the rarest (" + train.classes().get(rarest(train)) + ")");
      transfer.put("sourceRows", related.rows());
      LinkedHashMap<String, Integer> sourceCounts = new LinkedHashMap<>();
      int[] sc = related.classCounts();
      for (int c = 0; c < sc.length; c++) {
        sourceCounts.put(related.classes().get(c), sc[c]);
      }
      transfer.put("sourceClassCounts", Collections.unmodifiableMap(sourceCounts));
      transfer.put("sourceSha256", tableHash(related));
      transfer.put("pretrainEpochs", o.pretrainEpochs());
      transfer.put("pretrainLoss", pretrained.loss(sx, related.y(), sw));
      if (o.scheme() == TransferScheme.STACK) {
        base = new Base(pretrained, sourceEncoder);
        encoder = MlpEncoder.fit(train.features(), realRows);
        start = NeuralNet.init(encoder.width() + pretrained.outputs(), hidden, k, random);
        transfer.put("stackedInputs", related.classes().stream().map(c -> "P(" + c + ")").toList());
      } else {
        // the transferred first layer learned on the source's scale, so the model keeps that scaling
        encoder = sourceEncoder;
        start = pretrained.withNewHead(k, random);
        transfer.put("transferredLayers", hidden.length);
      }
      mlpProvenance.put("transfer", Collections.unmodifiableMap(transfer));
    } else {
      encoder = MlpEncoder.fit(train.features(), realRows);
      start = NeuralNet.init(encoder.width(), hidden, k, random);
      mlpProvenance.put("transfer", "none");
    }
    Mlp mlp = new Mlp(null, encoder, base);
    double[][] x = new double[resampled.x().length][];
    for (int i = 0; i < x.length; i++) {
      x[i] = mlp.input(resampled.x()[i]);
    }
    double[] weights = rowWeights(resampled.y(), k, options.classWeighting());
    int firstTrained = o.transfer() && o.scheme() == TransferScheme.FROZEN ? hidden.length : 0;
    NeuralNet net = start.train(x, resampled.y(), weights, o.epochs(), o.learningRate(), o.batchSize(), o.l2(),
        firstTrained, random);
    mlpProvenance.put("trainLoss", net.loss(x, resampled.y(), weights));
    mlpProvenance.put("lossClassWeights", options.classWeighting() == ClassWeighting.BALANCED
        ? "n / (classes x class rows), on the rows fitted" : "none");
    mlpProvenance.put("encoding", Collections.unmodifiableMap(encoder.asMap()));
    provenance.put("mlp", Collections.unmodifiableMap(mlpProvenance));
    putCommonProvenance(provenance, names, imputation, allMissing);
    return new ClassifierModel(train.features(), train.classes(), options, imputation, new Mlp(net, encoder, base),
        provenance);
  }

  /** The rarest class (the first of equal ones). */
  private static int rarest(FeatureTable t) {
    int[] counts = t.classCounts();
    int rare = 0;
    for (int c = 1; c < counts.length; c++) {
      if (counts[c] < counts[rare]) {
        rare = c;
      }
    }
    return rare;
  }

  /** The rows of every class but the rarest, relabelled over the remaining classes: the related, abundant task. */
  static FeatureTable relatedRows(FeatureTable train) {
    int rare = rarest(train);
    List<String> classes = new ArrayList<>(train.classes());
    classes.remove(rare);
    int n = train.rows() - train.classCounts()[rare];
    double[][] x = new double[n][];
    int[] y = new int[n];
    int m = 0;
    for (int i = 0; i < train.rows(); i++) {
      int c = train.y()[i];
      if (c != rare) {
        x[m] = train.x()[i];
        y[m++] = c < rare ? c : c - 1;
      }
    }
    return new FeatureTable(train.features(), classes, x, y);
  }

  /** Loss weight per row: 1, or n / (k x n_c) under BALANCED so every class weighs the same in total. */
  private static double[] rowWeights(int[] y, int k, ClassWeighting weighting) {
    double[] w = new double[y.length];
    Arrays.fill(w, 1);
    if (weighting == ClassWeighting.BALANCED) {
      int[] counts = new int[k];
      for (int c : y) {
        counts[c]++;
      }
      for (int i = 0; i < y.length; i++) {
        w[i] = (double) y.length / (k * counts[y[i]]);
      }
    }
    return w;
  }

  /** SHA-256 of a table's values and labels, so provenance can name the exact source rows. */
  private static String tableHash(FeatureTable t) {
    try {
      java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(8);
      for (int i = 0; i < t.rows(); i++) {
        for (double v : t.x()[i]) {
          buf.clear();
          md.update(buf.putDouble(v).array());
        }
        buf.clear();
        md.update(buf.putLong(t.y()[i]).array());
      }
      md.update(String.join("\n", t.classes()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(md.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  // ---- persistence ----------------------------------------------------------------------------------------------

  /**
   * What {@link #fromBytes} accepts: only this project's, Smile's and the JDK's java.* classes, primitives and arrays
   * of them. Java deserialisation runs code of whatever class the stream names, so an allow-list, not a deny-list, is
   * what keeps a tampered artifact from reaching a gadget class on the classpath.
   */
  static final ObjectInputFilter FILTER = info -> {
    if (info.depth() > 10_000 || info.arrayLength() > 100_000_000) {
      return ObjectInputFilter.Status.REJECTED;
    }
    Class<?> type = info.serialClass();
    if (type == null) {
      return ObjectInputFilter.Status.UNDECIDED;
    }
    while (type.isArray()) {
      type = type.getComponentType();
    }
    if (type.isPrimitive()) {
      return ObjectInputFilter.Status.ALLOWED;
    }
    String name = type.getName();
    return name.startsWith("io.medpipe.") || name.startsWith("smile.") || name.startsWith("java.")
        ? ObjectInputFilter.Status.ALLOWED
        : ObjectInputFilter.Status.REJECTED;
  };

  /** The model as Java serialisation bytes, readable by {@link #fromBytes}. */
  public byte[] toBytes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(this);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serialise model", e);
    }
    return bytes.toByteArray();
  }

  /**
   * Reads a model written by {@link #toBytes}.
   *
   * @throws IllegalArgumentException if the bytes are not a model or name a class outside the allow-list
   */
  public static ClassifierModel fromBytes(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
      in.setObjectInputFilter(FILTER);
      Object read = in.readObject();
      if (read instanceof ClassifierModel model) {
        return model;
      }
      throw new IllegalArgumentException("not a model: " + (read == null ? "null" : read.getClass().getName()));
    } catch (IOException | ClassNotFoundException e) {
      throw new IllegalArgumentException("cannot read model: " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "ClassifierModel[" + options.algorithm() + ", " + features.size() + " features, classes " + classes
        + ", " + (mlp != null ? "hidden layers " + Arrays.toString(mlp.net().hidden())
        : (boosting != null ? boosting.size() : forest.size()) + " trees") + "]";
  }
}
