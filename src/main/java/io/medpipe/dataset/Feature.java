package io.medpipe.dataset;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * One model input as clinicians know it: name, type, unit and the plausible range a request is checked against.
 *
 * @param name     the name used in snapshots, requests and explanations (snake_case)
 * @param type     how the value is encoded
 * @param unit     unit of a numeric feature, or null
 * @param min      smallest plausible value (numeric), inclusive
 * @param max      largest plausible value (numeric), inclusive
 * @param required whether a prediction request must carry it
 * @param levels   the allowed values of a categorical feature, in encoding order; empty otherwise
 */
public record Feature(String name, FeatureType type, String unit, double min, double max, boolean required,
                      List<String> levels)
    implements
      Serializable {

  public Feature {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    levels = levels == null ? List.of() : List.copyOf(levels);
    if (type == FeatureType.CATEGORICAL && levels.isEmpty()) {
      throw new IllegalArgumentException("categorical feature " + name + " needs levels");
    }
    if (type == FeatureType.NUMERIC && !(min <= max)) {
      throw new IllegalArgumentException("feature " + name + " has an empty range");
    }
  }

  public static Feature numeric(String name, String unit, double min, double max, boolean required) {
    return new Feature(name, FeatureType.NUMERIC, unit, min, max, required, List.of());
  }

  public static Feature binary(String name, boolean required) {
    return new Feature(name, FeatureType.BINARY, null, 0, 1, required, List.of());
  }

  public static Feature categorical(String name, List<String> levels, boolean required) {
    return new Feature(name, FeatureType.CATEGORICAL, null, 0, levels.size() - 1, required, levels);
  }
}
