package io.medpipe.training;

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
 * A Smile random forest flattened into arrays, and exact path-dependent TreeSHAP (Lundberg et al. 2020, Algorithm 2)
 * of ONE class over it: the same values as {@code RandomForest.shap} (covers = node sample counts, leaf values =
 * Laplace-smoothed posteriori), computed faster.
 *
 * <p>Why it is faster than walking Smile's nodes with the textbook recursion, while staying exact:
 * <ul>
 *   <li>all trees live in a few primitive arrays (no Node objects, no virtual {@code branch(Tuple)}, no boxing);
 *   <li>in path-dependent TreeSHAP a path element's "one fraction" is always 0 or 1. For the elements with 0 (the
 *       features whose split the row does not follow) the unwound sum is {@code S0 / zeroFraction} with one
 *       {@code S0} per leaf, so their contribution {@code -S0 * value} costs O(1) instead of O(depth) each (the
 *       observation behind Fast TreeSHAP v1, Yang 2021);
 *   <li>the divisions by (d + 1), (i + 1) and (d - i) are table look-ups of precomputed ratios;
 *   <li>the path buffer is reused per thread, so an explanation allocates only its result.
 * </ul>
 * Fast TreeSHAP v2, which precomputes per leaf a table of size 2^(unique features on the path), is not used: the
 * forests served here grow up to depth 20 (256 leaves per tree), where those tables would need gigabytes.
 *
 * <p>Immutable and thread-safe; built once per model (it is a cache, never serialised).
 */
final class ForestShap {

  private final int k;
  private final int trees;
  /** Root node index of each tree. */
  private final int[] roots;
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
  /** ratio[d][i] tables for path length d+1 (d = 0..depth+1): see {@link #tables}. */
  private final double[][] iPlus1OverDPlus1;
  private final double[][] dMinusIOverDPlus1;
  private final double[][] dPlus1OverIPlus1;
  private final double[][] dPlus1OverDMinusI;

  private static final Field ORDINAL_VALUE;

  static {
    try {
      ORDINAL_VALUE = OrdinalNode.class.getDeclaredField("value");
      ORDINAL_VALUE.setAccessible(true);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** One thread's path buffer, grown on demand (Tomcat's request threads are reused, so this stops allocation). */
  private static final ThreadLocal<Path> PATHS = new ThreadLocal<>();

  private ForestShap(int k, int[] roots, int[] feature, double[] threshold, int[] yes, int[] no, double[] cover,
                     double[] value, int depth) {
    this.k = k;
    this.trees = roots.length;
    this.roots = roots;
    this.feature = feature;
    this.threshold = threshold;
    this.yes = yes;
    this.no = no;
    this.cover = cover;
    this.value = value;
    this.depth = depth;
    int n = depth + 3;
    iPlus1OverDPlus1 = new double[n][];
    dMinusIOverDPlus1 = new double[n][];
    dPlus1OverIPlus1 = new double[n][];
    dPlus1OverDMinusI = new double[n][];
    for (int d = 0; d < n; d++) {
      iPlus1OverDPlus1[d] = new double[d + 1];
      dMinusIOverDPlus1[d] = new double[d + 1];
      dPlus1OverIPlus1[d] = new double[d + 1];
      dPlus1OverDMinusI[d] = new double[d + 1];
      for (int i = 0; i <= d; i++) {
        iPlus1OverDPlus1[d][i] = (double) (i + 1) / (d + 1);
        dMinusIOverDPlus1[d][i] = (double) (d - i) / (d + 1);
        dPlus1OverIPlus1[d][i] = (double) (d + 1) / (i + 1);
        dPlus1OverDMinusI[d][i] = i < d ? (double) (d + 1) / (d - i) : 0;
      }
    }
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
    for (int t = 0; t < forest.length; t++) {
      roots[t] = b.add(forest[t].root(), 0);
    }
    return b.build(roots);
  }

  private static final class Builder {
    final int k;
    final List<Node> nodes = new ArrayList<>();
    final List<int[]> links = new ArrayList<>(); // {yes, no}
    int depth;

    Builder(int k) {
      this.k = k;
    }

    int add(Node node, int level) {
      int index = nodes.size();
      nodes.add(node);
      links.add(new int[] {-1, -1});
      depth = Math.max(depth, level);
      if (node instanceof InternalNode split) {
        if (!(split instanceof OrdinalNode)) {
          throw new IllegalArgumentException("unsupported split " + split.getClass().getSimpleName());
        }
        int t = add(split.trueChild(), level + 1);
        int f = add(split.falseChild(), level + 1);
        links.set(index, new int[] {t, f});
      } else if (!(node instanceof DecisionNode)) {
        throw new IllegalArgumentException("unsupported leaf " + node.getClass().getSimpleName());
      }
      return index;
    }

    ForestShap build(int[] roots) {
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
      return new ForestShap(k, roots, feature, threshold, yes, no, cover, value, depth);
    }
  }

  int depth() {
    return depth;
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
    Path p = PATHS.get();
    if (p == null || p.maxDepth < depth + 2) {
      p = new Path(depth + 2);
      PATHS.set(p);
    }
    Arrays.fill(phi, 0);
    double output = 0;
    for (int t = 0; t < trees; t++) {
      output += recurse(roots[t], x, c, p, phi, 0, 0, 1, 1, -1);
    }
    for (int j = 0; j < phi.length; j++) {
      phi[j] /= trees;
    }
    return output / trees;
  }

  /** The paths of every recursion level in one buffer: level L's path occupies [offset(L), offset(L) + L + 1). */
  private static final class Path {
    final int maxDepth;
    final int[] feature;
    final double[] zero;
    final double[] one;
    final double[] weight;

    Path(int maxDepth) {
      this.maxDepth = maxDepth;
      int size = (maxDepth + 1) * (maxDepth + 2) / 2 + maxDepth + 2;
      feature = new int[size];
      zero = new double[size];
      one = new double[size];
      weight = new double[size];
    }
  }

  private static int offset(int level) {
    return level * (level + 1) / 2;
  }

  /**
   * One node of the recursion. {@code level} is the recursion depth (where this node's path lives in the buffer);
   * {@code d} the index of the element this node appends. Returns the leaf value of the row's own path (following
   * the hot children), so the caller gets the tree's output without a second descent.
   */
  private double recurse(int node, double[] x, int c, Path p, double[] phi, int level, int d, double zeroFraction,
                         double oneFraction, int featureIndex) {
    int base = offset(level);
    if (level > 0) {
      int parent = offset(level - 1);
      System.arraycopy(p.feature, parent, p.feature, base, d);
      System.arraycopy(p.zero, parent, p.zero, base, d);
      System.arraycopy(p.one, parent, p.one, base, d);
      System.arraycopy(p.weight, parent, p.weight, base, d);
    }
    extend(p, base, d, zeroFraction, oneFraction, featureIndex);

    int f = feature[node];
    if (f < 0) {
      double v = value[node * k + c];
      leaf(p, base, d, v, phi);
      return v;
    }
    boolean toYes = x[f] <= threshold[node];
    int hot = toYes ? yes[node] : no[node];
    int cold = toYes ? no[node] : yes[node];
    double size = cover[node];
    double incomingZero = 1;
    double incomingOne = 1;
    int pathIndex = 0;
    while (pathIndex <= d && p.feature[base + pathIndex] != f) {
      pathIndex++;
    }
    if (pathIndex <= d) {
      incomingZero = p.zero[base + pathIndex];
      incomingOne = p.one[base + pathIndex];
      unwind(p, base, d, pathIndex);
      d--;
    }
    double out = recurse(hot, x, c, p, phi, level + 1, d + 1, cover[hot] / size * incomingZero, incomingOne, f);
    recurse(cold, x, c, p, phi, level + 1, d + 1, cover[cold] / size * incomingZero, 0, f);
    return out;
  }

  /**
   * Adds a leaf's share to every feature on its path. The unwound sum of an element with one fraction 0 is S0 / its
   * zero fraction, where S0 = sum_i w[i] (d+1)/(d-i) is the same for all of them; its contribution
   * (unwound sum) * (0 - zero) * v is therefore -S0 * v. Elements with one fraction 1 unwind in O(d) as in the
   * reference implementation.
   */
  private void leaf(Path p, int base, int d, double v, double[] phi) {
    double[] w = p.weight;
    double[] r0 = dPlus1OverDMinusI[d];
    double s0 = 0;
    for (int i = 0; i < d; i++) {
      s0 += w[base + i] * r0[i];
    }
    double coldShare = -s0 * v;
    double[] a = dPlus1OverIPlus1[d];
    double[] b = dMinusIOverDPlus1[d];
    for (int e = 1; e <= d; e++) {
      int f = p.feature[base + e];
      if (p.one[base + e] == 0) {
        phi[f] += coldShare;
      } else {
        double zero = p.zero[base + e];
        double next = w[base + d];
        double total = 0;
        for (int i = d - 1; i >= 0; i--) {
          double t = next * a[i];
          total += t;
          next = w[base + i] - t * zero * b[i];
        }
        phi[f] += total * (1 - zero) * v;
      }
    }
  }

  private void extend(Path p, int base, int d, double zeroFraction, double oneFraction, int featureIndex) {
    p.feature[base + d] = featureIndex;
    p.zero[base + d] = zeroFraction;
    p.one[base + d] = oneFraction;
    double[] w = p.weight;
    w[base + d] = d == 0 ? 1 : 0;
    double[] up = iPlus1OverDPlus1[d];
    double[] down = dMinusIOverDPlus1[d];
    if (oneFraction != 0) {
      for (int i = d - 1; i >= 0; i--) {
        w[base + i + 1] += oneFraction * w[base + i] * up[i];
        w[base + i] = zeroFraction * w[base + i] * down[i];
      }
    } else {
      for (int i = d - 1; i >= 0; i--) {
        w[base + i] = zeroFraction * w[base + i] * down[i];
      }
    }
  }

  /** Removes element {@code pathIndex} (a feature seen again deeper on the path); as the reference implementation. */
  private static void unwind(Path p, int base, int d, int pathIndex) {
    double oneFraction = p.one[base + pathIndex];
    double zeroFraction = p.zero[base + pathIndex];
    double nextOnePortion = p.weight[base + d];
    for (int i = d - 1; i >= 0; i--) {
      if (oneFraction != 0) {
        double t = p.weight[base + i];
        p.weight[base + i] = nextOnePortion * (d + 1) / ((i + 1) * oneFraction);
        nextOnePortion = t - p.weight[base + i] * zeroFraction * (d - i) / (d + 1);
      } else {
        p.weight[base + i] = p.weight[base + i] * (d + 1) / (zeroFraction * (d - i));
      }
    }
    for (int i = pathIndex; i < d; i++) {
      p.feature[base + i] = p.feature[base + i + 1];
      p.zero[base + i] = p.zero[base + i + 1];
      p.one[base + i] = p.one[base + i + 1];
    }
  }
}
