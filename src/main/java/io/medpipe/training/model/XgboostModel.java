package io.medpipe.training.model;

import io.medpipe.dataset.Feature;
import io.medpipe.dataset.FeatureTable;
import io.medpipe.training.calibration.ProbabilityCalibration;
import java.io.Serial;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * XGBoost histogram gradient boosting ({@code multi:softprob}: one tree per class and round, softmax of the margins,
 * also for two classes, so that one code path serves every table), trained through XGBoost4J and served from
 * medpipe's own arrays of its trees ({@link TreeShap}): prediction and one-class exact TreeSHAP without native code per
 * request, equal to XGBoost's {@code predict} and {@code predictContrib} (tested), and a model artifact that loads
 * without XGBoost's native library.
 *
 * <p>Missing values are not imputed: each split sends them down the branch it learned for them. Class weights are
 * row weights n / (k n_c) over the classes present (scikit-learn's "balanced"). A class without training rows (a class
 * of one row in cross-validation) keeps its place among the k outputs.
 *
 * <p>Threads: one per fit by default, because libgomp's waiting threads spin between XGBoost's parallel regions and,
 * on a machine busy with other work, made training 30 times slower; more than one only when
 * {@code OMP_WAIT_POLICY=PASSIVE} is set (bin/medpipe, the container image and the test JVMs set it). The number of
 * threads does not change the model.
 */
public final class XgboostModel extends TreeEnsembleModel {

  @Serial private static final long serialVersionUID = 1L;

  /** Row share per tree and feature share per split (stochastic gradient boosting), fixed. */
  static final double SUBSAMPLE = 0.8;
  static final double COLSAMPLE_BYNODE = 0.8;

  /** What {@link Explanation} figures of this type measure when they explain the returned probability. */
  public static final String SHAP_SCALE = "probability as returned (calibrated when the model is); contributions: exact "
      + "TreeSHAP of the "
      + "boosting margin (log-odds scale of the softmax), scaled proportionally to the change of this probability";
  /** The scale of an explanation left on the margin (the row's probability moved against its margin). */
  public static final String MARGIN_SCALE = "boosting margin (log-odds scale of the softmax) of the explained class, "
      + "exact TreeSHAP";

  /** The booster as XGBoost saves it (UBJSON), kept so that the exact native model can be restored and checked. */
  private final byte[] booster;

  XgboostModel(List<Feature> features, List<String> classes, TrainingOptions options, Imputer imputer,
               ProbabilityCalibration calibration, ModelProvenance provenance, TreeShap trees, double[] importance,
               byte[] booster) {
    super(features, classes, options, imputer, calibration, provenance, trees, importance);
    this.booster = booster;
  }

  /**
   * XGBoost's own figures.
   *
   * @param weights         how rows were weighted, in words
   * @param trees           trees in the model (rounds x classes)
   * @param subsample       row share per tree
   * @param colsampleBynode feature share per split
   * @param xgboostVersion  the library that trained the model
   * @param threads         the threads of the fit (it does not change the model)
   */
  public record Fit(String weights, int trees, double subsample, double colsampleBynode, String xgboostVersion,
                    int threads)
      implements
        ModelProvenance.Details {

    @Override
    public Map<String, Object> asMap() {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("rowWeights", weights);
      map.put("treesInModel", trees);
      map.put("subsample", subsample);
      map.put("colsampleBynode", colsampleBynode);
      map.put("xgboostVersion", xgboostVersion);
      map.put("threads", threads);
      return map;
    }
  }

  /**
   * Fits on every row of {@code train}.
   *
   * @param threads XGBoost's threads; 1 unless {@code OMP_WAIT_POLICY=PASSIVE} is set (see the class comment)
   * @throws IllegalArgumentException if the options ask for another algorithm, or as {@link FitInput#of}
   * @throws IllegalStateException    if XGBoost's native library cannot be loaded or training fails
   */
  public static XgboostModel fit(FeatureTable train, TrainingOptions options, int threads) {
    if (options.algorithm() != Algorithm.XGBOOST) {
      throw new IllegalArgumentException("XGBoost cannot be fitted with options for " + options.algorithm());
    }
    FitInput in = FitInput.of(train, options);
    int k = in.classes().size();
    double[][] x = in.resampled().x();
    int[] y = in.resampled().y();
    int p = in.features().size();
    int used = "PASSIVE".equalsIgnoreCase(System.getenv("OMP_WAIT_POLICY")) ? Math.max(1, threads) : 1;
    byte[] json;
    byte[] ubj;
    try {
      DMatrix matrix = matrix(x, p);
      try {
        float[] label = new float[y.length];
        for (int i = 0; i < y.length; i++) {
          label[i] = y[i];
        }
        matrix.setLabel(label);
        matrix.setWeight(weights(y, k, options.classWeighting()));
        Booster booster = XGBoost.train(matrix, params(options, k, used), options.trees(), new HashMap<>(), null,
            null);
        try {
          json = booster.toByteArray("json");
          ubj = booster.toByteArray();
        } finally {
          booster.dispose();
        }
      } finally {
        matrix.dispose();
      }
    } catch (XGBoostError e) {
      throw new IllegalStateException("XGBoost training failed: " + e.getMessage(), e);
    } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
      throw new IllegalStateException("XGBoost's native library could not be loaded (" + e.getMessage() + "); it "
          + "needs libgomp.so.1 (Debian/Ubuntu package libgomp1) and a writable, executable java.io.tmpdir", e);
    }
    TreeShap trees = TreeShap.ofXgboostJson(json, k);
    String weighting = options.classWeighting() == ClassWeighting.BALANCED
        ? "balanced: n / (k n_c) over the classes present" : "none (every row 1)";
    Fit fit = new Fit(weighting, trees.trees(), SUBSAMPLE, COLSAMPLE_BYNODE, version(), used);
    return new XgboostModel(in.features(), in.classes(), options, in.imputer(), null, in.provenance(fit), trees, null,
        ubj);
  }

  /** XGBoost's parameters for these options (the fixed ones are constants of this class). */
  static Map<String, Object> params(TrainingOptions options, int k, int threads) {
    Map<String, Object> params = new HashMap<>();
    params.put("objective", "multi:softprob");
    params.put("num_class", k);
    params.put("tree_method", "hist");
    params.put("max_depth", options.maxDepth());
    params.put("eta", options.shrinkage());
    params.put("subsample", SUBSAMPLE);
    params.put("colsample_bynode", COLSAMPLE_BYNODE);
    params.put("min_child_weight", (double) options.nodeSize());
    params.put("nthread", threads);
    // XGBoost's seed is an unsigned 32-bit integer in its JSON model; reduce the options' long to it
    params.put("seed", Math.floorMod(options.seed(), 1L << 31));
    params.put("verbosity", 0);
    return params;
  }

  /** Rows as XGBoost's matrix: row-major floats, NaN = missing. */
  static DMatrix matrix(double[][] x, int p) throws XGBoostError {
    float[] flat = new float[x.length * p];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < p; j++) {
        flat[i * p + j] = (float) x[i][j];
      }
    }
    return new DMatrix(flat, x.length, p, Float.NaN);
  }

  /** n / (k_present n_c) per row for BALANCED, 1 otherwise. */
  static float[] weights(int[] y, int k, ClassWeighting weighting) {
    float[] w = new float[y.length];
    int[] counts = new int[k];
    for (int c : y) {
      counts[c]++;
    }
    int present = 0;
    for (int c : counts) {
      present += c > 0 ? 1 : 0;
    }
    for (int i = 0; i < y.length; i++) {
      w[i] = weighting == ClassWeighting.BALANCED ? (float) y.length / (present * counts[y[i]]) : 1f;
    }
    return w;
  }

  private static String version() {
    String v = XGBoost.class.getPackage().getImplementationVersion();
    return v == null ? "3.4.0" : v;
  }

  /** Softmax of the margins. */
  @Override
  double[] toProbabilities(double[] margin) {
    double max = Double.NEGATIVE_INFINITY;
    for (double m : margin) {
      max = Math.max(max, m);
    }
    double[] p = new double[margin.length];
    double sum = 0;
    for (int c = 0; c < p.length; c++) {
      p[c] = Math.exp(margin[c] - max);
      sum += p[c];
    }
    for (int c = 0; c < p.length; c++) {
      p[c] /= sum;
    }
    return p;
  }

  /** The margins of every class of one row (the log-odds scale the explanations start from). */
  public double[] margins(double[] row) {
    return trees().output(impute(row));
  }

  /** The booster as XGBoost saved it (UBJSON), for {@code XGBoost.loadModel}. */
  public byte[] boosterBytes() {
    return booster.clone();
  }

  @Override
  String ownScale() {
    return MARGIN_SCALE;
  }

  @Override
  public String explanationScale() {
    return SHAP_SCALE;
  }

  @Override
  XgboostModel with(ProbabilityCalibration calibration, ModelProvenance provenance, double[] importance) {
    return new XgboostModel(features(), classes(), options(), imputer(), calibration, provenance, trees(), importance,
        booster);
  }

  @Override
  public String toString() {
    return "XgboostModel[" + describe() + ", " + trees().trees() + " trees]";
  }
}
