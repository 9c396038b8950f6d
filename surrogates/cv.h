/* cv.h - K-fold cross-validation of the GP and the numbers that say how far
 * to trust a surrogate: out-of-fold R^2, RMSE, Spearman and Kendall (tau-b)
 * rank correlations (rank matters most: the GA only compares). */
#ifndef SUR_CV_H
#define SUR_CV_H

#include <stddef.h>

#include "../ga/error.h"
#include "gp.h"

typedef struct sur_metrics {
    size_t n;
    double r2, rmse, spearman, kendall;
} sur_metrics;

typedef struct sur_cv {
    size_t k;
    sur_metrics all;       /* pooled out-of-fold predictions */
    sur_metrics *folds;    /* k, each fold on its own */
    size_t *fold_of;       /* n: the fold of each point */
    double *oof;           /* n: out-of-fold prediction of each point */
} sur_cv;

/* Metrics of predictions pred against y (n >= 2). */
void sur_metrics_compute(const double *y, const double *pred, size_t n,
                         sur_metrics *m);

/* Kendall's tau-b (ties in either variable accounted for), O(n^2). */
double sur_kendall_tau_b(const double *a, const double *b, size_t n);

/* The fold of each of n points: a seeded shuffle dealt round-robin into k
 * folds. */
void sur_cv_folds(size_t n, size_t k, unsigned long seed, size_t *fold_of);

/* K-fold CV on encoded inputs x (n x d) and objective y: each fold's GP is
 * fitted with opt (seed varied per fold) on the other folds; with log_y the
 * GP models log(y) and predictions are exp of its mean. Fills cv (free with
 * sur_cv_free). 2 <= k <= n. */
int sur_cv_run(const double *x, const double *y, size_t n, size_t d,
               int log_y, size_t k, unsigned long seed,
               const sur_gp_options *opt, sur_cv *cv, ga_error *err);

void sur_cv_free(sur_cv *cv);

#endif
