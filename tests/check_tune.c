/* check_tune.c - gahpo tune: the configurator over a grid of budgets and
 * worker counts (sweeps/tune.h), on sweeps/tune_smoke.json. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "suites.h"
#include "testutil.h"

#define G (char *)tu_gahpo()

static int tune(const char *spec, const char *out, const char *threads,
                char **out_text, char **err)
{
    char *argv[] = { G, "tune", (char *)spec, "--out", (char *)out,
                     "--threads", (char *)threads, NULL };
    return tu_run(argv, NULL, NULL, out_text, err);
}

/* tuned_defaults.json without its date. */
static char *undated(const char *dir)
{
    char path[4300];
    snprintf(path, sizeof path, "%s/tuned_defaults.json", dir);
    char *text = tu_read(path);
    ck_assert_ptr_nonnull(text);
    cJSON *o = cJSON_Parse(text);
    free(text);
    ck_assert_ptr_nonnull(o);
    cJSON *pv = cJSON_GetObjectItem(o, "provenance");
    ck_assert_ptr_nonnull(cJSON_GetObjectItem(pv, "date"));
    cJSON_DeleteItemFromObject(pv, "date");
    char *t = cJSON_Print(o);
    cJSON_Delete(o);
    return t;
}

/* Each entry: a cell of the grid, the settings of every tuned factor, the
 * test-set evidence (ratio inside its interval, Holm p >= raw p), the
 * reference measured beside it; W > 1 judged at equal wall-clock. */
static void check_entries(const char *text)
{
    cJSON *o = cJSON_Parse(text);
    const cJSON *e;
    long want[][2] = { { 32, 1 }, { 64, 1 }, { 32, 8 }, { 64, 8 } };
    int i = 0;
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(o, "entries")) {
        ck_assert_int_lt(i, 4);
        ck_assert_int_eq(cJSON_GetObjectItem(e, "budget")->valueint, want[i][0]);
        ck_assert_int_eq(cJSON_GetObjectItem(e, "workers")->valueint, want[i][1]);
        ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(e, "settings")), 8);
        const cJSON *t = cJSON_GetObjectItem(cJSON_GetObjectItem(e, "evidence"),
                                             "test");
        double r = cJSON_GetObjectItem(t, "ratio")->valuedouble;
        const cJSON *ci = cJSON_GetObjectItem(t, "ratio_ci95");
        ck_assert(cJSON_GetArrayItem(ci, 0)->valuedouble <= r &&
                  r <= cJSON_GetArrayItem(ci, 1)->valuedouble);
        ck_assert(cJSON_GetObjectItem(t, "p_holm")->valuedouble >=
                  cJSON_GetObjectItem(t, "p_claim")->valuedouble);
        ck_assert_int_eq(cJSON_GetObjectItem(t, "problems")->valueint, 4);
        /* the test set's surrogate alone: its ratio and A12 */
        const cJSON *sur = cJSON_GetArrayItem(cJSON_GetObjectItem(t, "surrogates"),
                                              0);
        ck_assert_str_eq(cJSON_GetObjectItem(sur, "problem")->valuestring,
                         "surrogate:svm_wine:noisy");
        double sa = cJSON_GetObjectItem(sur, "a12")->valuedouble;
        ck_assert(sa >= 0 && sa <= 1 &&
                  cJSON_GetObjectItem(sur, "ratio")->valuedouble > 0);
        ck_assert_str_eq(cJSON_GetObjectItem(t, "measure")->valuestring,
                         "equal evaluations");
        const cJSON *wc = cJSON_GetObjectItem(t, "at_equal_wallclock");
        ck_assert((want[i][1] > 1) == (wc != NULL));
        ck_assert(cJSON_GetObjectItem(t, "p_claim")->valuedouble ==
                  cJSON_GetObjectItem(t, "p")->valuedouble);
        ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(cJSON_GetObjectItem(
            cJSON_GetObjectItem(t, "references"), "irace48"), "ratio")));
        /* CANDLE's defaults as the choice: their own settings, ratio 1 */
        const cJSON *cf = cJSON_GetObjectItem(cJSON_GetObjectItem(e, "evidence"),
                                              "configure");
        if (cJSON_IsTrue(cJSON_GetObjectItem(cf, "candle_defaults_chosen"))) {
            const cJSON *st = cJSON_GetObjectItem(e, "settings");
            ck_assert_int_eq(cJSON_GetObjectItem(st, "population_size")->valueint,
                             16);
            ck_assert_int_eq(cJSON_GetObjectItem(st, "tournsize")->valueint, 4);
            ck_assert(r == 1);
        }
        i++;
    }
    ck_assert_int_eq(i, 4);
    cJSON_Delete(o);
}

/* The smoke tune twice, on 1 and on 2 threads: the same defaults byte for
 * byte except their date, the same report and test runs; gahpo run
 * --budget then takes its entry and prints its evidence. */
START_TEST(test_tune_smoke_identical)
{
    char *dir = tu_tmpdir("tune");
    char spec[4200], a[4200], b[4200], run[4200];
    snprintf(spec, sizeof spec, "%s/sweeps/tune_smoke.json", tu_root());
    snprintf(a, sizeof a, "%s/a", dir);
    snprintf(b, sizeof b, "%s/b", dir);
    char *o, *err;
    ck_assert_msg(tune(spec, a, "1", &o, &err) == 0, "%s", err);
    ck_assert_msg(strstr(o, "budget    32  workers   8  CANDLE/tuned error "
                         "ratio"), "%s", o);
    free(o);
    free(err);
    ck_assert_msg(tune(spec, b, "2", &o, &err) == 0, "%s", err);
    free(o);
    free(err);
    char *ta = undated(a), *tb = undated(b);
    ck_assert_str_eq(ta, tb);
    check_entries(ta);
    free(ta);
    free(tb);
    tu_assert_same_file(a, b, "report.md");
    tu_assert_same_file(a, b, "w8/test/runs.csv");
    tu_assert_same_file(a, b, "w1/b64/configure.csv");
    /* a second tune into a finished one is refused, nothing changed */
    ck_assert_int_ne(tune(spec, a, "2", &o, &err), 0);
    free(o);
    free(err);
    ta = undated(a);
    tb = undated(b);
    ck_assert_str_eq(ta, tb);
    free(ta);
    free(tb);
    char tuned[4300];
    snprintf(tuned, sizeof tuned, "%s/tuned_defaults.json", a);
    snprintf(run, sizeof run, "%s/run", dir);
    char *argv[] = { G, "run", "--no-env", "--problem", "sphere:d4", "--out",
                     run, "--budget", "30", "--jobs", "9", "--tuned-defaults",
                     tuned, NULL };
    ck_assert_msg(tu_run(argv, NULL, NULL, &o, &err) == 0, "%s", err);
    ck_assert_msg(strstr(err, "(budget 32, workers 8)") &&
                  strstr(err, "on 4 test problems never tuned on") &&
                  strstr(err, "at equal evaluations, p (Holm) ") &&
                  strstr(err, "; at equal simulated wall-clock ") &&
                  strstr(err, "; on the held-out surrogate:svm_wine:noisy "
                              "alone "), "%s", err);
    free(o);
    free(err);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* A bad tune spec is refused before anything runs: exit 2, the file and
 * what was expected named, no cell directory made. */
START_TEST(test_tune_bad_spec)
{
    char *dir = tu_tmpdir("tunebad");
    char base[4200], spec[4200], out[4200];
    snprintf(base, sizeof base, "%s/sweeps/tune_smoke.json", tu_root());
    snprintf(spec, sizeof spec, "%s/bad.json", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    char *text = tu_read(base);
    ck_assert_ptr_nonnull(text);
    struct { const char *from, *to, *says; } bad[] = {
        { "\"budgets\": [32, 64]", "\"budgets\": [64, 32]", "increasing" },
        { "\"budgets\": [32, 64]", "\"budget\": 64", "\"budgets\"" },
        { "\"workers\": [1, 8]", "\"workers\": [1, 0]", "\"workers\"" },
        { "\"tournsize\": 8}", "\"tournsize\": \"eight\"}", "irace48" },
        { "\"test\": [\"bbob:f2:d5:i3\", \"ackley:d5\", \"griewank:d5\", "
          "\"surrogate:svm_wine:noisy\"],",
          "", "test" },
        { "\"durations\": {\"median\": 1, \"sigma\": 1, \"fail\": 0.05},", "",
          "durations" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const char *at = strstr(text, bad[i].from);
        ck_assert_msg(at, "%s", bad[i].from);
        char edited[8192];
        snprintf(edited, sizeof edited, "%.*s%s%s", (int)(at - text), text,
                 bad[i].to, at + strlen(bad[i].from));
        tu_write(spec, edited);
        char *o, *err;
        ck_assert_int_eq(tune(spec, out, "1", &o, &err), 2);
        ck_assert_msg(strstr(err, "bad.json") && strstr(err, bad[i].says),
                      "case %zu: %s", i, err);
        free(o);
        free(err);
        char cmd[4400];
        snprintf(cmd, sizeof cmd, "ls -A '%s'", out);
        char *listing = tu_sh(cmd);
        ck_assert_msg(!strstr(listing, "w1") && !strstr(listing, "w8"),
                      "case %zu wrote %s", i, listing);
        free(listing);
    }
    free(text);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

Suite *tune_suite(void)
{
    Suite *s = suite_create("tune");
    TCase *tc = tcase_create("tune");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_tune_smoke_identical);
    tcase_add_test(tc, test_tune_bad_spec);
    suite_add_tcase(s, tc);
    return s;
}
