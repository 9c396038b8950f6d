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
    /* Asynchronous use (--strategy async); NULL when the executor has none
     * (the run loop then evaluates what was started as a batch with run).
     * start queues one job (its genes are copied) and returns at once; the
     * jobs of one run share a generation, their indexes differ. wait starts
     * what is queued and reports jobs as they finish (done's k is the job's
     * index), returning once at least one was reported, or at once when
     * nothing is queued or in flight, or when ga_now() passes deadline
     * (> 0) with nothing reported. Per-job failures are results; on
     * *cancel it stops everything in flight and fails with "interrupted".
     * stop ends everything queued or in flight without reporting it. A new
     * executor whose first jobs were in flight under a driver that died
     * finds them again (Slurm, PBS; local models still running within
     * their deadline) or runs them again. */
    int (*start)(void *ctx, const ga_space *space, const ga_job *job,
                 ga_error *err);
    int (*wait)(void *ctx, double deadline, ga_result_fn done, void *done_ctx,
                volatile sig_atomic_t *cancel, ga_error *err);
    void (*stop)(void *ctx);
    void (*free)(void *ctx);
} ga_executor;

void ga_executor_free(ga_executor *ex);

#endif
