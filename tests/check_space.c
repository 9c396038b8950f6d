/* check_space.c - loading CANDLE spaces: the real files, and every kind of
 * bad file with the message it must give. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ga/space.h"
#include "suites.h"
#include "testutil.h"

START_TEST(test_real_candle_spaces_load)
{
    const char *dir = tu_testdata("candle-spaces");
    if (!dir) {
        fprintf(stderr, "SKIPPED: ../shared/testdata/candle-spaces not found\n");
        return;
    }
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    int loaded = 0;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 5, ".json") != 0)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        ga_error err;
        ga_space *s = ga_space_load(path, &err);
        ck_assert_msg(s != NULL, "%s: %s", e->d_name, err.msg);
        ck_assert_uint_gt(s->n, 0);
        for (size_t i = 0; i < s->n; i++)
            ck_assert_ptr_nonnull(s->params[i].name);
        ga_space_free(s);
        loaded++;
    }
    closedir(d);
    ck_assert_int_ge(loaded, 6);
}
END_TEST

START_TEST(test_tc1_quirks)
{
    const char *dir = tu_testdata("candle-spaces");
    if (!dir) {
        fprintf(stderr, "SKIPPED: ../shared/testdata/candle-spaces not found\n");
        return;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/tc1_param_space_ga.json", dir);
    ga_error err;
    ga_space *s = ga_space_load(path, &err);
    ck_assert_ptr_nonnull(s);
    /* the string sigma "0.000495" is read as a number, with a warning */
    long lr = ga_space_find(s, "lr");
    ck_assert_int_ge(lr, 0);
    ck_assert_double_eq(s->params[lr].sigma, 0.000495);
    int comment = 0, string_sigma = 0;
    for (size_t i = 0; i < s->nwarnings; i++) {
        comment += strstr(s->warnings[i], "'comment'") != NULL;
        string_sigma += strstr(s->warnings[i], "given as a string") != NULL;
    }
    ck_assert_int_eq(comment, 2);
    ck_assert_int_eq(string_sigma, 1);
    long conv = ga_space_find(s, "conv");
    ck_assert_int_eq(s->params[conv].type, GA_CONSTANT);
    char buf[64];
    ck_assert_int_eq(ga_param_gene_format(&s->params[conv], 0, buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "0 0 0");
    ga_space_free(s);
}
END_TEST

START_TEST(test_all_types_and_defaults)
{
    const char *text =
        "[{\"name\":\"lr\",\"type\":\"float\",\"lower\":1e-5,\"upper\":0.1,"
        "\"log_scale\":true},"
        " {\"name\":\"epochs\",\"type\":\"int\",\"lower\":1,\"upper\":21},"
        " {\"name\":\"act\",\"type\":\"categorical\",\"element_type\":\"string\","
        "\"values\":[\"relu\",\"tanh\"]},"
        " {\"name\":\"bs\",\"type\":\"ordered\",\"element_type\":\"int\","
        "\"values\":[16,32,64,128,256,512,1024,2048,4096,8192]},"
        " {\"name\":\"res\",\"type\":\"logical\"},"
        " {\"name\":\"path\",\"type\":\"constant\",\"value\":\"/a b\"}]";
    ga_error err;
    ga_space *s = ga_space_parse(text, "t.json", &err);
    ck_assert_msg(s != NULL, "%s", err.msg);
    ck_assert_uint_eq(s->n, 6);
    ck_assert(s->params[0].log_scale);
    ck_assert_double_eq_tol(s->params[0].sigma, 0.4, 1e-12);  /* 4 decades/10 */
    ck_assert_double_eq(s->params[1].sigma, 2.0);              /* 20/10 */
    ck_assert_double_eq(s->params[3].sigma, 1.0);              /* len/10 */
    ck_assert_int_eq(s->params[2].type, GA_CATEGORICAL);
    ck_assert_int_eq(s->params[4].type, GA_LOGICAL);
    char buf[64];
    ga_param_gene_format(&s->params[3], 2, buf, sizeof buf);
    ck_assert_str_eq(buf, "64");
    ga_param_gene_format(&s->params[4], 1, buf, sizeof buf);
    ck_assert_str_eq(buf, "True");
    ga_param_gene_format(&s->params[0], 0.001, buf, sizeof buf);
    ck_assert_str_eq(buf, "0.001");
    double g;
    ck_assert_int_eq(ga_param_gene_parse(&s->params[3], "128", &g, &err), 0);
    ck_assert_double_eq(g, 3);
    ck_assert_int_eq(ga_param_gene_parse(&s->params[2], "tanh", &g, &err), 0);
    ck_assert_double_eq(g, 1);
    ck_assert_int_eq(ga_param_gene_parse(&s->params[2], "gelu", &g, &err), GA_EINPUT);
    ck_assert_int_eq(ga_param_gene_parse(&s->params[1], "22", &g, &err), GA_EINPUT);
    ck_assert_int_eq(ga_param_gene_parse(&s->params[1], "2.5", &g, &err), GA_EINPUT);
    ga_space_free(s);
}
END_TEST

/* Each bad file: the status, and words the message must contain (or,
 * after a '!', must not). */
typedef struct bad_case {
    const char *text;
    const char *expect[3];
} bad_case;

static const bad_case bad_cases[] = {
    { "[{\"name\": \"a\", \"type\": \"int\",\n \"lower\": 1 \"upper\": 2}]",
      { "bad.json:2:", "invalid JSON", NULL } },
    { "{\"name\": \"a\"}", { "top level must be a JSON list", NULL, NULL } },
    { "[{\"type\": \"int\", \"lower\": 1, \"upper\": 2}]",
      { "parameter #0", "'name' is missing", NULL } },
    { "[{\"name\": \"lr\", \"lower\": 1, \"upper\": 2}]",
      { "'lr' (#0)", "'type' is missing", NULL } },
    { "[{\"name\": \"x\", \"type\": \"logical\"},"
      " {\"name\": \"lr\", \"type\": \"double\"}]",
      { "'lr' (#1)", "unknown type 'double'", "categorical" } },
    { "[{\"name\": \"x\", \"type\": \"logical\"}, {\"name\": \"x\", \"type\": "
      "\"logical\"}]", { "'x' (#1)", "duplicate name", NULL } },
    { "[{\"name\": \"lr\", \"type\": \"float\", \"lower\": 2, \"upper\": 2}]",
      { "'lr' (#0)", "must be less than 'upper'", NULL } },
    { "[{\"name\": \"lr\", \"type\": \"float\", \"lower\": 3, \"upper\": 2}]",
      { "'lr' (#0)", "must be less than 'upper'", NULL } },
    { "[{\"name\": \"lr\", \"type\": \"float\", \"lower\": \"low\", \"upper\": 2}]",
      { "'lr' (#0)", "'lower' must be a number", NULL } },
    { "[{\"name\": \"lr\", \"type\": \"float\", \"lower\": [1], \"upper\": 2}]",
      { "'lr' (#0)", "'lower' must be a number", NULL } },
    { "[{\"name\": \"n\", \"type\": \"int\", \"lower\": 1}]",
      { "'n' (#0)", "'upper' is missing", NULL } },
    { "[{\"name\": \"lr\", \"type\": \"float\", \"lower\": 0, \"upper\": 1,"
      " \"log_scale\": true}]", { "'lr' (#0)", "log_scale needs 'lower' > 0", NULL } },
    { "[{\"name\": \"a\", \"type\": \"categorical\", \"element_type\": "
      "\"string\", \"values\": []}]", { "'a' (#0)", "'values' is empty", NULL } },
    { "[{\"name\": \"a\", \"type\": \"ordered\", \"element_type\": \"int\"}]",
      { "'a' (#0)", "needs 'values'", NULL } },
    { "[{\"name\": \"bs\", \"type\": \"ordered\", \"element_type\": \"int\","
      " \"values\": [16, 32.5]}]", { "'bs' (#0)", "value #1", "element_type 'int'" } },
    { "[{\"name\": \"act\", \"type\": \"categorical\", \"element_type\": "
      "\"string\", \"values\": [\"relu\", 3]}]",
      { "'act' (#0)", "value #1 is a number", NULL } },
    { "[{\"name\": \"lr\", \"type\": \"float\", \"lower\": 0, \"upper\": 1,"
      " \"sigma\": -0.1}]", { "'lr' (#0)", "'sigma' must be >= 0", NULL } },
    { "[{\"name\": \"bs\", \"type\": \"ordered\", \"element_type\": \"int\","
      " \"values\": [1, 2], \"sigma\": -1}]", { "'bs' (#0)", "'sigma' must be >= 0", NULL } },
    { "[{\"name\": \"c\", \"type\": \"constant\"}]",
      { "'c' (#0)", "a constant needs 'value'", NULL } },
    { "[{\"name\": \"n\", \"type\": \"int\", \"lower\": 0.5, \"upper\": 3}]",
      { "'n' (#0)", "int bounds must be integers", NULL } },
    { "[{\"name\": \"a\", \"type\": \"categorical\", \"element_type\": "
      "\"complex\", \"values\": [1]}]", { "'a' (#0)", "unknown element_type", NULL } },
    { "[]", { "empty list", NULL, NULL } },
    { "[{\"name\": \"a\", \"type\": \"categorical\", \"element_type\": "
      "\"string\", \"values\": [\"x\", \"x\"]}]", { "'a' (#0)", "repeats", NULL } },
    /* numbers in messages as the user wrote them */
    { "[{\"name\": \"lr\", \"type\": \"float\", \"lower\": 0, \"upper\": 1,"
      " \"sigma\": -0.1}]", { "'lr' (#0)", "got -0.1",
                             "!0.10000000000000001" } },
    { "[{\"name\": \"lr\", \"type\": \"float\", \"lower\": 0.3, \"upper\": 0.1}]",
      { "'lower' (0.3) must be less than 'upper' (0.1)", "!0.2999", NULL } },
    /* a range that overflows: the model would get --x inf */
    { "[{\"name\": \"x\", \"type\": \"float\", \"lower\": -1e308, "
      "\"upper\": 1e308}]", { "'x' (#0)", "upper - lower", "finite" } },
    { "[{\"name\": \"x\", \"type\": \"float\", \"lower\": -1.7e308, "
      "\"upper\": 1.7e308, \"sigma\": 1}]", { "'x' (#0)", "upper - lower", NULL } },
    /* \u0000 would silently cut a name or a value short */
    { "[{\"name\": \"ok\\u0000; rm -rf /\", \"type\": \"logical\"}]",
      { "#0", "\\u0000", "bad.json:1:" } },
    { "[{\"name\": \"x\", \"type\": \"logical\"},\n {\"name\": \"cmd\", "
      "\"type\": \"categorical\", \"values\": [\"ok\\u0000; rm -rf /\", \"b\"]}]",
      { "'cmd' (#1)", "\\u0000", "bad.json:2:" } },
    { "[{\"name\": \"c\", \"type\": \"constant\", \"value\": {\"k\": "
      "\"a\\u0000b\"}}]", { "'c' (#0)", "\\u0000", NULL } },
    { "[{\"name\": \"c\", \"type\": \"constant\", \"value\": 1, "
      "\"na\\u0000me\": \"x\"}]", { "'c' (#0)", "\\u0000", NULL } },
    /* bytes that are not UTF-8 would break the model's json.load */
    { "[{\"name\": \"opt\", \"type\": \"categorical\", \"values\": "
      "[\"adam\", \"caf\xe9\"]}]", { "'opt' (#0)", "not valid UTF-8", NULL } },
    { "[{\"name\": \"caf\xe9\", \"type\": \"logical\"}]",
      { "parameter 'caf\\xe9' (#0)", "not valid UTF-8", NULL } },
    { "[{\"name\": \"s\", \"type\": \"constant\", \"value\": "
      "\"\xed\xa0\x80\"}]", { "'s' (#0)", "not valid UTF-8", NULL } },   /* surrogate */
    { "[{\"name\": \"s\", \"type\": \"constant\", \"value\": "
      "\"\xc0\xaf\"}]", { "'s' (#0)", "not valid UTF-8", NULL } },       /* overlong */
    { "[{\"name\": \"s\", \"type\": \"constant\", \"value\": "
      "\"\xf4\x90\x80\x80\"}]", { "'s' (#0)", "not valid UTF-8", NULL } }, /* > U+10FFFF */
    { "[{\"name\": \"s\", \"type\": \"constant\", \"value\": "
      "\"ab\xe6\x97\"}]", { "'s' (#0)", "not valid UTF-8", NULL } },     /* cut short */
};

START_TEST(test_bad_spaces)
{
    const bad_case *c = &bad_cases[_i];
    ga_error err;
    ga_error_clear(&err);
    ga_space *s = ga_space_parse(c->text, "bad.json", &err);
    ck_assert_msg(s == NULL, "case %d loaded but should fail", _i);
    ck_assert_int_eq(err.status, GA_EINPUT);
    ck_assert_msg(strstr(err.msg, "bad.json") != NULL, "no file in: %s", err.msg);
    for (int k = 0; k < 3 && c->expect[k]; k++) {
        const char *e = c->expect[k];
        if (e[0] == '!')
            ck_assert_msg(strstr(err.msg, e + 1) == NULL, "case %d: did not "
                          "expect '%s' in: %s", _i, e + 1, err.msg);
        else
            ck_assert_msg(strstr(err.msg, e) != NULL, "case %d: expected '%s' "
                          "in: %s", _i, e, err.msg);
    }
}
END_TEST

/* What must still load: UTF-8 beyond ASCII, a backslash followed by
 * "u0000" (an escaped backslash, not a NUL), the widest finite ranges. */
START_TEST(test_unusual_but_valid)
{
    const char *text =
        "[{\"name\": \"\xc3\xa9t\xc3\xa9\", \"type\": \"categorical\", "
        "\"values\": [\"\xe6\x97\xa5\xe6\x9c\xac\", \"\xf0\x9f\x99\x82\", "
        "\"a\\\\u0000\", \"\\u00e9\"]},"
        " {\"name\": \"x\", \"type\": \"float\", \"lower\": -8e307, "
        "\"upper\": 8e307},"
        " {\"name\": \"w\", \"type\": \"float\", \"lower\": 1e-300, "
        "\"upper\": 1e300, \"log_scale\": true}]";
    ga_error err;
    ga_space *s = ga_space_parse(text, "t.json", &err);
    ck_assert_msg(s != NULL, "%s", err.msg);
    ck_assert_str_eq(s->params[0].name, "\xc3\xa9t\xc3\xa9");
    char buf[64];
    ck_assert_int_eq(ga_param_gene_format(&s->params[0], 2, buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "a\\u0000");
    ck_assert_double_eq_tol(s->params[1].sigma, 1.6e307, 1e293);
    ck_assert_double_eq_tol(s->params[2].sigma, 60, 1e-9);
    ga_space_free(s);
}
END_TEST

/* A value outside the bounds is reported with the bounds as written. */
START_TEST(test_gene_parse_message_numbers)
{
    ga_error err;
    ga_space *s = ga_space_parse("[{\"name\": \"lr\", \"type\": \"float\", "
                                 "\"lower\": 0.1, \"upper\": 0.3}]", "t.json",
                                 &err);
    ck_assert_ptr_nonnull(s);
    double g;
    ck_assert_int_eq(ga_param_gene_parse(&s->params[0], "0.7", &g, &err),
                     GA_EINPUT);
    ck_assert_msg(strstr(err.msg, "0.7 is outside [0.1, 0.3]") != NULL, "%s",
                  err.msg);
    cJSON *j = cJSON_CreateNumber(0.05);
    ck_assert_int_eq(ga_param_gene_from_json(&s->params[0], j, &g, &err),
                     GA_EINPUT);
    ck_assert_msg(strstr(err.msg, "0.05 is outside [0.1, 0.3]") != NULL, "%s",
                  err.msg);
    cJSON_Delete(j);
    ga_space_free(s);
}
END_TEST

/* A NUL byte in the file itself ends the text cJSON sees. */
START_TEST(test_nul_byte_in_file)
{
    char *dir = tu_tmpdir("spacenul");
    char path[4200];
    snprintf(path, sizeof path, "%s/space.json", dir);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    static const char text[] = "[{\"name\": \"x\", \"type\": \"logical\"}]\0junk";
    fwrite(text, 1, sizeof text - 1, f);
    fclose(f);
    ga_error err;
    ga_space *s = ga_space_load(path, &err);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(err.status, GA_EINPUT);
    ck_assert_msg(strstr(err.msg, "space.json") && strstr(err.msg, "NUL byte"),
                  "%s", err.msg);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(test_missing_file)
{
    ga_error err;
    ga_space *s = ga_space_load("/nonexistent/space.json", &err);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(err.status, GA_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent/space.json"));
}
END_TEST

START_TEST(test_json_values_roundtrip)
{
    const char *text =
        "[{\"name\":\"eps\",\"type\":\"ordered\",\"element_type\":\"float\","
        "\"values\":[1e-6,1e-8]},"
        " {\"name\":\"flag\",\"type\":\"logical\"},"
        " {\"name\":\"n\",\"type\":\"int\",\"lower\":-3,\"upper\":3}]";
    ga_error err;
    ga_space *s = ga_space_parse(text, "t.json", &err);
    ck_assert_ptr_nonnull(s);
    for (size_t i = 0; i < s->n; i++) {
        double genes[] = { 1, 1, -2 };
        cJSON *raw = ga_param_gene_to_json(&s->params[i], genes[i]);
        char *text = cJSON_PrintUnformatted(raw);  /* through text, as a log */
        cJSON *j = cJSON_Parse(text);
        free(text);
        cJSON_Delete(raw);
        double back = -99;
        ck_assert_int_eq(ga_param_gene_from_json(&s->params[i], j, &back, &err), 0);
        ck_assert_double_eq(back, genes[i]);
        cJSON_Delete(j);
    }
    ga_space_free(s);
}
END_TEST

Suite *space_suite(void)
{
    Suite *s = suite_create("space");
    TCase *tc = tcase_create("load");
    tcase_add_test(tc, test_real_candle_spaces_load);
    tcase_add_test(tc, test_tc1_quirks);
    tcase_add_test(tc, test_all_types_and_defaults);
    tcase_add_loop_test(tc, test_bad_spaces, 0,
                        (int)(sizeof bad_cases / sizeof bad_cases[0]));
    tcase_add_test(tc, test_missing_file);
    tcase_add_test(tc, test_json_values_roundtrip);
    tcase_add_test(tc, test_unusual_but_valid);
    tcase_add_test(tc, test_gene_parse_message_numbers);
    tcase_add_test(tc, test_nul_byte_in_file);
    suite_add_tcase(s, tc);
    return s;
}
