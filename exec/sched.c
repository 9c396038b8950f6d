/* sched.c - the scheduler settings the Slurm and PBS executors share
 * (exec.h): one table of options, each with its command-line flag, its
 * site-profile and run.json key, its kind, its check and the schedulers it
 * applies to; setting them from the command line, CANDLE's variables and
 * site profiles, to and from JSON, copying and freeing them; and the
 * quoting of the scripts' two arguments. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "../ga/util.h"

char *ga_sched_quote(const char *s)
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

int ga_sched_check_word(const char *what, const char *v, ga_error *err)
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

#define OFF(f) offsetof(ga_sched_settings, f)
static const opt_def opts[] = {
    { "--partition", "partition", K_STR, OFF(partition), ga_sched_check_word, SLURM },
    { "--account", "account", K_STR, OFF(account), ga_sched_check_word, BOTH },
    { "--time", "time", K_STR, OFF(time), check_time, SLURM },
    { "--mem", "mem", K_STR, OFF(mem), check_mem, BOTH },
    { "--job-name", "job_name", K_STR, OFF(job_name), ga_sched_check_word, BOTH },
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
    { "--queue", "queue", K_STR, OFF(queue), ga_sched_check_word, PBS },
    { "--walltime", "walltime", K_STR, OFF(walltime), check_time, PBS },
    { "--select", "select", K_STR, OFF(select), ga_sched_check_word, PBS },
    { "--filesystems", "filesystems", K_STR, OFF(filesystems), ga_sched_check_word,
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

static char **field_str(ga_sched_settings *s, const opt_def *d)
{
    return (char **)((char *)s + d->off);
}
static long *field_long(ga_sched_settings *s, const opt_def *d)
{
    return (long *)((char *)s + d->off);
}
static double *field_double(ga_sched_settings *s, const opt_def *d)
{
    return (double *)((char *)s + d->off);
}
/* a list field is followed by its count */
static char ***field_list(ga_sched_settings *s, const opt_def *d)
{
    return (char ***)((char *)s + d->off);
}
static size_t *field_count(ga_sched_settings *s, const opt_def *d)
{
    return (size_t *)((char *)s + d->off + sizeof(char **));
}

ga_sched_settings *ga_sched_settings_alloc(ga_sched_kind kind)
{
    ga_sched_settings *s = calloc(1, sizeof *s);
    if (s) {
        s->kind = kind;
        s->retries = -1;
    }
    return s;
}

static int sched_of(const ga_sched_settings *s)
{
    return (s->kind == GA_SCHED_PBS) ? PBS : SLURM;
}

static const char *sched_name(const ga_sched_settings *s)
{
    return (s->kind == GA_SCHED_PBS) ? "pbs" : "slurm";
}

void ga_sched_settings_free(ga_sched_settings *s)
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

int ga_sched_option_known(const char *opt)
{
    for (size_t i = 0; i < NOPTS; i++)
        if (!strcmp(opt, opts[i].flag))
            return 1;
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (!strcmp(opt, aliases[i].alias))
            return 1;
    return !strcmp(opt, "--site") || !strcmp(opt, "--executor");
}

static int list_add(ga_sched_settings *s, const opt_def *d, const char *v,
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
static int set_value(ga_sched_settings *s, const opt_def *d, const char *v,
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

int ga_sched_settings_set(ga_sched_settings *s, const char *opt,
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
                                (s->kind == GA_SCHED_PBS) ? "Slurm" : "PBS", sched_name(s));
        return set_value(s, &opts[i], value, 0, opt, err);
    }
    return ga_error_set(err, GA_EINPUT, "unknown %s option %s",
                        (s->kind == GA_SCHED_PBS) ? "PBS" : "Slurm", opt);
}

static const opt_def *find_key(const char *key)
{
    for (size_t i = 0; i < NOPTS; i++)
        if (!strcmp(key, opts[i].key))
            return &opts[i];
    return NULL;
}

int ga_sched_settings_apply_json(ga_sched_settings *s, const cJSON *o,
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
                            (s->kind == GA_SCHED_PBS) ? "PBS" : "Slurm");
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
                                (s->kind == GA_SCHED_PBS) ? "PBS" : "Slurm");
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

cJSON *ga_sched_settings_to_json(const ga_sched_settings *cs)
{
    ga_sched_settings *s = (ga_sched_settings *)cs;  /* read only */
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

static int apply_site(ga_sched_settings *s, const char *site, ga_error *err)
{
    /* at most PATH_MAX, and a site's name at most 511 bytes (a file name
     * is at most 255): a longer one fails with ga_path's short message,
     * not cut to another site's name nor refused by the system in a
     * message the name would fill */
    char path[PATH_MAX];
    if (!strchr(site, '/') && !strstr(site, ".json")) {
        char rel[512];
        if (ga_path(rel, sizeof rel, err, "sites/%s.json", site) ||
            ga_data_path(rel, path, sizeof path, err))
            return GA_EINPUT;
    } else if (ga_path(path, sizeof path, err, "%s", site)) {
        return GA_EINPUT;
    }
    char *text = ga_read_file(path, NULL, err);
    if (!text)
        return GA_EINPUT;
    cJSON *o = cJSON_Parse(text);
    free(text);
    if (!o)
        return ga_error_set(err, GA_EINPUT, "%s: invalid JSON", path);
    int rc = ga_sched_settings_apply_json(s, o, path, err);
    cJSON_Delete(o);
    char abs[PATH_MAX];
    if (rc == GA_OK && !s->site &&
        !(s->site = ga_strdup(realpath(path, abs) ? abs : path)))
        rc = ga_error_set(err, GA_EFAIL, "out of memory");
    return rc;
}

int ga_sched_settings_resolve(ga_sched_settings *s, const char *site,
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
    if ((s->kind == GA_SCHED_PBS) && !s->dialect && !(s->dialect = ga_strdup("pro")))
        return ga_error_set(err, GA_EFAIL, "out of memory");
    return GA_OK;
}

ga_sched_settings *ga_sched_settings_copy(const ga_sched_settings *from)
{
    ga_sched_settings *s = ga_sched_settings_alloc(from->kind);
    if (!s)
        return NULL;
    int ok = 1;
    for (size_t i = 0; i < NOPTS; i++) {
        const opt_def *d = &opts[i];
        ga_sched_settings *f = (ga_sched_settings *)from;
        switch (d->kind) {
        case K_STR:
            if (*field_str(f, d))
                ok &= (*field_str(s, d) = ga_strdup(*field_str(f, d))) != NULL;
            break;
        case K_COUNT:
        case K_COUNT0:
            *field_long(s, d) = *field_long(f, d);
            break;
        case K_SECONDS:
            *field_double(s, d) = *field_double(f, d);
            break;
        case K_LIST:
            for (size_t j = 0; ok && j < *field_count(f, d); j++) {
                ga_error e;
                ok &= list_add(s, d, (*field_list(f, d))[j], 0, &e) == GA_OK;
            }
            break;
        }
    }
    s->kind = from->kind;
    if (from->site)
        ok &= (s->site = ga_strdup(from->site)) != NULL;
    if (!ok) {
        ga_sched_settings_free(s);
        return NULL;
    }
    return s;
}

void ga_sched_sbatch_lines(const ga_sched_settings *cs, ga_strbuf *b)
{
    ga_sched_settings *s = (ga_sched_settings *)cs;
    for (size_t i = 0; i < NOPTS; i++) {
        const opt_def *d = &opts[i];
        if (d->off == OFF(job_name) || d->off == OFF(shell) ||
            !(d->sched & SLURM))
            continue;
        if (d->kind == K_STR && *field_str(s, d))
            ga_strbuf_printf(b, "#SBATCH %s=%s\n", d->flag, *field_str(s, d));
        else if (d->kind == K_COUNT && d->off != OFF(max_concurrent) &&
                 d->off != OFF(max_array_size) && *field_long(s, d) > 0)
            ga_strbuf_printf(b, "#SBATCH %s=%ld\n", d->flag, *field_long(s, d));
    }
}
