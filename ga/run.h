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
                         ga_engine *eng, const ga_settings *settings,
                         int with_population, ga_error *err);

/* The asynchronous steady-state run (ga/steady.h; docs/ASYNC.md): keeps
 * opts->in_flight evaluations running through the executor's start/wait,
 * logging and checkpointing after every finished one. Same files and return
 * codes as ga_run (stats.csv has a row per lambda evaluations told). */
int ga_run_async(const ga_run_opts *opts, ga_error *err);

#endif
