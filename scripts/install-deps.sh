#!/usr/bin/env bash
# install-deps.sh [build|compare] - installs what gahpo needs, from
# Debian's packages: with `build`, only what a plain `make` needs (a C
# compiler, GSL, OpenBLAS, cJSON); without, also what the tests and the
# studies need (Check, DEAP, scikit-learn, Optuna, gnuplot; as root also
# Slurm and clang); with `compare`, also irace (r-cran-irace) for the
# comparisons. As root: apt-get installs the
# missing ones. Otherwise: prints the exact command to run and exits 1.
set -euo pipefail

BUILD_PACKAGES=(build-essential pkg-config libgsl-dev libcjson-dev libopenblas-openmp-dev)
PACKAGES=("${BUILD_PACKAGES[@]}" check
          python3-deap python3-scipy python3-numpy python3-sklearn
          python3-optuna gnuplot-nox)
# The Slurm executor's tests run against a real one-node Slurm
# (scripts/slurm-start.sh, which also installs these itself when missing);
# the PBS executor's Torque tests against slurm-wlm-torque's qsub/qstat/qdel
# over it. Optional: without them those tests print SKIPPED.
SLURM_PACKAGES=(slurmctld slurmd slurm-client munge slurm-wlm-torque)
# The fuzz harnesses (make fuzz, and the smoke in make test): clang, its
# libFuzzer and sanitizer runtimes (libclang-rt-dev, only recommended by
# clang) and LLVM's OpenMP (clang -fopenmp). Installed as root; optional
# otherwise: without them the fuzz smoke prints SKIPPED.
FUZZ_PACKAGES=(clang libclang-rt-dev libomp-dev)
# The configurators' comparison (make compare-configurators): irace from
# Debian (R and its packages: large, so only when asked).
if [ "${1:-}" = compare ]; then
  PACKAGES+=(r-cran-irace)
fi
if [ "${1:-}" = build ]; then
  PACKAGES=("${BUILD_PACKAGES[@]}")
  SLURM_PACKAGES=()
  FUZZ_PACKAGES=()
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
missing_optional=()
for p in "${SLURM_PACKAGES[@]}" "${FUZZ_PACKAGES[@]}"; do
  [ -n "$p" ] || continue
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing_optional+=("$p")
done
if [ "$(id -u)" -eq 0 ]; then
  missing+=(${missing_optional[@]+"${missing_optional[@]}"})
elif [ ${#missing_optional[@]} -gt 0 ]; then
  echo "install-deps: optional, for the Slurm, Torque and fuzz tests: ${missing_optional[*]} (as root, this script installs them)" >&2
fi
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "gahpo needs these Debian packages: ${missing[*]}" >&2
  echo "Run as root:  $cmd" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
