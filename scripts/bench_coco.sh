#!/usr/bin/env bash
# bench_coco.sh - gahpo's BBOB functions against COCO's own evaluator, both
# built here and timed in one process (tests/coco/bbob_vs_coco.c): rates by
# CPU and wall time, load average, per-function ratio, geometric mean, and a
# bit-for-bit check of the values. Called by `make bench COCO_DIR=...`.
#
# Usage: scripts/bench_coco.sh COCO_DIR BUILD_DIR [bbob_vs_coco options]
#   COCO_DIR   the folder holding COCO's C amalgamation, coco.c and coco.h
#              (build/c/ of numbbo/coco-experiment after scripts/fabricate;
#              DEVELOPERS.md says how to get and build it)
#   BUILD_DIR  the build folder holding libgahpo.a (make's BUILD, e.g. build)
#   options    passed on: --slice SECONDS (0.1), --repeats R (5),
#              --dims 10,40
# Environment: COCO_CFLAGS (default -O2 -std=c99 -ffp-contract=off),
#   BENCH_CFLAGS (default -O2), CC (default cc).
# Everything is compiled into a temporary folder, removed on exit. Exit
# status: 0 ok, 1 a build or run failed or values differ, 2 bad arguments.
set -euo pipefail

usage="usage: scripts/bench_coco.sh COCO_DIR BUILD_DIR [--slice S] [--repeats R] [--dims 10,40]"
if [ $# -lt 2 ]; then
  echo "$usage" >&2
  exit 2
fi
coco_dir=$1 build_dir=$2
shift 2
here=$(cd "$(dirname "$0")/.." && pwd)

if [ ! -f "$coco_dir/coco.c" ] || [ ! -f "$coco_dir/coco.h" ]; then
  echo "bench_coco.sh: COCO_DIR '$coco_dir' must be the folder holding COCO's" \
       "C amalgamation coco.c and coco.h; not found there." >&2
  for sub in build/c code-experiments/build/c; do
    if [ -d "$coco_dir/$sub" ]; then
      echo "  (a COCO source tree? build the amalgamation and pass" \
           "$coco_dir/$sub; DEVELOPERS.md, 'COCO for the BBOB benchmark')" >&2
    fi
  done
  exit 2
fi
if [ ! -f "$build_dir/libgahpo.a" ]; then
  echo "bench_coco.sh: BUILD_DIR '$build_dir' must hold libgahpo.a (run make" \
       "first, or give make's BUILD); not found there." >&2
  exit 2
fi

cc=${CC:-cc}
coco_cflags=${COCO_CFLAGS:--O2 -std=c99 -ffp-contract=off}
bench_cflags=${BENCH_CFLAGS:--O2}
# link as the Makefile does: GSL without its reference CBLAS, OpenBLAS
pkg_cflags=$(pkg-config --cflags gsl libcjson)
libs="$(pkg-config --libs gsl libcjson | sed 's/-lgslcblas//') $(pkg-config --libs openblas) -lm"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

version=$(cat "$coco_dir/VERSION" 2>/dev/null || echo "unknown (no VERSION file)")
echo "bench_coco: COCO at $(cd "$coco_dir" && pwd), version $version"
echo "  CPU:     $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) CPUs"
echo "  coco.c:  $cc $coco_cflags -c coco.c"
echo "  bench:   $cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -fopenmp" \
     "$bench_cflags tests/coco/bbob_vs_coco.c"
echo "  gahpo:   $build_dir/libgahpo.a as make built it; link: -fopenmp $libs"
# shellcheck disable=SC2086  # flag lists are meant to split
"$cc" $coco_cflags -c "$coco_dir/coco.c" -o "$tmp/coco.o"
# shellcheck disable=SC2086
"$cc" -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -fopenmp $bench_cflags \
  $pkg_cflags -I"$coco_dir" \
  -c "$here/tests/coco/bbob_vs_coco.c" -o "$tmp/bbob_vs_coco.o"
# shellcheck disable=SC2086
"$cc" -fopenmp "$tmp/bbob_vs_coco.o" "$tmp/coco.o" "$build_dir/libgahpo.a" \
  $libs -o "$tmp/bbob_vs_coco"

echo "  command: scripts/bench_coco.sh $coco_dir $build_dir${*:+ $*}"
# one thread: nothing here is parallel, and no idle pool may add CPU time
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 "$tmp/bbob_vs_coco" "$@"
