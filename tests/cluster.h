/* cluster.h - the batch schedulers the integration suites run over, one
 * descriptor each, and the integration tests they share (check_cluster.c).
 * A shared test takes its backend from Check's loop index (_i), so the
 * slurm, pbs and chunks suites run one test body over each of theirs; what
 * only one scheduler does stays in that scheduler's own file. */
#ifndef CLUSTER_H
#define CLUSTER_H

#include <check.h>
#include <stddef.h>

#include "testutil.h"

/* A scheduler as the tests see it: how to ask gahpo for it, whether it is
 * here, how to set it up, how to read its queue, and what its scripts and
 * messages look like. */
typedef struct cluster_backend {
    const char *name;      /* slurm, pro, torque: messages, temp dirs */
    const char *executor;  /* --executor */
    const char *dialect;   /* --pbs-dialect, or NULL */
    const char *label;     /* the executor's word in reasons ("PBS job 12") */
    /* Usable here (asked once per process; prints SKIPPED when not). */
    int (*available)(void);
    /* Set up for a test in dir (the emulator first on PATH), or NULL. */
    void (*prepare)(const char *dir);
    /* Tasks of job id running now; tasks not yet ended (queued too). */
    int (*running)(const char *id);
    int (*left)(const char *id);
    /* The driver cancelled job id with ntasks running: nothing is left and
     * each task ended as this scheduler shows it (asserted). */
    void (*assert_cancelled)(const char *id, int ntasks);
    int at_once;           /* tasks sure to run at the same time */
    double cancel_seconds; /* SIGTERM to exit: the cancel's wait for the
                            * queue (at most 30 s) and the checkpoint */
    const char *name_line; /* the script's job name line, %s the name */
    const char *array_line;  /* its array line (%d the last index, %d at
                              * once); NULL: qsub's argument instead */
    const char *id_mark;   /* in the id of every array, or NULL */
    const char *refuse_option[2];  /* an option whose value it refuses, */
    const char *refuse_env[2];     /* with this environment (or NULL), */
    const char *refuse_words[2];   /* saying these words */
    const char *query_cmd;   /* asked by --resume for an unrecorded array */
    const char *unreachable; /* query_cmd's words when its server is down;
                              * NULL: no such search (Torque's wrappers) */
} cluster_backend;

enum { CLUSTER_SLURM, CLUSTER_PRO, CLUSTER_TORQUE, CLUSTER_COUNT };
extern const cluster_backend cluster_backends[CLUSTER_COUNT];

/* The test space: a float, an int, a categorical and a logical. */
extern const char *const cluster_space;
/* A float, an int and models that sleep ten minutes: a test that ends
 * sooner saw them stopped. */
extern const char *const cluster_long_sleep_space;

/* A fresh temp directory TAG-NAME with b set up in it (caller frees). */
char *cluster_tmpdir(const cluster_backend *b, const char *tag);
/* cluster_tmpdir with space written to DIR/hp.json, for a test that runs
 * gahpo itself; DIR/run into run. */
char *cluster_run_dir(const cluster_backend *b, const char *tag,
                      const char *space, char *run, size_t size);
/* Appends b's --executor (and --pbs-dialect) to a. */
void cluster_options(tu_argv *a, const cluster_backend *b);
/* The environment tu_run passes on for the schedulers: the emulator's
 * variables that are set (static storage; NULL when none). */
char *const *cluster_env(void);

/* Appends `gahpo run --no-env --space DIR/hp.json --out DIR/SUB` and b's
 * options (b NULL: the local executor) to a; the caller adds the rest. */
void cluster_ga_argv(tu_argv *a, const cluster_backend *b, const char *dir,
                     const char *sub);
/* gahpo run with space (written to DIR/hp.json unless NULL), population
 * 4, 2 generations, 4 jobs, quiet, b's options (b NULL: the local
 * executor), extra (NULL-terminated, may be NULL), then -- model mode, into
 * DIR/SUB. Its stderr into *err (caller frees); returns the exit status. */
int cluster_run_ga(const cluster_backend *b, const char *dir, const char *sub,
                   const char *space, const char *mode,
                   const char *const *extra, char **err);
/* gahpo run --resume run --quiet: its exit status, stderr into *err
 * (caller frees). */
int cluster_resume(const char *run, char **err);

/* DIR/flaky.py, the retry tests' model: x squared, but exit 5 (after
 * `delay` seconds) the first time it runs in a job directory where the
 * Python condition `when` holds; each call counted in calls.txt. And
 * DIR/hp.json, x alone. The model's path into flaky. */
void cluster_write_flaky(const char *dir, const char *when, int delay,
                         char *flaky, size_t size);
/* Runs that model (cluster_write_flaky's `when`, no delay) over b:
 * population 4, one generation, 4 jobs, --retries 1, into DIR/run; asserts
 * it succeeded with every evaluation logged and none failed. */
void cluster_run_flaky(const cluster_backend *b, const char *dir,
                       const char *when);

/* Wait (up to 30 s) until gen_0's first array of run has n tasks running;
 * its id into id. */
void cluster_wait_running(const cluster_backend *b, const char *run, int n,
                          char *id, size_t size);
/* Tasks of job id not yet ended, waiting up to `within` seconds for none
 * (a cancel is asynchronous: tasks show as completing for a moment). */
int cluster_tasks_left(const cluster_backend *b, const char *id,
                       double within);
/* The array script at path names the job job_name (unless NULL) and, where
 * b writes the range in the script, runs tasks 0..last, at_once at a time
 * (asserted). */
void cluster_assert_script(const cluster_backend *b, const char *path,
                           const char *job_name, int last, int at_once);

/* Adds the shared integration tests for backends first..last-1 (those
 * that apply to each) to tc. */
void cluster_add_tests(TCase *tc, int first, int last);

#endif
