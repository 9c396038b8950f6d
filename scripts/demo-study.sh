#!/usr/bin/env bash
# make sweep, for now: a small real study, not the sweep harness.
#
# The sweep harness (gahpo sweep: designs, the OpenMP runner, statistics,
# racing, tuned defaults) is not built yet. Until it is, `make sweep` runs
# this demo: the real engine (bin/gahpo run, in-process problems) on four
# classic functions at D=10, for four GA settings at an equal budget of
# about 1,600 evaluations, over 10 seeds each, and prints the median final
# best per setting. Results go to results/demo/ (runs.csv, summary.txt).
set -euo pipefail
gahpo=${1:-bin/gahpo}
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/results/demo"
seeds=${DEMO_SEEDS:-10}
rm -rf "$out.tmp"
mkdir -p "$out.tmp/runs"

# name|settings (the budget is ~1,600 evaluations for each)
settings=(
  "candle-default|--population-size 16 --num-iter 200 --strategy mu_plus_lambda"
  "pop50-mu+lambda|--population-size 50 --num-iter 64 --strategy mu_plus_lambda"
  "pop100-mu+lambda|--population-size 100 --num-iter 31 --strategy mu_plus_lambda"
  "pop16-tourn2|--population-size 16 --num-iter 200 --strategy mu_plus_lambda --tournsize 2"
)
problems=(sphere:d10 rastrigin:d10 rosenbrock:d10 ackley:d10)

echo "demo study (stand-in for the sweep harness, which is not built yet):"
echo "  ${#settings[@]} settings x ${#problems[@]} problems x $seeds seeds, ~1,600 evaluations per run"
echo "setting,problem,seed,best,evaluations" > "$out.tmp/runs.csv"
for s in "${settings[@]}"; do
  name=${s%%|*}
  args=${s#*|}
  for p in "${problems[@]}"; do
    for seed in $(seq 1 "$seeds"); do
      dir="$out.tmp/runs/$name/${p/:/-}/seed$seed"
      # shellcheck disable=SC2086
      "$gahpo" run --no-env --quiet --problem "$p" --seed "$seed" --out "$dir" $args
      /usr/bin/python3 -c 'import json,sys; b=json.load(open(sys.argv[1])); print("%s,%s,%s,%r,%d" % (sys.argv[2], sys.argv[3], sys.argv[4], b["fitness"], b["evaluations"]))' \
        "$dir/best.json" "$name" "$p" "$seed" >> "$out.tmp/runs.csv"
    done
  done
  echo "  done: $name"
done
/usr/bin/python3 - "$out.tmp/runs.csv" > "$out.tmp/summary.txt" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
settings = list(dict.fromkeys(r["setting"] for r in rows))
problems = list(dict.fromkeys(r["problem"] for r in rows))
print("median final best (lower is better); %d seeds per cell" %
      (len(rows) // (len(settings) * len(problems))))
print("%-18s" % "setting" + "".join("%16s" % p for p in problems))
for s in settings:
    cells = []
    for p in problems:
        v = [float(r["best"]) for r in rows if r["setting"] == s and r["problem"] == p]
        cells.append("%16.4g" % statistics.median(v))
    print("%-18s" % s + "".join(cells))
print("(a demo, not a statistical comparison: the sweep harness will add "
      "confidence intervals and tests)")
PY
rm -rf "$out"
mv "$out.tmp" "$out"
cat "$out/summary.txt"
echo "runs: $out/runs.csv"
