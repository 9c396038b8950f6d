/* check_cli.c - the gahpo command as a user meets it: the space lint, the
 * problem commands, bad input (exit 2, one clear message, nothing
 * written), settings precedence, and the files of a run. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cJSON.h>

#include "suites.h"
#include "testutil.h"

#define G (char *)tu_gahpo()

START_TEST(test_space_lint_real_files)
{
    const char *dir = tu_testdata("candle-spaces");
    if (!dir) {
        fprintf(stderr, "SKIPPED: ../shared/testdata/candle-spaces not found\n");
        return;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/combo_param_space_ga.json", dir);
    char *out, *err;
    int rc = tu_run((char *[]){ G, "space", path, NULL }, NULL, NULL, &out, &err);
    ck_assert_msg(rc == 0, "%s", err);
    ck_assert_ptr_nonnull(strstr(out, "21 parameters"));
    ck_assert_ptr_nonnull(strstr(out, "learning_rate"));
    ck_assert_ptr_nonnull(strstr(out, "sigma 0.0049995"));
    ck_assert_ptr_nonnull(strstr(out, "6 int values [32,64,128,256,512,1024]"));
    free(out);
    free(err);
    snprintf(path, sizeof path, "%s/tc1_param_space_ga.json", dir);
    rc = tu_run((char *[]){ G, "space", path, NULL }, NULL, NULL, &out, &err);
    ck_assert_int_eq(rc, 0);
    ck_assert_ptr_nonnull(strstr(err, "warning"));
    ck_assert_ptr_nonnull(strstr(err, "unknown key 'comment' ignored"));
    free(out);
    free(err);
}
END_TEST

START_TEST(test_space_lint_bad_file)
{
    char *dir = tu_tmpdir("lint");
    char path[4096];
    snprintf(path, sizeof path, "%s/hp.json", dir);
    tu_write(path, "[{\"name\": \"lr\", \"type\": \"float\", \"lower\": 0.1, "
                   "\"upper\": 0.01}]");
    char *out, *err;
    int rc = tu_run((char *[]){ G, "space", path, NULL }, NULL, NULL, &out, &err);
    ck_assert_int_eq(rc, 2);
    ck_assert_ptr_nonnull(strstr(err, path));
    ck_assert_ptr_nonnull(strstr(err, "'lr' (#0)"));
    ck_assert_ptr_nonnull(strstr(err, "must be less than 'upper'"));
    /* one message, not a cascade */
    ck_assert_ptr_null(strchr(strchr(err, '\n') + 1, '\n'));
    free(out);
    free(err);
    tu_write(path, "[{\"name\": \"lr\",\n  \"type\": \"float\",,}]");
    rc = tu_run((char *[]){ G, "space", path, NULL }, NULL, NULL, &out, &err);
    ck_assert_int_eq(rc, 2);
    ck_assert_ptr_nonnull(strstr(err, "hp.json:2:"));
    free(out);
    free(err);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(test_problems_commands)
{
    char *out, *err;
    int rc = tu_run((char *[]){ G, "problems", "list", NULL }, NULL, NULL, &out,
                    &err);
    ck_assert_int_eq(rc, 0);
    ck_assert_ptr_nonnull(strstr(out, "rastrigin:dD"));
    free(out);
    free(err);
    rc = tu_run((char *[]){ G, "problems", "eval", "rastrigin:d2", NULL },
                "0,0\n1,0\n0.5,0.5\n", NULL, &out, &err);
    ck_assert_int_eq(rc, 0);
    ck_assert_str_eq(out, "0\n1\n40.5\n");
    free(out);
    free(err);
    rc = tu_run((char *[]){ G, "problems", "eval", "sphere:d3", NULL },
                "1,2\n", NULL, &out, &err);
    ck_assert_int_eq(rc, 2);
    ck_assert_ptr_nonnull(strstr(err, "stdin:1"));
    ck_assert_ptr_nonnull(strstr(err, "needs 3"));
    free(out);
    free(err);
    rc = tu_run((char *[]){ G, "problems", "eval", "sphere:d3", NULL },
                "1,x,2\n", NULL, &out, &err);
    ck_assert_int_eq(rc, 2);
    free(out);
    free(err);
    rc = tu_run((char *[]){ G, "problems", "eval", "spherical:d3", NULL },
                "1,2,3\n", NULL, &out, &err);
    ck_assert_int_eq(rc, 2);
    ck_assert_ptr_nonnull(strstr(err, "unknown problem 'spherical:d3'"));
    free(out);
    free(err);
    /* an ordered value the parameter does not have is an error, not an
     * index (batch_size takes 16..512: "2" is not index 2) */
    rc = tu_run((char *[]){ G, "problems", "eval", "surrogate:deepttc", NULL },
                "0.0001,2,0.1,4,128,512,8,0.1,0.1,20\n", NULL, &out, &err);
    ck_assert_int_eq(rc, 2);
    ck_assert_ptr_nonnull(strstr(err, "'batch_size': \"2\" is not one of "
                                      "its values"));
    free(out);
    free(err);
    rc = tu_run((char *[]){ G, "problems", "eval", "surrogate:deepttc", NULL },
                "0.0001,64,0.1,4,128,512,8,0.1,0.1,20\n", NULL, &out, &err);
    ck_assert_int_eq(rc, 0);
    free(out);
    free(err);
}
END_TEST

/* Bad usage: exit 2, a message naming what is wrong, no run directory. */
typedef struct bad_run {
    const char *args[8];
    const char *expect;
} bad_run;

static const bad_run bad_runs[] = {
    { { "--problem", "sphere:d3", NULL }, "--out DIR is required" },
    { { "--problem", "sphere:d0", "--out", "@", NULL }, "dimension >= 1" },
    { { "--problem", "sphere:d3", "--out", "@", "--mut-prob", "2", NULL },
      "probability in [0, 1]" },
    { { "--problem", "sphere:d3", "--out", "@", "--mut-prob", "0.9", NULL },
      "cx_prob + mut_prob <= 1" },
    { { "--problem", "sphere:d3", "--out", "@", "--population-size", "1", NULL },
      "population_size must be >= 2" },
    { { "--problem", "sphere:d3", "--out", "@", "--frobnicate", "1", NULL },
      "unknown option '--frobnicate'" },
    { { "--out", "@", NULL }, "give --space FILE" },
    { { "--space", "/nonexistent.json", "--out", "@", "--", "true", NULL },
      "/nonexistent.json: cannot open" },
    { { "--problem", "sphere:d3", "--out", "@", "--settings", "/nonexistent.json",
        NULL }, "/nonexistent.json" },
    { { "--problem", "sphere:d3", "--out", "@", "--jobs", "0", NULL },
      "--jobs must be an integer >= 1" },
    { { "--problem", "sphere:d3", "--out", "@", "--", "true", NULL },
      "do not also give a model command" },
    { { "--resume", "@", NULL }, "not a gahpo run directory" },
};

START_TEST(test_bad_run_usage)
{
    char *dir = tu_tmpdir("badrun");
    char out_dir[4096];
    snprintf(out_dir, sizeof out_dir, "%s/run", dir);
    if (_i == (int)(sizeof bad_runs / sizeof bad_runs[0]) - 1)
        mkdir(out_dir, 0777);  /* --resume of a directory with no run */
    char *argv[16] = { G, "run", "--no-env" };
    int k = 3;
    for (int j = 0; bad_runs[_i].args[j]; j++)
        argv[k++] = strcmp(bad_runs[_i].args[j], "@") == 0
                        ? out_dir : (char *)bad_runs[_i].args[j];
    argv[k] = NULL;
    if (strcmp(bad_runs[_i].args[0], "--resume") == 0) {
        /* --resume takes no --no-env */
        memmove(argv + 2, argv + 3, (size_t)(k - 2) * sizeof *argv);
    }
    char *out, *err;
    int rc = tu_run(argv, NULL, NULL, &out, &err);
    ck_assert_msg(rc == 2, "case %d: exit %d, stderr: %s", _i, rc, err);
    ck_assert_msg(strstr(err, bad_runs[_i].expect) != NULL,
                  "case %d: expected '%s' in: %s", _i, bad_runs[_i].expect, err);
    char ckpt[4200];
    snprintf(ckpt, sizeof ckpt, "%s/checkpoint.json", out_dir);
    ck_assert_int_ne(access(ckpt, F_OK), 0);
    free(out);
    free(err);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

static cJSON *read_json(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *t = tu_read(path);
    cJSON *j = t ? cJSON_Parse(t) : NULL;
    free(t);
    return j;
}

START_TEST(test_run_problem_outputs)
{
    char *dir = tu_tmpdir("runp");
    char out_dir[4096];
    snprintf(out_dir, sizeof out_dir, "%s/r", dir);
    char *out, *err;
    int rc = tu_run((char *[]){ G, "run", "--no-env", "--problem", "sphere:d4",
                                "--out", out_dir, "--seed", "7", "--num-iter",
                                "6", NULL }, NULL, NULL, &out, &err);
    ck_assert_msg(rc == 0, "%s", err);
    ck_assert_ptr_nonnull(strstr(out, "best fitness:"));
    ck_assert_ptr_nonnull(strstr(out, "num_iter reached"));
    ck_assert_ptr_nonnull(strstr(err, "gen   5"));  /* progress lines */
    cJSON *best = read_json(out_dir, "best.json");
    ck_assert_ptr_nonnull(best);
    double f = cJSON_GetObjectItem(best, "fitness")->valuedouble;
    cJSON *params = cJSON_GetObjectItem(best, "params");
    double s = 0;
    for (int i = 0; i < 4; i++) {
        char name[8];
        snprintf(name, sizeof name, "x%d", i);
        double x = cJSON_GetObjectItem(params, name)->valuedouble;
        s += x * x;
    }
    ck_assert_double_eq(f, s);  /* the reported best is a real evaluation */
    ck_assert_int_eq(cJSON_GetObjectItem(best, "evaluations")->valueint,
                     16 + 5 * 8);
    cJSON_Delete(best);
    char path[4200];
    snprintf(path, sizeof path, "%s/stats.csv", out_dir);
    char *csv = tu_read(path);
    ck_assert_ptr_nonnull(csv);
    ck_assert(strncmp(csv, "gen,nevals,avg,std,min,max\n0,16,", 32) == 0);
    int lines = 0;
    for (char *c = csv; *c; c++)
        lines += *c == '\n';
    ck_assert_int_eq(lines, 7);
    free(csv);
    snprintf(path, sizeof path, "%s/evals.jsonl", out_dir);
    char *log = tu_read(path);
    lines = 0;
    for (char *c = log; *c; c++)
        lines += *c == '\n';
    ck_assert_int_eq(lines, 56);
    ck_assert_ptr_nonnull(strstr(log, "\"gen\":5,\"ind\":7,"));
    free(log);
    cJSON *pop = read_json(out_dir, "population.json");
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(pop, "population")), 16);
    cJSON_Delete(pop);
    /* same seed, same bytes, the evaluation log included (the run id is the
     * directory's name, so the second run has the same name elsewhere) */
    char out_dir2[4096];
    snprintf(out_dir2, sizeof out_dir2, "%s/again", dir);
    mkdir(out_dir2, 0777);
    snprintf(out_dir2, sizeof out_dir2, "%s/again/r", dir);
    free(out);
    free(err);
    rc = tu_run((char *[]){ G, "run", "--no-env", "--problem", "sphere:d4",
                            "--out", out_dir2, "--seed", "7", "--num-iter", "6",
                            "--quiet", NULL }, NULL, NULL, &out, &err);
    ck_assert_int_eq(rc, 0);
    const char *files[] = { "stats.csv", "best.json", "population.json",
                            "evals.jsonl" };
    for (int i = 0; i < 4; i++) {
        char p1[4200], p2[4200];
        snprintf(p1, sizeof p1, "%s/%s", out_dir, files[i]);
        snprintf(p2, sizeof p2, "%s/%s", out_dir2, files[i]);
        char *a = tu_read(p1), *b = tu_read(p2);
        ck_assert_str_eq(a, b);
        free(a);
        free(b);
    }
    free(out);
    free(err);
    /* the same directory again is refused, and nothing is overwritten */
    rc = tu_run((char *[]){ G, "run", "--no-env", "--problem", "sphere:d4",
                            "--out", out_dir, NULL }, NULL, NULL, &out, &err);
    ck_assert_int_eq(rc, 2);
    ck_assert_ptr_nonnull(strstr(err, "already holds a run"));
    free(out);
    free(err);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* command line > environment > settings file > tuned defaults > built-in */
START_TEST(test_settings_precedence)
{
    char *dir = tu_tmpdir("prec");
    char tuned[4096], sfile[4096], out_dir[4096];
    snprintf(tuned, sizeof tuned, "%s/tuned.json", dir);
    snprintf(sfile, sizeof sfile, "%s/settings.json", dir);
    tu_write(tuned, "{\"settings\": {\"population_size\": 10, \"num_iter\": 3,"
                    " \"tournsize\": 2, \"cx_prob\": 0.5, \"mut_prob\": 0.5},"
                    " \"provenance\": {\"sweep\": \"demo\"}}");
    tu_write(sfile, "{\"population_size\": 12, \"num_iter\": 4}");
    char *env[] = { "POPULATION_SIZE=14", NULL };
    snprintf(out_dir, sizeof out_dir, "%s/r", dir);
    char *out, *err;
    int rc = tu_run((char *[]){ G, "run", "--problem", "sphere:d2", "--out",
                                out_dir, "--tuned-defaults", tuned, "--settings",
                                sfile, "--seed", "3", "--quiet", NULL },
                    NULL, env, &out, &err);
    ck_assert_msg(rc == 0, "%s", err);
    cJSON *run = read_json(out_dir, "run.json");
    cJSON *s = cJSON_GetObjectItem(run, "settings");
    ck_assert_int_eq(cJSON_GetObjectItem(s, "population_size")->valueint, 14);
    ck_assert_int_eq(cJSON_GetObjectItem(s, "num_iter")->valueint, 4);
    ck_assert_int_eq(cJSON_GetObjectItem(s, "tournsize")->valueint, 2);
    ck_assert_int_eq(cJSON_GetObjectItem(s, "seed")->valueint, 3);
    ck_assert_double_eq(cJSON_GetObjectItem(s, "cx_prob")->valuedouble, 0.5);
    cJSON_Delete(run);
    free(out);
    free(err);
    /* the command line beats the environment */
    snprintf(out_dir, sizeof out_dir, "%s/r2", dir);
    rc = tu_run((char *[]){ G, "run", "--problem", "sphere:d2", "--out", out_dir,
                            "--population-size", "8", "--quiet", NULL },
                NULL, env, &out, &err);
    ck_assert_int_eq(rc, 0);
    run = read_json(out_dir, "run.json");
    s = cJSON_GetObjectItem(run, "settings");
    ck_assert_int_eq(cJSON_GetObjectItem(s, "population_size")->valueint, 8);
    cJSON_Delete(run);
    free(out);
    free(err);
    /* a bad environment value is named */
    char *bad_env[] = { "TOURNSIZE=four", NULL };
    snprintf(out_dir, sizeof out_dir, "%s/r3", dir);
    rc = tu_run((char *[]){ G, "run", "--problem", "sphere:d2", "--out", out_dir,
                            NULL }, NULL, bad_env, &out, &err);
    ck_assert_int_eq(rc, 2);
    ck_assert_ptr_nonnull(strstr(err, "environment variable TOURNSIZE"));
    free(out);
    free(err);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(test_stop_rules_cli)
{
    char *dir = tu_tmpdir("stop");
    char out_dir[4096];
    snprintf(out_dir, sizeof out_dir, "%s/r", dir);
    char *out, *err;
    int rc = tu_run((char *[]){ G, "run", "--no-env", "--problem", "sphere:d2",
                                "--out", out_dir, "--num-iter", "500",
                                "--target", "0.01", NULL }, NULL, NULL, &out, &err);
    ck_assert_msg(rc == 0, "%s", err);
    ck_assert_ptr_nonnull(strstr(out, "stopped: target reached"));
    cJSON *best = read_json(out_dir, "best.json");
    ck_assert_ptr_nonnull(strstr(cJSON_GetObjectItem(best, "stop_reason")->valuestring,
                                 "target reached"));
    ck_assert(cJSON_GetObjectItem(best, "fitness")->valuedouble <= 0.01);
    cJSON_Delete(best);
    free(out);
    free(err);
    snprintf(out_dir, sizeof out_dir, "%s/r2", dir);
    rc = tu_run((char *[]){ G, "run", "--no-env", "--problem", "rastrigin:d2",
                            "--out", out_dir, "--num-iter", "100000", "--stall",
                            "5", NULL }, NULL, NULL, &out, &err);
    ck_assert_int_eq(rc, 0);
    ck_assert_ptr_nonnull(strstr(out, "no improvement for 5 generations"));
    free(out);
    free(err);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* plot-space on a run's own evaluation log: one data row per evaluation,
 * a script, and a clear error for a parameter that is not in the space. */
START_TEST(test_plot_space)
{
    char *dir = tu_tmpdir("plot");
    char run[4200], space[4200], log[4300], out[4200];
    snprintf(run, sizeof run, "%s/run", dir);
    snprintf(space, sizeof space, "%s/problems/spaces/cnn.json", tu_root());
    snprintf(log, sizeof log, "%s/evals.jsonl", run);
    snprintf(out, sizeof out, "%s/plots", dir);
    char *o, *e;
    ck_assert_int_eq(tu_run((char *[]){ G, "run", "--no-env", "--problem",
                                        "mixed:cnn", "--out", run, "--num-iter",
                                        "4", "--quiet", NULL }, NULL, NULL, &o, &e), 0);
    free(o);
    free(e);
    int rc = tu_run((char *[]){ G, "plot-space", "--space", space, "--log", log,
                                "--objective", "fitness", "--out", out, NULL },
                    NULL, NULL, &o, &e);
    ck_assert_msg(rc == 0, "%s", e);
    ck_assert_ptr_nonnull(strstr(o, "40 evaluations"));  /* 16 + 3 x 8 */
    free(o);
    free(e);
    char path[4300];
    snprintf(path, sizeof path, "%s/space.dat", out);
    char *dat = tu_read(path);
    int lines = 0;
    for (char *c = dat; *c; c++)
        lines += *c == '\n';
    ck_assert_int_eq(lines, 40);
    free(dat);
    snprintf(path, sizeof path, "%s/plots.gp", out);
    ck_assert_int_eq(access(path, F_OK), 0);
    rc = tu_run((char *[]){ G, "plot-space", "--space", space, "--log", log,
                            "--out", out, "--params", "learning_rate,colour", NULL },
                NULL, NULL, &o, &e);
    ck_assert_int_eq(rc, 2);
    ck_assert_ptr_nonnull(strstr(e, "no parameter 'colour'"));
    free(o);
    free(e);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* gahpo problems eval as a long-lived objective for other tools: each
 * answer comes before stdin is closed (flushed per line), the values are
 * the problem's own; seeded, a noisy problem's line k has the same noise
 * for the same seed whatever came before it, another seed other noise. */
START_TEST(test_problems_eval_serves)
{
    int to[2], from[2];
    ck_assert(pipe(to) == 0 && pipe(from) == 0);
    pid_t pid = fork();
    ck_assert(pid >= 0);
    if (pid == 0) {
        dup2(to[0], 0);
        dup2(from[1], 1);
        close(to[1]);
        close(from[0]);
        execl(tu_gahpo(), "gahpo", "problems", "eval", "sphere:d2", (char *)NULL);
        _exit(127);
    }
    close(to[0]);
    close(from[1]);
    FILE *w = fdopen(to[1], "w"), *r = fdopen(from[0], "r");
    char line[128];
    const char *pts[] = { "1,2", "0.5,-0.5", "0,0" };
    const double want[] = { 5, 0.5, 0 };
    for (int i = 0; i < 3; i++) {
        fprintf(w, "%s\n", pts[i]);
        fflush(w);
        alarm(20);  /* an unflushed answer would hang here */
        ck_assert_ptr_nonnull(fgets(line, sizeof line, r));
        alarm(0);
        ck_assert_double_eq_tol(strtod(line, NULL), want[i], 1e-12);
    }
    fclose(w);
    fclose(r);
    int status;
    waitpid(pid, &status, 0);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    /* seeded noise */
    const char *pt = "1.5,-2,3,3,7,0.5,centre,false\n";
    char two[512], one_other[512];
    snprintf(two, sizeof two, "%s%s", pt, pt);
    char *a, *b, *c, *d, *e;
    char *s5[] = { G, "problems", "eval", "mixed:ripple:noisy", "--seed", "5",
                   NULL };
    char *s6[] = { G, "problems", "eval", "mixed:ripple:noisy", "--seed", "6",
                   NULL };
    ck_assert_int_eq(tu_run(s5, two, NULL, &a, &e), 0);
    free(e);
    ck_assert_int_eq(tu_run(s5, two, NULL, &b, &e), 0);
    free(e);
    ck_assert_str_eq(a, b);
    free(b);
    ck_assert_int_eq(tu_run(s6, two, NULL, &c, &e), 0);
    free(e);
    ck_assert_str_ne(a, c);
    char *nl = strchr(a, '\n');
    ck_assert(nl && strcmp(nl + 1, a) != 0);   /* line 2 its own noise */
    snprintf(one_other, sizeof one_other, "0,0,0,1,2,5,left,true\n%s", pt);
    ck_assert_int_eq(tu_run(s5, one_other, NULL, &d, &e), 0);
    free(e);
    ck_assert_str_eq(strchr(d, '\n') + 1, nl + 1);
    char *bad[] = { G, "problems", "eval", "sphere:d2", "--seed", "x", NULL };
    ck_assert_int_eq(tu_run(bad, "1,2\n", NULL, &b, &e), 2);
    ck_assert_msg(strstr(e, "--seed takes an integer"), "%s", e);
    free(a);
    free(b);
    free(c);
    free(d);
    free(e);
}
END_TEST

Suite *cli_suite(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("cli");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_space_lint_real_files);
    tcase_add_test(tc, test_space_lint_bad_file);
    tcase_add_test(tc, test_problems_commands);
    tcase_add_test(tc, test_problems_eval_serves);
    tcase_add_loop_test(tc, test_bad_run_usage, 0,
                        (int)(sizeof bad_runs / sizeof bad_runs[0]));
    tcase_add_test(tc, test_run_problem_outputs);
    tcase_add_test(tc, test_settings_precedence);
    tcase_add_test(tc, test_stop_rules_cli);
    tcase_add_test(tc, test_plot_space);
    suite_add_tcase(s, tc);
    return s;
}

/* ---- csv and problems: small unit suites ----------------------------- */
