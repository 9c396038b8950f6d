/* exec_child.h - internal to the executors: what a forked child does to
 * become a model run, and how its result file is read. */
#ifndef GA_EXEC_CHILD_H
#define GA_EXEC_CHILD_H

/* In a forked child: become a process group, go to dir, stdin from
 * /dev/null, stdout/stderr to stdout.txt/stderr.txt there, execvp argv.
 * Only async-signal-safe calls; on failure exits 127 with a note in
 * stderr. Never returns. */
void ga_exec_model_child(const char *dir, char **argv) __attribute__((noreturn));

struct ga_result;

/* Read the model's result file dir/file (a JSON object holding key, a JSON
 * number or one plain number) into r->fitness, or leave r->fitness alone
 * and say why in r->reason (missing, unparsable, NaN or infinite). */
void ga_exec_read_result(const char *dir, const char *file, const char *key,
                         struct ga_result *r);

#endif
