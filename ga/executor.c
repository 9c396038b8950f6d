/* executor.c - what the executor interface does on top of every executor
 * (executor.h): a batch evaluated through submit and wait, and freeing. */
#include "executor.h"

#include <stdlib.h>

void ga_executor_free(ga_executor *ex)
{
    if (!ex)
        return;
    if (ex->free)
        ex->free(ex->ctx);
    free(ex);
}

/* A job's index and its position in the batch, sorted by index. */
typedef struct slot {
    size_t index, k;
} slot;

typedef struct batch {
    const slot *slots;
    size_t n;
    size_t reported;
    ga_result_fn done;
    void *done_ctx;
} batch;

static int by_index(const void *a, const void *b)
{
    size_t x = ((const slot *)a)->index, y = ((const slot *)b)->index;
    return (x > y) - (x < y);
}

/* The executor reports a job's index: hand the caller its position. */
static void reported(void *p, size_t index, const ga_result *r)
{
    batch *b = p;
    slot key = { index, 0 };
    const slot *s = bsearch(&key, b->slots, b->n, sizeof *s, by_index);
    if (!s)
        return;  /* not one of ours: cannot happen, ignored */
    b->reported++;
    b->done(b->done_ctx, s->k, r);
}

int ga_executor_run(ga_executor *ex, const ga_space *space, const ga_job *jobs,
                    size_t n, ga_result_fn done, void *done_ctx,
                    volatile sig_atomic_t *cancel, ga_error *err)
{
    if (n == 0)
        return GA_OK;
    slot *slots = malloc(n * sizeof *slots);
    if (!slots)
        return ga_error_set(err, GA_EFAIL, "out of memory");
    for (size_t k = 0; k < n; k++)
        slots[k] = (slot){ jobs[k].index, k };
    qsort(slots, n, sizeof *slots, by_index);
    for (size_t k = 1; k < n; k++)
        if (slots[k].index == slots[k - 1].index) {
            size_t twice = slots[k].index;
            free(slots);
            return ga_error_set(err, GA_EFAIL, "a batch holds index %zu twice",
                                twice);
        }
    batch b = { slots, n, 0, done, done_ctx };
    int rc = ex->submit(ex->ctx, space, jobs, n, 1, err);
    while (rc == GA_OK && b.reported < n) {
        size_t before = b.reported;
        rc = ex->wait(ex->ctx, 0, reported, &b, cancel, err);
        if (rc == GA_OK && b.reported == before)
            rc = ga_error_set(err, GA_EFAIL, "the %s executor reported %zu of "
                              "%zu jobs and has none left", ex->name,
                              b.reported, n);
    }
    if (ex->stop)
        ex->stop(ex->ctx);
    free(slots);
    return rc;
}
