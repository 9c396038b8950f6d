/* check_fuzz.c - the fuzz smoke of make test: each libFuzzer harness
 * (tests/fuzz/fuzz_NAME.c, built into build/fuzz/ by make fuzz-build)
 * fuzzes for about two seconds from its committed corpus and replays its
 * regression inputs (tests/fuzz/crashes/NAME/), through
 * tests/fuzz/run.sh smoke; a crash, leak or timeout fails the test. Without
 * the fuzzers (no clang or libFuzzer) or in quick mode it says SKIPPED.
 * Long fuzzing is make fuzz, never here (docs/TESTING.md). */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "suites.h"
#include "testutil.h"

#define MAX_HARNESSES 64

static char names[MAX_HARNESSES][64];
static int nnames;

/* The harnesses' names, from their sources. */
static void find_harnesses(void)
{
    char pattern[4200];
    snprintf(pattern, sizeof pattern, "%s/tests/fuzz/fuzz_*.c", tu_root());
    glob_t g;
    if (glob(pattern, 0, NULL, &g) != 0)
        return;
    for (size_t i = 0; i < g.gl_pathc && nnames < MAX_HARNESSES; i++) {
        const char *base = strrchr(g.gl_pathv[i], '/') + strlen("/fuzz_");
        snprintf(names[nnames++], sizeof names[0], "%.*s",
                 (int)(strlen(base) - 2), base);
    }
    globfree(&g);
}

static int built(const char *name)
{
    char bin[4200];
    snprintf(bin, sizeof bin, "%s/build/fuzz/fuzz_%s", tu_root(), name);
    return access(bin, X_OK) == 0;
}

START_TEST(test_fuzz_smoke)
{
    const char *name = names[_i];
    char script[4200];
    snprintf(script, sizeof script, "%s/tests/fuzz/run.sh", tu_root());
    char *argv[] = { script, "smoke", (char *)name, NULL };
    char *out = NULL, *err = NULL;
    int rc = tu_run(argv, NULL, NULL, &out, &err);
    fprintf(stderr, "%s%s", out ? out : "", err ? err : "");
    ck_assert_msg(built(name), "build/fuzz/fuzz_%s is missing: make "
                  "fuzz-build built the others", name);
    ck_assert_msg(rc == 0, "fuzz smoke of %s failed (exit %d; its lines "
                  "above, the log in build/fuzz/logs/%s.smoke.log)", name,
                  rc, name);
    free(out);
    free(err);
}
END_TEST

START_TEST(test_fuzz_skipped)
{
    fprintf(stderr, "SKIPPED: fuzz smoke: %s\n", tu_quick()
            ? "quick mode (make fuzz-smoke runs it)"
            : "no fuzzers in build/fuzz/ (make fuzz-build needs clang and "
              "libFuzzer: scripts/install-deps.sh)");
}
END_TEST

Suite *fuzz_suite(void)
{
    Suite *s = suite_create("fuzz");
    TCase *tc = tcase_create("fuzz");
    tcase_set_timeout(tc, 60);
    find_harnesses();
    int any = 0;
    for (int i = 0; i < nnames; i++)
        any |= built(names[i]);
    if (tu_quick() || !any)
        tcase_add_test(tc, test_fuzz_skipped);
    else
        tcase_add_loop_test(tc, test_fuzz_smoke, 0, nnames);
    suite_add_tcase(s, tc);
    return s;
}
