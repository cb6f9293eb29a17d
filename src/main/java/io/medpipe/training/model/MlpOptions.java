package io.medpipe.training.model;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The validated hyper-parameters of a multi-layer perceptron ({@link Algorithm#MLP}): ReLU hidden layers, a softmax
 * output, mini-batch Adam on (class-weighted) cross-entropy with L2 weight decay.
 *
 * <p>Transfer learning: with {@code pretrainEpochs > 0} a network is first trained on a related task with abundant
 * labels, then used on the task itself as {@code scheme} says: its hidden layers fine-tuned under a new output layer
 * (every layer, or the output layer only), or, stacked, its outputs fed to a new network as extra inputs. The related task is a source table handed to
 * {@link MlpModel#fit(io.medpipe.dataset.FeatureTable, TrainingOptions, io.medpipe.dataset.FeatureTable)} (e.g.
 * a large cohort where HCM and CKD are coded), or, without one, the training rows of every class except the rarest,
 * i.e. the abundant related diagnoses, without the rare one.
 *
 * @param hidden         units of each hidden layer, 1..3 layers of 1..1024 units
 * @param epochs         passes over the training rows (fine-tuning epochs under transfer), 1..10000
 * @param learningRate   Adam's step size, in (0, 1]
 * @param batchSize      rows per gradient step, 1..4096
 * @param l2             weight decay on the weights (not the biases), >= 0
 * @param pretrainEpochs passes over the related task before fine-tuning; 0 = no transfer
 * @param scheme         how the pre-trained network is used; null = {@link TransferScheme#FINE_TUNE}
 */
public record MlpOptions(List<Integer> hidden, int epochs, double learningRate, int batchSize, double l2,
                         int pretrainEpochs, TransferScheme scheme)
    implements
      Serializable {

  public static final List<Integer> DEFAULT_HIDDEN = List.of(32, 16);
  public static final int DEFAULT_EPOCHS = 60;
  public static final double DEFAULT_LEARNING_RATE = 0.003;
  public static final int DEFAULT_BATCH_SIZE = 32;
  public static final double DEFAULT_L2 = 1e-4;

  public MlpOptions {
    if (hidden == null || hidden.isEmpty() || hidden.size() > 3) {
      throw new IllegalArgumentException("hidden must list 1..3 layer sizes, was " + hidden);
    }
    hidden = List.copyOf(hidden);
    for (int units : hidden) {
      if (units < 1 || units > 1024) {
        throw new IllegalArgumentException("a hidden layer must have 1..1024 units, was " + units);
      }
    }
    if (epochs < 1 || epochs > 10_000) {
      throw new IllegalArgumentException("epochs must be in 1..10000, was " + epochs);
    }
    if (!(learningRate > 0 && learningRate <= 1)) {
      throw new IllegalArgumentException("learningRate must be in (0, 1], was " + learningRate);
    }
    if (batchSize < 1 || batchSize > 4096) {
      throw new IllegalArgumentException("batchSize must be in 1..4096, was " + batchSize);
    }
    if (!(l2 >= 0 && l2 < 1)) {
      throw new IllegalArgumentException("l2 must be in [0, 1), was " + l2);
    }
    if (pretrainEpochs < 0 || pretrainEpochs > 10_000) {
      throw new IllegalArgumentException("pretrainEpochs must be in 0..10000, was " + pretrainEpochs);
    }
    if (scheme == null) {
      scheme = TransferScheme.FINE_TUNE;
    }
    if (scheme != TransferScheme.FINE_TUNE && pretrainEpochs == 0) {
      throw new IllegalArgumentException("transfer scheme " + scheme + " needs pre-training (pretrainEpochs > 0)");
    }
  }

  /** Two hidden layers of 32 and 16 units, 60 epochs, no transfer. */
  public static MlpOptions defaults() {
    return new MlpOptions(DEFAULT_HIDDEN, DEFAULT_EPOCHS, DEFAULT_LEARNING_RATE, DEFAULT_BATCH_SIZE, DEFAULT_L2, 0,
        TransferScheme.FINE_TUNE);
  }

  public MlpOptions withEpochs(int epochs) {
    return new MlpOptions(hidden, epochs, learningRate, batchSize, l2, pretrainEpochs, scheme);
  }

  /** Transfer learning: pre-train for {@code epochs} on the related task first (0 = none). */
  public MlpOptions withPretraining(int epochs) {
    return new MlpOptions(hidden, this.epochs, learningRate, batchSize, l2, epochs,
        epochs > 0 ? scheme : TransferScheme.FINE_TUNE);
  }

  /** How the pre-trained network is used (needs {@link #withPretraining} first, except FINE_TUNE). */
  public MlpOptions withScheme(TransferScheme scheme) {
    return new MlpOptions(hidden, epochs, learningRate, batchSize, l2, pretrainEpochs, scheme);
  }

  public boolean transfer() {
    return pretrainEpochs > 0;
  }

  Map<String, Object> asMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("hidden", hidden);
    map.put("epochs", epochs);
    map.put("learningRate", learningRate);
    map.put("batchSize", batchSize);
    map.put("l2", l2);
    map.put("pretrainEpochs", pretrainEpochs);
    map.put("transferScheme", transfer() ? scheme.name() : "none");
    return map;
  }
}
