/* exec_child.h - internal to the executors: what a forked child does to
 * become a model run. */
#ifndef GA_EXEC_CHILD_H
#define GA_EXEC_CHILD_H

/* In a forked child: become a process group, go to dir, stdin from
 * /dev/null, stdout/stderr to stdout.txt/stderr.txt there, execvp argv.
 * Only async-signal-safe calls; on failure exits 127 with a note in
 * stderr. Never returns. */
void ga_exec_model_child(const char *dir, char **argv) __attribute__((noreturn));

#endif
