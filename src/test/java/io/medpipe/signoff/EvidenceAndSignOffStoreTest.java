package io.medpipe.signoff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.medpipe.ehr.TestDatabase;
import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The evidence and sign-off records on PostgreSQL with the V6 schema: evidence is canonical JSON with its SHA-256,
 * written once and never changed; a sign-off can only be voided, once; the deployment gate reads them.
 */
class EvidenceAndSignOffStoreTest {

  static JdbcTemplate jdbc;
  static EvidenceStore store;
  static SignOffGate gate;

  @BeforeAll
  static void database() {
    DataSource ds = TestDatabase.freshDatabase();
    jdbc = new JdbcTemplate(ds);
    store = new EvidenceStore(jdbc, new ObjectMapper());
    gate = new SignOffGate(jdbc, store);
  }

  @Test
  void evidenceIsTheRfc8785CanonicalFormAndItsSha256() {
    Map<String, Object> content = new LinkedHashMap<>();
    content.put("é", "€");
    content.put("model", Map.of("id", "x"));
    content.put("metrics", List.of(Map.of("recall", 0.9100, "label", "fabry")));
    content.put("b", 1.0);
    Evidence e = store.append("pi-canonical", UUID.randomUUID(), content);
    // keys sorted, no blanks, 1.0 written as 1: any RFC 8785 implementation gives these bytes (hash from Python)
    assertThat(e.content()).isEqualTo("{\"b\":1,\"metrics\":[{\"label\":\"fabry\",\"recall\":0.91}],"
        + "\"model\":{\"id\":\"x\"},\"é\":\"€\"}");
    assertThat(e.sha256()).isEqualTo("b7a846351bb4b69a2fe8946d561c17ae124bfc5edca2475debfbddc7d83eb240");
    assertThat(e.intact()).isTrue();
  }

  @Test
  void evidenceIsWrittenOnceAndNeverChanged() {
    UUID version = UUID.randomUUID();
    Evidence first = store.append("pi-once", version, Map.of("rarePrecision", 0.235));
    Evidence retried = store.append("pi-once", version, Map.of("rarePrecision", 0.99));
    assertThat(retried.id()).isEqualTo(first.id());
    assertThat(retried.content()).isEqualTo("{\"rarePrecision\":0.235}");

    for (String sql : List.of("UPDATE medpipe.evidence SET content = '{\"rarePrecision\":0.99}' WHERE id = ?",
        "DELETE FROM medpipe.evidence WHERE id = ?")) {
      assertThatThrownBy(() -> jdbc.update(sql, first.id())).isInstanceOf(DataAccessException.class)
          .hasMessageContaining("evidence is append-only");
    }
    assertThatThrownBy(() -> jdbc.execute("TRUNCATE medpipe.evidence CASCADE"))
        .hasMessageContaining("append-only");
    assertThat(store.find(first.id())).get().extracting(Evidence::content).isEqualTo("{\"rarePrecision\":0.235}");
  }

  @Test
  void aSignOffCanOnlyBeVoidedOnceAndTheAuditOnlyGrows() {
    UUID id = records(r -> r.insert("run-v", "pi-v", "task-v", "medical-qa-review", "chief", "approve", "ok", null,
        null));
    assertThatThrownBy(() -> jdbc.update("UPDATE medpipe.sign_off SET signed_by = 'reviewer' WHERE id = ?", id))
        .hasMessageContaining("can only be voided");
    assertThatThrownBy(() -> jdbc.update("DELETE FROM medpipe.sign_off WHERE id = ?", id))
        .hasMessageContaining("append-only");
    int voided = records(r -> r.voidRun("run-v", "variable edit by admin"));
    int again = records(r -> r.voidRun("run-v", "again"));
    assertThat(voided).isEqualTo(1);
    assertThat(again).isZero();
    assertThatThrownBy(() -> jdbc.update("UPDATE medpipe.sign_off SET voided_at = NULL, void_reason = NULL"
        + " WHERE id = ?", id)).hasMessageContaining("can only be voided");
    java.util.Optional<SignOff> valid = records(r -> r.latestValid("run-v", "medical-qa-review"));
    assertThat(valid).isEmpty();

    records(r -> {
      r.audit("admin", "variable edit (x)", "run-v", "done", null);
      return null;
    });
    assertThatThrownBy(() -> jdbc.update("DELETE FROM medpipe.run_audit WHERE run_id = 'run-v'"))
        .hasMessageContaining("append-only");
  }

  @Test
  void theDeploymentGateNeedsAValidApprovalAndAValidReviewOfThisVersionsEvidence() {
    UUID version = UUID.randomUUID();
    Evidence evidence = store.append("pi-staging-g", version, Map.of("model", Map.of("id", version.toString())));
    records(r -> r.insert("run-g", "pi-staging-g", "t1", "medical-qa-review", "chief", "approve", "ok",
        evidence.id(), evidence.sha256()));
    assertThatThrownBy(() -> gate.requireDeployable("pi-production-g", version))
        .hasMessageStartingWith("Deployment stopped: no valid production approval");
    records(r -> r.insert("run-g", "pi-production-g", "t2", "approve-production", "devops", "approve", "go",
        evidence.id(), evidence.sha256()));

    assertThat(gate.requireDeployable("pi-production-g", version).signedBy()).isEqualTo("devops");
    assertThatThrownBy(() -> gate.requireDeployable("pi-production-g", UUID.randomUUID()))
        .hasMessageContaining("medical QA signed model version " + version);

    // a change to the run voids both: the gate says why, and what to do
    records(r -> r.voidRun("run-g", "process-instance modification by admin at 2026-12-03T10:00:00Z"));
    assertThatThrownBy(() -> gate.requireDeployable("pi-production-g", version))
        .hasMessageContaining("(the last one was voided: process-instance modification by admin")
        .hasMessageContaining("Cancel this run and start a new one");
  }

  @Test
  void theGateRefusesEvidenceChangedBehindTheTriggersBack() {
    UUID version = UUID.randomUUID();
    Evidence evidence = store.append("pi-staging-t", version, Map.of("rarePrecision", 0.235));
    records(r -> r.insert("run-t", "pi-staging-t", "t3", "medical-qa-review", "chief", "approve", "ok",
        evidence.id(), evidence.sha256()));
    records(r -> r.insert("run-t", "pi-production-t", "t4", "approve-production", "devops", "approve", "go",
        evidence.id(), evidence.sha256()));
    // a database superuser can switch the trigger off; the hash still tells
    jdbc.execute("ALTER TABLE medpipe.evidence DISABLE TRIGGER evidence_append_only");
    try {
      jdbc.update("UPDATE medpipe.evidence SET content = '{\"rarePrecision\":0.99}' WHERE id = ?", evidence.id());
    } finally {
      jdbc.execute("ALTER TABLE medpipe.evidence ENABLE TRIGGER evidence_append_only");
    }
    assertThat(store.find(evidence.id()).orElseThrow().intact()).isFalse();
    assertThatThrownBy(() -> gate.requireDeployable("pi-production-t", version))
        .hasMessageContaining("no longer matches its hash");
  }

  private static <T> T records(java.util.function.Function<SignOffRecords, T> work) {
    return jdbc.execute((ConnectionCallback<T>) (Connection c) -> work.apply(new SignOffRecords(c)));
  }
}
