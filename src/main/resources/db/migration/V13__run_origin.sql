-- Why a pipeline run started, recorded once when it starts (io.medpipe.pipeline.RecordRunOrigin, in the engine's own
-- transaction): the trigger, for an alert its group (the hash the run's business key holds), the shape-checked alert
-- names and the time the alert started, the monitor run whose drift policy said "retrain" and its drift report, and
-- the version that was in production (the champion). The forms and the API read it from here, never from process
-- variables, which an administrator can edit. Ids and shape-checked words only: no free text.
CREATE TABLE run_origin (
  run_id              TEXT PRIMARY KEY,           -- the mlops-pipeline process instance (the run)
  business_key        TEXT,
  trigger             TEXT NOT NULL CHECK (trigger IN ('manual', 'schedule', 'alert')),
  started_by          TEXT,                       -- the engine user of a start by hand; null for schedule and alert
  alert_group         TEXT,
  alert_names         TEXT,
  alert_started_at    TIMESTAMPTZ,
  monitor_run_id      UUID,                       -- no foreign key: a drift report may have to be deleted (PHI leak)
  drift_report_id     UUID,
  champion_version_id UUID,
  recorded_at         TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
  CHECK ((trigger = 'alert') = (alert_group IS NOT NULL)),
  CHECK (trigger = 'alert' OR (monitor_run_id IS NULL AND drift_report_id IS NULL AND alert_started_at IS NULL))
);

-- Written once: never changed, never deleted (append_only() of V6).
CREATE TRIGGER run_origin_append_only BEFORE UPDATE OR DELETE ON run_origin
  FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER run_origin_no_truncate BEFORE TRUNCATE ON run_origin
  FOR EACH STATEMENT EXECUTE FUNCTION append_only();
