/* strbuf.h - the library's one growable string: a text built piece by
 * piece (a CSV, a report, a script) and then written or returned.
 *
 * Out of memory is recorded, not returned per call: an append that cannot
 * grow the buffer marks it failed and leaves the text as it was, and every
 * later append does nothing, so a caller builds the whole text and checks
 * once at the end (ga_strbuf_check). Plain struct, no hidden state: one
 * builder belongs to one thread. */
#ifndef GA_STRBUF_H
#define GA_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

#include "error.h"

typedef struct ga_strbuf {
    char *data;   /* the text, NUL-terminated; NULL before the first append */
    size_t len;   /* its length, without the NUL */
    size_t cap;   /* bytes allocated at data */
    int oom;      /* 1 once an append ran out of memory (or a format could
                     not be printed): the text is then incomplete */
} ga_strbuf;

/* An empty builder: `ga_strbuf b = GA_STRBUF_INIT;` (all zero, as { 0 }). */
#define GA_STRBUF_INIT { NULL, 0, 0, 0 }

/* Append printf(fmt, ...) to b. */
void ga_strbuf_printf(ga_strbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void ga_strbuf_vprintf(ga_strbuf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Append the string s as it is (no format); n bytes of s for _n (s need
 * not be NUL-terminated there). */
void ga_strbuf_append(ga_strbuf *b, const char *s);
void ga_strbuf_append_n(ga_strbuf *b, const char *s, size_t n);

/* The text so far ("" before the first append); owned by b. */
const char *ga_strbuf_text(const ga_strbuf *b);

/* GA_OK, or GA_EFAIL "out of memory" in err if an append failed. */
int ga_strbuf_check(const ga_strbuf *b, ga_error *err);

/* Write the text to path atomically (ga_write_file_atomic), or GA_EFAIL
 * "out of memory" without writing if an append failed: a file missing a
 * part is never written. */
int ga_strbuf_write(const ga_strbuf *b, const char *path, ga_error *err);

/* The text, handed to the caller (who frees it), and b emptied; NULL if an
 * append failed (b is then freed). An empty text is "", not NULL. */
char *ga_strbuf_take(ga_strbuf *b);

/* Free the text and empty b (it can be used again). */
void ga_strbuf_free(ga_strbuf *b);

#endif
