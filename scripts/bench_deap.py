#!/usr/bin/python3
"""DEAP's own cost per evaluation and per generation, the number gahpo's speed
is measured against (BENCHMARKS.md).

Runs deap_ga_ref (CANDLE's deap_ga.py setup on python3-deap 1.3, with its
HallOfFame and avg/std/min/max Statistics) on sphere D=10 and D=100,
population 100, 200 generations after the initial one (num_iter 201, i.e.
ngen=200), both strategies, CANDLE's other settings (cx 0.2, mut 0.8,
cx_indpb 0.5, mut_indpb 0.5, tournsize 4, offspring 0.5).  Each case runs
--repeat times (seed 1 each time) and the minimum wall time is kept.
sphere costs well under a microsecond in Python, so the time is DEAP's.

    scripts/bench_deap.py [--repeat 3] [--generations 200] [--pop 100]

prints one JSON line per case:
    {"impl": "deap", "problem": "sphere:d10", "strategy": ..., "pop": 100,
     "generations": 200, "evals": ..., "seconds": ..., "us_per_eval": ...,
     "us_per_gen": ...}
evals counts every evaluation including the initial population's;
us_per_gen = seconds / generations (the initial generation's time is in
seconds but not counted as a generation).
"""

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "oracles"))
import deap_ga_ref  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description="Time DEAP 1.3 per evaluation "
                                             "and per generation.")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--generations", type=int, default=200,
                    help="generations after the initial one (ngen)")
    ap.add_argument("--pop", type=int, default=100)
    ap.add_argument("--problems", default="sphere:d10,sphere:d100")
    a = ap.parse_args(argv)
    if a.repeat < 1 or a.generations < 1 or a.pop < 2:
        ap.error("need --repeat >= 1, --generations >= 1, --pop >= 2")

    for problem in a.problems.split(","):
        deap_ga_ref.parse_problem(problem)
        for strategy in ("mu_plus_lambda", "simple"):
            settings = dict(deap_ga_ref.CANDLE_DEFAULTS,
                            population_size=a.pop,
                            num_iter=a.generations + 1, strategy=strategy)
            best_t, evals = None, None
            for _ in range(a.repeat):
                t0 = time.perf_counter()
                r = deap_ga_ref.run_settings(problem, 1, settings)
                t = time.perf_counter() - t0
                if best_t is None or t < best_t:
                    best_t = t
                evals = r.nevals  # same seed, so the same every time
            print(json.dumps({
                "impl": "deap", "problem": problem, "strategy": strategy,
                "pop": a.pop, "generations": a.generations, "evals": evals,
                "seconds": round(best_t, 6),
                "us_per_eval": round(best_t / evals * 1e6, 3),
                "us_per_gen": round(best_t / a.generations * 1e6, 1)}))
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
