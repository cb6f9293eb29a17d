package io.medpipe.serving;

import io.medpipe.registry.ModelVersion;
import io.medpipe.serving.ServingProperties.Record.Durability;
import io.medpipe.training.model.Classifier;
import io.medpipe.training.model.TrainingOptions;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Registers the serving meters the way production does: the real {@link PredictionService} and
 * {@link PredictionRecorder} (durability commit) answer one prediction per slot, so the per-slot and per-class
 * meters and the commit wait have observations. For tests outside this package (OpsConfigTest).
 */
public final class ServingMeters {

  private ServingMeters() {}

  /** One prediction in each slot with a small forest; the prediction record is written to memory. */
  public static void registerByPredicting(MeterRegistry meters) {
    var table = PredictionServiceTest.table(200, 7);
    Classifier model = Classifier.fit(table, TrainingOptions.defaults(3).withTrees(10));
    PredictionLog log = new PredictionLog(null, null) {
      @Override
      void write(List<Entry> entries) {
        // kept nowhere: only the meters matter here
      }
    };
    var properties = PredictionRecorderTest.properties(Durability.COMMIT, 100);
    PredictionRecorder recorder = new PredictionRecorder(log, properties, meters);
    recorder.start();
    try {
      ModelVersion version = new ModelVersion(UUID.randomUUID(), "ops-test-model", 1, null, null, null,
          "RANDOM_FOREST", Map.of(), Map.of(), null, null, null, null, OffsetDateTime.now(),
          ModelVersion.Stage.PRODUCTION);
      ModelSlots slots = new ModelSlots(null, null) {
        @Override
        public Optional<Active> get(Slot slot) {
          return Optional.of(new Active(version, model));
        }
      };
      PredictionService service = new PredictionService(slots, recorder, meters, properties,
          PredictionRecorderTest.privacy(),
          PredictionService.DEFAULT_MIN_COMPLETENESS);
      for (Slot slot : Slot.values()) {
        service.predict(slot, PredictionServiceTest.request(table, 0), "ops-test", false);
      }
    } finally {
      recorder.stop();
    }
  }
}
