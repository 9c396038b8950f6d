/* job.h - internal to the executors: what a forked child does to
 * become a model run, and how its result file is read. */
#ifndef EXEC_JOB_H
#define EXEC_JOB_H

/* In a forked child: become a process group, go to dir, stdin from
 * /dev/null, stdout/stderr to stdout.txt/stderr.txt there, execvp argv.
 * Only async-signal-safe calls; on failure exits 127 with a note in
 * stderr. Never returns. */
void ga_exec_model_child(const char *dir, char **argv) __attribute__((noreturn));

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
