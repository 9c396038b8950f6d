/* chunks.c - a sweep run as chunks (one cluster task each) comes back
 * together: each chunk's runs.csv holds the rows of its runs (run % K == k);
 * merged in run order they are the runs.csv one machine writes, byte for
 * byte, because every row depends only on its run's own seed. */
#include "sweep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ga/strbuf.h"
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

/* header and then the lines in run order, each ended by a newline, into
 * path (atomically). */
static int write_joined(const char *path, const char *header, char **lines,
                        long total, ga_error *err)
{
    ga_strbuf b = GA_STRBUF_INIT;
    ga_strbuf_append(&b, header);
    for (long i = 0; i < total; i++)
        if (lines[i])
            ga_strbuf_printf(&b, "%s\n", lines[i]);
    int rc = ga_strbuf_write(&b, path, err);
    ga_strbuf_free(&b);
    return rc;
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
        char path[GA_PATH_MAX];
        /* every chunk's runs from this gahpo's generator: a chunk finished
         * by an older gahpo (mt19937) is not joined with new ones */
        if ((rc = sweep_check_generator(chunk_dirs[k], err)))
            break;
        if (ga_path(path, sizeof path, err, "%s/runs.csv", chunk_dirs[k])) {
            rc = GA_EINPUT;
            break;
        }
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
        /* timings are a record, not a result: a chunk without them (or
         * whose timings.csv is too long a name) is left out of timings.csv */
        ga_error ignore;
        char *tt = NULL;
        if (ga_path(path, sizeof path, &ignore, "%s/timings.csv",
                    chunk_dirs[k]) == GA_OK)
            tt = texts[2 * k + 1] = ga_read_file(path, NULL, &ignore);
        if (rc == GA_OK && tt)  /* a torn last line: the lines before it */
            take_rows(tt, path, times, total, k, nchunks, 1, &ignore);
    }
    for (long i = 0; rc == GA_OK && i < total; i++)
        if (!rows[i])
            rc = ga_error_set(err, GA_EINPUT, "%s/runs.csv: run %ld is "
                              "missing (chunk %ld did not finish)",
                              chunk_dirs[i % nchunks], i, i % nchunks);
    char path[GA_PATH_MAX];
    if (rc == GA_OK)
        rc = ga_path(path, sizeof path, err, "%s/runs.csv", dir);
    if (rc == GA_OK)
        rc = write_joined(path, header, rows, total, err);
    if (rc == GA_OK)
        rc = ga_path(path, sizeof path, err, "%s/timings.csv", dir);
    if (rc == GA_OK)
        rc = write_joined(path, SWEEP_TIMINGS_HEADER, times, total, err);
    if (rc == GA_OK)
        rc = sweep_write_generator(dir, err);
out:
    for (long k = 0; texts && k < 2 * nchunks; k++)
        free(texts[k]);
    free(texts);
    free(rows);
    free(times);
    free(header);
    return rc;
}
