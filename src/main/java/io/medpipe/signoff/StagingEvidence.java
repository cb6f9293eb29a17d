package io.medpipe.signoff;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.medpipe.registry.ModelRegistry;
import io.medpipe.registry.ModelVersion;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * Writes the evidence of Medical QA when the staging tests have produced the last of it: the model version's
 * identity and checksum, its held-out metrics, intervals and clinical-validation rows (from the immutable registry
 * record), the staging figures just measured and the EDA report's id. Nothing here is read from process variables.
 *
 * <p>It also refuses evidence whose clinical-validation rows disagree with the measured metrics: the thresholds
 * are decided in the engine on variables, and a value edited there must not reach a reviewer as a pass.
 */
@Service
public class StagingEvidence {

  /** Values the DMN rows quote must equal the measured ones to this precision (both are the same double). */
  private static final double SAME = 1e-9;

  private final ModelRegistry registry;
  private final EvidenceStore store;
  private final JdbcTemplate jdbc;
  private final ObjectMapper json;

  public StagingEvidence(ModelRegistry registry, EvidenceStore store, JdbcTemplate jdbc, ObjectMapper json) {
    this.registry = registry;
    this.store = store;
    this.jdbc = jdbc;
    this.json = json;
  }

  /**
   * Writes (once) the evidence for the staging instance's model version and returns it.
   *
   * @param staging the staging tests' report, as measured by this step
   * @throws IllegalStateException if the clinical validation quotes values that are not the measured ones
   */
  public Evidence record(String stagingProcessInstanceId, UUID modelVersionId, Object staging) {
    ModelVersion version = registry.get(modelVersionId);
    JsonNode metrics = json.valueToTree(version.metrics());
    requireValidationMatchesMetrics(metrics);

    ObjectNode content = json.createObjectNode();
    content.put("schema", "medpipe-evidence/1");
    content.put("stagingProcessInstanceId", stagingProcessInstanceId);
    ObjectNode model = content.putObject("model");
    model.put("id", version.id().toString());
    model.put("label", version.label());
    model.put("algorithm", version.algorithm());
    model.put("artifactSha256", version.artifactSha256());
    model.put("datasetHash", version.datasetHash());
    model.put("snapshotId", version.snapshotId().toString());
    model.put("trainingRunId", version.trainingRunId().toString());
    model.put("gitCommit", version.gitCommit());
    model.put("registeredAt", version.createdAt().toInstant().toString());
    content.set("targetClass", metrics.path("targetClass"));
    content.set("testRows", metrics.path("testRows"));
    content.set("decisionRule", metrics.path("decision"));
    content.set("metrics", metrics.path("metrics").path("perClass"));
    content.set("macroF1", metrics.path("metrics").path("macroF1"));
    content.set("targetIntervals", metrics.path("targetIntervals"));
    content.set("clinicalValidation", metrics.path("clinicalValidation"));
    content.set("staging", json.valueToTree(staging));
    ObjectNode reports = content.putObject("reports");
    jdbc.query("SELECT id::text FROM medpipe.report WHERE kind = 'eda' AND snapshot_id = ? ORDER BY created_at DESC"
        + " LIMIT 1", rs -> {
          reports.put("eda", rs.getString(1));
        }, version.snapshotId());
    content.put("writtenAt", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
    return store.append(stagingProcessInstanceId, modelVersionId, finite(content));
  }

  /**
   * Each clinical-validation row names what it measured; its value must be the one evaluate-model stored for the
   * version. Rows of a kind not recognised here are shown as they are.
   */
  void requireValidationMatchesMetrics(JsonNode metrics) {
    String target = metrics.path("targetClass").asText();
    JsonNode rare = null;
    for (JsonNode c : metrics.path("metrics").path("perClass")) {
      if (c.path("label").asText().equals(target)) {
        rare = c;
      }
    }
    JsonNode intervals = metrics.path("targetIntervals");
    List<String> mismatches = new ArrayList<>();
    for (JsonNode rule : metrics.path("clinicalValidation").path("rules")) {
      String name = rule.path("rule").asText().toLowerCase(Locale.ROOT);
      JsonNode measured = null;
      if (name.contains("recall") && name.contains("lower")) {
        measured = intervals.path("recall").path("lower");
      } else if (name.contains("auprc") && name.contains("lower")) {
        measured = intervals.path("auprc").path("lower");
      } else if (name.contains("precision") && name.contains("lower")) {
        measured = intervals.path("precision").path("lower");
      } else if (name.contains("roc-auc") && rare != null) {
        measured = rare.path("rocAuc");
      }
      if (measured == null || measured.isMissingNode()) {
        continue;
      }
      JsonNode quoted = rule.path("value");
      boolean same = quoted.isNumber() && measured.isNumber()
          ? Math.abs(quoted.asDouble() - measured.asDouble()) <= SAME
          : quoted.isNull() == measured.isNull();
      if (!same) {
        mismatches.add(rule.path("rule").asText() + ": decided on " + quoted.asText() + ", measured "
            + measured.asText());
      }
    }
    if (!mismatches.isEmpty()) {
      throw new IllegalStateException("The clinical validation of this model was decided on values that are not"
          + " the measured ones (" + String.join("; ", mismatches) + "): a process variable was edited during"
          + " Develop. No evidence is written; cancel this run and start a new one.");
    }
  }

  /** JSON has no NaN or infinity; a figure that is not a number is shown as missing. */
  private JsonNode finite(JsonNode node) {
    if (node instanceof ObjectNode o) {
      Iterator<Map.Entry<String, JsonNode>> fields = o.fields();
      List<String> nonFinite = new ArrayList<>();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> f = fields.next();
        if (f.getValue().isNumber() && !Double.isFinite(f.getValue().asDouble())) {
          nonFinite.add(f.getKey());
        } else {
          finite(f.getValue());
        }
      }
      nonFinite.forEach(o::putNull);
    } else if (node instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        if (a.get(i).isNumber() && !Double.isFinite(a.get(i).asDouble())) {
          a.set(i, json.nullNode());
        } else {
          finite(a.get(i));
        }
      }
    }
    return node;
  }
}
