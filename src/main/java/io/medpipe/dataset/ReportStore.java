package io.medpipe.dataset;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.medpipe.system.Json;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** Stores the pipeline's reports (EDA, evaluation, staging tests) as JSON documents; reviewers open them by id. */
@Repository
public class ReportStore {

  private final JdbcTemplate jdbc;
  private final Json json;

  public ReportStore(JdbcTemplate jdbc, Json json) {
    this.jdbc = jdbc;
    this.json = json;
  }

  public UUID save(String kind, UUID snapshotId, Object body, String processInstanceId) {
    return save(kind, snapshotId, body, null, processInstanceId);
  }

  /** Stores a report with its HTML rendering (served at /api/v1/reports/{id}.html). */
  public UUID save(String kind, UUID snapshotId, Object body, String html, String processInstanceId) {
    UUID id = UUID.randomUUID();
    jdbc.update("INSERT INTO medpipe.report (id, kind, snapshot_id, body, html, process_instance_id)"
        + " VALUES (?, ?, ?, ?::jsonb, ?, ?)", id, kind, snapshotId, json.write(body), html, processInstanceId);
    return id;
  }

  /** The report's HTML rendering, or null when there is none. */
  public String html(UUID id) {
    List<String> found = jdbc.queryForList("SELECT html FROM medpipe.report WHERE id = ? AND html IS NOT NULL",
        String.class, id);
    return found.isEmpty() ? null : found.get(0);
  }

  /** The report document with its kind, or null when there is no such report. */
  public JsonNode find(UUID id) {
    List<JsonNode> found = jdbc.query("SELECT kind, snapshot_id, created_at, body FROM medpipe.report WHERE id = ?",
        (rs, i) -> {
          var node = json.mapper().createObjectNode();
          node.put("id", id.toString());
          node.put("kind", rs.getString("kind"));
          node.put("snapshotId", rs.getString("snapshot_id"));
          node.put("html", "/api/v1/reports/" + id + ".html");
          node.put("createdAt", rs.getObject("created_at", java.time.OffsetDateTime.class).toString());
          node.set("body", json.read(rs.getString("body"), new TypeReference<JsonNode>() {}));
          return node;
        }, id);
    return found.isEmpty() ? null : found.get(0);
  }
}
