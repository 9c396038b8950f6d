#!/usr/bin/env bash
# slurm-stop.sh - stops the one-node Slurm that scripts/slurm-start.sh
# started: cancels every job first (a job's processes outlive slurmd), then
# slurmd, slurmctld and munged, each only by the pid the start script
# recorded. Safe to run when nothing is running.
set -uo pipefail

STATE=/run/slurm-local
say() { echo "slurm-stop: $*" >&2; }
[ "$(id -u)" -eq 0 ] || { say "must run as root"; exit 1; }

alive() {  # pid comm
  local pid=$1 comm=$2
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ] || return 1
  [ "$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" != Z ]
}

if command -v scontrol >/dev/null && scontrol ping 2>/dev/null | grep -q UP; then
  jobs=$(squeue -h -t PD,R,S,CG,CF -o %F 2>/dev/null | sort -u)
  if [ -n "$jobs" ]; then
    # shellcheck disable=SC2086
    scancel $jobs 2>/dev/null || true
    for _ in $(seq 150); do
      [ -z "$(squeue -h -t PD,R,S,CG,CF -o %F 2>/dev/null)" ] && break
      sleep 0.2
    done
  fi
  for pid in $(scontrol listpids 2>/dev/null | awk 'NR > 1 { print $1 }'); do
    kill -KILL "$pid" 2>/dev/null || true
  done
fi

# live (not zombie) slurmstepd processes: a job step still finishing
steps() { for p in $(pgrep -x slurmstepd); do alive "$p" slurmstepd && echo "$p"; done; }
for _ in $(seq 50); do [ -z "$(steps)" ] && break; sleep 0.1; done

if [ ! -r "$STATE/started.pids" ]; then
  say "nothing recorded in $STATE/started.pids; nothing to stop"
  exit 0
fi
for name in slurmd slurmctld munged; do
  while read -r n pid; do
    [ "$n" = "$name" ] || continue
    alive "$pid" "$name" || continue
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 100); do alive "$pid" "$name" || break; sleep 0.1; done
    if alive "$pid" "$name"; then
      say "$name ($pid) ignored SIGTERM; killing it"
      kill -KILL "$pid" 2>/dev/null
    fi
  done < "$STATE/started.pids"
done
rm -f "$STATE/started.pids"
left=$(steps)
[ -z "$left" ] || say "warning: slurmstepd still running: pids $left"
say "stopped"
