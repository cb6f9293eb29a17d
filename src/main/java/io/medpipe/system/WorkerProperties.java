package io.medpipe.system;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The external-task workers: whether this process runs them, the engine user they log in as, how often a failed
 * step is retried (then it becomes an incident), and the addresses (IP or CIDR) the workers log in from: there their
 * own login is never throttled by anybody else's failed logins (loopback: the in-process workers).
 */
// in system, not pipeline, because the engine's login throttle (RestSecurityConfiguration) reads it too and system
// depends on no other feature
@Validated
@ConfigurationProperties("medpipe.worker")
public record WorkerProperties(@DefaultValue("true") boolean enabled,
                               @DefaultValue("medpipe-worker") @NotBlank String user,
                               String password,
                               @DefaultValue("PT10M") @NotNull Duration trainingLockExtension,
                               @DefaultValue("2") @Min(0) int retries,
                               @DefaultValue("PT10S") @NotNull Duration retryDelay,
                               @DefaultValue( {"127.0.0.0/8", "::1"}) List<String> addresses){}
