#!/usr/bin/python3
"""The seed study on the DeepTTC surrogate (make seed-study).

What HPO users ask: how much lower is the validation loss after HPO than with
the model's default hyperparameters, and does the GA beat random search at
the same number of evaluations? On surrogate:deepttc:noisy (a Gaussian
process fitted to a SYNTHETIC stand-in for DeepTTC's HPO log, see
surrogates/data/deepttc/README.md; the GA sees seeded draws from its
predictive distribution, as it would see noisy training runs):

  defaults     the model's published default hyperparameters (one point)
  random       random search: BUDGET uniform draws from the space
  ga-candle    gahpo with CANDLE's defaults (pop 16, mu_plus_lambda), BUDGET
               evaluations (16 + 8 x 23 = 200)
  ga-tuned     gahpo with the built-in tuned defaults for BUDGET evaluations
               and WORKERS workers (gahpo run --budget --jobs semantics)

Each method's result is the noiseless surrogate value (the predictive mean)
of the best point it observed, so noise cannot flatter a method. Over SEEDS
seeds: the relative reduction of validation loss against the defaults,
1 - loss/loss_defaults, median and 95% percentile-bootstrap CI (10,000
resamples, seeded). Writes results/deepttc/{runs.csv,report.md}.

    scripts/seed_study.py [--gahpo bin/gahpo] [--seeds 31] [--budget 200]
"""

import argparse
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
DEFAULTS = {  # DeepTTC's published defaults (the space is around them)
    "learning_rate": 1e-5, "batch_size": 64, "dropout": 0.1,
    "transformer_n_layer_drug": 8, "transformer_emb_size_drug": 128,
    "transformer_intermediate_size_drug": 512,
    "transformer_num_attention_heads_drug": 8,
    "transformer_attention_probs_dropout": 0.1,
    "transformer_hidden_dropout_rate": 0.1, "epochs": 20,
}


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.exit("seed_study: %s failed (%d): %s" % (" ".join(cmd),
                                                     r.returncode, r.stderr))
    return r.stdout


def noiseless(gahpo, names, params):
    """The predictive mean at params (a dict by name), via problems eval."""
    line = ",".join(str(params[n]) if not isinstance(params[n], bool)
                    else ("true" if params[n] else "false") for n in names)
    out = run([gahpo, "problems", "eval", "surrogate:deepttc"], input=line + "\n")
    return float(out.split()[0])


def ga_run(gahpo, tmp, tag, seed, args):
    out = os.path.join(tmp, "%s-%d" % (tag, seed))
    run([gahpo, "run", "--no-env", "--quiet", "--problem",
         "surrogate:deepttc:noisy", "--seed", str(seed), "--out", out] + args)
    best = json.load(open(os.path.join(out, "best.json")))
    return best["params"], best["evaluations"]


def bootstrap_median(v, rng, b=10000):
    meds = sorted(statistics.median(rng.choices(v, k=len(v))) for _ in range(b))
    return meds[int(0.025 * b)], meds[int(0.975 * b) - 1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gahpo", default=str(ROOT / "bin" / "gahpo"))
    ap.add_argument("--seeds", type=int, default=31)
    ap.add_argument("--budget", type=int, default=200)
    ap.add_argument("--workers", type=int, default=16)
    ap.add_argument("--out", default=str(ROOT / "results" / "deepttc"))
    a = ap.parse_args()
    if a.budget < 24 or (a.budget - 16) % 8:
        sys.exit("seed_study: --budget must be 16 + 8k (CANDLE's GA makes 8 "
                 "children per generation) and at least 24")
    info = run([a.gahpo, "problems", "info", "surrogate:deepttc"])
    names = [l.split()[1] for l in info.splitlines()[1:]
             if l[:1].isdigit()]
    base = noiseless(a.gahpo, names, DEFAULTS)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(1, a.seeds + 1):
            methods = {
                "random": ["--population-size", str(a.budget), "--num-iter", "1",
                           "--no-tuned-defaults"],
                "ga-candle": ["--no-tuned-defaults", "--num-iter",
                              str(1 + (a.budget - 16) // 8)],
                "ga-tuned": ["--budget", str(a.budget), "--jobs",
                             str(a.workers)],
            }
            for tag, args in methods.items():
                params, evals = ga_run(a.gahpo, tmp, tag, seed, args)
                loss = noiseless(a.gahpo, names, params)
                rows.append({"method": tag, "seed": seed, "evaluations": evals,
                             "loss": loss, "reduction": 1 - loss / base})
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "runs.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    rng = random.Random(20261128)
    lines = ["# Seed study: surrogate:deepttc (synthetic stand-in data)", "",
             "Command: `make seed-study` (scripts/seed_study.py). The surrogate "
             "is a GP fitted to a synthetic DeepTTC-like HPO log "
             "(surrogates/data/deepttc/README.md): these are figures about "
             "the method, not about DeepTTC itself.", "",
             "Validation loss at the model's default hyperparameters "
             "(noiseless surrogate mean): %.6g. Budget %d evaluations, %d "
             "seeds; a method's loss is the noiseless value of the best point "
             "it observed under noise." % (base, a.budget, a.seeds), "",
             "| method | mean evaluations | median loss | median relative "
             "reduction vs defaults | 95% CI |", "|---|---|---|---|---|"]
    for tag in ("random", "ga-candle", "ga-tuned"):
        red = [r["reduction"] for r in rows if r["method"] == tag]
        loss = [r["loss"] for r in rows if r["method"] == tag]
        ev = statistics.mean(r["evaluations"] for r in rows if r["method"] == tag)
        lo, hi = bootstrap_median(red, rng)
        lines.append("| %s | %.0f | %.6g | %.1f%% | %.1f%% to %.1f%% |"
                     % (tag, ev, statistics.median(loss),
                        100 * statistics.median(red), 100 * lo, 100 * hi))
    wins = sum(1 for s in range(1, a.seeds + 1)
               if [r["loss"] for r in rows if r["seed"] == s and
                   r["method"] == "ga-candle"][0] <
               [r["loss"] for r in rows if r["seed"] == s and
                r["method"] == "random"][0])
    lines += ["", "GA (CANDLE defaults) beats random search on %d of %d "
              "seeds." % (wins, a.seeds)]
    report = "\n".join(lines) + "\n"
    with open(os.path.join(a.out, "report.md"), "w") as f:
        f.write(report)
    print(report)


if __name__ == "__main__":
    main()
