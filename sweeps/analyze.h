/* analyze.h - the statistics of a finished sweep (gahpo analyze DIR):
 * per setting x problem summaries, ranks across problems, the Friedman
 * test, every setting against the CANDLE defaults, and the selection and
 * export of tuned defaults. */
#ifndef SWEEP_ANALYZE_H
#define SWEEP_ANALYZE_H

#include <stdio.h>

#include "../ga/error.h"

#include <cJSON.h>

/* What to analyse for, and what comes back. */
typedef struct sweep_analysis {
    const char *version;  /* written into the provenance */
    FILE *out;            /* the report, or NULL */
    int write_files;      /* summary.csv, report.md, plots/, tuned_defaults.json */
    long workers;         /* judge rounds for this many workers (one of the
                             spec's); 0: the spec's first */
    long max_rounds;      /* selection cap; -1: the spec's */
    size_t selected;      /* out: the selected point */
    cJSON *tuned;         /* out: the tuned-defaults object (caller frees) */
} sweep_analysis;

/* Analyse the sweep in dir (spec.json, design.csv, runs.csv); with
 * write_files, write summary.csv, report.md, the figures' data and
 * tuned_defaults.json there (atomically). */
int sweep_analyze(const char *dir, sweep_analysis *a, ga_error *err);

#endif
