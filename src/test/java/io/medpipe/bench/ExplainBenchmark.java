package io.medpipe.bench;

import io.medpipe.dataset.Feature;
import io.medpipe.dataset.FeatureTable;
import io.medpipe.training.ClassifierModel;
import io.medpipe.training.TrainingOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The in-process cost of one prediction: probabilities only, the one-class TreeSHAP explanation medpipe serves
 * ({@code ForestShap}), and Smile's all-class shap(), on a default balanced forest (200 trees, at most 256 leaves;
 * grown on 2,000 rows with 6% rare, the trees have ~29 leaves and depth up to 16) over 20 features.
 *
 * <p>On a shared machine wall-clock scores are noisy; compare against {@code smileShapAllClasses} in the same run
 * (explanation ~0.5x of it since ForestShap, ~1.0x before), or add {@code -prof gc} for allocation.
 *
 * <pre>
 * mvn -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) org.openjdk.jmh.Main ExplainBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ExplainBenchmark {

  private static final int P = 20;

  private ClassifierModel model;
  private double[][] rows;
  private int next;

  @Setup
  public void setUp() {
    model = ClassifierModel.fit(table(2000, 1), TrainingOptions.defaults(42));
    rows = table(256, 2).x();
  }

  /** 18 numeric labs (5 shifted for the rare class), one binary finding, one categorical site; 5% missing. */
  static FeatureTable table(int n, long seed) {
    Random r = new Random(seed);
    List<Feature> features = new ArrayList<>();
    for (int j = 0; j < P - 2; j++) {
      features.add(Feature.numeric("lab_" + j, "u", -10, 10, false));
    }
    features.add(Feature.binary("finding", false));
    features.add(Feature.categorical("site", List.of("a", "b", "c"), false));
    double[][] x = new double[n][P];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = r.nextDouble() < 0.06 ? 1 : 0;
      for (int j = 0; j < P - 2; j++) {
        x[i][j] = r.nextDouble() < 0.05 ? Double.NaN : r.nextGaussian() + (y[i] == 1 && j < 5 ? 0.8 : 0);
      }
      x[i][P - 2] = r.nextDouble() < (y[i] == 1 ? 0.5 : 0.2) ? 1 : 0;
      x[i][P - 1] = r.nextInt(3);
    }
    return new FeatureTable(features, List.of("common", "rare"), x, y);
  }

  private double[] row() {
    next = (next + 1) & 255;
    return rows[next];
  }

  @Benchmark
  public double[] predictProba() {
    return model.predictProba(row());
  }

  @Benchmark
  public Object explainPredictedClass() {
    return model.explain(row(), 5);
  }

  @Benchmark
  public double[] smileShapAllClasses() {
    return model.smileShap(row());
  }
}
