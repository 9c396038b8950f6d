/* cmd_util.h - small things the subcommands share: the argument-error and
 * failure messages with their exit codes, signals, gnuplot. */
#ifndef GA_CMD_UTIL_H
#define GA_CMD_UTIL_H

#include <stdarg.h>

#include "../ga/error.h"
#include "../ga/space.h"

/* An argument error: "gahpo: " and the message, then "Run 'gahpo help' for
 * usage." on stderr. Returns 2 (bad input or usage). */
int gahpo_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The same for a subcommand with usage lines of its own: prefix, the
 * message, a line break, help and a line break on stderr. Returns 2. */
int gahpo_vusage(const char *prefix, const char *help, const char *fmt,
                 va_list ap);

/* "gahpo: " and err's message on stderr. Returns err's status as the exit
 * code (1 when err says GA_OK: something failed all the same). */
int gahpo_fail(const ga_error *err);

/* Each warning the space was loaded with, as "gahpo: warning: ..." on
 * stderr. */
void gahpo_print_warnings(const ga_space *s);

/* From now on SIGINT, SIGTERM and SIGHUP call handler (a closed terminal or
 * a lost ssh session stops the work as SIGTERM does: resumable). */
void gahpo_on_stop_signals(void (*handler)(int));

/* Run `gnuplot script` in dir (argv, no shell). 0 if it ran and exited 0;
 * -1 otherwise (not installed, or it failed). */
int gahpo_gnuplot(const char *dir, const char *script);

#endif
