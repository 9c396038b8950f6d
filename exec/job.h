/* job.h - internal to the executors: one job, a command in a directory
 * with a timeout. Its inputs (params.json and the command line), the
 * forked child that becomes it, the TERM-then-KILL policy that ends it,
 * running it to its end, and the result file it leaves (job.c). The local
 * executor runs jobs directly; a Slurm or PBS array task (`gahpo _task`)
 * runs one job on a compute node with ga_job_run. An exit-status job (a
 * sweep's chunk) is the same command without params.json, --name value or
 * a result file: its exit status is its outcome. */
#ifndef EXEC_JOB_H
#define EXEC_JOB_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#include "../ga/error.h"
#include "../ga/space.h"

/* ---- inputs ------------------------------------------------------------ */

/* dir/params.json: the individual's typed values by name (atomic write).
 * GA_OK, or an error in err (out of memory, the disk). */
int ga_job_write_params(const ga_space *space, const double *genes,
                        const char *dir, ga_error *err);

/* The longest value a model's command line takes, as text (64 KiB). */
#define GA_JOB_VALUE_MAX 65536

/* The model's argv: cmd[0..argc-1], then (param_flags) `--name value` for
 * each parameter, values as ga_param_gene_format writes them; NULL
 * terminated, every string a copy owned by the array (ga_job_argv_free).
 * NULL when out of memory or a value is longer than GA_JOB_VALUE_MAX. */
char **ga_job_argv(char *const *cmd, size_t argc, const ga_space *space,
                   const double *genes, int param_flags);
void ga_job_argv_free(char **argv);

/* ---- the child --------------------------------------------------------- */

/* In a forked child: SIGINT and SIGTERM back to their defaults and
 * unblocked, become a process group, go to dir, stdin from /dev/null,
 * stdout/stderr to stdout.txt/stderr.txt there, in the environment
 * GAHPO_JOB=dir (it marks the job's processes, so all of them can be ended
 * with it) and GAHPO_JOB_INDEX=index (which job this is: the individual's
 * index in its generation, a chunk's number), then execvp argv.
 * Async-signal-safe calls but setenv; on failure exits 127 with a note in
 * stderr. Never returns. */
void ga_job_child(const char *dir, size_t index, char **argv)
    __attribute__((noreturn));

/* ---- ending it --------------------------------------------------------- */

/* Seconds between SIGTERM and SIGKILL when a job is ended. */
#define GA_JOB_KILL_GRACE 2.0

/* Where a job is in being ended (all zero: not yet). */
typedef struct ga_job_term {
    int sent;     /* SIGTERM was sent */
    double time;  /* when (ga_now()) */
} ga_job_term;

/* One step of ending the job whose process group is pgid, called from its
 * caller's wait loop: when ending (its timeout passed, or it is being
 * stopped) and nothing was sent yet, SIGTERM the group; once
 * GA_JOB_KILL_GRACE has passed since, SIGKILL it (each later call). Returns
 * 1 when this call sent the SIGTERM, else 0. */
int ga_job_end_step(pid_t pgid, int ending, double now, ga_job_term *t);

/* ---- running one to its end -------------------------------------------- */

/* How a job run by ga_job_run ended. */
typedef struct ga_job_outcome {
    int started;        /* a child was forked */
    int exited;         /* it exited with exit_code; else (started, no
                           error) a signal ended it */
    int exit_code;
    int signal;
    int timed_out;      /* its timeout ended it */
    int stopped;        /* *stop ended it */
    double wall_time;   /* seconds, from the fork to its end */
    char error[256];    /* why there is no exit status (fork or waitpid
                           failed); "" otherwise */
} ga_job_outcome;

/* Run argv as job `index` in dir (ga_job_child) and wait for it. When
 * timeout (> 0, seconds) has passed or *stop is set (stop may be NULL),
 * end its process group: SIGTERM, SIGKILL GA_JOB_KILL_GRACE later
 * (ga_job_end_step). What it leaves in its group is killed once it ends.
 * Blocks until then; the outcome into *out. The caller must not reap
 * children itself meanwhile (a SIGCHLD handler, SIG_IGN). */
void ga_job_run(const char *dir, size_t index, char **argv, double timeout,
                volatile sig_atomic_t *stop, ga_job_outcome *out);

/* ---- the result -------------------------------------------------------- */

struct ga_result;

/* The largest result file read (1 MiB): a model writes a number or a small
 * JSON object; anything larger is a mistake, not worth the driver's memory
 * and time. */
#define GA_RESULT_MAX_BYTES (1 << 20)

/* Read the model's result file dir/file (one JSON object holding key, a
 * JSON number, or one plain number, and nothing after it but blanks; see
 * ga_parse_result) into r->fitness, or leave r->fitness alone and say why
 * in r->reason: missing, not a regular file (a FIFO, a link to a device,
 * a directory), larger than GA_RESULT_MAX_BYTES, a NUL byte, out of memory,
 * unparsable, NaN or infinite. Never blocks: the file is opened with
 * O_NONBLOCK and only a regular file is read. Thread-safe. GA_OK, or
 * GA_EFAIL when the driver ran out of memory reading it: then the outcome
 * is unknown, not the model's failure (the run stops; a resume runs it). */
int ga_exec_read_result(const char *dir, const char *file, const char *key,
                         struct ga_result *r);

#endif
