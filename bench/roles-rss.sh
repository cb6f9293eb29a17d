#!/usr/bin/env bash
# Measures the memory of each role while one pipeline run goes through Develop and Staging, as the GKE manifests
# deploy them: an engine node (workers off), a worker node and an API node, three JVMs on one PostgreSQL (the
# engine's embedded one). Prints each JVM's peak resident set (VmHWM), its heap after a full GC at the end and its
# CPU time; deploy/base/*.yaml size their requests and limits from these figures (docs/gcp.md).
# Usage: mvn -q package -DskipTests && bench/roles-rss.sh [patients]   (leaves nothing running)
# MEDPIPE_IMAGE_DIR: run the worker and API nodes as the image does, from the production jar's extracted layers
# (java -Djarmode=tools -jar medpipe.jar extract --layers --launcher, all layers copied into one directory) with the
# gcp profile (JSON logs); the engine keeps target/medpipe.jar for its embedded PostgreSQL.
# JVM heaps: MEDPIPE_ENGINE_XMX, MEDPIPE_WORKER_XMX, MEDPIPE_API_XMX (defaults: the manifests' memory limits x 60%, as MaxRAMPercentage=60 gives them).
set -euo pipefail
cd "$(dirname "$0")/.."
PATIENTS=${1:-20000}
DIR=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ENGINE_PORT=$(free_port); WORKER_PORT=$(free_port); API_PORT=$(free_port); DB_PORT=$(free_port)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$DIR"; }
trap cleanup EXIT
SECRETS="MEDPIPE_WORKER_PASSWORD=rss-worker-password MEDPIPE_PSEUDONYM_KEY=rss-bench-pseudonym-key MEDPIPE_API_SERVICE_KEY=rss-service-key MEDPIPE_API_ADMIN_KEY=rss-admin-key MEDPIPE_REFERENCE_KEY=rss-reference-key"

# engine node: demo mode (embedded PostgreSQL on a known port), workers off as on GKE
env $SECRETS MEDPIPE_PORT=$ENGINE_PORT MEDPIPE_DATA_DIR=$DIR/engine MEDPIPE_EMBEDDED_DB_PORT=$DB_PORT \
  MEDPIPE_COHORT_PATIENTS=$PATIENTS MEDPIPE_WORKERS_ENABLED=false MEDPIPE_ARTIFACT_DIR=$DIR/artifacts \
  MEDPIPE_SERVING_URL=http://localhost:$API_PORT \
  java -Xmx${MEDPIPE_ENGINE_XMX:-921m} -jar target/medpipe.jar >"$DIR/engine.log" 2>&1 &
ENGINE=$!; PIDS+=("$ENGINE")
until grep -q "Started MedpipeApplication" "$DIR/engine.log"; do sleep 0.5; kill -0 $ENGINE; done
if [ -n "${MEDPIPE_IMAGE_DIR:-}" ]; then
  NODE=(-cp "$MEDPIPE_IMAGE_DIR" org.springframework.boot.loader.launch.JarLauncher); GCP=gcp,
else
  NODE=(-jar target/medpipe.jar); GCP=
fi
DB="MEDPIPE_DB_URL=jdbc:postgresql://localhost:$DB_PORT/postgres MEDPIPE_DB_USER=postgres MEDPIPE_DB_PASSWORD=postgres"

env $SECRETS $DB SPRING_PROFILES_ACTIVE=${GCP}api MEDPIPE_PORT=$API_PORT MEDPIPE_DATA_DIR=$DIR/api \
  MEDPIPE_ARTIFACT_DIR=$DIR/artifacts java -Xmx${MEDPIPE_API_XMX:-614m} "${NODE[@]}" >"$DIR/api.log" 2>&1 &
API=$!; PIDS+=("$API")
env $SECRETS $DB SPRING_PROFILES_ACTIVE=${GCP}worker MEDPIPE_PORT=$WORKER_PORT MEDPIPE_DATA_DIR=$DIR/worker \
  MEDPIPE_ENGINE_URL=http://localhost:$ENGINE_PORT/engine-rest MEDPIPE_SERVING_URL=http://localhost:$API_PORT \
  MEDPIPE_ARTIFACT_DIR=$DIR/artifacts java -Xmx${MEDPIPE_WORKER_XMX:-1228m} "${NODE[@]}" >"$DIR/worker.log" 2>&1 &
WORKER=$!; PIDS+=("$WORKER")
until grep -q "Started MedpipeApplication" "$DIR/api.log" && grep -q "External-task workers started" "$DIR/worker.log"; do
  sleep 0.5; kill -0 $API; kill -0 $WORKER
done

rss() { awk '/VmRSS/{print int($2/1024)}' /proc/$1/status; }
echo "idle after start: engine $(rss $ENGINE) MB, worker $(rss $WORKER) MB, api $(rss $API) MB (RSS)"

# one run through the public webhook; Develop and Staging (incl. the API node's 200-request burst) happen before QA
curl -s -o /dev/null -X POST "http://localhost:$ENGINE_PORT/api/v1/webhooks/retrain" -H "Authorization: Bearer $(cat "$DIR/engine/webhook.token" 2>/dev/null || echo none)" \
  -H 'Content-Type: application/json' \
  -d '{"version":"4","groupKey":"rss","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"RssBench"}}]}' || true
t0=$(date +%s)
# Develop and Staging are done when the staging tests have run (Medical QA is then waiting, or the run was rejected)
# (a failed staging test ends in a BPMN error: the task's log then has a deletion, not a success, entry)
until curl -s -u admin:demo "http://localhost:$ENGINE_PORT/engine-rest/history/external-task-log?topicName=staging-tests" \
    | grep -q -E '"(successLog|failureLog|deletionLog)":true'; do
  sleep 2; kill -0 $WORKER
  [ $(( $(date +%s) - t0 )) -lt 1800 ] || { echo "staging tests not reached after 30 min; see $DIR/worker.log"; break; }
done
echo "Develop + Staging took $(( $(date +%s) - t0 )) s (load average now $(cut -d' ' -f1-3 /proc/loadavg))"
grep -h -o "staging-tests for process instance [^:]*: [A-Z_]*" "$DIR/worker.log" | tail -1 || true
[ -z "${MEDPIPE_IMAGE_DIR:-}" ] || echo "API node, first JSON log line: $(grep -m1 '^{' "$DIR/api.log" | cut -c1-240)"

for role in ENGINE WORKER API; do
  pid=${!role}
  jcmd $pid GC.run >/dev/null
  heap=$(jcmd $pid GC.heap_info | awk '/garbage-first heap/{for(i=1;i<=NF;i++) if($i=="used") print $(i+1)}')
  cpu=$(awk '{printf "%.1f", ($14+$15)/100}' /proc/$pid/stat)
  echo "$role: peak RSS $(awk '/VmHWM/{print int($2/1024)}' /proc/$pid/status) MB, RSS now $(rss $pid) MB, heap after full GC $heap, CPU $cpu s"
done
