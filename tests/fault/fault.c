/* fault.c - fault injection for the fault build (make fault-build): fails
 * the n-th allocation or the n-th file write of a gahpo process, as
 * SQLite's test harness does, so a test can walk n along a run.
 *
 * Linked only into build/fault/bin/gahpo, with -Wl,--wrap=SYM for each
 * function below: the linker sends our own objects' calls to __wrap_SYM
 * (libc, GSL and cJSON calling each other are not redirected). cJSON's
 * allocations come here through cJSON_InitHooks. The library has no switch
 * and no global state for this; these counters are the test build's.
 *
 * The switch, read once at start from the environment:
 *   GAHPO_FAULT_ALLOC=n  the n-th allocation (malloc, calloc, realloc,
 *                        cJSON's, gsl_rng_alloc) returns NULL
 *   GAHPO_FAULT_WRITE=n  the n-th file write fails with ENOSPC: open or
 *                        fopen for writing, write, pwrite, fwrite, fputs,
 *                        fputc, fprintf, fflush, fsync, rename, truncate,
 *                        ftruncate, mkdir (of a directory not there yet).
 *                        One that carries data writes its first half and
 *                        then fails, as a full disk leaves a file; stdout,
 *                        stderr and descriptors 0-2 are not files and are
 *                        never failed nor counted
 *   GAHPO_FAULT_PERSIST=1 every call from the n-th on fails, not only the
 *                        n-th (the default, "transient", finds more: the
 *                        code goes on after the failure)
 *   GAHPO_FAULT_COUNT=path at exit, "allocs A writes W fired F" into path:
 *                        how many of each the process made (the range of n
 *                        for a test) and how many faults it injected
 *   GAHPO_FAULT_TRACE=1  print the call stack of each injected fault to
 *                        stderr (to find the caller of a failing n)
 * A forked child (the model's process before its exec) neither counts nor
 * fails: its failures are the model's, not the driver's. */
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cJSON.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
gsl_rng *__real_gsl_rng_alloc(const gsl_rng_type *t);
int __real_open(const char *path, int flags, ...);
FILE *__real_fopen(const char *path, const char *mode);
ssize_t __real_write(int fd, const void *buf, size_t n);
ssize_t __real_pwrite(int fd, const void *buf, size_t n, off_t off);
size_t __real_fwrite(const void *buf, size_t size, size_t n, FILE *f);
int __real_fputs(const char *s, FILE *f);
int __real_fputc(int c, FILE *f);
int __real_vfprintf(FILE *f, const char *fmt, va_list ap);
int __real_fflush(FILE *f);
int __real_fsync(int fd);
int __real_rename(const char *from, const char *to);
int __real_truncate(const char *path, off_t len);
int __real_ftruncate(int fd, off_t len);
int __real_mkdir(const char *path, mode_t mode);

static long alloc_at, write_at;   /* 0: off */
static int persist, trace, off;   /* off: in a forked child */
static long nalloc, nwrite, nfired;
static const char *count_path;

/* The sanitizers' symbolized stack if they are linked in, else glibc's. */
void __sanitizer_print_stack_trace(void) __attribute__((weak));

static void print_trace(const char *what, long k)
{
    dprintf(2, "fault: %s %ld fails here:\n", what, k);
    if (__sanitizer_print_stack_trace) {
        __sanitizer_print_stack_trace();
        return;
    }
    void *frames[32];
    backtrace_symbols_fd(frames, backtrace(frames, 32), 2);
}

/* 1 if this call (the counter's next) is to fail. */
static int hit(long *counter, long at)
{
    if (off)
        return 0;
    long k = __atomic_add_fetch(counter, 1, __ATOMIC_RELAXED);
    if (at > 0 && (k == at || (persist && k > at))) {
        __atomic_add_fetch(&nfired, 1, __ATOMIC_RELAXED);
        if (trace)
            print_trace(counter == &nalloc ? "allocation" : "write", k);
        return 1;
    }
    return 0;
}

static int alloc_fails(void)
{
    return hit(&nalloc, alloc_at);
}

static int write_fails(void)
{
    if (hit(&nwrite, write_at)) {
        errno = ENOSPC;
        return 1;
    }
    return 0;
}

static int is_std(FILE *f)
{
    return f == stdout || f == stderr || f == stdin;
}

/* ---- allocations ---------------------------------------------------- */

void *__wrap_malloc(size_t size)
{
    if (alloc_fails()) {
        errno = ENOMEM;
        return NULL;
    }
    return __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
    if (alloc_fails()) {
        errno = ENOMEM;
        return NULL;
    }
    return __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
    if (alloc_fails()) {
        errno = ENOMEM;
        return NULL;
    }
    return __real_realloc(p, size);
}

/* As GSL does when its allocation fails: gsl_error, then NULL (with GSL's
 * default handler, gsl_error aborts). */
gsl_rng *__wrap_gsl_rng_alloc(const gsl_rng_type *t)
{
    if (alloc_fails()) {
        gsl_error("failed to allocate space for rng struct (fault "
                  "injection)", __FILE__, __LINE__, GSL_ENOMEM);
        return NULL;
    }
    return __real_gsl_rng_alloc(t);
}

static void *cjson_malloc(size_t size)
{
    return __wrap_malloc(size);
}

/* ---- writes ---------------------------------------------------------- */

int __wrap_open(const char *path, int flags, ...)
{
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    if ((flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)) && write_fails())
        return -1;
    return __real_open(path, flags, mode);
}

FILE *__wrap_fopen(const char *path, const char *mode)
{
    if (strpbrk(mode, "wa+") && write_fails())
        return NULL;
    return __real_fopen(path, mode);
}

ssize_t __wrap_write(int fd, const void *buf, size_t n)
{
    if (fd > 2 && write_fails()) {
        if (n > 1)
            __real_write(fd, buf, n / 2);
        errno = ENOSPC;
        return -1;
    }
    return __real_write(fd, buf, n);
}

ssize_t __wrap_pwrite(int fd, const void *buf, size_t n, off_t at)
{
    if (fd > 2 && write_fails()) {
        if (n > 1)
            __real_pwrite(fd, buf, n / 2, at);
        errno = ENOSPC;
        return -1;
    }
    return __real_pwrite(fd, buf, n, at);
}

/* The first half of len bytes into f, then the failure. */
static void torn(FILE *f, const char *data, size_t len)
{
    if (len > 1)
        __real_fwrite(data, 1, len / 2, f);
    errno = ENOSPC;
}

size_t __wrap_fwrite(const void *buf, size_t size, size_t n, FILE *f)
{
    if (!is_std(f) && write_fails()) {
        torn(f, buf, size * n);
        return 0;
    }
    return __real_fwrite(buf, size, n, f);
}

int __wrap_fputs(const char *s, FILE *f)
{
    if (!is_std(f) && write_fails()) {
        torn(f, s, strlen(s));
        return EOF;
    }
    return __real_fputs(s, f);
}

int __wrap_fputc(int c, FILE *f)
{
    if (!is_std(f) && write_fails())
        return EOF;
    return __real_fputc(c, f);
}

int __wrap_vfprintf(FILE *f, const char *fmt, va_list ap)
{
    if (!is_std(f) && write_fails()) {
        char *text = NULL;
        int len = vasprintf(&text, fmt, ap);  /* libc's, not counted */
        if (len > 0)
            torn(f, text, (size_t)len);
        free(text);
        errno = ENOSPC;
        return -1;
    }
    return __real_vfprintf(f, fmt, ap);
}

int __wrap_fprintf(FILE *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = __wrap_vfprintf(f, fmt, ap);
    va_end(ap);
    return rc;
}

int __wrap_fflush(FILE *f)
{
    if (f && !is_std(f) && write_fails())
        return EOF;
    return __real_fflush(f);
}

int __wrap_fsync(int fd)
{
    if (fd > 2 && write_fails())
        return -1;
    return __real_fsync(fd);
}

int __wrap_rename(const char *from, const char *to)
{
    if (write_fails())
        return -1;
    return __real_rename(from, to);
}

int __wrap_truncate(const char *path, off_t len)
{
    if (write_fails())
        return -1;
    return __real_truncate(path, len);
}

int __wrap_ftruncate(int fd, off_t len)
{
    if (fd > 2 && write_fails())
        return -1;
    return __real_ftruncate(fd, len);
}

/* Only a directory that is not there yet counts: for one that is, mkdir
 * says EEXIST whatever the disk's state. */
int __wrap_mkdir(const char *path, mode_t mode)
{
    struct stat st;
    if (stat(path, &st) != 0 && write_fails())
        return -1;
    return __real_mkdir(path, mode);
}

/* ---- the switch ------------------------------------------------------- */

static long env_number(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? atol(v) : 0;
}

static void in_child(void)
{
    off = 1;
}

static void report_counts(void)
{
    if (off || !count_path)
        return;
    FILE *f = __real_fopen(count_path, "w");
    if (!f)
        return;
    char line[128];
    snprintf(line, sizeof line, "allocs %ld writes %ld fired %ld\n", nalloc,
             nwrite, nfired);
    __real_fputs(line, f);
    fclose(f);
}

__attribute__((constructor)) static void fault_init(void)
{
    alloc_at = env_number("GAHPO_FAULT_ALLOC");
    write_at = env_number("GAHPO_FAULT_WRITE");
    persist = env_number("GAHPO_FAULT_PERSIST") != 0;
    trace = env_number("GAHPO_FAULT_TRACE") != 0;
    count_path = getenv("GAHPO_FAULT_COUNT");
    cJSON_Hooks hooks = { cjson_malloc, free };
    cJSON_InitHooks(&hooks);
    pthread_atfork(NULL, NULL, in_child);
    if (count_path && *count_path)
        atexit(report_counts);
}
