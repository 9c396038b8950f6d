#!/usr/bin/python3
"""gen_logs.py - real HPO evaluation logs: scikit-learn models really trained.

For each model NAME this writes, under surrogates/data/NAME/:
  space.json  a CANDLE hyperparameter space (6-10 mixed parameters);
  log.jsonl   one JSON line per evaluation, appended as it finishes:
              {"index", "design", "group", "seed", "params": {...},
               "val_loss" (null + "reason" if the fit failed),
               "cpu_seconds", "wall_seconds", "time"}
              params are the exact values gahpo would hand the model (by
              name; ordered/categorical by value, logical as true/false);
  README.md   provenance and figures (rewritten when the model stops).

Models (n_jobs=1; every fit single-threaded, BLAS/OpenMP threads set to 1):
  mlp_digits          MLPClassifier on load_digits (scaled), val log-loss
  gbm_breast_cancer   GradientBoostingClassifier on load_breast_cancer,
                      val log-loss
  svm_wine            SVC (probability=True, Platt scaling) on load_wine
                      (scaled), val log-loss
  forest_friedman     RandomForest/ExtraTrees regressor on make_friedman1
                      (GENERATED data, noise 1.0), val MSE

The validation split is fixed (seeded; stratified for classification); the
scaler is fitted on the training part only. The evaluation's seed is the
model's random_state (and MLP/forest shuffling); it differs between
evaluations, so the log carries seed-to-seed noise as a real search would.

Plan (a fixed function of --seed and --n; index i is the i-th entry):
  "default"  the model's default hyperparameters mapped into the space,
             N_DEFAULT seeds (first);
  "sobol"    a scrambled Sobol design in the unit cube (first points of the
             sequence), mapped to the space: log-uniform for log_scale,
             uniform otherwise, index for ordered/categorical, u >= 0.5 for
             logical;
  "repeat"   N_REPEAT_CONFIGS configurations (a second, independent Sobol
             design) each evaluated N_REPEATS times with different seeds
             (same "group"), interleaved with the Sobol points, to measure
             the noise.

Resumable: on start the log is read, a torn last line is cut, every line
already there is checked against the plan (index and params), and the run
continues after the last index. Each line is flushed and fsync'ed. The wall
budget (--budget-minutes, per model) counts the wall time already in the
log, so a resumed model does not get a fresh budget. A model stopped by the
budget has fewer than --n lines; its README says so.

Usage: /usr/bin/python3 scripts/hpo_logs/gen_logs.py [--n 1100]
       [--budget-minutes 25] [--only NAME[,NAME]] [--seed 13] [--commit]
  --commit   after each model, `git add` and `git commit -- DIR` its folder
             (only that folder is committed).
"""
import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
           "BLIS_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse
import datetime
import json
import math
import platform
import subprocess
import sys
import time
import warnings

import numpy as np
import scipy
import sklearn
from scipy.stats import qmc

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
DATA_DIR = os.path.join(ROOT, "surrogates", "data")

SPLIT_SEED = 0          # train/validation split
DATA_SEED = 0           # make_friedman1
VAL_FRACTION = 0.25
N_DEFAULT = 5
N_REPEAT_CONFIGS = 50
N_REPEATS = 4


# ---- spaces ----------------------------------------------------------------

def fl(name, lo, hi, log=False):
    p = {"name": name, "type": "float", "lower": lo, "upper": hi}
    if log:
        p["log_scale"] = True
    return p


def it(name, lo, hi, log=False):
    p = {"name": name, "type": "int", "lower": lo, "upper": hi}
    if log:
        p["log_scale"] = True
    return p


def cat(name, values, et="string"):
    return {"name": name, "type": "categorical", "element_type": et,
            "values": values}


def ordd(name, values, et="int"):
    return {"name": name, "type": "ordered", "element_type": et,
            "values": values}


def logical(name):
    return {"name": name, "type": "logical"}


# ---- data ------------------------------------------------------------------

_DATA = {}


def data(name):
    if name in _DATA:
        return _DATA[name]
    from sklearn import datasets
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler
    if name == "digits":
        X, y = datasets.load_digits(return_X_y=True)
    elif name == "breast_cancer":
        X, y = datasets.load_breast_cancer(return_X_y=True)
    elif name == "wine":
        X, y = datasets.load_wine(return_X_y=True)
    elif name == "friedman1":
        X, y = datasets.make_friedman1(n_samples=1500, n_features=10,
                                       noise=1.0, random_state=DATA_SEED)
    else:
        raise KeyError(name)
    strat = None if name == "friedman1" else y
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=VAL_FRACTION,
                                          random_state=SPLIT_SEED,
                                          stratify=strat)
    sc = StandardScaler().fit(Xtr)
    d = {"raw": (Xtr, Xva, ytr, yva),
         "scaled": (sc.transform(Xtr), sc.transform(Xva), ytr, yva)}
    _DATA[name] = d
    return d


def val_log_loss(model, Xva, yva):
    from sklearn.metrics import log_loss
    P = model.predict_proba(Xva)
    if not np.all(np.isfinite(P)):
        raise FloatingPointError("non-finite predicted probabilities")
    return float(log_loss(yva, P, labels=model.classes_))


# ---- models ----------------------------------------------------------------

def fit_mlp_digits(p, seed):
    from sklearn.neural_network import MLPClassifier
    Xtr, Xva, ytr, yva = data("digits")["scaled"]
    m = MLPClassifier(
        hidden_layer_sizes=(p["hidden_width"],) * p["num_layers"],
        activation=p["activation"], solver=p["optimizer"], alpha=p["alpha"],
        batch_size=p["batch_size"], learning_rate_init=p["learning_rate"],
        max_iter=p["epochs"], momentum=p["momentum"],
        early_stopping=p["early_stopping"], random_state=seed)
    m.fit(Xtr, ytr)
    return val_log_loss(m, Xva, yva)


def fit_gbm_breast_cancer(p, seed):
    from sklearn.ensemble import GradientBoostingClassifier
    Xtr, Xva, ytr, yva = data("breast_cancer")["raw"]
    m = GradientBoostingClassifier(
        learning_rate=p["learning_rate"], n_estimators=p["n_estimators"],
        max_depth=p["max_depth"], subsample=p["subsample"],
        min_samples_leaf=p["min_samples_leaf"],
        max_features=p["max_features"], criterion=p["criterion"],
        n_iter_no_change=10 if p["early_stopping"] else None,
        random_state=seed)
    m.fit(Xtr, ytr)
    return val_log_loss(m, Xva, yva)


def fit_svm_wine(p, seed):
    from sklearn.svm import SVC
    Xtr, Xva, ytr, yva = data("wine")["scaled"]
    m = SVC(C=p["C"], kernel=p["kernel"], gamma=p["gamma"],
            degree=p["degree"], coef0=p["coef0"], shrinking=p["shrinking"],
            tol=p["tol"],
            class_weight=None if p["class_weight"] == "none" else "balanced",
            probability=True, max_iter=1000000, random_state=seed)
    m.fit(Xtr, ytr)
    return val_log_loss(m, Xva, yva)


def fit_forest_friedman(p, seed):
    from sklearn.ensemble import ExtraTreesRegressor, RandomForestRegressor
    from sklearn.metrics import mean_squared_error
    Xtr, Xva, ytr, yva = data("friedman1")["raw"]
    cls = (RandomForestRegressor if p["ensemble"] == "random_forest"
           else ExtraTreesRegressor)
    m = cls(n_estimators=p["n_estimators"], max_depth=p["max_depth"],
            min_samples_leaf=p["min_samples_leaf"],
            max_features=p["max_features"], bootstrap=p["bootstrap"],
            max_samples=p["max_samples"] if p["bootstrap"] else None,
            criterion=p["criterion"], n_jobs=1, random_state=seed)
    m.fit(Xtr, ytr)
    return float(mean_squared_error(yva, m.predict(Xva)))


MODELS = {
    "mlp_digits": {
        "fit": fit_mlp_digits,
        "space": [
            fl("learning_rate", 1e-4, 1e-1, log=True),
            ordd("batch_size", [16, 32, 64, 128, 256]),
            it("hidden_width", 8, 256, log=True),
            it("num_layers", 1, 3),
            cat("activation", ["relu", "tanh", "logistic"]),
            cat("optimizer", ["adam", "sgd"]),
            fl("alpha", 1e-6, 1e-1, log=True),
            fl("momentum", 0.0, 0.99),
            logical("early_stopping"),
            it("epochs", 5, 40),
        ],
        # sklearn defaults: hidden (100,), relu, adam, alpha 1e-4,
        # batch min(200, n) -> 256 (nearest value), lr 1e-3, momentum 0.9,
        # early_stopping False, max_iter 200 -> 40 (the space's upper bound)
        "default": {"learning_rate": 1e-3, "batch_size": 256,
                    "hidden_width": 100, "num_layers": 1,
                    "activation": "relu", "optimizer": "adam",
                    "alpha": 1e-4, "momentum": 0.9, "early_stopping": False,
                    "epochs": 40},
        "default_note": "sklearn's MLPClassifier defaults, except batch_size "
                        "min(200, n) -> 256 (nearest value in the space) and "
                        "max_iter 200 -> epochs 40 (the space's upper bound)",
        "dataset": "load_digits (1,797 8x8 images, 64 features, 10 classes; "
                   "shipped with scikit-learn)",
        "preprocess": "StandardScaler fitted on the training part",
        "model": "sklearn.neural_network.MLPClassifier: hidden_layer_sizes = "
                 "(hidden_width,) * num_layers, solver = optimizer, "
                 "learning_rate_init = learning_rate, max_iter = epochs, "
                 "momentum (used by sgd only; Nesterov), early_stopping "
                 "(10% of the training part held out inside the fit), "
                 "random_state = seed",
        "metric": "log-loss (cross-entropy) of predict_proba on the "
                  "validation part",
    },
    "gbm_breast_cancer": {
        "fit": fit_gbm_breast_cancer,
        "space": [
            fl("learning_rate", 1e-3, 1.0, log=True),
            it("n_estimators", 10, 400, log=True),
            it("max_depth", 1, 8),
            fl("subsample", 0.2, 1.0),
            it("min_samples_leaf", 1, 64, log=True),
            fl("max_features", 0.1, 1.0),
            cat("criterion", ["friedman_mse", "squared_error"]),
            logical("early_stopping"),
        ],
        "default": {"learning_rate": 0.1, "n_estimators": 100,
                    "max_depth": 3, "subsample": 1.0, "min_samples_leaf": 1,
                    "max_features": 1.0, "criterion": "friedman_mse",
                    "early_stopping": False},
        "default_note": "sklearn's GradientBoostingClassifier defaults "
                        "(max_features None = 1.0, n_iter_no_change None = "
                        "early_stopping false)",
        "dataset": "load_breast_cancer (569 samples, 30 features, 2 classes; "
                   "shipped with scikit-learn)",
        "preprocess": "none (trees)",
        "model": "sklearn.ensemble.GradientBoostingClassifier: "
                 "early_stopping true = n_iter_no_change 10 (10% of the "
                 "training part held out inside the fit), false = None; "
                 "random_state = seed",
        "metric": "log-loss of predict_proba on the validation part",
    },
    "svm_wine": {
        "fit": fit_svm_wine,
        "space": [
            fl("C", 1e-3, 1e3, log=True),
            fl("gamma", 1e-4, 1e1, log=True),
            cat("kernel", ["rbf", "poly", "sigmoid", "linear"]),
            it("degree", 2, 5),
            fl("coef0", 0.0, 1.0),
            fl("tol", 1e-5, 1e-1, log=True),
            logical("shrinking"),
            cat("class_weight", ["none", "balanced"]),
        ],
        # gamma 'scale' = 1 / (n_features * X.var()) = 1/13 on standardized data
        "default": {"C": 1.0, "gamma": 1.0 / 13, "kernel": "rbf", "degree": 3,
                    "coef0": 0.0, "tol": 1e-3, "shrinking": True,
                    "class_weight": "none"},
        "default_note": "sklearn's SVC defaults; gamma 'scale' = 1 / "
                        "(n_features * X.var()) = 1/13 on the standardized "
                        "training data",
        "dataset": "load_wine (178 samples, 13 features, 3 classes; shipped "
                   "with scikit-learn)",
        "preprocess": "StandardScaler fitted on the training part",
        "model": "sklearn.svm.SVC(probability=True) (Platt scaling by "
                 "libsvm's internal 5-fold CV, which random_state = seed "
                 "shuffles), max_iter 1e6; degree used by poly only, coef0 "
                 "by poly and sigmoid, gamma by all but linear",
        "metric": "log-loss of predict_proba on the validation part",
    },
    "forest_friedman": {
        "fit": fit_forest_friedman,
        "space": [
            cat("ensemble", ["random_forest", "extra_trees"]),
            it("n_estimators", 10, 200, log=True),
            it("max_depth", 2, 30),
            it("min_samples_leaf", 1, 50, log=True),
            fl("max_features", 0.1, 1.0),
            logical("bootstrap"),
            fl("max_samples", 0.1, 1.0),
            cat("criterion", ["squared_error", "friedman_mse"]),
        ],
        "default": {"ensemble": "random_forest", "n_estimators": 100,
                    "max_depth": 30, "min_samples_leaf": 1,
                    "max_features": 1.0, "bootstrap": True,
                    "max_samples": 1.0, "criterion": "squared_error"},
        "default_note": "sklearn's RandomForestRegressor defaults, except "
                        "max_depth None -> 30 (the space's upper bound; "
                        "trees on 1,125 points rarely reach it) and "
                        "max_samples None = 1.0",
        "dataset": "make_friedman1(n_samples=1500, n_features=10, noise=1.0, "
                   "random_state=0): GENERATED data (Friedman #1: "
                   "10 sin(pi x1 x2) + 20 (x3 - 0.5)^2 + 10 x4 + 5 x5 + "
                   "N(0, 1); x6..x10 irrelevant)",
        "preprocess": "none (trees)",
        "model": "sklearn.ensemble.RandomForestRegressor or "
                 "ExtraTreesRegressor (ensemble), n_jobs=1; max_samples "
                 "used only with bootstrap true; random_state = seed",
        "metric": "mean squared error on the validation part (the noise "
                  "variance 1.0 is the floor)",
    },
}


# ---- mapping the unit cube to a space --------------------------------------

def round_float(v, lo, hi):
    v = float("%.6g" % v)
    return min(max(v, lo), hi)


def map_point(space, u):
    """u: one point of [0,1)^d (d = number of non-constant params)."""
    out = {}
    k = 0
    for p in space:
        t = p["type"]
        if t == "constant":
            out[p["name"]] = p["value"]
            continue
        x = min(max(float(u[k]), 0.0), 1.0 - 1e-12)
        k += 1
        if t == "float":
            lo, hi = p["lower"], p["upper"]
            if p.get("log_scale"):
                v = 10 ** (math.log10(lo) + x * (math.log10(hi) - math.log10(lo)))
            else:
                v = lo + x * (hi - lo)
            out[p["name"]] = round_float(v, lo, hi)
        elif t == "int":
            lo, hi = p["lower"], p["upper"]
            if p.get("log_scale"):   # log-uniform over [lo, hi + 1)
                v = math.floor(math.exp(math.log(lo) + x *
                                        (math.log(hi + 1) - math.log(lo))))
            else:
                v = lo + math.floor(x * (hi - lo + 1))
            out[p["name"]] = int(min(max(v, lo), hi))
        elif t in ("categorical", "ordered"):
            vals = p["values"]
            out[p["name"]] = vals[min(int(x * len(vals)), len(vals) - 1)]
        elif t == "logical":
            out[p["name"]] = bool(x >= 0.5)
        else:
            raise ValueError("type " + t)
    return out


def dims(space):
    return sum(1 for p in space if p["type"] != "constant")


def sobol(d, n, seed):
    if n <= 0:
        return np.zeros((0, d))
    m = max(0, math.ceil(math.log2(n)))
    s = qmc.Sobol(d=d, scramble=True, seed=seed)
    return s.random_base2(m)[:n]


def plan(name, n, seed):
    """The list of evaluations (dicts without results), fixed by name/n/seed."""
    spec = MODELS[name]
    space = spec["space"]
    d = dims(space)
    mseed = seed * 1000 + sorted(MODELS).index(name)
    n_rep = N_REPEAT_CONFIGS * N_REPEATS
    n_def = N_DEFAULT
    if n < n_def + n_rep + 1:           # small test runs: scale down
        n_def = min(N_DEFAULT, max(1, n // 10))
        rc = max(1, (n - n_def) // (3 * N_REPEATS))
        n_rep = rc * N_REPEATS
    n_design = max(0, n - n_def - n_rep)
    rep_configs = n_rep // N_REPEATS
    design = [map_point(space, u) for u in sobol(d, n_design, mseed)]
    reps = [map_point(space, u) for u in sobol(d, rep_configs, mseed + 500)]
    out = []
    for r in range(n_def):
        out.append({"design": "default", "group": "default",
                    "params": dict(spec["default"])})
    # interleave: one repeat group after every `step` design points
    step = max(1, n_design // max(1, rep_configs))
    ri = 0
    for i, prm in enumerate(design):
        out.append({"design": "sobol", "params": prm})
        if (i + 1) % step == 0 and ri < rep_configs:
            for _ in range(N_REPEATS):
                out.append({"design": "repeat", "group": "r%d" % ri,
                            "params": dict(reps[ri])})
            ri += 1
    while ri < rep_configs:
        for _ in range(N_REPEATS):
            out.append({"design": "repeat", "group": "r%d" % ri,
                        "params": dict(reps[ri])})
        ri += 1
    out = out[:n]
    for i, e in enumerate(out):
        e["index"] = i
        e["seed"] = mseed + 7919 * i + 1   # model random_state
    return out


# ---- log -------------------------------------------------------------------

def read_log(path):
    """Lines already there; a torn or unparsable last line is cut off."""
    if not os.path.exists(path):
        return []
    with open(path, "rb") as f:
        raw = f.read()
    lines = raw.split(b"\n")
    good, pos = [], 0
    for k, ln in enumerate(lines):
        end = pos + len(ln) + 1
        last = (k == len(lines) - 1)
        if last and ln == b"":
            break
        try:
            if last:          # no newline after it: torn
                raise ValueError("torn")
            good.append(json.loads(ln))
        except ValueError:
            if k < len(lines) - 2 or (k == len(lines) - 2 and lines[-1] != b""):
                raise SystemExit("%s: line %d is not JSON (not the last line; "
                                 "refusing to cut)" % (path, k + 1))
            sys.stderr.write("%s: cutting torn last line %d\n" % (path, k + 1))
            with open(path, "r+b") as f:
                f.truncate(pos)
                f.flush()
                os.fsync(f.fileno())
            break
        pos = end
    return good


def write_space(name):
    d = os.path.join(DATA_DIR, name)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "space.json")
    text = "[\n" + ",\n".join("  " + json.dumps(p) for p in
                              MODELS[name]["space"]) + "\n]\n"
    old = None
    if os.path.exists(path):
        with open(path) as f:
            old = f.read()
    if old != text:
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.replace(path + ".tmp", path)
    return path


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for ln in f:
                if ln.startswith("model name"):
                    return ln.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def stats(lines, planned, name, args, stopped_by_budget):
    spec = MODELS[name]
    ok = [e for e in lines if e.get("val_loss") is not None]
    failed = [e for e in lines if e.get("val_loss") is None]
    cpu = sum(e["cpu_seconds"] for e in lines)
    wall = sum(e["wall_seconds"] for e in lines)
    groups = {}
    for e in ok:
        if e["design"] == "repeat":
            groups.setdefault(e["group"], []).append(e["val_loss"])
    sds = [float(np.std(v, ddof=1)) for v in groups.values() if len(v) >= 2]
    rel = [float(np.std(v, ddof=1) / np.mean(v)) for v in groups.values()
           if len(v) >= 2 and np.mean(v) > 0]
    dflt = [e["val_loss"] for e in ok if e["design"] == "default"]
    dflt_fail = sum(1 for e in failed if e["design"] == "default")
    design = [e["val_loss"] for e in ok if e["design"] == "sobol"]
    allv = np.array([e["val_loss"] for e in ok]) if ok else np.zeros(0)
    reasons = {}
    for e in failed:
        r = str(e.get("reason", "?"))[:80]
        reasons[r] = reasons.get(r, 0) + 1
    best = min(ok, key=lambda e: e["val_loss"]) if ok else None

    def q(v, p):
        return float(np.quantile(v, p)) if len(v) else float("nan")

    times = [e["time"] for e in lines if "time" in e]
    return {
        "n_lines": len(lines), "planned": planned, "ok": len(ok),
        "failed": len(failed), "reasons": reasons, "cpu": cpu, "wall": wall,
        "noise_sd_median": float(np.median(sds)) if sds else float("nan"),
        "noise_sd_q": (q(sds, 0.25), q(sds, 0.75)),
        "noise_rel_median": float(np.median(rel)) if rel else float("nan"),
        "noise_groups": len(sds),
        "default": dflt, "default_failed": dflt_fail,
        "design_q": [q(design, p) for p in (0.0, 0.1, 0.5, 0.9, 1.0)],
        "all_sd": float(np.std(allv)) if len(allv) else float("nan"),
        "best": best, "n_design": sum(1 for e in lines if e["design"] == "sobol"),
        "n_repeat": sum(1 for e in lines if e["design"] == "repeat"),
        "first": times[0] if times else "?", "last": times[-1] if times else "?",
        "stopped_by_budget": stopped_by_budget,
    }


def g(x):
    return "%.6g" % x


def write_readme(name, lines, planned, args, stopped_by_budget, session):
    spec = MODELS[name]
    s = stats(lines, planned, name, args, stopped_by_budget)
    d = os.path.join(DATA_DIR, name)
    sp = []
    for p in spec["space"]:
        t = p["type"]
        if t in ("float", "int"):
            sp.append("`%s` %s [%s, %s]%s" % (p["name"], t, g(p["lower"]),
                                              g(p["upper"]),
                                              " log_scale" if p.get("log_scale")
                                              else ""))
        elif t in ("categorical", "ordered"):
            sp.append("`%s` %s %s" % (p["name"], t, json.dumps(p["values"])))
        else:
            sp.append("`%s` %s" % (p["name"], t))
    dm = (float(np.mean(s["default"])) if s["default"] else float("nan"))
    dsd = (float(np.std(s["default"], ddof=1)) if len(s["default"]) > 1
           else float("nan"))
    status = ("complete: %d of %d planned evaluations" % (s["n_lines"], planned)
              if s["n_lines"] >= planned else
              "**incomplete: %d of %d planned evaluations** (%s)" %
              (s["n_lines"], planned,
               "stopped by the wall budget" if stopped_by_budget
               else "interrupted; resume with the command below"))
    best = s["best"]
    n_def_plan = sum(1 for e in plan(name, args.n, args.seed)
                     if e["design"] == "default")
    metric_name = "validation MSE" if name == "forest_friedman" else \
        "validation log-loss"
    cmd = "/usr/bin/python3 scripts/hpo_logs/gen_logs.py --n %d " \
          "--budget-minutes %s --seed %d --only %s" % (
              args.n, g(args.budget_minutes), args.seed, name)
    txt = f"""# {name}: a real HPO log (scikit-learn, really trained)

Written by `scripts/hpo_logs/gen_logs.py` when the model's run stopped
(figures below are computed from `log.jsonl`). {status}.

| | |
| --- | --- |
| data set | {spec['dataset']} |
| split | fixed: `train_test_split(test_size={VAL_FRACTION}, random_state={SPLIT_SEED}{'' if name == 'forest_friedman' else ', stratify=y'})` |
| preprocessing | {spec['preprocess']} |
| model | {spec['model']} |
| objective `val_loss` | {spec['metric']} (lower is better) |
| space (`space.json`) | {'; '.join(sp)} |
| library versions | scikit-learn {sklearn.__version__}, numpy {np.__version__}, scipy {scipy.__version__}, Python {platform.python_version()} (Debian 12's /usr/bin/python3) |
| CPU | {cpu_name()}, one core per fit (n_jobs=1; OMP/BLAS threads 1), run at nice 19 beside other work |
| evaluations | {s['n_lines']} lines: {len(s['default']) + s['default_failed']} default, {s['n_design']} Sobol, {s['n_repeat']} repeat; {s['ok']} with a loss, {s['failed']} failed (`val_loss` null){(' — ' + '; '.join('%s: %d' % kv for kv in s['reasons'].items())) if s['reasons'] else ''} |
| CPU time | {s['cpu']:.0f} s in fits ({s['cpu'] / max(1, s['n_lines']):.3f} s per evaluation) |
| wall time | {s['wall']:.0f} s in fits ({s['wall'] / 60:.1f} min) |
| dates (UTC) | {s['first']} to {s['last']} |
| command | `{cmd}` (seed {args.seed}; rerunning it resumes, or finishes at once if the log is complete) |

## Design

- `"design": "default"`: the model's default hyperparameters mapped into
  the space ({spec['default_note']}), {n_def_plan} seeds:
  `{json.dumps(spec['default'])}`.
- `"design": "sobol"`: a scrambled Sobol design (scipy.stats.qmc.Sobol,
  the first points of a 2^m sequence) over the unit cube mapped to the
  space: log-uniform for `log_scale`, uniform for other floats and ints,
  equal-width bins of the index for ordered and categorical, u >= 0.5 for
  logicals. Values are rounded to 6 significant digits; the log holds the
  exact values the model was given.
- `"design": "repeat"`: {N_REPEAT_CONFIGS} configurations from a second,
  independent Sobol design, each evaluated {N_REPEATS} times with
  different seeds (same `"group"`), interleaved with the Sobol points.
- Every evaluation has its own `"seed"` (the model's `random_state`); the
  data split does not change. Each line also has `cpu_seconds` (process
  CPU time of fit + predict), `wall_seconds`, `time` (UTC).

## Figures

- **Noise** (std of `val_loss` over the {N_REPEATS} seeds of a repeated
  configuration, ddof 1): median {g(s['noise_sd_median'])} over
  {s['noise_groups']} configurations (quartiles {g(s['noise_sd_q'][0])},
  {g(s['noise_sd_q'][1])}); median relative std (std / mean)
  {g(s['noise_rel_median'])}. For scale, the std of `val_loss` over the
  whole log is {g(s['all_sd'])}.
- **The model's default hyperparameters** ({metric_name}, {len(s['default'])}
  seeds): mean **{g(dm)}**, std {g(dsd)}; values
  {', '.join(g(v) for v in s['default'])}.
- Sobol design {metric_name}: min {g(s['design_q'][0])}, 10%
  {g(s['design_q'][1])}, median {g(s['design_q'][2])}, 90%
  {g(s['design_q'][3])}, max {g(s['design_q'][4])}.
- Best in the log: {g(best['val_loss']) if best else 'n/a'} (index
  {best['index'] if best else 'n/a'}): `{json.dumps(best['params']) if best else ''}`.

CI does not regenerate this log. Its surrogate, `surrogate:{name}`
(`surrogates/models/{name}.json`, docs/SURROGATES.md), was fitted with:

```sh
bin/gahpo fit --space surrogates/data/{name}/space.json \\
    --log surrogates/data/{name}/log.jsonl --out surrogates/models/{name}.json \\
    --log-output
```
"""
    with open(os.path.join(d, "README.md.tmp"), "w") as f:
        f.write(txt)
    os.replace(os.path.join(d, "README.md.tmp"), os.path.join(d, "README.md"))
    return s


def git_commit(name, s, planned):
    d = os.path.join("surrogates", "data", name)
    msg = ("HPO log %s: %d of %d evaluations of a real scikit-learn model "
           "(%d failed), %.0f s CPU; noise (median std over repeats) %s, "
           "defaults' loss %s" % (
               name, s["n_lines"], planned, s["failed"], s["cpu"],
               g(s["noise_sd_median"]),
               g(float(np.mean(s["default"]))) if s["default"] else "n/a"))
    for attempt in range(60):
        if os.path.exists(os.path.join(ROOT, ".git", "index.lock")):
            time.sleep(5)
            continue
        r = subprocess.run(["git", "add", "--", d], cwd=ROOT)
        if r.returncode != 0:
            time.sleep(5)
            continue
        if subprocess.run(["git", "diff", "--cached", "--quiet", "HEAD",
                           "--", d], cwd=ROOT).returncode == 0:
            print("%s: nothing new to commit" % d, flush=True)
            return
        r = subprocess.run(["git", "commit", "-q", "-m", msg, "--", d],
                           cwd=ROOT)
        if r.returncode == 0:
            print("committed %s" % d, flush=True)
            return
        time.sleep(5)
    print("could not commit %s" % d, flush=True)


# ---- running ---------------------------------------------------------------

def run_model(name, args):
    spec = MODELS[name]
    write_space(name)
    path = os.path.join(DATA_DIR, name, "log.jsonl")
    pl = plan(name, args.n, args.seed)
    lines = read_log(path)
    for e in lines:
        i = e.get("index")
        if i is None or i >= len(pl) or pl[i]["params"] != e["params"] \
                or pl[i]["seed"] != e["seed"]:
            raise SystemExit("%s: line for index %s does not match the plan "
                             "for --n %d --seed %d (a log from other "
                             "settings?)" % (path, i, args.n, args.seed))
    if [e["index"] for e in lines] != list(range(len(lines))):
        raise SystemExit("%s: indices are not 0..%d in order" %
                         (path, len(lines) - 1))
    spent = sum(e["wall_seconds"] for e in lines)
    budget = args.budget_minutes * 60.0
    print("%s: %d of %d done, %.0f s of wall budget %.0f s used" %
          (name, len(lines), len(pl), spent, budget), flush=True)
    stopped = False
    t_session = time.perf_counter()
    with open(path, "a") as f:
        for e in pl[len(lines):]:
            if spent >= budget:
                stopped = True
                print("%s: wall budget reached at %d" % (name, e["index"]),
                      flush=True)
                break
            w0 = time.perf_counter()
            c0 = time.process_time()
            reason = None
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    loss = spec["fit"](dict(e["params"]), e["seed"])
                    if not math.isfinite(loss):
                        reason, loss = "non-finite loss", None
                except Exception as ex:   # a failed fit is logged, not fatal
                    reason, loss = "%s: %s" % (type(ex).__name__, ex), None
            cpu = time.process_time() - c0
            wall = time.perf_counter() - w0
            spent += wall
            rec = {"index": e["index"], "design": e["design"]}
            if "group" in e:
                rec["group"] = e["group"]
            rec.update({"seed": e["seed"], "params": e["params"],
                        "val_loss": loss})
            if reason:
                rec["reason"] = reason[:300]
            rec.update({"cpu_seconds": round(cpu, 4),
                        "wall_seconds": round(wall, 4),
                        "time": datetime.datetime.now(datetime.timezone.utc)
                        .strftime("%Y-%m-%dT%H:%M:%SZ")})
            f.write(json.dumps(rec) + "\n")
            f.flush()
            os.fsync(f.fileno())
            lines.append(rec)
            if args.verbose or e["index"] % 50 == 0:
                print("%s %d %s loss=%s cpu=%.2f" % (
                    name, e["index"], e["design"], loss, cpu), flush=True)
    print("%s: %d lines, session wall %.0f s" %
          (name, len(lines), time.perf_counter() - t_session), flush=True)
    s = write_readme(name, lines, len(pl), args, stopped, None)
    if args.commit:
        git_commit(name, s, len(pl))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1100,
                    help="evaluations per model (default 1100)")
    ap.add_argument("--budget-minutes", type=float, default=25.0,
                    help="wall-time cap per model, counting time already "
                         "in its log (default 25)")
    ap.add_argument("--only", default="",
                    help="comma-separated model names (default: all, in "
                         "the order %s)" % ",".join(MODELS))
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--commit", action="store_true",
                    help="git-commit each model's folder when it stops")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--list", action="store_true",
                    help="print the models and exit")
    args = ap.parse_args()
    if args.list:
        for k in MODELS:
            print(k)
        return
    names = [x for x in args.only.split(",") if x] or list(MODELS)
    for nm in names:
        if nm not in MODELS:
            raise SystemExit("unknown model %s (have %s)" %
                             (nm, ", ".join(MODELS)))
    for nm in names:
        run_model(nm, args)


if __name__ == "__main__":
    main()
