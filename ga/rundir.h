/* rundir.h - a run directory, every file of it described here once, and
 * the module that reads and writes the files the run loops own.
 *
 * A run directory (gahpo run --out DIR; one per sweep run, too):
 *
 *   .gahpo.lock       "pid host" of the one driver working here (fcntl
 *                     lock; ga_rundir_lock)
 *   run.json          how the run was started: settings, space, model
 *                     command, executor and its scheduler settings, the
 *                     run id "run_uid", initial individuals. Written once by
 *                     the command line (cli/) before the first evaluation,
 *                     rewritten when --resume extends the run; --resume
 *                     rebuilds the run from it alone.
 *   evals.jsonl       one JSON line per finished evaluation, appended and
 *                     flushed as it arrives: {"run", "gen", "ind", "params":
 *                     {name: value}, "fitness" (null: failed), "reason",
 *                     "transient", "wall_time", "job_id", "cached"}
 *                     (ga_rundir_log_line). A resume cuts a torn last line
 *                     and reuses what it holds.
 *   stats.csv         gen,nevals,avg,std,min,max: a row per generation (a
 *                     row per lambda evaluations in async runs)
 *   best.json         {"fitness", "params", "evaluations", "generations",
 *                     "seed", "stop_reason", "hall_of_fame"}
 *   population.json   {"generation", "population": [{"fitness",
 *                     "params"}]}, at the end of a generational run
 *   checkpoint.json   the whole state after each generation (or each
 *                     evaluation, async): {"format": 2, "run": identity,
 *                     "engine" or "steady": state, "elapsed", ...}
 *   gen_G/ind_I/      one evaluation's job directory (exec/): params.json,
 *                     the model's stdout.txt and stderr.txt, its result
 *                     file, "pid" ("pid deadline") while it runs locally;
 *                     task.json, status.json and job_id.txt for Slurm/PBS
 *   gen_G/jobs.txt    the arrays submitted for a generation, one line
 *                     each ("number job_id"), and beside it each array's
 *                     task list array_N.tasks and batch script (exec/)
 *   NAME.tmp.PID      an atomic write in progress; one left by a killed
 *                     writer is removed when the next driver takes the lock
 *
 * Every file but evals.jsonl is replaced whole (write, fsync, rename), so
 * it is the old or the new version, never a mix. */
#ifndef GA_RUNDIR_H
#define GA_RUNDIR_H

#include <cJSON.h>

#include "error.h"
#include "settings.h"
#include "space.h"

/* The lock file's name inside a run (or sweep output) directory. */
#define GA_RUNDIR_LOCK_NAME ".gahpo.lock"

/* Take the exclusive lock of dir (which must exist) for this process's
 * life, or until ga_rundir_unlock: an fcntl write lock on dir/.gahpo.lock,
 * which holds "pid host" of the holder. The lock is released by the kernel
 * when the process ends, however it ends; a forked model does not inherit
 * it. On a network file system it relies on the server's POSIX locks (NFS
 * v3 with lockd, v4, Lustre and GPFS with locking on). Returns the open
 * descriptor (>= 0), or -1 with GA_EINPUT naming the pid and host that hold
 * it, or ga_path's "path too long" when dir/.gahpo.lock reaches PATH_MAX
 * bytes (GA_EFAIL when the lock file cannot be made). */
int ga_rundir_lock(const char *dir, ga_error *err);
/* Release a lock taken by ga_rundir_lock (fd < 0: nothing). */
void ga_rundir_unlock(int fd);

/* With dir's lock held: remove the NAME.tmp.PID files that an atomic write
 * (ga_write_file_atomic) left in dir when its writer was killed mid-write
 * (the files they were to replace are whole). Returns how many. */
int ga_rundir_remove_stale_temp(const char *dir);

/* A new run's id: 32 hex digits from the kernel's random source, the time
 * and the pid, into out (at least 33 bytes). */
void ga_rundir_new_uid(char *out, size_t size);

/* The run's identity for the checkpoint: {"run_uid", "space": [one object
 * per parameter as the space file gives it], "settings"} (caller owns;
 * NULL when out of memory). uid may be NULL (a run made before run ids). */
cJSON *ga_rundir_identity(const char *uid, const ga_space *space,
                          const ga_settings *settings);

/* Compare the identity saved in a checkpoint with the run being resumed:
 * GA_OK, or GA_EINPUT saying what changed (another run's id, a parameter
 * that differs, a setting that differs). num_iter may grow (extending a
 * run), never shrink. */
int ga_rundir_check_identity(const cJSON *saved, const char *uid,
                             const ga_space *space, const ga_settings *settings,
                             ga_error *err);

/* ---- checkpoint files ---------------------------------------------------- */

/* The checkpoint's format: 2 records the run's identity ("run") beside the
 * state; 1 (no "format" key) came before it and is resumed with a warning. */
#define GA_CHECKPOINT_FORMAT 2

/* Write dir/checkpoint.json atomically: o (the state; "format" and "run" =
 * identity are added here, identity stays the caller's). */
int ga_rundir_save_checkpoint(const char *dir, cJSON *o, const cJSON *identity,
                              ga_error *err);

/* Read dir/checkpoint.json and check it belongs to this run (format,
 * identity): the parsed root (caller frees), or NULL with GA_EINPUT saying
 * what is wrong (GA_EFAIL when out of memory). A format-1 checkpoint
 * (written before formats were recorded: its identity cannot be checked)
 * is accepted with a warning through warn (may be NULL). */
cJSON *ga_rundir_load_checkpoint(const char *dir, const char *uid,
                                 const ga_space *space,
                                 const ga_settings *settings,
                                 void (*warn)(void *ctx, const char *msg),
                                 void *warn_ctx, ga_error *err);

/* Before a run starts afresh in dir (no checkpoint): GA_OK when dir holds
 * no evaluations, else GA_EINPUT, so a lost checkpoint never leads to
 * evals.jsonl being truncated. */
int ga_rundir_check_fresh(const char *dir, ga_error *err);

/* How a run begins in dir: with resume_asked and a checkpoint there, *resume
 * = 1 (go on from it); without a checkpoint *resume = 0 and dir must hold
 * no evaluations (ga_rundir_check_fresh: a run killed before its first
 * checkpoint evaluated nothing, so resuming it is starting it). A
 * checkpoint without resume_asked is refused with GA_EINPUT: "<shown>
 * already holds a run ...", shown being the directory as the user gave it. */
int ga_rundir_begin(const char *dir, const char *shown, int resume_asked,
                    int *resume, ga_error *err);

/* ---- evals.jsonl ---------------------------------------------------------- */

#include <stdio.h>

#include "cache.h"
#include "executor.h"
#include "engine.h"

/* One evals.jsonl line, flushed; cached marks a fitness reused, not
 * evaluated. 0, or -1 when it could not be written. */
int ga_rundir_log_line(FILE *f, const char *run_id, const ga_space *space,
                       const ga_job *job, const ga_result *r, int cached);
/* fn for each complete line of a run's evals.jsonl, parsed (NULL for a
 * line that is not JSON), in order, until fn returns non-zero, which is
 * then returned; 0 when there is no log, -1 when the log or a line could
 * not be read (out of memory, a read error: a line skipped for that would
 * be evaluated again). A torn line ends the reading. */
int ga_rundir_log_each(const char *path,
                       int (*fn)(void *ctx, const cJSON *line), void *ctx);
/* The genes of a log line's "params" object: 0, or -1 when it is not an
 * object or a parameter is missing or invalid. */
int ga_rundir_log_genes(const ga_space *space, const cJSON *params,
                        double *genes);
/* A log line of a failure marked transient (ga_result.transient): a resume
 * runs it again instead of reusing it. */
int ga_rundir_log_transient(const cJSON *line);
/* The first parameter (its index) where a log line's genes differ from the
 * genes asked, compared as the log writes numbers; -1 when they match. */
long ga_rundir_log_differs(const ga_space *space, const double *logged,
                           const double *asked);
/* Cut a half-written last line (the driver killed mid-write) off the log. */
int ga_rundir_cut_torn_line(const char *path, ga_error *err);
/* Fill the cache from a log's finished evaluations (resume): 0, or -1
 * when out of memory (or the log cannot be read). */
int ga_rundir_prefill_cache(const char *path, const ga_space *space,
                            ga_cache *c);

/* ---- stats.csv, and individuals as JSON ------------------------------------ */

/* stats.csv from rows, atomically. */
int ga_rundir_write_stats(const char *dir, const ga_stats_row *rows,
                          size_t nrows, ga_error *err);
/* {"name": value, ...} of an individual (NULL when out of memory). */
cJSON *ga_rundir_params_json(const ga_space *space, const double *genes);
/* [{"fitness": f, "params": {...}}, ...] for n individuals. */
cJSON *ga_rundir_individuals_json(const ga_space *space, const double *genes,
                                  const double *fitness, size_t n);

/* ---- run.json ------------------------------------------------------------ */

/* How a run was started: all --resume needs to rebuild it. The executor's
 * part is opaque here (exec/ reads and writes it: ga_exec_config_*). */
typedef struct ga_run_config {
    char gahpo[64];          /* the gahpo version that wrote it ("" unknown) */
    char run_uid[40];        /* the run's id ("" in a run made before ids) */
    char *dir;               /* the run directory, absolute */
    char *problem;           /* the --problem name; NULL for a model run */
    cJSON *space;            /* the --space file's JSON; NULL with a problem */
    char **command;          /* the model command, NULL-terminated */
    size_t ncommand;
    ga_settings settings;
    cJSON *executor;         /* how evaluations run (exec/'s) */
    cJSON *init;             /* the initial individuals, an array of
                                {name: value} (NULL: none) */
} ga_run_config;

/* Write c as dir/run.json, atomically (version 1; keys in the order
 * run.json has always had). c's members stay the caller's. */
int ga_run_config_save(const char *dir, const ga_run_config *c, ga_error *err);
/* Read dir/run.json into *c (zeroed first; ga_run_config_free frees it):
 * GA_OK; GA_EINPUT "DIR: not a gahpo run directory" without a readable
 * run.json, or naming what in it is wrong; GA_EFAIL out of memory. The
 * settings are validated. */
int ga_run_config_load(const char *dir, ga_run_config *c, ga_error *err);
void ga_run_config_free(ga_run_config *c);
/* The initial individuals as {name: value} objects (new; NULL when out of
 * memory) and back as genes (count x space->n; NULL with err naming the
 * individual and parameter when one lacks a value or has a bad one). */
cJSON *ga_run_config_init_json(const ga_space *space, const double *genes,
                               size_t count);
double *ga_run_config_init_genes(const ga_run_config *c, const ga_space *space,
                                 size_t *count, ga_error *err);

#endif
