#!/usr/bin/python3
"""Reference GA run set up the way CANDLE Supervisor's deap_ga.py sets it up.

gahpo replaces deap_ga.py, so this is the yardstick the statistical
comparison (tests/oracles/compare_deap.py) and the speed comparison
(scripts/bench_engine.py) measure gahpo against.  It drives python3-deap 1.3
itself (eaSimple / eaMuPlusLambda, cxUniform, selTournament, HallOfFame,
Statistics) on float-only test functions, with CANDLE's per-gene Gaussian
mutation (ga_utils.FloatParameter).  Everything random comes from Python's
global `random`, seeded once per run with random.seed(seed), as in CANDLE.

Use as a module:
    import deap_ga_ref
    r = deap_ga_ref.run("sphere:d10", seed=3, pop=100, num_iter=100)
    r.best, r.nevals, r.logbook

or as a command (prints one JSON line):
    deap_ga_ref.py --problem sphere:d10 --seed 3 --pop 100 --num-iter 100 \
        --strategy mu_plus_lambda
"""

import argparse
import json
import random
import sys
import time
from collections import namedtuple

import deap
import numpy as np
from deap import algorithms, base, benchmarks, creator, tools

# CANDLE Supervisor's defaults (cfg-prm-*.sh / deap_ga.py), CANDLE names.
CANDLE_DEFAULTS = {
    "population_size": 16,
    "num_iter": 5,
    "strategy": "mu_plus_lambda",
    "offspring_prop": 0.5,
    "mut_prob": 0.8,
    "cx_prob": 0.2,
    "mut_indpb": 0.5,
    "cx_indpb": 0.5,
    "tournsize": 4,
}

# name -> (objective returning a 1-tuple, lower, upper); all minimise, f* = 0.
# deap.benchmarks uses the standard definitions:
#   rastrigin  10 D + sum(x^2 - 10 cos(2 pi x))
#   rosenbrock sum(100 (x_i^2 - x_{i+1})^2 + (1 - x_i)^2)
#   ackley     20 - 20 exp(-0.2 sqrt(mean x^2)) + e - exp(mean cos(2 pi x))
PROBLEMS = {
    "sphere": (benchmarks.sphere, -5.12, 5.12),
    "rastrigin": (benchmarks.rastrigin, -5.12, 5.12),
    "rosenbrock": (benchmarks.rosenbrock, -5.0, 10.0),
    "ackley": (benchmarks.ackley, -32.768, 32.768),
}

STRATEGIES = ("simple", "mu_plus_lambda")
DEAP_VERSION = deap.__version__

Result = namedtuple("Result", "best best_params nevals logbook")

# creator classes are process-global in DEAP; create them once.
if not hasattr(creator, "FitnessMin"):
    creator.create("FitnessMin", base.Fitness, weights=(-1.0,))
if not hasattr(creator, "Individual"):
    creator.create("Individual", list, fitness=creator.FitnessMin)


def parse_problem(spec):
    """'sphere:d10' -> ('sphere', 10).  Raises ValueError on a bad spec."""
    name, sep, dim = spec.partition(":")
    if name not in PROBLEMS:
        raise ValueError("unknown problem %r (known: %s)"
                         % (name, ", ".join(sorted(PROBLEMS))))
    if not sep or not dim.startswith("d") or not dim[1:].isdigit():
        raise ValueError("problem %r: expected NAME:dD, e.g. sphere:d10"
                         % spec)
    d = int(dim[1:])
    if d < 1 or (name == "rosenbrock" and d < 2):
        raise ValueError("problem %r: dimension too small" % spec)
    return name, d


def offspring_count(pop, offspring_prop):
    """lambda as CANDLE computes it: Python's round(), i.e. half to even."""
    return round(offspring_prop * pop)


def expected_nevals(pop, num_iter, strategy, cx_prob, mut_prob,
                    offspring_prop):
    """Total evaluations when DEAP's count is deterministic, else None.

    Only (mu + lambda) with cx_prob + mut_prob == 1 is: varOr then never
    reproduces, so every one of the lambda children is new."""
    if strategy == "mu_plus_lambda" and cx_prob + mut_prob >= 1.0:
        return pop + (num_iter - 1) * offspring_count(pop, offspring_prop)
    return None


def _convolve(a, b):
    if len(a) * len(b) < 1 << 20:
        return np.convolve(a, b)
    from scipy.signal import fftconvolve
    return np.clip(fftconvolve(a, b), 0.0, None)  # FFT leaves tiny negatives


def _pmf_power(pmf, n):
    """pmf of the sum of n independent copies (pmf over 0, 1, 2, ...)."""
    out = np.ones(1)
    while n:
        if n & 1:
            out = _convolve(out, pmf)
        n >>= 1
        if n:
            pmf = _convolve(pmf, pmf)
    return out


def nevals_distribution(pop, num_iter, strategy, cx_prob, mut_prob,
                        offspring_prop):
    """Exact distribution of DEAP's total evaluation count -> (offset, pmf):
    P(total == offset + k) == pmf[k].

    The count never depends on fitness: DEAP evaluates exactly the
    individuals whose fitness its variation deleted.
      simple (varAnd): per pair, crossover (prob cx) touches both; each
        individual is then mutated with prob mut; an individual is evaluated
        if touched by either.  An odd last individual can only be mutated.
      mu_plus_lambda (varOr): each of the lambda children is new (crossover
        or mutation) with prob cx + mut, else a reproduced parent.
    Generation 0 evaluates all pop individuals."""
    gens = num_iter - 1
    if strategy == "simple":
        c, m = cx_prob, mut_prob
        pair = np.array([(1 - c) * (1 - m) ** 2, (1 - c) * 2 * m * (1 - m),
                         c + (1 - c) * m * m])
        gen = _pmf_power(pair, pop // 2)
        if pop % 2:
            gen = np.convolve(gen, [1 - m, m])
        return pop, _pmf_power(gen, gens)
    lam = offspring_count(pop, offspring_prop)
    p = min(1.0, cx_prob + mut_prob)
    n = gens * lam
    k = np.arange(n + 1)
    from scipy.stats import binom
    return pop, binom.pmf(k, n, p)


def _make_mutate(lower, upper, sigma):
    # CANDLE ga_utils FloatParameter.mut_float applied to every gene
    # (custom_mutate): Gaussian step with probability indpb, then clip.
    def mutate(individual, indpb):
        for i, x in enumerate(individual):
            if random.random() < indpb:
                x += random.gauss(0.0, sigma)
                individual[i] = max(lower, min(upper, x))
        return (individual,)
    return mutate


def _make_toolbox(func, dim, lower, upper, cx_indpb, mut_indpb, tournsize):
    toolbox = base.Toolbox()

    def draw():
        return [random.uniform(lower, upper) for _ in range(dim)]

    toolbox.register("individual", tools.initIterate, creator.Individual,
                     draw)
    toolbox.register("population", tools.initRepeat, list,
                     toolbox.individual)
    toolbox.register("evaluate", func)
    toolbox.register("mate", tools.cxUniform, indpb=cx_indpb)
    toolbox.register("mutate", _make_mutate(lower, upper,
                                            (upper - lower) / 10.0),
                     indpb=mut_indpb)
    toolbox.register("select", tools.selTournament, tournsize=tournsize)
    return toolbox


def run(problem, seed, pop=16, num_iter=5, strategy="mu_plus_lambda",
        cx_prob=0.2, mut_prob=0.8, cx_indpb=0.5, mut_indpb=0.5, tournsize=4,
        offspring_prop=0.5):
    """One reference run.  Returns Result(best, best_params, nevals, logbook):
    best is the hall-of-fame fitness, nevals the sum of the logbook's nevals
    (generation 0 included), logbook a list of dicts
    {gen, nevals, avg, std, min, max} (std is numpy's, ddof=0)."""
    name, dim = parse_problem(problem)
    func, lower, upper = PROBLEMS[name]
    if strategy not in STRATEGIES:
        raise ValueError("unknown strategy %r" % strategy)
    if num_iter < 1 or pop < 2:
        raise ValueError("need num_iter >= 1 and pop >= 2")

    random.seed(seed)
    toolbox = _make_toolbox(func, dim, lower, upper, cx_indpb, mut_indpb,
                            tournsize)
    population = toolbox.population(n=pop)
    hof = tools.HallOfFame(1)
    stats = tools.Statistics(lambda ind: ind.fitness.values)
    stats.register("avg", np.mean)
    stats.register("std", np.std)
    stats.register("min", np.min)
    stats.register("max", np.max)

    # num_iter counts the initial generation, as in CANDLE.
    if strategy == "simple":
        population, log = algorithms.eaSimple(
            population, toolbox, cxpb=cx_prob, mutpb=mut_prob,
            ngen=num_iter - 1, stats=stats, halloffame=hof, verbose=False)
    else:
        population, log = algorithms.eaMuPlusLambda(
            population, toolbox, mu=pop,
            lambda_=offspring_count(pop, offspring_prop),
            cxpb=cx_prob, mutpb=mut_prob, ngen=num_iter - 1,
            stats=stats, halloffame=hof, verbose=False)

    logbook = [{"gen": int(r["gen"]), "nevals": int(r["nevals"]),
                "avg": float(r["avg"]), "std": float(r["std"]),
                "min": float(r["min"]), "max": float(r["max"])} for r in log]
    return Result(best=float(hof[0].fitness.values[0]),
                  best_params=list(hof[0]),
                  nevals=sum(r["nevals"] for r in logbook),
                  logbook=logbook)


def run_settings(problem, seed, settings):
    """run() with a dict of CANDLE setting names; missing names take
    CANDLE_DEFAULTS."""
    s = dict(CANDLE_DEFAULTS)
    s.update(settings)
    return run(problem, seed, pop=int(s["population_size"]),
               num_iter=int(s["num_iter"]), strategy=s["strategy"],
               cx_prob=float(s["cx_prob"]), mut_prob=float(s["mut_prob"]),
               cx_indpb=float(s["cx_indpb"]),
               mut_indpb=float(s["mut_indpb"]),
               tournsize=int(s["tournsize"]),
               offspring_prop=float(s["offspring_prop"]))


def main(argv=None):
    d = CANDLE_DEFAULTS
    ap = argparse.ArgumentParser(
        description="One DEAP 1.3 run set up as CANDLE's deap_ga.py; "
                    "prints {\"best\", \"nevals\", \"seconds\"} as JSON.")
    ap.add_argument("--problem", required=True,
                    help="NAME:dD with NAME in %s" % ", ".join(PROBLEMS))
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--pop", type=int, default=d["population_size"])
    ap.add_argument("--num-iter", type=int, default=d["num_iter"],
                    help="generations including the initial one")
    ap.add_argument("--strategy", choices=STRATEGIES, default=d["strategy"])
    ap.add_argument("--cx-prob", type=float, default=d["cx_prob"])
    ap.add_argument("--mut-prob", type=float, default=d["mut_prob"])
    ap.add_argument("--cx-indpb", type=float, default=d["cx_indpb"])
    ap.add_argument("--mut-indpb", type=float, default=d["mut_indpb"])
    ap.add_argument("--tournsize", type=int, default=d["tournsize"])
    ap.add_argument("--offspring-prop", type=float,
                    default=d["offspring_prop"])
    ap.add_argument("--logbook", action="store_true",
                    help="also print the per-generation logbook")
    a = ap.parse_args(argv)
    try:
        parse_problem(a.problem)
    except ValueError as e:
        ap.error(str(e))
    t0 = time.perf_counter()
    r = run(a.problem, a.seed, pop=a.pop, num_iter=a.num_iter,
            strategy=a.strategy, cx_prob=a.cx_prob, mut_prob=a.mut_prob,
            cx_indpb=a.cx_indpb, mut_indpb=a.mut_indpb,
            tournsize=a.tournsize, offspring_prop=a.offspring_prop)
    out = {"best": r.best, "nevals": r.nevals,
           "seconds": round(time.perf_counter() - t0, 6)}
    if a.logbook:
        out["logbook"] = r.logbook
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
