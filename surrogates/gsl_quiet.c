/* gsl_quiet.c - GSL's error handler off, once (see gsl_quiet.h). */
#include "gsl_quiet.h"

#include <pthread.h>

#include <gsl/gsl_errno.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void quiet(void)
{
    gsl_set_error_handler_off();
}

void sur_gsl_quiet(void)
{
    pthread_once(&once, quiet);
}
