package io.medpipe.registry;

import io.medpipe.system.ApiProblems.NotFoundException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** Read access to the registry for reviewers and auditors: a version's lineage, metrics and stage history. */
@RestController
class ModelController {

  private final ModelRegistry registry;

  ModelController(ModelRegistry registry) {
    this.registry = registry;
  }

  @GetMapping("/api/v1/models/{id}")
  Map<String, Object> version(@PathVariable UUID id) {
    ModelVersion version = registry.find(id).orElseThrow(() -> new NotFoundException("no model version " + id));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("version", version);
    body.put("label", version.label());
    body.put("stageHistory", registry.history(id));
    return body;
  }
}
