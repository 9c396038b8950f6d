/* inprocess.c - the in-process executor: a registered problem evaluates
 * the whole batch in one call (prob_eval_batch). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "../problems/problem.h"
#include "exec.h"
#include "../ga/util.h"

typedef struct problem_ctx {
    const prob_problem *problem;
    gsl_rng *noise;
    unsigned long seed;
    double *genes, *fitness;
    size_t *index;
    size_t cap;
} problem_ctx;

void ga_executor_free(ga_executor *ex)
{
    if (!ex)
        return;
    if (ex->free)
        ex->free(ex->ctx);
    free(ex);
}

static void problem_free(void *p)
{
    problem_ctx *c = p;
    if (!c)
        return;
    gsl_rng_free(c->noise);
    free(c->genes);
    free(c->fitness);
    free(c->index);
    free(c);
}

static int problem_run(void *p, const ga_space *space, const ga_job *jobs,
                       size_t n, ga_result_fn done, void *done_ctx,
                       volatile sig_atomic_t *cancel, ga_error *err)
{
    problem_ctx *c = p;
    size_t d = space->n;
    (void)cancel;
    if (d != c->problem->dim)
        return ga_error_set(err, GA_EINPUT, "problem %s has %zu genes, the "
                            "space %zu", c->problem->name, c->problem->dim, d);
    if (n > c->cap) {
        double *g = realloc(c->genes, n * d * sizeof *g);
        if (g)
            c->genes = g;
        double *f = realloc(c->fitness, n * sizeof *f);
        if (f)
            c->fitness = f;
        size_t *ix = realloc(c->index, n * sizeof *ix);
        if (ix)
            c->index = ix;
        if (!g || !f || !ix)
            return ga_error_set(err, GA_EFAIL, "out of memory");
        c->cap = n;
    }
    for (size_t k = 0; k < n; k++) {
        memcpy(c->genes + k * d, jobs[k].genes, d * sizeof(double));
        c->index[k] = jobs[k].index;
    }
    /* a batch is one generation's; should one mix them, each run of the
     * same generation is evaluated on its own */
    for (size_t from = 0, to; from < n; from = to) {
        for (to = from + 1; to < n && jobs[to].generation == jobs[from].generation;)
            to++;
        prob_eval_batch(c->problem, c->genes + from * d, to - from,
                        c->fitness + from, c->noise, c->seed,
                        jobs[from].generation, c->index + from);
    }
    for (size_t k = 0; k < n; k++) {
        /* no wall time: a batch of microsecond calls has none worth logging,
         * and leaving it out keeps the log byte-identical run to run */
        ga_result r = { .fitness = c->fitness[k], .wall_time = NAN };
        r.reason[0] = '\0';
        r.job_id[0] = '\0';
        if (isnan(r.fitness))
            snprintf(r.reason, sizeof r.reason, "problem returned NaN");
        done(done_ctx, k, &r);
    }
    return GA_OK;
}

ga_executor *ga_exec_problem_alloc(const prob_problem *problem,
                                   unsigned long noise_seed, ga_error *err)
{
    ga_executor *ex = calloc(1, sizeof *ex);
    problem_ctx *c = calloc(1, sizeof *c);
    if (c)
        c->noise = gsl_rng_alloc(gsl_rng_mt19937);
    if (!ex || !c || !c->noise) {
        free(ex);
        problem_free(c);
        ga_error_set(err, GA_EFAIL, "out of memory");
        return NULL;
    }
    c->seed = noise_seed;
    c->problem = problem;
    ex->name = "problem";
    ex->ctx = c;
    ex->run = problem_run;
    ex->free = problem_free;
    return ex;
}
