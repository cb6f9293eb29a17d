package io.medpipe.serving;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.medpipe.dataset.Feature;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The prediction API's request and response bodies. */
public final class PredictionApi {

  private PredictionApi() {}

  /**
   * One patient's clinical features by name, with an optional client request id and an optional pseudonymous
   * patient reference (never a name, MRN or other identifier).
   */
  public record PredictionRequest(Map<String, JsonNode> features, String requestId, String patientRef) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record PredictionResponse(UUID predictionId, String requestId, ModelInfo model, String slot,
                                   String predictedClass, Map<String, Double> probabilities, Explanation explanation,
                                   double latencyMs) {}

  public record ModelInfo(UUID id, String name, int version) {}

  /**
   * Why the model predicted what it did: TreeSHAP contributions for the predicted class. {@code baseValue} plus
   * the contributions of all features equals {@code modelOutput} on the stated scale.
   */
  public record Explanation(String scale, double baseValue, double modelOutput, List<Contribution> contributions) {}

  public record Contribution(String feature, Object value, double shap) {}

  /** What a slot serves: the version, its features (the request schema) and classes. */
  public record ModelDescription(ModelInfo model, String slot, String targetClass, List<Feature> features,
                                 List<String> classes, Map<String, Object> metrics) {}
}
