/* util.c - strings, numbers and atomic file writes for the library. */
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
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

char *ga_read_fd(int fd, const char *name, size_t max, size_t hint,
                 size_t *len, ga_error *err)
{
    if (max > SIZE_MAX / 4)
        max = SIZE_MAX / 4;
    /* room for the data, one byte more to see a file longer than max (or
     * than the hint), and the NUL */
    size_t cap = (hint < max ? hint : max) + 2;
    if (cap < 64)
        cap = 64;
    size_t n = 0;
    errno = 0;  /* ENOMEM on return: out of memory (ga_read_regular) */
    char *buf = malloc(cap);
    while (buf) {
        if (n + 1 == cap) {
            size_t bigger = cap > (max + 2) / 2 ? max + 2 : 2 * cap;
            char *b = realloc(buf, bigger);
            if (!b) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = b;
            cap = bigger;
        }
        ssize_t got = read(fd, buf + n, cap - 1 - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int e = errno;
            free(buf);
            ga_error_set(err, GA_EFAIL, "%s: cannot read: %s", name,
                         strerror(e));
            return NULL;
        }
        if (got == 0)
            break;
        n += (size_t)got;
        if (n > max) {
            free(buf);
            ga_error_set(err, GA_EINPUT, "%s: larger than the limit of %zu "
                         "bytes", name, max);
            return NULL;
        }
    }
    if (!buf) {
        ga_error_set(err, GA_EFAIL, "%s: out of memory reading it (%zu bytes "
                     "read)", name, n);
        errno = ENOMEM;
        return NULL;
    }
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

static const char *file_kind(mode_t mode)
{
    return S_ISFIFO(mode) ? "a FIFO" : S_ISCHR(mode) ? "a character device"
           : S_ISBLK(mode) ? "a block device" : S_ISDIR(mode) ? "a directory"
           : S_ISSOCK(mode) ? "a socket" : "not a file";
}

char *ga_read_regular(const char *path, const char *name, size_t max,
                      size_t *len, ga_error *err)
{
    /* O_NONBLOCK: opening a FIFO with no writer would wait forever */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        int e = errno;
        ga_error_set(err, e == ENOENT ? GA_EINPUT : GA_EFAIL,
                     "%.100s: cannot open: %s", name, strerror(e));
        errno = e;
        return NULL;
    }
    struct stat st;
    char *text = NULL;
    if (fstat(fd, &st) != 0)
        ga_error_set(err, GA_EFAIL, "%.100s: cannot stat: %s", name,
                     strerror(errno));
    else if (!S_ISREG(st.st_mode))
        ga_error_set(err, GA_EINPUT, "%.100s: not a regular file (%s)", name,
                     file_kind(st.st_mode));
    else if ((unsigned long long)st.st_size > max && max % (1 << 20) == 0)
        ga_error_set(err, GA_EINPUT, "%.100s: %lld bytes, more than the limit "
                     "of %zu bytes (%zu MiB)", name, (long long)st.st_size,
                     max, max >> 20);
    else if ((unsigned long long)st.st_size > max)
        ga_error_set(err, GA_EINPUT, "%.100s: %lld bytes, more than the limit "
                     "of %zu bytes", name, (long long)st.st_size, max);
    else if (!(text = ga_read_fd(fd, name, max, (size_t)st.st_size, len,
                                 err)) && errno == ENOMEM) {
        close(fd);
        return NULL;  /* out of memory: errno says so */
    }
    close(fd);
    errno = 0;
    return text;
}

char *ga_read_file(const char *path, size_t *len, ga_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        ga_error_set(err, GA_EINPUT, "%s: cannot open: %s", path,
                     strerror(errno));
        return NULL;
    }
    struct stat st;
    size_t hint = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0
                  ? (size_t)st.st_size : 4096;
    char *text = ga_read_fd(fd, path, SIZE_MAX, hint, len, err);
    close(fd);
    return text;
}

int ga_write_file_atomic(const char *path, const char *data, size_t len,
                         ga_error *err)
{
    /* at most PATH_MAX: a longer name the OS refuses, in a message the
     * path would fill to its end */
    char tmp[PATH_MAX];
    if (ga_path(tmp, sizeof tmp, err, "%s.tmp.%ld", path, (long)getpid()))
        return GA_EINPUT;
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
    char dir[PATH_MAX];
    ga_path(dir, sizeof dir, NULL, "%s", path);  /* fits: tmp is longer */
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

/* 1-based line and column of byte offset in text. */
static void text_position(const char *text, size_t offset, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < offset && text[i]; i++) {
        if (text[i] == '\n') {
            ++*line;
            *col = 1;
        } else {
            ++*col;
        }
    }
}

cJSON *ga_json_parse(const char *text, const char *source, const char *hint,
                     ga_error *err)
{
    const char *end = NULL;
    ga_json_oom_clear();
    cJSON *root = cJSON_ParseWithOpts(text, &end, 1);
    if (root)
        return root;
    if (ga_json_oom()) {
        ga_error_set(err, GA_EFAIL, "%s: out of memory reading it", source);
        return NULL;
    }
    int line, col;
    text_position(text, end ? (size_t)(end - text) : 0, &line, &col);
    ga_error_set(err, GA_EINPUT, "%s:%d:%d: invalid JSON%s", source, line, col,
                 hint ? hint : "");
    return NULL;
}

void ga_json_oom_clear(void)
{
    errno = 0;
}

int ga_json_oom(void)
{
    return errno == ENOMEM;
}

int ga_json_oom_begin(void)
{
    int saved = errno;
    errno = 0;
    return saved;
}

int ga_json_oom_end(int saved)
{
    int oom = errno == ENOMEM;
    if (!oom)
        errno = saved;
    return oom;
}

int ga_write_json_built(const char *path, const cJSON *item, ga_error *err)
{
    if (!item || ga_json_oom())
        return ga_error_set(err, GA_EFAIL, "%s: out of memory", path);
    return ga_write_json_atomic(path, item, err);
}

int ga_json_add(cJSON *o, const char *key, cJSON *item)
{
    if (item && cJSON_AddItemToObject(o, key, item))
        return 0;
    cJSON_Delete(item);
    errno = ENOMEM;
    return -1;
}

size_t ga_utf8_sequence(const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    if (s[0] < 0x80)
        return 1;
    size_t n = s[0] >= 0xC2 && s[0] <= 0xDF ? 2
               : s[0] >= 0xE0 && s[0] <= 0xEF ? 3
               : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if ((s[0] == 0xE0 && s[1] < 0xA0) ||   /* overlong */
        (s[0] == 0xED && s[1] > 0x9F) ||   /* UTF-16 surrogates */
        (s[0] == 0xF0 && s[1] < 0x90) ||   /* overlong */
        (s[0] == 0xF4 && s[1] > 0x8F))     /* above U+10FFFF */
        return 0;
    return n;
}

int ga_json_bad_string(const char *text, int checks, ga_json_flaw *flaw)
{
    long depth = 0, element = -1;
    int top_array = 0;
    for (const char *c = text; *c; c++) {
        if (*c == '[' || *c == '{') {
            if (depth == 0 && *c == '[') {
                top_array = 1;
                element = 0;
            }
            depth++;
        } else if (*c == ']' || *c == '}') {
            depth--;
        } else if (*c == ',' && depth == 1 && top_array) {
            element++;
        } else if (*c == '"') {
            for (c++; *c && *c != '"'; c++) {
                const char *what = NULL;
                size_t n = 1;
                if (*c == '\\') {
                    if ((checks & GA_JSON_NUL) && strncmp(c, "\\u0000", 6) == 0)
                        what = "holds \\u0000, a NUL character, which would cut "
                               "it short";
                    else if (c[1])
                        n = 2;
                } else if ((checks & GA_JSON_UTF8) &&
                           !(n = ga_utf8_sequence(c))) {
                    what = "is not valid UTF-8";
                }
                if (what) {
                    flaw->offset = (size_t)(c - text);
                    text_position(text, flaw->offset, &flaw->line, &flaw->column);
                    flaw->element = top_array && depth >= 1 ? element : -1;
                    flaw->what = what;
                    return 1;
                }
                c += n - 1;
            }
            if (!*c)
                break;
        }
    }
    return 0;
}

ga_numtext ga_num(double v)
{
    ga_numtext t;
    if (ga_format_double(v, t.s, sizeof t.s) != 0)
        snprintf(t.s, sizeof t.s, "%.17g", v);
    return t;
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
    /* a name the OS would refuse fails before any parent is made */
    char buf[PATH_MAX];
    if (ga_path(buf, sizeof buf, err, "%s", path))
        return GA_EINPUT;
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
    /* a place whose name is too long holds nothing: it is skipped */
    char bases[3][GA_PATH_MAX];
    int n = 0;
    const char *env = getenv("GAHPO_DATA_DIR");
    if (env && *env)
        n += ga_path(bases[n], sizeof bases[0], NULL, "%s", env) == GA_OK;
    char exe[GA_PATH_MAX];  /* readlink cuts silently: a full buffer is cut */
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0 && len < (ssize_t)sizeof exe - 1) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';  /* the binary's directory */
            n += ga_path(bases[n], sizeof bases[0], NULL, "%s/..", exe)
                 == GA_OK;
            n += ga_path(bases[n], sizeof bases[0], NULL,
                         "%s/../share/gahpo", exe) == GA_OK;
        }
    }
    for (int i = 0; i < n; i++) {
        if (ga_path(out, size, NULL, "%s/%s", bases[i], relative) != GA_OK)
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

int ga_path(char *buf, size_t size, ga_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < size)
        return GA_OK;
    int rc = ga_error_set(err, GA_EINPUT, "path too long (over %zu bytes): "
                          "%.60s...", size ? size - 1 : 0, buf);
    if (size)
        buf[0] = '\0';
    return rc;
}
