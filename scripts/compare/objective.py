"""gahpo's problems as the objective of other tools (Optuna, DEAP).

Every tool asks the same long-lived `gahpo problems eval NAME [--seed S]`
process, so every tool sees exactly the values gahpo's own runs see: the
problem's space comes from `gahpo problems info NAME`, points go in as
comma-separated typed values, one per line, and the answer comes back at
once. A noisy problem (`:noisy`) draws evaluation k's noise from (seed, k).

    space = load_space(gahpo, "surrogate:mlp_digits:noisy")
    with Objective(gahpo, "surrogate:mlp_digits:noisy", seed=3) as f:
        y = f([0.001, 64, 32, 2, "relu", "adam", 1e-4, 0.9, True, 20])
    noiseless(gahpo, "surrogate:mlp_digits:noisy", [point, ...])
"""

import json
import math
import re
import subprocess
from collections import namedtuple

Param = namedtuple("Param", "name type lower upper log sigma values value")
Space = namedtuple("Space", "params f_opt noisy")

_RANGE = re.compile(r"^\[(\S+), (\S+)\]( log_scale)?\s+sigma (\S+)")
_LEVELS = re.compile(r"^(\d+) (\w+) values (\[.*\])(?:\s+sigma (\S+))?")


def load_space(gahpo, problem):
    """The problem's parameters, f_opt (None if unknown) and noisiness,
    from `gahpo problems info`."""
    out = subprocess.run([gahpo, "problems", "info", problem], check=True,
                         capture_output=True, text=True).stdout
    lines = out.splitlines()
    params, f_opt = [], None
    for line in lines[1:]:
        if line.startswith("f_opt "):
            f_opt = float(line.split()[1])
            continue
        m = re.match(r"^(\d+)\s+(\S+)\s+(\w+)\s+(.*)$", line)
        if not m:
            continue
        name, kind, rest = m.group(2), m.group(3), m.group(4).strip()
        if kind in ("float", "int"):
            r = _RANGE.match(rest)
            params.append(Param(name, kind, float(r.group(1)),
                                float(r.group(2)), bool(r.group(3)),
                                float(r.group(4)), None, None))
        elif kind in ("categorical", "ordered"):
            r = _LEVELS.match(rest)
            values = json.loads(r.group(3))
            sigma = float(r.group(4)) if r.group(4) else None
            params.append(Param(name, kind, None, None, False, sigma, values,
                                None))
        elif kind == "logical":
            params.append(Param(name, kind, None, None, False, None,
                                [False, True], None))
        elif kind == "constant":
            params.append(Param(name, kind, None, None, False, None, None,
                                rest.lstrip("= ").strip()))
        else:
            raise ValueError("%s: unknown parameter type %r" % (problem, kind))
    return Space(params, f_opt, lines[0].rstrip().endswith("noisy"))


def as_text(param, v):
    if param.type == "constant":
        return param.value
    if isinstance(v, bool) or param.type == "logical":
        return "true" if v else "false"
    if param.type == "int":
        return str(int(round(v)))
    if param.type == "float":
        return repr(float(v))
    return str(v)


def line_of(space, point):
    return ",".join(as_text(p, v) for p, v in zip(space.params, point))


class Objective:
    """A long-lived evaluator; counts its evaluations."""

    def __init__(self, gahpo, problem, seed=None, space=None):
        self.space = space or load_space(gahpo, problem)
        cmd = [gahpo, "problems", "eval", problem]
        if seed is not None and self.space.noisy:
            cmd += ["--seed", str(seed)]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True,
                                     bufsize=1)
        self.count = 0

    def __call__(self, point):
        self.proc.stdin.write(line_of(self.space, point) + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline()
        if not answer:
            raise RuntimeError("gahpo problems eval stopped: point %r"
                               % (point,))
        self.count += 1
        return float(answer)

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def noiseless(gahpo, problem, space, points):
    """The problem's noiseless value at each point, in one call."""
    text = "".join(line_of(space, p) + "\n" for p in points)
    out = subprocess.run([gahpo, "problems", "eval", problem], input=text,
                         check=True, capture_output=True, text=True).stdout
    return [float(v) for v in out.split()]


def random_point(space, rng):
    """A uniform draw (log-uniform where log_scale), as gahpo draws."""
    point = []
    for p in space.params:
        if p.type in ("float", "int"):
            if p.log:
                v = 10 ** rng.uniform(math.log10(p.lower), math.log10(p.upper))
            elif p.type == "int":
                v = rng.randint(int(p.lower), int(p.upper))
            else:
                v = rng.uniform(p.lower, p.upper)
            point.append(int(round(v)) if p.type == "int" else v)
        elif p.type == "constant":
            point.append(p.value)
        else:
            point.append(rng.choice(p.values))
    return point
