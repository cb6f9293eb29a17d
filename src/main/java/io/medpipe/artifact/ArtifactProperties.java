package io.medpipe.artifact;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/** Where model artifacts live: a directory by default, a GCS bucket when one is named. */
@Validated
@ConfigurationProperties("medpipe.artifacts")
public record ArtifactProperties(String dir, String gcsBucket, @DefaultValue("medpipe") String gcsPrefix) {}
