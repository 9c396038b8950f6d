/* gp.c - the Matérn 5/2 ARD Gaussian process as an object: its data,
 * conditioning on hyperparameters (kernel, Cholesky, weights) and batched
 * prediction (kernel rows for a block of points, their variances through
 * one BLAS triangular solve). The likelihood, its gradient and the
 * optimizer are in gp_fit.c. */
#include "gp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <omp.h>

#include "gp_impl.h"
#include "gsl_quiet.h"

#define LOG_2PI 1.8378770664093453

/* Points per block of sur_gp_predict: the scratch holds a block's kernel
 * rows (n x this), solved together by one dtrsm. */
#define PREDICT_BLOCK 64

/* Below this many points an O(n^2) loop runs on the calling thread. */
#define LOOP_THREADS_MIN 256

size_t sur_gp_ntheta(size_t d)
{
    return d + 2;
}

/* ---- the kernel ---------------------------------------------------------- */

/* Matérn 5/2 of squared scaled distance s: sf2 (1 + r + r^2/3) e^-r with
 * r = sqrt(5 s) (5 s / 3 by a product: a division costs as much as the
 * rest). */
static inline double matern52(double s, double sf2)
{
    double r = sqrt(5.0 * s);
    return sf2 * (1.0 + r + s * (5.0 / 3.0)) * exp(-r);
}

int sur_gp_loop_threads(size_t n, int threads)
{
    if (n < LOOP_THREADS_MIN || omp_in_parallel() || threads < 1)
        return 1;
    return threads;
}

void sur_gp_blas_serial(void (*fn)(void *), void *arg)
{
#pragma omp parallel num_threads(1)
    {
        omp_set_num_threads(1);     /* this team's setting only */
        fn(arg);
    }
}

void sur_gp_fill_kernel(gsl_matrix *k, gsl_matrix *r, const double *xt,
                        size_t n, size_t d, const double *theta,
                        double *inv_l2, double diag, int threads)
{
    for (size_t q = 0; q < d; q++)
        inv_l2[q] = exp(-2.0 * theta[q]);
    double sf2 = exp(theta[d]);
    int nt = sur_gp_loop_threads(n, threads);
#pragma omp parallel for schedule(dynamic, 16) num_threads(nt)
    for (size_t i = 0; i < n; i++) {
        double *row = gsl_matrix_ptr(k, i, 0);
        double *rr = r ? gsl_matrix_ptr(r, i, 0) : NULL;
        memset(row, 0, i * sizeof *row);
        /* squared scaled distances to the points before i, one input at a
         * time (in input order, as for a single pair) */
        for (size_t q = 0; q < d; q++) {
            const double *col = xt + q * n;
            double a = col[i], il = inv_l2[q];
            for (size_t j = 0; j < i; j++) {
                double t = a - col[j];
                row[j] += t * t * il;
            }
        }
        for (size_t j = 0; j < i; j++) {
            double s = row[j];
            if (rr)
                rr[j] = sqrt(5.0 * s);
            row[j] = matern52(s, sf2);
        }
        row[i] = sf2 + diag;
    }
}

int sur_gp_factor(gsl_matrix *k, gsl_matrix *r, const double *xt, size_t n,
                  size_t d, const double *theta, double *inv_l2,
                  double *jitter, int threads)
{
    double sf2 = exp(theta[d]), sn2 = exp(theta[d + 1]);
    double jit = 0;
    for (int attempt = 0; attempt < 10; attempt++) {
        sur_gp_fill_kernel(k, r, xt, n, d, theta, inv_l2, sn2 + jit, threads);
        if (gsl_linalg_cholesky_decomp1(k) == GSL_SUCCESS) {
            *jitter = jit;
            return 0;
        }
        jit = attempt == 0 ? 1e-10 * sf2 : jit * 10;
    }
    return -1;
}

double sur_gp_solve_lml(const gsl_matrix *k, const double *y, size_t n,
                        double *u, double *alpha, double *mean)
{
    gsl_vector_view uv = gsl_vector_view_array(u, n);
    gsl_vector_view av = gsl_vector_view_array(alpha, n);
    gsl_vector_set_all(&uv.vector, 1.0);
    gsl_linalg_cholesky_svx(k, &uv.vector);
    memcpy(alpha, y, n * sizeof *alpha);
    gsl_linalg_cholesky_svx(k, &av.vector);
    double su = 0, sw = 0;
    for (size_t i = 0; i < n; i++) {
        su += u[i];
        sw += alpha[i];
    }
    double m = su > 0 ? sw / su : 0;
    double quad = 0, logdet = 0;
    for (size_t i = 0; i < n; i++) {
        alpha[i] -= m * u[i];
        quad += (y[i] - m) * alpha[i];
        logdet += log(gsl_matrix_get(k, i, i));
    }
    *mean = m;
    return -0.5 * quad - logdet - 0.5 * (double)n * LOG_2PI;
}

/* ---- the GP object ------------------------------------------------------ */

static int check_data(const double *x, const double *y, size_t n, size_t d,
                      ga_error *err)
{
    if (n < 2 || d < 1 || d > SUR_GP_MAX_D)
        return ga_error_set(err, GA_EINPUT, "a Gaussian process needs at least "
                            "2 points and 1 to %d inputs (got %zu points, %zu "
                            "inputs)", SUR_GP_MAX_D, n, d);
    for (size_t i = 0; i < n * d; i++)
        if (!isfinite(x[i]))
            return ga_error_set(err, GA_EINPUT, "input %zu of point %zu is not "
                                "finite", i % d, i / d);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(y[i]))
            return ga_error_set(err, GA_EINPUT, "target of point %zu is not "
                                "finite", i);
    return GA_OK;
}

sur_gp *sur_gp_alloc(const double *x, const double *y, size_t n, size_t d,
                     ga_error *err)
{
    sur_gsl_quiet();
    if (check_data(x, y, n, d, err) != GA_OK)
        return NULL;
    sur_gp *gp = calloc(1, sizeof *gp);
    if (!gp)
        goto oom;
    gp->n = n;
    gp->d = d;
    gp->x = malloc(n * d * sizeof *gp->x);
    gp->xt = malloc(n * d * sizeof *gp->xt);
    gp->y = malloc(n * sizeof *gp->y);
    gp->theta = calloc(d + 2, sizeof *gp->theta);
    gp->inv_l2 = calloc(d, sizeof *gp->inv_l2);
    gp->alpha = calloc(n, sizeof *gp->alpha);
    if (!gp->x || !gp->xt || !gp->y || !gp->theta || !gp->inv_l2 || !gp->alpha)
        goto oom;
    memcpy(gp->x, x, n * d * sizeof *x);
    for (size_t i = 0; i < n; i++)
        for (size_t q = 0; q < d; q++)
            gp->xt[q * n + i] = x[i * d + q];
    double mu = 0, ss = 0;
    for (size_t i = 0; i < n; i++)
        mu += y[i];
    mu /= (double)n;
    for (size_t i = 0; i < n; i++)
        ss += (y[i] - mu) * (y[i] - mu);
    double sd = sqrt(ss / (double)n);
    gp->y_mu = mu;
    gp->y_sd = sd > 0 ? sd : 1.0;
    for (size_t i = 0; i < n; i++)
        gp->y[i] = (y[i] - mu) / gp->y_sd;
    return gp;
oom:
    sur_gp_free(gp);
    ga_error_set(err, GA_EFAIL, "out of memory");
    return NULL;
}

void sur_gp_free(sur_gp *gp)
{
    if (!gp)
        return;
    free(gp->x);
    free(gp->xt);
    free(gp->y);
    free(gp->theta);
    free(gp->inv_l2);
    free(gp->alpha);
    if (gp->chol)
        gsl_matrix_free(gp->chol);
    free(gp);
}

int sur_gp_condition_serial(sur_gp *gp, const double *theta, int threads,
                            ga_error *err)
{
    size_t n = gp->n, d = gp->d;
    for (size_t j = 0; j < d + 2; j++)
        if (!isfinite(theta[j]))
            return ga_error_set(err, GA_EINPUT, "hyperparameter %zu is not "
                                "finite", j);
    gsl_matrix *k = gsl_matrix_alloc(n, n);
    double *u = malloc(n * sizeof *u), *alpha = malloc(n * sizeof *alpha);
    double jitter = 0, mean = 0;
    int rc = GA_OK;
    if (!k || !u || !alpha)
        rc = ga_error_set(err, GA_EFAIL, "out of memory for %zu points", n);
    else if (sur_gp_factor(k, NULL, gp->xt, n, d, theta, gp->inv_l2, &jitter,
                           threads) != 0)
        rc = ga_error_set(err, GA_EFAIL, "the kernel matrix is not positive "
                          "definite even with jitter 1e-2");
    if (rc != GA_OK) {
        if (k)
            gsl_matrix_free(k);
        free(u);
        free(alpha);
        return rc;
    }
    gp->lml = sur_gp_solve_lml(k, gp->y, n, u, alpha, &mean);
    memcpy(gp->theta, theta, (d + 2) * sizeof *theta);
    memcpy(gp->alpha, alpha, n * sizeof *gp->alpha);
    gp->sf2 = exp(theta[d]);
    gp->sn2 = exp(theta[d + 1]);
    gp->mean = mean;
    gp->jitter = jitter;
    if (gp->chol)
        gsl_matrix_free(gp->chol);
    gp->chol = k;       /* keep the factor */
    free(u);
    free(alpha);
    return GA_OK;
}

typedef struct condition_call {
    sur_gp *gp;
    const double *theta;
    int threads, rc;
    ga_error *err;
} condition_call;

static void condition_serial(void *arg)
{
    condition_call *c = arg;
    c->rc = sur_gp_condition_serial(c->gp, c->theta, c->threads, c->err);
}

int sur_gp_condition(sur_gp *gp, const double *theta, ga_error *err)
{
    sur_gsl_quiet();
    condition_call c = { gp, theta, omp_get_max_threads(), GA_OK, err };
    sur_gp_blas_serial(condition_serial, &c);
    return c.rc;
}

const double *sur_gp_theta(const sur_gp *gp)
{
    return gp->theta;
}

double sur_gp_fitted_lml(const sur_gp *gp)
{
    return gp->lml;
}

double sur_gp_mean_constant(const sur_gp *gp)
{
    return gp->mean;
}

double sur_gp_jitter(const sur_gp *gp)
{
    return gp->jitter;
}

double sur_gp_y_sd(const sur_gp *gp)
{
    return gp->y_sd;
}

size_t sur_gp_n(const sur_gp *gp)
{
    return gp->n;
}

size_t sur_gp_d(const sur_gp *gp)
{
    return gp->d;
}

/* ---- prediction ---------------------------------------------------------- */

size_t sur_gp_scratch_size(const sur_gp *gp)
{
    return gp->n * PREDICT_BLOCK;
}

/* The kernel between point xp and every training point into kv (n), and
 * the latent mean's sum k' alpha (in training order, one point at a time:
 * the same value whatever the batch). */
static double kernel_row(const sur_gp *gp, const double *xp, double *kv)
{
    size_t n = gp->n, d = gp->d;
    memset(kv, 0, n * sizeof *kv);
    for (size_t q = 0; q < d; q++) {
        const double *col = gp->xt + q * n;
        double a = xp[q], il = gp->inv_l2[q];
        for (size_t i = 0; i < n; i++) {
            double t = a - col[i];
            kv[i] += t * t * il;
        }
    }
    double mu = 0;
    for (size_t i = 0; i < n; i++) {
        kv[i] = matern52(kv[i], gp->sf2);
        mu += kv[i] * gp->alpha[i];
    }
    return mu;
}

typedef struct predict_call {
    const sur_gp *gp;
    const double *x;
    size_t m;
    double *mean, *var, *scratch;
    int with_noise;
} predict_call;

static void predict_serial(void *arg)
{
    const predict_call *c = arg;
    const sur_gp *gp = c->gp;
    size_t n = gp->n, d = gp->d;
    for (size_t p0 = 0; p0 < c->m; p0 += PREDICT_BLOCK) {
        size_t b = c->m - p0 < PREDICT_BLOCK ? c->m - p0 : PREDICT_BLOCK;
        for (size_t p = 0; p < b; p++) {
            double mu = kernel_row(gp, c->x + (p0 + p) * d,
                                   c->scratch + (c->var ? p * n : 0));
            c->mean[p0 + p] = gp->y_mu + gp->y_sd * (gp->mean + mu);
        }
        if (!c->var)
            continue;
        /* row p of the block becomes (L^-1 k_p)': V L' = K_b */
        gsl_matrix_view kb = gsl_matrix_view_array(c->scratch, b, n);
        gsl_blas_dtrsm(CblasRight, CblasLower, CblasTrans, CblasNonUnit, 1.0,
                       gp->chol, &kb.matrix);
        for (size_t p = 0; p < b; p++) {
            const double *v = c->scratch + p * n;
            double vv = 0;
            for (size_t i = 0; i < n; i++)
                vv += v[i] * v[i];
            double vf = gp->sf2 - vv;
            if (vf < 0)
                vf = 0;
            if (c->with_noise)
                vf += gp->sn2;
            c->var[p0 + p] = gp->y_sd * gp->y_sd * vf;
        }
    }
}

void sur_gp_predict(const sur_gp *gp, const double *x, size_t m, double *mean,
                    double *var, int with_noise, double *scratch)
{
    predict_call c = { gp, x, m, mean, var, scratch, with_noise };
    if (var)
        sur_gp_blas_serial(predict_serial, &c);
    else
        predict_serial(&c);     /* no BLAS */
}
