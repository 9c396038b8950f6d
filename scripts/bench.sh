#!/usr/bin/env bash
# make bench: the GA's own overhead per evaluation and per generation next
# to DEAP 1.3's on the same settings, in the same run, as a ratio (this
# machine is shared and noisy; absolute times wander, ratios less so).
# Each module's benchmark (build/tests/bench_*) follows with its own table,
# then the scheduler overhead of job arrays against one job per evaluation
# on the local Slurm (scripts/bench_sched.sh; SKIPPED without a Slurm).
# Usage: scripts/bench.sh BUILD/tests [GAHPO_BIN]
set -euo pipefail
dir=${1:?usage: scripts/bench.sh BUILD/tests [GAHPO_BIN]}
bench=$dir/bench_engine
here=$(cd "$(dirname "$0")" && pwd)
gahpo=${2:-$here/../bin/gahpo}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "gahpo bench: sphere D=10 and D=100, pop 100, 200 generations, CANDLE settings"
echo "(command: make bench; gahpo minimum of 5 runs, DEAP minimum of 3)"
"$bench" --repeat 5 > "$out/gahpo.jsonl"
/usr/bin/python3 "$here/bench_deap.py" --repeat 3 > "$out/deap.jsonl"
/usr/bin/python3 - "$out/gahpo.jsonl" "$out/deap.jsonl" <<'PY'
import json, sys
g = {(r["problem"], r["strategy"]): r for r in map(json.loads, open(sys.argv[1]))}
d = {(r["problem"], r["strategy"]): r for r in map(json.loads, open(sys.argv[2]))}
print("%-12s %-15s %8s %12s %12s %12s %12s %9s" % (
    "problem", "strategy", "evals", "gahpo us/ev", "DEAP us/ev",
    "gahpo us/gen", "DEAP us/gen", "DEAP/gahpo"))
for key in sorted(g):
    a, b = g[key], d[key]
    print("%-12s %-15s %8d %12.4f %12.2f %12.2f %12.1f %8.0fx" % (
        key[0], key[1], a["evals"], a["us_per_eval"], b["us_per_eval"],
        a["us_per_gen"], b["us_per_gen"], b["us_per_eval"] / a["us_per_eval"]))
PY

# the other benchmarks print their own tables (and their references)
for b in "$dir"/bench_*; do
  [ "$b" = "$bench" ] && continue
  [ -x "$b" ] || continue
  echo
  "$b"
done

echo
"$here/bench_sched.sh" "$gahpo"
