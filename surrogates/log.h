/* log.h - evaluation logs for surrogate fitting: JSON lines (gahpo's own
 * evals.jsonl, or {"params": {...}, "val_loss": x} lines) and CSV (a header
 * with a column per parameter plus the objective column), matched by name
 * against a CANDLE space and checked against it (type, bounds, values).
 * Failed evaluations (null, NaN) are counted and left out; duplicate
 * configurations are kept (they carry the noise). */
#ifndef SUR_LOG_H
#define SUR_LOG_H

#include <stddef.h>

#include "../ga/error.h"
#include "../ga/space.h"

typedef struct sur_log {
    size_t n;            /* usable rows */
    size_t dim;          /* genes per row (space->n) */
    double *genes;       /* n x dim genes, in the space's gene convention */
    double *y;           /* n finite objective values */
    size_t *line;        /* source line of each row */
    size_t nfailed;      /* failed evaluations (null, NaN) left out */
    size_t nskipped;     /* bad rows skipped (skip_bad) */
    char first_skipped[2048]; /* the message of the first skipped row */
} sur_log;

/* Load path (CSV if it ends in .csv, else JSON lines). objective: the
 * objective's key or column (NULL: "val_loss"; JSON lines also accept
 * gahpo's "fitness"). A bad row is an error naming file, line and column
 * (GA_EINPUT), or with skip_bad is skipped and counted. NULL with err. */
sur_log *sur_log_load(const ga_space *space, const char *path,
                      const char *objective, int skip_bad, ga_error *err);

void sur_log_free(sur_log *log);

#endif
