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

  /** Up to {@code medpipe.serving.max-batch} patients in one call. */
  public record BatchRequest(List<PredictionRequest> requests) {}

  /** The predictions of a batch, in request order. */
  public record BatchResponse(List<PredictionResponse> predictions) {}

  /**
   * One prediction. {@code predictedClass} is the model's validated decision, and {@code decisionRule} says how it
   * follows from {@code probabilities}: "least-expected-cost" (the cost matrix the model was trained and validated
   * with; threshold moving) or "argmax" (a model without one). For two classes, {@code thresholdClass} is predicted
   * exactly when its probability is greater than {@code decisionThreshold}; both are absent for more classes.
   * {@code decisionDescription} states the rule with its numbers for any number of classes. See {@link DecisionRule}.
   * {@code inputCompleteness} is the share of the model's features sent, each weighted by its global importance (mean
   * |SHAP| over training rows; equal weights for a model that records none); {@code decision} says whether the
   * answer is automated or, below the required completeness, {@value PredictionResponse#INSUFFICIENT_DATA}.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record PredictionResponse(UUID predictionId, String requestId, ModelInfo model, String slot,
                                   String predictedClass, Map<String, Double> probabilities, String decisionRule,
                                   Double decisionThreshold, String thresholdClass, String decisionDescription,
                                   Explanation explanation, double latencyMs, String decision,
                                   Double inputCompleteness) {

    /** {@value #AUTOMATED}: {@code predictedClass} is the model's decision. */
    public static final String AUTOMATED = "automated";
    /**
     * {@value #INSUFFICIENT_DATA}: the features sent carry less of the model's importance than the API requires
     * ({@code medpipe.serving.min-completeness}): no predicted class and no explanation, only the probabilities.
     */
    public static final String INSUFFICIENT_DATA = "insufficient-data";
  }

  public record ModelInfo(UUID id, String name, int version) {}

  /**
   * Why the model predicted what it did: TreeSHAP contributions for the predicted (decided) class. {@code baseValue} plus
   * the contributions of all features equals {@code modelOutput} on the stated {@code scale}. When
   * {@code explainsReturnedProbability} is true, {@code modelOutput} is the returned probability of the class and the
   * contributions add up to it; otherwise the scale says what they measure instead (the model's own score).
   */
  public record Explanation(String scale, double baseValue, double modelOutput, List<Contribution> contributions,
                            boolean explainsReturnedProbability) {}

  public record Contribution(String feature, Object value, double shap) {}

  /**
   * What a slot serves: the version, its features (the request schema), classes and decision rule ({@code costMatrix}
   * is {@code cost[truth][decided]}, null for argmax), what its explanations measure ({@code explanationScale}, null
   * for a model without one), and how an input's completeness is weighed and what it must reach for an automated
   * decision.
   */
  public record ModelDescription(ModelInfo model, String slot, String targetClass, List<Feature> features,
                                 List<String> classes, String decisionRule, Double decisionThreshold,
                                 String thresholdClass, String decisionDescription, List<List<Double>> costMatrix,
                                 String explanationScale,
                                 Map<String, Object> metrics, Map<String, Double> completenessWeights,
                                 double minCompleteness) {}

  /** A clinician's verdict on a prediction: accept it, or override it with the confirmed diagnosis. */
  public record FeedbackRequest(UUID predictionId, String verdict, String confirmedClass) {}

  public record FeedbackResponse(UUID feedbackId, UUID predictionId, String verdict, String confirmedClass) {}
}
