/* steady.h - the asynchronous steady-state GA (--strategy async).
 *
 * In a generational GA every generation waits for its slowest job. Here
 * there are no generations: whenever an evaluation finishes it is told at
 * once, and a new individual is asked for and submitted, keeping every
 * worker busy. Rules (documented in docs/CLUSTERS.md):
 *   - until the population holds population_size evaluated individuals,
 *     new individuals are random (the initial population);
 *   - afterwards a new individual comes from the current population as in
 *     DEAP's varOr: with probability cx_prob the first child of a uniform
 *     crossover of two tournament winners, else a mutated copy of one
 *     tournament winner (a plain copy would repeat an evaluation, so the
 *     reproduction share goes to mutation);
 *   - a told individual joins the population while it is not full, then
 *     replaces the worst member if it is better (replace-worst).
 * Failed evaluations (NaN) are dropped: they never enter the population. */
#ifndef GA_STEADY_H
#define GA_STEADY_H

#include <stddef.h>

#include <cJSON.h>

#include "error.h"
#include "popstats.h"
#include "settings.h"
#include "space.h"

typedef struct ga_steady ga_steady;

/* A new steady-state GA; uses population_size, cx_prob, mut_prob (their
 * sum is not limited), cx_indpb, mut_indpb, tournsize and seed. The space
 * must outlive it. NULL with err on failure. */
ga_steady *ga_steady_alloc(const ga_space *space, const ga_settings *settings,
                           ga_error *err);
void ga_steady_free(ga_steady *s);

/* The next individual to evaluate, into genes (space->n). */
void ga_steady_ask(ga_steady *s, double *genes);

/* The fitness of an individual asked before (any order; NaN: failed):
 * the GA alone, no run rules (ga_steady_told applies them). */
void ga_steady_tell(ga_steady *s, const double *genes, double fitness);

/* ---- the run's rules, as ga_engine_tell applies them to a generation --- */

/* Tell a finished evaluation (ga_steady_tell) and apply the run's rules:
 * - nan_policy fail: a failure (NaN) is GA_EFAIL naming evaluation index
 *   and reason; any other policy drops it (it never enters the
 *   population);
 * - a population still empty after population_size evaluations is
 *   GA_EFAIL (nothing to breed from);
 * - a statistics row (ga_stats_row_fill) once population_size evaluations
 *   are told, then every lambda evaluations; *row_made = 1 then;
 * - target reached, or no improvement for stall_generations x lambda
 *   evaluations: the GA stops asking (ga_steady_stopping) with a reason.
 * GA_OK, or GA_EFAIL as above or when out of memory. */
int ga_steady_told(ga_steady *s, const double *genes, double fitness,
                   size_t index, const char *reason, int *row_made,
                   ga_error *err);

/* The statistics rows so far. */
const ga_stats_row *ga_steady_stats(const ga_steady *s, size_t *n);
/* Evaluations told since the last row. */
long ga_steady_row_pending(const ga_steady *s);
/* End the run's statistics with the partial row of the evaluations told
 * since the last one (at the end of a run): GA_OK, GA_EFAIL when out of
 * memory. */
int ga_steady_close_row(ga_steady *s, ga_error *err);
/* Take back the partial row closed at the end, so a run extended on
 * resume goes on filling it. */
void ga_steady_reopen_row(ga_steady *s);

/* Stop asking, for why (replacing an earlier reason: the run's wall-clock
 * limit ends it whatever the GA said); a stop the run decides (its budget,
 * its wall-clock limit). ga_steady_told's own rules keep the first. */
void ga_steady_stop(ga_steady *s, const char *why);
/* The run ended for why without the GA stopping (its budget was used up):
 * the reason is recorded, ga_steady_stopping stays as it was. */
void ga_steady_ended(ga_steady *s, const char *why);
/* Stopped asking; why in *reason (the reason the run ended, "" before). */
int ga_steady_stopping(const ga_steady *s, const char **reason);
/* Forget a stop (a finished run extended by a larger num_iter). */
void ga_steady_resume_asking(ga_steady *s);

/* The run-rule state into o ("stats", "block_told", "block_failed",
 * "since_best", "stopping", "stop_reason": the keys of an async
 * checkpoint): GA_OK, GA_EFAIL when out of memory. And back: GA_EINPUT
 * naming what is wrong (rows out of order, counts that do not add up with
 * the evaluations told). */
int ga_steady_save_rules(const ga_steady *s, cJSON *o, ga_error *err);
int ga_steady_restore_rules(ga_steady *s, const cJSON *o, ga_error *err);

/* The best fitness told so far (+inf before any) and its genes (NULL
 * before any). */
double ga_steady_best(const ga_steady *s, const double **genes);

/* Evaluations told so far. */
long ga_steady_evaluations(const ga_steady *s);

/* The current population: *n individuals (genes at i * space->n) and their
 * fitness. */
const double *ga_steady_population(const ga_steady *s, size_t *n,
                                   const double **fitness);

/* The whole state (population, best, counters, the generator's raw state)
 * as JSON that reads back exactly (caller deletes); NULL when out of
 * memory. */
cJSON *ga_steady_save(const ga_steady *s);
/* A steady-state GA in the saved state o, for the same space and
 * settings; NULL with err (GA_EINPUT naming what is wrong) otherwise. */
ga_steady *ga_steady_restore(const ga_space *space, const ga_settings *settings,
                             const cJSON *o, ga_error *err);

#endif
