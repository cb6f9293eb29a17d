/**
 * The model card of a training run (JSON and self-contained HTML), rendered from the model's provenance, the
 * candidate selection and the held-out evaluation, and the clinical validation that is added to it once the DMN
 * decision has run.
 *
 * <p>Open to other features (a Spring Modulith named interface): the workers record the clinical validation and the
 * command line writes cards through it.
 */
@org.springframework.modulith.NamedInterface("card")
package io.medpipe.training.card;
