#!/usr/bin/env bash
# async_real.sh - the asynchronous steady-state GA against generational
# mu_plus_lambda with REAL processes: `gahpo run --strategy async` and
# `--strategy mu_plus_lambda` on the local executor, each evaluation a process
# of the stand-in model scripts/async_model.py (it trains nothing: it sleeps a
# seeded log-normal time and reports surrogate:deepttc's loss, a GP fitted to
# a SYNTHETIC DeepTTC-like log). The real-run counterpart of
# `gahpo async-experiment` (docs/ASYNC.md, "The experiment").
#
# Both strategies per seed, in alternating order: CANDLE's defaults
# (population 16, offspring_prop 0.5, cx 0.2, mut 0.8, tournament 4,
# mut_indpb and cx_indpb 0.5; --no-tuned-defaults --no-env), num_iter 24 =
# 16 + 23 x 8 = 200 evaluations, --jobs 8, --no-cache, space
# surrogates/data/deepttc/space.json. Then scripts/async_real_stats.py:
# makespan, time to target, utilisation, final loss per run; paired ratios
# with bootstrap CIs and Wilcoxon p; and the simulated twin
# (`gahpo async-experiment` with the same workers, budget, median, seeds).
#
# Usage: scripts/async_real.sh [--seeds S] [--median M] [--targets T1,T2]
#                              [--csv FILE] [--keep] [--gahpo BIN]
#   --seeds 10, --median 0.5 (seconds), --targets 0.0095,0.0088 (the first
#   is docs/ASYNC.md's); --csv writes the per-run table (e.g.
#   results/async/real.csv); --keep leaves the run directories (the path is
#   printed). About 90 s per seed at M = 0.5: 10 seeds take ~15 minutes,
#   mostly sleeping. Needs bin/gahpo (make) and /usr/bin/python3 with numpy
#   and scipy (Debian's python3-scipy).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
GAHPO=$ROOT/bin/gahpo
SEEDS=10
MEDIAN=0.5
TARGETS=0.0095,0.0088
CSV=
KEEP=0
JOBS=8
POP=16
NUM_ITER=24  # 16 + (24 - 1) x 8 = 200 evaluations
PY=/usr/bin/python3

die() { echo "async_real.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
        --seeds) SEEDS=${2:?}; shift 2 ;;
        --median) MEDIAN=${2:?}; shift 2 ;;
        --targets) TARGETS=${2:?}; shift 2 ;;
        --csv) CSV=${2:?}; shift 2 ;;
        --gahpo) GAHPO=${2:?}; shift 2 ;;
        --keep) KEEP=1; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done
[[ $SEEDS =~ ^[1-9][0-9]*$ ]] || die "--seeds must be a positive integer"
[ -x "$GAHPO" ] || die "$GAHPO not found: run make first"
GAHPO=$(cd "$(dirname "$GAHPO")" && pwd)/$(basename "$GAHPO")
"$PY" -c 'import numpy, scipy' 2>/dev/null ||
    die "$PY lacks numpy or scipy (apt-get install python3-scipy)"
[ -z "$CSV" ] || CSV=$(cd "$(dirname "$CSV")" && pwd)/$(basename "$CSV")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/async_real.XXXXXX")
if [ "$KEEP" = 1 ]; then
    echo "run directories kept in $WORK" >&2
else
    trap 'rm -rf "$WORK"' EXIT
fi

SPACE=$ROOT/surrogates/data/deepttc/space.json
MODEL=$ROOT/scripts/async_model.py
RUNS=$WORK/runs.tsv
: > "$RUNS"
echo "$(date -u +%FT%TZ) $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg);" \
     "$SEEDS seeds, median $MEDIAN s, $JOBS jobs" >&2

run_one() {  # seed strategy
    local seed=$1 strategy=$2 dir=$WORK/s$1_$2 t0 t1
    t0=$(date +%s.%N)
    if ! "$GAHPO" run --strategy "$strategy" --space "$SPACE" --out "$dir" \
        --seed "$seed" --jobs "$JOBS" --no-cache --no-tuned-defaults --no-env \
        --population-size "$POP" --offspring-prop 0.5 --cx-prob 0.2 \
        --mut-prob 0.8 --tournsize 4 --mut-indpb 0.5 --cx-indpb 0.5 \
        --num-iter "$NUM_ITER" --quiet \
        -- "$PY" "$MODEL" --gahpo-bin "$GAHPO" --seed "$seed" \
           --median "$MEDIAN" --sigma 1 --cap 8 -- \
        > "$WORK/s${seed}_$strategy.log" 2>&1; then
        cat "$WORK/s${seed}_$strategy.log" >&2
        die "seed $seed, $strategy: gahpo run failed"
    fi
    t1=$(date +%s.%N)
    printf '%s\t%s\t%s\t%s\t%s\n' "$seed" "$strategy" "$t0" "$t1" "$dir" >> "$RUNS"
    printf 'seed %s %-14s %6.1f s\n' "$seed" "$strategy" \
        "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" >&2
}

for seed in $(seq 1 "$SEEDS"); do
    # alternate the order, so drift in the machine's load hits both alike
    if [ $((seed % 2)) = 1 ]; then
        run_one "$seed" mu_plus_lambda; run_one "$seed" async
    else
        run_one "$seed" async; run_one "$seed" mu_plus_lambda
    fi
done
echo "$(date -u +%FT%TZ) done, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2

SIM=()
for t in ${TARGETS//,/ }; do
    "$GAHPO" async-experiment --problem surrogate:deepttc --seeds "$SEEDS" \
        --workers "$JOBS" --budget $((POP + (NUM_ITER - 1) * POP / 2)) \
        --median "$MEDIAN" --sigma 1 --target "$t" --out "$WORK/sim_$t" > /dev/null
    SIM+=(--sim "$t=$WORK/sim_$t/runs.csv")
done
"$PY" "$ROOT/scripts/async_real_stats.py" --runs "$RUNS" --jobs "$JOBS" \
    --targets "$TARGETS" ${CSV:+--csv "$CSV"} "${SIM[@]}"
