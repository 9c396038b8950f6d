/* gp.h - Gaussian-process regression: Matérn 5/2 kernel with one length
 * scale per input (ARD), signal and noise variance, constant mean (its
 * generalized-least-squares estimate, profiled out of the likelihood).
 * Hyperparameters maximize the log marginal likelihood (analytic gradient,
 * GSL's BFGS2) from seeded restarts on a subset, refined on all points;
 * the factorization is GSL's recursive Cholesky over BLAS level 3 (OpenBLAS
 * in this build), with jitter escalation when it fails.
 *
 * A fitted GP is read-only: sur_gp_predict may run in many threads at once.
 * Targets are standardized internally (mean and standard deviation of y), so
 * the kernel hyperparameters are in standardized units. */
#ifndef SUR_GP_H
#define SUR_GP_H

#include <stddef.h>

#include "../ga/error.h"

typedef struct sur_gp sur_gp;

/* Options of sur_gp_fit. */
typedef struct sur_gp_options {
    unsigned long seed;    /* restarts' random starting points and subsets */
    size_t restarts;       /* optimizer starts (the first from a fixed point) */
    size_t subset;         /* restarts run on this many random points when n is
                              larger (values below 16, or n and above: all
                              points); the best is then refined on twice as
                              many (a nested subset), and so on, the last
                              stage on all points */
    size_t max_iter;       /* BFGS iterations per restart and per subset
                              stage */
    size_t final_iter;     /* BFGS iterations of the all-points stage */
    size_t max_refine;     /* no refinement stage on more points than this
                              (0: up to all points); larger data keep the
                              hyperparameters of the last stage */
    double tol;            /* a run stops when two BFGS iterations in a row
                              gain less than this in log marginal likelihood
                              (or the gradient of -lml/n is below 1e-4) */
    int threads;           /* OpenMP threads for the restarts and the O(n^2)
                              loops (0: OpenMP's default); OpenBLAS's threads
                              follow OpenMP's (one inside a parallel region).
                              Results do not depend on it */
} sur_gp_options;

/* Defaults: seed 1, 5 restarts, subset 128, 100 iterations, 200 on all
 * points, refinement up to all points, tol 0.01, default threads. */
sur_gp_options sur_gp_options_default(void);

/* Number of hyperparameters for d inputs: d log length scales, log signal
 * variance, log noise variance (in this order in every theta). */
size_t sur_gp_ntheta(size_t d);

/* A GP on n points of d encoded inputs (x: n x d, row-major) and targets y
 * (copied). Not usable for prediction until sur_gp_fit or sur_gp_condition.
 * NULL with err if n < 2, d < 1, a value is not finite, or out of memory. */
sur_gp *sur_gp_alloc(const double *x, const double *y, size_t n, size_t d,
                     ga_error *err);

void sur_gp_free(sur_gp *gp);

/* Fit the hyperparameters (see sur_gp_options), then condition on them.
 * GA_EFAIL with err if no start gives a usable factorization. */
int sur_gp_fit(sur_gp *gp, const sur_gp_options *opt, ga_error *err);

/* Condition on hyperparameters theta (sur_gp_ntheta values): kernel matrix,
 * Cholesky (jitter escalates from 1e-10 to 1e-2 of the signal variance if it
 * fails), mean, weights. Deterministic: the same data and theta give
 * bit-identical predictions. */
int sur_gp_condition(sur_gp *gp, const double *theta, ga_error *err);

/* Log marginal likelihood of standardized targets at theta and its gradient
 * (grad may be NULL) on the GP's data; -INFINITY if the factorization fails.
 * For tests and diagnostics (allocates). */
double sur_gp_lml(const sur_gp *gp, const double *theta, double *grad);

/* The conditioned hyperparameters (sur_gp_ntheta values, read-only). */
const double *sur_gp_theta(const sur_gp *gp);

/* Log marginal likelihood at the conditioned theta; the constant mean and
 * the diagonal jitter actually used (standardized units). */
double sur_gp_fitted_lml(const sur_gp *gp);
double sur_gp_mean_constant(const sur_gp *gp);
double sur_gp_jitter(const sur_gp *gp);

/* The standard deviation the targets were standardized by (1 when they
 * were constant). */
double sur_gp_y_sd(const sur_gp *gp);

/* n, d of the GP. */
size_t sur_gp_n(const sur_gp *gp);
size_t sur_gp_d(const sur_gp *gp);

/* Doubles of scratch sur_gp_predict needs per call (n x its block of 64
 * points). */
size_t sur_gp_scratch_size(const sur_gp *gp);

/* Predictive mean and variance of the latent function at m points (x: m x d)
 * in the units of y, a batch at a time: var may be NULL (then only the
 * kernel rows, O(n d) per point); with var, each block of 64 points is
 * solved against the Cholesky factor by one BLAS dtrsm. With with_noise,
 * var includes the noise variance (the spread of a new observation).
 * Every point's mean and variance are bit-identical whatever m and the
 * point's place in the batch (the mean is summed point by point; the
 * solve treats columns independently: tested), and for any OpenMP or BLAS
 * thread count. scratch: sur_gp_scratch_size doubles, owned by the caller,
 * one per thread. Read-only on gp: many threads may predict at once. */
void sur_gp_predict(const sur_gp *gp, const double *x, size_t m, double *mean,
                    double *var, int with_noise, double *scratch);

#endif
