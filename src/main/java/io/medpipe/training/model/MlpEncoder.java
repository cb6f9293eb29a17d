package io.medpipe.training.model;

import io.medpipe.dataset.Feature;
import io.medpipe.dataset.FeatureType;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How an imputed {@link io.medpipe.dataset.FeatureTable} row becomes a network input: NUMERIC and BINARY values are
 * standardised with the mean and standard deviation of the training rows, a CATEGORICAL code becomes one indicator per
 * level (one-hot; a code is a name, not a quantity). Learned from training rows only and kept in the model, like the
 * imputation values, so serving encodes exactly as training did.
 */
final class MlpEncoder implements Serializable {

  @Serial private static final long serialVersionUID = 1L;

  private final List<Feature> features;
  private final double[] mean;
  private final double[] scale;
  /** First input column of each feature. */
  private final int[] offset;
  private final int width;

  private MlpEncoder(List<Feature> features, double[] mean, double[] scale, int[] offset, int width) {
    this.features = features;
    this.mean = mean;
    this.scale = scale;
    this.offset = offset;
    this.width = width;
  }

  /** Learns the scaling from complete (imputed) training rows. */
  static MlpEncoder fit(List<Feature> features, double[][] rows) {
    int p = features.size();
    double[] mean = new double[p];
    double[] scale = new double[p];
    int[] offset = new int[p];
    int width = 0;
    for (int j = 0; j < p; j++) {
      offset[j] = width;
      Feature f = features.get(j);
      if (f.type() == FeatureType.CATEGORICAL) {
        width += f.levels().size();
        continue;
      }
      width++;
      double sum = 0;
      for (double[] row : rows) {
        sum += row[j];
      }
      double m = rows.length == 0 ? 0 : sum / rows.length;
      double ss = 0;
      for (double[] row : rows) {
        ss += (row[j] - m) * (row[j] - m);
      }
      double sd = rows.length < 2 ? 0 : Math.sqrt(ss / (rows.length - 1));
      mean[j] = m;
      scale[j] = sd > 1e-12 ? sd : 1; // a constant column: centred only, it carries no signal anyway
    }
    return new MlpEncoder(List.copyOf(features), mean, scale, offset, width);
  }

  /** The number of network inputs. */
  int width() {
    return width;
  }

  /** One complete (imputed) row as network inputs. */
  double[] encode(double[] row) {
    double[] out = new double[width];
    for (int j = 0; j < features.size(); j++) {
      if (features.get(j).type() == FeatureType.CATEGORICAL) {
        long code = Math.round(row[j]);
        if (code >= 0 && code < features.get(j).levels().size()) {
          out[offset[j] + (int) code] = 1; // an unknown code stays all-zero: "none of the known levels"
        }
      } else {
        out[offset[j]] = (row[j] - mean[j]) / scale[j];
      }
    }
    return out;
  }

  double[][] encode(double[][] rows) {
    double[][] out = new double[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      out[i] = encode(rows[i]);
    }
    return out;
  }

  /** The scaling as names and values, for provenance. */
  Map<String, Object> asMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    List<String> oneHot = new ArrayList<>();
    Map<String, List<Double>> standardised = new LinkedHashMap<>();
    for (int j = 0; j < features.size(); j++) {
      Feature f = features.get(j);
      if (f.type() == FeatureType.CATEGORICAL) {
        oneHot.add(f.name());
      } else {
        standardised.put(f.name(), List.of(mean[j], scale[j]));
      }
    }
    map.put("rule", "NUMERIC and BINARY: (x - mean) / sd of the training rows after imputation; CATEGORICAL: one "
        + "indicator per level");
    map.put("meanAndSd", standardised);
    map.put("oneHot", oneHot);
    map.put("inputs", width);
    return map;
  }
}
