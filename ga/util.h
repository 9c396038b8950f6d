/* util.h - small helpers shared by the library: strings, numbers, files. */
#ifndef GA_UTIL_H
#define GA_UTIL_H

#include <stddef.h>

#include <cJSON.h>

#include "error.h"

/* strdup that returns NULL for NULL. Caller frees. */
char *ga_strdup(const char *s);

/* Whole file as a NUL-terminated string (caller frees), its length in *len
 * if len is not NULL; NULL with err naming the file on failure (GA_EINPUT
 * if it cannot be opened, GA_EFAIL for a read error or out of memory). */
char *ga_read_file(const char *path, size_t *len, ga_error *err);

/* Read the open descriptor fd to its end as a NUL-terminated string
 * (caller frees), its length in *len if len is not NULL. hint: the
 * expected size (fstat's), so that one allocation usually suffices. NULL
 * on failure with err naming `name`: GA_EINPUT if there are more than max
 * bytes (read stops at max + 1, whatever the file's size), GA_EFAIL for a
 * read error or out of memory, each saying which (errno is ENOMEM for the
 * latter). Does not close fd. */
char *ga_read_fd(int fd, const char *name, size_t max, size_t hint,
                 size_t *len, ga_error *err);

/* A file another program wrote (a model, a job): path opened without
 * blocking, only a regular file of at most max bytes read, its text (caller
 * frees) and length in *len if not NULL. NULL on failure with err naming
 * `name` and why (a FIFO, a device, too large, ...); errno is ENOENT when
 * the file does not exist, ENOMEM when out of memory, else 0. */
char *ga_read_regular(const char *path, const char *name, size_t max,
                      size_t *len, ga_error *err);

/* Write data to path atomically: a temp file beside it, fsync, rename.
 * A reader sees the old file or the new one, never a part. GA_EINPUT
 * (ga_path's message) when the temp file's name is PATH_MAX bytes or more,
 * GA_EFAIL naming the file for the rest. */
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
 * "source:line:col: invalid JSON" followed by hint (may be NULL), or
 * (GA_EFAIL) "source: out of memory" when an allocation failed instead. */
cJSON *ga_json_parse(const char *text, const char *source, const char *hint,
                     ga_error *err);

/* cJSON's Create and Add functions tell no caller that an allocation
 * failed: the item is left out and the document still prints. Code that
 * builds a document to write calls ga_json_oom_clear() before building and
 * writes only if ga_json_oom() is 0 after: 1 if an allocation failed in
 * between (malloc sets errno to ENOMEM; nothing a builder calls sets errno
 * to that otherwise). */
void ga_json_oom_clear(void);
int ga_json_oom(void);

/* ga_write_json_atomic of a document built since ga_json_oom_clear(), or
 * GA_EFAIL "path: out of memory" when an allocation failed meanwhile (or
 * item is NULL): a document missing a part is never written. */
int ga_write_json_built(const char *path, const cJSON *item, ga_error *err);

/* For a function that builds and returns a cJSON tree, which its caller
 * may call in the middle of building its own: ga_json_oom_begin clears the
 * flag and returns the caller's; ga_json_oom_end(saved) returns 1 when this
 * builder ran out of memory, and leaves the flag set if either did, so a
 * failure before the call is not forgotten. */
int ga_json_oom_begin(void);
int ga_json_oom_end(int saved);

/* o[key] = item, or item deleted when it cannot be added (out of memory;
 * errno is then ENOMEM, as ga_json_oom reads it): nothing leaks either
 * way. 0, or -1. */
int ga_json_add(cJSON *o, const char *key, cJSON *item);

/* What ga_json_bad_string looks for. */
enum {
    GA_JSON_NUL = 1,   /* the escape \u0000: cJSON decodes it to a NUL byte,
                          which silently ends the C string there */
    GA_JSON_UTF8 = 2   /* bytes that are not UTF-8 (Python's json.load of
                          the file the model reads would fail) */
};

/* Where ga_json_bad_string found a flaw. */
typedef struct ga_json_flaw {
    size_t offset;     /* byte offset in the text */
    int line, column;  /* 1-based, for messages */
    long element;      /* index of the top-level array element holding it,
                          -1 if the top level is not an array */
    const char *what;  /* e.g. "is not valid UTF-8" (static text) */
} ga_json_flaw;

/* Check the strings (keys and values) of JSON text that cJSON parsed: 0 if
 * none has a flaw of the kinds in checks, else 1 with the first in *flaw.
 * cJSON keeps strings as C strings, so a \u0000 can only be seen here, in
 * the text. */
int ga_json_bad_string(const char *text, int checks, ga_json_flaw *flaw);

/* Length (1-4) of the UTF-8 sequence that starts at s, or 0 if none does:
 * strict as Python's decoder (no overlong forms, no surrogates, nothing
 * above U+10FFFF). A NUL is a sequence of 1. */
size_t ga_utf8_sequence(const char *s);

/* A number for a message, as the user would write it: the shortest decimal
 * that reads back as v (ga_format_double), so -0.1 is "-0.1", not
 * -0.10000000000000001. Use as ga_num(v).s within one expression. */
typedef struct ga_numtext {
    char s[40];
} ga_numtext;
ga_numtext ga_num(double v);

/* A JSON number item that reads back as exactly v (cJSON's own printing
 * can lose the last digit); null for NaN and infinities. */
cJSON *ga_json_number(double v);

/* Parse a whole string as a finite double (leading/trailing blanks allowed).
 * 0 on success, -1 otherwise. */
int ga_parse_double(const char *text, double *out);

/* Parse a whole string as a long. 0 on success, -1 otherwise. */
int ga_parse_long(const char *text, long *out);

/* The buffer for a built path: PATH_MAX (4096) plus room for a file name. */
#define GA_PATH_MAX 4352

/* The one way the library builds a file name: snprintf(buf, size, fmt,
 * ...) that fails instead of cutting. GA_OK, or GA_EINPUT "path too long
 * (over N bytes): <its start>..." in err (buf then holds "") when the
 * name does not fit in size bytes. */
int ga_path(char *buf, size_t size, ga_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Create directory path and its parents (mode 0777 & umask). GA_EINPUT
 * (ga_path's message) for a name of PATH_MAX bytes or more, before any
 * directory is made; GA_EFAIL naming the directory mkdir refused. */
int ga_mkdirs(const char *path, ga_error *err);

/* Find a data file shipped with gahpo (e.g. "problems/spaces/cnn.json",
 * "surrogates/models/deepttc.json"): tried in $GAHPO_DATA_DIR, beside the
 * running binary's parent directory (a build tree: bin/..), and in its
 * ../share/gahpo (an installed tree). Writes the first that exists into
 * out (a place whose name does not fit in size is passed over); GA_EINPUT
 * naming the places tried if none does. */
int ga_data_path(const char *relative, char *out, size_t size, ga_error *err);

/* Seconds on a monotonic clock. */
double ga_now(void);

/* Python's round(): round half to even, as DEAP's callers compute lambda. */
double ga_round_half_even(double x);

#endif
