/* check_configure.c - the configurator (sweeps/configure.h): iterated
 * racing gives the same files for any thread count, keeps its tuning
 * budget, samples inside the ranges, and refuses a bad spec or a used
 * directory. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "../sweeps/configure.h"
#include "../sweeps/evaluate.h"
#include "../sweeps/runs_row.h"
#include "suites.h"
#include "testutil.h"

#define G (char *)tu_gahpo()

/* Three races of 8 candidates on three problems x 3 replicates. */
static const char *smoke_spec =
    "{\"name\": \"configure-smoke\", \"seed\": 11,"
    " \"problems\": [\"sphere:d5\", \"rastrigin:d5\", \"bbob:f8:d5:i1\"],"
    " \"budget\": 100, \"replicates\": 3, \"workers\": 1,"
    " \"design\": \"race\","
    " \"race\": {\"first_test\": 3, \"alpha\": 0.1, \"objective\": \"anytime\"},"
    " \"configure\": {\"iterations\": 3, \"candidates\": 8, \"elites\": 2%s},"
    " \"parameters\": {"
    "  \"population_size\": {\"min\": 4, \"max\": 64, \"log\": true},"
    "  \"strategy\": [\"simple\", \"mu_plus_lambda\"],"
    "  \"offspring_prop\": {\"min\": 0.25, \"max\": 2},"
    "  \"cx_prob\": {\"min\": 0, \"max\": 1},"
    "  \"mut_prob\": {\"min\": 0, \"max\": 1},"
    "  \"cx_indpb\": {\"min\": 0.05, \"max\": 1},"
    "  \"mut_indpb\": {\"min\": 0.05, \"max\": 1},"
    "  \"tournsize\": {\"min\": 1, \"max\": 10}}}";

static void write_spec(const char *path, const char *extra)
{
    char text[4096];
    snprintf(text, sizeof text, smoke_spec, extra);
    tu_write(path, text);
}

static int configure(const char *spec, const char *out, const char *threads,
                     char **err)
{
    char *argv[] = { G, "configure", (char *)spec, "--out", (char *)out,
                     "--threads", (char *)threads, "--quiet", NULL };
    char *o;
    int rc = tu_run(argv, NULL, NULL, &o, err);
    free(o);
    return rc;
}

/* 1 and 2 threads: configure.csv, configure.json and every race's
 * runs.csv and race.csv byte for byte. */
START_TEST(test_configure_thread_count_identical)
{
    char *dir = tu_tmpdir("configure");
    char spec[4200], a[4200], b[4200];
    snprintf(spec, sizeof spec, "%s/spec.json", dir);
    snprintf(a, sizeof a, "%s/a", dir);
    snprintf(b, sizeof b, "%s/b", dir);
    write_spec(spec, "");
    char *err;
    ck_assert_msg(configure(spec, a, "1", &err) == 0, "%s", err);
    free(err);
    ck_assert_msg(configure(spec, b, "2", &err) == 0, "%s", err);
    free(err);
    tu_assert_same_file(a, b, "configure.csv");
    tu_assert_same_file(a, b, "configure.json");
    const char *races[] = { "race-01/runs.csv", "race-02/runs.csv",
                            "race-03/runs.csv", "race-03/race.csv" };
    for (int i = 0; i < 4; i++)
        tu_assert_same_file(a, b, races[i]);
    /* the runs it reports are the rows of its races */
    char path[4300];
    snprintf(path, sizeof path, "%s/configure.json", a);
    char *text = tu_read(path);
    cJSON *o = cJSON_Parse(text);
    free(text);
    int rows = 0;
    for (int r = 1; r <= 3; r++) {
        snprintf(path, sizeof path, "%s/race-%02d/runs.csv", a, r);
        rows += tu_count_lines(path) - 1;
    }
    ck_assert_int_eq(cJSON_GetObjectItem(o, "runs")->valueint, rows);
    ck_assert_int_eq(cJSON_GetObjectItem(o, "races")->valueint, 3);
    cJSON_Delete(o);
    /* a directory that holds a configuration is not overwritten */
    ck_assert_int_eq(configure(spec, a, "1", &err), 2);
    ck_assert_msg(strstr(err, "already holds a configuration"), "%s", err);
    free(err);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* budget_runs stops the races once that many GA runs are made. */
START_TEST(test_configure_budget)
{
    char *dir = tu_tmpdir("configure-budget");
    char spec[4200], out[4200], path[4300];
    snprintf(spec, sizeof spec, "%s/spec.json", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    write_spec(spec, ", \"budget_runs\": 40");
    char *err;
    ck_assert_msg(configure(spec, out, "2", &err) == 0, "%s", err);
    free(err);
    snprintf(path, sizeof path, "%s/configure.json", out);
    char *text = tu_read(path);
    cJSON *o = cJSON_Parse(text);
    free(text);
    /* one race of 9 settings x 9 instances at most: 40 is passed after
     * the first, so exactly one race */
    ck_assert_int_eq(cJSON_GetObjectItem(o, "races")->valueint, 1);
    ck_assert_int_ge(cJSON_GetObjectItem(o, "runs")->valueint, 40);
    cJSON_Delete(o);
    snprintf(path, sizeof path, "%s/race-02", out);
    ck_assert_ptr_null(tu_read(path));
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* A value's position and back: inside the range, integers whole, log
 * ranges by their logarithm, levels by index. */
START_TEST(test_factor_positions)
{
    sweep_factor pop = { "population_size", 0, NULL, 4, 64, 1, 1 };
    sweep_factor cx = { "cx_prob", 0, NULL, 0, 1, 0, 0 };
    char *lv[] = { "simple", "mu_plus_lambda" };
    sweep_factor st = { "strategy", 2, lv, 0, 0, 0, 0 };
    for (int i = 0; i <= 100; i++) {
        double q = i / 100.0;
        char *v = sweep_factor_value(&pop, q);
        double x = atof(v);
        ck_assert(x >= 4 && x <= 64 && x == floor(x));
        free(v);
        v = sweep_factor_value(&cx, q);
        ck_assert_double_eq_tol(atof(v), q, 1e-15);
        ck_assert_double_eq_tol(sweep_factor_position(&cx, v), q, 1e-15);
        free(v);
        v = sweep_factor_value(&st, q);
        ck_assert_str_eq(v, q < 0.5 ? "simple" : "mu_plus_lambda");
        free(v);
    }
    /* log scale: 16 sits at the middle of [4, 64] */
    ck_assert_double_eq_tol(sweep_factor_position(&pop, "16"), 0.5, 1e-12);
    char *v = sweep_factor_value(&pop, -3);
    ck_assert_str_eq(v, "4");
    free(v);
    v = sweep_factor_value(&pop, 7);
    ck_assert_str_eq(v, "64");
    free(v);
}
END_TEST

/* Bad configure keys are refused before anything runs. */
START_TEST(test_configure_bad_spec)
{
    char *dir = tu_tmpdir("configure-bad");
    char spec[4200], out[4200];
    snprintf(spec, sizeof spec, "%s/spec.json", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    const char *bad[][2] = {
        { ", \"elites\": 9", "must be fewer than configure.candidates" },
        { ", \"rounds\": 3", "configure: unknown key 'rounds'" },
    };
    for (int i = 0; i < 2; i++) {
        char text[4096], extra[256];
        /* replace the elites given in the template */
        snprintf(extra, sizeof extra, "%s", bad[i][0]);
        snprintf(text, sizeof text, smoke_spec, extra);
        char *e = strstr(text, "\"elites\": 2, \"elites\": 9");
        if (e)
            memcpy(e, "             ", 13);
        tu_write(spec, text);
        char *err;
        ck_assert_int_eq(configure(spec, out, "1", &err), 2);
        ck_assert_msg(strstr(err, bad[i][1]), "%s", err);
        free(err);
    }
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* A12 by hand: x = {1, 2} against y = {2, 3}: 1 < 2, 1 < 3, 2 = 2, 2 < 3:
 * 3.5 of 4. */
START_TEST(test_a12)
{
    const double x[] = { 1, 2 }, y[] = { 2, 3 };
    ck_assert_double_eq_tol(sweep_a12(x, 2, y, 2), 0.875, 1e-15);
    ck_assert_double_eq_tol(sweep_a12(y, 2, x, 2), 0.125, 1e-15);
    ck_assert_double_eq_tol(sweep_a12(x, 2, x, 2), 0.5, 1e-15);
}
END_TEST

/* With test problems, the choice and the --compare settings run against
 * CANDLE's defaults there: evaluation.csv holds a row per setting and
 * checkpoint, configure.json the evidence; random search at the full
 * budget is worse than CANDLE's GA on every one of these classic
 * functions (ratio < 1: the direction of the ratio is right). */
START_TEST(test_configure_test_set)
{
    char *dir = tu_tmpdir("configure-test");
    char spec[4200], out[4200], rnd[4200], arg[4300], path[4300];
    snprintf(spec, sizeof spec, "%s/spec.json", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(rnd, sizeof rnd, "%s/random.json", dir);
    snprintf(arg, sizeof arg, "random=%s", rnd);
    tu_write(rnd, "{\"strategy\": \"random\"}");
    write_spec(spec, "}, \"test\": [\"ackley:d5\", \"rosenbrock:d5\", "
                     "\"griewank:d5\", \"levy:d5\", \"bbob:f10:d5:i2\"], "
                     "\"test_replicates\": 7, \"comment\": {\"x\": 1");
    char *argv[] = { G, "configure", spec, "--out", out, "--compare", arg,
                     NULL };
    char *o, *err;
    int rc = tu_run(argv, NULL, NULL, &o, &err);
    ck_assert_msg(rc == 0, "%s", err);
    ck_assert_msg(strstr(o, "test: random   at   100 evaluations"), "%s", o);
    free(o);
    free(err);
    snprintf(path, sizeof path, "%s/test/evaluation.csv", out);
    ck_assert_int_eq(tu_count_lines(path), 1 + 2 * 4);
    snprintf(path, sizeof path, "%s/configure.json", out);
    char *text = tu_read(path);
    cJSON *c = cJSON_Parse(text);
    free(text);
    const cJSON *t = cJSON_GetObjectItem(c, "test");
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(t, "problems")), 5);
    const cJSON *cells = cJSON_GetObjectItem(t, "cells");
    ck_assert_int_eq(cJSON_GetArraySize(cells), 8);
    const cJSON *last = cJSON_GetArrayItem(cells, 7);
    ck_assert_str_eq(cJSON_GetObjectItem(last, "setting")->valuestring,
                     "random");
    ck_assert_int_eq(cJSON_GetObjectItem(last, "evaluations")->valueint, 100);
    ck_assert_msg(cJSON_GetObjectItem(last, "ratio")->valuedouble < 1,
                  "random search at 100 evaluations: ratio %g",
                  cJSON_GetObjectItem(last, "ratio")->valuedouble);
    ck_assert(cJSON_GetObjectItem(last, "a12")->valuedouble < 0.5);
    cJSON_Delete(c);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* gahpo evaluate: the same evaluation without tuning; problems.csv has a
 * row per setting, checkpoint and problem; usage errors exit 2. */
START_TEST(test_evaluate_command)
{
    char *dir = tu_tmpdir("evaluate");
    char spec[4200], out[4200], rnd[4200], arg[4300], path[4300];
    snprintf(spec, sizeof spec, "%s/spec.json", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(rnd, sizeof rnd, "%s/random.json", dir);
    snprintf(arg, sizeof arg, "random=%s", rnd);
    tu_write(rnd, "{\"strategy\": \"random\"}");
    write_spec(spec, "}, \"test\": [\"ackley:d5\", \"levy:d5\"], "
                     "\"test_replicates\": 3, \"comment\": {\"x\": 1");
    char *argv[] = { G, "evaluate", spec, "--out", out, arg, "--quiet", NULL };
    char *o, *err;
    ck_assert_msg(tu_run(argv, NULL, NULL, &o, &err) == 0, "%s", err);
    free(o);
    free(err);
    snprintf(path, sizeof path, "%s/problems.csv", out);
    ck_assert_int_eq(tu_count_lines(path), 1 + 4 * 2);
    char *bad[] = { G, "evaluate", spec, "--out", out, NULL };
    ck_assert_int_eq(tu_run(bad, NULL, NULL, &o, &err), 2);
    free(o);
    free(err);
    tu_write(rnd, "{\"strategy\": \"sideways\"}");
    ck_assert_int_eq(tu_run(argv, NULL, NULL, &o, &err), 2);
    ck_assert_msg(strstr(err, "random.json"), "%s", err);
    free(o);
    free(err);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* Simulated wall clock: with sigma 0 and median 1 every job takes 1, so
 * a run's simulated time is its rounds (each batch ceil(k / workers)),
 * and by the time checkpoint c / workers at most c evaluations have
 * finished: the best then is no better than the best after c. */
START_TEST(test_wallclock_columns)
{
    char *dir = tu_tmpdir("wallclock");
    char spec[4200], out[4200], path[4300];
    snprintf(spec, sizeof spec, "%s/spec.json", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    tu_write(spec, "{\"name\": \"wc\", \"seed\": 3, \"problems\": "
                   "[\"sphere:d5\", \"rastrigin:d5\"], \"budget\": 150, "
                   "\"replicates\": 3, \"workers\": 8, \"durations\": "
                   "{\"median\": 1, \"sigma\": 0}, \"design\": "
                   "\"full_factorial\", \"parameters\": "
                   "{\"population_size\": [6, 16, 40]}}");
    char *argv[] = { G, "sweep", spec, "--out", out, "--quiet", NULL };
    char *o, *err;
    ck_assert_msg(tu_run(argv, NULL, NULL, &o, &err) == 0, "%s", err);
    free(o);
    free(err);
    snprintf(path, sizeof path, "%s/runs.csv", out);
    char *text = tu_read(path);
    ck_assert_ptr_nonnull(text);
    ck_assert_ptr_nonnull(strstr(text, ",sim_time,best_time_16,"));
    long c_rounds = sweep_column(text, "rounds");
    long c_sim = sweep_column(text, "sim_time");
    long c_at = sweep_column(text, "best_at_128");
    long c_t = sweep_column(text, "best_time_128");
    ck_assert(c_rounds >= 0 && c_sim >= 0 && c_at >= 0 && c_t >= 0);
    int rows = 0;
    for (const char *line = strchr(text, '\n'); line && line[1];
         line = strchr(line + 1, '\n'), rows++) {
        const char *row = line + 1;
        ck_assert_double_eq(strtod(sweep_field(row, c_rounds), NULL),
                            strtod(sweep_field(row, c_sim), NULL));
        ck_assert(strtod(sweep_field(row, c_t), NULL) >=
                  strtod(sweep_field(row, c_at), NULL));
    }
    /* the reference and 6 and 40 (16 is the reference's population) */
    ck_assert_int_eq(rows, 3 * 2 * 3);
    free(text);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* Failed jobs (durations "fail"): with every job failing the first batch
 * has no fitness to stand in for it and each run stops there, error inf,
 * as gahpo run would stop; at a chance of one half the runs reach their
 * budget and differ from the runs without failures; a chance of 1 is
 * refused. */
static char *fail_sweep(const char *dir, const char *name, const char *fail,
                        int want)
{
    char spec[4200], out[4200], path[4300], body[1024];
    snprintf(spec, sizeof spec, "%s/%s.json", dir, name);
    snprintf(out, sizeof out, "%s/%s", dir, name);
    snprintf(body, sizeof body,
             "{\"name\": \"%s\", \"seed\": 5, \"problems\": [\"sphere:d5\"], "
             "\"budget\": 60, \"replicates\": 4, \"workers\": 4, "
             "\"durations\": {\"median\": 1, \"sigma\": 0.5, \"fail\": %s}, "
             "\"design\": \"full_factorial\", \"parameters\": "
             "{\"population_size\": [16]}}", name, fail);
    tu_write(spec, body);
    char *argv[] = { G, "sweep", spec, "--out", out, "--quiet", NULL };
    char *o, *err;
    int rc = tu_run(argv, NULL, NULL, &o, &err);
    ck_assert_msg(rc == want, "fail %s: exit %d: %s", fail, rc, err);
    if (want == 2)
        ck_assert_msg(strstr(err, "fail") && strstr(err, "[0, 1)"), "%s", err);
    free(o);
    free(err);
    snprintf(path, sizeof path, "%s/runs.csv", out);
    return want ? NULL : tu_read(path);
}

START_TEST(test_failed_jobs)
{
    char *dir = tu_tmpdir("failjobs");
    char *none = fail_sweep(dir, "none", "0", 0);
    char *half = fail_sweep(dir, "half", "0.5", 0);
    char *all = fail_sweep(dir, "all", "0.9999", 0);
    fail_sweep(dir, "bad", "1", 2);
    ck_assert(none && half && all);
    long ce = sweep_column(all, "evals"), cr = sweep_column(all, "error");
    long cb = sweep_column(none, "best_at_32");
    int rows = 0, differ = 0;
    for (const char *l = strchr(all, '\n'); l && l[1]; l = strchr(l + 1, '\n')) {
        ck_assert_int_eq(strtol(sweep_field(l + 1, ce), NULL, 10), 16);
        ck_assert(isinf(strtod(sweep_field(l + 1, cr), NULL)));
        rows++;
    }
    ck_assert_int_eq(rows, 4);
    const char *a = strchr(none, '\n'), *b = strchr(half, '\n');
    for (; a && a[1] && b && b[1]; a = strchr(a + 1, '\n'), b = strchr(b + 1, '\n')) {
        ck_assert_int_eq(strtol(sweep_field(b + 1, ce), NULL, 10), 60);
        differ += strtod(sweep_field(a + 1, cb), NULL) !=
                  strtod(sweep_field(b + 1, cb), NULL);
    }
    ck_assert_int_ge(differ, 3);
    free(none);
    free(half);
    free(all);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* configure.initial: the first race starts from these settings (its
 * points 1, 2, ... after the reference), later races do not; a setting
 * that is not one is refused with its place named. */
START_TEST(test_configure_initial)
{
    char *dir = tu_tmpdir("initial");
    char spec[4200], out[4200], path[4300];
    snprintf(spec, sizeof spec, "%s/spec.json", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    write_spec(spec, ", \"initial\": [{\"population_size\": 9, \"strategy\": "
                     "\"mu_plus_lambda\", \"cx_prob\": 0.02, \"mut_prob\": "
                     "0.17, \"tournsize\": 8}, {\"population_size\": 40}]");
    char *err;
    ck_assert_msg(configure(spec, out, "2", &err) == 0, "%s", err);
    free(err);
    snprintf(path, sizeof path, "%s/configure.csv", out);
    char *csv = tu_read(path);
    ck_assert_ptr_nonnull(csv);
    ck_assert_msg(strstr(csv, "\n1,1,9,mu_plus_lambda,0.5,0.02,0.17,0.5,0.5,8,"),
                  "%s", csv);
    ck_assert_msg(strstr(csv, "\n1,2,40,mu_plus_lambda,0.5,0.2,0.8,0.5,0.5,4,"),
                  "%s", csv);
    free(csv);
    write_spec(spec, ", \"initial\": [{\"population_size\": 9}, "
                     "{\"tournsize\": \"eight\"}]");
    snprintf(out, sizeof out, "%s/out2", dir);
    ck_assert_int_eq(configure(spec, out, "1", &err), 2);
    ck_assert_msg(strstr(err, "spec.json: configure.initial[1]") &&
                  strstr(err, "tournsize"), "%s", err);
    free(err);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* race.rounds_cap: on 8 workers, settings whose runs need more rounds
 * than the cap score worst; the first race has such candidates, and the
 * choice's runs in the last race keep within it (median). */
START_TEST(test_configure_rounds_cap)
{
    char *dir = tu_tmpdir("roundscap");
    char spec[4200], out[4200], path[4300];
    snprintf(spec, sizeof spec, "%s/spec.json", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    char *text = NULL;
    write_spec(spec, "");
    text = tu_read(spec);
    ck_assert_ptr_nonnull(text);
    const char *from = "\"workers\": 1,", *to = "\"workers\": 8,";
    const char *from2 = "\"objective\": \"anytime\"}";
    const char *to2 = "\"objective\": \"anytime\", \"rounds_cap\": 14}";
    char edited[8192], *at = strstr(text, from);
    ck_assert_ptr_nonnull(at);
    snprintf(edited, sizeof edited, "%.*s%s%s", (int)(at - text), text, to,
             at + strlen(from));
    free(text);
    at = strstr(edited, from2);
    ck_assert_ptr_nonnull(at);
    char final[8192];
    snprintf(final, sizeof final, "%.*s%s%s", (int)(at - edited), edited, to2,
             at + strlen(from2));
    tu_write(spec, final);
    char *err;
    ck_assert_msg(configure(spec, out, "2", &err) == 0, "%s", err);
    free(err);
    /* race 1: some run needed more than 14 rounds */
    snprintf(path, sizeof path, "%s/race-01/runs.csv", out);
    char *runs = tu_read(path);
    long c_rounds = sweep_column(runs, "rounds"), over = 0;
    for (const char *l = strchr(runs, '\n'); l && l[1]; l = strchr(l + 1, '\n'))
        over += strtol(sweep_field(l + 1, c_rounds), NULL, 10) > 14;
    ck_assert_int_gt(over, 0);
    free(runs);
    /* the choice: its population and strategy, then its runs' rounds in
     * the last race */
    snprintf(path, sizeof path, "%s/configure.json", out);
    char *cj = tu_read(path);
    cJSON *o = cJSON_Parse(cj);
    free(cj);
    const cJSON *vals = cJSON_GetObjectItem(o, "values");
    char key[256];
    snprintf(key, sizeof key, ",%s,%s,%s,",
             cJSON_GetObjectItem(vals, "population_size")->valuestring,
             cJSON_GetObjectItem(vals, "strategy")->valuestring,
             cJSON_GetObjectItem(vals, "offspring_prop")->valuestring);
    cJSON_Delete(o);
    snprintf(path, sizeof path, "%s/race-03/runs.csv", out);
    runs = tu_read(path);
    long rounds[512], n = 0;
    for (const char *l = strchr(runs, '\n'); l && l[1] && n < 512;
         l = strchr(l + 1, '\n')) {
        const char *end = strchr(l + 1, '\n');
        char row[4096];
        snprintf(row, sizeof row, "%.*s", (int)(end ? end - l - 1 : 4000), l + 1);
        if (strstr(row, key))
            rounds[n++] = strtol(sweep_field(row, c_rounds), NULL, 10);
    }
    ck_assert_int_gt(n, 0);
    long le = 0;
    for (long i = 0; i < n; i++)
        le += rounds[i] <= 14;
    ck_assert_msg(2 * le >= n, "%ld of %ld runs within the cap", le, n);
    free(runs);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

Suite *configure_suite(void)
{
    Suite *s = suite_create("configure");
    TCase *tc = tcase_create("configure");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_factor_positions);
    tcase_add_test(tc, test_configure_thread_count_identical);
    tcase_add_test(tc, test_configure_budget);
    tcase_add_test(tc, test_configure_bad_spec);
    tcase_add_test(tc, test_a12);
    tcase_add_test(tc, test_configure_test_set);
    tcase_add_test(tc, test_evaluate_command);
    tcase_add_test(tc, test_wallclock_columns);
    tcase_add_test(tc, test_failed_jobs);
    tcase_add_test(tc, test_configure_initial);
    tcase_add_test(tc, test_configure_rounds_cap);
    suite_add_tcase(s, tc);
    return s;
}
