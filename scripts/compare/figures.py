#!/usr/bin/python3
"""Figures of a test-set evaluation (`gahpo evaluate` or `gahpo configure`'s
test/ directory): PNGs drawn by gnuplot (argv, no shell).

  best_so_far.png   per setting, over evaluations: the geometric mean over
                    test problems of its median best-so-far error divided by
                    CANDLE's median at the first checkpoint (log scale)
  ecdf.png          COCO-style runtime ECDF: the fraction of (problem,
                    replicate, target) triples whose target (the spec's
                    precision targets, f - f_opt <= target) is reached by
                    each number of evaluations
  profile.png       Dolan-More performance profile at the budget: the
                    fraction of problems on which a setting's median error
                    is within a factor tau of the best setting's
  best_so_far_wallclock.png
                    with simulated durations: as best_so_far, over the
                    simulated wall clock

    scripts/compare/figures.py DIR [--out DIR/plots]
"""

import argparse
import csv
import math
import statistics
import subprocess
import sys
from pathlib import Path


def load(d):
    labels = {}
    with open(d / "labels.csv") as f:
        for r in csv.DictReader(f):
            labels[int(r["point"])] = r["setting"]
    with open(d / "runs.csv") as f:
        rows = list(csv.DictReader(f))
    return labels, rows


def logerr(v):
    return math.log10(max(float(v), 0) + 1e-12)


def best_so_far(labels, rows, out, prefix="best_at_"):
    checks = [c for c in rows[0] if c.startswith(prefix)]
    evals = [int(c[len(prefix):]) for c in checks]
    problems = sorted({r["problem"] for r in rows})
    med = {}
    for p, name in labels.items():
        for q in problems:
            rs = [r for r in rows if int(r["point"]) == p and r["problem"] == q]
            med[(name, q)] = [statistics.median(logerr(r[c]) for r in rs)
                              for c in checks]
    lines = []
    for name in labels.values():
        ys = [statistics.mean(med[(name, q)][i] - med[("candle", q)][0]
                              for q in problems) for i in range(len(checks))]
        lines.append((name, list(zip(evals, (10 ** y for y in ys)))))
    if prefix == "best_time_":
        return "best_so_far_wallclock", lines, (
            "simulated time, in evaluations done with no worker idle",
            "error / CANDLE's first (geometric mean over problems)", "logy")
    return "best_so_far", lines, ("evaluations", "error / CANDLE's first "
                                  "(geometric mean over problems)", "logy")


def ecdf(labels, rows, out):
    hits = [c for c in rows[0] if c.startswith("hit_")]
    budget = max(int(r["evals"]) for r in rows)
    lines = []
    for p, name in labels.items():
        rs = [r for r in rows if int(r["point"]) == p]
        times = sorted(int(r[h]) for r in rs for h in hits if int(r[h]) >= 0)
        total = len(rs) * len(hits)
        pts, k = [], 0
        for x in range(1, budget + 1):
            while k < len(times) and times[k] <= x:
                k += 1
            pts.append((x, k / total))
        lines.append((name, pts))
    return "ecdf", lines, ("evaluations", "fraction of (problem, replicate, "
                           "target) reached", "logx")


def profile(labels, rows, out):
    last = [c for c in rows[0] if c.startswith("best_at_")][-1]
    problems = sorted({r["problem"] for r in rows})
    med = {}
    for p, name in labels.items():
        for q in problems:
            med[(name, q)] = statistics.median(
                max(float(r[last]), 0) + 1e-12 for r in rows
                if int(r["point"]) == p and r["problem"] == q)
    best = {q: min(med[(n, q)] for n in labels.values()) for q in problems}
    worst = max(med[(n, q)] / best[q] for n in labels.values()
                for q in problems)
    top = max(1, math.ceil(math.log10(worst) * 20) + 1)
    taus = [10 ** (i / 20) for i in range(0, top + 1)]
    lines = []
    for name in labels.values():
        ratios = [med[(name, q)] / best[q] for q in problems]
        lines.append((name, [(t, sum(r <= t for r in ratios) / len(ratios))
                             for t in taus]))
    return "profile", lines, ("tau (median error / the best setting's)",
                              "fraction of problems within tau", "logx")


def draw(out, name, lines, axes):
    xl, yl, log = axes
    data = out / (name + ".dat")
    with open(data, "w") as f:
        for label, pts in lines:
            f.write("# %s\n" % label)
            for x, y in pts:
                f.write("%.10g %.10g\n" % (x, y))
            f.write("\n\n")
    plots = ", ".join("'%s' index %d with lines lw 2 title '%s'"
                      % (data.name, i, label)
                      for i, (label, _) in enumerate(lines))
    gp = out / (name + ".gp")
    gp.write_text("\n".join([
        "set terminal pngcairo size 900,600 noenhanced",
        "set output '%s.png'" % name,
        'set xlabel "%s"' % xl, 'set ylabel "%s"' % yl,
        "set logscale %s" % log[-1], "set key outside right", "set grid",
        "set yrange [0:1]" if name.startswith("profile") else "",
        "plot " + plots, ""]))
    subprocess.run(["gnuplot", gp.name], cwd=out, check=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--out")
    a = ap.parse_args()
    d = Path(a.dir)
    out = Path(a.out) if a.out else d / "plots"
    out.mkdir(parents=True, exist_ok=True)
    labels, rows = load(d)
    if not rows:
        sys.exit("figures: %s/runs.csv has no runs" % d)
    makes = [best_so_far, ecdf, profile]
    if any(c.startswith("best_time_") for c in rows[0]):
        makes.append(lambda l, r, o: best_so_far(l, r, o, "best_time_"))
    for make in makes:
        name, lines, axes = make(labels, rows, out)
        draw(out, name, lines, axes)
        print("figures: %s/%s.png" % (out, name))


if __name__ == "__main__":
    main()
