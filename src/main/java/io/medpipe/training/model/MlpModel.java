package io.medpipe.training.model;

import io.medpipe.dataset.Feature;
import io.medpipe.dataset.FeatureTable;
import io.medpipe.training.calibration.ProbabilityCalibration;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A multi-layer perceptron ({@link NeuralNet}) over imputed rows, standardised and one-hot encoded
 * ({@link MlpEncoder}), optionally pre-trained on a related task (transfer learning, {@link MlpOptions}).
 *
 * <p>It has no exact explanation ({@link #NOT_EXPLAINED}), so it is not among the pipeline's default candidates and
 * {@link #explain} refuses it.
 */
public final class MlpModel extends BaseClassifier {

  @Serial private static final long serialVersionUID = 1L;

  /** Why {@link #explain} refuses an MLP, in the words the caller sees. */
  public static final String NOT_EXPLAINED = "an MLP model has no exact explanation (TreeSHAP needs trees, and "
      + "sampling approximations such as KernelSHAP would differ from call to call); use a random forest or boosting "
      + "model where explanations are required";

  private final NeuralNet net;
  private final Input input;

  MlpModel(List<Feature> features, List<String> classes, TrainingOptions options, Imputer imputer,
           ProbabilityCalibration calibration, ModelProvenance provenance, NeuralNet net, Input input) {
    super(features, classes, options, imputer, calibration, provenance);
    this.net = net;
    this.input = input;
  }

  /** How an imputed row becomes the network's input. */
  sealed interface Input extends Serializable permits Encoded, Stacked {

    double[] of(double[] imputed);
  }

  /** The row encoded: standardised numbers, one-hot categories. */
  record Encoded(MlpEncoder encoder) implements Input {

    @Override
    public double[] of(double[] imputed) {
      return encoder.encode(imputed);
    }
  }

  /**
   * The encoded row followed by the class probabilities of a base network pre-trained on the related task, which
   * reads the row in its own encoding (stacking).
   */
  record Stacked(MlpEncoder encoder, NeuralNet baseNet, MlpEncoder baseEncoder) implements Input {

    @Override
    public double[] of(double[] imputed) {
      double[] encoded = encoder.encode(imputed);
      double[] stacked = baseNet.predict(baseEncoder.encode(imputed));
      double[] out = Arrays.copyOf(encoded, encoded.length + stacked.length);
      System.arraycopy(stacked, 0, out, encoded.length, stacked.length);
      return out;
    }
  }

  /**
   * The network's own figures.
   *
   * @param transfer         how it was pre-trained; null without transfer
   * @param lossClassWeights how the loss weighted the classes, in words
   * @param encoding         the input scaling ({@link MlpEncoder#asMap()})
   */
  public record Fit(String implementation, Transfer transfer, double trainLoss, String lossClassWeights,
                    Map<String, Object> encoding)
      implements
        ModelProvenance.Details {

    public Fit {
      encoding = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(encoding));
    }

    @Override
    public Map<String, Object> asMap() {
      Map<String, Object> mlp = new LinkedHashMap<>();
      mlp.put("implementation", implementation);
      mlp.put("transfer", transfer == null ? "none" : transfer.asMap());
      mlp.put("trainLoss", trainLoss);
      mlp.put("lossClassWeights", lossClassWeights);
      mlp.put("encoding", encoding);
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("mlp", java.util.Collections.unmodifiableMap(mlp));
      return map;
    }
  }

  /**
   * How the network was pre-trained on the related task.
   *
   * @param scheme            the scheme in words
   * @param source            where the related task's rows came from, in words
   * @param sourceSha256      {@link ModelProvenance#tableSha256} of the source rows
   * @param stackedInputs     the base network's outputs fed as inputs (stacking); null otherwise
   * @param transferredLayers hidden layers kept from the pre-trained network (fine-tuning, frozen); null when stacked
   */
  public record Transfer(String scheme, String source, int sourceRows, Map<String, Integer> sourceClassCounts,
                         String sourceSha256, int pretrainEpochs, double pretrainLoss, List<String> stackedInputs,
                         Integer transferredLayers)
      implements
        Serializable {

    public Transfer {
      sourceClassCounts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(sourceClassCounts));
      stackedInputs = stackedInputs == null ? null : List.copyOf(stackedInputs);
    }

    Map<String, Object> asMap() {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("scheme", scheme);
      map.put("source", source);
      map.put("sourceRows", sourceRows);
      map.put("sourceClassCounts", sourceClassCounts);
      map.put("sourceSha256", sourceSha256);
      map.put("pretrainEpochs", pretrainEpochs);
      map.put("pretrainLoss", pretrainLoss);
      if (stackedInputs != null) {
        map.put("stackedInputs", stackedInputs);
      }
      if (transferredLayers != null) {
        map.put("transferredLayers", transferredLayers);
      }
      return java.util.Collections.unmodifiableMap(map);
    }
  }

  static final String IMPLEMENTATION = "medpipe NeuralNet: pure Java, ReLU hidden layers, softmax output, "
      + "mini-batch Adam on class-weighted cross-entropy + L2; sequential and seeded, so bit-reproducible";

  /** {@link #fit(FeatureTable, TrainingOptions, FeatureTable)} without a source table. */
  public static MlpModel fit(FeatureTable train, TrainingOptions options) {
    return fit(train, options, null);
  }

  /**
   * Fits an MLP on the imputed, resampled training rows: encodes them (standardised, one-hot), optionally pre-trains
   * the hidden layers on the related task, then trains (fine-tunes) the whole network on this task with a new output
   * layer. All randomness flows from one generator seeded with the options' seed.
   *
   * <p>Under transfer the related task is {@code source}'s own labels (a related task with abundant labels over the
   * same features, e.g. a cohort where HCM and CKD are coded); a null source means the training rows of every class
   * but the rarest.
   *
   * @throws IllegalArgumentException if the options ask for another algorithm, as {@link FitInput#of}, or if the source
   *                                  has other features than {@code train} or fewer than 2 classes
   */
  public static MlpModel fit(FeatureTable train, TrainingOptions options, FeatureTable source) {
    if (options.algorithm() != Algorithm.MLP) {
      throw new IllegalArgumentException("an MLP cannot be fitted with options for " + options.algorithm());
    }
    FitInput in = FitInput.of(train, options);
    MlpOptions o = options.mlp();
    int k = train.classes().size();
    int[] hidden = o.hidden().stream().mapToInt(Integer::intValue).toArray();
    SplittableRandom random = new SplittableRandom(options.seed());
    double[][] realRows = in.imputed();
    NeuralNet start;
    Input input;
    Transfer transfer = null;
    if (o.transfer()) {
      if (o.scheme() == TransferScheme.STACK && source == null) {
        // the base network would then score the very rows it was trained on: confident there, unsure on the rare
        // rows it never saw, and the new network would learn "unsure base = rare", which does not hold for new patients
        throw new IllegalArgumentException("stacking needs a separate source table (other patients than the training "
            + "rows); without one use fine-tuning");
      }
      FeatureTable related = source != null ? source : relatedRows(train);
      if (!related.features().equals(train.features())) {
        throw new IllegalArgumentException("the transfer source has other features than the training rows");
      }
      if (related.classes().size() < 2) {
        throw new IllegalArgumentException(source != null
            ? "the transfer source needs at least 2 classes, got " + related.classes()
            : "transfer without a source table pre-trains on every class but the rarest, which leaves only "
                + related.classes() + ": it needs at least 3 classes");
      }
      double[][] sourceRows = new double[related.rows()][];
      for (int i = 0; i < sourceRows.length; i++) {
        sourceRows[i] = in.imputer().impute(related.x()[i]);
      }
      MlpEncoder sourceEncoder = MlpEncoder.fit(train.features(), sourceRows);
      double[][] sx = sourceEncoder.encode(sourceRows);
      double[] sw = rowWeights(related.y(), related.classes().size(), options.classWeighting());
      NeuralNet pretrained = NeuralNet.init(sourceEncoder.width(), hidden, related.classes().size(), random)
          .train(sx, related.y(), sw, o.pretrainEpochs(), o.learningRate(), o.batchSize(), o.l2(), 0, random);
      String scheme = switch (o.scheme()) {
        case FINE_TUNE -> "pre-train on the related task, keep the hidden layers, new output layer, fine-tune every "
            + "layer on this task";
        case FROZEN -> "pre-train on the related task, keep the hidden layers, new output layer, train the output "
            + "layer only (hidden layers frozen)";
        case STACK -> "pre-train a base network on the related task; its class probabilities ("
            + String.join(", ", related.classes()) + ") are extra inputs of a network trained from scratch";
      };
      String from = source != null ? "a separate table handed to fit"
          : "the training rows of every class but the rarest (" + train.classes().get(rarest(train)) + ")";
      Map<String, Integer> sourceCounts = ModelProvenance.classCounts(related.classes(), related.classCounts());
      String sourceSha256 = ModelProvenance.tableSha256(related);
      double pretrainLoss = pretrained.loss(sx, related.y(), sw);
      if (o.scheme() == TransferScheme.STACK) {
        MlpEncoder encoder = MlpEncoder.fit(train.features(), realRows);
        input = new Stacked(encoder, pretrained, sourceEncoder);
        start = NeuralNet.init(encoder.width() + pretrained.outputs(), hidden, k, random);
        transfer = new Transfer(scheme, from, related.rows(), sourceCounts, sourceSha256, o.pretrainEpochs(),
            pretrainLoss, related.classes().stream().map(c -> "P(" + c + ")").toList(), null);
      } else {
        // the transferred first layer learned on the source's scale, so the model keeps that scaling
        input = new Encoded(sourceEncoder);
        start = pretrained.withNewHead(k, random);
        transfer = new Transfer(scheme, from, related.rows(), sourceCounts, sourceSha256, o.pretrainEpochs(),
            pretrainLoss, null, hidden.length);
      }
    } else {
      input = new Encoded(MlpEncoder.fit(train.features(), realRows));
      start = NeuralNet.init(((Encoded) input).encoder().width(), hidden, k, random);
    }
    double[][] x = new double[in.resampled().x().length][];
    for (int i = 0; i < x.length; i++) {
      x[i] = input.of(in.resampled().x()[i]);
    }
    double[] weights = rowWeights(in.resampled().y(), k, options.classWeighting());
    int firstTrained = o.transfer() && o.scheme() == TransferScheme.FROZEN ? hidden.length : 0;
    NeuralNet net = start.train(x, in.resampled().y(), weights, o.epochs(), o.learningRate(), o.batchSize(), o.l2(),
        firstTrained, random);
    MlpEncoder encoder = input instanceof Stacked s ? s.encoder() : ((Encoded) input).encoder();
    Fit fit = new Fit(IMPLEMENTATION, transfer, net.loss(x, in.resampled().y(), weights),
        options.classWeighting() == ClassWeighting.BALANCED ? "n / (classes x class rows), on the rows fitted"
            : "none",
        encoder.asMap());
    return new MlpModel(in.features(), in.classes(), options, in.imputer(), null, in.provenance(fit), net, input);
  }

  /** The rarest class (the first of equal ones). */
  private static int rarest(FeatureTable t) {
    int[] counts = t.classCounts();
    int rare = 0;
    for (int c = 1; c < counts.length; c++) {
      if (counts[c] < counts[rare]) {
        rare = c;
      }
    }
    return rare;
  }

  /** The rows of every class but the rarest, relabelled over the remaining classes: the related, abundant task. */
  static FeatureTable relatedRows(FeatureTable train) {
    int rare = rarest(train);
    List<String> classes = new ArrayList<>(train.classes());
    classes.remove(rare);
    int n = train.rows() - train.classCounts()[rare];
    double[][] x = new double[n][];
    int[] y = new int[n];
    int m = 0;
    for (int i = 0; i < train.rows(); i++) {
      int c = train.y()[i];
      if (c != rare) {
        x[m] = train.x()[i];
        y[m++] = c < rare ? c : c - 1;
      }
    }
    return new FeatureTable(train.features(), classes, x, y);
  }

  /** Loss weight per row: 1, or n / (k x n_c) under BALANCED so every class weighs the same in total. */
  private static double[] rowWeights(int[] y, int k, ClassWeighting weighting) {
    double[] w = new double[y.length];
    Arrays.fill(w, 1);
    if (weighting == ClassWeighting.BALANCED) {
      int[] counts = new int[k];
      for (int c : y) {
        counts[c]++;
      }
      for (int i = 0; i < y.length; i++) {
        w[i] = (double) y.length / (k * counts[y[i]]);
      }
    }
    return w;
  }

  /** The network's softmax output of the encoded (and, when stacked, extended) row. */
  @Override
  double[] probabilities(double[] imputed) {
    return net.predict(input.of(imputed));
  }

  @Override
  MlpModel with(ProbabilityCalibration calibration, ModelProvenance provenance) {
    return new MlpModel(features(), classes(), options(), imputer(), calibration, provenance, net, input);
  }

  @Override
  public String explanationScale() {
    return null;
  }

  @Override
  public boolean explainable() {
    return false;
  }

  /** Refuses: see {@link #NOT_EXPLAINED}. */
  @Override
  public Explanation explain(double[] row, int cls, int topK) {
    if (topK < 1) {
      throw new IllegalArgumentException("topK must be >= 1, was " + topK);
    }
    throw new UnsupportedOperationException(NOT_EXPLAINED);
  }

  /** Refuses: see {@link #NOT_EXPLAINED}. */
  @Override
  public double[] meanAbsShap(double[][] rows) {
    throw new UnsupportedOperationException(NOT_EXPLAINED);
  }

  /** The network, for tests of the transfer mechanism. */
  NeuralNet network() {
    return net;
  }

  /** The stacked base network; null without stacking. */
  NeuralNet baseNetwork() {
    return input instanceof Stacked s ? s.baseNet() : null;
  }

  @Override
  public String toString() {
    return "MlpModel[" + describe() + ", hidden layers " + Arrays.toString(net.hidden()) + "]";
  }
}
