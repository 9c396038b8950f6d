/* testutil.h - helpers shared by the Check suites: running the gahpo
 * command, temp directories, reading files, the shared test data. */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <check.h>
#include <stddef.h>
#include <sys/types.h>

#include "../ga/settings.h"

/* Path of the gahpo binary under test ($GAHPO_BIN, else bin/gahpo). */
const char *tu_gahpo(void);
/* Path of the test model, tests/models/model.py under tu_root(). */
const char *tu_model(void);

/* A command line built in pieces: tu_argv_add appends copies of its
 * arguments up to a NULL (asserts room for them); v stays NULL-terminated
 * for tu_run and tu_spawn_quiet. Start from { .n = 0 }. */
typedef struct tu_argv {
    char *v[64];
    int n;
    char text[16384];  /* the copies */
    size_t used;
} tu_argv;
void tu_argv_add(tu_argv *a, const char *first, ...);

/* Run argv (NULL-terminated) with stdin from in_text (may be NULL), extra
 * environment assignments env ("K=V", NULL-terminated, may be NULL) on top
 * of a clean environment (PATH, HOME and GAHPO_DATA_DIR only), capturing
 * stdout and stderr
 * (caller frees). Returns the exit status, or 128+signal. */
int tu_run(char *const argv[], const char *in_text, char *const env[],
           char **out, char **err);

/* A fresh directory under $TMPDIR (caller frees the path); tu_rmrf removes. */
char *tu_tmpdir(const char *tag);
void tu_rmrf(const char *path);

/* Whole file, or NULL. */
char *tu_read(const char *path);
/* Write text to path; 0 on success. */
int tu_write(const char *path, const char *text);

/* ../shared/testdata/DIR as an absolute path if it exists, else NULL
 * (tests then report themselves skipped, visibly). */
const char *tu_testdata(const char *dir);

/* Project root (from the binary's location or the current directory). */
const char *tu_root(void);

/* Read dir/evals.jsonl: count its lines, the failed evaluations, and those
 * whose reason contains `reason` (may be NULL; the other reasons are
 * printed to stderr then). Every line must be JSON. */
void tu_scan_log(const char *dir, int *lines, int *failed, const char *reason,
                 int *with_reason);

/* An async run's dir/evals.jsonl holds evaluations 0..budget-1 of
 * generation 0, each exactly once (asserted); returns how many were run,
 * not reused from the cache. */
int tu_check_async_log(const char *dir, long budget);
/* How often the test model ran in dir's gen_0 job directories (the lines
 * of their calls.txt). */
int tu_count_calls(const char *dir);

/* Sleep s seconds. */
void tu_sleep(double s);
/* A shell command's stdout (caller frees; tests only: fixed strings and
 * ids, never values). */
char *tu_sh(const char *cmd);
/* Start argv (argv[0] a path) with stdout and stderr to /dev/null. */
pid_t tu_spawn_quiet(char *const argv[]);
/* Lines in a file (0 if it is missing). */
int tu_count_lines(const char *path);
/* Occurrences of what in text, not overlapping. */
int tu_count_of(const char *text, const char *what);
/* a_dir/name and b_dir/name exist and are byte-identical (asserted). */
void tu_assert_same_file(const char *a_dir, const char *b_dir,
                         const char *name);
/* A one-node Slurm answers sinfo and runs a probe job (asked once per
 * process; prints a visible SKIPPED line when not). */
int tu_slurm_up(void);
/* Tasks of Slurm job id still in squeue, waiting up to `within` seconds for
 * none (a cancel is asynchronous: tasks show as completing for a moment). */
int tu_slurm_tasks_left(const char *id, double within);

/* Two run directories hold the same run: identical stats.csv, best.json
 * and population.json, and the same evaluations in evals.jsonl (wall
 * times, job ids and the run's name aside), each exactly once (asserted). */
void tu_assert_same_run(const char *ref, const char *got);

/* Quick mode ($GAHPO_TEST_QUICK set): long suites are left out. */
/* $GAHPO_TEST_UNIT: the unit suites only; a unit suite leaves out its
 * tests that run the gahpo binary or Python. */
int tu_unit_only(void);
int tu_quick(void);

/* The sphere function, sum x^2, for the engine's and steady GA's tests. */
double tu_sphere(const double *x, size_t d);
/* CANDLE's defaults with population 20, 15 generations, seed 42. */
ga_settings tu_small_settings(void);

/* Give obj (a checkpoint's "engine" or "steady" object) the generator of
 * the checkpoints before xoshiro256++: an mt19937 seeded with seed, with
 * its word `wide` made wider than 32 bits (-1: none) and its position set
 * to mti (-1: left as it is). The version is the caller's to set. */
struct cJSON;
void tu_legacy_rng(struct cJSON *obj, unsigned long seed, int wide, int mti);

#endif
