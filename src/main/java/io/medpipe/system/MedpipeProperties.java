package io.medpipe.system;

import jakarta.validation.Valid;
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
 * medpipe's settings under {@code medpipe.*}, validated at start-up. Secrets have no defaults here: in the
 * embedded demo mode {@link DemoDefaults} supplies generated ones, otherwise the environment must.
 */
@Validated
@ConfigurationProperties("medpipe")
public record MedpipeProperties(
    @DefaultValue("./data") @NotBlank String dataDir,
    @Valid @DefaultValue Worker worker,
    @Valid @DefaultValue Privacy privacy,
    @Valid @DefaultValue Webhook webhook,
    @Valid @DefaultValue Serving serving,
    @Valid @DefaultValue Pipeline pipeline,
    @Valid @DefaultValue Training training,
    @Valid @DefaultValue Staging staging,
    @Valid @DefaultValue Artifacts artifacts) {

  /**
   * The external-task workers: whether this process runs them, the engine user they log in as, and how often a
   * failed step is retried (then it becomes an incident).
   */
  public record Worker(@DefaultValue("true") boolean enabled,
                       @DefaultValue("medpipe-worker") @NotBlank String user,
                       String password,
                       @DefaultValue("PT10M") @NotNull Duration trainingLockExtension,
                       @DefaultValue("2") @Min(0) int retries,
                       @DefaultValue("PT10S") @NotNull Duration retryDelay) {}

  /** The pseudonymisation key: HMAC-SHA256 secret, different per deployment, never logged. */
  public record Privacy(String pseudonymKey) {}

  /** The Alertmanager webhook's bearer token. */
  public record Webhook(String token) {}

  /** The prediction API: the URL workers use to test it, and how often API nodes re-read the serving slots. */
  public record Serving(@DefaultValue("true") boolean enabled,
                        @DefaultValue("http://localhost:8080") @NotBlank String url,
                        @DefaultValue("PT2S") @NotNull Duration slotPollInterval,
                        @DefaultValue("5") @Min(1) int topFeatures) {}

  /** Scheduled retraining (off by default; the BPMN timer start reads {@code cron}). */
  public record Pipeline(@DefaultValue("false") boolean scheduleEnabled,
                         @DefaultValue("0 0 2 ? * MON") @NotBlank String scheduleCron) {}

  /** Training defaults for the Develop stage. */
  public record Training(@DefaultValue("42") long seed,
                         @DefaultValue("200") @Min(1) int trees,
                         @DefaultValue("0.25") @DecimalMin("0.05") @DecimalMax("0.5") double testFraction) {}

  /** Staging tests: how many known cases, how big a burst, and the latency a staging model must keep. */
  public record Staging(@DefaultValue("20") @Min(1) int integrationCases,
                        @DefaultValue("200") @Min(10) int burstRequests,
                        @DefaultValue("250") @Min(1) double maxP99Ms) {}

  /** Where model artifacts live: a directory by default, a GCS bucket when one is named. */
  public record Artifacts(String dir, String gcsBucket, @DefaultValue("medpipe") String gcsPrefix) {}
}
