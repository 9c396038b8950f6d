#!/usr/bin/python3
"""compare_sklearn.py - gahpo's GP surrogate next to scikit-learn's, same data.

For each log: run `gahpo fit` (which exports the encoded inputs, the
objective and the CV fold of every point with --export-encoded), then fit
scikit-learn's GaussianProcessRegressor on exactly those inputs and folds:
ConstantKernel * Matern(nu=2.5, one length scale per input) + WhiteKernel,
normalize_y=True, the same number of optimizer starts and the same output
transform. Prints out-of-fold R^2, RMSE, Spearman and Kendall and the fit
times side by side, and checks gahpo's Spearman and R^2 are at least
scikit-learn's minus 0.02 and its fit is faster (exit 1 if not).

Usage:
  /usr/bin/python3 tests/oracles/compare_sklearn.py [--gahpo bin/gahpo]
      [--case NAME:SPACE:LOG[:log]] ... [--max-points N] [--restarts R]
      [--cv K] [--seed S] [--markdown]
Without --case: the DeepTTC log (synthetic stand-in) and the synthetic
mixed-space log in surrogates/data/. --max-points keeps the first N lines
of each log (the quick form the Check suite runs).
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
from scipy.stats import kendalltau, spearmanr
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_CASES = [
    "deepttc:surrogates/data/deepttc/space.json:surrogates/data/deepttc/log.jsonl",
    "synthetic_mixed:surrogates/data/synthetic_mixed/space.json:"
    "surrogates/data/synthetic_mixed/log.csv",
]


def metrics(y, p):
    y, p = np.asarray(y), np.asarray(p)
    ss_res = float(np.sum((y - p) ** 2))
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    return {"r2": 1 - ss_res / ss_tot, "rmse": (ss_res / len(y)) ** 0.5,
            "spearman": float(spearmanr(y, p).correlation),
            "kendall": float(kendalltau(y, p).correlation)}


def sk_fit(x, y, restarts, seed):
    d = x.shape[1]
    kernel = ConstantKernel(1.0, (1e-4, 1e4)) * \
        Matern(length_scale=np.ones(d), length_scale_bounds=(1e-3, 1e3), nu=2.5) + \
        WhiteKernel(0.1, (1e-8, 10.0))
    gp = GaussianProcessRegressor(kernel=kernel, normalize_y=True,
                                  n_restarts_optimizer=restarts - 1,
                                  random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        gp.fit(x, y)
    return gp


def head_copy(path, n, tmp):
    """The first n data lines of a log (CSV keeps its header)."""
    out = os.path.join(tmp, "head_" + os.path.basename(path))
    with open(path) as f, open(out, "w") as g:
        lines = f.readlines()
        keep = lines[: n + 1] if path.endswith(".csv") else lines[:n]
        g.writelines(keep)
    return out


def run_case(a, name, space, log, log_output, tmp):
    if a.max_points:
        log = head_copy(log, a.max_points, tmp)
    model = os.path.join(tmp, name + ".json")
    enc = os.path.join(tmp, name + ".csv")
    cmd = [a.gahpo, "fit", "--space", space, "--log", log, "--out", model,
           "--cv", str(a.cv), "--seed", str(a.seed), "--restarts",
           str(a.restarts), "--export-encoded", enc, "--quiet"]
    if log_output:
        cmd.append("--log-output")
    t0 = time.monotonic()
    subprocess.run(cmd, check=True)
    gahpo_total = time.monotonic() - t0
    with open(model) as f:
        m = json.load(f)
    with open(enc) as f:
        rows = list(csv.reader(f))
    x = np.array([[float(v) for v in r[:-2]] for r in rows[1:]])
    y = np.array([float(r[-2]) for r in rows[1:]])
    fold = np.array([int(r[-1]) for r in rows[1:]])
    ty = np.log(y) if log_output else y
    t0 = time.monotonic()
    sk_fit(x, ty, a.restarts, a.seed)
    sk_fit_s = time.monotonic() - t0
    oof = np.empty_like(y)
    t0 = time.monotonic()
    for k in range(a.cv):
        tr, va = fold != k, fold == k
        gp = sk_fit(x[tr], ty[tr], a.restarts, a.seed + 101 * (k + 1))
        p = gp.predict(x[va])
        oof[va] = np.exp(p) if log_output else p
    sk_cv_s = time.monotonic() - t0
    sk = metrics(y, oof)
    g = {k: m["cv"][k] for k in ("r2", "rmse", "spearman", "kendall")}
    return {"case": name, "n": len(y), "d": x.shape[1], "gahpo": g, "sklearn": sk,
            "gahpo_fit_s": m["fit"]["seconds"], "gahpo_cv_s": m["cv"]["seconds"],
            "gahpo_total_s": gahpo_total, "sklearn_fit_s": sk_fit_s,
            "sklearn_cv_s": sk_cv_s}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gahpo", default=os.path.join(ROOT, "bin/gahpo"))
    ap.add_argument("--case", action="append",
                    help="NAME:SPACE:LOG[:log] (log: fit log(objective))")
    ap.add_argument("--max-points", type=int, default=0)
    ap.add_argument("--restarts", type=int, default=5)
    ap.add_argument("--cv", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--markdown", action="store_true")
    a = ap.parse_args()
    ok = True
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for c in a.case or DEFAULT_CASES:
            parts = c.split(":")
            name, space, log = parts[0], parts[1], parts[2]
            space = space if os.path.isabs(space) else os.path.join(ROOT, space)
            log = log if os.path.isabs(log) else os.path.join(ROOT, log)
            r = run_case(a, name, space, log, len(parts) > 3 and parts[3] == "log",
                         tmp)
            results.append(r)
            if r["gahpo_fit_s"] >= r["sklearn_fit_s"]:
                ok = False
                print("FAIL %s: gahpo's fit (%.2f s) is not faster than "
                      "scikit-learn's (%.2f s)" % (name, r["gahpo_fit_s"],
                                                   r["sklearn_fit_s"]))
            for key in ("spearman", "r2"):
                if r["gahpo"][key] < r["sklearn"][key] - 0.02:
                    ok = False
                    print("FAIL %s: gahpo %s %.4f < scikit-learn %.4f - 0.02" % (
                        name, key, r["gahpo"][key], r["sklearn"][key]))
    if a.markdown:
        print("| log | n x d | fitter | CV R^2 | CV RMSE | CV Spearman | CV Kendall "
              "| fit (s) | 5-fold CV (s) |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        for who in ("gahpo", "sklearn"):
            mm = r[who]
            fit_s = r[who + "_fit_s"]
            cv_s = r[who + "_cv_s"]
            if a.markdown:
                print("| %s | %d x %d | %s | %.4f | %.4g | %.4f | %.4f | %.2f | %.2f |" % (
                    r["case"], r["n"], r["d"], who, mm["r2"], mm["rmse"],
                    mm["spearman"], mm["kendall"], fit_s, cv_s))
            else:
                print("%-16s n=%-5d d=%-3d %-8s R2 %.4f RMSE %.4g Spearman %.4f "
                      "Kendall %.4f fit %.2f s CV %.2f s" % (
                          r["case"], r["n"], r["d"], who, mm["r2"], mm["rmse"],
                          mm["spearman"], mm["kendall"], fit_s, cv_s))
    print(json.dumps({"ok": ok, "results": results}), file=sys.stderr)
    print("compare_sklearn: %s" % ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
