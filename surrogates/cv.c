/* cv.c - K-fold cross-validation and regression/rank metrics. */
#include "cv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>
#include <omp.h>

double sur_kendall_tau_b(const double *a, const double *b, size_t n)
{
    double conc = 0, disc = 0, ties_a = 0, ties_b = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            double da = a[i] - a[j], db = b[i] - b[j];
            if (da == 0 && db == 0)
                continue;
            if (da == 0)
                ties_a++;
            else if (db == 0)
                ties_b++;
            else if ((da > 0) == (db > 0))
                conc++;
            else
                disc++;
        }
    double den = sqrt((conc + disc + ties_a) * (conc + disc + ties_b));
    return den > 0 ? (conc - disc) / den : NAN;
}

void sur_metrics_compute(const double *y, const double *pred, size_t n,
                         sur_metrics *m)
{
    double mu = 0, ss_res = 0, ss_tot = 0;
    for (size_t i = 0; i < n; i++)
        mu += y[i];
    mu /= (double)n;
    for (size_t i = 0; i < n; i++) {
        ss_res += (y[i] - pred[i]) * (y[i] - pred[i]);
        ss_tot += (y[i] - mu) * (y[i] - mu);
    }
    m->n = n;
    m->rmse = sqrt(ss_res / (double)n);
    m->r2 = ss_tot > 0 ? 1.0 - ss_res / ss_tot : NAN;
    double *work = malloc(2 * n * sizeof *work);
    m->spearman = work ? gsl_stats_spearman(y, 1, pred, 1, n, work) : NAN;
    free(work);
    m->kendall = sur_kendall_tau_b(y, pred, n);
}

void sur_cv_folds(size_t n, size_t k, unsigned long seed, size_t *fold_of)
{
    size_t *perm = malloc(n * sizeof *perm);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    for (size_t i = 0; i < n; i++)
        fold_of[i] = i % k;
    if (perm && rng) {
        gsl_rng_set(rng, seed);
        for (size_t i = 0; i < n; i++)
            perm[i] = i;
        gsl_ran_shuffle(rng, perm, n, sizeof *perm);
        for (size_t i = 0; i < n; i++)
            fold_of[perm[i]] = i % k;
    }
    free(perm);
    if (rng)
        gsl_rng_free(rng);
}

void sur_cv_free(sur_cv *cv)
{
    if (!cv)
        return;
    free(cv->folds);
    free(cv->fold_of);
    free(cv->oof);
    memset(cv, 0, sizeof *cv);
}

/* Fit on every fold but f, predict fold f into cv->oof, metrics into
 * cv->folds[f]. */
static int run_fold(const double *x, const double *y, size_t n, size_t d,
                    int log_y, size_t f, sur_cv *cv, const sur_gp_options *opt,
                    ga_error *err)
{
    double *tx = malloc(n * d * sizeof *tx), *ty = malloc(n * sizeof *ty);
    double *vx = malloc(n * d * sizeof *vx), *vm = malloc(n * sizeof *vm);
    double *yy = malloc(n * sizeof *yy), *pp = malloc(n * sizeof *pp);
    size_t *vidx = malloc(n * sizeof *vidx);
    sur_gp *gp = NULL;
    double *scratch = NULL;
    int rc = GA_OK;
    if (!tx || !ty || !vx || !vm || !yy || !pp || !vidx) {
        rc = ga_error_set(err, GA_EFAIL, "out of memory");
        goto done;
    }
    size_t nt = 0, nv = 0;
    for (size_t i = 0; i < n; i++) {
        if (cv->fold_of[i] == f) {
            memcpy(vx + nv * d, x + i * d, d * sizeof *x);
            vidx[nv++] = i;
        } else {
            memcpy(tx + nt * d, x + i * d, d * sizeof *x);
            ty[nt++] = log_y ? log(y[i]) : y[i];
        }
    }
    sur_gp_options o = *opt;
    o.seed = opt->seed + 101 * (f + 1);
    o.threads = 1;
    gp = sur_gp_alloc(tx, ty, nt, d, err);
    if (!gp || (rc = sur_gp_fit(gp, &o, err)) != GA_OK) {
        rc = rc ? rc : GA_EFAIL;
        goto done;
    }
    scratch = malloc(sur_gp_scratch_size(gp) * sizeof *scratch);
    if (!scratch) {
        rc = ga_error_set(err, GA_EFAIL, "out of memory");
        goto done;
    }
    sur_gp_predict(gp, vx, nv, vm, NULL, 0, scratch);
    for (size_t j = 0; j < nv; j++) {
        cv->oof[vidx[j]] = log_y ? exp(vm[j]) : vm[j];
        yy[j] = y[vidx[j]];
        pp[j] = cv->oof[vidx[j]];
    }
    sur_metrics_compute(yy, pp, nv, &cv->folds[f]);
done:
    free(scratch);
    sur_gp_free(gp);
    free(tx);
    free(ty);
    free(vx);
    free(vm);
    free(yy);
    free(pp);
    free(vidx);
    return rc;
}

int sur_cv_run(const double *x, const double *y, size_t n, size_t d,
               int log_y, size_t k, unsigned long seed,
               const sur_gp_options *opt, sur_cv *cv, ga_error *err)
{
    memset(cv, 0, sizeof *cv);
    if (k < 2 || k > n || n - (n + k - 1) / k < 2)
        return ga_error_set(err, GA_EINPUT, "cross-validation needs 2 <= K "
                            "and enough points (%zu points, K = %zu)", n, k);
    cv->k = k;
    cv->folds = calloc(k, sizeof *cv->folds);
    cv->fold_of = malloc(n * sizeof *cv->fold_of);
    cv->oof = malloc(n * sizeof *cv->oof);
    int rc = GA_OK;
    if (!cv->folds || !cv->fold_of || !cv->oof) {
        rc = ga_error_set(err, GA_EFAIL, "out of memory");
        goto done;
    }
    sur_cv_folds(n, k, seed, cv->fold_of);
    /* folds in parallel (each fold's fit is serial past its restarts);
     * every fold has its own seed, so results do not depend on threads */
    int *status = calloc(k, sizeof *status);
    ga_error *errs = calloc(k, sizeof *errs);
    if (!status || !errs) {
        free(status);
        free(errs);
        rc = ga_error_set(err, GA_EFAIL, "out of memory");
        goto done;
    }
    int threads = opt->threads > 0 ? opt->threads : omp_get_max_threads();
    if ((size_t)threads > k)
        threads = (int)k;
#pragma omp parallel for schedule(dynamic) num_threads(threads)
    for (size_t f = 0; f < k; f++)
        status[f] = run_fold(x, y, n, d, log_y, f, cv, opt, &errs[f]);
    for (size_t f = 0; f < k; f++)
        if (status[f] != GA_OK) {
            rc = ga_error_set(err, status[f], "fold %zu: %s", f + 1, errs[f].msg);
            break;
        }
    free(status);
    free(errs);
    if (rc == GA_OK)
        sur_metrics_compute(y, cv->oof, n, &cv->all);
done:
    if (rc != GA_OK)
        sur_cv_free(cv);
    return rc;
}
