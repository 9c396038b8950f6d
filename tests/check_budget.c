/* check_budget.c - `gahpo run --budget N` makes exactly N evaluations for
 * every strategy (the last generation cut to fit), random search as a
 * strategy, and what the run's header says about where the population,
 * the generations and the tuned defaults came from. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "testutil.h"

#define G (char *)tu_gahpo()

static const long budgets[] = { 30, 48, 99, 150, 499, 700, 2000 };
static const char *const strategies[] = { "mu_plus_lambda", "simple", "random",
                                          "async" };
#define NSTRAT (sizeof strategies / sizeof strategies[0])

/* The sum of stats.csv's nevals column (its second). */
static long stats_evaluations(const char *dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/stats.csv", dir);
    char *text = tu_read(path);
    ck_assert_ptr_nonnull(text);
    long sum = 0;
    const char *line = strchr(text, '\n');  /* after the header */
    while (line && line[1]) {
        long gen, nevals;
        ck_assert_int_eq(sscanf(line + 1, "%ld,%ld", &gen, &nevals), 2);
        sum += nevals;
        line = strchr(line + 1, '\n');
    }
    free(text);
    return sum;
}

/* The evaluation log's lines, best.json's "evaluations" agree with N. */
START_TEST(test_budget_exact)
{
    const char *strategy = strategies[_i % NSTRAT];
    long budget = budgets[_i / NSTRAT];
    char *dir = tu_tmpdir("budget");
    char out_dir[4200], n[32], log[4300];
    snprintf(out_dir, sizeof out_dir, "%s/run", dir);
    snprintf(n, sizeof n, "%ld", budget);
    snprintf(log, sizeof log, "%s/evals.jsonl", out_dir);
    char *argv[] = { G, "run", "--no-env", "--problem", "sphere:d4", "--out",
                     out_dir, "--budget", n, "--strategy", (char *)strategy,
                     "--seed", "3", NULL };
    char *out, *err;
    int rc = tu_run(argv, NULL, NULL, &out, &err);
    ck_assert_msg(rc == 0, "%s --budget %ld: %s", strategy, budget, err);
    ck_assert_int_eq(tu_count_lines(log), budget);
    char want[96];
    snprintf(want, sizeof want, ", %ld evaluations (budget", budget);
    ck_assert_msg(strstr(err, want), "header without '%s': %s", want, err);
    if (strcmp(strategy, "async") != 0) {
        ck_assert_int_eq(stats_evaluations(out_dir), budget);
        snprintf(want, sizeof want, "budget reached (%ld evaluations)", budget);
        ck_assert_msg(strstr(out, want), "%s: %s", want, out);
    }
    free(out);
    free(err);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* A cut last generation resumes, after kill -9 elsewhere too (check_resume),
 * and a finished budget run extends to a larger budget, to exactly it. */
START_TEST(test_budget_extend)
{
    char *dir = tu_tmpdir("budget-ext");
    char run[4200], log[4300];
    snprintf(run, sizeof run, "%s/run", dir);
    snprintf(log, sizeof log, "%s/evals.jsonl", run);
    const char *const kinds[] = { "mu_plus_lambda", "random", "async" };
    const char *strategy = kinds[_i];
    char *first[] = { G, "run", "--no-env", "--problem", "rastrigin:d3",
                      "--out", run, "--budget", "45", "--strategy",
                      (char *)strategy, "--population-size", "10", "--quiet",
                      NULL };
    char *out, *err;
    ck_assert_int_eq(tu_run(first, NULL, NULL, &out, &err), 0);
    free(out);
    free(err);
    ck_assert_int_eq(tu_count_lines(log), 45);
    char *more[] = { G, "run", "--resume", run, "--budget", "101", NULL };
    ck_assert_int_eq(tu_run(more, NULL, NULL, &out, &err), 0);
    ck_assert_msg(strstr(err, "budget of 101"), "%s", err);
    free(out);
    free(err);
    ck_assert_int_eq(tu_count_lines(log), 101);
    if (_i < 2)
        ck_assert_int_eq(stats_evaluations(run), 101);
    char *less[] = { G, "run", "--resume", run, "--budget", "60", NULL };
    ck_assert_int_eq(tu_run(less, NULL, NULL, &out, &err), 2);
    ck_assert_msg(strstr(err, "not shortened to 60"), "%s", err);
    free(out);
    free(err);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* POPULATION_SIZE from the environment: the generations are recomputed for
 * it and the run still makes exactly the budget; --jobs picks the tuned
 * entry for its workers with --problem too. */
START_TEST(test_budget_population_from_env)
{
    char *dir = tu_tmpdir("budget-env");
    char run[4200], log[4300];
    snprintf(run, sizeof run, "%s/run", dir);
    snprintf(log, sizeof log, "%s/evals.jsonl", run);
    char *argv[] = { G, "run", "--problem", "sphere:d5", "--out", run,
                     "--budget", "100", "--jobs", "16", NULL };
    char *env[] = { "POPULATION_SIZE=12", NULL };
    char *out, *err;
    ck_assert_int_eq(tu_run(argv, NULL, env, &out, &err), 0);
    ck_assert_int_eq(tu_count_lines(log), 100);
    ck_assert_msg(strstr(err, "workers 16)"), "tuned entry not for 16 "
                  "workers: %s", err);
    ck_assert_msg(strstr(err, "population 12,"), "%s", err);
    ck_assert_msg(strstr(err, "100 evaluations (budget"), "%s", err);
    free(out);
    free(err);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* A settings file that sets every setting the tuned defaults change: the
 * run says they are not used and does not claim them; num_iter from the
 * file gives way to --budget, said on screen. */
START_TEST(test_budget_settings_file_overrides_tuned)
{
    char *dir = tu_tmpdir("budget-file");
    char run[4200], log[4300], file[4200];
    snprintf(run, sizeof run, "%s/run", dir);
    snprintf(log, sizeof log, "%s/evals.jsonl", run);
    snprintf(file, sizeof file, "%s/settings.json", dir);
    tu_write(file, "{\"population_size\": 10, \"num_iter\": 4, \"strategy\": "
                   "\"mu_plus_lambda\", \"offspring_prop\": 0.5, \"mut_prob\": "
                   "0.8, \"cx_prob\": 0.2, \"mut_indpb\": 0.5, \"cx_indpb\": "
                   "0.5, \"tournsize\": 4}");
    char *argv[] = { G, "run", "--no-env", "--problem", "sphere:d5", "--out",
                     run, "--budget", "100", "--settings", file, NULL };
    char *out, *err;
    ck_assert_int_eq(tu_run(argv, NULL, NULL, &out, &err), 0);
    ck_assert_int_eq(tu_count_lines(log), 100);
    ck_assert_msg(strstr(err, "they are not used"), "%s", err);
    ck_assert_msg(!strstr(err, "tuned defaults from"), "%s", err);
    ck_assert_msg(strstr(err, "num_iter 4 from the settings file is "
                              "replaced"), "%s", err);
    /* 10, then 18 generations of 5: exactly 100 */
    ck_assert_msg(strstr(err, "then 18 generations of 5"), "%s", err);
    free(out);
    free(err);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* A budget below a population the user asked for is an error naming both;
 * below the tuned population it shrinks the population, said on screen. */
START_TEST(test_budget_below_population)
{
    char *dir = tu_tmpdir("budget-small");
    char run[4200];
    snprintf(run, sizeof run, "%s/run", dir);
    char *argv[] = { G, "run", "--no-env", "--problem", "sphere:d5", "--out",
                     run, "--budget", "10", "--population-size", "16", NULL };
    char *out, *err;
    ck_assert_int_eq(tu_run(argv, NULL, NULL, &out, &err), 2);
    ck_assert_msg(strstr(err, "--budget 10 is less than population_size 16 "
                              "(from the command line)"), "%s", err);
    free(out);
    free(err);
    char *small[] = { G, "run", "--no-env", "--no-tuned-defaults", "--problem",
                      "sphere:d5", "--out", run, "--budget", "10", NULL };
    ck_assert_int_eq(tu_run(small, NULL, NULL, &out, &err), 0);
    ck_assert_msg(strstr(err, "population_size 10"), "%s", err);
    char log[4300];
    snprintf(log, sizeof log, "%s/evals.jsonl", run);
    ck_assert_int_eq(tu_count_lines(log), 10);
    free(out);
    free(err);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* Random search draws every point from the space: each generation is new
 * (no point repeats, all in bounds, log-uniform where log_scale), the
 * population keeps the best seen, and the same seed gives the same run. */
START_TEST(test_random_strategy)
{
    char *dir = tu_tmpdir("random");
    char space[4200], a[4200], b[4200];
    snprintf(space, sizeof space, "%s/hp.json", dir);
    snprintf(a, sizeof a, "%s/a", dir);
    snprintf(b, sizeof b, "%s/b", dir);
    tu_write(space, "[{\"name\": \"lr\", \"type\": \"float\", \"lower\": 1e-6, "
                    "\"upper\": 1, \"log_scale\": true}]");
    tu_argv args = { .n = 0 };
    tu_argv_add(&args, G, "run", "--no-env", "--space", space, "--out", a,
                "--budget", "400", "--strategy", "random", "--seed", "5",
                "--quiet", "--", "/bin/sh", "-c",
                "echo '{\"val_loss\": 1}' > result.json", NULL);
    char *out, *err;
    int rc = tu_run(args.v, NULL, NULL, &out, &err);
    ck_assert_msg(rc == 0, "%s", err);
    free(out);
    free(err);
    /* log-uniform on [1e-6, 1]: about a sixth of the points per decade,
     * so below 1e-3 about half (uniform would put 0.1% there) */
    char log[4300];
    snprintf(log, sizeof log, "%s/evals.jsonl", a);
    char *text = tu_read(log);
    ck_assert_ptr_nonnull(text);
    int below = 0, n = 0;
    for (const char *p = strstr(text, "\"lr\":"); p; p = strstr(p + 1, "\"lr\":")) {
        double v = atof(p + 5);
        ck_assert(v >= 1e-6 && v <= 1);
        below += v < 1e-3;
        n++;
    }
    free(text);
    ck_assert_int_eq(n, 400);
    ck_assert_msg(below > 150 && below < 250, "%d of 400 below 1e-3", below);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* Random search on a problem: the same seed, the same run; the best only
 * improves; reproducible against a second run. */
START_TEST(test_random_reproducible)
{
    char *dir = tu_tmpdir("random-rep");
    char a[4200], b[4200];
    snprintf(a, sizeof a, "%s/a", dir);
    snprintf(b, sizeof b, "%s/b", dir);
    char *argv_a[] = { G, "run", "--no-env", "--problem", "rastrigin:d4",
                       "--out", a, "--budget", "300", "--strategy", "random",
                       "--seed", "9", "--quiet", NULL };
    char *argv_b[15];
    memcpy(argv_b, argv_a, sizeof argv_b);
    argv_b[6] = b;
    char *out, *err;
    ck_assert_int_eq(tu_run(argv_a, NULL, NULL, &out, &err), 0);
    free(out);
    free(err);
    ck_assert_int_eq(tu_run(argv_b, NULL, NULL, &out, &err), 0);
    free(out);
    free(err);
    tu_assert_same_run(a, b);
    /* stats.csv's min (the population is the best seen) never rises */
    char path[4300];
    snprintf(path, sizeof path, "%s/stats.csv", a);
    char *text = tu_read(path);
    ck_assert_ptr_nonnull(text);
    double prev = 1e300;
    int rows = 0;
    for (const char *line = strchr(text, '\n'); line && line[1];
         line = strchr(line + 1, '\n')) {
        double avg, sd, min;
        ck_assert_int_eq(sscanf(line + 1, "%*d,%*d,%lf,%lf,%lf", &avg, &sd,
                                &min), 3);
        ck_assert(min <= prev);
        prev = min;
        rows++;
    }
    ck_assert_int_gt(rows, 1);
    free(text);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* The chosen tuned entry's evidence in one line: its test-set figures
 * (the committed file has them), else that it was measured on its tuning
 * problems only. */
START_TEST(test_tuned_evidence_line)
{
    char *dir = tu_tmpdir("evidence");
    char run[4200], file[4200];
    snprintf(run, sizeof run, "%s/run", dir);
    snprintf(file, sizeof file, "%s/tuned.json", dir);
    char *argv[] = { G, "run", "--no-env", "--problem", "sphere:d5", "--out",
                     run, "--budget", "100", NULL };
    char *out, *err;
    ck_assert_int_eq(tu_run(argv, NULL, NULL, &out, &err), 0);
    ck_assert_msg(strstr(err, "their evidence: on 25 test problems never "
                              "tuned on, CANDLE's error / this entry's "),
                  "%s", err);
    free(out);
    free(err);
    tu_rmrf(run);
    /* random search: the GA's evidence is not printed */
    char *rnd[] = { G, "run", "--no-env", "--problem", "sphere:d5", "--out",
                    run, "--budget", "100", "--strategy", "random", NULL };
    ck_assert_int_eq(tu_run(rnd, NULL, NULL, &out, &err), 0);
    ck_assert_msg(!strstr(err, "their evidence"), "%s", err);
    free(out);
    free(err);
    tu_rmrf(run);
    tu_write(file, "{\"entries\": [{\"budget\": 100, \"workers\": 1, "
                   "\"settings\": {\"population_size\": 10}, \"evidence\": "
                   "{\"test\": {\"problems\": 25, \"ratio\": 1.48, "
                   "\"ratio_ci95\": [1.29, 1.71], \"p_holm\": 3e-06}}}]}");
    char *with[] = { G, "run", "--no-env", "--problem", "sphere:d5", "--out",
                     run, "--budget", "100", "--tuned-defaults", file, NULL };
    ck_assert_int_eq(tu_run(with, NULL, NULL, &out, &err), 0);
    ck_assert_msg(strstr(err, "their evidence: on 25 test problems never "
                              "tuned on, CANDLE's error / this entry's 1.48 "
                              "(95% CI 1.29 to 1.71, problems as units) at "
                              "equal evaluations, p (Holm) 3e-06"), "%s", err);
    free(out);
    free(err);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* Settings that evaluate few children (mu_plus_lambda, one child per
 * generation, cx_prob + mut_prob 0.78: a generation may evaluate none)
 * still make exactly the budget: the generations planned leave room; and
 * such a run, whose offspring_prop prints with 16 digits where cJSON
 * writes 17, extends on resume (the checkpoint compares numbers as
 * numbers). */
START_TEST(test_budget_few_children)
{
    char *dir = tu_tmpdir("budget-few");
    char run[4200], log[4300], file[4200];
    snprintf(run, sizeof run, "%s/run", dir);
    snprintf(log, sizeof log, "%s/evals.jsonl", run);
    snprintf(file, sizeof file, "%s/s.json", dir);
    tu_write(file, "{\"population_size\": 5, \"strategy\": \"mu_plus_lambda\", "
                   "\"offspring_prop\": 0.2540908766574326, \"cx_prob\": "
                   "0.07652477005204852, \"mut_prob\": 0.7042420451497957, "
                   "\"tournsize\": 9}");
    char *first[] = { G, "run", "--no-env", "--problem", "sphere:d4", "--out",
                      run, "--settings", file, "--budget", "99", "--seed", "3",
                      "--quiet", NULL };
    char *out, *err;
    ck_assert_msg(tu_run(first, NULL, NULL, &out, &err) == 0, "%s", err);
    free(out);
    free(err);
    ck_assert_int_eq(tu_count_lines(log), 99);
    tu_write(file, "{\"population_size\": 8, \"strategy\": \"mu_plus_lambda\", "
                   "\"offspring_prop\": 1.560189185550718}");
    tu_rmrf(run);
    first[10] = "45";
    ck_assert_msg(tu_run(first, NULL, NULL, &out, &err) == 0, "%s", err);
    free(out);
    free(err);
    char *more[] = { G, "run", "--resume", run, "--budget", "101", NULL };
    ck_assert_msg(tu_run(more, NULL, NULL, &out, &err) == 0, "%s", err);
    free(out);
    free(err);
    ck_assert_int_eq(tu_count_lines(log), 101);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* A tuned entry for `simple` with cx_prob + mut_prob > 1 under a
 * --strategy mu_plus_lambda from the command line: the tuned pair is
 * scaled to sum 1 and said; the user's own pair above 1 stays an error. */
START_TEST(test_budget_tuned_probs_repaired)
{
    char *dir = tu_tmpdir("budget-repair");
    char run[4200], file[4200];
    snprintf(run, sizeof run, "%s/run", dir);
    snprintf(file, sizeof file, "%s/tuned.json", dir);
    tu_write(file, "{\"entries\": [{\"budget\": 100, \"workers\": 1, "
                   "\"settings\": {\"population_size\": 17, \"strategy\": "
                   "\"simple\", \"cx_prob\": 0.8, \"mut_prob\": 0.8}}]}");
    char *argv[] = { G, "run", "--no-env", "--problem", "sphere:d4", "--out",
                     run, "--tuned-defaults", file, "--budget", "100",
                     "--strategy", "mu_plus_lambda", NULL };
    char *out, *err;
    ck_assert_msg(tu_run(argv, NULL, NULL, &out, &err) == 0, "%s", err);
    ck_assert_msg(strstr(err, "the tuned defaults' cx_prob and mut_prob "
                              "scaled: cx_prob 0.5, mut_prob 0.5"), "%s", err);
    free(out);
    free(err);
    tu_rmrf(run);
    char *own[] = { G, "run", "--no-env", "--problem", "sphere:d4", "--out",
                    run, "--no-tuned-defaults", "--budget", "100", "--cx-prob",
                    "0.8", "--mut-prob", "0.8", NULL };
    ck_assert_int_eq(tu_run(own, NULL, NULL, &out, &err), 2);
    ck_assert_msg(strstr(err, "cx_prob + mut_prob <= 1"), "%s", err);
    free(out);
    free(err);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

Suite *budget_suite(void)
{
    Suite *s = suite_create("budget");
    TCase *tc = tcase_create("budget");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_budget_exact, 0,
                        (int)(NSTRAT * sizeof budgets / sizeof budgets[0]));
    tcase_add_loop_test(tc, test_budget_extend, 0, 3);
    tcase_add_test(tc, test_budget_population_from_env);
    tcase_add_test(tc, test_budget_settings_file_overrides_tuned);
    tcase_add_test(tc, test_budget_below_population);
    tcase_add_test(tc, test_random_strategy);
    tcase_add_test(tc, test_random_reproducible);
    tcase_add_test(tc, test_tuned_evidence_line);
    tcase_add_test(tc, test_budget_few_children);
    tcase_add_test(tc, test_budget_tuned_probs_repaired);
    suite_add_tcase(s, tc);
    return s;
}
