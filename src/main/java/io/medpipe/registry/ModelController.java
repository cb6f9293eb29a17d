package io.medpipe.registry;

import com.fasterxml.jackson.core.type.TypeReference;
import io.medpipe.system.ApiProblems.NotFoundException;
import io.medpipe.system.Json;
import io.medpipe.training.TrainingRuns;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * Read access to the registry for reviewers and auditors: a version's lineage, metrics and stage history. Callers need
 * an admin API key or a Camunda web app login of a medpipe group (io.medpipe.serving.security.ApiRoutes).
 */
@RestController
class ModelController {

  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private final ModelRegistry registry;
  private final TrainingRuns training;
  private final Json json;
  private final List<ModelCardSection> sections;

  ModelController(ModelRegistry registry, TrainingRuns training, Json json,
                  ObjectProvider<ModelCardSection> sections) {
    this.registry = registry;
    this.training = training;
    this.json = json;
    this.sections = sections.orderedStream().toList();
  }

  /**
   * The version's model card (HTML with inline SVG curves), for the Medical QA reviewer: the card stored at evaluation
   * with the sections written later (the change record) inserted before its limitations.
   */
  @GetMapping(value = "/api/v1/models/{id}/card", produces = MediaType.TEXT_HTML_VALUE)
  String card(@PathVariable UUID id) {
    ModelVersion version = registry.find(id).orElseThrow(() -> new NotFoundException("no model version " + id));
    String html = training.modelCardHtml(version.trainingRunId())
        .orElseThrow(() -> new NotFoundException("model version " + id + " has no model card (not evaluated)"));
    StringBuilder added = new StringBuilder();
    for (ModelCardSection section : sections) {
      section.json(version).ifPresent(s -> added.append(section.html(s)));
    }
    int at = html.indexOf("<h2>Limitations</h2>");
    at = at >= 0 ? at : html.lastIndexOf("</body>");
    return at < 0 ? html + added : html.substring(0, at) + added + html.substring(at);
  }

  /** The same model card as JSON, with the same sections under their keys. */
  @GetMapping(value = "/api/v1/models/{id}/card.json", produces = MediaType.APPLICATION_JSON_VALUE)
  String cardJson(@PathVariable UUID id) {
    ModelVersion version = registry.find(id).orElseThrow(() -> new NotFoundException("no model version " + id));
    String stored = training.modelCardJson(version.trainingRunId())
        .orElseThrow(() -> new NotFoundException("model version " + id + " has no model card (not evaluated)"));
    if (sections.isEmpty()) {
      return stored;
    }
    Map<String, Object> card = new LinkedHashMap<>(json.read(stored, MAP));
    for (ModelCardSection section : sections) {
      section.json(version).ifPresent(s -> card.put(section.key(), s));
    }
    return json.write(card);
  }

  /**
   * A version as reviewers and auditors see it: ids, checksums and lineage, never where the artifact is stored (a
   * server path or bucket says nothing to a reviewer and much to an attacker); the artifact is named by its SHA-256.
   */
  record VersionRecord(UUID id, String name, int version, UUID trainingRunId, UUID snapshotId, String datasetHash,
                       String algorithm, Map<String, Object> params, Map<String, Object> metrics,
                       String artifactSha256, String gitCommit, String processInstanceId, OffsetDateTime createdAt,
                       ModelVersion.Stage stage) {

    static VersionRecord of(ModelVersion v) {
      return new VersionRecord(v.id(), v.name(), v.version(), v.trainingRunId(), v.snapshotId(), v.datasetHash(),
          v.algorithm(), v.params(), v.metrics(), v.artifactSha256(), v.gitCommit(), v.processInstanceId(),
          v.createdAt(), v.stage());
    }
  }

  @GetMapping("/api/v1/models/{id}")
  Map<String, Object> version(@PathVariable UUID id) {
    ModelVersion version = registry.find(id).orElseThrow(() -> new NotFoundException("no model version " + id));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("version", VersionRecord.of(version));
    body.put("label", version.label());
    body.put("stageHistory", registry.history(id));
    // lineage of a recalibrated version: the version it was re-based from (how: params.recalibration, the card)
    registry.parentVersionId(id).ifPresent(parent -> body.put("parentVersion", Map.of("id", parent,
        "href", "/api/v1/models/" + parent)));
    Map<String, Object> profile = new LinkedHashMap<>();
    registry.referenceProfile(id).ifPresentOrElse(p -> {
      profile.put("sha256", p.sha256());
      profile.put("href", "/api/v1/models/" + id + "/reference-profile");
    }, () -> profile.put("note",
        "registered before reference profiles existed: the monitor cannot check this version"));
    body.put("referenceProfile", profile);
    return body;
  }

  /**
   * The version's reference profile (aggregates of its held-out evaluation rows: bins, category counts, the
   * confusion matrix, learned thresholds), verified against its recorded SHA-256.
   */
  @GetMapping(value = "/api/v1/models/{id}/reference-profile", produces = MediaType.APPLICATION_JSON_VALUE)
  String referenceProfile(@PathVariable UUID id) {
    registry.find(id).orElseThrow(() -> new NotFoundException("no model version " + id));
    return registry.referenceProfile(id).map(ModelRegistry.StoredProfile::json)
        .orElseThrow(() -> new NotFoundException("model version " + id + " has no reference profile (registered "
            + "before reference profiles existed)"));
  }
}
