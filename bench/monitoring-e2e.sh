#!/usr/bin/env bash
# Drift alert -> retrain run, end to end with a real Prometheus and Alertmanager (Debian: prometheus,
# prometheus-alertmanager): start medpipe, run the pipeline once (webhook, Medical QA, production approval), replay a
# drift scenario through the prediction API with delayed feedback, run the monitor through its API, and watch
# Prometheus scrape the monitor's meters, fire the drift alert, Alertmanager send it to the retrain webhook and medpipe
# start a retrain run. Also times monitor runs and the prediction API's p99 with and without a monitor running.
# Usage: mvn -q package -DskipTests && bench/monitoring-e2e.sh [patients] [scenario]   (leaves nothing running)
set -euo pipefail
cd "$(dirname "$0")/.."
# the demo's own cohort size: with fewer patients the held-out set holds too few Fabry cases for the recall bound
# to pass validation, and the run ends before Medical QA
PATIENTS=${1:-20000}
SCENARIO=${2:-creatinine-assay}
JAR=${MEDPIPE_JAR:-target/medpipe.jar}
PORT=18080; MANAGEMENT_PORT=18081; PROM_PORT=19090; AM_PORT=19093
DIR=$(mktemp -d)
BASE=http://localhost:$PORT
PIDS=()
now() { date +%s.%N; }
since() { python3 -c "print(f'{$(now) - $1:.1f}')"; }
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$DIR"; }
trap cleanup EXIT
AM_BIN=$(command -v prometheus-alertmanager || command -v alertmanager)

t0=$(now)
MEDPIPE_PORT=$PORT MEDPIPE_MANAGEMENT_PORT=$MANAGEMENT_PORT MEDPIPE_DATA_DIR=$DIR/medpipe \
  MEDPIPE_COHORT_PATIENTS=$PATIENTS java -jar "$JAR" >"$DIR/medpipe.log" 2>&1 &
PIDS+=($!)
until grep -q "External-task workers started" "$DIR/medpipe.log"; do sleep 0.5; kill -0 "${PIDS[0]}"; done
echo "medpipe started in $(since "$t0") s"
KEY=$(cat "$DIR/medpipe/api-admin.key")

# Prometheus scraping medpipe's management port with the rules of ops/, Alertmanager with ops/'s routing
mkdir -p "$DIR/prom" "$DIR/am"
cp ops/prometheus/alerts.yml "$DIR/prom/"
sed -e "s/scrape_interval: 15s/scrape_interval: 5s/" -e "s/evaluation_interval: 15s/evaluation_interval: 5s/" \
    -e "s/alertmanager:9093/localhost:$AM_PORT/" -e "s/medpipe:8081/localhost:$MANAGEMENT_PORT/" \
    ops/prometheus/prometheus.yml > "$DIR/prom/prometheus.yml"
sed -e "s#http://medpipe:8080#$BASE#" -e "s#/run/secrets/medpipe_webhook_token#$DIR/medpipe/webhook.token#" \
    -e "s/group_wait: 30s/group_wait: 5s/" ops/alertmanager/alertmanager.yml > "$DIR/am/alertmanager.yml"
prometheus --config.file="$DIR/prom/prometheus.yml" --storage.tsdb.path="$DIR/prom/data" \
  --web.listen-address=127.0.0.1:$PROM_PORT >"$DIR/prom.log" 2>&1 &
PIDS+=($!)
"$AM_BIN" --config.file="$DIR/am/alertmanager.yml" --storage.path="$DIR/am/data" \
  --web.listen-address=127.0.0.1:$AM_PORT --cluster.listen-address= >"$DIR/am.log" 2>&1 &
PIDS+=($!)

. bench/lib.sh
runs() { curl -s -u operator:demo "$BASE/engine-rest/history/process-instance?processDefinitionKey=mlops-pipeline" | python3 -c 'import sys,json; print(len(json.load(sys.stdin)))'; }

t1=$(now)
first_model_to_production
echo "version 1 serving after $(since "$t1") s; its reference profile: $(curl -s -H "X-API-Key: $KEY" "$BASE/api/v1/model" | python3 -c 'import sys,json; print(json.load(sys.stdin)["model"]["id"])' | xargs -I{} curl -s -H "X-API-Key: $KEY" "$BASE/api/v1/models/{}" | python3 -c 'import sys,json; print(json.load(sys.stdin)["referenceProfile"])')"
grep -o "Reference profile of [0-9]* held-out rows in .*" "$DIR/medpipe.log" | head -1

monitor() { # runs the monitor through its API, waits, prints the run's summary
  local loc
  loc=$(curl -s -D - -o /dev/null -X POST "$BASE/api/v1/monitoring/runs" -H "X-API-Key: $KEY" -H 'Content-Type: application/json' -d "${1:-{\}}" | awk 'tolower($1)=="location:"{print $2}' | tr -d '\r')
  local end=$((SECONDS + 900))
  while curl -s -H "X-API-Key: $KEY" "$BASE$loc" | grep -q '"status":"running"'; do deadline $end "monitor run $loc"; sleep 1; done
  curl -s -H "X-API-Key: $KEY" "$BASE$loc" | python3 -c 'import sys,json; r=json.load(sys.stdin); print(r["status"], r["outcome"], r["action"], "|", r["message"])'
}

t2=$(now)
java -jar "$JAR" scenario no-drift --patients 1500 --seed 2001 --feedback 0.5 --feedback-delay PT2S --url "$BASE" --api-key "$KEY"
quiet=$(monitor '{"last": 1500}')
echo "no-drift window: $quiet"
case "$quiet" in *" retrain |"*|*" page |"*) echo "FALSE ALARM: the no-drift window asked for more than a warning" >&2; exit 1;; esac
java -jar "$JAR" scenario "$SCENARIO" --patients 2000 --seed 2002 --feedback 0.5 --feedback-delay PT2S --url "$BASE" --api-key "$KEY"
before=$(runs)
echo "$SCENARIO window: $(monitor '{"last": 2000}')"
echo "scenario replay and monitor runs: $(since "$t2") s"
curl -s "http://localhost:$MANAGEMENT_PORT/actuator/prometheus" | grep -E '^medpipe_monitor_(signal_action|drift_share|domain_auc |window_predictions)' || true

t3=$(now)
end=$((SECONDS + 600))
until curl -s "http://127.0.0.1:$PROM_PORT/api/v1/alerts" | grep -q '"state":"firing"'; do deadline $end "a firing alert in Prometheus"; sleep 2; done
echo "Prometheus alert firing $(since "$t3") s after the run: $(curl -s "http://127.0.0.1:$PROM_PORT/api/v1/alerts" | python3 -c 'import sys,json; print([(a["labels"]["alertname"], a["labels"].get("action"), a["labels"].get("signal")) for a in json.load(sys.stdin)["data"]["alerts"] if a["state"]=="firing"])')"
end=$((SECONDS + 600))
until [ "$(runs)" -gt "$before" ]; do deadline $end "Alertmanager's webhook to start a retrain run"; sleep 2; done
echo "retrain run started by Alertmanager's webhook $(since "$t3") s after the run"
curl -s -u operator:demo "$BASE/engine-rest/history/process-instance?processDefinitionKey=mlops-pipeline&sortBy=startTime&sortOrder=desc&maxResults=1" | python3 -c 'import sys,json; r=json.load(sys.stdin)[0]; print("  run", r["id"], "business key", r["businessKey"])'
grep -i "retrain" "$DIR/medpipe.log" | grep -iv "password\|token" | tail -3 || true

# the prediction API's p99 with no monitor running, then while monitor runs repeat (single explained predictions)
cp=$(cat target/cp.txt 2>/dev/null || true)
if [ -n "$cp" ]; then
  java -cp "target/test-classes:$cp" io.medpipe.bench.LoadGenerator "$BASE" "$KEY" 20 50 fixed-rate "http://localhost:$MANAGEMENT_PORT" 2>&1 | grep -i "explained\|p99" | head -4
  ( for i in 1 2 3 4 5; do monitor '{"last": 3500}' >/dev/null; done ) &
  MON=$!
  java -cp "target/test-classes:$cp" io.medpipe.bench.LoadGenerator "$BASE" "$KEY" 20 50 fixed-rate "http://localhost:$MANAGEMENT_PORT" 2>&1 | grep -i "explained\|p99" | head -4
  wait $MON || true
fi
grep -o "Monitor run [0-9a-f-]*: .*" "$DIR/medpipe.log" | tail -3
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); machine: $(nproc) cores"
