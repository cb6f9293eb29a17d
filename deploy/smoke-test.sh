#!/usr/bin/env bash
# Smoke test of a deployed medpipe (Jenkinsfile, after each deploy): every role rolled out and ready, the prediction
# API answering with its service key, the engine's REST API up and refusing anonymous calls, and the management port
# closed to everything but the Prometheus collectors. Needs kubectl pointed at the cluster; no secret leaves a pod.
#   deploy/smoke-test.sh NAMESPACE
set -euo pipefail
ns=${1:?usage: deploy/smoke-test.sh NAMESPACE}
k() { kubectl -n "$ns" "$@"; }
fail() { echo "SMOKE TEST FAILED: $*" >&2; exit 1; }

for role in engine worker api; do
  k rollout status "deployment/medpipe-$role" --timeout=10m || fail "medpipe-$role did not roll out"
done
for role in engine worker api; do
  k exec "deploy/medpipe-$role" -- curl -fsS -o /dev/null http://127.0.0.1:8080/readyz || fail "medpipe-$role is not ready"
done

# the prediction API with the workers' service key, read inside the pod from the Secret Manager volume:
# 200 with a deployed model, 503 application/problem+json before the first one; anything else fails
status=$(k exec deploy/medpipe-api -- sh -c \
  'curl -s -o /dev/null -w "%{http_code} %{content_type}" -H "X-API-Key: $(cat /var/run/secrets/medpipe/MEDPIPE_API_SERVICE_KEY)" http://127.0.0.1:8080/api/v1/model')
case "$status" in
  "200 application/json"*|"503 application/problem+json"*) echo "prediction API: $status" ;;
  *) fail "GET /api/v1/model answered $status" ;;
esac
[ "$(k exec deploy/medpipe-api -- curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8080/api/v1/model)" = 401 ] \
  || fail "the prediction API answered a request without a key"

# the workers' path to the engine: its REST API through the Service, closed to anonymous callers
[ "$(k exec deploy/medpipe-worker -- curl -s -o /dev/null -w '%{http_code}' http://medpipe-engine:8080/engine-rest/version)" = 401 ] \
  || fail "the engine REST API is not up or answers anonymous calls"

# the NetworkPolicy: from a worker pod, an API pod's management port must not answer
api_ip=$(k get pod -l app.kubernetes.io/component=api -o jsonpath='{.items[0].status.podIP}')
if k exec deploy/medpipe-worker -- curl -s -m 5 -o /dev/null "http://$api_ip:8081/actuator/health"; then
  fail "the management port of $api_ip is reachable from a worker pod"
fi
echo "smoke test of $ns passed"
