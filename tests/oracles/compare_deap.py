#!/usr/bin/python3
"""Statistical equivalence check of gahpo against DEAP 1.3 (run by make test).

gahpo must behave as CANDLE's deap_ga.py does with DEAP, but its random
numbers differ, so runs are compared as distributions: for each configuration
both are run for seeds 1..N (31).  Final best fitness: two-sided Mann-Whitney
U and two-sided Kolmogorov-Smirnov tests of gahpo's sample against DEAP's.
Total evaluations: DEAP's count never depends on fitness, so its exact
distribution is known (deap_ga_ref.nevals_distribution, checked against
thousands of DEAP runs); gahpo's counts are tested against it (two-sided
z-test of the mean, one-sample KS).  The two-sample MWU/KS against DEAP's
seeds is printed too, and decides instead with --evals-vs-sample; it is not
the default because DEAP's own sample for seeds 1..31 at pop 100 x 100
generations (simple) lies 4 standard errors above DEAP's exact mean, so a
correct gahpo would fail it more often than not.  Where the count is
deterministic (mu_plus_lambda with cx_prob + mut_prob == 1:
N + (num_iter-1)*lambda) gahpo's must equal it for every seed.  A
configuration passes iff every deciding p > alpha (0.01).

The "teeth" checks make sure the test can fail: gahpo with tournsize 2 is
compared against DEAP with tournsize 4, and that difference must be detected
(some p <= alpha); if it is not, the script itself is failing.

    tests/oracles/compare_deap.py [--gahpo PATH] [--seeds N] [--quick] [--jobs N]
                            [--alpha A] [--seed-offset K] [--evals-vs-sample]
                            [--gahpo-arg ARG ...]

Exit status 0 iff every check passes; the last line is
`compare_deap: N passed, M failed`.
"""

import argparse
import concurrent.futures
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parent))
import deap_ga_ref  # noqa: E402

REPO = Path(__file__).resolve().parent.parent.parent
RUN_TIMEOUT = 600  # seconds for one gahpo run

TINY = dict(deap_ga_ref.CANDLE_DEFAULTS)          # pop 16, 5 iterations
BIG = dict(TINY, population_size=100, num_iter=100)


def settings_for(base, strategy, **over):
    s = {"num_iter": base["num_iter"],
         "population_size": base["population_size"],
         "strategy": strategy,
         "offspring_prop": base["offspring_prop"],
         "mut_prob": base["mut_prob"], "cx_prob": base["cx_prob"],
         "mut_indpb": base["mut_indpb"], "cx_indpb": base["cx_indpb"],
         "tournsize": base["tournsize"]}
    s.update(over)
    return s


def make_checks(quick):
    """List of checks: dicts with label, problem, deap and gahpo settings,
    and teeth (True when the two must be told apart)."""
    checks = []
    groups = [("CANDLE tiny default", TINY, ("sphere:d5", "rastrigin:d5"))]
    if not quick:
        groups.append(("CANDLE, pop 100 x 100 gens", BIG,
                       ("sphere:d10", "rastrigin:d10")))
    for label, base, problems in groups:
        for strategy in ("mu_plus_lambda", "simple"):
            for problem in problems:
                s = settings_for(base, strategy)
                checks.append({"label": label, "problem": problem,
                               "deap": s, "gahpo": s, "teeth": False})
    if not quick:
        for strategy in ("mu_plus_lambda", "simple"):
            checks.append({
                "label": "teeth: gahpo tournsize 2 vs DEAP tournsize 4",
                "problem": "sphere:d10",
                "deap": settings_for(BIG, strategy),
                "gahpo": settings_for(BIG, strategy, tournsize=2),
                "teeth": True})
    return checks


GAHPO_EXTRA_ARGS = []  # --gahpo-arg values, appended to every gahpo run


def gahpo_command(gahpo, problem, seed, outdir, settings_path):
    return [str(gahpo), "run", "--problem", problem, "--seed", str(seed),
            "--out", str(outdir), "--no-env", "--quiet",
            "--settings", str(settings_path)] + GAHPO_EXTRA_ARGS


def run_gahpo(gahpo, problem, seed, settings):
    """One gahpo run -> (best fitness, total evaluations)."""
    with tempfile.TemporaryDirectory(prefix="compare_deap.") as tmp:
        settings_path = Path(tmp, "settings.json")
        settings_path.write_text(json.dumps(settings) + "\n")
        outdir = Path(tmp, "out")
        outdir.mkdir()
        cmd = gahpo_command(gahpo, problem, seed, outdir, settings_path)
        p = subprocess.run(cmd, capture_output=True, text=True,
                           timeout=RUN_TIMEOUT)
        if p.returncode != 0:
            tail = (p.stderr or p.stdout).strip().splitlines()[-3:]
            raise RuntimeError("exit %d from %s: %s"
                               % (p.returncode, " ".join(cmd),
                                  " | ".join(tail)))
        try:
            best = json.loads(Path(outdir, "best.json").read_text())
            fitness = float(best["fitness"])
            with open(Path(outdir, "stats.csv"), newline="") as f:
                nevals = sum(int(float(row["nevals"]))
                             for row in csv.DictReader(f))
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise RuntimeError("seed %d: cannot read best.json/stats.csv: %s"
                               % (seed, e))
        return fitness, nevals


def two_tests(a, b):
    """(MWU p, KS p), both two-sided; two equal constant samples give 1."""
    if len(set(a)) == 1 and set(a) == set(b):
        return 1.0, 1.0
    mwu = stats.mannwhitneyu(a, b, alternative="two-sided").pvalue
    ks = stats.ks_2samp(a, b, alternative="two-sided").pvalue
    return float(mwu), float(ks)


def exact_tests(sample, offset, pmf):
    """Sample of counts against an exact discrete distribution ->
    (two-sided z-test p of the mean, one-sample KS p).  KS is evaluated on
    the integer grid, where both step functions jump, and its p-value from
    the continuous Kolmogorov distribution is conservative for a discrete
    one."""
    x = np.asarray(sample, dtype=np.int64)
    k = np.arange(offset, offset + len(pmf))
    mean = float((k * pmf).sum())
    sd = float(np.sqrt(((k - mean) ** 2 * pmf).sum()))
    z = (x.mean() - mean) / (sd / np.sqrt(len(x)))
    p_z = float(2 * stats.norm.sf(abs(z)))
    grid = np.arange(min(x.min(), k[0]), max(x.max(), k[-1]) + 1)
    cdf = np.interp(grid, k, np.cumsum(pmf), left=0.0, right=1.0)
    ecdf = np.searchsorted(np.sort(x), grid, side="right") / len(x)
    p_ks = float(stats.kstwo.sf(np.abs(ecdf - cdf).max(), len(x)))
    return p_z, p_ks


def fmt_p(p):
    return "-" if p is None else "%.4f" % p


def evaluate_check(check, deap, gahpo, alpha, seeds, evals_vs_sample):
    """Print the check's table; return True if it passed.

    Evaluation counts are judged against DEAP's exact count distribution
    (deap_ga_ref.nevals_distribution) unless evals_vs_sample: DEAP's count
    never depends on fitness, so its 31-seed sample adds only sampling
    noise, and the sample for seeds 1..31 at pop 100 x 100 generations
    (simple) happens to sit 4 standard errors above the exact mean."""
    d_best = [r[0] for r in deap]
    d_ev = [r[1] for r in deap]
    g_best = [r[0] for r in gahpo]
    g_ev = [r[1] for r in gahpo]
    s = check["gahpo"]
    used = []          # p-values that decide the verdict
    notes = []
    rows = []

    best_p = two_tests(d_best, g_best)
    used += best_p
    rows.append(("best fitness, median", "%.6g" % median(d_best),
                 "%.6g" % median(g_best), best_p, "MWU/KS", True))

    offset, pmf = deap_ga_ref.nevals_distribution(
        s["population_size"], s["num_iter"], s["strategy"], s["cx_prob"],
        s["mut_prob"], s["offspring_prop"])
    k = np.arange(offset, offset + len(pmf))
    ex_mean = float((k * pmf).sum())
    ex_sd = float(np.sqrt(((k - ex_mean) ** 2 * pmf).sum()))
    exact_ok = True
    if ex_sd < 1e-9:
        expected = int(round(ex_mean))
        assert all(e == expected for e in d_ev), "DEAP count not as derived"
        bad = [(sd, e) for sd, e in zip(seeds, g_ev) if e != expected]
        exact_ok = not bad
        rows.append(("evaluations", "%d" % expected, "%g" % median(g_ev),
                     (None, None), "", False))
        notes.append("evaluations: DEAP's count is deterministic, "
                     "N + (num_iter-1)*lambda = %d; gahpo's %s"
                     % (expected, "equals it for every seed" if exact_ok else
                        "differs for seeds " + ", ".join(
                            "%d (%d)" % x for x in bad[:10])))
    else:
        ev_two = two_tests(d_ev, g_ev)
        ev_exact = exact_tests(g_ev, offset, pmf)
        deap_exact = exact_tests(d_ev, offset, pmf)
        used += ev_two if evals_vs_sample else ev_exact
        rows.append(("evaluations, median", "%g" % median(d_ev),
                     "%g" % median(g_ev), ev_two, "MWU/KS", evals_vs_sample))
        rows.append(("evaluations vs exact, mean", "%.1f" % ex_mean,
                     "%.1f" % float(np.mean(g_ev)), ev_exact, "z/KS",
                     not evals_vs_sample))
        rows.append(("DEAP's own seeds vs exact", "%.1f" % ex_mean,
                     "(%.1f)" % float(np.mean(d_ev)), deap_exact, "z/KS",
                     False))
        notes.append("exact = DEAP's count distribution derived from "
                     "varAnd/varOr (mean %.1f, sd %.2f); * = decides the "
                     "verdict" % (ex_mean, ex_sd))

    if check["teeth"]:
        ok = min(used) <= alpha
        verdict = ("PASS (difference detected)" if ok else
                   "FAIL (difference NOT detected: the check has no teeth)")
    else:
        ok = exact_ok and min(used) > alpha
        verdict = "PASS" if ok else "FAIL"

    print("  %-27s %11s %11s %-6s %8s %8s" % ("", "DEAP", "gahpo", "tests",
                                              "p", "p"))
    for label, dv, gv, (p1, p2), tests, decides in rows:
        print("  %-27s %11s %11s %-6s %8s %8s%s" % (
            label, dv, gv, tests, fmt_p(p1), fmt_p(p2),
            " *" if decides else ""))
    for n in notes:
        print("  " + n)
    print("  verdict: " + verdict)
    return ok


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Compare gahpo with DEAP 1.3 (CANDLE's deap_ga.py setup) "
                    "statistically over many seeds.")
    ap.add_argument("--gahpo", default=str(REPO / "bin" / "gahpo"),
                    help="gahpo executable (default: %(default)s)")
    ap.add_argument("--seeds", type=int, default=31,
                    help="seeds 1..N for each side (default 31)")
    ap.add_argument("--quick", action="store_true",
                    help="only the CANDLE tiny-default configurations "
                         "(pop 16, 5 iterations; both strategies), no teeth")
    ap.add_argument("--jobs", type=int, default=2,
                    help="gahpo runs in parallel (default 2)")
    ap.add_argument("--alpha", type=float, default=0.01,
                    help="significance level (default 0.01)")
    ap.add_argument("--seed-offset", type=int, default=0,
                    help="use seeds K+1..K+N instead of 1..N (to re-sample "
                         "both sides when a check fails)")
    ap.add_argument("--evals-vs-sample", action="store_true",
                    help="judge evaluation counts by MWU/KS against DEAP's "
                         "seeds instead of DEAP's exact count distribution")
    ap.add_argument("--gahpo-arg", action="append", default=[],
                    metavar="ARG", help="extra argument for every gahpo run "
                    "(repeatable), e.g. --gahpo-arg=--max-seconds "
                    "--gahpo-arg=60")
    a = ap.parse_args(argv)
    GAHPO_EXTRA_ARGS[:] = a.gahpo_arg
    if a.seeds < 3 or a.jobs < 1:
        ap.error("need --seeds >= 3 and --jobs >= 1")

    gahpo = Path(a.gahpo)
    seeds = list(range(a.seed_offset + 1, a.seed_offset + a.seeds + 1))
    checks = make_checks(a.quick)
    print("compare_deap: gahpo %s vs python3-deap %s, seeds %d..%d, "
          "alpha %g, %d checks"
          % (gahpo, deap_ga_ref.DEAP_VERSION, seeds[0], seeds[-1],
             a.alpha, len(checks)))
    print("  gahpo runs as: " + " ".join(gahpo_command(
        gahpo, "PROBLEM", "SEED", "DIR", "SETTINGS.json")))
    sys.stdout.flush()

    if not (gahpo.is_file() and os.access(gahpo, os.X_OK)):
        print("compare_deap: %s is not an executable file (build it with "
              "make, or pass --gahpo)" % gahpo)
        print("compare_deap: 0 passed, %d failed" % len(checks))
        return 1

    t0 = time.monotonic()
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs)
    futures = [[pool.submit(run_gahpo, gahpo, c["problem"], sd, c["gahpo"])
                for sd in seeds] for c in checks]

    # DEAP runs here, in-process, while the gahpo processes run.
    deap_cache = {}
    passed = failed = 0
    try:
        for c, futs in zip(checks, futures):
            key = (c["problem"], json.dumps(c["deap"], sort_keys=True))
            if key not in deap_cache:
                deap_cache[key] = [
                    (r.best, r.nevals) for r in
                    (deap_ga_ref.run_settings(c["problem"], sd, c["deap"])
                     for sd in seeds)]
            s = c["gahpo"]
            print()
            print("== %s: %s, %s (pop %d, num_iter %d, cx %g, mut %g, "
                  "cx_indpb %g, mut_indpb %g, tournsize %d, offspring %g)"
                  % (c["label"], c["problem"], s["strategy"],
                     s["population_size"], s["num_iter"], s["cx_prob"],
                     s["mut_prob"], s["cx_indpb"], s["mut_indpb"],
                     s["tournsize"], s["offspring_prop"]))
            try:
                g = [f.result() for f in futs]
            except (RuntimeError, OSError, subprocess.SubprocessError) as e:
                print("  gahpo failed: %s" % e)
                print("  verdict: FAIL")
                failed += 1
                continue
            if evaluate_check(c, deap_cache[key], g, a.alpha, seeds,
                              a.evals_vs_sample):
                passed += 1
            else:
                failed += 1
            sys.stdout.flush()
    finally:
        for futs in futures:
            for f in futs:
                f.cancel()
        pool.shutdown(wait=True)

    print()
    print("compare_deap: %.1f s" % (time.monotonic() - t0))
    print("compare_deap: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
