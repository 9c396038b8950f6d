/* check_strbuf.c - the growable string (ga/strbuf.h): texts as snprintf
 * would print them however they grow, and out of memory recorded once and
 * kept, with the text before it intact. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../ga/strbuf.h"
#include "suites.h"
#include "testutil.h"

START_TEST(test_strbuf_empty)
{
    ga_strbuf b = GA_STRBUF_INIT;
    ga_error err;
    ga_error_clear(&err);
    ck_assert_str_eq(ga_strbuf_text(&b), "");
    ck_assert_int_eq(ga_strbuf_check(&b, &err), GA_OK);
    char *t = ga_strbuf_take(&b);
    ck_assert_ptr_nonnull(t);  /* an empty text is "", not NULL */
    ck_assert_str_eq(t, "");
    free(t);
    ga_strbuf_free(&b);  /* harmless on an empty builder */
    ck_assert_ptr_null(b.data);
}
END_TEST

/* Many small appends and one larger than any buffer so far: the same text
 * and length as one snprintf into a big enough buffer. */
START_TEST(test_strbuf_grows_as_snprintf)
{
    size_t size = 1 << 20, len = 0;
    char *want = malloc(size);
    ck_assert_ptr_nonnull(want);
    ga_strbuf b = GA_STRBUF_INIT;
    for (int i = 0; i < 5000; i++) {
        ga_strbuf_printf(&b, "%d,%.6g,%s\n", i, i / 7.0, i % 2 ? "odd" : "");
        len += (size_t)snprintf(want + len, size - len, "%d,%.6g,%s\n", i,
                                i / 7.0, i % 2 ? "odd" : "");
    }
    char big[3000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ga_strbuf_printf(&b, "[%s]%%", big);
    len += (size_t)snprintf(want + len, size - len, "[%s]%%", big);
    ck_assert_uint_eq(b.len, len);
    ck_assert_uint_eq(strlen(ga_strbuf_text(&b)), len);
    ck_assert(memcmp(ga_strbuf_text(&b), want, len + 1) == 0);
    ck_assert_uint_lt(b.len, b.cap);
    free(want);
    ga_strbuf_free(&b);
}
END_TEST

START_TEST(test_strbuf_append)
{
    ga_strbuf b = GA_STRBUF_INIT;
    ga_strbuf_append(&b, "run,point");
    ga_strbuf_append_n(&b, ",seedXXXX", 5);
    ga_strbuf_append(&b, "");
    ga_strbuf_printf(&b, ",%s", "100%");  /* the text is not a format */
    ga_strbuf_append(&b, "%d\n");
    ck_assert_str_eq(ga_strbuf_text(&b), "run,point,seed,100%%d\n");
    ck_assert_uint_eq(b.len, strlen("run,point,seed,100%%d\n"));
    char *t = ga_strbuf_take(&b);
    ck_assert_str_eq(t, "run,point,seed,100%%d\n");
    ck_assert_ptr_null(b.data);  /* taken: b is empty again */
    ck_assert_uint_eq(b.len, 0);
    ga_strbuf_append(&b, "again");
    ck_assert_str_eq(ga_strbuf_text(&b), "again");
    free(t);
    ga_strbuf_free(&b);
}
END_TEST

/* An append that cannot be satisfied (here: more than memory can hold,
 * refused before any allocation) marks the builder; the text before it is
 * kept, later appends do nothing, and the caller learns it once. */
START_TEST(test_strbuf_oom_is_recorded)
{
    ga_strbuf b = GA_STRBUF_INIT;
    ga_error err;
    ga_error_clear(&err);
    ga_strbuf_printf(&b, "head %d\n", 1);
    ga_strbuf_append_n(&b, "", SIZE_MAX / 2);
    ck_assert_int_eq(b.oom, 1);
    ck_assert_str_eq(ga_strbuf_text(&b), "head 1\n");
    ga_strbuf_printf(&b, "tail %d\n", 2);
    ga_strbuf_append(&b, "more");
    ck_assert_str_eq(ga_strbuf_text(&b), "head 1\n");
    ck_assert_uint_eq(b.len, 7);
    ck_assert_int_eq(ga_strbuf_check(&b, &err), GA_EFAIL);
    ck_assert_int_eq(err.status, GA_EFAIL);
    ck_assert_str_eq(err.msg, "out of memory");
    ck_assert_ptr_null(ga_strbuf_take(&b));  /* an incomplete text: none */
    ck_assert_ptr_null(b.data);
    ck_assert_int_eq(b.oom, 0);  /* and b is usable again */
    ga_strbuf_append(&b, "new");
    ck_assert_str_eq(ga_strbuf_text(&b), "new");
    ck_assert_int_eq(ga_strbuf_check(&b, &err), GA_OK);
    ga_strbuf_free(&b);
    ga_strbuf_free(&b);  /* twice is harmless */
}
END_TEST

/* Written whole, or not at all when an append failed. */
START_TEST(test_strbuf_write)
{
    char *dir = tu_tmpdir("strbuf");
    char path[4200], path2[4200];
    snprintf(path, sizeof path, "%s/a.csv", dir);
    snprintf(path2, sizeof path2, "%s/b.csv", dir);
    ga_error err;
    ga_error_clear(&err);
    ga_strbuf b = GA_STRBUF_INIT;
    ga_strbuf_printf(&b, "x,y\n%d,%d\n", 1, 2);
    ck_assert_int_eq(ga_strbuf_write(&b, path, &err), GA_OK);
    char *got = tu_read(path);
    ck_assert_str_eq(got, "x,y\n1,2\n");
    free(got);
    ga_strbuf_append_n(&b, "", SIZE_MAX / 2);
    ck_assert_int_eq(ga_strbuf_write(&b, path2, &err), GA_EFAIL);
    ck_assert_str_eq(err.msg, "out of memory");
    ck_assert_int_ne(access(path2, F_OK), 0);
    ga_strbuf_free(&b);
    ck_assert_int_eq(ga_strbuf_write(&b, path2, &err), GA_OK);  /* empty */
    got = tu_read(path2);
    ck_assert_str_eq(got, "");
    free(got);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

Suite *strbuf_suite(void)
{
    Suite *s = suite_create("strbuf");
    TCase *tc = tcase_create("strbuf");
    tcase_add_test(tc, test_strbuf_empty);
    tcase_add_test(tc, test_strbuf_grows_as_snprintf);
    tcase_add_test(tc, test_strbuf_append);
    tcase_add_test(tc, test_strbuf_oom_is_recorded);
    tcase_add_test(tc, test_strbuf_write);
    suite_add_tcase(s, tc);
    return s;
}
