package io.medpipe.training;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

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
@Validated
@ConfigurationProperties("medpipe.training")
public record TrainingProperties(@DefaultValue("42") long seed,
                                 @DefaultValue("200") @Min(1) int trees,
                                 @DefaultValue("0.25") @DecimalMin("0.05") @DecimalMax("0.5") double testFraction,
                                 @DefaultValue("49") @DecimalMin("1") @DecimalMax("10000") double rareMissCost,
                                 @DefaultValue("vector") @NotNull @Pattern(
                                     regexp = "(?i)none|platt|isotonic|vector") String calibration) {}
