/**
 * The EHR feature: the identified clinical record (schema ehr), the synthetic cohort that fills it, and the
 * spec-driven extraction that turns it into identified rows for the pseudonymisation step. Everything here is
 * personal health information; logs carry counts and ids of extracts, never a patient identifier.
 */
package io.medpipe.ehr;
