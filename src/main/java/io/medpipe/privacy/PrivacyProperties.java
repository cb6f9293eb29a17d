package io.medpipe.privacy;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The pseudonymisation key (HMAC-SHA256 secret of snapshot pseudonyms, engine and workers only) and the reference
 * key (HMAC secret of the patient references the prediction API stores, shared by every node that serves the API).
 * Two keys, so that an API node, which never pseudonymises the EHR, cannot compute a snapshot's pseudonym from a
 * hospital identifier. Both differ per deployment and are never logged.
 */
@Validated
@ConfigurationProperties("medpipe.privacy")
public record PrivacyProperties(String pseudonymKey, String referenceKey) {}
