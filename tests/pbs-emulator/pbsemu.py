# pbsemu.py - an EMULATOR of PBS Pro's qsub, qstat and qdel for gahpo's
# tests. It is NOT PBS: no server, no MoM, no scheduler. A "job" is a set of
# local processes that a detached runner starts in the background; state
# lives in JSON files under $PBS_EMULATOR_DIR (default /tmp/pbs-emulator-UID).
# Only what gahpo's PBS executor uses is emulated, following PBS Pro's
# documented formats: `qsub [-J a-b[%n]] script` prints "123[].SERVER" for an
# array (refusing a -J of fewer than 2 subjobs, as PBS Pro does) and
# "123.SERVER" for a plain job; `qstat [-x] [-t] -f -F json [IDS]` prints
# {"Jobs": {ID: {"job_state": ..., "Exit_status": ..., "Job_Owner":
# "user@host", "Submit_arguments": "-J 0-3 /dir/array_0.sh",
# "Variable_List": {"PBS_O_WORKDIR": ..., ...}}}} for the ids given, or
# without ids for every job (finished ones only with -x); `qdel IDS`.
# Subjobs see PBS_ARRAY_INDEX, PBS_ARRAY_ID, PBS_JOBID, PBS_JOBNAME and
# PBS_O_WORKDIR; `#PBS -l walltime=` is enforced (Exit_status -29, the
# job's whole session killed); qdel sends SIGTERM to a running subjob's
# session and SIGKILL 5 s later (PBS's kill_delay): killed outright it ends
# with Exit_status 271 (256 + SIGTERM), a queued one with none. Subjobs run PBS_EMULATOR_NCPUS (default 4) at once.
import fcntl
import json
import os
import pwd
import re
import signal
import subprocess
import sys
import time

SERVER = os.environ.get("PBS_EMULATOR_SERVER", "emu")
HOST = "emu-login"  # the submission host, as in Job_Owner "user@host"


def state_dir():
    d = os.environ.get("PBS_EMULATOR_DIR") or "/tmp/pbs-emulator-%d" % os.getuid()
    os.makedirs(d, exist_ok=True)
    return d


class Locked:
    """Holds the emulator's one lock while job files are read or written."""

    def __enter__(self):
        self.f = open(os.path.join(state_dir(), "lock"), "a")
        fcntl.flock(self.f, fcntl.LOCK_EX)
        return self

    def __exit__(self, *a):
        fcntl.flock(self.f, fcntl.LOCK_UN)
        self.f.close()


def job_path(seq):
    return os.path.join(state_dir(), "job_%d.json" % seq)


def load(seq):
    try:
        with open(job_path(seq)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def save(job):
    tmp = job_path(job["seq"]) + ".tmp"
    with open(tmp, "w") as f:
        json.dump(job, f)
    os.replace(tmp, job_path(job["seq"]))


def parse_id(text):
    """'123[].emu', '123[4].emu', '123.emu', '123' -> (seq, index or None,
    is_array_id)."""
    m = re.match(r"^(\d+)(\[(\d*)\])?(\..*)?$", text)
    if not m:
        return None
    idx = m.group(3)
    return int(m.group(1)), (int(idx) if idx else None), m.group(2) == "[]"


def kill_session(sid, sig):
    """Signal every process of a job's session, as a MoM does (the model
    runs in a process group of its own, but in the job's session)."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[3]) == sid:  # field 6: session
                os.kill(int(entry), sig)
        except (OSError, ValueError, IndexError):
            pass


def workdir():
    """PBS_O_WORKDIR as qsub takes it: $PWD when that is the current
    directory (kinder to automounters), else getcwd()."""
    pwd_env = os.environ.get("PWD")
    try:
        if pwd_env and os.path.samefile(pwd_env, "."):
            return pwd_env
    except OSError:
        pass
    return os.getcwd()


def seconds(walltime):
    parts = [int(p) for p in walltime.split(":")]
    s = 0
    for p in parts:
        s = s * 60 + p
    return s


# ---- qsub ------------------------------------------------------------------

def qsub(args):
    opts, script = {}, None
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-J", "-N", "-A", "-q", "-l", "-o", "-e", "-j", "-W", "-v"):
            if i + 1 >= len(args):
                sys.stderr.write("qsub: option %s needs a value\n" % a)
                return 2
            opts.setdefault(a, []).append(args[i + 1])
            i += 2
        elif a.startswith("-"):
            sys.stderr.write("qsub: unsupported option %s (emulator)\n" % a)
            return 2
        else:
            script = a
            i += 1
    if script is None:
        sys.stderr.write("usage: qsub [-J range] script (emulator: no stdin)\n")
        return 2
    try:
        with open(script) as f:
            text = f.read()
    except OSError as e:
        sys.stderr.write("qsub: script file cannot be loaded - %s\n" % e)
        return 2
    # directives in the script, until the first command line
    for line in text.splitlines()[1:]:
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        if line.startswith("#PBS"):
            words = line[4:].split(None, 1)
            if len(words) == 2 and words[0] in ("-J", "-N", "-A", "-q", "-l"):
                opts.setdefault("script" + words[0], []).append(words[1].strip())
    if os.environ.get("PBS_EMULATOR_REFUSE"):
        sys.stderr.write("qsub: %s\n" % os.environ["PBS_EMULATOR_REFUSE"])
        return 1
    rng = (opts.get("-J") or opts.get("script-J") or [None])[-1]
    limit = None
    if rng is not None:
        m = re.match(r"^(\d+)-(\d+)(?::(\d+))?(?:%(\d+))?$", rng)
        if not m:
            sys.stderr.write("qsub: illegal -J value\n")
            return 2
        a, b, step = int(m.group(1)), int(m.group(2)), int(m.group(3) or 1)
        if m.group(4):
            limit = int(m.group(4))
        indices = list(range(a, b + 1, step))
        if len(indices) < 2:  # PBS Pro: an array needs 2 subjobs or more
            sys.stderr.write("qsub: illegal -J value\n")
            return 2
    else:
        indices = None
    walltime = None
    for l in (opts.get("script-l") or []) + (opts.get("-l") or []):
        for part in l.split(","):
            if part.startswith("walltime="):
                walltime = seconds(part[len("walltime="):])
    name = ((opts.get("-N") or opts.get("script-N") or
             [os.path.basename(script)])[-1])
    spool = None
    with Locked():
        seqf = os.path.join(state_dir(), "seq")
        try:
            with open(seqf) as f:
                seq = int(f.read().strip()) + 1
        except (OSError, ValueError):
            seq = 1000
        with open(seqf, "w") as f:
            f.write("%d\n" % seq)
        spool = os.path.join(state_dir(), "script_%d" % seq)
        with open(spool, "w") as f:
            f.write(text)
        os.chmod(spool, 0o755)
        jid = "%d[].%s" % (seq, SERVER) if indices is not None else \
              "%d.%s" % (seq, SERVER)
        user, wd = pwd.getpwuid(os.getuid()).pw_name, workdir()
        job = {"seq": seq, "id": jid, "name": name, "array": indices is not None,
               "limit": limit, "walltime": walltime, "script": spool,
               "workdir": wd, "deleted": False, "qtime": time.time(),
               "owner": "%s@%s" % (user, HOST), "submit_args": " ".join(args),
               "variables": {
                   "PBS_O_HOME": os.environ.get("HOME", "/"),
                   "PBS_O_LOGNAME": user,
                   "PBS_O_PATH": os.environ.get("PATH", ""),
                   "PBS_O_SHELL": os.environ.get("SHELL", "/bin/sh"),
                   "PBS_O_WORKDIR": wd, "PBS_O_SYSTEM": "Linux",
                   "PBS_O_QUEUE": "workq", "PBS_O_HOST": HOST},
               "subjobs": {str(k): {"state": "Q", "exit": None, "pid": None}
                           for k in (indices if indices is not None else [0])}}
        save(job)
    subprocess.Popen([sys.executable, "-B", os.path.abspath(__file__), "_run", str(seq)],
                     start_new_session=True, close_fds=True,
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL)
    print(jid)
    return 0


def sub_id(job, k):
    if not job["array"]:
        return job["id"]
    return "%d[%s].%s" % (job["seq"], k, SERVER)


def run(seq):
    """The detached runner of one job: starts subjobs, reaps them, records
    their exit status."""
    ncpus = int(os.environ.get("PBS_EMULATOR_NCPUS", "4"))
    procs = {}  # k -> (Popen, start)
    while True:
        with Locked():
            job = load(seq)
            if job is None:
                return
            limit = min(ncpus, job["limit"] or ncpus)
            for k, (p, start) in list(procs.items()):
                sj = job["subjobs"][k]
                rc = p.poll()
                if rc is None:
                    if job["walltime"] and time.time() - start > job["walltime"]:
                        sj["walltime_hit"] = True
                        kill_session(p.pid, signal.SIGKILL)
                    elif sj.get("kill_at") and time.time() > sj["kill_at"]:
                        kill_session(p.pid, signal.SIGKILL)  # qdel's kill_delay
                    continue
                kill_session(p.pid, signal.SIGKILL)  # what the job left behind
                sj["state"] = "X" if job["array"] else "F"
                if sj.get("walltime_hit"):
                    sj["exit"] = -29
                    sj["comment"] = "job killed: walltime %d exceeded limit %d" % (
                        int(time.time() - start), job["walltime"])
                else:
                    sj["exit"] = rc if rc >= 0 else 256 - rc
                sj["pid"] = None
                del procs[k]
            for k, sj in sorted(job["subjobs"].items(), key=lambda e: int(e[0])):
                if sj["state"] != "Q":
                    continue
                if job["deleted"]:
                    sj["state"] = "X" if job["array"] else "F"
                    continue
                if len(procs) >= limit:
                    break
                env = dict(os.environ)
                env.update({"PBS_JOBID": sub_id(job, k), "PBS_JOBNAME": job["name"],
                            "PBS_O_WORKDIR": job["workdir"],
                            "PBS_ENVIRONMENT": "PBS_BATCH"})
                if job["array"]:
                    env["PBS_ARRAY_INDEX"] = k
                    env["PBS_ARRAY_ID"] = job["id"]
                base = os.path.join(job["workdir"], "%s.%%s%d%s" % (
                    job["name"], seq, "." + k if job["array"] else ""))
                out = open(base % "o", "w")
                err = open(base % "e", "w")
                p = subprocess.Popen([job["script"]], cwd=job["workdir"], env=env,
                                     stdin=subprocess.DEVNULL, stdout=out,
                                     stderr=err, start_new_session=True)
                out.close()
                err.close()
                procs[k] = (p, time.time())
                sj["state"] = "R"
                sj["pid"] = p.pid
                sj["stime"] = time.time()
            save(job)
            done = not procs and all(sj["state"] != "Q"
                                     for sj in job["subjobs"].values())
        if done:
            return
        time.sleep(0.1)


# ---- qstat -------------------------------------------------------------------

def job_state(job):
    states = [sj["state"] for sj in job["subjobs"].values()]
    if all(s in ("X", "F") for s in states):
        return "F"
    if job["array"]:
        return "B" if any(s != "Q" for s in states) else "Q"
    return states[0]


def record(job, k=None):
    r = {"Job_Name": job["name"], "Job_Owner": job.get("owner", "root@" + HOST),
         "queue": "workq", "server": SERVER, "qtime": time.ctime(job["qtime"]),
         "Variable_List": job.get("variables", {}),
         "Submit_arguments": job.get("submit_args", "")}
    if k is None:
        r["job_state"] = job_state(job)
        if job["array"]:
            r["array"] = "True"
            keys = sorted(job["subjobs"], key=int)
            r["array_indices_submitted"] = "%s-%s" % (keys[0], keys[-1])
        else:
            sj = job["subjobs"]["0"]
            if sj["exit"] is not None:
                r["Exit_status"] = sj["exit"]
            if sj.get("comment"):
                r["comment"] = sj["comment"]
        if job["walltime"]:
            r["Resource_List"] = {"walltime": time.strftime(
                "%H:%M:%S", time.gmtime(job["walltime"]))}
        return r
    sj = job["subjobs"][k]
    r["job_state"] = sj["state"]
    r["array_id"] = job["id"]
    r["array_index"] = int(k)
    if sj["exit"] is not None:
        r["Exit_status"] = sj["exit"]
    if sj.get("comment"):
        r["comment"] = sj["comment"]
    return r


def qstat(args):
    history = subjobs = full = False
    fmt = None
    ids = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "-x":
            history = True
        elif a == "-t":
            subjobs = True
        elif a == "-f":
            full = True
        elif a == "-F":
            fmt = args[i + 1] if i + 1 < len(args) else None
            i += 1
        elif a.startswith("-"):
            sys.stderr.write("qstat: unsupported option %s (emulator)\n" % a)
            return 2
        else:
            ids.append(a)
        i += 1
    jobs, rc = {}, 0
    with Locked():
        if not ids:  # every job: finished ones only with -x, as PBS Pro
            seqs = sorted(int(f[4:-5]) for f in os.listdir(state_dir())
                          if re.match(r"^job_\d+\.json$", f))
            for seq in seqs:
                job = load(seq)
                if not job or (not history and job_state(job) == "F"):
                    continue
                jobs[job["id"]] = record(job)
                if job["array"] and subjobs:
                    for k in sorted(job["subjobs"], key=int):
                        jobs[sub_id(job, k)] = record(job, k)
        for text in ids:
            p = parse_id(text)
            job = load(p[0]) if p else None
            if job and not history and job_state(job) == "F":
                sys.stderr.write("qstat: %s Job has finished, use -x or -H to "
                                 "obtain historical job information\n" % text)
                rc = 35
                continue
            if not job or (p[1] is not None and str(p[1]) not in job["subjobs"]):
                sys.stderr.write("qstat: Unknown Job Id %s\n" % text)
                rc = 153
                continue
            if p[1] is not None:
                jobs[sub_id(job, str(p[1]))] = record(job, str(p[1]))
                continue
            jobs[job["id"]] = record(job)
            if job["array"] and subjobs:
                for k in sorted(job["subjobs"], key=int):
                    jobs[sub_id(job, k)] = record(job, k)
    if fmt == "json" and full:
        print(json.dumps({"timestamp": int(time.time()),
                          "pbs_version": "emulator (tests/pbs-emulator)",
                          "pbs_server": SERVER, "Jobs": jobs}, indent=4))
    else:
        for jid, r in jobs.items():
            print("Job Id: %s" % jid)
            for key, v in r.items():
                print("    %s = %s" % (key, v))
            print()
    return rc


# ---- qdel --------------------------------------------------------------------

def qdel(args):
    rc = 0
    for text in args:
        if text.startswith("-"):
            continue
        with Locked():
            p = parse_id(text)
            job = load(p[0]) if p else None
            if not job:
                sys.stderr.write("qdel: Unknown Job Id %s\n" % text)
                rc = 153
                continue
            if job_state(job) == "F":
                sys.stderr.write("qdel: Job has finished %s\n" % text)
                rc = 35
                continue
            targets = [str(p[1])] if p[1] is not None else list(job["subjobs"])
            if p[1] is None:
                job["deleted"] = True
            for k in targets:
                sj = job["subjobs"].get(k)
                if not sj:
                    continue
                if sj["state"] == "Q":
                    sj["state"] = "X" if job["array"] else "F"
                elif sj["state"] == "R" and sj["pid"]:
                    kill_session(sj["pid"], signal.SIGTERM)
                    sj["kill_at"] = time.time() + 5
            save(job)
    return rc


def main():
    prog = os.path.basename(sys.argv[0])
    args = sys.argv[1:]
    if args[:1] == ["_run"]:
        run(int(args[1]))
        return 0
    return {"qsub": qsub, "qstat": qstat, "qdel": qdel}[prog](args)


if __name__ == "__main__":
    sys.exit(main())
