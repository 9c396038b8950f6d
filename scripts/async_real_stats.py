#!/usr/bin/python3
"""Per-run measures and paired statistics for scripts/async_real.sh.

Reads the driver's runs file (one line per `gahpo run`: seed, strategy, t0 =
wall clock just before gahpo started, t1 = just after it exited, run
directory) and, in each run directory, every evaluation's timing.json
(written by the stand-in model scripts/async_model.py) and evals.jsonl.

Per run, with times from t0:
  makespan         the last evaluation's end
  time to target   the end of the first evaluation whose loss is <= the
                   target (the loss is the noiseless surrogate's, so this is
                   the noiseless value of the best observed point, as in
                   `gahpo async-experiment`); none if never reached
  utilisation      sum(end - start) / (jobs x makespan)
  start gap        for every evaluation after the first `jobs`: its start
                   minus the last end before it (median, ms): what it costs
                   to hand a free worker its next job, python's start-up
                   included
  ideal makespan   the same drawn durations scheduled with no overhead, as
                   the run loop schedules them (async: each evaluation, in
                   the order asked, on the first free worker; generational:
                   each generation so, from a barrier); overhead = makespan
                   / ideal - 1

Across seeds, paired: the median ratio async / mu_plus_lambda of time to
target (a run that never reaches it counts as twice its makespan, as in
`gahpo async-experiment`), a 95% percentile-bootstrap CI of that median
(10,000 resamples, seeded) and a two-sided Wilcoxon signed-rank p (scipy;
pairs with equal times are dropped first, as sweeps/stats.c does).
Optionally the simulated twin: `gahpo async-experiment` runs.csv files with
the same workers, budget, median and seeds.

    async_real_stats.py --runs FILE --jobs 8 --targets 0.0095,0.0088
        [--csv OUT.csv] [--sim TARGET=runs.csv ...]
Prints the tables in Markdown.
"""

import argparse
import csv
import glob
import heapq
import json
import math
import os
import statistics
import sys

import numpy as np
from scipy import stats

STRATEGIES = ("mu_plus_lambda", "async")
BOOT_SEED, BOOT_N = 20261128, 10000


def ideal_makespan(strategy, jobs, durations):
    """Zero-overhead makespan of {(gen, ind): duration}."""
    now = 0.0
    gens = [None] if strategy == "async" else sorted({g for g, _ in durations})
    for gen in gens:
        free = [now] * jobs
        for key in sorted(durations):
            if gen is None or key[0] == gen:
                heapq.heappush(free, heapq.heappop(free) + durations[key])
        now = max(free)
    return now


def load_run(seed, strategy, t0, t1, rundir, jobs, targets):
    fitness = {}
    with open(os.path.join(rundir, "evals.jsonl")) as f:
        for line in f:
            d = json.loads(line)
            fitness[(d["gen"], d["ind"])] = d["fitness"]
    evals = []
    for path in glob.glob(os.path.join(rundir, "gen_*", "ind_*", "timing.json")):
        ind_dir = os.path.dirname(path)
        gen = int(os.path.basename(os.path.dirname(ind_dir))[4:])
        ind = int(os.path.basename(ind_dir)[4:])
        with open(path) as f:
            t = json.load(f)
        evals.append((t["start"] - t0, t["end"] - t0, fitness.get((gen, ind)),
                      t["duration"], gen, ind))
    failed = sum(1 for v in fitness.values() if v is None)
    if len(evals) != len(fitness):
        sys.exit("%s: %d timing files but %d logged evaluations"
                 % (rundir, len(evals), len(fitness)))
    evals.sort(key=lambda e: e[1])
    makespan = evals[-1][1]
    busy = sum(e[1] - e[0] for e in evals)
    row = {"seed": seed, "strategy": strategy, "evals": len(evals),
           "failed": failed, "makespan": makespan, "gahpo_wall": t1 - t0,
           "utilization": busy / (jobs * makespan),
           "drawn_utilization": sum(e[3] for e in evals) / (jobs * makespan)}
    best = math.inf
    reached = {t: math.inf for t in targets}
    for start, end, f, _, _, _ in evals:
        if f is not None and f < best:
            best = f
            for t in targets:
                if best <= t and math.isinf(reached[t]):
                    reached[t] = end
    row["best"] = best
    for t in targets:
        row["ttt_%g" % t] = reached[t]
    ends = sorted(e[1] for e in evals)
    starts = sorted(e[0] for e in evals)
    gaps = []
    for s in starts[jobs:]:
        before = [e for e in ends if e <= s]
        if before:
            gaps.append(s - before[-1])
    row["start_gap_ms"] = 1000 * statistics.median(gaps) if gaps else math.nan
    row["ideal_makespan"] = ideal_makespan(
        strategy, jobs, {(e[4], e[5]): e[3] for e in evals})
    row["overhead"] = makespan / row["ideal_makespan"] - 1
    return row


def paired(rows, key, seeds):
    """x (async), y (generational): never reached counts as 2 x makespan."""
    by = {(r["seed"], r["strategy"]): r for r in rows}
    x, y = [], []
    for s in seeds:
        a, g = by[(s, "async")], by[(s, "mu_plus_lambda")]
        x.append(a[key] if math.isfinite(a[key]) else 2 * a["makespan"])
        y.append(g[key] if math.isfinite(g[key]) else 2 * g["makespan"])
    return np.array(x), np.array(y)


def ratio_stats(x, y):
    ratio = x / y
    rng = np.random.default_rng(BOOT_SEED)
    idx = rng.integers(0, len(ratio), size=(BOOT_N, len(ratio)))
    boot = np.median(ratio[idx], axis=1)
    lo, hi = np.percentile(boot, [2.5, 97.5])
    d = (x - y)[x != y]  # zero differences dropped, as gahpo's own test does
    p = stats.wilcoxon(d).pvalue if len(d) else 1.0
    return float(np.median(ratio)), float(lo), float(hi), float(p)


def fmt(v, digits=3):
    return "never" if not math.isfinite(v) else "%.*g" % (digits, v)


def med(rows, strategy, key):
    v = [r[key] for r in rows if r["strategy"] == strategy]
    return float(np.median(v))  # inf counts as the largest, as it should


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", required=True)
    ap.add_argument("--jobs", type=int, default=8)
    ap.add_argument("--targets", default="0.0095,0.0088")
    ap.add_argument("--csv")
    ap.add_argument("--sim", action="append", default=[],
                    help="TARGET=runs.csv of gahpo async-experiment")
    a = ap.parse_args()
    targets = [float(t) for t in a.targets.split(",")]
    rows = []
    with open(a.runs) as f:
        for line in f:
            seed, strategy, t0, t1, rundir = line.rstrip("\n").split("\t")
            rows.append(load_run(int(seed), strategy, float(t0), float(t1),
                                 rundir, a.jobs, targets))
    seeds = sorted({r["seed"] for r in rows})
    keys = ["seed", "strategy", "evals", "failed", "makespan", "gahpo_wall"] + \
           ["ttt_%g" % t for t in targets] + \
           ["utilization", "drawn_utilization", "best", "start_gap_ms",
            "ideal_makespan", "overhead"]
    if a.csv:
        with open(a.csv, "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(keys)
            for r in sorted(rows, key=lambda r: (r["seed"], r["strategy"])):
                w.writerow([r[k] if isinstance(r[k], (int, str))
                            else ("inf" if math.isinf(r[k]) else "%.6g" % r[k])
                            for k in keys])

    print("Per run (seconds from the start of `gahpo run`):\n")
    print("| seed | strategy | makespan | " +
          " | ".join("time to %g" % t for t in targets) +
          " | utilisation | final best | start gap (ms) | ideal makespan |")
    print("|---|---|---|" + "---|" * len(targets) + "---|---|---|---|")
    for r in sorted(rows, key=lambda r: (r["seed"], r["strategy"])):
        print("| %d | %s | %.1f | %s | %.0f%% | %.5g | %.0f | %.1f |" % (
            r["seed"], r["strategy"], r["makespan"],
            " | ".join(fmt(r["ttt_%g" % t]) for t in targets),
            100 * r["utilization"], r["best"], r["start_gap_ms"],
            r["ideal_makespan"]))

    n = len(seeds)
    print("\nMedians over %d seeds:\n" % n)
    print("| | mu_plus_lambda | async |\n|---|---|---|")
    print("| median makespan (s) | %.1f | %.1f |" % tuple(
        med(rows, s, "makespan") for s in STRATEGIES))
    for t in targets:
        k = "ttt_%g" % t
        print("| median time to target %g (s) | %s | %s |" % (
            t, *(fmt(med(rows, s, k)) for s in STRATEGIES)))
        print("| runs reaching %g | %d of %d | %d of %d |" % (
            t, *(x for s in STRATEGIES for x in (
                sum(math.isfinite(r[k]) for r in rows if r["strategy"] == s),
                n))))
    print("| median worker utilisation | %.0f%% | %.0f%% |" % tuple(
        100 * med(rows, s, "utilization") for s in STRATEGIES))
    print("| median final loss | %.6g | %.6g |" % tuple(
        med(rows, s, "best") for s in STRATEGIES))
    print("| median makespan with no overhead (s) | %.1f | %.1f |" % tuple(
        med(rows, s, "ideal_makespan") for s in STRATEGIES))
    print("| median overhead (makespan / no-overhead - 1) | %.0f%% | %.0f%% |"
          % tuple(100 * med(rows, s, "overhead") for s in STRATEGIES))
    print("| median start gap (ms) | %.0f | %.0f |" % tuple(
        med(rows, s, "start_gap_ms") for s in STRATEGIES))
    print("| failed evaluations (all runs) | %d | %d |" % tuple(
        sum(r["failed"] for r in rows if r["strategy"] == s)
        for s in STRATEGIES))

    print("\nPaired by seed, async / mu_plus_lambda:\n")
    print("| measure | median ratio | 95% bootstrap CI | Wilcoxon p |")
    print("|---|---|---|---|")
    for k, label in [("ttt_%g" % t, "time to %g" % t) for t in targets] + \
                    [("makespan", "makespan"),
                     ("ideal_makespan", "makespan with no overhead")]:
        m, lo, hi, p = ratio_stats(*paired(rows, k, seeds))
        print("| %s | %.3g | %.3g to %.3g | %.3g |" % (label, m, lo, hi, p))

    for spec in a.sim:
        t, path = spec.split("=", 1)
        with open(path) as f:
            sim = [dict(r) for r in csv.DictReader(f)]
        srows = [{"seed": int(r["seed"]), "strategy": r["mode"],
                  "makespan": float(r["makespan"]),
                  "ttt": float(r["time_to_target"]),
                  "utilization": float(r["utilization"]),
                  "best": float(r["best_true"])} for r in sim]
        m, lo, hi, p = ratio_stats(*paired(srows, "ttt", seeds))
        print("\nSimulated twin (`gahpo async-experiment`, same seeds, "
              "workers, budget and median; target %s): makespan %.1f / %.1f, "
              "time to target %s / %s, utilisation %.0f%% / %.0f%%, final "
              "loss %.6g / %.6g (mu_plus_lambda / async); ratio %.3g "
              "(95%% CI %.3g to %.3g), Wilcoxon p = %.3g." % (
                  t, med(srows, "mu_plus_lambda", "makespan"),
                  med(srows, "async", "makespan"),
                  fmt(med(srows, "mu_plus_lambda", "ttt")),
                  fmt(med(srows, "async", "ttt")),
                  100 * med(srows, "mu_plus_lambda", "utilization"),
                  100 * med(srows, "async", "utilization"),
                  med(srows, "mu_plus_lambda", "best"),
                  med(srows, "async", "best"), m, lo, hi, p))


if __name__ == "__main__":
    main()
