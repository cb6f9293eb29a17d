package io.medpipe.signoff;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.medpipe.pipeline.RunOrigin;
import io.medpipe.pipeline.RunOrigins;
import io.medpipe.system.ApiProblems.NotFoundException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * The evidence the sign-off forms show, as stored: the canonical content, its SHA-256 (and whether the content still
 * matches it), the sign-offs the engine recorded on it, voided ones with their reason, and why the run started.
 */
@RestController
class EvidenceController {

  private final EvidenceStore store;
  private final SignOffGate signOffs;
  private final ObjectMapper json;
  private final RunOrigins origins;

  EvidenceController(EvidenceStore store, SignOffGate signOffs, ObjectMapper json, RunOrigins origins) {
    this.store = store;
    this.signOffs = signOffs;
    this.json = json;
    this.origins = origins;
  }

  @GetMapping("/api/v1/evidence/{id}")
  Map<String, Object> evidence(@PathVariable UUID id) throws JsonProcessingException {
    Evidence evidence = store.find(id).orElseThrow(() -> new NotFoundException("no evidence " + id));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", evidence.id());
    body.put("modelVersionId", evidence.modelVersionId());
    body.put("createdAt", evidence.createdAt());
    body.put("sha256", evidence.sha256());
    body.put("intact", evidence.intact());
    body.put("content", json.readTree(evidence.content()));
    List<Map<String, Object>> signed = signOffs.ofEvidence(id).stream().map(EvidenceController::signOff).toList();
    body.put("signOffs", signed);
    // why this run (and so this model) exists: recorded once when the run started, never from variables
    body.put("origin", origins.ofInstance(evidence.processInstanceId()).map(RunOrigin::asMap).orElse(null));
    return body;
  }

  private static Map<String, Object> signOff(SignOff s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("task", s.taskKey());
    m.put("signedBy", s.signedBy());
    m.put("decision", s.decision());
    m.put("comment", s.comment());
    m.put("signedAt", s.signedAt());
    m.put("evidenceSha256", s.evidenceSha256());
    m.put("valid", s.valid());
    m.put("voidedAt", s.voidedAt());
    m.put("voidReason", s.voidReason());
    return m;
  }
}
