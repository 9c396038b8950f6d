/* gp.h - Gaussian-process regression: Matérn 5/2 kernel with one length
 * scale per input (ARD), signal and noise variance, constant mean (its
 * generalized-least-squares estimate, profiled out of the likelihood).
 * Hyperparameters maximize the log marginal likelihood (analytic gradient,
 * GSL's BFGS2) from seeded restarts; the factorization is GSL's Cholesky,
 * with jitter escalation when it fails.
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
                              larger; the best is then refined on twice as
                              many, and so on up to all points */
    size_t max_iter;       /* BFGS iterations per restart (and per refinement
                              stage of up to 256 points) */
    size_t polish_iter;    /* BFGS iterations per larger refinement stage
                              (which also get a likelihood-evaluation budget
                              that shrinks as m^3) */
    size_t max_refine;     /* no refinement stage on more points than this
                              (0: none); larger data keep the hyperparameters
                              of the last stage and are conditioned on all
                              points (one Cholesky) */
    int threads;           /* OpenMP threads for the restarts (0: default) */
} sur_gp_options;

/* Defaults: seed 1, 5 restarts, subset 128, 40 iterations, polish 8,
 * refinement up to 1024 points, default threads. */
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

/* n, d of the GP. */
size_t sur_gp_n(const sur_gp *gp);
size_t sur_gp_d(const sur_gp *gp);

/* Doubles of scratch sur_gp_predict needs per call. */
size_t sur_gp_scratch_size(const sur_gp *gp);

/* Predictive mean and variance of the latent function at m points (x: m x d)
 * in the units of y; var may be NULL (then only O(n d) per point). With
 * with_noise, var includes the noise variance (the spread of a new
 * observation). scratch: sur_gp_scratch_size doubles, owned by the caller,
 * one per thread. */
void sur_gp_predict(const sur_gp *gp, const double *x, size_t m, double *mean,
                    double *var, int with_noise, double *scratch);

#endif
