-- Monitoring: each model version keeps the reference profile of its held-out evaluation rows (aggregates only, the
-- canonical JSON of io.medpipe.monitoring.drift.ReferenceProfile) and that JSON's SHA-256, which every read verifies.
-- A version registered before this migration has neither: the monitor says so and does not fail.
ALTER TABLE model_version ADD COLUMN reference_profile TEXT;
ALTER TABLE model_version ADD COLUMN reference_profile_sha256 TEXT;
ALTER TABLE model_version ADD CONSTRAINT model_version_profile_checksum
  CHECK ((reference_profile IS NULL) = (reference_profile_sha256 IS NULL));

-- The profile is part of the immutable version: only the stage may change, as before.
CREATE OR REPLACE FUNCTION model_version_immutable() RETURNS trigger AS $$
BEGIN
  IF (NEW.id, NEW.name, NEW.version, NEW.training_run_id, NEW.snapshot_id, NEW.dataset_hash, NEW.algorithm,
      NEW.params, NEW.metrics, NEW.artifact_uri, NEW.artifact_sha256, NEW.git_commit, NEW.process_instance_id,
      NEW.created_at, NEW.reference_profile, NEW.reference_profile_sha256)
     IS DISTINCT FROM
     (OLD.id, OLD.name, OLD.version, OLD.training_run_id, OLD.snapshot_id, OLD.dataset_hash, OLD.algorithm,
      OLD.params, OLD.metrics, OLD.artifact_uri, OLD.artifact_sha256, OLD.git_commit, OLD.process_instance_id,
      OLD.created_at, OLD.reference_profile, OLD.reference_profile_sha256) THEN
    RAISE EXCEPTION 'model version % v% is immutable; only its stage may change', OLD.name, OLD.version;
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;

-- One monitor run: which version, which window of the prediction log, what it found and what the drift policy
-- (processes/drift-policy.dmn) said follows. Aggregates only; the report itself is in report (kind 'drift').
CREATE TABLE monitor_run (
  id                  UUID PRIMARY KEY,
  created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
  finished_at         TIMESTAMPTZ,
  trigger             TEXT NOT NULL CHECK (trigger IN ('schedule', 'api', 'manual')),
  requested_by        TEXT,
  status              TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
  outcome             TEXT CHECK (outcome IN ('analysed', 'too-few-predictions', 'no-profile', 'no-model')),
  model_version_id    UUID REFERENCES model_version (id),
  window_last         INTEGER,
  window_from         TIMESTAMPTZ,
  window_to           TIMESTAMPTZ,
  window_rows         INTEGER,
  report_id           UUID REFERENCES report (id),
  action              TEXT CHECK (action IN ('none', 'warn', 'page', 'retrain')),
  signals             JSONB,                    -- per signal: flagged, magnitude, evidence, policy action and reason
  message             TEXT,
  process_instance_id TEXT
);
CREATE INDEX monitor_run_created ON monitor_run (created_at DESC);
