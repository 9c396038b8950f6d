#!/usr/bin/env bash
# slurm-start.sh - a real one-node Slurm on this machine, for the Slurm
# executor's tests (tests/check_slurm.c) and for trying gahpo's Slurm mode.
#
# As root: installs Debian's slurmctld, slurmd, slurm-client and munge when
# missing (--no-install-recommends), and slurm-wlm-torque (Torque's qsub,
# qstat and qdel over Slurm, for the PBS executor's Torque tests); writes
# /etc/slurm/slurm.conf for this host, starts munged, slurmctld and slurmd
# without systemd, and waits until a probe job has run. Idempotent: a
# cluster that is already up is left as it is. scripts/slurm-stop.sh stops
# what this script started.
#
# Environment: SLURM_CPUS=N advertises N CPUs (default: nproc), more task
# slots for quick tests; GAHPO_SLURM_FORCE=1 overwrites a slurm.conf that
# this script did not write.
set -euo pipefail

STATE=/run/slurm-local
CONF=/etc/slurm/slurm.conf
MARK="# written by gahpo scripts/slurm-start.sh"
PACKAGES=(slurmctld slurmd slurm-client munge slurm-wlm-torque)
t0=$(date +%s.%N)

say() { echo "slurm-start: $*" >&2; }
die() { say "$*"; exit 1; }
elapsed() { awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

[ "$(id -u)" -eq 0 ] || die "must run as root (it installs packages and starts daemons)"

# A pid is one of ours when it is alive, not a zombie (PID 1 here reaps
# slowly) and runs the expected program.
alive() {  # pid comm
  local pid=$1 comm=$2
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ] || return 1
  local st
  st=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null) || return 1
  [ "$st" != Z ]
}
pidfile_alive() {  # file comm
  [ -r "$1" ] && alive "$(tr -dc 0-9 < "$1")" "$2"
}

# ---- already up? --------------------------------------------------------
if command -v sinfo >/dev/null && pidfile_alive /run/slurmctld.pid slurmctld \
   && pidfile_alive /run/slurmd.pid slurmd \
   && sinfo -h -o '%T' 2>/dev/null | grep -Eq '^(idle|mixed|allocated|completing)'; then
  say "already running ($(sinfo -h -o '%D node(s) %T, %c CPUs' | head -1))"
  exit 0
fi

# ---- packages -----------------------------------------------------------
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  ok=0
  for attempt in 1 2 3; do
    if apt-get -q -o DPkg::Lock::Timeout=120 update >/dev/null &&
       apt-get -y -q -o DPkg::Lock::Timeout=120 install --no-install-recommends \
         "${missing[@]}" >/dev/null; then
      ok=1
      break
    fi
    say "apt-get failed (attempt $attempt); retrying in $((attempt * 5)) s"
    sleep $((attempt * 5))
  done
  [ $ok -eq 1 ] || die "could not install ${missing[*]}"
fi

# ---- configuration ------------------------------------------------------
host=$(hostname -s)
ccfg=$(slurmd -C | head -1)
field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<" $ccfg"; }
cpus=$(nproc)
sockets=$(field Sockets); cores=$(field CoresPerSocket); threads=$(field ThreadsPerCore)
mem=$(field RealMemory)
[ -n "$mem" ] || mem=$(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo)
mem=$(( mem * 9 / 10 ))
if [ "${threads:-1}" -gt 1 ]; then select_params=CR_CPU; else select_params=CR_Core; fi
if [ -n "${SLURM_CPUS:-}" ]; then
  [[ "$SLURM_CPUS" =~ ^[1-9][0-9]*$ ]] || die "SLURM_CPUS must be a positive integer"
  node="CPUs=$SLURM_CPUS"
  overrides="SlurmdParameters=config_overrides"
  select_params=CR_CPU
else
  node="CPUs=$cpus Sockets=${sockets:-1} CoresPerSocket=${cores:-$cpus} ThreadsPerCore=${threads:-1}"
  overrides=""
fi

if [ -e "$CONF" ] && ! grep -qF "$MARK" "$CONF" && [ "${GAHPO_SLURM_FORCE:-0}" != 1 ]; then
  die "$CONF exists and was not written by this script; set GAHPO_SLURM_FORCE=1 to overwrite it"
fi
mkdir -p /etc/slurm
cat > "$CONF.tmp" <<EOF
$MARK for a one-node test cluster
ClusterName=localcluster
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=/var/log/slurm/jobcomp.log
MinJobAge=3600
SelectType=select/cons_tres
SelectTypeParameters=$select_params
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
ReturnToService=2
MailProg=/bin/true
MpiDefault=none
$overrides
NodeName=$host NodeAddr=127.0.0.1 $node RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
mv "$CONF.tmp" "$CONF"

install -d -m 0755 "$STATE" /var/spool/slurmctld /var/spool/slurmd
install -d -m 0755 /var/log/slurm
install -d -o munge -g munge -m 0755 /run/munge
[ -s /etc/munge/munge.key ] || { mungekey --create >/dev/null 2>&1 || \
  mungekey -c; chown munge:munge /etc/munge/munge.key; chmod 0600 /etc/munge/munge.key; }
# job ids restart at 1 on a clean start: keep the old completion log apart
[ -e /var/log/slurm/jobcomp.log ] && mv -f /var/log/slurm/jobcomp.log /var/log/slurm/jobcomp.log.prev

# processes of jobs from an earlier cluster that died hard keep running
stray=$(for p in $(pgrep -x slurmstepd); do alive "$p" slurmstepd && echo "$p"; done)
[ -z "$stray" ] || say "warning: slurmstepd still running from an earlier cluster: pids $stray"

# ---- daemons ------------------------------------------------------------
: > "$STATE/started.pids"
record() { echo "$1 $2" >> "$STATE/started.pids"; }

if pidfile_alive /run/munge/munged.pid munged; then
  say "munged already running; reusing it"
else
  rm -f /run/munge/munged.pid
  runuser -u munge -- munged --origin=127.0.0.1 2>/dev/null || runuser -u munge -- munged
  for _ in $(seq 50); do pidfile_alive /run/munge/munged.pid munged && break; sleep 0.1; done
  pidfile_alive /run/munge/munged.pid munged || die "munged did not start"
  record munged "$(cat /run/munge/munged.pid)"
fi
munge -n | unmunge >/dev/null || die "munge does not work (see munged's log)"

start_daemon() {  # name pidfile args...
  local name=$1 pidfile=$2; shift 2
  if pidfile_alive "$pidfile" "$name"; then
    say "$name already running; reusing it"
    return
  fi
  rm -f "$pidfile"
  "$name" "$@"
  # it daemonizes first and may die on a fatal error right after: watch it
  for _ in $(seq 50); do pidfile_alive "$pidfile" "$name" && break; sleep 0.1; done
  sleep 0.3
  pidfile_alive "$pidfile" "$name" ||
    die "$name did not stay up; see /var/log/slurm/$name.log: $(tail -3 "/var/log/slurm/$name.log" 2>/dev/null)"
  record "$name" "$(tr -dc 0-9 < "$pidfile")"
}
start_daemon slurmctld /run/slurmctld.pid
start_daemon slurmd /run/slurmd.pid -N "$host"

# ---- wait for the node, then for a probe job to run ---------------------
deadline=$(( $(date +%s) + 60 ))
until sinfo -h -o '%T' 2>/dev/null | grep -Eq '^(idle|mixed|allocated)'; do
  [ "$(date +%s)" -lt $deadline ] || die "node not idle after 60 s: $(sinfo 2>&1 | tail -2)"
  scontrol update nodename="$host" state=resume >/dev/null 2>&1 || true
  sleep 0.2
done
say "node idle after $(elapsed) s"
probe=$(sbatch --parsable -J gahpo-probe -o /dev/null -e /dev/null --wrap true) ||
  die "sbatch of the probe job failed"
probe=${probe%%;*}
until [ -z "$(squeue -h -j "$probe" -o %T 2>/dev/null)" ]; do
  [ "$(date +%s)" -lt $deadline ] || { scancel "$probe" || true; die "probe job $probe did not finish within 60 s"; }
  sleep 0.2
done
state=$(scontrol show job -o "$probe" 2>/dev/null | sed -n 's/.* JobState=\([A-Z_]*\).*/\1/p')
[ "$state" = COMPLETED ] || die "probe job $probe ended $state"
say "ready in $(elapsed) s: $(sinfo -h -o '%D node %n, %c CPUs, partition %P' | head -1)"
