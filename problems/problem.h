/* problem.h - a test problem as an object: its space, an evaluator, and its
 * optimum where known. The engine never knows which problem it is on.
 * Evaluation is reentrant: a problem is read-only after construction, so
 * many threads may evaluate the same problem at once. */
#ifndef PROB_PROBLEM_H
#define PROB_PROBLEM_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "../ga/error.h"
#include "../ga/space.h"

typedef struct prob_problem prob_problem;

/* Evaluate n points (genes of point i at x + i*dim) into f[0..n). rng is for
 * noisy problems (NULL: noiseless). Must not modify the problem. */
typedef void (*prob_eval_fn)(const prob_problem *p, const double *x, size_t n,
                             double *f, gsl_rng *rng);

struct prob_problem {
    char name[128];          /* canonical registry name, e.g. "sphere:d10" */
    ga_space *space;         /* owned */
    size_t dim;              /* number of genes (space->n) */
    prob_eval_fn eval;
    int noisy;               /* eval draws noise from its rng argument */
    double f_opt;            /* optimal value (after any shift), NaN unknown */
    double *x_opt;           /* an optimal point (dim genes) or NULL */
    const void *data;        /* read-only per-problem data */
    void (*free_data)(void *data);
};

/* The seed of one noisy evaluation's generator, from the run's seed and
 * the individual's (generation, index): every evaluation draws its own
 * noise, the same however and whenever the run is executed. */
unsigned long prob_noise_seed(unsigned long seed, long generation, size_t index);

/* Evaluate n points (genes n x dim) into fitness: a noiseless problem in
 * one call; a noisy one point by point, point k's noise drawn from rng
 * seeded with prob_noise_seed(seed, generation, index[k]) (rng may be NULL
 * for a noiseless problem). */
void prob_eval_batch(const prob_problem *p, const double *genes, size_t n,
                     double *fitness, gsl_rng *rng, unsigned long seed,
                     long generation, const size_t *index);

/* A problem by registry name ("sphere:d10", "rastrigin:d5", ...). NULL with
 * err (GA_EINPUT, listing what exists) for an unknown or malformed name. */
prob_problem *prob_lookup(const char *name, ga_error *err);

void prob_free(prob_problem *p);

/* One line per family, for `gahpo problems list`. */
typedef struct prob_family {
    const char *pattern;     /* e.g. "sphere:dD" */
    const char *description;
} prob_family;

/* The registry's families; *n entries. */
const prob_family *prob_families(size_t *n);

#endif
