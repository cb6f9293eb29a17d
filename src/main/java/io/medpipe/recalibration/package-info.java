/**
 * Recalibration: the path a run takes when the drift policy found the rare class's prevalence shifted and nothing
 * else (label shift). The version in production (the champion) is re-based to the prior the monitor estimated, as a new
 * training run with lineage to the champion, then evaluated, validated, registered and approved like any other version
 * (develop.bpmn, "Re-base the champion to the new prior").
 */
package io.medpipe.recalibration;
