/* executor.h - who evaluates an individual: an in-process problem, a local
 * process, later a cluster scheduler. The run loop only sees this interface,
 * so a Slurm job and a Rastrigin call look the same to it. */
#ifndef GA_EXECUTOR_H
#define GA_EXECUTOR_H

#include <signal.h>
#include <stddef.h>

#include "error.h"
#include "space.h"

typedef struct ga_job {
    long generation;
    size_t index;            /* the individual's index in its generation */
    const double *genes;
} ga_job;

typedef struct ga_result {
    double fitness;          /* NaN when the evaluation failed */
    char reason[512];        /* why it failed; empty on success */
    double wall_time;        /* seconds; NaN when not measured per job */
    char job_id[64];         /* pid, scheduler id; empty if none */
} ga_result;

/* Called once per job as it finishes, in any order, on the caller's thread. */
typedef void (*ga_result_fn)(void *ctx, size_t k, const ga_result *result);

typedef struct ga_executor {
    const char *name;
    void *ctx;
    /* Evaluate jobs[0..n), reporting each through done. Per-job failures are
     * results (NaN + reason), not errors; an error return (with err set)
     * means the executor itself cannot go on, or *cancel became non-zero
     * (GA_EFAIL, "interrupted"). */
    int (*run)(void *ctx, const ga_space *space, const ga_job *jobs, size_t n,
               ga_result_fn done, void *done_ctx,
               volatile sig_atomic_t *cancel, ga_error *err);
    void (*free)(void *ctx);
} ga_executor;

void ga_executor_free(ga_executor *ex);

/* ---- in-process: a registered problem evaluates whole batches ---------- */
struct prob_problem;
/* The problem must outlive the executor. noise_seed seeds noisy problems. */
ga_executor *ga_exec_problem_alloc(const struct prob_problem *problem,
                                   unsigned long noise_seed, ga_error *err);

/* ---- local processes: the embedded default for a model command --------- */
typedef struct ga_exec_local_opts {
    char *const *argv;       /* model command; argv[0] is looked up in PATH */
    size_t argc;
    const char *run_dir;     /* absolute; jobs run in run_dir/gen_G/ind_I */
    long jobs;               /* at most this many at once (>= 1) */
    double timeout;          /* seconds per job; 0 none */
    int param_flags;         /* append --name value for each parameter */
    const char *result_file; /* relative to the job directory */
    const char *result_key;  /* key in a JSON object result */
} ga_exec_local_opts;

/* Copies everything it needs from opts. */
ga_executor *ga_exec_local_alloc(const ga_exec_local_opts *opts, ga_error *err);

/* Parse a result file's text: a JSON object holding key, a JSON number, or
 * one plain number. GA_OK with *value (possibly NaN for null/NaN), or
 * GA_EINPUT with a reason in err. */
int ga_parse_result(const char *text, const char *key, double *value,
                    ga_error *err);

#endif
