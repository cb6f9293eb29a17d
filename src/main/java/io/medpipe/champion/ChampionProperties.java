package io.medpipe.champion;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the champion-against-challenger comparison in Staging. The margins the challenger is held to are not
 * here: they are rows of {@code processes/champion-challenger.dmn}, editable without code.
 *
 * @param replicates    resamples of the paired bootstrap (each one scores both models on the same draw)
 * @param seed          the bootstrap's seed, recorded with every comparison, so a comparison can be recomputed exactly
 * @param minRareCases  fewer labelled rare cases than this among the compared rows and the comparison is reported as
 *                      "too few rare cases" (no intervals); the DMN table decides what that means
 */
@Validated
@ConfigurationProperties("medpipe.champion")
public record ChampionProperties(@DefaultValue("2000") @Min(100) @Max(100_000) int replicates,
                                 @DefaultValue("20240611") long seed,
                                 @DefaultValue("10") @Min(1) int minRareCases) {}
