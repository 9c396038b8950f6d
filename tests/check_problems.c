/* check_problems.c - the problem suite: classic functions (against DEAP's
 * own benchmarks module), the mixed-type HPO-like problems (optimum, noise
 * statistics), the registry's names, and evaluation from many threads. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "../ga/ops.h"
#include "../problems/problem.h"
#include "suites.h"
#include "testutil.h"

/* Classic functions: the optimum is 0 at x_opt, and reference values. */
START_TEST(test_classic_optima)
{
    const char *names[] = { "sphere", "rastrigin", "rosenbrock", "ackley",
                            "griewank", "schwefel", "styblinski_tang", "levy" };
    for (int i = 0; i < 8; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s:d7", names[i]);
        ga_error err;
        prob_problem *p = prob_lookup(name, &err);
        ck_assert_msg(p != NULL, "%s", err.msg);
        ck_assert_uint_eq(p->dim, 7);
        double f;
        p->eval(p, p->x_opt, 1, &f, NULL);
        ck_assert_msg(fabs(f - p->f_opt) < 1e-6, "%s: f(x_opt) = %.17g", name, f);
        /* a random point is worse */
        double x[7] = { 0.3, -0.7, 1.1, 2.2, -0.1, 0.05, 0.9 };
        double fx;
        p->eval(p, x, 1, &fx, NULL);
        ck_assert_msg(fx > f, "%s", name);
        prob_free(p);
    }
}
END_TEST

START_TEST(test_classic_reference_values)
{
    ga_error err;
    prob_problem *p = prob_lookup("rosenbrock:d3", &err);
    double x[3] = { 0, 0, 0 }, f;
    p->eval(p, x, 1, &f, NULL);
    ck_assert_double_eq(f, 2);  /* (1-0)^2 twice */
    prob_free(p);
    p = prob_lookup("ackley:d2", &err);
    double y[2] = { 1, 1 };
    p->eval(p, y, 1, &f, NULL);
    /* 20 - 20 exp(-0.2) + e - exp(1) = 20 (1 - exp(-0.2)) */
    ck_assert_double_eq_tol(f, 20 * (1 - exp(-0.2)), 1e-12);
    prob_free(p);
    ck_assert_ptr_null(prob_lookup("rosenbrock:d1", &err));
    ck_assert_ptr_null(prob_lookup("sphere", &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "sphere:dD"));
}
END_TEST

/* DEAP's benchmarks module, run by Debian's python3-deap, against
 * `gahpo problems eval` at 50 random points of [-5, 5]^7 (rosenbrock and the
 * others). Relative tolerance 1e-12: both sum the same terms in the same
 * order, so only libm's last bits may differ. */
START_TEST(test_classic_match_deap)
{
    static const char *const names[] = { "sphere", "rastrigin", "rosenbrock",
                                         "ackley", "griewank", "schwefel" };
    const char *name = names[_i];
    char script[2048];
    snprintf(script, sizeof script,
             "import random, sys\n"
             "from deap import benchmarks\n"
             "random.seed(7)\n"
             "pts = [[random.uniform(-5, 5) for _ in range(7)] for _ in range(50)]\n"
             "for p in pts:\n"
             "    print(','.join(repr(v) for v in p), repr(benchmarks.%s(p)[0]))\n",
             name);
    char *out, *err;
    int rc = tu_run((char *[]){ "/usr/bin/python3", "-c", script, NULL }, NULL,
                    NULL, &out, &err);
    ck_assert_msg(rc == 0, "python3-deap: %s", err);
    /* split into the points (gahpo's input) and DEAP's values */
    size_t len = strlen(out);
    char *points = malloc(len + 1), *deap = malloc(len + 1);
    size_t np = 0, nd = 0;
    for (char *line = out; *line;) {
        char *nl = strchr(line, '\n');
        *nl = '\0';
        char *sp = strrchr(line, ' ');
        *sp = '\0';
        np += (size_t)sprintf(points + np, "%s\n", line);
        nd += (size_t)sprintf(deap + nd, "%s\n", sp + 1);
        line = nl + 1;
    }
    free(err);
    char problem[64];
    snprintf(problem, sizeof problem, "%s:d7", name);
    char *got;
    rc = tu_run((char *[]){ (char *)tu_gahpo(), "problems", "eval", problem, NULL },
                points, NULL, &got, &err);
    ck_assert_msg(rc == 0, "%s", err);
    char *a = got, *b = deap;
    for (int k = 0; k < 50; k++) {
        char *ea, *eb;
        double fa = strtod(a, &ea), fb = strtod(b, &eb);
        ck_assert_msg(fabs(fa - fb) <= 1e-12 * fmax(1, fabs(fb)),
                      "%s point %d: gahpo %.17g, DEAP %.17g", name, k, fa, fb);
        a = ea + 1;
        b = eb + 1;
    }
    free(out);
    free(err);
    free(got);
    free(points);
    free(deap);
}
END_TEST

static const char *const mixed_names[] = { "mixed:cnn", "mixed:transformer",
                                           "mixed:ripple" };

/* The optimum is legal, gives f_opt, and random points never beat it. */
START_TEST(test_mixed_optimum)
{
    ga_error err;
    prob_problem *p = prob_lookup(mixed_names[_i], &err);
    ck_assert_msg(p != NULL, "%s", err.msg);
    for (size_t i = 0; i < p->dim; i++)
        ck_assert_msg(ga_param_gene_valid(&p->space->params[i], p->x_opt[i]),
                      "x_opt[%zu] illegal", i);
    double f;
    p->eval(p, p->x_opt, 1, &f, NULL);
    ck_assert_double_eq(f, p->f_opt);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 3);
    double *x = malloc(p->dim * sizeof *x);
    int better_than_far = 0;
    for (int k = 0; k < 20000; k++) {
        ga_op_init(p->space, r, x);
        p->eval(p, x, 1, &f, NULL);
        ck_assert_msg(f > p->f_opt, "%s: f = %.17g at a random point", p->name, f);
        better_than_far += f < p->f_opt + 0.05;
    }
    /* and the problem is not trivial: random points rarely get close */
    ck_assert_int_lt(better_than_far, 200);
    /* moving one numeric gene off the optimum costs something */
    memcpy(x, p->x_opt, p->dim * sizeof *x);
    for (size_t i = 0; i < p->dim; i++) {
        const ga_param *q = &p->space->params[i];
        if (q->type != GA_FLOAT)
            continue;
        x[i] = q->upper;
        p->eval(p, x, 1, &f, NULL);
        x[i] = p->x_opt[i];
        if (f == p->f_opt)  /* a conditional parameter, switched off */
            continue;
        ck_assert(f > p->f_opt);
    }
    free(x);
    gsl_rng_free(r);
    prob_free(p);
}
END_TEST

/* Noise: f (1 + 0.05 N1) + 0.01 N2 at the optimum of mixed:cnn (f = 0.25):
 * mean 0.25 and variance 0.25^2 0.05^2 + 0.01^2 = 2.5625e-4 over 40000
 * seeded draws. Tolerances: 5 standard errors (SE of the mean
 * sqrt(var/n) = 8e-5; SE of the variance about var sqrt(2/n) = 1.8e-6). */
START_TEST(test_mixed_noise)
{
    ga_error err;
    prob_problem *p = prob_lookup("mixed:cnn:noisy", &err);
    ck_assert_ptr_nonnull(p);
    ck_assert(p->noisy);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 17);
    const int n = 40000;
    double sum = 0, sum2 = 0;
    for (int k = 0; k < n; k++) {
        double f;
        p->eval(p, p->x_opt, 1, &f, r);
        sum += f;
        sum2 += f * f;
    }
    double mean = sum / n, var = sum2 / n - mean * mean;
    double want = 0.25 * 0.25 * 0.05 * 0.05 + 0.01 * 0.01;
    ck_assert_msg(fabs(mean - 0.25) < 5 * sqrt(want / n), "mean %g", mean);
    ck_assert_msg(fabs(var - want) < 5 * want * sqrt(2.0 / n), "var %g", var);
    /* the same generator state gives the same draw */
    double f1, f2;
    gsl_rng_set(r, 99);
    p->eval(p, p->x_opt, 1, &f1, r);
    gsl_rng_set(r, 99);
    p->eval(p, p->x_opt, 1, &f2, r);
    ck_assert_double_eq(f1, f2);
    /* without a generator, a noisy problem returns its noiseless value */
    p->eval(p, p->x_opt, 1, &f1, NULL);
    ck_assert_double_eq(f1, 0.25);
    gsl_rng_free(r);
    prob_free(p);
}
END_TEST

START_TEST(test_registry_names)
{
    const char *bad[] = { "mixed:nope", "mixed:cnn:loud", "mixed:", "mixed",
                          "rastrigin:10", "rastrigin:d", "sphere:dx", "",
                          "bbob:f25:d10:i1", "bbob:f0:d10:i1", "bbob:f1:d1:i1",
                          "bbob:f1:d10:i0", "bbob_f001_i01", "bbob:f1:d10:i1x",
                          "surrogate:", "surrogate:../x", "surrogate:nope",
                          "surrogate:deepttc:loud" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ga_error err;
        ga_error_clear(&err);
        ck_assert_msg(prob_lookup(bad[i], &err) == NULL, "%s accepted", bad[i]);
        ck_assert_int_eq(err.status, GA_EINPUT);
    }
}
END_TEST

START_TEST(test_registry_bbob_names)
{
    ga_error err;
    prob_problem *a = prob_lookup("bbob:f3:d5:i2", &err);
    ck_assert_msg(a != NULL, "%s", err.msg);
    prob_problem *b = prob_lookup("bbob_f003_i02_d05", &err);
    ck_assert_ptr_nonnull(b);
    ck_assert_str_eq(a->name, "bbob_f003_i02_d05");
    ck_assert_str_eq(b->name, a->name);
    ck_assert_uint_eq(a->dim, 5);
    ck_assert_double_eq(a->f_opt, b->f_opt);
    prob_free(a);
    prob_free(b);
}
END_TEST

/* Many threads evaluating the same problem objects at once get what one
 * thread gets (no hidden shared buffers). */
START_TEST(test_thread_safety)
{
    const char *names[] = { "rastrigin:d10", "mixed:transformer", "mixed:ripple",
                            "bbob:f21:d10:i1", "bbob:f16:d10:i2" };
    for (size_t q = 0; q < 5; q++) {
        ga_error err;
        prob_problem *p = prob_lookup(names[q], &err);
        ck_assert_ptr_nonnull(p);
        const int n = 4000;
        double *x = malloc((size_t)n * p->dim * sizeof *x);
        double *serial = malloc((size_t)n * sizeof *serial);
        double *par = malloc((size_t)n * sizeof *par);
        gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
        for (int k = 0; k < n; k++)
            ga_op_init(p->space, r, x + (size_t)k * p->dim);
        for (int k = 0; k < n; k++)
            p->eval(p, x + (size_t)k * p->dim, 1, &serial[k], NULL);
#pragma omp parallel for schedule(dynamic, 7) num_threads(4)
        for (int k = 0; k < n; k++)
            p->eval(p, x + (size_t)k * p->dim, 1, &par[k], NULL);
        ck_assert_int_eq(memcmp(serial, par, (size_t)n * sizeof *par), 0);
        gsl_rng_free(r);
        free(x);
        free(serial);
        free(par);
        prob_free(p);
    }
}
END_TEST

/* prob_eval_batch: a noisy point's value depends on (seed, generation,
 * index) only, not on the batch it came in or its place there; noiseless
 * problems are evaluated as they are. */
START_TEST(test_eval_batch_noise)
{
    ga_error err;
    prob_problem *p = prob_lookup("mixed:cnn:noisy", &err);
    ck_assert_ptr_nonnull(p);
    gsl_rng *pick = gsl_rng_alloc(gsl_rng_mt19937), *rng = gsl_rng_alloc(gsl_rng_mt19937);
    size_t d = p->dim;
    double *g = malloc(6 * d * sizeof *g);
    for (size_t k = 0; k < 6; k++)
        ga_op_init(p->space, pick, g + k * d);
    size_t idx[6] = { 0, 1, 2, 3, 4, 5 }, rev[6] = { 5, 4, 3, 2, 1, 0 };
    double f[6], one, rf[6];
    prob_eval_batch(p, g, 6, f, rng, 11, 3, idx);
    for (size_t k = 0; k < 6; k++) {  /* alone, in any order */
        size_t j = 5 - k;
        prob_eval_batch(p, g + j * d, 1, &one, rng, 11, 3, &idx[j]);
        ck_assert_double_eq(one, f[j]);
    }
    /* reversed points with reversed indexes: the same values */
    double *gr = malloc(6 * d * sizeof *gr);
    for (size_t k = 0; k < 6; k++)
        memcpy(gr + k * d, g + (5 - k) * d, d * sizeof *g);
    prob_eval_batch(p, gr, 6, rf, rng, 11, 3, rev);
    for (size_t k = 0; k < 6; k++)
        ck_assert_double_eq(rf[k], f[5 - k]);
    /* another generation or seed: other noise */
    prob_eval_batch(p, g, 1, &one, rng, 11, 4, idx);
    ck_assert(one != f[0]);
    prob_eval_batch(p, g, 1, &one, rng, 12, 3, idx);
    ck_assert(one != f[0]);
    prob_free(p);
    /* noiseless: the plain values, no generator needed */
    p = prob_lookup("sphere:d3", &err);
    double x[3] = { 1, 2, 3 }, v;
    prob_eval_batch(p, x, 1, &v, NULL, 0, 0, idx);
    ck_assert_double_eq(v, 14);
    prob_free(p);
    free(g);
    free(gr);
    gsl_rng_free(pick);
    gsl_rng_free(rng);
}
END_TEST

Suite *problems_suite(void)
{
    Suite *s = suite_create("problems");
    TCase *tc = tcase_create("classic");
    tcase_add_test(tc, test_classic_optima);
    tcase_add_test(tc, test_classic_reference_values);
    if (!tu_unit_only())  /* against python3-deap, through gahpo */
        tcase_add_loop_test(tc, test_classic_match_deap, 0, 6);
    suite_add_tcase(s, tc);
    TCase *tm = tcase_create("mixed");
    tcase_set_timeout(tm, 60);
    tcase_add_loop_test(tm, test_mixed_optimum, 0, 3);
    tcase_add_test(tm, test_mixed_noise);
    tcase_add_test(tm, test_eval_batch_noise);
    tcase_add_test(tm, test_registry_names);
    tcase_add_test(tm, test_registry_bbob_names);
    tcase_add_test(tm, test_thread_safety);
    suite_add_tcase(s, tm);
    return s;
}
