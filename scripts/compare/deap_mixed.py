"""The GA gahpo replaces, on mixed spaces: python3-deap 1.3 driven the way
CANDLE Supervisor's deap_ga.py drives it (the project's reference driver,
tests/oracles/deap_ga_ref.py, extended from float-only test functions to
every parameter type), evaluating through gahpo's own objective
(objective.py) so the values are gahpo's.

CANDLE's defaults: population 16, 5 generations, eaMuPlusLambda with
lambda = round(0.5 x 16), cx_prob 0.2, mut_prob 0.8, cxUniform (indpb
0.5), per-gene mutation (indpb 0.5), selTournament(4), a hall of fame of
one. Per type, as gahpo's engine and CANDLE's parameter classes do:
float a Gaussian step of sigma, clipped (in log10 space for log_scale);
int the same, rounded half to even; ordered an index step of
round(Gaussian(sigma)), clipped; categorical a uniform other value;
logical flipped; constant kept. Initial draws are uniform (log-uniform
for log_scale). Everything random comes from Python's `random`, seeded
once per run, as in CANDLE.

For a budget of B evaluations the run is given enough generations and
stopped at the B-th evaluation (the rest of that generation is not
evaluated): the best point is the best of the first B.
"""

import math
import random

from deap import algorithms, base, creator, tools

if not hasattr(creator, "FitnessMin"):
    creator.create("FitnessMin", base.Fitness, weights=(-1.0,))
if not hasattr(creator, "IndividualMixed"):
    creator.create("IndividualMixed", list, fitness=creator.FitnessMin)

CANDLE = {"pop": 16, "strategy": "mu_plus_lambda", "offspring_prop": 0.5,
          "cx_prob": 0.2, "mut_prob": 0.8, "cx_indpb": 0.5, "mut_indpb": 0.5,
          "tournsize": 4}


class Budget(Exception):
    pass


def _mutate_gene(p, v):
    if p.type in ("float", "int"):
        if p.log:
            y = math.log10(v) + random.gauss(0.0, p.sigma)
            y = min(max(y, math.log10(p.lower)), math.log10(p.upper))
            v = 10 ** y
        else:
            v = v + random.gauss(0.0, p.sigma)
        if p.type == "int":
            v = round(v)
        return min(max(v, p.lower if p.type == "float" else int(p.lower)),
                   p.upper if p.type == "float" else int(p.upper))
    if p.type == "ordered":
        i = p.values.index(v) + round(random.gauss(0.0, p.sigma))
        return p.values[min(max(i, 0), len(p.values) - 1)]
    if p.type == "categorical":
        others = [x for x in p.values if x != v]
        return random.choice(others) if others else v
    if p.type == "logical":
        return not v
    return v


def _draw(space):
    out = []
    for p in space.params:
        if p.type in ("float", "int"):
            if p.log:
                v = 10 ** random.uniform(math.log10(p.lower),
                                         math.log10(p.upper))
            else:
                v = random.uniform(p.lower, p.upper)
            out.append(round(v) if p.type == "int" else v)
        elif p.type == "constant":
            out.append(p.value)
        else:
            out.append(random.choice(p.values))
    return out


def run(objective, budget, seed, **settings):
    """One run of budget evaluations of objective (an objective.Objective).
    Returns (trace, best_point): trace[k] is the k-th observed value."""
    s = dict(CANDLE, **settings)
    space = objective.space
    random.seed(seed)
    trace, best = [], [math.inf, None]

    def evaluate(ind):
        if len(trace) >= budget:
            raise Budget()
        y = objective(list(ind))
        trace.append(y)
        if y < best[0]:
            best[0], best[1] = y, list(ind)
        return (y,)

    def mutate(ind, indpb):
        for i, p in enumerate(space.params):
            if random.random() < indpb:
                ind[i] = _mutate_gene(p, ind[i])
        return (ind,)

    tb = base.Toolbox()
    tb.register("individual", tools.initIterate, creator.IndividualMixed,
                lambda: _draw(space))
    tb.register("population", tools.initRepeat, list, tb.individual)
    tb.register("evaluate", evaluate)
    tb.register("mate", tools.cxUniform, indpb=s["cx_indpb"])
    tb.register("mutate", mutate, indpb=s["mut_indpb"])
    tb.register("select", tools.selTournament, tournsize=s["tournsize"])
    pop = tb.population(n=s["pop"])
    lam = round(s["offspring_prop"] * s["pop"])
    ngen = 4 * budget  # the budget stops the run first
    try:
        if s["strategy"] == "mu_plus_lambda":
            algorithms.eaMuPlusLambda(pop, tb, mu=s["pop"], lambda_=lam,
                                      cxpb=s["cx_prob"], mutpb=s["mut_prob"],
                                      ngen=ngen, verbose=False)
        else:
            algorithms.eaSimple(pop, tb, cxpb=s["cx_prob"],
                                mutpb=s["mut_prob"], ngen=ngen, verbose=False)
    except Budget:
        pass
    return trace, best[1]
