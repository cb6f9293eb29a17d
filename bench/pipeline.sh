#!/usr/bin/env bash
# Measures medpipe's start-up and one full pipeline run with the embedded defaults, through the public
# interfaces only: start the jar, send an Alertmanager notification, complete Medical QA (reviewer) and the
# production approval (devops) through the engine REST API, and wait for the production API to serve the model.
# Usage: mvn -q package -DskipTests && bench/pipeline.sh [patients]   (prints the figures; leaves nothing running)
set -euo pipefail
cd "$(dirname "$0")/.."
PATIENTS=${1:-20000}
PORT=${MEDPIPE_BENCH_PORT:-18080}
# the actuator's management port, away from a medpipe already running on 8081
MANAGEMENT_PORT=${MEDPIPE_BENCH_MANAGEMENT_PORT:-18081}
DIR=$(mktemp -d)
BASE=http://localhost:$PORT
now() { date +%s.%N; }
since() { python3 -c "print(f'{$(now) - $1:.1f}')"; }
cleanup() { [ -n "${PID:-}" ] && kill "$PID" 2>/dev/null && { wait "$PID" 2>/dev/null || true; }; rm -rf "$DIR"; }
trap cleanup EXIT

t0=$(now)
MEDPIPE_PORT=$PORT MEDPIPE_MANAGEMENT_PORT=$MANAGEMENT_PORT MEDPIPE_DATA_DIR=$DIR MEDPIPE_COHORT_PATIENTS=$PATIENTS java -jar target/medpipe.jar >"$DIR/app.log" 2>&1 &
PID=$!
until grep -q "External-task workers started" "$DIR/app.log"; do sleep 0.2; kill -0 $PID; done
echo "start-up incl. first-start cohort of $PATIENTS patients: $(since "$t0") s"
grep -o "Started MedpipeApplication in [0-9.]* seconds" "$DIR/app.log"
grep -o "seeded synthetic cohort in [0-9]* ms" "$DIR/app.log"

. bench/lib.sh # task, complete

t1=$(now)
curl -s -o /dev/null -X POST "$BASE/api/v1/webhooks/retrain" -H "Authorization: Bearer $(cat "$DIR/webhook.token")" \
  -H 'Content-Type: application/json' \
  -d '{"version":"4","groupKey":"{}:{alertname=\"Bench\"}","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"Bench"}}]}'
qa=$(task reviewer medical-qa-review)
echo "webhook -> Medical QA task (Develop + Staging): $(since "$t1") s"
curl -s -u reviewer:demo "$BASE/engine-rest/task/$qa/variables/stagingTestsReport" | python3 -c 'import sys,json; r=json.loads(json.load(sys.stdin)["value"]); print("staging burst: %d requests, p50 %.1f ms, p95 %.1f ms, p99 %.1f ms" % (r["requests"], r["p50Ms"], r["p95Ms"], r["p99Ms"]))'
# the held-out figures are Develop's variables (Staging and its Medical QA task get ids only): read from its history
curl -s -u operator:demo "$BASE/engine-rest/history/variable-instance?processDefinitionKey=develop&deserializeValues=false" | python3 -c '
import sys, json
v = {x["name"]: x.get("value") for x in json.load(sys.stdin)}
if "metricsTable" not in v:
    sys.exit(print("held-out figures: not readable from the Develop run history (see the model card)"))
rows = json.loads(v["metricsTable"])
rare = next(r for r in rows if r["label"] == v["targetClass"])
n = sum(r["support"] for r in rows)
flags = rare["recall"] * rare["support"] + (1 - rare["specificity"]) * (n - rare["support"])
print("held-out %s (%d of %d): %s; recall %.3f (lower %.3f), precision %.3f (lower %.3f), AUPRC lower %.3f, "
      "ROC-AUC %.3f, specificity %.4f, %.1f flags per 1,000 patients" % (v["targetClass"], rare["support"], n,
      v.get("modelStrategy"), v["rareRecall"], v["rareRecallLower"], v["rarePrecision"], v["rarePrecisionLower"],
      v["rareAuprcLower"], v["rareRocAuc"], rare["specificity"], 1000 * flags / n))'
[ "$(complete reviewer "$qa" qaDecision qaComment)" = 204 ]
t2=$(now)
approval=$(task devops approve-production)
[ "$(complete devops "$approval" deployDecision deployComment)" = 204 ]
until curl -s -H "X-API-Key: $(cat "$DIR/api-admin.key")" "$BASE/api/v1/model" | grep -q '"version"'; do sleep 0.2; done
echo "approval -> production API serving (fetch, deploy, smoke test, promote): $(since "$t2") s"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem/{print $2}') GiB, $(java -version 2>&1 | head -1)"
