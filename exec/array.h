/* array.h - what the Slurm and PBS executors share (internal): one
 * job array per generation, task and status files, the `gahpo _task`
 * runner, polling, retries, cancel and reattach (array.c). Each
 * scheduler is a small backend: its batch script, how to submit, ask about
 * and cancel an array, and what its states mean (slurm.c,
 * pbs.c). */
#ifndef GA_EXEC_ARRAY_H
#define GA_EXEC_ARRAY_H

#include <stddef.h>

#include "../ga/strbuf.h"
#include "exec.h"

/* What ga_array_run_cmd returns when the command gave no exit status. */
enum {
    GA_CMD_KILLED = -1,     /* ended by a signal */
    GA_CMD_TIMEOUT = -2,    /* no answer within two minutes (killed) */
    GA_CMD_CANNOT_RUN = -3  /* no process or pipe could be made (out of
                               processes or memory) */
};
/* argv (no shell) in cwd (NULL: here), stdin /dev/null, output captured
 * (caller frees both). The exit status, or a GA_CMD_ code above. */
int ga_array_run_cmd(char *const argv[], const char *cwd, char **out,
                     char **errtxt);
/* 1 for a failed command worth another try: rc (ga_array_run_cmd's) says
 * it timed out or could not run, or the scheduler's message says it could
 * not be reached or was busy. */
int ga_array_transient(int rc, const char *msg);

/* One task in flight, as the backend's query sees it. */
typedef struct ga_array_ref {
    const char *job;             /* the array's id, as the submit printed it */
    long index;                  /* its array index */
    const char *own;             /* the task's own job id (from job.txt in
                                  * its directory), or "" before it started */
} ga_array_ref;

typedef struct ga_array_backend {
    const char *name;            /* the executor's name: "slurm", "pbs" */
    const char *label;           /* "Slurm", "PBS": in reasons */
    const char *submit_cmd;      /* "sbatch", "qsub" */
    const char *cancel_cmd;      /* "scancel", "qdel" */
    /* The batch script for info (caller frees), or NULL with err. */
    char *(*script)(const ga_sched_settings *s,
                    const ga_array_script_info *info, ga_error *err);
    /* The submit command's argv for script (a file in the generation's
     * directory, the command's cwd): at most 7 entries, which may point
     * into buf. */
    void (*submit_argv)(const ga_array_script_info *info, const char *script,
                        char *argv[8], char *buf, size_t bsize);
    /* The array id in the submit command's output: 0, or -1. */
    int (*parse_id)(const char *out, char *id, size_t size);
    /* The scheduler's view of refs[0..n) (arrays ids[0..nids)): *states
     * (caller frees) holds (array id, index, state) for the tasks it knows.
     * 0 ok, 1 all purged, -1 failed with the message in msg. */
    int (*query)(const ga_sched_settings *s, char *const *ids, size_t nids,
                 const ga_array_ref *refs, size_t n,
                 ga_array_task_state **states, size_t *nstates, char *msg,
                 size_t msize);
    int (*state_final)(const char *state);
    const char *(*state_reason)(const char *state);
    /* The id of one task for logs and reasons ("12_3", "12[3].srv"). */
    void (*task_id)(const char *job, long index, char *buf, size_t size);
    /* Why a task left without a status file: scheduler details into detail
     * (state first if known, into state); may leave both empty. */
    void (*why)(const char *job, long index, const char *own, char *state,
                size_t ssize, char *detail, size_t dsize);
    /* Where the task's scheduler output goes, relative to gen_G (printf
     * with the task id), for reasons. */
    const char *output_hint;
    /* The scheduler's largest array (tasks), asked once before the first
     * submission when the settings give none; NULL: no limit. */
    long (*max_array)(void);
    /* The id of a live job submitted from script (an absolute path), for a
     * submission whose id was never recorded: 0 found, 1 none, -1 the
     * scheduler could not be asked (NULL: no way to ask). */
    int (*find)(const char *script, char *id, size_t size);
} ga_array_backend;

/* The executor for backend b (which must outlive it); opts as for Slurm,
 * the settings are copied. */
ga_executor *ga_exec_array_alloc(const ga_exec_array_opts *opts,
                                 const ga_array_backend *b, ga_error *err);

/* Torque's `qstat -f` text (pbs.c) into (array, index, state) for
 * the tasks refs[0..nrefs) of arrays ids[0..nids): records "123[4].srv"
 * directly; other records by a task's own id, or, for the array's own id,
 * for its tasks not yet started (Slurm's torque wrappers). Caller frees. */
int ga_pbs_parse_qstat_torque(const char *text, char *const *ids, size_t nids,
                              const ga_array_ref *refs, size_t nrefs,
                              ga_array_task_state **out, size_t *n,
                              ga_error *err);

/* Parsers of Slurm's output, out of slurm.c for the fuzz harnesses:
 * the job id in `squeue -h --me -o '%F|%o'` lines whose command is script
 * (0 found, 1 none); MaxArraySize in `scontrol show config` (else 1001). */
int ga_slurm_find_in_squeue(const char *text, const char *script, char *id,
                            size_t size);
long ga_slurm_parse_max_array(const char *text);

/* ---- the settings' pieces the scripts use (sched.c) -------------------- */

/* GA_OK when v is one word (no blanks, quotes, backslashes or #), else
 * GA_EINPUT naming what. */
int ga_sched_check_word(const char *what, const char *v, ga_error *err);
/* The "#SBATCH --flag=value" lines of the Slurm options set in s (not the
 * job name, shell, max_concurrent and max_array_size, which the script
 * writes itself or the driver uses). */
void ga_sched_sbatch_lines(const ga_sched_settings *s, ga_strbuf *b);

#endif
