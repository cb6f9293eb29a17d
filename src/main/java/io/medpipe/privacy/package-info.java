/**
 * Privacy: the pseudonymisation step (keyed pseudonyms, generalised quasi-identifiers, k-anonymity, scrubbed notes),
 * which turns an identified EHR extract into a snapshot and deletes the extract, the shapes of identifiers the API
 * refuses, and the leak scan that searches everything medpipe writes outside schema {@code ehr} for any patient's
 * identifiers. Messages and incidents here name the kind and place of a finding, never its value.
 */
package io.medpipe.privacy;
