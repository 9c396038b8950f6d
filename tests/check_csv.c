/* check_csv.c - the CSV reader (ga/csv.h): quoting, CRLF, blank lines,
 * ragged rows, and an initial population read by column name. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ga/csv.h"
#include "suites.h"
#include "testutil.h"

START_TEST(test_csv_parse)
{
    ga_error err;
    ga_csv *c = ga_csv_parse("a,b,c\r\n1,\"x, \"\"y\"\"\",3\n\n4,5,6\n", "t.csv",
                             &err);
    ck_assert_msg(c != NULL, "%s", err.msg);
    ck_assert_uint_eq(c->nrows, 2);
    ck_assert_str_eq(c->cells[1], "x, \"y\"");
    ck_assert_str_eq(c->cells[5], "6");
    ck_assert_uint_eq(c->line[1], 4);
    ga_csv_free(c);
    c = ga_csv_parse("a,b\n1,2\n3\n", "t.csv", &err);
    ck_assert_ptr_null(c);
    ck_assert_ptr_nonnull(strstr(err.msg, "t.csv:3: 1 fields, but the header has 2"));
    c = ga_csv_parse("a,b\n1,2,3\n", "t.csv", &err);  /* freed, not leaked */
    ck_assert_ptr_null(c);
    ck_assert_ptr_nonnull(strstr(err.msg, "more fields than the header"));
    c = ga_csv_parse("a,b\n\"1,2\n", "t.csv", &err);
    ck_assert_ptr_null(c);
    ck_assert_ptr_nonnull(strstr(err.msg, "unterminated"));
}
END_TEST

START_TEST(test_csv_population)
{
    char *dir = tu_tmpdir("csv");
    char path[4096];
    snprintf(path, sizeof path, "%s/init.csv", dir);
    ga_error err;
    ga_space *s = ga_space_parse(
        "[{\"name\":\"bs\",\"type\":\"ordered\",\"element_type\":\"int\","
        "\"values\":[16,32,64]},{\"name\":\"act\",\"type\":\"categorical\","
        "\"element_type\":\"string\",\"values\":[\"relu\",\"tanh\"]},"
        "{\"name\":\"ep\",\"type\":\"constant\",\"value\":5}]", "s", &err);
    tu_write(path, "act,val_loss,bs\ntanh,0.3,64\nrelu,0.1,16\n");
    size_t n;
    char *warning;
    double *g = ga_csv_read_population(s, path, &n, &warning, &err);
    ck_assert_msg(g != NULL, "%s", err.msg);
    ck_assert_uint_eq(n, 2);
    ck_assert_double_eq(g[0], 2);
    ck_assert_double_eq(g[1], 1);
    ck_assert_double_eq(g[3], 0);
    ck_assert_ptr_nonnull(strstr(warning, "'val_loss'"));
    free(g);
    free(warning);
    tu_write(path, "act,bs\ntanh,64\nswish,16\n");
    g = ga_csv_read_population(s, path, &n, &warning, &err);
    ck_assert_ptr_null(g);
    ck_assert_ptr_nonnull(strstr(err.msg, "init.csv:3: column 'act'"));
    tu_write(path, "act\ntanh\n");
    g = ga_csv_read_population(s, path, &n, &warning, &err);
    ck_assert_ptr_null(g);
    ck_assert_ptr_nonnull(strstr(err.msg, "no column for parameter 'bs'"));
    ga_space_free(s);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

Suite *csv_suite(void)
{
    Suite *s = suite_create("csv");
    TCase *tc = tcase_create("csv");
    tcase_add_test(tc, test_csv_parse);
    tcase_add_test(tc, test_csv_population);
    suite_add_tcase(s, tc);
    return s;
}
