#!/usr/bin/python3
"""The HPO study (make hpo-study): does gahpo's GA find better
hyperparameters than random search of the same size, and how much better
than the model's defaults?

On each HPO surrogate (the four real scikit-learn logs and the synthetic
DeepTTC stand-in), at each budget, over SEEDS seeds, four methods:

  defaults     the model's default hyperparameters (one point: the log's
               "default" rows, or DeepTTC's published defaults)
  random       gahpo run --strategy random --budget B (uniform, log-uniform
               where log_scale), batches of 16
  ga-candle    gahpo run with CANDLE's defaults (population 16,
               mu_plus_lambda, cx 0.2, mut 0.8, tournament 4), --budget B
  ga-tuned     gahpo run --budget B --jobs WORKERS with the committed tuned
               defaults (sweeps/tuned_defaults.json)

Every run sees surrogate:NAME:noisy (the predictive mean plus noise of the
size measured from the log's repeated points, seeded by the run's seed);
its result is the noiseless value (the predictive mean, `gahpo problems
eval surrogate:NAME`) of the best point it observed, so noise cannot
flatter a method. Exactly B evaluations per run (gahpo's --budget).

Tests, per surrogate and budget, paired by seed: Wilcoxon signed-rank
(two-sided, scipy), for ga-tuned vs random, ga-candle vs random and
ga-tuned vs ga-candle; effect size: the median over seeds of the paired
ratio loss_a / loss_b - 1 with a 95% percentile-bootstrap interval (10,000
resamples, seeded); Holm's correction over every test in the report. And
the median relative reduction against the defaults, 1 - loss /
loss_defaults, with its bootstrap interval.

    scripts/hpo_study.py [--gahpo bin/gahpo] [--seeds 101]
        [--budgets 48,100,200,500] [--problems mlp_digits,...] [--jobs 2]

Writes results/hpo/{runs.csv,report.md}. Resumable: runs already in
runs.csv are not run again.
"""

import argparse
import concurrent.futures
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBLEMS = ["mlp_digits", "gbm_breast_cancer", "svm_wine", "forest_friedman",
            "deepttc"]
DEEPTTC_DEFAULTS = {  # DeepTTC's published defaults (the stand-in's space)
    "learning_rate": 1e-5, "batch_size": 64, "dropout": 0.1,
    "transformer_n_layer_drug": 8, "transformer_emb_size_drug": 128,
    "transformer_intermediate_size_drug": 512,
    "transformer_num_attention_heads_drug": 8,
    "transformer_attention_probs_dropout": 0.1,
    "transformer_hidden_dropout_rate": 0.1, "epochs": 20,
}
METHODS = ("random", "ga-candle", "ga-tuned")
COMPARISONS = (("ga-tuned", "random"), ("ga-candle", "random"),
               ("ga-tuned", "ga-candle"))
FIELDS = ["problem", "budget", "method", "seed", "evaluations", "loss"]


def need_scipy():
    try:
        from scipy import stats  # noqa: F401
    except ImportError:
        sys.exit("hpo_study: needs scipy from Debian (apt-get install "
                 "python3-scipy); scripts run /usr/bin/python3")


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.exit("hpo_study: %s failed (%d): %s" % (" ".join(cmd),
                                                    r.returncode, r.stderr))
    return r.stdout


def param_names(gahpo, problem):
    info = run([gahpo, "problems", "info", "surrogate:" + problem])
    return [line.split()[1] for line in info.splitlines()[1:]
            if line[:1].isdigit()]


def as_text(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def noiseless(gahpo, problem, names, points):
    """The predictive mean at each point (dicts by name), in one call."""
    text = "".join(",".join(as_text(p[n]) for n in names) + "\n"
                   for p in points)
    out = run([gahpo, "problems", "eval", "surrogate:" + problem], input=text)
    return [float(line.split()[0]) for line in out.splitlines() if line]


def default_params(problem):
    """The model's default hyperparameters: the log's "default" rows."""
    if problem == "deepttc":
        return DEEPTTC_DEFAULTS
    log = ROOT / "surrogates" / "data" / problem / "log.jsonl"
    with open(log) as f:
        for line in f:
            row = json.loads(line)
            if row.get("design") == "default":
                return row["params"]
    sys.exit("hpo_study: %s has no default rows" % log)


EXTRA = {}  # --extra LABEL=SETTINGS.json: label -> settings file


def method_args(method, budget, workers):
    if method in EXTRA:
        return ["--no-tuned-defaults", "--settings", EXTRA[method],
                "--budget", str(budget)]
    if method == "random":
        return ["--strategy", "random", "--no-tuned-defaults", "--budget",
                str(budget)]
    if method == "ga-candle":
        return ["--no-tuned-defaults", "--budget", str(budget)]
    return ["--budget", str(budget), "--jobs", str(workers)]


def one_run(job):
    gahpo, tmp, problem, budget, method, seed, workers = job
    out = os.path.join(tmp, "%s-%d-%s-%d" % (problem, budget, method, seed))
    run([gahpo, "run", "--no-env", "--quiet", "--problem",
         "surrogate:%s:noisy" % problem, "--seed", str(seed), "--out", out]
        + method_args(method, budget, workers))
    with open(os.path.join(out, "best.json")) as f:
        best = json.load(f)
    subprocess.run(["rm", "-rf", out])
    return job, best["params"], best["evaluations"]


def load_rows(path):
    if not path.exists():
        return []
    with open(path) as f:
        return [dict(r, budget=int(r["budget"]), seed=int(r["seed"]),
                     evaluations=int(r["evaluations"]), loss=float(r["loss"]))
                for r in csv.DictReader(f)]


def run_missing(a, rows, path):
    done = {(r["problem"], r["budget"], r["method"], r["seed"]) for r in rows}
    names = {p: param_names(a.gahpo, p) for p in a.problems}
    with tempfile.TemporaryDirectory() as tmp:
        jobs = [(a.gahpo, tmp, p, b, m, s, a.workers) for p in a.problems
                for b in a.budgets for s in range(1, a.seeds + 1)
                for m in a.methods if (p, b, m, s) not in done]
        print("hpo_study: %d runs to make (%d already in %s)"
              % (len(jobs), len(done), path), file=sys.stderr)
        new = not path.exists()
        with open(path, "a", newline="") as f, \
                concurrent.futures.ProcessPoolExecutor(a.jobs) as pool:
            w = csv.DictWriter(f, fieldnames=FIELDS)
            if new:
                w.writeheader()
            # a problem and budget at a time: its best points in one eval
            for key in sorted({(j[2], j[3]) for j in jobs}):
                batch = [j for j in jobs if (j[2], j[3]) == key]
                results = list(pool.map(one_run, batch))
                losses = noiseless(a.gahpo, key[0], names[key[0]],
                                   [r[1] for r in results])
                for (job, _, evals), loss in zip(results, losses):
                    row = {"problem": job[2], "budget": job[3],
                           "method": job[4], "seed": job[5],
                           "evaluations": evals, "loss": loss}
                    w.writerow(row)
                    rows.append(row)
                f.flush()
                print("hpo_study: %s at %d done" % key, file=sys.stderr)
    return rows


def bootstrap_median(v, rng, b=10000):
    meds = sorted(statistics.median(rng.choices(v, k=len(v)))
                  for _ in range(b))
    return meds[int(0.025 * b)], meds[int(0.975 * b) - 1]


def holm(pvalues):
    """Holm's step-down adjusted p-values, in the input order."""
    order = sorted(range(len(pvalues)), key=lambda i: pvalues[i])
    adj = [0.0] * len(pvalues)
    running = 0.0
    m = len(pvalues)
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * pvalues[i]))
        adj[i] = running
    return adj


def losses(rows, problem, budget, method, seeds):
    by_seed = {r["seed"]: r["loss"] for r in rows if r["problem"] == problem
               and r["budget"] == budget and r["method"] == method}
    return [by_seed[s] for s in seeds]


def report(a, rows, base):
    from scipy import stats
    rng = random.Random(20261207)
    seeds = list(range(1, a.seeds + 1))
    tests = []
    for p in a.problems:
        for b in a.budgets:
            for x, y in a.comparisons:
                lx = losses(rows, p, b, x, seeds)
                ly = losses(rows, p, b, y, seeds)
                ratio = [u / v - 1 for u, v in zip(lx, ly)]
                diffs = [u - v for u, v in zip(lx, ly)]
                pv = (stats.wilcoxon(diffs).pvalue
                      if any(d != 0 for d in diffs) else 1.0)
                pless = (stats.wilcoxon(diffs, alternative="less").pvalue
                         if any(d != 0 for d in diffs) else 1.0)
                lo, hi = bootstrap_median(ratio, rng)
                tests.append({"problem": p, "budget": b, "a": x, "b": y,
                              "effect": statistics.median(ratio), "lo": lo,
                              "hi": hi, "p": pv, "p_less": pless,
                              "a_better": sum(d < 0 for d in diffs)})
    for t, adj in zip(tests, holm([t["p"] for t in tests])):
        t["p_holm"] = adj
    lines = ["# HPO study: GA vs random search vs the model's defaults, on "
             "real HPO surrogates", "",
             "Command: `make hpo-study` (`/usr/bin/python3 scripts/"
             "hpo_study.py --seeds %d --budgets %s --workers %d`), commit "
             "%s. Every run sees `surrogate:NAME:noisy`; its loss is the "
             "noiseless surrogate value of the best point it observed. "
             "Exactly the budget's evaluations per run." % (
                 a.seeds, ",".join(map(str, a.budgets)), a.workers,
                 a.commit), "",
             "Four surrogates are fitted to logs of real scikit-learn models "
             "really trained here (surrogates/data/*/README.md); `deepttc` "
             "is fitted to a SYNTHETIC DeepTTC-like log (no real DeepTTC "
             "logs exist here): its rows are figures about the method, not "
             "about DeepTTC.", "",
             "## GA vs random search, paired by seed", "",
             "Effect: median over seeds of loss_A / loss_B - 1 (negative: A "
             "finds lower loss), 95%% bootstrap interval; p: two-sided "
             "Wilcoxon signed-rank; p (Holm): corrected over all %d tests "
             "in this table. \"A lower\" counts the seeds where A's loss is "
             "below B's." % len(tests), "",
             "| surrogate | budget | A vs B | effect | 95% CI | A lower | p "
             "| p (Holm) | verdict at 0.05 |", "|---|---|---|---|---|---|---|"
             "---|---|"]
    for t in tests:
        verdict = ("A lower" if t["p_holm"] < 0.05 and t["effect"] < 0
                   else "A higher" if t["p_holm"] < 0.05
                   else "no significant difference")
        lines.append("| %s | %d | %s vs %s | %+.2f%% | %+.2f%% to %+.2f%% | "
                     "%d/%d | %.2g | %.2g | %s |" % (
                         t["problem"], t["budget"], t["a"], t["b"],
                         100 * t["effect"], 100 * t["lo"], 100 * t["hi"],
                         t["a_better"], a.seeds, t["p"], t["p_holm"],
                         verdict))
    lines += summary(a, tests)
    lines += ["", "## Against the model's default hyperparameters", "",
              "Relative reduction 1 - loss / loss(defaults): median over "
              "seeds and 95% bootstrap interval. Loss at the defaults is the "
              "noiseless surrogate value there.", "",
              "| surrogate | loss at defaults | budget | %s |"
              % " | ".join(a.methods),
              "|---|---|---|%s" % ("---|" * len(a.methods))]
    worse = set()
    for p in a.problems:
        for b in a.budgets:
            cells = []
            for m in a.methods:
                red = [1 - v / base[p] for v in losses(rows, p, b, m, seeds)]
                lo, hi = bootstrap_median(red, rng)
                cells.append("%.1f%% (%.1f to %.1f)" % (
                    100 * statistics.median(red), 100 * lo, 100 * hi))
            lines.append("| %s | %.6g | %d | %s |" % (p, base[p], b,
                                                       " | ".join(cells)))
            for m in a.methods:
                red = [1 - v / base[p] for v in losses(rows, p, b, m, seeds)]
                if statistics.median(red) < 0:
                    worse.add(p)
    if worse:
        lines += ["", "Negative reductions: the method's best point is worse "
                  "than the model's default hyperparameters. That is the case "
                  "on %s: there the defaults are better than what random "
                  "search or the GA finds (see the log's README: the defaults "
                  "beat every point of its space-filling design)."
                  % ", ".join(sorted(worse))]
    return "\n".join(lines) + "\n", tests


def summary(a, tests):
    """Plain sentences over the table: which cells are significant."""
    out = ["", "## Summary", ""]
    for x, y in a.comparisons:
        cells = [t for t in tests if t["a"] == x and t["b"] == y]
        lower = ["%s at %d" % (t["problem"], t["budget"]) for t in cells
                 if t["p_holm"] < 0.05 and t["effect"] < 0]
        higher = ["%s at %d" % (t["problem"], t["budget"]) for t in cells
                  if t["p_holm"] < 0.05 and t["effect"] >= 0]
        out.append("- %s vs %s: significantly lower loss in %d of %d cells "
                   "(%s); significantly higher in %d (%s); no significant "
                   "difference in the rest." % (
                       x, y, len(lower), len(cells),
                       ", ".join(lower) or "none", len(higher),
                       ", ".join(higher) or "none"))
    for x, y in a.comparisons:
        if x not in EXTRA:
            continue
        cells = [t for t in tests if t["a"] == x and t["b"] == y]
        out.append("- %s vs %s, one-sided (A lower), uncorrected: %s." % (
            x, y, "; ".join("%s at %d: p %.2g" % (t["problem"], t["budget"],
                                                   t["p_less"])
                            for t in cells)))
    out += ["", "With %d surrogates, a test with the problem as the unit "
            "(Wilcoxon over per-surrogate median ratios) cannot reach p < "
            "0.05 (its smallest two-sided p with 5 units is 0.0625), so no "
            "claim is made across surrogates; each row above is about its "
            "surrogate only. Zero paired differences (the same best point, "
            "common at small budgets) are dropped by the Wilcoxon test "
            "(scipy's default)." % len(a.problems)]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gahpo", default=str(ROOT / "bin" / "gahpo"))
    ap.add_argument("--seeds", type=int, default=101)
    ap.add_argument("--budgets", default="48,100,200,500")
    ap.add_argument("--problems", default=",".join(PROBLEMS))
    ap.add_argument("--workers", type=int, default=16,
                    help="the tuned defaults' worker count (--jobs)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                    help="runs at once")
    ap.add_argument("--out", default=str(ROOT / "results" / "hpo"))
    ap.add_argument("--extra", action="append", default=[],
                    help="LABEL=SETTINGS.json: also the GA with these "
                    "settings (a settings file, no tuned defaults), compared "
                    "with random search and CANDLE's defaults")
    a = ap.parse_args()
    a.methods = list(METHODS)
    a.comparisons = list(COMPARISONS)
    for e in a.extra:
        label, _, path = e.partition("=")
        if not label or not path or not Path(path).is_file():
            sys.exit("hpo_study: --extra takes LABEL=SETTINGS.json, got %r" % e)
        EXTRA[label] = str(Path(path).resolve())
        a.methods.append(label)
        a.comparisons += [(label, "random"), (label, "ga-candle")]
    need_scipy()
    a.budgets = [int(b) for b in a.budgets.split(",")]
    a.problems = a.problems.split(",")
    a.commit = run(["git", "-C", str(ROOT), "rev-parse", "--short",
                    "HEAD"]).strip()
    os.makedirs(a.out, exist_ok=True)
    path = Path(a.out) / "runs.csv"
    rows = run_missing(a, load_rows(path), path)
    base = {p: noiseless(a.gahpo, p, param_names(a.gahpo, p),
                         [default_params(p)])[0] for p in a.problems}
    text, tests = report(a, rows, base)
    with open(Path(a.out) / "report.md", "w") as f:
        f.write(text)
    with open(Path(a.out) / "tests.json", "w") as f:
        json.dump(tests, f, indent=1)
    print(text)


if __name__ == "__main__":
    main()
