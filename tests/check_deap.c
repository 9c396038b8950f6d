/* check_deap.c - statistical equivalence with DEAP 1.3 itself: runs
 * tests/oracles/compare_deap.py (Debian's python3-deap, /usr/bin/python3), which
 * compares final-best and evaluation-count distributions over 31 seeds with
 * Mann-Whitney and Kolmogorov-Smirnov tests and checks that a deliberately
 * wrong setting is caught. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "suites.h"
#include "testutil.h"

START_TEST(test_equivalent_to_deap)
{
    if (access("/usr/bin/python3", X_OK) != 0) {
        ck_abort_msg("/usr/bin/python3 missing: run scripts/install-deps.sh");
    }
    char script[4096];
    snprintf(script, sizeof script, "%s/tests/oracles/compare_deap.py", tu_root());
    /* hundreds of short runs: their scratch directories go to memory when
     * the machine has /dev/shm, so disk syncs do not set the pace */
    char *env[] = { access("/dev/shm", W_OK) == 0 ? "TMPDIR=/dev/shm" : NULL,
                    NULL };
    char *out, *err;
    int rc = tu_run((char *[]){ "/usr/bin/python3", script, "--gahpo",
                                (char *)tu_gahpo(), NULL }, NULL, env, &out, &err);
    fputs(out, stderr);  /* the comparison table, for the record */
    ck_assert_msg(rc == 0, "compare_deap.py failed (exit %d): %s", rc, err);
    ck_assert_ptr_nonnull(strstr(out, " 0 failed"));
    free(out);
    free(err);
}
END_TEST

Suite *deap_suite(void)
{
    Suite *s = suite_create("deap");
    TCase *tc = tcase_create("equivalence");
    tcase_set_timeout(tc, 900);
    tcase_add_test(tc, test_equivalent_to_deap);
    suite_add_tcase(s, tc);
    return s;
}
