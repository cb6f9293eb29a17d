package io.medpipe.system;

import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * medpipe's general settings under {@code medpipe.*}, validated at start-up: the data directory. Each feature's own
 * settings are a record of their own in the feature ({@code medpipe.worker}, {@code .privacy}, {@code .webhook},
 * {@code .pipeline}, {@code .serving}, {@code .api}, {@code .staging}, {@code .training}, {@code .artifacts}).
 * Secrets have no defaults: in the embedded demo mode {@link DemoDefaults} supplies generated ones, otherwise the
 * environment must.
 */
@Validated
@ConfigurationProperties("medpipe")
public record MedpipeProperties(@DefaultValue("./data") @NotBlank String dataDir) {}
