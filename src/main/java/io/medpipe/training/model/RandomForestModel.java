package io.medpipe.training.model;

import io.medpipe.dataset.FeatureTable;
import io.medpipe.training.calibration.ProbabilityCalibration;
import java.io.Serial;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import smile.base.cart.CART;
import smile.base.cart.DecisionNode;
import smile.base.cart.InternalNode;
import smile.base.cart.Node;
import smile.base.cart.SplitRule;
import smile.classification.RandomForest;
import smile.data.Tuple;

/**
 * A Smile random forest of CART trees over imputed rows, explained by exact TreeSHAP ({@link TreeShap}).
 *
 * <p>Class weights follow Smile's convention, the opposite of scikit-learn's ({@link #classWeights}); TreeSHAP explains
 * the plain mean of the trees' leaf probabilities ({@link #SHAP_SCALE}), while {@link #predictProba} weights the trees
 * by their out-of-bag accuracy.
 */
public final class RandomForestModel extends BaseClassifier {

  @Serial private static final long serialVersionUID = 1L;

  /**
   * The scale of {@link Explanation} figures: the probability of the predicted class as the PLAIN mean over trees of
   * each leaf's Laplace-smoothed class frequency, (count + 1) / (n + k). Smile's TreeSHAP explains this mean, whereas
   * {@link #predictProba} weights the trees by their out-of-bag accuracy, so modelOutput and the predicted probability
   * differ slightly.
   */
  public static final String SHAP_SCALE = "probability, unweighted mean over trees";

  private final RandomForest forest;
  /** Per class: the expected plain tree-mean output, E[f], the base value TreeSHAP contributions start from. */
  private final double[] baseValues;
  /** Cache of {@link #forestShap()}; null until first used (not serialised). */
  private transient volatile TreeShap forestShap;

  RandomForestModel(FitInput in, RandomForest forest, double[] baseValues, ModelProvenance provenance) {
    this(in.features(), in.classes(), in.options(), in.imputer(), null, provenance, forest, baseValues);
  }

  RandomForestModel(List<io.medpipe.dataset.Feature> features, List<String> classes, TrainingOptions options,
                    Imputer imputer, ProbabilityCalibration calibration, ModelProvenance provenance,
                    RandomForest forest, double[] baseValues) {
    super(features, classes, options, imputer, calibration, provenance);
    this.forest = forest;
    this.baseValues = baseValues;
  }

  /**
   * The forest's own figures: features tried per split, Smile's class weights and the out-of-bag accuracy.
   *
   * @param smileClassWeight the integer weights Smile divides each class's per-tree sample by
   */
  public record Fit(int mtryUsed, List<Integer> smileClassWeight, double oobAccuracy)
      implements
        ModelProvenance.Details {

    public Fit {
      smileClassWeight = List.copyOf(smileClassWeight);
    }

    @Override
    public Map<String, Object> asMap() {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("mtryUsed", mtryUsed);
      map.put("smileClassWeight", smileClassWeight);
      map.put("oobAccuracy", oobAccuracy);
      return map;
    }
  }

  /**
   * Fits a forest on every row of {@code train}.
   *
   * @throws IllegalArgumentException if the options ask for another algorithm, or as {@link FitInput#of}
   */
  public static RandomForestModel fit(FeatureTable train, TrainingOptions options) {
    if (options.algorithm() != Algorithm.RANDOM_FOREST) {
      throw new IllegalArgumentException("a random forest cannot be fitted with options for " + options.algorithm());
    }
    FitInput in = FitInput.of(train, options);
    int k = in.classes().size();
    int[] classWeight = classWeights(in.fittedCounts(), options.classWeighting());
    // Smile seeds a tree's thread-local generator only when that tree's seed is > 1; its default seed stream
    // (-trees..-1) leaves the generators unseeded, so two fits differ. Trees are built in parallel, each seeding
    // its own thread first, which is why one seed per tree (not MathEx.setSeed once) makes the forest reproducible.
    RandomForest forest = RandomForest.fit(FitInput.formula(), in.frame(), options.trees(), in.mtry(),
        SplitRule.GINI, options.maxDepth(), options.maxNodes(), options.nodeSize(), 1.0, classWeight,
        new SplittableRandom(options.seed()).longs(2, Long.MAX_VALUE));

    double[] baseValues = new double[k];
    for (CART tree : forest.trees()) {
      double[] expected = expectedOutput(tree.root(), k);
      for (int c = 0; c < k; c++) {
        baseValues[c] += expected[c] / forest.trees().length;
      }
    }
    Fit fit = new Fit(in.mtry(), Arrays.stream(classWeight).boxed().toList(), forest.metrics().accuracy);
    return new RandomForestModel(in, forest, baseValues, in.provenance(fit));
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

  /** Smile's forest vote: trees weighted by their out-of-bag accuracy. */
  @Override
  double[] probabilities(double[] imputed) {
    double[] proba = new double[classes().size()];
    forest.predict(Tuple.of(imputed, forest.schema()), proba);
    return proba;
  }

  @Override
  RandomForestModel with(ProbabilityCalibration calibration, ModelProvenance provenance) {
    return new RandomForestModel(features(), classes(), options(), imputer(), calibration, provenance, forest,
        baseValues);
  }

  @Override
  public String explanationScale() {
    return SHAP_SCALE;
  }

  @Override
  public boolean explainable() {
    return true;
  }

  /**
   * Explains class {@code cls} of one row with TreeSHAP. All figures are on {@link #SHAP_SCALE}: modelOutput is the
   * plain mean over trees of the class's leaf probability, baseValue its expectation over the trees' training samples,
   * and the SHAP values of all features add up to their difference. They are exact (the same as Smile's
   * {@code shap()}), computed by {@link TreeShap}.
   */
  @Override
  public Explanation explain(double[] row, int cls, int topK) {
    checkExplainable(cls, topK);
    double[] used = impute(row);
    double[] shap = new double[features().size()];
    double output = forestShap().explain(used, cls, shap);
    return new Explanation(cls, SHAP_SCALE, baseValues[cls], output, largest(used, shap, topK));
  }

  @Override
  public double[] meanAbsShap(double[][] rows) {
    return meanAbsShap(rows, forest::shap);
  }

  /**
   * Smile's own TreeSHAP of one row for every class, {@code p * k} values indexed {@code feature * k + class}; slower
   * than {@link #explain}, which computes the same values for one class only. For cross-checks.
   */
  public double[] smileShap(double[] row) {
    return forest.shap(Tuple.of(impute(row), forest.schema()));
  }

  /** The forest flattened for TreeSHAP, built on first use (a cache: not serialised). */
  private TreeShap forestShap() {
    TreeShap shap = forestShap;
    if (shap == null) {
      shap = TreeShap.of(forest.trees(), classes().size());
      forestShap = shap; // a benign race: two threads may build equal copies
    }
    return shap;
  }

  @Override
  public String toString() {
    return "RandomForestModel[" + describe() + ", " + forest.size() + " trees]";
  }
}
