# Shared by the bench scripts that drive a running medpipe through its public interfaces (sourced, not run).
# The caller sets BASE (medpipe's URL), KEY (the admin API key) and DIR (the run's directory, medpipe's data in
# $DIR/medpipe, its log in $DIR/medpipe.log).

deadline() { # $1 the SECONDS value to give up at, $2 what is awaited -> fails the run with a readable line
  [ $SECONDS -lt "$1" ] || { echo "gave up waiting for $2 (see $DIR/*.log)" >&2; exit 1; }
}

task() { # $1 user, $2 task key -> the first such task's id (polls, gives up after an hour)
  local id="" end=$((SECONDS + 3600))
  while [ -z "$id" ]; do
    deadline $end "a $2 task (did the run end at validation?)"
    id=$(curl -s -u "$1:demo" "$BASE/engine-rest/task?taskDefinitionKey=$2" | python3 -c 'import sys,json; t=json.load(sys.stdin); print(t[0]["id"] if t else "")')
    [ -n "$id" ] || sleep 0.2 # the benchmarks time the wait
  done
  echo "$id"
}

complete() { # $1 user, $2 task id, $3 decision variable, $4 comment variable -> HTTP status of approving it
  curl -s -o /dev/null -w "%{http_code}" -u "$1:demo" -H 'Content-Type: application/json' -X POST "$BASE/engine-rest/task/$2/complete" \
    -d "{\"variables\":{\"$3\":{\"value\":\"approve\"},\"$4\":{\"value\":\"benchmark run\"}}}"
}

first_model_to_production() { # an Alertmanager notification, Medical QA and the production approval; waits until served
  curl -s -o /dev/null -X POST "$BASE/api/v1/webhooks/retrain" -H "Authorization: Bearer $(cat "$DIR/medpipe/webhook.token")" \
    -H 'Content-Type: application/json' \
    -d '{"version":"4","groupKey":"{}:{alertname=\"FirstModel\"}","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"FirstModel"}}]}'
  [ "$(complete reviewer "$(task reviewer medical-qa-review)" qaDecision qaComment)" = 204 ]
  [ "$(complete devops "$(task devops approve-production)" deployDecision deployComment)" = 204 ]
  local end=$((SECONDS + 600))
  until curl -s -H "X-API-Key: $KEY" "$BASE/api/v1/model" | grep -q '"version"'; do deadline $end "the model to serve"; sleep 1; done
}
