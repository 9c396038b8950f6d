#!/usr/bin/python3
"""Statistical equivalence check of gahpo against DEAP 1.3 (run by make test).

gahpo must behave as CANDLE's deap_ga.py does with DEAP, but its random
numbers differ, so runs are compared as distributions: for each configuration
both are run for seeds 1..N, and the final best fitness and the total number
of evaluations are compared with two-sided Mann-Whitney U and two-sided
Kolmogorov-Smirnov tests.  A configuration passes iff every p > alpha (0.01).
Where DEAP's evaluation count is deterministic (mu_plus_lambda with
cx_prob + mut_prob == 1) gahpo's must equal it exactly for every seed.

The "teeth" checks make sure the test can fail: gahpo with tournsize 2 is
compared against DEAP with tournsize 4, and that difference must be detected
(some p <= alpha); if it is not, the script itself is failing.

    scripts/compare_deap.py [--gahpo PATH] [--seeds N] [--quick] [--jobs N]

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

from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parent))
import deap_ga_ref  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
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


def gahpo_command(gahpo, problem, seed, outdir, settings_path):
    return [str(gahpo), "run", "--problem", problem, "--seed", str(seed),
            "--out", str(outdir), "--no-env", "--quiet",
            "--settings", str(settings_path)]


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


def fmt_p(p):
    return "-" if p is None else "%.4f" % p


def evaluate_check(check, deap, gahpo, alpha, seeds):
    """Print the check's table; return True if it passed."""
    d_best = [r[0] for r in deap]
    d_ev = [r[1] for r in deap]
    g_best = [r[0] for r in gahpo]
    g_ev = [r[1] for r in gahpo]
    s = check["gahpo"]
    ps = []
    notes = []

    best_p = two_tests(d_best, g_best)
    ps += best_p
    expected = deap_ga_ref.expected_nevals(
        s["population_size"], s["num_iter"], s["strategy"], s["cx_prob"],
        s["mut_prob"], s["offspring_prop"])
    ev_p = (None, None)
    exact_ok = True
    if expected is not None:
        assert all(e == expected for e in d_ev), "DEAP count not as derived"
        bad = [(sd, e) for sd, e in zip(seeds, g_ev) if e != expected]
        exact_ok = not bad
        notes.append("evaluations: DEAP's count is deterministic, "
                     "N + (num_iter-1)*lambda = %d; gahpo %s"
                     % (expected, "equal for every seed" if exact_ok else
                        "differs for seeds " + ", ".join(
                            "%d (%d)" % x for x in bad[:10])))
    else:
        ev_p = two_tests(d_ev, g_ev)
        ps += ev_p

    if check["teeth"]:
        ok = min(ps) <= alpha
        verdict = ("PASS (difference detected)" if ok else
                   "FAIL (difference NOT detected: the check has no teeth)")
    else:
        ok = exact_ok and min(ps) > alpha
        verdict = "PASS" if ok else "FAIL"

    print("  %-14s %14s %14s %9s %9s" % ("", "DEAP median", "gahpo median",
                                         "MWU p", "KS p"))
    print("  %-14s %14.6g %14.6g %9s %9s" % (
        "best fitness", median(d_best), median(g_best),
        fmt_p(best_p[0]), fmt_p(best_p[1])))
    print("  %-14s %14g %14g %9s %9s" % (
        "evaluations", median(d_ev), median(g_ev),
        fmt_p(ev_p[0]), fmt_p(ev_p[1])))
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
    a = ap.parse_args(argv)
    if a.seeds < 3 or a.jobs < 1:
        ap.error("need --seeds >= 3 and --jobs >= 1")

    gahpo = Path(a.gahpo)
    seeds = list(range(1, a.seeds + 1))
    checks = make_checks(a.quick)
    print("compare_deap: gahpo %s vs python3-deap %s, seeds 1..%d, "
          "alpha %g, %d checks"
          % (gahpo, deap_ga_ref.deap.__version__, a.seeds, a.alpha,
             len(checks)))
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
            if evaluate_check(c, deap_cache[key], g, a.alpha, seeds):
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
