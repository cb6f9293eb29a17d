#!/usr/bin/env bash
# The prediction API's latency with and without the drift monitor running over a large window: start medpipe with
# its embedded defaults, take a model to production (webhook, Medical QA, approval), replay a no-drift sample through
# the API, copy those logged predictions in PostgreSQL until the log holds about [window] of them, then run the load
# generator's fixed-rate scenarios twice: once alone, once while monitor runs over the last [window] predictions
# follow each other without a pause. Prints both p99s and the monitor runs' times.
# Usage: mvn -q package -DskipTests && mvn -q dependency:build-classpath -Dmdep.outputFile=target/cp.txt \
#        && mvn -q test-compile && bench/monitor-under-load.sh [window=100000] [rate=200] [seconds=30]
set -euo pipefail
cd "$(dirname "$0")/.."
WINDOW=${1:-100000}
RATE=${2:-200}
SECONDS_PER_SCENARIO=${3:-30}
JAR=${MEDPIPE_JAR:-target/medpipe.jar}
PORT=18080; MANAGEMENT_PORT=18081
DIR=$(mktemp -d)
BASE=http://localhost:$PORT
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$DIR"; }
trap cleanup EXIT
. bench/lib.sh

MEDPIPE_PORT=$PORT MEDPIPE_MANAGEMENT_PORT=$MANAGEMENT_PORT MEDPIPE_DATA_DIR=$DIR/medpipe java -jar "$JAR" \
  >"$DIR/medpipe.log" 2>&1 &
PIDS+=($!)
until grep -q "External-task workers started" "$DIR/medpipe.log"; do sleep 0.5; kill -0 "${PIDS[0]}"; done
KEY=$(cat "$DIR/medpipe/api-admin.key")

first_model_to_production

# a realistic sample through the API (inputs, explanations and float8 arrays as the API logs them), then copies of it
java -jar "$JAR" scenario no-drift --patients 2000 --seed 3001 --feedback 0 --url "$BASE" --api-key "$KEY"
PGPORT=$(sed -n 4p "$DIR/medpipe/postgres/postmaster.pid")
export PGPASSWORD; PGPASSWORD=$(cat "$DIR/medpipe/postgres.password")
COPIES=$(( (WINDOW + 1999) / 2000 - 1 ))
psql -q -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -c "
  INSERT INTO medpipe.prediction_log (id, created_at, slot, model_version_id, features, predicted_class,
    probabilities, explanation, latency_ms, client_id, decision, input_completeness, encoded, shap)
  SELECT gen_random_uuid(), l.created_at - make_interval(mins => g), l.slot, l.model_version_id, l.features,
    l.predicted_class, l.probabilities, l.explanation, l.latency_ms, l.client_id, l.decision, l.input_completeness,
    l.encoded, l.shap
  FROM medpipe.prediction_log l, generate_series(1, $COPIES) g WHERE l.slot = 'production';
  ANALYZE medpipe.prediction_log;"
echo "prediction log: $(psql -tA -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -c "SELECT count(*) FROM medpipe.prediction_log WHERE slot = 'production'") production predictions"

monitor() { # one monitor run over the last WINDOW predictions, through the API; prints its seconds
  local loc t0
  t0=$(date +%s.%N)
  loc=$(curl -s -D - -o /dev/null -X POST "$BASE/api/v1/monitoring/runs" -H "X-API-Key: $KEY" -H 'Content-Type: application/json' \
    -d "{\"last\": $WINDOW}" | awk 'tolower($1)=="location:"{print $2}' | tr -d '\r')
  while curl -s -H "X-API-Key: $KEY" "$BASE$loc" | grep -q '"status":"running"'; do sleep 0.2; done
  python3 -c "print(f'{$(date +%s.%N) - $t0:.2f}')"
}
echo "monitor alone over the last $WINDOW: $(monitor) s, $(monitor) s"

CP="target/test-classes:$(cat target/cp.txt)"
echo "--- without the monitor"
java -cp "$CP" io.medpipe.bench.LoadGenerator "$BASE" "$KEY" "$SECONDS_PER_SCENARIO" "$RATE" fixed-rate \
  "http://localhost:$MANAGEMENT_PORT" 2>&1 | grep -E "@|server"
echo "--- while monitor runs over the last $WINDOW follow each other"
touch "$DIR/monitoring"
( while [ -f "$DIR/monitoring" ]; do echo "monitor run: $(monitor) s" >> "$DIR/runs.txt"; done ) &
MON=$!
java -cp "$CP" io.medpipe.bench.LoadGenerator "$BASE" "$KEY" "$SECONDS_PER_SCENARIO" "$RATE" fixed-rate \
  "http://localhost:$MANAGEMENT_PORT" 2>&1 | grep -E "@|server"
rm -f "$DIR/monitoring"; wait $MON || true
cat "$DIR/runs.txt"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); machine: $(nproc) cores"
