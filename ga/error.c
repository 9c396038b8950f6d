/* error.c - filling a ga_error. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>

int ga_error_set(ga_error *err, int status, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->status = status;
    }
    return status;
}

void ga_error_clear(ga_error *err)
{
    if (err) {
        err->status = GA_OK;
        err->msg[0] = '\0';
    }
}
