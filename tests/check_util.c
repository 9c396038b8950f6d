/* check_util.c - the library's small shared pieces: the content hash and
 * the seed mixer against published values. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../ga/hash.h"
#include "suites.h"
#include "testutil.h"

/* FNV-1a 64 test vectors (Fowler, Noll, Vo) */
START_TEST(test_fnv1a_vectors)
{
    ck_assert_uint_eq(ga_fnv1a(GA_FNV1A_INIT, "", 0), 0xcbf29ce484222325ULL);
    ck_assert_uint_eq(ga_fnv1a(GA_FNV1A_INIT, "a", 1), 0xaf63dc4c8601ec8cULL);
    ck_assert_uint_eq(ga_fnv1a(GA_FNV1A_INIT, "foobar", 6),
                      0x85944171f73967e8ULL);
    /* continuing a hash is hashing the concatenation */
    ck_assert_uint_eq(ga_fnv1a(ga_fnv1a(GA_FNV1A_INIT, "foo", 3), "bar", 3),
                      0x85944171f73967e8ULL);
}
END_TEST

/* splitmix64 seeded with 0: its first outputs are the finaliser of the
 * state advanced by the golden gamma (Steele, Lea, Flood 2014) */
START_TEST(test_mix64_is_splitmix64)
{
    const unsigned long long gamma = 0x9e3779b97f4a7c15ULL;
    ck_assert_uint_eq(ga_mix64(gamma), 0xe220a8397b1dcdafULL);
    ck_assert_uint_eq(ga_mix64(2 * gamma), 0x6e789e6aa1b965f4ULL);
    ck_assert_uint_eq(ga_mix64(0), 0);
}
END_TEST

/* make layers passes on the tree, and fails on an include that goes up a
 * layer (ga including cli) or sideways (exec including sweeps). */
START_TEST(test_layers_check)
{
    char cmd[4400];
    snprintf(cmd, sizeof cmd, "'%s/scripts/layers.sh' '%s' >/dev/null 2>&1; "
             "echo $?", tu_root(), tu_root());
    char *rc = tu_sh(cmd);
    ck_assert_msg(atoi(rc) == 0, "make layers fails on the tree");
    free(rc);
    const char *bad[][2] = { { "ga", "#include \"../cli/commands.h\"" },
                             { "exec", "#include \"../sweeps/sweep.h\"" } };
    for (int i = 0; i < 2; i++) {
        char *dir = tu_tmpdir("layers");
        char path[4300];
        snprintf(path, sizeof path, "%s/%s", dir, bad[i][0]);
        mkdir(path, 0755);
        snprintf(path, sizeof path, "%s/%s/x.c", dir, bad[i][0]);
        char text[256];
        snprintf(text, sizeof text, "#include \"ok.h\"\n%s\n", bad[i][1]);
        tu_write(path, text);
        snprintf(cmd, sizeof cmd, "'%s/scripts/layers.sh' '%s' 2>&1; echo "
                 "\"rc=$?\"", tu_root(), dir);
        char *out = tu_sh(cmd);
        ck_assert_msg(strstr(out, "rc=1") && strstr(out, "x.c:2:") &&
                      strstr(out, "may not include"), "%s", out);
        free(out);
        tu_rmrf(dir);
        free(dir);
    }
}
END_TEST

Suite *util_suite(void)
{
    Suite *s = suite_create("util");
    TCase *tc = tcase_create("hash");
    tcase_add_test(tc, test_fnv1a_vectors);
    tcase_add_test(tc, test_mix64_is_splitmix64);
    suite_add_tcase(s, tc);
    TCase *tl = tcase_create("layers");
    tcase_add_test(tl, test_layers_check);
    suite_add_tcase(s, tl);
    return s;
}
