-- Champion against challenger in Staging (io.medpipe.champion): the new version and the version in production scored
-- on the same labelled held-out patients, with a paired bootstrap of the differences in the rare class's recall and
-- AUPRC. Aggregates only (counts, figures, intervals, reliability curves): never a row, a pseudonym or a value of a
-- patient. Written once; the leak scan reads both tables.
CREATE TABLE champion_comparison (
  id                      UUID PRIMARY KEY,
  created_at              TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
  run_id                  TEXT,                 -- the mlops-pipeline run, from medpipe.run_origin
  process_instance_id     TEXT NOT NULL,        -- the Staging instance that compared
  challenger_version_id   UUID NOT NULL REFERENCES model_version (id),
  champion_version_id     UUID REFERENCES model_version (id),
  status                  TEXT NOT NULL CHECK (status IN ('compared', 'no-champion', 'too-few-rare-cases',
                                                          'not-comparable')),
  rows_compared           INTEGER NOT NULL CHECK (rows_compared >= 0),
  rare_cases              INTEGER NOT NULL CHECK (rare_cases >= 0),
  recall_difference_lower DOUBLE PRECISION,     -- lower 95% bound of challenger - champion recall
  auprc_difference_lower  DOUBLE PRECISION,
  body                    JSONB NOT NULL,
  CHECK ((status = 'no-champion') = (champion_version_id IS NULL)),
  CHECK ((status = 'compared') = (recall_difference_lower IS NOT NULL AND auprc_difference_lower IS NOT NULL))
);
CREATE INDEX champion_comparison_challenger ON champion_comparison (challenger_version_id, created_at);

-- What processes/champion-challenger.dmn decided on a comparison, recorded by the end listener of its business rule
-- task in the engine's transaction (io.medpipe.champion.RecordChampionVerdict). No foreign key: the process tests
-- play the comparison step without a stored comparison.
CREATE TABLE champion_verdict (
  comparison_id UUID PRIMARY KEY,
  run_id        TEXT,
  proceed       BOOLEAN NOT NULL,                -- true: the challenger goes to Medical QA; false: champion kept
  reason        TEXT NOT NULL,
  decided_at    TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);

CREATE TRIGGER champion_comparison_append_only BEFORE UPDATE OR DELETE ON champion_comparison
  FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER champion_comparison_no_truncate BEFORE TRUNCATE ON champion_comparison
  FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER champion_verdict_append_only BEFORE UPDATE OR DELETE ON champion_verdict
  FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER champion_verdict_no_truncate BEFORE TRUNCATE ON champion_verdict
  FOR EACH STATEMENT EXECUTE FUNCTION append_only();

-- API nodes (role medpipe_api, deploy/cloudsql/roles.sql) may answer GET /api/v1/models/{id}/champion-comparison: read
-- rights on these aggregates, granted here for databases where roles.sql ran before this migration.
DO $$ BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'medpipe_api') THEN
    GRANT SELECT ON champion_comparison, champion_verdict TO medpipe_api;
  END IF;
END $$;
