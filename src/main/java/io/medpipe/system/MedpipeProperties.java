package io.medpipe.system;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import java.util.List;
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
    @Valid @DefaultValue Artifacts artifacts,
    @Valid @DefaultValue Api api) {

  /**
   * The external-task workers: whether this process runs them, the engine user they log in as, how often a failed
   * step is retried (then it becomes an incident), and the addresses (IP or CIDR) the workers log in from: there their
   * own login is never throttled by anybody else's failed logins (loopback: the in-process workers).
   */
  public record Worker(@DefaultValue("true") boolean enabled,
                       @DefaultValue("medpipe-worker") @NotBlank String user,
                       String password,
                       @DefaultValue("PT10M") @NotNull Duration trainingLockExtension,
                       @DefaultValue("2") @Min(0) int retries,
                       @DefaultValue("PT10S") @NotNull Duration retryDelay,
                       @DefaultValue({"127.0.0.0/8", "::1"}) List<String> addresses) {}

  /**
   * The pseudonymisation key (HMAC-SHA256 secret of snapshot pseudonyms, engine and workers only) and the reference
   * key (HMAC secret of the patient references the prediction API stores, shared by every node that serves the API).
   * Two keys, so that an API node, which never pseudonymises the EHR, cannot compute a snapshot's pseudonym from a
   * hospital identifier. Both differ per deployment and are never logged.
   */
  public record Privacy(String pseudonymKey, String referenceKey) {}

  /** The Alertmanager webhook's bearer token. */
  public record Webhook(String token) {}

  /**
   * The prediction API: the URL workers use to test it, how often API nodes re-read the serving slots, how many
   * contributions an explanation lists, the largest batch and request body, and the prediction record.
   */
  public record Serving(@DefaultValue("true") boolean enabled,
                        @DefaultValue("http://localhost:8080") @NotBlank String url,
                        @DefaultValue("PT2S") @NotNull Duration slotPollInterval,
                        @DefaultValue("5") @Min(1) int topFeatures,
                        @DefaultValue("100") @Min(1) int maxBatch,
                        @DefaultValue("262144") @Min(1024) long maxBodyBytes,
                        @Valid @DefaultValue Record record) {}

  /**
   * The prediction record's writer. {@code durability=commit}: a response is sent only after its row is committed
   * (group commit: one transaction per batch), so a crash loses no acknowledged prediction. {@code async}: the
   * response does not wait; a crash loses at most {@code queueCapacity} acknowledged predictions. Either way a
   * full queue answers 503, and a graceful shutdown writes everything queued.
   */
  public record Record(@DefaultValue("COMMIT") @NotNull Durability durability,
                       @DefaultValue("10000") @Min(1) int queueCapacity,
                       @DefaultValue("500") @Min(1) int batchSize,
                       @DefaultValue("P183D") @NotNull Duration retention,
                       @DefaultValue("0 30 3 * * *") @NotBlank String purgeCron) {

    /** When a prediction counts as recorded; see {@link Record}. */
    public enum Durability { COMMIT, ASYNC }
  }

  /**
   * API keys: the bootstrap admin key (manages the other keys) and the service key the workers' staging and smoke
   * tests use (role predict). Only their SHA-256 is kept in memory; demo mode generates both (files under dataDir).
   */
  public record Api(String adminKey, String serviceKey,
                    @DefaultValue("PT30S") @NotNull Duration keyCacheTtl) {}

  /** Scheduled retraining (off by default; the BPMN timer start reads {@code cron}). */
  public record Pipeline(@DefaultValue("false") boolean scheduleEnabled,
                         @DefaultValue("0 0 2 ? * MON") @NotBlank String scheduleCron) {}

  /**
   * Training defaults for the Develop stage.
   *
   * @param rareMissCost what missing the rare disease costs relative to a false alarm (1): the model flags a patient
   *                     when the calibrated probability exceeds 1 / (1 + rareMissCost), i.e. the clinic accepts up to
   *                     1 + rareMissCost confirmatory tests to find one case (see docs/training.md)
   * @param calibration  vector (every class, the default), platt or isotonic (the target class) or none: how the chosen
   *                     model's probabilities are mapped back to the natural prevalence (fitted on its out-of-fold
   *                     predictions from the candidate search)
   */
  public record Training(@DefaultValue("42") long seed,
                         @DefaultValue("200") @Min(1) int trees,
                         @DefaultValue("0.25") @DecimalMin("0.05") @DecimalMax("0.5") double testFraction,
                         @DefaultValue("49") @DecimalMin("1") @DecimalMax("10000") double rareMissCost,
                         @DefaultValue("vector") @NotNull @Pattern(regexp = "(?i)none|platt|isotonic|vector")
                         String calibration) {}

  /** Staging tests: how many known cases, how big a burst, and the latency a staging model must keep. */
  public record Staging(@DefaultValue("20") @Min(1) int integrationCases,
                        @DefaultValue("200") @Min(10) int burstRequests,
                        @DefaultValue("250") @Min(1) double maxP99Ms) {}

  /** Where model artifacts live: a directory by default, a GCS bucket when one is named. */
  public record Artifacts(String dir, String gcsBucket, @DefaultValue("medpipe") String gcsPrefix) {}
}
