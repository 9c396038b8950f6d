/* check_compare.c - the HPO methods' comparison (scripts/compare/
 * hpo_methods.py, make compare) at its quick size: every tool (gahpo with
 * tuned and CANDLE's defaults, DEAP with CANDLE's, Optuna's TPE and
 * CMA-ES, random search) produces a result for every problem and seed,
 * each run makes exactly the budget's evaluations, and the losses are
 * gahpo's noiseless values. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sweeps/runs_row.h"
#include "suites.h"
#include "testutil.h"

#define QUICK_PROBLEMS "surrogate:mlp_digits:noisy,bbob:f2:d5:i3,mixed:cnn:noisy"

START_TEST(test_compare_quick_every_cell)
{
    char *dir = tu_tmpdir("compare");
    char script[4200], out[4200], path[4300];
    snprintf(script, sizeof script, "%s/scripts/compare/hpo_methods.py",
             tu_root());
    snprintf(out, sizeof out, "%s/out", dir);
    char *argv[] = { "/usr/bin/python3", script, "--gahpo", (char *)tu_gahpo(),
                     "--seeds", "2", "--budgets", "48", "--problems",
                     QUICK_PROBLEMS, "--jobs", "2", "--out", out, NULL };
    char *o, *err;
    int rc = tu_run(argv, NULL, NULL, &o, &err);
    ck_assert_msg(rc == 0, "hpo_methods.py: %s", err);
    ck_assert_msg(strstr(o, "## Each method against gahpo-tuned"), "%s", o);
    free(o);
    free(err);
    snprintf(path, sizeof path, "%s/runs.csv", out);
    char *csv = tu_read(path);
    ck_assert_ptr_nonnull(csv);
    long c_m = sweep_column(csv, "method"), c_p = sweep_column(csv, "problem");
    long c_l = sweep_column(csv, "loss"), c_e = sweep_column(csv, "evaluations");
    const char *methods[] = { "gahpo-tuned", "gahpo-candle", "deap-candle",
                              "optuna-tpe", "optuna-cmaes", "random" };
    const char *problems[] = { "surrogate:mlp_digits:noisy", "bbob:f2:d5:i3",
                               "mixed:cnn:noisy" };
    int count[6][3] = { { 0 } };
    for (const char *l = strchr(csv, '\n'); l && l[1]; l = strchr(l + 1, '\n')) {
        const char *row = l + 1;
        double loss = strtod(sweep_field(row, c_l), NULL);
        ck_assert_msg(isfinite(loss) && loss >= -1e-9, "loss %g", loss);
        ck_assert_int_eq(strtol(sweep_field(row, c_e), NULL, 10), 48);
        for (int m = 0; m < 6; m++)
            for (int p = 0; p < 3; p++)
                if (!strncmp(sweep_field(row, c_m), methods[m],
                             strlen(methods[m])) &&
                    sweep_field(row, c_m)[strlen(methods[m])] == ',' &&
                    !strncmp(sweep_field(row, c_p), problems[p],
                             strlen(problems[p])) &&
                    sweep_field(row, c_p)[strlen(problems[p])] == ',')
                    count[m][p]++;
    }
    for (int m = 0; m < 6; m++)
        for (int p = 0; p < 3; p++)
            ck_assert_msg(count[m][p] == 2, "%s on %s: %d runs", methods[m],
                          problems[p], count[m][p]);
    free(csv);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

Suite *compare_suite(void)
{
    Suite *s = suite_create("compare");
    TCase *tc = tcase_create("compare");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_compare_quick_every_cell);
    suite_add_tcase(s, tc);
    return s;
}
