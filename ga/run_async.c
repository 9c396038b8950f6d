/* run_async.c - the asynchronous steady-state run (`--strategy async`).
 *
 * Evaluations are numbered in the order they are asked (0, 1, 2, ...) and
 * run as generation 0: DIR/gen_0/ind_N, "gen": 0, "ind": N in evals.jsonl.
 * Order of writes: a finished evaluation is appended to evals.jsonl
 * (flushed, synced) and told; its replacements are asked; the checkpoint
 * (the steady-state GA with its generator, the evaluations in flight with
 * their genes, the next number) is written; only then are the replacements
 * started. So a run killed at any moment resumes without losing or
 * repeating a finished evaluation: one in the log is told from the log, one
 * in flight is handed to the executor again (Slurm and PBS find their jobs
 * again; the local executor reruns it), one asked but never checkpointed is
 * asked again, identically. */
#include "run.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rundir.h"
#include "state.h"
#include "steady.h"
#include "util.h"

#define ASYNC_VERSION 1

typedef struct got_item {
    size_t index;
    ga_result r;
} got_item;

typedef struct arun {
    const ga_run_opts *o;
    const ga_settings *set;
    size_t dim;
    long width;               /* evaluations kept in flight */
    ga_steady *st;
    FILE *log;
    char log_path[GA_PATH_MAX];
    ga_cache *cache;
    /* in flight: index and genes, in the order asked */
    size_t *fidx;
    double *fgenes;
    size_t nf, fcap;
    long next;                /* the next evaluation's number */
    long budget;
    long lambda;
    int done;
    int by_budget;            /* done because the budget was used: a larger
                                 num_iter on resume goes on */
    int tail_row;             /* the last stats row is the partial one made
                                 when the run ended */
    cJSON *identity;          /* the run's (rundir.h), in each checkpoint */
    /* what one wait reported */
    got_item *got;
    size_t ngot, gcap;
    int oom;
    /* resume: evaluations in the log the checkpoint did not see told */
    size_t *lidx;
    double *lfit;
    double *lgenes;           /* nl x dim, NaN where params did not parse */
    size_t nl, lcap;
} arun;

/* ---- telling ------------------------------------------------------------ */

/* The newest stats row, to the run's progress callback. */
static void report_row(const arun *a)
{
    size_t n;
    const ga_stats_row *rows = ga_steady_stats(a->st, &n);
    if (a->o->progress && n > 0)
        a->o->progress(a->o->progress_ctx, &rows[n - 1],
                       ga_steady_evaluations(a->st), ga_steady_best(a->st, NULL));
}

/* Tell one finished evaluation under the run's rules (ga_steady_told). */
static int tell(arun *a, const double *genes, double fitness, size_t index,
                const char *reason, ga_error *err)
{
    int row_made;
    int rc = ga_steady_told(a->st, genes, fitness, index, reason, &row_made,
                            err);
    if (rc == GA_OK && row_made)
        report_row(a);
    return rc;
}

/* ---- in flight -------------------------------------------------------------- */

static int flight_add(arun *a, size_t index, const double *genes)
{
    if (a->nf == a->fcap) {
        size_t cap = a->fcap ? 2 * a->fcap : 16;
        size_t *i = realloc(a->fidx, cap * sizeof *i);
        if (i)
            a->fidx = i;
        double *g = realloc(a->fgenes, cap * (a->dim ? a->dim : 1) * sizeof *g);
        if (g)
            a->fgenes = g;
        if (!i || !g)
            return -1;
        a->fcap = cap;
    }
    a->fidx[a->nf] = index;
    memcpy(a->fgenes + a->nf * a->dim, genes, a->dim * sizeof(double));
    a->nf++;
    return 0;
}

static long flight_find(const arun *a, size_t index)
{
    for (size_t i = 0; i < a->nf; i++)
        if (a->fidx[i] == index)
            return (long)i;
    return -1;
}

static void flight_remove(arun *a, size_t i)
{
    memmove(a->fidx + i, a->fidx + i + 1, (a->nf - i - 1) * sizeof *a->fidx);
    memmove(a->fgenes + i * a->dim, a->fgenes + (i + 1) * a->dim,
            (a->nf - i - 1) * a->dim * sizeof(double));
    a->nf--;
}

static void on_result(void *p, size_t index, const ga_result *r)
{
    arun *a = p;
    if (a->ngot == a->gcap) {
        size_t cap = a->gcap ? 2 * a->gcap : 16;
        got_item *g = realloc(a->got, cap * sizeof *g);
        if (!g) {
            a->oom = 1;
            return;
        }
        a->got = g;
        a->gcap = cap;
    }
    a->got[a->ngot].index = index;
    a->got[a->ngot].r = *r;
    a->ngot++;
}

/* Hand the last n individuals in flight to the executor. */
static int start_jobs(arun *a, size_t n, ga_error *err)
{
    ga_executor *ex = a->o->executor;
    int rc = GA_OK;
    for (size_t i = a->nf - n; rc == GA_OK && i < a->nf; i++) {
        ga_job job = { 0, a->fidx[i], a->fgenes + i * a->dim };
        rc = ex->submit(ex->ctx, a->o->space, &job, 1, 0, err);
    }
    return rc;
}

/* Wait until at least one evaluation finished (or the deadline passed);
 * the results in a->got. */
static int wait_jobs(arun *a, double deadline, ga_error *err)
{
    ga_executor *ex = a->o->executor;
    a->ngot = 0;
    a->oom = 0;
    int rc = ex->wait(ex->ctx, deadline, on_result, a, a->o->cancel, err);
    if (rc == GA_OK && a->oom)
        rc = ga_error_set(err, GA_EFAIL, "out of memory");
    return rc;
}

/* ---- files ------------------------------------------------------------------ */

static int save_checkpoint(const arun *a, double elapsed, ga_error *err)
{
    ga_json_oom_clear();
    cJSON *o = cJSON_CreateObject();
    cJSON *st = ga_steady_save(a->st);
    cJSON *fl = cJSON_CreateArray();
    if (!o || !st || !fl) {
        cJSON_Delete(o);
        cJSON_Delete(st);
        cJSON_Delete(fl);
        return ga_error_set(err, GA_EFAIL, "out of memory");
    }
    cJSON_AddStringToObject(o, "strategy", "async");
    cJSON_AddNumberToObject(o, "version", ASYNC_VERSION);
    cJSON_AddItemToObject(o, "steady", st);
    cJSON_AddNumberToObject(o, "next", (double)a->next);
    for (size_t i = 0; i < a->nf; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "ind", (double)a->fidx[i]);
        cJSON_AddItemToObject(e, "genes",
                              ga_state_numbers(a->fgenes + i * a->dim, a->dim));
        cJSON_AddItemToArray(fl, e);
    }
    cJSON_AddItemToObject(o, "in_flight", fl);
    int rc = ga_steady_save_rules(a->st, o, err);
    cJSON_AddBoolToObject(o, "done", a->done);
    cJSON_AddBoolToObject(o, "by_budget", a->by_budget);
    cJSON_AddBoolToObject(o, "tail_row", a->tail_row);
    cJSON_AddNumberToObject(o, "elapsed", elapsed);
    if (rc == GA_OK)
        rc = ga_json_oom() ? ga_error_set(err, GA_EFAIL, "out of memory")
             : ga_rundir_save_checkpoint(a->o->dir, o, a->identity, err);
    cJSON_Delete(o);
    return rc;
}

/* The in-flight evaluations of a checkpoint. */
static int load_flight(arun *a, const cJSON *o, ga_error *err)
{
    const cJSON *fl = cJSON_GetObjectItemCaseSensitive(o, "in_flight");
    const cJSON *e;
    if (!cJSON_IsArray(fl))
        return ga_error_set(err, GA_EINPUT, "checkpoint: no 'in_flight' list");
    double *g = malloc((a->dim ? a->dim : 1) * sizeof *g);
    if (!g)
        return ga_error_set(err, GA_EFAIL, "out of memory");
    cJSON_ArrayForEach(e, fl) {
        long ind;
        if (ga_state_read_count(e, "ind", &ind, err) || ind >= a->next ||
            flight_find(a, (size_t)ind) >= 0 ||
            ga_state_read_numbers(e, "genes", g, a->dim, err) ||
            ga_state_check_genes(a->o->space, g, 1, "in_flight", err)) {
            free(g);
            if (err->status == GA_OK)
                ga_error_set(err, GA_EINPUT, "checkpoint: a bad 'in_flight' "
                             "entry");
            return GA_EINPUT;
        }
        if (flight_add(a, (size_t)ind, g) != 0) {
            free(g);
            return ga_error_set(err, GA_EFAIL, "out of memory");
        }
    }
    free(g);
    return GA_OK;
}

static int load_checkpoint(arun *a, const cJSON *o, double *elapsed,
                           ga_error *err)
{
    double v;
    if (ga_state_read_number(o, "version", &v, err) || v != ASYNC_VERSION)
        return ga_error_set(err, GA_EINPUT, "checkpoint: not an async "
                            "checkpoint of version %d", ASYNC_VERSION);
    a->st = ga_steady_restore(a->o->space, a->set,
                              cJSON_GetObjectItemCaseSensitive(o, "steady"), err);
    if (!a->st)
        return err->status;  /* GA_EFAIL: out of memory */
    int rc;
    if (ga_state_read_count(o, "next", &a->next, err))
        return GA_EINPUT;
    if ((rc = load_flight(a, o, err)) || (rc = ga_steady_restore_rules(a->st, o, err)))
        return rc;
    a->done = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "done"));
    a->by_budget = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "by_budget"));
    a->tail_row = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "tail_row"));
    const cJSON *el = cJSON_GetObjectItemCaseSensitive(o, "elapsed");
    *elapsed = cJSON_IsNumber(el) && el->valuedouble >= 0 ? el->valuedouble : 0;
    size_t nrows;
    ga_steady_stats(a->st, &nrows);
    long evaluations = ga_steady_evaluations(a->st);
    if (a->next > a->budget && !a->done)
        return ga_error_set(err, GA_EINPUT, "checkpoint: 'next' %ld is past "
                            "the budget of %ld evaluations but the run is not "
                            "done", a->next, a->budget);
    if ((a->tail_row && (!a->done || nrows == 0)) || (long)a->nf > a->next)
        return ga_error_set(err, GA_EINPUT, "checkpoint: 'tail_row', "
                            "'in_flight' and 'done' do not agree");
    /* every evaluation asked is told or in flight */
    if (a->next != evaluations + (long)a->nf)
        return ga_error_set(err, GA_EINPUT, "checkpoint: 'next' (%ld), "
                            "'in_flight' (%zu) and the evaluations told (%ld) "
                            "do not agree", a->next, a->nf, evaluations);
    if (a->done && a->next < a->budget &&
        !cJSON_GetObjectItemCaseSensitive(o, "by_budget"))
        return ga_error_set(err, GA_EINPUT, "checkpoint: written by an older "
                            "gahpo, which did not record why the run stopped, "
                            "so this finished run cannot be extended; start a "
                            "new run");
    if (a->done && a->by_budget && a->next < a->budget) {
        /* extended (a larger num_iter): go on from where it stopped, the
         * partial last row of stats growing again */
        a->done = 0;
        a->by_budget = 0;
        ga_steady_resume_asking(a->st);
        if (a->tail_row) {
            ga_steady_reopen_row(a->st);
            a->tail_row = 0;
        }
    }
    return GA_OK;
}

/* The log's evaluations numbered from the checkpoint's in-flight ones or
 * from its next number on: those finished (or were reused from the cache)
 * after the checkpoint was written. Their genes are NaN where the params
 * cannot be read (they then match nothing). */
static int log_entry(void *p, const cJSON *o)
{
    arun *a = p;
    const cJSON *i = cJSON_GetObjectItemCaseSensitive(o, "ind");
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(o, "fitness");
    if (!cJSON_IsNumber(i) || !(i->valuedouble >= 0 && i->valuedouble < 1e15))
        return 0;
    size_t ind = (size_t)i->valuedouble, d = a->dim;
    if ((long)ind < a->next && flight_find(a, ind) < 0)
        return 0;
    if (ga_rundir_log_transient(o) && flight_find(a, ind) >= 0)
        return 0;  /* in flight, failed for a transient cause: run again */
    if (a->nl == a->lcap) {
        size_t cap = a->lcap ? 2 * a->lcap : 16;
        size_t *x = realloc(a->lidx, cap * sizeof *x);
        if (x)
            a->lidx = x;
        double *y = realloc(a->lfit, cap * sizeof *y);
        if (y)
            a->lfit = y;
        double *g = realloc(a->lgenes, cap * (d ? d : 1) * sizeof *g);
        if (g)
            a->lgenes = g;
        if (!x || !y || !g)
            return -1;
        a->lcap = cap;
    }
    double *g = a->lgenes + a->nl * d;
    if (ga_rundir_log_genes(a->o->space,
                         cJSON_GetObjectItemCaseSensitive(o, "params"), g) != 0)
        for (size_t k = 0; k < d; k++)
            g[k] = NAN;
    a->lidx[a->nl] = ind;
    a->lfit[a->nl++] = cJSON_IsNumber(f) ? f->valuedouble : NAN;
    return 0;
}

static int read_log(arun *a, ga_error *err)
{
    if (ga_rundir_log_each(a->log_path, log_entry, a) != 0)
        return ga_error_set(err, GA_EFAIL, "out of memory");
    return GA_OK;
}

/* The log's entry for evaluation index (resume): its position, or -1. */
static long logged(const arun *a, size_t index)
{
    for (size_t i = 0; i < a->nl; i++)
        if (a->lidx[i] == index)
            return (long)i;
    return -1;
}

/* Tell the logged entry k, whose evaluation was asked as genes: they must
 * be the logged params (the same run re-asks the same individuals),
 * compared as the log writes them (a float's text may round its last bit). */
static int tell_logged(arun *a, long k, const double *genes, ga_error *err)
{
    long j = ga_rundir_log_differs(a->o->space, a->lgenes + (size_t)k * a->dim,
                                genes);
    if (j >= 0)
        return ga_error_set(err, GA_EINPUT, "%s: evaluation %zu in the log is "
                            "not the individual the checkpoint asks for "
                            "(parameter '%s'); is this the run's own log?",
                            a->log_path, a->lidx[k],
                            a->o->space->params[j].name);
    return tell(a, genes, a->lfit[k], a->lidx[k], "failed before a resume",
                err);
}

static int write_outputs(const arun *a, int with_population, ga_error *err)
{
    const ga_run_opts *o = a->o;
    size_t nrows;
    const ga_stats_row *rows = ga_steady_stats(a->st, &nrows);
    int rc = ga_rundir_write_stats(o->dir, rows, nrows, err);
    if (rc)
        return rc;
    const char *why;
    ga_steady_stopping(a->st, &why);
    const double *best;
    double bf = ga_steady_best(a->st, &best);
    ga_json_oom_clear();
    cJSON *b = cJSON_CreateObject();
    if (!b)
        return ga_error_set(err, GA_EFAIL, "out of memory");
    if (best) {
        cJSON_AddItemToObject(b, "fitness", ga_json_number(bf));
        cJSON_AddItemToObject(b, "params", ga_rundir_params_json(o->space, best));
    } else {
        cJSON_AddNullToObject(b, "fitness");
        cJSON_AddNullToObject(b, "params");
    }
    cJSON_AddNumberToObject(b, "evaluations",
                            (double)ga_steady_evaluations(a->st));
    cJSON_AddNumberToObject(b, "generations", (double)nrows);
    cJSON_AddNumberToObject(b, "seed", (double)a->set->seed);
    cJSON_AddStringToObject(b, "strategy", "async");
    if (a->done)
        cJSON_AddStringToObject(b, "stop_reason", why);
    else
        cJSON_AddNullToObject(b, "stop_reason");
    char path[GA_PATH_MAX];
    rc = ga_path(path, sizeof path, err, "%s/best.json", o->dir);
    if (rc == GA_OK)
        rc = ga_write_json_built(path, b, err);
    cJSON_Delete(b);
    if (rc || !with_population)
        return rc;
    size_t n;
    const double *fit;
    const double *pop = ga_steady_population(a->st, &n, &fit);
    ga_json_oom_clear();
    cJSON *pj = cJSON_CreateObject();
    if (!pj)
        return ga_error_set(err, GA_EFAIL, "out of memory");
    cJSON_AddNumberToObject(pj, "generation", (double)nrows - 1);
    cJSON_AddItemToObject(pj, "population",
                          ga_rundir_individuals_json(o->space, pop, fit, n));
    rc = ga_path(path, sizeof path, err, "%s/population.json", o->dir);
    if (rc == GA_OK)
        rc = ga_write_json_built(path, pj, err);
    cJSON_Delete(pj);
    return rc;
}

/* ---- the loop ------------------------------------------------------------- */

/* Ask for new evaluations until width are in flight (those in the log or
 * the cache are told at once); *added: how many joined the flight. */
static int fill(arun *a, size_t *added, int *dirty, ga_error *err)
{
    double *g = malloc((a->dim ? a->dim : 1) * sizeof *g);
    if (!g)
        return ga_error_set(err, GA_EFAIL, "out of memory");
    int rc = GA_OK;
    *added = 0;
    while (rc == GA_OK && !ga_steady_stopping(a->st, NULL) &&
           (long)a->nf < a->width &&
           a->next < a->budget) {
        ga_steady_ask(a->st, g);
        size_t index = (size_t)a->next++;
        double v;
        *dirty = 1;
        long k = logged(a, index);
        if (k >= 0) {  /* reused from the cache before the driver died */
            rc = tell_logged(a, k, g, err);
            continue;
        }
        if (a->cache && ga_cache_lookup(a->cache, g, &v)) {
            ga_job job = { 0, index, g };
            ga_result r = { .fitness = v, .wall_time = NAN };
            if (ga_rundir_log_line(a->log, a->o->run_id, a->o->space, &job, &r,
                                1) != 0)
                rc = ga_error_set(err, GA_EFAIL, "%s: cannot append: %s",
                                  a->log_path, strerror(errno));
            else
                rc = tell(a, g, v, index, NULL, err);
            continue;
        }
        if (flight_add(a, index, g) != 0)
            rc = ga_error_set(err, GA_EFAIL, "out of memory");
        else
            (*added)++;
    }
    free(g);
    return rc;
}

/* Log and tell what the last wait reported. */
static int take_results(arun *a, ga_error *err)
{
    int rc = GA_OK;
    for (size_t k = 0; rc == GA_OK && k < a->ngot; k++) {
        const got_item *it = &a->got[k];
        long i = flight_find(a, it->index);
        if (i < 0)
            continue;  /* not ours: cannot happen, ignored */
        const double *g = a->fgenes + (size_t)i * a->dim;
        ga_job job = { 0, it->index, g };
        if (ga_rundir_log_line(a->log, a->o->run_id, a->o->space, &job, &it->r,
                            0) != 0)
            return ga_error_set(err, GA_EFAIL, "%s: cannot append: %s",
                                a->log_path, strerror(errno));
        if (a->cache && isfinite(it->r.fitness) &&
            ga_cache_insert(a->cache, g, it->r.fitness) != 0)
            return ga_error_set(err, GA_EFAIL, "out of memory");
        rc = tell(a, g, it->r.fitness, it->index, it->r.reason, err);
        flight_remove(a, (size_t)i);
    }
    if (rc == GA_OK && a->ngot && fsync(fileno(a->log)) != 0)
        rc = ga_error_set(err, GA_EFAIL, "%s: cannot sync: %s", a->log_path,
                          strerror(errno));
    return rc;
}

static int setup(arun *a, double *elapsed, ga_error *err)
{
    const ga_run_opts *o = a->o;
    int resume;
    int rc = ga_rundir_begin(o->dir, o->dir, o->resume, &resume, err);
    if (rc)
        return rc;
    if (!resume) {
        if (o->resume && o->accepted)
            rc = o->accepted(o->accepted_ctx, err);
        if (rc)
            return rc;
        if (o->ninit)
            return ga_error_set(err, GA_EINPUT, "strategy async starts from a "
                                "random population; an initial population "
                                "(INIT_PARAMS_FILE) is for the generational "
                                "strategies");
        a->st = ga_steady_alloc(o->space, a->set, err);
        if (!a->st)
            return err->status;
        a->log = fopen(a->log_path, "w");
        if (!a->log)
            return ga_error_set(err, GA_EFAIL, "%s: cannot create: %s",
                                a->log_path, strerror(errno));
        return save_checkpoint(a, 0, err);
    }
    char ckpt[GA_PATH_MAX];
    if (ga_path(ckpt, sizeof ckpt, err, "%s/checkpoint.json", o->dir))
        return GA_EINPUT;
    cJSON *root = ga_rundir_load_checkpoint(o->dir, o->run_uid, o->space,
                                             o->settings, o->warn,
                                             o->warn_ctx, err);
    if (!root)
        return err->status;  /* GA_EFAIL: out of memory, not a bad file */
    const cJSON *strat = cJSON_GetObjectItemCaseSensitive(root, "strategy");
    if (!cJSON_IsString(strat) || strcmp(strat->valuestring, "async") != 0)
        rc = ga_error_set(err, GA_EINPUT, "%s: not the checkpoint of an async "
                          "run", ckpt);
    else
        rc = load_checkpoint(a, root, elapsed, err);
    cJSON_Delete(root);
    if (rc) {
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%s", err->msg);
        return ga_error_set(err, rc, "%s: %s", ckpt, msg);
    }
    if (o->accepted && (rc = o->accepted(o->accepted_ctx, err)) != GA_OK)
        return rc;
    if ((rc = ga_rundir_cut_torn_line(a->log_path, err)) ||
        (rc = read_log(a, err)))
        return rc;
    a->log = fopen(a->log_path, "a");
    if (!a->log)
        return ga_error_set(err, GA_EFAIL, "%s: cannot open: %s", a->log_path,
                            strerror(errno));
    if (a->cache && ga_rundir_prefill_cache(a->log_path, o->space, a->cache))
        return ga_error_set(err, GA_EFAIL, "%s: out of memory reading it",
                            a->log_path);
    /* in flight when the driver died: told from the log if they finished,
     * in the order they were logged (told), else handed to the executor
     * again */
    for (size_t k = 0; rc == GA_OK && k < a->nl; k++) {
        long i = flight_find(a, a->lidx[k]);
        if (i < 0)
            continue;
        rc = tell_logged(a, (long)k, a->fgenes + (size_t)i * a->dim, err);
        flight_remove(a, (size_t)i);
    }
    if (rc == GA_OK && !a->done)
        rc = start_jobs(a, a->nf, err);
    return rc;
}

/* The run's own stops: its wall-clock limit (what is in flight is
 * stopped) or its budget used up (nothing left in flight). 1 when done. */
static int run_stopped(arun *a, double elapsed)
{
    const ga_run_opts *o = a->o;
    double limit = o->settings->max_seconds;
    char why[256];
    if (limit > 0 && elapsed >= limit) {
        snprintf(why, sizeof why, "wall-clock limit reached (%.1f s >= "
                 "max_seconds %g); %zu evaluations in flight were stopped",
                 elapsed, limit, a->nf);
        ga_steady_stop(a->st, why);
        if (o->executor->stop)
            o->executor->stop(o->executor->ctx);
        a->nf = 0;
        return a->done = 1;
    }
    return 0;
}

/* The loop: fill the flight, checkpoint, start, wait, take the results,
 * until the run is done, fails or is interrupted. */
static int run_loop(arun *a, double t0, ga_error *err)
{
    const ga_run_opts *o = a->o;
    double limit = o->settings->max_seconds;
    int rc = GA_OK, dirty = 1;
    /* resumed with evaluations in flight, it waits for them before asking
     * for more, as the uninterrupted run did before its checkpoint's next
     * fill: an executor that finishes in order (in-process) gives the same
     * run */
    int refill = a->nf == 0;
    while (rc == GA_OK && !a->done) {
        if (o->cancel && *o->cancel) {
            /* a signal between two waits: what is in flight is stopped as
             * a wait would have stopped it; the checkpoint lists it */
            if (o->executor->stop)
                o->executor->stop(o->executor->ctx);
            return ga_error_set(err, GA_EFAIL, "interrupted");
        }
        if (run_stopped(a, ga_now() - t0))
            break;
        size_t added = 0;
        if (refill && (rc = fill(a, &added, &dirty, err)))
            break;
        refill = 1;
        if (a->nf == 0) {
            a->done = 1;
            a->by_budget = !ga_steady_stopping(a->st, NULL);
            if (a->by_budget) {
                char why[256];
                if (a->set->max_evaluations > 0)
                    snprintf(why, sizeof why, "budget reached (%ld "
                             "evaluations)", a->budget);
                else
                    snprintf(why, sizeof why, "num_iter reached (%ld "
                             "evaluations: population_size + (num_iter - 1) "
                             "x lambda)", a->budget);
                ga_steady_ended(a->st, why);
            }
            break;
        }
        /* the checkpoint knows the new ones before any of them starts, and
         * the log lines it counts on (cached ones) are on disk before it */
        if (dirty) {
            if (fsync(fileno(a->log)) != 0)
                return ga_error_set(err, GA_EFAIL, "%s: cannot sync: %s",
                                    a->log_path, strerror(errno));
            if ((rc = write_outputs(a, 0, err)) ||
                (rc = save_checkpoint(a, ga_now() - t0, err)))
                break;
            dirty = 0;
        }
        if ((rc = start_jobs(a, added, err)) ||
            (rc = wait_jobs(a, limit > 0 ? t0 + limit : 0, err)))
            break;
        rc = take_results(a, err);
        dirty = 1;
    }
    return rc;
}

/* The files of the state so far, also after a failure or an interruption
 * (rc, its error in err): outputs, and the last checkpoint when done. */
static int finish(arun *a, double t0, int rc, ga_error *err)
{
    ga_error again;
    if (a->done && ga_steady_row_pending(a->st) > 0 && rc == GA_OK) {
        rc = ga_steady_close_row(a->st, err);
        if (rc == GA_OK)
            report_row(a);
        a->tail_row = 1;
    }
    int rc2 = write_outputs(a, 1, rc == GA_OK ? err : &again);
    if (rc == GA_OK)
        rc = rc2;
    if (rc == GA_OK && a->done)
        rc = save_checkpoint(a, ga_now() - t0, err);
    return rc;
}

int ga_run_async(const ga_run_opts *o, ga_error *err)
{
    arun a;
    memset(&a, 0, sizeof a);
    a.o = o;
    a.set = o->settings;
    a.dim = o->space->n;
    a.width = o->in_flight > 0 ? o->in_flight : 1;
    a.lambda = ga_settings_lambda(o->settings);
    a.budget = o->settings->max_evaluations > 0
                   ? o->settings->max_evaluations
                   : o->settings->population_size +
                         (o->settings->num_iter - 1) * a.lambda;
    double elapsed = 0;
    int rc = ga_settings_validate(o->settings, err);
    if (rc == GA_OK && a.dim == 0)
        rc = ga_error_set(err, GA_EINPUT, "the space has no parameters");
    if (rc == GA_OK)
        rc = ga_path(a.log_path, sizeof a.log_path, err, "%s/evals.jsonl",
                     o->dir);
    if (rc == GA_OK)
        rc = ga_mkdirs(o->dir, err);
    if (rc == GA_OK &&
        !(a.identity = ga_rundir_identity(o->run_uid, o->space, o->settings)))
        rc = ga_error_set(err, GA_EFAIL, "out of memory");
    if (rc == GA_OK && o->cache && !(a.cache = ga_cache_alloc(a.dim)))
        rc = ga_error_set(err, GA_EFAIL, "out of memory");
    if (rc == GA_OK)
        rc = setup(&a, &elapsed, err);
    double t0 = ga_now() - elapsed;
    int ready = rc == GA_OK;
    if (ready)
        rc = run_loop(&a, t0, err);
    /* not when the checkpoint could not be read: the files stay as they
     * are */
    if (ready && a.st)
        rc = finish(&a, t0, rc, err);
    /* on an error, jobs in flight on a cluster stay: the checkpoint lists
     * them and --resume finds them again (local ones end with the
     * executor) */
    if (a.log)
        fclose(a.log);
    ga_steady_free(a.st);
    ga_cache_free(a.cache);
    cJSON_Delete(a.identity);
    free(a.fidx);
    free(a.fgenes);
    free(a.got);
    free(a.lidx);
    free(a.lfit);
    free(a.lgenes);
    return rc;
}
