/* testutil.c - process and file helpers for the Check suites. */
#include "testutil.h"

#include <cJSON.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_rng.h>

#include "../ga/state.h"

const char *tu_gahpo(void)
{
    static char path[PATH_MAX];
    const char *b = getenv("GAHPO_BIN");
    if (b && *b)
        return b;
    snprintf(path, sizeof path, "%s/bin/gahpo", tu_root());
    return path;
}

const char *tu_model(void)
{
    static char path[PATH_MAX];
    if (!path[0])
        snprintf(path, sizeof path, "%s/tests/models/model.py", tu_root());
    return path;
}

void tu_argv_add(tu_argv *a, const char *first, ...)
{
    va_list ap;
    va_start(ap, first);
    for (const char *s = first; s; s = va_arg(ap, const char *)) {
        size_t len = strlen(s) + 1;
        ck_assert_msg(a->n + 1 < (int)(sizeof a->v / sizeof a->v[0]) &&
                      a->used + len <= sizeof a->text,
                      "command line longer than tu_argv holds");
        a->v[a->n++] = memcpy(a->text + a->used, s, len);
        a->used += len;
    }
    va_end(ap);
    a->v[a->n] = NULL;
}

const char *tu_root(void)
{
    static char root[PATH_MAX];
    if (root[0])
        return root;
    const char *r = getenv("GAHPO_ROOT");
    if (r && *r) {
        snprintf(root, sizeof root, "%s", r);
        return root;
    }
    if (!getcwd(root, sizeof root))
        snprintf(root, sizeof root, ".");
    return root;
}

int tu_quick(void)
{
    const char *q = getenv("GAHPO_TEST_QUICK");
    return q && *q && strcmp(q, "0") != 0;
}

int tu_unit_only(void)
{
    const char *u = getenv("GAHPO_TEST_UNIT");
    return u && *u && strcmp(u, "0") != 0;
}

static char *slurp_fd(int fd)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    lseek(fd, 0, SEEK_SET);
    for (;;) {
        if (n + 1 >= cap)
            buf = realloc(buf, cap *= 2);
        ssize_t r = read(fd, buf + n, cap - n - 1);
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    buf[n] = '\0';
    return buf;
}

int tu_run(char *const argv[], const char *in_text, char *const env[],
           char **out, char **err)
{
    char tin[] = "/tmp/gahpo-in-XXXXXX", tout[] = "/tmp/gahpo-out-XXXXXX",
         terr[] = "/tmp/gahpo-err-XXXXXX";
    int fin = mkstemp(tin), fout = mkstemp(tout), ferr = mkstemp(terr);
    unlink(tin);
    unlink(tout);
    unlink(terr);
    if (in_text && write(fin, in_text, strlen(in_text)) < 0)
        return -1;
    lseek(fin, 0, SEEK_SET);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fin, 0);
        dup2(fout, 1);
        dup2(ferr, 2);
        const char *path = getenv("PATH");
        const char *home = getenv("HOME");
        char *envp[64];
        int k = 0;
        static char p[8192], h[4096];
        snprintf(p, sizeof p, "PATH=%s", path ? path : "/usr/bin:/bin");
        snprintf(h, sizeof h, "HOME=%s", home ? home : "/tmp");
        envp[k++] = p;
        envp[k++] = h;
        /* where the command finds its data files, when the tests say */
        static char data[4200];
        const char *dd = getenv("GAHPO_DATA_DIR");
        if (dd && *dd) {
            snprintf(data, sizeof data, "GAHPO_DATA_DIR=%s", dd);
            envp[k++] = data;
        }
        for (int i = 0; env && env[i] && k < 62; i++)
            envp[k++] = env[i];
        envp[k] = NULL;
        execve(argv[0], argv, envp);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (out)
        *out = slurp_fd(fout);
    if (err)
        *err = slurp_fd(ferr);
    close(fin);
    close(fout);
    close(ferr);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

char *tu_tmpdir(const char *tag)
{
    char buf[PATH_MAX];
    const char *base = getenv("TMPDIR");
    snprintf(buf, sizeof buf, "%s/gahpo-test-%s-XXXXXX",
             base && *base ? base : "/tmp", tag);
    if (!mkdtemp(buf))
        return NULL;
    return strdup(buf);
}

static int rm_one(const char *path, const struct stat *sb, int flag,
                  struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void tu_rmrf(const char *path)
{
    if (path)
        nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

char *tu_read(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return NULL;
    char *s = slurp_fd(fd);
    close(fd);
    return s;
}

int tu_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

const char *tu_testdata(const char *dir)
{
    static char paths[8][PATH_MAX];
    static int n;
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s/../shared/testdata/%s", tu_root(), dir);
    struct stat st;
    if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
        return NULL;
    char *p = paths[n++ % 8];
    if (!realpath(buf, p))
        return NULL;
    return p;
}

void tu_scan_log(const char *dir, int *lines, int *failed,
                     const char *reason, int *with_reason)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/evals.jsonl", dir);
    char *log = tu_read(path);
    ck_assert_ptr_nonnull(log);
    *lines = *failed = *with_reason = 0;
    for (char *line = log; *line;) {
        char *nl = strchr(line, '\n');
        *nl = '\0';
        cJSON *o = cJSON_Parse(line);
        ck_assert_msg(o != NULL, "bad log line: %s", line);
        (*lines)++;
        if (cJSON_IsNull(cJSON_GetObjectItem(o, "fitness"))) {
            (*failed)++;
            const cJSON *r = cJSON_GetObjectItem(o, "reason");
            ck_assert(cJSON_IsString(r));
            if (reason && strstr(r->valuestring, reason))
                (*with_reason)++;
            else if (reason)
                fprintf(stderr, "reason: %s\n", r->valuestring);
        }
        cJSON_Delete(o);
        line = nl + 1;
    }
    free(log);
}

int tu_check_async_log(const char *dir, long budget)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/evals.jsonl", dir);
    char *log = tu_read(path);
    ck_assert_ptr_nonnull(log);
    char *seen = calloc((size_t)budget, 1);
    int ran = 0;
    for (char *line = log; *line;) {
        char *nl = strchr(line, '\n');
        ck_assert_msg(nl != NULL, "unfinished last line in %s", path);
        *nl = '\0';
        cJSON *o = cJSON_Parse(line);
        ck_assert_msg(o != NULL, "bad log line: %s", line);
        const cJSON *g = cJSON_GetObjectItem(o, "gen");
        const cJSON *i = cJSON_GetObjectItem(o, "ind");
        ck_assert(cJSON_IsNumber(g) && g->valuedouble == 0);
        ck_assert(cJSON_IsNumber(i));
        long k = (long)i->valuedouble;
        ck_assert_msg(k >= 0 && k < budget, "evaluation %ld outside 0..%ld", k,
                      budget - 1);
        ck_assert_msg(!seen[k], "evaluation %ld logged twice", k);
        seen[k] = 1;
        if (!cJSON_IsTrue(cJSON_GetObjectItem(o, "cached")))
            ran++;
        cJSON_Delete(o);
        line = nl + 1;
    }
    for (long k = 0; k < budget; k++)
        ck_assert_msg(seen[k], "evaluation %ld is missing from the log", k);
    free(seen);
    free(log);
    return ran;
}

int tu_count_calls(const char *dir)
{
    int n = 0;
    for (int k = 0; k < 100000; k++) {
        char path[4300];
        snprintf(path, sizeof path, "%s/gen_0/ind_%d", dir, k);
        if (access(path, F_OK) != 0)
            continue;
        snprintf(path, sizeof path, "%s/gen_0/ind_%d/calls.txt", dir, k);
        char *t = tu_read(path);
        for (char *p = t; p && *p; p++)
            n += *p == '\n';
        free(t);
    }
    return n;
}

void tu_sleep(double s)
{
    struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
    nanosleep(&ts, NULL);
}

char *tu_sh(const char *cmd)
{
    FILE *f = popen(cmd, "r");
    if (!f)
        return strdup("");
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t r;
    while ((r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (n + 1 >= cap)
            buf = realloc(buf, cap *= 2);
    }
    buf[n] = '\0';
    pclose(f);
    return buf;
}

pid_t tu_spawn_quiet(char *const argv[])
{
    pid_t pid = fork();
    if (pid == 0) {
        FILE *null = freopen("/dev/null", "w", stdout);
        (void)null;
        null = freopen("/dev/null", "w", stderr);
        (void)null;
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

int tu_count_lines(const char *path)
{
    char *t = tu_read(path);
    int n = 0;
    for (char *c = t; c && *c; c++)
        n += *c == '\n';
    free(t);
    return n;
}

int tu_count_of(const char *text, const char *what)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, what)); p += strlen(what))
        n++;
    return n;
}

void tu_assert_same_file(const char *a_dir, const char *b_dir,
                         const char *name)
{
    char p1[4200], p2[4200];
    snprintf(p1, sizeof p1, "%s/%s", a_dir, name);
    snprintf(p2, sizeof p2, "%s/%s", b_dir, name);
    char *a = tu_read(p1), *b = tu_read(p2);
    ck_assert_msg(a && b, "missing %s", name);
    ck_assert_msg(strcmp(a, b) == 0, "%s differs:\n%s\nvs\n%s", name, a, b);
    free(a);
    free(b);
}

int tu_slurm_up(void)
{
    static int up = -1;  /* asked once per process: sinfo is slow when down */
    if (up >= 0)
        return up;
    char *out = tu_sh("timeout 15 sinfo -h -o %T 2>/dev/null");
    /* a node that answers (no '*': slurmd not responding) and is usable */
    up = (strstr(out, "idle") || strstr(out, "mix") || strstr(out, "alloc")) &&
         !strchr(out, '*');
    free(out);
    if (!up) {
        fprintf(stderr, "SKIPPED: no Slurm running (scripts/slurm-start.sh "
                "starts one)\n");
        return up;
    }
    /* up, but can this process have a job run? (a controller whose node
     * daemon is gone, munge down, another cluster's configuration) */
    out = tu_sh("timeout 60 srun --quiet -N1 -n1 -t 1 /bin/echo gahpo-probe "
                "2>&1");
    up = strstr(out, "gahpo-probe") != NULL;
    if (!up)
        fprintf(stderr, "SKIPPED: a Slurm answers sinfo but does not run a "
                "probe job (srun said: %.200s)\n", out);
    free(out);
    return up;
}

int tu_slurm_tasks_left(const char *id, double within)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "squeue -h -r -j %s -o %%i 2>/dev/null | wc -l",
             id);
    int n = 0;
    for (double waited = 0;; waited += 0.2) {
        char *out = tu_sh(cmd);
        n = atoi(out);
        free(out);
        if (n == 0 || waited >= within)
            return n;
        tu_sleep(0.2);
    }
}

/* ---- comparing two runs ---------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted log lines without wall_time / job_id: what was evaluated. */
static char **log_entries(const char *dir, size_t *n)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/evals.jsonl", dir);
    char *log = tu_read(path);
    ck_assert_ptr_nonnull(log);
    size_t cap = 1024;
    char **out = malloc(cap * sizeof *out);
    *n = 0;
    for (char *line = log; *line;) {
        char *nl = strchr(line, '\n');
        ck_assert_msg(nl != NULL, "unfinished last line in %s", path);
        *nl = '\0';
        cJSON *o = cJSON_Parse(line);
        ck_assert_msg(o != NULL, "bad line: %s", line);
        cJSON_DeleteItemFromObject(o, "wall_time");
        cJSON_DeleteItemFromObject(o, "job_id");
        cJSON_DeleteItemFromObject(o, "run");  /* the directory name */
        if (*n == cap)
            out = realloc(out, (cap *= 2) * sizeof *out);
        out[(*n)++] = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
        line = nl + 1;
    }
    free(log);
    qsort(out, *n, sizeof *out, cmp_str);
    return out;
}

void tu_assert_same_run(const char *ref, const char *got)
{
    const char *files[] = { "stats.csv", "best.json", "population.json" };
    for (int i = 0; i < 3; i++) {
        char p1[4200], p2[4200];
        snprintf(p1, sizeof p1, "%s/%s", ref, files[i]);
        snprintf(p2, sizeof p2, "%s/%s", got, files[i]);
        char *a = tu_read(p1), *b = tu_read(p2);
        ck_assert_msg(a && b, "missing %s", files[i]);
        ck_assert_msg(strcmp(a, b) == 0, "%s differs after resume", files[i]);
        free(a);
        free(b);
    }
    size_t na, nb;
    char **a = log_entries(ref, &na), **b = log_entries(got, &nb);
    ck_assert_msg(na == nb, "%zu evaluations logged, expected %zu", nb, na);
    for (size_t i = 0; i < na; i++) {
        ck_assert_msg(strcmp(a[i], b[i]) == 0, "log entry differs: %s vs %s",
                      a[i], b[i]);
        if (i > 0)  /* no evaluation twice */
            ck_assert_str_ne(b[i], b[i - 1]);
    }
    for (size_t i = 0; i < na; i++) {
        free(a[i]);
        free(b[i]);
    }
    free(a);
    free(b);
}

double tu_sphere(const double *x, size_t d)
{
    double s = 0;
    for (size_t i = 0; i < d; i++)
        s += x[i] * x[i];
    return s;
}

ga_settings tu_small_settings(void)
{
    ga_settings s;
    ga_settings_defaults(&s);
    s.population_size = 20;
    s.num_iter = 15;
    s.seed = 42;
    return s;
}

void tu_legacy_rng(cJSON *obj, unsigned long seed, int wide, int mti)
{
    gsl_rng *mt = gsl_rng_alloc(gsl_rng_mt19937);
    ck_assert_ptr_nonnull(mt);
    gsl_rng_set(mt, seed);
    unsigned char *raw = gsl_rng_state(mt);
    if (wide >= 0)  /* the upper half of a word (little-endian) */
        raw[(size_t)wide * sizeof(unsigned long) + 4] = 1;
    if (mti >= 0)
        memcpy(raw + 624 * sizeof(unsigned long), &mti, sizeof mti);
    cJSON_DeleteItemFromObject(obj, "rng");
    cJSON_DeleteItemFromObject(obj, "rng_type");
    ga_state_save_rng(obj, mt);
    gsl_rng_free(mt);
}
