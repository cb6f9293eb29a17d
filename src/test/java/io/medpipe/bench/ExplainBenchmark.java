package io.medpipe.bench;

import io.medpipe.training.SyntheticTables;
import io.medpipe.training.model.RandomForestModel;
import io.medpipe.training.model.TrainingOptions;
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
 * ({@code TreeShap}), and Smile's all-class shap(), on a default balanced forest (200 trees, at most 256 leaves;
 * grown on 2,000 rows with 6% rare, the trees have ~29 leaves and depth up to 16) over 20 features.
 *
 * <p>On a shared machine wall-clock scores are noisy; compare against {@code smileShapAllClasses} in the same run
 * (explanation ~0.5x of it since TreeShap, ~1.0x before), or add {@code -prof gc} for allocation.
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

  private RandomForestModel model;
  private double[][] rows;
  private int next;

  @Setup
  public void setUp() {
    model = RandomForestModel.fit(SyntheticTables.rareLabs(2000, 1), TrainingOptions.defaults(42));
    rows = SyntheticTables.rareLabs(256, 2).x();
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
