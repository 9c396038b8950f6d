/* util.h - small helpers shared by the library: strings, numbers, files. */
#ifndef GA_UTIL_H
#define GA_UTIL_H

#include <stddef.h>

#include <cJSON.h>

#include "error.h"

/* strdup that returns NULL for NULL. Caller frees. */
char *ga_strdup(const char *s);

/* Whole file as a NUL-terminated string (caller frees), its length in *len
 * if len is not NULL; NULL with err naming the file on failure. */
char *ga_read_file(const char *path, size_t *len, ga_error *err);

/* Write data to path atomically: a temp file beside it, fsync, rename.
 * A reader sees the old file or the new one, never a part. */
int ga_write_file_atomic(const char *path, const char *data, size_t len,
                         ga_error *err);

/* cJSON_Print (formatted) of item + newline, written atomically. */
int ga_write_json_atomic(const char *path, const cJSON *item, ga_error *err);

/* A decimal that reads back as exactly v: the first of 15, 16, 17
 * significant digits that does (so 0.1 stays "0.1"); "nan", "inf", "-inf"
 * for the rest. 0, or -1 if buf is
 * too small. */
int ga_format_double(double v, char *buf, size_t size);

/* Parse JSON text; on failure NULL with err (GA_EINPUT) saying
 * "source:line:col: invalid JSON" followed by hint (may be NULL). */
cJSON *ga_json_parse(const char *text, const char *source, const char *hint,
                     ga_error *err);

/* A JSON number item that reads back as exactly v (cJSON's own printing
 * can lose the last digit); null for NaN and infinities. */
cJSON *ga_json_number(double v);

/* Parse a whole string as a finite double (leading/trailing blanks allowed).
 * 0 on success, -1 otherwise. */
int ga_parse_double(const char *text, double *out);

/* Parse a whole string as a long. 0 on success, -1 otherwise. */
int ga_parse_long(const char *text, long *out);

/* Create directory path and its parents (mode 0777 & umask). */
int ga_mkdirs(const char *path, ga_error *err);

/* Find a data file shipped with gahpo (e.g. "problems/spaces/cnn.json",
 * "surrogates/models/deepttc.json"): tried in $GAHPO_DATA_DIR, beside the
 * running binary's parent directory (a build tree: bin/..), and in its
 * ../share/gahpo (an installed tree). Writes the first that exists into
 * out; GA_EINPUT naming the places tried if none does. */
int ga_data_path(const char *relative, char *out, size_t size, ga_error *err);

/* Seconds on a monotonic clock. */
double ga_now(void);

/* Python's round(): round half to even, as DEAP's callers compute lambda. */
double ga_round_half_even(double x);

#endif
