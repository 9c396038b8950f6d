/* check_executor.c - the one executor protocol (ga/executor.h): a batch
 * through submit and wait (ga_executor_run) hands each result to its
 * position whatever order the executor reports in; and the in-process
 * executor keeps to the protocol (k is the job's index, everything queued
 * evaluated at the next wait). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../exec/exec.h"
#include "../ga/executor.h"
#include "../ga/rng.h"
#include "../problems/problem.h"
#include "suites.h"
#include "testutil.h"

/* Reports what was submitted two at a time, last first, with fitness =
 * 10 x index; silent (reports nothing) when told to. */
typedef struct backwards {
    size_t idx[32], n;
    int silent, batch_seen, stopped;
} backwards;

static int bw_submit(void *p, const ga_space *space, const ga_job *jobs,
                     size_t n, int batch, ga_error *err)
{
    backwards *b = p;
    (void)space;
    (void)err;
    b->batch_seen = batch;
    for (size_t k = 0; k < n; k++)
        b->idx[b->n++] = jobs[k].index;
    return GA_OK;
}

static int bw_wait(void *p, double deadline, ga_result_fn done, void *ctx,
                   volatile sig_atomic_t *cancel, ga_error *err)
{
    backwards *b = p;
    (void)deadline;
    (void)cancel;
    (void)err;
    for (int i = 0; i < 2 && b->n > 0 && !b->silent; i++) {
        size_t index = b->idx[--b->n];
        ga_result r = { .fitness = 10.0 * (double)index, .wall_time = NAN };
        done(ctx, index, &r);
    }
    return GA_OK;
}

static void bw_stop(void *p)
{
    ((backwards *)p)->stopped++;
}

static void record(void *ctx, size_t k, const ga_result *r)
{
    ((double *)ctx)[k] = r->fitness;
}

START_TEST(test_run_maps_positions)
{
    backwards b = { 0 };
    ga_executor ex = { .name = "backwards", .ctx = &b, .submit = bw_submit,
                       .wait = bw_wait, .stop = bw_stop };
    ga_space *sp = ga_space_alloc_box(1, 0, 1);
    double g = 0.5;
    ga_job jobs[5];
    size_t index[5] = { 7, 3, 12, 0, 5 };
    for (int k = 0; k < 5; k++)
        jobs[k] = (ga_job){ 2, index[k], &g };
    double got[5] = { NAN, NAN, NAN, NAN, NAN };
    ga_error err;
    ck_assert_int_eq(ga_executor_run(&ex, sp, jobs, 5, record, got, NULL, &err),
                     GA_OK);
    ck_assert_int_eq(b.batch_seen, 1);
    ck_assert_int_eq(b.stopped, 1);  /* what the jobs left is ended */
    for (int k = 0; k < 5; k++)
        ck_assert_double_eq(got[k], 10.0 * (double)index[k]);
    /* an index twice is refused before anything runs */
    jobs[4].index = 7;
    ck_assert_int_eq(ga_executor_run(&ex, sp, jobs, 5, record, got, NULL, &err),
                     GA_EFAIL);
    ck_assert_msg(strstr(err.msg, "index 7 twice"), "%s", err.msg);
    /* an executor that stops reporting: an error, not a hang */
    jobs[4].index = 5;
    b.silent = 1;
    ck_assert_int_eq(ga_executor_run(&ex, sp, jobs, 5, record, got, NULL, &err),
                     GA_EFAIL);
    ck_assert_msg(strstr(err.msg, "reported 0 of 5 jobs"), "%s", err.msg);
    ga_space_free(sp);
}
END_TEST

typedef struct seen {
    size_t k[16];
    double f[16];
    size_t n;
} seen;

static void collect(void *ctx, size_t k, const ga_result *r)
{
    seen *s = ctx;
    s->k[s->n] = k;
    s->f[s->n++] = r->fitness;
}

/* In-process: streamed jobs of two generations queued, one wait reports
 * them all by index, in the order queued; a noisy problem's values are
 * those of prob_eval_batch with the executor's seed. */
START_TEST(test_inprocess_protocol)
{
    ga_error err;
    prob_problem *p = prob_lookup("mixed:ripple:noisy", &err);
    ga_executor *ex = ga_exec_problem_alloc(p, 99, &err);
    ck_assert_ptr_nonnull(ex);
    size_t d = p->dim;
    double *genes = calloc(4 * d, sizeof *genes);
    gsl_rng *r = ga_rng_alloc(0);  /* the executor's generator */
    for (size_t k = 0; k < 4 * d; k++)  /* lower bounds: valid genes */
        genes[k] = p->space->params[k % d].lower;
    ga_job jobs[4] = { { 0, 4, genes }, { 0, 9, genes + d },
                       { 1, 4, genes + 2 * d }, { 1, 2, genes + 3 * d } };
    for (int k = 0; k < 4; k++)
        ck_assert_int_eq(ex->submit(ex->ctx, p->space, &jobs[k], 1, 0, &err),
                         GA_OK);
    seen s = { 0 };
    ck_assert_int_eq(ex->wait(ex->ctx, 0, collect, &s, NULL, &err), GA_OK);
    ck_assert_uint_eq(s.n, 4);
    for (int k = 0; k < 4; k++) {
        ck_assert_uint_eq(s.k[k], jobs[k].index);
        double want;
        prob_eval_batch(p, jobs[k].genes, 1, &want, r, 99, jobs[k].generation,
                        &jobs[k].index);
        ck_assert_double_eq(s.f[k], want);
    }
    /* nothing queued: returns at once, reporting nothing */
    ck_assert_int_eq(ex->wait(ex->ctx, 0, collect, &s, NULL, &err), GA_OK);
    ck_assert_uint_eq(s.n, 4);
    gsl_rng_free(r);
    free(genes);
    ga_executor_free(ex);
    prob_free(p);
}
END_TEST

Suite *executor_suite(void)
{
    Suite *s = suite_create("executor");
    TCase *tc = tcase_create("executor");
    tcase_add_test(tc, test_run_maps_positions);
    tcase_add_test(tc, test_inprocess_protocol);
    suite_add_tcase(s, tc);
    return s;
}
