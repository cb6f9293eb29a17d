/**
 * Champion against challenger: in Staging, the new version (challenger) and the version in production (champion)
 * are scored on the same labelled patients the challenger did not train on; a paired bootstrap gives the differences
 * in the rare class's recall and AUPRC with 95% intervals, and the DMN table {@code processes/champion-challenger.dmn}
 * decides whether Medical QA sees the challenger. Comparisons are stored (aggregates only) and served under
 * {@code /api/v1/models/{id}/champion-comparison}.
 */
package io.medpipe.champion;
