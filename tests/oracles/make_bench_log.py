#!/usr/bin/python3
"""make_bench_log.py - a seeded synthetic evaluation log for the GP benchmark.

Writes SPACE.json (a CANDLE space whose every parameter encodes to exactly
one GP input: floats, some on a log scale, ints, an ordered and, with 12
inputs, a logical) and LOG.csv (a header, then one row per evaluation with
a val_loss column), for scripts/bench_gp.sh and
tests/oracles/compare_sklearn.py --sizes.

The function is the one of tests/bench_surrogate.c, applied to the inputs
as gahpo encodes them (u_k in [0,1], after rounding ints and ordered values
to what the space allows):

    val_loss = sum_k w_k sin(3 u_k + k) + 0.05 (U - 0.5),
    w_k = 1 for k < 3, 0.2 otherwise,    U ~ uniform(0, 1)

Parameter values are drawn uniformly in the encoded unit interval (log
uniform for log-scale floats, uniform indices for the ordered), by numpy's
PCG64 generator seeded with --seed; the same seed, N and D give the same
bytes.

Usage:
  /usr/bin/python3 tests/oracles/make_bench_log.py --n N --d 9|12
      [--seed S] --space SPACE.json --log LOG.csv
"""
import argparse
import json
import math

import numpy as np

# name, type, then (lower, upper, log_scale) or the ordered values
PARAMS = [
    ("learning_rate", "float", 1e-5, 1e-1, True),
    ("dropout", "float", 0.0, 0.5, False),
    ("weight_decay", "float", 1e-6, 1e-2, True),
    ("momentum", "float", 0.5, 0.99, False),
    ("hidden_units", "int", 16, 1024, False),
    ("batch_size", "ordered", [16, 32, 64, 128, 256, 512, 1024]),
    ("warmup_fraction", "float", 0.0, 0.2, False),
    ("grad_clip", "float", 0.1, 10.0, True),
    ("label_smoothing", "float", 0.0, 0.3, False),
    # the 12-input space adds these three
    ("n_layers", "int", 1, 12, False),
    ("beta2", "float", 0.9, 0.9999, False),
    ("batch_norm", "logical"),
]


def space_of(d):
    out = []
    for p in PARAMS[:d]:
        if p[1] in ("float", "int"):
            e = {"name": p[0], "type": p[1], "lower": p[2], "upper": p[3]}
            if p[4]:
                e["log_scale"] = True
        elif p[1] == "ordered":
            e = {"name": p[0], "type": "ordered", "element_type": "int",
                 "values": p[2]}
        else:
            e = {"name": p[0], "type": "logical"}
        out.append(e)
    return out


def draw(p, rng):
    """A value of parameter p and its encoded input u in [0,1]."""
    if p[1] == "float":
        lo, hi, log = p[2], p[3], p[4]
        t = rng.uniform()
        if log:
            v = 10 ** (math.log10(lo) + t * (math.log10(hi) - math.log10(lo)))
            v = min(max(v, lo), hi)
            u = (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))
        else:
            v = lo + t * (hi - lo)
            u = (v - lo) / (hi - lo)
        return repr(float(v)), u
    if p[1] == "int":
        lo, hi = p[2], p[3]
        v = int(rng.integers(lo, hi + 1))
        return str(v), (v - lo) / (hi - lo)
    if p[1] == "ordered":
        i = int(rng.integers(0, len(p[2])))
        return str(p[2][i]), i / (len(p[2]) - 1)
    b = int(rng.integers(0, 2))
    return ("True" if b else "False"), float(b)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--d", type=int, required=True, choices=(9, 12))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--space", required=True)
    ap.add_argument("--log", required=True)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    params = PARAMS[:a.d]
    with open(a.space, "w") as f:
        json.dump(space_of(a.d), f, indent=1)
        f.write("\n")
    with open(a.log, "w") as f:
        f.write(",".join(p[0] for p in params) + ",val_loss\n")
        for _ in range(a.n):
            cells, y = [], 0.0
            for k, p in enumerate(params):
                cell, u = draw(p, rng)
                cells.append(cell)
                y += (1.0 if k < 3 else 0.2) * math.sin(3 * u + k)
            y += 0.05 * (rng.uniform() - 0.5)
            cells.append(repr(y))
            f.write(",".join(cells) + "\n")


if __name__ == "__main__":
    main()
