package io.medpipe.dataset;

/** How a feature's value is encoded as a double in a {@link FeatureTable}. */
public enum FeatureType {
  /** A measurement; NaN means missing. */
  NUMERIC,
  /** A yes/no finding encoded 0 or 1. */
  BINARY,
  /** One of {@link Feature#levels()}, encoded as the level's index. */
  CATEGORICAL
}
