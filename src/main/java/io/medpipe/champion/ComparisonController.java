package io.medpipe.champion;

import io.medpipe.registry.ModelRegistry;
import io.medpipe.system.ApiProblems.NotFoundException;
import java.util.Map;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * A version's comparison with the champion it was held against in Staging, for the Medical QA and production forms
 * and for auditors. Same access as the rest of {@code /api/v1/models/**} (io.medpipe.serving.security.ApiRoutes).
 */
@RestController
class ComparisonController {

  private final ModelRegistry registry;
  private final ChampionComparisons comparisons;

  ComparisonController(ModelRegistry registry, ChampionComparisons comparisons) {
    this.registry = registry;
    this.comparisons = comparisons;
  }

  /** The latest comparison of the version as a challenger, with the DMN's verdict once decided. */
  @GetMapping("/api/v1/models/{id}/champion-comparison")
  Map<String, Object> comparison(@PathVariable UUID id) {
    registry.find(id).orElseThrow(() -> new NotFoundException("id: no model version " + id));
    ChampionComparison c = comparisons.latestFor(id).orElseThrow(() -> new NotFoundException("id: model version " + id
        + " has not been compared with a champion (its run has not reached the comparison, or it was registered"
        + " before comparisons existed)"));
    return comparisons.view(c);
  }
}
