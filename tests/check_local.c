/* check_local.c - the local executor with a stand-in model script
 * (tests/models/model.py): results read back, each kind of failure turned
 * into NaN with its reason, timeouts, and hostile values reaching the model
 * byte for byte without running anything. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cJSON.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "../exec/job.h"
#include "../exec/exec.h"
#include "../ga/util.h"
#include "suites.h"
#include "testutil.h"

#define G (char *)tu_gahpo()

static char model[4096];

static void setup(void)
{
    snprintf(model, sizeof model, "%s/tests/models/model.py", tu_root());
}

static const char *space_text =
    "[{\"name\":\"x\",\"type\":\"float\",\"lower\":-2,\"upper\":2},"
    " {\"name\":\"n\",\"type\":\"int\",\"lower\":0,\"upper\":3},"
    " {\"name\":\"opt\",\"type\":\"categorical\",\"element_type\":\"string\","
    "\"values\":[\"adam\",\"sgd\"]},"
    " {\"name\":\"bs\",\"type\":\"ordered\",\"element_type\":\"int\","
    "\"values\":[16,32]},"
    " {\"name\":\"res\",\"type\":\"logical\"},"
    " {\"name\":\"tag\",\"type\":\"constant\",\"value\":\"t\"}]";

static int run_model(const char *dir, const char *mode, char **out, char **err,
                     const char *extra1, const char *extra2)
{
    char space[4200], out_dir[4200];
    snprintf(space, sizeof space, "%s/hp.json", dir);
    tu_write(space, space_text);
    snprintf(out_dir, sizeof out_dir, "%s/run", dir);
    char *argv[32] = { G, "run", "--no-env", "--space", space, "--out", out_dir,
                       "--population-size", "4", "--num-iter", "2", "--jobs",
                       "2", "--quiet" };
    int k = 14;
    if (extra1) {
        argv[k++] = (char *)extra1;
        argv[k++] = (char *)extra2;
    }
    argv[k++] = "--";
    argv[k++] = model;
    argv[k++] = (char *)mode;
    argv[k] = NULL;
    return tu_run(argv, NULL, NULL, out, err);
}

START_TEST(test_model_ok)
{
    char *dir = tu_tmpdir("ok");
    char *out, *err;
    int rc = run_model(dir, "ok", &out, &err, NULL, NULL);
    ck_assert_msg(rc == 0, "%s", err);
    char run[4200];
    snprintf(run, sizeof run, "%s/run", dir);
    int lines, failed, r;
    tu_scan_log(run, &lines, &failed, NULL, &r);
    ck_assert_int_eq(lines, 4 + 2);
    ck_assert_int_eq(failed, 0);
    /* the job directory holds params.json, the model's output files */
    char path[4300];
    snprintf(path, sizeof path, "%s/gen_0/ind_3/params.json", run);
    char *params = tu_read(path);
    ck_assert_ptr_nonnull(params);
    cJSON *p = cJSON_Parse(params);
    ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(p, "x")));
    ck_assert(cJSON_IsBool(cJSON_GetObjectItem(p, "res")));
    ck_assert_str_eq(cJSON_GetObjectItem(p, "tag")->valuestring, "t");
    cJSON_Delete(p);
    free(params);
    snprintf(path, sizeof path, "%s/gen_0/ind_3/stdout.txt", run);
    ck_assert_int_eq(access(path, F_OK), 0);
    /* the flags reach the model as --name value */
    snprintf(path, sizeof path, "%s/gen_0/ind_3/argv.json", run);
    char *argv = tu_read(path);
    cJSON *a = cJSON_Parse(argv);
    ck_assert_int_eq(cJSON_GetArraySize(a), 12);
    ck_assert_str_eq(cJSON_GetArrayItem(a, 0)->valuestring, "--x");
    ck_assert_str_eq(cJSON_GetArrayItem(a, 10)->valuestring, "--tag");
    const char *res = cJSON_GetArrayItem(a, 9)->valuestring;
    ck_assert(strcmp(res, "True") == 0 || strcmp(res, "False") == 0);
    cJSON_Delete(a);
    free(argv);
    free(out);
    free(err);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(test_model_plain_number_result)
{
    char *dir = tu_tmpdir("num");
    char *out, *err;
    int rc = run_model(dir, "number", &out, &err, "--result-file", "result.txt");
    ck_assert_msg(rc == 0, "%s", err);
    char run[4200];
    snprintf(run, sizeof run, "%s/run", dir);
    int lines, failed, r;
    tu_scan_log(run, &lines, &failed, NULL, &r);
    ck_assert_int_eq(failed, 0);
    free(out);
    free(err);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* Each failure mode: every evaluation fails with its reason logged; with
 * the default (CANDLE's mean rule) and nothing valid in generation 0 the
 * run stops with status 1 and a clear message. */
typedef struct failure {
    const char *mode, *reason;
} failure;

static const failure failures[] = {
    { "fail", "exit status 3" },
    { "garbage", "cannot parse" },
    { "nan", "the objective is NaN" },
    { "number", "no result file result.json" },
};

START_TEST(test_model_failures)
{
    char *dir = tu_tmpdir("fail");
    char *out, *err;
    int rc = run_model(dir, failures[_i].mode, &out, &err, NULL, NULL);
    ck_assert_int_eq(rc, 1);
    ck_assert_ptr_nonnull(strstr(err, "all 4 evaluations in generation 0 failed"));
    char run[4200];
    snprintf(run, sizeof run, "%s/run", dir);
    int lines, failed, with_reason;
    tu_scan_log(run, &lines, &failed, failures[_i].reason, &with_reason);
    ck_assert_int_eq(lines, 4);
    ck_assert_int_eq(failed, 4);
    ck_assert_int_eq(with_reason, 4);
    free(out);
    free(err);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(test_model_timeout_kills_group)
{
    char *dir = tu_tmpdir("timeout");
    char *out, *err;
    double t0 = (double)time(NULL);
    int rc = run_model(dir, "sleep", &out, &err, "--timeout", "0.5");
    double took = (double)time(NULL) - t0;
    ck_assert_int_eq(rc, 1);
    ck_assert(took < 20);  /* 4 jobs of 60 s, 2 at a time: killed */
    char run[4200];
    snprintf(run, sizeof run, "%s/run", dir);
    int lines, failed, with_reason;
    tu_scan_log(run, &lines, &failed, "timeout after 0.5 s", &with_reason);
    ck_assert_int_eq(with_reason, 4);
    free(out);
    free(err);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* Values with quotes, spaces, $(), ;, backticks and newlines reach the
 * model byte for byte, in argv and params.json, and execute nothing. */
START_TEST(test_hostile_values)
{
    char *dir = tu_tmpdir("hostile");
    char space[4200], out_dir[4200], marker[4200];
    snprintf(marker, sizeof marker, "%s/pwned", dir);
    const char *values[] = {
        "a b", "it's \"quoted\"", "$(touch PWNED)", "; touch PWNED;",
        "`touch PWNED`", "line1\nline2", "--x", "-", "*", "$HOME",
    };
    /* categorical values are the hostile strings; PWNED is the marker */
    cJSON *sp = cJSON_CreateArray();
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "name", "v");
    cJSON_AddStringToObject(p, "type", "categorical");
    cJSON_AddStringToObject(p, "element_type", "string");
    cJSON *vals = cJSON_AddArrayToObject(p, "values");
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char v[4300];
        snprintf(v, sizeof v, "%s", values[i]);
        char *at = strstr(v, "PWNED");
        if (at) {  /* point the would-be command at the marker file */
            char tail[4300];
            snprintf(tail, sizeof tail, "%s", at + 5);
            snprintf(at, sizeof v - (size_t)(at - v), "%s%s", marker, tail);
        }
        cJSON_AddItemToArray(vals, cJSON_CreateString(v));
    }
    cJSON_AddItemToArray(sp, p);
    char *text = cJSON_Print(sp);
    snprintf(space, sizeof space, "%s/hp.json", dir);
    tu_write(space, text);
    free(text);
    snprintf(out_dir, sizeof out_dir, "%s/run", dir);
    char *out, *err;
    int rc = tu_run((char *[]){ G, "run", "--no-env", "--space", space, "--out",
                                out_dir, "--population-size", "30", "--num-iter",
                                "1", "--jobs", "2", "--quiet", "--", model, "ok",
                                NULL }, NULL, NULL, &out, &err);
    ck_assert_msg(rc == 0, "%s", err);
    ck_assert_int_ne(access(marker, F_OK), 0);  /* nothing ran */
    for (int i = 0; i < 30; i++) {
        char path[4400];
        snprintf(path, sizeof path, "%s/gen_0/ind_%d/argv.json", out_dir, i);
        char *argv = tu_read(path);
        ck_assert_ptr_nonnull(argv);
        cJSON *a = cJSON_Parse(argv);
        snprintf(path, sizeof path, "%s/gen_0/ind_%d/params.json", out_dir, i);
        char *params = tu_read(path);
        cJSON *pj = cJSON_Parse(params);
        const char *from_argv = cJSON_GetArrayItem(a, 1)->valuestring;
        const char *from_params = cJSON_GetObjectItem(pj, "v")->valuestring;
        ck_assert_str_eq(from_argv, from_params);
        int known = 0;
        const cJSON *v;
        cJSON_ArrayForEach(v, vals) known |= strcmp(v->valuestring, from_argv) == 0;
        ck_assert_msg(known, "value changed on the way: [%s]", from_argv);
        cJSON_Delete(a);
        cJSON_Delete(pj);
        free(argv);
        free(params);
    }
    cJSON_Delete(sp);
    free(out);
    free(err);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(test_init_population_from_csv)
{
    char *dir = tu_tmpdir("init");
    char csv[4200];
    snprintf(csv, sizeof csv, "%s/init.csv", dir);
    tu_write(csv, "x,n,opt,bs,res,val_loss\n1.5,3,sgd,32,true,9\n"
                  "-0.25,0,adam,16,False,1\n");
    char *out, *err;
    int rc = run_model(dir, "ok", &out, &err, "--init-population", csv);
    ck_assert_msg(rc == 0, "%s", err);
    ck_assert_ptr_nonnull(strstr(err, "'val_loss'"));  /* ignored, said so */
    char path[4300];
    snprintf(path, sizeof path, "%s/run/gen_0/ind_1/params.json", dir);
    char *params = tu_read(path);
    cJSON *p = cJSON_Parse(params);
    ck_assert_double_eq(cJSON_GetObjectItem(p, "x")->valuedouble, -0.25);
    ck_assert_str_eq(cJSON_GetObjectItem(p, "opt")->valuestring, "adam");
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(p, "res")));
    cJSON_Delete(p);
    free(params);
    free(out);
    free(err);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* --cache: on a space of 6 configurations, most individuals repeat one
 * already evaluated; each configuration runs the model once, the rest are
 * logged as cached with the same fitness. */
START_TEST(test_cache)
{
    char *dir = tu_tmpdir("cache");
    char space[4200], out_dir[4200];
    snprintf(space, sizeof space, "%s/hp.json", dir);
    snprintf(out_dir, sizeof out_dir, "%s/run", dir);
    tu_write(space, "[{\"name\":\"bs\",\"type\":\"ordered\",\"element_type\":"
                    "\"int\",\"values\":[1,2,3]},{\"name\":\"res\",\"type\":"
                    "\"logical\"}]");
    char *out, *err;
    int rc = tu_run((char *[]){ G, "run", "--no-env", "--space", space, "--out",
                                out_dir, "--population-size", "8", "--num-iter",
                                "4", "--jobs", "2", "--cache", "--quiet", "--",
                                model, "ok", NULL }, NULL, NULL, &out, &err);
    ck_assert_msg(rc == 0, "%s", err);
    char path[4300];
    snprintf(path, sizeof path, "%s/evals.jsonl", out_dir);
    char *log = tu_read(path);
    int lines = 0, cached = 0, ran = 0;
    double seen[3][2];
    int have[3][2] = { { 0 } };
    for (char *line = log; *line;) {
        char *nl = strchr(line, '\n');
        *nl = '\0';
        cJSON *o = cJSON_Parse(line);
        lines++;
        int c = cJSON_IsTrue(cJSON_GetObjectItem(o, "cached"));
        cached += c;
        ran += !c;
        cJSON *p = cJSON_GetObjectItem(o, "params");
        int bs = cJSON_GetObjectItem(p, "bs")->valueint - 1;
        int res = cJSON_IsTrue(cJSON_GetObjectItem(p, "res"));
        double f = cJSON_GetObjectItem(o, "fitness")->valuedouble;
        if (have[bs][res])
            ck_assert_double_eq(f, seen[bs][res]);  /* the same fitness */
        else
            ck_assert_msg(!c, "a first evaluation logged as cached");
        have[bs][res] = 1;
        seen[bs][res] = f;
        cJSON_Delete(o);
        line = nl + 1;
    }
    ck_assert_int_eq(lines, 8 + 3 * 4);
    ck_assert_int_le(ran, 6);   /* once per configuration at most */
    ck_assert_int_ge(cached, lines - 6);
    free(log);
    free(out);
    free(err);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* CANDLE's BENCHMARK_TIMEOUT is the per-model limit when --timeout is not
 * given; a bad value is refused (exit 2); --no-env ignores it. */
START_TEST(test_benchmark_timeout_env)
{
    char *dir = tu_tmpdir("bench-timeout");
    char space[4200], run[4200];
    snprintf(space, sizeof space, "%s/hp.json", dir);
    tu_write(space, space_text);
    snprintf(run, sizeof run, "%s/run", dir);
    char *argv[] = { G, "run", "--space", space, "--out", run,
                     "--population-size", "2", "--num-iter", "1", "--quiet",
                     "--nan-policy", "worst", "--", model, "sleep", NULL };
    char *out, *err;
    int rc = tu_run(argv, NULL, (char *[]){ "BENCHMARK_TIMEOUT=0.5", NULL },
                    &out, &err);
    free(out);
    free(err);
    (void)rc;  /* every evaluation timed out */
    int lines, failed, with;
    tu_scan_log(run, &lines, &failed, "timeout after 0.5 s", &with);
    ck_assert_int_eq(lines, 2);
    ck_assert_int_eq(with, 2);
    snprintf(run, sizeof run, "%s/run2", dir);
    argv[5] = run;
    rc = tu_run(argv, NULL, (char *[]){ "BENCHMARK_TIMEOUT=soon", NULL }, &out,
                &err);
    ck_assert_int_eq(rc, 2);
    ck_assert_ptr_nonnull(strstr(err, "$BENCHMARK_TIMEOUT"));
    free(out);
    free(err);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* --strategy async with the local executor: every evaluation of the
 * budget (6 + 4 x 3) logged once, each one the model ran (not reused from
 * the cache) ran exactly once, a row of stats per 3 evaluations after the
 * first 6, and a failing model's evaluations end as NaN with the reason. */
START_TEST(test_async_local)
{
    char *dir = tu_tmpdir("async-local");
    char space[4200], run[4200], path[4300];
    snprintf(space, sizeof space, "%s/hp.json", dir);
    tu_write(space, space_text);
    snprintf(run, sizeof run, "%s/run", dir);
    char *argv[] = { G, "run", "--no-env", "--space", space, "--out", run,
                     "--strategy", "async", "--population-size", "6",
                     "--num-iter", "5", "--jobs", "3", "--seed", "4", "--quiet",
                     "--", model, "slow", NULL };
    char *out, *err;
    int rc = tu_run(argv, NULL, NULL, &out, &err);
    ck_assert_msg(rc == 0, "%s", err);
    free(out);
    free(err);
    int ran = tu_check_async_log(run, 18);
    ck_assert_int_eq(tu_count_calls(run), ran);
    snprintf(path, sizeof path, "%s/stats.csv", run);
    char *stats = tu_read(path);
    int rows = 0;
    for (char *p = stats; *p; p++)
        rows += *p == '\n';
    ck_assert_int_eq(rows, 1 + 5);
    ck_assert_ptr_nonnull(strstr(stats, "\n0,6,"));
    ck_assert_ptr_nonnull(strstr(stats, "\n4,3,"));
    free(stats);
    snprintf(path, sizeof path, "%s/best.json", run);
    char *best = tu_read(path);
    cJSON *b = cJSON_Parse(best);
    ck_assert_str_eq(cJSON_GetObjectItem(b, "strategy")->valuestring, "async");
    ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(b, "fitness")));
    ck_assert_int_eq((int)cJSON_GetObjectItem(b, "evaluations")->valuedouble,
                     18);
    ck_assert_ptr_nonnull(strstr(cJSON_GetObjectItem(b, "stop_reason")
                                     ->valuestring, "num_iter reached"));
    cJSON_Delete(b);
    free(best);
    /* a model that always fails: NaN with the reason; once the first
     * population_size (6) evaluations have all failed there is nothing to
     * breed from, and the run stops (exit 1), as a generational one does */
    char run2[4200];
    snprintf(run2, sizeof run2, "%s/run2", dir);
    argv[6] = run2;
    argv[20] = "fail";
    rc = tu_run(argv, NULL, NULL, &out, &err);
    ck_assert_int_eq(rc, 1);
    ck_assert_msg(strstr(err, "all 6 evaluations so far failed (the last: "
                              "exit status 3"), "%s", err);
    free(out);
    free(err);
    int lines, failed, with;
    tu_scan_log(run2, &lines, &failed, "exit status 3", &with);
    ck_assert_int_eq(lines, 6);
    ck_assert_int_eq(with, 6);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* max_seconds in an async run ends it at the limit, not when the next
 * evaluation finishes: models that would sleep 60 s are stopped after 1 s. */
START_TEST(test_async_max_seconds)
{
    char *dir = tu_tmpdir("async-maxsec");
    char space[4200], run[4200], path[4300];
    snprintf(space, sizeof space, "%s/hp.json", dir);
    tu_write(space, space_text);
    snprintf(run, sizeof run, "%s/run", dir);
    char *argv[] = { G, "run", "--no-env", "--space", space, "--out", run,
                     "--strategy", "async", "--population-size", "4",
                     "--jobs", "2", "--max-seconds", "1", "--quiet", "--",
                     model, "sleep", NULL };
    char *out, *err;
    double t0 = (double)time(NULL);
    int rc = tu_run(argv, NULL, NULL, &out, &err);
    double took = (double)time(NULL) - t0;
    ck_assert_msg(rc == 0, "%s", err);
    free(out);
    free(err);
    ck_assert_msg(took < 10, "took %g s", took);
    snprintf(path, sizeof path, "%s/best.json", run);
    char *best = tu_read(path);
    ck_assert_ptr_nonnull(strstr(best, "wall-clock limit reached"));
    ck_assert_ptr_nonnull(strstr(best, "2 evaluations in flight were stopped"));
    free(best);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* kill -9 of an async local run, twice, then --resume: every evaluation
 * logged exactly once; the models that were running when the driver died
 * are stopped and run again (the local executor cannot adopt them), so the
 * model runs at most (in flight) x (kills) times more than it was logged. */
START_TEST(test_async_local_kill_resume)
{
    char *dir = tu_tmpdir("async-local-kill");
    char space[4200], run[4200];
    snprintf(space, sizeof space, "%s/hp.json", dir);
    tu_write(space, space_text);
    snprintf(run, sizeof run, "%s/run", dir);
    char *argv[] = { G, "run", "--no-env", "--space", space, "--out", run,
                     "--strategy", "async", "--population-size", "6",
                     "--num-iter", "8", "--jobs", "3", "--seed", "4", "--quiet",
                     "--", model, "slow", NULL };
    char *resume[] = { G, "run", "--resume", run, "--quiet", NULL };
    for (int k = 0; k < 2; k++) {
        pid_t pid = tu_spawn_quiet(k ? resume : argv);
        struct timespec ts = { 0, 400 * 1000 * 1000 };
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    char *out, *err;
    int rc = tu_run(resume, NULL, NULL, &out, &err);
    ck_assert_msg(rc == 0, "%s", err);
    free(out);
    free(err);
    int ran = tu_check_async_log(run, 6 + 7 * 3);
    int calls = tu_count_calls(run);
    ck_assert_int_ge(calls, ran);
    ck_assert_int_le(calls, ran + 3 * 2);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* ---- the result file, read without running a model ------------------ */

/* What the model left as result.json, and the reason it must give. */
typedef enum { R_FIFO, R_DEV_ZERO, R_OVERSIZED, R_DIRECTORY, R_NUL_BYTE,
               R_EMPTY, R_BACKSLASH_NAN, R_MISSING, R_LINK_TO_FILE } result_kind;

typedef struct result_case {
    result_kind kind;
    const char *reason;   /* NULL: the evaluation succeeds */
} result_case;

static const result_case result_cases[] = {
    { R_FIFO, "result.json: not a regular file (a FIFO)" },
    { R_DEV_ZERO, "result.json: not a regular file (a character device)" },
    { R_OVERSIZED, "result.json: 1048577 bytes, more than the limit of "
      "1048576 bytes (1 MiB)" },
    { R_DIRECTORY, "result.json: not a regular file (a directory)" },
    { R_NUL_BYTE, "result.json: a NUL byte at byte 3" },
    { R_EMPTY, "result.json: cannot parse: the file is empty" },
    { R_BACKSLASH_NAN, "result.json: the objective is NaN" },
    { R_MISSING, "no result file result.json" },
    { R_LINK_TO_FILE, NULL },
};

static void make_result(const char *dir, result_kind kind)
{
    char path[4200], other[4200];
    snprintf(path, sizeof path, "%s/result.json", dir);
    snprintf(other, sizeof other, "%s/real.json", dir);
    FILE *f;
    switch (kind) {
    case R_FIFO:
        ck_assert_int_eq(mkfifo(path, 0600), 0);
        break;
    case R_DEV_ZERO:
        ck_assert_int_eq(symlink("/dev/zero", path), 0);
        break;
    case R_OVERSIZED:  /* a valid number, padded one byte past the limit */
        f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fputs("0.5", f);
        for (long i = 3; i < 1048577; i++)
            fputc(' ', f);
        fclose(f);
        break;
    case R_DIRECTORY:
        ck_assert_int_eq(mkdir(path, 0700), 0);
        break;
    case R_NUL_BYTE:
        f = fopen(path, "wb");
        ck_assert_ptr_nonnull(f);
        fwrite("0.5\0junk", 1, 8, f);
        fclose(f);
        break;
    case R_EMPTY:
        tu_write(path, " \n");
        break;
    case R_BACKSLASH_NAN:  /* a string ending in a backslash, as json.dump
                              writes "a\\" */
        tu_write(path, "{\"note\": \"a\\\\\", \"val_loss\": NaN}");
        break;
    case R_MISSING:
        break;
    case R_LINK_TO_FILE:
        tu_write(other, "{\"val_loss\": 0.25}\n");
        ck_assert_int_eq(symlink("real.json", path), 0);
        break;
    }
}

/* Whatever the model leaves, reading it neither blocks nor takes the
 * driver's memory: a FIFO, a link to /dev/zero, a huge file are each a
 * failed evaluation with the reason. */
START_TEST(test_result_file_kinds)
{
    const result_case *c = &result_cases[_i];
    char *dir = tu_tmpdir("result");
    make_result(dir, c->kind);
    ga_result r = { .fitness = NAN };
    double t0 = ga_now();
    ga_exec_read_result(dir, "result.json", "val_loss", &r);
    ck_assert_msg(ga_now() - t0 < 2, "case %d: took %g s", _i, ga_now() - t0);
    if (c->reason) {
        ck_assert_msg(isnan(r.fitness), "case %d: read %g", _i, r.fitness);
        ck_assert_msg(strstr(r.reason, c->reason) != NULL, "case %d: expected "
                      "'%s' in: %s", _i, c->reason, r.reason);
    } else {
        ck_assert_msg(r.fitness == 0.25, "case %d: %s", _i, r.reason);
    }
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* Out of memory while reading the result is said, not taken for a missing
 * file: the address space is capped just above what the test uses (in the
 * forked test process only; not under ASan, whose shadow memory needs
 * more). */
START_TEST(test_result_out_of_memory)
{
#ifdef __SANITIZE_ADDRESS__
    fprintf(stderr, "SKIPPED: out-of-memory read under ASan\n");
#else
    const char *fork_mode = getenv("CK_FORK");
    if (fork_mode && strcmp(fork_mode, "no") == 0) {
        fprintf(stderr, "SKIPPED: out-of-memory read needs CK_FORK\n");
        return;
    }
    char *dir = tu_tmpdir("resultoom");
    char path[4200];
    snprintf(path, sizeof path, "%s/result.json", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("0.5", f);
    for (int i = 3; i < 1000000; i++)
        fputc(' ', f);
    fclose(f);
    unsigned long pages = 0;
    f = fopen("/proc/self/statm", "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fscanf(f, "%lu", &pages), 1);
    fclose(f);
    struct rlimit old, tight;
    ck_assert_int_eq(getrlimit(RLIMIT_AS, &old), 0);
    tight = old;
    tight.rlim_cur = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + 65536;
    ga_result r = { .fitness = NAN };
    ck_assert_int_eq(setrlimit(RLIMIT_AS, &tight), 0);
    ga_exec_read_result(dir, "result.json", "val_loss", &r);
    setrlimit(RLIMIT_AS, &old);
    ck_assert(isnan(r.fitness));
    ck_assert_msg(strstr(r.reason, "result.json: out of memory") != NULL, "%s",
                  r.reason);
    tu_rmrf(dir);
    free(dir);
#endif
}
END_TEST

/* One number or one JSON object, nothing after it but blanks; Python's
 * NaN and Infinity as its json module writes them. */
typedef struct parse_case {
    const char *text;
    double value;        /* when expect is NULL */
    const char *expect;  /* words of the reason; NULL: parses to value */
} parse_case;

static const parse_case parse_cases[] = {
    { "0.25", 0.25, NULL },
    { " 0.25\n", 0.25, NULL },
    { "-1e-3\r\n", -1e-3, NULL },
    { "{\"val_loss\": 0.5}", 0.5, NULL },
    { "{\"val_loss\": 0.5, \"acc\": [1, {\"val_loss\": 2}]}\n\n", 0.5, NULL },
    { "{\"val_loss\": \"0.5\"}", 0.5, NULL },
    { "nan\n", NAN, NULL },
    { "NaN", NAN, NULL },
    { "{\"val_loss\": NaN}", NAN, NULL },
    { "{\"val_loss\": null}", NAN, NULL },
    { "{\"note\": \"a\\\\\", \"val_loss\": NaN}", NAN, NULL },
    { "{\"note\": \"\\\\\\\"NaN\\\\\", \"val_loss\": -Infinity}", -INFINITY, NULL },
    { "{\"note\": \"NaN \\\" Infinity\", \"val_loss\": 1}", 1, NULL },
    { "Infinity", INFINITY, NULL },
    { "1e999", INFINITY, NULL },
    /* trailing text */
    { "0,125", 0, "a number followed by other text (',' at byte 1)" },
    { "12%", 0, "a number followed by other text ('%' at byte 2)" },
    { "0.9 0.1", 0, "a number followed by other text ('0' at byte 4)" },
    { "nancy", 0, "a number followed by other text ('c' at byte 3)" },
    { "{\"val_loss\": 1} {\"val_loss\": 2}", 0, "one JSON value followed by "
      "other text" },
    { "{\"val_loss\": 1}\nx", 0, "one JSON value followed by other text" },
    /* duplicate keys: Python's json takes the last, cJSON the first */
    { "{\"val_loss\": 1, \"val_loss\": 2}", 0, "duplicate key 'val_loss'" },
    { "{\"a\": 1, \"val_loss\": 2, \"a\": 3}", 0, "duplicate key 'a'" },
    { "{\"val_loss\\u0000x\": 1}", 0, "\\u0000" },
    { "{\"val_loss\": \"0.5\\u0000 or so\"}", 0, "\\u0000" },
    /* not a number */
    { "", 0, "the file is empty" },
    { "0x10", 0, "a number followed by other text ('x' at byte 1)" },
    { "the loss went down", 0, "not a number and not JSON" },
    { "{\"val_loss\": 1", 0, "not a number and not JSON" },
    { "{\"loss\": 1}", 0, "JSON object has no key 'val_loss'" },
    { "{\"val_loss\": true}", 0, "'val_loss' is not a number" },
    { "{\"val_loss\": \"0.5 0.1\"}", 0, "'val_loss' is not a number" },
    { "[0.5]", 0, "expected a number or a JSON object, got a list" },
};

START_TEST(test_parse_result)
{
    const parse_case *c = &parse_cases[_i];
    double v = -99;
    ga_error err;
    ga_error_clear(&err);
    int rc = ga_parse_result(c->text, "val_loss", &v, &err);
    if (!c->expect) {
        ck_assert_msg(rc == GA_OK, "case %d (%s): %s", _i, c->text, err.msg);
        if (isnan(c->value))
            ck_assert_msg(isnan(v), "case %d: %g", _i, v);
        else
            ck_assert_msg(v == c->value, "case %d: %g", _i, v);
        return;
    }
    ck_assert_msg(rc == GA_EINPUT, "case %d (%s) read as %g", _i, c->text, v);
    ck_assert_msg(strstr(err.msg, c->expect) != NULL, "case %d: expected '%s' "
                  "in: %s", _i, c->expect, err.msg);
}
END_TEST

/* End to end: a model that leaves a FIFO fails its evaluations with the
 * reason, instead of hanging the driver (--timeout could not help). */
START_TEST(test_model_leaves_fifo)
{
    char *dir = tu_tmpdir("fifo");
    char space[4200], out_dir[4200];
    snprintf(space, sizeof space, "%s/hp.json", dir);
    tu_write(space, "[{\"name\":\"n\",\"type\":\"int\",\"lower\":1,\"upper\":5}]");
    snprintf(out_dir, sizeof out_dir, "%s/run", dir);
    char *out, *err;
    int rc = tu_run((char *[]){ G, "run", "--no-env", "--space", space, "--out",
                                out_dir, "--population-size", "4", "--num-iter",
                                "2", "--jobs", "2", "--quiet", "--", "/bin/sh",
                                "-c", "mkfifo result.json", "sh", NULL },
                    NULL, NULL, &out, &err);
    ck_assert_msg(rc == 1, "exit %d: %s", rc, err);
    int lines, failed, with_reason;
    tu_scan_log(out_dir, &lines, &failed, "not a regular file (a FIFO)",
                &with_reason);
    ck_assert_int_eq(failed, 4);
    ck_assert_int_eq(with_reason, 4);
    free(out);
    free(err);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* The job side's own files in a job directory (status.json, task.json) are
 * read as the result file is: a FIFO or a device there fails the read at
 * once, naming the file, instead of blocking the driver. */
START_TEST(test_read_regular)
{
    char *dir = tu_tmpdir("regular");
    char fifo[4200], dev[4200], big[4200], ok[4200], none[4200];
    snprintf(fifo, sizeof fifo, "%s/status.json", dir);
    snprintf(dev, sizeof dev, "%s/task.json", dir);
    snprintf(big, sizeof big, "%s/big", dir);
    snprintf(ok, sizeof ok, "%s/ok", dir);
    snprintf(none, sizeof none, "%s/none", dir);
    ck_assert_int_eq(mkfifo(fifo, 0644), 0);
    ck_assert_int_eq(symlink("/dev/zero", dev), 0);
    tu_write(big, "0123456789");
    tu_write(ok, "{}");
    ga_error e;
    size_t len;
    ck_assert_ptr_null(ga_read_regular(fifo, "status.json", 100, &len, &e));
    ck_assert_str_eq(e.msg, "status.json: not a regular file (a FIFO)");
    ck_assert_ptr_null(ga_read_regular(dev, "task.json", 100, &len, &e));
    ck_assert_str_eq(e.msg, "task.json: not a regular file (a character "
                     "device)");
    ck_assert_ptr_null(ga_read_regular(big, "big", 9, &len, &e));
    ck_assert_str_eq(e.msg, "big: 10 bytes, more than the limit of 9 bytes");
    ck_assert_ptr_null(ga_read_regular(none, "none", 9, &len, &e));
    ck_assert_int_eq(errno, ENOENT);
    char *text = ga_read_regular(ok, "ok", 9, &len, &e);
    ck_assert_str_eq(text, "{}");
    ck_assert_uint_eq(len, 2);
    free(text);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* A run directory whose own files fit but whose job directory's do not
 * (DIR/gen_0/ind_0 is made, its params.json's temp file would be PATH_MAX
 * bytes or more): the run stops with exit 2 and "path too long" naming the
 * start of the path, and no file is written under gen_0, not one under a
 * cut name. */
START_TEST(test_job_dir_too_long)
{
    char *base = tu_tmpdir("longjob");
    ck_assert(base && strlen(base) < 2000);
    char space[4200], dir[PATH_MAX], want[128], cmd[2 * PATH_MAX + 100];
    snprintf(space, sizeof space, "%s/hp.json", base);
    tu_write(space, space_text);
    /* DIR: PATH_MAX - 30 bytes; DIR/checkpoint.json.tmp.PID fits (PIDs have
     * at most 7 digits), DIR/gen_0/ind_0/params.json.tmp.PID does not */
    size_t n = strlen(base), len = PATH_MAX - 30;
    memcpy(dir, base, n + 1);
    while (n < len) {
        size_t rest = len - n;  /* a slash and a name, or more of them */
        size_t part = rest <= 201 ? rest - 1 : rest - 201 < 2 ? 100 : 200;
        dir[n++] = '/';
        memset(dir + n, 'a', part);
        n += part;
        dir[n] = '\0';
        ck_assert_int_eq(mkdir(dir, 0700), 0);
    }
    snprintf(want, sizeof want, "path too long (over %d bytes): %.40s",
             PATH_MAX - 1, base);
    char *out = NULL, *err = NULL;
    int rc = tu_run((char *[]){ G, "run", "--no-env", "--space", space,
                                "--out", dir, "--population-size", "2",
                                "--num-iter", "1", "--quiet", "--", model,
                                "ok", NULL },
                    NULL, NULL, &out, &err);
    ck_assert_msg((rc == 1 || rc == 2) && strstr(err, want), "exit %d: %s",
                  rc, err);
    snprintf(cmd, sizeof cmd, "test -d '%s/gen_0/ind_0' || echo no ind_0; "
             "find '%s/gen_0' -type f", dir, dir);
    char *made = tu_sh(cmd);
    ck_assert_str_eq(made, "");  /* ind_0 made, nothing in it */
    free(made);
    snprintf(cmd, sizeof cmd, "find '%s' -name 'params*' -o -name 'pid*'",
             base);
    made = tu_sh(cmd);
    ck_assert_str_eq(made, "");  /* nowhere under a cut name either */
    free(made);
    free(out);
    free(err);
    tu_rmrf(base);
    free(base);
}
END_TEST

Suite *local_suite(void)
{
    Suite *s = suite_create("local");
    TCase *tc = tcase_create("local");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_model_ok);
    tcase_add_test(tc, test_model_plain_number_result);
    tcase_add_loop_test(tc, test_model_failures, 0,
                        (int)(sizeof failures / sizeof failures[0]));
    tcase_add_test(tc, test_model_timeout_kills_group);
    tcase_add_test(tc, test_hostile_values);
    tcase_add_test(tc, test_init_population_from_csv);
    tcase_add_test(tc, test_cache);
    tcase_add_test(tc, test_benchmark_timeout_env);
    tcase_add_test(tc, test_async_local);
    tcase_add_test(tc, test_async_max_seconds);
    tcase_add_test(tc, test_async_local_kill_resume);
    tcase_add_test(tc, test_job_dir_too_long);
    suite_add_tcase(s, tc);
    /* the result file alone: fast, and safe to run before a fix (a FIFO
     * would hang the old reader: the timeout ends it) */
    TCase *rc = tcase_create("result");
    tcase_set_timeout(rc, 30);
    tcase_add_loop_test(rc, test_result_file_kinds, 0,
                        (int)(sizeof result_cases / sizeof result_cases[0]));
    tcase_add_test(rc, test_result_out_of_memory);
    tcase_add_loop_test(rc, test_parse_result, 0,
                        (int)(sizeof parse_cases / sizeof parse_cases[0]));
    tcase_add_test(rc, test_model_leaves_fifo);
    tcase_add_test(rc, test_read_regular);
    suite_add_tcase(s, rc);
    return s;
}
