package io.medpipe.serving;

import io.medpipe.serving.PredictionApi.BatchRequest;
import io.medpipe.serving.PredictionApi.BatchResponse;
import io.medpipe.serving.PredictionApi.FeedbackRequest;
import io.medpipe.serving.PredictionApi.FeedbackResponse;
import io.medpipe.serving.PredictionApi.ModelDescription;
import io.medpipe.serving.PredictionApi.ModelInfo;
import io.medpipe.serving.PredictionApi.PredictionRequest;
import io.medpipe.serving.PredictionApi.PredictionResponse;
import io.medpipe.system.ApiProblems.ServiceUnavailableException;
import java.security.Principal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * The prediction API: production under {@code /api/v1}, staging under {@code /api/v1/staging}; feedback, the audit
 * query and the redaction of the prediction record. Authentication and roles: {@code io.medpipe.serving.security}
 * (the caller's {@link Principal} is the API key's client id).
 */
@RestController
@ConditionalOnProperty(name = "medpipe.serving.enabled", havingValue = "true", matchIfMissing = true)
class PredictionController {

  private final PredictionService predictions;
  private final PredictionAudit audit;
  private final ModelSlots slots;
  private final PredictionRedactions redactions;
  private final KillSwitch killSwitch;

  PredictionController(PredictionService predictions, PredictionAudit audit, ModelSlots slots,
                       PredictionRedactions redactions, KillSwitch killSwitch) {
    this.predictions = predictions;
    this.audit = audit;
    this.slots = slots;
    this.redactions = redactions;
    this.killSwitch = killSwitch;
  }

  @PostMapping(path = "/api/v1/predict", consumes = MediaType.APPLICATION_JSON_VALUE)
  PredictionResponse predict(@RequestBody PredictionRequest request,
                             @RequestParam(defaultValue = "true") boolean explain, Principal caller) {
    killSwitch.requireServing();
    return predictions.predict(Slot.PRODUCTION, request, client(caller), explain);
  }

  @PostMapping(path = "/api/v1/predict/batch", consumes = MediaType.APPLICATION_JSON_VALUE)
  BatchResponse predictBatch(@RequestBody BatchRequest request,
                             @RequestParam(defaultValue = "true") boolean explain, Principal caller) {
    killSwitch.requireServing();
    return new BatchResponse(predictions.predictBatch(Slot.PRODUCTION, request.requests(), client(caller), explain));
  }

  @PostMapping(path = "/api/v1/staging/predict", consumes = MediaType.APPLICATION_JSON_VALUE)
  PredictionResponse predictStaging(@RequestBody PredictionRequest request,
                                    @RequestParam(defaultValue = "true") boolean explain, Principal caller) {
    return predictions.predict(Slot.STAGING, request, client(caller), explain);
  }

  @PostMapping(path = "/api/v1/staging/predict/batch", consumes = MediaType.APPLICATION_JSON_VALUE)
  BatchResponse predictStagingBatch(@RequestBody BatchRequest request,
                                    @RequestParam(defaultValue = "true") boolean explain, Principal caller) {
    return new BatchResponse(predictions.predictBatch(Slot.STAGING, request.requests(), client(caller), explain));
  }

  @GetMapping("/api/v1/model")
  ModelDescription model() {
    return describe(Slot.PRODUCTION);
  }

  @GetMapping("/api/v1/staging/model")
  ModelDescription stagingModel() {
    return describe(Slot.STAGING);
  }

  @PostMapping(path = "/api/v1/feedback", consumes = MediaType.APPLICATION_JSON_VALUE)
  @ResponseStatus(HttpStatus.CREATED)
  FeedbackResponse feedback(@RequestBody FeedbackRequest request, Principal caller) {
    return audit.feedback(request, client(caller));
  }

  @GetMapping("/api/v1/predictions")
  PredictionAudit.Page recorded(@RequestParam(required = false) Instant from,
                                @RequestParam(required = false) Instant to,
                                @RequestParam(required = false) UUID modelVersion,
                                @RequestParam(defaultValue = "0") int page,
                                @RequestParam(defaultValue = "50") int size) {
    return audit.query(from, to, modelVersion, page, size);
  }

  /**
   * Removes the patient reference and request id of recorded predictions (e.g. a client sent an identifier there);
   * audited: who, when, why and how many.
   */
  @PostMapping(path = "/api/v1/admin/predictions/redactions", consumes = MediaType.APPLICATION_JSON_VALUE)
  @ResponseStatus(HttpStatus.CREATED)
  PredictionRedactions.Redaction redact(@RequestBody PredictionRedactions.Request request, Principal caller) {
    return redactions.redact(request, client(caller));
  }

  /** The redactions made so far, newest first. */
  @GetMapping("/api/v1/admin/predictions/redactions")
  List<PredictionRedactions.Redaction> redactions() {
    return redactions.list();
  }

  private static String client(Principal caller) {
    return caller == null ? null : caller.getName();
  }

  private ModelDescription describe(Slot slot) {
    ModelSlots.Active active = slots.get(slot).orElseThrow(() -> new ServiceUnavailableException(
        "no model is deployed in the " + slot.id() + " slot yet"));
    var v = active.version();
    Object target = v.metrics() == null ? null : v.metrics().get("targetClass");
    DecisionRule rule = DecisionRule.of(active.model());
    return new ModelDescription(new ModelInfo(v.id(), v.name(), v.version()), slot.id(),
        target == null ? null : target.toString(), active.model().features(), active.model().classes(),
        rule.rule(), rule.threshold(), rule.thresholdClass(), rule.description(), rule.costMatrix(),
        active.model().explanationScale(), v.metrics(), predictions.completenessWeights(active.model()),
        predictions.minCompleteness());
  }
}
