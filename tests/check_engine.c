/* check_engine.c - the ask/tell engine: evaluation counts as DEAP's
 * algorithms make them, statistics, hall of fame, NaN policies, stopping
 * rules, determinism and exact continuation from a saved state. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../ga/engine.h"
#include "suites.h"
#include "testutil.h"

/* Ask, evaluate with sphere, tell; returns the batch size. */
static size_t step(ga_engine *e)
{
    ga_batch b;
    ga_engine_ask(e, &b);
    double *f = malloc((b.count + 1) * sizeof *f);
    for (size_t k = 0; k < b.count; k++)
        f[k] = tu_sphere(b.genes + k * b.dim, b.dim);
    ga_error err;
    ck_assert_int_eq(ga_engine_tell(e, f, &err), GA_OK);
    free(f);
    return b.count;
}

START_TEST(test_mu_plus_lambda_counts)
{
    ga_space *sp = ga_space_alloc_box(5, -5, 5);
    ga_settings s = tu_small_settings();
    ga_error err;
    ga_engine *e = ga_engine_alloc(sp, &s, &err);
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(step(e), 20);  /* generation 0: everyone */
    while (!ga_engine_done(e))      /* cx + mut = 1: every child is new */
        ck_assert_uint_eq(step(e), 10);
    ck_assert_int_eq(ga_engine_evaluations(e), 20 + 14 * 10);
    size_t n;
    const ga_stats_row *rows = ga_engine_stats(e, &n);
    ck_assert_uint_eq(n, 15);
    ck_assert_int_eq(rows[0].nevals, 20);
    ck_assert_int_eq(rows[14].gen, 14);
    ck_assert_ptr_nonnull(strstr(ga_engine_stop_reason(e), "num_iter"));
    ga_engine_free(e);
    ga_space_free(sp);
}
END_TEST

START_TEST(test_reproduction_costs_nothing)
{
    /* cx 0.1 + mut 0.3: 60% of children are unchanged copies, which keep
     * their fitness; over 200 generations of lambda 10 the mean count per
     * generation is 4 with sd sqrt(10*.4*.6/200) = 0.035 */
    ga_space *sp = ga_space_alloc_box(3, -5, 5);
    ga_settings s = tu_small_settings();
    s.cx_prob = 0.1;
    s.mut_prob = 0.3;
    s.num_iter = 201;
    ga_error err;
    ga_engine *e = ga_engine_alloc(sp, &s, &err);
    step(e);
    long total = 0;
    while (!ga_engine_done(e))
        total += (long)step(e);
    ck_assert_double_eq_tol(total / 200.0, 4.0, 0.2);
    ga_engine_free(e);
    ga_space_free(sp);
}
END_TEST

START_TEST(test_simple_counts)
{
    /* varAnd: an individual is re-evaluated if its pair crossed (0.2) or it
     * mutated (0.8): P = 1 - 0.8*0.2 = 0.84 per individual */
    ga_space *sp = ga_space_alloc_box(3, -5, 5);
    ga_settings s = tu_small_settings();
    s.strategy = GA_SIMPLE;
    s.num_iter = 201;
    ga_error err;
    ga_engine *e = ga_engine_alloc(sp, &s, &err);
    step(e);
    long total = 0;
    while (!ga_engine_done(e)) {
        size_t c = step(e);
        ck_assert_uint_le(c, 20);
        total += (long)c;
    }
    ck_assert_double_eq_tol(total / 200.0 / 20.0, 0.84, 0.01);
    ga_engine_free(e);
    ga_space_free(sp);
}
END_TEST

START_TEST(test_stats_and_hof)
{
    ga_space *sp = ga_space_alloc_box(4, -5, 5);
    ga_settings s = tu_small_settings();
    s.hof_size = 3;
    ga_error err;
    ga_engine *e = ga_engine_alloc(sp, &s, &err);
    double best_seen = INFINITY;
    while (!ga_engine_done(e)) {
        ga_batch b;
        ga_engine_ask(e, &b);
        for (size_t k = 0; k < b.count; k++)
            best_seen = fmin(best_seen, tu_sphere(b.genes + k * 4, 4));
        step(e);
        size_t n, nh;
        const double *pf, *hf;
        const double *pop = ga_engine_population(e, &n, &pf);
        const double *hof = ga_engine_hof(e, &nh, &hf);
        const ga_stats_row *rows = ga_engine_stats(e, &n);
        const ga_stats_row *r = &rows[n - 1];
        double sum = 0, lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < 20; i++) {
            ck_assert_double_eq(pf[i], tu_sphere(pop + i * 4, 4));
            sum += pf[i];
            lo = fmin(lo, pf[i]);
            hi = fmax(hi, pf[i]);
        }
        double mean = sum / 20, ss = 0;
        for (size_t i = 0; i < 20; i++)
            ss += (pf[i] - mean) * (pf[i] - mean);
        ck_assert_double_eq_tol(r->avg, mean, 1e-12 * (1 + fabs(mean)));
        ck_assert_double_eq_tol(r->std, sqrt(ss / 20), 1e-9 * (1 + mean));
        ck_assert_double_eq(r->min, lo);
        ck_assert_double_eq(r->max, hi);
        ck_assert_uint_eq(nh, 3);
        ck_assert_double_eq(hf[0], best_seen);  /* best ever evaluated */
        ck_assert(hf[0] <= hf[1] && hf[1] <= hf[2]);
        ck_assert_double_eq(hf[0], tu_sphere(hof, 4));
        ck_assert(memcmp(hof, hof + 4, 4 * sizeof(double)) != 0);
    }
    ga_engine_free(e);
    ga_space_free(sp);
}
END_TEST

static void run_to_end(ga_engine *e)
{
    while (!ga_engine_done(e))
        step(e);
}

START_TEST(test_same_seed_same_run)
{
    ga_space *sp = ga_space_alloc_box(6, -5, 5);
    ga_settings s = tu_small_settings();
    ga_error err;
    ga_engine *a = ga_engine_alloc(sp, &s, &err);
    ga_engine *b = ga_engine_alloc(sp, &s, &err);
    run_to_end(a);
    run_to_end(b);
    size_t na, nb;
    const ga_stats_row *ra = ga_engine_stats(a, &na), *rb = ga_engine_stats(b, &nb);
    ck_assert_uint_eq(na, nb);
    ck_assert_int_eq(memcmp(ra, rb, na * sizeof *ra), 0);
    s.seed = 43;
    ga_engine *c = ga_engine_alloc(sp, &s, &err);
    run_to_end(c);
    const ga_stats_row *rc = ga_engine_stats(c, &nb);
    ck_assert_int_ne(memcmp(ra, rc, na * sizeof *ra), 0);
    ga_engine_free(a);
    ga_engine_free(b);
    ga_engine_free(c);
    ga_space_free(sp);
}
END_TEST

/* Saving at generation g and restoring gives exactly the uninterrupted run,
 * for both strategies and at every g (including before the first tell). */
START_TEST(test_save_restore_exact)
{
    ga_space *sp = ga_space_alloc_box(5, -5, 5);
    ga_settings s = tu_small_settings();
    s.strategy = _i % 2 ? GA_SIMPLE : GA_MU_PLUS_LAMBDA;
    s.hof_size = 2;
    ga_error err;
    ga_engine *ref = ga_engine_alloc(sp, &s, &err);
    run_to_end(ref);
    for (int g = 0; g < 15; g += 3) {
        ga_engine *e = ga_engine_alloc(sp, &s, &err);
        for (int k = 0; k < g; k++)
            step(e);
        cJSON *state = ga_engine_save(e);
        char *text = cJSON_PrintUnformatted(state);
        cJSON_Delete(state);
        ga_engine_free(e);
        cJSON *parsed = cJSON_Parse(text);
        free(text);
        ga_engine *r = ga_engine_restore(sp, &s, parsed, &err);
        cJSON_Delete(parsed);
        ck_assert_msg(r != NULL, "%s", err.msg);
        run_to_end(r);
        size_t n1, n2;
        const ga_stats_row *a = ga_engine_stats(ref, &n1), *b = ga_engine_stats(r, &n2);
        ck_assert_uint_eq(n1, n2);
        ck_assert_int_eq(memcmp(a, b, n1 * sizeof *a), 0);
        const double *p1, *p2, *f1, *f2;
        p1 = ga_engine_population(ref, &n1, &f1);
        p2 = ga_engine_population(r, &n2, &f2);
        ck_assert_int_eq(memcmp(p1, p2, n1 * 5 * sizeof(double)), 0);
        ck_assert_int_eq(memcmp(f1, f2, n1 * sizeof(double)), 0);
        ga_engine_free(r);
    }
    ga_engine_free(ref);
    ga_space_free(sp);
}
END_TEST

/* DEAP's HallOfFame: a newcomer goes before members of equal fitness. */
START_TEST(test_hof_tie_order)
{
    ga_space *sp = ga_space_alloc_box(2, -5, 5);
    ga_settings s = tu_small_settings();
    s.hof_size = 3;
    ga_error err;
    ga_engine *e = ga_engine_alloc(sp, &s, &err);
    ga_batch b;
    ga_engine_ask(e, &b);
    double first[6];
    memcpy(first, b.genes, sizeof first);  /* individuals 0, 1, 2 */
    double *f = malloc(b.count * sizeof *f);
    for (size_t k = 0; k < b.count; k++)
        f[k] = 1;
    ck_assert_int_eq(ga_engine_tell(e, f, &err), GA_OK);
    size_t nh;
    const double *hof = ga_engine_hof(e, &nh, NULL);
    ck_assert_uint_eq(nh, 3);
    ck_assert_int_eq(memcmp(hof, first + 4, 2 * sizeof(double)), 0);  /* ind 2 */
    ck_assert_int_eq(memcmp(hof + 2, first + 2, 2 * sizeof(double)), 0);
    ck_assert_int_eq(memcmp(hof + 4, first, 2 * sizeof(double)), 0);  /* ind 0 */
    free(f);
    ga_engine_free(e);
    ga_space_free(sp);
}
END_TEST

START_TEST(test_restore_rejects_mismatch)
{
    ga_space *sp = ga_space_alloc_box(5, -5, 5);
    ga_space *other = ga_space_alloc_box(4, -5, 5);
    ga_settings s = tu_small_settings();
    ga_error err;
    ga_engine *e = ga_engine_alloc(sp, &s, &err);
    cJSON *state = ga_engine_save(e);
    ck_assert_ptr_null(ga_engine_restore(other, &s, state, &err));
    ck_assert_int_eq(err.status, GA_EINPUT);
    /* a generation past num_iter (a corrupt or edited checkpoint) */
    cJSON_ReplaceItemInObject(state, "generation", cJSON_CreateNumber(99));
    ck_assert_ptr_null(ga_engine_restore(sp, &s, state, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "generation 99"));
    cJSON_ReplaceItemInObject(state, "generation", cJSON_CreateNumber(-1));
    cJSON_ReplaceItemInObject(state, "rng", cJSON_CreateString("zz"));
    ck_assert_ptr_null(ga_engine_restore(sp, &s, state, &err));
    ck_assert_msg(strstr(err.msg, "rng") != NULL, "%s", err.msg);
    cJSON_Delete(state);
    ga_engine_free(e);
    ga_space_free(sp);
    ga_space_free(other);
}
END_TEST

/* Tell a batch where the first `nfail` values are NaN. */
static int tell_failing(ga_engine *e, size_t nfail, double value, ga_error *err)
{
    ga_batch b;
    ga_engine_ask(e, &b);
    double *f = malloc(b.count * sizeof *f);
    for (size_t k = 0; k < b.count; k++)
        f[k] = k < nfail ? NAN : value + (double)k;
    int rc = ga_engine_tell(e, f, err);
    free(f);
    return rc;
}

START_TEST(test_nan_mean_rule)
{
    ga_space *sp = ga_space_alloc_box(2, -5, 5);
    ga_settings s = tu_small_settings();
    ga_error err;
    ga_engine *e = ga_engine_alloc(sp, &s, &err);
    /* gen 0: 4 fail, 16 valid values 10+4 .. 10+19: mean 21.5 */
    ck_assert_int_eq(tell_failing(e, 4, 10, &err), GA_OK);
    size_t n;
    const double *pf;
    ga_engine_population(e, &n, &pf);
    int filled = 0;
    for (size_t i = 0; i < n; i++)
        filled += pf[i] == 21.5;
    ck_assert_int_eq(filled, 4);
    ck_assert_int_eq(ga_engine_stats(e, &n)[0].nfailed, 4);
    /* gen 1: all fail -> the previous generation's mean, 21.5 */
    ga_batch b;
    ga_engine_ask(e, &b);
    ck_assert_int_eq(tell_failing(e, b.count, 0, &err), GA_OK);
    ck_assert_int_eq(ga_engine_stats(e, &n)[1].nfailed, 10);
    ga_engine_free(e);

    /* everything fails in generation 0: nothing to stand in */
    e = ga_engine_alloc(sp, &s, &err);
    ck_assert_int_eq(tell_failing(e, 20, 0, &err), GA_EFAIL);
    ck_assert_ptr_nonnull(strstr(err.msg, "all 20 evaluations"));
    ck_assert_int_eq(ga_engine_generation(e), -1);  /* unchanged */
    ga_engine_free(e);
    ga_space_free(sp);
}
END_TEST

START_TEST(test_nan_worst_and_fail)
{
    ga_space *sp = ga_space_alloc_box(2, -5, 5);
    ga_settings s = tu_small_settings();
    s.nan_policy = GA_NAN_WORST;
    ga_error err;
    ga_engine *e = ga_engine_alloc(sp, &s, &err);
    ck_assert_int_eq(tell_failing(e, 3, 100, &err), GA_OK);
    size_t n;
    const double *pf;
    ga_engine_population(e, &n, &pf);
    int worst = 0;
    for (size_t i = 0; i < n; i++)
        worst += pf[i] == 119;  /* the largest valid value, 100 + 19 */
    ck_assert_int_eq(worst, 4);  /* 3 filled + the real one */
    ga_engine_free(e);

    s.nan_policy = GA_NAN_FAIL;
    e = ga_engine_alloc(sp, &s, &err);
    ck_assert_int_eq(tell_failing(e, 1, 1, &err), GA_EFAIL);
    ck_assert_ptr_nonnull(strstr(err.msg, "nan_policy is 'fail'"));
    ck_assert_int_eq(tell_failing(e, 0, 1, &err), GA_OK);  /* retry works */
    ga_engine_free(e);
    ga_space_free(sp);
}
END_TEST

START_TEST(test_stop_target_and_stall)
{
    ga_space *sp = ga_space_alloc_box(2, -5, 5);
    ga_settings s = tu_small_settings();
    s.num_iter = 1000;
    s.target = 1e-3;
    ga_error err;
    ga_engine *e = ga_engine_alloc(sp, &s, &err);
    run_to_end(e);
    size_t nh;
    const double *hf;
    ga_engine_hof(e, &nh, &hf);
    ck_assert(hf[0] <= 1e-3);
    ck_assert_ptr_nonnull(strstr(ga_engine_stop_reason(e), "target reached"));
    ck_assert_int_lt(ga_engine_generation(e), 999);
    ga_engine_free(e);

    /* a flat function never improves after generation 0 */
    s.target = NAN;
    s.stall_generations = 4;
    e = ga_engine_alloc(sp, &s, &err);
    while (!ga_engine_done(e))
        ck_assert_int_eq(tell_failing(e, 0, 0, &err), GA_OK);  /* f = k */
    ck_assert_ptr_nonnull(strstr(ga_engine_stop_reason(e), "no improvement for 4"));
    ga_engine_free(e);

    e = ga_engine_alloc(sp, &s, &err);
    step(e);
    ga_engine_stop(e, "wall-clock limit");
    ga_batch b;
    ga_engine_ask(e, &b);
    ck_assert_uint_eq(b.count, 0);
    ck_assert_str_eq(ga_engine_stop_reason(e), "wall-clock limit");
    ga_engine_free(e);
    ga_space_free(sp);
}
END_TEST

START_TEST(test_seed_population)
{
    ga_space *sp = ga_space_alloc_box(2, -5, 5);
    ga_settings s = tu_small_settings();
    ga_error err;
    ga_engine *e = ga_engine_alloc(sp, &s, &err);
    double init[] = { 1, 2, 3, 4 };
    ck_assert_int_eq(ga_engine_seed_population(e, init, 2, &err), GA_OK);
    ga_batch b;
    ga_engine_ask(e, &b);
    ck_assert_int_eq(memcmp(b.genes, init, sizeof init), 0);
    double bad[] = { 1, 7 };  /* 7 is outside [-5, 5] */
    ck_assert_int_eq(ga_engine_seed_population(e, bad, 1, &err), GA_EINPUT);
    ck_assert_int_eq(ga_engine_seed_population(e, init, 21, &err), GA_EINPUT);
    ga_engine_free(e);
    ga_space_free(sp);
}
END_TEST

Suite *engine_suite(void)
{
    Suite *s = suite_create("engine");
    TCase *tc = tcase_create("engine");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_mu_plus_lambda_counts);
    tcase_add_test(tc, test_reproduction_costs_nothing);
    tcase_add_test(tc, test_simple_counts);
    tcase_add_test(tc, test_stats_and_hof);
    tcase_add_test(tc, test_same_seed_same_run);
    tcase_add_loop_test(tc, test_save_restore_exact, 0, 2);
    tcase_add_test(tc, test_restore_rejects_mismatch);
    tcase_add_test(tc, test_hof_tie_order);
    tcase_add_test(tc, test_nan_mean_rule);
    tcase_add_test(tc, test_nan_worst_and_fail);
    tcase_add_test(tc, test_stop_target_and_stall);
    tcase_add_test(tc, test_seed_population);
    suite_add_tcase(s, tc);
    return s;
}
