/* stats.h - the statistics a sweep's analysis needs: ranks, quantiles,
 * bootstrap intervals, Wilcoxon signed-rank, Friedman, Holm. Distributions
 * come from GSL; the tests are checked against scipy's in tests/.
 *
 * Out of memory (they need scratch space as large as their input): every
 * result of the call is NaN (the value returned and each output) and errno
 * is ENOMEM. A caller sets errno = 0 before a computation and finds
 * ENOMEM after when a figure is not to be trusted, as ga_json_oom does for
 * cJSON (nothing else these calls make sets errno to ENOMEM). Pure
 * functions otherwise: thread-safe, no state between calls. */
#ifndef SWEEP_STATS_H
#define SWEEP_STATS_H

#include <stddef.h>

/* Ranks 1..n of v (ties get their average rank) into ranks. */
void sweep_ranks(const double *v, size_t n, double *ranks);

/* The q-quantile (0..1) of v, as numpy's default (linear). v is copied. */
double sweep_quantile(const double *v, size_t n, double q);

/* Percentile bootstrap confidence interval of the mean of v: B resamples
 * from a generator seeded with seed; level e.g. 0.95. */
void sweep_bootstrap_mean(const double *v, size_t n, unsigned long seed,
                          size_t B, double level, double *lo, double *hi);

/* Percentile bootstrap interval of the median of v. */
void sweep_bootstrap_median(const double *v, size_t n, unsigned long seed,
                            size_t B, double level, double *lo, double *hi);

/* Wilcoxon signed-rank test of paired x, y (two-sided), as scipy 1.10's
 * default: zero differences dropped; exact distribution when at most 50
 * remain and none tie, else the normal approximation with the tie
 * correction and no continuity correction. *stat = min(R+, R-). Returns
 * the p-value (1 when nothing is left to test). */
double sweep_wilcoxon(const double *x, const double *y, size_t n, double *stat);

/* Friedman test: data[b*k + t] for nblocks blocks and k treatments, ranks
 * within blocks (ties averaged, with scipy's tie correction); returns the
 * chi-square p-value with k-1 degrees of freedom; *stat the statistic;
 * rank_sums (k entries, may be NULL) the treatments' rank sums. */
double sweep_friedman(const double *data, size_t nblocks, size_t k,
                      double *stat, double *rank_sums);

/* Holm's step-down adjustment of n p-values into adj. */
void sweep_holm(const double *p, size_t n, double *adj);

#endif
