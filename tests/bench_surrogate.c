/* bench_surrogate.c - make bench: GP fit time for 250, 500, 1,000 and 2,000
 * points of 9 inputs with 5 restarts (goal: 1,000 points under 5 s here),
 * and predictions per second (mean only, as surrogate:NAME evaluates, and
 * with the variance, as surrogate:NAME:noisy does).
 * Data: a smooth synthetic function of 9 inputs in [0,1] plus noise. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_rng.h>

#include "../ga/util.h"
#include "../surrogates/gp.h"

static void make_data(size_t n, size_t d, unsigned long seed, double *x,
                      double *y)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed);
    for (size_t i = 0; i < n; i++) {
        double f = 0;
        for (size_t k = 0; k < d; k++) {
            double v = gsl_rng_uniform(rng);
            x[i * d + k] = v;
            f += (k < 3 ? 1.0 : 0.2) * sin(3 * v + (double)k);
        }
        y[i] = f + 0.05 * (gsl_rng_uniform(rng) - 0.5);
    }
    gsl_rng_free(rng);
}

int main(void)
{
    const size_t d = 9, sizes[] = { 250, 500, 1000, 2000 };
    printf("gahpo GP surrogate: Matern 5/2 ARD, %zu inputs, 5 restarts, "
           "default options (command: make bench)\n", d);
    printf("%6s %9s %10s %14s %16s %14s\n", "points", "fit (s)", "test R^2",
           "mean us/pt", "mean+var us/pt", "mean pts/s");
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s], m = 2000;
        double *x = malloc(n * d * sizeof *x), *y = malloc(n * sizeof *y);
        double *xt = malloc(m * d * sizeof *xt), *yt = malloc(m * sizeof *yt);
        double *mean = malloc(m * sizeof *mean), *var = malloc(m * sizeof *var);
        make_data(n, d, 1 + n, x, y);
        make_data(m, d, 7, xt, yt);
        ga_error err;
        sur_gp *gp = sur_gp_alloc(x, y, n, d, &err);
        sur_gp_options opt = sur_gp_options_default();
        double t0 = ga_now();
        if (!gp || sur_gp_fit(gp, &opt, &err) != GA_OK) {
            fprintf(stderr, "bench_surrogate: %s\n", err.msg);
            return 1;
        }
        double fit_s = ga_now() - t0;
        double *scratch = malloc(sur_gp_scratch_size(gp) * sizeof *scratch);
        /* mean only: repeat until ~0.3 s */
        size_t reps = 0;
        t0 = ga_now();
        do {
            sur_gp_predict(gp, xt, m, mean, NULL, 0, scratch);
            reps++;
        } while (ga_now() - t0 < 0.3);
        double mean_us = (ga_now() - t0) / (double)(reps * m) * 1e6;
        reps = 0;
        t0 = ga_now();
        do {
            sur_gp_predict(gp, xt, m, mean, var, 1, scratch);
            reps++;
        } while (ga_now() - t0 < 0.3);
        double var_us = (ga_now() - t0) / (double)(reps * m) * 1e6;
        double mu = 0, se = 0, ss = 0;
        for (size_t i = 0; i < m; i++)
            mu += yt[i] / (double)m;
        for (size_t i = 0; i < m; i++) {
            se += (mean[i] - yt[i]) * (mean[i] - yt[i]);
            ss += (yt[i] - mu) * (yt[i] - mu);
        }
        printf("%6zu %9.2f %10.4f %14.2f %16.2f %14.0f\n", n, fit_s, 1 - se / ss,
               mean_us, var_us, 1e6 / mean_us);
        fflush(stdout);
        free(scratch);
        sur_gp_free(gp);
        free(x);
        free(y);
        free(xt);
        free(yt);
        free(mean);
        free(var);
    }
    return 0;
}
