/* analyze.h - the statistics of a finished sweep (gahpo analyze DIR):
 * per setting x problem summaries, ranks across problems, the Friedman
 * test, every setting against the CANDLE defaults, and the selection and
 * export of tuned defaults. */
#ifndef SWEEP_ANALYZE_H
#define SWEEP_ANALYZE_H

#include <stdio.h>

#include "../ga/error.h"

/* Analyse the sweep in dir (spec.json, design.csv, runs.csv): writes
 * summary.csv, report.md and tuned_defaults.json there (atomically) and a
 * short report to out (may be NULL). version is written into the
 * provenance; the selected point's index goes to *selected (may be NULL). */
int sweep_analyze(const char *dir, const char *version, FILE *out,
                  size_t *selected, ga_error *err);

#endif
