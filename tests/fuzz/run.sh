#!/bin/sh
# run.sh - runs the libFuzzer harnesses that make fuzz-build puts in
# build/fuzz/ (docs/TESTING.md), from the repository's root.
#
#   tests/fuzz/run.sh smoke [NAME...]  each for FUZZ_SMOKE_SECONDS (1;
#       libFuzzer counts whole seconds and stops about 1 s after it) with
#       -seed=FUZZ_SEED (1) from its committed corpus (new inputs go to a
#       temp dir), then every input of tests/fuzz/crashes/NAME/ once
#       (pending/ is left out: crashes whose fix is still to come)
#   tests/fuzz/run.sh fuzz [NAME...]   each for FUZZ_SECONDS (60) from
#       build/fuzz/corpus/NAME/, a scratch corpus that grows from run to
#       run; the committed corpus is read, never written
#
# NAME is a harness, tests/fuzz/fuzz_NAME.c (default: all). Crashing inputs
# go to build/fuzz/artifacts/NAME/, libFuzzer's output to
# build/fuzz/logs/NAME.MODE.log. One line per harness; exit 1 when any
# crashed, leaked or timed out.
set -u
cd "$(dirname "$0")/../.." || exit 2
mode=${1:-smoke}
[ $# -gt 0 ] && shift
case $mode in smoke|fuzz) ;; *) echo "usage: $0 smoke|fuzz [NAME...]" >&2; exit 2;; esac
dir=${FUZZ_DIR:-build/fuzz}
names=$*
[ -n "$names" ] || names=$(ls tests/fuzz/fuzz_*.c | sed 's|.*/fuzz_\(.*\)\.c$|\1|')
mkdir -p "$dir/logs"
rc=0
for name in $names; do
  bin=$dir/fuzz_$name
  if [ ! -x "$bin" ]; then
    echo "fuzz $name: SKIPPED: $bin not built (make fuzz-build; needs clang and libFuzzer)"
    continue
  fi
  art=$dir/artifacts/$name
  log=$dir/logs/$name.$mode.log
  mkdir -p "$art"
  if [ "$mode" = smoke ]; then
    scratch=$(mktemp -d "${TMPDIR:-/tmp}/gahpo-fuzz-corpus-XXXXXX")
    secs=${FUZZ_SMOKE_SECONDS:-1}
    seed=-seed=${FUZZ_SEED:-1}
  else
    scratch=$dir/corpus/$name
    mkdir -p "$scratch"
    secs=${FUZZ_SECONDS:-60}
    seed=
  fi
  t0=$(date +%s.%N)
  "$bin" -max_total_time="$secs" $seed -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$art/" \
    "$scratch" "tests/fuzz/corpus/$name" >"$log" 2>&1
  r=$?
  [ "$mode" = smoke ] && rm -rf "$scratch"
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  cov=$(grep -o 'cov: [0-9]* ft: [0-9]* corp: [0-9]*' "$log" | tail -n 1)
  wall=$(echo "$(date +%s.%N) $t0" | awk '{printf "%.1f", $1 - $2}')
  line="fuzz $name: ${runs:-?} runs in $wall s (${speed:-?}/s), $cov"
  nreg=0
  if [ $r -eq 0 ] && [ "$mode" = smoke ] && [ -d "tests/fuzz/crashes/$name" ]; then
    nreg=$(find "tests/fuzz/crashes/$name" -maxdepth 1 -type f | wc -l)
    if [ "$nreg" -gt 0 ]; then
      find "tests/fuzz/crashes/$name" -maxdepth 1 -type f -print0 |
        xargs -0 "$bin" -timeout=10 -rss_limit_mb=2048 >>"$log" 2>&1
      r=$?
    fi
    line="$line, $nreg regression inputs"
  fi
  if [ $r -eq 0 ]; then
    echo "$line: ok"
  else
    echo "$line: FAILED (exit $r); log $log, inputs in $art/:"
    grep -E 'ERROR:|SUMMARY:|^    #[0-9]+ |Test unit written|Running:' "$log" | head -n 40
    rc=1
  fi
done
exit $rc
