package io.medpipe.pipeline;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/** The Alertmanager webhook's bearer token. */
@Validated
@ConfigurationProperties("medpipe.webhook")
public record WebhookProperties(String token) {}
