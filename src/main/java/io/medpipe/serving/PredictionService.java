package io.medpipe.serving;

import io.medpipe.dataset.Feature;
import io.medpipe.serving.PredictionApi.Contribution;
import io.medpipe.serving.PredictionApi.ModelInfo;
import io.medpipe.serving.PredictionApi.PredictionRequest;
import io.medpipe.serving.PredictionApi.PredictionResponse;
import io.medpipe.system.ApiProblems.ServiceUnavailableException;
import io.medpipe.system.InvalidRequestException;
import io.medpipe.system.MedpipeProperties;
import io.medpipe.training.ClassifierModel;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Service;

/** Validates a request against the slot's model, predicts, explains, and records the prediction. */
@Service
@ConditionalOnProperty(name = "medpipe.serving.enabled", havingValue = "true", matchIfMissing = true)
public class PredictionService {

  /** A pseudonymous reference: short, no spaces, no '@' (an e-mail) and not all digits (a phone or an id). */
  private static final Pattern PATIENT_REF = Pattern.compile("(?=.*[A-Za-z])[A-Za-z0-9_.:-]{8,80}");

  private final ModelSlots slots;
  private final PredictionLog log;
  private final MeterRegistry meters;
  private final int topFeatures;

  PredictionService(ModelSlots slots, PredictionLog log, MeterRegistry meters, MedpipeProperties properties) {
    this.slots = slots;
    this.log = log;
    this.meters = meters;
    this.topFeatures = properties.serving().topFeatures();
  }

  public PredictionResponse predict(Slot slot, PredictionRequest request, String clientId) {
    long start = System.nanoTime();
    ModelSlots.Active active = slots.get(slot).orElseThrow(() -> new ServiceUnavailableException(
        "no model is deployed in the " + slot.id() + " slot yet; run the pipeline to deploy one"));
    if (request.patientRef() != null && !PATIENT_REF.matcher(request.patientRef()).matches()) {
      throw new InvalidRequestException("patientRef",
          "must be a pseudonymous reference (8-80 letters, digits, '_.:-', at least one letter), never an identifier");
    }
    if (request.requestId() != null && request.requestId().length() > 100) {
      throw new InvalidRequestException("requestId", "must be at most 100 characters");
    }
    ClassifierModel model = active.model();
    RequestEncoder.Encoded encoded = RequestEncoder.encode(model.features(), request.features());
    double[] proba = model.predictProba(encoded.row());
    io.medpipe.training.Explanation why = model.explain(encoded.row(), topFeatures);
    Map<String, Double> probabilities = new LinkedHashMap<>();
    for (int k = 0; k < proba.length; k++) {
      probabilities.put(model.classes().get(k), proba[k]);
    }
    int predicted = ClassifierModel.argMax(proba);
    List<Contribution> contributions = new ArrayList<>();
    for (var c : why.top()) {
      Feature f = model.features().stream().filter(x -> x.name().equals(c.feature())).findFirst().orElseThrow();
      contributions.add(new Contribution(c.feature(), RequestEncoder.decode(f, encoded.row()[model.features().indexOf(f)]), c.shap()));
    }
    double latencyMs = (System.nanoTime() - start) / 1e6;
    PredictionResponse response = new PredictionResponse(UUID.randomUUID(), request.requestId(),
        new ModelInfo(active.version().id(), active.version().name(), active.version().version()), slot.id(),
        model.classes().get(predicted), probabilities,
        new PredictionApi.Explanation(why.scale(), why.baseValue(), why.modelOutput(), contributions), latencyMs);
    log.record(response, encoded.values(), request.patientRef(), clientId);
    Timer.builder("medpipe.prediction.latency").tag("slot", slot.id()).publishPercentileHistogram()
        .register(meters).record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
    meters.counter("medpipe.predictions", "slot", slot.id(), "class", response.predictedClass()).increment();
    return response;
  }

}
