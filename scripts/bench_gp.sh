#!/usr/bin/env bash
# bench_gp.sh - the GP surrogate fit beside scikit-learn's, in one run: fit
# time (wall and CPU), log marginal likelihood and 5-fold CV at 250, 500,
# 1,000 and 2,000 points, then CV on the two committed logs. Called by
# `make bench` (scripts/bench.sh); took 417 s here (2 shared cores, load
# average 1.1; longer under more load).
#
# Usage: scripts/bench_gp.sh BUILD_DIR GAHPO_BIN
#   BUILD_DIR  make's build folder (temporary files go in a folder there,
#              removed on exit)
#   GAHPO_BIN  the gahpo executable
# Environment: PYTHON (default /usr/bin/python3, Debian's, with
#   python3-sklearn); BENCH_GP_QUICK=1 runs the same steps on small logs
#   (seconds; for testing this script, not a measurement).
#
# 1. Scaling (tests/oracles/compare_sklearn.py --sizes): synthetic logs of
#    250 x 9, 500 x 9, 1,000 x 9 and 2,000 x 12 (points x inputs) written at
#    bench time by tests/oracles/make_bench_log.py (seed = points; the
#    function of tests/bench_surrogate.c, sum_k w_k sin(3 u_k + k) plus
#    uniform noise of width 0.05, over a CANDLE space of floats, ints, an
#    ordered and a logical). Per size, interleaved: gahpo's default fit (5
#    restarts), gahpo --subset all, gahpo's CV, then scikit-learn's fit and
#    CV on the inputs and folds gahpo exported. Both LMLs are given by both
#    definitions (gahpo's profiles out a constant mean), so they compare.
#    scikit-learn's restarts are cut to fit the time: 5 at 250 points, 2 at
#    500, 1 at 1,000 and 2,000; 1 per CV fold; no CV at 2,000 points (one
#    restart there takes about 100 s here). gahpo --subset all runs 5
#    restarts at 250 and 500, 2 at 1,000, 1 at 2,000 (every restart on all
#    2,000 points takes over 2 minutes).
# 2. The two committed logs, surrogates/data/deepttc and
#    surrogates/data/synthetic_mixed (compare_sklearn.py's default cases,
#    2 restarts for both fitters here instead of its 5, for time): CV R^2,
#    RMSE, Spearman, Kendall, fit and CV times. Its verdict (gahpo's CV
#    within 0.02 of scikit-learn's and its fit faster) is printed; a FAIL
#    does not stop make bench.
# scikit-learn's BLAS (numpy's OpenBLAS, OpenMP) runs on one thread, as
# gahpo's BLAS does: on this loaded 2-core machine two OpenBLAS threads made
# its 250-point fit about 6 times slower in wall time (18 s against 3 s).
# Exit status: 0 ok, 1 a run failed, 2 bad arguments or no scikit-learn.
set -euo pipefail

usage="usage: scripts/bench_gp.sh BUILD_DIR GAHPO_BIN"
if [ $# -ne 2 ]; then
  echo "$usage" >&2
  exit 2
fi
build_dir=$1 gahpo=$2
here=$(cd "$(dirname "$0")/.." && pwd)
py=${PYTHON:-/usr/bin/python3}
compare=$here/tests/oracles/compare_sklearn.py

if [ ! -d "$build_dir" ]; then
  echo "bench_gp.sh: BUILD_DIR '$build_dir' is not a folder (run make first)" >&2
  exit 2
fi
if [ ! -x "$gahpo" ]; then
  echo "bench_gp.sh: GAHPO_BIN '$gahpo' is not an executable (run make first)" >&2
  exit 2
fi
if [ ! -x "$py" ]; then
  echo "bench_gp.sh: no Python at $py (Debian: apt-get install python3" \
       "python3-sklearn; or set PYTHON)" >&2
  exit 2
fi
if ! "$py" -c 'import numpy, scipy, sklearn, threadpoolctl' 2>/dev/null; then
  echo "bench_gp.sh: scikit-learn (with numpy, scipy, threadpoolctl) is not" \
       "importable by $py; on Debian: apt-get install python3-sklearn" >&2
  exit 2
fi

tmp=$(mktemp -d "$build_dir/bench_gp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

if [ "${BENCH_GP_QUICK:-0}" = 1 ]; then
  sizes=120:9,150:12 sk_restarts=2,1 sk_cv_restarts=1,0 all_restarts=2,1
  cases_extra=(--max-points 150)
else
  sizes=250:9,500:9,1000:9,2000:12 sk_restarts=5,2,1,1 sk_cv_restarts=1,1,1,0
  all_restarts=5,5,2,1
  cases_extra=()
fi

t0=$(date +%s)
echo "bench_gp: gahpo's GP fit beside scikit-learn $("$py" -c \
  'import sklearn; print(sklearn.__version__)') (GaussianProcessRegressor," \
  "ConstantKernel * Matern(2.5, ARD) + WhiteKernel, normalize_y), same" \
  "encoded inputs and folds"
echo "  load average at start: $(cut -d' ' -f1-3 /proc/loadavg)," \
     "$(nproc) CPUs"
echo
echo "Scaling: synthetic logs (tests/oracles/make_bench_log.py), gahpo" \
     "defaults (5 restarts, --subset 128), seed 1, 5-fold CV:"
echo
if ! "$py" "$compare" --gahpo "$gahpo" --tmp "$tmp" --sklearn-threads 1 \
     --sizes "$sizes" --sk-restarts "$sk_restarts" \
     --sk-cv-restarts "$sk_cv_restarts" --all-restarts "$all_restarts" \
     2>"$tmp/sizes.err"; then
  grep -v '^{' "$tmp/sizes.err" >&2 || true
  echo "bench_gp.sh: the scaling comparison failed" >&2
  exit 1
fi
echo
echo "  load average after the scaling table: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "Committed logs (compare_sklearn.py, 2 restarts for both fitters," \
     "5-fold CV; its fit column is gahpo's fit alone, the last column the" \
     "whole gahpo process):"
echo
rc=0
"$py" "$compare" --gahpo "$gahpo" --tmp "$tmp" --sklearn-threads 1 \
  --markdown --restarts 2 "${cases_extra[@]}" >"$tmp/cases.out" \
  2>"$tmp/cases.err" || rc=$?
cat "$tmp/cases.out"
if [ "$rc" -ne 0 ] && ! grep -q '^compare_sklearn: FAIL' "$tmp/cases.out"; then
  grep -v '^{' "$tmp/cases.err" >&2 || true
  echo "bench_gp.sh: the comparison on the committed logs failed" >&2
  exit 1
fi
echo
echo "bench_gp: done in $(( $(date +%s) - t0 )) s; load average at end:" \
     "$(cut -d' ' -f1-3 /proc/loadavg)"
