package io.medpipe.registry;

import java.util.Map;
import java.util.Optional;

/**
 * A section another feature adds to a version's model card when the card is served: what it says arrives after the
 * card was stored at evaluation (the champion comparison in Staging, the sign-offs), so it is rendered at read time
 * from its own append-only records, never stored into the card. The registry knows only this interface, so the
 * features that add sections may depend on the registry and not the other way round.
 */
public interface ModelCardSection {

  /** The key of the section in the card's JSON, e.g. "changeRecord". */
  String key();

  /** The section of this version as JSON-ready values; empty when the section has nothing to say. */
  Optional<Map<String, Object>> json(ModelVersion version);

  /** The same section as an HTML fragment (escaped), inserted before the card's limitations. */
  String html(Map<String, Object> json);
}
