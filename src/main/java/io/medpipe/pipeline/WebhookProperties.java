package io.medpipe.pipeline;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The Alertmanager webhook's settings.
 *
 * @param token    the bearer token Alertmanager sends
 * @param coolDown how long after an alert started a run for the version in production (the champion) no other alert
 *                 starts one for it, whatever its alert group; {@code PT0S} turns the cool-down off. Default 24 hours:
 *                 one Develop and Staging run takes minutes, but its Medical QA review and approval take people's
 *                 hours, and a second run for the same champion meanwhile would only compete for the same reviewers.
 */
@Validated
@ConfigurationProperties("medpipe.webhook")
public record WebhookProperties(String token, @DefaultValue("PT24H") Duration coolDown) {

  public WebhookProperties {
    if (coolDown == null) {
      coolDown = Duration.ofHours(24);
    }
    if (coolDown.isNegative()) {
      throw new IllegalArgumentException("medpipe.webhook.cool-down must be zero (off) or positive, was " + coolDown);
    }
  }
}
