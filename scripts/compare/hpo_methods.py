#!/usr/bin/python3
"""HPO methods side by side (make compare): gahpo with its tuned
defaults and with CANDLE's, DEAP 1.3 with CANDLE's (deap_mixed.py),
Optuna's TPE and CMA-ES samplers, and random search, on the same problems
at the same budgets, SEEDS seeds each.

Every method's objective is gahpo's: gahpo runs in-process (`gahpo run
--problem`), the others ask one long-lived `gahpo problems eval` each
(objective.py), so every tool sees exactly gahpo's values. A noisy
problem's noise is drawn from (seed, evaluation) for the other tools and
from (seed, generation, individual) inside gahpo: the same distribution,
not the same draws. A run's loss is the noiseless value of the best point
it observed, minus f_opt where known (so noise cannot flatter a method);
its own time is its wall time less the time spent in the objective.

    scripts/compare/hpo_methods.py [--gahpo bin/gahpo] [--seeds 31]
        [--budgets 48,100,200,500] [--problems P,...] [--methods M,...]
        [--jobs 2] [--out results/compare]

Writes OUT/runs.csv (resumable: runs already there are not run again) and
OUT/report.md: per problem and budget each method's median loss with its
bootstrap interval; problem-level comparisons of every method with
gahpo-tuned (Wilcoxon over the problems' median log ratios, Holm over
every comparison, the geometric-mean ratio with its interval); each
method's own time per evaluation.
"""

import argparse
import concurrent.futures
import csv
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))
import objective  # noqa: E402
from hpo_study import holm  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent.parent
METHODS = ["gahpo-tuned", "gahpo-candle", "deap-candle", "optuna-tpe",
           "optuna-cmaes", "random"]
PROBLEMS = ["surrogate:mlp_digits:noisy", "surrogate:gbm_breast_cancer:noisy",
            "surrogate:svm_wine:noisy", "surrogate:forest_friedman:noisy",
            "surrogate:deepttc:noisy", "bbob:f2:d5:i3", "bbob:f16:d5:i3",
            "bbob:f21:d20:i4", "rastrigin:d20", "griewank:d5",
            "styblinski_tang:d10"]
FIELDS = ["problem", "budget", "method", "seed", "loss", "evaluations",
          "own_seconds", "objective_seconds", "best_at"]


def checkpoints(budget):
    c = [16, 32, 48, 64, 100, 128, 200, 256, 500]
    return [x for x in c if x < budget] + [budget]


def best_so_far(trace, budget):
    out, best, i = [], math.inf, 0
    for c in checkpoints(budget):
        while i < min(c, len(trace)):
            best = min(best, trace[i])
            i += 1
        out.append(best)
    return out


def run_gahpo(gahpo, problem, budget, seed, method, tmp):
    out = os.path.join(tmp, "%s-%d-%s-%d" % (problem.replace(":", "_"),
                                            budget, method, seed))
    cmd = [gahpo, "run", "--no-env", "--quiet", "--problem", problem,
           "--seed", str(seed), "--out", out, "--budget", str(budget)]
    if method == "gahpo-candle":
        cmd.append("--no-tuned-defaults")
    elif method == "random":
        cmd += ["--no-tuned-defaults", "--strategy", "random"]
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(cmd), r.stderr))
    with open(os.path.join(out, "evals.jsonl")) as f:
        rows = [json.loads(line) for line in f]
    with open(os.path.join(out, "best.json")) as f:
        best = json.load(f)["params"]
    subprocess.run(["rm", "-rf", out])
    trace = [row["fitness"] if row["fitness"] is not None else math.inf
             for row in rows]
    return trace, best, wall  # gahpo's time includes its objective


def run_optuna(obj, budget, seed, sampler_name):
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore")
    dists = {}
    for p in obj.space.params:
        if p.type == "float":
            dists[p.name] = optuna.distributions.FloatDistribution(
                p.lower, p.upper, log=p.log)
        elif p.type == "int":
            dists[p.name] = optuna.distributions.IntDistribution(
                int(p.lower), int(p.upper), log=p.log)
        elif p.type != "constant":
            dists[p.name] = optuna.distributions.CategoricalDistribution(
                p.values)
    sampler = (optuna.samplers.TPESampler(seed=seed)
               if sampler_name == "tpe"
               else optuna.samplers.CmaEsSampler(
                   seed=seed, warn_independent_sampling=False))
    study = optuna.create_study(sampler=sampler)
    trace, best = [], [math.inf, None]
    for _ in range(budget):
        trial = study.ask(dists)
        point = [p.value if p.type == "constant" else trial.params[p.name]
                 for p in obj.space.params]
        y = obj(point)
        study.tell(trial, y)
        trace.append(y)
        if y < best[0]:
            best[:] = [y, point]
    return trace, best[1]


def one_run(job):
    gahpo, problem, budget, method, seed, tmp = job
    space = objective.load_space(gahpo, problem)
    t0 = time.perf_counter()
    if method.startswith("gahpo-") or method == "random":
        trace, best_params, wall = run_gahpo(gahpo, problem, budget, seed,
                                             method, tmp)
        point = [best_params.get(p.name, p.value) for p in space.params]
        own, t_obj = wall, [float("nan")]  # in-process: not separable
    else:
        with objective.Objective(gahpo, problem, seed, space) as obj:
            t_obj = [0.0]

            class Timed:  # the objective, its time kept apart
                def __init__(self):
                    self.space = space

                def __call__(self, point):
                    t = time.perf_counter()
                    y = obj(point)
                    t_obj[0] += time.perf_counter() - t
                    return y
            wrapped = Timed()
            if method == "deap-candle":
                import deap_mixed
                trace, point = deap_mixed.run(wrapped, budget, seed)
            else:
                trace, point = run_optuna(wrapped, budget, seed,
                                          method.split("-")[1])
        own = time.perf_counter() - t0 - t_obj[0]
    value = objective.noiseless(gahpo, problem, space, [point])[0]
    loss = value - (space.f_opt if space.f_opt is not None else 0.0)
    return {"problem": problem, "budget": budget, "method": method,
            "seed": seed, "loss": repr(loss), "evaluations": len(trace),
            "own_seconds": "%.6f" % own,
            "objective_seconds": "%.6f" % t_obj[0],
            "best_at": " ".join(repr(v) for v in best_so_far(trace, budget))}


def load_rows(path):
    if not path.is_file():
        return []
    with open(path) as f:
        return list(csv.DictReader(f))


def run_missing(a, rows, path):
    done = {(r["problem"], int(r["budget"]), r["method"], int(r["seed"]))
            for r in rows}
    jobs = []
    with tempfile.TemporaryDirectory() as tmp:
        for p in a.problems:
            for b in a.budgets:
                for m in a.methods:
                    for s in range(1, a.seeds + 1):
                        if (p, b, m, s) not in done:
                            jobs.append((a.gahpo, p, b, m, s, tmp))
        new = not path.is_file()
        with open(path, "a", newline="") as f, \
                concurrent.futures.ProcessPoolExecutor(a.jobs) as ex:
            w = csv.DictWriter(f, FIELDS)
            if new:
                w.writeheader()
            for row in ex.map(one_run, jobs, chunksize=4):
                w.writerow(row)
                f.flush()
                rows.append(row)
    return rows


def bootstrap(values, stat, rng, b=2000):
    draws = sorted(stat(rng.choices(values, k=len(values))) for _ in range(b))
    return draws[int(0.025 * b)], draws[int(0.975 * b) - 1]


def log_loss(v):
    return math.log10(max(float(v), 1e-12))


def report(a, rows):
    from scipy import stats
    rng = random.Random(20261208)
    by = {}
    for r in rows:
        by.setdefault((r["problem"], int(r["budget"]), r["method"]),
                      []).append(float(r["loss"]))
    lines = ["# HPO methods side by side", "",
             "Command: `scripts/compare/hpo_methods.py --seeds %d --budgets "
             "%s --problems %s --methods %s`. Loss: the noiseless value of "
             "the best point a run observed, minus f_opt where known. Every "
             "tool evaluates through gahpo (objective.py)." % (
                 a.seeds, ",".join(map(str, a.budgets)), ",".join(a.problems),
                 ",".join(a.methods)), "",
             "## Median loss (95% bootstrap interval), per problem and budget",
             ""]
    for b in a.budgets:
        lines += ["### %d evaluations" % b, "",
                  "| problem | " + " | ".join(a.methods) + " |",
                  "|---|" + "---|" * len(a.methods)]
        for p in a.problems:
            cells = []
            for m in a.methods:
                v = by.get((p, b, m), [])
                if not v:
                    cells.append("-")
                    continue
                lo, hi = bootstrap(v, statistics.median, rng)
                cells.append("%.4g (%.3g to %.3g)" % (statistics.median(v),
                                                      lo, hi))
            lines.append("| %s | %s |" % (p, " | ".join(cells)))
        lines.append("")
    lines += ["## Each method against gahpo-tuned, problems as units", "",
              "d = median log10 loss of the method minus gahpo-tuned's, per "
              "problem; ratio = 10^mean(d) (above 1: the method's loss is "
              "higher), 95% bootstrap interval over problems; Wilcoxon "
              "signed-rank over the problems' d, Holm over every row.", "",
              "| budget | method | ratio (95% CI) | problems higher / lower "
              "| p | p (Holm) |", "|---|---|---|---|---|---|"]
    tests = []
    for b in a.budgets:
        for m in a.methods:
            if m == "gahpo-tuned":
                continue
            d = []
            for p in a.problems:
                x, y = by.get((p, b, m)), by.get((p, b, "gahpo-tuned"))
                if x and y:
                    d.append(statistics.median(map(log_loss, x)) -
                             statistics.median(map(log_loss, y)))
            if len(d) < 2:
                continue
            pv = (stats.wilcoxon(d).pvalue if any(v != 0 for v in d)
                  else 1.0)
            lo, hi = bootstrap(d, statistics.mean, rng)
            tests.append([b, m, 10 ** statistics.mean(d), 10 ** lo,
                          10 ** hi, sum(v > 0 for v in d),
                          sum(v < 0 for v in d), pv])
    for t, adj in zip(tests, holm([t[-1] for t in tests])):
        lines.append("| %d | %s | %.3g (%.3g to %.3g) | %d / %d | %.2g | "
                     "%.2g |" % tuple(t[:7] + [t[7], adj]))
    lines += ["", "## Own time per evaluation", "",
              "Median over runs of the method's wall time less the time in "
              "the objective, per evaluation, and the objective's time per "
              "evaluation (one round trip to `gahpo problems eval`). "
              "gahpo's runs evaluate in-process, so their figure is the "
              "whole `gahpo run` (start, files, fsync, the objective) per "
              "evaluation.", "",
              "| method | own ms per evaluation | objective ms per evaluation "
              "|", "|---|---|---|"]
    for m in a.methods:
        mine = [r for r in rows if r["method"] == m]
        per = [float(r["own_seconds"]) / max(int(r["evaluations"]), 1)
               for r in mine]
        obj = [float(r["objective_seconds"]) / max(int(r["evaluations"]), 1)
               for r in mine if r["objective_seconds"] != "nan"]
        if per:
            lines.append("| %s | %.3g | %s |" % (
                m, 1000 * statistics.median(per),
                "%.3g" % (1000 * statistics.median(obj)) if obj
                else "(in-process)"))
    return "\n".join(lines) + "\n"


def figures(a, rows, out):
    """OUT/best_so_far.png (at the largest budget: per method the geometric
    mean over problems of its median observed best-so-far, f - f_opt, over
    gahpo-candle's at the first checkpoint) and OUT/profile_bN.png (Dolan-
    More performance profile of the median losses at each budget), drawn
    by gnuplot through figures.draw."""
    import figures as fg
    f_opt = {p: objective.load_space(a.gahpo, p).f_opt or 0.0
             for p in a.problems}
    b = max(a.budgets)
    cps = checkpoints(b)
    med = {}
    for p in a.problems:
        for m in a.methods:
            runs = [[float(v) - f_opt[p] for v in r["best_at"].split()]
                    for r in rows if r["problem"] == p and r["method"] == m
                    and int(r["budget"]) == b]
            if runs:
                med[(m, p)] = [statistics.median(log_loss(max(x[i], 0) + 1e-12)
                                                 for x in runs)
                               for i in range(len(cps))]
    ref = "gahpo-candle" if "gahpo-candle" in a.methods else a.methods[0]
    lines = []
    for m in a.methods:
        ps = [p for p in a.problems if (m, p) in med and (ref, p) in med]
        if ps:
            ys = [statistics.mean(med[(m, p)][i] - med[(ref, p)][0]
                                  for p in ps) for i in range(len(cps))]
            lines.append((m, list(zip(cps, (10 ** y for y in ys)))))
    fg.draw(out, "best_so_far", lines, (
        "evaluations", "observed best / %s's first (geometric mean over "
        "problems)" % ref, "logy"))
    for b in a.budgets:
        losses = {}
        for p in a.problems:
            for m in a.methods:
                v = [max(float(r["loss"]), 0) + 1e-12 for r in rows
                     if r["problem"] == p and r["method"] == m and
                     int(r["budget"]) == b]
                if v:
                    losses[(m, p)] = statistics.median(v)
        best = {p: min(losses[(m, p)] for m in a.methods if (m, p) in losses)
                for p in a.problems}
        worst = max(losses[k] / best[k[1]] for k in losses)
        top = max(1, math.ceil(math.log10(worst) * 20) + 1)
        taus = [10 ** (i / 20) for i in range(top + 1)]
        lines = []
        for m in a.methods:
            r = [losses[(m, p)] / best[p] for p in a.problems
                 if (m, p) in losses]
            lines.append((m, [(t, sum(x <= t for x in r) / len(r))
                              for t in taus]))
        fg.draw(out, "profile_b%d" % b, lines, (
            "tau (median loss / the best method's)",
            "fraction of problems within tau", "logx"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gahpo", default=str(ROOT / "bin" / "gahpo"))
    ap.add_argument("--seeds", type=int, default=31)
    ap.add_argument("--budgets", default="48,100,200,500")
    ap.add_argument("--problems", default=",".join(PROBLEMS))
    ap.add_argument("--methods", default=",".join(METHODS))
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--out", default=str(ROOT / "results" / "compare"))
    a = ap.parse_args()
    for mod, pkg in (("optuna", "python3-optuna"), ("deap", "python3-deap"),
                     ("scipy", "python3-scipy")):
        try:
            __import__(mod)
        except ImportError:
            sys.exit("hpo_methods: needs %s from Debian (scripts/install-"
                     "deps.sh compare, or apt-get install %s); scripts run "
                     "/usr/bin/python3" % (pkg, pkg))
    a.budgets = [int(b) for b in a.budgets.split(",")]
    a.problems = a.problems.split(",")
    a.methods = a.methods.split(",")
    bad = [m for m in a.methods if m not in METHODS]
    if bad:
        sys.exit("hpo_methods: unknown method %s (known: %s)"
                 % (", ".join(bad), ", ".join(METHODS)))
    os.makedirs(a.out, exist_ok=True)
    path = Path(a.out) / "runs.csv"
    rows = run_missing(a, load_rows(path), path)
    missing = [(p, b, m) for p in a.problems for b in a.budgets
               for m in a.methods
               if sum(1 for r in rows if r["problem"] == p and
                      int(r["budget"]) == b and r["method"] == m) < a.seeds]
    text = report(a, rows)
    figures(a, rows, Path(a.out))
    text += ("\nFigures: [best-so-far](best_so_far.png)" +
             "".join(", [profile at %d](profile_b%d.png)" % (b, b)
                     for b in a.budgets) + ".\n")
    (Path(a.out) / "report.md").write_text(text)
    print(text)
    if missing:
        sys.exit("hpo_methods: cells without every seed: %s" % missing)


if __name__ == "__main__":
    main()
