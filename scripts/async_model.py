#!/usr/bin/python3
"""STAND-IN model for scripts/async_real.sh: it trains nothing.

A real process for `gahpo run` (local executor) that behaves like a training
run with a heavy-tailed run time: it reports the loss of surrogate:deepttc, a
Gaussian process fitted to a SYNTHETIC stand-in for DeepTTC's HPO log
(surrogates/data/deepttc/README.md; no conclusion about DeepTTC follows), and
takes a seeded log-normal time to do so.

    async_model.py [--gahpo-bin PATH] [--seed N] [--median M] [--sigma S]
                   [--cap C] -- --name value --name value ...

Before `--`: this script's own options; after it: the hyperparameters as
`gahpo run` appends them (`--name value`, in the space's order). They must
match params.json in the working directory (same names, same order).

- loss: `GAHPO_BIN problems eval surrogate:deepttc` with the values
  comma-separated on stdin (the form `gahpo problems eval` reads: numbers,
  ordered and categorical parameters by their value). The noiseless
  surrogate: `problems eval` passes no generator, so NAME:noisy would
  return the same predictive mean (docs/PROBLEMS.md).
- duration: median M x exp(S x N(0,1)), capped at C x M, from a generator
  seeded by a hash of (seed, the hyperparameter text), so the same
  configuration takes the same time in every run of the experiment. The
  duration covers the whole model run, the surrogate call included: the
  script sleeps for what is left of it.
- timing.json: {"start", "end", "duration", "eval_seconds"} (time.time()
  at this script's start and just before result.json is written).
- result.json: {"val_loss": loss}.

--gahpo-bin (else $GAHPO_BIN, else bin/gahpo beside this script's folder)
names the gahpo binary. Exit status 2 on bad arguments, 1 if the surrogate
call fails (gahpo then logs the evaluation as failed).
"""

import hashlib
import json
import math
import os
import random
import subprocess
import sys
import time

START = time.time()
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROBLEM = "surrogate:deepttc"


def die(code, msg):
    sys.stderr.write("async_model.py: %s\n" % msg)
    sys.exit(code)


def parse(argv):
    """Own options (before --) and the hyperparameters as (name, text)."""
    opts = {"gahpo-bin": None, "seed": "1", "median": "0.5", "sigma": "1",
            "cap": "8"}
    own, params = argv, []
    if "--" in argv:
        i = argv.index("--")
        own, rest = argv[:i], argv[i + 1:]
    else:
        own, rest = [], argv
    if len(own) % 2:
        die(2, "own options come in --name value pairs: %r" % own)
    for k, v in zip(own[::2], own[1::2]):
        if not k.startswith("--") or k[2:] not in opts:
            die(2, "unknown option %s (known: %s)" % (k, ", ".join(opts)))
        opts[k[2:]] = v
    if len(rest) % 2 or not rest:
        die(2, "hyperparameters must be --name value pairs, got %r" % rest)
    for k, v in zip(rest[::2], rest[1::2]):
        if not k.startswith("--"):
            die(2, "expected --name, got %r" % k)
        params.append((k[2:], v))
    return opts, params


def check_params_json(params):
    """The flags and params.json must agree (names, order, values)."""
    try:
        with open("params.json") as f:
            pj = json.load(f)
    except (OSError, ValueError) as e:
        die(2, "cannot read params.json: %s" % e)
    if [k for k, _ in params] != list(pj):
        die(2, "the flags name %s but params.json %s"
            % ([k for k, _ in params], list(pj)))
    for k, v in params:
        if float(v) != float(pj[k]):
            die(2, "%s is %s in the flags but %r in params.json" % (k, v, pj[k]))


def duration(opts, params):
    """Seeded heavy-tailed run time: log-normal, capped."""
    text = "%s\n%s" % (opts["seed"],
                       " ".join("--%s %s" % (k, v) for k, v in params))
    digest = hashlib.sha256(text.encode()).digest()
    rng = random.Random(int.from_bytes(digest[:8], "big"))
    median, sigma, cap = (float(opts[k]) for k in ("median", "sigma", "cap"))
    return min(median * math.exp(sigma * rng.gauss(0.0, 1.0)), cap * median)


def surrogate_loss(gahpo, params):
    line = ",".join(v for _, v in params) + "\n"
    p = subprocess.run([gahpo, "problems", "eval", PROBLEM], input=line,
                       capture_output=True, text=True)
    if p.returncode != 0:
        die(1, "%s problems eval %s failed (%d): %s"
            % (gahpo, PROBLEM, p.returncode, p.stderr.strip()))
    return float(p.stdout.strip())


def main():
    opts, params = parse(sys.argv[1:])
    check_params_json(params)
    gahpo = (opts["gahpo-bin"] or os.environ.get("GAHPO_BIN")
             or os.path.join(ROOT, "bin", "gahpo"))
    d = duration(opts, params)
    loss = surrogate_loss(gahpo, params)
    eval_seconds = time.time() - START
    time.sleep(max(0.0, d - (time.time() - START)))
    end = time.time()
    with open("timing.json", "w") as f:
        json.dump({"start": START, "end": end, "duration": d,
                   "eval_seconds": eval_seconds}, f)
    with open("result.json.tmp", "w") as f:
        json.dump({"val_loss": loss}, f)
    os.replace("result.json.tmp", "result.json")


if __name__ == "__main__":
    main()
