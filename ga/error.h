/* error.h - the status and message every library call leaves behind.
 * Library code never prints or exits: it fills a ga_error and returns its
 * status; the command maps statuses to exit codes. */
#ifndef GA_ERROR_H
#define GA_ERROR_H

#include <stddef.h>

enum {
    GA_OK = 0,      /* success */
    GA_EFAIL = 1,   /* a run failed (an evaluation policy said stop, I/O) */
    GA_EINPUT = 2   /* bad input or usage: the user must fix something */
};

typedef struct ga_error {
    int status;
    char msg[2048];
} ga_error;

/* Record status and a printf-style message in err (err may be NULL);
 * returns status so callers can `return ga_error_set(...)`. */
int ga_error_set(ga_error *err, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reset err to GA_OK with an empty message. */
void ga_error_clear(ga_error *err);

#endif
