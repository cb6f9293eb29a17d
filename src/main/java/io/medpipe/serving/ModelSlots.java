package io.medpipe.serving;

import io.medpipe.registry.ModelRegistry;
import io.medpipe.registry.ModelVersion;
import io.medpipe.training.model.Classifier;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The models this API node serves, one per slot, swapped atomically when the slot table changes. A request
 * always sees one complete model: the reference is replaced only after the new model has loaded.
 */
@Component
@ConditionalOnProperty(name = "medpipe.serving.enabled", havingValue = "true", matchIfMissing = true)
public class ModelSlots {

  private static final Logger log = LoggerFactory.getLogger(ModelSlots.class);

  /** A loaded model and the registry version it is. */
  public record Active(ModelVersion version, Classifier model) {}

  private final Map<Slot, Active> active = new EnumMap<>(Slot.class);
  private final DeploymentService deployments;
  private final ModelRegistry registry;

  ModelSlots(DeploymentService deployments, ModelRegistry registry) {
    this.deployments = deployments;
    this.registry = registry;
  }

  public Optional<Active> get(Slot slot) {
    synchronized (active) {
      return Optional.ofNullable(active.get(slot));
    }
  }

  @Scheduled(initialDelay = 0, fixedDelayString = "${medpipe.serving.slot-poll-interval:PT2S}")
  void refreshAll() {
    for (Slot slot : Slot.values()) {
      try {
        refresh(slot);
      } catch (RuntimeException e) {
        // keep serving what is loaded; the deploy step itself verified the artifact before switching
        log.error("Cannot load the model for slot {}: {}", slot.id(), e.getMessage());
      }
    }
  }

  /**
   * One explained prediction of an all-missing (so all-imputed) row before the model takes traffic: it builds the
   * model's flattened forest for explanations, so the first real request does not pay for it.
   */
  private static void warmUp(Classifier model) {
    if (!model.explainable()) {
      return;
    }
    double[] row = new double[model.features().size()];
    java.util.Arrays.fill(row, Double.NaN);
    try {
      model.explain(row, 1);
    } catch (RuntimeException e) {
      // only a warm-up: the model is served regardless, and a real request would report the problem
      log.warn("Explanation warm-up failed: {}", e.getClass().getSimpleName());
    }
  }

  /** Loads the version the slot table names, if it is not the one already served. */
  public void refresh(Slot slot) {
    Optional<UUID> wanted = deployments.current(slot);
    Active current = get(slot).orElse(null);
    if (wanted.isEmpty()) {
      if (current != null) {
        log.info("Slot {} emptied (was {})", slot.id(), current.version().label());
        synchronized (active) {
          active.remove(slot);
        }
      }
      return;
    }
    if (current != null && current.version().id().equals(wanted.get())) {
      return;
    }
    ModelVersion version = registry.get(wanted.get());
    Active loaded = new Active(version, registry.load(version));
    warmUp(loaded.model());
    synchronized (active) {
      active.put(slot, loaded);
    }
    log.info("Slot {} now serves {}", slot.id(), version.label());
  }
}
