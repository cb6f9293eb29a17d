#!/usr/bin/env bash
# The model-quality benchmark of docs/benchmarks.md: medpipe's default training, nested, on the four shared tables
# with their peers' folds, one run per model seed, each seed's out-of-fold predictions kept for bench/compare.py.
#   mvn -q package -DskipTests
#   bench/quality.sh OUT_DIR [SEEDS=20] [TABLES=heart_cleveland,hepatitis,cardiotocography,arrhythmia]
#   /usr/bin/python3 bench/peers.py --oof OUT_DIR/peers --seeds 20
#   /usr/bin/python3 bench/quality_report.py OUT_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:?usage: bench/quality.sh OUT_DIR [SEEDS] [TABLES]}"
seeds="${2:-20}"
tables="${3:-heart_cleveland,hepatitis,cardiotocography,arrhythmia}"
data="${MEDPIPE_SHARED_DATA:-$here/../../shared/data}"
# a copy of the jar, so that a build during the hours of the run cannot swap it under the running seeds
jar="$out/medpipe.jar"
[ -f "$jar" ] || cp "$here/target/medpipe.jar" "$jar"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}" # as bin/medpipe: XGBoost's OpenMP threads must not spin
declare -A label=([heart_cleveland]=num [hepatitis]=class [cardiotocography]=class [arrhythmia]=class)
declare -A folds=([heart_cleveland]=folds_seed42.csv [hepatitis]=folds_seed42.csv
                  [cardiotocography]=folds_grouped_seed42.csv [arrhythmia]=folds_seed42.csv)
for t in ${tables//,/ }; do
  for ((s = 42; s < 42 + seeds; s++)); do
    dir="$out/medpipe/$t/seed$s"
    [ -f "$dir/oof_predictions.csv" ] && continue
    mkdir -p "$dir"
    start=$(date +%s.%N)
    java -jar "$jar" evaluate --data "$data/$t/$t.csv" --label "${label[$t]}" --folds "$data/$t/${folds[$t]}" \
      --seed "$s" --out "$dir" > "$dir/stdout.txt" 2> "$dir/stderr.txt"
    end=$(date +%s.%N)
    printf '%s seed %d: %.1f s, load %s\n' "$t" "$s" "$(echo "$end - $start" | bc)" \
      "$(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/medpipe/times.txt"
  done
done
