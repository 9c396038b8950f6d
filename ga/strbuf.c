/* strbuf.c - the growable string (strbuf.h): appends that grow the buffer
 * geometrically and record out of memory instead of returning it. */
#include "strbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Room for n more bytes and the NUL; 0, or -1 (b marked) out of memory. */
static int reserve(ga_strbuf *b, size_t n)
{
    if (b->oom)
        return -1;
    if (n > SIZE_MAX / 4 || b->len > SIZE_MAX / 4) {  /* doubling would wrap */
        b->oom = 1;
        return -1;
    }
    if (b->data && b->len + n < b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap <= b->len + n)
        cap *= 2;
    char *data = realloc(b->data, cap);
    if (!data) {
        b->oom = 1;
        return -1;
    }
    if (!b->data)
        data[0] = '\0';
    b->data = data;
    b->cap = cap;
    return 0;
}

void ga_strbuf_vprintf(ga_strbuf *b, const char *fmt, va_list ap)
{
    if (b->oom)
        return;
    va_list again;
    va_copy(again, ap);
    /* the first try prints into the room there is, usually all of it */
    size_t room = b->data ? b->cap - b->len : 0;
    int n = vsnprintf(b->data ? b->data + b->len : NULL, room, fmt, ap);
    if (n >= 0 && (size_t)n >= room && reserve(b, (size_t)n) == 0)
        n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, again);
    va_end(again);
    if (n < 0)
        b->oom = 1;
    if (!b->oom)
        b->len += (size_t)n;
    else if (b->data)
        b->data[b->len] = '\0';  /* a cut-off try leaves the old text */
}

void ga_strbuf_printf(ga_strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ga_strbuf_vprintf(b, fmt, ap);
    va_end(ap);
}

void ga_strbuf_append_n(ga_strbuf *b, const char *s, size_t n)
{
    if (reserve(b, n) != 0)
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void ga_strbuf_append(ga_strbuf *b, const char *s)
{
    ga_strbuf_append_n(b, s, strlen(s));
}

const char *ga_strbuf_text(const ga_strbuf *b)
{
    return b->data ? b->data : "";
}

int ga_strbuf_check(const ga_strbuf *b, ga_error *err)
{
    return b->oom ? ga_error_set(err, GA_EFAIL, "out of memory") : GA_OK;
}

int ga_strbuf_write(const ga_strbuf *b, const char *path, ga_error *err)
{
    int rc = ga_strbuf_check(b, err);
    return rc ? rc : ga_write_file_atomic(path, ga_strbuf_text(b), b->len, err);
}

char *ga_strbuf_take(ga_strbuf *b)
{
    if (!b->oom && !b->data)
        reserve(b, 0);
    char *text = b->oom ? NULL : b->data;
    if (!text)
        free(b->data);
    *b = (ga_strbuf)GA_STRBUF_INIT;
    return text;
}

void ga_strbuf_free(ga_strbuf *b)
{
    free(b->data);
    *b = (ga_strbuf)GA_STRBUF_INIT;
}
