/* ops.c - initial draw, crossover, mutation and tournament selection.
 * This is the hot path of a sweep: no allocation, few random draws. */
#include "ops.h"

#include <math.h>

#include <gsl/gsl_randist.h>

/* Walks the genes picked with probability p, drawing only what it needs. */
typedef struct picker {
    gsl_rng *rng;
    double p;
    double inv_log_q;      /* 1 / log(1 - p), for geometric skips */
    unsigned long bits;    /* unused random bits, for p = 0.5 */
    int nbits;
    enum { PICK_NONE, PICK_ALL, PICK_BITS, PICK_SKIP, PICK_EACH } mode;
} picker;

static void picker_init(picker *pk, gsl_rng *rng, double p)
{
    pk->rng = rng;
    pk->p = p;
    pk->bits = 0;
    pk->nbits = 0;
    pk->inv_log_q = 0;
    if (p <= 0)
        pk->mode = PICK_NONE;
    else if (p >= 1)
        pk->mode = PICK_ALL;
    else if (p == 0.5)
        pk->mode = PICK_BITS;  /* the generator gives 32 fair bits a draw */
    else if (p < 0.25) {
        pk->mode = PICK_SKIP;
        pk->inv_log_q = 1.0 / log1p(-p);
    } else
        pk->mode = PICK_EACH;
}

/* The first picked index >= i, or n if none is left. */
static inline size_t picker_next(picker *pk, size_t i, size_t n)
{
    switch (pk->mode) {
    case PICK_NONE:
        return n;
    case PICK_ALL:
        return i;
    case PICK_BITS:
        while (i < n) {
            if (pk->nbits == 0) {
                pk->bits = gsl_rng_get(pk->rng) & 0xffffffffUL;
                pk->nbits = 32;
            }
            if (pk->bits == 0) {
                i += (size_t)pk->nbits;
                pk->nbits = 0;
                continue;
            }
            int tz = __builtin_ctzl(pk->bits);
            pk->bits >>= tz;
            pk->bits >>= 1;
            pk->nbits -= tz + 1;
            return i + (size_t)tz;
        }
        return n;
    case PICK_SKIP: {
        /* genes skipped before the next success: geometric on {0, 1, ...} */
        double u = 1.0 - gsl_rng_uniform(pk->rng);  /* (0, 1] */
        double k = floor(log(u) * pk->inv_log_q);
        /* !(k < ...) also catches NaN (a subnormal p makes inv_log_q -inf) */
        return !(k < (double)(n - i)) ? n : i + (size_t)k;
    }
    case PICK_EACH:
        while (i < n && !(gsl_rng_uniform(pk->rng) < pk->p))
            i++;
        return i;
    }
    return n;
}

/* A uniform integer in [0, n) for n up to 2^53: one 32-bit draw when n fits
 * in 32 bits, else 53 random bits with rejection. */
static double draw_below(gsl_rng *rng, double n)
{
    if (n <= 4294967296.0)
        return (double)ga_op_below(rng, (unsigned long)n);
    for (;;) {
        unsigned long long hi = gsl_rng_get(rng) & 0x1fffffULL;  /* 21 bits */
        unsigned long long lo = gsl_rng_get(rng) & 0xffffffffULL;
        double u = (double)((hi << 32) | lo);                     /* < 2^53 */
        double k = floor(u / 9007199254740992.0 * n);
        if (k < n)
            return k;
    }
}

void ga_op_init(const ga_space *space, gsl_rng *rng, double *genes)
{
    for (size_t i = 0; i < space->n; i++) {
        const ga_param *p = &space->params[i];
        double g = 0;
        switch (p->type) {
        case GA_FLOAT:
            if (p->log_scale) {
                double lo = log10(p->lower), hi = log10(p->upper);
                g = pow(10.0, lo + (hi - lo) * gsl_rng_uniform(rng));
                g = fmin(fmax(g, p->lower), p->upper);
            } else {
                g = p->lower + (p->upper - p->lower) * gsl_rng_uniform(rng);
            }
            break;
        case GA_INT:
            if (p->log_scale) {
                double lo = log10(p->lower), hi = log10(p->upper + 1);
                g = floor(pow(10.0, lo + (hi - lo) * gsl_rng_uniform(rng)));
                g = fmin(fmax(g, p->lower), p->upper);
            } else {
                g = p->lower + draw_below(rng, p->upper - p->lower + 1);
            }
            break;
        case GA_CATEGORICAL:
        case GA_ORDERED:
            g = (double)ga_op_below(rng, p->nvalues);
            break;
        case GA_LOGICAL:
            g = (double)(gsl_rng_get(rng) & 1);
            break;
        case GA_CONSTANT:
            g = 0;
            break;
        }
        genes[i] = g;
    }
}

void ga_op_crossover(size_t n, double indpb, gsl_rng *rng, double *a, double *b)
{
    picker pk;
    picker_init(&pk, rng, indpb);
    for (size_t i = picker_next(&pk, 0, n); i < n; i = picker_next(&pk, i + 1, n)) {
        double t = a[i];
        a[i] = b[i];
        b[i] = t;
    }
}

static inline double clip(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

static double mutate_gene(const ga_param *p, gsl_rng *rng, double g)
{
    switch (p->type) {
    case GA_FLOAT:
        if (p->log_scale) {
            double y = log10(g) + gsl_ran_gaussian_ziggurat(rng, p->sigma);
            y = clip(y, log10(p->lower), log10(p->upper));
            return clip(pow(10.0, y), p->lower, p->upper);
        }
        return clip(g + gsl_ran_gaussian_ziggurat(rng, p->sigma), p->lower,
                    p->upper);
    case GA_INT:
        if (p->log_scale) {
            double y = log10(g) + gsl_ran_gaussian_ziggurat(rng, p->sigma);
            return clip(nearbyint(pow(10.0, y)), p->lower, p->upper);
        }
        /* Python's round (half to even) as CANDLE does: nearbyint in the
         * default rounding mode */
        return clip(nearbyint(g + gsl_ran_gaussian_ziggurat(rng, p->sigma)),
                    p->lower, p->upper);
    case GA_CATEGORICAL:
        if (p->nvalues < 2)
            return g;
        {
            /* a uniform choice among the other values */
            double k = (double)ga_op_below(rng, p->nvalues - 1);
            return k >= g ? k + 1 : k;
        }
    case GA_ORDERED: {
        double step = nearbyint(gsl_ran_gaussian_ziggurat(rng, p->sigma));
        return clip(g + step, 0, (double)(p->nvalues - 1));
    }
    case GA_LOGICAL:
        return 1 - g;
    case GA_CONSTANT:
        return g;
    }
    return g;
}

void ga_op_mutate(const ga_space *space, double indpb, gsl_rng *rng,
                  double *genes)
{
    picker pk;
    size_t n = space->n;
    picker_init(&pk, rng, indpb);
    if (space->all_float && pk.mode == PICK_BITS) {
        /* the test functions' case at CANDLE's indpb: one 32-bit draw picks
         * the genes of a block of 32, and each picked gene draws its step,
         * in one pass with no type switch (the same draws, in the same
         * order, as the picker loop below) */
        const ga_param *params = space->params;
        for (size_t base = 0; base < n; base += 32) {
            unsigned long bits = gsl_rng_get(rng) & 0xffffffffUL;
            if (n - base < 32)
                bits &= (1UL << (n - base)) - 1;
            while (bits) {
                size_t i = base + (size_t)__builtin_ctzl(bits);
                bits &= bits - 1;
                const ga_param *p = &params[i];
                genes[i] = clip(genes[i] + gsl_ran_gaussian_ziggurat(rng, p->sigma),
                                p->lower, p->upper);
            }
        }
        return;
    }
    if (space->all_float) {  /* the test functions' case: no type switch */
        for (size_t i = picker_next(&pk, 0, n); i < n;
             i = picker_next(&pk, i + 1, n)) {
            const ga_param *p = &space->params[i];
            genes[i] = clip(genes[i] + gsl_ran_gaussian_ziggurat(rng, p->sigma),
                            p->lower, p->upper);
        }
        return;
    }
    for (size_t i = picker_next(&pk, 0, n); i < n; i = picker_next(&pk, i + 1, n))
        genes[i] = mutate_gene(&space->params[i], rng, genes[i]);
}

size_t ga_op_tournament(const double *fitness, size_t n, size_t tournsize,
                        gsl_rng *rng)
{
    size_t best = ga_op_below(rng, n);
    for (size_t k = 1; k < tournsize; k++) {
        size_t c = ga_op_below(rng, n);
        if (fitness[c] < fitness[best])  /* strict: the first drawn wins ties */
            best = c;
    }
    return best;
}
