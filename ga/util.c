/* util.c - strings, numbers and atomic file writes for the library. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

char *ga_strdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

char *ga_read_file(const char *path, size_t *len, ga_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        ga_error_set(err, GA_EINPUT, "%s: cannot open: %s", path,
                     strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (n + 1 < cap)
            break;
        char *bigger = realloc(buf, cap * 2);
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    int failed = ferror(f);
    fclose(f);
    if (!buf || failed) {
        free(buf);
        ga_error_set(err, GA_EINPUT, "%s: cannot read%s", path,
                     buf ? "" : " (out of memory)");
        return NULL;
    }
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

int ga_write_file_atomic(const char *path, const char *data, size_t len,
                         ga_error *err)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >=
        (int)sizeof tmp)
        return ga_error_set(err, GA_EINPUT, "%s: path too long", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return ga_error_set(err, GA_EFAIL, "%s: cannot create: %s", tmp,
                            strerror(errno));
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = errno;
            close(fd);
            unlink(tmp);
            return ga_error_set(err, GA_EFAIL, "%s: write failed: %s", tmp,
                                strerror(e));
        }
        off += (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        int e = errno;
        unlink(tmp);
        return ga_error_set(err, GA_EFAIL, "%s: cannot sync: %s", tmp,
                            strerror(e));
    }
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return ga_error_set(err, GA_EFAIL, "%s: cannot rename into place: %s",
                            path, strerror(e));
    }
    /* the rename itself is durable once the directory is synced */
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return GA_OK;
}

int ga_write_json_atomic(const char *path, const cJSON *item, ga_error *err)
{
    char *text = cJSON_Print(item);
    if (!text)
        return ga_error_set(err, GA_EFAIL, "%s: out of memory", path);
    size_t n = strlen(text);
    char *withnl = realloc(text, n + 2);
    if (!withnl) {
        free(text);
        return ga_error_set(err, GA_EFAIL, "%s: out of memory", path);
    }
    withnl[n] = '\n';
    withnl[n + 1] = '\0';
    int rc = ga_write_file_atomic(path, withnl, n + 1, err);
    free(withnl);
    return rc;
}

int ga_format_double(double v, char *buf, size_t size)
{
    int n;
    if (isnan(v))
        n = snprintf(buf, size, "nan");
    else if (isinf(v))
        n = snprintf(buf, size, v > 0 ? "inf" : "-inf");
    else {
        /* 15 significant digits already give the shortest form of every
         * number that has one of 15 or fewer; 17 always read back exactly */
        for (int prec = 15; prec <= 17; prec++) {
            n = snprintf(buf, size, "%.*g", prec, v);
            if (n < 0 || (size_t)n >= size)
                return -1;
            if (strtod(buf, NULL) == v)
                return 0;
        }
        return 0;
    }
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

cJSON *ga_json_parse(const char *text, const char *source, const char *hint,
                     ga_error *err)
{
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(text, &end, 1);
    if (root)
        return root;
    int line = 1, col = 1;
    for (const char *c = text; end && c < end; c++) {
        if (*c == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    ga_error_set(err, GA_EINPUT, "%s:%d:%d: invalid JSON%s", source, line, col,
                 hint ? hint : "");
    return NULL;
}

cJSON *ga_json_number(double v)
{
    char buf[40];
    if (!isfinite(v) || ga_format_double(v, buf, sizeof buf) != 0)
        return cJSON_CreateNull();
    /* a bare exponent-free integer like "1" is fine JSON; so is "1e-05" */
    return cJSON_CreateRaw(buf);
}

int ga_parse_double(const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || errno == ERANGE)
        return -1;
    while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
        end++;
    if (*end != '\0' || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

int ga_parse_long(const char *text, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end == text || *end != '\0' || errno == ERANGE)
        return -1;
    *out = v;
    return 0;
}

int ga_mkdirs(const char *path, ga_error *err)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return ga_error_set(err, GA_EINPUT, "%s: path too long", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return ga_error_set(err, GA_EFAIL, "%s: cannot create directory: "
                                "%s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return ga_error_set(err, GA_EFAIL, "%s: cannot create directory: %s",
                            buf, strerror(errno));
    return GA_OK;
}

int ga_data_path(const char *relative, char *out, size_t size, ga_error *err)
{
    char bases[3][4200];
    int n = 0;
    const char *env = getenv("GAHPO_DATA_DIR");
    if (env && *env)
        snprintf(bases[n++], sizeof bases[0], "%s", env);
    char exe[4000];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';  /* the binary's directory */
            snprintf(bases[n++], sizeof bases[0], "%s/..", exe);
            snprintf(bases[n++], sizeof bases[0], "%s/../share/gahpo", exe);
        }
    }
    for (int i = 0; i < n; i++) {
        if (snprintf(out, size, "%s/%s", bases[i], relative) >= (int)size)
            continue;
        if (access(out, R_OK) == 0)
            return GA_OK;
    }
    return ga_error_set(err, GA_EINPUT, "data file %s not found (looked in "
                        "$GAHPO_DATA_DIR, %s, %s)", relative,
                        n > 1 ? bases[n - 2] : "-", n > 1 ? bases[n - 1] : "-");
}

double ga_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

double ga_round_half_even(double x)
{
    double r = round(x);            /* half away from zero */
    if (fabs(x - trunc(x)) == 0.5)  /* a tie: take the even neighbour */
        r = 2.0 * round(x / 2.0);
    return r;
}
