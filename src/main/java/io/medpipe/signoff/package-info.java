/**
 * Sign-offs and the evidence they sign: who completed a medical QA review or a production approval, taken from the
 * engine's authenticated user at completion and kept in {@code medpipe.sign_off}; the evidence the reviewer saw,
 * written once by the staging tests with a SHA-256 over its canonical JSON ({@code medpipe.evidence}); and the engine
 * plugin that guards both: a completion may set only its form's fields, only members of a task's group sign it,
 * and any change to a running pipeline around its tasks is refused or, for administrators, audited and voids the
 * run's sign-offs. docs/security.md tells the whole story.
 */
package io.medpipe.signoff;
