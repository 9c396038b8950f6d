/* evaluate.h - settings against the CANDLE defaults on a spec's test
 * problems ("test", never seen by the tuning), with the problem as the
 * unit of every claim.
 *
 * Every setting and the reference run on each test problem, replicates
 * times each (every run its own seed), to the spec's budget. At each checkpoint
 * (a budget), per problem: d = median log10 error of the defaults minus
 * the setting's (above 0: the setting is better), and Vargha-Delaney A12
 * (the chance that a run of the setting ends below a run of the defaults,
 * ties half). Across problems: the ratio 10^mean(d) (the defaults' error
 * over the setting's, geometric mean over problems) with a 95% bootstrap
 * interval over problems, the Wilcoxon signed-rank test of d against 0
 * (problems as units), the mean A12; Holm's correction over every
 * (setting, checkpoint) cell. */
#ifndef SWEEP_EVALUATE_H
#define SWEEP_EVALUATE_H

#include <cJSON.h>

#include "sweep.h"

/* One cell: a setting at a budget. */
typedef struct sweep_eval_cell {
    size_t setting;          /* index into the labels */
    long evaluations;        /* the checkpoint */
    int wallclock;           /* 1: at the simulated time checkpoint
                                evaluations x median / workers (a spec with
                                durations), 0: after that many evaluations */
    size_t problems;
    double ratio, lo, hi;    /* defaults' error / the setting's, CI */
    double p, p_holm;        /* Wilcoxon over problems, Holm-adjusted */
    double a12;              /* mean over problems */
    long better, worse;      /* problems with d > 0, d < 0 */
} sweep_eval_cell;

/* Run the n settings (vals[i * nfactors + k], labels[i]) and the CANDLE
 * defaults on spec's test problems, replicates each, into dir (a sweep
 * directory: runs.csv, ...; then evaluation.csv, evaluation.md and
 * problems.csv, each problem's medians and A12 per setting and
 * checkpoint, for comparisons between settings).
 * *cells (n x spec->ncheck, twice that with durations: the evaluation
 * checkpoints, then the wall-clock ones; caller frees), *ncells, and
 * *evidence (a JSON array,
 * caller frees; may be NULL) come back. A setting that is the defaults
 * gets ratio 1 and p 1. GA_EINPUT when the spec has no test problems. */
int sweep_evaluate(const sweep_spec *spec, char *const *labels,
                   char *const *vals, size_t n, long replicates,
                   const char *dir, int threads, volatile int *cancel,
                   sweep_eval_cell **cells, size_t *ncells, cJSON **evidence,
                   ga_error *err);

/* Vargha-Delaney A12 of x (n) against y (m), lower is better: P(x < y) +
 * P(x = y) / 2 over all pairs. */
double sweep_a12(const double *x, size_t n, const double *y, size_t m);

#endif
