package io.medpipe.serving;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The prediction API: the URL workers use to test it, how often API nodes re-read the serving slots, how many
 * contributions an explanation lists, the largest batch and request body, and the prediction record.
 */
@Validated
@ConfigurationProperties("medpipe.serving")
public record ServingProperties(@DefaultValue("true") boolean enabled,
                                @DefaultValue("http://localhost:8080") @NotBlank String url,
                                @DefaultValue("PT2S") @NotNull Duration slotPollInterval,
                                @DefaultValue("5") @Min(1) int topFeatures,
                                @DefaultValue("100") @Min(1) int maxBatch,
                                @DefaultValue("262144") @Min(1024) long maxBodyBytes,
                                @Valid @DefaultValue Record record) {

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
}
