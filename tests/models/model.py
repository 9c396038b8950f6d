#!/usr/bin/python3
"""A stand-in model for gahpo's tests (not a real training script).

Behaves like a CANDLE/IMPROVE model: reads its hyperparameters from
`--name value` flags and from params.json in its working directory, and
writes result.json with val_loss. The first argument picks a behaviour so
tests can make it fail in each way a real model can:

  ok       val_loss = sum of squares of the numeric parameters
  fail     exit status 3, no result
  sleep    sleep for --sleep-seconds (default 60) seconds, then ok
  garbage  result.json holds text that is not a number
  number   result written as one plain number to result.txt
  nan      val_loss is NaN
  slow     sleep GAHPO_TEST_SLEEP seconds (default 0.05), then ok
  flaky    exit status 3 on its first run in a job directory, then ok
  escape   start two sleeps that leave its process group (setsid), one
           with an empty environment, write their pids to escaped.txt,
           then ok

Every run also saves its argv to argv.json, for the tests that check that
values reach the model byte for byte, and appends a line to calls.txt, for
the tests that count how often an evaluation ran.
"""
import json
import os
import sys
import time

mode = sys.argv[1]
args = sys.argv[2:]
# one line per run in the job directory: tests count invocations with it
with open("calls.txt", "a") as f:
    f.write("%d\n" % os.getpid())
with open("argv.json", "w") as f:
    json.dump(args, f)
flags = {}
i = 0
while i + 1 < len(args):
    if args[i].startswith("--"):
        flags[args[i][2:]] = args[i + 1]
    i += 2
with open("params.json") as f:
    params = json.load(f)


def loss():
    total = 0.0
    for v in params.values():
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            total += float(v) ** 2
    return total


if mode == "fail":
    sys.exit(3)
if mode == "flaky":
    with open("calls.txt") as f:
        if len(f.readlines()) == 1:
            sys.exit(3)
if mode == "escape":
    import subprocess
    kids = [subprocess.Popen(["/bin/sleep", "300"], start_new_session=True),
            subprocess.Popen(["/bin/sleep", "301"], start_new_session=True,
                             env={})]
    with open("escaped.txt", "w") as f:
        f.write(" ".join(str(k.pid) for k in kids) + "\n")
if mode == "sleep":
    time.sleep(float(flags.get("sleep_seconds", 60)))
if mode == "slow":
    time.sleep(float(os.environ.get("GAHPO_TEST_SLEEP", "0.05")))
if mode == "garbage":
    with open("result.json", "w") as f:
        f.write("the loss went down, probably")
    sys.exit(0)
if mode == "number":
    with open("result.txt", "w") as f:
        f.write("%r\n" % loss())
    sys.exit(0)
value = float("nan") if mode == "nan" else loss()
with open("result.json", "w") as f:
    f.write(json.dumps({"val_loss": value}))
