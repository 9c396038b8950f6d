/* check_rundir.c - a run directory is one run's own: resumable from
 * generation 0, one driver at a time, a resume refuses a checkpoint, log,
 * space or settings that are not the run's, a lost checkpoint never
 * truncates the log, a finished run can be extended, and kill -9 at random
 * moments loses nothing and reruns only what was in flight. */
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>

#include "../ga/rundir.h"
#include "suites.h"
#include "testutil.h"

#define G (char *)tu_gahpo()

static const char *const strategies[] = { "mu_plus_lambda", "async" };
/* Jobs in flight: an async run is one run, repeatable, only with one (with
 * more, the order models finish in steers it). */
static char *const jobs_for[] = { "3", "1" };

static void run_ok(char *const argv[], char *const env[])
{
    char *out, *err;
    int rc = tu_run(argv, NULL, env, &out, &err);
    ck_assert_msg(rc == 0, "%s exited %d: %s", argv[1], rc, err);
    free(out);
    free(err);
}

/* Exit 2 with a message holding want; returns nothing, frees all. */
static void run_refused(char *const argv[], const char *want)
{
    char *out, *err;
    int rc = tu_run(argv, NULL, NULL, &out, &err);
    ck_assert_msg(rc == 2, "exit %d, expected 2: %s", rc, err);
    ck_assert_msg(strstr(err, want) != NULL, "'%s' not in: %s", want, err);
    free(out);
    free(err);
}

static char *file_in(const char *dir, const char *name)
{
    char path[4300];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return tu_read(path);
}

/* Start argv quietly with the test model sleeping `sleep` seconds. */
static pid_t spawn_with_sleep(char *const argv[], const char *sleep)
{
    pid_t pid = fork();
    if (pid == 0) {
        setenv("GAHPO_TEST_SLEEP", sleep, 1);
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

/* Killed during generation 0 with a space whose range excludes 0 (the
 * checkpoint then holds a population not yet filled): the resume goes on
 * and ends as the uninterrupted run. */
START_TEST(test_resume_in_generation_0)
{
    char *dir = tu_tmpdir("gen0");
    char ref[4200], got[4200], space[4200], model[4200];
    snprintf(ref, sizeof ref, "%s/ref", dir);
    snprintf(got, sizeof got, "%s/got", dir);
    snprintf(space, sizeof space, "%s/hp.json", dir);
    snprintf(model, sizeof model, "%s/tests/models/model.py", tu_root());
    tu_write(space, "[{\"name\":\"n\",\"type\":\"int\",\"lower\":1,\"upper\":5},"
                    "{\"name\":\"lr\",\"type\":\"float\",\"lower\":1e-4,"
                    "\"upper\":0.1,\"log_scale\":true}]");
    char *argv[] = { G, "run", "--no-env", "--space", space, "--out", ref,
                     "--strategy", (char *)strategies[_i], "--population-size",
                     "4", "--num-iter", "2", "--jobs", jobs_for[_i], "--quiet",
                     "--", model, "slow", NULL };
    char *fast[] = { "GAHPO_TEST_SLEEP=0.01", NULL };
    run_ok(argv, fast);
    argv[6] = got;
    pid_t pid = spawn_with_sleep(argv, "5");
    tu_sleep(1.0);  /* the first models are running */
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    char *log = file_in(got, "evals.jsonl");
    ck_assert_msg(log && !*log, "killed in generation 0 with nothing logged");
    free(log);
    char *resume[] = { G, "run", "--resume", got, "--quiet", NULL };
    run_ok(resume, fast);
    tu_assert_same_run(ref, got);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* A second driver on a run directory is refused, naming the first's pid;
 * the first is not disturbed. */
START_TEST(test_one_driver_per_directory)
{
    char *dir = tu_tmpdir("lock");
    char got[4200], space[4200], model[4200], pidtext[64];
    snprintf(got, sizeof got, "%s/got", dir);
    snprintf(space, sizeof space, "%s/hp.json", dir);
    snprintf(model, sizeof model, "%s/tests/models/model.py", tu_root());
    tu_write(space, "[{\"name\":\"x\",\"type\":\"float\",\"lower\":1,\"upper\":2}]");
    char *argv[] = { G, "run", "--no-env", "--space", space, "--out", got,
                     "--strategy", (char *)strategies[_i], "--population-size",
                     "4", "--num-iter", "2", "--jobs", "4", "--quiet", "--",
                     model, "slow", NULL };
    pid_t pid = spawn_with_sleep(argv, "1.5");
    tu_sleep(0.7);
    snprintf(pidtext, sizeof pidtext, "pid %ld", (long)pid);
    run_refused(argv, pidtext);                      /* a fresh one */
    char *resume[] = { G, "run", "--resume", got, "--quiet", NULL };
    run_refused(resume, pidtext);                    /* a resume */
    int status;
    waitpid(pid, &status, 0);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    int lines, failed, with_reason;
    tu_scan_log(got, &lines, &failed, NULL, &with_reason);
    ck_assert_int_eq(failed, 0);
    ck_assert_int_ge(lines, 4);
    /* the driver gone, the lock is free again */
    run_ok(resume, NULL);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* Every command that writes a directory refuses one whose lock another
 * process holds (here the test itself), naming it, and writes nothing. */
START_TEST(test_lock_refuses_every_writer)
{
    char *dir = tu_tmpdir("locked");
    char spec[4200], tune_spec[4200], pidtext[64];
    snprintf(spec, sizeof spec, "%s/sweeps/smoke.json", tu_root());
    snprintf(tune_spec, sizeof tune_spec, "%s/sweeps/tune.json", tu_root());
    ga_error err;
    int fd = ga_rundir_lock(dir, &err);
    ck_assert_msg(fd >= 0, "%s", err.msg);
    snprintf(pidtext, sizeof pidtext, "pid %ld", (long)getpid());
    char *run[] = { G, "run", "--no-env", "--problem", "sphere:d2", "--out", dir,
                    "--quiet", NULL };
    char *resume[] = { G, "run", "--resume", dir, NULL };
    char *sweep[] = { G, "sweep", spec, "--out", dir, "--quiet", NULL };
    char *tune[] = { G, "tune", tune_spec, "--out", dir, "--quiet", NULL };
    char *const *cmds[] = { run, resume, sweep, tune };
    for (int i = 0; i < 4; i++)
        run_refused(cmds[i], pidtext);
    char cmd[4400];
    snprintf(cmd, sizeof cmd, "ls -A '%s'", dir);
    char *listing = tu_sh(cmd);
    ck_assert_str_eq(listing, GA_RUNDIR_LOCK_NAME "\n");
    free(listing);
    ga_rundir_unlock(fd);
    run_ok(run, NULL);  /* free again */
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* A finished run of the test model in dir/name (generational, population
 * 6, CANDLE's other settings). */
static void small_run(const char *dir, const char *name, const char *seed,
                      const char *num_iter, char *path, size_t size)
{
    char space[4200], model[4200];
    snprintf(path, size, "%s/%s", dir, name);
    snprintf(space, sizeof space, "%s/hp.json", dir);
    snprintf(model, sizeof model, "%s/tests/models/model.py", tu_root());
    if (access(space, F_OK) != 0)
        tu_write(space, "[{\"name\":\"x0\",\"type\":\"float\",\"lower\":-2,"
                        "\"upper\":2},{\"name\":\"x1\",\"type\":\"int\","
                        "\"lower\":1,\"upper\":9}]");
    char *argv[] = { G, "run", "--no-env", "--no-tuned-defaults", "--space",
                     space, "--out", path, "--population-size", "6",
                     "--num-iter", (char *)num_iter, "--seed", (char *)seed,
                     "--jobs", "3", "--quiet", "--", model, "ok", NULL };
    run_ok(argv, NULL);
}

/* Rewrite run.json's JSON at key (under "space" item 0 or "settings"). */
static void edit_run_json(const char *run, const char *where, const char *key,
                          const char *json)
{
    char path[4300];
    snprintf(path, sizeof path, "%s/run.json", run);
    char *text = tu_read(path);
    cJSON *o = cJSON_Parse(text);
    free(text);
    cJSON *at = cJSON_GetObjectItem(o, where);
    if (cJSON_IsArray(at))
        at = cJSON_GetArrayItem(at, 0);
    ck_assert_ptr_nonnull(at);
    cJSON_ReplaceItemInObject(at, key, cJSON_Parse(json));
    text = cJSON_Print(o);
    cJSON_Delete(o);
    tu_write(path, text);
    free(text);
}

/* What a resume must refuse, each with exit 2 saying what and leaving the
 * run's files as they were. */
START_TEST(test_resume_refuses_what_does_not_belong)
{
    char *dir = tu_tmpdir("belong");
    char a[4200], b[4200], path[4300];
    small_run(dir, "a", "1", "3", a, sizeof a);
    small_run(dir, "b", "1", "3", b, sizeof b);
    char *resume[] = { G, "run", "--resume", a, "--quiet", NULL };
    char *stats = file_in(a, "stats.csv"), *log = file_in(a, "evals.jsonl");

    /* another run's checkpoint, even one with the same seed and settings */
    char *theirs = file_in(b, "checkpoint.json"), *mine =
        file_in(a, "checkpoint.json");
    snprintf(path, sizeof path, "%s/checkpoint.json", a);
    tu_write(path, theirs);
    run_refused(resume, "belongs to another run");
    tu_write(path, mine);
    free(theirs);
    free(mine);

    /* run.json edited: a widened bound, a renamed parameter, a setting */
    char *run_json = file_in(a, "run.json");
    snprintf(path, sizeof path, "%s/run.json", a);
    edit_run_json(a, "space", "upper", "10");
    run_refused(resume, "the space has changed");
    tu_write(path, run_json);
    edit_run_json(a, "space", "name", "\"y0\"");
    run_refused(resume, "the space has changed");
    tu_write(path, run_json);
    edit_run_json(a, "settings", "mut_prob", "0.7");
    run_refused(resume, "mut_prob was 0.8");
    tu_write(path, run_json);
    edit_run_json(a, "settings", "seed", "2");
    run_refused(resume, "seed was 1");
    tu_write(path, run_json);
    edit_run_json(a, "settings", "num_iter", "2");
    run_refused(resume, "not shortened");
    tu_write(path, run_json);
    free(run_json);

    /* a checkpoint format this gahpo does not know */
    mine = file_in(a, "checkpoint.json");
    snprintf(path, sizeof path, "%s/checkpoint.json", a);
    cJSON *ck = cJSON_Parse(mine);
    cJSON_ReplaceItemInObject(ck, "format", cJSON_CreateNumber(9));
    char *text = cJSON_PrintUnformatted(ck);
    tu_write(path, text);
    free(text);
    run_refused(resume, "checkpoint format 9");

    /* format 1 (written before the run's identity was recorded): resumed,
     * with a warning */
    cJSON_DeleteItemFromObject(ck, "format");
    cJSON_DeleteItemFromObject(ck, "run");
    cJSON *engine = cJSON_GetObjectItem(ck, "engine");
    cJSON_ReplaceItemInObject(engine, "version", cJSON_CreateNumber(1));
    cJSON_DeleteItemFromObject(engine, "stop_kind");
    tu_legacy_rng(engine, 1, -1, -1);  /* format 1 knew only mt19937 */
    text = cJSON_PrintUnformatted(ck);
    tu_write(path, text);
    free(text);
    cJSON_Delete(ck);
    char *out, *err;
    ck_assert_int_eq(tu_run(resume, NULL, NULL, &out, &err), 0);
    ck_assert_msg(strstr(err, "warning") && strstr(err, "format 1"), "%s", err);
    free(out);
    free(err);
    /* ... but not extended, since it did not record why it stopped; and
     * run.json is left as it was */
    char *before_json = file_in(a, "run.json");
    char *extend_old[] = { G, "run", "--resume", a, "--num-iter", "5", NULL };
    run_refused(extend_old, "cannot be extended");
    char *after_json = file_in(a, "run.json");
    ck_assert_str_eq(before_json, after_json);
    free(before_json);
    free(after_json);
    tu_write(path, mine);
    free(mine);

    /* the log of another run: its lines for the pending generation are not
     * the individuals asked (a extended to 4 generations, b's generation 3
     * lines appended) */
    char c[4200];
    small_run(dir, "c", "2", "4", c, sizeof c);
    char *clog = file_in(c, "evals.jsonl");
    snprintf(path, sizeof path, "%s/evals.jsonl", a);
    FILE *f = fopen(path, "a");
    for (char *line = clog; *line;) {
        char *nl = strchr(line, '\n');
        if (strstr(line, "\"gen\":3,") && strstr(line, "\"gen\":3,") < nl)
            fwrite(line, 1, (size_t)(nl - line + 1), f);
        line = nl + 1;
    }
    fclose(f);
    free(clog);
    char *extend[] = { G, "run", "--resume", a, "--num-iter", "4", "--quiet",
                       NULL };
    run_refused(extend, "is not the individual the checkpoint asks for");
    tu_rmrf(c);

    /* a deleted checkpoint: no fresh start over the log */
    char *before = file_in(b, "evals.jsonl");
    snprintf(path, sizeof path, "%s/checkpoint.json", b);
    unlink(path);
    char *resume_b[] = { G, "run", "--resume", b, "--quiet", NULL };
    run_refused(resume_b, "checkpoint.json is missing");
    char *b_json = file_in(b, "run.json");
    char *again[] = { G, "run", "--no-env", "--problem", "sphere:d3", "--out", b,
                      "--quiet", NULL };
    run_refused(again, "checkpoint.json is missing");
    char *after = file_in(b, "evals.jsonl"), *run_json2 = file_in(b, "run.json");
    ck_assert_str_eq(before, after);
    ck_assert_str_eq(b_json, run_json2);
    free(before);
    free(after);
    free(b_json);
    free(run_json2);

    char *stats2 = file_in(a, "stats.csv");
    ck_assert_str_eq(stats, stats2);
    free(stats2);
    free(stats);
    free(log);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* --resume DIR --num-iter N (or --budget N) continues a finished run: the
 * result is the longer run's, file for file. */
START_TEST(test_extend_finished_run)
{
    char *dir = tu_tmpdir("extend");
    char ref[4200], got[4200];
    snprintf(ref, sizeof ref, "%s/ref", dir);
    snprintf(got, sizeof got, "%s/got", dir);
    char *argv[] = { G, "run", "--no-env", "--problem", "rastrigin:d4", "--out",
                     ref, "--strategy", (char *)strategies[_i], "--num-iter",
                     "8", "--seed", "7", "--jobs", jobs_for[_i], "--quiet",
                     NULL };
    run_ok(argv, NULL);
    argv[6] = got;
    argv[10] = "4";
    run_ok(argv, NULL);
    /* extended by --num-iter (by --budget: check_budget.c, whose run then
     * stops at the budget and says so) */
    char *extend[] = { G, "run", "--resume", got, "--num-iter", "8", "--quiet",
                       NULL };
    run_ok(extend, NULL);
    tu_assert_same_run(ref, got);
    char *shrink[] = { G, "run", "--resume", got, "--num-iter", "5", NULL };
    run_refused(shrink, "not shortened");
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* A run begun before the engine drew from xoshiro256++ (engine version 2,
 * mt19937) is extended with the generator it began with, and its new
 * checkpoint says so (version 3, rng_type mt19937). */
START_TEST(test_extend_legacy_generator)
{
    char *dir = tu_tmpdir("legacy");
    char got[4200], path[4300];
    snprintf(got, sizeof got, "%s/got", dir);
    char *argv[] = { G, "run", "--no-env", "--problem", "rastrigin:d4", "--out",
                     got, "--num-iter", "4", "--seed", "7", "--quiet", NULL };
    run_ok(argv, NULL);
    snprintf(path, sizeof path, "%s/checkpoint.json", got);
    char *text = tu_read(path);
    cJSON *ck = cJSON_Parse(text);
    free(text);
    cJSON *engine = cJSON_GetObjectItem(ck, "engine");
    cJSON_ReplaceItemInObject(engine, "version", cJSON_CreateNumber(2));
    tu_legacy_rng(engine, 7, -1, -1);
    char *mt_state = strdup(cJSON_GetObjectItem(engine, "rng")->valuestring);
    text = cJSON_PrintUnformatted(ck);
    tu_write(path, text);
    free(text);
    cJSON_Delete(ck);
    char *extend[] = { G, "run", "--resume", got, "--num-iter", "8", "--quiet",
                       NULL };
    run_ok(extend, NULL);
    text = tu_read(path);
    ck = cJSON_Parse(text);
    free(text);
    engine = cJSON_GetObjectItem(ck, "engine");
    ck_assert_int_eq(cJSON_GetObjectItem(engine, "version")->valueint, 3);
    ck_assert_str_eq(cJSON_GetObjectItem(engine, "rng_type")->valuestring,
                     "mt19937");
    ck_assert_int_eq(cJSON_GetObjectItem(engine, "generation")->valueint, 7);
    /* and it drew from it: the state moved on */
    ck_assert_str_ne(cJSON_GetObjectItem(engine, "rng")->valuestring, mt_state);
    cJSON_Delete(ck);
    free(mt_state);
    snprintf(path, sizeof path, "%s/stats.csv", got);
    ck_assert_int_eq(tu_count_lines(path), 9);  /* header + 8 generations */
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* A driver killed in the middle of an atomic write leaves NAME.tmp.PID
 * beside the whole file: the next driver of the directory removes it, and
 * nothing else. */
START_TEST(test_stale_temp_files_removed)
{
    char *dir = tu_tmpdir("stale");
    char a[4200], path[4300];
    small_run(dir, "a", "1", "2", a, sizeof a);
    const char *stale[] = { "best.json.tmp.12345", "stats.csv.tmp.1" };
    const char *kept[] = { "notes.tmp.txt", "my.tmp.", "results.tmp" };
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", a, stale[i]);
        tu_write(path, "{");
    }
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", a, kept[i]);
        tu_write(path, "mine");
    }
    char *resume[] = { G, "run", "--resume", a, "--quiet", NULL };
    run_ok(resume, NULL);
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", a, stale[i]);
        ck_assert_msg(access(path, F_OK) != 0, "%s left", stale[i]);
    }
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", a, kept[i]);
        ck_assert_msg(access(path, F_OK) == 0, "%s removed", kept[i]);
    }
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* ---- kill -9 at random moments -------------------------------------------- */

/* Invocations of the test model in every job directory of a run, and the
 * most in any one of them. */
static int count_invocations(const char *run, int *most)
{
    char cmd[4400];
    snprintf(cmd, sizeof cmd, "find '%s' -name calls.txt -exec wc -l {} +"
             " | grep -v ' total$' | awk '{s+=$1; if ($1>m) m=$1} END "
             "{print s+0, m+0}'", run);
    char *t = tu_sh(cmd);
    int total = 0;
    *most = 0;
    ck_assert_int_eq(sscanf(t, "%d %d", &total, most), 2);
    free(t);
    return total;
}

/* A small xorshift: random kill moments that the printed seed repeats. */
static double uniform(unsigned long long *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (double)(*s >> 11) / 9007199254740992.0;
}

START_TEST(test_kill9_random_moments)
{
    char *dir = tu_tmpdir("kill9");
    char ref[4200], got[4200], space[4200], model[4200];
    snprintf(ref, sizeof ref, "%s/ref", dir);
    snprintf(space, sizeof space, "%s/hp.json", dir);
    snprintf(model, sizeof model, "%s/tests/models/model.py", tu_root());
    tu_write(space, "[{\"name\":\"n\",\"type\":\"int\",\"lower\":1,\"upper\":5},"
                    "{\"name\":\"lr\",\"type\":\"float\",\"lower\":1e-3,"
                    "\"upper\":1,\"log_scale\":true}]");
    const char *strategy = strategies[_i % 2];
    char *argv[] = { G, "run", "--no-env", "--space", space, "--out", ref,
                     "--strategy", (char *)strategy, "--population-size", "6",
                     "--num-iter", "4", "--seed", "3", "--jobs",
                     jobs_for[_i % 2], "--quiet", "--", model, "slow", NULL };
    char *env[] = { "GAHPO_TEST_SLEEP=0.15", NULL };
    struct timespec ts0, ts1;
    clock_gettime(CLOCK_MONOTONIC, &ts0);
    run_ok(argv, env);
    clock_gettime(CLOCK_MONOTONIC, &ts1);
    double span = (double)(ts1.tv_sec - ts0.tv_sec) +
                  (double)(ts1.tv_nsec - ts0.tv_nsec) * 1e-9;
    int ref_most, evaluations = count_invocations(ref, &ref_most);
    unsigned long long seed = 0x9e3779b97f4a7c15ULL * (unsigned)(_i + 1);
    if (getenv("GAHPO_KILL_SEED"))
        seed = strtoull(getenv("GAHPO_KILL_SEED"), NULL, 0);
    fprintf(stderr, "kill9 %s: GAHPO_KILL_SEED=%llu\n", strategy, seed);
    for (int trial = 0; trial < 3; trial++) {
        snprintf(got, sizeof got, "%s/got%d", dir, trial);
        argv[6] = got;
        char *resume[] = { G, "run", "--resume", got, "--quiet", NULL };
        int kills = 0, started = 0;
        char run_json[4300];
        snprintf(run_json, sizeof run_json, "%s/run.json", got);
        for (int k = 0; k < 4; k++) {
            pid_t pid = spawn_with_sleep(started ? resume : argv, "0.15");
            /* the first kill within generation 0, the others anywhere */
            tu_sleep(k == 0 ? 0.05 + 0.4 * uniform(&seed)
                            : span * uniform(&seed) / 2);
            kill(pid, SIGKILL);
            int status;
            waitpid(pid, &status, 0);
            kills += WIFSIGNALED(status);
            started = access(run_json, F_OK) == 0;
        }
        char *out, *err;
        int rc = tu_run(started ? resume : argv, NULL, env, &out, &err);
        ck_assert_msg(rc == 0, "trial %d: exit %d: %s", trial, rc, err);
        free(out);
        free(err);
        tu_assert_same_run(ref, got);  /* nothing lost, nothing twice */
        char ls[4400];  /* and no half-written temp file left behind */
        snprintf(ls, sizeof ls, "ls -A '%s' | grep -c '\\.tmp\\.' || true", got);
        char *temps = tu_sh(ls);
        ck_assert_msg(atoi(temps) == 0, "trial %d: %s temp files left", trial,
                      temps);
        free(temps);
        int most, calls = count_invocations(got, &most);
        /* run twice: only what was in flight at a kill (--jobs) */
        ck_assert_msg(calls <= evaluations + atoi(jobs_for[_i % 2]) * kills &&
                      most <= 1 + kills,
                      "trial %d: %d model runs for %d evaluations after %d "
                      "kills (at most %d in one directory)", trial, calls,
                      evaluations, kills, most);
        ck_assert_int_ge(calls, evaluations);
    }
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* ---- the model's processes ------------------------------------------------ */

/* A run of the test model over a one-int space in dir/name; argv to change
 * before running (the space written to dir/hp.json). */
typedef struct model_run {
    char out[4200], space[4200], model[4200];
    char *argv[24];
} model_run;

static void model_run_init(model_run *m, const char *dir, const char *name,
                           const char *mode, const char *jobs,
                           const char *extra1, const char *extra2)
{
    snprintf(m->out, sizeof m->out, "%s/%s", dir, name);
    snprintf(m->space, sizeof m->space, "%s/hp1.json", dir);
    snprintf(m->model, sizeof m->model, "%s/tests/models/model.py", tu_root());
    tu_write(m->space, "[{\"name\":\"n\",\"type\":\"int\",\"lower\":1,"
                       "\"upper\":5}]");
    char *const a[] = { G, "run", "--no-env", "--no-tuned-defaults", "--space",
                        m->space, "--out", m->out, "--population-size", "4",
                        "--num-iter", "1", "--jobs", (char *)jobs, "--quiet" };
    int n = 0;
    for (size_t i = 0; i < sizeof a / sizeof *a; i++)
        m->argv[n++] = a[i];
    if (extra1) {
        m->argv[n++] = (char *)extra1;
        m->argv[n++] = (char *)extra2;
    }
    m->argv[n++] = "--";
    m->argv[n++] = m->model;
    m->argv[n++] = (char *)mode;
    m->argv[n] = NULL;
}


/* Lines of a job directory's calls.txt: how often its model ran. */
static int calls_in(const char *run, int ind)
{
    char path[4300];
    snprintf(path, sizeof path, "%s/gen_0/ind_%d/calls.txt", run, ind);
    return tu_count_lines(path);
}

/* SIGHUP (a closed terminal) stops the run as SIGTERM does: the models
 * stopped, exit 1 saying how to go on; the run then resumes. */
START_TEST(test_sighup_stops_the_run)
{
    char *dir = tu_tmpdir("sighup");
    model_run m;
    model_run_init(&m, dir, "got", "slow", "2", NULL, NULL);
    int errpipe[2];
    ck_assert_int_eq(pipe(errpipe), 0);
    pid_t pid = fork();
    if (pid == 0) {
        setenv("GAHPO_TEST_SLEEP", "30", 1);
        dup2(errpipe[1], 2);
        execv(m.argv[0], m.argv);
        _exit(127);
    }
    close(errpipe[1]);
    tu_sleep(1.0);
    kill(pid, SIGHUP);
    int status;
    waitpid(pid, &status, 0);
    char msg[4096] = "";
    ssize_t n = read(errpipe[0], msg, sizeof msg - 1);
    msg[n > 0 ? n : 0] = '\0';
    close(errpipe[0]);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 1,
                  "status %d: %s", status, msg);
    ck_assert_msg(strstr(msg, "gahpo run --resume") != NULL, "%s", msg);
    for (int i = 0; i < 2; i++) {
        char path[4300];
        snprintf(path, sizeof path, "%s/gen_0/ind_%d/pid", m.out, i);
        char *text = tu_read(path);
        ck_assert_ptr_nonnull(text);
        pid_t child = (pid_t)atol(text);
        free(text);
        ck_assert_msg(kill(child, 0) != 0, "model %d still running", i);
    }
    char *resume[] = { G, "run", "--resume", m.out, "--quiet", NULL };
    char *fast[] = { "GAHPO_TEST_SLEEP=0.01", NULL };
    run_ok(resume, fast);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* A model killed by another process fails "transiently": logged so, and
 * run again by a resume, which then ends as the uninterrupted run. */
START_TEST(test_transient_failure_runs_again)
{
    char *dir = tu_tmpdir("transient");
    model_run ref, m;
    model_run_init(&ref, dir, "ref", "slow", "4", NULL, NULL);
    model_run_init(&m, dir, "got", "slow", "4", NULL, NULL);
    char *fast[] = { "GAHPO_TEST_SLEEP=0.01", NULL };
    run_ok(ref.argv, fast);
    pid_t driver = spawn_with_sleep(m.argv, "2");
    tu_sleep(0.8);
    char path[4300];
    snprintf(path, sizeof path, "%s/gen_0/ind_0/pid", m.out);
    char *text = tu_read(path);
    ck_assert_ptr_nonnull(text);
    kill((pid_t)atol(text), SIGKILL);  /* the OOM killer, say */
    free(text);
    tu_sleep(0.3);
    kill(driver, SIGKILL);
    waitpid(driver, NULL, 0);
    char *log = file_in(m.out, "evals.jsonl");
    ck_assert_msg(strstr(log, "\"transient\":true") &&
                  strstr(log, "from outside the run"), "log: %s", log);
    free(log);
    char *resume[] = { G, "run", "--resume", m.out, "--quiet", NULL };
    run_ok(resume, fast);
    /* the same run; the log keeps the transient failure as a record, and
     * has every evaluation once besides */
    tu_assert_same_file(ref.out, m.out, "stats.csv");
    tu_assert_same_file(ref.out, m.out, "best.json");
    tu_assert_same_file(ref.out, m.out, "population.json");
    int lines, failed, with;
    tu_scan_log(m.out, &lines, &failed, "from outside the run", &with);
    ck_assert_int_eq(lines, 5);
    ck_assert_int_eq(failed, 1);
    ck_assert_int_eq(with, 1);
    ck_assert_int_eq(calls_in(m.out, 0), 2);
    for (int i = 1; i < 4; i++)  /* the others were taken over, not rerun */
        ck_assert_int_eq(calls_in(m.out, i), 1);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* --retries N runs a failed evaluation again, up to N more times. */
START_TEST(test_local_retries)
{
    char *dir = tu_tmpdir("retries");
    model_run m, r;
    model_run_init(&m, dir, "once", "flaky", "2", NULL, NULL);
    char *out, *err;
    ck_assert_int_eq(tu_run(m.argv, NULL, NULL, &out, &err), 1);
    free(out);
    free(err);
    int lines, failed, with;
    tu_scan_log(m.out, &lines, &failed, "exit status 3", &with);
    ck_assert_int_eq(failed, 4);
    model_run_init(&r, dir, "twice", "flaky", "2", "--retries", "1");
    run_ok(r.argv, NULL);
    tu_scan_log(r.out, &lines, &failed, NULL, &with);
    ck_assert_int_eq(lines, 4);
    ck_assert_int_eq(failed, 0);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(calls_in(r.out, i), 2);
    model_run_init(&r, dir, "bad", "flaky", "2", "--retries", "-1");
    run_refused(r.argv, "--retries");
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* What a model starts is ended with it: processes that left its process
 * group (setsid), one of them with an empty environment. */
START_TEST(test_descendants_ended)
{
    char *dir = tu_tmpdir("escape");
    model_run m;
    model_run_init(&m, dir, "got", "escape", "2", NULL, NULL);
    run_ok(m.argv, NULL);
    for (int i = 0; i < 4; i++) {
        char path[4300];
        snprintf(path, sizeof path, "%s/gen_0/ind_%d/escaped.txt", m.out, i);
        char *text = tu_read(path);
        ck_assert_ptr_nonnull(text);
        long a, b;
        ck_assert_int_eq(sscanf(text, "%ld %ld", &a, &b), 2);
        free(text);
        for (int k = 0; k < 2; k++) {
            char cmd[128];
            snprintf(cmd, sizeof cmd, "ps -o stat= -p %ld", k ? b : a);
            char *st = tu_sh(cmd);
            ck_assert_msg(!st || !*st || st[0] == 'Z', "job %d: escaped "
                          "process %ld still running (%s)", i, k ? b : a, st);
            free(st);
        }
    }
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* Models of a driver killed -9 are taken over by the resume (run once)
 * and their recorded deadline still holds. */
START_TEST(test_orphans_adopted_within_deadline)
{
    char *dir = tu_tmpdir("adopt");
    model_run m;
    model_run_init(&m, dir, "got", "slow", "4", "--timeout", "3");
    pid_t driver = spawn_with_sleep(m.argv, "8");
    tu_sleep(0.8);
    kill(driver, SIGKILL);
    waitpid(driver, NULL, 0);
    char *resume[] = { G, "run", "--resume", m.out, "--quiet", NULL };
    char *out, *err;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* every model times out, so generation 0 has no fitness: exit 1 */
    ck_assert_int_eq(tu_run(resume, NULL, NULL, &out, &err), 1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    free(out);
    free(err);
    double took = (double)(t1.tv_sec - t0.tv_sec) +
                  (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    int lines, failed, with;
    tu_scan_log(m.out, &lines, &failed, "timeout after 3 s", &with);
    ck_assert_int_eq(with, 4);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(calls_in(m.out, i), 1);
    /* the deadline counts from their start, not from the resume */
    ck_assert_msg(took < 3.0 + 2.0, "the resume took %.1f s", took);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

Suite *rundir_suite(void)
{
    Suite *s = suite_create("rundir");
    TCase *tc = tcase_create("rundir");
    tcase_set_timeout(tc, 240);
    tcase_add_loop_test(tc, test_resume_in_generation_0, 0, 2);
    tcase_add_loop_test(tc, test_one_driver_per_directory, 0, 2);
    tcase_add_test(tc, test_lock_refuses_every_writer);
    tcase_add_test(tc, test_resume_refuses_what_does_not_belong);
    tcase_add_test(tc, test_stale_temp_files_removed);
    tcase_add_loop_test(tc, test_extend_finished_run, 0, 2);
    tcase_add_test(tc, test_extend_legacy_generator);
    tcase_add_loop_test(tc, test_kill9_random_moments, 0, 2);
    suite_add_tcase(s, tc);
    TCase *tp = tcase_create("processes");
    tcase_set_timeout(tp, 120);
    tcase_add_test(tp, test_sighup_stops_the_run);
    tcase_add_test(tp, test_transient_failure_runs_again);
    tcase_add_test(tp, test_local_retries);
    tcase_add_test(tp, test_descendants_ended);
    tcase_add_test(tp, test_orphans_adopted_within_deadline);
    suite_add_tcase(s, tp);
    return s;
}
