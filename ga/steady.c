/* steady.c - asynchronous steady-state GA: ask one, tell one, any order. */
#include "steady.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "ops.h"
#include "state.h"

#define STEADY_VERSION 1

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
};

void ga_steady_free(ga_steady *s)
{
    if (!s)
        return;
    free(s->pop);
    free(s->fit);
    free(s->scratch);
    free(s->best);
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
    s->rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!s->pop || !s->fit || !s->scratch || !s->best || !s->rng) {
        ga_steady_free(s);
        ga_error_set(err, GA_EFAIL, "out of memory");
        return NULL;
    }
    gsl_rng_set(s->rng, set->seed);
    s->best_fit = INFINITY;
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
    if (v != STEADY_VERSION) {
        ga_error_set(err, GA_EINPUT, "checkpoint: steady-state version %g is "
                     "not %d", v, STEADY_VERSION);
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
        ga_state_restore_rng(o, s->rng, err) ||
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
