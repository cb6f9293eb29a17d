package io.medpipe.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.medpipe.dataset.FeatureTable;
import io.medpipe.dataset.TabularFile;
import io.medpipe.training.CsvDataset;
import io.medpipe.training.DatasetEvaluation;
import io.medpipe.training.LeakCheck;
import io.medpipe.training.TrainingRecipe;
import io.medpipe.training.card.ModelCard;
import io.medpipe.training.evaluation.BootstrapCi;
import io.medpipe.training.evaluation.ClassificationMetrics;
import io.medpipe.training.evaluation.HeldOutEvaluation;
import io.medpipe.training.evaluation.Progress;
import io.medpipe.training.evaluation.StratifiedSplit;
import io.medpipe.training.model.Classifier;
import io.medpipe.training.model.TrainingOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code medpipe evaluate}: cross-validation of medpipe's training on any CSV, no database, no engine. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Cross-validate medpipe's training on any CSV (or ARFF) table: column types are inferred "
        + "(numeric or categorical; an empty cell is missing). Every row is predicted once, by the model of the fold "
        + "that did not train on it; these out-of-fold predictions are pooled and scored.",
        "Without --strategy the pipeline's own training (candidate search and policy, refit, calibration, decision "
            + "rule) runs inside each fold (nested), and the same training on all rows is reported as the model a run "
            + "would deploy. Progress goes to stderr."})
final class EvaluateCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--data", required = true, paramLabel = "FILE.csv",
      description = "the table, header row first") Path data;

  @Option(names = "--label", required = true, paramLabel = "COLUMN", description = "the class column") String label;

  @Option(names = "--drop", split = ",", paramLabel = "COLUMN",
      description = "columns to leave out of the features (comma-separated), e.g. ones derived from the label") List<String> drop;

  @Option(names = "--id", paramLabel = "COLUMN",
      description = "a row identifier: never a feature; written beside each out-of-fold prediction") String id;

  @Option(names = "--allow-leak",
      description = "evaluate even when a single column separates the label almost perfectly (a warning remains)") boolean allowLeak;

  static final class Split {
    @Option(names = "--folds", paramLabel = "FOLDS.csv",
        description = "the test fold of each row: columns row,fold,class (0-based data row), as folds_seed42.csv") Path folds;

    @Option(names = "--k", defaultValue = "5",
        description = "stratified folds when no --folds (default ${DEFAULT-VALUE})") int k = 5;
  }

  @ArgGroup(exclusive = true, multiplicity = "0..1") Split split;

  @Option(names = "--seed", defaultValue = "42",
      description = "seed of folds and learners (default ${DEFAULT-VALUE})") long seed;

  @Option(names = "--strategy", split = ",", paramLabel = "NAME",
      description = "one or more fixed strategies instead of the pipeline's training: xgb-balanced, xgb, xgb-smote, "
          + "forest, forest-balanced, forest-smote, mlp, mlp-transfer, each also with -costs (the pipeline's cost "
          + "matrix for the target class); earlier names (rf, rf-balanced, rf-undersample, rf-smote, gbt, gbt-smote) "
          + "map to their replacements. Default: the pipeline's training, nested") List<String> strategies;

  @Option(names = "--target", paramLabel = "CLASS",
      description = "the clinical target: the class whose miss costs --miss-cost, as the pipeline decides for its "
          + "target disease. Without it the default decides the most probable class (calibrated), and the rarest "
          + "class is the one reported as target (and favoured by a -costs strategy)") String target;

  @Option(names = "--miss-cost", defaultValue = "49", paramLabel = "COST",
      description = "what missing the --target class costs relative to any other error (default ${DEFAULT-VALUE}, the "
          + "pipeline's; lowered per model to keep the target's specificity >= 0.90)") double missCost;

  @Option(names = "--trees", defaultValue = "" + TrainingOptions.DEFAULT_TREES,
      description = "trees of a forest (default ${DEFAULT-VALUE}, as the pipeline; its search uses 100); XGBoost "
          + "always boosts " + TrainingOptions.XGBOOST_ROUNDS + " rounds") int trees;

  @Option(names = "--out", paramLabel = "DIR",
      description = "write oof_predictions.csv, metrics.json, model_card.json and model_card.html here") Path out;

  @Override
  public Integer call() throws IOException {
    long started = System.nanoTime();
    PrintWriter w = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (trees < 1 || trees > 5000) {
      throw new CsvDataset.Invalid("--trees must be in 1..5000, was " + trees);
    }
    if (!(missCost >= 1 && missCost <= 10_000)) {
      throw new CsvDataset.Invalid("--miss-cost must be in 1..10000, was " + missCost);
    }
    CsvDataset dataset = CsvDataset.of(read(data), label, drop == null ? List.of() : drop, id);
    FeatureTable table = dataset.table();
    int targetIndex = DatasetEvaluation.rarest(table);
    if (target != null) {
      targetIndex = table.classes().indexOf(target);
      if (targetIndex < 0) {
        throw new CsvDataset.Invalid("--target " + target + " is not a class of " + dataset.file() + " column " + label
            + " (classes: " + String.join(", ", table.classes()) + ")");
      }
    }
    List<String> names = strategies == null || strategies.isEmpty() ? List.of() : strategies;
    List<TrainingOptions> options = new ArrayList<>();
    for (String s : names) {
      options.add(DatasetEvaluation.strategy(s, table.classes().size(), targetIndex, trees, seed, missCost));
    }
    int[] counts = table.classCounts();
    int[] fold;
    String foldsFrom;
    if (split != null && split.folds != null) {
      fold = dataset.folds(read(split.folds));
      foldsFrom = "folds of " + name(split.folds);
    } else {
      int k = split == null ? 5 : split.k;
      if (k < 2 || k > table.rows()) {
        throw new CsvDataset.Invalid("--k must be in 2.." + table.rows() + " (the rows), was " + k);
      }
      fold = StratifiedSplit.folds(table.y(), k, seed);
      foldsFrom = k + " stratified folds, seed " + seed;
    }
    int k = java.util.Arrays.stream(fold).max().orElse(0) + 1;
    w.printf(Locale.ROOT, "%s: %d rows, %d features%s, label %s, classes %s; target class %s; %s%n",
        dataset.file(), table.rows(), table.features().size(), dataset.dropped().isEmpty() ? ""
            : " (left out: " + String.join(", ", dataset.dropped()) + ")",
        label, counts(table),
        table.classes().get(targetIndex), foldsFrom);
    for (int c = 0; c < counts.length; c++) {
      if (counts[c] < k) {
        w.printf(Locale.ROOT, "note: class %s has %d row%s, fewer than the %d folds: the models of the folds that "
            + "test %s are fitted without %s; its figures are too rare to estimate%n", table.classes().get(c),
            counts[c], counts[c] == 1 ? "" : "s", k, counts[c] == 1 ? "it" : "its rows",
            counts[c] == 1 ? "it" : "them (or with fewer)");
      }
    }
    w.flush();

    List<LeakCheck.Finding> leaks = LeakCheck.check(table, seed);
    if (!leaks.isEmpty()) {
      String list = String.join("; ", leaks.stream().map(LeakCheck.Finding::toString).toList());
      String columns = String.join(",", leaks.stream().map(LeakCheck.Finding::column).toList());
      if (!allowLeak) {
        throw new CsvDataset.Invalid("refusing to evaluate: a single column separates " + label + " almost perfectly ("
            + list + "; the threshold is " + LeakCheck.ALMOST_PERFECT + "), the sign of a column derived from the "
            + "label, which makes every figure meaningless. Leave it out with --drop " + columns + ", or pass "
            + "--allow-leak to evaluate anyway");
      }
      err.println("medpipe: warning: a single column separates " + label + " almost perfectly (" + list + "); "
          + "evaluating anyway (--allow-leak): the figures below mean little");
      err.flush();
    }

    ProgressPrinter progress = new ProgressPrinter(err);
    List<DatasetEvaluation.Outcome> outcomes = new ArrayList<>();
    int failed = 0;
    if (names.isEmpty()) {
      TrainingRecipe.Settings settings = target == null ? TrainingRecipe.Settings.NO_TARGET
          : TrainingRecipe.Settings.DEFAULT.withRareMissCost(missCost);
      w.println(target == null ? "decision: the most probable class on calibrated probabilities (no --target "
          + "declared)"
          : String.format(Locale.ROOT, "decision: least expected cost, missing %s costs %s (lowered "
              + "where it would flag more than 10%% of the other patients)", target, missCost));
      outcomes.add(DatasetEvaluation.search(table, targetIndex, fold, trees, seed, settings, progress));
    } else {
      for (int i = 0; i < names.size(); i++) {
        try {
          outcomes.add(DatasetEvaluation.fixed(names.get(i), table, options.get(i), fold, targetIndex, progress));
        } catch (DatasetEvaluation.CannotRun e) {
          w.println();
          w.println("strategy " + names.get(i) + ": not run: " + e.getMessage());
          failed++;
        }
      }
    }
    int models = 0;
    for (DatasetEvaluation.Outcome o : outcomes) {
      String canonical = DatasetEvaluation.canonical(o.label());
      if (canonical != null && !canonical.equals(o.label().toLowerCase(Locale.ROOT))) {
        w.println();
        w.println(
            "note: " + o.label() + " is now " + canonical + " (docs/training.md: strategies of earlier versions)");
      }
      print(w, o, table);
      models += o.modelsTrained();
      if (out != null) {
        Path dir = outcomes.size() == 1 ? out : out.resolve(o.label());
        models += write(dir, dataset, fold, o, targetIndex);
        w.println("wrote " + dir.resolve("oof_predictions.csv") + ", metrics.json, model_card.json, model_card.html");
      }
    }
    double[] load = loadAverage();
    w.printf(Locale.ROOT, "%nmodels trained: %d; whole run %.1f s (reading, leak check, cross-validation, the model on "
        + "all rows%s)%s%n", models, (System.nanoTime() - started) / 1e9, out == null ? "" : ", writing",
        load == null ? "" : String.format(Locale.ROOT, "; load average %.2f", load[0]));
    w.flush();
    return failed > 0 && outcomes.isEmpty() ? 1 : 0;
  }

  /** Progress on stderr: the model just fitted, how many of how many, the time so far and an estimate of the rest. */
  static final class ProgressPrinter implements Progress {
    private final PrintWriter err;
    private final long start = System.nanoTime();

    ProgressPrinter(PrintWriter err) {
      this.err = err;
    }

    @Override
    public synchronized void fitted(String stage, int done, int total) {
      double elapsed = (System.nanoTime() - start) / 1e9;
      String left = done >= total ? "done" : "about " + duration(elapsed / done * (total - done)) + " left";
      err.printf(Locale.ROOT, "[%d/%d models, %s] %s; %s%n", done, total, duration(elapsed), stage, left);
      err.flush();
    }

    static String duration(double seconds) {
      long s = Math.round(seconds);
      return s < 60 ? s + " s" : s / 60 + " min " + s % 60 + " s";
    }
  }

  private static double[] loadAverage() {
    double l = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    return l < 0 ? null : new double[] {l};
  }

  private static String counts(FeatureTable t) {
    StringBuilder s = new StringBuilder();
    int[] c = t.classCounts();
    for (int i = 0; i < c.length; i++) {
      s.append(i == 0 ? "" : ", ").append(t.classes().get(i)).append(' ').append(c[i]);
    }
    return s.toString();
  }

  static TabularFile read(Path path) {
    String name = name(path);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new CsvDataset.Invalid("cannot read " + path + ": no such file");
    } catch (IOException e) {
      throw new CsvDataset.Invalid("cannot read " + path + ": " + (Files.isDirectory(path) ? "a directory"
          : e.getClass().getSimpleName()));
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new CsvDataset.Invalid(name + ": not UTF-8 text");
    }
    return TabularFile.parse(name, text, name.toLowerCase(Locale.ROOT).endsWith(".arff") ? "arff" : "csv");
  }

  private static String name(Path p) {
    return p.getFileName() == null ? p.toString() : p.getFileName().toString();
  }

  private static void print(PrintWriter w, DatasetEvaluation.Outcome o, FeatureTable table) {
    ClassificationMetrics m = o.cv().metrics();
    w.println();
    w.println("strategy: " + o.label() + ", out-of-fold (" + o.cv().folds() + " folds, pooled)");
    if (o.deployed() != null) {
      w.println("  chosen per fold: " + String.join(" | ", o.perFold()));
      w.println("  on all rows the pipeline's training chooses " + o.deployed().model().options().label() + ": "
          + o.deployed().selection().reason());
    } else if (o.cv().options().costs() != null) {
      w.println("  per fold: " + String.join(" | ", o.perFold()));
    }
    int width = Math.max(5, table.classes().stream().mapToInt(String::length).max().orElse(5));
    String row = "  %-" + width + "s %7s %7s %7s %7s %7s %7s %7s %7s%n";
    w.printf(Locale.ROOT, row, "class", "n", "recall", "precis.", "F1", "specif.", "ROC-AUC", "AUPRC", "Brier");
    String values = "  %-" + width + "s %7d %7.3f %7.3f %7.3f %7.3f %7.3f %7.3f %7.3f%s%n";
    for (ClassificationMetrics.PerClass pc : m.perClass()) {
      w.printf(Locale.ROOT, values, pc.label(), pc.support(), pc.recall(), pc.precision(), pc.f1(), pc.specificity(),
          pc.rocAuc(), pc.auprc(), pc.brier(), pc.support() < DatasetEvaluation.TOO_RARE
              ? "  (too rare to estimate)" : "");
    }
    w.printf(Locale.ROOT, "  overall (out-of-fold): macro F1 %.3f, balanced accuracy %.3f, Brier %.3f (multi-class), "
        + "accuracy %.3f%n", m.macroF1(), m.balancedAccuracy(), DatasetEvaluation.brier(table.y(), o.cv().proba()),
        m.accuracy());
    w.printf(Locale.ROOT, "  cross-validation: %.1f s, %d models%s%n", o.cv().trainSeconds(), o.modelsTrained(),
        o.deployed() != null ? " (the search inside each fold, and the training on all rows)" : "");
  }

  /** Writes the outputs; returns the models fitted for them (a fixed strategy's model on all rows). */
  private static int write(Path dir, CsvDataset dataset, int[] fold, DatasetEvaluation.Outcome o, int target)
      throws IOException {
    FeatureTable t = dataset.table();
    Files.createDirectories(dir);
    StringBuilder csv = new StringBuilder("row,").append(dataset.ids() == null ? "" : "id,")
        .append("fold,true_class,predicted_class");
    for (String c : t.classes()) {
      csv.append(",p_").append(csvCell(c));
    }
    csv.append('\n');
    double[][] proba = o.cv().proba();
    int[] predicted = o.cv().predicted();
    for (int i = 0; i < t.rows(); i++) {
      csv.append(i).append(',');
      if (dataset.ids() != null) {
        csv.append(csvCell(dataset.ids()[i])).append(',');
      }
      csv.append(fold[i]).append(',').append(csvCell(t.classes().get(t.y()[i]))).append(',')
          .append(csvCell(t.classes().get(predicted[i])));
      for (double p : proba[i]) {
        csv.append(',').append(String.format(Locale.ROOT, "%.6f", p));
      }
      csv.append('\n');
    }
    Files.writeString(dir.resolve("oof_predictions.csv"), csv);
    // NaN (undefined, e.g. the precision of a class never predicted) is written as the string "NaN"
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    Map<String, Object> metrics = new LinkedHashMap<>(DatasetEvaluation.asMap(o, t, target));
    metrics.put("data", dataset.file());
    metrics.put("label", dataset.labelColumn());
    metrics.put("leftOut", dataset.dropped());
    json.writeValue(dir.resolve("metrics.json").toFile(), metrics);

    // the card of the model a run would deploy (the pipeline's training on all rows), or of the fixed strategy fitted
    // on all rows, with the out-of-fold figures
    int fitted = 0;
    Classifier model;
    if (o.deployed() != null) {
      model = o.deployed().model();
    } else {
      model = Classifier.fit(t, o.cv().options(), 2);
      fitted = 1;
    }
    BootstrapCi.ClassIntervals ci = BootstrapCi.of(t.y(), proba, predicted, target, t.classes().get(target),
        BootstrapCi.DEFAULT_REPLICATES, model.options().seed());
    HeldOutEvaluation evaluation = new HeldOutEvaluation(o.cv().metrics(), ci, t.rows());
    Map<String, Object> card = new LinkedHashMap<>(ModelCard.json("medpipe evaluate (" + o.label() + ")",
        dataset.file(), t.classes().get(target), model, o.deployed() == null ? null
            : o.deployed().selection().asMap(),
        evaluation, t, o.cv().folds()));
    card.put("evaluationNote", "figures are out-of-fold predictions pooled over " + o.cv().folds() + " folds, not a "
        + "held-out split; the model described was fitted on all " + t.rows() + " rows");
    json.writeValue(dir.resolve("model_card.json").toFile(), card);
    Files.writeString(dir.resolve("model_card.html"), ModelCard.html(card, t.classes().get(target), t.y(), proba,
        target));
    return fitted;
  }

  private static String csvCell(String v) {
    return v.contains(",") || v.contains("\"") ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
  }
}
