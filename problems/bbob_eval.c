/* bbob_eval.c - evaluating the 24 BBOB functions. Each evaluator runs
 * COCO's whole chain (variable maps, raw function, objective maps, penalty,
 * f_opt) in one pass over constants precomputed in bbob.c, and keeps COCO's
 * floating-point operation order: the values are COCO's bit for bit on
 * its reference vectors (docs/BBOB.md). Scratch space comes from the
 * caller. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bbob_data.h"

/* COCO's reference values come from code built without contracting a*b+c
 * into fused multiply-adds; keep it that way whatever the flags. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

static const double two_pi = 2.0 * BBOB_PI;

/* Four doubles side by side, one lane per row (or peak): lane-wise IEEE
 * multiplies and adds, exactly the scalar operations. The code below is
 * built twice, for AVX2 (one 256-bit operation) and for plain x86-64 (two
 * SSE2 halves); the loader picks one, the values are the same. */
typedef double v4d __attribute__((vector_size(32)));
/* the same, for loads from any double array */
typedef double v4d_in __attribute__((vector_size(32), aligned(8), may_alias));
#define load4(p) (*(const v4d_in *)(p))
#if !defined(BBOB_SIMD) && defined(__x86_64__) && defined(__GNUC__) && \
    !defined(__clang__)
#define BBOB_SIMD __attribute__((target_clones("avx2", "default")))
#elif !defined(BBOB_SIMD)
#define BBOB_SIMD
#endif

static void shift(const double *x, const double *o, size_t D, double *out)
{
    for (size_t i = 0; i < D; i++)
        out[i] = x[i] - o[i];
}

double *bbob_quad_rows(const double *A, size_t rows, size_t cols)
{
    size_t quads = (rows + 3) / 4;
    double *Q = calloc(quads * cols * 4, sizeof *Q);
    if (!Q)
        return NULL;
    for (size_t r = 0; r < rows; r++)
        for (size_t j = 0; j < cols; j++)
            Q[((r / 4) * cols + j) * 4 + r % 4] = A[r * cols + j];
    return Q;
}

/* Rows 4 q .. 4 q + 4 K - 1 of init + A in (K quads side by side). */
#define LINEAR_BLOCK(K)                                                      \
    do {                                                                     \
        v4d s[K];                                                            \
        _Pragma("GCC unroll 4")                                              \
        for (int k = 0; k < K; k++)                                          \
            s[k] = start;                                                    \
        const double *a = A + q * D * 4;                                     \
        for (size_t j = 0; j < D; j++) {                                     \
            v4d v = { in[j], in[j], in[j], in[j] };                          \
            _Pragma("GCC unroll 4")                                          \
            for (int k = 0; k < K; k++)                                      \
                s[k] += v * load4(a + 4 * (k * D + j));                      \
        }                                                                    \
        double o[4 * K];                                                     \
        memcpy(o, s, sizeof o);                                              \
        size_t n = 4 * q + 4 * K <= D ? 4 * K : D - 4 * q;                   \
        memcpy(out + 4 * q, o, n * sizeof *o);                               \
        q += K;                                                              \
    } while (0)

/* out = init + A in, each row summed left to right as COCO's affine map
 * does. A is in row quads (bbob_quad_rows); up to 16 rows run side by
 * side, which changes nothing inside any one sum. in and out must not
 * overlap. */
BBOB_SIMD
static void linear(const double *A, const double *in, size_t D, double init,
                   double *out)
{
    size_t quads = (D + 3) / 4, q = 0;
    const v4d start = { init, init, init, init };
    while (q + 4 <= quads)
        LINEAR_BLOCK(4);
    if (q + 2 <= quads)
        LINEAR_BLOCK(2);
    if (q < quads)
        LINEAR_BLOCK(1);
}

/* sum of max(0, |x_i| - 5)^2: COCO's boundary penalty */
static double penalty(const double *x, size_t D)
{
    double p = 0.0;
    for (size_t i = 0; i < D; i++) {
        double t = fabs(x[i]) - 5.0;
        if (t > 0.0)
            p += t * t;
    }
    return p;
}

/* T_osz, one coordinate (also COCO's objective oscillation); NaN stays
 * NaN, as it does through COCO's layers. */
static double tosz(double x)
{
    const double alpha = 0.1;
    if (x > 0.0) {
        double t = log(x) / alpha;
        return pow(exp(t + 0.49 * (sin(t) + sin(0.79 * t))), alpha);
    }
    if (x < 0.0) {
        double t = log(-x) / alpha;
        return -pow(exp(t + 0.49 * (sin(0.55 * t) + sin(0.31 * t))), alpha);
    }
    return x == 0.0 ? 0.0 : x;
}

/* T_asy, one coordinate; k = beta i / (D - 1). */
static double tasy(double x, double k)
{
    return x > 0.0 ? pow(x, 1.0 + k * sqrt(x)) : x;
}

/* Exact floor (faster than the libm call without SSE4.1). */
static double floor_exact(double v)
{
    if (fabs(v) < 4503599627370496.0) {
        double t = (double)(long long)v;
        return t > v ? t - 1.0 : t;
    }
    return v;
}

/* ---- raw functions ---- */

static double ellipsoid_raw(const double *z, const double *w, size_t D)
{
    double r = z[0] * z[0];
    for (size_t i = 1; i < D; i++)
        r += w[i] * z[i] * z[i];
    return r;
}

static double rastrigin_raw(const double *z, size_t D)
{
    double s1 = 0.0, s2 = 0.0;
    for (size_t i = 0; i < D; i++) {
        s1 += cos(two_pi * z[i]);
        s2 += z[i] * z[i];
    }
    if (isinf(s2))
        return s2;
    return 10.0 * ((double)(long)D - s1) + s2;
}

static double rosenbrock_raw(const double *z, size_t D)
{
    double s1 = 0.0, s2 = 0.0, t;
    for (size_t i = 0; i + 1 < D; i++) {
        t = z[i] * z[i] - z[i + 1];
        s1 += t * t;
        t = z[i] - 1.0;
        s2 += t * t;
    }
    return 100.0 * s1 + s2;
}

double bbob_slope_raw(const bbob_data *d, const double *x)
{
    double r = 0.0;
    for (size_t i = 0; i < d->dim; i++) {
        if (x[i] * d->c3[i] < 25.0)
            r += d->c2[i] - d->c1[i] * x[i];
        else
            r += d->c2[i] - d->c1[i] * d->c3[i];
    }
    return r;
}

double bbob_weierstrass_raw(const bbob_data *d, const double *z)
{
    double r = 0.0;
    for (size_t i = 0; i < d->dim; i++) {
        double a = 2 * BBOB_PI * (z[i] + 0.5);
        for (int j = 0; j < BBOB_WEIERSTRASS_TERMS; j++)
            r += cos(a * d->bk[j]) * d->ak[j];
    }
    return 10.0 * pow(r / (double)(long)d->dim - d->s1, 3.0);
}

static double schaffers_raw(const double *z, size_t D)
{
    double r = 0.0;
    for (size_t i = 0; i + 1 < D; i++) {
        double t = z[i] * z[i] + z[i + 1] * z[i + 1];
        if (isinf(t) && isnan(sin(50.0 * pow(t, 0.1))))
            return t;
        r += pow(t, 0.25) * (1.0 + pow(sin(50.0 * pow(t, 0.1)), 2.0));
    }
    return pow(r / ((double)(long)D - 1.0), 2.0);
}

double bbob_griewank_rosenbrock_raw(const double *z, size_t D)
{
    double r = 0.0;
    for (size_t i = 0; i + 1 < D; i++) {
        double c1 = z[i] * z[i] - z[i + 1], c2 = 1.0 - z[i];
        double t = 100.0 * c1 * c1 + c2 * c2;
        r += t / 4000. - cos(t);
    }
    return 10.0 + 10.0 * r / (double)(D - 1);
}

double bbob_schwefel_raw(const double *z, size_t D)
{
    double pen = 0.0, sum = 0.0;
    for (size_t i = 0; i < D; i++) {
        double t = fabs(z[i]) - 500.0;
        if (t > 0.0)
            pen += t * t;
    }
    for (size_t i = 0; i < D; i++)
        sum += z[i] * sin(sqrt(fabs(z[i])));
    return 0.01 * (pen + 418.9828872724339 - sum / (double)D);
}

static double katsuura_raw(const bbob_data *d, const double *z)
{
    double r = 1.0;
    for (size_t i = 0; i < d->dim; i++) {
        double t = 0, p = 2.0, inv = 0.5;
        for (int j = 1; j < 33; j++) {
            double v = p * z[i];
            t += fabs(v - floor_exact(v + 0.5)) * inv;  /* / 2^j, exact */
            p *= 2.0;
            inv *= 0.5;
        }
        t = 1.0 + ((double)(long)i + 1) * t;
        r *= pow(t, d->s1);
    }
    return d->s2 * (-1. + r);
}

/* sums[i] = sum_j a_ij (tmx_j - l_ij)^2 in COCO's order, eight peaks side
 * by side (peak quads, zero-padded to a multiple of 4). */
BBOB_SIMD
static void peak_sums(const bbob_data *d, const double *tmx, double *sums)
{
    size_t D = d->dim, quads = (d->npeaks + 3) / 4, q = 0;
    for (; q + 2 <= quads; q += 2) {
        const double *l = d->local + q * D * 4, *a = d->scales + q * D * 4;
        v4d s0 = { 0., 0., 0., 0. }, s1 = s0;
        for (size_t j = 0; j < D; j++) {
            v4d v = { tmx[j], tmx[j], tmx[j], tmx[j] };
            v4d t0 = v - load4(l + 4 * j), t1 = v - load4(l + 4 * (D + j));
            s0 += load4(a + 4 * j) * t0 * t0;
            s1 += load4(a + 4 * (D + j)) * t1 * t1;
        }
        memcpy(sums + 4 * q, &s0, sizeof s0);
        memcpy(sums + 4 * q + 4, &s1, sizeof s1);
    }
    for (; q < quads; q++) {
        const double *l = d->local + q * D * 4, *a = d->scales + q * D * 4;
        v4d s = { 0., 0., 0., 0. };
        for (size_t j = 0; j < D; j++) {
            v4d t = (v4d){ tmx[j], tmx[j], tmx[j], tmx[j] } - load4(l + 4 * j);
            s += load4(a + 4 * j) * t * t;
        }
        memcpy(sums + 4 * q, &s, sizeof s);
    }
}

/* Gallagher: the best peak w_i exp(-0.5/D sum_j a_ij t_ij^2) under an
 * oscillation. The sums are COCO's (peak_sums); exp is taken
 * only for the peaks that can be the largest (log-values within 1e-6 of
 * the best, far beyond rounding), which leaves the maximum unchanged, and
 * for all of them, in COCO's order, if a sum is NaN. */
double bbob_gallagher_raw(const bbob_data *d, const double *x, double *work)
{
    size_t D = d->dim, np = d->npeaks;
    double fac = -0.5 / (double)D, f = 0., *tmx = work;
    double sums[BBOB_MAX_PEAKS + 3], keys[BBOB_MAX_PEAKS + 3];
    double pen = penalty(x, D) * 1.0;
    linear(d->R, x, D, 0.0, tmx);
    peak_sums(d, tmx, sums);
    double best = -INFINITY;
    int nan = 0;
    for (size_t i = 0; i < np; i++) {
        keys[i] = d->logw[i] + fac * sums[i];
        nan |= isnan(keys[i]);
        best = keys[i] > best ? keys[i] : best;
    }
    for (size_t i = 0; i < np; i++)
        if (nan || keys[i] >= best - 1e-6) {
            double v = d->peak_values[i] * exp(fac * sums[i]);
            f = f >= v ? f : v;
        }
    f = tosz(10. - f);
    f *= f;
    return f + pen;
}

double bbob_lunacek_raw(const bbob_data *d, const double *x, double *work)
{
    size_t D = d->dim;
    const double mu0 = 2.5, s = d->s1, mu1 = d->s2;
    double *xh = work, *v = work + D, *t = work + 2 * D, *z = work + D;
    double pen = penalty(x, D), sum1 = 0., sum2 = 0., sum3 = 0.;
    for (size_t i = 0; i < D; i++) {
        xh[i] = 2. * x[i];
        if (d->xopt[i] < 0.)
            xh[i] *= -1.;
        v[i] = xh[i] - mu0;
    }
    linear(d->M, v, D, 0.0, t);
    linear(d->R, t, D, 0.0, z);
    for (size_t i = 0; i < D; i++) {
        sum1 += (xh[i] - mu0) * (xh[i] - mu0);
        sum2 += (xh[i] - mu1) * (xh[i] - mu1);
        sum3 += cos(2 * BBOB_PI * z[i]);
    }
    double a = sum1, b = 1. * (double)D + s * sum2;
    return (a <= b ? a : b) + 10. * ((double)D - sum3) + 1e4 * pen;
}

/* ---- the 24 functions: COCO's chain, innermost map first ---- */

static double f01(const bbob_data *d, const double *x, double *w)
{
    (void)w;
    double r = 0.0;
    for (size_t i = 0; i < d->dim; i++) {
        double t = x[i] - d->xopt[i];
        r += t * t;
    }
    return r + d->fopt;
}

static double f02(const bbob_data *d, const double *x, double *w)
{
    for (size_t i = 0; i < d->dim; i++)
        w[i] = tosz(x[i] - d->xopt[i]);
    return ellipsoid_raw(w, d->c1, d->dim) + d->fopt;
}

static double f03(const bbob_data *d, const double *x, double *w)
{
    for (size_t i = 0; i < d->dim; i++)
        w[i] = d->c2[i] * tasy(tosz(x[i] - d->xopt[i]), d->c1[i]);
    return rastrigin_raw(w, d->dim) + d->fopt;
}

static double f04(const bbob_data *d, const double *x, double *w)
{
    size_t D = d->dim;
    double pen = penalty(x, D), s1 = 0., s2 = 0.;
    for (size_t i = 0; i < D; i++) {
        double o = tosz(x[i] - d->xopt[i]);
        w[i] = (o > 0.0 ? d->c2[i] : d->c1[i]) * o;
    }
    for (size_t i = 0; i < D; i++) {
        s1 += cos(2 * BBOB_PI * w[i]);
        s2 += w[i] * w[i];
    }
    double y = 10.0 * ((double)(long)D - s1) + s2 + 0;
    y += d->fopt;
    return y + d->penalty * pen;
}

static double f05(const bbob_data *d, const double *x, double *w)
{
    (void)w;
    return bbob_slope_raw(d, x) + d->fopt;
}

static double f06(const bbob_data *d, const double *x, double *w)
{
    size_t D = d->dim;
    double *z = w + D, r = 0.0;
    shift(x, d->xopt, D, w);
    linear(d->M, w, D, 0.0, z);
    for (size_t i = 0; i < D; i++) {
        if (d->xopt[i] * z[i] > 0.0)
            r += 100.0 * 100.0 * z[i] * z[i];
        else
            r += z[i] * z[i];
    }
    if (r != 0)
        r = tosz(r);
    return pow(r, 0.9) + d->fopt;
}

static double f07(const bbob_data *d, const double *x, double *w)
{
    size_t D = d->dim;
    double *y = w + D, pen = penalty(x, D) * 1.0, r = 0.0;
    shift(x, d->xopt, D, w);
    linear(d->M, w, D, 0.0, y);
    double x1 = y[0];
    for (size_t i = 0; i < D; i++) {
        if (fabs(y[i]) > 0.5)
            y[i] = floor_exact(y[i] + 0.5);
        else
            y[i] = floor_exact(10.0 * y[i] + 0.5) / 10.0;
    }
    linear(d->R, y, D, 0.0, w);
    for (size_t i = 0; i < D; i++)
        r += d->c1[i] * w[i] * w[i];
    double a = fabs(x1) * 1.0e-4;
    return 0.1 * (a >= r ? a : r) + pen + d->fopt;
}

static double f08(const bbob_data *d, const double *x, double *w)
{
    for (size_t i = 0; i < d->dim; i++)
        w[i] = d->s1 * (x[i] - d->xopt[i]) - -1.0;
    return rosenbrock_raw(w, d->dim) + d->fopt;
}

static double f09(const bbob_data *d, const double *x, double *w)
{
    linear(d->M, x, d->dim, 0.5, w);
    return rosenbrock_raw(w, d->dim) + d->fopt;
}

static double f10(const bbob_data *d, const double *x, double *w)
{
    size_t D = d->dim;
    double *z = w + D;
    shift(x, d->xopt, D, w);
    linear(d->R, w, D, 0.0, z);
    for (size_t i = 0; i < D; i++)
        z[i] = tosz(z[i]);
    return ellipsoid_raw(z, d->c1, D) + d->fopt;
}

static double f11(const bbob_data *d, const double *x, double *w)
{
    size_t D = d->dim;
    double *z = w + D;
    shift(x, d->xopt, D, w);
    linear(d->R, w, D, 0.0, z);
    for (size_t i = 0; i < D; i++)
        z[i] = tosz(z[i]);
    double r = 1.0e6 * z[0] * z[0];
    for (size_t i = 1; i < D; i++)
        r += z[i] * z[i];
    return r + d->fopt;
}

static double f12(const bbob_data *d, const double *x, double *w)
{
    size_t D = d->dim;
    double *a = w + D;
    shift(x, d->xopt, D, w);
    linear(d->R, w, D, 0.0, a);
    for (size_t i = 0; i < D; i++)
        a[i] = tasy(a[i], d->c1[i]);
    linear(d->R, a, D, 0.0, w);
    double r = w[0] * w[0];
    for (size_t i = 1; i < D; i++)
        r += 1.0e6 * w[i] * w[i];
    return r + d->fopt;
}

static double f13(const bbob_data *d, const double *x, double *w)
{
    size_t D = d->dim;
    double *z = w + D, r = 0.0;
    shift(x, d->xopt, D, w);
    linear(d->M, w, D, 0.0, z);
    for (size_t i = 1; i < D; i++)
        r += z[i] * z[i];
    r = 100.0 * sqrt(r / 1.0);
    r += z[0] * z[0] / 1.0;
    return r + d->fopt;
}

static double f14(const bbob_data *d, const double *x, double *w)
{
    size_t D = d->dim;
    double *z = w + D, s = 0.0;
    shift(x, d->xopt, D, w);
    linear(d->R, w, D, 0.0, z);
    for (size_t i = 0; i < D; i++)
        s += pow(fabs(z[i]), d->c1[i]);
    return sqrt(s) + d->fopt;
}

static double f15(const bbob_data *d, const double *x, double *w)
{
    size_t D = d->dim;
    double *a = w + D;
    shift(x, d->xopt, D, w);
    linear(d->R, w, D, 0.0, a);
    for (size_t i = 0; i < D; i++)
        a[i] = tasy(tosz(a[i]), d->c1[i]);
    linear(d->M, a, D, 0.0, w);
    return rastrigin_raw(w, D) + d->fopt;
}

static double f16(const bbob_data *d, const double *x, double *w)
{
    size_t D = d->dim;
    double *a = w + D, pen = penalty(x, D);
    shift(x, d->xopt, D, w);
    linear(d->R, w, D, 0.0, a);
    for (size_t i = 0; i < D; i++)
        a[i] = tosz(a[i]);
    linear(d->M, a, D, 0.0, w);
    double y = bbob_weierstrass_raw(d, w) + d->fopt;
    return y + d->penalty * pen;
}

/* f17 and f18 */
static double f17(const bbob_data *d, const double *x, double *w)
{
    size_t D = d->dim;
    double *a = w + D, pen = penalty(x, D);
    shift(x, d->xopt, D, w);
    linear(d->R, w, D, 0.0, a);
    for (size_t i = 0; i < D; i++)
        a[i] = tasy(a[i], d->c1[i]);
    linear(d->M, a, D, 0.0, w);
    double y = schaffers_raw(w, D) + d->fopt;
    return y + d->penalty * pen;
}

static double f19(const bbob_data *d, const double *x, double *w)
{
    size_t D = d->dim;
    double *u = w + D;
    linear(d->M, x, D, 0.0, w);
    for (size_t i = 0; i < D; i++)
        u[i] = w[i] - -0.5;
    return bbob_griewank_rosenbrock_raw(u, D) + d->fopt;
}

static double f20(const bbob_data *d, const double *x, double *w)
{
    size_t D = d->dim;
    double *a = w, *z = w + D;
    for (size_t i = 0; i < D; i++)
        a[i] = 2.0 * (d->c1[i] < 0.0 ? -x[i] : x[i]);
    z[0] = a[0];
    for (size_t i = 1; i < D; i++)
        z[i] = a[i] + 0.25 * (a[i - 1] - d->c2[i - 1]);
    for (size_t i = 0; i < D; i++) {
        double t = d->c3[i] * (z[i] - d->c2[i]);
        z[i] = 100.0 * (t - -d->c2[i]);
    }
    return bbob_schwefel_raw(z, D) + d->fopt;
}

/* f21 and f22 */
static double f21(const bbob_data *d, const double *x, double *w)
{
    return bbob_gallagher_raw(d, x, w) + d->fopt;
}

static double f23(const bbob_data *d, const double *x, double *w)
{
    size_t D = d->dim;
    double *z = w + D, pen = penalty(x, D);
    shift(x, d->xopt, D, w);
    linear(d->M, w, D, 0.0, z);
    double y = katsuura_raw(d, z) + d->fopt;
    return y + d->penalty * pen;
}

static double f24(const bbob_data *d, const double *x, double *w)
{
    return bbob_lunacek_raw(d, x, w) + d->fopt;
}

bbob_fn bbob_evaluator(int fid)
{
    static const bbob_fn table[25] = {
        NULL, f01, f02, f03, f04, f05, f06, f07, f08, f09, f10, f11, f12,
        f13, f14, f15, f16, f17, f17, f19, f20, f21, f21, f23, f24,
    };
    return fid >= 1 && fid <= 24 ? table[fid] : NULL;
}

/* As coco_evaluate_function: an infinite coordinate gives |x_i|, a NaN
 * gives NaN, anything else the function. */
static double bbob_value(const bbob_data *d, const double *x, double *w)
{
    int finite = 1;
    for (size_t i = 0; i < d->dim; i++)
        finite &= isfinite(x[i]) != 0;
    if (!finite) {
        for (size_t i = 0; i < d->dim; i++)
            if (isinf(x[i]))
                return fabs(x[i]);
        return NAN;
    }
    return d->fn(d, x, w);
}

void bbob_eval(const prob_problem *p, const double *x, size_t n, double *f,
               gsl_rng *rng)
{
    (void)rng;
    const bbob_data *d = p->data;
    size_t D = d->dim;
    double stack[BBOB_WORK * 64];
    double *w = D <= 64 ? stack : malloc(BBOB_WORK * D * sizeof *w);
    for (size_t k = 0; k < n; k++)
        f[k] = w ? bbob_value(d, x + k * D, w) : NAN;
    if (w != stack)
        free(w);
}
