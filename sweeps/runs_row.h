/* runs_row.h - reading a sweep's runs.csv back: a column's index by its
 * header name, and a row's field (runs.csv has no quoting: its fields are
 * numbers, setting values and problem names, none with a comma). */
#ifndef SWEEP_RUNS_ROW_H
#define SWEEP_RUNS_ROW_H

#include <string.h>

/* Index of column name in a CSV header line; -1 if absent. */
static inline long sweep_column(const char *header, const char *name)
{
    size_t len = strlen(name);
    long col = 0;
    for (const char *c = header; *c && *c != '\n'; col++) {
        const char *end = c + strcspn(c, ",\n");
        if ((size_t)(end - c) == len && !strncmp(c, name, len))
            return col;
        c = *end == ',' ? end + 1 : end;
    }
    return -1;
}

/* Field col of a CSV line, up to the next comma or newline; NULL past the
 * end. */
static inline const char *sweep_field(const char *line, long col)
{
    for (long i = 0; i < col && line; i++) {
        line = strpbrk(line, ",\n");
        line = line && *line == ',' ? line + 1 : NULL;
    }
    return line;
}

#endif
