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

-- The production kill switch: every stop and resume of the production model's automated answers, who (the API key's
-- client or the engine user), through which credential, when and why. The switch's state is the last row's action.
-- The reason is refused by the API when it holds what looks like an identifier.
CREATE TABLE kill_switch_event (
  id     BIGSERIAL PRIMARY KEY,
  at     TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
  action TEXT NOT NULL CHECK (action IN ('stop', 'resume')),
  actor  TEXT NOT NULL,
  via    TEXT NOT NULL CHECK (via IN ('api-key', 'engine-login')),
  reason TEXT NOT NULL CHECK (length(reason) BETWEEN 5 AND 500)
);

CREATE TRIGGER kill_switch_event_append_only BEFORE UPDATE OR DELETE ON kill_switch_event
  FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER kill_switch_event_no_truncate BEFORE TRUNCATE ON kill_switch_event
  FOR EACH STATEMENT EXECUTE FUNCTION append_only();

-- Every node serving the prediction API reads the switch before an automated answer and may record a change (admin
-- key): API nodes on Cloud SQL (role medpipe_api, deploy/cloudsql/roles.sql) need these rights. The role is created
-- here as roles.sql creates it (idempotent), so the grant holds whichever of the two runs first; where the migrating
-- user may not create roles, the grant is made only if the role exists.
DO $$ BEGIN
  CREATE ROLE medpipe_api NOLOGIN;
EXCEPTION WHEN duplicate_object OR insufficient_privilege THEN NULL; END $$;
DO $$ BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'medpipe_api') THEN
    GRANT SELECT, INSERT ON kill_switch_event TO medpipe_api;
    GRANT USAGE ON SEQUENCE kill_switch_event_id_seq TO medpipe_api;
  END IF;
END $$;
