-- What a reviewer signs and who signed it, outside the reach of the process variables a user can edit:
-- the evidence (written once, when the staging tests produce it), the sign-offs (written by the engine at task
-- completion, from its authenticated user) and an audit of every change to a running pipeline that bypasses
-- its tasks (modification, variable edits, migration). See docs/security.md.

-- The evidence a reviewer signs: metrics, clinical thresholds and results, staging figures, report ids and the model
-- version's id and checksum. content is the RFC 8785 canonical JSON, exactly the bytes sha256 is computed over.
CREATE TABLE evidence (
  id                  UUID PRIMARY KEY,
  process_instance_id TEXT NOT NULL,           -- the staging instance whose tests produced it
  model_version_id    UUID NOT NULL,           -- the registry version; its artifact checksum is in content
  created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
  content             TEXT NOT NULL,
  sha256              TEXT NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  UNIQUE (process_instance_id, model_version_id)
);

-- One completed sign-off task (medical QA review, production approval). signed_by is the engine's authenticated
-- user at completion; evidence_sha256 is the hash of the evidence shown on the form, looked up at completion.
-- A sign-off is never deleted or rewritten: a change to its run voids it (voided_at, void_reason), once.
CREATE TABLE sign_off (
  id                  UUID PRIMARY KEY,
  seq                 BIGSERIAL NOT NULL UNIQUE,  -- order of signing
  run_id              TEXT NOT NULL,              -- root process instance (the mlops-pipeline run)
  process_instance_id TEXT NOT NULL,              -- the instance holding the task (staging or production)
  task_id             TEXT NOT NULL UNIQUE,
  task_key            TEXT NOT NULL,              -- medical-qa-review | approve-production
  signed_by           TEXT NOT NULL,
  decision            TEXT NOT NULL,
  comment             TEXT,
  evidence_id         UUID REFERENCES evidence (id),
  evidence_sha256     TEXT,
  signed_at           TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
  voided_at           TIMESTAMPTZ,
  void_reason         TEXT,
  CHECK ((voided_at IS NULL) = (void_reason IS NULL))
);
CREATE INDEX sign_off_run ON sign_off (run_id, seq);
CREATE INDEX sign_off_instance ON sign_off (process_instance_id, seq);

-- Changes to a running pipeline made around its tasks, and refused attempts: who, what, which run.
CREATE TABLE run_audit (
  id        BIGSERIAL PRIMARY KEY,
  at        TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
  actor     TEXT NOT NULL,
  operation TEXT NOT NULL,
  run_id    TEXT,
  outcome   TEXT NOT NULL CHECK (outcome IN ('done', 'refused')),
  detail    TEXT
);
CREATE INDEX run_audit_run ON run_audit (run_id, id);

-- Append-only: evidence and audit rows are never changed or deleted; a sign-off may only be voided, once.
CREATE FUNCTION append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
END $$ LANGUAGE plpgsql;

CREATE FUNCTION sign_off_only_voided() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'sign_off is append-only: DELETE refused';
  END IF;
  IF OLD.voided_at IS NOT NULL
     OR (NEW.id, NEW.seq, NEW.run_id, NEW.process_instance_id, NEW.task_id, NEW.task_key, NEW.signed_by, NEW.decision,
         NEW.comment, NEW.evidence_id, NEW.evidence_sha256, NEW.signed_at)
        IS DISTINCT FROM
        (OLD.id, OLD.seq, OLD.run_id, OLD.process_instance_id, OLD.task_id, OLD.task_key, OLD.signed_by, OLD.decision,
         OLD.comment, OLD.evidence_id, OLD.evidence_sha256, OLD.signed_at) THEN
    RAISE EXCEPTION 'sign-off % can only be voided, once', OLD.id;
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER evidence_append_only BEFORE UPDATE OR DELETE ON evidence
  FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER evidence_no_truncate BEFORE TRUNCATE ON evidence
  FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER run_audit_append_only BEFORE UPDATE OR DELETE ON run_audit
  FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER run_audit_no_truncate BEFORE TRUNCATE ON run_audit
  FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER sign_off_only_voided BEFORE UPDATE OR DELETE ON sign_off
  FOR EACH ROW EXECUTE FUNCTION sign_off_only_voided();
CREATE TRIGGER sign_off_no_truncate BEFORE TRUNCATE ON sign_off
  FOR EACH STATEMENT EXECUTE FUNCTION append_only();
