/* check_resume.c - kill -9 the driver at several moments, resume, and get
 * what an uninterrupted run with the same seed gets: identical stats.csv,
 * best.json and population.json, and an evaluation log holding every
 * evaluation exactly once (wall times aside). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <fcntl.h>
#include <math.h>
#include <unistd.h>

#include <cJSON.h>

#include "../exec/exec.h"
#include "../ga/run.h"
#include "../problems/problem.h"
#include "suites.h"
#include "testutil.h"

#define G (char *)tu_gahpo()

#define assert_same_run tu_assert_same_run

/* Start, kill -9 after each delay, resume, repeat; then finish. */
static void kill_and_resume(char *const first[], const char *dir,
                            const double *delays, int ndelays)
{
    char *resume[] = { G, "run", "--resume", (char *)dir, "--quiet", NULL };
    char run_json[4200];
    snprintf(run_json, sizeof run_json, "%s/run.json", dir);
    int started = 0;
    for (int i = 0; i < ndelays; i++) {
        pid_t pid = tu_spawn_quiet(started ? resume : first);
        tu_sleep(delays[i]);
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        /* killed before it wrote run.json, a run has recorded nothing: the
         * user runs the same command again (later kills resume) */
        started = access(run_json, F_OK) == 0;
    }
    char *out, *err;
    int rc = tu_run(started ? resume : first, NULL, NULL, &out, &err);
    ck_assert_msg(rc == 0, "resume failed: %s", err);
    free(out);
    free(err);
}

START_TEST(test_resume_in_process)
{
    char *dir = tu_tmpdir("resume");
    char ref[4200], got[4200];
    snprintf(ref, sizeof ref, "%s/ref", dir);
    snprintf(got, sizeof got, "%s/got", dir);
    /* 0, 1: the GAs; 2: random search; 3: --budget, which cuts the last
     * generation to make exactly 9987 evaluations */
    const char *const strategies[] = { "mu_plus_lambda", "simple", "random",
                                       "mu_plus_lambda" };
    const char *strategy = strategies[_i];
    char *ref_argv[] = { G, "run", "--no-env", "--problem", "rastrigin:d8",
                         "--out", ref, "--population-size", "120",
                         _i == 3 ? "--budget" : "--num-iter",
                         _i == 3 ? "9987" : "150", "--seed", "11",
                         "--strategy", (char *)strategy, "--quiet", NULL };
    char *out, *err;
    ck_assert_int_eq(tu_run(ref_argv, NULL, NULL, &out, &err), 0);
    free(out);
    free(err);
    char *got_argv[17];
    memcpy(got_argv, ref_argv, sizeof got_argv);
    got_argv[6] = got;
    const double delays[] = { 0.02, 0.15, 0.3, 0.45 };
    kill_and_resume(got_argv, got, delays, 4);
    assert_same_run(ref, got);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(test_resume_local_model)
{
    char *dir = tu_tmpdir("resume-local");
    char ref[4200], got[4200], space[4200], model[4200];
    snprintf(ref, sizeof ref, "%s/ref", dir);
    snprintf(got, sizeof got, "%s/got", dir);
    snprintf(space, sizeof space, "%s/hp.json", dir);
    snprintf(model, sizeof model, "%s/tests/models/model.py", tu_root());
    tu_write(space, "[{\"name\":\"x\",\"type\":\"float\",\"lower\":-2,\"upper\":2},"
                    " {\"name\":\"bs\",\"type\":\"ordered\",\"element_type\":"
                    "\"int\",\"values\":[1,2,3,4]}]");
    char *ref_argv[] = { G, "run", "--no-env", "--space", space, "--out", ref,
                         "--population-size", "6", "--num-iter", "5", "--seed",
                         "2", "--jobs", "2", "--quiet", "--", model, "slow", NULL };
    char *out, *err;
    ck_assert_int_eq(tu_run(ref_argv, NULL, NULL, &out, &err), 0);
    free(out);
    free(err);
    char *got_argv[20];
    memcpy(got_argv, ref_argv, sizeof got_argv);
    got_argv[6] = got;
    const double delays[] = { 0.1, 0.35, 0.6 };
    kill_and_resume(got_argv, got, delays, 3);
    assert_same_run(ref, got);
    /* resuming a finished run changes nothing */
    char *resume[] = { G, "run", "--resume", got, "--quiet", NULL };
    ck_assert_int_eq(tu_run(resume, NULL, NULL, &out, &err), 0);
    free(out);
    free(err);
    assert_same_run(ref, got);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(test_resume_cut_log_line)
{
    /* a half-written last line (a kill in mid-write) is cut, not trusted */
    char *dir = tu_tmpdir("cut");
    char got[4200], path[4300];
    snprintf(got, sizeof got, "%s/got", dir);
    char *argv[] = { G, "run", "--no-env", "--problem", "sphere:d3", "--out", got,
                     "--num-iter", "3", "--quiet", NULL };
    char *out, *err;
    ck_assert_int_eq(tu_run(argv, NULL, NULL, &out, &err), 0);
    free(out);
    free(err);
    snprintf(path, sizeof path, "%s/evals.jsonl", got);
    char *before = tu_read(path);
    FILE *f = fopen(path, "a");
    fputs("{\"run\":\"got\",\"gen\":3,\"ind\":0,\"params\":{\"x0\":", f);
    fclose(f);
    char *resume[] = { G, "run", "--resume", got, "--quiet", NULL };
    ck_assert_int_eq(tu_run(resume, NULL, NULL, &out, &err), 0);
    free(out);
    free(err);
    char *after = tu_read(path);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* SIGTERM: the model processes are stopped, the exit says how to go on,
 * and the run then resumes to the end. */
START_TEST(test_sigterm_then_resume)
{
    char *dir = tu_tmpdir("sigterm");
    char got[4200], space[4200], model[4200];
    snprintf(got, sizeof got, "%s/got", dir);
    snprintf(space, sizeof space, "%s/hp.json", dir);
    snprintf(model, sizeof model, "%s/tests/models/model.py", tu_root());
    tu_write(space, "[{\"name\":\"x\",\"type\":\"float\",\"lower\":-2,\"upper\":2}]");
    char *argv[] = { G, "run", "--no-env", "--space", space, "--out", got,
                     "--population-size", "4", "--num-iter", "2", "--jobs", "2",
                     "--quiet", "--", model, "slow", NULL };
    int errpipe[2];
    ck_assert_int_eq(pipe(errpipe), 0);
    pid_t pid = fork();
    if (pid == 0) {
        setenv("GAHPO_TEST_SLEEP", "30", 1);
        dup2(errpipe[1], 2);
        execv(argv[0], argv);
        _exit(127);
    }
    close(errpipe[1]);
    tu_sleep(1.0);
    kill(pid, SIGTERM);
    int status;
    waitpid(pid, &status, 0);
    char msg[4096] = "";
    ssize_t n = read(errpipe[0], msg, sizeof msg - 1);
    msg[n > 0 ? n : 0] = '\0';
    close(errpipe[0]);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 1);
    ck_assert_msg(strstr(msg, "gahpo run --resume") != NULL, "%s", msg);
    for (int i = 0; i < 2; i++) {  /* the two running models are gone */
        char path[4300];
        snprintf(path, sizeof path, "%s/gen_0/ind_%d/pid", got, i);
        char *text = tu_read(path);
        ck_assert_ptr_nonnull(text);
        pid_t child = (pid_t)atol(text);
        free(text);
        ck_assert_msg(kill(child, 0) != 0, "model %d still running", i);
    }
    char *env[] = { "GAHPO_TEST_SLEEP=0.01", NULL };
    char *resume[] = { G, "run", "--resume", got, "--quiet", NULL };
    char *out, *err;
    ck_assert_int_eq(tu_run(resume, NULL, env, &out, &err), 0);
    free(out);
    free(err);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(test_corrupt_checkpoint)
{
    char *dir = tu_tmpdir("corrupt");
    char got[4200], path[4300];
    snprintf(got, sizeof got, "%s/got", dir);
    char *argv[] = { G, "run", "--no-env", "--problem", "sphere:d3", "--out", got,
                     "--quiet", NULL };
    char *out, *err;
    ck_assert_int_eq(tu_run(argv, NULL, NULL, &out, &err), 0);
    free(out);
    free(err);
    snprintf(path, sizeof path, "%s/checkpoint.json", got);
    tu_write(path, "{\"engine\": {\"version\": 1, \"dim\": 3");
    char *resume[] = { G, "run", "--resume", got, NULL };
    ck_assert_int_eq(tu_run(resume, NULL, NULL, &out, &err), 2);
    ck_assert_msg(strstr(err, "checkpoint.json") != NULL, "%s", err);
    free(out);
    free(err);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* Hand-edited checkpoints of both kinds: each edit gives exit 2 naming the
 * checkpoint, never a crash, and the run's files stay as they were. */
typedef struct ck_edit {
    const char *strategy;
    const char *path[3];     /* where in the checkpoint (object keys) */
    int index;               /* array item, or -1 */
    const char *value;       /* JSON to put there */
} ck_edit;

static const ck_edit ck_edits[] = {
    /* the generator's position in its state (mt19937's mti, in checkpoints
     * before xoshiro256++): a crash in GSL before it was checked */
    { "async", { "steady", "rng", NULL }, -2, NULL },
    { "mu_plus_lambda", { "engine", "rng", NULL }, -2, NULL },
    /* an all-zero xoshiro256++ state, which draws zeros forever */
    { "mu_plus_lambda", { "engine", "rng", NULL }, -5, NULL },
    { "async", { "steady", "rng", NULL }, -5, NULL },
    /* a version-2 checkpoint (mt19937 only) claiming xoshiro256++ */
    { "mu_plus_lambda", { "engine", "version", NULL }, -1, "2" },
    { "async", { "in_flight", NULL }, -1, "[{\"ind\": \"bad\"}]" },
    { "async", { "in_flight", NULL }, -1,
      "[{\"ind\": 3, \"genes\": [\"0x1p+40\", 0, 0]}]" },
    { "async", { "steady", "population", NULL }, 0, "\"0x1p+60\"" },
    { "mu_plus_lambda", { "engine", "population", NULL }, 0, "\"0x1p+60\"" },
    { "async", { "stats", NULL }, -1, "[[-1, 2, 3, 4, 5, 6, 7]]" },
    { "mu_plus_lambda", { "engine", "rng_type", NULL }, -1, "\"taus\"" },
    /* a generator word wider than 32 bits: a tournament index read out of
     * bounds before it was checked */
    { "mu_plus_lambda", { "engine", "rng", NULL }, -3, NULL },
    { "async", { "steady", "rng", NULL }, -3, NULL },
    /* a finished run marked not done: a stats row written past num_iter */
    { "mu_plus_lambda", { "engine", "done", NULL }, -1, "false" },
    { "simple", { "engine", "done", NULL }, -4, NULL },
    { "mu_plus_lambda", { "engine", "generation", NULL }, -1, "4.5" },
    { "mu_plus_lambda", { "engine", "hof_fitness", NULL }, -1, "[]" },
    { "mu_plus_lambda", { "engine", "stop_kind", NULL }, -1, "\"later\"" },
    /* async counts that do not agree with each other */
    { "async", { "next", NULL }, -1, "5" },
    { "async", { "block_told", NULL }, -1, "3" },
};

START_TEST(test_checkpoint_edits)
{
    const ck_edit *c = &ck_edits[_i];
    char *dir = tu_tmpdir("ck-edit");
    char got[4200], path[4300];
    snprintf(got, sizeof got, "%s/got", dir);
    char *argv[] = { G, "run", "--no-env", "--problem", "sphere:d3", "--out", got,
                     "--strategy", (char *)c->strategy, "--jobs", "3",
                     "--quiet", NULL };
    char *out, *err;
    ck_assert_int_eq(tu_run(argv, NULL, NULL, &out, &err), 0);
    free(out);
    free(err);
    snprintf(path, sizeof path, "%s/stats.csv", got);
    char *stats = tu_read(path);
    snprintf(path, sizeof path, "%s/checkpoint.json", got);
    char *text = tu_read(path);
    cJSON *root = cJSON_Parse(text), *at = root, *parent = NULL;
    free(text);
    const char *last = NULL;
    for (int k = 0; c->path[k]; k++) {
        parent = at;
        last = c->path[k];
        at = cJSON_GetObjectItem(at, c->path[k]);
        ck_assert_ptr_nonnull(at);
    }
    int steady = !strcmp(c->path[0], "steady");
    if (c->index == -2 || c->index == -3) {
        /* an older run's mt19937, corrupt: its position outside 0..624, or
         * word 5 wider than 32 bits */
        tu_legacy_rng(parent, 5, c->index == -3 ? 5 : -1,
                      c->index == -2 ? 1000 : -1);
        cJSON_ReplaceItemInObject(parent, "version",
                                  cJSON_CreateNumber(steady ? 1 : 2));
    } else if (c->index == -5) {
        cJSON_ReplaceItemInObject(parent, last, cJSON_CreateString(
            "00000000000000000000000000000000"
            "00000000000000000000000000000000"));
    } else if (c->index == -4) {  /* not done, and says so consistently */
        cJSON_ReplaceItemInObject(parent, "done", cJSON_CreateFalse());
        cJSON_ReplaceItemInObject(parent, "stop_kind",
                                  cJSON_CreateString("none"));
    } else if (c->index >= 0) {
        cJSON_ReplaceItemInArray(at, c->index, cJSON_Parse(c->value));
    } else {
        cJSON_ReplaceItemInObject(parent, last, cJSON_Parse(c->value));
    }
    text = cJSON_Print(root);
    cJSON_Delete(root);
    tu_write(path, text);
    free(text);
    char *resume[] = { G, "run", "--resume", got, NULL };
    ck_assert_int_eq(tu_run(resume, NULL, NULL, &out, &err), 2);
    ck_assert_msg(strstr(err, "checkpoint") != NULL, "%s", err);
    free(out);
    free(err);
    snprintf(path, sizeof path, "%s/stats.csv", got);
    char *after = tu_read(path);
    ck_assert_str_eq(after, stats);  /* nothing overwritten */
    free(after);
    free(stats);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* Killed after run.json but before the first checkpoint: resuming starts
 * the run, with the initial population it was given. */
START_TEST(test_resume_before_first_checkpoint)
{
    char *dir = tu_tmpdir("early");
    char ref[4200], got[4200], csv[4200], path[4300];
    snprintf(ref, sizeof ref, "%s/ref/r", dir);
    snprintf(got, sizeof got, "%s/got/r", dir);
    snprintf(csv, sizeof csv, "%s/init.csv", dir);
    tu_write(csv, "x0,x1\n0.5,-0.25\n1,1\n");
    char *argv[] = { G, "run", "--no-env", "--problem", "sphere:d2", "--out", ref,
                     "--init-population", csv, "--quiet", NULL };
    char *out, *err;
    ck_assert_int_eq(tu_run(argv, NULL, NULL, &out, &err), 0);
    free(out);
    free(err);
    argv[6] = got;
    ck_assert_int_eq(tu_run(argv, NULL, NULL, &out, &err), 0);
    free(out);
    free(err);
    const char *drop[] = { "checkpoint.json", "evals.jsonl", "stats.csv",
                           "best.json", "population.json" };
    for (int i = 0; i < 5; i++) {
        snprintf(path, sizeof path, "%s/%s", got, drop[i]);
        unlink(path);
    }
    unlink(csv);  /* the CSV is gone too: run.json holds the individuals */
    char *resume[] = { G, "run", "--resume", got, "--quiet", NULL };
    ck_assert_int_eq(tu_run(resume, NULL, NULL, &out, &err), 0);
    free(out);
    free(err);
    assert_same_run(ref, got);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* The asynchronous run, in-process: a batch executor runs what is in
 * flight in order, so a resumed run is the uninterrupted one, file for
 * file, with every evaluation logged once. */
START_TEST(test_resume_async_in_process)
{
    char *dir = tu_tmpdir("resume-async");
    char ref[4200], got[4200];
    snprintf(ref, sizeof ref, "%s/ref", dir);
    snprintf(got, sizeof got, "%s/got", dir);
    char *ref_argv[] = { G, "run", "--no-env", "--problem", "rastrigin:d8",
                         "--out", ref, "--population-size", "40", "--num-iter",
                         "200", "--seed", "5", "--strategy", "async", "--jobs",
                         "4", "--quiet", NULL };
    char *out, *err;
    ck_assert_int_eq(tu_run(ref_argv, NULL, NULL, &out, &err), 0);
    free(out);
    free(err);
    ck_assert_int_eq(tu_check_async_log(ref, 40 + 199 * 20), 40 + 199 * 20);
    char *got_argv[19];
    memcpy(got_argv, ref_argv, sizeof got_argv);
    got_argv[6] = got;
    const double delays[] = { 0.05, 0.4, 0.8, 1.2 };
    kill_and_resume(got_argv, got, delays, 4);
    assert_same_run(ref, got);
    tu_check_async_log(got, 40 + 199 * 20);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* The line of dir's log for evaluation ind, newline included (caller
 * frees), or NULL. */
static char *log_line_of(const char *dir, long ind)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/evals.jsonl", dir);
    char *log = tu_read(path), *found = NULL;
    for (char *line = log; line && *line && !found;) {
        char *nl = strchr(line, '\n');
        *nl = '\0';
        cJSON *o = cJSON_Parse(line);
        const cJSON *i = cJSON_GetObjectItem(o, "ind");
        if (cJSON_IsNumber(i) && (long)i->valuedouble == ind) {
            found = malloc(strlen(line) + 2);
            sprintf(found, "%s\n", line);
        }
        cJSON_Delete(o);
        line = nl + 1;
    }
    free(log);
    return found;
}

/* An executor that dies (an error, as a killed driver) in its crash_at-th
 * wait, before it reports anything. */
typedef struct crashing {
    ga_executor *inner;
    int calls, crash_at;
} crashing;

static int crashing_submit(void *p, const ga_space *space, const ga_job *jobs,
                           size_t n, int batch, ga_error *err)
{
    crashing *c = p;
    return c->inner->submit(c->inner->ctx, space, jobs, n, batch, err);
}

static int crashing_wait(void *p, double deadline, ga_result_fn done,
                         void *done_ctx, volatile sig_atomic_t *cancel,
                         ga_error *err)
{
    crashing *c = p;
    if (++c->calls == c->crash_at)
        return ga_error_set(err, GA_EFAIL, "crash");
    return c->inner->wait(c->inner->ctx, deadline, done, done_ctx, cancel,
                          err);
}

static int run_async_dir(const char *dir, const prob_problem *prob,
                         const ga_settings *set, int resume, int crash_at)
{
    ga_error err;
    ga_executor *inner = ga_exec_problem_alloc(prob, set->seed, &err);
    crashing c = { inner, 0, crash_at };
    ga_executor wrap = { .name = "crashing", .ctx = &c,
                         .submit = crashing_submit, .wait = crashing_wait };
    ga_run_opts o = { .dir = dir, .run_id = "r", .space = prob->space,
                      .settings = set, .executor = crash_at ? &wrap : inner,
                      .resume = resume, .in_flight = 4 };
    int rc = ga_run(&o, NULL, &err);
    /* the reason, when a test fails on it (bad input is tested for) */
    if (rc && !crash_at && rc != GA_EINPUT)
        fprintf(stderr, "run_async_dir: %s\n", err.msg);
    ga_executor_free(inner);
    return rc;
}

/* A driver killed after logging part of what was in flight, before its
 * next checkpoint (a window too narrow to hit with kill -9 reliably): made
 * by crashing the executor, then appending the log lines of the first two
 * evaluations in flight, copied from the uninterrupted run, as the killed
 * driver would have written them. The resumed run tells those two from the
 * log, runs the other two before asking for more (as the uninterrupted run
 * did) and ends as the uninterrupted run. */
START_TEST(test_resume_async_mid_batch)
{
    char *dir = tu_tmpdir("resume-async-mid");
    char ref[4200], got[4200], path[4300];
    snprintf(ref, sizeof ref, "%s/ref", dir);
    snprintf(got, sizeof got, "%s/got", dir);
    ga_error err;
    prob_problem *prob = prob_lookup("sphere:d4", &err);
    ck_assert_ptr_nonnull(prob);
    ga_settings set;
    ga_settings_defaults(&set);
    set.strategy = GA_ASYNC;
    set.population_size = 8;
    set.num_iter = 20;
    set.seed = 3;
    ck_assert_int_eq(run_async_dir(ref, prob, &set, 0, 0), GA_OK);
    ck_assert_int_ne(run_async_dir(got, prob, &set, 0, 7), GA_OK);
    snprintf(path, sizeof path, "%s/checkpoint.json", got);
    char *text = tu_read(path);
    cJSON *ck = cJSON_Parse(text);
    free(text);
    const cJSON *fl = cJSON_GetObjectItem(ck, "in_flight");
    ck_assert_int_eq(cJSON_GetArraySize(fl), 4);
    snprintf(path, sizeof path, "%s/evals.jsonl", got);
    FILE *f = fopen(path, "a");
    for (int k = 0; k < 2; k++) {
        const cJSON *ind = cJSON_GetObjectItem(cJSON_GetArrayItem(fl, k), "ind");
        ck_assert_ptr_null(log_line_of(got, (long)ind->valuedouble));
        /* _i == 1: the line of another evaluation, numbered as this one
         * (an edited log): the resume must refuse it */
        char *line = log_line_of(ref, (long)ind->valuedouble - 20 * _i);
        ck_assert_ptr_nonnull(line);
        /* renumbered in the text: cJSON's own printing would round the
         * numbers' last bits */
        char *at = strstr(line, "\"ind\":");
        ck_assert_ptr_nonnull(at);
        char *rest = at + 6;
        strtol(rest, &rest, 10);
        fprintf(f, "%.*s\"ind\":%ld%s", (int)(at - line), line,
                (long)ind->valuedouble, rest);
        free(line);
    }
    fclose(f);
    cJSON_Delete(ck);
    if (_i == 1) {
        ck_assert_int_eq(run_async_dir(got, prob, &set, 1, 0), GA_EINPUT);
        prob_free(prob);
        tu_rmrf(dir);
        free(dir);
        return;
    }
    ck_assert_int_eq(run_async_dir(got, prob, &set, 1, 0), GA_OK);
    assert_same_run(ref, got);
    ck_assert_int_eq(tu_check_async_log(got, 8 + 19 * 4), 8 + 19 * 4);
    prob_free(prob);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* An asynchronous executor that finishes its jobs in a seeded random
 * order, evaluating the sphere; it records how many were in flight. */
typedef struct shuffler {
    size_t idx[64];
    double fit[64];
    size_t n, most;
    unsigned long state;
    long started;
} shuffler;

static int shuffler_submit(void *p, const ga_space *space, const ga_job *jobs,
                           size_t n, int batch, ga_error *err)
{
    shuffler *s = p;
    ck_assert_int_eq(batch, 0);  /* the steady-state run streams its jobs */
    for (size_t k = 0; k < n; k++) {
        const ga_job *job = &jobs[k];
        if (s->n == 64)
            return ga_error_set(err, GA_EFAIL, "too many in flight");
        double f = 0;
        for (size_t i = 0; i < space->n; i++)
            f += job->genes[i] * job->genes[i];
        s->idx[s->n] = job->index;
        s->fit[s->n++] = f;
        if (s->n > s->most)
            s->most = s->n;
        s->started++;
    }
    return GA_OK;
}

static int shuffler_wait(void *p, double deadline, ga_result_fn done,
                         void *done_ctx, volatile sig_atomic_t *cancel,
                         ga_error *err)
{
    shuffler *s = p;
    (void)deadline;
    (void)cancel;
    (void)err;
    if (!s->n)
        return GA_OK;
    s->state = s->state * 6364136223846793005UL + 1442695040888963407UL;
    size_t k = (size_t)(s->state >> 33) % s->n;
    ga_result r = { .fitness = s->fit[k], .wall_time = NAN };
    size_t index = s->idx[k];
    s->idx[k] = s->idx[s->n - 1];
    s->fit[k] = s->fit[s->n - 1];
    s->n--;
    done(done_ctx, index, &r);
    return GA_OK;
}

/* Results in any order: exactly in_flight jobs run at once until the
 * budget runs out, every evaluation is logged once, and the GA improves on
 * its initial population. */
START_TEST(test_async_any_order)
{
    char *dir = tu_tmpdir("async-order");
    ga_error err;
    prob_problem *prob = prob_lookup("sphere:d4", &err);
    ga_settings set;
    ga_settings_defaults(&set);
    set.strategy = GA_ASYNC;
    set.population_size = 10;
    set.num_iter = 30;
    shuffler sh = { .state = 7 };
    ga_executor ex = { .name = "shuffler", .ctx = &sh,
                       .submit = shuffler_submit, .wait = shuffler_wait };
    ga_run_opts o = { .dir = dir, .run_id = "r", .space = prob->space,
                      .settings = &set, .executor = &ex, .in_flight = 5 };
    ck_assert_int_eq(ga_run(&o, NULL, &err), GA_OK);
    long budget = 10 + 29 * 5;
    ck_assert_uint_eq(sh.most, 5);
    ck_assert_int_eq(sh.started, budget);
    ck_assert_int_eq(tu_check_async_log(dir, budget), budget);
    char path[4300];
    snprintf(path, sizeof path, "%s/stats.csv", dir);
    char *stats = tu_read(path);
    double first_min, last_min;
    char *row1 = strchr(stats, '\n') + 1, *last = row1;
    for (char *p = row1; *p; p++)
        if (*p == '\n' && p[1])
            last = p + 1;
    ck_assert_int_eq(sscanf(row1, "%*d,%*d,%*[^,],%*[^,],%lf", &first_min), 1);
    ck_assert_int_eq(sscanf(last, "%*d,%*d,%*[^,],%*[^,],%lf", &last_min), 1);
    ck_assert_msg(last_min < first_min / 4, "best %g after %g", last_min,
                  first_min);
    free(stats);
    prob_free(prob);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

Suite *resume_suite(void)
{
    Suite *s = suite_create("resume");
    TCase *tc = tcase_create("kill9");
    tcase_set_timeout(tc, 180);
    tcase_add_loop_test(tc, test_resume_in_process, 0, 4);
    tcase_add_test(tc, test_resume_local_model);
    tcase_add_test(tc, test_resume_async_in_process);
    tcase_add_loop_test(tc, test_resume_async_mid_batch, 0, 2);
    tcase_add_test(tc, test_async_any_order);
    tcase_add_test(tc, test_resume_cut_log_line);
    tcase_add_test(tc, test_sigterm_then_resume);
    tcase_add_test(tc, test_corrupt_checkpoint);
    tcase_add_loop_test(tc, test_checkpoint_edits, 0,
                        (int)(sizeof ck_edits / sizeof ck_edits[0]));
    tcase_add_test(tc, test_resume_before_first_checkpoint);
    suite_add_tcase(s, tc);
    return s;
}
