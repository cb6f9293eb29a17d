-- medpipe's own records: pseudonymised snapshots, training runs, the model registry, serving slots and
-- the prediction log. Nothing here identifies a person.

CREATE TABLE dataset_snapshot (
  id                  UUID PRIMARY KEY,
  created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
  features            JSONB NOT NULL,          -- feature spec: name, type, unit, range, required, levels
  classes             JSONB NOT NULL,          -- ordered class labels
  class_counts        JSONB NOT NULL,
  row_count           INTEGER NOT NULL,
  content_hash        TEXT NOT NULL,           -- SHA-256 over the canonical content
  source_spec_hash    TEXT NOT NULL,
  process_instance_id TEXT
);

CREATE TABLE dataset_row (
  snapshot_id UUID NOT NULL REFERENCES dataset_snapshot (id) ON DELETE CASCADE,
  row_no      INTEGER NOT NULL,
  subject_ref TEXT NOT NULL,                   -- keyed HMAC pseudonym, never an identifier
  features    DOUBLE PRECISION[] NOT NULL,     -- NaN = missing
  label       TEXT NOT NULL,
  PRIMARY KEY (snapshot_id, row_no)
);

CREATE TABLE report (
  id                  UUID PRIMARY KEY,
  kind                TEXT NOT NULL,           -- eda | evaluation | staging-tests
  snapshot_id         UUID REFERENCES dataset_snapshot (id),
  created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
  body                JSONB NOT NULL,
  process_instance_id TEXT
);

CREATE TABLE training_run (
  id                  UUID PRIMARY KEY,
  snapshot_id         UUID NOT NULL REFERENCES dataset_snapshot (id),
  created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
  algorithm           TEXT NOT NULL,
  params              JSONB NOT NULL,
  seed                BIGINT NOT NULL,
  target_class        TEXT NOT NULL,
  test_rows           INTEGER[] NOT NULL,      -- held-out row numbers of the snapshot
  model               BYTEA NOT NULL,          -- serialized model, checked against model_sha256
  model_sha256        TEXT NOT NULL,
  train_seconds       DOUBLE PRECISION NOT NULL,
  metrics             JSONB,                   -- written by evaluate-model
  process_instance_id TEXT
);

CREATE TABLE model_version (
  id                  UUID PRIMARY KEY,
  name                TEXT NOT NULL,
  version             INTEGER NOT NULL,
  training_run_id     UUID NOT NULL REFERENCES training_run (id),
  snapshot_id         UUID NOT NULL REFERENCES dataset_snapshot (id),
  dataset_hash        TEXT NOT NULL,
  algorithm           TEXT NOT NULL,
  params              JSONB NOT NULL,
  metrics             JSONB NOT NULL,
  artifact_uri        TEXT NOT NULL,
  artifact_sha256     TEXT NOT NULL,
  git_commit          TEXT,
  process_instance_id TEXT,
  created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
  stage               TEXT NOT NULL DEFAULT 'NONE' CHECK (stage IN ('NONE', 'STAGING', 'PRODUCTION', 'ARCHIVED', 'REJECTED')),
  UNIQUE (name, version)
);

-- A registered version is immutable: only its stage may change.
CREATE FUNCTION model_version_immutable() RETURNS trigger AS $$
BEGIN
  IF (NEW.id, NEW.name, NEW.version, NEW.training_run_id, NEW.snapshot_id, NEW.dataset_hash, NEW.algorithm,
      NEW.params, NEW.metrics, NEW.artifact_uri, NEW.artifact_sha256, NEW.git_commit, NEW.process_instance_id,
      NEW.created_at)
     IS DISTINCT FROM
     (OLD.id, OLD.name, OLD.version, OLD.training_run_id, OLD.snapshot_id, OLD.dataset_hash, OLD.algorithm,
      OLD.params, OLD.metrics, OLD.artifact_uri, OLD.artifact_sha256, OLD.git_commit, OLD.process_instance_id,
      OLD.created_at) THEN
    RAISE EXCEPTION 'model version % v% is immutable; only its stage may change', OLD.name, OLD.version;
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER model_version_immutable BEFORE UPDATE ON model_version
  FOR EACH ROW EXECUTE FUNCTION model_version_immutable();
CREATE RULE model_version_no_delete AS ON DELETE TO model_version DO INSTEAD NOTHING;

CREATE TABLE model_stage_event (
  id                  BIGSERIAL PRIMARY KEY,
  model_version_id    UUID NOT NULL REFERENCES model_version (id),
  stage               TEXT NOT NULL,
  at                  TIMESTAMPTZ NOT NULL DEFAULT now(),
  actor               TEXT,
  process_instance_id TEXT
);

-- What each serving slot serves; the API nodes follow this table.
CREATE TABLE serving_slot (
  slot                TEXT PRIMARY KEY CHECK (slot IN ('staging', 'production')),
  model_version_id    UUID REFERENCES model_version (id),
  previous_version_id UUID REFERENCES model_version (id),
  deployed_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
  process_instance_id TEXT
);

CREATE TABLE prediction_log (
  id                UUID PRIMARY KEY,
  created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  slot              TEXT NOT NULL,
  model_version_id  UUID NOT NULL,
  patient_ref       TEXT,                      -- pseudonymous reference supplied by the client, if any
  features          JSONB NOT NULL,
  predicted_class   TEXT NOT NULL,
  probabilities     JSONB NOT NULL,
  explanation       JSONB NOT NULL,
  latency_ms        DOUBLE PRECISION NOT NULL,
  client_id         TEXT
);
CREATE INDEX prediction_log_created ON prediction_log (created_at);
CREATE INDEX prediction_log_version ON prediction_log (model_version_id, created_at);
