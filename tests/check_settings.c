/* check_settings.c - CANDLE defaults, names, environment, precedence and
 * validation of the GA settings. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ga/settings.h"
#include "suites.h"
#include "testutil.h"

/* A fake environment: NULL-terminated "NAME=value" list. */
static const char *fake_env(void *ctx, const char *name)
{
    const char *const *env = ctx;
    size_t n = strlen(name);
    for (; *env; env++)
        if (strncmp(*env, name, n) == 0 && (*env)[n] == '=')
            return *env + n + 1;
    return NULL;
}

START_TEST(test_candle_defaults)
{
    ga_settings s;
    ga_settings_defaults(&s);
    ck_assert_int_eq(s.population_size, 16);
    ck_assert_int_eq(s.num_iter, 5);
    ck_assert_int_eq(s.strategy, GA_MU_PLUS_LAMBDA);
    ck_assert_double_eq(s.offspring_prop, 0.5);
    ck_assert_double_eq(s.mut_prob, 0.8);
    ck_assert_double_eq(s.cx_prob, 0.2);
    ck_assert_double_eq(s.mut_indpb, 0.5);
    ck_assert_double_eq(s.cx_indpb, 0.5);
    ck_assert_int_eq(s.tournsize, 4);
    ck_assert_int_eq(ga_settings_lambda(&s), 8);
    ga_error err;
    ck_assert_int_eq(ga_settings_validate(&s, &err), GA_OK);
}
END_TEST

START_TEST(test_lambda_rounds_half_even)
{
    ga_settings s;
    ga_settings_defaults(&s);
    s.population_size = 5;   /* 2.5 -> 2, as Python's round */
    ck_assert_int_eq(ga_settings_lambda(&s), 2);
    s.population_size = 7;   /* 3.5 -> 4 */
    ck_assert_int_eq(ga_settings_lambda(&s), 4);
    s.population_size = 9;   /* 4.5 -> 4 */
    ck_assert_int_eq(ga_settings_lambda(&s), 4);
    s.offspring_prop = 0.3;
    s.population_size = 10;  /* 3.0000000000000004 -> 3 */
    ck_assert_int_eq(ga_settings_lambda(&s), 3);
}
END_TEST

START_TEST(test_env_candle_names)
{
    const char *env[] = { "NUM_ITERATIONS=7", "POPULATION_SIZE=30",
                          "STRATEGY=simple", "OFF_PROP=0.25",
                          "MUTATION_PROBABILITY=0.3", "CX_PROB=0.6",
                          "GENE_MUTATION_PROBABILITY=0.1", "CX_INDPB=0.4",
                          "TOURNAMENT_SIZE=3", "SEED=99", NULL };
    ga_settings s;
    ga_settings_defaults(&s);
    ga_error err;
    ck_assert_int_eq(ga_settings_apply_env(&s, fake_env, (void *)env, &err), 0);
    ck_assert_int_eq(s.num_iter, 7);
    ck_assert_int_eq(s.population_size, 30);
    ck_assert_int_eq(s.strategy, GA_SIMPLE);
    ck_assert_double_eq(s.offspring_prop, 0.25);
    ck_assert_double_eq(s.mut_prob, 0.3);
    ck_assert_double_eq(s.cx_prob, 0.6);
    ck_assert_double_eq(s.mut_indpb, 0.1);
    ck_assert_double_eq(s.cx_indpb, 0.4);
    ck_assert_int_eq(s.tournsize, 3);
    ck_assert_uint_eq(s.seed, 99);
}
END_TEST

START_TEST(test_env_short_name_wins)
{
    /* cfg-prm-1.sh sets MUT_PROB=${MUTATION_PROBABILITY:-0.8}: the exported
     * short name is what the workflow uses */
    const char *env[] = { "MUT_PROB=0.4", "MUTATION_PROBABILITY=0.7",
                          "GA_STRATEGY=mu_plus_lambda", "STRATEGY=simple",
                          "IGNORE_ERRORS=0", NULL };
    ga_settings s;
    ga_settings_defaults(&s);
    ga_error err;
    ck_assert_int_eq(ga_settings_apply_env(&s, fake_env, (void *)env, &err), 0);
    ck_assert_double_eq(s.mut_prob, 0.4);
    ck_assert_int_eq(s.strategy, GA_MU_PLUS_LAMBDA);
    ck_assert_int_eq(s.nan_policy, GA_NAN_FAIL);
}
END_TEST

START_TEST(test_env_bad_value)
{
    const char *env[] = { "POPULATION_SIZE=lots", NULL };
    ga_settings s;
    ga_settings_defaults(&s);
    ga_error err;
    ck_assert_int_eq(ga_settings_apply_env(&s, fake_env, (void *)env, &err),
                     GA_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "POPULATION_SIZE"));
    ck_assert_ptr_nonnull(strstr(err.msg, "integer"));
}
END_TEST

START_TEST(test_json_settings)
{
    cJSON *o = cJSON_Parse("{\"settings\": {\"population_size\": 50,"
                           " \"strategy\": \"simple\", \"target\": 0.01},"
                           " \"provenance\": {\"sweep\": \"x\"}}");
    ga_settings s;
    ga_settings_defaults(&s);
    ga_error err;
    ck_assert_int_eq(ga_settings_apply_json(&s, o, "tuned.json", &err), 0);
    ck_assert_int_eq(s.population_size, 50);
    ck_assert_int_eq(s.strategy, GA_SIMPLE);
    ck_assert_double_eq(s.target, 0.01);
    cJSON_Delete(o);
    o = cJSON_Parse("{\"populaton_size\": 50}");
    ck_assert_int_eq(ga_settings_apply_json(&s, o, "s.json", &err), GA_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "unknown setting 'populaton_size'"));
    ck_assert_ptr_nonnull(strstr(err.msg, "s.json"));
    cJSON_Delete(o);
    o = cJSON_Parse("{\"population_size\": 16.5}");
    ck_assert_int_eq(ga_settings_apply_json(&s, o, "s.json", &err), GA_EINPUT);
    cJSON_Delete(o);
}
END_TEST

START_TEST(test_tuned_entries)
{
    cJSON *o = cJSON_Parse(
        "{\"entries\": ["
        " {\"budget\": 50, \"workers\": 1, \"settings\": {\"population_size\": 4}},"
        " {\"budget\": 50, \"workers\": 16, \"settings\": {\"population_size\": 16}},"
        " {\"budget\": 500, \"workers\": 1, \"settings\": {\"population_size\": 8}},"
        " {\"budget\": 500, \"workers\": 16, \"settings\": {\"population_size\": 32,"
        "  \"strategy\": \"simple\"}}], \"provenance\": {}}");
    ga_settings s;
    ga_error err;
    char chosen[256];
    const struct { long budget, workers, pop; } cases[] = {
        { 499, 1, 8 },     /* nearest in log scale: 500 */
        { 158, 1, 4 },     /* sqrt(50 x 500) = 158.1: 50 is nearer */
        { 159, 1, 8 },
        { 500, 1, 8 },
        { 500, 15, 8 },    /* the largest worker count <= 15: 1 */
        { 10000, 20, 32 }, /* above every class: the largest, 16 workers */
        { 10, 8, 4 },      /* below every class: the smallest, 1 worker */
        { 60, 64, 16 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ga_settings_defaults(&s);
        ck_assert_int_eq(ga_settings_apply_tuned(&s, o, "t.json", cases[i].budget,
                                                 cases[i].workers, chosen,
                                                 sizeof chosen, &err), GA_OK);
        ck_assert_msg(s.population_size == cases[i].pop, "case %zu: %ld", i,
                      s.population_size);
        ck_assert_ptr_nonnull(strstr(chosen, "t.json (budget"));
    }
    /* without a budget, entries say nothing */
    ga_settings_defaults(&s);
    ck_assert_int_eq(ga_settings_apply_tuned(&s, o, "t.json", 0, 1, chosen,
                                             sizeof chosen, &err), GA_OK);
    ck_assert_int_eq(s.population_size, 16);
    ck_assert_str_eq(chosen, "");
    cJSON_Delete(o);
}
END_TEST

typedef struct bad_setting {
    const char *key, *value, *expect;
} bad_setting;

static const bad_setting bad_settings[] = {
    { "mut_prob", "1.5", "probability in [0, 1]" },
    { "cx_indpb", "-0.1", "probability in [0, 1]" },
    { "strategy", "eaSimple", "simple, mu_plus_lambda, async or random" },
    { "max_evaluations", "-1", "max_evaluations must be >= 0" },
    { "max_evaluations", "2e12", "at most 1000000000000" },
    { "nan_policy", "ignore", "mean, worst or fail" },
    { "seed", "-1", "[0, 4294967295]" },
    { "seed", "4294967296", "[0, 4294967295]" },
    { "tournsize", "x", "integer" },
    { "tournsize", "2.5", "integer" },
    /* every setting bounded, the limit named */
    { "tournsize", "1e12", "cli: tournsize must be >= 1 and at most 1000, "
      "got \"1e12\"" },
    { "tournsize", "0", "tournsize must be >= 1" },
    { "hof_size", "1e12", "hof_size must be >= 1 and at most 100000" },
    { "population_size", "1e300", "population_size must be >= 2 and at most "
      "1000000" },
    { "population_size", "-3", "population_size must be >= 2" },
    { "num_iter", "0", "num_iter must be >= 1" },
    { "num_iter", "99999999999999999999", "num_iter must be >= 1 and at most "
      "10000000" },
    { "stall_generations", "-1", "stall_generations must be >= 0" },
    { "offspring_prop", "1e300", "offspring_prop must be >= 0 and at most 1000" },
    { "offspring_prop", "-0.5", "offspring_prop must be >= 0" },
    { "max_seconds", "-1", "max_seconds must be >= 0" },
    { "max_seconds", "1e300", "max_seconds must be >= 0 and at most 1000000000" },
    { "target", "inf", "target must be a number" },
    { "target", "nan", "target must be a number" },
};

START_TEST(test_bad_values)
{
    ga_settings s;
    ga_settings_defaults(&s);
    ga_error err;
    const bad_setting *b = &bad_settings[_i];
    ck_assert_int_eq(ga_settings_set(&s, b->key, b->value, "cli", &err),
                     GA_EINPUT);
    ck_assert_msg(strstr(err.msg, b->expect) != NULL, "%s", err.msg);
}
END_TEST

START_TEST(test_validation)
{
    ga_settings s;
    ga_error err;
    ga_settings_defaults(&s);
    s.mut_prob = 0.9;  /* 0.2 + 0.9 > 1 */
    ck_assert_int_eq(ga_settings_validate(&s, &err), GA_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "cx_prob + mut_prob <= 1"));
    s.strategy = GA_SIMPLE;  /* fine for varAnd */
    ck_assert_int_eq(ga_settings_validate(&s, &err), GA_OK);
    ga_settings_defaults(&s);
    s.population_size = 1;
    ck_assert_int_eq(ga_settings_validate(&s, &err), GA_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "population_size must be >= 2"));
    ga_settings_defaults(&s);
    s.tournsize = 0;
    ck_assert_int_eq(ga_settings_validate(&s, &err), GA_EINPUT);
    ga_settings_defaults(&s);
    s.num_iter = 0;
    ck_assert_int_eq(ga_settings_validate(&s, &err), GA_EINPUT);
    ga_settings_defaults(&s);
    s.offspring_prop = 0.01;  /* rounds to 0 children */
    ck_assert_int_eq(ga_settings_validate(&s, &err), GA_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "need at least 1"));
}
END_TEST

/* A settings file whose string holds \u0000 ("simple\u0000x" would read
 * as "simple") is refused with the place. */
START_TEST(test_settings_file_nul)
{
    char *dir = tu_tmpdir("setnul");
    char path[4200];
    snprintf(path, sizeof path, "%s/s.json", dir);
    tu_write(path, "{\"population_size\": 8,\n \"strategy\": \"simple\\u0000x\"}");
    ga_settings s;
    ga_settings_defaults(&s);
    ga_error err;
    ck_assert_int_eq(ga_settings_load(&s, path, &err), GA_EINPUT);
    ck_assert_msg(strstr(err.msg, "s.json:2:") && strstr(err.msg, "\\u0000"),
                  "%s", err.msg);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* Values set in the struct directly (by a caller, not through
 * ga_settings_set) are bounded by ga_settings_validate, the setting named,
 * with no double cast to long out of range on the way (UBSan). */
typedef struct bad_struct {
    const char *field;
    double value;
    const char *expect, *unwanted;
} bad_struct;

static const bad_struct bad_structs[] = {
    { "offspring_prop", 1e300, "offspring_prop", "-9223372036854775808" },
    { "offspring_prop", NAN, "offspring_prop", NULL },
    { "offspring_prop", 600, "offspring_prop 600 x population_size 1000000 "
      "gives 600000000 offspring; at most 1000000", NULL },
    { "tournsize", 1e12, "tournsize must be >= 1 and at most 1000, got "
      "1000000000000", NULL },
    { "hof_size", 1e12, "hof_size must be >= 1 and at most 100000", NULL },
    { "population_size", 1e12, "population_size must be >= 2 and at most "
      "1000000", NULL },
    { "num_iter", 9e18, "num_iter must be >= 1 and at most 10000000", NULL },
    { "mut_prob", NAN, "mut_prob must be", NULL },
    { "cx_indpb", 1.5, "cx_indpb must be", NULL },
    { "target", INFINITY, "target must be a finite number", NULL },
    { "max_seconds", NAN, "max_seconds must be", NULL },
    { "seed", 1099511627776.0, "seed must be", NULL },
};

static void set_field(ga_settings *s, const char *field, double v)
{
    if (!strcmp(field, "offspring_prop"))
        s->offspring_prop = v;
    else if (!strcmp(field, "tournsize"))
        s->tournsize = (long)v;
    else if (!strcmp(field, "hof_size"))
        s->hof_size = (long)v;
    else if (!strcmp(field, "population_size"))
        s->population_size = (long)v;
    else if (!strcmp(field, "num_iter"))
        s->num_iter = (long)v;
    else if (!strcmp(field, "mut_prob"))
        s->mut_prob = v;
    else if (!strcmp(field, "cx_indpb"))
        s->cx_indpb = v;
    else if (!strcmp(field, "target"))
        s->target = v;
    else if (!strcmp(field, "max_seconds"))
        s->max_seconds = v;
    else if (!strcmp(field, "seed"))
        s->seed = (unsigned long)v;
    else
        ck_abort_msg("no field %s", field);
}

START_TEST(test_validate_bounds)
{
    const bad_struct *b = &bad_structs[_i];
    ga_settings s;
    ga_settings_defaults(&s);
    if (!strcmp(b->field, "offspring_prop") && b->value == 600)
        s.population_size = 1000000;
    set_field(&s, b->field, b->value);
    ga_error err;
    ck_assert_int_eq(ga_settings_validate(&s, &err), GA_EINPUT);
    ck_assert_msg(strstr(err.msg, b->expect) != NULL, "case %d: expected '%s' "
                  "in: %s", _i, b->expect, err.msg);
    if (b->unwanted)
        ck_assert_msg(strstr(err.msg, b->unwanted) == NULL, "case %d: %s", _i,
                      err.msg);
    /* simple ignores offspring_prop's size, but not a value that is no
     * number at all */
    s.strategy = GA_SIMPLE;
    if (!strcmp(b->field, "offspring_prop") && b->value == 600)
        ck_assert_int_eq(ga_settings_validate(&s, &err), GA_OK);
}
END_TEST

/* lambda of settings that fail validation is still defined: -1. */
START_TEST(test_lambda_out_of_range)
{
    ga_settings s;
    ga_settings_defaults(&s);
    s.offspring_prop = 1e300;
    ck_assert_int_eq(ga_settings_lambda(&s), -1);
    s.offspring_prop = NAN;
    ck_assert_int_eq(ga_settings_lambda(&s), -1);
    s.offspring_prop = -1;
    ck_assert_int_eq(ga_settings_lambda(&s), -1);
    s.offspring_prop = 0.5;
    ck_assert_int_eq(ga_settings_lambda(&s), 8);
}
END_TEST

/* The command line: exit 2 and a message naming the setting, before any
 * evaluation (num_iter 1, so that the unfixed tournsize 1e12 cannot hang
 * the test: it would exit 0). */
typedef struct bad_cli {
    const char *option, *value, *expect, *unwanted;
} bad_cli;

static const bad_cli bad_clis[] = {
    { "--tournsize", "1e12", "command line --tournsize: tournsize must be >= 1 "
      "and at most 1000", NULL },
    { "--hof-size", "1e12", "command line --hof-size: hof_size must be >= 1 "
      "and at most 100000", "out of memory" },
    { "--offspring-prop", "1e300", "offspring_prop must be >= 0 and at most "
      "1000", "-9223372036854775808" },
    { "--population-size", "1e300", "population_size must be >= 2 and at "
      "most 1000000", NULL },
};

START_TEST(test_cli_bounds)
{
    const bad_cli *b = &bad_clis[_i];
    char *dir = tu_tmpdir("setbounds");
    char out_dir[4200];
    snprintf(out_dir, sizeof out_dir, "%s/run", dir);
    char *argv[] = { (char *)tu_gahpo(), "run", "--no-env", "--problem",
                     "sphere:d2", "--out", out_dir, "--num-iter", "1",
                     (char *)b->option, (char *)b->value, "--quiet", NULL };
    char *out, *err;
    int rc = tu_run(argv, NULL, NULL, &out, &err);
    ck_assert_msg(rc == 2, "case %d: exit %d, stderr: %s", _i, rc, err);
    ck_assert_msg(strstr(err, b->expect) != NULL, "case %d: expected '%s' in: "
                  "%s", _i, b->expect, err);
    if (b->unwanted)
        ck_assert_msg(strstr(err, b->unwanted) == NULL, "case %d: %s", _i, err);
    free(out);
    free(err);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

Suite *settings_suite(void)
{
    Suite *s = suite_create("settings");
    TCase *tc = tcase_create("settings");
    tcase_add_test(tc, test_candle_defaults);
    tcase_add_test(tc, test_lambda_rounds_half_even);
    tcase_add_test(tc, test_env_candle_names);
    tcase_add_test(tc, test_env_short_name_wins);
    tcase_add_test(tc, test_env_bad_value);
    tcase_add_test(tc, test_json_settings);
    tcase_add_test(tc, test_tuned_entries);
    tcase_add_loop_test(tc, test_bad_values, 0,
                        (int)(sizeof bad_settings / sizeof bad_settings[0]));
    tcase_add_test(tc, test_validation);
    tcase_add_loop_test(tc, test_validate_bounds, 0,
                        (int)(sizeof bad_structs / sizeof bad_structs[0]));
    tcase_add_test(tc, test_lambda_out_of_range);
    tcase_add_test(tc, test_settings_file_nul);
    if (!tu_unit_only())  /* the command's own checks: runs gahpo */
        tcase_add_loop_test(tc, test_cli_bounds, 0,
                            (int)(sizeof bad_clis / sizeof bad_clis[0]));
    suite_add_tcase(s, tc);
    return s;
}
