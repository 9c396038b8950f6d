#!/usr/bin/python3
"""Leave one model out (make lomo): does the tuning procedure that makes
the shipped defaults give a GA that beats random search and CANDLE's
defaults on a real HPO surrogate it never saw?

For each of the four real HPO surrogates M and each budget N (100, 200):

  1. the configurator (gahpo configure) runs on the tune spec's training
     set at N evaluations on one worker, with M taken out of the training
     set and the other three real surrogates in it (the spec's own
     held-out model, mlp_digits, is the fold the shipped defaults come
     from: its choice is the shipped entry);
  2. scripts/hpo_study.py runs that choice ("lomo-bN"), random search of
     equal size, and CANDLE's defaults on surrogate:M:noisy over SEEDS
     seeds, paired by seed, and the loss of each run is the noiseless
     surrogate value of the best point it observed.

The check is one-sided paired Wilcoxon (the fold's choice lower) over the
seeds, per surrogate and budget, p < 0.05, as the tuned-defaults issue
asks; the report gives effect sizes with intervals and the two-sided
tests as well.

    scripts/lomo.py [--gahpo bin/gahpo] [--spec sweeps/tune.json]
        [--seeds 101] [--budgets 100,200] [--out results/lomo]

Writes OUT/<model>/bN/ (each configuration), OUT/<model>/ (hpo_study's
runs.csv, report.md, tests.json) and OUT/report.md. Configurations
already in OUT are kept (remove OUT to redo them); hpo_study resumes.
"""

import argparse
import json
import math
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODELS = ["mlp_digits", "gbm_breast_cancer", "svm_wine", "forest_friedman"]


def sh(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("lomo: %s failed (%d): %s" % (" ".join(cmd), r.returncode,
                                               r.stderr))
    return r.stdout


def served(budgets, n):
    """The budgets gahpo tune's cell n serves (sweeps/tune.c, cell_range):
    from the geometric mean with the budget below (n / sqrt 2 for the
    first) to the one with the budget above (n x sqrt 2 for the last)."""
    i = budgets.index(n)
    lo = round(math.sqrt(budgets[i - 1] * n) if i > 0 else n / math.sqrt(2))
    hi = round(math.sqrt(n * budgets[i + 1]) if i + 1 < len(budgets)
               else n * math.sqrt(2))
    return min(max(lo, 1), n - 1), max(hi, n + 1)


def fold_spec(tune, model, budget):
    """The tune spec's cell (budget, 1 worker) with model held out."""
    s = {k: v for k, v in tune.items()
         if k not in ("budgets", "workers", "references", "checkpoints")}
    held = "surrogate:%s:noisy" % model
    train = [p for p in tune["problems"] if p != held]
    for m in MODELS:  # every other real model trains
        p = "surrogate:%s:noisy" % m
        if m != model and p not in train:
            train.append(p)
    lo, hi = served(tune["budgets"], budget)
    s["name"] = "lomo-%s-b%d" % (model, budget)
    s["problems"] = train
    s["test"] = [held]
    s["budget"] = hi
    s["checkpoints"] = [lo, budget, hi]
    s["workers"] = 1
    s["race"] = dict(s.get("race", {}), objective="anytime")
    return s


def configure(a, tune, model, budget):
    """The fold's choice as a settings file (its factors only)."""
    d = Path(a.out) / model / ("b%d" % budget)
    choice = d / "configure.json"
    if not choice.is_file():
        d.parent.mkdir(parents=True, exist_ok=True)
        spec = d.parent / ("spec-b%d.json" % budget)
        spec.write_text(json.dumps(fold_spec(tune, model, budget), indent=1))
        sh([a.gahpo, "configure", str(spec), "--out", str(d), "--quiet"])
    c = json.loads(choice.read_text())
    settings = {k: c["settings"][k] for k in tune["parameters"]}
    path = d.parent / ("lomo-b%d.json" % budget)
    path.write_text(json.dumps(settings, indent=1) + "\n")
    return path, c


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gahpo", default=str(ROOT / "bin" / "gahpo"))
    ap.add_argument("--spec", default=str(ROOT / "sweeps" / "tune.json"))
    ap.add_argument("--seeds", type=int, default=101)
    ap.add_argument("--budgets", default="100,200")
    ap.add_argument("--out", default=str(ROOT / "results" / "lomo"))
    a = ap.parse_args()
    budgets = [int(b) for b in a.budgets.split(",")]
    tune = json.loads(Path(a.spec).read_text())
    rows, choices = [], {}
    for m in MODELS:
        extra = []
        for b in budgets:
            path, c = configure(a, tune, m, b)
            choices[(m, b)] = c
            extra += ["--extra", "lomo-b%d=%s" % (b, path)]
        sh(["/usr/bin/python3", str(ROOT / "scripts" / "hpo_study.py"),
            "--gahpo", a.gahpo, "--seeds", str(a.seeds), "--budgets",
            a.budgets, "--problems", m, "--workers", "1",
            "--out", str(Path(a.out) / m)] + extra)
        tests = json.loads((Path(a.out) / m / "tests.json").read_text())
        for t in tests:
            if t["a"] == "lomo-b%d" % t["budget"]:
                rows.append(t)
    write_report(a, budgets, rows, choices)


def write_report(a, budgets, rows, choices):
    commit = sh(["git", "-C", str(ROOT), "rev-parse", "--short",
                 "HEAD"]).strip()
    lines = ["# Leave one model out: the tuning procedure on real HPO "
             "surrogates it never saw", "",
             "Command: `make lomo` (`scripts/lomo.py --seeds %d --budgets "
             "%s`), commit %s. For each real surrogate M and budget N: the "
             "configurator on the tune spec's training set with M held out "
             "(the other three real surrogates in it), one worker; then its "
             "choice (lomo-bN), random search and CANDLE's defaults on "
             "surrogate:M:noisy, %d seeds, paired by seed; loss = the "
             "noiseless surrogate value of the best point observed." % (
                 a.seeds, a.budgets, commit, a.seeds), "",
             "Effect: median over seeds of loss_choice / loss_other - 1 "
             "(negative: the choice finds lower loss), 95% bootstrap "
             "interval; p (one-sided): Wilcoxon signed-rank, the choice "
             "lower, uncorrected, as the check asks; p (two-sided) beside "
             "it. Required: p (one-sided) < 0.05 against both.", "",
             "| surrogate | N | choice (population, strategy, cx, mut, "
             "tournament) | vs random: effect (95% CI) | p one-sided | p "
             "two-sided | vs CANDLE: effect (95% CI) | p one-sided | p "
             "two-sided | met |", "|---|---|---|---|---|---|---|---|---|---|"]
    met = 0
    for m in MODELS:
        for b in budgets:
            c = choices[(m, b)]["settings"]
            cells = {t["b"]: t for t in rows
                     if t["problem"] == m and t["budget"] == b}
            r, k = cells["random"], cells["ga-candle"]
            ok = r["p_less"] < 0.05 and k["p_less"] < 0.05
            met += ok
            lines.append(
                "| %s | %d | %d, %s, %.3g, %.3g, %d | %+.1f%% (%+.1f to "
                "%+.1f) | %.2g | %.2g | %+.1f%% (%+.1f to %+.1f) | %.2g | "
                "%.2g | %s |" % (
                    m, b, c["population_size"], c["strategy"], c["cx_prob"],
                    c["mut_prob"], c["tournsize"], 100 * r["effect"],
                    100 * r["lo"], 100 * r["hi"], r["p_less"], r["p"],
                    100 * k["effect"], 100 * k["lo"], 100 * k["hi"],
                    k["p_less"], k["p"], "yes" if ok else "no"))
    lines += ["", "Met in %d of %d (surrogate, budget) cells. Each "
              "surrogate's full report (every method, the relative "
              "reduction against the model's defaults): `<surrogate>/"
              "report.md`; each configuration: `<surrogate>/bN/`." % (
                  met, len(MODELS) * len(budgets))]
    text = "\n".join(lines) + "\n"
    (Path(a.out) / "report.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
