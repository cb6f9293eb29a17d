package io.medpipe.monitoring;

import io.medpipe.monitoring.drift.DriftOptions;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The monitor's settings under {@code medpipe.monitoring.*}: when it runs, which window of the prediction log it
 * reads, and how it tests. Validated at start-up; docs/monitoring.md explains each choice.
 *
 * @param scheduleEnabled  run on the cron of the monitoring process's timer (suspended while off)
 * @param scheduleCron     Quartz-style cron of the timer start of processes/monitoring.bpmn
 * @param maxAge           the monitor counts as not running when its last run is older (exported for the alert)
 * @param windowLast       the window: the served version's last N production predictions (unless windowDuration)
 * @param windowDuration   if set, the window is the predictions of this last period instead of the last N
 * @param minimumWindow    below this many predictions nothing is tested ("too few predictions")
 * @param alpha            significance level on Benjamini-Hochberg-adjusted p-values
 * @param domainClassifier run the multivariate domain classifier
 * @param domainRowsPerSide rows per side the domain classifier draws at most (its subsampling rule: each side gives
 *                         min(reference rows, window rows, this) rows; 500 keeps a run near a second where the
 *                         core's 1,500 took about four times as long, and the AUC band is learned with the same
 *                         number, so a smaller sample does not raise false alarms)
 * @param bootstrapReplicates replicates of the prevalence interval
 * @param profileShapRows  held-out rows whose explanations the reference profile's mean |SHAP| is computed on
 * @param metricsRefresh   how often the Prometheus meters re-read the last finished run (never on a scrape)
 * @param seed             seed of every random draw of a run
 */
@Validated
@ConfigurationProperties("medpipe.monitoring")
public record MonitoringProperties(
                                   @DefaultValue("false") boolean scheduleEnabled,
                                   @DefaultValue("0 0 * * * ?") @NotBlank String scheduleCron,
                                   @DefaultValue("PT3H") @NotNull Duration maxAge,
                                   @DefaultValue("5000") @Min(2) int windowLast,
                                   Duration windowDuration,
                                   @DefaultValue("100") @Min(2) int minimumWindow,
                                   @DefaultValue("0.05") @DecimalMin("0.0001") @DecimalMax("0.5") double alpha,
                                   @DefaultValue("true") boolean domainClassifier,
                                   @DefaultValue("500") @Min(10) int domainRowsPerSide,
                                   @DefaultValue("200") @Min(20) int bootstrapReplicates,
                                   @DefaultValue("1000") @Min(0) int profileShapRows,
                                   @DefaultValue("PT30S") @NotNull Duration metricsRefresh,
                                   @DefaultValue("42") long seed) {

  /** The defaults, as an unbound instance (tests, command line, benchmarks). */
  public static MonitoringProperties defaults() {
    return new MonitoringProperties(false, "0 0 * * * ?", Duration.ofHours(3), 5000, null, 100, 0.05, true, 500, 200,
        1000, Duration.ofSeconds(30), 42);
  }

  /** The statistical core's options these settings stand for. */
  public DriftOptions driftOptions() {
    DriftOptions d = DriftOptions.defaults();
    return new DriftOptions(alpha, minimumWindow, d.wassersteinThreshold(), d.jensenShannonThreshold(),
        d.cohenHThreshold(), d.useLearnedBands(), d.targetClass(), bootstrapReplicates, d.intervalLevel(),
        d.prevalenceFactor(), domainClassifier, d.domainTrees(), d.domainMaxNodes(), d.domainFolds(),
        Math.max(domainRowsPerSide, d.domainFolds()), d.domainAucThreshold(), seed);
  }
}
