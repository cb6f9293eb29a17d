package io.medpipe.training.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import smile.base.cart.CART;
import smile.base.cart.DecisionNode;
import smile.base.cart.InternalNode;
import smile.base.cart.Node;
import smile.base.cart.OrdinalNode;

/**
 * A tree ensemble flattened into primitive arrays, its output, and exact path-dependent TreeSHAP of ONE class over
 * it: a forest whose leaves hold a probability per class (Smile's smoothed posteriori, or raw class frequencies),
 * averaged over trees; or a boosted ensemble whose trees each add a margin to one class (XGBoost's
 * {@code multi:softprob}), summed over trees on top of a per-class intercept. The values equal the textbook recursion
 * (Lundberg et al. 2020, Algorithm 2; Smile's {@code shap()}, XGBoost's {@code predictContrib}), computed several
 * times faster.
 *
 * <p>The method. Path-dependent TreeSHAP gives feature i, for every leaf with value v whose path holds the n distinct
 * features j with zero fraction z_j (product of the cover ratios of j's splits on the path) and one fraction o_j
 * (1 if the row follows every one of j's splits on the path, else 0), the share
 * <pre>  v (o_i - z_i) sum_{S} |S|! (n-|S|-1)! / n! prod_{j in S} o_j prod_{j not in S, j != i} z_j</pre>
 * and since |S|! (n-|S|-1)! / n! = integral_0^1 t^|S| (1-t)^(n-|S|-1) dt, that is
 * <pre>  v (o_i - z_i) integral_0^1 prod_{j != i} g_j(t) dt,   g_j(t) = z_j (1 - t) + o_j t,</pre>
 * the integral of a polynomial of degree n - 1, which Gauss-Legendre quadrature with ceil(n/2) points computes
 * EXACTLY (up to rounding); this is the idea of Linear TreeSHAP (Yu et al., NeurIPS 2022). So:
 * <ul>
 *   <li>each node keeps G(t_q) = prod_j g_j(t_q) at the m quadrature points of its tree (one multiplication per point
 *       and node, instead of Algorithm 2's O(depth) EXTEND and path copy);
 *   <li>at a leaf, a feature the row does not follow (o = 0) gets -v sum_q w_q G(t_q) / (1 - t_q), the same for all
 *       of them, computed once; a feature it follows gets v (1 - z) sum_q w_q G(t_q) / g(t_q), O(m) instead of
 *       Algorithm 2's O(depth) UNWIND;
 *   <li>all trees live in a few primitive arrays (no Node objects, no virtual {@code branch(Tuple)}), and the scratch
 *       buffers are reused per thread, so an explanation allocates only its result.
 * </ul>
 * Fast TreeSHAP v2 (Yang 2021), which precomputes per leaf a table of size 2^(distinct features on the path), is not
 * used: forests grow up to depth 20 and more, where those tables would need gigabytes.
 *
 * <p>Split rules. Smile sends a row to the first child when {@code x <= threshold}; its rows are imputed, so never
 * NaN. XGBoost sends it left when {@code (float) x < threshold} (its histogram thresholds are float32 bin edges, so
 * the comparison is in float) and a missing value (NaN) to the child the split learned ({@code default_left}); its
 * TreeSHAP covers are the nodes' hessian sums.
 *
 * <p>Why medpipe's own and not XGBoost's {@code predictContrib}: that computes every class (k times the work) through
 * JNI on a native matrix per call; an answer needs the explanation of its class only, and serving must not call
 * native code per request. Immutable and thread-safe; serialised as part of the model types that keep their trees in
 * this form (the quadrature tables are rebuilt on load).
 */
final class TreeShap implements Serializable {

  @Serial private static final long serialVersionUID = 1L;

  /** Values per leaf: the number of classes for a forest, 1 for a boosted ensemble. */
  private final int stride;
  /** Classes of the model. */
  private final int k;
  /** Root node index of each tree. */
  private final int[] roots;
  /** The class each tree adds to (boosting); null when every tree outputs every class (forest). */
  private final int[] treeClass;
  /** Boosting's per-class margin intercept; null for a forest. */
  private final double[] intercept;
  /** Quadrature points per tree: ceil(n/2) for the most distinct features n on any of its paths, at least 1. */
  private final int[] points;
  /** Split feature per node; -1 for a leaf. */
  private final int[] feature;
  /** Split value per node (XGBoost's: a float32 value held exactly in a double). */
  private final double[] threshold;
  /** The child a row takes when the split holds ({@link #goesYes}). */
  private final int[] yes;
  private final int[] no;
  /** XGBoost's default direction per node for a missing value; null for Smile trees (rows are imputed). */
  private final boolean[] missingYes;
  /** Whether splits are XGBoost's {@code (float) x < threshold} rather than Smile's {@code x <= threshold}. */
  private final boolean floatLess;
  /** Training rows (or hessian sum) that reached the node (TreeSHAP's cover). */
  private final double[] cover;
  /** Leaf node n's value of output c at {@code n * stride + c}; 0 for internal nodes. */
  private final double[] value;
  /** The deepest leaf's depth in edges (root = 0). */
  private final int depth;

  /** The most quadrature points of any tree. */
  private transient int maxPoints;
  /** Gauss-Legendre on [0, 1] with m points: t[m][q], w[m][q], and w[m][q] / (1 - t[m][q]). */
  private transient double[][] t;
  private transient double[][] w;
  private transient double[][] coldW;
  /** Boosting: the trees of each class, as indices into roots. */
  private transient int[][] byClass;
  /** Per class: the expected output E[f_c] under TreeSHAP's cover weighting, where the contributions start. */
  private transient double[] expected;

  private static final Field ORDINAL_VALUE;

  static {
    try {
      ORDINAL_VALUE = OrdinalNode.class.getDeclaredField("value");
      ORDINAL_VALUE.setAccessible(true);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** One thread's scratch buffers, grown on demand (Tomcat's request threads are reused, so this stops allocation). */
  private static final ThreadLocal<Scratch> SCRATCH = new ThreadLocal<>();

  private TreeShap(int stride, int k, int[] roots, int[] treeClass, double[] intercept, int[] points, int[] feature,
                   double[] threshold, int[] yes, int[] no, boolean[] missingYes, boolean floatLess, double[] cover,
                   double[] value, int depth) {
    this.stride = stride;
    this.k = k;
    this.roots = roots;
    this.treeClass = treeClass;
    this.intercept = intercept;
    this.points = points;
    this.feature = feature;
    this.threshold = threshold;
    this.yes = yes;
    this.no = no;
    this.missingYes = missingYes;
    this.floatLess = floatLess;
    this.cover = cover;
    this.value = value;
    this.depth = depth;
    derive();
  }

  /** The tables that follow from the trees; rebuilt after deserialisation rather than stored. */
  private void derive() {
    maxPoints = Arrays.stream(points).max().orElse(1);
    t = new double[maxPoints + 1][];
    w = new double[maxPoints + 1][];
    coldW = new double[maxPoints + 1][];
    for (int m = 1; m <= maxPoints; m++) {
      double[][] rule = gaussLegendre01(m);
      t[m] = rule[0];
      w[m] = rule[1];
      coldW[m] = new double[m];
      for (int q = 0; q < m; q++) {
        coldW[m][q] = w[m][q] / (1 - t[m][q]);
      }
    }
    if (treeClass != null) {
      int[] count = new int[k];
      for (int c : treeClass) {
        count[c]++;
      }
      byClass = new int[k][];
      for (int c = 0; c < k; c++) {
        byClass[c] = new int[count[c]];
      }
      int[] fill = new int[k];
      for (int tree = 0; tree < roots.length; tree++) {
        byClass[treeClass[tree]][fill[treeClass[tree]]++] = tree;
      }
    }
    expected = new double[k];
    for (int c = 0; c < k; c++) {
      if (treeClass == null) {
        for (int root : roots) {
          expected[c] += mean(root, c) / roots.length;
        }
      } else {
        double sum = intercept[c];
        for (int tree : byClass[c]) {
          sum += mean(roots[tree], 0);
        }
        expected[c] = sum;
      }
    }
  }

  @Serial
  private void readObject(java.io.ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    derive();
  }

  /** Leaf values below {@code node} averaged by cover: the tree's expected output under TreeSHAP's weighting. */
  private double mean(int node, int c) {
    if (feature[node] < 0) {
      return value[node * stride + c];
    }
    return (mean(yes[node], c) * cover[yes[node]] + mean(no[node], c) * cover[no[node]]) / cover[node];
  }

  /**
   * Gauss-Legendre nodes and weights on [0, 1]: exact for polynomials of degree up to 2m - 1 (Newton's method on the
   * Legendre polynomial P_m, as in Numerical Recipes' gauleg).
   */
  static double[][] gaussLegendre01(int m) {
    double[] nodes = new double[m];
    double[] weights = new double[m];
    for (int i = 0; i < (m + 1) / 2; i++) {
      double z = Math.cos(Math.PI * (i + 0.75) / (m + 0.5));
      double derivative;
      for (int iteration = 0;; iteration++) {
        double p1 = 1;
        double p2 = 0;
        for (int j = 1; j <= m; j++) {
          double p3 = p2;
          p2 = p1;
          p1 = ((2.0 * j - 1) * z * p2 - (j - 1.0) * p3) / j;
        }
        derivative = m * (z * p1 - p2) / (z * z - 1);
        double previous = z;
        z = previous - p1 / derivative;
        if (Math.abs(z - previous) <= 1e-15 || iteration > 100) {
          break;
        }
      }
      // on [-1, 1]: nodes -z and z with weight 2 / ((1 - z^2) P'(z)^2); mapped to [0, 1]: halved
      double weight = 1 / ((1 - z * z) * derivative * derivative);
      nodes[i] = (1 - z) / 2;
      nodes[m - 1 - i] = (1 + z) / 2;
      weights[i] = weight;
      weights[m - 1 - i] = weight;
    }
    return new double[][] {nodes, weights};
  }

  /** What a Smile leaf contributes to a forest's probability. */
  enum Leaves {
    /** Smile's Laplace-smoothed posteriori, (count + 1) / (n + k): what Smile's own RandomForest and shap() use. */
    SMOOTHED,
    /** The raw class frequencies of the tree's training rows in the leaf, count / n (scikit-learn's trees). */
    RAW
  }

  /**
   * Flattens the trees of a Smile forest over {@code k} classes.
   *
   * @throws IllegalArgumentException if a tree holds a split other than Smile's ordinal split (a medpipe forest is
   *                                  fitted on a frame of double columns, so it holds only those)
   */
  static TreeShap of(CART[] forest, int k) {
    return of(Arrays.stream(forest).map(CART::root).toArray(Node[]::new), k, Leaves.SMOOTHED);
  }

  /** Flattens the trees, given by their roots, of a forest over {@code k} classes with the given leaf values. */
  static TreeShap of(Node[] forest, int k, Leaves leaves) {
    Builder b = new Builder(k);
    int[] roots = new int[forest.length];
    int[] points = new int[forest.length];
    for (int tree = 0; tree < forest.length; tree++) {
      b.distinct = 0;
      roots[tree] = b.add(forest[tree], 0, new HashMap<>());
      points[tree] = Math.max(1, (b.distinct + 1) / 2);
    }
    return b.build(roots, points, leaves);
  }

  private static final class Builder {
    final int k;
    final List<Node> nodes = new ArrayList<>();
    final List<int[]> links = new ArrayList<>(); // {yes, no}
    int depth;
    /** The most distinct features on one path of the current tree. */
    int distinct;

    Builder(int k) {
      this.k = k;
    }

    int add(Node node, int level, Map<Integer, Integer> onPath) {
      int index = nodes.size();
      nodes.add(node);
      links.add(new int[] {-1, -1});
      depth = Math.max(depth, level);
      distinct = Math.max(distinct, onPath.size());
      if (node instanceof InternalNode split) {
        if (!(split instanceof OrdinalNode)) {
          throw new IllegalArgumentException("unsupported split " + split.getClass().getSimpleName());
        }
        onPath.merge(split.feature(), 1, Integer::sum);
        int yes = add(split.trueChild(), level + 1, onPath);
        int no = add(split.falseChild(), level + 1, onPath);
        onPath.computeIfPresent(split.feature(), (f, n) -> n == 1 ? null : n - 1);
        links.set(index, new int[] {yes, no});
      } else if (!(node instanceof DecisionNode)) {
        throw new IllegalArgumentException("unsupported leaf " + node.getClass().getSimpleName());
      }
      return index;
    }

    TreeShap build(int[] roots, int[] points, Leaves leaves) {
      int n = nodes.size();
      int[] feature = new int[n];
      double[] threshold = new double[n];
      int[] yes = new int[n];
      int[] no = new int[n];
      double[] cover = new double[n];
      double[] value = new double[n * k];
      double[] posteriori = new double[k];
      for (int i = 0; i < n; i++) {
        Node node = nodes.get(i);
        cover[i] = node.size();
        yes[i] = links.get(i)[0];
        no[i] = links.get(i)[1];
        if (node instanceof OrdinalNode split) {
          feature[i] = split.feature();
          try {
            threshold[i] = ORDINAL_VALUE.getDouble(split);
          } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
          }
        } else {
          feature[i] = -1;
          DecisionNode leaf = (DecisionNode) node;
          if (leaves == Leaves.SMOOTHED) {
            leaf.posteriori(posteriori);
          } else {
            // the tree's bootstrap-weighted class counts of its rows in the leaf, as frequencies
            int[] count = leaf.count();
            double size = 0;
            for (int c : count) {
              size += c;
            }
            for (int c = 0; c < k; c++) {
              posteriori[c] = c < count.length && size > 0 ? count[c] / size : 0;
            }
          }
          System.arraycopy(posteriori, 0, value, i * k, k);
        }
      }
      return new TreeShap(k, k, roots, null, null, points, feature, threshold, yes, no, null, false, cover, value,
          depth);
    }
  }

  /**
   * Reads a multi-class XGBoost model from its JSON form ({@code Booster.toByteArray("json")}, objective
   * {@code multi:softprob}): one tree per class and round ({@code tree_info} names the class), split feature,
   * threshold, children, default direction and hessian sum per node, the leaf value in {@code split_conditions}.
   * XGBoost 3 keeps {@code base_score} of {@code multi:softprob} as a vector of per-class intercepts on the margin
   * scale.
   *
   * @throws IllegalArgumentException if the model is not a multi-class softprob model of {@code k} classes, or holds a
   *                                  categorical split (medpipe passes category codes as numbers, so none occur)
   */
  static TreeShap ofXgboostJson(byte[] json, int k) {
    JsonNode learner;
    try {
      learner = new ObjectMapper().readTree(json).get("learner");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the XGBoost model", e);
    }
    JsonNode param = learner.get("learner_model_param");
    String objective = learner.get("objective").get("name").asText();
    int numClass = param.get("num_class").asInt();
    if (!objective.equals("multi:softprob") || numClass != k) {
      throw new IllegalArgumentException("expected multi:softprob with " + k + " classes, got " + objective + " with "
          + numClass);
    }
    double[] baseScore = Arrays.stream(param.get("base_score").asText().replace("[", "").replace("]", "").split(","))
        .mapToDouble(s -> Double.parseDouble(s.trim())).toArray();
    double[] intercept = new double[k];
    for (int c = 0; c < k; c++) {
      intercept[c] = baseScore.length == 1 ? baseScore[0] : baseScore[c];
    }
    JsonNode model = learner.get("gradient_booster").get("model");
    JsonNode trees = model.get("trees");
    JsonNode info = model.get("tree_info");
    int total = 0;
    for (JsonNode tree : trees) {
      total += tree.get("left_children").size();
    }
    int[] feature = new int[total];
    double[] threshold = new double[total];
    int[] left = new int[total];
    int[] right = new int[total];
    boolean[] defaultLeft = new boolean[total];
    double[] cover = new double[total];
    double[] value = new double[total];
    int[] roots = new int[trees.size()];
    int[] treeClass = new int[trees.size()];
    int[] points = new int[trees.size()];
    int offset = 0;
    int depth = 0;
    for (int tr = 0; tr < trees.size(); tr++) {
      JsonNode tree = trees.get(tr);
      JsonNode lc = tree.get("left_children");
      JsonNode rc = tree.get("right_children");
      JsonNode si = tree.get("split_indices");
      JsonNode sc = tree.get("split_conditions");
      JsonNode dl = tree.get("default_left");
      JsonNode sh = tree.get("sum_hessian");
      JsonNode st = tree.get("split_type");
      int n = lc.size();
      for (int i = 0; i < n; i++) {
        int g = offset + i;
        boolean leaf = lc.get(i).asInt() == -1;
        if (!leaf && st != null && st.size() > i && st.get(i).asInt() != 0) {
          throw new IllegalArgumentException("tree " + tr + " has a categorical split, which medpipe does not serve");
        }
        feature[g] = leaf ? -1 : si.get(i).asInt();
        // the JSON holds the float32 value in decimal; (float) restores it exactly
        threshold[g] = (float) sc.get(i).asDouble();
        left[g] = leaf ? -1 : offset + lc.get(i).asInt();
        right[g] = leaf ? -1 : offset + rc.get(i).asInt();
        defaultLeft[g] = dl.get(i).asInt() != 0;
        cover[g] = (float) sh.get(i).asDouble();
        value[g] = leaf ? (float) sc.get(i).asDouble() : 0;
      }
      roots[tr] = offset;
      treeClass[tr] = info.get(tr).asInt();
      int[] stats = pathStats(feature, left, right, offset, 0, new HashMap<>());
      points[tr] = Math.max(1, (stats[1] + 1) / 2);
      depth = Math.max(depth, stats[0]);
      offset += n;
    }
    return new TreeShap(1, k, roots, treeClass, intercept, points, feature, threshold, left, right, defaultLeft, true,
        cover, value, depth);
  }

  /** {depth, most distinct features on a path} below node. */
  private static int[] pathStats(int[] feature, int[] left, int[] right, int node, int level,
                                 Map<Integer, Integer> onPath) {
    if (feature[node] < 0) {
      return new int[] {level, onPath.size()};
    }
    onPath.merge(feature[node], 1, Integer::sum);
    int[] a = pathStats(feature, left, right, left[node], level + 1, onPath);
    int[] b = pathStats(feature, left, right, right[node], level + 1, onPath);
    onPath.computeIfPresent(feature[node], (f, n) -> n == 1 ? null : n - 1);
    return new int[] {Math.max(a[0], b[0]), Math.max(a[1], b[1])};
  }

  int depth() {
    return depth;
  }

  int trees() {
    return roots.length;
  }

  int nodes() {
    return feature.length;
  }

  /** Whether the ensemble is boosted (a margin per class) rather than a forest of probabilities. */
  boolean boosted() {
    return treeClass != null;
  }

  /** E[f_c]: the expected output of class c, where its contributions start (boosting: XGBoost's bias term). */
  double expected(int c) {
    return expected[c];
  }

  /** The expected output of every class. */
  double[] expected() {
    return expected.clone();
  }

  private boolean goesYes(int node, double x) {
    if (floatLess) {
      return Double.isNaN(x) ? missingYes[node] : (float) x < threshold[node];
    }
    return x <= threshold[node];
  }

  /**
   * The ensemble's output for every class: a forest's mean over trees of the leaf values (probabilities), or
   * boosting's margins (intercept plus the leaf values of the class's trees; softmax gives the probabilities).
   */
  double[] output(double[] x) {
    double[] out = new double[k];
    if (treeClass == null) {
      for (int root : roots) {
        int node = leaf(root, x);
        for (int c = 0; c < k; c++) {
          out[c] += value[node * stride + c];
        }
      }
      for (int c = 0; c < k; c++) {
        out[c] /= roots.length;
      }
    } else {
      System.arraycopy(intercept, 0, out, 0, k);
      for (int tree = 0; tree < roots.length; tree++) {
        out[treeClass[tree]] += value[leaf(roots[tree], x)];
      }
    }
    return out;
  }

  /**
   * The output of class c given only the features in bit set {@code known} (bit j = feature j), the others following
   * every branch in proportion to the covers: the value function path-dependent TreeSHAP attributes. Exponential when
   * used for every subset; for tests that check {@link #explain} against the Shapley formula.
   */
  double conditional(double[] x, int c, int known) {
    double sum = 0;
    if (treeClass == null) {
      for (int root : roots) {
        sum += conditional(root, x, c, known);
      }
      return sum / roots.length;
    }
    sum = intercept[c];
    for (int tree : byClass[c]) {
      sum += conditional(roots[tree], x, 0, known);
    }
    return sum;
  }

  private double conditional(int node, double[] x, int c, int known) {
    int f = feature[node];
    if (f < 0) {
      return value[node * stride + c];
    }
    if ((known & (1 << f)) != 0) {
      return conditional(goesYes(node, x[f]) ? yes[node] : no[node], x, c, known);
    }
    return (conditional(yes[node], x, c, known) * cover[yes[node]]
        + conditional(no[node], x, c, known) * cover[no[node]]) / cover[node];
  }

  private int leaf(int node, double[] x) {
    while (feature[node] >= 0) {
      node = goesYes(node, x[feature[node]]) ? yes[node] : no[node];
    }
    return node;
  }

  /** Per-thread buffers: G per recursion level, and the state of each distinct feature on the current path. */
  private static final class Scratch {
    final int levels;
    final int stride;
    final int features;
    final double[] g;
    final double[] zero;
    final boolean[] one;
    final boolean[] onPath;
    final int[] stack;

    Scratch(int levels, int stride, int features) {
      this.levels = levels;
      this.stride = stride;
      this.features = features;
      g = new double[levels * stride];
      zero = new double[features];
      one = new boolean[features];
      onPath = new boolean[features];
      stack = new int[levels];
    }

    boolean fits(int levels, int stride, int features) {
      return this.levels >= levels && this.stride >= stride && this.features >= features;
    }
  }

  /**
   * Writes class {@code c}'s SHAP values of one row into {@code phi} and returns the explained output, so that
   * {@code expected(c) + sum(phi) = output}: for a forest the values are averaged over the trees and the output is the
   * mean leaf value of class c on the row's paths; for boosting they are summed over the class's trees and the output
   * is its margin.
   *
   * @param x   the row in the ensemble's feature order (imputed for a Smile forest; NaN = missing for XGBoost)
   * @param phi one value per feature; overwritten
   */
  double explain(double[] x, int c, double[] phi) {
    if (c < 0 || c >= k) {
      throw new IllegalArgumentException("class " + c + " outside 0.." + (k - 1));
    }
    Scratch s = SCRATCH.get();
    if (s == null || !s.fits(depth + 2, maxPoints, phi.length)) {
      s = new Scratch(depth + 2, maxPoints, phi.length);
      SCRATCH.set(s);
    }
    Arrays.fill(phi, 0);
    int column = stride == 1 ? 0 : c;
    if (treeClass == null) {
      double output = 0;
      for (int tree = 0; tree < roots.length; tree++) {
        int m = points[tree];
        Arrays.fill(s.g, 0, m, 1);
        walk(roots[tree], x, column, m, s, 0, 0, phi);
        output += value[leaf(roots[tree], x) * stride + column];
      }
      for (int j = 0; j < phi.length; j++) {
        phi[j] /= roots.length;
      }
      return output / roots.length;
    }
    double output = intercept[c];
    for (int tree : byClass[c]) {
      int m = points[tree];
      Arrays.fill(s.g, 0, m, 1);
      walk(roots[tree], x, 0, m, s, 0, 0, phi);
      output += value[leaf(roots[tree], x)];
    }
    return output;
  }

  /**
   * One node: {@code s.g[level * stride ...]} holds G at this tree's m quadrature points for the path down to the
   * node, {@code s.stack[0 .. n)} the distinct features on it and {@code s.zero}/{@code s.one} their fractions.
   */
  private void walk(int node, double[] x, int c, int m, Scratch s, int level, int n, double[] phi) {
    int f = feature[node];
    if (f < 0) {
      leaf(value[node * stride + c], m, s, level * s.stride, n, phi);
      return;
    }
    boolean toYes = goesYes(node, x[f]);
    double[] tq = t[m];
    double[] g = s.g;
    int from = level * s.stride;
    int to = from + s.stride;
    boolean seen = s.onPath[f];
    double oldZero = s.zero[f];
    boolean oldOne = s.one[f];
    for (int branch = 0; branch < 2; branch++) {
      int child = branch == 0 ? yes[node] : no[node];
      boolean hot = (branch == 0) == toYes;
      double z = cover[child] / cover[node];
      boolean o = hot;
      if (seen) {
        z *= oldZero;
        o &= oldOne;
        for (int q = 0; q < m; q++) {
          double u = tq[q];
          g[to + q] = g[from + q] / (oldZero * (1 - u) + (oldOne ? u : 0)) * (z * (1 - u) + (o ? u : 0));
        }
      } else {
        for (int q = 0; q < m; q++) {
          double u = tq[q];
          g[to + q] = g[from + q] * (z * (1 - u) + (o ? u : 0));
        }
      }
      s.zero[f] = z;
      s.one[f] = o;
      s.onPath[f] = true;
      if (seen) {
        walk(child, x, c, m, s, level + 1, n, phi);
      } else {
        s.stack[n] = f;
        walk(child, x, c, m, s, level + 1, n + 1, phi);
      }
    }
    s.zero[f] = oldZero;
    s.one[f] = oldOne;
    s.onPath[f] = seen;
  }

  /** Adds one leaf's shares: the formula in the class comment, per distinct feature on its path. */
  private void leaf(double v, int m, Scratch s, int at, int n, double[] phi) {
    if (n == 0) {
      return;
    }
    double[] g = s.g;
    double[] cw = coldW[m];
    double coldSum = 0;
    for (int q = 0; q < m; q++) {
      coldSum += cw[q] * g[at + q];
    }
    double coldShare = -v * coldSum;
    double[] tq = t[m];
    double[] wq = w[m];
    for (int e = 0; e < n; e++) {
      int f = s.stack[e];
      if (!s.one[f]) {
        phi[f] += coldShare;
      } else {
        double z = s.zero[f];
        double sum = 0;
        for (int q = 0; q < m; q++) {
          double u = tq[q];
          sum += wq[q] * g[at + q] / (z * (1 - u) + u);
        }
        phi[f] += v * (1 - z) * sum;
      }
    }
  }
}
