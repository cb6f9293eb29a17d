package io.medpipe.serving;

import io.medpipe.serving.PredictionApi.ModelDescription;
import io.medpipe.serving.PredictionApi.ModelInfo;
import io.medpipe.serving.PredictionApi.PredictionRequest;
import io.medpipe.serving.PredictionApi.PredictionResponse;
import io.medpipe.system.ApiProblems.ServiceUnavailableException;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/** The prediction API: production under {@code /api/v1}, staging under {@code /api/v1/staging}. */
@RestController
@ConditionalOnProperty(name = "medpipe.serving.enabled", havingValue = "true", matchIfMissing = true)
class PredictionController {

  private final PredictionService predictions;
  private final ModelSlots slots;

  PredictionController(PredictionService predictions, ModelSlots slots) {
    this.predictions = predictions;
    this.slots = slots;
  }

  @PostMapping(path = "/api/v1/predict", consumes = MediaType.APPLICATION_JSON_VALUE)
  PredictionResponse predict(@RequestBody PredictionRequest request,
                             @RequestHeader(name = "X-Client-Id", required = false) String client) {
    return predictions.predict(Slot.PRODUCTION, request, client);
  }

  @PostMapping(path = "/api/v1/staging/predict", consumes = MediaType.APPLICATION_JSON_VALUE)
  PredictionResponse predictStaging(@RequestBody PredictionRequest request,
                                    @RequestHeader(name = "X-Client-Id", required = false) String client) {
    return predictions.predict(Slot.STAGING, request, client);
  }

  @GetMapping("/api/v1/model")
  ModelDescription model() {
    return describe(Slot.PRODUCTION);
  }

  @GetMapping("/api/v1/staging/model")
  ModelDescription stagingModel() {
    return describe(Slot.STAGING);
  }

  private ModelDescription describe(Slot slot) {
    ModelSlots.Active active = slots.get(slot).orElseThrow(() -> new ServiceUnavailableException(
        "no model is deployed in the " + slot.id() + " slot yet"));
    var v = active.version();
    Object target = v.metrics() == null ? null : v.metrics().get("targetClass");
    return new ModelDescription(new ModelInfo(v.id(), v.name(), v.version()), slot.id(),
        target == null ? null : target.toString(), active.model().features(), active.model().classes(), v.metrics());
  }
}
