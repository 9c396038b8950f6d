/* classic.c - sphere, rastrigin, rosenbrock, ackley, griewank, schwefel,
 * styblinski_tang and levy with their usual bounds (as DEAP's benchmarks
 * module and the literature define them); every one has optimum value 0. */
#include "classic.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../ga/util.h"

static double sphere(const double *x, size_t d)
{
    double s = 0;
    for (size_t i = 0; i < d; i++)
        s += x[i] * x[i];
    return s;
}

static double rastrigin(const double *x, size_t d)
{
    double s = 10.0 * (double)d;
    for (size_t i = 0; i < d; i++)
        s += x[i] * x[i] - 10.0 * cos(2 * M_PI * x[i]);
    return s;
}

static double rosenbrock(const double *x, size_t d)
{
    double s = 0;
    for (size_t i = 0; i + 1 < d; i++) {
        double a = x[i + 1] - x[i] * x[i], b = 1 - x[i];
        s += 100 * a * a + b * b;
    }
    return s;
}

static double ackley(const double *x, size_t d)
{
    double sq = 0, cs = 0;
    for (size_t i = 0; i < d; i++) {
        sq += x[i] * x[i];
        cs += cos(2 * M_PI * x[i]);
    }
    return 20 - 20 * exp(-0.2 * sqrt(sq / (double)d)) + M_E -
           exp(cs / (double)d);
}

static double griewank(const double *x, size_t d)
{
    double s = 0, p = 1;
    for (size_t i = 0; i < d; i++) {
        s += x[i] * x[i];
        p *= cos(x[i] / sqrt((double)(i + 1)));
    }
    return s / 4000 - p + 1;
}

static double schwefel(const double *x, size_t d)
{
    /* 418.9828872724339 * d - sum x sin(sqrt|x|), as DEAP; the constant is
     * the per-coordinate optimum value, so the minimum is ~0 (about 1e-11
     * per coordinate from the constant's precision) */
    double s = 0;
    for (size_t i = 0; i < d; i++)
        s += x[i] * sin(sqrt(fabs(x[i])));
    return 418.9828872724339 * (double)d - s;
}

/* Styblinski-Tang's minimiser per coordinate and its value there. */
#define ST_XOPT (-2.903534027771178)
static double st_term(double x)
{
    return 0.5 * (x * x * x * x - 16 * x * x + 5 * x);
}

static double styblinski_tang(const double *x, size_t d)
{
    double s = 0;
    for (size_t i = 0; i < d; i++)
        s += st_term(x[i]) - st_term(ST_XOPT);
    return s;
}

static double levy(const double *x, size_t d)
{
    double w0 = 1 + (x[0] - 1) / 4, wd = 1 + (x[d - 1] - 1) / 4;
    double s = pow(sin(M_PI * w0), 2);
    for (size_t i = 0; i + 1 < d; i++) {
        double w = 1 + (x[i] - 1) / 4;
        s += (w - 1) * (w - 1) * (1 + 10 * pow(sin(M_PI * w + 1), 2));
    }
    return s + (wd - 1) * (wd - 1) * (1 + pow(sin(2 * M_PI * wd), 2));
}

typedef struct classic {
    const char *name;
    double lower, upper;
    double x_opt;       /* every coordinate of the optimum */
    double (*f)(const double *x, size_t d);
} classic;

static const classic table[] = {
    { "sphere", -5.12, 5.12, 0, sphere },
    { "rastrigin", -5.12, 5.12, 0, rastrigin },
    { "rosenbrock", -5, 10, 1, rosenbrock },
    { "ackley", -32.768, 32.768, 0, ackley },
    { "griewank", -600, 600, 0, griewank },
    { "schwefel", -500, 500, 420.968746, schwefel },
    { "styblinski_tang", -5, 5, ST_XOPT, styblinski_tang },
    { "levy", -10, 10, 1, levy },
};
#define NCLASSIC (sizeof table / sizeof table[0])

static void eval_classic(const prob_problem *p, const double *x, size_t n,
                         double *f, gsl_rng *rng)
{
    (void)rng;
    const classic *c = p->data;
    for (size_t i = 0; i < n; i++)
        f[i] = c->f(x + i * p->dim, p->dim);
}

int prob_classic_known(const char *fname)
{
    for (size_t i = 0; i < NCLASSIC; i++)
        if (strcmp(table[i].name, fname) == 0)
            return 1;
    return 0;
}

prob_problem *prob_classic_alloc(const char *fname, size_t dim, ga_error *err)
{
    const classic *c = NULL;
    for (size_t i = 0; i < NCLASSIC; i++)
        if (strcmp(table[i].name, fname) == 0)
            c = &table[i];
    if (!c) {
        ga_error_set(err, GA_EINPUT, "unknown classic function '%s'", fname);
        return NULL;
    }
    if (dim < 1 || (strcmp(fname, "rosenbrock") == 0 && dim < 2)) {
        ga_error_set(err, GA_EINPUT, "%s needs dimension >= %d", fname,
                     strcmp(fname, "rosenbrock") == 0 ? 2 : 1);
        return NULL;
    }
    prob_problem *p = calloc(1, sizeof *p);
    if (!p)
        goto oom;
    p->space = ga_space_alloc_box(dim, c->lower, c->upper);
    p->x_opt = malloc(dim * sizeof *p->x_opt);
    if (!p->space || !p->x_opt)
        goto oom;
    snprintf(p->name, sizeof p->name, "%s:d%zu", fname, dim);
    p->dim = dim;
    p->eval = eval_classic;
    p->f_opt = 0;
    for (size_t i = 0; i < dim; i++)
        p->x_opt[i] = c->x_opt;
    p->data = c;
    return p;
oom:
    prob_free(p);
    ga_error_set(err, GA_EFAIL, "out of memory");
    return NULL;
}
