-- medpipe's database roles on Cloud SQL (docs/gcp.md, step "Database roles"). Run once as the engine's IAM user
-- after the engine node has started once (it creates the schemas: Flyway for medpipe and ehr, Camunda its ACT_*
-- tables in public), then grant each group to its IAM user:
--   GRANT medpipe_worker TO "medpipe-worker@PROJECT.iam";  GRANT medpipe_api TO "medpipe-api@PROJECT.iam";
-- The engine's user owns everything and needs no grant. ApiRoleIT runs the API role as a member of medpipe_api
-- on a real PostgreSQL, so a statement the API node needs and this file does not grant fails that test.

DO $$ BEGIN
  CREATE ROLE medpipe_worker NOLOGIN;
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN
  CREATE ROLE medpipe_api NOLOGIN;
EXCEPTION WHEN duplicate_object THEN NULL; END $$;

-- Workers: the pipeline's steps read the identified EHR (extraction, pseudonymisation) and write snapshots, reports,
-- models and the registry. They reach the engine over its REST API, not its tables.
GRANT USAGE ON SCHEMA medpipe, ehr TO medpipe_worker;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA medpipe, ehr TO medpipe_worker;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA medpipe, ehr TO medpipe_worker;
-- tables a later medpipe version creates (as the engine's user) are granted the same way
ALTER DEFAULT PRIVILEGES IN SCHEMA medpipe, ehr GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO medpipe_worker;
ALTER DEFAULT PRIVILEGES IN SCHEMA medpipe, ehr GRANT USAGE, SELECT ON SEQUENCES TO medpipe_worker;

-- API nodes: the prediction API and what it shows. Nothing in ehr (identified patients), no snapshot, no engine
-- table: a compromised API node cannot read a patient's record.
GRANT USAGE ON SCHEMA medpipe TO medpipe_api;
GRANT SELECT ON medpipe.model_version, medpipe.model_stage_event, medpipe.serving_slot, medpipe.report
  TO medpipe_api;
-- champion comparisons and their verdicts (aggregates only), shown with a model version
GRANT SELECT ON medpipe.champion_comparison, medpipe.champion_verdict TO medpipe_api;
GRANT SELECT, INSERT, UPDATE ON medpipe.api_key TO medpipe_api;
-- the prediction record: written per prediction, read by the audit endpoint, purged after its retention
GRANT SELECT, INSERT, DELETE ON medpipe.prediction_log, medpipe.prediction_feedback TO medpipe_api;
-- redactions (POST /api/v1/admin/predictions/redactions): the audit row, and the redacted columns only
GRANT SELECT, INSERT, UPDATE ON medpipe.prediction_redaction TO medpipe_api;
GRANT UPDATE (patient_ref, request_id, redaction_id) ON medpipe.prediction_log TO medpipe_api;
