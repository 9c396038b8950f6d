/* chunks.c - a sweep run as chunks (one cluster task each) comes back
 * together: each chunk's runs.csv holds the rows of its runs (run % K == k);
 * merged in run order they are the runs.csv one machine writes, byte for
 * byte, because every row depends only on its run's own seed. */
#include "sweep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ga/util.h"

/* The run index a line starts with, or -1. */
static long line_run(const char *line)
{
    long run;
    char num[32];
    size_t n = strcspn(line, ",");
    if (n == 0 || n >= sizeof num || line[n] != ',')
        return -1;
    memcpy(num, line, n);
    num[n] = '\0';
    return ga_parse_long(num, &run) == 0 && run >= 0 ? run : -1;
}

/* Lines of text after its first (the header) into lines[run] (pointers
 * into text, NUL-terminated there). Each run must be the chunk's and
 * new, unless dups is set (timings: the last line wins). */
static int take_rows(char *text, const char *path, char **lines, long total,
                     long chunk, long nchunks, int dups, ga_error *err)
{
    char *line = strchr(text, '\n');
    long lineno = 1;
    while (line && *++line) {
        char *nl = strchr(line, '\n');
        lineno++;
        if (!nl)
            return ga_error_set(err, GA_EINPUT, "%s:%ld: a torn last line (the "
                                "chunk did not finish writing)", path, lineno);
        *nl = '\0';
        long run = line_run(line);
        if (run < 0 || run >= total || run % nchunks != chunk)
            return ga_error_set(err, GA_EINPUT, "%s:%ld: not a run of chunk "
                                "%ld of %ld", path, lineno, chunk, nchunks);
        if (lines[run] && !dups)
            return ga_error_set(err, GA_EINPUT, "%s:%ld: run %ld twice", path,
                                lineno, run);
        lines[run] = line;
        line = nl;
    }
    return GA_OK;
}

/* Lines in run order after header into one text (caller frees). */
static char *join(const char *header, char **lines, long total, size_t *len)
{
    size_t n = strlen(header) + 1;
    for (long i = 0; i < total; i++)
        if (lines[i])
            n += strlen(lines[i]) + 1;
    char *out = malloc(n), *p = out;
    if (!out)
        return NULL;
    p += sprintf(p, "%s", header);
    for (long i = 0; i < total; i++)
        if (lines[i])
            p += sprintf(p, "%s\n", lines[i]);
    *len = (size_t)(p - out);
    return out;
}

int sweep_merge_chunks(const sweep_spec *s, size_t npoints, const char *dir,
                       long nchunks, char *const *chunk_dirs, ga_error *err)
{
    long total = (long)npoints * (long)s->nproblems * s->replicates;
    char *header = sweep_runs_header(s);
    char **rows = calloc((size_t)total + 1, sizeof *rows);
    char **times = calloc((size_t)total + 1, sizeof *times);
    char **texts = calloc(2 * (size_t)nchunks + 1, sizeof *texts);
    int rc = GA_OK;
    if (!header || !rows || !times || !texts) {
        rc = ga_error_set(err, GA_EFAIL, "out of memory");
        goto out;
    }
    for (long k = 0; k < nchunks && rc == GA_OK; k++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/runs.csv", chunk_dirs[k]);
        char *text = texts[2 * k] = ga_read_file(path, NULL, err);
        if (!text) {
            rc = GA_EINPUT;
            break;
        }
        if (strncmp(text, header, strlen(header)) != 0) {
            rc = ga_error_set(err, GA_EINPUT, "%s: its header is not this "
                              "spec's (a chunk of another sweep?)", path);
            break;
        }
        rc = take_rows(text, path, rows, total, k, nchunks, 0, err);
        /* timings are a record, not a result: a chunk without them is
         * left out of timings.csv */
        snprintf(path, sizeof path, "%s/timings.csv", chunk_dirs[k]);
        ga_error ignore;
        char *tt = texts[2 * k + 1] = ga_read_file(path, NULL, &ignore);
        if (rc == GA_OK && tt)  /* a torn last line: the lines before it */
            take_rows(tt, path, times, total, k, nchunks, 1, &ignore);
    }
    for (long i = 0; rc == GA_OK && i < total; i++)
        if (!rows[i])
            rc = ga_error_set(err, GA_EINPUT, "%s/runs.csv: run %ld is "
                              "missing (chunk %ld did not finish)",
                              chunk_dirs[i % nchunks], i, i % nchunks);
    if (rc == GA_OK) {
        size_t len;
        char *csv = join(header, rows, total, &len);
        char path[4200];
        snprintf(path, sizeof path, "%s/runs.csv", dir);
        rc = csv ? ga_write_file_atomic(path, csv, len, err)
                 : ga_error_set(err, GA_EFAIL, "out of memory");
        free(csv);
        char *tcsv = rc == GA_OK ? join("run,seconds\n", times, total, &len)
                                 : NULL;
        snprintf(path, sizeof path, "%s/timings.csv", dir);
        if (tcsv)
            rc = ga_write_file_atomic(path, tcsv, len, err);
        free(tcsv);
    }
out:
    for (long k = 0; texts && k < 2 * nchunks; k++)
        free(texts[k]);
    free(texts);
    free(rows);
    free(times);
    free(header);
    return rc;
}
