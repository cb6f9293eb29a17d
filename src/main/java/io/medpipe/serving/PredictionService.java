package io.medpipe.serving;

import io.medpipe.dataset.Feature;
import io.medpipe.privacy.IdentifierShapes;
import io.medpipe.privacy.PrivacyProperties;
import io.medpipe.privacy.Pseudonymizer;
import io.medpipe.serving.PredictionApi.Contribution;
import io.medpipe.serving.PredictionApi.ModelInfo;
import io.medpipe.serving.PredictionApi.PredictionRequest;
import io.medpipe.serving.PredictionApi.PredictionResponse;
import io.medpipe.system.ApiProblems.ServiceUnavailableException;
import io.medpipe.system.InvalidRequestException;
import io.medpipe.system.InvalidRequestException.FieldProblem;
import io.medpipe.training.model.Classifier;
import io.medpipe.training.model.Explanation;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Service;

/** Validates a request against the slot's model, predicts, explains, and records the prediction. */
@Service
@ConditionalOnProperty(name = "medpipe.serving.enabled", havingValue = "true", matchIfMissing = true)
public class PredictionService {

  /**
   * The default of {@code medpipe.serving.min-completeness}: an input must carry at least half of the model's
   * importance-weighted features for an automated decision.
   */
  static final double DEFAULT_MIN_COMPLETENESS = 0.5;

  /** A pseudonymous reference: short, no spaces, no '@' (an e-mail) and not all digits (a phone or an id). */
  private static final Pattern PATIENT_REF = Pattern.compile("(?=.*[A-Za-z])[A-Za-z0-9_.:-]{8,80}");
  /** A client request id: a token, never free text (free text can carry a name). */
  private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9_.:-]{1,100}");
  private static final String NEVER_AN_IDENTIFIER = "; send a pseudonymous token, never a record number, date, name "
      + "or contact detail";

  private final ModelSlots slots;
  private final PredictionRecorder recorder;
  /** Turns a client's patient reference into the keyed HMAC that is stored instead (medpipe.privacy.pseudonym-key). */
  private final Pseudonymizer references;
  private final int topFeatures;
  private final int maxBatch;
  /** Below this input completeness the API makes no automated decision ({@link InputCompleteness}). */
  private final double minCompleteness;
  /** medpipe.prediction.latency per slot, single requests apart from batches (a batch of 100 takes ~50x longer). */
  private final Map<Slot, Timer> singleTimers = new EnumMap<>(Slot.class);
  private final Map<Slot, Timer> batchTimers = new EnumMap<>(Slot.class);
  private final MeterRegistry meters;
  /** medpipe.predictions per slot and class, looked up once instead of built and registered on every prediction. */
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  PredictionService(ModelSlots slots, PredictionRecorder recorder, MeterRegistry meters,
                    ServingProperties serving, PrivacyProperties privacy,
                    @Value("${medpipe.serving.min-completeness:" + DEFAULT_MIN_COMPLETENESS
                        + "}") double minCompleteness) {
    if (!(minCompleteness >= 0 && minCompleteness <= 1)) {
      throw new IllegalArgumentException("medpipe.serving.min-completeness must be in [0, 1], was " + minCompleteness);
    }
    this.slots = slots;
    this.recorder = recorder;
    this.references = new Pseudonymizer(privacy.referenceKey());
    this.meters = meters;
    this.minCompleteness = minCompleteness;
    this.topFeatures = serving.topFeatures();
    this.maxBatch = serving.maxBatch();
    for (Slot slot : Slot.values()) {
      singleTimers.put(slot, Timer.builder("medpipe.prediction.latency").tag("slot", slot.id())
          .tag("request", "single").publishPercentileHistogram().register(meters));
      batchTimers.put(slot, Timer.builder("medpipe.prediction.latency").tag("slot", slot.id())
          .tag("request", "batch").publishPercentileHistogram().register(meters));
    }
  }

  public PredictionResponse predict(Slot slot, PredictionRequest request, String clientId) {
    return predict(slot, request, clientId, true);
  }

  /** One prediction; {@code explain=false} leaves out the explanation (cheaper, e.g. for bulk screening). */
  public PredictionResponse predict(Slot slot, PredictionRequest request, String clientId, boolean explain) {
    return predictAll(slot, List.of(request), clientId, "", explain).get(0);
  }

  /** A batch: every request is validated first (one 400 names every bad field of every request), then predicted. */
  public List<PredictionResponse> predictBatch(Slot slot, List<PredictionRequest> requests, String clientId,
                                               boolean explain) {
    if (requests == null || requests.isEmpty()) {
      throw new InvalidRequestException("requests", "must hold at least one request");
    }
    if (requests.size() > maxBatch) {
      throw new InvalidRequestException("requests", "holds " + requests.size() + " requests; at most " + maxBatch
          + " per batch");
    }
    return predictAll(slot, requests, clientId, "requests[%d].", explain);
  }

  private List<PredictionResponse> predictAll(Slot slot, List<PredictionRequest> requests, String clientId,
                                              String prefixFormat, boolean explain) {
    long start = System.nanoTime();
    ModelSlots.Active active = slots.get(slot).orElseThrow(() -> new ServiceUnavailableException(
        "no model is deployed in the " + slot.id() + " slot yet; run the pipeline to deploy one"));
    Classifier model = active.model();
    List<FieldProblem> problems = new ArrayList<>();
    List<RequestEncoder.Encoded> encoded = new ArrayList<>(requests.size());
    for (int i = 0; i < requests.size(); i++) {
      String prefix = prefixFormat.isEmpty() ? "" : prefixFormat.formatted(i);
      PredictionRequest request = requests.get(i);
      if (request == null) {
        problems.add(new FieldProblem(prefix.isEmpty() ? "$" : prefix.substring(0, prefix.length() - 1),
            "must be a request object"));
        encoded.add(null);
        continue;
      }
      if (request.patientRef() != null && !PATIENT_REF.matcher(request.patientRef()).matches()) {
        problems.add(new FieldProblem(prefix + "patientRef", "must be a pseudonymous reference (8-80 letters, "
            + "digits, '_.:-', at least one letter), never an identifier"));
      } else if (request.patientRef() != null) {
        IdentifierShapes.kind(request.patientRef()).ifPresent(kind -> problems.add(new FieldProblem(
            prefix + "patientRef", "looks like " + kind + NEVER_AN_IDENTIFIER)));
      }
      if (request.requestId() != null && !REQUEST_ID.matcher(request.requestId()).matches()) {
        problems.add(new FieldProblem(prefix + "requestId", "must be 1-100 letters, digits or '_.:-'"));
      } else if (request.requestId() != null) {
        IdentifierShapes.kind(request.requestId()).ifPresent(kind -> problems.add(new FieldProblem(
            prefix + "requestId", "looks like " + kind + NEVER_AN_IDENTIFIER)));
      }
      try {
        encoded.add(RequestEncoder.encode(model.features(), request.features()));
      } catch (InvalidRequestException e) {
        e.problems().forEach(p -> problems.add(new FieldProblem(prefix + p.field(), p.message())));
        encoded.add(null);
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidRequestException(problems);
    }
    ModelInfo info = new ModelInfo(active.version().id(), active.version().name(), active.version().version());
    DecisionRule rule = ruleOf(model);
    InputCompleteness completeness = completenessOf(model);
    List<PredictionResponse> responses = new ArrayList<>(requests.size());
    List<PredictionLog.Entry> entries = new ArrayList<>(requests.size());
    Instant now = Instant.now();
    for (int i = 0; i < requests.size(); i++) {
      PredictionResponse r = predictOne(model, info, rule, completeness, slot, requests.get(i), encoded.get(i), start,
          explain);
      responses.add(r);
      String ref = requests.get(i).patientRef();
      // the reference as sent is never stored: only its keyed HMAC (pseudonymous by construction)
      entries.add(new PredictionLog.Entry(r, encoded.get(i).values(), encoded.get(i).row(),
          shapByFeature(model.features(), r.explanation()), ref == null ? null : references.apiReference(ref),
          clientId, now));
    }
    recorder.record(entries); // acknowledged only once recorded (durability COMMIT) or queued (ASYNC)
    (prefixFormat.isEmpty() ? singleTimers : batchTimers).get(slot).record(System.nanoTime() - start,
        TimeUnit.NANOSECONDS);
    for (PredictionResponse r : responses) {
      String answered = r.predictedClass() == null ? r.decision() : r.predictedClass();
      counters.computeIfAbsent(slot.id() + '\u0000' + answered, key -> Counter.builder("medpipe.predictions")
          .tag("slot", slot.id()).tag("class", answered).register(meters)).increment();
    }
    return responses;
  }

  /**
   * Predicts one encoded request: the answered class is the model's validated decision ({@link Classifier#decide},
   * the cost matrix applied), never simply the most probable class, and the explanation explains that class. Below
   * the required input completeness there is no automated decision: no class, no explanation, the probabilities and
   * the reason only.
   */
  private PredictionResponse predictOne(Classifier model, ModelInfo info, DecisionRule rule,
                                        InputCompleteness completeness, Slot slot, PredictionRequest request,
                                        RequestEncoder.Encoded encoded, long start, boolean explain) {
    double[] proba = model.predictProba(encoded.row());
    double complete = completeness.of(encoded.row());
    if (complete < minCompleteness) {
      Map<String, Double> probabilities = new LinkedHashMap<>();
      for (int k = 0; k < proba.length; k++) {
        probabilities.put(model.classes().get(k), proba[k]);
      }
      String why = String.format(java.util.Locale.ROOT, "no automated decision: the features sent carry %.0f%% of "
          + "the model's feature importance (%s), below the %.0f%% required (medpipe.serving.min-completeness); send "
          + "more of the model's features (GET /api/v1/model lists them with their weights)", 100 * complete,
          completeness.source(), 100 * minCompleteness);
      return new PredictionResponse(UUID.randomUUID(), request.requestId(), info, slot.id(), null, probabilities,
          rule.rule(), rule.threshold(), rule.thresholdClass(), why, null, (System.nanoTime() - start) / 1e6,
          PredictionResponse.INSUFFICIENT_DATA, complete);
    }
    int decided = model.decide(proba);
    // a model without an exact explanation (an MLP deployed by hand) answers without one rather than failing
    Explanation why = explain && model.explainable()
        ? model.explain(encoded.row(), decided, topFeatures) : null;
    Map<String, Double> probabilities = new LinkedHashMap<>();
    for (int k = 0; k < proba.length; k++) {
      probabilities.put(model.classes().get(k), proba[k]);
    }
    List<Contribution> contributions = new ArrayList<>();
    List<Feature> features = model.features();
    for (var c : why == null ? List.<Explanation.Contribution>of() : why.top()) {
      int j = indexOf(features, c.feature());
      contributions.add(new Contribution(c.feature(), RequestEncoder.decode(features.get(j), encoded.row()[j]),
          c.shap()));
    }
    double latencyMs = (System.nanoTime() - start) / 1e6;
    return new PredictionResponse(UUID.randomUUID(), request.requestId(), info, slot.id(),
        model.classes().get(decided), probabilities, rule.rule(), rule.threshold(), rule.thresholdClass(),
        rule.description(),
        why == null ? null : new PredictionApi.Explanation(why.scale(), why.baseValue(), why.modelOutput(),
            contributions, why.onReturnedScale()),
        latencyMs, PredictionResponse.AUTOMATED, complete);
  }

  private record RuleOfModel(Classifier model, DecisionRule rule) {}

  /** The last model's rule; models change only on deployment, so this is computed once per model and slot switch. */
  private volatile RuleOfModel lastRule;

  private DecisionRule ruleOf(Classifier model) {
    RuleOfModel last = lastRule;
    if (last == null || last.model() != model) {
      last = new RuleOfModel(model, DecisionRule.of(model));
      lastRule = last;
    }
    return last.rule();
  }

  private record CompletenessOfModel(Classifier model, InputCompleteness completeness) {}

  /** The last model's completeness weights; computed once per model and slot switch, as the rule. */
  private volatile CompletenessOfModel lastCompleteness;

  private InputCompleteness completenessOf(Classifier model) {
    CompletenessOfModel last = lastCompleteness;
    if (last == null || last.model() != model) {
      last = new CompletenessOfModel(model, InputCompleteness.of(model));
      lastCompleteness = last;
    }
    return last.completeness();
  }

  /** The completeness weights of a model and the completeness the API requires, for the model description. */
  Map<String, Double> completenessWeights(Classifier model) {
    return completenessOf(model).byName(model.features());
  }

  double minCompleteness() {
    return minCompleteness;
  }

  /** The explanation's contributions in the model's feature order for the log (0 where not listed). */
  private static double[] shapByFeature(List<Feature> features, PredictionApi.Explanation explanation) {
    if (explanation == null) {
      return null;
    }
    double[] shap = new double[features.size()];
    for (Contribution c : explanation.contributions()) {
      shap[indexOf(features, c.feature())] = c.shap();
    }
    return shap;
  }

  private static int indexOf(List<Feature> features, String name) {
    for (int j = 0; j < features.size(); j++) {
      if (features.get(j).name().equals(name)) {
        return j;
      }
    }
    throw new IllegalStateException("explanation names a feature the model does not have");
  }
}
