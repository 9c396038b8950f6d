/* run.h - a production run: engine + executor + the files in the run
 * directory (evals.jsonl, stats.csv, best.json, population.json,
 * checkpoint.json). After every generation the whole state is saved
 * atomically, so a run killed at any moment resumes to the same result,
 * without repeating or losing a finished evaluation. */
#ifndef GA_RUN_H
#define GA_RUN_H

#include <signal.h>
#include <stddef.h>

#include "engine.h"
#include "executor.h"

typedef struct ga_run_opts {
    /* strategy async (settings): ga_run hands the run to ga_run_async */
    const char *dir;             /* the run directory (created) */
    const char *run_id;          /* written on every log line */
    const ga_space *space;
    const ga_settings *settings;
    ga_executor *executor;
    int resume;                  /* continue the run saved in dir */
    int cache;                   /* reuse the fitness of identical genes
                                    (deterministic models only) */
    const double *init_genes;    /* initial individuals (ninit x dim) */
    size_t ninit;
    volatile sig_atomic_t *cancel;  /* set by a signal handler to stop */
    /* progress after each generation (may be NULL) */
    void (*progress)(void *ctx, const ga_stats_row *row, long evaluations,
                     double best);
    void *progress_ctx;
    long in_flight;              /* async: evaluations kept running (>= 1) */
    const char *run_uid;         /* run.json's id, recorded in checkpoints
                                    and compared on resume (NULL: none) */
    /* a message for the user that does not stop the run (may be NULL) */
    void (*warn)(void *ctx, const char *msg);
    void *warn_ctx;
    /* resume: called once the checkpoint is checked and restored (or found
     * missing before any evaluation), before anything runs or is written
     * (may be NULL); not GA_OK stops the run */
    int (*accepted)(void *ctx, ga_error *err);
    void *accepted_ctx;
} ga_run_opts;

/* Run (or resume) to the end. GA_OK when the run finished; GA_EFAIL when it
 * stopped on an error or was interrupted (the checkpoint stays resumable);
 * GA_EINPUT for bad input. The engine is returned in *engine_out (caller
 * frees) when not NULL, for the summary. */
int ga_run(const ga_run_opts *opts, ga_engine **engine_out, ga_error *err);

/* Write stats.csv and best.json (and population.json if with_population)
 * for the engine's current state into dir, atomically. */
int ga_run_write_outputs(const char *dir, const ga_space *space,
                         const ga_engine *eng, const ga_settings *settings,
                         int with_population, ga_error *err);

/* The asynchronous steady-state run (ga/steady.h; docs/ASYNC.md): keeps
 * opts->in_flight evaluations running through the executor's start/wait,
 * logging and checkpointing after every finished one. Same files and return
 * codes as ga_run (stats.csv has a row per lambda evaluations told). */
int ga_run_async(const ga_run_opts *opts, ga_error *err);

/* ---- pieces shared by ga_run and ga_run_async (run.c) ------------------ */
#include <stdio.h>

#include "cache.h"

/* {"name": value, ...} of an individual. */
cJSON *ga_run_params_json(const ga_space *space, const double *genes);
/* [{"fitness": f, "params": {...}}, ...] for n individuals. */
cJSON *ga_run_individuals_json(const ga_space *space, const double *genes,
                               const double *fitness, size_t n);
/* One evals.jsonl line, flushed; cached marks a fitness reused, not
 * evaluated. 0, or -1 when it could not be written. */
int ga_run_log_line(FILE *f, const char *run_id, const ga_space *space,
                    const ga_job *job, const ga_result *r, int cached);
/* fn for each complete line of a run's evals.jsonl, parsed (NULL for a
 * line that is not JSON), in order, until fn returns non-zero, which is
 * then returned; 0 when there is no log, -1 when the log or a line could
 * not be read (out of memory, a read error: a line skipped for that would
 * be evaluated again). A torn line ends the reading. */
int ga_run_log_each(const char *path, int (*fn)(void *ctx, const cJSON *line),
                    void *ctx);
/* The genes of a log line's "params" object: 0, or -1 when it is not an
 * object or a parameter is missing or invalid. */
int ga_run_log_genes(const ga_space *space, const cJSON *params,
                     double *genes);
/* A log line of a failure marked transient (ga_result.transient): a resume
 * runs it again instead of reusing it. */
int ga_run_log_transient(const cJSON *line);
/* The first parameter (its index) where a log line's genes differ from the
 * genes asked, compared as the log writes numbers; -1 when they match. */
long ga_run_log_differs(const ga_space *space, const double *logged,
                        const double *asked);
/* Cut a half-written last line (the driver killed mid-write) off the log. */
int ga_run_cut_torn_line(const char *path, ga_error *err);
/* The checkpoint of a resumed run, checked against the run (rundir.h); a
 * format-1 checkpoint is accepted with a warning through opts->warn.
 * NULL with GA_EINPUT when it does not belong (GA_EFAIL when out of
 * memory). */
cJSON *ga_run_load_checkpoint(const ga_run_opts *opts, ga_error *err);
/* Fill the cache from a log's finished evaluations (resume): 0, or -1
 * when out of memory (or the log cannot be read). */
int ga_run_prefill_cache(const char *path, const ga_space *space,
                         ga_cache *c);
/* stats.csv from rows, atomically. */
int ga_run_write_stats(const char *dir, const ga_stats_row *rows,
                       size_t nrows, ga_error *err);

#endif
