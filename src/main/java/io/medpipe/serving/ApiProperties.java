package io.medpipe.serving;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * API keys: the bootstrap admin key (manages the other keys) and the service key the workers' staging and smoke
 * tests use (role predict). Only their SHA-256 is kept in memory; demo mode generates both (files under dataDir).
 */
// here rather than in serving.security, its main reader: ServingProbe reads the service key and the security
// package reads ServingProperties, so keeping both records in serving avoids a serving <-> serving.security cycle
@Validated
@ConfigurationProperties("medpipe.api")
public record ApiProperties(String adminKey, String serviceKey,
                            @DefaultValue("PT30S") @NotNull Duration keyCacheTtl) {}
