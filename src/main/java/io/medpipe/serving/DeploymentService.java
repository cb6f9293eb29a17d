package io.medpipe.serving;

import io.medpipe.registry.ModelRegistry;
import io.medpipe.registry.ModelVersion;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Puts a registered model version into a serving slot. The slot table is the single source of truth: a deploy
 * verifies the artifact (checksum and deserialisation) first, then switches the slot's row in one statement;
 * API nodes follow the row ({@link ModelSlots}), the local one at once.
 */
@Service
public class DeploymentService {

  private final JdbcTemplate jdbc;
  private final ModelRegistry registry;
  private final ObjectProvider<ModelSlots> localSlots;

  public DeploymentService(JdbcTemplate jdbc, ModelRegistry registry, ObjectProvider<ModelSlots> localSlots) {
    this.jdbc = jdbc;
    this.registry = registry;
    this.localSlots = localSlots;
  }

  /** Deploys the version and returns the version the slot served before (empty if none). */
  @Transactional
  public Optional<UUID> deploy(Slot slot, UUID versionId, String processInstanceId) {
    ModelVersion version = registry.get(versionId);
    registry.load(version); // refuses a tampered or unreadable artifact before anything is switched
    Optional<UUID> previous = current(slot);
    jdbc.update("""
        INSERT INTO medpipe.serving_slot (slot, model_version_id, previous_version_id, deployed_at, process_instance_id)
        VALUES (?, ?, ?, now(), ?)
        ON CONFLICT (slot) DO UPDATE SET model_version_id = EXCLUDED.model_version_id,
          previous_version_id = EXCLUDED.previous_version_id, deployed_at = now(),
          process_instance_id = EXCLUDED.process_instance_id""",
        slot.id(), versionId, previous.orElse(null), processInstanceId);
    if (slot == Slot.STAGING) {
      registry.setStage(versionId, ModelVersion.Stage.STAGING, "medpipe", processInstanceId);
    }
    afterCommit(slot);
    return previous;
  }

  /** Puts the slot back to the given version, or empties it when there was none before. */
  @Transactional
  public void restore(Slot slot, UUID versionOrNull, String processInstanceId) {
    jdbc.update("""
        INSERT INTO medpipe.serving_slot (slot, model_version_id, previous_version_id, deployed_at, process_instance_id)
        VALUES (?, ?, NULL, now(), ?)
        ON CONFLICT (slot) DO UPDATE SET model_version_id = EXCLUDED.model_version_id,
          previous_version_id = NULL, deployed_at = now(), process_instance_id = EXCLUDED.process_instance_id""",
        slot.id(), versionOrNull, processInstanceId);
    afterCommit(slot);
  }

  public Optional<UUID> current(Slot slot) {
    List<UUID> ids = jdbc.queryForList("SELECT model_version_id FROM medpipe.serving_slot WHERE slot = ?", UUID.class,
        slot.id());
    return ids.isEmpty() ? Optional.empty() : Optional.ofNullable(ids.get(0));
  }

  private void afterCommit(Slot slot) {
    ModelSlots slots = localSlots.getIfAvailable();
    if (slots == null) {
      return;
    }
    if (org.springframework.transaction.support.TransactionSynchronizationManager.isSynchronizationActive()) {
      org.springframework.transaction.support.TransactionSynchronizationManager.registerSynchronization(
          new org.springframework.transaction.support.TransactionSynchronization() {
            @Override
            public void afterCommit() {
              slots.refresh(slot);
            }
          });
    } else {
      slots.refresh(slot);
    }
  }
}
