#!/usr/bin/python3
"""TEMPLATE: the bridge between gahpo and your model (python3, standard library).

gahpo runs one copy of this script per evaluation, in that evaluation's own
job directory (RUN/gen_G/ind_I/), as

    /usr/bin/python3 /abs/path/model_wrapper.py [your fixed flags] \
        --learning_rate 0.00123 --batch_size 64 --optimizer adam ...

and also writes the same values, typed, to params.json in that directory.
This script collects them, calls train(params), and writes the loss to
result.json as {"val_loss": ...}. gahpo MINIMISES that number.

What to change:
  1. DEFAULTS: your model's default hyperparameters (used for any parameter
     that gahpo does not pass, e.g. when you run this script by hand).
  2. train(params): replace the stand-in objective with your training run;
     return the validation loss (lower is better). For a metric where higher
     is better (accuracy, R2), return its negative or 1 - metric.
  3. RESULT_FILE / RESULT_KEY: only if you also change gahpo's --result-file /
     --result-key.

Exit status: 0 with result.json written on success; 1 if train() raised;
3 if the loss was NaN or infinite. gahpo records any non-zero exit, a
missing result file, a NaN loss and a run killed by --timeout as a failed
evaluation (see docs/GUIDE.md, "Failures").
"""
import json
import math
import os
import sys
import tempfile
import traceback

RESULT_FILE = "result.json"   # gahpo's --result-file (default result.json)
RESULT_KEY = "val_loss"       # gahpo's --result-key (default val_loss)

# CHANGE: your model's defaults. The names must match the "name"s in your
# space file; parameters gahpo passes replace these.
DEFAULTS = {
    "learning_rate": 1e-3,
    "weight_decay": 1e-4,
    "dropout": 0.1,
    "num_layers": 2,
    "hidden_units": 256,
    "batch_size": 64,
    "optimizer": "adam",
    "activation": "relu",
    "batch_norm": True,
    "epochs": 20,
}


def parse_value(text):
    """A flag's text as a Python value: gahpo writes ints and floats in the
    shortest form that reads back exactly, logicals as True/False, strings
    as they are."""
    if text in ("True", "False"):
        return text == "True"
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return text


def parse_flags(argv):
    """--name value pairs (also --name=value) into a dict; the last one of a
    repeated name wins, as with argparse. A flag with no value is True."""
    params = {}
    i = 0
    while i < len(argv):
        arg = argv[i]
        if not arg.startswith("--") or arg == "--":
            raise SystemExit("model_wrapper: unexpected argument %r" % arg)
        name = arg[2:]
        if "=" in name:
            name, text = name.split("=", 1)
            i += 1
        elif i + 1 < len(argv) and not argv[i + 1].startswith("--"):
            text = argv[i + 1]
            i += 2
        else:
            params[name] = True
            i += 1
            continue
        params[name] = parse_value(text)
    return params


def collect_params(argv):
    """DEFAULTS, then the command-line flags, then params.json (gahpo's
    typed values, present in the job directory even with --no-param-flags)."""
    params = dict(DEFAULTS)
    params.update(parse_flags(argv))
    if os.path.exists("params.json"):
        with open("params.json") as f:
            params.update(json.load(f))
    return params


def train(params):
    """CHANGE: train your model with params and return its validation loss.

    STAND-IN OBJECTIVE, NOT A MODEL: a cheap closed-form function of the
    template space's parameters, with its minimum near learning_rate 1e-3,
    dropout 0.2, 3 layers, 256 units, batch 64, adamw, gelu, batch_norm on.
    It lets you try gahpo end to end in seconds."""
    lr = math.log10(params["learning_rate"]) + 3.0
    wd = math.log10(params["weight_decay"]) + 4.0
    units = math.log2(params["hidden_units"]) - 8.0
    batch = math.log2(params["batch_size"]) - 6.0
    loss = (0.30 * lr ** 2 + 0.02 * wd ** 2
            + 2.0 * (params["dropout"] - 0.2) ** 2
            + 0.05 * (params["num_layers"] - 3) ** 2
            + 0.04 * units ** 2 + 0.03 * batch ** 2
            + {"adamw": 0.0, "adam": 0.02, "rmsprop": 0.08, "sgd": 0.15}
            .get(params["optimizer"], 0.2)
            + {"gelu": 0.0, "relu": 0.01, "elu": 0.02, "tanh": 0.06}
            .get(params["activation"], 0.1)
            + (0.0 if params["batch_norm"] else 0.03))
    return 0.25 + loss * (1.0 + 1.0 / params["epochs"])


def write_result(loss, params):
    """result.json, atomically: a temporary file in the same directory,
    flushed to disk, then renamed, so gahpo never reads half a file."""
    fd, tmp = tempfile.mkstemp(prefix=".result-", dir=".")
    try:
        with os.fdopen(fd, "w") as f:
            json.dump({RESULT_KEY: loss, "params": params}, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, RESULT_FILE)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def main(argv):
    params = collect_params(argv)
    print("model_wrapper: params %s" % json.dumps(params, sort_keys=True))
    try:
        loss = float(train(params))
    except Exception:
        traceback.print_exc()
        return 1
    if not math.isfinite(loss):
        print("model_wrapper: the loss is %r; no result written" % loss,
              file=sys.stderr)
        return 3
    write_result(loss, params)
    print("model_wrapper: %s = %r" % (RESULT_KEY, loss))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
