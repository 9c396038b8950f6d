/* exec_slurm.c - the Slurm executor: one job array per generation.
 *
 * This file holds the settings (shared with the PBS executor: options,
 * CANDLE's variables, site profiles, run.json), the batch script whose only
 * shell expansion is "$SLURM_ARRAY_TASK_ID", reading squeue / scontrol /
 * sbatch output, and the Slurm backend of exec_array.c, which does the rest
 * (job directories, `gahpo _task`, status files, polling, retries, cancel,
 * reattach) for both schedulers. */
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

#include "array.h"
#include "../ga/util.h"

char *ga_slurm_quote(const char *s)
{
    ga_strbuf b = { 0 };
    ga_strbuf_printf(&b, "'");
    for (const char *c = s; *c; c++) {
        if (*c == '\'')
            ga_strbuf_printf(&b, "'\\''");
        else
            ga_strbuf_printf(&b, "%c", *c);
    }
    ga_strbuf_printf(&b, "'");
    if (b.oom) {
        free(b.data);
        return NULL;
    }
    return b.data;
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

static int check_dialect(const char *what, const char *v, ga_error *err)
{
    if (strcmp(v, "pro") && strcmp(v, "torque"))
        return ga_error_set(err, GA_EINPUT, "%s \"%s\": expected pro (PBS Pro, "
                            "OpenPBS) or torque", what, v);
    return GA_OK;
}

enum { SLURM = 1, PBS = 2, BOTH = 3 };

typedef struct opt_def {
    const char *flag;      /* command line */
    const char *key;       /* site profile and run.json */
    enum kind kind;
    size_t off;
    check_fn check;
    int sched;             /* SLURM, PBS or BOTH */
} opt_def;

#define OFF(f) offsetof(ga_slurm_settings, f)
static const opt_def opts[] = {
    { "--partition", "partition", K_STR, OFF(partition), check_word, SLURM },
    { "--account", "account", K_STR, OFF(account), check_word, BOTH },
    { "--time", "time", K_STR, OFF(time), check_time, SLURM },
    { "--mem", "mem", K_STR, OFF(mem), check_mem, BOTH },
    { "--job-name", "job_name", K_STR, OFF(job_name), check_word, BOTH },
    { "--slurm-shell", "shell", K_STR, OFF(shell), check_shell, BOTH },
    { "--nodes", "nodes", K_COUNT, OFF(nodes), NULL, BOTH },
    { "--ntasks", "ntasks", K_COUNT, OFF(ntasks), NULL, SLURM },
    { "--ntasks-per-node", "ntasks_per_node", K_COUNT, OFF(ntasks_per_node),
      NULL, SLURM },
    { "--cpus-per-task", "cpus_per_task", K_COUNT, OFF(cpus_per_task), NULL,
      BOTH },
    { "--gpus-per-task", "gpus_per_task", K_COUNT, OFF(gpus_per_task), NULL,
      BOTH },
    { "--max-concurrent", "max_concurrent", K_COUNT, OFF(max_concurrent),
      NULL, BOTH },
    { "--max-array-size", "max_array_size", K_COUNT, OFF(max_array_size),
      NULL, BOTH },
    { "--retries", "retries", K_COUNT0, OFF(retries), NULL, BOTH },
    { "--poll-max", "poll_max", K_SECONDS, OFF(poll_max), NULL, BOTH },
    { "--sbatch-extra", "sbatch_extra", K_LIST, OFF(sbatch_extra), check_line,
      SLURM },
    { "--slurm-setup", "setup", K_LIST, OFF(setup), check_line, BOTH },
    { "--pbs-dialect", "dialect", K_STR, OFF(dialect), check_dialect, PBS },
    { "--queue", "queue", K_STR, OFF(queue), check_word, PBS },
    { "--walltime", "walltime", K_STR, OFF(walltime), check_time, PBS },
    { "--select", "select", K_STR, OFF(select), check_word, PBS },
    { "--filesystems", "filesystems", K_STR, OFF(filesystems), check_word,
      PBS },
    { "--pbs-extra", "pbs_extra", K_LIST, OFF(pbs_extra), check_line, PBS },
};
/* other names of the same options */
static const struct {
    const char *alias, *flag;
} aliases[] = {
    { "--pbs-setup", "--slurm-setup" }, { "--pbs-shell", "--slurm-shell" },
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

ga_slurm_settings *ga_pbs_settings_alloc(void)
{
    ga_slurm_settings *s = ga_slurm_settings_alloc();
    if (s)
        s->pbs = 1;
    return s;
}

static int sched_of(const ga_slurm_settings *s)
{
    return s->pbs ? PBS : SLURM;
}

static const char *sched_name(const ga_slurm_settings *s)
{
    return s->pbs ? "pbs" : "slurm";
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
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (!strcmp(opt, aliases[i].alias))
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
    const char *flag = opt;
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (!strcmp(opt, aliases[i].alias))
            flag = aliases[i].flag;
    for (size_t i = 0; i < NOPTS; i++) {
        if (strcmp(flag, opts[i].flag))
            continue;
        if (!(opts[i].sched & sched_of(s)))
            return ga_error_set(err, GA_EINPUT, "%s is a %s option, not one "
                                "of --executor %s (see docs/CLUSTERS.md)", opt,
                                s->pbs ? "Slurm" : "PBS", sched_name(s));
        return set_value(s, &opts[i], value, 0, opt, err);
    }
    return ga_error_set(err, GA_EINPUT, "unknown %s option %s",
                        s->pbs ? "PBS" : "Slurm", opt);
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
    if (sch && !(cJSON_IsString(sch) && !strcmp(sch->valuestring,
                                                 sched_name(s))))
        return ga_error_set(err, GA_EINPUT, "%s: \"scheduler\" is %s; this is "
                            "the %s executor", what, cJSON_IsString(sch) ?
                            sch->valuestring : "not a string",
                            s->pbs ? "PBS" : "Slurm");
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
        if (!d || !(d->sched & sched_of(s)))
            return ga_error_set(err, GA_EINPUT, "%s is not a %s setting "
                                "(see docs/CLUSTERS.md)", where,
                                s->pbs ? "PBS" : "Slurm");
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
    cJSON_AddStringToObject(o, "scheduler", sched_name(s));
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
    int sched;
} env_map[] = {
    { "WALLTIME", "time", SLURM }, { "QUEUE", "partition", SLURM },
    { "PPN", "ntasks_per_node", SLURM },
    { "WALLTIME", "walltime", PBS }, { "QUEUE", "queue", PBS },
    { "PPN", "cpus_per_task", PBS },
    { "PROJECT", "account", BOTH }, { "PROCS", "max_concurrent", BOTH },
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
        if (!v || !*v || !(env_map[i].sched & sched_of(s)))
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
    if (s->pbs && !s->dialect && !(s->dialect = ga_strdup("pro")))
        return ga_error_set(err, GA_EFAIL, "out of memory");
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
    ga_strbuf b = { 0 };
    ga_strbuf_printf(&b, "#!%s\n", s->shell ? s->shell : "/bin/bash");
    ga_strbuf_printf(&b, "#SBATCH --job-name=%s\n", info->job_name);
    ga_strbuf_printf(&b, "#SBATCH --array=0-%zu%%%ld\n", info->ntasks - 1,
              info->max_concurrent > 0 ? info->max_concurrent : 1);
    ga_strbuf_printf(&b, "#SBATCH --output=slurm-%%A_%%a.out\n");
    for (size_t i = 0; i < NOPTS; i++) {
        const opt_def *d = &opts[i];
        if (d->off == OFF(job_name) || d->off == OFF(shell) ||
            !(d->sched & SLURM))
            continue;
        if (d->kind == K_STR && *field_str(s, d))
            ga_strbuf_printf(&b, "#SBATCH %s=%s\n", d->flag, *field_str(s, d));
        else if (d->kind == K_COUNT && d->off != OFF(max_concurrent) &&
                 d->off != OFF(max_array_size) && *field_long(s, d) > 0)
            ga_strbuf_printf(&b, "#SBATCH %s=%ld\n", d->flag, *field_long(s, d));
    }
    for (size_t i = 0; i < s->nsbatch_extra; i++)
        ga_strbuf_printf(&b, "#SBATCH %s\n", s->sbatch_extra[i]);
    ga_strbuf_printf(&b, "# gahpo: array task i runs the individual on line i+1 of "
              "the tasks file;\n# its command line is in ind_I/task.json. "
              "Nothing below expands a value.\n");
    for (size_t i = 0; i < s->nsetup; i++)
        ga_strbuf_printf(&b, "%s\n", s->setup[i]);
    char *g = ga_slurm_quote(info->gahpo);
    char *t = ga_slurm_quote(info->tasks_file);
    if (g && t)
        ga_strbuf_printf(&b, "exec %s _task %s \"$SLURM_ARRAY_TASK_ID\"\n", g, t);
    else
        b.oom = 1;
    free(g);
    free(t);
    if (b.oom) {
        free(b.data);
        ga_error_set(err, GA_EFAIL, "out of memory");
        return NULL;
    }
    return b.data;
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

/* Slurm's array indexes are below MaxArraySize, at most 4000001; gahpo
 * never has more tasks in flight than one generation, at most 1e6
 * (GA_SETTINGS_MAX_POPULATION, _OFFSPRING): a range beyond either is not
 * ours (and would take seconds and gigabytes to expand). */
#define SQUEUE_MAX_INDEX 4000000L
#define SQUEUE_MAX_TASKS 1000000UL

/* "[0-3,5,7-9%2]" (brackets already removed) into single tasks; -1 when
 * it cannot be read, -2 out of memory, -3 too many tasks. */
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
        if (b > SQUEUE_MAX_INDEX)
            return -1;
        if (*n + (size_t)(b - a + 1) > SQUEUE_MAX_TASKS)
            return -3;
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
                bad = end == t || *end || task < 0 || task > SQUEUE_MAX_INDEX
                      ? -1 : push_state(out, n, &cap, id, task, state);
            }
        }
        if (bad == -2 || (bad && !*out))
            rc = ga_error_set(err, GA_EFAIL, "out of memory");
        if (bad == -1)
            rc = ga_error_set(err, GA_EINPUT, "squeue: cannot read job id "
                              "\"%.200s\"", line);
        if (bad == -3)
            rc = ga_error_set(err, GA_EINPUT, "squeue: more than %lu tasks, "
                              "more than gahpo submits (\"%.200s\")",
                              SQUEUE_MAX_TASKS, line);
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


/* ---- the Slurm backend of exec_array.c ------------------------------------ */

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
        s[--n] = '\0';
}

static void slurm_submit_argv(const ga_slurm_script_info *info,
                              const char *script, char *argv[8], char *buf,
                              size_t bsize)
{
    (void)info;
    (void)buf;
    (void)bsize;
    argv[0] = "sbatch";
    argv[1] = "--parsable";
    argv[2] = (char *)script;
    argv[3] = NULL;
}

/* squeue's view of the arrays ids (one call): 1 when all were purged
 * ("Invalid job id"). */
static int slurm_query(const ga_slurm_settings *s, char *const *ids,
                       size_t nids, const ga_array_ref *refs, size_t n,
                       ga_slurm_task_state **states, size_t *nstates,
                       char *msg, size_t msize)
{
    (void)s;
    (void)refs;
    (void)n;
    *states = NULL;
    *nstates = 0;
    ga_strbuf list = { 0 };
    for (size_t i = 0; i < nids; i++)
        ga_strbuf_printf(&list, "%s%s", i ? "," : "", ids[i]);
    if (list.oom || !list.data) {
        free(list.data);
        snprintf(msg, msize, "out of memory");
        return -1;
    }
    char *argv[] = { "squeue", "-h", "-t", "all", "-r", "-j", list.data,
                     "-o", "%i %T", NULL };
    char *out, *errt;
    int rc = ga_array_run_cmd(argv, NULL, &out, &errt);
    int ret = 0;
    if (rc != 0) {
        trim(errt);
        ret = strstr(errt, "Invalid job id") ? 1 : -1;
        snprintf(msg, msize, "squeue: %.900s", errt[0] ? errt : "failed");
    } else {
        ga_error e;
        if (ga_slurm_parse_squeue(out, states, nstates, &e)) {
            snprintf(msg, msize, "%.900s", e.msg);
            ret = -1;
        }
    }
    free(out);
    free(errt);
    free(list.data);
    return ret;
}

static void slurm_task_id(const char *job, long index, char *buf, size_t size)
{
    snprintf(buf, size, "%s_%ld", job, index);
}

/* scontrol's JobState, Reason and ExitCode of a task. */
static void slurm_why(const char *job, long index, const char *own,
                      char *state, size_t ssize, char *detail, size_t dsize)
{
    (void)own;
    char id[160], why[128] = "", code[32] = "";
    slurm_task_id(job, index, id, sizeof id);
    char *out = NULL, *errt = NULL;
    char *argv[] = { "scontrol", "show", "job", "-o", id, NULL };
    if (ga_array_run_cmd(argv, NULL, &out, &errt) == 0) {
        ga_slurm_scontrol_field(out, index, "JobState", state, ssize);
        ga_slurm_scontrol_field(out, index, "Reason", why, sizeof why);
        ga_slurm_scontrol_field(out, index, "ExitCode", code, sizeof code);
    }
    free(out);
    free(errt);
    snprintf(detail, dsize, "Reason=%s ExitCode=%s", why[0] ? why : "?",
             code[0] ? code : "?");
}

/* Slurm's MaxArraySize (array indexes run 0..MaxArraySize-1), from
 * `scontrol show config`; 1001 (Slurm's default) if it cannot be read. */
static long slurm_max_array(void)
{
    char *argv[] = { "scontrol", "show", "config", NULL };
    char *out, *errt;
    long n = 1001;
    if (ga_array_run_cmd(argv, NULL, &out, &errt) == 0)
        n = ga_slurm_parse_max_array(out);
    free(out);
    free(errt);
    return n;
}

long ga_slurm_parse_max_array(const char *text)
{
    const char *p = strstr(text, "MaxArraySize");
    long n = p && (p = strchr(p, '=')) ? strtol(p + 1, NULL, 10) : 0;
    return n > 0 ? n : 1001;
}

/* squeue's jobs of this user whose command is script: its array job id.
 * 0 found, 1 none, -1 squeue failed. */
static int slurm_find(const char *script, char *id, size_t size)
{
    char *argv[] = { "squeue", "-h", "--me", "-o", "%F|%o", NULL };
    char *out, *errt;
    int found = -1;
    if (ga_array_run_cmd(argv, NULL, &out, &errt) == 0)
        found = ga_slurm_find_in_squeue(out, script, id, size);
    free(out);
    free(errt);
    return found;
}

int ga_slurm_find_in_squeue(const char *text, const char *script, char *id,
                            size_t size)
{
    size_t slen = strlen(script);
    for (const char *l = text; *l;) {
        size_t len = strcspn(l, "\n");
        const char *bar = memchr(l, '|', len);
        size_t idlen = bar ? (size_t)(bar - l) : 0;
        if (bar && idlen > 0 && idlen < size && len - idlen - 1 == slen &&
            memcmp(bar + 1, script, slen) == 0) {
            memcpy(id, l, idlen);
            id[idlen] = '\0';
            return 0;
        }
        l += len + (l[len] == '\n');
    }
    return 1;
}

static const ga_array_backend slurm_backend = {
    .name = "slurm",
    .label = "Slurm",
    .submit_cmd = "sbatch",
    .cancel_cmd = "scancel",
    .script = ga_slurm_script,
    .submit_argv = slurm_submit_argv,
    .parse_id = ga_slurm_parse_jobid,
    .query = slurm_query,
    .state_final = ga_slurm_state_final,
    .state_reason = ga_slurm_state_reason,
    .task_id = slurm_task_id,
    .why = slurm_why,
    .output_hint = "slurm-%s.out",
    .max_array = slurm_max_array,
    .find = slurm_find,
};

ga_executor *ga_exec_slurm_alloc(const ga_exec_slurm_opts *o, ga_error *err)
{
    if (o->slurm && o->slurm->pbs) {
        ga_error_set(err, GA_EINPUT, "PBS settings given to the Slurm executor");
        return NULL;
    }
    return ga_exec_array_alloc(o, &slurm_backend, err);
}
