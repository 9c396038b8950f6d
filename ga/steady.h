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

/* The fitness of an individual asked before (any order; NaN: failed). */
void ga_steady_tell(ga_steady *s, const double *genes, double fitness);

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
