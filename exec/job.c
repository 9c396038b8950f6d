/* job.c - one job (job.h): its inputs (params.json and its command
 * line), the child that becomes it, the TERM-then-KILL policy that ends
 * it, running it to its end, and the result file it leaves. The local
 * executor and the task side of the Slurm and PBS arrays both stand on
 * it. */
#include "job.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>

#include "exec.h"
#include "../ga/util.h"

/* ---- the model's inputs ------------------------------------------------ */

int ga_job_write_params(const ga_space *space, const double *genes,
                        const char *dir, ga_error *err)
{
    ga_json_oom_clear();
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return ga_error_set(err, GA_EFAIL, "out of memory");
    for (size_t i = 0; i < space->n; i++)
        cJSON_AddItemToObject(o, space->params[i].name,
                              ga_param_gene_to_json(&space->params[i], genes[i]));
    char path[GA_PATH_MAX];
    if (ga_path(path, sizeof path, err, "%s/params.json", dir)) {
        cJSON_Delete(o);
        return err->status;
    }
    int rc = ga_write_json_built(path, o, err);
    cJSON_Delete(o);
    return rc;
}

void ga_job_argv_free(char **argv)
{
    if (!argv)
        return;
    for (size_t i = 0; argv[i]; i++)
        free(argv[i]);
    free(argv);
}

char **ga_job_argv(char *const *cmd, size_t argc, const ga_space *space,
                   const double *genes, int param_flags)
{
    size_t extra = param_flags ? 2 * space->n : 0;
    char **argv = calloc(argc + extra + 1, sizeof *argv);
    char *val = malloc(GA_JOB_VALUE_MAX);
    int ok = argv && val;
    size_t a = 0;
    for (size_t i = 0; ok && i < argc; i++)
        ok = (argv[a++] = strdup(cmd[i])) != NULL;
    for (size_t i = 0; ok && param_flags && i < space->n; i++) {
        const ga_param *p = &space->params[i];
        size_t nlen = strlen(p->name) + 3;
        ok = ga_param_gene_format(p, genes[i], val, GA_JOB_VALUE_MAX) == 0 &&
             (argv[a++] = malloc(nlen)) != NULL &&
             (argv[a++] = strdup(val)) != NULL;
        if (ok)
            snprintf(argv[a - 2], nlen, "--%s", p->name);
    }
    free(val);
    if (!ok) {
        ga_job_argv_free(argv);
        return NULL;
    }
    return argv;
}

/* ---- the child --------------------------------------------------------- */

void ga_job_child(const char *dir, size_t index, char **argv)
{
    /* the driver's handlers first: until here one would run in the child
     * (Check's, for one, kills its test's process group); a signal the
     * caller kept blocked over the fork (ga_job_run) now ends the job */
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    sigset_t ends;
    sigemptyset(&ends);
    sigaddset(&ends, SIGINT);
    sigaddset(&ends, SIGTERM);
    sigprocmask(SIG_UNBLOCK, &ends, NULL);
    setpgid(0, 0);
    /* marks the model and everything it starts, so all of it can be ended
     * with the job (end_descendants) */
    setenv("GAHPO_JOB", dir, 1);
    char digits[32], *d = digits + sizeof digits - 1;
    *d = '\0';
    do  /* by hand: snprintf is not async-signal-safe */
        *--d = (char)('0' + index % 10);
    while (index /= 10);
    setenv("GAHPO_JOB_INDEX", d, 1);
    if (chdir(dir) != 0)
        _exit(127);
    int in = open("/dev/null", O_RDONLY);
    int out = open("stdout.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int er = open("stderr.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0 || er < 0)
        _exit(127);
    dup2(in, 0);
    dup2(out, 1);
    dup2(er, 2);
    execvp(argv[0], argv);
    const char *msg = "gahpo: cannot execute the model command: ";
    (void)!write(2, msg, strlen(msg));
    (void)!write(2, argv[0], strlen(argv[0]));
    (void)!write(2, "\n", 1);
    _exit(127);
}

/* ---- ending it --------------------------------------------------------- */

int ga_job_end_step(pid_t pgid, int ending, double now, ga_job_term *t)
{
    if (!t->sent && ending) {
        killpg(pgid, SIGTERM);
        t->sent = 1;
        t->time = now;
        return 1;
    }
    if (t->sent && now - t->time > GA_JOB_KILL_GRACE)
        killpg(pgid, SIGKILL);
    return 0;
}

/* ---- running one to its end -------------------------------------------- */

static void nap(double s)
{
    struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
    nanosleep(&ts, NULL);  /* a signal cuts it short: the loop re-checks */
}

/* Wait for the job pid; on its timeout or *stop, end its group. */
static void wait_job(pid_t pid, double timeout, volatile sig_atomic_t *stop,
                     ga_job_outcome *out)
{
    double start = ga_now();
    ga_job_term term = { 0 };
    int status = 0;
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid)
            break;
        if (w < 0 && errno != EINTR) {  /* no status to go by */
            snprintf(out->error, sizeof out->error, "waitpid: %s",
                     strerror(errno));
            break;
        }
        double now = ga_now();
        int stopping = stop && *stop;
        if (ga_job_end_step(pid, stopping || (timeout > 0 &&
                                              now - start > timeout),
                            now, &term)) {
            out->stopped = stopping;
            out->timed_out = !stopping;
        }
        nap(0.01);
    }
    killpg(pid, SIGKILL);  /* what the job left in its group */
    if (stop && *stop)
        out->stopped = 1;
    if (out->error[0])
        return;
    out->exited = WIFEXITED(status);
    out->exit_code = out->exited ? WEXITSTATUS(status) : 0;
    out->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

void ga_job_run(const char *dir, size_t index, char **argv, double timeout,
                volatile sig_atomic_t *stop, ga_job_outcome *out)
{
    memset(out, 0, sizeof *out);
    /* INT and TERM wait over the fork: the child takes them only once its
     * own handlers are the defaults (child) */
    sigset_t ends, before;
    sigemptyset(&ends);
    sigaddset(&ends, SIGINT);
    sigaddset(&ends, SIGTERM);
    sigprocmask(SIG_BLOCK, &ends, &before);
    double start = ga_now();
    pid_t pid = fork();
    if (pid == 0)
        ga_job_child(dir, index, argv);
    int fork_errno = errno;
    sigprocmask(SIG_SETMASK, &before, NULL);
    if (pid < 0) {
        snprintf(out->error, sizeof out->error, "%s", strerror(fork_errno));
    } else {
        setpgid(pid, pid);  /* also here, so killpg works at once */
        out->started = 1;
        wait_job(pid, timeout, stop, out);
    }
    out->wall_time = ga_now() - start;
}

/* ---- the result file ------------------------------------------------
 * Written by a model we do not control: read it as untrusted input. It is
 * opened without blocking and only a regular file of a bounded size is read,
 * so a FIFO, a link to /dev/zero or a runaway log fails the evaluation with
 * the reason instead of hanging the driver or taking its memory. Its text
 * is one number or one JSON object, nothing else. */

static const char *skip_blanks(const char *t)
{
    while (*t == ' ' || *t == '\t' || *t == '\r' || *t == '\n')
        t++;
    return t;
}

/* One plain number as print() or printf writes it, blanks around it:
 * decimal, nan, inf and Python's NaN/Infinity (strtod's forms), not hex.
 * 0 with *out; -1 if there is no number at t; else the offset of the first
 * character after the number that is not a blank. */
static long plain_number(const char *t, double *out)
{
    const char *digits = t + (*t == '+' || *t == '-');
    if (digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X'))
        return digits + 1 - t;  /* 0, then other text */
    char *end;
    double v = strtod(t, &end);  /* an overflow is infinite, as written */
    if (end == t)
        return -1;
    const char *after = skip_blanks(end);
    if (*after)
        return after - t;
    *out = v;
    return 0;
}

/* A character of the model's text for a message: itself if printable. */
static void describe_char(char c, char *buf, size_t size)
{
    if (c > ' ' && c < 127 && c != '\'')
        snprintf(buf, size, "'%c'", c);
    else
        snprintf(buf, size, "byte 0x%02x", (unsigned char)c);
}

/* Python's json module writes NaN, Infinity and -Infinity, which are not
 * JSON: rewritten outside strings as null (a failed evaluation) and 1e999
 * (an overflow, infinite). Caller frees; NULL when out of memory. */
static char *python_json_to_json(const char *text)
{
    char *fixed = malloc(2 * strlen(text) + 1);
    if (!fixed)
        return NULL;
    size_t n = 0;
    for (const char *c = text; *c; c++) {
        if (*c == '"') {  /* copy a string whole, escapes included */
            fixed[n++] = *c++;
            while (*c && *c != '"') {
                if (*c == '\\' && c[1])
                    fixed[n++] = *c++;
                fixed[n++] = *c++;
            }
            if (!*c)
                break;
            fixed[n++] = *c;
        } else if (strncmp(c, "NaN", 3) == 0) {
            memcpy(fixed + n, "null", 4);
            n += 4;
            c += 2;
        } else if (strncmp(c, "Infinity", 8) == 0) {
            memcpy(fixed + n, "1e999", 5);
            n += 5;
            c += 7;
        } else {
            fixed[n++] = *c;
        }
    }
    fixed[n] = '\0';
    return fixed;
}

static int compare_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* GA_OK if no key of object o appears twice (Python's json would keep the
 * last, cJSON finds the first); else GA_EINPUT naming the key. Sorted, so a
 * file of many keys costs n log n. */
static int no_duplicate_keys(const cJSON *o, ga_error *err)
{
    size_t n = (size_t)cJSON_GetArraySize(o), i = 0;
    if (n < 2)
        return GA_OK;
    const char **keys = malloc(n * sizeof *keys);
    if (!keys)
        return ga_error_set(err, GA_EFAIL, "out of memory");
    const cJSON *kv;
    cJSON_ArrayForEach(kv, o) keys[i++] = kv->string;
    qsort(keys, n, sizeof *keys, compare_keys);
    int rc = GA_OK;
    for (i = 1; i < n && rc == GA_OK; i++)
        if (strcmp(keys[i - 1], keys[i]) == 0)
            rc = ga_error_set(err, GA_EINPUT, "duplicate key '%.100s' (Python's "
                              "json would take the last, so which one counts "
                              "is unclear)", keys[i]);
    free(keys);
    return rc;
}

static const char *json_kind(const cJSON *v)
{
    return cJSON_IsArray(v) ? "a list" : cJSON_IsBool(v) ? "a boolean"
           : cJSON_IsString(v) ? "a string" : "something else";
}

/* The objective in a parsed JSON value: a number, null (NaN), a string
 * holding one number, or the key's value in an object. */
static int json_objective(const cJSON *root, const char *key, double *value,
                          ga_error *err)
{
    const cJSON *item = root;
    if (cJSON_IsObject(root)) {
        if (no_duplicate_keys(root, err) != GA_OK)
            return err->status;
        item = cJSON_GetObjectItemCaseSensitive(root, key);
        if (!item)
            return ga_error_set(err, GA_EINPUT, "JSON object has no key '%s'",
                                key);
    } else if (!cJSON_IsNumber(root) && !cJSON_IsNull(root)) {
        return ga_error_set(err, GA_EINPUT, "expected a number or a JSON "
                            "object, got %s", json_kind(root));
    }
    if (cJSON_IsNumber(item))
        *value = item->valuedouble;
    else if (cJSON_IsNull(item))
        *value = NAN;
    else if (!cJSON_IsString(item) ||
             plain_number(skip_blanks(item->valuestring), value) != 0)
        return ga_error_set(err, GA_EINPUT, "'%s' is not a number", key);
    return GA_OK;
}

int ga_parse_result(const char *text, const char *key, double *value,
                    ga_error *err)
{
    const char *t = skip_blanks(text);
    if (!*t)
        return ga_error_set(err, GA_EINPUT, "the file is empty");
    long after = plain_number(t, value);
    if (after == 0)
        return GA_OK;
    if (after > 0) {
        char c[16];
        describe_char(t[after], c, sizeof c);
        return ga_error_set(err, GA_EINPUT, "a number followed by other text "
                            "(%s at byte %ld); write one number or one JSON "
                            "object", c, (long)(t - text) + after);
    }
    char *fixed = python_json_to_json(t);
    if (!fixed)
        return ga_error_set(err, GA_EFAIL, "out of memory");
    const char *end = NULL;
    ga_json_oom_clear();
    cJSON *root = cJSON_ParseWithOpts(fixed, &end, 1);
    int rc;
    ga_json_flaw flaw;
    if (!root && ga_json_oom()) {
        rc = ga_error_set(err, GA_EFAIL, "out of memory");
    } else if (!root) {
        cJSON *prefix = cJSON_ParseWithOpts(fixed, NULL, 0);
        rc = ga_error_set(err, GA_EINPUT, prefix ? "one JSON value followed by "
                          "other text; write one number or one JSON object"
                          : "not a number and not JSON");
        cJSON_Delete(prefix);
    } else if (ga_json_bad_string(fixed, GA_JSON_NUL, &flaw)) {
        rc = ga_error_set(err, GA_EINPUT, "a string %s", flaw.what);
    } else {
        rc = json_objective(root, key, value, err);
    }
    cJSON_Delete(root);
    free(fixed);
    return rc;
}

/* The text of dir/file and its length, or NULL with the reason in
 * r->reason (a name the system would refuse: ga_path's message, errno
 * ENAMETOOLONG). */
static char *read_result_text(const char *dir, const char *file, size_t *len,
                              ga_result *r)
{
    /* at most PATH_MAX: a longer name the system refuses, in a reason the
     * path would fill before saying why */
    char path[PATH_MAX];
    ga_error e;
    if (ga_path(path, sizeof path, &e, "%s/%s", dir, file)) {
        snprintf(r->reason, sizeof r->reason, "%.400s", e.msg);
        errno = ENAMETOOLONG;
        return NULL;
    }
    char *text = ga_read_regular(path, file, GA_RESULT_MAX_BYTES, len, &e);
    if (!text && errno == ENOENT)
        snprintf(r->reason, sizeof r->reason, "no result file %.300s", file);
    else if (!text)
        snprintf(r->reason, sizeof r->reason, "%.400s", e.msg);
    return text;
}

int ga_exec_read_result(const char *dir, const char *file, const char *key,
                        ga_result *r)
{
    size_t len;
    char *text = read_result_text(dir, file, &len, r);
    if (!text)
        return errno == ENOMEM ? GA_EFAIL : GA_OK;
    double v;
    ga_error e;
    int rc = GA_OK;
    if (strlen(text) != len)  /* the text would end there unseen */
        snprintf(r->reason, sizeof r->reason, "%.100s: a NUL byte at byte %zu; "
                 "write one number or one JSON object as text", file,
                 strlen(text));
    else if ((rc = ga_parse_result(text, key, &v, &e)) != GA_OK)
        snprintf(r->reason, sizeof r->reason, "%.100s: %s%.300s", file,
                 rc == GA_EFAIL ? "" : "cannot parse: ", e.msg);
    else if (isnan(v) || isinf(v))
        snprintf(r->reason, sizeof r->reason, "%.100s: the objective is %s",
                 file, isnan(v) ? "NaN" : "infinite");
    else
        r->fitness = v;
    free(text);
    return rc == GA_EFAIL ? GA_EFAIL : GA_OK;
}

