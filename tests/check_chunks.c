/* check_chunks.c - sweeps beyond one machine: `gahpo sweep SPEC --executor
 * slurm|pbs --chunks K`, each chunk an exit-status job of the array
 * executor.
 * Without a scheduler: chunks run by hand (--chunk k/K, or --chunk-of K
 * with GAHPO_JOB_INDEX as a task runs them) merge into the one-machine
 * runs.csv, and bad input is refused with exit 2. Against the real local
 * Slurm (scripts/slurm-start.sh; skipped, visibly, when sinfo finds none)
 * and the project's PBS Pro EMULATOR (tests/pbs-emulator, not a real PBS
 * server), tests over both (cluster.h): exit-status jobs (outcome, index),
 * byte-identical runs.csv. Against Slurm alone: a cancelled chunk retried
 * from its journal, a failed chunk reported and resumed alone, kill -9 of
 * the driver then --resume without rerunning a finished chunk. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <math.h>

#include <cJSON.h>

#include "../exec/exec.h"
#include "../ga/util.h"
#include "../sweeps/sweep.h"
#include "cluster.h"
#include "suites.h"
#include "testutil.h"

#define G (char *)tu_gahpo()

/* 5 settings x 3 problems x 30 replicates = 450 runs of 4,000 evaluations:
 * about 1.3 s of one CPU per chunk of three. */
static const char *spec_text =
    "{\"name\": \"chunky\", \"seed\": 11, \"problems\": [\"sphere:d5\", "
    "\"rastrigin:d5\", \"mixed:cnn:noisy\"], \"budget\": 4000, "
    "\"replicates\": 30, \"workers\": 8, \"targets\": [1, 0.1],"
    " \"parameters\": {\"population_size\": [8, 32],"
    " \"strategy\": [\"mu_plus_lambda\", \"simple\"]}}";
#define NRUNS 450

static int exists(const char *path)
{
    return access(path, F_OK) == 0;
}

/* ---- the one-machine reference, made once for the whole suite ----------- */

static char *ref_dir;
static char *ref_csv;

static void make_reference(void)
{
    if (ref_csv)
        return;
    ref_dir = tu_tmpdir("chunks-ref");
    char spec[4200], out[4200], path[4300];
    snprintf(spec, sizeof spec, "%s/spec.json", ref_dir);
    snprintf(out, sizeof out, "%s/out", ref_dir);
    tu_write(spec, spec_text);
    char *o, *e;
    double t0 = (double)time(NULL);
    int rc = tu_run((char *[]){ G, "sweep", spec, "--out", out, "--threads",
                                "2", "--quiet", NULL }, NULL, NULL, &o, &e);
    fprintf(stderr, "chunks: one-machine reference (%d runs, 2 threads): "
            "%.0f s\n", NRUNS, (double)time(NULL) - t0);
    if (rc != 0)
        fprintf(stderr, "the reference sweep failed: %s\n", e);
    free(o);
    free(e);
    snprintf(path, sizeof path, "%s/runs.csv", out);
    ref_csv = tu_read(path);
}

static void drop_reference(void)
{
    tu_rmrf(ref_dir);
    free(ref_dir);
    free(ref_csv);
    ref_dir = ref_csv = NULL;
}

/* runs.csv in dir is the one-machine one, byte for byte. */
static void assert_same_as_reference(const char *dir)
{
    ck_assert_msg(ref_csv != NULL, "no reference runs.csv");
    char path[4300];
    snprintf(path, sizeof path, "%s/runs.csv", dir);
    char *got = tu_read(path);
    ck_assert_msg(got != NULL, "no %s", path);
    ck_assert_msg(strcmp(got, ref_csv) == 0, "%s differs from the one-machine "
                  "runs.csv", path);
    free(got);
}

/* The test's directory with spec.json; its path into spec. */
static char *test_dir(const char *tag, char *spec, size_t size)
{
    char *dir = tu_tmpdir(tag);
    snprintf(spec, size, "%s/spec.json", dir);
    tu_write(spec, spec_text);
    return dir;
}

/* Each run of chunk k is in its timings.csv exactly once: nothing was
 * run twice, a retried chunk continued from its journal. */
static void assert_runs_once(const char *chunk_dir, long k, long K)
{
    char path[4300];
    snprintf(path, sizeof path, "%s/timings.csv", chunk_dir);
    char *t = tu_read(path);
    ck_assert_msg(t != NULL, "no %s", path);
    int seen[NRUNS] = { 0 }, n = 0;
    for (char *line = strchr(t, '\n'); line && line[1]; line = strchr(line, '\n')) {
        long run = strtol(++line, NULL, 10);
        ck_assert(run >= 0 && run < NRUNS && run % K == k);
        ck_assert_msg(!seen[run], "run %ld ran twice (%s)", run, path);
        seen[run] = 1;
        n++;
    }
    ck_assert_int_eq(n, (int)((NRUNS - k + K - 1) / K));
    free(t);
}

/* ---- without a scheduler -------------------------------------------------- */

/* Chunks run by hand merge into the one-machine runs.csv (chunk 1 as an
 * array task runs it: --chunk-of 3, its k in GAHPO_JOB_INDEX); a rerun
 * chunk resumes from its journal. chunk.json records the chunk, and no
 * objective. They are where a cluster sweep keeps its chunks: with the
 * records the previous version wrote (its fake objective, "val_loss": 0),
 * --resume finds every chunk finished and submits nothing. */
START_TEST(test_chunks_merge_by_hand)
{
    char spec[4200];
    char *dir = test_dir("chunks-hand", spec, sizeof spec);
    char cdirs[3][4300];
    for (int k = 0; k < 3; k++) {
        char chunk[16];
        snprintf(chunk, sizeof chunk, "%d/3", k);
        snprintf(cdirs[k], sizeof cdirs[k], "%s/out/chunks/gen_0/ind_%d", dir,
                 k);
        char *o, *e;
        char *by_hand[] = { G, "sweep", spec, "--chunk", chunk, "--out",
                            cdirs[k], "--threads", "1", "--quiet", NULL };
        char *as_task[] = { G, "sweep", spec, "--chunk-of", "3", "--out",
                            cdirs[k], "--threads", "1", "--quiet", NULL };
        char *index[] = { "GAHPO_JOB_INDEX=1", NULL };
        int rc = k == 1 ? tu_run(as_task, NULL, index, &o, &e)
                        : tu_run(by_hand, NULL, NULL, &o, &e);
        ck_assert_msg(rc == 0, "chunk %d: %s", k, e);
        free(o);
        free(e);
        char path[4400];
        snprintf(path, sizeof path, "%s/chunk.json", cdirs[k]);
        char *text = tu_read(path);
        cJSON *cj = cJSON_Parse(text);
        ck_assert_msg(cj != NULL, "no %s", path);
        ck_assert_int_eq(cJSON_GetObjectItem(cj, "chunk")->valueint, k);
        ck_assert_int_eq(cJSON_GetObjectItem(cj, "chunks")->valueint, 3);
        ck_assert_int_eq(cJSON_GetObjectItem(cj, "runs")->valueint, NRUNS / 3);
        ck_assert_ptr_null(cJSON_GetObjectItem(cj, "val_loss"));
        cJSON_Delete(cj);
        free(text);
        snprintf(path, sizeof path, "%s/runs.csv", cdirs[k]);
        ck_assert_int_eq(tu_count_lines(path), 1 + NRUNS / 3);
        snprintf(path, sizeof path, "%s/summary.csv", cdirs[k]);
        ck_assert(!exists(path));  /* a chunk is not analysed */
        assert_runs_once(cdirs[k], k, 3);
    }
    /* chunk 1 again, --resume: every run is in its journal, none runs */
    char *o, *e;
    ck_assert_int_eq(tu_run((char *[]){ G, "sweep", spec, "--chunk", "1/3",
                                        "--out", cdirs[1], "--resume",
                                        "--quiet", NULL }, NULL, NULL, &o, &e),
                     0);
    free(o);
    free(e);
    assert_runs_once(cdirs[1], 1, 3);
    ga_error err;
    sweep_spec *s = sweep_spec_load(spec, &err);
    ck_assert_ptr_nonnull(s);
    sweep_point *pts;
    size_t np;
    char *report;
    ck_assert_int_eq(sweep_design(s, &pts, &np, &report, &err), 0);
    char *dirs[3] = { cdirs[0], cdirs[1], cdirs[2] };
    ck_assert_msg(sweep_merge_chunks(s, np, dir, 3, dirs, &err) == 0, "%s",
                  err.msg);
    assert_same_as_reference(dir);
    char path[4300];
    snprintf(path, sizeof path, "%s/timings.csv", dir);
    ck_assert_int_eq(tu_count_lines(path), 1 + NRUNS);
    snprintf(path, sizeof path, "%s/generator", dir);
    char *gen = tu_read(path);
    ck_assert_str_eq(gen, "xoshiro256++\n");
    free(gen);
    /* a chunk finished by a gahpo that drew from mt19937 (no generator
     * file) is not joined with the others */
    snprintf(path, sizeof path, "%s/generator", cdirs[2]);
    unlink(path);
    ck_assert_int_eq(sweep_merge_chunks(s, np, dir, 3, dirs, &err), GA_EINPUT);
    ck_assert_msg(strstr(err.msg, "mt19937") && strstr(err.msg, cdirs[2]),
                  "%s", err.msg);
    tu_write(path, "xoshiro256++\n");
    /* chunks in the wrong places, or one missing, are refused */
    char *swapped[3] = { cdirs[1], cdirs[0], cdirs[2] };
    ck_assert_int_eq(sweep_merge_chunks(s, np, dir, 3, swapped, &err),
                     GA_EINPUT);
    ck_assert_msg(strstr(err.msg, "not a run of chunk 0"), "%s", err.msg);
    ck_assert_int_eq(sweep_merge_chunks(s, np, dir, 2, dirs, &err), GA_EINPUT);
    /* the records as the previous version wrote them, then a resume */
    char out[4300];
    snprintf(out, sizeof out, "%s/out", dir);
    for (int k = 0; k < 3; k++) {
        snprintf(path, sizeof path, "%s/chunk.json", cdirs[k]);
        char old[256];
        snprintf(old, sizeof old, "{\"chunk\": %d, \"chunks\": 3, \"runs\": "
                 "%d, \"val_loss\": 0}\n", k, NRUNS / 3);
        tu_write(path, old);
    }
    snprintf(path, sizeof path, "%s/chunks/chunks.json", out);
    tu_write(path, "{\"chunks\": 3, \"scheduler\": \"slurm\"}\n");
    ck_assert_int_eq(tu_run((char *[]){ G, "sweep", spec, "--executor", "slurm",
                                        "--chunks", "3", "--out", out,
                                        "--resume", NULL }, NULL, NULL, &o,
                            &e), 0);
    ck_assert_msg(strstr(e, "3 already finished"), "%s", e);
    free(o);
    free(e);
    snprintf(path, sizeof path, "%s/chunks/gen_0/jobs.txt", out);
    ck_assert(!exists(path));                  /* nothing submitted */
    assert_same_as_reference(out);
    free(report);
    sweep_points_free(pts, np, s->nfactors);
    sweep_spec_free(s);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* Bad input: exit 2, a clear message, nothing written. */
START_TEST(test_chunks_bad_input)
{
    char spec[4200], race[4200], out[4200];
    char *dir = test_dir("chunks-bad", spec, sizeof spec);
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(race, sizeof race, "%s/race.json", dir);
    tu_write(race, "{\"name\": \"r\", \"problems\": [\"sphere:d2\"], \"budget\": "
             "50, \"replicates\": 4, \"design\": {\"type\": \"race\", "
             "\"points\": 4}, \"parameters\": {\"cx_prob\": {\"min\": 0, "
             "\"max\": 1}}}");
    struct {
        const char *args[8];
        const char *expect;
        char *env;               /* one NAME=VALUE, or NULL */
    } cases[] = {
        { { spec, "--executor", "slurm", "--chunks", "0" },
          "--chunks must be", NULL },
        { { spec, "--executor", "slurm", "--chunks", "x" },
          "--chunks must be", NULL },
        { { spec, "--chunks", "3" }, "give --executor slurm or pbs", NULL },
        { { spec, "--executor", "local", "--chunks", "3" },
          "--executor local runs the whole sweep", NULL },
        { { spec, "--executor", "slurm" }, "needs --chunks K", NULL },
        { { spec, "--executor", "slurm", "--chunks", "451" },
          "only 450 runs", NULL },
        { { spec, "--executor", "pbs", "--chunks", "100000" },
          "only 450 runs", NULL },
        { { race, "--executor", "slurm", "--chunks", "2" }, "race", NULL },
        { { spec, "--partition", "debug" },
          "need --executor slurm or pbs", NULL },
        { { spec, "--executor", "pbs", "--chunks", "2", "--partition", "x" },
          "--partition", NULL },
        { { spec, "--chunk", "3/3" }, "--chunk wants k/K", NULL },
        { { spec, "--chunk", "1" }, "--chunk wants k/K", NULL },
        { { spec, "--chunk", "0/2", "--executor", "slurm", "--chunks", "2" },
          "--chunk k/K runs one chunk", NULL },
        { { spec, "--chunk-of", "3" },
          "GAHPO_JOB_INDEX, which is not set", NULL },
        { { spec, "--chunk-of", "3" }, "GAHPO_JOB_INDEX is '3', not a chunk "
          "in 0..2", "GAHPO_JOB_INDEX=3" },
        { { spec, "--chunk-of", "3" }, "GAHPO_JOB_INDEX is '-1'",
          "GAHPO_JOB_INDEX=-1" },
        { { spec, "--chunk-of", "3" }, "GAHPO_JOB_INDEX is 'x'",
          "GAHPO_JOB_INDEX=x" },
        { { spec, "--chunk-of", "0" }, "--chunk-of K wants the number of "
          "chunks", "GAHPO_JOB_INDEX=0" },
        { { spec, "--chunk-of", "2", "--executor", "pbs", "--chunks", "2" },
          "--chunk k/K runs one chunk", "GAHPO_JOB_INDEX=0" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *argv[16] = { G, "sweep" };
        int n = 2;
        for (int j = 0; cases[i].args[j]; j++)
            argv[n++] = (char *)cases[i].args[j];
        argv[n++] = "--out";
        argv[n++] = out;
        argv[n] = NULL;
        char *o, *e, *env[] = { cases[i].env, NULL };
        int rc = tu_run(argv, NULL, env, &o, &e);
        ck_assert_msg(rc == 2, "case %zu: exit %d: %s", i, rc, e);
        ck_assert_msg(strstr(e, cases[i].expect), "case %zu: expected '%s' "
                      "in: %s", i, cases[i].expect, e);
        ck_assert_msg(!exists(out), "case %zu wrote %s", i, out);
        free(o);
        free(e);
    }
    /* a sweep begun on one machine is not resumed in chunks */
    tu_write(spec, "{\"name\": \"one\", \"problems\": [\"sphere:d2\"], "
             "\"budget\": 20, \"replicates\": 2, \"parameters\": "
             "{\"cx_prob\": [0.1, 0.3]}}");
    char *o, *e;
    ck_assert_int_eq(tu_run((char *[]){ G, "sweep", spec, "--out", out,
                                        "--quiet", NULL }, NULL, NULL, &o, &e),
                     0);
    free(o);
    free(e);
    int rc = tu_run((char *[]){ G, "sweep", spec, "--out", out, "--executor",
                                "slurm", "--chunks", "2", "--resume", "--quiet",
                                NULL }, NULL, NULL, &o, &e);
    ck_assert_int_eq(rc, 2);
    ck_assert_msg(strstr(e, "run on one machine"), "%s", e);
    free(o);
    free(e);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* ---- against the real Slurm ------------------------------------------------ */

static void setup_reference(void)
{
    tu_slurm_up();  /* asked once, in the runner, before it forks */
    make_reference();
}

#define NEED_SLURM()         \
    do {                     \
        if (!tu_slurm_up())  \
            return;          \
    } while (0)

/* The first array's id from out/chunks/gen_0/jobs.txt (waits up to 30 s). */
static void first_array(const char *out, char *id, size_t size)
{
    char path[4300];
    snprintf(path, sizeof path, "%s/chunks/gen_0/jobs.txt", out);
    for (int i = 0; i < 300; i++, tu_sleep(0.1)) {
        char *t = tu_read(path);
        long number;
        int ok = t && sscanf(t, "%ld %63s", &number, id) == 2;
        free(t);
        if (ok)
            return;
    }
    (void)size;
    ck_abort_msg("no array submitted within 30 s");
}

/* Which chunks array_S.tasks lists, as "0 2 " (the submissions). */
static void tasks_of(const char *out, int sub, char *buf, size_t size)
{
    char path[4300];
    snprintf(path, sizeof path, "%s/chunks/gen_0/array_%d.tasks", out, sub);
    char *t = tu_read(path);
    buf[0] = '\0';
    for (char *c = t; c && *c; c++)
        if (*c != '\n')
            strncat(buf, c, 1);
        else if (strlen(buf) + 2 < size)
            strcat(buf, " ");
    free(t);
}

static void chunk_path(const char *out, int k, const char *file, char *buf,
                       size_t size)
{
    snprintf(buf, size, "%s/chunks/gen_0/ind_%d/%s", out, k, file);
}

/* A chunk cancelled mid-way (scancel of its task) is retried with
 * --retries 1, continues from its journal, and the result is the same. */
START_TEST(test_slurm_chunk_retried)
{
    NEED_SLURM();
    char spec[4200], out[4200], path[4300], journal[4300], done[4300];
    char *dir = test_dir("chunks-retry", spec, sizeof spec);
    snprintf(out, sizeof out, "%s/out", dir);
    char *argv[] = { G, "sweep", spec, "--executor", "slurm", "--chunks", "3",
                     "--threads", "1", "--retries", "1", "--out", out,
                     "--quiet", NULL };
    pid_t pid = tu_spawn_quiet(argv);
    char id[64];
    first_array(out, id, sizeof id);
    chunk_path(out, 1, "runs.journal", journal, sizeof journal);
    chunk_path(out, 1, "chunk.json", done, sizeof done);
    int lines = 0;
    for (int i = 0; i < 600 && lines < 3; i++, tu_sleep(0.02))
        lines = tu_count_lines(journal);
    ck_assert_msg(lines >= 3 && !exists(done), "chunk 1 did not get going");
    char cmd[128];
    snprintf(cmd, sizeof cmd, "scancel %s_1", id);
    ck_assert_int_eq(system(cmd), 0);
    int status;
    waitpid(pid, &status, 0);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_same_as_reference(out);
    snprintf(path, sizeof path, "%s/chunks/gen_0/jobs.txt", out);
    ck_assert_int_eq(tu_count_lines(path), 2);    /* the array, the retry */
    char tasks[64];
    tasks_of(out, 1, tasks, sizeof tasks);
    ck_assert_str_eq(tasks, "1 ");             /* chunk 1 alone */
    char cdir[4300];
    chunk_path(out, 1, "", cdir, sizeof cdir);
    assert_runs_once(cdir, 1, 3);              /* resumed, not restarted */
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* A chunk that fails: exit 1 with the chunk's reason and its own error;
 * after the cause is gone, --resume runs that chunk alone. */
START_TEST(test_slurm_chunk_fails_then_resume)
{
    NEED_SLURM();
    char spec[4200], out[4200], path[4300], obstacle[4300];
    char *dir = test_dir("chunks-fail", spec, sizeof spec);
    snprintf(out, sizeof out, "%s/out", dir);
    /* chunk 1's journal cannot be written: a directory stands there */
    chunk_path(out, 1, "runs.journal", obstacle, sizeof obstacle);
    ga_error err;
    ck_assert_int_eq(ga_mkdirs(obstacle, &err), 0);
    char *o, *e;
    int rc = tu_run((char *[]){ G, "sweep", spec, "--executor", "slurm",
                                "--chunks", "3", "--threads", "1", "--out", out,
                                "--quiet", NULL }, NULL, NULL, &o, &e);
    ck_assert_int_eq(rc, 1);
    ck_assert_msg(strstr(e, "chunk 1/3 failed: exit status 1") &&
                  strstr(e, "FAILED") && strstr(e, "Is a directory") &&
                  strstr(e, "--resume"), "%s", e);
    ck_assert_msg(!strstr(e, "chunk 0/3 failed") && !strstr(e, "chunk 2/3"),
                  "%s", e);
    free(o);
    free(e);
    snprintf(path, sizeof path, "%s/runs.csv", out);
    ck_assert(!exists(path));                  /* no partial result */
    ck_assert_int_eq(rmdir(obstacle), 0);
    rc = tu_run((char *[]){ G, "sweep", spec, "--executor", "slurm",
                            "--chunks", "3", "--threads", "1", "--out", out,
                            "--resume", "--quiet", NULL }, NULL, NULL, &o, &e);
    ck_assert_msg(rc == 0, "%s", e);
    free(o);
    free(e);
    assert_same_as_reference(out);
    char tasks[64];
    tasks_of(out, 0, tasks, sizeof tasks);
    ck_assert_str_eq(tasks, "0 1 2 ");
    tasks_of(out, 1, tasks, sizeof tasks);
    ck_assert_str_eq(tasks, "1 ");             /* 0 and 2 were not rerun */
    snprintf(path, sizeof path, "%s/chunks/gen_0/jobs.txt", out);
    ck_assert_int_eq(tu_count_lines(path), 2);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* kill -9 of the driver once chunk 0 has finished (chunks one at a time);
 * chunk 2's task is lost as well (scancel). --resume: chunk 0 is not run
 * again, chunk 1's running task is adopted, chunk 2 alone is submitted. */
START_TEST(test_slurm_kill9_resume)
{
    NEED_SLURM();
    char spec[4200], out[4200], path[4300], done0[4300], done1[4300];
    char *dir = test_dir("chunks-kill", spec, sizeof spec);
    snprintf(out, sizeof out, "%s/out", dir);
    char *argv[] = { G, "sweep", spec, "--executor", "slurm", "--chunks", "3",
                     "--threads", "1", "--max-concurrent", "1", "--out", out,
                     "--quiet", NULL };
    pid_t pid = tu_spawn_quiet(argv);
    char id[64];
    first_array(out, id, sizeof id);
    chunk_path(out, 0, "chunk.json", done0, sizeof done0);
    chunk_path(out, 1, "chunk.json", done1, sizeof done1);
    for (int i = 0; i < 1500 && !exists(done0); i++)
        tu_sleep(0.02);
    ck_assert_msg(exists(done0), "chunk 0 did not finish within 30 s");
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "scancel %s_2", id);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_msg(!exists(done1), "chunk 1 finished too soon for this test");
    char *o, *e;
    int rc = tu_run((char *[]){ G, "sweep", spec, "--executor", "slurm",
                                "--chunks", "3", "--threads", "1",
                                "--max-concurrent", "1", "--out", out,
                                "--resume", NULL }, NULL, NULL, &o, &e);
    ck_assert_msg(rc == 0, "%s", e);
    ck_assert_msg(strstr(e, "1 already finished"), "%s", e);
    free(o);
    free(e);
    assert_same_as_reference(out);
    snprintf(path, sizeof path, "%s/chunks/gen_0/jobs.txt", out);
    ck_assert_int_eq(tu_count_lines(path), 2);
    char tasks[64];
    tasks_of(out, 1, tasks, sizeof tasks);
    ck_assert_str_eq(tasks, "2 ");   /* not 0 (finished), not 1 (adopted) */
    for (int k = 0; k < 3; k++) {
        char cdir[4300];
        chunk_path(out, k, "", cdir, sizeof cdir);
        assert_runs_once(cdir, k, 3);
    }
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* ---- over each scheduler (cluster.h) --------------------------------------- */

typedef struct status_seen {
    ga_result r[3];
    int reported[3];
} status_seen;

static void on_status(void *ctx, size_t k, const ga_result *r)
{
    status_seen *p = ctx;
    ck_assert(k < 3 && !p->reported[k]);
    p->r[k] = *r;
    p->reported[k] = 1;
}

/* Exit-status jobs, what the chunks are: with no result file, the array
 * executor's exit 0 is fitness 0 and no reason, exit 3 a failure naming
 * its exit status; each job is told its index (GAHPO_JOB_INDEX); no
 * params.json, nothing after the command; an empty space and no genes.
 * Parameters for exit-status jobs are refused. */
START_TEST(test_exit_status_jobs)
{
    const cluster_backend *b = &cluster_backends[_i];
    if (!b->available())
        return;
    char *dir = cluster_tmpdir(b, "chunks-status"), run[4300], path[4400];
    snprintf(run, sizeof run, "%s/run", dir);
    char *cmd[] = { "/bin/sh", "-c", "echo $GAHPO_JOB_INDEX > index.txt; "
                    "test \"$GAHPO_JOB_INDEX\" != 1 || exit 3" };
    ga_error err;
    ga_sched_settings *s = ga_sched_settings_alloc(b->dialect ? GA_SCHED_PBS
                                                              : GA_SCHED_SLURM);
    ck_assert_ptr_nonnull(s);
    if (b->dialect)
        ck_assert_int_eq(ga_sched_settings_set(s, "--pbs-dialect", b->dialect,
                                               &err), GA_OK);
    ck_assert_msg(ga_sched_settings_resolve(s, NULL, NULL, NULL, &err) == GA_OK,
                  "%s", err.msg);
    ga_exec_array_opts o = { .argv = cmd, .argc = 3, .run_dir = run,
                             .jobs = 3, .sched = s, .gahpo = tu_gahpo() };
    ga_executor *ex = b->dialect ? ga_exec_pbs_alloc(&o, &err)
                                 : ga_exec_slurm_alloc(&o, &err);
    ck_assert_msg(ex != NULL, "%s", err.msg);
    const ga_space none = { 0 };
    ga_job jobs[3] = { { 0, 0, NULL }, { 0, 1, NULL }, { 0, 2, NULL } };
    status_seen seen = { 0 };
    ck_assert_msg(ga_executor_run(ex, &none, jobs, 3, on_status, &seen, NULL,
                                  &err) == GA_OK, "%s", err.msg);
    ga_executor_free(ex);
    for (int k = 0; k < 3; k++) {
        const ga_result *r = &seen.r[k];
        ck_assert(seen.reported[k]);
        if (k == 1) {
            ck_assert(isnan(r->fitness));
            ck_assert_msg(strstr(r->reason, "exit status 3") &&
                          strstr(r->reason, b->label), "%s", r->reason);
        } else {
            ck_assert_msg(r->fitness == 0 && !r->reason[0], "job %d: %g %s",
                          k, r->fitness, r->reason);
        }
        char want[8];
        snprintf(want, sizeof want, "%d\n", k);
        snprintf(path, sizeof path, "%s/gen_0/ind_%d/index.txt", run, k);
        char *index = tu_read(path);
        ck_assert_msg(index && !strcmp(index, want), "%s: %s", path, index);
        free(index);
        snprintf(path, sizeof path, "%s/gen_0/ind_%d/params.json", run, k);
        ck_assert(!exists(path));
        snprintf(path, sizeof path, "%s/gen_0/ind_%d/task.json", run, k);
        char *task = tu_read(path);
        ck_assert_msg(strstr(task, "|| exit 3\"],"), "%s", task);
        free(task);
    }
    o.param_flags = 1;
    ck_assert_ptr_null(b->dialect ? ga_exec_pbs_alloc(&o, &err)
                                  : ga_exec_slurm_alloc(&o, &err));
    ck_assert_int_eq(err.status, GA_EINPUT);
    ck_assert_msg(strstr(err.msg, "take no parameters"), "%s", err.msg);
    ga_sched_settings_free(s);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* Three chunks, one array, a thread each: the one-machine runs.csv byte
 * for byte, analysed; each task ran its chunk through argv; the sweep as
 * run is recorded, and a plain rerun or other chunks are refused. */
START_TEST(test_same_as_one_machine)
{
    const cluster_backend *b = &cluster_backends[_i];
    if (!b->available())
        return;
    char spec[4200], out[4200], path[4300];
    char *dir = test_dir("chunks-sched", spec, sizeof spec);
    if (b->prepare)
        b->prepare(dir);
    snprintf(out, sizeof out, "%s/out", dir);
    tu_argv a = { .n = 0 };
    tu_argv_add(&a, G, "sweep", spec, NULL);
    cluster_options(&a, b);
    tu_argv_add(&a, "--chunks", "3", "--threads", "1", "--out", out, "--quiet",
                NULL);
    char *o, *e;
    double t0 = (double)time(NULL);
    int rc = tu_run(a.v, NULL, cluster_env(), &o, &e);
    fprintf(stderr, "chunks: %s, 3 chunks of %d runs, 1 thread each: %.0f s\n",
            b->name, NRUNS / 3, (double)time(NULL) - t0);
    ck_assert_msg(rc == 0, "%s", e);
    free(o);
    free(e);
    assert_same_as_reference(out);
    snprintf(path, sizeof path, "%s/summary.csv", out);   /* analysed */
    ck_assert(exists(path));
    snprintf(path, sizeof path, "%s/tuned_defaults.json", out);
    ck_assert(exists(path));
    snprintf(path, sizeof path, "%s/chunks/gen_0/jobs.txt", out);
    ck_assert_int_eq(tu_count_lines(path), 1);               /* one array */
    char *jobs = tu_read(path);
    if (b->id_mark)
        ck_assert_ptr_nonnull(strstr(jobs, b->id_mark));
    free(jobs);
    snprintf(path, sizeof path, "%s/chunks/gen_0/array_0.sh", out);
    cluster_assert_script(b, path, "gahpo-sweep-chunky", 2, 3);
    /* each task is an exit-status job, one command for all: --chunk-of 3,
     * its k from GAHPO_JOB_INDEX; no parameters, no objective */
    chunk_path(out, 2, "task.json", path, sizeof path);
    char *task = tu_read(path);
    ck_assert_ptr_nonnull(strstr(task, "\"--resume\",\"--chunk-of\",\"3\","
                                       "\"--threads\",\"1\"]"));
    ck_assert_ptr_null(strstr(task, "2/3"));
    free(task);
    chunk_path(out, 2, "params.json", path, sizeof path);
    ck_assert(!exists(path));
    chunk_path(out, 2, "chunk.json", path, sizeof path);
    char *text = tu_read(path);
    cJSON *record = text ? cJSON_Parse(text) : NULL;
    ck_assert_ptr_nonnull(record);
    ck_assert_int_eq(cJSON_GetObjectItem(record, "chunk")->valueint, 2);
    ck_assert_ptr_null(cJSON_GetObjectItem(record, "val_loss"));
    cJSON_Delete(record);
    free(text);
    for (int k = 0; k < 3; k++) {
        char cdir[4300];
        chunk_path(out, k, "", cdir, sizeof cdir);
        assert_runs_once(cdir, k, 3);
    }
    /* the sweep as run is recorded, and a plain rerun is refused */
    rc = tu_run((char *[]){ G, "sweep", spec, "--out", out, "--resume",
                            "--quiet", NULL }, NULL, cluster_env(), &o, &e);
    ck_assert_int_eq(rc, 2);
    ck_assert_msg(strstr(e, "in chunks"), "%s", e);
    free(o);
    free(e);
    tu_argv again = { .n = 0 };
    tu_argv_add(&again, G, "sweep", spec, "--out", out, NULL);
    cluster_options(&again, b);
    tu_argv_add(&again, "--chunks", "4", "--resume", "--quiet", NULL);
    rc = tu_run(again.v, NULL, cluster_env(), &o, &e);
    ck_assert_int_eq(rc, 2);
    ck_assert_msg(strstr(e, "--chunks 3"), "%s", e);
    free(o);
    free(e);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

Suite *chunks_suite(void)
{
    Suite *s = suite_create("chunks");
    TCase *tc = tcase_create("chunks");
    tcase_add_unchecked_fixture(tc, setup_reference, drop_reference);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_chunks_merge_by_hand);
    tcase_add_test(tc, test_chunks_bad_input);
    tcase_add_loop_test(tc, test_exit_status_jobs, CLUSTER_SLURM,
                        CLUSTER_PRO + 1);
    tcase_add_loop_test(tc, test_same_as_one_machine, CLUSTER_SLURM,
                        CLUSTER_PRO + 1);
    tcase_add_test(tc, test_slurm_chunk_retried);
    tcase_add_test(tc, test_slurm_chunk_fails_then_resume);
    tcase_add_test(tc, test_slurm_kill9_resume);
    suite_add_tcase(s, tc);
    return s;
}
