-- Redactions of the prediction record (POST /api/v1/admin/predictions/redactions, API key role admin): the patient
-- reference and request id of the named predictions are removed, e.g. after a client sent an identifier there.
-- Who asked, when, why and how many rows changed is kept here; the identifier itself never is.
CREATE TABLE prediction_redaction (
  id             UUID PRIMARY KEY,
  created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  requested_by   TEXT NOT NULL,               -- client id of the admin key
  reason         TEXT NOT NULL,
  selector       TEXT NOT NULL CHECK (selector IN ('prediction-ids', 'patient-ref')),
  requested_ids  INTEGER,                     -- how many prediction ids were named (selector prediction-ids)
  redacted       INTEGER NOT NULL             -- how many prediction records were redacted
);

ALTER TABLE prediction_log ADD COLUMN redaction_id UUID REFERENCES prediction_redaction (id);
CREATE INDEX prediction_log_patient_ref ON prediction_log (patient_ref) WHERE patient_ref IS NOT NULL;
