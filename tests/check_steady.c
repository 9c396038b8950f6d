/* check_steady.c - the asynchronous steady-state GA (ga/steady.h): the GA
 * itself (random until the population is full, replace-worst, failures
 * dropped, determinism) and the run's rules it applies when told
 * (statistics rows, NaN policy, target and stall stops, their checkpoint
 * keys), as check_engine.c tests them for the generational engine. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "../ga/steady.h"
#include "suites.h"
#include "testutil.h"

/* The asynchronous steady-state GA: random until the population is full,
 * then children of it; a told individual replaces the worst only if it is
 * better, so the population's best never gets worse; failures are dropped;
 * the same seed and tell order give the same run. */
START_TEST(test_steady_state)
{
    ga_space *sp = ga_space_alloc_box(4, -5, 5);
    ga_settings s = tu_small_settings();
    s.population_size = 10;
    ga_error err;
    ga_steady *a = ga_steady_alloc(sp, &s, &err);
    ga_steady *b = ga_steady_alloc(sp, &s, &err);
    ck_assert_ptr_nonnull(a);
    double g[4], h[4], prev = INFINITY;
    for (int i = 0; i < 500; i++) {
        ga_steady_ask(a, g);
        ga_steady_ask(b, h);
        ck_assert_int_eq(memcmp(g, h, sizeof g), 0);
        for (int k = 0; k < 4; k++)
            ck_assert(g[k] >= -5 && g[k] <= 5);
        double f = i % 17 == 3 ? NAN : tu_sphere(g, 4);
        ga_steady_tell(a, g, f);
        ga_steady_tell(b, h, f);
        double best = ga_steady_best(a, NULL);
        ck_assert(best <= prev);
        prev = best;
    }
    ck_assert_int_eq(ga_steady_evaluations(a), 500);
    const double *bg;
    double best = ga_steady_best(a, &bg);
    ck_assert_double_eq(best, tu_sphere(bg, 4));
    ck_assert(best < 0.5);  /* it optimises: random search gets ~5 here */
    ga_steady_free(a);
    ga_steady_free(b);
    ga_space_free(sp);
}
END_TEST

/* Rows: the first after population_size evaluations told, then one every
 * lambda; each row's counts and statistics as the population's. */
START_TEST(test_rows)
{
    ga_space *sp = ga_space_alloc_box(3, -5, 5);
    ga_settings s = tu_small_settings();
    s.population_size = 8;
    s.offspring_prop = 0.5;  /* lambda 4 */
    ga_error err;
    ga_steady *st = ga_steady_alloc(sp, &s, &err);
    double g[3];
    int made, rows_made = 0;
    for (int i = 0; i < 20; i++) {
        ga_steady_ask(st, g);
        double f = i == 9 ? NAN : tu_sphere(g, 3);
        ck_assert_int_eq(ga_steady_told(st, g, f, (size_t)i, "boom", &made,
                                        &err), GA_OK);
        rows_made += made;
        /* rows after 8, 12, 16, 20 evaluations */
        ck_assert_int_eq(made, i + 1 == 8 || (i + 1 > 8 && (i + 1 - 8) % 4 == 0));
    }
    size_t n;
    const ga_stats_row *r = ga_steady_stats(st, &n);
    ck_assert_uint_eq(n, 4);
    ck_assert_int_eq(rows_made, 4);
    ck_assert_int_eq(r[0].nevals, 8);
    ck_assert_int_eq(r[1].nevals, 4);
    ck_assert_int_eq(r[1].nfailed, 1);  /* evaluation 9 is in the second row */
    ck_assert_int_eq(r[0].nfailed + r[2].nfailed + r[3].nfailed, 0);
    ck_assert_int_eq(r[3].gen, 3);
    /* the last row is the population's statistics now */
    size_t np;
    const double *fit;
    ga_steady_population(st, &np, &fit);
    double lo = INFINITY, hi = -INFINITY, sum = 0;
    for (size_t i = 0; i < np; i++) {
        lo = fmin(lo, fit[i]);
        hi = fmax(hi, fit[i]);
        sum += fit[i];
    }
    ck_assert_double_eq(r[3].min, lo);
    ck_assert_double_eq(r[3].max, hi);
    ck_assert_double_eq_tol(r[3].avg, sum / (double)np, 1e-12);
    /* a partial row closed at the end, and taken back on extension */
    ga_steady_ask(st, g);
    ck_assert_int_eq(ga_steady_told(st, g, 1.0, 20, NULL, &made, &err), GA_OK);
    ck_assert_int_eq(ga_steady_row_pending(st), 1);
    ck_assert_int_eq(ga_steady_close_row(st, &err), GA_OK);
    ga_steady_stats(st, &n);
    ck_assert_uint_eq(n, 5);
    ck_assert_int_eq(ga_steady_row_pending(st), 0);
    ga_steady_reopen_row(st);
    ga_steady_stats(st, &n);
    ck_assert_uint_eq(n, 4);
    ck_assert_int_eq(ga_steady_row_pending(st), 1);
    ga_steady_free(st);
    ga_space_free(sp);
}
END_TEST

/* nan_policy fail: the first failure stops the run, naming it; under any
 * other policy a population that never fills is an error once
 * population_size evaluations have all failed. */
START_TEST(test_nan_rules)
{
    ga_space *sp = ga_space_alloc_box(2, -1, 1);
    ga_settings s = tu_small_settings();
    s.population_size = 4;
    s.nan_policy = GA_NAN_FAIL;
    ga_error err;
    ga_steady *st = ga_steady_alloc(sp, &s, &err);
    double g[2];
    int made;
    ga_steady_ask(st, g);
    ck_assert_int_eq(ga_steady_told(st, g, 0.5, 0, NULL, &made, &err), GA_OK);
    ga_steady_ask(st, g);
    ck_assert_int_eq(ga_steady_told(st, g, NAN, 1, "exit 3", &made, &err),
                     GA_EFAIL);
    ck_assert_str_eq(err.msg, "evaluation 1 failed (exit 3) and nan_policy "
                     "is fail");
    ga_steady_free(st);
    s.nan_policy = GA_NAN_WORST;
    st = ga_steady_alloc(sp, &s, &err);
    for (int i = 0; i < 3; i++) {
        ga_steady_ask(st, g);
        ck_assert_int_eq(ga_steady_told(st, g, NAN, (size_t)i, NULL, &made,
                                        &err), GA_OK);
    }
    ga_steady_ask(st, g);
    ck_assert_int_eq(ga_steady_told(st, g, NAN, 3, NULL, &made, &err),
                     GA_EFAIL);
    ck_assert_msg(strstr(err.msg, "all 4 evaluations so far failed (the last: "
                         "no fitness)"), "%s", err.msg);
    ga_steady_free(st);
    ga_space_free(sp);
}
END_TEST

/* Target and stall (stall_generations x lambda evaluations) stop asking,
 * with the reason; the first reason stays, a stop the run decides replaces
 * it, and an extension forgets it. */
START_TEST(test_stops)
{
    ga_space *sp = ga_space_alloc_box(2, -1, 1);
    ga_settings s = tu_small_settings();
    s.population_size = 4;
    s.target = 10;  /* any sphere value in the box reaches it */
    ga_error err;
    ga_steady *st = ga_steady_alloc(sp, &s, &err);
    double g[2];
    int made;
    const char *why;
    ga_steady_ask(st, g);
    ck_assert_int_eq(ga_steady_stopping(st, &why), 0);
    ck_assert_str_eq(why, "");
    ck_assert_int_eq(ga_steady_told(st, g, tu_sphere(g, 2), 0, NULL, &made, &err),
                     GA_OK);
    ck_assert_int_eq(ga_steady_stopping(st, &why), 1);
    ck_assert_msg(!strncmp(why, "target reached (best ", 21), "%s", why);
    ga_steady_ask(st, g);
    ck_assert_int_eq(ga_steady_told(st, g, 100, 1, NULL, &made, &err), GA_OK);
    ga_steady_stopping(st, &why);
    ck_assert_msg(!strncmp(why, "target reached", 14), "%s", why);
    ga_steady_stop(st, "wall-clock limit reached");
    ga_steady_stopping(st, &why);
    ck_assert_str_eq(why, "wall-clock limit reached");
    ga_steady_resume_asking(st);
    ck_assert_int_eq(ga_steady_stopping(st, &why), 0);
    ck_assert_str_eq(why, "");
    /* the budget used up: the reason, without stopping the GA */
    ga_steady_ended(st, "num_iter reached");
    ck_assert_int_eq(ga_steady_stopping(st, &why), 0);
    ck_assert_str_eq(why, "num_iter reached");
    ga_steady_free(st);
    /* stall: 2 generations x lambda 2 = 4 evaluations without improvement */
    s.target = NAN;
    s.stall_generations = 2;
    s.offspring_prop = 0.5;
    st = ga_steady_alloc(sp, &s, &err);
    ga_steady_ask(st, g);
    ga_steady_told(st, g, 0.0, 0, NULL, &made, &err);  /* the best, never beaten */
    for (int i = 1; i <= 4; i++) {
        ck_assert_int_eq(ga_steady_stopping(st, NULL), 0);
        ga_steady_ask(st, g);
        ck_assert_int_eq(ga_steady_told(st, g, 1.0 + i, (size_t)i, NULL, &made,
                                        &err), GA_OK);
    }
    ck_assert_int_eq(ga_steady_stopping(st, &why), 1);
    ck_assert_str_eq(why, "no improvement for 4 evaluations "
                     "(stall_generations 2 x lambda 2)");
    ga_steady_free(st);
    ga_space_free(sp);
}
END_TEST

/* The rules' state through a checkpoint: the same rows, counts and stop;
 * counts that do not add up with the evaluations told are refused. */
START_TEST(test_rules_checkpoint)
{
    ga_space *sp = ga_space_alloc_box(3, -5, 5);
    ga_settings s = tu_small_settings();
    s.population_size = 6;
    ga_error err;
    ga_steady *st = ga_steady_alloc(sp, &s, &err);
    double g[3];
    int made;
    for (int i = 0; i < 17; i++) {
        ga_steady_ask(st, g);
        ga_steady_told(st, g, i == 4 ? NAN : tu_sphere(g, 3), (size_t)i, NULL,
                       &made, &err);
    }
    ga_steady_stop(st, "why not");
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "steady", ga_steady_save(st));
    ck_assert_int_eq(ga_steady_save_rules(st, o, &err), GA_OK);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    o = cJSON_Parse(text);
    free(text);
    ga_steady *back = ga_steady_restore(sp, &s, cJSON_GetObjectItem(o, "steady"),
                                        &err);
    ck_assert_ptr_nonnull(back);
    ck_assert_int_eq(ga_steady_restore_rules(back, o, &err), GA_OK);
    size_t n1, n2;
    const ga_stats_row *r1 = ga_steady_stats(st, &n1), *r2 = ga_steady_stats(back, &n2);
    ck_assert_uint_eq(n1, n2);
    ck_assert_uint_ge(n1, 2);
    ck_assert_int_eq(memcmp(r1, r2, n1 * sizeof *r1), 0);
    ck_assert_int_eq(ga_steady_row_pending(back), ga_steady_row_pending(st));
    const char *why;
    ck_assert_int_eq(ga_steady_stopping(back, &why), 1);
    ck_assert_str_eq(why, "why not");
    /* and on: both ask and tell the same from here */
    double h[3];
    ga_steady_ask(st, g);
    ga_steady_ask(back, h);
    ck_assert_int_eq(memcmp(g, h, sizeof g), 0);
    ga_steady_free(back);
    /* a block count that does not add up */
    cJSON_ReplaceItemInObject(o, "block_told", cJSON_CreateNumber(99));
    back = ga_steady_restore(sp, &s, cJSON_GetObjectItem(o, "steady"), &err);
    ck_assert_int_eq(ga_steady_restore_rules(back, o, &err), GA_EINPUT);
    ck_assert_msg(strstr(err.msg, "do not agree"), "%s", err.msg);
    ga_steady_free(back);
    cJSON_Delete(o);
    ga_steady_free(st);
    ga_space_free(sp);
}
END_TEST

Suite *steady_suite(void)
{
    Suite *s = suite_create("steady");
    TCase *tc = tcase_create("steady");
    tcase_add_test(tc, test_steady_state);
    tcase_add_test(tc, test_rows);
    tcase_add_test(tc, test_nan_rules);
    tcase_add_test(tc, test_stops);
    tcase_add_test(tc, test_rules_checkpoint);
    suite_add_tcase(s, tc);
    return s;
}
