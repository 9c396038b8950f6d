/* async_sim.c - discrete-event simulation of generational and asynchronous
 * GA runs on W workers with seeded heavy-tailed job durations. */
#include "async_sim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "../ga/engine.h"
#include "../ga/rng.h"
#include "../ga/steady.h"

/* Job j's duration and its evaluation noise come from generators seeded by
 * (seed, j): the same job costs the same in both simulations. */
static double duration(gsl_rng *r, const sim_opts *o, long j)
{
    gsl_rng_set(r, prob_noise_seed(o->seed, -3, (size_t)j));
    return o->median * exp(o->sigma * gsl_ran_gaussian_ziggurat(r, 1.0));
}

typedef struct tracker {
    const prob_problem *p;
    const sim_opts *o;
    gsl_rng *noise;
    double best_obs, best_true;
    double time_to_target;
    long evals;
    double busy;
} tracker;

/* Evaluate job j (noisy), finished at time t; track the best. */
static double finish(tracker *k, const double *genes, long j, double t, double dur)
{
    double f;
    size_t index = (size_t)j;
    prob_eval_batch(k->p, genes, 1, &f, k->noise, k->o->seed, -2, &index);
    k->evals++;
    k->busy += dur;
    if (f < k->best_obs) {
        k->best_obs = f;
        k->p->eval(k->p, genes, 1, &k->best_true, NULL);
        if (isinf(k->time_to_target) && k->best_true <= k->o->target)
            k->time_to_target = t;
    }
    return f;
}

static void tracker_init(tracker *k, const prob_problem *p, const sim_opts *o)
{
    memset(k, 0, sizeof *k);
    k->p = p;
    k->o = o;
    k->noise = ga_rng_alloc(0);
    k->best_obs = k->best_true = INFINITY;
    k->time_to_target = INFINITY;
}

int sim_generational(const prob_problem *p, const ga_settings *settings,
                     const sim_opts *o, sim_result *r, ga_error *err)
{
    ga_settings s = *settings;
    s.seed = o->seed;
    s.num_iter = o->budget + 1;
    ga_error_clear(err);
    ga_engine *e = ga_engine_alloc(p->space, &s, err);
    if (!e)
        return err->status;
    tracker k;
    tracker_init(&k, p, o);
    gsl_rng *dr = ga_rng_alloc(0);
    size_t cap = (size_t)(s.population_size > ga_settings_lambda(&s)
                              ? s.population_size : ga_settings_lambda(&s));
    double *f = malloc(cap * sizeof *f), *end = malloc(cap * sizeof *end);
    double *free_at = malloc(((size_t)o->workers + 1) * sizeof *free_at);
    size_t *order = malloc(cap * sizeof *order);
    double now = 0;
    long job = 0;
    int rc = !k.noise || !dr || !f || !end || !free_at || !order
                 ? ga_error_set(err, GA_EFAIL, "out of memory") : GA_OK;
    while (rc == GA_OK && !ga_engine_done(e) && k.evals < o->budget) {
        ga_batch b;
        ga_engine_ask(e, &b);
        size_t n = b.count;
        if ((long)n > o->budget - k.evals)
            n = (size_t)(o->budget - k.evals);
        /* list scheduling from a barrier: each job to the first free worker */
        for (long w = 0; w < o->workers; w++)
            free_at[w] = now;
        double batch_end = now;
        for (size_t i = 0; i < n; i++) {
            long w = 0;
            for (long v = 1; v < o->workers; v++)
                if (free_at[v] < free_at[w])
                    w = v;
            double d = duration(dr, o, job + (long)i);
            end[i] = free_at[w] + d;
            free_at[w] = end[i];
            if (end[i] > batch_end)
                batch_end = end[i];
            order[i] = i;
        }
        /* completions in time order, for the time to target */
        for (size_t i = 1; i < n; i++)
            for (size_t j = i; j > 0 && end[order[j]] < end[order[j - 1]]; j--) {
                size_t t = order[j];
                order[j] = order[j - 1];
                order[j - 1] = t;
            }
        for (size_t i = 0; i < n; i++) {
            size_t q = order[i];
            double d = duration(dr, o, job + (long)q);
            f[q] = finish(&k, b.genes + q * b.dim, job + (long)q, end[q], d);
        }
        job += (long)n;
        now = batch_end;
        if (n < b.count || k.evals >= o->budget)
            break;
        rc = ga_engine_tell(e, f, err);
    }
    r->makespan = now;
    r->time_to_target = k.time_to_target;
    r->utilization = now > 0 ? k.busy / ((double)o->workers * now) : 0;
    r->best_true = k.best_true;
    r->evals = k.evals;
    free(f);
    free(end);
    free(free_at);
    free(order);
    gsl_rng_free(dr);
    gsl_rng_free(k.noise);
    ga_engine_free(e);
    return rc;
}

int sim_async(const prob_problem *p, const ga_settings *settings,
              const sim_opts *o, sim_result *r, ga_error *err)
{
    ga_settings s = *settings;
    s.seed = o->seed;
    ga_steady *g = ga_steady_alloc(p->space, &s, err);
    if (!g)
        return err->status;
    tracker k;
    tracker_init(&k, p, o);
    gsl_rng *dr = ga_rng_alloc(0);
    size_t d = p->dim, W = (size_t)o->workers;
    double *genes = malloc((W * d + 1) * sizeof *genes);
    double *end = malloc((W + 1) * sizeof *end), *dur = malloc((W + 1) * sizeof *dur);
    long *id = malloc((W + 1) * sizeof *id);
    size_t running = 0;
    long submitted = 0;
    double now = 0;
    int rc = GA_OK;
    if (!k.noise || !dr || !genes || !end || !dur || !id) {
        rc = ga_error_set(err, GA_EFAIL, "out of memory");
        W = 0;  /* nothing runs */
    }
    /* fill every worker */
    for (; running < W && submitted < o->budget; running++, submitted++) {
        ga_steady_ask(g, genes + running * d);
        id[running] = submitted;
        dur[running] = duration(dr, o, submitted);
        end[running] = dur[running];
    }
    while (running > 0) {
        size_t w = 0;  /* the next job to finish */
        for (size_t v = 1; v < running; v++)
            if (end[v] < end[w])
                w = v;
        now = end[w];
        double f = finish(&k, genes + w * d, id[w], now, dur[w]);
        ga_steady_tell(g, genes + w * d, f);
        if (submitted < o->budget) {  /* at once, a new job on that worker */
            ga_steady_ask(g, genes + w * d);
            id[w] = submitted;
            dur[w] = duration(dr, o, submitted);
            end[w] = now + dur[w];
            submitted++;
        } else {  /* nothing left to submit: the worker goes idle */
            running--;
            memcpy(genes + w * d, genes + running * d, d * sizeof *genes);
            end[w] = end[running];
            dur[w] = dur[running];
            id[w] = id[running];
        }
    }
    r->makespan = now;
    r->time_to_target = k.time_to_target;
    r->utilization = now > 0 ? k.busy / ((double)o->workers * now) : 0;
    r->best_true = k.best_true;
    r->evals = k.evals;
    free(genes);
    free(end);
    free(dur);
    free(id);
    gsl_rng_free(dr);
    gsl_rng_free(k.noise);
    ga_steady_free(g);
    return rc;
}
