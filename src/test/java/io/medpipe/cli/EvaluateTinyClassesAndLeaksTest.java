package io.medpipe.cli;

import static io.medpipe.cli.CliRunner.cli;
import static org.assertj.core.api.Assertions.assertThat;

import io.medpipe.dataset.FeatureTable;
import io.medpipe.training.DatasetEvaluation;
import io.medpipe.training.LeakCheck;
import io.medpipe.training.SyntheticTables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code medpipe evaluate} as a data scientist meets it on an export: classes of one and two rows never crash any
 * strategy (a strategy that cannot run says why in one line), a column derived from the label is refused unless
 * allowed, columns can be left out or used as an identifier, and class names of any length stay readable.
 */
class EvaluateTinyClassesAndLeaksTest {

  /** Class names as real exports have them, longer than the console table's old 16 characters. */
  static final List<String> NAMES = List.of("normal", "right_bundle_branch_block", "ventricular_premature_contraction",
      "supraventricular_premature_contraction");

  @TempDir static Path tmp;
  static Path tiny;

  /** 60 / 25 / 2 / 1 rows, a patient id column, and a column derived from the label (its code, 2% noise). */
  @BeforeAll
  static void write() throws Exception {
    FeatureTable t = SyntheticTables.classes(new int[] {60, 25, 2, 1}, 8, 2, 21);
    Random r = new Random(4);
    StringBuilder csv = new StringBuilder("patient_id");
    t.features().forEach(f -> csv.append(',').append(f.name()));
    csv.append(",dx_code,diagnosis\n");
    for (int i = 0; i < t.rows(); i++) {
      csv.append("P").append(1000 + i);
      for (int j = 0; j < t.features().size(); j++) {
        double v = t.x()[i][j];
        csv.append(',').append(Double.isNaN(v) ? "" : j == t.features().size() - 1 ? "abc".charAt((int) v)
            : String.valueOf(v));
      }
      int code = r.nextDouble() < 0.02 ? (t.y()[i] + 1) % 4 : t.y()[i];
      csv.append(',').append(code).append(',').append(NAMES.get(t.y()[i])).append('\n');
    }
    tiny = tmp.resolve("tiny_classes.csv");
    Files.writeString(tiny, csv);
  }

  static CliRunner.Result evaluate(String... args) {
    List<String> all = new ArrayList<>(List.of("evaluate", "--data", tiny.toString(), "--label", "diagnosis",
        "--id", "patient_id", "--trees", "10"));
    all.addAll(List.of(args));
    return cli(all.toArray(String[]::new));
  }

  static Stream<String> strategies() {
    List<String> all = new ArrayList<>();
    for (String s : DatasetEvaluation.STRATEGIES) {
      all.add(s);
      all.add(s + "-costs");
    }
    all.addAll(DatasetEvaluation.RENAMED.keySet());
    all.add("rf-undersample-costs"); // the strategy that died inside Smile on a 2-row class
    all.add("gbt-costs");
    return all.stream();
  }

  @ParameterizedTest
  @MethodSource("strategies")
  void everyStrategyRunsOnClassesOfOneAndTwoRowsOrSaysWhyNotInOneLine(String strategy) {
    CliRunner.Result r = evaluate("--drop", "dx_code", "--strategy", strategy);

    assertThat(r.err()).doesNotContain("\tat ", "Exception");
    if (r.out().contains("not run: ")) {
      assertThat(strategy).startsWith("mlp");
      String line = r.out().lines().filter(l -> l.contains("not run: ")).findFirst().orElseThrow();
      assertThat(line).contains("has no training rows");
      assertThat(r.exit()).isEqualTo(1);
    } else {
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.out()).contains("supraventricular_premature_contraction       1", "(too rare to estimate)");
    }
  }

  @Test
  void theDefaultRunsOnClassesOfOneAndTwoRowsAndSaysWhatItCouldNotEstimate() throws Exception {
    Path out = tmp.resolve("default");
    CliRunner.Result r = evaluate("--drop", "dx_code", "--out", out.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("note: class supraventricular_premature_contraction has 1 row, fewer than the 5 folds",
        "too rare to estimate", "strategy: pipeline default (nested)", "models trained: ");
    // every class name whole, every row of the table a row of the console table
    for (String name : NAMES) {
      assertThat(r.out()).containsPattern("\\n  " + name + " +\\d+ ");
    }
    // the identifier is not a feature, and it is written beside each prediction
    assertThat(r.out()).contains("8 features (left out: dx_code, patient_id)");
    List<String> oof = Files.readAllLines(out.resolve("oof_predictions.csv"));
    assertThat(oof.get(0)).startsWith("row,id,fold,true_class,predicted_class");
    assertThat(oof.get(1)).startsWith("0,P1000,");
    assertThat(oof).hasSize(89);
    assertThat(Files.readString(out.resolve("metrics.json"))).contains("\"tooRareToEstimate\"",
        "supraventricular_premature_contraction");
  }

  @Test
  void aColumnDerivedFromTheLabelIsRefusedUnlessAllowedAndCanBeLeftOut() {
    CliRunner.Result refused = evaluate("--strategy", "xgb");
    assertThat(refused.exit()).isEqualTo(2);
    assertThat(refused.err().trim()).startsWith("medpipe: refusing to evaluate").contains("dx_code",
        "--drop dx_code", "--allow-leak").doesNotContain("\n");

    CliRunner.Result allowed = evaluate("--strategy", "xgb", "--allow-leak");
    assertThat(allowed.exit()).as(allowed.err()).isZero();
    assertThat(allowed.err()).contains("warning: a single column separates diagnosis almost perfectly (dx_code");

    CliRunner.Result dropped = evaluate("--strategy", "xgb", "--drop", "dx_code");
    assertThat(dropped.exit()).isZero();
    assertThat(dropped.err()).doesNotContain("warning");
  }

  @Test
  void theLeakCheckFlagsADerivedColumnButNotAStrongHonestOneOrAnIdentifier() throws Exception {
    FeatureTable t = SyntheticTables.classes(new int[] {300, 100, 40}, 8, 3, 9);
    // x_2, x_3 shift class 1 by 3 sd: strong, but not a leak; an identifier: unique per row
    assertThat(LeakCheck.check(t, 1)).isEmpty();
    double[][] x = new double[t.rows()][];
    List<io.medpipe.dataset.Feature> features = new ArrayList<>(t.features());
    features.add(io.medpipe.dataset.Feature.numeric("row_number", null, 0, 1e6, false));
    features.add(io.medpipe.dataset.Feature.numeric("derived", null, 0, 10, false));
    Random r = new Random(2);
    for (int i = 0; i < t.rows(); i++) {
      x[i] = java.util.Arrays.copyOf(t.x()[i], t.features().size() + 2);
      x[i][t.features().size()] = r.nextInt(1_000_000);
      x[i][t.features().size() + 1] = t.y()[i] * 2 + (r.nextDouble() < 0.01 ? 1 : 0);
    }
    FeatureTable leaky = new FeatureTable(features, t.classes(), x, t.y());
    List<LeakCheck.Finding> found = LeakCheck.check(leaky, 1);
    assertThat(found).extracting(LeakCheck.Finding::column).containsExactly("derived");
    assertThat(found.get(0).balancedAccuracy()).isGreaterThanOrEqualTo(LeakCheck.ALMOST_PERFECT);
  }
}
