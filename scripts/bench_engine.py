#!/usr/bin/python3
"""The GA's own cost per evaluation, gahpo beside DEAP 1.3, in one run, paired
and interleaved, in CPU time (wall time beside it), with the load average;
and gahpo beside a microbenchmark that only makes its random draws.

Setup, identical on both sides: sphere at D=10 and D=100, population 100,
200 generations after the initial one, CANDLE's other settings (cx 0.2,
mut 0.8, cx_indpb 0.5, mut_indpb 0.5, tournament 4, offspring 0.5; the
same for both strategies, as CANDLE's deap_ga.py passes them), hall of fame
and avg/std/min/max statistics every generation, seed 1.

Each case makes PAIRS pairs: gahpo (build/tests/bench_engine, the minimum of
5 runs in one process, since one run is about a millisecond) and DEAP (one
run of tests/oracles/deap_ga_ref.py in this process, timed with
time.process_time), alternating which goes first. Each pair gives a ratio
DEAP / gahpo of CPU microseconds per evaluation; the table shows the median
and the range over pairs. The goal is >= 150x in every case.

The draw microbenchmark: bench_engine_count counts the draws the engine
makes in each case (32-bit draws, uniform doubles, Gaussians), and
bench_engine --draws makes exactly those with the same generator in a
loop that does nothing else. The goal is gahpo's time within 3x of it.

    scripts/bench_engine.py BUILD/tests [--pairs 5] [--json FILE]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "oracles"))
import deap_ga_ref  # noqa: E402

CASES = [(p, s) for p in ("sphere:d10", "sphere:d100")
         for s in ("mu_plus_lambda", "simple")]
POP, GENERATIONS = 100, 200


def loadavg():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return [json.loads(line) for line in out.stdout.splitlines() if line]


def gahpo_once(bench, problem, strategy):
    r = run_json([bench, "--problem", problem, "--strategy", strategy,
                  "--repeat", "5", "--pop", str(POP),
                  "--generations", str(GENERATIONS)])[0]
    return r["cpu_seconds"] / r["evals"] * 1e6, r["seconds"] / r["evals"] * 1e6


def deap_once(problem, strategy):
    settings = dict(deap_ga_ref.CANDLE_DEFAULTS, population_size=POP,
                    num_iter=GENERATIONS + 1, strategy=strategy)
    c0, w0 = time.process_time(), time.perf_counter()
    r = deap_ga_ref.run_settings(problem, 1, settings)
    c, w = time.process_time() - c0, time.perf_counter() - w0
    return c / r.nevals * 1e6, w / r.nevals * 1e6, r.nevals


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("build_tests", help="the folder of bench_engine")
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--json", help="also write the figures here")
    a = ap.parse_args(argv)
    if a.pairs < 1:
        ap.error("--pairs must be at least 1")
    bench = os.path.join(a.build_tests, "bench_engine")
    count = os.path.join(a.build_tests, "bench_engine_count")
    for path in (bench, count):
        if not os.access(path, os.X_OK):
            print("bench_engine.py: %s: not built (make bench builds it)"
                  % path, file=sys.stderr)
            return 2

    load0, cpu0, wall0 = loadavg(), time.process_time(), time.perf_counter()
    rows = []
    for problem, strategy in CASES:
        pairs = []
        for k in range(a.pairs):
            if k % 2 == 0:
                g = gahpo_once(bench, problem, strategy)
                d = deap_once(problem, strategy)
            else:
                d = deap_once(problem, strategy)
                g = gahpo_once(bench, problem, strategy)
            pairs.append((g, d))
        counts = run_json([count, "--problem", problem, "--strategy",
                           strategy])[0]
        draws = run_json([bench, "--draws", "%d,%d,%d" % (
            counts["gets"], counts["uniforms"], counts["gaussians"]),
            "--repeat", "5"])[0]
        ratios = [d[0] / g[0] for g, d in pairs]
        g_cpu = statistics.median(g[0] for g, _ in pairs)
        rows.append({
            "problem": problem, "strategy": strategy,
            "evals": counts["evals"], "deap_evals": pairs[0][1][2],
            "gahpo_cpu_us": g_cpu,
            "gahpo_wall_us": statistics.median(g[1] for g, _ in pairs),
            "deap_cpu_us": statistics.median(d[0] for _, d in pairs),
            "deap_wall_us": statistics.median(d[1] for _, d in pairs),
            "ratio_median": statistics.median(ratios),
            "ratio_min": min(ratios), "ratio_max": max(ratios),
            "draws": {k: counts[k] for k in ("gets", "uniforms", "gaussians")},
            "draws_cpu_us": draws["cpu_seconds"] / counts["evals"] * 1e6,
        })
    load1 = loadavg()

    print("GA overhead per evaluation: gahpo and DEAP %s, paired and "
          "interleaved (%d pairs per case), CPU time (wall beside it)"
          % (deap_ga_ref.DEAP_VERSION, a.pairs))
    print("sphere, pop %d, %d generations, CANDLE settings, seed 1; load "
          "average %s before, %s after" % (POP, GENERATIONS, load0, load1))
    print("%-11s %-14s %13s %17s %17s %14s %12s %11s" % (
        "problem", "strategy", "evals (DEAP)", "gahpo us/ev cpu", "DEAP us/ev cpu",
        "DEAP/gahpo", "draws us/ev", "gahpo/draws"))
    for r in rows:
        print("%-11s %-14s %6d (%5d) %8.3f (%6.3f) %8.1f (%6.1f) %5.0fx %3.0f-%-3.0f "
              "%12.3f %10.2fx" % (
                  r["problem"], r["strategy"], r["evals"], r["deap_evals"],
                  r["gahpo_cpu_us"],
                  r["gahpo_wall_us"], r["deap_cpu_us"], r["deap_wall_us"],
                  r["ratio_median"], r["ratio_min"], r["ratio_max"],
                  r["draws_cpu_us"], r["gahpo_cpu_us"] / r["draws_cpu_us"]))
    print("(DEAP/gahpo: median ratio of the pairs, then its range; goal "
          ">= 150x. gahpo/draws: goal <= 3x. simple's evaluation count is "
          "random: an individual is evaluated again only if varied. This "
          "script's own CPU %.1f s "
          "in %.1f s wall.)" % (time.process_time() - cpu0,
                                time.perf_counter() - wall0))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"load_before": load0, "load_after": load1,
                       "rows": rows}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
