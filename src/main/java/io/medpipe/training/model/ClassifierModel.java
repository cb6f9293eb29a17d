package io.medpipe.training.model;

import io.medpipe.dataset.Feature;
import io.medpipe.training.calibration.ProbabilityCalibration;
import java.io.Serial;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import smile.classification.GradientTreeBoost;
import smile.classification.RandomForest;

/**
 * The serialised form of the single model class medpipe had before one type per algorithm: a forest, boosted trees or
 * a network in nullable fields, and provenance as a map. Kept only so that artifacts written then still load:
 * {@link ModelArtifact#read} resolves their class name to this one, whose fields are exactly the old ones, and
 * {@link #readResolve} turns each into the model type of its algorithm. Nothing creates it otherwise.
 *
 * @deprecated read-only compatibility with artifacts written before {@link Classifier}; never instantiated
 */
@Deprecated
final class ClassifierModel implements Serializable {

  @Serial private static final long serialVersionUID = 1L;

  // The fields of the old class, by name and type: Java serialisation fills them from the stream. Fields that the
  // writing version did not have yet (boosting, mlp, calibration) stay null.
  private List<Feature> features;
  private List<String> classes;
  private TrainingOptions options;
  private double[] imputation;
  private RandomForest forest;
  private GradientTreeBoost boosting;
  private double[] baseValues;
  private LinkedHashMap<String, Object> provenance;
  private Mlp mlp;
  private ProbabilityCalibration calibration;

  private ClassifierModel() {
    throw new UnsupportedOperationException("only read from old artifacts");
  }

  /** The old MLP part: network, input encoding and, when stacked, the base network. */
  record Mlp(NeuralNet net, MlpEncoder encoder, Base base) implements Serializable {
  }

  /** The old stacked base network and its encoding. */
  record Base(NeuralNet net, MlpEncoder encoder) implements Serializable {
  }

  /** The model type of the algorithm this old model holds, predicting, explaining and calibrated as it did. */
  @Serial
  private Object readResolve() {
    List<String> allMissing = provenance.get("imputationAllMissing") instanceof List<?> l
        ? l.stream().map(String::valueOf).toList() : List.of();
    Imputer imputer = new Imputer(imputation, allMissing);
    if (mlp != null) {
      MlpModel.Input input = mlp.base() == null ? new MlpModel.Encoded(mlp.encoder())
          : new MlpModel.Stacked(mlp.encoder(), mlp.base().net(), mlp.base().encoder());
      return new MlpModel(features, classes, options, imputer, calibration, provenance(mlpFit()), mlp.net(), input);
    }
    if (boosting != null) {
      GradientBoostingModel.Fit fit = new GradientBoostingModel.Fit(number(provenance.get("subsample"),
          GradientBoostingModel.SUBSAMPLE));
      return new GradientBoostingModel(features, classes, options, imputer, calibration, provenance(fit), boosting);
    }
    List<Integer> weights = provenance.get("smileClassWeight") instanceof List<?> w
        ? w.stream().map(v -> ((Number) v).intValue()).toList() : List.of();
    RandomForestModel.Fit fit = new RandomForestModel.Fit((int) number(provenance.get("mtryUsed"), 0), weights,
        number(provenance.get("oobAccuracy"), Double.NaN));
    return new RandomForestModel(features, classes, options, imputer, calibration, provenance(fit), forest,
        baseValues);
  }

  private ModelProvenance provenance(ModelProvenance.Details details) {
    return ModelProvenance.fromLegacyMap(provenance, options, details);
  }

  private MlpModel.Fit mlpFit() {
    Map<?, ?> m = provenance.get("mlp") instanceof Map<?, ?> map ? map : Map.of();
    MlpModel.Transfer transfer = null;
    if (m.get("transfer") instanceof Map<?, ?> t) {
      Map<String, Integer> counts = new LinkedHashMap<>();
      if (t.get("sourceClassCounts") instanceof Map<?, ?> c) {
        c.forEach((k, v) -> counts.put(String.valueOf(k), ((Number) v).intValue()));
      }
      transfer = new MlpModel.Transfer(String.valueOf(t.get("scheme")), String.valueOf(t.get("source")),
          (int) number(t.get("sourceRows"), 0), counts, String.valueOf(t.get("sourceSha256")),
          (int) number(t.get("pretrainEpochs"), 0), number(t.get("pretrainLoss"), Double.NaN),
          t.get("stackedInputs") instanceof List<?> s ? s.stream().map(String::valueOf).toList() : null,
          t.get("transferredLayers") instanceof Number n ? n.intValue() : null);
    }
    Map<String, Object> encoding = new LinkedHashMap<>();
    if (m.get("encoding") instanceof Map<?, ?> e) {
      e.forEach((k, v) -> encoding.put(String.valueOf(k), v));
    }
    return new MlpModel.Fit(String.valueOf(m.get("implementation")), transfer, number(m.get("trainLoss"), Double.NaN),
        String.valueOf(m.get("lossClassWeights")), encoding);
  }

  private static double number(Object o, double otherwise) {
    return o instanceof Number n ? n.doubleValue() : otherwise;
  }
}
