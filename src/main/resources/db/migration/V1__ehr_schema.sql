-- The EHR as a hospital holds it: identified patients and their clinical record.
-- Everything in schema ehr is personal health information; only the pseudonymize step reads it out.

CREATE TABLE ehr.patient (
  id           BIGSERIAL PRIMARY KEY,
  mrn          TEXT NOT NULL UNIQUE,          -- medical record number (direct identifier)
  national_id  TEXT,                          -- direct identifier
  given_name   TEXT NOT NULL,
  family_name  TEXT NOT NULL,
  birth_date   DATE NOT NULL,
  sex          CHAR(1) NOT NULL CHECK (sex IN ('F', 'M')),
  address      TEXT,
  zip          TEXT,
  phone        TEXT,
  email        TEXT,
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE ehr.encounter (
  id             BIGSERIAL PRIMARY KEY,
  patient_id     BIGINT NOT NULL REFERENCES ehr.patient (id) ON DELETE CASCADE,
  encounter_date DATE NOT NULL,
  kind           TEXT NOT NULL                -- outpatient | inpatient | emergency
);
CREATE INDEX encounter_patient ON ehr.encounter (patient_id);

-- Labs and measurements; code is LOINC where one exists.
CREATE TABLE ehr.observation (
  id           BIGSERIAL PRIMARY KEY,
  patient_id   BIGINT NOT NULL REFERENCES ehr.patient (id) ON DELETE CASCADE,
  encounter_id BIGINT REFERENCES ehr.encounter (id) ON DELETE CASCADE,
  code         TEXT NOT NULL,
  value        DOUBLE PRECISION NOT NULL,
  unit         TEXT,
  observed_at  DATE NOT NULL
);
CREATE INDEX observation_patient_code ON ehr.observation (patient_id, code, observed_at);

-- Coded symptoms and signs (HPO terms).
CREATE TABLE ehr.symptom (
  id           BIGSERIAL PRIMARY KEY,
  patient_id   BIGINT NOT NULL REFERENCES ehr.patient (id) ON DELETE CASCADE,
  encounter_id BIGINT REFERENCES ehr.encounter (id) ON DELETE CASCADE,
  code         TEXT NOT NULL,
  observed_at  DATE NOT NULL
);
CREATE INDEX symptom_patient_code ON ehr.symptom (patient_id, code);

CREATE TABLE ehr.diagnosis (
  id           BIGSERIAL PRIMARY KEY,
  patient_id   BIGINT NOT NULL REFERENCES ehr.patient (id) ON DELETE CASCADE,
  encounter_id BIGINT REFERENCES ehr.encounter (id) ON DELETE CASCADE,
  icd10        TEXT,
  orpha_code   TEXT,
  label        TEXT NOT NULL,
  diagnosed_at DATE NOT NULL
);
CREATE INDEX diagnosis_patient ON ehr.diagnosis (patient_id);

CREATE TABLE ehr.note (
  id           BIGSERIAL PRIMARY KEY,
  patient_id   BIGINT NOT NULL REFERENCES ehr.patient (id) ON DELETE CASCADE,
  encounter_id BIGINT REFERENCES ehr.encounter (id) ON DELETE CASCADE,
  written_at   DATE NOT NULL,
  body         TEXT NOT NULL
);
CREATE INDEX note_patient ON ehr.note (patient_id);

-- A raw extraction: identified rows waiting for pseudonymisation. It stays in the PHI zone (schema ehr)
-- and is deleted by the pseudonymize step once the pseudonymised snapshot is written.
CREATE TABLE ehr.extract (
  id                  UUID PRIMARY KEY,
  created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
  spec_hash           TEXT NOT NULL,
  index_date          DATE NOT NULL,
  row_count           INTEGER NOT NULL,
  process_instance_id TEXT
);

CREATE TABLE ehr.extract_row (
  extract_id  UUID NOT NULL REFERENCES ehr.extract (id) ON DELETE CASCADE,
  row_no      INTEGER NOT NULL,
  patient_id  BIGINT NOT NULL,
  mrn         TEXT NOT NULL,
  birth_date  DATE NOT NULL,
  sex         CHAR(1) NOT NULL,
  zip         TEXT,
  features    DOUBLE PRECISION[] NOT NULL,   -- feature-spec order, NaN = missing
  label       TEXT NOT NULL,
  PRIMARY KEY (extract_id, row_no)
);
