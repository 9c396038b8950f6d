/* exec.h - the executors behind ga/executor.h's interface: a registered
 * problem in-process, local processes, and Slurm and PBS job arrays, with
 * the scheduler settings they share. */
#ifndef EXEC_EXEC_H
#define EXEC_EXEC_H

#include <signal.h>
#include <stddef.h>

#include <cJSON.h>

#include "../ga/error.h"
#include "../ga/executor.h"
#include "../ga/space.h"

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
    const char *result_file; /* relative to the job directory; required here
                                (exit-status jobs are the array
                                executor's) */
    const char *result_key;  /* key in a JSON object result */
    long retries;            /* runs again a failed job up to this many more
                                times (0: none) */
    int end_orphans;         /* the caller is the children's subreaper
                                (prctl PR_SET_CHILD_SUBREAPER): kill and reap
                                descendants of models that outlive them */
} ga_exec_local_opts;

/* Copies everything it needs from opts. Each model runs with GAHPO_JOB=its
 * job directory and GAHPO_JOB_INDEX=its index (ga_job.index) in its
 * environment (exec/job.h); when the model ends, every process
 * still carrying that entry (descendants, also those that left the model's
 * process group with setsid) is killed. The pid file of a job directory
 * records "pid deadline" (the epoch second its --timeout ends, 0 none): a
 * new executor (a resume) adopts a model still running there from a dead
 * driver, waits for it up to that deadline, and reads its result. */
ga_executor *ga_exec_local_alloc(const ga_exec_local_opts *opts, ga_error *err);

/* Parse a result file's text: a JSON object holding key, a JSON number, or
 * one plain number, with nothing but blanks after it (no duplicate keys, no
 * \u0000; NaN and Infinity as Python writes them). GA_OK with *value
 * (possibly NaN for null/NaN), or GA_EINPUT with a reason in err (GA_EFAIL
 * when out of memory). */
int ga_parse_result(const char *text, const char *key, double *value,
                    ga_error *err);


/* ---- the scheduler settings Slurm and PBS share (sched.c) ---------------- */

typedef enum ga_sched_kind { GA_SCHED_SLURM, GA_SCHED_PBS } ga_sched_kind;

/* Where and how the tasks run, for Slurm or PBS (kind). Strings and counts
 * left unset (NULL, 0) are not passed to the scheduler; the site's
 * defaults apply. */
typedef struct ga_sched_settings {
    ga_sched_kind kind;          /* whose options these are */
    char *partition, *account, *time, *mem, *job_name;
    char *shell;                 /* the script's interpreter; /bin/bash */
    long nodes, ntasks, ntasks_per_node, cpus_per_task, gpus_per_task;
    long max_concurrent;         /* tasks at once (%N); 0: --jobs */
    long max_array_size;         /* tasks per array (more: several arrays;
                                  * 1: one job per evaluation); 0: Slurm's
                                  * MaxArraySize, no limit for PBS */
    long retries;                /* resubmissions of a failed task; -1 unset */
    double poll_max;             /* longest pause between squeue calls (s) */
    char **sbatch_extra;         /* extra "#SBATCH ..." directives */
    size_t nsbatch_extra;
    char **setup;                /* script lines before the task: module, export */
    size_t nsetup;
    char *site;                  /* the site profile read, for the record */
    /* PBS only (pbs.c): nodes, cpus_per_task, gpus_per_task and mem
     * become select=N:ncpus=C:ngpus=G:mem=M (Torque: nodes=N:ppn=C:gpus=G) */
    char *dialect;               /* "pro" (PBS Pro, OpenPBS) or "torque" */
    char *queue, *walltime;      /* -q, -l walltime= */
    char *select;                /* a whole -l select= spec, as given */
    char *filesystems;           /* -l filesystems= (PBS Pro at ALCF) */
    char **pbs_extra;            /* extra "#PBS ..." directives */
    size_t npbs_extra;
} ga_sched_settings;

/* Empty settings of a kind (caller frees with ga_sched_settings_free). */
ga_sched_settings *ga_sched_settings_alloc(ga_sched_kind kind);
void ga_sched_settings_free(ga_sched_settings *s);
/* A deep copy of from (NULL when out of memory). */
ga_sched_settings *ga_sched_settings_copy(const ga_sched_settings *from);
/* 1 if opt (e.g. "--partition") is a `gahpo run` Slurm or PBS option
 * (which of the two is checked when it is set). */
int ga_sched_option_known(const char *opt);
/* Set one command-line option (last wins; --sbatch-extra and --slurm-setup
 * add a line). GA_EINPUT with the reason for a bad value. */
int ga_sched_settings_set(ga_sched_settings *s, const char *opt,
                          const char *value, ga_error *err);
/* Fill what s lacks from CANDLE's environment variables (WALLTIME, QUEUE,
 * PROJECT, PPN, PROCS; env may be NULL for none), then from the site profile
 * site (a path, or NAME for sites/NAME.json; may be NULL): command line >
 * environment > site. Then validates. */
int ga_sched_settings_resolve(ga_sched_settings *s, const char *site,
                              const char *(*env)(void *ctx, const char *name),
                              void *env_ctx, ga_error *err);
/* The settings as JSON (site-profile keys; caller deletes), and back: keys
 * fill what s lacks, lists go before s's own. what names o in errors. */
cJSON *ga_sched_settings_to_json(const ga_sched_settings *s);
int ga_sched_settings_apply_json(ga_sched_settings *s, const cJSON *o,
                                 const char *what, ga_error *err);

/* The array executors run each job as the local executor runs a model:
 * in DIR/gen_G/ind_I, with GAHPO_JOB=that directory and GAHPO_JOB_INDEX=I
 * (ga_job.index) in its environment.
 *
 * Exit-status jobs (result_file NULL): a command that takes no
 * hyperparameters and whose outcome is its exit status, as a sweep's
 * chunks are. No params.json is written and no result file read;
 * param_flags must be 0, the space may be empty (a ga_space of 0
 * parameters, { 0 }) and the jobs' genes NULL. Each job learns which one
 * it is from GAHPO_JOB_INDEX. Exit status 0 is success, reported as
 * fitness 0 with no reason; anything else fails with the usual reason
 * (exit status, signal, timeout, the scheduler's state) and is retried as
 * any failure. */
typedef struct ga_exec_array_opts {
    char *const *argv;           /* model command, as for the local executor */
    size_t argc;
    const char *run_dir;         /* absolute; must be visible to the nodes */
    long jobs;                   /* default for max_concurrent */
    double timeout;              /* seconds per evaluation, inside the task */
    int param_flags;
    const char *result_file;     /* relative to the job directory; NULL:
                                    exit-status jobs */
    const char *result_key;      /* not read for exit-status jobs */
    const ga_sched_settings *sched;  /* Slurm or PBS settings; copied */
    const char *gahpo;           /* binary the tasks run; NULL: this one */
} ga_exec_array_opts;

/* Copies everything it needs from opts. GA_EINPUT (NULL) for a result
 * file that is not a plain name, or param_flags with exit-status jobs. */
ga_executor *ga_exec_slurm_alloc(const ga_exec_array_opts *opts, ga_error *err);

/* The job side of both Slurm and PBS (task.c),
 * `gahpo _task TASKS_FILE TASK_ID`: runs the job I on line TASK_ID of
 * TASKS_FILE in its job directory ind_I (ga_job_run: argv from task.json,
 * execvp, GAHPO_JOB_INDEX=I, timeout, stop on *stop) and writes
 * status.json there (and, as it starts, job_id.txt: its own scheduler job
 * id). *exit_code is what the task process should exit with. */
int ga_exec_array_task(const char *tasks_file, const char *task_id,
                       volatile sig_atomic_t *stop, int *exit_code,
                       ga_error *err);

/* Pieces exposed for the tests. */
/* s in single quotes for sh, ' as '\'' (caller frees). */
char *ga_sched_quote(const char *s);
typedef struct ga_array_script_info {
    const char *job_name;
    size_t ntasks;
    long max_concurrent;
    const char *gahpo;           /* absolute */
    const char *tasks_file;      /* absolute */
} ga_array_script_info;
/* The batch script text (caller frees), or NULL with err. */
char *ga_slurm_script(const ga_sched_settings *s,
                      const ga_array_script_info *info, ga_error *err);
typedef struct ga_array_task_state {
    char job[128];               /* the array's job id */
    long task;                   /* array index; -1 for a plain job */
    char state[32];              /* PENDING, RUNNING, COMPLETED, FAILED, ... */
} ga_array_task_state;
/* Lines of `squeue -h -r -o '%i %T'` (also JOB_[a-b,c%n] ranges) into
 * *out (caller frees), *n entries. GA_EINPUT on a line it cannot read. */
int ga_slurm_parse_squeue(const char *text, ga_array_task_state **out,
                          size_t *n, ga_error *err);
/* 1 when a job in this state has ended (COMPLETED, FAILED, TIMEOUT, ...). */
int ga_slurm_state_final(const char *state);
/* What a final state means, for a failed evaluation's reason. */
const char *ga_slurm_state_reason(const char *state);
/* From `scontrol show job -o` text: the value of key on the line of array
 * task `task` (-1: the first line) into buf; 0, or -1 if absent. */
int ga_slurm_scontrol_field(const char *text, long task, const char *key,
                            char *buf, size_t size);
/* The job id in sbatch --parsable output ("123" or "123;cluster"). */
int ga_slurm_parse_jobid(const char *text, char *id, size_t size);

/* ---- PBS: one job array per generation (pbs.c) ---------------------
 * PBS Pro / OpenPBS (dialect "pro") or Torque ("torque"); settings from
 * ga_sched_settings_alloc(GA_SCHED_PBS), set and resolved as the Slurm
 * ones. */
/* opts as for Slurm, with opts->sched of kind GA_SCHED_PBS; the Slurm
 * and PBS executors share array.c and the `gahpo _task` runner. */
ga_executor *ga_exec_pbs_alloc(const ga_exec_array_opts *opts, ga_error *err);

/* Pieces exposed for the tests. */
/* The batch script text (caller frees), or NULL with err. */
char *ga_pbs_script(const ga_sched_settings *s,
                    const ga_array_script_info *info, ga_error *err);
/* qsub's argv for script: `-J 0-N` (pro, N >= 1; one task is a plain job)
 * or `-t 0-N` (torque), `%M` when max_concurrent is below the size; the
 * range is written into buf. */
void ga_pbs_qsub_argv(const char *dialect, const ga_array_script_info *info,
                      const char *script, char *argv[8], char *buf,
                      size_t bsize);
/* The job id qsub printed ("123[].server", "123.server", "714"). */
int ga_pbs_parse_jobid(const char *text, char *id, size_t size);
/* `qstat -x -t -f -F json` text into (array id "123[].srv", index, state)
 * per subjob (a plain job: index 0); caller frees *out. Live states are
 * PBS's letters; ended ones a word: FINISHED, FAILED, KILLED, WALLTIME,
 * MEMLIMIT, CPULIMIT, EXEC_FAILED, ENDED (no exit status). */
int ga_pbs_parse_qstat_json(const char *text, ga_array_task_state **out,
                            size_t *n, ga_error *err);
int ga_pbs_state_final(const char *state);
const char *ga_pbs_state_reason(const char *state);
/* The id of the job in PBS Pro's `qstat -f -F json` text submitted from
 * script (absolute): Submit_arguments ending with it (or its file name),
 * Variable_List's PBS_O_WORKDIR its directory, and Job_Owner "user@..."
 * unless user is NULL or the record has none. 0 found; 1 none; -1 cannot
 * tell (not JSON, or the id does not fit). */
int ga_pbs_find_in_qstat_json(const char *text, const char *script,
                              const char *user, char *id, size_t size);


/* ---- one factory, and a run's executor as run.json records it ------------ */

/* What a run's evaluations run on (exec.c). */
typedef struct ga_exec_spec {
    const struct prob_problem *problem;  /* set: in-process, nothing else
                                            is read but noise_seed */
    unsigned long noise_seed;
    char *const *argv;       /* the model command */
    size_t argc;
    const char *run_dir;     /* absolute */
    long jobs;
    double timeout;
    int param_flags;
    const char *result_file, *result_key;  /* result_file NULL with sched:
                                              exit-status jobs */
    long retries;            /* local only (a scheduler's are in sched) */
    int end_orphans;         /* local only (ga_exec_local_opts) */
    const ga_sched_settings *sched;  /* Slurm or PBS (its pbs flag); NULL:
                                        local processes */
    const char *gahpo;       /* the binary array tasks run; NULL: this one */
} ga_exec_spec;

/* The executor spec asks for: in-process, local, Slurm or PBS. */
ga_executor *ga_exec_alloc(const ga_exec_spec *spec, ga_error *err);

/* run.json's "executor" object: jobs, timeout, param_flags, result_file,
 * result_key, retries (local), type ("local", "slurm", "pbs"), the
 * scheduler's settings under its type, cache. New object; NULL when out of
 * memory. */
cJSON *ga_exec_config_to_json(const ga_exec_spec *spec, int cache);

/* The same object read back. Members it lacks are left as the caller set
 * them (the caller's defaults, or what its command line said), except that
 * *sched is allocated for "slurm" and "pbs" (caller frees; NULL: local).
 * Strings point into o. GA_EINPUT naming what (in what) is wrong. */
typedef struct ga_exec_saved {
    long jobs;               /* -1 when not recorded */
    double timeout;          /* NaN when not recorded */
    int param_flags;         /* -1 when not recorded */
    const char *result_file, *result_key;  /* NULL when not recorded */
    long retries;            /* -1 when not recorded */
    int cache;               /* -1 when not recorded */
    ga_sched_settings *sched;
} ga_exec_saved;
int ga_exec_config_from_json(const cJSON *o, const char *what,
                             ga_exec_saved *saved, ga_error *err);

#endif
