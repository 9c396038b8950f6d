/* configure.h - iterated racing over the GA's own parameters: the
 * configurator that chooses tuned settings from ranges instead of a grid.
 *
 * Each iteration samples candidate settings, races them (sweep_execute
 * with the race design: instances one at a time, Friedman and Conover's
 * post-hoc test drop the significantly worse ones) and keeps the best
 * survivors by mean rank as elites; the next iteration samples around the
 * elites (a truncated normal whose spread shrinks with the iterations for
 * ranges, the elite's level or a uniform one for levels, the parent elite
 * drawn with weight by rank), as irace does. The CANDLE defaults run in
 * every race as the reference and are never an elite; they are the choice
 * when they rank ahead of every survivor of the last race.
 *
 * Deterministic: candidates come from a generator seeded by the spec's
 * seed, each race's runs from (spec seed, race); byte-identical files for
 * any thread count. The tuning budget is counted in GA runs. */
#ifndef SWEEP_CONFIGURE_H
#define SWEEP_CONFIGURE_H

#include "sweep.h"

/* What the configurator chose, and what it cost. */
typedef struct sweep_configured {
    ga_settings settings;    /* the best elite of the last race */
    char **values;           /* its factor values (spec->nfactors), owned */
    double mean_rank;        /* in the last race, among its survivors */
    int reference;           /* every candidate of the last race was
                                raced out by the CANDLE defaults, or ranked
                                behind them: they are the choice */
    long runs;               /* GA runs made in all races */
    long races;
} sweep_configured;

void sweep_configured_free(sweep_configured *c, size_t nfactors);

/* Position in [0, 1] of a range factor's value (log scale for log ranges),
 * and the value at a position (as the design writes it); the position of
 * a level factor's value is its index / levels. */
double sweep_factor_position(const sweep_factor *f, const char *text);
char *sweep_factor_value(const sweep_factor *f, double q);

/* Iterated racing of spec's factors (spec->conf_*: iterations, candidates
 * per race, elites, tuning budget in runs; the race's first_test, alpha
 * and objective) into dir: race-01/, race-02/, ... (each a sweep
 * directory), configure.csv (every candidate of every race: its values,
 * mean rank, whether it finished the race and became an elite) and
 * configure.json (the choice). GA_EINPUT when dir already holds a
 * configuration; GA_EFAIL when out of memory or interrupted (cancel). */
int sweep_configure(const sweep_spec *spec, const char *dir, int threads,
                    volatile int *cancel, sweep_progress_fn progress,
                    void *progress_ctx, sweep_configured *out, ga_error *err);

#endif
