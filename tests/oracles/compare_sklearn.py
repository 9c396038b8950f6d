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
      [--cv K] [--seed S] [--markdown] [--sklearn-threads T]
  /usr/bin/python3 tests/oracles/compare_sklearn.py --sizes N:D,... [--gahpo G]
      [--sk-restarts LIST] [--sk-cv-restarts LIST] [--all-restarts LIST]
      [--sklearn-threads T] [--tmp DIR]
Without --case: the DeepTTC log (synthetic stand-in) and the synthetic
mixed-space log in surrogates/data/. --max-points keeps the first N lines
of each log (the quick form the Check suite runs). --sklearn-threads caps
scikit-learn's BLAS threads (threadpoolctl; default: the library's own).

--sizes (scripts/bench_gp.sh): for each N:D, a seeded synthetic log of N
points and D inputs (tests/oracles/make_bench_log.py, seed N) in a
temporary folder, then, interleaved per size: gahpo's default fit (--cv 0,
wall and CPU of the process), gahpo --subset all (--all-restarts per size),
gahpo with --cv K --export-encoded (its CV; CV CPU = that run's CPU minus
the fit-only run's, the fit being the same), then scikit-learn's fit on the
exported inputs (--sk-restarts per size) and its CV on the exported folds
(--sk-cv-restarts per size, 0 = skipped). Both fitted hyperparameter sets
are scored by both likelihood definitions (standardized y; gahpo's with its
profiled GLS constant mean, scikit-learn's with zero mean). Prints a
markdown table and a JSON line on stderr; exit 0 (it measures, it does not
judge).
"""
import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings

try:
    import numpy as np
    from scipy.stats import kendalltau, spearmanr
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel
    from scipy.linalg import cho_factor, cho_solve
except ImportError as e:
    print("compare_sklearn.py: %s for %s; on Debian: apt-get install "
          "python3-sklearn (it brings numpy and scipy)" % (e, sys.executable),
          file=sys.stderr)
    sys.exit(2)

T_START = time.monotonic()
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
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


class blas_threads:
    """Caps scikit-learn's BLAS threads (numpy's OpenBLAS) when n is set."""

    def __init__(self, n):
        self.n, self.ctl = n, None

    def __enter__(self):
        if self.n:
            from threadpoolctl import threadpool_limits
            self.ctl = threadpool_limits(limits=self.n, user_api="blas")
        return self

    def __exit__(self, *exc):
        if self.ctl:
            self.ctl.restore_original_limits()


def children_cpu():
    """CPU seconds (user + system) of the waited-for child processes."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_timed(cmd):
    """Runs cmd; its wall and CPU seconds."""
    t0, c0 = time.monotonic(), children_cpu()
    subprocess.run(cmd, check=True)
    return time.monotonic() - t0, children_cpu() - c0


def read_encoded(path):
    with open(path) as f:
        rows = list(csv.reader(f))
    x = np.array([[float(v) for v in r[:-2]] for r in rows[1:]])
    y = np.array([float(r[-2]) for r in rows[1:]])
    fold = np.array([int(r[-1]) for r in rows[1:]])
    return x, y, fold


def lml_both(x, y, log_l, log_sf2, log_sn2):
    """The log marginal likelihood of standardized y (population standard
    deviation, as both tools standardize) under a Matern 5/2 ARD kernel plus
    white noise with these log hyperparameters, by both definitions: gahpo's
    (a constant mean, its GLS estimate 1'K^-1 y / 1'K^-1 1, profiled out;
    surrogates/gp.c sur_gp_solve_lml) and scikit-learn's (zero mean,
    normalize_y=True). Returns (gahpo's, scikit-learn's)."""
    ys = (y - y.mean()) / (y.std() or 1.0)
    n = len(ys)
    xs = x / np.exp(np.asarray(log_l))
    sq = np.sum(xs * xs, axis=1)
    s = np.maximum(sq[:, None] + sq[None, :] - 2.0 * xs @ xs.T, 0.0)
    r = np.sqrt(5.0 * s)
    k = np.exp(log_sf2) * (1.0 + r + s * (5.0 / 3.0)) * np.exp(-r)
    k[np.diag_indices(n)] = np.exp(log_sf2) + np.exp(log_sn2)
    c = cho_factor(k, lower=True)
    logdet = float(np.sum(np.log(np.diag(c[0]))))
    u = cho_solve(c, np.ones(n))
    a = cho_solve(c, ys)
    m = float(a.sum() / u.sum()) if u.sum() > 0 else 0.0
    const = 0.5 * n * np.log(2 * np.pi)
    profiled = -0.5 * float((ys - m) @ (a - m * u)) - logdet - const
    zero = -0.5 * float(ys @ a) - logdet - const
    return profiled, zero


def sk_theta(gp):
    """(log length scales, log signal variance, log noise variance) of a
    fitted ConstantKernel * Matern + WhiteKernel."""
    t = gp.kernel_.theta
    return t[1:-1], t[0], t[-1]


def run_size(a, n, d, sk_restarts, sk_cv_restarts, all_restarts, tmp):
    """One row group of --sizes: gahpo's runs, then scikit-learn's."""
    load0 = os.getloadavg()[0]
    space = os.path.join(tmp, "space_%d.json" % n)
    log = os.path.join(tmp, "log_%d.csv" % n)
    subprocess.run([sys.executable, os.path.join(HERE, "make_bench_log.py"),
                    "--n", str(n), "--d", str(d), "--seed", str(n),
                    "--space", space, "--log", log], check=True)
    base = [a.gahpo, "fit", "--space", space, "--log", log, "--seed",
            str(a.seed), "--quiet"]
    out = {"n": n, "d": d, "load_start": load0}
    # gahpo: default fit only
    model = os.path.join(tmp, "fit_%d.json" % n)
    w, c = run_timed(base + ["--out", model, "--cv", "0", "--restarts",
                             str(a.restarts)])
    with open(model) as f:
        m = json.load(f)
    kern = m["kernel"]
    out["gahpo"] = {"restarts": a.restarts, "wall": w, "cpu": c,
                    "fit_s": m["fit"]["seconds"],
                    "lml": kern["log_marginal_likelihood"],
                    "theta": (kern["log_length_scales"],
                              kern["log_signal_variance"],
                              kern["log_noise_variance"])}
    # gahpo: every restart on all points
    model_all = os.path.join(tmp, "all_%d.json" % n)
    w, c = run_timed(base + ["--out", model_all, "--cv", "0", "--subset",
                             "all", "--restarts", str(all_restarts)])
    with open(model_all) as f:
        kall = json.load(f)["kernel"]
    out["gahpo_all"] = {"restarts": all_restarts, "wall": w, "cpu": c,
                        "lml": kall["log_marginal_likelihood"],
                        "theta": (kall["log_length_scales"],
                                  kall["log_signal_variance"],
                                  kall["log_noise_variance"])}
    # gahpo: the same fit with CV, exporting inputs and folds
    enc = os.path.join(tmp, "enc_%d.csv" % n)
    w, c = run_timed(base + ["--out", os.path.join(tmp, "cv_%d.json" % n),
                             "--cv", str(a.cv), "--restarts", str(a.restarts),
                             "--export-encoded", enc])
    with open(os.path.join(tmp, "cv_%d.json" % n)) as f:
        mcv = json.load(f)["cv"]
    out["gahpo"].update({"cv": {k: mcv[k] for k in ("r2", "spearman", "kendall")},
                         "cv_wall": mcv["seconds"],
                         "cv_cpu": max(c - out["gahpo"]["cpu"], 0.0)})
    x, y, fold = read_encoded(enc)
    for key in ("gahpo", "gahpo_all"):
        g = out[key]
        g["lml_profiled"], g["lml_zero"] = lml_both(x, y, *g.pop("theta"))
    # scikit-learn on the same inputs
    sk = {"restarts": sk_restarts, "cv_restarts": sk_cv_restarts}
    with blas_threads(a.sklearn_threads):
        t0, c0 = time.monotonic(), time.process_time()
        gp = sk_fit(x, y, sk_restarts, a.seed)
        sk["wall"], sk["cpu"] = time.monotonic() - t0, time.process_time() - c0
        sk["lml_own"] = float(gp.log_marginal_likelihood_value_)
        sk["lml_profiled"], sk["lml_zero"] = lml_both(x, y, *sk_theta(gp))
        if sk_cv_restarts > 0:
            oof = np.empty_like(y)
            t0, c0 = time.monotonic(), time.process_time()
            for k in range(a.cv):
                tr, va = fold != k, fold == k
                g = sk_fit(x[tr], y[tr], sk_cv_restarts, a.seed + 101 * (k + 1))
                oof[va] = g.predict(x[va])
            sk["cv_wall"] = time.monotonic() - t0
            sk["cv_cpu"] = time.process_time() - c0
            mm = metrics(y, oof)
            sk["cv"] = {k: mm[k] for k in ("r2", "spearman", "kendall")}
    out["sklearn"] = sk
    out["load_end"] = os.getloadavg()[0]
    return out


def per_size(text, k, name):
    v = [int(t) for t in text.split(",")]
    if len(v) == 1:
        v = v * k
    if len(v) != k:
        sys.exit("compare_sklearn.py: %s needs 1 or %d values, got '%s'" % (
            name, k, text))
    return v


def print_sizes(rows, a):
    print("| n x d | fitter | restarts | fit wall / CPU (s) | LML, gahpo's "
          "definition | LML, scikit-learn's definition | CV R^2 | CV Spearman "
          "| CV Kendall | CV wall / CPU (s) | load 1 min |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        nd = "%d x %d" % (r["n"], r["d"])
        g, ga, sk = r["gahpo"], r["gahpo_all"], r["sklearn"]
        print("| %s | gahpo (default) | %d | %.2f / %.2f | %.2f | %.2f | %.4f "
              "| %.4f | %.4f | %.2f / %.2f | %.2f |" % (
                  nd, g["restarts"], g["wall"], g["cpu"], g["lml_profiled"],
                  g["lml_zero"], g["cv"]["r2"], g["cv"]["spearman"],
                  g["cv"]["kendall"], g["cv_wall"], g["cv_cpu"], r["load_start"]))
        print("| %s | gahpo --subset all | %d | %.2f / %.2f | %.2f | %.2f | - "
              "| - | - | - | |" % (nd, ga["restarts"], ga["wall"], ga["cpu"],
                                  ga["lml_profiled"], ga["lml_zero"]))
        if "cv" in sk:
            cv = "%.4f | %.4f | %.4f | %.2f / %.2f" % (
                sk["cv"]["r2"], sk["cv"]["spearman"], sk["cv"]["kendall"],
                sk["cv_wall"], sk["cv_cpu"])
            rs = "%d (CV: %d per fold)" % (sk["restarts"], sk["cv_restarts"])
        else:
            cv = "not run | not run | not run | skipped (time)"
            rs = "%d" % sk["restarts"]
        print("| %s | scikit-learn | %s | %.2f / %.2f | %.2f | %.2f (own: %.2f) "
              "| %s | %.2f |" % (nd, rs, sk["wall"], sk["cpu"], sk["lml_profiled"],
                                 sk["lml_zero"], sk["lml_own"], cv, r["load_end"]))
    print()
    print("Fit times: gahpo's are of the whole `gahpo fit --cv 0` process "
          "(load, fit, save); its CV CPU is the CPU of the same fit with --cv "
          "%d minus that of the fit alone. scikit-learn's are in-process "
          "(GaussianProcessRegressor.fit), BLAS threads: %s. Each LML column "
          "scores each fitter's hyperparameters by one definition (standardized "
          "y; gahpo's profiles out a GLS constant mean, scikit-learn's has mean "
          "0), so a column compares the fitters; 'own' is scikit-learn's "
          "log_marginal_likelihood_value_ (its alpha=1e-10 on the diagonal). "
          "Load: the 1-minute average at the start of each size's gahpo runs "
          "and at the end of its scikit-learn runs." % (
              a.cv, a.sklearn_threads or "the library's default"))
    diff = max(max(abs(r[k]["lml"] - r[k]["lml_profiled"]) for k in ("gahpo", "gahpo_all"))
               for r in rows)
    dsk = max(abs(r["sklearn"]["lml_own"] - r["sklearn"]["lml_zero"]) for r in rows)
    print("Check of the LML columns: gahpo's reported LML minus this script's "
          "recomputation at its hyperparameters, at most %.2g in absolute value; "
          "scikit-learn's own minus the zero-mean recomputation, at most %.2g." % (
              diff, dsk))


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
    gahpo_total, gahpo_cpu = run_timed(cmd)
    with open(model) as f:
        m = json.load(f)
    x, y, fold = read_encoded(enc)
    ty = np.log(y) if log_output else y
    with blas_threads(a.sklearn_threads):
        t0, c0 = time.monotonic(), time.process_time()
        sk_fit(x, ty, a.restarts, a.seed)
        sk_fit_s = time.monotonic() - t0
        sk_fit_cpu = time.process_time() - c0
        oof = np.empty_like(y)
        t0, c0 = time.monotonic(), time.process_time()
        for k in range(a.cv):
            tr, va = fold != k, fold == k
            gp = sk_fit(x[tr], ty[tr], a.restarts, a.seed + 101 * (k + 1))
            p = gp.predict(x[va])
            oof[va] = np.exp(p) if log_output else p
        sk_cv_s = time.monotonic() - t0
        sk_cv_cpu = time.process_time() - c0
    sk = metrics(y, oof)
    g = {k: m["cv"][k] for k in ("r2", "rmse", "spearman", "kendall")}
    return {"case": name, "n": len(y), "d": x.shape[1], "gahpo": g, "sklearn": sk,
            "gahpo_fit_s": m["fit"]["seconds"], "gahpo_cv_s": m["cv"]["seconds"],
            "gahpo_total_s": gahpo_total, "gahpo_total_cpu_s": gahpo_cpu,
            "sklearn_fit_s": sk_fit_s, "sklearn_cv_s": sk_cv_s,
            "sklearn_total_s": sk_fit_s + sk_cv_s,
            "sklearn_total_cpu_s": sk_fit_cpu + sk_cv_cpu}


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
    ap.add_argument("--sklearn-threads", type=int, default=0,
                    help="BLAS threads of scikit-learn (default: the library's)")
    ap.add_argument("--sizes", help="N:D,... : the scaling table (see above)")
    ap.add_argument("--sk-restarts", default="5",
                    help="--sizes: scikit-learn's restarts, one or one per size")
    ap.add_argument("--sk-cv-restarts", default="5",
                    help="--sizes: its restarts per CV fold (0: no CV)")
    ap.add_argument("--all-restarts", default="5",
                    help="--sizes: restarts of gahpo --subset all")
    ap.add_argument("--tmp", help="parent of the temporary folder")
    a = ap.parse_args()
    if a.sizes:
        sizes = [tuple(int(v) for v in t.split(":")) for t in a.sizes.split(",")]
        k = len(sizes)
        skr = per_size(a.sk_restarts, k, "--sk-restarts")
        skc = per_size(a.sk_cv_restarts, k, "--sk-cv-restarts")
        alr = per_size(a.all_restarts, k, "--all-restarts")
        rows = []
        with tempfile.TemporaryDirectory(prefix="gahpo-bench-gp.",
                                         dir=a.tmp) as tmp:
            for i, (n, d) in enumerate(sizes):
                rows.append(run_size(a, n, d, skr[i], skc[i], alr[i], tmp))
                print("  %d x %d done (%.0f s so far)" % (
                    n, d, time.monotonic() - T_START), file=sys.stderr)
        print_sizes(rows, a)
        print(json.dumps({"sizes": rows}), file=sys.stderr)
        return 0
    ok = True
    results = []
    with tempfile.TemporaryDirectory(dir=a.tmp) as tmp:
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
              "| fit (s) | %d-fold CV (s) | fit + CV wall / CPU (s) |" % a.cv)
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        for who in ("gahpo", "sklearn"):
            mm = r[who]
            fit_s = r[who + "_fit_s"]
            cv_s = r[who + "_cv_s"]
            if a.markdown:
                print("| %s | %d x %d | %s | %.4f | %.4g | %.4f | %.4f | %.2f | %.2f "
                      "| %.2f / %.2f |" % (
                          r["case"], r["n"], r["d"], who, mm["r2"], mm["rmse"],
                          mm["spearman"], mm["kendall"], fit_s, cv_s,
                          r[who + "_total_s"], r[who + "_total_cpu_s"]))
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
