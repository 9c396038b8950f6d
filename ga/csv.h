/* csv.h - reading CSV (RFC 4180 quoting, CRLF or LF) and, from it, an
 * initial population whose columns are matched to the space by name. */
#ifndef GA_CSV_H
#define GA_CSV_H

#include <stddef.h>

#include "error.h"
#include "space.h"

typedef struct ga_csv {
    size_t nrows;        /* data rows, not counting the header */
    size_t ncols;
    char **header;       /* ncols names */
    char **cells;        /* nrows x ncols, row-major */
    size_t *line;        /* line number of each data row, for messages */
    size_t nbad;         /* rows of the wrong width left out (lenient) */
    char first_bad[512]; /* the first such row's message */
} ga_csv;

/* Parse CSV text with a header row. Rows must all have the header's width.
 * NULL with err (file and line) on failure. */
ga_csv *ga_csv_parse(const char *text, const char *source, ga_error *err);
/* The same, but a data row of the wrong width is left out and counted in
 * nbad (its message in first_bad for the first) instead of failing. */
ga_csv *ga_csv_parse_lenient(const char *text, const char *source,
                             ga_error *err);

void ga_csv_free(ga_csv *csv);

/* Individuals from a CSV file: one row each, a column per parameter by name
 * (constants may be absent; other unknown columns such as val_loss are
 * ignored and named in *warning, which the caller frees). Returns a new
 * count x space->n gene array, or NULL with err naming file, line, column. */
double *ga_csv_read_population(const ga_space *space, const char *path,
                               size_t *count, char **warning, ga_error *err);

#endif
