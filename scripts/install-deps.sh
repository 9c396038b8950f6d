#!/usr/bin/env bash
# Installs what gahpo needs to build and test, from Debian's packages.
# As root: apt-get installs the missing ones. Otherwise: prints the exact
# command to run and exits 1.
set -euo pipefail

PACKAGES=(build-essential pkg-config libgsl-dev libcjson-dev check
          python3-deap python3-scipy python3-numpy python3-sklearn gnuplot-nox)
# The Slurm executor's tests run against a real one-node Slurm
# (scripts/slurm-start.sh, which also installs these itself when missing);
# the PBS executor's Torque tests against slurm-wlm-torque's qsub/qstat/qdel
# over it. Optional: without them those tests print SKIPPED.
SLURM_PACKAGES=(slurmctld slurmd slurm-client munge slurm-wlm-torque)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
missing_slurm=()
for p in "${SLURM_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing_slurm+=("$p")
done
if [ "$(id -u)" -eq 0 ]; then
  missing+=("${missing_slurm[@]}")
elif [ ${#missing_slurm[@]} -gt 0 ]; then
  echo "install-deps: optional, for the Slurm and Torque tests: ${missing_slurm[*]} (as root, scripts/slurm-start.sh installs them)" >&2
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
