/* stats.c - rank statistics and resampling for the sweep analysis.
 * Out of memory: NaN results and errno ENOMEM (stats.h). */
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

/* NaN into n values of v, and errno ENOMEM: what out of memory gives. */
static void fill_oom(double *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        v[i] = NAN;
    errno = ENOMEM;
}

/* sweep_ranks; -1 (ranks NaN) out of memory. */
static int ranks_of(const double *v, size_t n, double *ranks)
{
    size_t *idx = malloc((n + 1) * sizeof *idx);
    if (!idx) {
        fill_oom(ranks, n);
        return -1;
    }
    gsl_sort_index(idx, v, 1, n);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && v[idx[j + 1]] == v[idx[i]])
            j++;
        double r = (double)(i + j) / 2 + 1;  /* average of ranks i+1..j+1 */
        for (size_t m = i; m <= j; m++)
            ranks[idx[m]] = r;
        i = j + 1;
    }
    free(idx);
    return 0;
}

void sweep_ranks(const double *v, size_t n, double *ranks)
{
    ranks_of(v, n, ranks);
}

double sweep_quantile(const double *v, size_t n, double q)
{
    if (n == 0)
        return NAN;
    double *c = malloc(n * sizeof *c);
    if (!c) {
        errno = ENOMEM;
        return NAN;
    }
    memcpy(c, v, n * sizeof *c);
    gsl_sort(c, 1, n);
    /* numpy's linear rule; not GSL's, whose (1-d) x[l] + d x[l+1] is NaN
     * when d = 0 and x[l+1] is infinite (runs that never reach a target) */
    double h = (double)(n - 1) * q;
    size_t l = (size_t)floor(h);
    double d = h - (double)l, r;
    if (d == 0 || l + 1 >= n)
        r = c[l];
    else if (isinf(c[l + 1]) || isinf(c[l]))
        r = c[l] == c[l + 1] ? c[l] : (d > 0 ? c[l + 1] : c[l]);
    else
        r = c[l] + d * (c[l + 1] - c[l]);
    free(c);
    return r;
}

static void bootstrap(const double *v, size_t n, unsigned long seed, size_t B,
                      double level, int median, double *lo, double *hi)
{
    if (n == 0) {
        *lo = *hi = NAN;
        return;
    }
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    double *stat = malloc((B + 1) * sizeof *stat), *s = malloc(n * sizeof *s);
    if (!r || !stat || !s) {
        *lo = *hi = NAN;
        errno = ENOMEM;
        goto out;
    }
    gsl_rng_set(r, seed);
    for (size_t b = 0; b < B; b++) {
        for (size_t i = 0; i < n; i++)
            s[i] = v[gsl_rng_uniform_int(r, n)];
        if (median) {
            gsl_sort(s, 1, n);
            stat[b] = gsl_stats_median_from_sorted_data(s, 1, n);
        } else {
            stat[b] = gsl_stats_mean(s, 1, n);
        }
    }
    gsl_sort(stat, 1, B);
    *lo = gsl_stats_quantile_from_sorted_data(stat, 1, B, (1 - level) / 2);
    *hi = gsl_stats_quantile_from_sorted_data(stat, 1, B, (1 + level) / 2);
out:
    free(stat);
    free(s);
    gsl_rng_free(r);
}

void sweep_bootstrap_mean(const double *v, size_t n, unsigned long seed,
                          size_t B, double level, double *lo, double *hi)
{
    bootstrap(v, n, seed, B, level, 0, lo, hi);
}

void sweep_bootstrap_median(const double *v, size_t n, unsigned long seed,
                            size_t B, double level, double *lo, double *hi)
{
    bootstrap(v, n, seed, B, level, 1, lo, hi);
}

/* The exact two-sided p of a rank sum t among m untied ranks: the number
 * of subsets of {1..m} with each rank sum. */
static double wilcoxon_exact(size_t m, double t)
{
    size_t max = m * (m + 1) / 2;
    double *count = calloc(max + 1, sizeof *count);
    if (!count) {
        errno = ENOMEM;
        return NAN;
    }
    count[0] = 1;
    for (size_t r = 1; r <= m; r++)
        for (size_t s = max; s >= r; s--)
            count[s] += count[s - r];
    double below = 0, total = ldexp(1.0, (int)m);
    for (size_t s = 0; s <= (size_t)t; s++)
        below += count[s];
    free(count);
    return fmin(1, 2 * below / total);
}

/* The normal approximation's p of rank sum t of the m values |d| in ad,
 * with the tie correction: sum (t^3 - t) / 48 over groups of equal |d|. */
static double wilcoxon_normal(const double *ad, size_t m, double t)
{
    double mn = (double)m * (double)(m + 1) / 4;
    double var = (double)m * (double)(m + 1) * (double)(2 * m + 1) / 24;
    double *s = malloc(m * sizeof *s);
    if (!s) {
        errno = ENOMEM;
        return NAN;
    }
    memcpy(s, ad, m * sizeof *s);
    gsl_sort(s, 1, m);
    for (size_t i = 0; i < m;) {
        size_t j = i;
        while (j + 1 < m && s[j + 1] == s[i])
            j++;
        double g = (double)(j - i + 1);
        var -= (g * g * g - g) / 48;
        i = j + 1;
    }
    free(s);
    double z = (t - mn) / sqrt(var);
    return fmin(1, 2 * gsl_cdf_ugaussian_P(z));
}

double sweep_wilcoxon(const double *x, const double *y, size_t n, double *stat)
{
    double *d = malloc((n + 1) * sizeof *d), *ad = malloc((n + 1) * sizeof *ad);
    double *rk = malloc((n + 1) * sizeof *rk);
    size_t m = 0;
    double p = 1;
    *stat = 0;
    if (!d || !ad || !rk) {
        p = *stat = NAN;
        errno = ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        if (x[i] - y[i] != 0)
            d[m++] = x[i] - y[i];
    if (m == 0)
        goto out;
    for (size_t i = 0; i < m; i++)
        ad[i] = fabs(d[i]);
    if (ranks_of(ad, m, rk) != 0) {
        p = *stat = NAN;
        goto out;
    }
    double rplus = 0, rminus = 0;
    int ties = 0;
    for (size_t i = 0; i < m; i++) {
        if (d[i] > 0)
            rplus += rk[i];
        else
            rminus += rk[i];
        ties |= rk[i] != floor(rk[i]);
    }
    /* a tie of two gives a .5 rank; ties of three give whole ranks, so
     * look for repeated |d| directly */
    for (size_t i = 0; i < m && !ties; i++)
        for (size_t j = i + 1; j < m && !ties; j++)
            ties = ad[i] == ad[j];
    double t = fmin(rplus, rminus);
    *stat = t;
    p = m <= 50 && !ties ? wilcoxon_exact(m, t) : wilcoxon_normal(ad, m, t);
out:
    free(d);
    free(ad);
    free(rk);
    return p;
}

double sweep_friedman(const double *data, size_t nb, size_t k, double *stat,
                      double *rank_sums)
{
    double *R = calloc(k + 1, sizeof *R), *rk = malloc((k + 1) * sizeof *rk);
    double *s = malloc((k + 1) * sizeof *s);
    double ties = 0;
    int failed = !R || !rk || !s;
    for (size_t b = 0; b < nb && !failed; b++) {
        failed = ranks_of(data + b * k, k, rk) != 0;
        for (size_t t = 0; t < k; t++)
            R[t] += rk[t];
        /* tie groups in this block */
        memcpy(s, data + b * k, k * sizeof *s);
        gsl_sort(s, 1, k);
        for (size_t i = 0; i < k;) {
            size_t j = i;
            while (j + 1 < k && s[j + 1] == s[i])
                j++;
            double g = (double)(j - i + 1);
            ties += g * g * g - g;
            i = j + 1;
        }
    }
    free(rk);
    free(s);
    if (failed) {
        free(R);
        fill_oom(rank_sums, k);
        *stat = NAN;
        return NAN;
    }
    double sumsq = 0, n = (double)nb, kk = (double)k;
    for (size_t t = 0; t < k; t++)
        sumsq += R[t] * R[t];
    double chi = 12.0 / (n * kk * (kk + 1)) * sumsq - 3 * n * (kk + 1);
    double c = 1 - ties / (kk * (kk * kk - 1) * n);
    chi = c > 0 ? chi / c : 0;
    *stat = chi;
    if (rank_sums)
        memcpy(rank_sums, R, k * sizeof *R);
    free(R);
    return k > 1 ? gsl_cdf_chisq_Q(chi, kk - 1) : 1;
}

void sweep_holm(const double *p, size_t n, double *adj)
{
    size_t *idx = malloc((n + 1) * sizeof *idx);
    if (!idx) {
        fill_oom(adj, n);
        return;
    }
    gsl_sort_index(idx, p, 1, n);
    double running = 0;
    for (size_t i = 0; i < n; i++) {
        double a = fmin(1, (double)(n - i) * p[idx[i]]);
        running = fmax(running, a);  /* keep the adjusted values monotone */
        adj[idx[i]] = running;
    }
    free(idx);
}
