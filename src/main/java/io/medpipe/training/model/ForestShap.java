package io.medpipe.training.model;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import smile.base.cart.CART;
import smile.base.cart.DecisionNode;
import smile.base.cart.InternalNode;
import smile.base.cart.Node;
import smile.base.cart.OrdinalNode;

/**
 * A Smile random forest flattened into arrays, and exact path-dependent TreeSHAP of ONE class over it: the same values
 * as {@code RandomForest.shap} (covers = node sample counts, leaf values = Laplace-smoothed posteriori), computed
 * several times faster than the textbook recursion (Lundberg et al. 2020, Algorithm 2).
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
 * used: the forests served here grow up to depth 20 (256 leaves per tree), where those tables would need gigabytes.
 *
 * <p>Immutable and thread-safe; built once per model (it is a cache, never serialised).
 */
final class ForestShap {

  private final int k;
  private final int trees;
  /** Root node index of each tree. */
  private final int[] roots;
  /** Quadrature points per tree: ceil(n/2) for the most distinct features n on any of its paths, at least 1. */
  private final int[] points;
  /** Split feature per node; -1 for a leaf. */
  private final int[] feature;
  /** Split value per node: the row goes to {@link #yes} when {@code x[feature] <= threshold}. */
  private final double[] threshold;
  private final int[] yes;
  private final int[] no;
  /** Training rows that reached the node (TreeSHAP's cover). */
  private final double[] cover;
  /** Leaf node n's posteriori of class c at {@code n * k + c}; 0 for internal nodes. */
  private final double[] value;
  /** The deepest leaf's depth in edges (root = 0). */
  private final int depth;
  /** The most quadrature points of any tree. */
  private final int maxPoints;
  /** Gauss-Legendre on [0, 1] with m points: t[m][q], w[m][q], and w[m][q] / (1 - t[m][q]). */
  private final double[][] t;
  private final double[][] w;
  private final double[][] coldW;

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

  private ForestShap(int k, int[] roots, int[] points, int[] feature, double[] threshold, int[] yes, int[] no,
                     double[] cover, double[] value, int depth) {
    this.k = k;
    this.trees = roots.length;
    this.roots = roots;
    this.points = points;
    this.feature = feature;
    this.threshold = threshold;
    this.yes = yes;
    this.no = no;
    this.cover = cover;
    this.value = value;
    this.depth = depth;
    this.maxPoints = Arrays.stream(points).max().orElse(1);
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
      for (int iteration = 0; ; iteration++) {
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

  /**
   * Flattens the trees of a forest over {@code k} classes.
   *
   * @throws IllegalArgumentException if a tree holds a split other than Smile's ordinal split (a medpipe forest is
   *                                  fitted on a frame of double columns, so it holds only those)
   */
  static ForestShap of(CART[] forest, int k) {
    Builder b = new Builder(k);
    int[] roots = new int[forest.length];
    int[] points = new int[forest.length];
    for (int tree = 0; tree < forest.length; tree++) {
      b.distinct = 0;
      roots[tree] = b.add(forest[tree].root(), 0, new java.util.HashMap<>());
      points[tree] = Math.max(1, (b.distinct + 1) / 2);
    }
    return b.build(roots, points);
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

    int add(Node node, int level, java.util.Map<Integer, Integer> onPath) {
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

    ForestShap build(int[] roots, int[] points) {
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
          ((DecisionNode) node).posteriori(posteriori);
          System.arraycopy(posteriori, 0, value, i * k, k);
        }
      }
      return new ForestShap(k, roots, points, feature, threshold, yes, no, cover, value, depth);
    }
  }

  int depth() {
    return depth;
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
   * Writes class {@code c}'s SHAP values of one row, averaged over the trees, into {@code phi}; returns the explained
   * output, the mean over trees of the leaf value of class {@code c} on the row's path.
   *
   * @param x   the row, imputed (no NaN), in the forest's feature order
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
    double output = 0;
    for (int tree = 0; tree < trees; tree++) {
      int m = points[tree];
      Arrays.fill(s.g, 0, m, 1);
      walk(roots[tree], x, c, m, s, 0, 0, phi);
      int node = roots[tree];
      while (feature[node] >= 0) {
        node = x[feature[node]] <= threshold[node] ? yes[node] : no[node];
      }
      output += value[node * k + c];
    }
    for (int j = 0; j < phi.length; j++) {
      phi[j] /= trees;
    }
    return output / trees;
  }

  /**
   * One node: {@code s.g[level * stride ...]} holds G at this tree's m quadrature points for the path down to the
   * node, {@code s.stack[0 .. n)} the distinct features on it and {@code s.zero}/{@code s.one} their fractions.
   */
  private void walk(int node, double[] x, int c, int m, Scratch s, int level, int n, double[] phi) {
    int f = feature[node];
    if (f < 0) {
      leaf(value[node * k + c], m, s, level * s.stride, n, phi);
      return;
    }
    boolean toYes = x[f] <= threshold[node];
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
