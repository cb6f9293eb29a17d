package io.medpipe.training;

import io.medpipe.dataset.Feature;
import io.medpipe.dataset.FeatureTable;
import io.medpipe.training.evaluation.ModelSelection;
import io.medpipe.training.evaluation.Progress;
import io.medpipe.training.model.Classifier;
import io.medpipe.training.model.CostMatrix;
import io.medpipe.training.model.TrainingOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * Development only (not the benchmark): the pipeline's nested training on the model-quality study's development
 * tables (x.csv, y.csv, folds.csv of a directory), writing out-of-fold predictions with three decisions of the same
 * probabilities: the cost matrix capped at specificity 0.90, the same capped at 0.95, and the most probable class.
 * For choosing the decision's specificity floor before the shared tables are scored.
 * <pre>java -cp ... io.medpipe.training.DevDecisionRun DATA_DIR TABLE[,TABLE] OUT_DIR</pre>
 */
public final class DevDecisionRun {

  private DevDecisionRun() {
  }

  public static void main(String[] args) throws IOException {
    for (String name : args[1].split(",")) {
      run(Path.of(args[0], name), Path.of(args[2], name));
    }
  }

  static void run(Path dir, Path out) throws IOException {
    List<String> x = Files.readAllLines(dir.resolve("x.csv"));
    List<String> ys = Files.readAllLines(dir.resolve("y.csv"));
    List<String> fs = Files.readAllLines(dir.resolve("folds.csv"));
    String[] header = x.get(0).split(",", -1);
    List<Feature> features = new ArrayList<>();
    for (String h : header) {
      features.add(Feature.numeric(h, null, -1e9, 1e9, false));
    }
    int n = x.size() - 1;
    double[][] rows = new double[n][header.length];
    int[] y = new int[n];
    int[] fold = new int[n];
    int k = 0;
    for (int i = 0; i < n; i++) {
      String[] cells = x.get(i + 1).split(",", -1);
      for (int j = 0; j < header.length; j++) {
        rows[i][j] = cells[j].isBlank() ? Double.NaN : Double.parseDouble(cells[j]);
      }
      y[i] = Integer.parseInt(ys.get(i + 1).trim());
      fold[i] = Integer.parseInt(fs.get(i + 1).trim());
      k = Math.max(k, y[i] + 1);
    }
    List<String> classes = IntStream.range(0, k).mapToObj(c -> "c" + c).toList();
    FeatureTable table = new FeatureTable(features, classes, rows, y);
    int target = DatasetEvaluation.rarest(table);
    int folds = IntStream.of(fold).max().orElse(0) + 1;
    double[][] proba = new double[n][];
    int[][] decided = new int[3][n];
    long start = System.nanoTime();
    StringBuilder log = new StringBuilder();
    for (int f = 0; f < folds; f++) {
      final int ff = f;
      int[] train = IntStream.range(0, n).filter(i -> fold[i] != ff).toArray();
      int[] test = IntStream.range(0, n).filter(i -> fold[i] == ff).toArray();
      FeatureTable t = table.subset(train);
      TrainingRecipe.Fitted fitted = TrainingRecipe.searchAndFit(t, target, 42, TrainingOptions.DEFAULT_TREES,
          TrainingRecipe.Settings.DEFAULT, Progress.NONE, "");
      Classifier model = fitted.model();
      CostMatrix costs = CostMatrix.rareMiss(k, target, TrainingRecipe.RARE_MISS_COST);
      TrainingOptions base = model.options().withCosts(costs);
      TrainingOptions at90 = ModelSelection.capMissCost(base, fitted.selection().calibratedOutOfFold(), t.y(), target,
          0.90);
      TrainingOptions at95 = ModelSelection.capMissCost(base, fitted.selection().calibratedOutOfFold(), t.y(), target,
          0.95);
      for (int i : test) {
        proba[i] = model.predictProba(table.x()[i]);
        decided[0][i] = at90.costs().decide(proba[i]);
        decided[1][i] = at95.costs().decide(proba[i]);
        decided[2][i] = Classifier.argMax(proba[i]);
      }
      log.append(String.format(Locale.ROOT, "fold %d: %s; miss cost 0.90: %s, 0.95: %s; %s%n", f,
          fitted.selection().chosen().label(), ModelSelection.missCost(at90.costs(), target),
          ModelSelection.missCost(at95.costs(), target), fitted.selection().reason()));
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    String[] variants = {"spec90", "spec95", "argmax"};
    for (int v = 0; v < 3; v++) {
      Path d = out.resolve(variants[v]);
      Files.createDirectories(d);
      StringBuilder csv = new StringBuilder("row,fold,true_class,predicted_class");
      for (String c : classes) {
        csv.append(",p_").append(c);
      }
      csv.append('\n');
      for (int i = 0; i < n; i++) {
        csv.append(i).append(',').append(fold[i]).append(',').append(classes.get(y[i])).append(',')
            .append(classes.get(decided[v][i]));
        for (double p : proba[i]) {
          csv.append(',').append(String.format(Locale.ROOT, "%.6f", p));
        }
        csv.append('\n');
      }
      Files.writeString(d.resolve("oof_predictions.csv"), csv);
    }
    Files.writeString(out.resolve("log.txt"), log + String.format(Locale.ROOT, "seconds %.1f%n", seconds));
    System.out.printf(Locale.ROOT, "%s: %.1f s%n%s", dir.getFileName(), seconds, log);
  }
}
