/* tune.h - the shipped tuned defaults: the configurator (configure.h) at
 * every cell of a grid of budgets N and worker counts W, each choice then
 * measured on the spec's test problems against CANDLE's defaults and the
 * spec's reference settings, Holm's correction over the whole grid.
 *
 * A tune spec is a configure spec (sweeps/configure.json) with "budgets"
 * and "workers" lists in place of one budget and one worker count, and
 * optionally "references" ({"LABEL": {settings}, ...}: measured beside the
 * choices in the same runs). Grids with W > 1 need "durations". Each cell
 * races on the budgets it serves under gahpo run's lookup rule (nearest
 * in log scale): checkpoints from the geometric mean with the budget below
 * to the one with the budget above, on best-so-far error there (objective
 * anytime); with W > 1 a run that needs more than 1.25 x the rounds
 * CANDLE's defaults take for those evaluations scores worst (race
 * rounds_cap). Its first race starts from the previous budget's choice. On
 * the test set every choice is judged at N evaluations (the claim), and
 * with W > 1 also at the simulated wall-clock time they take (reported,
 * and tested for "worse").
 *
 * Layout of OUT: wW/bN/ (a configuration: configure.json, race-*),
 * wW/test/ (one evaluation per W: every N's choice and the references run
 * to the largest N, read at each N), tuned_defaults.json (an entry per
 * cell with its settings and evidence) and report.md. Deterministic: the
 * same spec gives the same files byte for byte, except the date in
 * tuned_defaults.json's provenance. */
#ifndef SWEEP_TUNE_H
#define SWEEP_TUNE_H

#include <cJSON.h>

#include "../ga/error.h"

typedef struct sweep_tune_opts {
    const char *spec_path;
    const char *out;         /* must not hold a tune already */
    int threads;
    int quiet;               /* no progress lines on stderr */
    volatile int *cancel;
    const char *version;     /* gahpo's, for the provenance */
    const char *date;        /* YYYY-MM-DD, for the provenance */
} sweep_tune_opts;

/* Run the tune; *result (caller frees) is the tuned_defaults.json written
 * to OUT. GA_EINPUT for a bad spec (nothing run), GA_EFAIL otherwise. */
int sweep_tune(const sweep_tune_opts *o, cJSON **result, ga_error *err);

#endif
