-- The recalibration path: a prevalence shift with no other drift re-bases the champion's probabilities to the new
-- prior instead of retraining (processes/drift-policy.dmn, develop.bpmn).

-- The drift policy may now answer recalibrate.
ALTER TABLE monitor_run DROP CONSTRAINT monitor_run_action_check;
ALTER TABLE monitor_run ADD CONSTRAINT monitor_run_action_check
  CHECK (action IN ('none', 'warn', 'page', 'recalibrate', 'retrain'));

-- What a run does, recorded once with why it started (io.medpipe.pipeline.RecordRunOrigin): retrain (Develop from the
-- data stage) or recalibrate (the champion re-based to the prior its drift report estimated). Runs recorded before
-- this migration all retrained. A recalibration needs an alert, a champion and the drift report of the monitor run
-- that asked for it. Adding a column with a constant default rewrites no row, so the append-only trigger is not
-- involved; the column is as write-once as the rest of the row.
ALTER TABLE run_origin ADD COLUMN action TEXT NOT NULL DEFAULT 'retrain' CHECK (action IN ('retrain', 'recalibrate'));
ALTER TABLE run_origin ADD CONSTRAINT run_origin_recalibration_has_its_reason
  CHECK (action = 'retrain' OR (trigger = 'alert' AND champion_version_id IS NOT NULL AND drift_report_id IS NOT NULL));

-- Lineage: a recalibrated version names the version it was re-based from (its parent). Part of the immutable version.
ALTER TABLE model_version ADD COLUMN parent_version_id UUID REFERENCES model_version (id);

CREATE OR REPLACE FUNCTION model_version_immutable() RETURNS trigger AS $$
BEGIN
  IF (NEW.id, NEW.name, NEW.version, NEW.training_run_id, NEW.snapshot_id, NEW.dataset_hash, NEW.algorithm,
      NEW.params, NEW.metrics, NEW.artifact_uri, NEW.artifact_sha256, NEW.git_commit, NEW.process_instance_id,
      NEW.created_at, NEW.reference_profile, NEW.reference_profile_sha256, NEW.parent_version_id)
     IS DISTINCT FROM
     (OLD.id, OLD.name, OLD.version, OLD.training_run_id, OLD.snapshot_id, OLD.dataset_hash, OLD.algorithm,
      OLD.params, OLD.metrics, OLD.artifact_uri, OLD.artifact_sha256, OLD.git_commit, OLD.process_instance_id,
      OLD.created_at, OLD.reference_profile, OLD.reference_profile_sha256, OLD.parent_version_id) THEN
    RAISE EXCEPTION 'model version % v% is immutable; only its stage may change', OLD.name, OLD.version;
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
