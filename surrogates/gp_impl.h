/* gp_impl.h - internal to surrogates/: the GP object and the kernel code
 * shared by gp.c (the object, conditioning, prediction) and gp_fit.c (the
 * likelihood, its gradient and the optimizer). Not a public header. */
#ifndef SUR_GP_IMPL_H
#define SUR_GP_IMPL_H

#include <stddef.h>

#include <gsl/gsl_matrix.h>

#include "gp.h"

/* Largest number of inputs (fixed-size theta buffers on the stack). */
#define SUR_GP_MAX_D 512

struct sur_gp {
    size_t n, d;
    double *x;          /* n x d, row-major */
    double *xt;         /* d x n: input k of every point contiguous, so the
                           distance loops run over points (vectorized) */
    double *y;          /* n, standardized */
    double y_mu, y_sd;
    double *theta;      /* d + 2 conditioned hyperparameters */
    double *inv_l2;     /* d: 1 / length_scale^2 */
    double sf2, sn2, mean, jitter, lml;
    gsl_matrix *chol;   /* lower Cholesky factor of K; NULL if unconditioned */
    double *alpha;      /* K^-1 (y - mean) */
};

/* Run fn(arg) with BLAS on one thread. OpenBLAS's OpenMP build runs a
 * call on omp_get_max_threads() threads unless it is inside an active
 * parallel region, and its results depend on that count (measured with
 * this build: Cholesky, triangular inverse, L'L and dtrsm at 545 points
 * differ in their last bits between 1, 2, 3 and 4 threads). So fn runs in
 * a team of one whose own thread-count setting is 1: OpenBLAS uses one
 * thread whatever OMP_NUM_THREADS says, and the process's setting is not
 * touched. The GP's own parallel loops inside fn (restarts, starts, rows)
 * name their thread counts, resolved before the call. */
void sur_gp_blas_serial(void (*fn)(void *), void *arg);

/* Condition gp on theta (sur_gp_condition) with threads for the kernel
 * loop; must run inside sur_gp_blas_serial. */
int sur_gp_condition_serial(sur_gp *gp, const double *theta, int threads,
                            ga_error *err);

/* Threads for an O(n^2) loop over n points: 1 below a size where a team
 * costs more than it saves, or inside an active parallel region;
 * otherwise threads (resolved by the caller: > 0). */
int sur_gp_loop_threads(size_t n, int threads);

/* The lower triangle of the kernel matrix at theta (with diag added to the
 * diagonal) into k from inputs xt (d x n); inv_l2 receives 1/l^2. With r
 * not NULL, r's lower triangle receives each pair's r = sqrt(5 s) for the
 * gradient. Rows in parallel (threads as sur_gp_loop_threads); every entry
 * is computed alone, so the values do not depend on the thread count. */
void sur_gp_fill_kernel(gsl_matrix *k, gsl_matrix *r, const double *xt,
                        size_t n, size_t d, const double *theta,
                        double *inv_l2, double diag, int threads);

/* Kernel at theta into k and its Cholesky factor (GSL's recursive,
 * BLAS-3 decomp1), the jitter escalating from 0 through 1e-10 .. 1e-2 of
 * the signal variance. 0, or -1 if every try fails. */
int sur_gp_factor(gsl_matrix *k, gsl_matrix *r, const double *xt, size_t n,
                  size_t d, const double *theta, double *inv_l2,
                  double *jitter, int threads);

/* Given the factor L of K in k, targets y: the GLS constant mean into
 * *mean, alpha = K^-1 (y - mean) into alpha, u = K^-1 1 into u; returns the
 * log marginal likelihood. */
double sur_gp_solve_lml(const gsl_matrix *k, const double *y, size_t n,
                        double *u, double *alpha, double *mean);

#endif
