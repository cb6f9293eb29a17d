package io.medpipe.training.evaluation;

/**
 * Where a long search reports what it has done: every model it finished fitting, with how many it will fit in all,
 * so that a command line can show progress and an estimate of the time left. Called from the fitting threads.
 */
@FunctionalInterface
public interface Progress {

  /** Reports nothing. */
  Progress NONE = (stage, done, total) -> {};

  /**
   * One more model is fitted.
   *
   * @param stage what is being fitted, e.g. "outer fold 2/5, inner fold 1/3, XGBoost balanced weights"
   * @param done  models fitted so far in this search
   * @param total models the search fits in all
   */
  void fitted(String stage, int done, int total);
}
