package io.medpipe.training.model;

import io.medpipe.dataset.Feature;
import io.medpipe.dataset.FeatureTable;
import io.medpipe.training.calibration.ProbabilityCalibration;
import java.io.Serial;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import smile.base.cart.CART;
import smile.base.cart.Node;
import smile.base.cart.SplitRule;
import smile.classification.DecisionTree;
import smile.data.DataFrame;
import smile.data.type.DataTypes;
import smile.data.type.StructField;
import smile.math.MathEx;

/**
 * A random forest grown by medpipe's own bagging loop over Smile's CART trees ({@link DecisionTree}), whose probability
 * is the plain mean over trees of each leaf's RAW class frequency (count_c / n, as scikit-learn's trees), explained by
 * exact TreeSHAP of that mean and served from flat arrays ({@link TreeShap}).
 *
 * <p>Why not Smile's {@code RandomForest} ({@link RandomForestModel}, kept for the models made with it): its leaves are
 * Laplace-smoothed, (count + 1) / (n + k), so with many classes and small leaves every probability is pulled towards
 * uniform (a pure 2-row leaf gives its class 0.27 with 9 classes; a forest's multi-class Brier score halved without it
 * on a 10-class table); it weights trees by out-of-bag accuracy, so its explanation (of the plain mean) is not of
 * its prediction; its out-of-bag scoring throws on tiny classes ("Sensitivity can only be applied to binary
 * classification" whenever a tree's out-of-bag rows hold two labels); and it renumbers the classes when one has no
 * training row. Smile still grows the trees: its CART is well kept and fast, and is already a dependency.
 *
 * <p>Bootstrap per tree: the ordinary one (n rows with replacement) for {@link ClassWeighting#NONE}, or a balanced one
 * for {@link ClassWeighting#BALANCED}: the same number of rows drawn with replacement from every class present, the
 * smallest class's size but at least {@link #BALANCED_FLOOR}, so a tree never learns from a handful of rows (pure
 * BalancedRandomForest semantics gave trees of 4 rows on a table with a 1-row class). This replaces both Smile's
 * integer class weights and undersampling the table once.
 */
public final class ForestModel extends TreeEnsembleModel {

  @Serial private static final long serialVersionUID = 1L;

  /** Rows drawn per class and tree by the balanced bootstrap, at least. */
  public static final int BALANCED_FLOOR = 50;

  /** What {@link Explanation} figures of this type measure when they explain the returned probability. */
  public static final String SHAP_SCALE = "probability as returned; contributions: exact TreeSHAP of the forest's "
      + "mean leaf class frequency, scaled proportionally through the calibration (unscaled without one)";
  /** The scale of an explanation left before the calibration (the row's probability moved against it). */
  public static final String OWN_SCALE = "forest probability before calibration (mean leaf class frequency over "
      + "trees), exact TreeSHAP";

  ForestModel(List<Feature> features, List<String> classes, TrainingOptions options, Imputer imputer,
              ProbabilityCalibration calibration, ModelProvenance provenance, TreeShap trees, double[] importance) {
    super(features, classes, options, imputer, calibration, provenance, trees, importance);
  }

  /**
   * The forest's own figures.
   *
   * @param mtryUsed        features tried per split
   * @param bootstrap       the bootstrap per tree, in words
   * @param rowsPerTree     rows each tree's bootstrap draws
   * @param nodes           nodes of all trees
   * @param deepest         the deepest leaf, in splits
   */
  public record Fit(int mtryUsed, String bootstrap, int rowsPerTree, int nodes, int deepest)
      implements
        ModelProvenance.Details {

    @Override
    public Map<String, Object> asMap() {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("mtryUsed", mtryUsed);
      map.put("bootstrap", bootstrap);
      map.put("rowsPerTree", rowsPerTree);
      map.put("nodes", nodes);
      map.put("deepestLeaf", deepest);
      return map;
    }
  }

  /**
   * Fits a forest on every row of {@code train}.
   *
   * @param threads trees are grown on up to this many threads (each tree has its own seed: the forest is the same)
   * @throws IllegalArgumentException if the options ask for another algorithm, or as {@link FitInput#of}
   */
  public static ForestModel fit(FeatureTable train, TrainingOptions options, int threads) {
    if (options.algorithm() != Algorithm.FOREST) {
      throw new IllegalArgumentException("a forest cannot be fitted with options for " + options.algorithm());
    }
    FitInput in = FitInput.of(train, options);
    int k = in.classes().size();
    double[][] x = in.resampled().x();
    int[] y = in.resampled().y();
    int n = x.length;
    DataFrame frame = DataFrame.of(x, in.names());
    int[][] order = CART.order(frame); // sorted once, shared by every tree, as Smile's RandomForest does
    StructField response = new StructField(FitInput.LABEL_COLUMN, DataTypes.IntegerType);
    int[][] byClass = new int[k][];
    int smallest = Integer.MAX_VALUE;
    for (int c = 0; c < k; c++) {
      final int cls = c;
      byClass[c] = IntStream.range(0, n).filter(i -> y[i] == cls).toArray();
      if (byClass[c].length > 0) {
        smallest = Math.min(smallest, byClass[c].length);
      }
    }
    boolean balanced = options.classWeighting() == ClassWeighting.BALANCED;
    int perClass = Math.max(smallest, BALANCED_FLOOR);
    int present = (int) java.util.Arrays.stream(byClass).filter(r -> r.length > 0).count();
    long[] seeds = new SplittableRandom(options.seed()).longs(options.trees(), 2, Long.MAX_VALUE).toArray();
    java.util.function.IntFunction<Node> grow = t -> {
      SplittableRandom random = new SplittableRandom(seeds[t]);
      int[] samples = new int[n];
      if (balanced) {
        for (int[] rows : byClass) {
          for (int d = 0; rows.length > 0 && d < perClass; d++) {
            samples[rows[random.nextInt(rows.length)]]++;
          }
        }
      } else {
        for (int i = 0; i < n; i++) {
          samples[random.nextInt(n)]++;
        }
      }
      // the tree draws its split features from this thread's MathEx generator: seed it per tree
      MathEx.setSeed(seeds[t]);
      return new DecisionTree(frame, y, response, k, SplitRule.GINI, options.maxDepth(), options.maxNodes(),
          options.nodeSize(), in.mtry(), samples, order).root();
    };
    Node[] roots;
    if (threads <= 1) {
      roots = IntStream.range(0, options.trees()).mapToObj(grow).toArray(Node[]::new);
    } else {
      ForkJoinPool pool = new ForkJoinPool(threads);
      try {
        roots = pool.submit(() -> IntStream.range(0, options.trees()).parallel().mapToObj(grow)
            .toArray(Node[]::new)).get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while growing the forest", e);
      } catch (ExecutionException e) {
        throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
      } finally {
        pool.shutdown();
      }
    }
    TreeShap trees = TreeShap.of(roots, k, TreeShap.Leaves.RAW);
    String bootstrap = balanced
        ? "balanced: " + perClass + " rows drawn with replacement from each of the " + present + " classes present "
            + "(the smallest class's size, at least " + BALANCED_FLOOR + ")"
        : "ordinary: " + n + " rows drawn with replacement";
    Fit fit = new Fit(in.mtry(), bootstrap, balanced ? perClass * present : n, trees.nodes(), trees.depth());
    return new ForestModel(in.features(), in.classes(), options, in.imputer(), null, in.provenance(fit), trees, null);
  }

  /** A forest's mean leaf frequencies are already probabilities. */
  @Override
  double[] toProbabilities(double[] own) {
    return own;
  }

  @Override
  String ownScale() {
    return OWN_SCALE;
  }

  @Override
  public String explanationScale() {
    return SHAP_SCALE;
  }

  @Override
  ForestModel with(ProbabilityCalibration calibration, ModelProvenance provenance, double[] importance) {
    return new ForestModel(features(), classes(), options(), imputer(), calibration, provenance, trees(), importance);
  }

  @Override
  public String toString() {
    return "ForestModel[" + describe() + ", " + trees().trees() + " trees]";
  }
}
