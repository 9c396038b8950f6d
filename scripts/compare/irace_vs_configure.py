#!/usr/bin/python3
"""gahpo's configurator against irace, at equal tuning budget (make
compare-configurators).

For each tuning seed: `gahpo configure SPEC` (its choice and the GA runs it
spent), then irace (Debian's r-cran-irace) tuning the same eight GA
parameters over the same ranges, on the same training problems
(instances), with the same per-run budget and cost (the geometric mean of
the best-so-far error at the checkpoints: scripts/compare/irace_target.py),
and a tuning budget of exactly as many GA runs (maxExperiments). irace
forbids mu_plus_lambda with cx_prob + mut_prob > 1 where gahpo repairs such
a candidate (both scaled down): the same settings are reachable.

Then every choice runs on the spec's test problems against CANDLE's
defaults (`gahpo evaluate`), and the two configurators are compared with
the problem as the unit: per test problem and budget, the mean over tuning
seeds of each configurator's median log10 error; the Wilcoxon signed-rank
test over problems of their difference, and the geometric-mean error
ratio.

    scripts/compare/irace_vs_configure.py SPEC [--seeds 3] [--out DIR]
        [--gahpo bin/gahpo] [--parallel 2]

Writes DIR/report.md (default results/compare/configurators/).
"""

import argparse
import csv
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SWITCHES = {  # CANDLE name: (irace type and range, gahpo switch)
    "population_size": ("i,log (4, 64)", "--population-size "),
    "strategy": ("c (simple, mu_plus_lambda)", "--strategy "),
    "offspring_prop": ("r (0.25, 2)", "--offspring-prop "),
    "cx_prob": ("r (0, 1)", "--cx-prob "),
    "mut_prob": ("r (0, 1)", "--mut-prob "),
    "cx_indpb": ("r (0.05, 1)", "--cx-indpb "),
    "mut_indpb": ("r (0.05, 1)", "--mut-indpb "),
    "tournsize": ("i (1, 10)", "--tournsize "),
}


def irace_command():
    for c in (shutil.which("irace"),
              "/usr/lib/R/site-library/irace/bin/irace"):
        if c and os.access(c, os.X_OK):
            return c
    sys.exit("irace_vs_configure: irace not found: apt-get install "
             "r-cran-irace (Debian's package of irace)")


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.exit("irace_vs_configure: %s failed (%d):\n%s\n%s"
                 % (" ".join(map(str, cmd)), r.returncode, r.stdout[-2000:],
                    r.stderr[-2000:]))
    return r.stdout


def check_ranges(spec):
    """The spec's parameters must be the eight ranges irace is given."""
    params = spec["parameters"]
    if sorted(params) != sorted(SWITCHES):
        sys.exit("irace_vs_configure: the spec must vary exactly %s"
                 % ", ".join(sorted(SWITCHES)))


def irace_tune(a, spec, seed, runs, work):
    work.mkdir(parents=True, exist_ok=True)
    (work / "parameters.txt").write_text("".join(
        '%s "%s" %s\n' % (k, sw, t) for k, (t, sw) in SWITCHES.items()))
    (work / "forbidden.txt").write_text(
        'strategy == "mu_plus_lambda" & cx_prob + mut_prob > 1\n')
    (work / "instances.txt").write_text("".join(p + "\n"
                                                for p in spec["problems"]))
    race = spec.get("race", {})
    (work / "scenario.txt").write_text("\n".join([
        'parameterFile = "parameters.txt"',
        'forbiddenFile = "forbidden.txt"',
        'trainInstancesFile = "instances.txt"',
        'trainInstancesDir = ""',  # instances are problem names, not files
        'targetRunner = "%s"' % (ROOT / "scripts" / "compare" /
                                 "irace_target.py"),
        "maxExperiments = %d" % runs,
        "seed = %d" % seed,
        "parallel = %d" % a.parallel,
        "firstTest = %d" % race.get("first_test", 5),
        'logFile = "irace.Rdata"',
        "digits = 6", ""]))
    env = dict(os.environ, GAHPO_BIN=str(Path(a.gahpo).resolve()),
               GAHPO_IRACE_BUDGET=str(spec["budget"]))
    out = run([irace_command(), "--scenario", "scenario.txt"], cwd=work,
              env=env)
    (work / "irace.out").write_text(out)
    # "# Best configurations as commandlines (first number is the
    # configuration ID; ...)", then "ID  --population-size 9 ..."
    lines = out.splitlines()
    k = max(i for i, l in enumerate(lines) if "as commandlines" in l)
    best = lines[k + 1].split()[1:]
    settings, i = {}, 0
    while i < len(best) - 1:
        name = best[i].lstrip("-").replace("-", "_")
        v = best[i + 1]
        settings[name] = v if name == "strategy" else float(v)
        i += 2
    for n in ("population_size", "tournsize"):
        settings[n] = int(settings[n])
    return settings


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("spec")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--out", default=str(ROOT / "results" / "compare" /
                                         "configurators"))
    ap.add_argument("--gahpo", default=str(ROOT / "bin" / "gahpo"))
    ap.add_argument("--parallel", type=int, default=os.cpu_count() or 1)
    a = ap.parse_args()
    spec = json.loads(Path(a.spec).read_text())
    check_ranges(spec)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    choices = []
    for seed in range(1, a.seeds + 1):
        s = dict(spec, seed=seed)
        sp = out / ("spec-%d.json" % seed)
        sp.write_text(json.dumps(s, indent=1))
        cdir = out / ("configure-%d" % seed)
        if not (cdir / "configure.json").exists():
            shutil.rmtree(cdir, ignore_errors=True)
            run([a.gahpo, "configure", str(sp), "--out", str(cdir),
                 "--quiet"])
        conf = json.loads((cdir / "configure.json").read_text())
        ours = {k: conf["settings"][k] for k in SWITCHES}
        (out / ("gahpo-%d.json" % seed)).write_text(json.dumps(ours))
        ifile = out / ("irace-%d.json" % seed)
        if not ifile.exists():
            theirs = irace_tune(a, spec, seed, conf["runs"],
                                out / ("irace-%d" % seed))
            ifile.write_text(json.dumps(theirs))
        choices.append((seed, conf["runs"]))
        print("tuning seed %d: %d GA runs each" % (seed, conf["runs"]),
              file=sys.stderr)
    edir = out / "test"
    if not (edir / "problems.csv").exists():
        shutil.rmtree(edir, ignore_errors=True)
        args = []
        for seed, _ in choices:
            args += ["gahpo%d=%s" % (seed, out / ("gahpo-%d.json" % seed)),
                     "irace%d=%s" % (seed, out / ("irace-%d.json" % seed))]
        run([a.gahpo, "evaluate", a.spec, "--out", str(edir), "--quiet"]
            + args)
    run(["/usr/bin/python3", str(ROOT / "scripts" / "compare" / "figures.py"),
         str(edir)])
    report(a, out, edir, choices)


def report(a, out, edir, choices):
    from scipy import stats
    med = {}
    with open(edir / "problems.csv") as f:
        for r in csv.DictReader(f):
            if r["evaluations"].startswith("t"):  # wall-clock rows
                continue
            kind = "gahpo" if r["setting"].startswith("gahpo") else "irace"
            key = (kind, int(r["evaluations"]), r["problem"])
            med.setdefault(key, []).append(float(r["median_log10_error"]))
    budgets = sorted({k[1] for k in med})
    problems = sorted({k[2] for k in med})
    lines = ["# gahpo's configurator vs irace at equal tuning budget", "",
             "Command: `scripts/compare/irace_vs_configure.py %s --seeds %d`. "
             "Tuning seeds %s; GA runs per tuning (both): %s. Each choice "
             "ran on the test problems against CANDLE's defaults "
             "(`test/evaluation.md`); here the two configurators are "
             "compared with the problem as the unit: d = mean over tuning "
             "seeds of irace's median log10 error minus gahpo's (above 0: "
             "gahpo's choice is better), Wilcoxon signed-rank over the %d "
             "problems, ratio = 10^mean(d)." % (
                 a.spec, a.seeds, ", ".join(str(s) for s, _ in choices),
                 ", ".join(str(r) for _, r in choices), len(problems)), "",
             "| evaluations | ratio irace/gahpo error | problems gahpo "
             "lower / higher | p | p (Holm over the %d budgets) |"
             % len(budgets), "|---|---|---|---|---|"]
    cells = []
    for b in budgets:
        d = [statistics.mean(med[("irace", b, q)]) -
             statistics.mean(med[("gahpo", b, q)]) for q in problems]
        p = stats.wilcoxon(d).pvalue if any(d) else 1.0
        cells.append((b, d, p))
    order = sorted(range(len(cells)), key=lambda i: cells[i][2])
    holm, running = [0.0] * len(cells), 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(cells) - rank) * cells[i][2]))
        holm[i] = running
    for (b, d, p), ph in zip(cells, holm):
        lines.append("| %d | %.3g | %d / %d | %.2g | %.2g |" % (
            b, 10 ** statistics.mean(d), sum(x > 0 for x in d),
            sum(x < 0 for x in d), p, ph))
    lines += ["", "Each choice against CANDLE's defaults: "
              "[test/evaluation.md](test/evaluation.md). Figures (every "
              "choice, CANDLE's defaults as `candle`): "
              "[best-so-far](test/plots/best_so_far.png), "
              "[runtime ECDF](test/plots/ecdf.png), "
              "[performance profile](test/plots/profile.png)."]
    (out / "report.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
