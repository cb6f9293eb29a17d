-- The one way to take a patient's identifier out of the append-only sign-off and audit records, found by the leak
-- scan: a redaction, once per row, that empties the free text, keeps everything else and is itself audited.
-- Only these functions do it (they set a transaction-local flag the triggers check); every other UPDATE, DELETE and
-- TRUNCATE is still refused.

ALTER TABLE sign_off ADD COLUMN redacted_at TIMESTAMPTZ, ADD COLUMN redacted_by TEXT;
ALTER TABLE run_audit ADD COLUMN redacted_at TIMESTAMPTZ, ADD COLUMN redacted_by TEXT;

CREATE OR REPLACE FUNCTION sign_off_only_voided() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'sign_off is append-only: DELETE refused';
  END IF;
  IF current_setting('medpipe.redacting', true) = 'on' AND OLD.redacted_at IS NULL
     AND NEW.redacted_at IS NOT NULL AND NEW.redacted_by IS NOT NULL AND NEW.comment IS NULL
     AND (NEW.id, NEW.seq, NEW.run_id, NEW.process_instance_id, NEW.task_id, NEW.task_key, NEW.signed_by,
          NEW.decision, NEW.evidence_id, NEW.evidence_sha256, NEW.signed_at, NEW.voided_at, NEW.void_reason)
         IS NOT DISTINCT FROM
         (OLD.id, OLD.seq, OLD.run_id, OLD.process_instance_id, OLD.task_id, OLD.task_key, OLD.signed_by,
          OLD.decision, OLD.evidence_id, OLD.evidence_sha256, OLD.signed_at, OLD.voided_at, OLD.void_reason) THEN
    RETURN NEW;
  END IF;
  IF OLD.voided_at IS NOT NULL
     OR (NEW.id, NEW.seq, NEW.run_id, NEW.process_instance_id, NEW.task_id, NEW.task_key, NEW.signed_by, NEW.decision,
         NEW.comment, NEW.evidence_id, NEW.evidence_sha256, NEW.signed_at, NEW.redacted_at, NEW.redacted_by)
        IS DISTINCT FROM
        (OLD.id, OLD.seq, OLD.run_id, OLD.process_instance_id, OLD.task_id, OLD.task_key, OLD.signed_by, OLD.decision,
         OLD.comment, OLD.evidence_id, OLD.evidence_sha256, OLD.signed_at, OLD.redacted_at, OLD.redacted_by) THEN
    RAISE EXCEPTION 'sign-off % can only be voided, once', OLD.id;
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE FUNCTION run_audit_only_redacted() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND current_setting('medpipe.redacting', true) = 'on' AND OLD.redacted_at IS NULL
     AND NEW.redacted_at IS NOT NULL AND NEW.redacted_by IS NOT NULL
     AND NEW.operation = '[redacted]' AND NEW.detail IS NULL
     AND (NEW.id, NEW.at, NEW.actor, NEW.run_id, NEW.outcome) IS NOT DISTINCT FROM
         (OLD.id, OLD.at, OLD.actor, OLD.run_id, OLD.outcome) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'run_audit is append-only: % refused', TG_OP;
END $$ LANGUAGE plpgsql;

DROP TRIGGER run_audit_append_only ON run_audit;
CREATE TRIGGER run_audit_only_redacted BEFORE UPDATE OR DELETE ON run_audit
  FOR EACH ROW EXECUTE FUNCTION run_audit_only_redacted();

CREATE FUNCTION redact_sign_off_comment(p_id UUID, p_by TEXT) RETURNS void AS $$
DECLARE
  run TEXT;
BEGIN
  IF p_by IS NULL OR btrim(p_by) = '' THEN
    RAISE EXCEPTION 'say who redacts';
  END IF;
  PERFORM set_config('medpipe.redacting', 'on', true);
  UPDATE medpipe.sign_off SET comment = NULL, redacted_at = clock_timestamp(), redacted_by = p_by
    WHERE id = p_id AND redacted_at IS NULL RETURNING run_id INTO run;
  PERFORM set_config('medpipe.redacting', 'off', true);
  IF run IS NULL THEN
    RAISE EXCEPTION 'no unredacted sign-off %', p_id;
  END IF;
  INSERT INTO medpipe.run_audit (actor, operation, run_id, outcome, detail)
    VALUES (p_by, 'sign-off comment redacted', run, 'done', 'sign-off ' || p_id);
END $$ LANGUAGE plpgsql;

CREATE FUNCTION redact_run_audit(p_id BIGINT, p_by TEXT) RETURNS void AS $$
DECLARE
  run TEXT;
  hit BOOLEAN;
BEGIN
  IF p_by IS NULL OR btrim(p_by) = '' THEN
    RAISE EXCEPTION 'say who redacts';
  END IF;
  PERFORM set_config('medpipe.redacting', 'on', true);
  UPDATE medpipe.run_audit SET operation = '[redacted]', detail = NULL, redacted_at = clock_timestamp(),
      redacted_by = p_by
    WHERE id = p_id AND redacted_at IS NULL RETURNING run_id, true INTO run, hit;
  PERFORM set_config('medpipe.redacting', 'off', true);
  IF hit IS NULL THEN
    RAISE EXCEPTION 'no unredacted audit row %', p_id;
  END IF;
  INSERT INTO medpipe.run_audit (actor, operation, run_id, outcome, detail)
    VALUES (p_by, 'audit row redacted', run, 'done', 'audit row ' || p_id);
END $$ LANGUAGE plpgsql;
