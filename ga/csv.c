/* csv.c - a small, strict CSV reader. */
#include "csv.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void ga_csv_free(ga_csv *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->ncols; i++)
        free(c->header ? c->header[i] : NULL);
    for (size_t i = 0; c->cells && i < c->nrows * c->ncols; i++)
        free(c->cells[i]);
    free(c->header);
    free(c->cells);
    free(c->line);
    free(c);
}

/* Read one field starting at *p; advance past it and its separator.
 * *end_of_row is set when the field ended a row (or the text). */
static char *read_field(const char **p, size_t *line, int *end_of_row,
                        int *bad_quote)
{
    const char *s = *p;
    size_t cap = 64, n = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    int quoted = *s == '"';
    if (quoted)
        s++;
    for (;;) {
        char ch = *s;
        if (ch == '\0') {
            if (quoted)
                *bad_quote = 1;
            break;
        }
        if (quoted) {
            if (ch == '"') {
                if (s[1] == '"') {
                    s += 2;
                    ch = '"';
                } else {
                    quoted = 0;
                    s++;
                    continue;
                }
            } else {
                if (ch == '\n')
                    (*line)++;
                s++;
            }
        } else {
            if (ch == ',' || ch == '\n' || (ch == '\r' && s[1] == '\n'))
                break;
            s++;
        }
        if (n + 2 > cap) {
            char *b = realloc(out, cap *= 2);
            if (!b) {
                free(out);
                return NULL;
            }
            out = b;
        }
        out[n++] = ch;
    }
    out[n] = '\0';
    *end_of_row = 1;
    if (*s == ',') {
        *end_of_row = 0;
        s++;
    } else if (*s == '\r') {
        s += 2;
    } else if (*s == '\n') {
        s++;
    }
    *p = s;
    return out;
}

/* Free the fields of the row being read (the first ncols of it): it is
 * not counted in nrows, so ga_csv_free would not see them. */
static void drop_row(ga_csv *c, size_t ncols)
{
    for (size_t k = 0; k < ncols && k < c->ncols; k++)
        free(c->cells[c->nrows * c->ncols + k]);
}

static ga_csv *parse(const char *text, const char *source, int lenient,
                     ga_error *err)
{
    ga_csv *c = calloc(1, sizeof *c);
    if (!c) {
        ga_error_set(err, GA_EFAIL, "out of memory");
        return NULL;
    }
    const char *p = text;
    size_t line = 1, cap_cells = 0, cap_rows = 0;
    int header = 1;
    while (*p) {
        size_t row_line = line, ncols = 0;
        int end = 0, bad_quote = 0, too_wide = 0;
        if (*p == '\n' || (*p == '\r' && p[1] == '\n')) {  /* blank line */
            p += *p == '\r' ? 2 : 1;
            line++;
            continue;
        }
        while (!end) {
            char *f = read_field(&p, &line, &end, &bad_quote);
            if (!f || bad_quote) {
                free(f);
                if (!header)
                    drop_row(c, ncols);
                if (!f)
                    ga_error_set(err, GA_EFAIL, "out of memory");
                else
                    ga_error_set(err, GA_EINPUT, "%s:%zu: unterminated quoted "
                                 "field", source, row_line);
                goto fail;
            }
            if (header) {
                char **h = realloc(c->header, (ncols + 1) * sizeof *h);
                if (!h) {
                    free(f);
                    ga_error_set(err, GA_EFAIL, "out of memory");
                    goto fail;
                }
                c->header = h;
                h[ncols] = f;
                c->ncols = ncols + 1;
            } else if (too_wide) {
                free(f);  /* the rest of a row already left out */
            } else {
                if (ncols >= c->ncols && lenient) {
                    free(f);
                    too_wide = 1;
                    ncols++;
                    continue;
                }
                if (ncols >= c->ncols) {
                    free(f);
                    drop_row(c, ncols);
                    ga_error_set(err, GA_EINPUT, "%s:%zu: more fields than the "
                                 "header's %zu", source, row_line, c->ncols);
                    goto fail;
                }
                size_t idx = c->nrows * c->ncols + ncols;
                if (idx >= cap_cells) {
                    cap_cells = cap_cells ? cap_cells * 2 : 64 + c->ncols;
                    char **cells = realloc(c->cells, cap_cells * sizeof *cells);
                    if (!cells) {
                        free(f);
                        drop_row(c, ncols);
                        ga_error_set(err, GA_EFAIL, "out of memory");
                        goto fail;
                    }
                    c->cells = cells;
                }
                c->cells[idx] = f;
            }
            ncols++;
        }
        line++;
        if (header) {
            header = 0;
            continue;
        }
        if (ncols != c->ncols || too_wide) {
            /* free the row's cells before leaving it out or failing */
            size_t kept = ncols < c->ncols ? ncols : c->ncols;
            for (size_t k = 0; k < kept; k++)
                free(c->cells[c->nrows * c->ncols + k]);
            if (!lenient) {
                ga_error_set(err, GA_EINPUT, "%s:%zu: %zu fields, but the "
                             "header has %zu", source, row_line, ncols, c->ncols);
                goto fail;
            }
            if (c->nbad++ == 0 && too_wide)
                snprintf(c->first_bad, sizeof c->first_bad, "%.300s:%zu: more "
                         "fields than the header's %zu", source, row_line,
                         c->ncols);
            else if (c->nbad == 1)
                snprintf(c->first_bad, sizeof c->first_bad, "%.300s:%zu: %zu "
                         "fields, but the header has %zu", source, row_line,
                         ncols, c->ncols);
            continue;
        }
        if (c->nrows >= cap_rows) {
            cap_rows = cap_rows ? cap_rows * 2 : 16;
            size_t *l = realloc(c->line, cap_rows * sizeof *l);
            if (!l) {
                for (size_t k = 0; k < ncols; k++)
                    free(c->cells[c->nrows * c->ncols + k]);
                ga_error_set(err, GA_EFAIL, "out of memory");
                goto fail;
            }
            c->line = l;
        }
        c->line[c->nrows++] = row_line;
    }
    if (header) {
        ga_error_set(err, GA_EINPUT, "%s: empty; expected a header row", source);
        goto fail;
    }
    return c;
fail:
    ga_csv_free(c);
    return NULL;
}

ga_csv *ga_csv_parse(const char *text, const char *source, ga_error *err)
{
    return parse(text, source, 0, err);
}

ga_csv *ga_csv_parse_lenient(const char *text, const char *source,
                             ga_error *err)
{
    return parse(text, source, 1, err);
}

double *ga_csv_read_population(const ga_space *space, const char *path,
                               size_t *count, char **warning, ga_error *err)
{
    *warning = NULL;
    char *text = ga_read_file(path, NULL, err);
    if (!text)
        return NULL;
    ga_csv *c = ga_csv_parse(text, path, err);
    free(text);
    if (!c)
        return NULL;
    long *col = malloc(space->n * sizeof *col);
    double *genes = calloc(c->nrows * space->n + 1, sizeof *genes);
    char ignored[1024] = "";
    if (!col || !genes) {
        ga_error_set(err, GA_EFAIL, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < space->n; i++) {
        col[i] = -1;
        for (size_t j = 0; j < c->ncols; j++)
            if (strcmp(c->header[j], space->params[i].name) == 0) {
                if (col[i] >= 0) {
                    ga_error_set(err, GA_EINPUT, "%s: column '%s' appears "
                                 "twice", path, c->header[j]);
                    goto fail;
                }
                col[i] = (long)j;
            }
        if (col[i] < 0 && space->params[i].type != GA_CONSTANT) {
            ga_error_set(err, GA_EINPUT, "%s: no column for parameter '%s'; "
                         "the header needs one column per parameter, by name",
                         path, space->params[i].name);
            goto fail;
        }
    }
    for (size_t j = 0; j < c->ncols; j++)
        if (ga_space_find(space, c->header[j]) < 0) {
            size_t len = strlen(ignored);
            snprintf(ignored + len, sizeof ignored - len, "%s'%s'",
                     len ? ", " : "", c->header[j]);
        }
    for (size_t r = 0; r < c->nrows; r++)
        for (size_t i = 0; i < space->n; i++) {
            if (col[i] < 0)
                continue;
            const char *cell = c->cells[r * c->ncols + (size_t)col[i]];
            ga_error e;
            if (ga_param_gene_parse(&space->params[i], cell,
                                    &genes[r * space->n + i], &e) != GA_OK) {
                ga_error_set(err, GA_EINPUT, "%s:%zu: column '%s': %s", path,
                             c->line[r], space->params[i].name, e.msg);
                goto fail;
            }
        }
    if (ignored[0]) {
        char buf[1200];
        snprintf(buf, sizeof buf, "%s: columns not in the space ignored: %s",
                 path, ignored);
        *warning = ga_strdup(buf);
    }
    *count = c->nrows;
    free(col);
    ga_csv_free(c);
    return genes;
fail:
    free(col);
    free(genes);
    ga_csv_free(c);
    return NULL;
}
