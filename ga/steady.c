/* steady.c - asynchronous steady-state GA: ask one, tell one, any order. */
#include "steady.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "ops.h"
#include "rng.h"
#include "state.h"

/* 2: the generator is xoshiro256++ (rng_type says which); 1 (mt19937) is
 * still read, and such a run goes on with mt19937. */
#define STEADY_VERSION 2

struct ga_steady {
    const ga_space *space;
    ga_settings set;
    size_t dim, cap, n;        /* population capacity and size */
    double *pop, *fit;
    double *scratch;
    double *best;
    double best_fit;
    long told;
    gsl_rng *rng;
    /* the run's rules (ga_steady_told) */
    long lambda;
    long since_best;            /* evaluations told since the best improved */
    long block_told, block_failed;  /* since the last stats row */
    ga_stats_row *rows;
    size_t nrows, rcap;
    int stopping;
    char stop_reason[256];
};

void ga_steady_free(ga_steady *s)
{
    if (!s)
        return;
    free(s->pop);
    free(s->fit);
    free(s->scratch);
    free(s->best);
    free(s->rows);
    gsl_rng_free(s->rng);
    free(s);
}

ga_steady *ga_steady_alloc(const ga_space *space, const ga_settings *set,
                           ga_error *err)
{
    if (set->population_size < 2 || set->tournsize < 1) {
        ga_error_set(err, GA_EINPUT, "async: population_size must be >= 2 and "
                     "tournsize >= 1");
        return NULL;
    }
    ga_steady *s = calloc(1, sizeof *s);
    if (!s) {
        ga_error_set(err, GA_EFAIL, "out of memory");
        return NULL;
    }
    s->space = space;
    s->set = *set;
    s->dim = space->n;
    s->cap = (size_t)set->population_size;
    s->pop = malloc(s->cap * s->dim * sizeof(double));
    s->fit = malloc(s->cap * sizeof(double));
    s->scratch = malloc(s->dim * sizeof(double));
    s->best = calloc(s->dim ? s->dim : 1, sizeof(double));
    s->rng = ga_rng_alloc(set->seed);
    if (!s->pop || !s->fit || !s->scratch || !s->best || !s->rng) {
        ga_steady_free(s);
        ga_error_set(err, GA_EFAIL, "out of memory");
        return NULL;
    }
    s->best_fit = INFINITY;
    s->lambda = ga_settings_lambda(set);
    return s;
}

void ga_steady_ask(ga_steady *s, double *genes)
{
    size_t d = s->dim;
    if (s->n < s->cap) {  /* still filling the initial population */
        ga_op_init(s->space, s->rng, genes);
        return;
    }
    size_t a = ga_op_tournament(s->fit, s->n, (size_t)s->set.tournsize, s->rng);
    memcpy(genes, s->pop + a * d, d * sizeof(double));
    if (gsl_rng_uniform(s->rng) < s->set.cx_prob) {
        size_t b = ga_op_tournament(s->fit, s->n, (size_t)s->set.tournsize, s->rng);
        memcpy(s->scratch, s->pop + b * d, d * sizeof(double));
        ga_op_crossover(d, s->set.cx_indpb, s->rng, genes, s->scratch);
    } else {
        ga_op_mutate(s->space, s->set.mut_indpb, s->rng, genes);
    }
}

void ga_steady_tell(ga_steady *s, const double *genes, double fitness)
{
    size_t d = s->dim;
    s->told++;
    if (isnan(fitness))
        return;
    if (fitness < s->best_fit) {
        s->best_fit = fitness;
        memcpy(s->best, genes, d * sizeof(double));
    }
    if (s->n < s->cap) {
        memcpy(s->pop + s->n * d, genes, d * sizeof(double));
        s->fit[s->n++] = fitness;
        return;
    }
    size_t worst = 0;
    for (size_t i = 1; i < s->n; i++)
        if (s->fit[i] > s->fit[worst])
            worst = i;
    if (fitness < s->fit[worst]) {
        memcpy(s->pop + worst * d, genes, d * sizeof(double));
        s->fit[worst] = fitness;
    }
}

double ga_steady_best(const ga_steady *s, const double **genes)
{
    if (genes)
        *genes = isinf(s->best_fit) ? NULL : s->best;
    return s->best_fit;
}

long ga_steady_evaluations(const ga_steady *s)
{
    return s->told;
}

const double *ga_steady_population(const ga_steady *s, size_t *n,
                                   const double **fitness)
{
    *n = s->n;
    if (fitness)
        *fitness = s->fit;
    return s->pop;
}

cJSON *ga_steady_save(const ga_steady *s)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddNumberToObject(o, "version", STEADY_VERSION);
    cJSON_AddNumberToObject(o, "dim", (double)s->dim);
    cJSON_AddNumberToObject(o, "population_size", (double)s->cap);
    cJSON_AddNumberToObject(o, "told", (double)s->told);
    cJSON_AddItemToObject(o, "population",
                          ga_state_numbers(s->pop, s->n * s->dim));
    cJSON_AddItemToObject(o, "fitness", ga_state_numbers(s->fit, s->n));
    /* +inf before any success: written as null */
    cJSON_AddItemToObject(o, "best_fitness",
                          ga_state_number(isinf(s->best_fit) ? NAN : s->best_fit));
    cJSON_AddItemToObject(o, "best", ga_state_numbers(s->best, s->dim));
    ga_state_save_rng(o, s->rng);
    if (cJSON_GetArraySize(o) != 10) {  /* an item could not be made */
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

ga_steady *ga_steady_restore(const ga_space *space, const ga_settings *set,
                             const cJSON *o, ga_error *err)
{
    ga_steady *s = ga_steady_alloc(space, set, err);
    if (!s)
        return NULL;
    double v, dim, cap, told;
    if (ga_state_read_number(o, "version", &v, err) ||
        ga_state_read_number(o, "dim", &dim, err) ||
        ga_state_read_number(o, "population_size", &cap, err) ||
        ga_state_read_number(o, "told", &told, err))
        goto fail;
    if (v != 1 && v != STEADY_VERSION) {
        ga_error_set(err, GA_EINPUT, "checkpoint: steady-state version %g is "
                     "not one this gahpo reads (1 or %d)", v, STEADY_VERSION);
        goto fail;
    }
    if (dim != (double)s->dim || cap != (double)s->cap ||
        !(told >= 0 && told <= 1e15)) {
        ga_error_set(err, GA_EINPUT, "checkpoint: population %g x %g does not "
                     "match the settings and space (%zu x %zu)", cap, dim,
                     s->cap, s->dim);
        goto fail;
    }
    const cJSON *fit = cJSON_GetObjectItemCaseSensitive(o, "fitness");
    double n = cJSON_IsArray(fit) ? cJSON_GetArraySize(fit) : -1;
    if (n < 0 || n > cap) {
        ga_error_set(err, GA_EINPUT, "checkpoint: 'fitness' should hold at "
                     "most %zu numbers", s->cap);
        goto fail;
    }
    s->n = (size_t)n;
    s->told = (long)told;
    if (ga_state_read_numbers(o, "population", s->pop, s->n * s->dim, err) ||
        ga_state_read_numbers(o, "fitness", s->fit, s->n, err) ||
        ga_state_read_number(o, "best_fitness", &s->best_fit, err) ||
        ga_state_read_numbers(o, "best", s->best, s->dim, err) ||
        ga_state_restore_rng(o, &s->rng, v < 2, err) ||
        ga_state_check_genes(space, s->pop, s->n, "population", err) ||
        (!isnan(s->best_fit) &&
         ga_state_check_genes(space, s->best, 1, "best", err)))
        goto fail;
    for (size_t i = 0; i < s->n; i++)
        if (!isfinite(s->fit[i])) {
            ga_error_set(err, GA_EINPUT, "checkpoint: 'fitness' %zu is not a "
                         "finite number", i);
            goto fail;
        }
    if (isnan(s->best_fit))
        s->best_fit = INFINITY;
    return s;
fail:
    ga_steady_free(s);
    return NULL;
}

/* ---- the run's rules -------------------------------------------------------- */

static int push_row(ga_steady *s)
{
    if (s->nrows == s->rcap) {
        size_t cap = s->rcap ? 2 * s->rcap : 16;
        ga_stats_row *r = realloc(s->rows, cap * sizeof *r);
        if (!r)
            return -1;
        s->rows = r;
        s->rcap = cap;
    }
    ga_stats_row *r = &s->rows[s->nrows];
    *r = (ga_stats_row){ .gen = (long)s->nrows, .nevals = s->block_told,
                         .nfailed = s->block_failed };
    ga_stats_row_fill(r, s->fit, s->n);
    s->nrows++;
    s->block_told = s->block_failed = 0;
    return 0;
}

int ga_steady_told(ga_steady *s, const double *genes, double fitness,
                   size_t index, const char *reason, int *row_made,
                   ga_error *err)
{
    const ga_settings *set = &s->set;
    const char *why_failed = reason && *reason ? reason : "no fitness";
    double before = s->best_fit;
    *row_made = 0;
    ga_steady_tell(s, genes, fitness);
    s->since_best = s->best_fit < before ? 0 : s->since_best + 1;
    s->block_told++;
    if (isnan(fitness)) {
        s->block_failed++;
        if (set->nan_policy == GA_NAN_FAIL)
            return ga_error_set(err, GA_EFAIL, "evaluation %zu failed (%s) and "
                                "nan_policy is fail", index, why_failed);
    }
    if (s->n == 0 && s->told >= set->population_size)
        return ga_error_set(err, GA_EFAIL, "all %ld evaluations so far failed "
                            "(the last: %s), so there is no population to "
                            "breed from; see the reasons in evals.jsonl",
                            s->told, why_failed);
    long row_size = s->nrows == 0 ? set->population_size : s->lambda;
    if (s->block_told >= row_size) {
        if (push_row(s) != 0)
            return ga_error_set(err, GA_EFAIL, "out of memory");
        *row_made = 1;
    }
    char why[256];
    if (s->stopping)
        return GA_OK;  /* the first reason stays */
    if (!isnan(set->target) && s->best_fit <= set->target) {
        snprintf(why, sizeof why, "target reached (best %.17g <= %.17g)",
                 s->best_fit, set->target);
        ga_steady_stop(s, why);
    } else if (set->stall_generations > 0 &&
               s->since_best >= set->stall_generations * s->lambda) {
        snprintf(why, sizeof why, "no improvement for %ld evaluations "
                 "(stall_generations %ld x lambda %ld)", s->since_best,
                 set->stall_generations, s->lambda);
        ga_steady_stop(s, why);
    }
    return GA_OK;
}

const ga_stats_row *ga_steady_stats(const ga_steady *s, size_t *n)
{
    *n = s->nrows;
    return s->rows;
}

long ga_steady_row_pending(const ga_steady *s)
{
    return s->block_told;
}

int ga_steady_close_row(ga_steady *s, ga_error *err)
{
    return push_row(s) == 0 ? GA_OK : ga_error_set(err, GA_EFAIL,
                                                   "out of memory");
}

void ga_steady_reopen_row(ga_steady *s)
{
    if (s->nrows == 0)
        return;
    s->nrows--;
    s->block_told = s->rows[s->nrows].nevals;
    s->block_failed = s->rows[s->nrows].nfailed;
}

void ga_steady_stop(ga_steady *s, const char *why)
{
    s->stopping = 1;
    snprintf(s->stop_reason, sizeof s->stop_reason, "%s", why);
}

void ga_steady_ended(ga_steady *s, const char *why)
{
    snprintf(s->stop_reason, sizeof s->stop_reason, "%s", why);
}

int ga_steady_stopping(const ga_steady *s, const char **reason)
{
    if (reason)
        *reason = s->stop_reason;
    return s->stopping;
}

void ga_steady_resume_asking(ga_steady *s)
{
    s->stopping = 0;
    s->stop_reason[0] = '\0';
}

int ga_steady_save_rules(const ga_steady *s, cJSON *o, ga_error *err)
{
    cJSON *rows = cJSON_AddArrayToObject(o, "stats");
    for (size_t i = 0; rows && i < s->nrows; i++) {
        const ga_stats_row *r = &s->rows[i];
        double row[7] = { (double)r->gen, (double)r->nevals, (double)r->nfailed,
                          r->avg, r->std, r->min, r->max };
        cJSON_AddItemToArray(rows, ga_state_numbers(row, 7));
    }
    if (!rows || !cJSON_AddNumberToObject(o, "block_told", (double)s->block_told) ||
        !cJSON_AddNumberToObject(o, "block_failed", (double)s->block_failed) ||
        !cJSON_AddNumberToObject(o, "since_best", (double)s->since_best) ||
        !cJSON_AddBoolToObject(o, "stopping", s->stopping) ||
        !cJSON_AddStringToObject(o, "stop_reason", s->stop_reason))
        return ga_error_set(err, GA_EFAIL, "out of memory");
    return GA_OK;
}

static int read_row(ga_steady *s, const cJSON *e, ga_error *err)
{
    double row[7];
    if (!cJSON_IsArray(e) || cJSON_GetArraySize(e) != 7)
        return ga_error_set(err, GA_EINPUT, "checkpoint: a bad 'stats' row");
    size_t k = 0;
    const cJSON *x;
    cJSON_ArrayForEach(x, e) {
        if (ga_state_item_number(x, &row[k++]) != 0)
            return ga_error_set(err, GA_EINPUT, "checkpoint: a bad 'stats' "
                                "row");
    }
    if (!ga_state_counts_ok(row, 3))
        return ga_error_set(err, GA_EINPUT, "checkpoint: a bad 'stats' row");
    if (s->nrows == s->rcap) {
        size_t cap = s->rcap ? 2 * s->rcap : 16;
        ga_stats_row *r = realloc(s->rows, cap * sizeof *r);
        if (!r)
            return ga_error_set(err, GA_EFAIL, "out of memory");
        s->rows = r;
        s->rcap = cap;
    }
    s->rows[s->nrows++] = (ga_stats_row){ (long)row[0], (long)row[1],
                                          (long)row[2], row[3], row[4],
                                          row[5], row[6] };
    return GA_OK;
}

int ga_steady_restore_rules(ga_steady *s, const cJSON *o, ga_error *err)
{
    if (ga_state_read_count(o, "since_best", &s->since_best, err) ||
        ga_state_read_count(o, "block_told", &s->block_told, err) ||
        ga_state_read_count(o, "block_failed", &s->block_failed, err))
        return GA_EINPUT;
    const cJSON *rows = cJSON_GetObjectItemCaseSensitive(o, "stats");
    const cJSON *e;
    if (!cJSON_IsArray(rows))
        return ga_error_set(err, GA_EINPUT, "checkpoint: no 'stats' rows");
    s->nrows = 0;
    cJSON_ArrayForEach(e, rows) {
        int rc = read_row(s, e, err);
        if (rc)
            return rc;
    }
    s->stopping = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "stopping"));
    const cJSON *why = cJSON_GetObjectItemCaseSensitive(o, "stop_reason");
    if (cJSON_IsString(why))
        snprintf(s->stop_reason, sizeof s->stop_reason, "%s", why->valuestring);
    /* every evaluation told is in a stats row or in the block since */
    long in_rows = s->block_told;
    for (size_t i = 0; i < s->nrows; i++) {
        const ga_stats_row *r = &s->rows[i];
        if (r->gen != (long)i || r->nfailed > r->nevals)
            return ga_error_set(err, GA_EINPUT, "checkpoint: 'stats' row %zu "
                                "is not consistent", i);
        in_rows += r->nevals;
    }
    if (in_rows != s->told || s->block_failed > s->block_told)
        return ga_error_set(err, GA_EINPUT, "checkpoint: the stats rows (%ld) "
                            "and the evaluations told (%ld) do not agree",
                            in_rows, s->told);
    return GA_OK;
}
