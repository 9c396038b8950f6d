/* job.h - internal to the executors: one model run as a job, a command in
 * a directory with a timeout. Its inputs (params.json and the command
 * line), the forked child that becomes the model, the TERM-then-KILL
 * policy that ends it, and the result file it leaves (job.c). The local
 * executor runs jobs directly; a Slurm or PBS array task (`gahpo _task`)
 * runs one job on a compute node. */
#ifndef EXEC_JOB_H
#define EXEC_JOB_H

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

/* In a forked child: become a process group, go to dir, stdin from
 * /dev/null, stdout/stderr to stdout.txt/stderr.txt there, GAHPO_JOB=dir
 * in the environment, execvp argv. Only async-signal-safe calls; on
 * failure exits 127 with a note in stderr. Never returns. */
void ga_exec_model_child(const char *dir, char **argv) __attribute__((noreturn));

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
