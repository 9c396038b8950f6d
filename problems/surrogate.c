/* problem.c - a surrogate model behind the problem interface. */
#include "surrogate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "../surrogates/model.h"

typedef struct sur_problem_data {
    sur_model *model;
    int noisy;
} sur_problem_data;

static void free_data(void *p)
{
    sur_problem_data *d = p;
    if (!d)
        return;
    sur_model_free(d->model);
    free(d);
}

static void eval(const prob_problem *p, const double *x, size_t n, double *f,
                 gsl_rng *rng)
{
    const sur_problem_data *d = p->data;
    const sur_model *m = d->model;
    int draw = d->noisy && rng;
    /* one allocation per batch: the model's scratch, the means and
     * variances; the whole batch predicted at once (BLAS for the
     * variances), then the draws in point order, as one at a time */
    double *scratch = malloc((sur_model_scratch_size(m) + 2 * n + 1) *
                             sizeof *scratch);
    if (!scratch) {
        for (size_t i = 0; i < n; i++)
            f[i] = NAN;
        return;
    }
    double *mean = scratch + sur_model_scratch_size(m), *var = mean + n;
    sur_model_predict_latent(m, x, n, mean, draw ? var : NULL, scratch);
    for (size_t i = 0; i < n; i++) {
        double v = mean[i];
        if (draw)
            v += gsl_ran_gaussian_ziggurat(rng, sqrt(var[i]));
        f[i] = sur_model_output(m, v);
    }
    free(scratch);
}

prob_problem *sur_problem_alloc(const char *model_path, const char *name,
                                int noisy, ga_error *err)
{
    sur_model *m = sur_model_load(model_path, err);
    if (!m)
        return NULL;
    prob_problem *p = calloc(1, sizeof *p);
    sur_problem_data *d = calloc(1, sizeof *d);
    ga_space *space = ga_space_clone(m->space);
    if (!p || !d || !space) {
        free(p);
        free(d);
        ga_space_free(space);
        sur_model_free(m);
        ga_error_set(err, GA_EFAIL, "out of memory");
        return NULL;
    }
    d->model = m;
    d->noisy = noisy;
    snprintf(p->name, sizeof p->name, "%s", name);
    p->space = space;
    p->dim = space->n;
    p->eval = eval;
    p->noisy = noisy;
    p->f_opt = NAN;
    p->x_opt = NULL;
    p->data = d;
    p->free_data = free_data;
    return p;
}
