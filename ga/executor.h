/* executor.h - who evaluates an individual: the interface only. The
 * executors themselves (an in-process problem, local processes, Slurm and
 * PBS job arrays) are in exec/ (exec/exec.h). The run loop only sees this
 * interface, so a Slurm job and a Rastrigin call look the same to it. */
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
    int transient;           /* failed for a cause outside the model (killed
                                by another process, the disk full): a resume
                                runs it again rather than reuse the failure */
} ga_result;

/* Called once per job as it finishes, in any order, on the caller's
 * thread; k is the job's index (ga_job.index). */
typedef void (*ga_result_fn)(void *ctx, size_t k, const ga_result *result);

/* One protocol for every executor: submit jobs, wait for results, stop.
 * A generational run submits each generation as one batch and waits until
 * all of it is reported (ga_executor_run); the steady-state run keeps
 * jobs in flight, submitting one as another finishes. */
typedef struct ga_executor {
    const char *name;
    void *ctx;
    /* Queue jobs[0..n) (their genes are copied) and return at once; they
     * start at the next wait. The jobs of one run share a generation while
     * any of them is in flight, and their indexes differ. batch: the jobs
     * are a whole generation and nothing more is submitted until every one
     * of them is reported; a scheduler then runs them as one array and
     * retries its failures together once the array has ended (streamed
     * jobs, batch 0, are retried at once). */
    int (*submit)(void *ctx, const ga_space *space, const ga_job *jobs,
                  size_t n, int batch, ga_error *err);
    /* Start what is queued and report jobs as they finish, returning once
     * at least one was reported (a batch: once all of it was), at once when
     * nothing is queued or in flight, or when ga_now() passes deadline
     * (> 0) with nothing reported. Per-job failures are results (NaN and a
     * reason), not errors; an error return (err set) means the executor
     * cannot go on; on *cancel it stops everything in flight and fails
     * with "interrupted". A new executor whose first jobs were in flight
     * under a driver that died finds them again (Slurm, PBS; local models
     * still running within their deadline) or runs them again. */
    int (*wait)(void *ctx, double deadline, ga_result_fn done, void *done_ctx,
                volatile sig_atomic_t *cancel, ga_error *err);
    /* End everything queued or in flight without reporting it, and what
     * the jobs left behind (NULL: nothing to end). */
    void (*stop)(void *ctx);
    void (*free)(void *ctx);
} ga_executor;

/* Evaluate the batch jobs[0..n) (one generation, distinct indexes): submit
 * it, wait until every job is reported, then stop what the jobs left
 * behind. done's k is the job's position in jobs. GA_OK, or the error that
 * stopped the executor (GA_EFAIL "interrupted" on *cancel). */
int ga_executor_run(ga_executor *ex, const ga_space *space, const ga_job *jobs,
                    size_t n, ga_result_fn done, void *done_ctx,
                    volatile sig_atomic_t *cancel, ga_error *err);

void ga_executor_free(ga_executor *ex);

#endif
