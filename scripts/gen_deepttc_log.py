#!/usr/bin/python3
"""gen_deepttc_log.py - SYNTHETIC stand-in evaluation logs for surrogate fitting.

No real DeepTTC hyperparameter-search log can be obtained here, so this
script makes one from a plausible, documented response model. Everything it
writes is synthetic; the fitting code (gahpo fit) takes a real log in the
same formats unchanged.

  --problem deepttc  (default) surrogates/data/deepttc/log.jsonl: ~600
      evaluations of DeepTTC's hyperparameters (surrogates/data/deepttc/
      space.json) in the pattern of CANDLE GA runs plus random search:
        * two GA runs (ids ga1, ga2; population 40, 6 generations, CANDLE's
          mu_plus_lambda with its default probabilities), logged as gahpo's
          own evals.jsonl lines
          {"run","gen","ind","params","fitness" (null + "reason" on failure),
           "wall_time"};
        * 110 random-search evaluations and 10 repeats of DeepTTC's
          published defaults (duplicates carry the noise), logged as
          {"params": {...}, "val_loss": x} lines.
      Every line carries "synthetic": true (the loader ignores extra keys).
  --problem mixed  surrogates/data/synthetic_mixed/log.csv: 400 random
      evaluations of a synthetic function on a mixed space (space.json
      there), as CSV with a timing column the loader must ignore.

Response model for DeepTTC (val_loss ~ the MSE of predicted AUC, best ~0.008):
  u = log10(learning_rate), b = log2(batch_size / 64)
  u_opt = -4.0 + 0.25 b                (bigger batches tolerate bigger steps)
  loss = 0.0080
       + 0.0020 (u - u_opt)^2 + 0.0030 max(0, u - u_opt)^2   (too slow / unstable)
       + 0.0100 (dropout - 0.12)^2
       + 0.0015 / n_layer + 0.00004 n_layer (0.25 - hidden_dropout) ... (depth vs
         overfitting, see deepttc_response() for every term)
       + small terms for embedding size, intermediate size, attention heads
         (8 best), attention-probs dropout and hidden dropout
  times multiplicative log-normal noise (sigma 0.04: seed-to-seed variance).
Failures (fitness null with a reason, or NaN): divergence when the learning
rate is far above u_opt ("loss is nan"), CUDA out of memory for large
batch x width x depth, and 1% random node failures.

Usage: /usr/bin/python3 scripts/gen_deepttc_log.py [--problem deepttc|mixed]
       [--seed N] [--out FILE]
The committed files were made with the defaults (seed 20240611).
"""
import argparse
import json
import math
import os
import random

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_space(path):
    with open(path) as f:
        return json.load(f)


# ---- drawing and mutating configurations (CANDLE's GA operators) ----------

def draw(p, rng):
    t = p["type"]
    if t in ("int", "float"):
        lo, hi = p["lower"], p["upper"]
        if p.get("log_scale"):
            v = 10 ** rng.uniform(math.log10(lo), math.log10(hi))
            v = min(max(v, lo), hi)
        else:
            v = rng.uniform(lo, hi)
        return int(round(v)) if t == "int" else v
    if t in ("categorical", "ordered"):
        return rng.choice(p["values"])
    if t == "logical":
        return rng.random() < 0.5
    return p["value"]


def mutate(p, v, rng):
    t = p["type"]
    if t in ("int", "float"):
        lo, hi = p["lower"], p["upper"]
        if p.get("log_scale"):
            s = (math.log10(hi) - math.log10(lo)) / 10
            w = 10 ** (math.log10(v) + rng.gauss(0, s))
        else:
            w = v + rng.gauss(0, (hi - lo) / 10)
        w = min(max(w, lo), hi)
        return int(round(w)) if t == "int" else w
    if t == "ordered":
        vals = p["values"]
        i = vals.index(v) + int(round(rng.gauss(0, len(vals) / 10)))
        return vals[min(max(i, 0), len(vals) - 1)]
    if t == "categorical":
        others = [x for x in p["values"] if x != v]
        return rng.choice(others) if others else v
    if t == "logical":
        return not v
    return v


# ---- the DeepTTC response model ---------------------------------------------

HEADS = {2: 0.0006, 4: 0.0002, 8: 0.0, 16: 0.0004}


def deepttc_response(c):
    """Noise-free val_loss of a configuration (see the module docstring)."""
    u = math.log10(c["learning_rate"])
    b = math.log2(c["batch_size"] / 64)
    u_opt = -4.0 + 0.25 * b
    du = u - u_opt
    n = c["transformer_n_layer_drug"]
    e = math.log2(c["transformer_emb_size_drug"] / 64)          # 0..3
    m = math.log2(c["transformer_intermediate_size_drug"] / 256)  # 0..3
    hd = c["transformer_hidden_dropout_rate"]
    loss = 0.0080
    loss += 0.0020 * du * du + 0.0030 * max(0.0, du) ** 2
    loss += 0.0100 * (c["dropout"] - 0.12) ** 2
    loss += 0.0015 / n + 0.00004 * n * max(0.0, 0.25 - hd) * 4
    loss += 0.0004 * (e - 1.3) ** 2 + 0.00015 * (m - 1.2) ** 2
    loss += HEADS[c["transformer_num_attention_heads_drug"]]
    loss += 0.0040 * (c["transformer_attention_probs_dropout"] - 0.1) ** 2
    loss += 0.0060 * (hd - 0.1) ** 2
    loss += 0.0002 * abs(b) * (1 if du < 0 else 0.5)
    return loss


def deepttc_evaluate(c, rng):
    """(val_loss or None, reason, wall_time) of one simulated training run."""
    u = math.log10(c["learning_rate"])
    b = math.log2(c["batch_size"] / 64)
    du = u - (-4.0 + 0.25 * b)
    mem = (c["batch_size"] / 64) * (c["transformer_emb_size_drug"] / 128) * \
        (c["transformer_n_layer_drug"] / 8) * \
        (0.5 + c["transformer_intermediate_size_drug"] / 2048)
    wall = 900 * (c["transformer_n_layer_drug"] / 8) * \
        (0.6 + c["transformer_emb_size_drug"] / 256) * \
        (64 / c["batch_size"]) ** 0.5 * rng.uniform(0.9, 1.1)
    if mem > 6.0 and rng.random() < 0.9:
        return None, "CUDA out of memory", round(rng.uniform(30, 90), 1)
    if du > 0.9 and rng.random() < 1 / (1 + math.exp(-4 * (du - 1.3))):
        return float("nan"), "loss is nan (diverged)", round(wall * rng.uniform(0.1, 0.5), 1)
    if rng.random() < 0.01:
        return None, "node failure (exit 137)", round(rng.uniform(10, 600), 1)
    y = deepttc_response(c) * math.exp(rng.gauss(0, 0.04))
    return y, None, round(wall, 1)


# ---- a CANDLE-style GA (mu_plus_lambda, DEAP semantics, simplified) ---------

def ga_run(space, evaluate, rng, run_id, pop_size=40, generations=6,
           cx_prob=0.2, mut_prob=0.8, indpb=0.5, tournsize=4):
    lines = []

    def ev(pop, gen):
        fits = []
        for i, c in enumerate(pop):
            y, reason, wall = evaluate(c, rng)
            rec = {"run": run_id, "gen": gen, "ind": i, "params": dict(c),
                   "synthetic": True}
            if y is None or y != y:
                rec["fitness"] = None
                rec["reason"] = reason
            else:
                rec["fitness"] = y
            rec["wall_time"] = wall
            lines.append(rec)
            fits.append(y if y is not None and y == y else None)
        ok = [f for f in fits if f is not None]
        mean = sum(ok) / len(ok) if ok else 1.0
        return [f if f is not None else mean for f in fits]  # CANDLE's NaN rule

    def tournament(pop, fits):
        best = None
        for _ in range(tournsize):
            i = rng.randrange(len(pop))
            if best is None or fits[i] < fits[best]:
                best = i
        return best

    pop = [{p["name"]: draw(p, rng) for p in space} for _ in range(pop_size)]
    fits = ev(pop, 0)
    for gen in range(1, generations):
        kids = []
        for _ in range(pop_size):
            r = rng.random()
            a = dict(pop[tournament(pop, fits)])
            if r < cx_prob:
                other = pop[tournament(pop, fits)]
                for p in space:
                    if rng.random() < indpb:
                        a[p["name"]] = other[p["name"]]
            elif r < cx_prob + mut_prob:
                for p in space:
                    if rng.random() < indpb:
                        a[p["name"]] = mutate(p, a[p["name"]], rng)
            kids.append(a)
        kfits = ev(kids, gen)
        allp, allf = pop + kids, fits + kfits
        sel = [tournament(allp, allf) for _ in range(pop_size)]
        pop = [dict(allp[i]) for i in sel]
        fits = [allf[i] for i in sel]
    return lines


def plain_line(c, y, reason):
    rec = {"params": dict(c), "val_loss": None if y is None or y != y else y,
           "synthetic": True}
    if reason:
        rec["reason"] = reason
    return rec


def make_deepttc(seed, out):
    space = load_space(os.path.join(ROOT, "surrogates/data/deepttc/space.json"))
    rng = random.Random(seed)
    lines = ga_run(space, deepttc_evaluate, rng, "ga1")
    lines += ga_run(space, deepttc_evaluate, rng, "ga2")
    default = {"learning_rate": 1e-5, "batch_size": 64, "dropout": 0.1,
               "transformer_n_layer_drug": 8, "transformer_emb_size_drug": 128,
               "transformer_intermediate_size_drug": 512,
               "transformer_num_attention_heads_drug": 8,
               "transformer_attention_probs_dropout": 0.1,
               "transformer_hidden_dropout_rate": 0.1, "epochs": 20}
    for _ in range(10):
        y, reason, _ = deepttc_evaluate(default, rng)
        lines.append(plain_line(default, y, reason))
    for _ in range(110):
        c = {p["name"]: draw(p, rng) for p in space}
        y, reason, _ = deepttc_evaluate(c, rng)
        lines.append(plain_line(c, y, reason))
    with open(out, "w") as f:
        for rec in lines:
            # NaN is written as JSON's nearest thing, null, by plain_line; the
            # GA lines already hold null for failures
            f.write(json.dumps(rec, sort_keys=False) + "\n")
    return len(lines)


# ---- the second log: a synthetic mixed-space function -----------------------

MIXED_SPACE = [
    {"name": "lr", "type": "float", "lower": 1e-4, "upper": 1e-1, "log_scale": True},
    {"name": "momentum", "type": "float", "lower": 0.0, "upper": 0.99},
    {"name": "units", "type": "int", "lower": 8, "upper": 256},
    {"name": "batch", "type": "ordered", "element_type": "int",
     "values": [16, 32, 64, 128, 256]},
    {"name": "optimizer", "type": "categorical", "element_type": "string",
     "values": ["sgd", "adam", "rmsprop"]},
    {"name": "batch_norm", "type": "logical"},
    {"name": "epochs", "type": "constant", "value": 50},
]
OPT = {"sgd": 0.08, "adam": 0.0, "rmsprop": 0.03}


def mixed_response(c):
    """A smooth synthetic loss: a learning-rate valley that moves with the
    optimizer and momentum, a capacity optimum in units, batch effects."""
    u = math.log10(c["lr"])
    u_opt = (-3.0 if c["optimizer"] != "sgd" else -1.7) - 0.8 * (c["momentum"] - 0.5)
    v = 0.30 + 0.10 * (u - u_opt) ** 2
    v += 0.05 * (math.log2(c["units"]) - 6.5) ** 2
    v += 0.02 * math.sin(3 * c["momentum"]) + OPT[c["optimizer"]]
    v += 0.01 * (math.log2(c["batch"]) - 5) ** 2 - (0.04 if c["batch_norm"] else 0)
    return v


def make_mixed(seed, out):
    d = os.path.dirname(out)
    with open(os.path.join(d, "space.json"), "w") as f:
        json.dump(MIXED_SPACE, f, indent=2)
        f.write("\n")
    rng = random.Random(seed)
    names = [p["name"] for p in MIXED_SPACE if p["type"] != "constant"]
    with open(out, "w") as f:
        f.write(",".join(names) + ",val_loss,runtime_s\n")
        for _ in range(400):
            c = {p["name"]: draw(p, rng) for p in MIXED_SPACE}
            y = mixed_response(c) * math.exp(rng.gauss(0, 0.03))
            if rng.random() < 0.03:
                y = float("nan")
            cells = [repr(c[n]) if isinstance(c[n], float) else str(c[n])
                     for n in names]
            f.write(",".join(cells) + ",%r,%.1f\n" % (y, rng.uniform(5, 50)))
    return 400


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--problem", choices=["deepttc", "mixed"], default="deepttc")
    ap.add_argument("--seed", type=int, default=20240611)
    ap.add_argument("--out")
    a = ap.parse_args()
    if a.problem == "deepttc":
        out = a.out or os.path.join(ROOT, "surrogates/data/deepttc/log.jsonl")
        n = make_deepttc(a.seed, out)
    else:
        out = a.out or os.path.join(ROOT, "surrogates/data/synthetic_mixed/log.csv")
        n = make_mixed(a.seed, out)
    print("wrote %s: %d synthetic evaluations (seed %d)" % (out, n, a.seed))


if __name__ == "__main__":
    main()
