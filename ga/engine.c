/* engine.c - eaSimple and eaMuPlusLambda as an ask/tell state machine.
 *
 * Individuals live in one preallocated pool of slots (dim genes each); the
 * population and the offspring are arrays of slot numbers, so selection
 * moves indices, not genes, and nothing is allocated per offspring.
 * The random stream is consumed only inside tell (variation) and alloc
 * (initial draw), so the engine's state after each tell is a checkpoint. */
#include "engine.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "ops.h"
#include "rng.h"
#include "state.h"
#include "util.h"

/* 3: the generator is xoshiro256++ (rng_type says which; "mt19937" when
 * the run began before it); 2: the stop's kind is saved, so a run that
 * reached num_iter can be extended. 1 and 2 (mt19937 only) are still read,
 * and such a run goes on with mt19937. */
#define STATE_VERSION 3

/* Why the run stopped: a run that reached num_iter may be continued with a
 * larger num_iter; the others stay stopped. */
typedef enum stop_kind {
    STOP_NONE, STOP_NUM_ITER, STOP_TARGET, STOP_STALL, STOP_CALLER, STOP_BUDGET
} stop_kind;

static const char *const stop_kind_names[] = {
    "none", "num_iter", "target", "stall", "caller", "budget"
};

struct ga_engine {
    const ga_space *space;
    ga_settings set;
    size_t dim, n, lambda, noff;  /* noff: offspring per generation */
    size_t cap;                   /* offspring slots: max(n, lambda) */
    gsl_rng *rng;

    double *pool;                 /* n + cap slots of dim genes */
    size_t *pop_slot, *off_slot;  /* the population's n, the offspring's cap */
    size_t *next_slot;            /* selection's scratch (n) */
    unsigned char *used;          /* slots the population holds (breeding) */
    double *pop_fit;              /* n individuals */
    double *off_fit;              /* noff offspring (n in generation 0) */
    unsigned char *off_valid;
    double *next_fit;
    double *comb_fit;             /* parents + children fitness (mu+lambda) */
    size_t *order;                /* parents + children by fitness (random) */
    double *scratch;              /* the second child of a crossover (dim) */
    double *view;                 /* the population gathered (n x dim) */

    double *batch;                /* pending individuals, contiguous */
    size_t *batch_index;
    size_t nbatch;
    double *tell_fit;             /* the batch's fitness after the NaN policy */

    double *hof, *hof_fit;        /* best first */
    size_t nhof, hof_cap;

    ga_stats_row *stats;
    size_t nstats, stats_cap;

    long gen;                     /* last completed generation; -1 none */
    long evaluations;
    double prev_mean;             /* CANDLE's fallback for an all-NaN batch */
    double worst_seen;
    long stall;                   /* generations since the best improved */
    int done;
    stop_kind stop;
    int extended;                 /* restored with a larger num_iter */
    char stop_reason[256];
};

static void *xcalloc(size_t n, size_t size, int *failed)
{
    void *p = calloc(n ? n : 1, size);
    if (!p)
        *failed = 1;
    return p;
}

void ga_engine_free(ga_engine *e)
{
    if (!e)
        return;
    gsl_rng_free(e->rng);
    free(e->pool);
    free(e->pop_slot);
    free(e->off_slot);
    free(e->next_slot);
    free(e->used);
    free(e->pop_fit);
    free(e->off_fit);
    free(e->off_valid);
    free(e->next_fit);
    free(e->scratch);
    free(e->view);
    free(e->comb_fit);
    free(e->order);
    free(e->batch);
    free(e->batch_index);
    free(e->tell_fit);
    free(e->hof);
    free(e->hof_fit);
    free(e->stats);
    free(e);
}

/* Everything but the initial draw: shared by alloc and restore. */
static ga_engine *engine_new(const ga_space *space, const ga_settings *s,
                             ga_error *err)
{
    if (ga_settings_validate(s, err) != GA_OK)
        return NULL;
    if (space->n == 0) {
        ga_error_set(err, GA_EINPUT, "the space has no parameters");
        return NULL;
    }
    if (s->strategy == GA_ASYNC) {
        ga_error_set(err, GA_EINPUT, "strategy async is the steady-state GA "
                     "of `gahpo run`; here use simple or mu_plus_lambda");
        return NULL;
    }
    ga_engine *e = calloc(1, sizeof *e);
    if (!e) {
        ga_error_set(err, GA_EFAIL, "out of memory");
        return NULL;
    }
    e->space = space;
    e->set = *s;
    e->dim = space->n;
    e->n = (size_t)s->population_size;
    e->lambda = (size_t)ga_settings_batch(s);
    e->noff = e->lambda;
    size_t cap = e->n > e->lambda ? e->n : e->lambda;
    size_t d = e->dim;
    e->cap = cap;
    int failed = 0;
    e->rng = ga_rng_alloc(s->seed);
    failed |= !e->rng;
    e->pool = xcalloc((e->n + cap) * d, sizeof(double), &failed);
    e->pop_slot = xcalloc(e->n, sizeof(size_t), &failed);
    e->off_slot = xcalloc(cap, sizeof(size_t), &failed);
    e->next_slot = xcalloc(e->n, sizeof(size_t), &failed);
    e->used = xcalloc(e->n + cap, 1, &failed);
    /* the fitness arrays are swapped with each other: all cap long */
    e->pop_fit = xcalloc(cap, sizeof(double), &failed);
    e->off_fit = xcalloc(cap, sizeof(double), &failed);
    e->off_valid = xcalloc(cap, 1, &failed);
    e->next_fit = xcalloc(cap, sizeof(double), &failed);
    e->scratch = xcalloc(d, sizeof(double), &failed);
    e->view = xcalloc(e->n * d, sizeof(double), &failed);
    e->comb_fit = xcalloc(e->n + e->lambda, sizeof(double), &failed);
    e->order = xcalloc(e->n + e->lambda, sizeof(size_t), &failed);
    e->batch = xcalloc(cap * d, sizeof(double), &failed);
    e->batch_index = xcalloc(cap, sizeof(size_t), &failed);
    e->tell_fit = xcalloc(cap, sizeof(double), &failed);
    e->hof_cap = (size_t)s->hof_size;
    e->hof = xcalloc(e->hof_cap * d, sizeof(double), &failed);
    e->hof_fit = xcalloc(e->hof_cap, sizeof(double), &failed);
    /* grown as generations complete: num_iter may be a bound far above
     * what a budget lets the run reach (simple) */
    e->stats_cap = s->num_iter < 64 ? (size_t)s->num_iter : 64;
    e->stats = xcalloc(e->stats_cap, sizeof(ga_stats_row), &failed);
    if (failed) {
        ga_error_set(err, GA_EFAIL, "out of memory for population %zu x %zu",
                     e->n, d);
        ga_engine_free(e);
        return NULL;
    }
    /* ga_op_below needs 32 random bits per draw */
    if (gsl_rng_min(e->rng) != 0 || gsl_rng_max(e->rng) != 0xffffffffUL) {
        ga_error_set(err, GA_EFAIL, "the generator must give 32-bit draws");
        ga_engine_free(e);
        return NULL;
    }
    /* the population in the first n slots, the offspring after them: how a
     * checkpoint lays them out too */
    for (size_t i = 0; i < e->n; i++)
        e->pop_slot[i] = i;
    for (size_t k = 0; k < cap; k++)
        e->off_slot[k] = e->n + k;
    e->gen = -1;
    e->prev_mean = NAN;
    e->worst_seen = NAN;
    return e;
}

static inline double *slot_genes(const ga_engine *e, size_t slot)
{
    return e->pool + slot * e->dim;
}

static inline double *pop_genes(const ga_engine *e, size_t i)
{
    return slot_genes(e, e->pop_slot[i]);
}

static inline double *off_genes(const ga_engine *e, size_t k)
{
    return slot_genes(e, e->off_slot[k]);
}

/* count slots the population does not hold, for the next offspring (the
 * pool has n + cap slots, the population holds at most n of them). */
static void take_free_slots(ga_engine *e, size_t count)
{
    memset(e->used, 0, e->n + e->cap);
    for (size_t i = 0; i < e->n; i++)
        e->used[e->pop_slot[i]] = 1;
    size_t k = 0;
    for (size_t s = 0; k < count; s++)
        if (!e->used[s])
            e->off_slot[k++] = s;
}

/* Gather the invalid offspring into the contiguous batch: with
 * max_evaluations, only as many as the budget has left (the first ones,
 * in offspring order), so the run ends at exactly max_evaluations. */
static void build_batch(ga_engine *e, size_t count)
{
    size_t d = e->dim, k = 0, room = count;
    if (e->set.max_evaluations > 0) {
        long left = e->set.max_evaluations - e->evaluations;
        room = left > 0 ? (size_t)left : 0;
    }
    for (size_t i = 0; i < count && k < room; i++) {
        if (e->off_valid[i])
            continue;
        memcpy(e->batch + k * d, off_genes(e, i), d * sizeof(double));
        e->batch_index[k++] = i;
    }
    e->nbatch = k;
}

ga_engine *ga_engine_alloc(const ga_space *space, const ga_settings *s,
                           ga_error *err)
{
    ga_engine *e = engine_new(space, s, err);
    if (!e)
        return NULL;
    /* generation 0: the initial population is the "offspring" to evaluate */
    for (size_t i = 0; i < e->n; i++)
        ga_op_init(space, e->rng, off_genes(e, i));
    memset(e->off_valid, 0, e->n);
    build_batch(e, e->n);
    return e;
}

int ga_engine_seed_population(ga_engine *e, const double *genes, size_t count,
                              ga_error *err)
{
    if (e->gen >= 0)
        return ga_error_set(err, GA_EINPUT, "the initial population can only "
                            "be set before the first generation is evaluated");
    if (count > e->n)
        return ga_error_set(err, GA_EINPUT, "%zu initial individuals given but "
                            "population_size is %zu", count, e->n);
    for (size_t i = 0; i < count * e->dim; i++)
        if (!ga_param_gene_valid(&e->space->params[i % e->dim], genes[i]))
            return ga_error_set(err, GA_EINPUT, "initial individual %zu: "
                                "illegal value for parameter '%s'", i / e->dim,
                                e->space->params[i % e->dim].name);
    for (size_t i = 0; i < count; i++)
        memcpy(off_genes(e, i), genes + i * e->dim, e->dim * sizeof(double));
    build_batch(e, e->n);
    return GA_OK;
}

void ga_engine_ask(const ga_engine *e, ga_batch *b)
{
    b->count = e->done ? 0 : e->nbatch;
    b->dim = e->dim;
    b->generation = e->gen + 1;
    b->genes = e->batch;
    b->index = e->batch_index;
}

/* DEAP's HallOfFame.update: insert if better than the worst kept (or room
 * is left) and not identical to one kept; a new individual goes before
 * those of equal fitness (DEAP's bisect_right on reversed keys). */
static void hof_update(ga_engine *e, const size_t *slots, const double *fit,
                       size_t count)
{
    size_t d = e->dim;
    for (size_t i = 0; i < count; i++) {
        const double *g = slot_genes(e, slots[i]);
        double f = fit[i];
        if (e->nhof == e->hof_cap && !(f < e->hof_fit[e->nhof - 1]))
            continue;
        int same = 0;
        for (size_t h = 0; h < e->nhof && !same; h++)
            same = memcmp(e->hof + h * d, g, d * sizeof(double)) == 0;
        if (same)
            continue;
        size_t pos = 0;
        while (pos < e->nhof && e->hof_fit[pos] < f)
            pos++;
        size_t last = e->nhof < e->hof_cap ? e->nhof : e->hof_cap - 1;
        for (size_t h = last; h > pos; h--) {
            memcpy(e->hof + h * d, e->hof + (h - 1) * d, d * sizeof(double));
            e->hof_fit[h] = e->hof_fit[h - 1];
        }
        memcpy(e->hof + pos * d, g, d * sizeof(double));
        e->hof_fit[pos] = f;
        if (e->nhof < e->hof_cap)
            e->nhof++;
    }
}

/* Room for one more statistics row: 0, or -1 when out of memory. */
static int stats_room(ga_engine *e)
{
    if (e->nstats < e->stats_cap)
        return 0;
    size_t cap = e->stats_cap * 2;
    ga_stats_row *p = realloc(e->stats, cap * sizeof *p);
    if (!p)
        return -1;
    e->stats = p;
    e->stats_cap = cap;
    return 0;
}

/* One pass (Welford) over the population's fitness; numpy's std (ddof 0).
 * stats_room has made room. */
static void record_stats(ga_engine *e, long nevals, long nfailed)
{
    ga_stats_row *r = &e->stats[e->nstats++];
    r->gen = e->gen;
    r->nevals = nevals;
    r->nfailed = nfailed;
    ga_stats_row_fill(r, e->pop_fit, e->n);
}

/* DEAP's varAnd over the N individuals selected into off. */
static void vary_and(ga_engine *e)
{
    const ga_settings *s = &e->set;
    size_t d = e->dim;
    for (size_t i = 1; i < e->n; i += 2) {
        if (gsl_rng_uniform(e->rng) < s->cx_prob) {
            ga_op_crossover(d, s->cx_indpb, e->rng, off_genes(e, i - 1),
                            off_genes(e, i));
            e->off_valid[i - 1] = e->off_valid[i] = 0;
        }
    }
    for (size_t i = 0; i < e->n; i++) {
        if (gsl_rng_uniform(e->rng) < s->mut_prob) {
            ga_op_mutate(e->space, s->mut_indpb, e->rng, off_genes(e, i));
            e->off_valid[i] = 0;
        }
    }
}

/* eaSimple: select N by tournament into off, then varAnd. */
static void breed_simple(ga_engine *e)
{
    size_t d = e->dim;
    take_free_slots(e, e->n);
    for (size_t i = 0; i < e->n; i++) {
        size_t w = ga_op_tournament(e->pop_fit, e->n, (size_t)e->set.tournsize,
                                    e->rng);
        memcpy(off_genes(e, i), pop_genes(e, w), d * sizeof(double));
        e->off_fit[i] = e->pop_fit[w];
        e->off_valid[i] = 1;
    }
    vary_and(e);
}

/* DEAP's varOr: lambda children by crossover (first child kept), mutation
 * or reproduction (an unchanged copy that keeps its fitness). */
static void breed_mu_plus_lambda(ga_engine *e)
{
    const ga_settings *s = &e->set;
    size_t d = e->dim, n = e->n;
    take_free_slots(e, e->lambda);
    for (size_t k = 0; k < e->lambda; k++) {
        double *child = off_genes(e, k);
        double u = gsl_rng_uniform(e->rng);
        if (u < s->cx_prob) {
            /* random.sample(population, 2): two distinct parents */
            size_t a = ga_op_below(e->rng, n);
            size_t b = ga_op_below(e->rng, n - 1);
            if (b >= a)
                b++;
            memcpy(child, pop_genes(e, a), d * sizeof(double));
            /* cxUniform, keeping only the first child: the second is
             * scratch */
            double *other = e->scratch;
            memcpy(other, pop_genes(e, b), d * sizeof(double));
            ga_op_crossover(d, s->cx_indpb, e->rng, child, other);
            e->off_valid[k] = 0;
        } else if (u < s->cx_prob + s->mut_prob) {
            size_t a = ga_op_below(e->rng, n);
            memcpy(child, pop_genes(e, a), d * sizeof(double));
            ga_op_mutate(e->space, s->mut_indpb, e->rng, child);
            e->off_valid[k] = 0;
        } else {
            size_t a = ga_op_below(e->rng, n);
            memcpy(child, pop_genes(e, a), d * sizeof(double));
            e->off_fit[k] = e->pop_fit[a];
            e->off_valid[k] = 1;
        }
    }
}

/* The selected next_slot / next_fit become the population (a swap of
 * the arrays: selection's scratch is the old population's). */
static void adopt_next(ga_engine *e)
{
    size_t *ts = e->pop_slot;
    e->pop_slot = e->next_slot;
    e->next_slot = ts;
    double *t = e->pop_fit;
    e->pop_fit = e->next_fit;
    e->next_fit = t;
}

/* mu+lambda replacement: N tournaments over parents followed by the
 * first nchild children. A survivor keeps its slot; only its slot number
 * moves. */
static void select_mu_plus_lambda(ga_engine *e, size_t nchild)
{
    size_t n = e->n, m = e->n + nchild;
    memcpy(e->comb_fit, e->pop_fit, n * sizeof(double));
    memcpy(e->comb_fit + n, e->off_fit, nchild * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        size_t w = ga_op_tournament(e->comb_fit, m, (size_t)e->set.tournsize,
                                    e->rng);
        e->next_slot[i] = w < n ? e->pop_slot[w] : e->off_slot[w - n];
        e->next_fit[i] = e->comb_fit[w];
    }
    adopt_next(e);
}

/* Random search keeps the best N of the parents and the first nchild
 * children (truncation; on equal fitness the earlier one: parents first,
 * then children in order). An insertion sort of indices: stable, no
 * global state for a comparison, and N + nchild is a population's size. */
static void select_best(ga_engine *e, size_t nchild)
{
    size_t n = e->n, m = e->n + nchild;
    memcpy(e->comb_fit, e->pop_fit, n * sizeof(double));
    memcpy(e->comb_fit + n, e->off_fit, nchild * sizeof(double));
    for (size_t i = 0; i < m; i++) {
        size_t j = i;
        while (j > 0 && e->comb_fit[e->order[j - 1]] > e->comb_fit[i]) {
            e->order[j] = e->order[j - 1];
            j--;
        }
        e->order[j] = i;
    }
    for (size_t i = 0; i < n; i++) {
        size_t w = e->order[i];
        e->next_slot[i] = w < n ? e->pop_slot[w] : e->off_slot[w - n];
        e->next_fit[i] = e->comb_fit[w];
    }
    adopt_next(e);
}

/* Random search's next generation: N new points from the space. */
static void breed_random(ga_engine *e)
{
    take_free_slots(e, e->lambda);
    for (size_t k = 0; k < e->lambda; k++) {
        ga_op_init(e->space, e->rng, off_genes(e, k));
        e->off_valid[k] = 0;
    }
}

/* The next generation's offspring, bred from the population, as the
 * batch to evaluate. */
static void breed_next(ga_engine *e)
{
    if (e->set.strategy == GA_SIMPLE) {
        breed_simple(e);
    } else if (e->set.strategy == GA_RANDOM) {
        breed_random(e);
    } else {
        breed_mu_plus_lambda(e);
    }
    build_batch(e, e->lambda);
}

/* After a tell: the offspring with a fitness moved to the front of the
 * first count, in order; how many. All count unless the budget cut the
 * generation (then the slots of the others are free again). */
static size_t keep_evaluated(ga_engine *e, size_t count)
{
    size_t kept = 0;
    for (size_t k = 0; k < count; k++) {
        if (!e->off_valid[k])
            continue;
        if (kept != k) {
            size_t slot = e->off_slot[kept];
            e->off_slot[kept] = e->off_slot[k];
            e->off_slot[k] = slot;
            e->off_fit[kept] = e->off_fit[k];
            e->off_valid[kept] = 1;
            e->off_valid[k] = 0;
        }
        kept++;
    }
    return kept;
}

/* Apply the NaN policy to a batch's fitnesses, in place. */
static int resolve_failures(ga_engine *e, double *fit, size_t count,
                            long *nfailed, ga_error *err)
{
    double sum = 0, worst = e->worst_seen;
    size_t valid = 0;
    for (size_t k = 0; k < count; k++) {
        if (isnan(fit[k]))
            continue;
        sum += fit[k];
        valid++;
        if (isnan(worst) || fit[k] > worst)
            worst = fit[k];
    }
    *nfailed = (long)(count - valid);
    double mean = valid ? sum / (double)valid : NAN;
    if (*nfailed > 0) {
        double fill = NAN;
        switch (e->set.nan_policy) {
        case GA_NAN_FAIL:
            return ga_error_set(err, GA_EFAIL, "%ld of %zu evaluations in "
                                "generation %ld failed and nan_policy is "
                                "'fail'", *nfailed, count, e->gen + 1);
        case GA_NAN_MEAN:
            fill = valid ? mean : e->prev_mean;
            break;
        case GA_NAN_WORST:
            fill = worst;
            break;
        }
        if (isnan(fill))
            return ga_error_set(err, GA_EFAIL, "all %zu evaluations in "
                                "generation %ld failed and there is no earlier "
                                "fitness to stand in for them (nan_policy "
                                "'%s')", count, e->gen + 1,
                                ga_nan_policy_name(e->set.nan_policy));
        for (size_t k = 0; k < count; k++)
            if (isnan(fit[k]))
                fit[k] = fill;
    }
    if (valid)
        e->prev_mean = mean;
    e->worst_seen = worst;
    return GA_OK;
}

static void check_stop(ga_engine *e, double best_before)
{
    const ga_settings *s = &e->set;
    double best = e->hof_fit[0];
    if (best < best_before)
        e->stall = 0;
    else
        e->stall++;
    if (s->max_evaluations > 0 && e->evaluations >= s->max_evaluations) {
        snprintf(e->stop_reason, sizeof e->stop_reason,
                 "budget reached (%ld evaluations)", e->evaluations);
        e->done = 1;
        e->stop = STOP_BUDGET;
    } else if (e->gen + 1 >= s->num_iter) {
        snprintf(e->stop_reason, sizeof e->stop_reason,
                 "num_iter reached (%ld generations)", s->num_iter);
        e->done = 1;
        e->stop = STOP_NUM_ITER;
    } else if (!isnan(s->target) && best <= s->target) {
        snprintf(e->stop_reason, sizeof e->stop_reason,
                 "target reached (best %.17g <= %.17g)", best, s->target);
        e->done = 1;
        e->stop = STOP_TARGET;
    } else if (s->stall_generations > 0 && e->stall >= s->stall_generations) {
        snprintf(e->stop_reason, sizeof e->stop_reason,
                 "no improvement for %ld generations", e->stall);
        e->done = 1;
        e->stop = STOP_STALL;
    }
}

int ga_engine_tell(ga_engine *e, const double *fitness, ga_error *err)
{
    if (e->done)
        return ga_error_set(err, GA_EINPUT, "tell after the run ended");
    if (e->gen + 1 >= e->set.num_iter)  /* restore refuses such a state */
        return ga_error_set(err, GA_EFAIL, "tell past num_iter");
    if (stats_room(e) != 0)
        return ga_error_set(err, GA_EFAIL, "out of memory");
    double *fit = e->tell_fit;
    memcpy(fit, fitness, e->nbatch * sizeof *fit);
    long nfailed;
    int rc = resolve_failures(e, fit, e->nbatch, &nfailed, err);
    if (rc != GA_OK)
        return rc;
    for (size_t k = 0; k < e->nbatch; k++) {
        e->off_fit[e->batch_index[k]] = fit[k];
        e->off_valid[e->batch_index[k]] = 1;
    }
    e->evaluations += (long)e->nbatch;
    double best_before = e->nhof ? e->hof_fit[0] : INFINITY;
    e->gen++;
    size_t nchild = e->gen == 0 ? e->n : e->lambda;
    size_t kept = keep_evaluated(e, nchild);
    if (kept < nchild) {
        /* the budget cut this generation: the next population is chosen
         * from the parents and the children evaluated, as mu_plus_lambda
         * chooses (simple's unevaluated children have no fitness), or the
         * best of them for random search */
        hof_update(e, e->off_slot, e->off_fit, kept);
        if (e->set.strategy == GA_RANDOM)
            select_best(e, kept);
        else
            select_mu_plus_lambda(e, kept);
    } else if (e->gen == 0 || e->set.strategy == GA_SIMPLE) {
        /* the offspring become the population: their slots and fitness */
        hof_update(e, e->off_slot, e->off_fit, e->n);
        memcpy(e->pop_slot, e->off_slot, e->n * sizeof(size_t));
        double *t = e->pop_fit;
        e->pop_fit = e->off_fit;
        e->off_fit = t;
    } else if (e->set.strategy == GA_RANDOM) {
        hof_update(e, e->off_slot, e->off_fit, e->lambda);
        select_best(e, e->lambda);
    } else {
        hof_update(e, e->off_slot, e->off_fit, e->lambda);
        select_mu_plus_lambda(e, e->lambda);
    }
    record_stats(e, (long)e->nbatch, nfailed);
    check_stop(e, best_before);
    if (e->done) {
        e->nbatch = 0;
        return GA_OK;
    }
    breed_next(e);
    return GA_OK;
}

void ga_engine_stop(ga_engine *e, const char *reason)
{
    if (e->done)
        return;
    e->done = 1;
    e->stop = STOP_CALLER;
    e->nbatch = 0;
    snprintf(e->stop_reason, sizeof e->stop_reason, "%s", reason);
}

int ga_engine_done(const ga_engine *e)
{
    return e->done;
}

const char *ga_engine_stop_reason(const ga_engine *e)
{
    return e->stop_reason;
}

const ga_stats_row *ga_engine_stats(const ga_engine *e, size_t *n)
{
    *n = e->nstats;
    return e->stats;
}

/* Gather the count individuals in slots[] into out, contiguous. */
static void gather(const ga_engine *e, const size_t *slots, size_t count,
                   double *out)
{
    for (size_t i = 0; i < count; i++)
        memcpy(out + i * e->dim, slot_genes(e, slots[i]),
               e->dim * sizeof(double));
}

const double *ga_engine_population(ga_engine *e, size_t *n,
                                   const double **fitness)
{
    *n = e->gen >= 0 ? e->n : 0;
    if (fitness)
        *fitness = e->pop_fit;
    gather(e, e->pop_slot, e->n, e->view);
    return e->view;
}

const double *ga_engine_hof(const ga_engine *e, size_t *n,
                            const double **fitness)
{
    *n = e->nhof;
    if (fitness)
        *fitness = e->hof_fit;
    return e->hof;
}

long ga_engine_evaluations(const ga_engine *e)
{
    return e->evaluations;
}

long ga_engine_generation(const ga_engine *e)
{
    return e->gen;
}

/* ---- checkpoint state ---------------------------------------------------
 * Doubles are stored as C99 hex-float strings ("0x1.8p+1"): exact, and
 * several times cheaper to write than the 17 decimal digits a checkpoint of
 * every generation would otherwise spend its time on. NaN, which only the
 * fallbacks can hold, is null. */

static void add_num(cJSON *o, const char *key, double v)
{
    cJSON_AddItemToObject(o, key, ga_state_number(v));
}

cJSON *ga_engine_save(const ga_engine *e)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    size_t d = e->dim;
    cJSON_AddNumberToObject(o, "version", STATE_VERSION);
    cJSON_AddNumberToObject(o, "dim", (double)d);
    cJSON_AddNumberToObject(o, "population_size", (double)e->n);
    cJSON_AddNumberToObject(o, "generation", (double)e->gen);
    cJSON_AddNumberToObject(o, "evaluations", (double)e->evaluations);
    add_num(o, "prev_mean", e->prev_mean);
    add_num(o, "worst_seen", e->worst_seen);
    cJSON_AddNumberToObject(o, "stall", (double)e->stall);
    cJSON_AddBoolToObject(o, "done", e->done);
    cJSON_AddStringToObject(o, "stop_kind", stop_kind_names[e->stop]);
    cJSON_AddStringToObject(o, "stop_reason", e->stop_reason);
    size_t noff = e->gen < 0 ? e->n : e->noff;
    double *rows = malloc((e->n > noff ? e->n : noff) * d * sizeof(double));
    if (!rows) {
        cJSON_Delete(o);
        return NULL;
    }
    gather(e, e->pop_slot, e->n, rows);
    cJSON_AddItemToObject(o, "population", ga_state_numbers(rows, e->n * d));
    cJSON_AddItemToObject(o, "fitness", ga_state_numbers(e->pop_fit, e->n));
    gather(e, e->off_slot, noff, rows);
    cJSON_AddItemToObject(o, "offspring", ga_state_numbers(rows, noff * d));
    free(rows);
    cJSON_AddItemToObject(o, "offspring_fitness",
                          ga_state_numbers(e->off_fit, noff));
    cJSON *valid = cJSON_CreateArray();
    for (size_t i = 0; valid && i < noff; i++)
        cJSON_AddItemToArray(valid, cJSON_CreateBool(e->off_valid[i]));
    cJSON_AddItemToObject(o, "offspring_valid", valid);
    cJSON_AddItemToObject(o, "hof", ga_state_numbers(e->hof, e->nhof * d));
    cJSON_AddItemToObject(o, "hof_fitness",
                          ga_state_numbers(e->hof_fit, e->nhof));
    cJSON *st = cJSON_CreateArray();
    for (size_t i = 0; st && i < e->nstats; i++) {
        const ga_stats_row *r = &e->stats[i];
        double row[7] = { (double)r->gen, (double)r->nevals, (double)r->nfailed,
                          r->avg, r->std, r->min, r->max };
        cJSON_AddItemToArray(st, ga_state_numbers(row, 7));
    }
    cJSON_AddItemToObject(o, "stats", st);
    ga_state_save_rng(o, e->rng);
    return o;
}

/* The stats rows of a checkpoint: one per completed generation. */
static int restore_stats(ga_engine *e, const cJSON *o, ga_error *err)
{
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(o, "stats"), *it;
    if (!cJSON_IsArray(st) || cJSON_GetArraySize(st) != e->gen + 1)
        return ga_error_set(err, GA_EINPUT, "checkpoint: 'stats' should have "
                            "one row per completed generation");
    cJSON_ArrayForEach(it, st) {
        double row[7];
        if (!cJSON_IsArray(it) || cJSON_GetArraySize(it) != 7)
            return ga_error_set(err, GA_EINPUT, "checkpoint: bad 'stats' row");
        size_t k = 0;
        const cJSON *x;
        cJSON_ArrayForEach(x, it) {
            if (ga_state_item_number(x, &row[k++]) != 0)
                row[k - 1] = NAN;
        }
        if (!ga_state_counts_ok(row, 3) || row[0] != (double)e->nstats)
            return ga_error_set(err, GA_EINPUT, "checkpoint: bad 'stats' row "
                                "%zu", e->nstats);
        if (stats_room(e) != 0)
            return ga_error_set(err, GA_EFAIL, "out of memory");
        ga_stats_row *r = &e->stats[e->nstats++];
        *r = (ga_stats_row){ (long)row[0], (long)row[1], (long)row[2],
                             row[3], row[4], row[5], row[6] };
    }
    return GA_OK;
}

/* done, stop_kind and stop_reason; a run that stopped at num_iter and is
 * given a larger one goes on. */
static int restore_stop(ga_engine *e, const cJSON *o, double version,
                        ga_error *err)
{
    const cJSON *done = cJSON_GetObjectItemCaseSensitive(o, "done");
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(o, "stop_kind");
    const cJSON *why = cJSON_GetObjectItemCaseSensitive(o, "stop_reason");
    if (!cJSON_IsBool(done))
        return ga_error_set(err, GA_EINPUT, "checkpoint: 'done' is missing");
    e->done = cJSON_IsTrue(done);
    e->stop = e->done ? STOP_CALLER : STOP_NONE;
    if (version >= 2) {
        size_t k = 0;
        while (k < sizeof stop_kind_names / sizeof *stop_kind_names &&
               !(cJSON_IsString(kind) && !strcmp(kind->valuestring,
                                                 stop_kind_names[k])))
            k++;
        if (k == sizeof stop_kind_names / sizeof *stop_kind_names ||
            (k == STOP_NONE) == e->done)
            return ga_error_set(err, GA_EINPUT, "checkpoint: 'stop_kind' does "
                                "not agree with 'done'");
        e->stop = (stop_kind)k;
    }
    if (cJSON_IsString(why))
        snprintf(e->stop_reason, sizeof e->stop_reason, "%s", why->valuestring);
    if (!e->done && e->gen + 1 >= e->set.num_iter)
        return ga_error_set(err, GA_EINPUT, "checkpoint: generation %ld is the "
                            "last of num_iter %ld but the run is not done",
                            e->gen, e->set.num_iter);
    if (!e->done && e->set.max_evaluations > 0 &&
        e->evaluations >= e->set.max_evaluations)
        return ga_error_set(err, GA_EINPUT, "checkpoint: %ld evaluations made, "
                            "the budget (max_evaluations %ld) is used up, but "
                            "the run is not done", e->evaluations,
                            e->set.max_evaluations);
    if (version < 2 && e->done && e->gen + 1 < e->set.num_iter)
        return ga_error_set(err, GA_EINPUT, "checkpoint: written by an older "
                            "gahpo, which did not record why the run stopped, "
                            "so this finished run cannot be extended; start a "
                            "new run (--init-population takes its best "
                            "individuals)");
    long max = e->set.max_evaluations;
    if (e->done && ((e->stop == STOP_NUM_ITER && e->gen + 1 < e->set.num_iter &&
                     (max == 0 || e->evaluations < max)) ||
                    (e->stop == STOP_BUDGET && e->evaluations < max &&
                     e->gen + 1 < e->set.num_iter))) {
        /* extended: breed the next generation as tell would have */
        e->done = 0;
        e->stop = STOP_NONE;
        e->stop_reason[0] = '\0';
        e->extended = 1;
    }
    return GA_OK;
}

ga_engine *ga_engine_restore(const ga_space *space, const ga_settings *s,
                             const cJSON *o, ga_error *err)
{
    ga_engine *e = engine_new(space, s, err);
    if (!e)
        return NULL;
    double version, dim, pop, gen;
    if (ga_state_read_number(o, "version", &version, err) ||
        ga_state_read_number(o, "dim", &dim, err) ||
        ga_state_read_number(o, "population_size", &pop, err) ||
        ga_state_read_number(o, "generation", &gen, err))
        goto fail;
    if (version != 1 && version != 2 && version != STATE_VERSION) {
        ga_error_set(err, GA_EINPUT, "checkpoint: engine state version %g is "
                     "not one this gahpo reads (1 to %d)", version,
                     STATE_VERSION);
        goto fail;
    }
    if (dim != (double)e->dim || pop != (double)e->n) {
        ga_error_set(err, GA_EINPUT, "checkpoint: population %g x %g does not "
                     "match the settings and space (%zu x %zu)", pop, dim,
                     e->n, e->dim);
        goto fail;
    }
    if (!(gen >= -1 && gen + 1 <= (double)s->num_iter) || gen != floor(gen)) {
        ga_error_set(err, GA_EINPUT, "checkpoint: generation %g is outside "
                     "[-1, num_iter - 1 = %ld]", gen, s->num_iter - 1);
        goto fail;
    }
    e->gen = (long)gen;
    size_t d = e->dim;
    size_t noff = e->gen < 0 ? e->n : e->noff;
    double evals, stall;
    /* before the first tell the population is not filled yet: only the
     * offspring (the initial individuals) hold genes */
    if (ga_state_read_number(o, "evaluations", &evals, err) ||
        ga_state_read_number(o, "prev_mean", &e->prev_mean, err) ||
        ga_state_read_number(o, "worst_seen", &e->worst_seen, err) ||
        ga_state_read_number(o, "stall", &stall, err) ||
        ga_state_read_numbers(o, "population", e->pool, e->n * d, err) ||
        ga_state_read_numbers(o, "fitness", e->pop_fit, e->n, err) ||
        ga_state_read_numbers(o, "offspring", e->pool + e->n * d, noff * d,
                              err) ||
        ga_state_read_numbers(o, "offspring_fitness", e->off_fit, noff, err) ||
        (e->gen >= 0 &&
         ga_state_check_genes(space, e->pool, e->n, "population", err)) ||
        ga_state_check_genes(space, e->pool + e->n * d, noff, "offspring",
                             err))
        goto fail;
    if (!ga_state_counts_ok(&evals, 1) || !ga_state_counts_ok(&stall, 1) ||
        (e->gen < 0 && evals != 0)) {
        ga_error_set(err, GA_EINPUT, "checkpoint: 'evaluations' or 'stall' is "
                     "out of range");
        goto fail;
    }
    for (size_t i = 0; e->gen >= 0 && i < e->n; i++)
        if (isnan(e->pop_fit[i])) {
            ga_error_set(err, GA_EINPUT, "checkpoint: 'fitness' %zu is not a "
                         "number", i);
            goto fail;
        }
    e->evaluations = (long)evals;
    e->stall = (long)stall;
    const cJSON *valid = cJSON_GetObjectItemCaseSensitive(o, "offspring_valid");
    if (!cJSON_IsArray(valid) || (size_t)cJSON_GetArraySize(valid) != noff) {
        ga_error_set(err, GA_EINPUT, "checkpoint: 'offspring_valid' is wrong");
        goto fail;
    }
    size_t i = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, valid) {
        e->off_valid[i] = cJSON_IsTrue(it);
        if (e->off_valid[i] && (e->gen < 0 || isnan(e->off_fit[i]))) {
            ga_error_set(err, GA_EINPUT, "checkpoint: offspring %zu is marked "
                         "evaluated without a fitness", i);
            goto fail;
        }
        i++;
    }
    const cJSON *hof = cJSON_GetObjectItemCaseSensitive(o, "hof_fitness");
    e->nhof = cJSON_IsArray(hof) ? (size_t)cJSON_GetArraySize(hof) : 0;
    if (e->nhof > e->hof_cap || (e->gen >= 0) != (e->nhof > 0) ||
        ga_state_read_numbers(o, "hof", e->hof, e->nhof * d, err) ||
        ga_state_read_numbers(o, "hof_fitness", e->hof_fit, e->nhof, err) ||
        ga_state_check_genes(space, e->hof, e->nhof, "hof", err)) {
        if (err && err->status == GA_OK)
            ga_error_set(err, GA_EINPUT, "checkpoint: the hall of fame should "
                         "hold 1 to %zu individuals once a generation is done",
                         e->hof_cap);
        goto fail;
    }
    if (restore_stats(e, o, err) || restore_stop(e, o, version, err) ||
        ga_state_restore_rng(o, &e->rng, version < 3, err))
        goto fail;
    if (e->extended)
        breed_next(e);
    else if (!e->done)
        build_batch(e, noff);
    return e;
fail:
    ga_engine_free(e);
    return NULL;
}
