package io.medpipe.monitoring.drift;

/**
 * The predictions a monitor run looks at, as plain arrays in the model's feature and class order. An input carrier:
 * the arrays are read, never kept or changed.
 *
 * @param rows          feature values per prediction (NaN = missing, categorical values as level codes)
 * @param predicted     the class the served decision rule chose, -1 where the API made no automated decision (an
 *                      input too incomplete: its features and probabilities are logged, its class is not)
 * @param probabilities the calibrated probability per class
 * @param shap          SHAP value per feature of the explained class (a row is null where that prediction was not
 *                      explained), or null if no prediction in the window was explained
 * @param feedback      the clinician's class per prediction, -1 where none has arrived; null if no feedback at all
 */
public record Window(double[][] rows, int[] predicted, double[][] probabilities, double[][] shap, int[] feedback) {

  public Window {
    if (rows == null || predicted == null || probabilities == null) {
      throw new IllegalArgumentException("rows, predicted and probabilities are required");
    }
    if (predicted.length != rows.length || probabilities.length != rows.length) {
      throw new IllegalArgumentException("predicted and probabilities need one entry per row (" + rows.length + ")");
    }
    if (shap != null && shap.length != rows.length) {
      throw new IllegalArgumentException("shap needs one entry per row (" + rows.length + ")");
    }
    if (feedback != null && feedback.length != rows.length) {
      throw new IllegalArgumentException("feedback needs one entry per row (" + rows.length + ")");
    }
  }

  /** Number of predictions. */
  public int size() {
    return rows.length;
  }

  /** Number of answers without an automated decision ({@code predicted} -1). */
  public long undecided() {
    return java.util.Arrays.stream(predicted).filter(c -> c < 0).count();
  }
}
