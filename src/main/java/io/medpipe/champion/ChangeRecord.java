package io.medpipe.champion;

import com.fasterxml.jackson.databind.JsonNode;
import io.medpipe.dataset.SnapshotStore;
import io.medpipe.registry.ModelCardSection;
import io.medpipe.registry.ModelRegistry;
import io.medpipe.registry.ModelVersion;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The change record of a model version, a section of its model card: what changed against the champion it was held
 * against (data, algorithm, calibration), the acceptance criteria it was held to (the clinical-validation rules with
 * their thresholds and the champion rule's verdict), the champion comparison, and who approved it (the Medical QA and
 * production sign-offs on the evidence that names this version, as the engine recorded them). Read at serving time
 * from append-only records, because the approvals come after the card was stored. Names, decisions and times only: a
 * sign-off's comment is free text and stays in the sign-off record.
 */
@Component
class ChangeRecord implements ModelCardSection {

  private final ModelRegistry registry;
  private final SnapshotStore snapshots;
  private final ChampionComparisons comparisons;
  private final JdbcTemplate jdbc;

  ChangeRecord(ModelRegistry registry, SnapshotStore snapshots, ChampionComparisons comparisons, JdbcTemplate jdbc) {
    this.registry = registry;
    this.snapshots = snapshots;
    this.comparisons = comparisons;
    this.jdbc = jdbc;
  }

  @Override
  public String key() {
    return "changeRecord";
  }

  @Override
  public Optional<Map<String, Object>> json(ModelVersion version) {
    Optional<ChampionComparison> comparison = comparisons.latestFor(version.id());
    ModelVersion champion = comparison.map(ChampionComparison::championVersionId).flatMap(registry::find)
        .orElse(null);
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("version", version.label());
    record.put("champion", champion == null ? null : champion.label());

    Map<String, Object> changes = new LinkedHashMap<>();
    changes.put("data", pair(data(version), champion == null ? null : data(champion)));
    changes.put("algorithm", pair(algorithm(version), champion == null ? null : algorithm(champion)));
    changes.put("calibration", pair(calibration(version), champion == null ? null : calibration(champion)));
    record.put("changes", changes);

    Map<String, Object> criteria = new LinkedHashMap<>();
    criteria.put("clinicalValidation", version.metrics() == null ? null : version.metrics().get("clinicalValidation"));
    criteria.put("championRule", comparison.flatMap(c -> comparisons.verdict(c.id())).map(v -> {
      Map<String, Object> rule = new LinkedHashMap<>();
      rule.put("decision", "champion-challenger (processes/champion-challenger.dmn)");
      rule.put("challengerToMedicalQa", v.proceed());
      rule.put("reason", v.reason());
      return rule;
    }).orElse(null));
    record.put("acceptanceCriteria", criteria);

    record.put("championComparison", comparison.map(c -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", c.id());
      m.put("status", c.status().id());
      m.put("summary", c.body().get("summary"));
      m.put("difference", c.body().get("difference"));
      m.put("href", "/api/v1/models/" + version.id() + "/champion-comparison");
      return m;
    }).orElse(null));
    record.put("approvals", approvals(version.id()));
    return Optional.of(record);
  }

  private static Map<String, Object> pair(Object now, Object before) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("this", now);
    m.put("champion", before);
    return m;
  }

  /** The snapshot a version was trained on: when, how many rows of which classes, and its window if it recorded one. */
  private Map<String, Object> data(ModelVersion v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("snapshotId", v.snapshotId());
    JsonNode meta;
    try {
      meta = snapshots.metadata(v.snapshotId());
    } catch (RuntimeException e) {
      m.put("note", "the snapshot's metadata is not available");
      return m;
    }
    m.put("createdAt", meta.path("createdAt").asText(null));
    m.put("rows", meta.path("rowCount").isMissingNode() ? null : meta.path("rowCount").asInt());
    m.put("classCounts", meta.path("classCounts").isMissingNode() ? null : meta.path("classCounts").toString());
    // the extraction's window, where the snapshot records one (a retrain's recent patients)
    meta.fieldNames().forEachRemaining(name -> {
      if (name.toLowerCase(Locale.ROOT).contains("window")) {
        m.put(name, meta.path(name).isValueNode() ? meta.path(name).asText() : meta.path(name).toString());
      }
    });
    return m;
  }

  private static String algorithm(ModelVersion v) {
    Object strategy = provenance(v).get("strategy");
    return v.algorithm() + (strategy == null ? "" : " (" + strategy + ")");
  }

  private static String calibration(ModelVersion v) {
    Object c = provenance(v).get("calibration");
    if (c instanceof Map<?, ?> m) {
      return String.valueOf(m.get("method"));
    }
    return "none";
  }

  private static Map<?, ?> provenance(ModelVersion v) {
    Object p = v.params() == null ? null : v.params().get("provenance");
    return p instanceof Map<?, ?> m ? m : Map.of();
  }

  /** The sign-offs on the evidence naming this version, in signing order: task, who, decision, when, still valid. */
  private List<Map<String, Object>> approvals(UUID versionId) {
    List<Map<String, Object>> out = new ArrayList<>();
    jdbc.query("""
        SELECT s.task_key, s.signed_by, s.decision, s.signed_at, s.voided_at IS NULL AS valid, s.void_reason
        FROM medpipe.sign_off s JOIN medpipe.evidence e ON e.id = s.evidence_id
        WHERE e.model_version_id = ? ORDER BY s.seq""", rs -> {
      Map<String, Object> m = new LinkedHashMap<>();
      String task = rs.getString("task_key");
      m.put("step", "approve-production".equals(task) ? "production approval" : "Medical QA review");
      m.put("signedBy", rs.getString("signed_by"));
      m.put("decision", rs.getString("decision"));
      m.put("signedAt", rs.getObject("signed_at", OffsetDateTime.class).toInstant().toString());
      m.put("valid", rs.getBoolean("valid"));
      m.put("voidReason", rs.getString("void_reason"));
      out.add(m);
    }, versionId);
    return out;
  }

  @Override
  @SuppressWarnings("unchecked")
  public String html(Map<String, Object> r) {
    StringBuilder h = new StringBuilder("<section id=\"change-record\"><h2>Change record</h2><p>")
        .append(esc(str(r.get("version"))));
    h.append(r.get("champion") == null ? ": a first version, no champion was in production."
        : " against the champion " + esc(str(r.get("champion"))) + ", the version in production when its run started.");
    h.append("</p><h3>What changed</h3><table><tr><th></th><th>this version</th><th>champion</th></tr>");
    Map<String, Object> changes = (Map<String, Object>) r.get("changes");
    for (Map.Entry<String, Object> e : changes.entrySet()) {
      Map<String, Object> p = (Map<String, Object>) e.getValue();
      h.append("<tr><td>").append(esc(e.getKey())).append("</td><td>").append(esc(str(p.get("this"))))
          .append("</td><td>").append(esc(p.get("champion") == null ? "-" : str(p.get("champion"))))
          .append("</td></tr>");
    }
    h.append("</table><h3>Acceptance criteria</h3><ul>");
    Map<String, Object> criteria = (Map<String, Object>) r.get("acceptanceCriteria");
    if (criteria.get("clinicalValidation") instanceof Map<?, ?> v && v.get("rules") instanceof List<?> rules) {
      for (Object o : rules) {
        Map<String, Object> rule = (Map<String, Object>) o;
        h.append("<li>").append(esc(str(rule.get("rule")))).append(" &ge; ").append(esc(str(rule.get("threshold"))))
            .append(": ").append(esc(str(rule.get("value")))).append(Boolean.TRUE.equals(rule.get("passed"))
                ? " (passed)" : " (failed)")
            .append("</li>");
      }
    } else {
      h.append("<li>no clinical validation is recorded</li>");
    }
    if (criteria.get("championRule") instanceof Map<?, ?> rule) {
      h.append("<li>champion rule (processes/champion-challenger.dmn): ").append(esc(str(rule.get("reason"))))
          .append("</li>");
    } else {
      h.append("<li>champion rule: not decided for this version</li>");
    }
    h.append("</ul><h3>Champion comparison</h3><p>");
    if (r.get("championComparison") instanceof Map<?, ?> c) {
      h.append(esc(str(c.get("status")))).append(": ").append(esc(str(c.get("summary")))).append(" (")
          .append(esc(str(c.get("href")))).append(")");
    } else {
      h.append("none recorded (registered before comparisons existed, or its run has not reached the comparison)");
    }
    h.append("</p><h3>Approved by</h3>");
    List<Map<String, Object>> approvals = (List<Map<String, Object>>) r.get("approvals");
    if (approvals.isEmpty()) {
      h.append("<p>no sign-off is recorded yet</p>");
    } else {
      h.append("<table><tr><th>step</th><th>signed by</th><th>decision</th><th>signed</th><th>status</th></tr>");
      for (Map<String, Object> a : approvals) {
        h.append("<tr><td>").append(esc(str(a.get("step")))).append("</td><td>").append(esc(str(a.get("signedBy"))))
            .append("</td><td>").append(esc(str(a.get("decision")))).append("</td><td>")
            .append(esc(str(a.get("signedAt")))).append("</td><td>")
            .append(Boolean.TRUE.equals(a.get("valid")) ? "valid" : "void: " + esc(str(a.get("voidReason"))))
            .append("</td></tr>");
      }
      h.append("</table>");
    }
    return h.append("</section>").toString();
  }

  private static String str(Object o) {
    return String.valueOf(o);
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
