-- Issue 3: imported batches, documents attached to encounters, note-derived symptoms, pseudonymised notes and
-- snapshot metadata.

-- One row per imported file, so a restart does not import the same export twice (sha256 of the file bytes).
CREATE TABLE ehr.import_batch (
  id           BIGSERIAL PRIMARY KEY,
  file_name    TEXT NOT NULL,
  file_sha256  TEXT NOT NULL UNIQUE,
  format       TEXT NOT NULL,                 -- csv | arff
  patients     INTEGER NOT NULL,
  imported_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- PDFs and text documents attached to an encounter (PHI: they name the patient). Their text becomes a note.
CREATE TABLE ehr.document (
  id             BIGSERIAL PRIMARY KEY,
  patient_id     BIGINT NOT NULL REFERENCES ehr.patient (id) ON DELETE CASCADE,
  encounter_id   BIGINT REFERENCES ehr.encounter (id) ON DELETE CASCADE,
  media_type     TEXT NOT NULL,               -- application/pdf | text/plain | (later) image/*
  file_name      TEXT,
  content        BYTEA NOT NULL,
  received_at    DATE NOT NULL,
  processed_at   TIMESTAMPTZ,                 -- text extracted (or found unreadable)
  error          TEXT                         -- why it could not be read; the document is skipped
);
CREATE INDEX document_unprocessed ON ehr.document (id) WHERE processed_at IS NULL;

ALTER TABLE ehr.note ADD COLUMN document_id BIGINT REFERENCES ehr.document (id) ON DELETE CASCADE;

-- Symptoms found in notes by the concept dictionary (source 'note') sit beside the coded ones (source 'coded').
ALTER TABLE ehr.symptom ADD COLUMN source TEXT NOT NULL DEFAULT 'coded';
ALTER TABLE ehr.symptom ADD COLUMN note_id BIGINT REFERENCES ehr.note (id) ON DELETE CASCADE;
CREATE INDEX symptom_note ON ehr.symptom (note_id) WHERE note_id IS NOT NULL;

ALTER TABLE ehr.extract ADD COLUMN skipped_documents INTEGER NOT NULL DEFAULT 0;

-- Snapshot metadata beyond the columns: skipped documents, k-anonymity report, schema.
ALTER TABLE dataset_snapshot ADD COLUMN metadata JSONB NOT NULL DEFAULT '{}'::jsonb;

-- Scrubbed notes of a snapshot: typed placeholders instead of identifiers, dates shifted per patient.
CREATE TABLE dataset_note (
  snapshot_id UUID NOT NULL REFERENCES dataset_snapshot (id) ON DELETE CASCADE,
  row_no      INTEGER NOT NULL,
  subject_ref TEXT NOT NULL,
  written_at  DATE NOT NULL,                   -- shifted by the patient's key-derived offset
  body        TEXT NOT NULL
);
CREATE INDEX dataset_note_snapshot ON dataset_note (snapshot_id, row_no);

-- A report may be rendered as HTML too (EDA).
ALTER TABLE report ADD COLUMN html TEXT;
