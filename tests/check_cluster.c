/* check_cluster.c - the integration tests every batch scheduler runs, one
 * body each over the backends of cluster.h: the real local Slurm
 * (scripts/slurm-start.sh), PBS's Torque dialect through Debian's
 * slurm-wlm-torque wrappers over that Slurm (skipped, visibly, when either
 * is missing), and PBS Pro through the project's EMULATOR in
 * tests/pbs-emulator (not a real PBS server). The slurm and pbs suites add
 * them for their backends (cluster_add_tests); Check's loop index picks
 * the backend. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>

#include "cluster.h"
#include "testutil.h"

#define G (char *)tu_gahpo()

/* ---- Slurm, and Torque's wrappers over it ------------------------------- */

static int slurm_available(void)
{
    return tu_slurm_up();
}

/* Slurm up and slurm-wlm-torque's qsub and qstat installed (asked once). */
static int torque_available(void)
{
    static int up = -1;
    if (up >= 0)
        return up;
    char *out = tu_sh("grep -l Slurm /usr/bin/qsub /usr/bin/qstat 2>/dev/null "
                      "| wc -l");
    up = atoi(out) == 2 && tu_slurm_up();
    free(out);
    if (!up)
        fprintf(stderr, "SKIPPED: Torque dialect tests need a running Slurm "
                "and Debian's slurm-wlm-torque wrappers (scripts/slurm-start.sh "
                "installs and starts both)\n");
    return up;
}

/* The wrappers' ids are Slurm's, so squeue reads both queues. */
static int slurm_running(const char *id)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "squeue -h -r -j %s -t R -o %%i 2>/dev/null | "
             "wc -l", id);
    char *out = tu_sh(cmd);
    int n = atoi(out);
    free(out);
    return n;
}

static int slurm_left(const char *id)
{
    return tu_slurm_tasks_left(id, 0);
}

/* scancel is asynchronous: a cancelled task shows as completing for a
 * moment, so the queue is given 10 s to empty. The models sleep ten
 * minutes: only the cancel empties it that soon. */
static void slurm_assert_cancelled(const char *id, int ntasks)
{
    (void)ntasks;  /* squeue forgets ended tasks: nothing more to see */
    ck_assert_int_eq(tu_slurm_tasks_left(id, 10), 0);
}

/* ---- the PBS Pro emulator ------------------------------------------------- */

static int pro_available(void)
{
    return 1;  /* the emulator is part of the tree */
}

/* The emulator first on PATH, with its own state directory in dir. */
static void pro_prepare(const char *dir)
{
    char path[8192], state[4300];
    snprintf(path, sizeof path, "%s/tests/pbs-emulator:%s", tu_root(),
             getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
    setenv("PATH", path, 1);
    snprintf(state, sizeof state, "%s/pbs-emulator-state", dir);
    setenv("PBS_EMULATOR_DIR", state, 1);
}

/* The emulator's qstat of job id and its subjobs, finished ones too
 * (caller frees). */
static char *pro_qstat(const char *id)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "qstat -x -t -f -F json '%s' 2>/dev/null", id);
    return tu_sh(cmd);
}

static int pro_running(const char *id)
{
    char *q = pro_qstat(id);
    int n = tu_count_of(q, "\"job_state\": \"R\"");
    free(q);
    return n;
}

static int pro_left(const char *id)
{
    char *q = pro_qstat(id);
    int n = tu_count_of(q, "\"job_state\": \"R\"") +
            tu_count_of(q, "\"job_state\": \"Q\"");
    free(q);
    return n;
}

/* Nothing queued or running the moment the driver has exited, and every
 * task ended by qdel's SIGTERM (the task forwards it to the model and
 * exits 143; a task killed outright would show 271). */
static void pro_assert_cancelled(const char *id, int ntasks)
{
    char *q = pro_qstat(id);
    ck_assert_msg(tu_count_of(q, "\"job_state\": \"R\"") == 0 &&
                  tu_count_of(q, "\"job_state\": \"Q\"") == 0, "%s", q);
    ck_assert_int_eq(tu_count_of(q, "\"Exit_status\": 143") +
                     tu_count_of(q, "\"Exit_status\": 271"), ntasks);
    free(q);
}

/* ---- the table ------------------------------------------------------------ */

const cluster_backend cluster_backends[CLUSTER_COUNT] = {
    [CLUSTER_SLURM] = {
        .name = "slurm", .executor = "slurm", .dialect = NULL,
        .label = "Slurm", .available = slurm_available, .prepare = NULL,
        .running = slurm_running, .left = slurm_left,
        .assert_cancelled = slurm_assert_cancelled,
        .at_once = 1,  /* the test node may have 2 CPUs */
        .cancel_seconds = 60,
        .name_line = "#SBATCH --job-name=%s\n",
        .array_line = "#SBATCH --array=0-%d%%%d\n",
        .id_mark = NULL,
        .refuse_option = { "--partition", "nosuch" },
        .refuse_env = { NULL, NULL },
        .refuse_words = { "sbatch", "partition" },
        .query_cmd = "squeue",
        .unreachable = "squeue: error: Unable to contact slurm controller "
                       "(connect failure)",
    },
    [CLUSTER_PRO] = {
        .name = "pro", .executor = "pbs", .dialect = "pro", .label = "PBS",
        .available = pro_available, .prepare = pro_prepare,
        .running = pro_running, .left = pro_left,
        .assert_cancelled = pro_assert_cancelled,
        .at_once = 4,  /* PBS_EMULATOR_NCPUS' default */
        .cancel_seconds = 30,
        .name_line = "#PBS -N %s\n",
        .array_line = NULL,  /* qsub -J a-b%n */
        .id_mark = "[].emu",  /* qsub -J prints ID[].SERVER */
        .refuse_option = { "--queue", "nosuch" },
        .refuse_env = { "PBS_EMULATOR_REFUSE", "Unknown queue" },
        .refuse_words = { "qsub", "Unknown queue" },
        .query_cmd = "qstat",
        .unreachable = "qstat: cannot connect to server emu (errno=111) "
                       "Connection refused",
    },
    [CLUSTER_TORQUE] = {
        .name = "torque", .executor = "pbs", .dialect = "torque",
        .label = "PBS", .available = torque_available, .prepare = NULL,
        .running = slurm_running, .left = slurm_left,
        .assert_cancelled = slurm_assert_cancelled,  /* qdel is scancel */
        .at_once = 1,
        .cancel_seconds = 60,
        .name_line = "#PBS -N %s\n",
        .array_line = NULL,  /* qsub -t a-b%n */
        .id_mark = NULL,     /* the wrappers print Slurm's job id */
        .refuse_option = { "--queue", "nosuch" },
        .refuse_env = { NULL, NULL },
        .refuse_words = { "qsub", "invalid partition" },
        .query_cmd = "qstat",
        .unreachable = NULL,  /* the wrappers' qstat -f shows neither the
                               * submit arguments nor the working directory */
    },
};

/* ---- helpers -------------------------------------------------------------- */

const char *const cluster_space =
    "[{\"name\":\"x\",\"type\":\"float\",\"lower\":-2,\"upper\":2},"
    " {\"name\":\"n\",\"type\":\"int\",\"lower\":0,\"upper\":3},"
    " {\"name\":\"opt\",\"type\":\"categorical\",\"element_type\":\"string\","
    "\"values\":[\"adam\",\"sgd\"]},"
    " {\"name\":\"res\",\"type\":\"logical\"}]";

const char *const cluster_long_sleep_space =
    "[{\"name\":\"x\",\"type\":\"float\",\"lower\":-2,\"upper\":2},"
    " {\"name\":\"n\",\"type\":\"int\",\"lower\":0,\"upper\":3},"
    " {\"name\":\"sleep_seconds\",\"type\":\"constant\",\"value\":600}]";

/* x and models that sleep `seconds` (static storage). */
static const char *sleep_space(int seconds)
{
    static char text[256];
    snprintf(text, sizeof text,
             "[{\"name\":\"x\",\"type\":\"float\",\"lower\":-2,\"upper\":2},"
             "{\"name\":\"sleep_seconds\",\"type\":\"constant\",\"value\":%d}]",
             seconds);
    return text;
}

char *cluster_tmpdir(const cluster_backend *b, const char *tag)
{
    char name[128];
    snprintf(name, sizeof name, "%s-%s", tag, b->name);
    char *dir = tu_tmpdir(name);
    if (b->prepare)
        b->prepare(dir);
    return dir;
}

char *cluster_run_dir(const cluster_backend *b, const char *tag,
                      const char *space, char *run, size_t size)
{
    char *dir = cluster_tmpdir(b, tag), sp[4200];
    snprintf(sp, sizeof sp, "%s/hp.json", dir);
    tu_write(sp, space);
    snprintf(run, size, "%s/run", dir);
    return dir;
}

void cluster_options(tu_argv *a, const cluster_backend *b)
{
    tu_argv_add(a, "--executor", b->executor, NULL);
    if (b->dialect)
        tu_argv_add(a, "--pbs-dialect", b->dialect, NULL);
}

char *const *cluster_env(void)
{
    static const char *names[] = { "PBS_EMULATOR_DIR", "PBS_EMULATOR_REFUSE" };
    static char vars[2][4400];
    static char *env[3];
    int n = 0;
    for (int i = 0; i < 2; i++) {
        const char *v = getenv(names[i]);
        if (!v)
            continue;
        snprintf(vars[n], sizeof vars[n], "%s=%s", names[i], v);
        env[n] = vars[n];
        n++;
    }
    env[n] = NULL;
    return n ? env : NULL;
}

void cluster_ga_argv(tu_argv *a, const cluster_backend *b, const char *dir,
                     const char *sub)
{
    char sp[4200], out_dir[4200];
    snprintf(sp, sizeof sp, "%s/hp.json", dir);
    snprintf(out_dir, sizeof out_dir, "%s/%s", dir, sub);
    tu_argv_add(a, G, "run", "--no-env", "--space", sp, "--out", out_dir,
                NULL);
    if (b)
        cluster_options(a, b);
}

int cluster_run_ga(const cluster_backend *b, const char *dir, const char *sub,
                   const char *space, const char *mode,
                   const char *const *extra, char **err)
{
    if (space) {
        char sp[4200];
        snprintf(sp, sizeof sp, "%s/hp.json", dir);
        tu_write(sp, space);
    }
    tu_argv a = { .n = 0 };
    cluster_ga_argv(&a, b, dir, sub);
    tu_argv_add(&a, "--population-size", "4", "--num-iter", "2", "--jobs", "4",
                "--quiet", NULL);
    for (int i = 0; extra && extra[i]; i++)
        tu_argv_add(&a, extra[i], NULL);
    tu_argv_add(&a, "--", tu_model(), mode, NULL);
    char *out;
    int rc = tu_run(a.v, NULL, cluster_env(), &out, err);
    free(out);
    return rc;
}

int cluster_resume(const char *run, char **err)
{
    char *out;
    int rc = tu_run((char *[]){ G, "run", "--resume", (char *)run, "--quiet",
                                NULL }, NULL, cluster_env(), &out, err);
    free(out);
    return rc;
}

void cluster_write_flaky(const char *dir, const char *when, int delay,
                         char *flaky, size_t size)
{
    char text[1024], sp[4200];
    snprintf(text, sizeof text,
             "#!/usr/bin/python3\n"
             "import json, os, sys, time\n"
             "open('calls.txt', 'a').write('x\\n')\n"
             "if (%s) and not os.path.exists('tried'):\n"
             "    open('tried', 'w').close()\n"
             "    time.sleep(%d)\n"
             "    sys.exit(5)\n"
             "x = float(sys.argv[2])\n"
             "json.dump({'val_loss': x * x}, open('result.json', 'w'))\n",
             when, delay);
    snprintf(flaky, size, "%s/flaky.py", dir);
    tu_write(flaky, text);
    chmod(flaky, 0755);
    snprintf(sp, sizeof sp, "%s/hp.json", dir);
    tu_write(sp, "[{\"name\":\"x\",\"type\":\"float\",\"lower\":-1,"
             "\"upper\":1}]");
}

void cluster_run_flaky(const cluster_backend *b, const char *dir,
                       const char *when)
{
    char flaky[4300], run[4200];
    cluster_write_flaky(dir, when, 0, flaky, sizeof flaky);
    snprintf(run, sizeof run, "%s/run", dir);
    tu_argv a = { .n = 0 };
    cluster_ga_argv(&a, b, dir, "run");
    tu_argv_add(&a, "--population-size", "4", "--num-iter", "1", "--jobs", "4",
                "--quiet", "--retries", "1", "--", flaky, NULL);
    char *out, *err;
    int rc = tu_run(a.v, NULL, cluster_env(), &out, &err);
    ck_assert_msg(rc == 0, "%s", err);
    free(out);
    free(err);
    int lines, failed, with;
    tu_scan_log(run, &lines, &failed, NULL, &with);
    ck_assert_int_eq(lines, 4);
    ck_assert_int_eq(failed, 0);
}

void cluster_wait_running(const cluster_backend *b, const char *run, int n,
                          char *id, size_t size)
{
    char path[4300], fmt[32];
    snprintf(path, sizeof path, "%s/gen_0/jobs.txt", run);
    snprintf(fmt, sizeof fmt, "%%ld %%%zus", size - 1);
    for (int i = 0; i < 300; i++, tu_sleep(0.1)) {
        char *t = tu_read(path);
        long number;
        int ok = t && sscanf(t, fmt, &number, id) == 2;
        free(t);
        if (ok && b->running(id) >= n)
            return;
    }
    ck_abort_msg("%s: the array did not start running within 30 s", b->name);
}

int cluster_tasks_left(const cluster_backend *b, const char *id,
                       double within)
{
    for (double waited = 0;; waited += 0.2) {
        int n = b->left(id);
        if (n == 0 || waited >= within)
            return n;
        tu_sleep(0.2);
    }
}

void cluster_assert_script(const cluster_backend *b, const char *path,
                           const char *job_name, int last, int at_once)
{
    char *script = tu_read(path), want[256];
    ck_assert_msg(script != NULL, "no %s", path);
    if (job_name) {
        snprintf(want, sizeof want, b->name_line, job_name);
        ck_assert_msg(strstr(script, want), "no [%s] in:\n%s", want, script);
    }
    if (b->array_line) {
        snprintf(want, sizeof want, b->array_line, last, at_once);
        ck_assert_msg(strstr(script, want), "no [%s] in:\n%s", want, script);
    }
    free(script);
}

/* Once gen_0's first array runs, kill -9 the driver pid. Half a second
 * later than that: a running Torque task has written the job_id.txt by
 * which --resume knows it. */
static void kill_when_running(const cluster_backend *b, pid_t pid,
                              const char *run, char *id, size_t size)
{
    cluster_wait_running(b, run, 1, id, size);
    tu_sleep(0.5);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

/* ---- the tests -------------------------------------------------------------- */

/* Population 4, 3 generations, seed 7: the same files as a local run; one
 * array per generation, its script, the job's record, the executor in
 * run.json. */
START_TEST(test_same_as_local)
{
    const cluster_backend *b = &cluster_backends[_i];
    if (!b->available())
        return;
    char *dir = cluster_tmpdir(b, "ok");
    char *err;
    const char *opts[] = { "--seed", "7", "--num-iter", "3", NULL };
    double t0 = (double)time(NULL);
    int rc = cluster_run_ga(b, dir, "sched", cluster_space, "ok", opts, &err);
    fprintf(stderr, "%s: pop 4, 3 generations: %.0f s\n", b->name,
            (double)time(NULL) - t0);
    ck_assert_msg(rc == 0, "%s", err);
    free(err);
    rc = cluster_run_ga(NULL, dir, "local", NULL, "ok", opts, &err);
    ck_assert_msg(rc == 0, "%s", err);
    free(err);
    char a[4200], l[4200], path[4300], want[128];
    snprintf(a, sizeof a, "%s/sched", dir);
    snprintf(l, sizeof l, "%s/local", dir);
    tu_assert_same_file(a, l, "stats.csv");
    tu_assert_same_file(a, l, "best.json");
    tu_assert_same_file(a, l, "population.json");
    snprintf(path, sizeof path, "%s/stats.csv", a);
    ck_assert_int_eq(tu_count_lines(path), 1 + 3);  /* three generations */
    int lines, failed, r;
    tu_scan_log(a, &lines, &failed, NULL, &r);
    ck_assert_int_eq(failed, 0);
    snprintf(path, sizeof path, "%s/gen_0/jobs.txt", a);
    ck_assert_int_eq(tu_count_lines(path), 1);
    char *jobs = tu_read(path);
    if (b->id_mark)
        ck_assert_ptr_nonnull(strstr(jobs, b->id_mark));
    free(jobs);
    snprintf(path, sizeof path, "%s/gen_0/array_0.sh", a);
    cluster_assert_script(b, path, NULL, 3, 4);
    snprintf(path, sizeof path, "%s/gen_0/ind_2/argv.json", a);
    ck_assert_int_eq(access(path, F_OK), 0);
    snprintf(path, sizeof path, "%s/run.json", a);
    char *rj = tu_read(path);
    snprintf(want, sizeof want, "\"%s\"", b->executor);
    ck_assert_ptr_nonnull(strstr(rj, want));
    if (b->dialect)
        ck_assert_ptr_nonnull(strstr(rj, b->dialect));
    free(rj);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* A model that exits 3: every evaluation fails with the status and the
 * job named, and a generation with nothing but failures ends the run. */
START_TEST(test_model_fails)
{
    const cluster_backend *b = &cluster_backends[_i];
    if (!b->available())
        return;
    char *dir = cluster_tmpdir(b, "fail");
    char *err;
    int rc = cluster_run_ga(b, dir, "run", cluster_space, "fail", NULL, &err);
    ck_assert_int_eq(rc, 1);
    ck_assert_ptr_nonnull(strstr(err, "all 4 evaluations in generation 0 failed"));
    free(err);
    char run[4200], reason[64];
    snprintf(run, sizeof run, "%s/run", dir);
    snprintf(reason, sizeof reason, "exit status 3 (%s job", b->label);
    int lines, failed, with;
    tu_scan_log(run, &lines, &failed, reason, &with);
    ck_assert_int_eq(failed, 4);
    ck_assert_int_eq(with, 4);
    tu_scan_log(run, &lines, &failed, "FAILED", &with);
    ck_assert_int_eq(with, 4);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* A task whose result file is garbage: NaN, the reason says why. */
START_TEST(test_garbage_result)
{
    const cluster_backend *b = &cluster_backends[_i];
    if (!b->available())
        return;
    char *dir = cluster_tmpdir(b, "garbage");
    char *err;
    const char *extra[] = { "--nan-policy", "worst", NULL };
    int rc = cluster_run_ga(b, dir, "run", cluster_space, "garbage", extra,
                            &err);
    ck_assert_int_eq(rc, 1);  /* no fitness at all to stand in */
    free(err);
    char run[4200];
    snprintf(run, sizeof run, "%s/run", dir);
    int lines, failed, with;
    tu_scan_log(run, &lines, &failed,
                "result.json: cannot parse: not a number and not JSON", &with);
    ck_assert_int_eq(failed, 4);
    ck_assert_int_eq(with, 4);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* Values a shell would take apart reach the model byte for byte, through
 * the scheduler's script and the task, and run nothing. */
START_TEST(test_hostile_values)
{
    const cluster_backend *b = &cluster_backends[_i];
    if (!b->available())
        return;
    char *dir = cluster_tmpdir(b, "hostile");
    char marker[4200];
    snprintf(marker, sizeof marker, "%s/pwned", dir);
    const char *values[] = {
        "a b", "it's \"quoted\"", "$(touch PWNED)", "; touch PWNED;",
        "`touch PWNED`", "line1\nline2", "--x", "'; touch PWNED; '", "*",
        "$HOME",
    };
    cJSON *sp = cJSON_CreateArray();
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "name", "v");
    cJSON_AddStringToObject(p, "type", "categorical");
    cJSON_AddStringToObject(p, "element_type", "string");
    cJSON *vals = cJSON_AddArrayToObject(p, "values");
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char v[4400];
        snprintf(v, sizeof v, "%s", values[i]);
        char *at = strstr(v, "PWNED");
        if (at) {
            char tail[4400];
            snprintf(tail, sizeof tail, "%s", at + 5);
            snprintf(at, sizeof v - (size_t)(at - v), "%s%s", marker, tail);
        }
        cJSON_AddItemToArray(vals, cJSON_CreateString(v));
    }
    cJSON_AddItemToArray(sp, p);
    char *text = cJSON_Print(sp);
    char space[4200], out_dir[4200];
    snprintf(space, sizeof space, "%s/hp.json", dir);
    tu_write(space, text);
    free(text);
    snprintf(out_dir, sizeof out_dir, "%s/run", dir);
    tu_argv a = { .n = 0 };
    cluster_ga_argv(&a, b, dir, "run");
    tu_argv_add(&a, "--population-size", "20", "--num-iter", "1", "--jobs",
                "20", "--quiet", "--no-cache", "--", tu_model(), "ok", NULL);
    char *out, *err;
    int rc = tu_run(a.v, NULL, cluster_env(), &out, &err);
    ck_assert_msg(rc == 0, "%s", err);
    ck_assert_int_ne(access(marker, F_OK), 0);  /* nothing ran */
    for (int i = 0; i < 20; i++) {
        char path[4400];
        snprintf(path, sizeof path, "%s/gen_0/ind_%d/argv.json", out_dir, i);
        char *argv = tu_read(path);
        ck_assert_ptr_nonnull(argv);
        cJSON *av = cJSON_Parse(argv);
        snprintf(path, sizeof path, "%s/gen_0/ind_%d/params.json", out_dir, i);
        char *params = tu_read(path);
        cJSON *pj = cJSON_Parse(params);
        const char *from_argv = cJSON_GetArrayItem(av, 1)->valuestring;
        ck_assert_str_eq(from_argv, cJSON_GetObjectItem(pj, "v")->valuestring);
        int known = 0;
        const cJSON *v;
        cJSON_ArrayForEach(v, vals) known |= strcmp(v->valuestring, from_argv) == 0;
        ck_assert_msg(known, "value changed on the way: [%s]", from_argv);
        cJSON_Delete(av);
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

/* SIGTERM to the driver cancels its array (scancel, qdel): exit 1 within
 * the cancel's bound, nothing left in the queue, nothing logged as
 * failed. */
START_TEST(test_sigterm_cancels)
{
    const cluster_backend *b = &cluster_backends[_i];
    if (!b->available())
        return;
    char run[4200], path[4300], id[128];
    char *dir = cluster_run_dir(b, "cancel", cluster_long_sleep_space, run,
                                sizeof run);
    tu_argv a = { .n = 0 };
    cluster_ga_argv(&a, b, dir, "run");
    tu_argv_add(&a, "--population-size", "4", "--num-iter", "2", "--jobs", "4",
                "--", tu_model(), "sleep", NULL);
    pid_t pid = tu_spawn_quiet(a.v);
    int running = b->at_once < 4 ? b->at_once : 4;
    cluster_wait_running(b, run, running, id, sizeof id);
    double t0 = (double)time(NULL);
    kill(pid, SIGTERM);
    int status;
    waitpid(pid, &status, 0);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1);
    ck_assert((double)time(NULL) - t0 < b->cancel_seconds);
    b->assert_cancelled(id, running);
    snprintf(path, sizeof path, "%s/evals.jsonl", run);
    ck_assert_int_eq(tu_count_lines(path), 0);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* A model that fails on its first attempt: --retries 1 gets every value,
 * from a second array. */
START_TEST(test_retries)
{
    const cluster_backend *b = &cluster_backends[_i];
    if (!b->available())
        return;
    char *dir = cluster_tmpdir(b, "retry"), path[4300];
    cluster_run_flaky(b, dir, "True");
    snprintf(path, sizeof path, "%s/run/gen_0/jobs.txt", dir);
    ck_assert_int_eq(tu_count_lines(path), 2);  /* the first array, the retry */
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* kill -9 of the driver while its array runs; --resume waits for those
 * tasks instead of submitting them again, and ends where an uninterrupted
 * local run ends. */
START_TEST(test_reattach_after_kill)
{
    const cluster_backend *b = &cluster_backends[_i];
    if (!b->available())
        return;
    char run[4200], path[4300], id[128];
    char *dir = cluster_run_dir(b, "reattach", sleep_space(3), run,
                                sizeof run);
    tu_argv a = { .n = 0 };
    cluster_ga_argv(&a, b, dir, "run");
    tu_argv_add(&a, "--population-size", "4", "--num-iter", "2", "--jobs", "4",
                "--quiet", "--", tu_model(), "sleep", NULL);
    pid_t pid = tu_spawn_quiet(a.v);
    kill_when_running(b, pid, run, id, sizeof id);
    ck_assert_int_gt(cluster_tasks_left(b, id, 0), 0);  /* the array runs on */
    char *err;
    ck_assert_msg(cluster_resume(run, &err) == 0, "%s", err);
    free(err);
    snprintf(path, sizeof path, "%s/gen_0/jobs.txt", run);
    ck_assert_int_eq(tu_count_lines(path), 1);  /* nothing submitted twice */
    /* the same run, local and uninterrupted */
    int rc = cluster_run_ga(NULL, dir, "ref", NULL, "sleep", NULL, &err);
    ck_assert_msg(rc == 0, "%s", err);
    free(err);
    snprintf(path, sizeof path, "%s/ref", dir);
    tu_assert_same_file(run, path, "stats.csv");
    tu_assert_same_file(run, path, "best.json");
    int lines, failed, with;
    tu_scan_log(run, &lines, &failed, NULL, &with);
    ck_assert_int_eq(lines, 4 + 2);
    ck_assert_int_eq(failed, 0);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* A driver killed after the scheduler took the array but before jobs.txt
 * had its id (made by removing the line, leaving the marker the driver
 * writes before submitting): --resume finds the job by its script, records
 * and adopts it; each evaluation runs once. First with a scheduler that
 * cannot be reached: the resume stops and keeps the marker rather than
 * submit a second time. */
START_TEST(test_reattach_unrecorded)
{
    const cluster_backend *b = &cluster_backends[_i];
    if (!b->available())
        return;
    char run[4200], path[4300], id[128];
    char *dir = cluster_run_dir(b, "unrecorded", sleep_space(2), run,
                                sizeof run);
    tu_argv a = { .n = 0 };
    cluster_ga_argv(&a, b, dir, "run");
    tu_argv_add(&a, "--population-size", "4", "--num-iter", "2", "--jobs", "4",
                "--quiet", "--no-cache", "--", tu_model(), "sleep", NULL);
    pid_t pid = tu_spawn_quiet(a.v);
    kill_when_running(b, pid, run, id, sizeof id);
    snprintf(path, sizeof path, "%s/gen_0/jobs.txt", run);
    ck_assert_int_eq(unlink(path), 0);
    snprintf(path, sizeof path, "%s/gen_0/array_0.submitting", run);
    tu_write(path, "");
    char fake[4300], script[4600], newpath[8192];
    char *saved = strdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
    snprintf(fake, sizeof fake, "%s/bin", dir);
    mkdir(fake, 0755);
    snprintf(fake, sizeof fake, "%s/bin/%s", dir, b->query_cmd);
    snprintf(script, sizeof script, "#!/bin/sh\necho '%s' >&2\nexit 1\n",
             b->unreachable);
    tu_write(fake, script);
    chmod(fake, 0755);
    snprintf(newpath, sizeof newpath, "%s/bin:%s", dir, saved);
    setenv("PATH", newpath, 1);
    char *err;
    int rc = cluster_resume(run, &err);
    setenv("PATH", saved, 1);
    free(saved);
    ck_assert_int_eq(rc, 1);
    ck_assert_msg(strstr(err, "did not answer whether it took submission 0"),
                  "%s", err);
    ck_assert_int_eq(access(path, F_OK), 0);
    free(err);
    ck_assert_msg(cluster_resume(run, &err) == 0, "%s", err);
    free(err);
    ck_assert_int_ne(access(path, F_OK), 0);  /* the marker is gone */
    snprintf(path, sizeof path, "%s/gen_0/jobs.txt", run);
    char *jobs = tu_read(path), want[160];
    snprintf(want, sizeof want, "0 %s\n", id);
    ck_assert_str_eq(jobs, want);  /* recorded, nothing submitted again */
    free(jobs);
    ck_assert_int_eq(tu_count_calls(run), 4);  /* generation 0 ran once */
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* --strategy async: the first evaluations go out as one array, then each
 * replacement as soon as a task ends; every evaluation of the budget
 * logged once, each run by its own task, once. */
START_TEST(test_async)
{
    const cluster_backend *b = &cluster_backends[_i];
    if (!b->available())
        return;
    char run[4200], path[4300];
    char *dir = cluster_run_dir(b, "async", cluster_space, run, sizeof run);
    tu_argv a = { .n = 0 };
    cluster_ga_argv(&a, b, dir, "run");
    tu_argv_add(&a, "--strategy", "async", "--population-size", "4",
                "--num-iter", "3", "--jobs", "3", "--seed", "2", "--quiet",
                "--no-cache", "--", tu_model(), "slow", NULL);
    char *out, *err;
    int rc = tu_run(a.v, NULL, cluster_env(), &out, &err);
    ck_assert_msg(rc == 0, "%s", err);
    free(out);
    free(err);
    ck_assert_int_eq(tu_check_async_log(run, 4 + 2 * 2), 8);
    ck_assert_int_eq(tu_count_calls(run), 8);
    snprintf(path, sizeof path, "%s/gen_0/array_0.sh", run);
    cluster_assert_script(b, path, "gahpo-run-async", 2, 3);  /* 3 in flight */
    snprintf(path, sizeof path, "%s/gen_0/jobs.txt", run);
    ck_assert_int_ge(tu_count_lines(path), 2);  /* replacements went out later */
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* kill -9 of an async driver while its tasks run, then --resume: the tasks
 * in flight are adopted, not submitted again; every evaluation is logged
 * once and each ran exactly once (the model's own count). */
START_TEST(test_async_kill_resume)
{
    const cluster_backend *b = &cluster_backends[_i];
    if (!b->available())
        return;
    char run[4200], id[128];
    char *dir = cluster_run_dir(b, "async-kill", sleep_space(2), run,
                                sizeof run);
    tu_argv a = { .n = 0 };
    cluster_ga_argv(&a, b, dir, "run");
    tu_argv_add(&a, "--strategy", "async", "--population-size", "4",
                "--num-iter", "2", "--jobs", "3", "--quiet", "--no-cache",
                "--", tu_model(), "sleep", NULL);
    pid_t pid = tu_spawn_quiet(a.v);
    kill_when_running(b, pid, run, id, sizeof id);
    ck_assert_int_gt(cluster_tasks_left(b, id, 0), 0);  /* the tasks run on */
    char *err;
    ck_assert_msg(cluster_resume(run, &err) == 0, "%s", err);
    free(err);
    ck_assert_int_eq(tu_check_async_log(run, 4 + 1 * 2), 6);
    ck_assert_int_eq(tu_count_calls(run), 6);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* The scheduler refusing the submission (a partition or queue that does
 * not exist): exit 1 at once, not retried (permanent), with its words. */
START_TEST(test_submit_refused)
{
    const cluster_backend *b = &cluster_backends[_i];
    if (!b->available())
        return;
    char *dir = cluster_tmpdir(b, "refuse");
    if (b->refuse_env[0])
        setenv(b->refuse_env[0], b->refuse_env[1], 1);
    char *err;
    const char *extra[] = { b->refuse_option[0], b->refuse_option[1], NULL };
    double t0 = (double)time(NULL);
    int rc = cluster_run_ga(b, dir, "run", cluster_space, "ok", extra, &err);
    ck_assert_int_eq(rc, 1);
    ck_assert((double)time(NULL) - t0 < 10);
    ck_assert_msg(strstr(err, b->refuse_words[0]) &&
                  strstr(err, b->refuse_words[1]), "%s", err);
    free(err);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* ---- registration ---------------------------------------------------------- */

void cluster_add_tests(TCase *tc, int first, int last)
{
    const int all = (1 << CLUSTER_COUNT) - 1;
    const struct {
        const TTest *test;
        int backends;  /* bit i: runs over cluster_backends[i] */
    } shared[] = {
        { test_same_as_local, all },
        { test_model_fails, all },
        { test_garbage_result, all },
        { test_hostile_values, all },
        { test_sigterm_cancels, all },
        { test_retries, all },
        { test_reattach_after_kill, all },
        /* Torque's wrappers: no search for an unrecorded job */
        { test_reattach_unrecorded, 1 << CLUSTER_SLURM | 1 << CLUSTER_PRO },
        { test_async, all },
        { test_async_kill_resume, all },
        { test_submit_refused, all },
    };
    for (int i = first; i < last; i++)
        for (size_t t = 0; t < sizeof shared / sizeof shared[0]; t++)
            if (shared[t].backends & 1 << i)
                tcase_add_loop_test(tc, shared[t].test, i, i + 1);
}
