package io.medpipe.serving;

import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/** Staging tests: how many known cases, how big a burst, and the latency a staging model must keep. */
@Validated
@ConfigurationProperties("medpipe.staging")
public record StagingProperties(@DefaultValue("20") @Min(1) int integrationCases,
                                @DefaultValue("200") @Min(10) int burstRequests,
                                @DefaultValue("250") @Min(1) double maxP99Ms) {}
