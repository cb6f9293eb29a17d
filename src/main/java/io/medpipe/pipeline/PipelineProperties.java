package io.medpipe.pipeline;

import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/** Scheduled retraining (off by default; the BPMN timer start reads {@code cron}). */
@Validated
@ConfigurationProperties("medpipe.pipeline")
public record PipelineProperties(@DefaultValue("false") boolean scheduleEnabled,
                                 @DefaultValue("0 0 2 ? * MON") @NotBlank String scheduleCron) {}
