package io.medpipe.training.model;

/** How training compensates for unequal class sizes. */
public enum ClassWeighting {
  /** Every row counts the same: the majority class dominates the trees. */
  NONE,
  /** Every class counts the same in total, however many rows it has: the usual choice for a rare diagnosis. */
  BALANCED
}
