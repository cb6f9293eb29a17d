package io.medpipe.registry;

import io.medpipe.dataset.FeatureTable;
import io.medpipe.training.model.Classifier;

/**
 * What computes a version's reference profile at registration: the monitoring feature provides it, the registry
 * stores the result as canonical JSON with its SHA-256 without knowing its shape (so the registry does not depend on
 * the monitor that depends on it).
 */
public interface VersionProfiler {

  /**
   * The canonical JSON of {@code model}'s reference profile on {@code heldOut}, the rows it was evaluated on.
   */
  String profileJson(Classifier model, FeatureTable heldOut);
}
