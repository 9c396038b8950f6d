/* inprocess.c - the in-process executor: a registered problem evaluates
 * everything queued in one call (prob_eval_batch) at the next wait. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "../problems/problem.h"
#include "exec.h"
#include "../ga/rng.h"
#include "../ga/util.h"

typedef struct problem_ctx {
    const prob_problem *problem;
    gsl_rng *noise;
    unsigned long seed;
    /* queued: n jobs' genes (n x dim), index and generation */
    double *genes, *fitness;
    size_t *index;
    long *generation;
    size_t n, cap;
} problem_ctx;

static void problem_free(void *p)
{
    problem_ctx *c = p;
    if (!c)
        return;
    gsl_rng_free(c->noise);
    free(c->genes);
    free(c->fitness);
    free(c->index);
    free(c->generation);
    free(c);
}

static int grow(problem_ctx *c, size_t need, ga_error *err)
{
    if (need <= c->cap)
        return GA_OK;
    size_t cap = c->cap ? 2 * c->cap : 16, d = c->problem->dim;
    while (cap < need)
        cap *= 2;
    double *g = realloc(c->genes, cap * (d ? d : 1) * sizeof *g);
    if (g)
        c->genes = g;
    double *f = realloc(c->fitness, cap * sizeof *f);
    if (f)
        c->fitness = f;
    size_t *ix = realloc(c->index, cap * sizeof *ix);
    if (ix)
        c->index = ix;
    long *gen = realloc(c->generation, cap * sizeof *gen);
    if (gen)
        c->generation = gen;
    if (!g || !f || !ix || !gen)
        return ga_error_set(err, GA_EFAIL, "out of memory");
    c->cap = cap;
    return GA_OK;
}

static int problem_submit(void *p, const ga_space *space, const ga_job *jobs,
                          size_t n, int batch, ga_error *err)
{
    problem_ctx *c = p;
    size_t d = space->n;
    (void)batch;  /* every wait evaluates all that is queued */
    if (d != c->problem->dim)
        return ga_error_set(err, GA_EINPUT, "problem %s has %zu genes, the "
                            "space %zu", c->problem->name, c->problem->dim, d);
    int rc = grow(c, c->n + n, err);
    for (size_t k = 0; rc == GA_OK && k < n; k++, c->n++) {
        memcpy(c->genes + c->n * d, jobs[k].genes, d * sizeof(double));
        c->index[c->n] = jobs[k].index;
        c->generation[c->n] = jobs[k].generation;
    }
    return rc;
}

/* Everything queued, evaluated in one go (a run of one generation per
 * call of the problem) and reported in the order it was queued. */
static int problem_wait(void *p, double deadline, ga_result_fn done,
                        void *done_ctx, volatile sig_atomic_t *cancel,
                        ga_error *err)
{
    problem_ctx *c = p;
    size_t n = c->n, d = c->problem->dim;
    (void)deadline;
    (void)cancel;  /* microseconds: a batch is not worth interrupting */
    (void)err;
    for (size_t from = 0, to; from < n; from = to) {
        for (to = from + 1; to < n && c->generation[to] == c->generation[from];)
            to++;
        prob_eval_batch(c->problem, c->genes + from * d, to - from,
                        c->fitness + from, c->noise, c->seed,
                        c->generation[from], c->index + from);
    }
    c->n = 0;
    for (size_t k = 0; k < n; k++) {
        /* no wall time: a batch of microsecond calls has none worth logging,
         * and leaving it out keeps the log byte-identical run to run */
        ga_result r = { .fitness = c->fitness[k], .wall_time = NAN };
        r.reason[0] = '\0';
        r.job_id[0] = '\0';
        if (isnan(r.fitness))
            snprintf(r.reason, sizeof r.reason, "problem returned NaN");
        done(done_ctx, c->index[k], &r);
    }
    return GA_OK;
}

static void problem_stop(void *p)
{
    ((problem_ctx *)p)->n = 0;
}

ga_executor *ga_exec_problem_alloc(const prob_problem *problem,
                                   unsigned long noise_seed, ga_error *err)
{
    ga_executor *ex = calloc(1, sizeof *ex);
    problem_ctx *c = calloc(1, sizeof *c);
    if (c)
        c->noise = ga_rng_alloc(0);
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
    ex->submit = problem_submit;
    ex->wait = problem_wait;
    ex->stop = problem_stop;
    ex->free = problem_free;
    return ex;
}
