/* exec_slurm.c - the Slurm executor: one job array per generation.
 *
 * The driver writes each individual's job directory DIR/gen_G/ind_I
 * (params.json, and task.json holding the model's whole argv), a tasks file
 * mapping array index -> individual, and a batch script whose only shell
 * expansion is "$SLURM_ARRAY_TASK_ID": every task execs
 * `gahpo _task TASKS_FILE ID`, which runs the model with execvp exactly as
 * the local executor does and writes status.json. Hyperparameter values
 * never pass through a shell. Results come back from the status files, with
 * squeue and scontrol for tasks that died without one. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "executor.h"
#include "util.h"

#define KILL_GRACE 2.0       /* SIGTERM -> SIGKILL inside a task */
#define POLL_FILES 0.25      /* status files are checked this often (per
                              * 100 tasks) */
#define POLL_QUEUE_MIN 1.0   /* first pause between squeue calls */
#define POLL_MAX_DEFAULT 10.0
#define FS_GRACE 5.0         /* a shared file system may show a file late */
#define SCHED_GIVE_UP 600.0  /* squeue failing this long stops the run */
#define CMD_TIMEOUT 120.0    /* one sbatch/squeue/scontrol/scancel call */
#define SBATCH_TRIES 5

/* ---- small strings -------------------------------------------------- */

typedef struct sbuf {
    char *p;
    size_t len, cap;
    int oom;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void sb_printf(sbuf *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p ? b->p + b->len : NULL,
                          b->p ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = 1;
            return;
        }
        if (b->p && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = (b->cap ? b->cap : 256) * 2 + (size_t)n;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
}

char *ga_slurm_quote(const char *s)
{
    sbuf b = { 0 };
    sb_printf(&b, "'");
    for (const char *c = s; *c; c++) {
        if (*c == '\'')
            sb_printf(&b, "'\\''");
        else
            sb_printf(&b, "%c", *c);
    }
    sb_printf(&b, "'");
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

/* ---- settings --------------------------------------------------------- */

enum kind { K_STR, K_COUNT, K_COUNT0, K_SECONDS, K_LIST };
typedef int (*check_fn)(const char *what, const char *v, ga_error *err);

static int check_word(const char *what, const char *v, ga_error *err)
{
    if (!*v)
        return ga_error_set(err, GA_EINPUT, "%s must not be empty", what);
    for (const char *c = v; *c; c++)
        if ((unsigned char)*c <= ' ' || *c == '"' || *c == '\'' ||
            *c == '\\' || *c == '#' || *c == 127)
            return ga_error_set(err, GA_EINPUT, "%s \"%s\": blanks, quotes, "
                                "backslashes and # are not allowed", what, v);
    return GA_OK;
}

static int check_time(const char *what, const char *v, ga_error *err)
{
    if (!strcmp(v, "UNLIMITED") || !strcmp(v, "INFINITE"))
        return GA_OK;
    int digits = 0;
    for (const char *c = v; *c; c++) {
        if (*c >= '0' && *c <= '9')
            digits++;
        else if (*c != ':' && *c != '-')
            digits = -1000;
    }
    if (digits <= 0)
        return ga_error_set(err, GA_EINPUT, "%s \"%s\": expected a Slurm time "
                            "limit such as 30, 1:30:00 or 2-00:00:00", what, v);
    return GA_OK;
}

static int check_mem(const char *what, const char *v, ga_error *err)
{
    const char *c = v;
    while (*c >= '0' && *c <= '9')
        c++;
    if (c == v || (*c && (strchr("KMGT", *c) == NULL || c[1])))
        return ga_error_set(err, GA_EINPUT, "%s \"%s\": expected megabytes or "
                            "a number with K, M, G or T", what, v);
    return GA_OK;
}

static int check_line(const char *what, const char *v, ga_error *err)
{
    if (strchr(v, '\n') || strchr(v, '\r'))
        return ga_error_set(err, GA_EINPUT, "%s: one line only, got \"%s\"",
                            what, v);
    return GA_OK;
}

static int check_shell(const char *what, const char *v, ga_error *err)
{
    if (v[0] != '/')
        return ga_error_set(err, GA_EINPUT, "%s \"%s\": an absolute path such "
                            "as /bin/bash", what, v);
    return check_line(what, v, err);
}

typedef struct opt_def {
    const char *flag;      /* command line */
    const char *key;       /* site profile and run.json */
    enum kind kind;
    size_t off;
    check_fn check;
} opt_def;

#define OFF(f) offsetof(ga_slurm_settings, f)
static const opt_def opts[] = {
    { "--partition", "partition", K_STR, OFF(partition), check_word },
    { "--account", "account", K_STR, OFF(account), check_word },
    { "--time", "time", K_STR, OFF(time), check_time },
    { "--mem", "mem", K_STR, OFF(mem), check_mem },
    { "--job-name", "job_name", K_STR, OFF(job_name), check_word },
    { "--slurm-shell", "shell", K_STR, OFF(shell), check_shell },
    { "--nodes", "nodes", K_COUNT, OFF(nodes), NULL },
    { "--ntasks", "ntasks", K_COUNT, OFF(ntasks), NULL },
    { "--ntasks-per-node", "ntasks_per_node", K_COUNT, OFF(ntasks_per_node),
      NULL },
    { "--cpus-per-task", "cpus_per_task", K_COUNT, OFF(cpus_per_task), NULL },
    { "--gpus-per-task", "gpus_per_task", K_COUNT, OFF(gpus_per_task), NULL },
    { "--max-concurrent", "max_concurrent", K_COUNT, OFF(max_concurrent),
      NULL },
    { "--retries", "retries", K_COUNT0, OFF(retries), NULL },
    { "--poll-max", "poll_max", K_SECONDS, OFF(poll_max), NULL },
    { "--sbatch-extra", "sbatch_extra", K_LIST, OFF(sbatch_extra), check_line },
    { "--slurm-setup", "setup", K_LIST, OFF(setup), check_line },
};
#define NOPTS (sizeof opts / sizeof opts[0])

static char **field_str(ga_slurm_settings *s, const opt_def *d)
{
    return (char **)((char *)s + d->off);
}
static long *field_long(ga_slurm_settings *s, const opt_def *d)
{
    return (long *)((char *)s + d->off);
}
static double *field_double(ga_slurm_settings *s, const opt_def *d)
{
    return (double *)((char *)s + d->off);
}
/* a list field is followed by its count */
static char ***field_list(ga_slurm_settings *s, const opt_def *d)
{
    return (char ***)((char *)s + d->off);
}
static size_t *field_count(ga_slurm_settings *s, const opt_def *d)
{
    return (size_t *)((char *)s + d->off + sizeof(char **));
}

ga_slurm_settings *ga_slurm_settings_alloc(void)
{
    ga_slurm_settings *s = calloc(1, sizeof *s);
    if (s)
        s->retries = -1;
    return s;
}

void ga_slurm_settings_free(ga_slurm_settings *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < NOPTS; i++) {
        if (opts[i].kind == K_STR)
            free(*field_str(s, &opts[i]));
        if (opts[i].kind == K_LIST) {
            char **l = *field_list(s, &opts[i]);
            for (size_t j = 0; j < *field_count(s, &opts[i]); j++)
                free(l[j]);
            free(l);
        }
    }
    free(s->site);
    free(s);
}

int ga_slurm_option_known(const char *opt)
{
    for (size_t i = 0; i < NOPTS; i++)
        if (!strcmp(opt, opts[i].flag))
            return 1;
    return !strcmp(opt, "--site") || !strcmp(opt, "--executor");
}

static int list_add(ga_slurm_settings *s, const opt_def *d, const char *v,
                    int front, ga_error *err)
{
    char ***l = field_list(s, d);
    size_t *n = field_count(s, d);
    char **grown = realloc(*l, (*n + 1) * sizeof *grown);
    char *copy = ga_strdup(v);
    if (!grown || !copy) {
        if (grown)
            *l = grown;
        free(copy);
        return ga_error_set(err, GA_EFAIL, "out of memory");
    }
    *l = grown;
    if (front) {
        memmove(grown + 1, grown, *n * sizeof *grown);
        grown[0] = copy;
    } else {
        grown[*n] = copy;
    }
    (*n)++;
    return GA_OK;
}

/* Set d from text; only_unset leaves a value already there. */
static int set_value(ga_slurm_settings *s, const opt_def *d, const char *v,
                     int only_unset, const char *what, ga_error *err)
{
    if (d->check && d->check(what, v, err))
        return GA_EINPUT;
    switch (d->kind) {
    case K_STR: {
        char **f = field_str(s, d);
        if (only_unset && *f)
            return GA_OK;
        char *copy = ga_strdup(v);
        if (!copy)
            return ga_error_set(err, GA_EFAIL, "out of memory");
        free(*f);
        *f = copy;
        return GA_OK;
    }
    case K_COUNT:
    case K_COUNT0: {
        long x, *f = field_long(s, d);
        long lo = d->kind == K_COUNT ? 1 : 0;
        if (ga_parse_long(v, &x) != 0 || x < lo)
            return ga_error_set(err, GA_EINPUT, "%s must be an integer >= %ld, "
                                "got \"%s\"", what, lo, v);
        if (!only_unset || *f == (d->kind == K_COUNT ? 0 : -1))
            *f = x;
        return GA_OK;
    }
    case K_SECONDS: {
        double x, *f = field_double(s, d);
        if (ga_parse_double(v, &x) != 0 || x <= 0)
            return ga_error_set(err, GA_EINPUT, "%s must be seconds > 0, got "
                                "\"%s\"", what, v);
        if (!only_unset || *f == 0)
            *f = x;
        return GA_OK;
    }
    case K_LIST:
        return list_add(s, d, v, only_unset, err);
    }
    return GA_OK;
}

int ga_slurm_settings_set(ga_slurm_settings *s, const char *opt,
                          const char *value, ga_error *err)
{
    for (size_t i = 0; i < NOPTS; i++)
        if (!strcmp(opt, opts[i].flag))
            return set_value(s, &opts[i], value, 0, opt, err);
    return ga_error_set(err, GA_EINPUT, "unknown Slurm option %s", opt);
}

static const opt_def *find_key(const char *key)
{
    for (size_t i = 0; i < NOPTS; i++)
        if (!strcmp(key, opts[i].key))
            return &opts[i];
    return NULL;
}

int ga_slurm_settings_apply_json(ga_slurm_settings *s, const cJSON *o,
                                 const char *what, ga_error *err)
{
    if (!cJSON_IsObject(o))
        return ga_error_set(err, GA_EINPUT, "%s: expected a JSON object", what);
    const cJSON *sch = cJSON_GetObjectItemCaseSensitive(o, "scheduler");
    if (sch && !(cJSON_IsString(sch) && !strcmp(sch->valuestring, "slurm")))
        return ga_error_set(err, GA_EINPUT, "%s: \"scheduler\" is %s; this is "
                            "the Slurm executor", what, cJSON_IsString(sch) ?
                            sch->valuestring : "not a string");
    /* lists are prepended in reverse, so they keep their order */
    for (const cJSON *it = o->child ? o->child->prev : NULL; it;
         it = it == o->child ? NULL : it->prev) {
        const char *k = it->string;
        if (!strcmp(k, "scheduler") || !strcmp(k, "comment") ||
            !strcmp(k, "description") || !strcmp(k, "name") || k[0] == '_')
            continue;
        char where[512];
        snprintf(where, sizeof where, "%.300s: \"%.100s\"", what, k);
        if (!strcmp(k, "site")) {
            if (cJSON_IsString(it) && !s->site && !(s->site = ga_strdup(
                    it->valuestring)))
                return ga_error_set(err, GA_EFAIL, "out of memory");
            continue;
        }
        const opt_def *d = find_key(k);
        if (!d)
            return ga_error_set(err, GA_EINPUT, "%s is not a Slurm setting "
                                "(see docs/CLUSTERS.md)", where);
        if (d->kind == K_LIST) {
            if (!cJSON_IsArray(it))
                return ga_error_set(err, GA_EINPUT, "%s: expected a list of "
                                    "strings", where);
            for (const cJSON *e = it->child ? it->child->prev : NULL; e;
                 e = e == it->child ? NULL : e->prev) {
                if (!cJSON_IsString(e))
                    return ga_error_set(err, GA_EINPUT, "%s: expected a list "
                                        "of strings", where);
                if (set_value(s, d, e->valuestring, 1, where, err))
                    return err->status;
            }
            continue;
        }
        char num[64];
        const char *v = NULL;
        if (cJSON_IsString(it))
            v = it->valuestring;
        else if (cJSON_IsNumber(it) && d->kind != K_STR) {
            ga_format_double(it->valuedouble, num, sizeof num);
            v = num;
        } else if (cJSON_IsNumber(it) && d->off == OFF(mem)) {
            snprintf(num, sizeof num, "%.0f", it->valuedouble);
            v = num;
        }
        if (!v)
            return ga_error_set(err, GA_EINPUT, "%s: expected %s", where,
                                d->kind == K_STR ? "a string" : "a number");
        if (set_value(s, d, v, 1, where, err))
            return err->status;
    }
    return GA_OK;
}

cJSON *ga_slurm_settings_to_json(const ga_slurm_settings *cs)
{
    ga_slurm_settings *s = (ga_slurm_settings *)cs;  /* read only */
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "scheduler", "slurm");
    for (size_t i = 0; i < NOPTS; i++) {
        const opt_def *d = &opts[i];
        if (d->kind == K_STR && *field_str(s, d))
            cJSON_AddStringToObject(o, d->key, *field_str(s, d));
        else if ((d->kind == K_COUNT && *field_long(s, d) > 0) ||
                 (d->kind == K_COUNT0 && *field_long(s, d) >= 0))
            cJSON_AddNumberToObject(o, d->key, (double)*field_long(s, d));
        else if (d->kind == K_SECONDS && *field_double(s, d) > 0)
            cJSON_AddNumberToObject(o, d->key, *field_double(s, d));
        else if (d->kind == K_LIST && *field_count(s, d)) {
            cJSON *a = cJSON_AddArrayToObject(o, d->key);
            for (size_t j = 0; j < *field_count(s, d); j++)
                cJSON_AddItemToArray(a, cJSON_CreateString(
                                            (*field_list(s, d))[j]));
        }
    }
    if (s->site)
        cJSON_AddStringToObject(o, "site", s->site);
    return o;
}

/* CANDLE's cfg-sys names, as its workflows read them. */
static const struct {
    const char *var, *key;
} env_map[] = {
    { "WALLTIME", "time" }, { "QUEUE", "partition" }, { "PROJECT", "account" },
    { "PPN", "ntasks_per_node" }, { "PROCS", "max_concurrent" },
};

static int apply_site(ga_slurm_settings *s, const char *site, ga_error *err)
{
    char path[PATH_MAX];
    if (!strchr(site, '/') && !strstr(site, ".json")) {
        char rel[512];
        snprintf(rel, sizeof rel, "sites/%.400s.json", site);
        if (ga_data_path(rel, path, sizeof path, err))
            return GA_EINPUT;
    } else {
        snprintf(path, sizeof path, "%s", site);
    }
    char *text = ga_read_file(path, NULL, err);
    if (!text)
        return GA_EINPUT;
    cJSON *o = cJSON_Parse(text);
    free(text);
    if (!o)
        return ga_error_set(err, GA_EINPUT, "%s: invalid JSON", path);
    int rc = ga_slurm_settings_apply_json(s, o, path, err);
    cJSON_Delete(o);
    char abs[PATH_MAX];
    if (rc == GA_OK && !s->site &&
        !(s->site = ga_strdup(realpath(path, abs) ? abs : path)))
        rc = ga_error_set(err, GA_EFAIL, "out of memory");
    return rc;
}

int ga_slurm_settings_resolve(ga_slurm_settings *s, const char *site,
                              const char *(*env)(void *ctx, const char *name),
                              void *env_ctx, ga_error *err)
{
    for (size_t i = 0; env && i < sizeof env_map / sizeof env_map[0]; i++) {
        const char *v = env(env_ctx, env_map[i].var);
        if (!v || !*v)
            continue;
        char what[64];
        snprintf(what, sizeof what, "$%s", env_map[i].var);
        if (set_value(s, find_key(env_map[i].key), v, 1, what, err))
            return err->status;
    }
    if (site && *site && apply_site(s, site, err))
        return err->status;
    if (s->retries < 0)
        s->retries = 0;
    return GA_OK;
}

/* ---- the batch script -------------------------------------------------- */

char *ga_slurm_script(const ga_slurm_settings *cs,
                      const ga_slurm_script_info *info, ga_error *err)
{
    ga_slurm_settings *s = (ga_slurm_settings *)cs;
    if (info->ntasks < 1) {
        ga_error_set(err, GA_EINPUT, "a job array needs at least one task");
        return NULL;
    }
    if (check_word("job name", info->job_name, err))
        return NULL;
    sbuf b = { 0 };
    sb_printf(&b, "#!%s\n", s->shell ? s->shell : "/bin/bash");
    sb_printf(&b, "#SBATCH --job-name=%s\n", info->job_name);
    sb_printf(&b, "#SBATCH --array=0-%zu%%%ld\n", info->ntasks - 1,
              info->max_concurrent > 0 ? info->max_concurrent : 1);
    sb_printf(&b, "#SBATCH --output=slurm-%%A_%%a.out\n");
    for (size_t i = 0; i < NOPTS; i++) {
        const opt_def *d = &opts[i];
        if (d->off == OFF(job_name) || d->off == OFF(shell))
            continue;
        if (d->kind == K_STR && *field_str(s, d))
            sb_printf(&b, "#SBATCH %s=%s\n", d->flag, *field_str(s, d));
        else if (d->kind == K_COUNT && d->off != OFF(max_concurrent) &&
                 *field_long(s, d) > 0)
            sb_printf(&b, "#SBATCH %s=%ld\n", d->flag, *field_long(s, d));
    }
    for (size_t i = 0; i < s->nsbatch_extra; i++)
        sb_printf(&b, "#SBATCH %s\n", s->sbatch_extra[i]);
    sb_printf(&b, "# gahpo: array task i runs the individual on line i+1 of "
              "the tasks file;\n# its command line is in ind_I/task.json. "
              "Nothing below expands a value.\n");
    for (size_t i = 0; i < s->nsetup; i++)
        sb_printf(&b, "%s\n", s->setup[i]);
    char *g = ga_slurm_quote(info->gahpo);
    char *t = ga_slurm_quote(info->tasks_file);
    if (g && t)
        sb_printf(&b, "exec %s _task %s \"$SLURM_ARRAY_TASK_ID\"\n", g, t);
    else
        b.oom = 1;
    free(g);
    free(t);
    if (b.oom) {
        free(b.p);
        ga_error_set(err, GA_EFAIL, "out of memory");
        return NULL;
    }
    return b.p;
}

/* ---- reading Slurm's output -------------------------------------------- */

static const char *const live_states[] = {
    "PENDING", "RUNNING", "SUSPENDED", "COMPLETING", "CONFIGURING",
    "REQUEUED", "REQUEUE_FED", "REQUEUE_HOLD", "RESIZING", "RESV_DEL_HOLD",
    "SIGNALING", "STAGE_OUT", "STOPPED",
};

int ga_slurm_state_final(const char *state)
{
    if (!state || !*state)
        return 0;
    for (size_t i = 0; i < sizeof live_states / sizeof live_states[0]; i++)
        if (!strcmp(state, live_states[i]))
            return 0;
    return 1;
}

const char *ga_slurm_state_reason(const char *state)
{
    static const struct {
        const char *state, *why;
    } map[] = {
        { "COMPLETED", "the task ended normally" },
        { "FAILED", "the task exited non-zero or could not start" },
        { "TIMEOUT", "the task reached its --time limit" },
        { "CANCELLED", "the task was cancelled (scancel or an administrator)" },
        { "NODE_FAIL", "the task's node failed" },
        { "OUT_OF_MEMORY", "the task ran out of memory (see --mem)" },
        { "PREEMPTED", "the task was preempted" },
        { "BOOT_FAIL", "the task's node failed to boot" },
        { "DEADLINE", "the task reached its deadline" },
        { "REVOKED", "the task was revoked (federation)" },
        { "SPECIAL_EXIT", "the task ended in Slurm's special-exit state" },
    };
    if (!state)
        return "unknown state";
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strncmp(state, map[i].state, strlen(map[i].state)))
            return map[i].why;
    return ga_slurm_state_final(state) ? "the task ended in an unusual state"
                                       : "the task has not ended";
}

static int push_state(ga_slurm_task_state **out, size_t *n, size_t *cap,
                      const char *job, long task, const char *state)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 64;
        ga_slurm_task_state *g = realloc(*out, c * sizeof *g);
        if (!g)
            return -1;
        *out = g;
        *cap = c;
    }
    ga_slurm_task_state *e = &(*out)[(*n)++];
    snprintf(e->job, sizeof e->job, "%s", job);
    e->task = task;
    snprintf(e->state, sizeof e->state, "%s", state);
    return 0;
}

/* "[0-3,5,7-9%2]" (brackets already removed) into single tasks. */
static int expand_range(char *spec, const char *job, const char *state,
                        ga_slurm_task_state **out, size_t *n, size_t *cap)
{
    char *pct = strchr(spec, '%');
    if (pct)
        *pct = '\0';
    char *save = NULL;
    for (char *r = strtok_r(spec, ",", &save); r; r = strtok_r(NULL, ",", &save)) {
        char *end;
        long a = strtol(r, &end, 10), b = a;
        if (end == r || a < 0)
            return -1;
        if (*end == '-') {
            char *e2;
            b = strtol(end + 1, &e2, 10);
            if (e2 == end + 1 || *e2 || b < a)
                return -1;
        } else if (*end) {
            return -1;
        }
        for (long t = a; t <= b; t++)
            if (push_state(out, n, cap, job, t, state))
                return -2;
    }
    return 0;
}

int ga_slurm_parse_squeue(const char *text, ga_slurm_task_state **out,
                          size_t *n, ga_error *err)
{
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    char *copy = ga_strdup(text ? text : "");
    if (!copy)
        return ga_error_set(err, GA_EFAIL, "out of memory");
    int rc = GA_OK;
    char *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line && rc == GA_OK;
         line = strtok_r(NULL, "\n", &save)) {
        char id[256], state[64];
        if (sscanf(line, " %255s %63s", id, state) != 2) {
            if (strspn(line, " \t\r") == strlen(line))
                continue;
            rc = ga_error_set(err, GA_EINPUT, "squeue: cannot read \"%.200s\"",
                              line);
            break;
        }
        char *us = strchr(id, '_');
        int bad = 0;
        if (!us) {
            bad = push_state(out, n, &cap, id, -1, state);
        } else {
            *us = '\0';
            char *t = us + 1;
            if (*t == '[') {
                char *close = strchr(t, ']');
                if (!close)
                    bad = -1;
                else {
                    *close = '\0';
                    bad = expand_range(t + 1, id, state, out, n, &cap);
                }
            } else {
                char *end;
                long task = strtol(t, &end, 10);
                bad = end == t || *end || task < 0
                      ? -1 : push_state(out, n, &cap, id, task, state);
            }
        }
        if (bad == -2 || (bad && !*out))
            rc = ga_error_set(err, GA_EFAIL, "out of memory");
        if (bad == -1)
            rc = ga_error_set(err, GA_EINPUT, "squeue: cannot read job id "
                              "\"%.200s\"", line);
    }
    free(copy);
    if (rc) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

/* The value of " key=" in a line, up to the next blank. */
static int line_field(const char *line, const char *end, const char *key,
                      char *buf, size_t size)
{
    size_t kl = strlen(key);
    for (const char *p = line; p && p < end; p = strchr(p + 1, ' ')) {
        const char *k = *p == ' ' ? p + 1 : p;
        if (k + kl < end && !strncmp(k, key, kl) && k[kl] == '=') {
            const char *v = k + kl + 1, *e = v;
            while (e < end && *e != ' ' && *e != '\n')
                e++;
            snprintf(buf, size, "%.*s", (int)(e - v), v);
            return 0;
        }
    }
    return -1;
}

int ga_slurm_scontrol_field(const char *text, long task, const char *key,
                            char *buf, size_t size)
{
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        if (!end)
            end = line + strlen(line);
        char t[64];
        if (task < 0 || (line_field(line, end, "ArrayTaskId", t, sizeof t) == 0
                         && strtol(t, NULL, 10) == task && !strchr(t, '-')))
            if (line_field(line, end, key, buf, size) == 0)
                return 0;
        line = *end ? end + 1 : NULL;
    }
    return -1;
}

int ga_slurm_parse_jobid(const char *text, char *id, size_t size)
{
    const char *p = text;
    while (*p == ' ' || *p == '\n')
        p++;
    size_t n = strspn(p, "0123456789");
    if (n == 0 || n >= size || (p[n] && p[n] != ';' && p[n] != '\n' &&
                                p[n] != ' '))
        return -1;
    memcpy(id, p, n);
    id[n] = '\0';
    return 0;
}

/* ---- running Slurm's commands ----------------------------------------- */

static void sleep_s(double s)
{
    struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
    nanosleep(&ts, NULL);  /* a signal cuts it short: callers re-check */
}

static void append_fd(int fd, sbuf *b, int *open_fd)
{
    char chunk[4096];
    ssize_t r = read(fd, chunk, sizeof chunk);
    if (r > 0) {
        if (b->len < (4u << 20))
            sb_printf(b, "%.*s", (int)r, chunk);
    } else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
        *open_fd = 0;
    }
}

/* argv (no shell) in cwd, stdin /dev/null, output captured (caller frees).
 * Returns the exit status, or -1 when it could not run, was killed, or
 * took longer than CMD_TIMEOUT. */
static int run_cmd(char *const argv[], const char *cwd, char **out,
                   char **errtxt)
{
    sbuf ob = { 0 }, eb = { 0 };
    sb_printf(&ob, "%s", "");
    sb_printf(&eb, "%s", "");
    int po[2], pe[2];
    if (pipe2(po, O_CLOEXEC) != 0)
        goto fail;
    if (pipe2(pe, O_CLOEXEC) != 0) {
        close(po[0]);
        close(po[1]);
        goto fail;
    }
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        int in = open("/dev/null", O_RDONLY);
        if (in < 0 || (cwd && chdir(cwd) != 0))
            _exit(126);
        dup2(in, 0);
        dup2(po[1], 1);
        dup2(pe[1], 2);
        execvp(argv[0], argv);
        const char *m = ": cannot execute (is Slurm installed?)\n";
        (void)!write(2, argv[0], strlen(argv[0]));
        (void)!write(2, m, strlen(m));
        _exit(127);
    }
    close(po[1]);
    close(pe[1]);
    if (pid < 0) {
        close(po[0]);
        close(pe[0]);
        goto fail;
    }
    int oo = 1, eo = 1, status = 0, killed = 0;
    double deadline = ga_now() + CMD_TIMEOUT;
    while (oo || eo) {
        struct pollfd p[2] = { { po[0], POLLIN, 0 }, { pe[0], POLLIN, 0 } };
        if (!oo)
            p[0].fd = -1;
        if (!eo)
            p[1].fd = -1;
        int r = poll(p, 2, 200);
        if (r > 0 && p[0].revents)
            append_fd(po[0], &ob, &oo);
        if (r > 0 && p[1].revents)
            append_fd(pe[0], &eb, &eo);
        if (ga_now() > deadline && !killed) {
            kill(pid, SIGKILL);
            killed = 1;
            sb_printf(&eb, "\n%s: no answer within %g s", argv[0], CMD_TIMEOUT);
        }
    }
    close(po[0]);
    close(pe[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (ob.oom || eb.oom)
        goto fail;
    *out = ob.p;
    *errtxt = eb.p;
    if (killed || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
fail:
    free(ob.p);
    free(eb.p);
    *out = ga_strdup("");
    *errtxt = ga_strdup("cannot run a Slurm command (out of processes or "
                        "memory)");
    return -1;
}

/* Errors worth another try: the controller busy, restarting or far away. */
static int transient(const char *msg)
{
    static const char *const pats[] = {
        "timed out", "Unable to contact", "temporarily", "try again",
        "Connection refused", "Zero Bytes", "Socket", "no answer within",
        "cannot run a Slurm command",
    };
    for (size_t i = 0; i < sizeof pats / sizeof pats[0]; i++)
        if (strstr(msg, pats[i]))
            return 1;
    return 0;
}

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
        s[--n] = '\0';
}

/* ---- the executor's state ---------------------------------------------- */

typedef struct slurm_ctx {
    char **argv;
    size_t argc;
    char *run_dir;
    char *run_id;
    char *gahpo;
    long jobs;
    double timeout;
    int param_flags;
    char *result_file;
    char *result_key;
    ga_slurm_settings *s;
} slurm_ctx;

enum { T_WAIT, T_FLIGHT, T_DONE };

typedef struct task {
    int state;
    int attempts;
    long sub;             /* index in subs while in flight */
    long array_index;
    double gone_since;    /* squeue said it ended (or lost it), no status */
    char final_state[32];
    char *argv_json;      /* the command line as task.json holds it */
    char dir[4096];
} task;

typedef struct sub {
    char id[32];
    long number;          /* S in array_S.sh, array_S.tasks */
} sub;

typedef struct gen {
    slurm_ctx *c;
    const ga_space *space;
    const ga_job *jobs;
    size_t n;
    task *t;
    sub *subs;
    size_t nsubs;
    long next_number;
    char dir[3900];
    ga_result_fn done;
    void *done_ctx;
    size_t ndone;
    double queue_fail_since;
} gen;

static void slurm_free(void *p)
{
    slurm_ctx *c = p;
    if (!c)
        return;
    for (size_t i = 0; i < c->argc; i++)
        free(c->argv[i]);
    free(c->argv);
    free(c->run_dir);
    free(c->run_id);
    free(c->gahpo);
    free(c->result_file);
    free(c->result_key);
    ga_slurm_settings_free(c->s);
    free(c);
}

/* The model's argv as a JSON array text: the command, then --name value. */
static char *argv_json(const slurm_ctx *c, const ga_space *space,
                       const double *genes)
{
    cJSON *a = cJSON_CreateArray();
    char *val = malloc(65536);
    int ok = a && val;
    for (size_t i = 0; ok && i < c->argc; i++)
        ok = cJSON_AddItemToArray(a, cJSON_CreateString(c->argv[i]));
    for (size_t i = 0; ok && c->param_flags && i < space->n; i++) {
        const ga_param *p = &space->params[i];
        char flag[600];
        snprintf(flag, sizeof flag, "--%s", p->name);
        ok = ga_param_gene_format(p, genes[i], val, 65536) == 0 &&
             cJSON_AddItemToArray(a, cJSON_CreateString(flag)) &&
             cJSON_AddItemToArray(a, cJSON_CreateString(val));
    }
    char *text = ok ? cJSON_PrintUnformatted(a) : NULL;
    cJSON_Delete(a);
    free(val);
    return text;
}

static int write_text(const char *path, const char *text, ga_error *err)
{
    return ga_write_file_atomic(path, text, strlen(text), err);
}

/* params.json and task.json: what the task needs, nothing in a script. */
static int prepare_task(gen *g, size_t k, ga_error *err)
{
    task *t = &g->t[k];
    if (ga_mkdirs(t->dir, err))
        return err->status;
    char path[4200];
    snprintf(path, sizeof path, "%s/status.json", t->dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/%s", t->dir, g->c->result_file);
    unlink(path);
    cJSON *p = cJSON_CreateObject();
    for (size_t i = 0; p && i < g->space->n; i++)
        cJSON_AddItemToObject(p, g->space->params[i].name,
                              ga_param_gene_to_json(&g->space->params[i],
                                                    g->jobs[k].genes[i]));
    snprintf(path, sizeof path, "%s/params.json", t->dir);
    int rc = p ? ga_write_json_atomic(path, p, err)
               : ga_error_set(err, GA_EFAIL, "out of memory");
    cJSON_Delete(p);
    if (rc)
        return rc;
    sbuf b = { 0 };
    char tm[64];
    ga_format_double(g->c->timeout, tm, sizeof tm);
    sb_printf(&b, "{\"argv\":%s,\"timeout\":%s}\n", t->argv_json, tm);
    if (b.oom)
        return ga_error_set(err, GA_EFAIL, "out of memory");
    snprintf(path, sizeof path, "%s/task.json", t->dir);
    rc = write_text(path, b.p, err);
    free(b.p);
    return rc;
}

/* ---- status files -------------------------------------------------------- */

typedef struct status {
    int present;
    int exited, exit_code, signal, timed_out, stopped;
    double wall_time;
    char job[64], error[400];
} status;

static void read_status(const char *dir, status *st)
{
    memset(st, 0, sizeof *st);
    st->wall_time = NAN;
    char path[4200];
    snprintf(path, sizeof path, "%s/status.json", dir);
    ga_error e;
    char *text = ga_read_file(path, NULL, &e);
    cJSON *o = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return;
    }
    const cJSON *v;
    st->present = 1;
    if (cJSON_IsNumber(v = cJSON_GetObjectItem(o, "exit"))) {
        st->exited = 1;
        st->exit_code = (int)v->valuedouble;
    }
    if (cJSON_IsNumber(v = cJSON_GetObjectItem(o, "signal")))
        st->signal = (int)v->valuedouble;
    st->timed_out = cJSON_IsTrue(cJSON_GetObjectItem(o, "timed_out"));
    st->stopped = cJSON_IsTrue(cJSON_GetObjectItem(o, "stopped"));
    if (cJSON_IsNumber(v = cJSON_GetObjectItem(o, "wall_time")))
        st->wall_time = v->valuedouble;
    if (cJSON_IsString(v = cJSON_GetObjectItem(o, "job")))
        snprintf(st->job, sizeof st->job, "%s", v->valuestring);
    if (cJSON_IsString(v = cJSON_GetObjectItem(o, "error")))
        snprintf(st->error, sizeof st->error, "%s", v->valuestring);
    cJSON_Delete(o);
}

/* The result file, read as the local executor reads it. */
static void read_result(const slurm_ctx *c, const char *dir, ga_result *r)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, c->result_file);
    ga_error e;
    char *text = ga_read_file(path, NULL, &e);
    if (!text) {
        snprintf(r->reason, sizeof r->reason, "no result file %.300s",
                 c->result_file);
        return;
    }
    double v;
    if (ga_parse_result(text, c->result_key, &v, &e) != GA_OK)
        snprintf(r->reason, sizeof r->reason, "%.100s: cannot parse: %.300s",
                 c->result_file, e.msg);
    else if (isnan(v) || isinf(v))
        snprintf(r->reason, sizeof r->reason, "%.100s: the objective is %s",
                 c->result_file, isnan(v) ? "NaN" : "infinite");
    else
        r->fitness = v;
    free(text);
}

static void task_job_id(const gen *g, const task *t, char *buf, size_t size)
{
    if (t->sub >= 0)
        snprintf(buf, size, "%s_%ld", g->subs[t->sub].id, t->array_index);
    else
        snprintf(buf, size, "?");
}

/* A finished task with a status file. state: Slurm's final state if known. */
static void status_result(const gen *g, const task *t, const status *st,
                          const char *state, ga_result *r)
{
    char id[64];
    task_job_id(g, t, id, sizeof id);
    r->fitness = NAN;
    r->reason[0] = '\0';
    r->wall_time = st->wall_time;
    snprintf(r->job_id, sizeof r->job_id, "%s", st->job[0] ? st->job : id);
    if (st->error[0])
        snprintf(r->reason, sizeof r->reason, "Slurm job %s could not run the "
                 "model: %.300s", r->job_id, st->error);
    else if (st->timed_out)
        snprintf(r->reason, sizeof r->reason, "timeout after %g s",
                 g->c->timeout);
    else if (st->stopped)
        snprintf(r->reason, sizeof r->reason, "Slurm job %s %s: %s (the model "
                 "was stopped by a signal)", r->job_id,
                 state && *state ? state : "stopped",
                 state && *state ? ga_slurm_state_reason(state)
                                 : "the scheduler stopped the task");
    else if (!st->exited)
        snprintf(r->reason, sizeof r->reason, "killed by signal %d (Slurm job "
                 "%s)", st->signal, r->job_id);
    else if (st->exit_code != 0)
        snprintf(r->reason, sizeof r->reason, "exit status %d%s (Slurm job %s "
                 "FAILED)", st->exit_code, st->exit_code == 127 ?
                 " (command not found or not executable?)" : "", r->job_id);
    else
        read_result(g->c, t->dir, r);
}

/* A task that ended without a status file: ask scontrol why. */
static void gone_result(gen *g, task *t, ga_result *r)
{
    char id[64], text_state[32] = "", why[128] = "", code[32] = "";
    task_job_id(g, t, id, sizeof id);
    char *out = NULL, *errt = NULL;
    char *argv[] = { "scontrol", "show", "job", "-o", id, NULL };
    if (run_cmd(argv, NULL, &out, &errt) == 0) {
        ga_slurm_scontrol_field(out, t->array_index, "JobState", text_state,
                                sizeof text_state);
        ga_slurm_scontrol_field(out, t->array_index, "Reason", why, sizeof why);
        ga_slurm_scontrol_field(out, t->array_index, "ExitCode", code,
                                sizeof code);
    }
    free(out);
    free(errt);
    const char *state = text_state[0] ? text_state : t->final_state;
    r->fitness = NAN;
    r->wall_time = NAN;
    snprintf(r->job_id, sizeof r->job_id, "%s", id);
    if (state[0])
        snprintf(r->reason, sizeof r->reason, "Slurm job %s %s: %s (Reason=%s "
                 "ExitCode=%s); the task wrote no status file, see "
                 "gen_%ld/slurm-%s.out", id, state, ga_slurm_state_reason(state),
                 why[0] ? why : "?", code[0] ? code : "?",
                 g->jobs[0].generation, id);
    else
        snprintf(r->reason, sizeof r->reason, "Slurm job %s left the queue "
                 "without a status file; see gen_%ld/slurm-%s.out", id,
                 g->jobs[0].generation, id);
}

/* One attempt ended: retry it, or report it. */
static void attempt_ended(gen *g, size_t k, const ga_result *r)
{
    task *t = &g->t[k];
    t->attempts++;
    t->gone_since = 0;
    t->final_state[0] = '\0';
    if (!isfinite(r->fitness) && t->attempts <= g->c->s->retries) {
        t->state = T_WAIT;
        return;
    }
    t->state = T_DONE;
    g->ndone++;
    g->done(g->done_ctx, k, r);
}

/* ---- submitting ---------------------------------------------------------- */

static int append_line(const char *path, const char *line, ga_error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        return ga_error_set(err, GA_EFAIL, "%s: %s", path, strerror(errno));
    size_t n = strlen(line);
    int ok = write(fd, line, n) == (ssize_t)n && fsync(fd) == 0;
    close(fd);
    if (!ok)
        return ga_error_set(err, GA_EFAIL, "%s: cannot append: %s", path,
                            strerror(errno));
    return GA_OK;
}

static int sbatch(gen *g, const char *script, char *id, size_t size,
                  ga_error *err)
{
    char *argv[] = { "sbatch", "--parsable", (char *)script, NULL };
    double pause = 1;
    for (int attempt = 1;; attempt++) {
        char *out, *errt;
        int rc = run_cmd(argv, g->dir, &out, &errt);
        int ok = rc == 0 && ga_slurm_parse_jobid(out, id, size) == 0;
        if (!ok) {
            trim(errt);
            trim(out);
        }
        int again = !ok && attempt < SBATCH_TRIES && transient(errt);
        if (!ok && !again)
            ga_error_set(err, GA_EFAIL, "sbatch %s failed%s: %.1500s", script,
                         attempt > 1 ? " (also after retrying)" : "",
                         errt[0] ? errt : out[0] ? out : "no output");
        free(out);
        free(errt);
        if (ok)
            return GA_OK;
        if (!again)
            return GA_EFAIL;
        sleep_s(pause);
        pause *= 2;
    }
}

static int grow_subs(gen *g)
{
    sub *s = realloc(g->subs, (g->nsubs + 1) * sizeof *s);
    if (!s)
        return -1;
    g->subs = s;
    return 0;
}

/* Every waiting task in one new job array. */
static int submit(gen *g, ga_error *err)
{
    slurm_ctx *c = g->c;
    long number = g->next_number++;
    char tasks[4300], script_path[4300], jobs_txt[4300], name[256];
    snprintf(tasks, sizeof tasks, "%s/array_%ld.tasks", g->dir, number);
    snprintf(script_path, sizeof script_path, "%s/array_%ld.sh", g->dir, number);
    snprintf(jobs_txt, sizeof jobs_txt, "%s/jobs.txt", g->dir);
    sbuf b = { 0 };
    size_t count = 0;
    for (size_t k = 0; k < g->n; k++) {
        if (g->t[k].state != T_WAIT)
            continue;
        if (prepare_task(g, k, err)) {
            free(b.p);
            return err->status;
        }
        sb_printf(&b, "%zu\n", g->jobs[k].index);
        count++;
    }
    if (b.oom || grow_subs(g)) {
        free(b.p);
        return ga_error_set(err, GA_EFAIL, "out of memory");
    }
    int rc = write_text(tasks, b.p, err);
    free(b.p);
    if (rc)
        return rc;
    if (c->s->job_name)
        snprintf(name, sizeof name, "%s", c->s->job_name);
    else
        snprintf(name, sizeof name, "gahpo-%.200s-g%ld", c->run_id,
                 g->jobs[0].generation);
    ga_slurm_script_info info = {
        .job_name = name, .ntasks = count,
        .max_concurrent = c->s->max_concurrent > 0 ? c->s->max_concurrent
                                                   : c->jobs,
        .gahpo = c->gahpo, .tasks_file = tasks };
    char *script = ga_slurm_script(c->s, &info, err);
    if (!script)
        return err->status;
    rc = write_text(script_path, script, err);
    free(script);
    if (rc)
        return rc;
    sub *s = &g->subs[g->nsubs];
    s->number = number;
    if ((rc = sbatch(g, script_path, s->id, sizeof s->id, err)))
        return rc;
    char line[128];
    snprintf(line, sizeof line, "%ld %s\n", number, s->id);
    if ((rc = append_line(jobs_txt, line, err)))
        return rc;
    long idx = 0;
    for (size_t k = 0; k < g->n; k++) {
        if (g->t[k].state != T_WAIT)
            continue;
        g->t[k].state = T_FLIGHT;
        g->t[k].sub = (long)g->nsubs;
        g->t[k].array_index = idx++;
        g->t[k].gone_since = 0;
    }
    g->nsubs++;
    return GA_OK;
}

/* ---- watching -------------------------------------------------------------- */

/* "ID1,ID2,..." of the submissions with a task in flight; "" if none. */
static void live_ids(const gen *g, char *buf, size_t size)
{
    buf[0] = '\0';
    size_t len = 0;
    for (size_t s = 0; s < g->nsubs; s++) {
        int live = 0;
        for (size_t k = 0; k < g->n && !live; k++)
            live = g->t[k].state == T_FLIGHT && g->t[k].sub == (long)s;
        if (live && len + strlen(g->subs[s].id) + 2 < size)
            len += (size_t)snprintf(buf + len, size - len, "%s%s",
                                    len ? "," : "", g->subs[s].id);
    }
}

/* squeue's view of ids: *states (caller frees); 0 ok, 1 all purged
 * ("Invalid job id"), -1 failed with the message in msg. */
static int query_queue(const char *ids, ga_slurm_task_state **states,
                       size_t *n, char *msg, size_t msize)
{
    *states = NULL;
    *n = 0;
    char *argv[] = { "squeue", "-h", "-t", "all", "-r", "-j", (char *)ids,
                     "-o", "%i %T", NULL };
    char *out, *errt;
    int rc = run_cmd(argv, NULL, &out, &errt);
    int ret = 0;
    if (rc != 0) {
        trim(errt);
        ret = strstr(errt, "Invalid job id") ? 1 : -1;
        snprintf(msg, msize, "squeue: %.900s", errt[0] ? errt : "failed");
    } else {
        ga_error e;
        if (ga_slurm_parse_squeue(out, states, n, &e)) {
            snprintf(msg, msize, "%.900s", e.msg);
            ret = -1;
        }
    }
    free(out);
    free(errt);
    return ret;
}

/* Tasks whose status file says they are done (and were not stopped by
 * the scheduler, whose state then makes the better reason). */
static void check_status_files(gen *g)
{
    for (size_t k = 0; k < g->n; k++) {
        task *t = &g->t[k];
        if (t->state != T_FLIGHT)
            continue;
        status st;
        read_status(t->dir, &st);
        if (!st.present || (st.stopped && !t->final_state[0]))
            continue;
        ga_result r = { .fitness = NAN };
        status_result(g, t, &st, t->final_state, &r);
        attempt_ended(g, k, &r);
    }
}

static const ga_slurm_task_state *find_state(const ga_slurm_task_state *s,
                                             size_t n, const char *job,
                                             long task)
{
    for (size_t i = 0; i < n; i++)
        if (s[i].task == task && !strcmp(s[i].job, job))
            return &s[i];
    return NULL;
}

/* One squeue round: tasks that ended; those without a status file (after
 * FS_GRACE) get scontrol's account. GA_EFAIL when Slurm has not answered
 * for SCHED_GIVE_UP seconds. */
static int check_queue(gen *g, ga_error *err)
{
    char ids[8192], msg[1024];
    live_ids(g, ids, sizeof ids);
    if (!ids[0])
        return GA_OK;
    ga_slurm_task_state *st;
    size_t ns;
    int q = query_queue(ids, &st, &ns, msg, sizeof msg);
    double now = ga_now();
    if (q < 0) {
        if (g->queue_fail_since == 0)
            g->queue_fail_since = now;
        if (now - g->queue_fail_since > SCHED_GIVE_UP)
            return ga_error_set(err, GA_EFAIL, "Slurm has not answered for %g "
                                "s (%s); jobs %s may still be running: resume "
                                "with --resume to collect them", SCHED_GIVE_UP,
                                msg, ids);
        return GA_OK;
    }
    g->queue_fail_since = 0;
    for (size_t k = 0; k < g->n; k++) {
        task *t = &g->t[k];
        if (t->state != T_FLIGHT)
            continue;
        const ga_slurm_task_state *s =
            find_state(st, ns, g->subs[t->sub].id, t->array_index);
        if (s && !ga_slurm_state_final(s->state))
            continue;
        if (s)
            snprintf(t->final_state, sizeof t->final_state, "%s", s->state);
        if (t->gone_since == 0)
            t->gone_since = now;
        status sf;
        read_status(t->dir, &sf);
        ga_result r = { .fitness = NAN };
        if (sf.present)
            status_result(g, t, &sf, t->final_state, &r);
        else if (now - t->gone_since >= FS_GRACE)
            gone_result(g, t, &r);
        else
            continue;
        attempt_ended(g, k, &r);
    }
    free(st);
    return GA_OK;
}

/* scancel what is in flight and wait (up to 30 s) until it has left the
 * queue; their status files go, so a resumed run runs them again. */
static void cancel_all(gen *g)
{
    char ids[8192];
    live_ids(g, ids, sizeof ids);
    if (!ids[0])
        return;
    char *argv[64] = { "scancel" };
    int a = 1;
    char copy[8192];
    snprintf(copy, sizeof copy, "%s", ids);
    char *save = NULL;
    for (char *id = strtok_r(copy, ",", &save); id && a < 63;
         id = strtok_r(NULL, ",", &save))
        argv[a++] = id;
    argv[a] = NULL;
    char *out, *errt;
    run_cmd(argv, NULL, &out, &errt);
    free(out);
    free(errt);
    double deadline = ga_now() + 30;
    while (ga_now() < deadline) {
        ga_slurm_task_state *st;
        size_t ns;
        char msg[1024];
        int q = query_queue(ids, &st, &ns, msg, sizeof msg);
        int live = 0;
        for (size_t i = 0; q == 0 && i < ns; i++)
            live |= !ga_slurm_state_final(st[i].state);
        free(st);
        if (q >= 0 && !live)
            break;
        sleep_s(0.2);
    }
    for (size_t k = 0; k < g->n; k++) {
        if (g->t[k].state != T_FLIGHT)
            continue;
        char path[4200];
        snprintf(path, sizeof path, "%s/status.json", g->t[k].dir);
        unlink(path);
    }
}

/* ---- reattaching after a driver crash -------------------------------------- */

/* task.json of a task holds this argv: it is this individual's. */
static int same_task(const task *t)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/task.json", t->dir);
    ga_error e;
    char *text = ga_read_file(path, NULL, &e);
    cJSON *o = text ? cJSON_Parse(text) : NULL;
    free(text);
    char *have = o ? cJSON_PrintUnformatted(cJSON_GetObjectItem(o, "argv"))
                   : NULL;
    int same = have && !strcmp(have, t->argv_json);
    free(have);
    cJSON_Delete(o);
    return same;
}

/* Index in tasks file `number` of each line: which job k it is (or -1). */
static long *read_tasks_file(gen *g, long number, size_t *count)
{
    char path[4300];
    snprintf(path, sizeof path, "%s/array_%ld.tasks", g->dir, number);
    ga_error e;
    char *text = ga_read_file(path, NULL, &e);
    *count = 0;
    if (!text)
        return NULL;
    size_t lines = 0;
    for (char *p = text; *p; p++)
        lines += *p == '\n';
    long *map = malloc((lines + 1) * sizeof *map);
    char *save = NULL;
    for (char *l = strtok_r(text, "\n", &save); map && l;
         l = strtok_r(NULL, "\n", &save)) {
        long ind = strtol(l, NULL, 10);
        map[*count] = -1;
        for (size_t k = 0; k < g->n; k++)
            if ((long)g->jobs[k].index == ind)
                map[*count] = (long)k;
        (*count)++;
    }
    free(text);
    return map;
}

/* A resumed run: collect what finished, wait for what still runs in the
 * arrays recorded in jobs.txt, submit only the rest. */
static void collect_finished(gen *g)
{
    for (size_t k = 0; k < g->n; k++) {
        status st;
        if (g->t[k].state != T_WAIT)
            continue;
        read_status(g->t[k].dir, &st);
        if (!st.present || st.stopped || !same_task(&g->t[k]))
            continue;
        ga_result r = { .fitness = NAN };
        status_result(g, &g->t[k], &st, NULL, &r);
        g->t[k].attempts = g->c->s->retries;  /* no resubmission */
        attempt_ended(g, k, &r);
    }
}

/* Live tasks are adopted first, then the status files are read: a task
 * that ends in between is found either way. */
static int reattach(gen *g, ga_error *err)
{
    char path[4300];
    snprintf(path, sizeof path, "%s/jobs.txt", g->dir);
    ga_error e;
    char *text = ga_read_file(path, NULL, &e);
    if (!text)
        return GA_OK;  /* a fresh generation */
    char *save = NULL;
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        long number;
        char id[32];
        if (sscanf(l, "%ld %31s", &number, id) != 2)
            continue;
        if (number >= g->next_number)
            g->next_number = number + 1;
        if (grow_subs(g)) {
            free(text);
            return ga_error_set(err, GA_EFAIL, "out of memory");
        }
        sub *s = &g->subs[g->nsubs];
        snprintf(s->id, sizeof s->id, "%s", id);
        s->number = number;
        ga_slurm_task_state *st;
        size_t ns, count;
        char msg[1024];
        if (query_queue(id, &st, &ns, msg, sizeof msg) != 0)
            continue;  /* purged or unreachable: what ran has a status */
        long *map = read_tasks_file(g, number, &count);
        for (size_t i = 0; map && i < ns; i++) {
            long a = st[i].task;
            if (a < 0 || (size_t)a >= count || map[a] < 0 ||
                ga_slurm_state_final(st[i].state))
                continue;
            task *t = &g->t[map[a]];
            if (t->state != T_WAIT || !same_task(t))
                continue;
            t->state = T_FLIGHT;
            t->sub = (long)g->nsubs;
            t->array_index = a;
        }
        free(map);
        free(st);
        g->nsubs++;
    }
    free(text);
    collect_finished(g);
    return GA_OK;
}

/* ---- run --------------------------------------------------------------------- */

static void gen_free(gen *g)
{
    for (size_t k = 0; g->t && k < g->n; k++)
        free(g->t[k].argv_json);
    free(g->t);
    free(g->subs);
}

static int gen_init(gen *g, slurm_ctx *c, const ga_space *space,
                    const ga_job *jobs, size_t n, ga_error *err)
{
    memset(g, 0, sizeof *g);
    g->c = c;
    g->space = space;
    g->jobs = jobs;
    g->n = n;
    snprintf(g->dir, sizeof g->dir, "%s/gen_%ld", c->run_dir,
             jobs[0].generation);
    if (ga_mkdirs(g->dir, err))
        return err->status;
    g->t = calloc(n, sizeof *g->t);
    if (!g->t)
        return ga_error_set(err, GA_EFAIL, "out of memory");
    for (size_t k = 0; k < n; k++) {
        if (jobs[k].generation != jobs[0].generation)
            return ga_error_set(err, GA_EFAIL, "the Slurm executor runs one "
                                "generation per call");
        task *t = &g->t[k];
        t->sub = -1;
        snprintf(t->dir, sizeof t->dir, "%s/ind_%zu", g->dir, jobs[k].index);
        t->argv_json = argv_json(c, space, jobs[k].genes);
        if (!t->argv_json)
            return ga_error_set(err, GA_EFAIL, "cannot build the command line "
                                "(out of memory or a value over 64 KiB)");
    }
    return GA_OK;
}

static int slurm_run(void *p, const ga_space *space, const ga_job *jobs,
                     size_t n, ga_result_fn done, void *done_ctx,
                     volatile sig_atomic_t *cancel, ga_error *err)
{
    if (n == 0)
        return GA_OK;
    gen g;
    int rc = gen_init(&g, p, space, jobs, n, err);
    g.done = done;
    g.done_ctx = done_ctx;
    if (rc == GA_OK)
        rc = reattach(&g, err);
    slurm_ctx *c = p;
    double poll_max = c->s->poll_max > 0 ? c->s->poll_max : POLL_MAX_DEFAULT;
    double pause = POLL_QUEUE_MIN, next_queue = ga_now() + pause;
    /* a shared file system pays for each look: big arrays look less often */
    double files_every = POLL_FILES * fmax(1.0, (double)n / 100.0);
    double next_files = 0;
    for (int first = 1; rc == GA_OK && g.ndone < n; first = 0) {
        if (cancel && *cancel) {
            cancel_all(&g);
            rc = ga_error_set(err, GA_EFAIL, "interrupted");
            break;
        }
        int flying = 0, waiting = 0;
        for (size_t k = 0; k < n; k++) {
            flying |= g.t[k].state == T_FLIGHT;
            waiting |= g.t[k].state == T_WAIT;
        }
        if (waiting && (!flying || first)) {  /* first: beside adopted ones */
            if ((rc = submit(&g, err)))
                break;
            pause = POLL_QUEUE_MIN;
            next_queue = ga_now() + pause;
        }
        size_t before = g.ndone;
        if (ga_now() >= next_files) {
            check_status_files(&g);
            next_files = ga_now() + files_every;
        }
        if (ga_now() >= next_queue) {
            if ((rc = check_queue(&g, err)))
                break;
            pause = g.ndone > before ? POLL_QUEUE_MIN
                                     : fmin(pause * 1.5, poll_max);
            next_queue = ga_now() + pause;
        }
        if (g.ndone < n)
            sleep_s(POLL_FILES);
    }
    /* on other errors the arrays in flight stay: they are in jobs.txt, and
     * --resume collects them */
    gen_free(&g);
    return rc;
}

ga_executor *ga_exec_slurm_alloc(const ga_exec_slurm_opts *o, ga_error *err)
{
    if (o->argc == 0) {
        ga_error_set(err, GA_EINPUT, "no model command given");
        return NULL;
    }
    if (o->jobs < 1 || o->timeout < 0 || !isfinite(o->timeout)) {
        ga_error_set(err, GA_EINPUT, "--jobs must be >= 1 and --timeout >= 0");
        return NULL;
    }
    if (o->run_dir[0] != '/') {
        ga_error_set(err, GA_EINPUT, "run directory must be absolute");
        return NULL;
    }
    if (!o->result_file[0] || strstr(o->result_file, "..") ||
        strchr(o->result_file, '/')) {
        ga_error_set(err, GA_EINPUT, "--result-file must be a plain file name "
                     "inside the job directory, got \"%s\"", o->result_file);
        return NULL;
    }
    ga_executor *ex = calloc(1, sizeof *ex);
    slurm_ctx *c = calloc(1, sizeof *c);
    if (!ex || !c)
        goto oom;
    ex->ctx = c;
    ex->name = "slurm";
    ex->run = slurm_run;
    ex->free = slurm_free;
    c->argv = calloc(o->argc + 1, sizeof *c->argv);
    if (!c->argv)
        goto oom;
    for (size_t i = 0; i < o->argc; i++) {
        if (!(c->argv[i] = ga_strdup(o->argv[i])))
            goto oom;
        c->argc = i + 1;
    }
    char self[PATH_MAX];
    const char *gahpo = o->gahpo;
    if (!gahpo) {
        ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
        if (len <= 0) {
            ga_executor_free(ex);
            ga_error_set(err, GA_EFAIL, "cannot find the gahpo binary "
                         "(/proc/self/exe)");
            return NULL;
        }
        self[len] = '\0';
        gahpo = self;
    }
    const char *slash = strrchr(o->run_dir, '/');
    c->run_dir = ga_strdup(o->run_dir);
    c->run_id = ga_strdup(slash && slash[1] ? slash + 1 : "run");
    for (char *ch = c->run_id; ch && *ch; ch++)
        if (!((*ch >= 'a' && *ch <= 'z') || (*ch >= 'A' && *ch <= 'Z') ||
              (*ch >= '0' && *ch <= '9') || *ch == '.' || *ch == '-'))
            *ch = '_';
    c->gahpo = ga_strdup(gahpo);
    c->result_file = ga_strdup(o->result_file);
    c->result_key = ga_strdup(o->result_key);
    c->s = ga_slurm_settings_alloc();
    if (!c->run_dir || !c->run_id || !c->gahpo || !c->result_file ||
        !c->result_key || !c->s)
        goto oom;
    if (o->slurm) {
        cJSON *j = ga_slurm_settings_to_json(o->slurm);
        int rc = j ? ga_slurm_settings_apply_json(c->s, j, "settings", err)
                   : ga_error_set(err, GA_EFAIL, "out of memory");
        cJSON_Delete(j);
        if (rc) {
            ga_executor_free(ex);
            return NULL;
        }
    }
    if (c->s->retries < 0)
        c->s->retries = 0;
    c->jobs = o->jobs;
    c->timeout = o->timeout;
    c->param_flags = o->param_flags;
    return ex;
oom:
    if (ex && c)
        ga_executor_free(ex);
    else {
        free(ex);
        slurm_free(c);
    }
    ga_error_set(err, GA_EFAIL, "out of memory");
    return NULL;
}

/* ---- the job side: gahpo _task ------------------------------------------- */

/* The individual on line `line` of the tasks file (0-based). */
static int task_individual(const char *tasks_file, long line, long *ind,
                           ga_error *err)
{
    char *text = ga_read_file(tasks_file, NULL, err);
    if (!text)
        return GA_EINPUT;
    long i = 0;
    int found = 0;
    char *save = NULL;
    for (char *l = strtok_r(text, "\n", &save); l && !found;
         l = strtok_r(NULL, "\n", &save), i++)
        if (i == line)
            found = ga_parse_long(l, ind) == 0 && *ind >= 0;
    free(text);
    if (!found)
        return ga_error_set(err, GA_EINPUT, "%s: no individual on line %ld",
                            tasks_file, line + 1);
    return GA_OK;
}

/* argv from task.json (caller frees with free_strings). */
static char **task_argv(const char *dir, double *timeout, ga_error *err)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/task.json", dir);
    char *text = ga_read_file(path, NULL, err);
    if (!text)
        return NULL;
    cJSON *o = cJSON_Parse(text);
    free(text);
    const cJSON *a = cJSON_GetObjectItem(o, "argv");
    const cJSON *t = cJSON_GetObjectItem(o, "timeout");
    int n = cJSON_IsArray(a) ? cJSON_GetArraySize(a) : 0;
    char **argv = n > 0 ? calloc((size_t)n + 1, sizeof *argv) : NULL;
    int i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, a) {
        if (!argv || !cJSON_IsString(e) || !(argv[i] = ga_strdup(e->valuestring)))
            break;
        i++;
    }
    *timeout = cJSON_IsNumber(t) ? t->valuedouble : 0;
    cJSON_Delete(o);
    if (!argv || i != n) {
        for (int j = 0; argv && j < i; j++)
            free(argv[j]);
        free(argv);
        ga_error_set(err, GA_EINPUT, "%s: no command line (\"argv\")", path);
        return NULL;
    }
    return argv;
}

static void task_child(const char *dir, char **argv)
{
    setpgid(0, 0);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
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

/* Wait for the model; on timeout or *stop, SIGTERM its group, then SIGKILL
 * after KILL_GRACE. */
static void wait_model(pid_t pid, double start, double timeout,
                       volatile sig_atomic_t *stop, int *status,
                       int *timed_out, int *stopped)
{
    setpgid(pid, pid);
    double term_time = 0;
    for (;;) {
        pid_t w = waitpid(pid, status, WNOHANG);
        if (w == pid)
            break;
        if (w < 0 && errno != EINTR) {
            *status = 0;
            break;
        }
        double now = ga_now();
        if (!term_time && ((stop && *stop) ||
                           (timeout > 0 && now - start > timeout))) {
            *stopped = stop && *stop;
            *timed_out = !*stopped;
            killpg(pid, SIGTERM);
            term_time = now;
        } else if (term_time && now - term_time > KILL_GRACE) {
            killpg(pid, SIGKILL);
        }
        sleep_s(0.01);
    }
    killpg(pid, SIGKILL);  /* what the model left in its group */
    if (stop && *stop)
        *stopped = 1;
}

int ga_exec_slurm_task(const char *tasks_file, const char *task_id,
                       volatile sig_atomic_t *stop, int *exit_code,
                       ga_error *err)
{
    *exit_code = 1;
    long line, ind;
    if (ga_parse_long(task_id, &line) != 0 || line < 0)
        return ga_error_set(err, GA_EINPUT, "_task: bad task id \"%s\"",
                            task_id);
    if (task_individual(tasks_file, line, &ind, err))
        return err->status;
    char dir[4200];
    const char *slash = strrchr(tasks_file, '/');
    snprintf(dir, sizeof dir, "%.*s/ind_%ld",
             slash ? (int)(slash - tasks_file) : 1, slash ? tasks_file : ".",
             ind);
    double timeout;
    char **argv = task_argv(dir, &timeout, err);
    if (!argv)
        return err->status;
    double start = ga_now();
    pid_t pid = fork();
    int fork_errno = errno;
    if (pid == 0)
        task_child(dir, argv);
    for (size_t i = 0; argv[i]; i++)
        free(argv[i]);
    free(argv);
    cJSON *st = cJSON_CreateObject();
    const char *aj = getenv("SLURM_ARRAY_JOB_ID"), *at = getenv("SLURM_ARRAY_TASK_ID");
    if (aj && at) {
        char job[64];
        snprintf(job, sizeof job, "%.30s_%.30s", aj, at);
        cJSON_AddStringToObject(st, "job", job);
    }
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    cJSON_AddStringToObject(st, "host", host);
    int status = 0, timed_out = 0, stopped = 0;
    if (pid < 0)
        cJSON_AddStringToObject(st, "error", strerror(fork_errno));
    else
        wait_model(pid, start, timeout, stop, &status, &timed_out, &stopped);
    if (pid > 0 && WIFEXITED(status)) {
        cJSON_AddNumberToObject(st, "exit", WEXITSTATUS(status));
        *exit_code = WEXITSTATUS(status);
    } else if (pid > 0) {
        cJSON_AddNumberToObject(st, "signal", WTERMSIG(status));
        *exit_code = 128 + WTERMSIG(status);
    }
    cJSON_AddBoolToObject(st, "timed_out", timed_out);
    cJSON_AddBoolToObject(st, "stopped", stopped);
    cJSON_AddItemToObject(st, "wall_time", ga_json_number(ga_now() - start));
    if (timed_out)
        *exit_code = 124;
    char path[4300];
    snprintf(path, sizeof path, "%s/status.json", dir);
    int rc = ga_write_json_atomic(path, st, err);
    cJSON_Delete(st);
    return rc;
}
