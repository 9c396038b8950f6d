#!/usr/bin/env bash
# same_output.sh BASE [OTHER] - the files gahpo writes are the same, byte
# for byte, when built at two commits (default OTHER: the working tree's
# HEAD). For a change meant not to alter behaviour (a refactoring): both
# commits are checked out in a scratch folder, built, and run on
#   - a fixed-seed `gahpo run --problem` (generational and async),
#   - a run of the test model over a small space (local executor),
#   - a resume of a run killed before its end (the same files again),
#   - `make sweep SPEC=sweeps/smoke.json` and `make sweep` (runs.csv,
#     summary.csv, tuned_defaults.json, report.md),
#   - `make tune` (tuned_defaults.json),
# and the outputs compared after leaving out only what differs from run to
# run: wall times, job ids and pids, the run's id and absolute directory,
# elapsed seconds, dates and the gahpo version in provenance.
# SKIP_LONG=1 leaves out make sweep (the default study) and make tune.
# Exit 0 when everything is the same; 1 with the differences otherwise.
set -euo pipefail

base=${1:?usage: scripts/same_output.sh BASE_COMMIT [OTHER_COMMIT]}
other=${2:-HEAD}
root=$(git rev-parse --show-toplevel)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/gahpo-same.XXXXXX")
py=/usr/bin/python3
say() { echo "same_output: $*" >&2; }

cleanup() {
  for side in a b; do
    git -C "$root" worktree remove --force "$scratch/$side" 2>/dev/null || true
  done
}
trap cleanup EXIT

# one side: check out, build, run every case into $scratch/out_$side
run_side() {
  local side=$1 rev=$2 src="$scratch/$1" out="$scratch/out_$1"
  git -C "$root" worktree add --detach "$src" "$rev" >/dev/null 2>&1
  say "$side = $(git -C "$src" log -1 --format='%h %s' | cut -c1-70)"
  make -C "$src" -j2 bin/gahpo >/dev/null
  local G="$src/bin/gahpo" space="$scratch/space.json"
  mkdir -p "$out"
  printf '%s\n' '[{"name":"x","type":"float","lower":-2,"upper":2},' \
    '{"name":"n","type":"int","lower":1,"upper":9},' \
    '{"name":"opt","type":"categorical","element_type":"string","values":["a","b"]}]' \
    >"$space"
  "$G" run --no-env --problem rastrigin:d6 --out "$out/problem" --seed 7 \
    --population-size 20 --num-iter 15 --quiet
  "$G" run --no-env --problem sphere:d3 --strategy async --out "$out/async" \
    --seed 7 --jobs 3 --quiet
  "$G" run --no-env --no-tuned-defaults --space "$space" --out "$out/model" \
    --seed 3 --population-size 6 --num-iter 3 --jobs 2 --quiet \
    -- "$src/tests/models/model.py" ok
  # killed before its end, then resumed: the same files again
  "$G" run --no-env --problem rastrigin:d6 --out "$out/resumed" --seed 7 \
    --population-size 20 --num-iter 15 --quiet &
  local pid=$!
  sleep 0.05
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [ -f "$out/resumed/run.json" ]; then
    "$G" run --resume "$out/resumed" --quiet
  else
    "$G" run --no-env --problem rastrigin:d6 --out "$out/resumed" --seed 7 \
      --population-size 20 --num-iter 15 --quiet
  fi
  (cd "$src" && make --no-print-directory sweep SPEC=sweeps/smoke.json \
     >/dev/null 2>&1)
  cp -r "$src/results/smoke" "$out/smoke"
  if [ "${SKIP_LONG:-0}" != 1 ]; then
    (cd "$src" && make --no-print-directory sweep >/dev/null 2>&1)
    mkdir -p "$out/default"
    cp "$src"/results/default/{runs.csv,summary.csv,tuned_defaults.json,report.md} \
      "$out/default/"
    (cd "$src" && make --no-print-directory tune >/dev/null 2>&1)
    cp "$src/results/tuned/tuned_defaults.json" "$out/tuned_defaults.json"
  fi
}

# what differs from run to run, left out of both sides
normalise() {
  "$py" - "$1" <<'EOF'
import json, os, re, sys
top = sys.argv[1]
RUNTIME = {"wall_time", "job_id", "elapsed", "dir", "run_uid", "gahpo",
           "date", "gahpo_version", "seconds", "wall_seconds"}
def scrub(o):
    if isinstance(o, dict):
        return {k: scrub(v) for k, v in o.items() if k not in RUNTIME}
    if isinstance(o, list):
        return [scrub(v) for v in o]
    return o
for d, _, files in os.walk(top):
    for f in files:
        p = os.path.join(d, f)
        # journals are in completion order (threads): runs.csv is sorted
        if f in ("pid", "calls.txt", ".gahpo.lock", "stdout.txt", "stderr.txt") \
                or f.endswith(".journal") or f == "timings.csv":
            os.remove(p)
            continue
        if f.endswith(".png") or f.endswith(".svg"):
            os.remove(p)  # figures: rendered by gnuplot, compared as data
            continue
        text = open(p, "rb").read().decode("utf-8", "replace")
        text = text.replace(top, "OUT")
        text = re.sub(r"/tmp/gahpo-same\.[A-Za-z0-9]+/[ab]/", "SRC/", text)
        if f.endswith(".jsonl"):
            lines = [json.dumps(scrub(json.loads(l)), sort_keys=True)
                     for l in text.splitlines() if l.strip()]
            text = "\n".join(sorted(lines)) + "\n"
        elif f.endswith(".json"):
            try:
                text = json.dumps(scrub(json.loads(text)), sort_keys=True,
                                  indent=1) + "\n"
            except ValueError:
                pass
        else:
            text = re.sub(r"\d+(\.\d+)? s\b", "N s", text)  # timings in reports
        open(p, "w").write(text)
EOF
}

run_side a "$base"
run_side b "$other"
for side in a b; do normalise "$scratch/out_$side"; done
if diff -r "$scratch/out_a" "$scratch/out_b" >"$scratch/diff.txt"; then
  say "the same: $(find "$scratch/out_a" -type f | wc -l) files compared"
  rm -rf "$scratch"
  exit 0
fi
say "differences (kept in $scratch):"
head -100 "$scratch/diff.txt" >&2
exit 1
