/* bbob.c - building a BBOB instance as COCO does: the legacy BBOB-2009
 * random generator, x_opt, f_opt, rotations, and every per-function
 * constant COCO would otherwise recompute on each evaluation (pow factors,
 * rotation products, Gallagher peaks). The evaluators are in bbob_eval.c;
 * bbob_data.h is what the two files share. */
#include "bbob.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bbob_data.h"

/* As bbob_eval.c: no fused multiply-adds, COCO's reference has none. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

/* ---- the legacy generator (COCO's suite_bbob_legacy_code.c) ---- */

/* One Park-Miller step by Schrage's method, in COCO's integer types. */
static long lcg_step(long seed)
{
    long tmp = (int)floor((double)seed / (double)127773);
    seed = 16807 * (seed - tmp * 127773) - 2836 * tmp;
    if (seed < 0)
        seed += 2147483647;
    return seed;
}

void prob_bbob_unif(double *r, size_t n, long seed)
{
    long table[32];
    if (seed < 0)
        seed = -seed;
    if (seed < 1)
        seed = 1;
    for (long i = 39; i >= 0; i--) {
        seed = lcg_step(seed);
        if (i < 32)
            table[i] = seed;
    }
    long last = table[0];
    for (size_t i = 0; i < n; i++) {
        seed = lcg_step(seed);
        long slot = (int)floor((double)last / (double)67108865);
        last = table[slot];
        table[slot] = seed;
        r[i] = (double)last / 2.147483647e9;
        if (r[i] == 0.)
            r[i] = 1e-99;
    }
}

/* n Gaussians by Box-Muller's cosine branch: the first n uniforms give the
 * radii, the next n the angles. 0 on success. */
static int bbob_gauss(double *g, size_t n, long seed)
{
    double small[16];
    double *u = 2 * n <= 16 ? small : malloc(2 * n * sizeof *u);
    if (!u)
        return -1;
    prob_bbob_unif(u, 2 * n, seed);
    for (size_t i = 0; i < n; i++) {
        g[i] = sqrt(-2 * log(u[i])) * cos(2 * BBOB_PI * u[n + i]);
        if (g[i] == 0.)
            g[i] = 1e-99;
    }
    if (u != small)
        free(u);
    return 0;
}

/* A D x D rotation (row-major) from seed: Gaussians filled column by
 * column, then Gram-Schmidt on the columns, in COCO's order. */
static double *bbob_rotation(long seed, size_t D)
{
    double *g = malloc(D * D * sizeof *g);
    double *B = malloc(D * D * sizeof *B);
    if (!g || !B || bbob_gauss(g, D * D, seed) != 0) {
        free(g);
        free(B);
        return NULL;
    }
    for (size_t i = 0; i < D; i++)
        for (size_t j = 0; j < D; j++)
            B[i * D + j] = g[j * D + i];
    free(g);
    for (size_t i = 0; i < D; i++) {
        double prod;
        for (size_t j = 0; j < i; j++) {
            prod = 0;
            for (size_t k = 0; k < D; k++)
                prod += B[k * D + i] * B[k * D + j];
            for (size_t k = 0; k < D; k++)
                B[k * D + i] -= prod * B[k * D + j];
        }
        prod = 0;
        for (size_t k = 0; k < D; k++)
            prod += B[k * D + i] * B[k * D + i];
        for (size_t k = 0; k < D; k++)
            B[k * D + i] /= sqrt(prod);
    }
    return B;
}

/* x_opt on COCO's 0.0008 grid in [-4, 4). */
static void bbob_xopt(double *xopt, long seed, size_t D)
{
    prob_bbob_unif(xopt, D, seed);
    for (size_t i = 0; i < D; i++) {
        xopt[i] = 8 * floor(1e4 * xopt[i]) / 1e4 - 4;
        if (xopt[i] == 0.0)
            xopt[i] = -1e-5;
    }
}

/* The objective offset: 100 g1/g2 rounded to 2 decimals, in [-1000, 1000]. */
static double bbob_fopt(int fid, long instance)
{
    long s = fid == 4 ? 3 : fid == 18 ? 17 : fid;
    long seed = s + 10000 * instance;
    double g1, g2;
    bbob_gauss(&g1, 1, seed);
    bbob_gauss(&g2, 1, seed + 1);
    double v = floor(100. * 100. * g1 / g2 + 0.5) / 100.;
    v = v > -1000. ? v : -1000.;
    return v < 1000. ? v : 1000.;
}

/* R diag(base^(k/(D-1))) Q, summed over k in COCO's order. */
static double *bbob_rlq(const double *R, const double *Q, double base, size_t D)
{
    double *M = malloc(D * D * sizeof *M);
    double *lam = malloc(D * sizeof *lam);
    if (!M || !lam) {
        free(M);
        free(lam);
        return NULL;
    }
    for (size_t k = 0; k < D; k++)
        lam[k] = pow(base, 1.0 * (int)k / ((double)(long)D - 1.0));
    for (size_t i = 0; i < D; i++)
        for (size_t j = 0; j < D; j++) {
            double s = 0.0;
            for (size_t k = 0; k < D; k++)
                s += R[i * D + k] * lam[k] * Q[k * D + j];
            M[i * D + j] = s;
        }
    free(lam);
    return M;
}

/* Each row i of Q times c_i (COCO's per-row scaled rotations). */
static void bbob_scale_rows(double *Q, const double *c, size_t D)
{
    for (size_t i = 0; i < D; i++)
        for (size_t j = 0; j < D; j++)
            Q[i * D + j] = c[i] * Q[i * D + j];
}

/* i / (D - 1) as COCO writes it. */
static double ratio(size_t i, size_t D)
{
    return (double)(long)i / ((double)(long)D - 1.0);
}

/* ---- Gallagher's peaks (f21, f22) ---- */

typedef struct perm_entry {
    double value;
    size_t index;
} perm_entry;

static int perm_compare(const void *a, const void *b)
{
    double t = ((const perm_entry *)a)->value - ((const perm_entry *)b)->value;
    return t > 0 ? 1 : t < 0 ? -1 : 0;
}

static int bbob_gallagher_init(bbob_data *d, long rseed)
{
    size_t D = d->dim, np = d->npeaks;
    double maxcond = 1000., maxcond1 = 1000., b, c;
    const double fit0 = 1.1, fit1 = 9.1;
    if (np == 101) {
        maxcond1 = sqrt(maxcond1);
        b = 10.;
        c = 5.;
    } else {
        b = 9.8;
        c = 4.9;
    }
    d->R = bbob_rotation(rseed, D);
    double *rnd = malloc(np * D * sizeof *rnd);
    perm_entry *perm = malloc((np > D ? np : D) * sizeof *perm);
    double *cond = malloc(np * sizeof *cond);
    d->peak_values = malloc(np * sizeof *d->peak_values);
    d->scales = malloc(np * D * sizeof *d->scales);
    d->local = malloc(np * D * sizeof *d->local);
    d->xopt = malloc(D * sizeof *d->xopt);
    if (!d->R || !rnd || !perm || !cond || !d->peak_values || !d->scales ||
        !d->local || !d->xopt) {
        free(rnd);
        free(perm);
        free(cond);
        return -1;
    }
    /* peak conditions in a random order, heights evenly spread */
    prob_bbob_unif(rnd, np - 1, rseed);
    for (size_t i = 0; i < np - 1; i++) {
        perm[i].value = rnd[i];
        perm[i].index = i;
    }
    qsort(perm, np - 1, sizeof *perm, perm_compare);
    cond[0] = maxcond1;
    d->peak_values[0] = 10;
    for (size_t i = 1; i < np; i++) {
        cond[i] = pow(maxcond, (double)perm[i - 1].index / ((double)(np - 2)));
        d->peak_values[i] = (double)(i - 1) / (double)(np - 2) * (fit1 - fit0) +
                            fit0;
    }
    /* each peak's axis scales, permuted by its own seed */
    for (size_t i = 0; i < np; i++) {
        prob_bbob_unif(rnd, D, rseed + (long)(1000 * i));
        for (size_t j = 0; j < D; j++) {
            perm[j].value = rnd[j];
            perm[j].index = j;
        }
        qsort(perm, D, sizeof *perm, perm_compare);
        for (size_t j = 0; j < D; j++)
            d->scales[i * D + j] =
                pow(cond[i], ((double)perm[j].index) / ((double)(D - 1)) - 0.5);
    }
    /* peak positions, rotated once here (COCO's x_local) */
    prob_bbob_unif(rnd, D * np, rseed);
    for (size_t i = 0; i < D; i++) {
        d->xopt[i] = 0.8 * (b * rnd[i] - c);
        for (size_t j = 0; j < np; j++) {
            double s = 0.;
            for (size_t k = 0; k < D; k++)
                s += d->R[i * D + k] * (b * rnd[j * D + k] - c);
            if (j == 0)
                s *= 0.8;
            d->local[j * D + i] = s;
        }
    }
    free(rnd);
    free(perm);
    free(cond);
    d->logw = malloc(np * sizeof *d->logw);
    if (!d->logw)
        return -1;
    for (size_t i = 0; i < np; i++)
        d->logw[i] = log(d->peak_values[i]);
    double *local = bbob_quad_rows(d->local, np, D);
    double *scales = bbob_quad_rows(d->scales, np, D);
    free(d->local);
    free(d->scales);
    d->local = local;
    d->scales = scales;
    return local && scales ? 0 : -1;
}

/* R and M into row quads, the layout the evaluators read. */
static int quad_matrices(bbob_data *d)
{
    double **m[2] = { &d->R, &d->M };
    if (d->quads)
        return 0;
    d->quads = 1;
    for (int k = 0; k < 2; k++) {
        if (!*m[k])
            continue;
        double *p = bbob_quad_rows(*m[k], d->dim, d->dim);
        free(*m[k]);
        *m[k] = p;
        if (!p)
            return -1;
    }
    return 0;
}

/* ---- per-function construction ---- */

/* What a builder fills besides d: COCO's best parameter (x_opt, unless it
 * is d->xopt, which is then copied) and the raw function there. */
typedef struct build {
    bbob_data *d;
    long rseed;
    double *x_opt;      /* dim values */
    int x_opt_set;
    double *work;       /* BBOB_WORK * dim scratch */
    double raw_best;    /* added to the offset to make f_opt */
} build;

static int alloc_vectors(bbob_data *d, int n)
{
    double **v[3] = { &d->c1, &d->c2, &d->c3 };
    for (int i = 0; i < n; i++) {
        *v[i] = malloc(d->dim * sizeof **v[i]);
        if (!*v[i])
            return -1;
    }
    return 0;
}

/* T_asy's per-coordinate factor beta i / (D - 1). */
static void tasy_factors(double *k, double beta, size_t D)
{
    for (size_t i = 0; i < D; i++)
        k[i] = (beta * (double)(long)i) / ((double)(long)D - 1.0);
}

/* The Rosenbrock scale max(1, sqrt(D) / 8). */
static double rosenbrock_factor(size_t D)
{
    double f = sqrt((double)D) / 8.0;
    return f > 1.0 ? f : 1.0;
}

static int build_sphere(build *b)
{
    (void)b;
    return 0;
}

/* f2, f10: conditioning 1e6^(i/(D-1)); f10 rotated. */
static int build_ellipsoid(build *b)
{
    bbob_data *d = b->d;
    size_t D = d->dim;
    if (alloc_vectors(d, 1))
        return -1;
    for (size_t i = 0; i < D; i++)
        d->c1[i] = pow(1.0e6, 1.0 * (double)(long)i / ((double)(long)D - 1.0));
    if (d->fid == 10 && !(d->R = bbob_rotation(b->rseed + 1000000, D)))
        return -1;
    return 0;
}

static int build_rastrigin(build *b)
{
    bbob_data *d = b->d;
    size_t D = d->dim;
    if (alloc_vectors(d, 2))
        return -1;
    tasy_factors(d->c1, 0.2, D);
    for (size_t i = 0; i < D; i++)
        d->c2[i] = pow(10.0, 0.5 * (double)(long)i / ((double)(long)D - 1.0));
    return 0;
}

static int build_bueche_rastrigin(build *b)
{
    bbob_data *d = b->d;
    size_t D = d->dim;
    if (alloc_vectors(d, 2))
        return -1;
    /* in COCO's legacy code, not in the function's documentation */
    for (size_t i = 0; i < D; i += 2)
        d->xopt[i] = fabs(d->xopt[i]);
    for (size_t i = 0; i < D; i++) {
        d->c1[i] = pow(sqrt(10.0), ratio(i, D));
        d->c2[i] = d->c1[i];
        if (i % 2 == 0)
            d->c2[i] *= 10.0;  /* for positive coordinates */
    }
    d->penalty = 100.0;
    return 0;
}

/* f5: optimum at the corner sign(x_opt) 5, slopes +-10^(i/(D-1)). */
static int build_slope(build *b)
{
    bbob_data *d = b->d;
    size_t D = d->dim;
    if (alloc_vectors(d, 3))
        return -1;
    for (size_t i = 0; i < D; i++) {
        d->c3[i] = d->xopt[i] < 0.0 ? -5.0 : 5.0;
        double si = pow(sqrt(100.0), (double)(long)i / ((double)(long)D - 1));
        d->c1[i] = d->c3[i] > 0.0 ? si : -si;
        d->c2[i] = 5.0 * fabs(d->c1[i]);
    }
    memcpy(b->x_opt, d->c3, D * sizeof *b->x_opt);
    b->x_opt_set = 1;
    b->raw_best = bbob_slope_raw(d, d->c3);
    return 0;
}

/* f6, f13, f15, f16, f23: M = R Lambda Q (COCO's own product); f15 and
 * f16 also apply R alone before their non-linear maps. */
static int build_rlq(build *b)
{
    bbob_data *d = b->d;
    size_t D = d->dim;
    int fid = d->fid;
    double base = fid == 16 ? 1.0 / sqrt(100.0)
                : fid == 23 ? sqrt(100) : sqrt(10.0);
    d->R = bbob_rotation(b->rseed + 1000000, D);
    double *Q = bbob_rotation(b->rseed, D);
    if (!d->R || !Q || !(d->M = bbob_rlq(d->R, Q, base, D))) {
        free(Q);
        return -1;
    }
    free(Q);
    if (fid != 15 && fid != 16) {
        free(d->R);
        d->R = NULL;
    }
    if (fid == 15) {
        if (alloc_vectors(d, 1))
            return -1;
        tasy_factors(d->c1, 0.2, D);
    } else if (fid == 16) {
        d->s1 = 0.0;  /* f0, the sum at the optimum */
        for (int j = 0; j < BBOB_WEIERSTRASS_TERMS; j++) {
            d->ak[j] = pow(0.5, (double)j);
            d->bk[j] = pow(3., (double)j);
            d->s1 += d->ak[j] * cos(2 * BBOB_PI * d->bk[j] * 0.5);
        }
        d->penalty = 10.0 / (double)D;
        memset(b->work, 0, D * sizeof *b->work);
        b->raw_best = bbob_weierstrass_raw(d, b->work);
    } else if (fid == 23) {
        d->s1 = 10. / pow((double)D, 1.2);
        d->s2 = 10. / ((double)D) / ((double)D);
        d->penalty = 1.0;
    }
    return 0;
}

/* f7: R, and Q with rows scaled by sqrt(10^(i/(D-1))) as COCO multiplies
 * them inside its loop. */
static int build_step_ellipsoid(build *b)
{
    bbob_data *d = b->d;
    size_t D = d->dim;
    if (alloc_vectors(d, 1))
        return -1;
    d->R = bbob_rotation(b->rseed + 1000000, D);
    if (!d->R || !(d->M = bbob_rotation(b->rseed, D)))
        return -1;
    for (size_t i = 0; i < D; i++) {
        double c = sqrt(pow(100 / 10., (double)i / (double)(D - 1)));
        for (size_t j = 0; j < D; j++)
            d->M[i * D + j] = c * d->M[i * D + j];
        d->c1[i] = pow(100, ratio(i, D));
    }
    d->penalty = 1.0;
    return 0;
}

static int build_rosenbrock(build *b)
{
    bbob_data *d = b->d;
    for (size_t i = 0; i < d->dim; i++)
        d->xopt[i] *= 0.75;
    d->s1 = rosenbrock_factor(d->dim);
    return 0;
}

/* f9 and f19: factor R from rseed, no random shift. */
static int build_rosenbrock_rotated(build *b)
{
    bbob_data *d = b->d;
    size_t D = d->dim;
    int fid = d->fid;
    double factor = rosenbrock_factor(D);
    if (!(d->M = bbob_rotation(b->rseed, D)))
        return -1;
    if (fid == 19)
        for (size_t i = 0; i < D * D; i++)
            d->M[i] *= factor;
    /* COCO's x_opt = R^T (1/2, ..., 1/2) / factor, summed from the (for
     * f19 already scaled) matrix. For f19 COCO divides by 2 factor only,
     * which misses the optimum once factor > 1 (D > 64, beyond what COCO's
     * fixed buffers allow); dividing by factor once more is the same
     * double for D <= 64. */
    for (size_t col = 0; col < D; col++) {
        double tmp = 0;
        for (size_t row = 0; row < D; row++)
            tmp += d->M[row * D + col];
        b->x_opt[col] = fid == 9 ? tmp / (2. * factor)
                                 : tmp / (2. * factor * factor);
    }
    b->x_opt_set = 1;
    if (fid == 9)
        for (size_t i = 0; i < D * D; i++)
            d->M[i] = factor * d->M[i];
    if (fid == 19) {
        for (size_t i = 0; i < D; i++)
            b->work[i] = 1;
        b->raw_best = bbob_griewank_rosenbrock_raw(b->work, D);
    }
    return 0;
}

/* f11, f12, f14: one rotation R; f12 T_asy, f14 the exponents. */
static int build_rotated(build *b)
{
    bbob_data *d = b->d;
    size_t D = d->dim;
    if (!(d->R = bbob_rotation(b->rseed + 1000000, D)))
        return -1;
    if (d->fid == 11)
        return 0;
    if (alloc_vectors(d, 1))
        return -1;
    if (d->fid == 12)
        tasy_factors(d->c1, 0.5, D);
    else
        for (size_t i = 0; i < D; i++)
            d->c1[i] = 2.0 + (4.0 * (double)(long)i) / ((double)(long)D - 1.0);
    return 0;
}

/* f17, f18: R, then Lambda Q with conditioning 10 or 1000. */
static int build_schaffers(build *b)
{
    bbob_data *d = b->d;
    size_t D = d->dim;
    if (alloc_vectors(d, 2))
        return -1;
    d->R = bbob_rotation(b->rseed + 1000000, D);
    if (!d->R || !(d->M = bbob_rotation(b->rseed, D)))
        return -1;
    for (size_t i = 0; i < D; i++)
        d->c2[i] = pow(sqrt(d->fid == 17 ? 10.0 : 1000.0),
                       1.0 * (int)i / ((double)(long)D - 1.0));
    bbob_scale_rows(d->M, d->c2, D);
    tasy_factors(d->c1, 0.5, D);
    d->penalty = 10.0;
    return 0;
}

/* f20: c1 the x-hat signs, c2 = 2 |x_opt|, c3 the conditioning. */
static int build_schwefel(build *b)
{
    bbob_data *d = b->d;
    size_t D = d->dim;
    if (alloc_vectors(d, 3))
        return -1;
    prob_bbob_unif(d->c1, D, b->rseed);
    for (size_t i = 0; i < D; i++) {
        double xo = (d->c1[i] < 0.5 ? -1 : 1) * 0.5 * 4.2096874637;
        d->c2[i] = 2 * fabs(xo);
        /* the x-hat map draws the same uniforms again */
        d->c1[i] = d->c1[i] < 0.5 ? -1.0 : 1.0;
        d->c3[i] = pow(10., 0.5 * (double)(long)i / ((double)(long)D - 1.0));
    }
    /* COCO's best parameter, carried back through its maps in its order */
    double *best = b->work;
    for (size_t i = 0; i < D; i++) {
        best[i] = 420.96874633;
        b->x_opt[i] = best[i] / 100;
        b->x_opt[i] += -d->c2[i];
        b->x_opt[i] += d->c2[i];
        b->x_opt[i] /= 2;
        if (d->c1[i] < 0)
            b->x_opt[i] *= -1;
    }
    b->x_opt_set = 1;
    b->raw_best = bbob_schwefel_raw(best, D);
    return 0;
}

static int build_gallagher(build *b)
{
    bbob_data *d = b->d;
    d->npeaks = d->fid == 21 ? 101 : 21;
    if (bbob_gallagher_init(d, b->rseed) || quad_matrices(d))
        return -1;
    b->raw_best = bbob_gallagher_raw(d, d->xopt, b->work);
    return 0;
}

/* f24: R, and Q with rows scaled by 10^(i/(D-1)); x_opt +-1.25 by the
 * signs of Gaussians. */
static int build_lunacek(build *b)
{
    bbob_data *d = b->d;
    size_t D = d->dim;
    if (alloc_vectors(d, 1))
        return -1;
    d->R = bbob_rotation(b->rseed + 1000000, D);
    if (!d->R || !(d->M = bbob_rotation(b->rseed, D)))
        return -1;
    for (size_t i = 0; i < D; i++)
        d->c1[i] = pow(sqrt(100.), ((double)i) / (double)(D - 1));
    bbob_scale_rows(d->M, d->c1, D);
    if (bbob_gauss(d->c1, D, b->rseed))
        return -1;
    for (size_t i = 0; i < D; i++) {
        d->xopt[i] = 0.5 * 2.5;
        if (d->c1[i] < 0.0)
            d->xopt[i] *= -1.0;
    }
    d->s1 = 1. - 0.5 / (sqrt((double)(D + 20)) - 4.1);  /* s */
    d->s2 = -sqrt((2.5 * 2.5 - 1.) / d->s1);            /* mu1 */
    d->penalty = 1e4;
    if (quad_matrices(d))
        return -1;
    b->raw_best = bbob_lunacek_raw(d, d->xopt, b->work);
    return 0;
}

static int (*const builders[25])(build *) = {
    NULL, build_sphere, build_ellipsoid, build_rastrigin,
    build_bueche_rastrigin, build_slope, build_rlq, build_step_ellipsoid,
    build_rosenbrock, build_rosenbrock_rotated, build_ellipsoid, build_rotated,
    build_rotated, build_rlq, build_rotated, build_rlq, build_rlq,
    build_schaffers, build_schaffers, build_rosenbrock_rotated,
    build_schwefel, build_gallagher, build_gallagher, build_rlq,
    build_lunacek,
};

/* Fill d for function d->fid, x_opt with COCO's best parameter and
 * *raw_best with the raw function there (f_opt = offset + raw_best). */
static int bbob_build(bbob_data *d, long instance, double *x_opt,
                      double *work, double *raw_best)
{
    size_t D = d->dim;
    int fid = d->fid;
    build b = { d, (fid == 4 ? 3 : fid == 18 ? 17 : fid) + 10000 * instance,
                x_opt, 0, work, 0.0 };
    d->fopt = bbob_fopt(fid, instance);
    /* the shift x_opt; f9, f19 have none, f20-f22 build their own */
    if (fid != 9 && fid != 19 && fid != 20 && fid != 21 && fid != 22) {
        d->xopt = malloc(D * sizeof *d->xopt);
        if (!d->xopt)
            return -1;
        bbob_xopt(d->xopt, fid == 12 ? b.rseed + 1000000 : b.rseed, D);
    }
    if (builders[fid](&b))
        return -1;
    if (!b.x_opt_set)
        memcpy(x_opt, d->xopt, D * sizeof *x_opt);
    *raw_best = b.raw_best;
    return quad_matrices(d);
}

static void bbob_data_free(void *p)
{
    bbob_data *d = p;
    if (!d)
        return;
    free(d->xopt);
    free(d->R);
    free(d->M);
    free(d->c1);
    free(d->c2);
    free(d->c3);
    free(d->peak_values);
    free(d->scales);
    free(d->local);
    free(d->logw);
    free(d);
}

/* Beyond these COCO's seeds stop fitting its int arithmetic. */
#define BBOB_MAX_INSTANCE 100000L
#define BBOB_MAX_DIM 10000

prob_problem *prob_bbob_alloc(int fid, size_t dim, long instance, ga_error *err)
{
    if (fid < 1 || fid > 24) {
        ga_error_set(err, GA_EINPUT, "BBOB function %d: expected 1..24", fid);
        return NULL;
    }
    if (dim < 2 || dim > BBOB_MAX_DIM) {
        ga_error_set(err, GA_EINPUT, "BBOB f%d: dimension %zu, expected 2..%d",
                     fid, dim, BBOB_MAX_DIM);
        return NULL;
    }
    if (instance < 1 || instance > BBOB_MAX_INSTANCE) {
        ga_error_set(err, GA_EINPUT, "BBOB f%d: instance %ld, expected 1..%ld",
                     fid, instance, BBOB_MAX_INSTANCE);
        return NULL;
    }
    prob_problem *p = calloc(1, sizeof *p);
    bbob_data *d = calloc(1, sizeof *d);
    if (!p || !d)
        goto oom;
    d->fid = fid;
    d->dim = dim;
    p->data = d;
    p->free_data = bbob_data_free;
    p->space = ga_space_alloc_box(dim, -5, 5);
    p->x_opt = malloc(dim * sizeof *p->x_opt);
    double raw_best, *work = malloc(BBOB_WORK * dim * sizeof *work);
    int failed = !p->space || !p->x_opt || !work ||
                 bbob_build(d, instance, p->x_opt, work, &raw_best);
    free(work);
    if (failed)
        goto oom;
    d->fn = bbob_evaluator(fid);
    snprintf(p->name, sizeof p->name, "bbob_f%03d_i%02ld_d%02zu", fid, instance,
             dim);
    p->dim = dim;
    p->eval = bbob_eval;
    p->f_opt = raw_best + d->fopt;
    return p;
oom:
    if (!p || !p->data)
        bbob_data_free(d);
    prob_free(p);
    ga_error_set(err, GA_EFAIL, "out of memory building BBOB f%d in %zu-D", fid,
                 dim);
    return NULL;
}
