#!/usr/bin/env bash
# make bench: every figure BENCHMARKS.md records, measured in this run on
# this machine, each next to its reference measured in the same run:
#   - the GA's overhead per evaluation beside DEAP's, paired and interleaved,
#     in CPU time, and beside a microbenchmark of its own random draws
#     (scripts/bench_engine.py);
#   - BBOB evaluation rates: gahpo's, and COCO's recorded elsewhere (no
#     ratio); with COCO_DIR set (make bench COCO_DIR=...: a COCO built
#     outside the repository, DEVELOPERS.md), both in one process with
#     ratios (scripts/bench_coco.sh);
#   - the sweep runner's CPU time per run and parallel fraction, and its
#     wall speed-up with the load average (build/tests/bench_sweep);
#   - the surrogate fit beside scikit-learn's, and prediction rates
#     (scripts/bench_gp.sh when present, build/tests/bench_surrogate);
#   - the scheduler overhead of job arrays against one job per evaluation
#     on the local Slurm (scripts/bench_sched.sh; SKIPPED without a Slurm).
# The header names the commit, the CPU and the load, as BENCHMARKS.md
# records them.
# Usage: scripts/bench.sh BUILD/tests [GAHPO_BIN]
set -euo pipefail
dir=${1:?usage: scripts/bench.sh BUILD/tests [GAHPO_BIN]}
here=$(cd "$(dirname "$0")" && pwd)
gahpo=${2:-$here/../bin/gahpo}
py=/usr/bin/python3

commit=$(git -C "$here/.." rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$here/.." status --porcelain --untracked-files=no 2>/dev/null | head -1)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
echo "gahpo bench: commit $commit${dirty:+ (with uncommitted changes)}, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "CPU: ${cpu:-unknown}, $(nproc) online; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo

"$py" "$here/bench_engine.py" "$dir"

echo
"$dir/bench_bbob"
if [ -n "${COCO_DIR:-}" ]; then
  echo
  "$here/bench_coco.sh" "$COCO_DIR" "$dir/.."
fi

echo
"$dir/bench_sweep"

echo
if [ -x "$here/bench_gp.sh" ]; then
  "$here/bench_gp.sh" "$dir/.." "$gahpo"
  echo
fi
"$dir/bench_surrogate"

echo
"$here/bench_sched.sh" "$gahpo"
echo
echo "gahpo bench: done; load average $(cut -d' ' -f1-3 /proc/loadavg)"
