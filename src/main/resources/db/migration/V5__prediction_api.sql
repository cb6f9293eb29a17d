-- The prediction API's own records: API keys (hashed), clinicians' feedback joined to predictions, and the
-- client's request id on each logged prediction.

-- One key per client. Only the SHA-256 of the key is stored; the key itself is shown once, when it is created.
CREATE TABLE api_key (
  id          UUID PRIMARY KEY,
  client_id   TEXT NOT NULL,
  role        TEXT NOT NULL CHECK (role IN ('predict', 'feedback', 'admin')),
  key_sha256  TEXT NOT NULL UNIQUE,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  created_by  TEXT,
  revoked_at  TIMESTAMPTZ
);

ALTER TABLE prediction_log ADD COLUMN request_id TEXT;

-- A clinician's verdict on a prediction, often days later: accept, or override with the confirmed diagnosis.
-- Purged together with its prediction (retention).
CREATE TABLE prediction_feedback (
  id               UUID PRIMARY KEY,
  prediction_id    UUID NOT NULL REFERENCES prediction_log (id) ON DELETE CASCADE,
  created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  verdict          TEXT NOT NULL CHECK (verdict IN ('accept', 'override')),
  confirmed_class  TEXT NOT NULL,
  client_id        TEXT NOT NULL
);
CREATE INDEX prediction_feedback_prediction ON prediction_feedback (prediction_id, created_at);
