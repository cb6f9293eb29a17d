package io.medpipe.signoff;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.erdtman.jcs.JsonCanonicalizer;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The append-only evidence store: each record is written once, as RFC 8785 canonical JSON with its SHA-256, and a
 * trigger refuses any later change (V6). The sign-off forms read it back from here, never from process variables.
 */
@Repository
public class EvidenceStore {

  private final JdbcTemplate jdbc;
  private final ObjectMapper json;

  public EvidenceStore(JdbcTemplate jdbc, ObjectMapper json) {
    this.jdbc = jdbc;
    this.json = json;
  }

  /**
   * Writes the evidence of a staging instance's model version once. A second call for the same instance and version
   * (a retried step) keeps the first record: evidence is what the reviewer will see, and it never changes.
   */
  public Evidence append(String processInstanceId, UUID modelVersionId, Object content) {
    String canonical = canonical(content);
    jdbc.update("""
        INSERT INTO medpipe.evidence (id, process_instance_id, model_version_id, content, sha256)
        VALUES (?, ?, ?, ?, ?) ON CONFLICT (process_instance_id, model_version_id) DO NOTHING""",
        UUID.randomUUID(), processInstanceId, modelVersionId, canonical, Evidence.sha256(canonical));
    return jdbc.query("SELECT id FROM medpipe.evidence WHERE process_instance_id = ? AND model_version_id = ?",
        (rs, i) -> rs.getObject(1, UUID.class), processInstanceId, modelVersionId).stream()
        .findFirst().flatMap(this::find).orElseThrow();
  }

  public Optional<Evidence> find(UUID id) {
    List<Evidence> found = jdbc.query("SELECT id, process_instance_id, model_version_id, created_at, content, sha256"
        + " FROM medpipe.evidence WHERE id = ?",
        (rs, i) -> new Evidence(rs.getObject(1, UUID.class), rs.getString(2), rs.getObject(3, UUID.class),
            rs.getObject(4, java.time.OffsetDateTime.class), rs.getString(5), rs.getString(6)),
        id);
    return found.stream().findFirst();
  }

  /** RFC 8785: sorted keys, no whitespace, ECMAScript number form; anyone can recompute the hash from it. */
  String canonical(Object content) {
    try {
      return new JsonCanonicalizer(json.writeValueAsString(content)).getEncodedString();
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("evidence is not JSON-serialisable: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException("evidence cannot be canonicalised: " + e.getMessage(), e);
    }
  }
}
