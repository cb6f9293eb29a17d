package io.medpipe.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.medpipe.dataset.FeatureTable;
import io.medpipe.dataset.TabularFile;
import io.medpipe.training.CsvDataset;
import io.medpipe.training.DatasetEvaluation;
import io.medpipe.training.TrainingRecipe;
import io.medpipe.training.card.ModelCard;
import io.medpipe.training.evaluation.BootstrapCi;
import io.medpipe.training.evaluation.ClassificationMetrics;
import io.medpipe.training.evaluation.HeldOutEvaluation;
import io.medpipe.training.evaluation.StratifiedSplit;
import io.medpipe.training.model.Classifier;
import io.medpipe.training.model.TrainingOptions;
import java.io.IOException;
import java.io.PrintWriter;
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

/** {@code medpipe evaluate}: cross-validation of medpipe's training strategies on any CSV, no database, no engine. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Cross-validate medpipe's training on any CSV (or ARFF) table: column types are inferred "
        + "(numeric or categorical; an empty cell is missing). Every row is predicted once, by the model of the fold "
        + "that did not train on it; the pooled out-of-fold predictions are scored.",
        "Without --strategy the pipeline's candidate search and selection policy run inside each fold (nested), "
        + "and the policy's choice on all rows is reported."})
final class EvaluateCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--data", required = true, paramLabel = "FILE.csv", description = "the table, header row first")
  Path data;

  @Option(names = "--label", required = true, paramLabel = "COLUMN", description = "the class column")
  String label;

  static final class Split {
    @Option(names = "--folds", paramLabel = "FOLDS.csv",
        description = "the test fold of each row: columns row,fold,class (0-based data row), as folds_seed42.csv")
    Path folds;

    @Option(names = "--k", defaultValue = "5", description = "stratified folds when no --folds (default ${DEFAULT-VALUE})")
    int k = 5;
  }

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Split split;

  @Option(names = "--seed", defaultValue = "42", description = "seed of folds and learners (default ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--strategy", split = ",", paramLabel = "NAME",
      description = "one or more of: rf-balanced, rf-balanced-costs, rf-smote, rf-smote-costs, rf-undersample, "
          + "rf-undersample-costs, gbt-costs, rf, gbt, gbt-smote, mlp, mlp-costs, mlp-transfer "
          + "(comma-separated; mlp = neural network with class weights, --trees does not apply; mlp-transfer "
          + "pre-trains it on every class but the rarest in each training fold, then fine-tunes). Default: the "
          + "pipeline's search and policy")
  List<String> strategies;

  @Option(names = "--target", paramLabel = "CLASS",
      description = "the rare class the search and cost matrix favour (default: the rarest class)")
  String target;

  @Option(names = "--trees", defaultValue = "" + TrainingOptions.DEFAULT_TREES,
      description = "trees per model (default ${DEFAULT-VALUE}, as the pipeline; its search uses at most 50)")
  int trees;

  @Option(names = "--out", paramLabel = "DIR",
      description = "write oof_predictions.csv, metrics.json, model_card.json and model_card.html here")
  Path out;

  @Override
  public Integer call() throws IOException {
    PrintWriter w = spec.commandLine().getOut();
    if (trees < 1 || trees > 5000) {
      throw new CsvDataset.Invalid("--trees must be in 1..5000, was " + trees);
    }
    CsvDataset dataset = CsvDataset.of(read(data), label);
    FeatureTable table = dataset.table();
    int targetIndex = DatasetEvaluation.rarest(table);
    if (target != null) {
      targetIndex = table.classes().indexOf(target);
      if (targetIndex < 0) {
        throw new CsvDataset.Invalid("--target " + target + " is not a class of " + dataset.file() + " column " + label
            + " (classes: " + String.join(", ", table.classes()) + ")");
      }
    }
    int[] counts = table.classCounts();
    int[] fold;
    String foldsFrom;
    if (split != null && split.folds != null) {
      fold = dataset.folds(read(split.folds));
      foldsFrom = "folds of " + name(split.folds);
    } else {
      int k = split == null ? 5 : split.k;
      if (k < 2) {
        throw new CsvDataset.Invalid("--k must be at least 2, was " + k);
      }
      int smallest = java.util.Arrays.stream(counts).min().orElse(0);
      if (smallest < k) {
        throw new CsvDataset.Invalid(dataset.file() + ": column " + label + " has a class of " + smallest + " rows, "
            + "fewer than the " + k + " folds (use a smaller --k)");
      }
      fold = StratifiedSplit.folds(table.y(), k, seed);
      foldsFrom = k + " stratified folds, seed " + seed;
    }
    List<String> names = strategies == null || strategies.isEmpty() ? List.of() : strategies;
    List<TrainingOptions> options = new ArrayList<>();
    for (String s : names) {
      options.add(DatasetEvaluation.strategy(s, table.classes().size(), targetIndex, trees, seed));
    }
    w.printf(Locale.ROOT, "%s: %d rows, %d features, label %s, classes %s; target (rare) class %s; %s%n",
        dataset.file(), table.rows(), table.features().size(), label, counts(table), table.classes().get(targetIndex),
        foldsFrom);
    w.flush();
    List<DatasetEvaluation.Outcome> outcomes = new ArrayList<>();
    if (names.isEmpty()) {
      outcomes.add(DatasetEvaluation.search(table, targetIndex, fold, trees, seed));
    } else {
      for (int i = 0; i < names.size(); i++) {
        outcomes.add(DatasetEvaluation.fixed(names.get(i), table, options.get(i), fold, targetIndex));
      }
    }
    for (DatasetEvaluation.Outcome o : outcomes) {
      print(w, o, table);
      if (out != null) {
        Path dir = outcomes.size() == 1 ? out : out.resolve(o.label());
        write(dir, dataset, fold, o, targetIndex);
        w.println("wrote " + dir.resolve("oof_predictions.csv") + ", metrics.json, model_card.json, model_card.html");
      }
    }
    w.flush();
    return 0;
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
    w.println("strategy: " + o.label() + " (" + o.cv().folds() + " folds, pooled out-of-fold)");
    if (o.deployed() != null) {
      w.println("  chosen per fold: " + String.join(" | ", o.perFold()));
      w.println("  the pipeline's policy on all rows chooses " + o.deployed().chosen().label() + ": "
          + o.deployed().reason());
    } else if (o.cv().options().costs() != null) {
      w.println("  per fold: " + String.join(" | ", o.perFold()));
    }
    w.printf(Locale.ROOT, "  %-16s %7s %7s %7s %7s %7s %7s %7s %7s%n", "class", "n", "recall", "precis.", "F1",
        "specif.", "ROC-AUC", "AUPRC", "Brier");
    for (ClassificationMetrics.PerClass pc : m.perClass()) {
      w.printf(Locale.ROOT, "  %-16s %7d %7.3f %7.3f %7.3f %7.3f %7.3f %7.3f %7.3f%n", pc.label(), pc.support(),
          pc.recall(), pc.precision(), pc.f1(), pc.specificity(), pc.rocAuc(), pc.auprc(), pc.brier());
    }
    w.printf(Locale.ROOT, "  overall: macro F1 %.3f, balanced accuracy %.3f, Brier %.3f (multi-class), accuracy %.3f%n",
        m.macroF1(), m.balancedAccuracy(), DatasetEvaluation.brier(table.y(), o.cv().proba()), m.accuracy());
    w.printf(Locale.ROOT, "  training wall time: %.1f s (all folds%s)%n", o.cv().trainSeconds(),
        o.deployed() != null ? ", with the search inside each fold" : "");
  }

  private static void write(Path dir, CsvDataset dataset, int[] fold, DatasetEvaluation.Outcome o, int target)
      throws IOException {
    FeatureTable t = dataset.table();
    Files.createDirectories(dir);
    StringBuilder csv = new StringBuilder("row,fold,true_class,predicted_class");
    for (String c : t.classes()) {
      csv.append(",p_").append(csvCell(c));
    }
    csv.append('\n');
    double[][] proba = o.cv().proba();
    int[] predicted = o.cv().predicted();
    for (int i = 0; i < t.rows(); i++) {
      csv.append(i).append(',').append(fold[i]).append(',').append(csvCell(t.classes().get(t.y()[i]))).append(',')
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
    json.writeValue(dir.resolve("metrics.json").toFile(), metrics);

    // the card of the configuration a run would deploy, fitted on all rows, with the out-of-fold figures
    TrainingOptions chosen = o.deployed() != null ? o.deployed().chosen().withTrees(o.cv().options().trees())
        : o.cv().options();
    Classifier model = Classifier.fit(t, chosen);
    if (o.deployed() != null) {
      // calibrated as a pipeline run would calibrate it: on the search's out-of-fold predictions of the chosen one
      model = TrainingRecipe.calibrate(model, t, o.deployed(), target);
    }
    BootstrapCi.ClassIntervals ci = BootstrapCi.of(t.y(), proba, predicted, target, t.classes().get(target),
        BootstrapCi.DEFAULT_REPLICATES, chosen.seed());
    HeldOutEvaluation evaluation = new HeldOutEvaluation(o.cv().metrics(), ci, t.rows());
    Map<String, Object> card = new LinkedHashMap<>(ModelCard.json("medpipe evaluate (" + o.label() + ")",
        dataset.file(), t.classes().get(target), model, o.deployed() == null ? null : o.deployed().asMap(), evaluation,
        t));
    card.put("evaluationNote", "figures are pooled out-of-fold predictions of " + o.cv().folds() + " folds, not a "
        + "held-out split; the model described was refitted on all " + t.rows() + " rows");
    json.writeValue(dir.resolve("model_card.json").toFile(), card);
    Files.writeString(dir.resolve("model_card.html"), ModelCard.html(card, t.classes().get(target), t.y(), proba,
        target));
  }

  private static String csvCell(String v) {
    return v.contains(",") || v.contains("\"") ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
  }
}
