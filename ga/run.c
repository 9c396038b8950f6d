/* run.c - the production run loop and the files of a run directory.
 *
 * Order of writes per generation: each finished evaluation is appended to
 * evals.jsonl and flushed as it arrives; when the generation is complete,
 * the engine is told, the outputs are rewritten atomically, and finally the
 * checkpoint. A resumed run takes the checkpoint's pending generation and
 * reuses the evaluations already logged for it. */
#include "run.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "rundir.h"
#include "util.h"

int ga_run_write_outputs(const char *dir, const ga_space *space,
                         ga_engine *eng, const ga_settings *settings,
                         int with_population, ga_error *err)
{
    char path[GA_PATH_MAX];
    size_t nrows;
    const ga_stats_row *rows = ga_engine_stats(eng, &nrows);
    int rc = ga_rundir_write_stats(dir, rows, nrows, err);
    if (rc)
        return rc;

    /* best.json */
    size_t nhof, npop;
    const double *hof_fit, *pop_fit;
    const double *hof = ga_engine_hof(eng, &nhof, &hof_fit);
    const double *pop = ga_engine_population(eng, &npop, &pop_fit);
    ga_json_oom_clear();
    cJSON *best = cJSON_CreateObject();
    if (nhof) {
        cJSON_AddItemToObject(best, "fitness", ga_json_number(hof_fit[0]));
        cJSON_AddItemToObject(best, "params", ga_rundir_params_json(space, hof));
    } else {
        cJSON_AddNullToObject(best, "fitness");
        cJSON_AddNullToObject(best, "params");
    }
    cJSON_AddNumberToObject(best, "evaluations",
                            (double)ga_engine_evaluations(eng));
    cJSON_AddNumberToObject(best, "generations",
                            (double)(ga_engine_generation(eng) + 1));
    cJSON_AddNumberToObject(best, "seed", (double)settings->seed);
    if (ga_engine_done(eng))
        cJSON_AddStringToObject(best, "stop_reason", ga_engine_stop_reason(eng));
    else
        cJSON_AddNullToObject(best, "stop_reason");
    if (nhof > 1) {
        cJSON_AddItemToObject(best, "hall_of_fame",
                              ga_rundir_individuals_json(space, hof, hof_fit, nhof));
    }
    rc = ga_path(path, sizeof path, err, "%s/best.json", dir);
    if (rc == GA_OK)
        rc = ga_write_json_built(path, best, err);
    cJSON_Delete(best);
    if (rc || !with_population)
        return rc;

    /* population.json */
    ga_json_oom_clear();
    cJSON *pj = cJSON_CreateObject();
    cJSON_AddNumberToObject(pj, "generation", (double)ga_engine_generation(eng));
    cJSON_AddItemToObject(pj, "population",
                          ga_rundir_individuals_json(space, pop, pop_fit, npop));
    rc = ga_path(path, sizeof path, err, "%s/population.json", dir);
    if (rc == GA_OK)
        rc = ga_write_json_built(path, pj, err);
    cJSON_Delete(pj);
    return rc;
}

static int save_checkpoint(const char *dir, const ga_engine *eng,
                           const cJSON *identity, double elapsed,
                           ga_error *err)
{
    ga_json_oom_clear();
    cJSON *o = cJSON_CreateObject();
    cJSON *state = ga_engine_save(eng);
    if (!o || !state) {
        cJSON_Delete(o);
        cJSON_Delete(state);
        return ga_error_set(err, GA_EFAIL, "out of memory");
    }
    cJSON_AddItemToObject(o, "engine", state);
    cJSON_AddNumberToObject(o, "elapsed", elapsed);
    int rc = ga_json_oom() ? ga_error_set(err, GA_EFAIL, "out of memory")
             : ga_rundir_save_checkpoint(dir, o, identity, err);
    cJSON_Delete(o);
    return rc;
}

/* What the log already holds for the pending generation. */
typedef struct logged {
    int have;
    double fitness;
} logged;

/* Collect the log's entries of the batch's generation whose index is in
 * the batch. */
typedef struct reuse_ctx {
    const ga_space *space;
    const ga_batch *b;
    const long *slot;      /* index -> batch position, or -1 */
    size_t maxidx;
    logged *out;
    double *genes;         /* scratch: one line's params */
    long line;
    long bad_line;         /* the first line that is not the asked one */
    long bad_param;        /* its parameter, -1 when params do not read */
} reuse_ctx;

static int reuse_line(void *p, const cJSON *o)
{
    reuse_ctx *r = p;
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(o, "gen");
    const cJSON *i = cJSON_GetObjectItemCaseSensitive(o, "ind");
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(o, "fitness");
    r->line++;
    if (!(cJSON_IsNumber(g) && cJSON_IsNumber(i) &&
          g->valuedouble == (double)r->b->generation &&
          i->valuedouble >= 0 && i->valuedouble <= (double)r->maxidx))
        return 0;
    long k = r->slot[(size_t)i->valuedouble];
    if (k < 0 || r->out[k].have || ga_rundir_log_transient(o))
        return 0;  /* a transient failure runs again */
    /* the same run asks the same individual: another's log does not */
    const double *asked = r->b->genes + (size_t)k * r->b->dim;
    r->bad_param = -1;
    if (ga_rundir_log_genes(r->space, cJSON_GetObjectItemCaseSensitive(o, "params"),
                         r->genes) != 0 ||
        (r->bad_param = ga_rundir_log_differs(r->space, r->genes, asked)) >= 0) {
        r->bad_line = r->line;
        return 1;
    }
    r->out[k].have = 1;
    r->out[k].fitness = cJSON_IsNumber(f) ? f->valuedouble : NAN;
    return 0;
}

/* Collect the log's entries of the batch's generation whose index is in
 * the batch. */
static int read_log(const char *path, const ga_space *space,
                    const ga_batch *b, logged *out, ga_error *err)
{
    size_t maxidx = 0;
    for (size_t k = 0; k < b->count; k++)
        if (b->index[k] > maxidx)
            maxidx = b->index[k];
    long *slot = malloc((maxidx + 1) * sizeof *slot);
    if (!slot)
        return ga_error_set(err, GA_EFAIL, "out of memory");
    for (size_t i = 0; i <= maxidx; i++)
        slot[i] = -1;
    for (size_t k = 0; k < b->count; k++)
        slot[b->index[k]] = (long)k;
    reuse_ctx r = { space, b, slot, maxidx, out,
                    malloc((b->dim ? b->dim : 1) * sizeof(double)), 0, 0, -1 };
    int rc = GA_OK, each = r.genes ? ga_rundir_log_each(path, reuse_line, &r) : -1;
    if (each < 0)
        rc = ga_error_set(err, GA_EFAIL, "%s: out of memory reading it", path);
    else if (each != 0)
        rc = ga_error_set(err, GA_EINPUT, "%s line %ld: generation %ld's "
                          "evaluation is not the individual the checkpoint "
                          "asks for (%s%s%s); is this the run's own log?",
                          path, r.bad_line, b->generation,
                          r.bad_param < 0 ? "its params do not read in the "
                          "space" : "parameter '",
                          r.bad_param < 0 ? "" :
                          space->params[r.bad_param].name,
                          r.bad_param < 0 ? "" : "' differs");
    free(r.genes);
    free(slot);
    return rc;
}

typedef struct log_ctx {
    FILE *f;
    const char *run_id;
    const ga_space *space;
    const ga_job *jobs;
    const size_t *job_k;   /* job -> batch position */
    double *fitness;       /* batch fitness */
    ga_cache *cache;       /* NULL: no cache */
    int failed;            /* errno of the first failure, 0: none */
} log_ctx;

static void log_line(log_ctx *c, const ga_job *job, const ga_result *r,
                     int cached)
{
    /* after a failed append the log ends in what got out of it, perhaps a
     * torn line that a resume cuts; a line appended after that would leave
     * the torn one in the middle */
    if (!c->failed &&
        ga_rundir_log_line(c->f, c->run_id, c->space, job, r, cached) != 0)
        c->failed = errno ? errno : EIO;
}

static void on_result(void *p, size_t j, const ga_result *r)
{
    log_ctx *c = p;
    const ga_job *job = &c->jobs[j];
    c->fitness[c->job_k[j]] = r->fitness;
    /* failures are not cached: they may be transient */
    if (c->cache && isfinite(r->fitness) &&
        ga_cache_insert(c->cache, job->genes, r->fitness) != 0 && !c->failed)
        c->failed = ENOMEM;
    log_line(c, job, r, 0);
}

static int evaluate_pending(const ga_run_opts *o, ga_engine *eng, FILE *log,
                            const char *log_path, int reuse, double *fitness,
                            ga_cache *cache, ga_error *err)
{
    ga_batch b;
    ga_engine_ask(eng, &b);
    logged *have = calloc(b.count ? b.count : 1, sizeof *have);
    ga_job *jobs = calloc(b.count ? b.count : 1, sizeof *jobs);
    size_t *job_k = calloc(b.count ? b.count : 1, sizeof *job_k);
    int rc = GA_OK;
    if (!have || !jobs || !job_k) {
        rc = ga_error_set(err, GA_EFAIL, "out of memory");
        goto out;
    }
    if (reuse && (rc = read_log(log_path, o->space, &b, have, err)) != GA_OK)
        goto out;
    size_t njobs = 0;
    log_ctx lc = { log, o->run_id, o->space, jobs, job_k, fitness, cache, 0 };
    /* with a cache, an individual identical to one evaluated before, or to
     * one earlier in this batch (dup[k] = its batch position), runs no job */
    long *dup = calloc(b.count ? b.count : 1, sizeof *dup);
    ga_cache *in_batch = cache ? ga_cache_alloc(b.dim) : NULL;
    if (!dup || (cache && !in_batch)) {
        rc = ga_error_set(err, GA_EFAIL, "out of memory");
        free(dup);
        ga_cache_free(in_batch);
        goto out;
    }
    for (size_t k = 0; k < b.count; k++) {
        dup[k] = -1;
        if (have[k].have) {
            fitness[k] = have[k].fitness;
            continue;
        }
        const double *g = b.genes + k * b.dim;
        double v;
        if (cache && ga_cache_lookup(cache, g, &v)) {
            ga_job job = { b.generation, b.index[k], g };
            ga_result r = { .fitness = v, .wall_time = NAN };
            fitness[k] = v;
            log_line(&lc, &job, &r, 1);
            continue;
        }
        if (in_batch && ga_cache_lookup(in_batch, g, &v)) {
            dup[k] = (long)v;
            continue;
        }
        if (in_batch)
            ga_cache_insert(in_batch, g, (double)k);
        jobs[njobs] = (ga_job){ b.generation, b.index[k], g };
        job_k[njobs++] = k;
    }
    if (njobs)
        rc = ga_executor_run(o->executor, o->space, jobs, njobs, on_result,
                             &lc, o->cancel, err);
    for (size_t k = 0; rc == GA_OK && k < b.count; k++) {
        if (dup[k] < 0)
            continue;
        ga_job job = { b.generation, b.index[k], b.genes + k * b.dim };
        ga_result r = { .fitness = fitness[dup[k]], .wall_time = NAN };
        snprintf(r.reason, sizeof r.reason, "the same genes as individual %zu, "
                 "whose evaluation failed", b.index[dup[k]]);
        fitness[k] = r.fitness;
        log_line(&lc, &job, &r, 1);
    }
    free(dup);
    ga_cache_free(in_batch);
    if (rc == GA_OK && lc.failed)
        rc = ga_error_set(err, GA_EFAIL, "%s: cannot append: %s", log_path,
                          strerror(lc.failed));
    if (rc == GA_OK && fsync(fileno(log)) != 0)
        rc = ga_error_set(err, GA_EFAIL, "%s: cannot sync: %s", log_path,
                          strerror(errno));
out:
    free(have);
    free(jobs);
    free(job_k);
    return rc;
}

/* A new run: the engine (with the initial individuals), an empty log, and
 * the first checkpoint, written before any evaluation. */
static int start_fresh(const ga_run_opts *o, const cJSON *identity,
                       const char *log_path, ga_engine **eng, FILE **log,
                       ga_error *err)
{
    /* ga_rundir_begin checked that dir holds no evaluations */
    int rc = o->resume && o->accepted ? o->accepted(o->accepted_ctx, err)
                                      : GA_OK;
    if (rc)
        return rc;
    *eng = ga_engine_alloc(o->space, o->settings, err);
    if (!*eng)
        return err->status;
    if (o->ninit &&
        (rc = ga_engine_seed_population(*eng, o->init_genes, o->ninit, err)))
        return rc;
    *log = fopen(log_path, "w");
    if (!*log)
        return ga_error_set(err, GA_EFAIL, "%s: cannot create: %s", log_path,
                            strerror(errno));
    return save_checkpoint(o->dir, *eng, identity, 0, err);
}

/* A resumed run: the engine from its checkpoint (which must be this run's),
 * and the log opened for appending, its torn last line cut. */
static int start_resume(const ga_run_opts *o, const char *log_path,
                        ga_engine **eng, FILE **log, double *elapsed,
                        ga_error *err)
{
    cJSON *root = ga_rundir_load_checkpoint(o->dir, o->run_uid, o->space,
                                             o->settings, o->warn,
                                             o->warn_ctx, err);
    if (!root)
        return err->status;  /* GA_EFAIL: out of memory, not a bad file */
    const cJSON *state = cJSON_GetObjectItemCaseSensitive(root, "engine");
    const cJSON *el = cJSON_GetObjectItemCaseSensitive(root, "elapsed");
    *elapsed = cJSON_IsNumber(el) && el->valuedouble >= 0 ? el->valuedouble
                                                          : 0;
    *eng = state ? ga_engine_restore(o->space, o->settings, state, err) : NULL;
    cJSON_Delete(root);
    if (!*eng) {
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%s", state ? err->msg
                 : "checkpoint: no engine state (not a generational run?)");
        return ga_error_set(err, state ? err->status : GA_EINPUT,
                            "%s/checkpoint.json: %s", o->dir,
                            msg);
    }
    int rc = o->accepted ? o->accepted(o->accepted_ctx, err) : GA_OK;
    if (rc == GA_OK)
        rc = ga_rundir_cut_torn_line(log_path, err);
    if (rc)
        return rc;
    *log = fopen(log_path, "a");
    if (!*log)
        return ga_error_set(err, GA_EFAIL, "%s: cannot open: %s", log_path,
                            strerror(errno));
    return GA_OK;
}

int ga_run(const ga_run_opts *o, ga_engine **engine_out, ga_error *err)
{
    char log_path[GA_PATH_MAX];
    ga_engine *eng = NULL;
    double elapsed = 0;
    FILE *log = NULL;
    double *fitness = NULL;
    ga_cache *cache = NULL;
    cJSON *identity = NULL;
    int rc;

    if (engine_out)
        *engine_out = NULL;
    if (o->settings->strategy == GA_ASYNC)
        return ga_run_async(o, err);
    if ((rc = ga_path(log_path, sizeof log_path, err, "%s/evals.jsonl",
                      o->dir)) != GA_OK ||
        (rc = ga_mkdirs(o->dir, err)) != GA_OK)
        return rc;
    identity = ga_rundir_identity(o->run_uid, o->space, o->settings);
    if (!identity)
        return ga_error_set(err, GA_EFAIL, "out of memory");

    int resume;
    if ((rc = ga_rundir_begin(o->dir, o->dir, o->resume, &resume, err)))
        goto out;
    if (!resume)
        rc = start_fresh(o, identity, log_path, &eng, &log, err);
    else
        rc = start_resume(o, log_path, &eng, &log, &elapsed, err);
    if (rc)
        goto out;

    size_t cap = (size_t)o->settings->population_size;
    long lambda = ga_settings_lambda(o->settings);
    if (o->settings->strategy == GA_MU_PLUS_LAMBDA && (size_t)lambda > cap)
        cap = (size_t)lambda;
    fitness = malloc(cap * sizeof *fitness);
    if (!fitness) {
        rc = ga_error_set(err, GA_EFAIL, "out of memory");
        goto out;
    }
    int reuse = resume;
    if (o->cache) {
        cache = ga_cache_alloc(o->space->n);
        if (!cache) {
            rc = ga_error_set(err, GA_EFAIL, "out of memory");
            goto out;
        }
        if (resume && ga_rundir_prefill_cache(log_path, o->space, cache) != 0) {
            rc = ga_error_set(err, GA_EFAIL, "%s: out of memory reading it",
                              log_path);
            goto out;
        }
    }
    double t0 = ga_now() - elapsed;
    rc = GA_OK;
    while (!ga_engine_done(eng)) {
        if (o->cancel && *o->cancel) {
            rc = ga_error_set(err, GA_EFAIL, "interrupted");
            break;
        }
        rc = evaluate_pending(o, eng, log, log_path, reuse, fitness, cache, err);
        reuse = 0;
        if (rc)
            break;
        if ((rc = ga_engine_tell(eng, fitness, err)))
            break;
        elapsed = ga_now() - t0;
        if (o->settings->max_seconds > 0 && elapsed >= o->settings->max_seconds &&
            !ga_engine_done(eng)) {
            char why[128];
            snprintf(why, sizeof why, "wall-clock limit reached (%.1f s >= "
                     "max_seconds %g)", elapsed, o->settings->max_seconds);
            ga_engine_stop(eng, why);
        }
        /* population.json is written when the run stops: rewriting it every
         * generation would cost more than the generation itself */
        if ((rc = ga_run_write_outputs(o->dir, o->space, eng, o->settings,
                                       ga_engine_done(eng), err)))
            break;
        if ((rc = save_checkpoint(o->dir, eng, identity, elapsed, err)))
            break;
        if (o->progress) {
            size_t n, nh;
            const ga_stats_row *rows = ga_engine_stats(eng, &n);
            const double *hf;
            ga_engine_hof(eng, &nh, &hf);
            o->progress(o->progress_ctx, &rows[n - 1],
                        ga_engine_evaluations(eng), nh ? hf[0] : NAN);
        }
    }
    if (ga_engine_generation(eng) >= 0) {
        /* also after a failure or an interruption: the state so far */
        ga_error again;
        int rc2 = ga_run_write_outputs(o->dir, o->space, eng, o->settings, 1,
                                       rc == GA_OK ? err : &again);
        if (rc == GA_OK)
            rc = rc2;
    }
out:
    ga_cache_free(cache);
    cJSON_Delete(identity);
    if (log)
        fclose(log);
    free(fitness);
    if (engine_out && eng)
        *engine_out = eng;
    else
        ga_engine_free(eng);
    return rc;
}
