/* gsl_quiet.h - internal to surrogates/: GSL's default error handler aborts
 * the process, but a kernel matrix that is not positive definite is an
 * expected event here (handled by jitter), so the handler is turned off,
 * once per process, before the first factorization. */
#ifndef SUR_GSL_QUIET_H
#define SUR_GSL_QUIET_H

/* Turn GSL's abort-on-error handler off (process-wide, idempotent,
 * thread-safe). Every GSL status is checked by the caller instead. */
void sur_gsl_quiet(void);

#endif
