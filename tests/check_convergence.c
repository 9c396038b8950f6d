/* check_convergence.c - regression tests of GA convergence: with fixed
 * seeds 1..31, the median final best after a fixed budget (D=10, pop 100,
 * num_iter 100, CANDLE's other settings, mu_plus_lambda) stays under a
 * threshold. Thresholds sit about 1.5x above the medians DEAP 1.3 itself
 * reaches on this setup (0.07, 11.9, 45.5, 3.8): generous enough that only
 * a real loss of search quality trips them, never seed noise, which moves
 * the median by some 12% (sphere, 31 seeds). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "../ga/engine.h"
#include "../problems/problem.h"
#include "suites.h"
#include "testutil.h"

typedef struct target {
    const char *problem;
    double deap_median;
    double threshold;
} target;

static const target targets[] = {
    { "sphere:d10", 0.07, 0.11 },
    { "rastrigin:d10", 11.9, 18.0 },
    { "rosenbrock:d10", 45.5, 70.0 },
    { "ackley:d10", 3.8, 5.7 },
};

static double run_one(const prob_problem *p, ga_strategy strategy,
                      unsigned long seed, long *evals)
{
    ga_settings s;
    ga_settings_defaults(&s);
    s.population_size = 100;
    s.num_iter = 100;
    s.strategy = strategy;
    s.seed = seed;
    ga_error err;
    ga_engine *e = ga_engine_alloc(p->space, &s, &err);
    ck_assert_msg(e != NULL, "%s", err.msg);
    double *f = malloc(100 * sizeof *f);
    for (;;) {
        ga_batch b;
        ga_engine_ask(e, &b);
        if (b.count == 0)
            break;
        p->eval(p, b.genes, b.count, f, NULL);
        ck_assert_int_eq(ga_engine_tell(e, f, &err), GA_OK);
    }
    size_t nh;
    const double *hf;
    ga_engine_hof(e, &nh, &hf);
    double best = hf[0];
    *evals = ga_engine_evaluations(e);
    free(f);
    ga_engine_free(e);
    return best;
}

START_TEST(test_convergence)
{
    const target *t = &targets[_i];
    ga_error err;
    prob_problem *p = prob_lookup(t->problem, &err);
    ck_assert_ptr_nonnull(p);
    double best[31];
    for (int seed = 1; seed <= 31; seed++) {
        long evals;
        best[seed - 1] = run_one(p, GA_MU_PLUS_LAMBDA, (unsigned long)seed, &evals);
        ck_assert_int_eq(evals, 100 + 99 * 50);  /* deterministic in DEAP too */
    }
    gsl_sort(best, 1, 31);
    double median = gsl_stats_median_from_sorted_data(best, 1, 31);
    fprintf(stderr, "convergence %-15s mu_plus_lambda median %.4g (DEAP ~%.3g, "
            "threshold %.3g)\n", t->problem, median, t->deap_median,
            t->threshold);
    ck_assert_msg(median < t->threshold, "%s: median %g >= %g", t->problem,
                  median, t->threshold);
    prob_free(p);
}
END_TEST

Suite *convergence_suite(void)
{
    Suite *s = suite_create("convergence");
    TCase *tc = tcase_create("median");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_convergence, 0,
                        (int)(sizeof targets / sizeof targets[0]));
    suite_add_tcase(s, tc);
    return s;
}
