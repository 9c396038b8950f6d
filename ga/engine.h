/* engine.h - the generational GA as an ask/tell object.
 *
 * `ask` hands out the individuals that need a fitness, as one contiguous
 * batch; `tell` takes their fitnesses back (NaN for a failed evaluation),
 * completes the generation and prepares the next batch. A synchronous sweep,
 * a pool of cluster jobs and a resumed run all drive the same object.
 *
 * The algorithms are DEAP 1.3's eaSimple (tournament selection of N, then
 * varAnd) and eaMuPlusLambda (varOr makes lambda children, then N are
 * chosen by tournament from parents + children), as CANDLE's deap_ga.py
 * runs them. Minimization. */
#ifndef GA_ENGINE_H
#define GA_ENGINE_H

#include <stddef.h>

#include <cJSON.h>

#include "error.h"
#include "popstats.h"
#include "settings.h"
#include "space.h"


/* Individuals waiting for a fitness. genes[k*dim .. k*dim+dim) is the k-th;
 * index[k] is its position in the generation's offspring (or population, in
 * generation 0), as logged. Valid until the next tell. */
typedef struct ga_batch {
    size_t count;
    size_t dim;
    long generation;
    const double *genes;
    const size_t *index;
} ga_batch;

typedef struct ga_engine ga_engine;

/* A new engine with a random initial population drawn from settings->seed.
 * The space must outlive the engine. NULL with err set on failure. */
ga_engine *ga_engine_alloc(const ga_space *space, const ga_settings *settings,
                           ga_error *err);

void ga_engine_free(ga_engine *eng);

/* Replace the first count individuals of the initial population (before the
 * first tell) with the given genes (count x dim). count <= population. */
int ga_engine_seed_population(ga_engine *eng, const double *genes,
                              size_t count, ga_error *err);

/* The pending batch (count 0 when the run is done). */
void ga_engine_ask(const ga_engine *eng, ga_batch *batch);

/* Fitnesses of the pending batch, in batch order. GA_EFAIL with a message if
 * the NaN policy says the run cannot go on; the engine is then unchanged. */
int ga_engine_tell(ga_engine *eng, const double *fitness, ga_error *err);

/* Stop the run now (e.g. a wall-clock limit); reason is copied. */
void ga_engine_stop(ga_engine *eng, const char *reason);

/* Non-zero once the run is over; then the reason it stopped. */
int ga_engine_done(const ga_engine *eng);
const char *ga_engine_stop_reason(const ga_engine *eng);

/* Per-generation statistics so far; *n rows. */
const ga_stats_row *ga_engine_stats(const ga_engine *eng, size_t *n);

/* The current population: n individuals of dim genes and their fitness.
 * The genes are gathered into the engine's buffer at each call (valid until
 * the next call or tell); *fitness is valid until the next tell. */
const double *ga_engine_population(ga_engine *eng, size_t *n,
                                   const double **fitness);

/* Hall of fame, best first: *n entries, genes and fitness. */
const double *ga_engine_hof(const ga_engine *eng, size_t *n,
                            const double **fitness);

/* Total evaluations told so far. */
long ga_engine_evaluations(const ga_engine *eng);

/* Index of the last completed generation (-1 before the first tell). */
long ga_engine_generation(const ga_engine *eng);

/* The whole state (population, pending offspring, hall of fame, statistics,
 * RNG) as JSON, for checkpoints. New object, caller owns; NULL when out of
 * memory. */
cJSON *ga_engine_save(const ga_engine *eng);

/* An engine restored from ga_engine_save output, with the same space and
 * settings. Continuing it gives exactly what the saved one would have. */
ga_engine *ga_engine_restore(const ga_space *space, const ga_settings *settings,
                             const cJSON *state, ga_error *err);

#endif
