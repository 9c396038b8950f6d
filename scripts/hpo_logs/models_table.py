#!/usr/bin/python3
"""The table of surrogate models for docs/SURROGATES.md: points, parameters,
output transform, fit, cross-validation and noise, read from each model
file in surrogates/models/ (what `gahpo fit` recorded there).

    /usr/bin/python3 scripts/hpo_logs/models_table.py [MODEL.json ...]
"""

import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def row(path):
    d = json.loads(Path(path).read_text())
    cv, k = d.get("cv", {}), d["kernel"]
    log_cv = cv.get("log_scale", {})
    rep = k.get("repeat_noise_variance")
    noise = ("%.3g (%d configurations)" % (math.sqrt(rep), k["repeat_groups"])
             if rep is not None
             else "no repeats in the log (the GP's fitted noise is used)")
    log_r2 = ("%.3f" % log_cv["r2"]) if "r2" in log_cv else "-"
    return ("| %s | %d | %d | %s | %.2f | %.1f | %.3f | %s | %.3f | %.3f | %s |"
            % (Path(path).stem, d["train"]["n"], len(d["space"]),
               d["encoding"]["output_transform"], k["log_marginal_likelihood"],
               d["fit"]["seconds"], cv.get("r2", float("nan")), log_r2,
               cv.get("spearman", float("nan")),
               cv.get("kendall", float("nan")), noise))


def main():
    paths = sys.argv[1:] or sorted(
        str(p) for p in (ROOT / "surrogates" / "models").glob("*.json"))
    print("| model | points | parameters | output | log marginal likelihood "
          "| fit s | CV R^2 | CV R^2 in log | CV Spearman | CV Kendall | "
          "noise sd from repeats (modelling scale) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for p in paths:
        print(row(p))


if __name__ == "__main__":
    main()
