#!/usr/bin/env bash
# Time of medpipe evaluate's default on a 9,000 x 30 table shaped like issue 13's 9-class export, against the six
# scikit-learn peer configurations on the same folds, and a fixed strategy against its peer counterpart. Prints the
# load average with every figure (the machine is shared: compare figures taken at similar load).
#   mvn -q package -DskipTests && bench/speed.sh OUT_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:?usage: bench/speed.sh OUT_DIR}"
mkdir -p "$out"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
load() { cut -d' ' -f1-3 /proc/loadavg; }
/usr/bin/python3 "$here/bench/make_synthetic.py" "$out/synth9000.csv"
echo "== scikit-learn peers (load $(load))"
/usr/bin/python3 "$here/bench/peers.py" --time "$out/synth9000.csv" diagnosis "$out/folds.csv"
run() { # name, evaluate arguments...
  local name=$1; shift
  local start end
  start=$(date +%s.%N)
  java -jar "$here/target/medpipe.jar" evaluate --data "$out/synth9000.csv" --label diagnosis \
    --folds "$out/folds.csv" --out "$out/$name" "$@" > "$out/$name.txt" 2> "$out/$name.err"
  end=$(date +%s.%N)
  printf '%s: %.1f s wall (load before/after %s / %s); %s\n' "$name" "$(echo "$end - $start" | bc)" "$l0" "$(load)" \
    "$(grep -E 'models trained' "$out/$name.txt")"
}
echo "== medpipe"
l0=$(load); run default
l0=$(load); run forest-300 --strategy forest --trees 300
l0=$(load); run xgb-balanced --strategy xgb-balanced
