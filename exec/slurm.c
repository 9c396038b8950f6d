/* slurm.c - the Slurm executor: one job array per generation.
 *
 * This file holds the batch script whose only shell expansion is
 * "$SLURM_ARRAY_TASK_ID", reading squeue / scontrol / sbatch output, and
 * the Slurm backend of array.c, which does the rest (job directories,
 * `gahpo _task`, status files, polling, retries, cancel, reattach) for both
 * schedulers. The settings it shares with PBS are in sched.c. */
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

/* ---- the batch script -------------------------------------------------- */

char *ga_slurm_script(const ga_sched_settings *s,
                      const ga_array_script_info *info, ga_error *err)
{
    if (info->ntasks < 1) {
        ga_error_set(err, GA_EINPUT, "a job array needs at least one task");
        return NULL;
    }
    if (ga_sched_check_word("job name", info->job_name, err))
        return NULL;
    ga_strbuf b = { 0 };
    ga_strbuf_printf(&b, "#!%s\n", s->shell ? s->shell : "/bin/bash");
    ga_strbuf_printf(&b, "#SBATCH --job-name=%s\n", info->job_name);
    ga_strbuf_printf(&b, "#SBATCH --array=0-%zu%%%ld\n", info->ntasks - 1,
              info->max_concurrent > 0 ? info->max_concurrent : 1);
    ga_strbuf_printf(&b, "#SBATCH --output=slurm-%%A_%%a.out\n");
    ga_sched_sbatch_lines(s, &b);
    for (size_t i = 0; i < s->nsbatch_extra; i++)
        ga_strbuf_printf(&b, "#SBATCH %s\n", s->sbatch_extra[i]);
    ga_strbuf_printf(&b, "# gahpo: array task i runs the individual on line i+1 of "
              "the tasks file;\n# its command line is in ind_I/task.json. "
              "Nothing below expands a value.\n");
    for (size_t i = 0; i < s->nsetup; i++)
        ga_strbuf_printf(&b, "%s\n", s->setup[i]);
    char *g = ga_sched_quote(info->gahpo);
    char *t = ga_sched_quote(info->tasks_file);
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

static int push_state(ga_array_task_state **out, size_t *n, size_t *cap,
                      const char *job, long task, const char *state)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 64;
        ga_array_task_state *g = realloc(*out, c * sizeof *g);
        if (!g)
            return -1;
        *out = g;
        *cap = c;
    }
    ga_array_task_state *e = &(*out)[(*n)++];
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
                        ga_array_task_state **out, size_t *n, size_t *cap)
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

int ga_slurm_parse_squeue(const char *text, ga_array_task_state **out,
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


/* ---- the Slurm backend of array.c ------------------------------------ */

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
        s[--n] = '\0';
}

static void slurm_submit_argv(const ga_array_script_info *info,
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
static int slurm_query(const ga_sched_settings *s, char *const *ids,
                       size_t nids, const ga_array_ref *refs, size_t n,
                       ga_array_task_state **states, size_t *nstates,
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

ga_executor *ga_exec_slurm_alloc(const ga_exec_array_opts *o, ga_error *err)
{
    if (o->sched && (o->sched->kind == GA_SCHED_PBS)) {
        ga_error_set(err, GA_EINPUT, "PBS settings given to the Slurm executor");
        return NULL;
    }
    return ga_exec_array_alloc(o, &slurm_backend, err);
}
