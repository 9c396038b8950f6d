#!/usr/bin/python3
"""irace's target runner for tuning gahpo's GA (scripts/compare/irace_tune.sh).

irace calls: irace_target.py CONFIG_ID INSTANCE_ID SEED INSTANCE [BOUND]
--population-size V --strategy V ... . This runs one GA with those
settings on the problem INSTANCE for $GAHPO_IRACE_BUDGET evaluations
(exactly: --budget) with the seed irace gives, and prints the cost the
configurator's races use with race.objective "anytime": the geometric mean
of the best-so-far error (best - f_opt) at the checkpoints 16, 32, 64, ...
and the budget (+1e-12 each). No shell: gahpo is called with an argv.
"""

import json
import math
import os
import subprocess
import sys
import tempfile

GAHPO = os.environ.get("GAHPO_BIN", "bin/gahpo")
BUDGET = int(os.environ.get("GAHPO_IRACE_BUDGET", "100"))


def f_opt(problem):
    out = subprocess.run([GAHPO, "problems", "info", problem],
                         capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith("f_opt "):
            return float(line.split()[1])
    return 0.0


def checkpoints(budget):
    c, out = 16, []
    while c < budget:
        out.append(c)
        c *= 2
    return out + [budget]


def main():
    args = sys.argv[1:]
    seed, instance = args[2], args[3]
    # irace passes the bound before the switches when it uses one; gahpo's
    # switches start with "--"
    first = next(i for i, a in enumerate(args[4:]) if a.startswith("--"))
    switches = args[4 + first:]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "run")
        r = subprocess.run([GAHPO, "run", "--no-env", "--no-tuned-defaults",
                            "--quiet", "--problem", instance, "--seed",
                            str(int(seed) % 4294967296), "--budget",
                            str(BUDGET), "--out", out] + switches,
                           capture_output=True, text=True)
        if r.returncode != 0:
            print("gahpo failed: %s" % r.stderr.strip(), file=sys.stderr)
            sys.exit(1)
        fits = []
        with open(os.path.join(out, "evals.jsonl")) as f:
            for line in f:
                v = json.loads(line).get("fitness")
                fits.append(math.inf if v is None else float(v))
    opt = f_opt(instance)
    best, at, k = math.inf, [], 0
    marks = checkpoints(BUDGET)
    for i, v in enumerate(fits, 1):
        best = min(best, v)
        while k < len(marks) and i >= marks[k]:
            at.append(best - opt)
            k += 1
    while len(at) < len(marks):
        at.append(best - opt)
    cost = 10 ** (sum(math.log10(max(e, 0) + 1e-12) for e in at) / len(at))
    print("%.17g" % cost)


if __name__ == "__main__":
    main()
