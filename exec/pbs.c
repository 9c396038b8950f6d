/* pbs.c - the PBS executor: one job array per generation, in the two
 * dialects sites run. PBS Pro / OpenPBS: `qsub -J 0-N`, PBS_ARRAY_INDEX,
 * `#PBS -l select=...`, state from `qstat -x -t -f -F json`. Torque:
 * `qsub -t 0-N`, PBS_ARRAYID, `qstat -f`. Everything else (job directories,
 * `gahpo _task`, status files, retries, cancel, reattach) is array.c's,
 * shared with the Slurm executor; this file is the PBS backend of it,
 * including, for PBS Pro, finding a submission jobs.txt never recorded. */
#include <limits.h>
#include <math.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "array.h"
#include "../ga/util.h"

static int torque(const ga_sched_settings *s)
{
    return s->dialect && !strcmp(s->dialect, "torque");
}

/* ---- the batch script --------------------------------------------------- */

/* "16G" (Slurm's form, which --mem takes) as PBS's "16gb"; plain megabytes
 * as "Nmb". */
static void pbs_mem(const char *mem, char *buf, size_t size)
{
    size_t n = strspn(mem, "0123456789");
    char unit = mem[n] ? (char)(mem[n] - 'A' + 'a') : 'm';
    snprintf(buf, size, "%.*s%cb", (int)n, mem, unit);
}

char *ga_pbs_script(const ga_sched_settings *s,
                    const ga_array_script_info *info, ga_error *err)
{
    if (info->ntasks < 1) {
        ga_error_set(err, GA_EINPUT, "a job array needs at least one task");
        return NULL;
    }
    for (const char *c = info->job_name; *c; c++)
        if ((unsigned char)*c <= ' ' || strchr("\"'\\#", *c)) {
            ga_error_set(err, GA_EINPUT, "job name \"%s\": blanks, quotes, "
                         "backslashes and # are not allowed", info->job_name);
            return NULL;
        }
    int tq = torque(s);
    ga_strbuf b = { 0 };
    char mem[64] = "";
    if (s->mem)
        pbs_mem(s->mem, mem, sizeof mem);
    ga_strbuf_printf(&b, "#!%s\n", s->shell ? s->shell : "/bin/bash");
    ga_strbuf_printf(&b, "#PBS -N %s\n", info->job_name);
    if (s->account)
        ga_strbuf_printf(&b, "#PBS -A %s\n", s->account);
    if (s->queue)
        ga_strbuf_printf(&b, "#PBS -q %s\n", s->queue);
    if (s->walltime)
        ga_strbuf_printf(&b, "#PBS -l walltime=%s\n", s->walltime);
    if (s->select) {
        ga_strbuf_printf(&b, "#PBS -l %s=%s\n", tq ? "nodes" : "select",
                     s->select);
    } else if (!tq && (s->nodes || s->cpus_per_task || s->gpus_per_task ||
                       s->mem)) {
        ga_strbuf_printf(&b, "#PBS -l select=%ld", s->nodes ? s->nodes : 1);
        if (s->cpus_per_task)
            ga_strbuf_printf(&b, ":ncpus=%ld", s->cpus_per_task);
        if (s->gpus_per_task)
            ga_strbuf_printf(&b, ":ngpus=%ld", s->gpus_per_task);
        if (s->mem)
            ga_strbuf_printf(&b, ":mem=%s", mem);
        ga_strbuf_printf(&b, "\n");
    } else if (tq && (s->nodes || s->cpus_per_task || s->gpus_per_task)) {
        ga_strbuf_printf(&b, "#PBS -l nodes=%ld", s->nodes ? s->nodes : 1);
        if (s->cpus_per_task)
            ga_strbuf_printf(&b, ":ppn=%ld", s->cpus_per_task);
        if (s->gpus_per_task)
            ga_strbuf_printf(&b, ":gpus=%ld", s->gpus_per_task);
        ga_strbuf_printf(&b, "\n");
    }
    if (tq && s->mem)
        ga_strbuf_printf(&b, "#PBS -l mem=%s\n", mem);
    if (s->filesystems)
        ga_strbuf_printf(&b, "#PBS -l filesystems=%s\n", s->filesystems);
    for (size_t i = 0; i < s->npbs_extra; i++)
        ga_strbuf_printf(&b, "#PBS %s\n", s->pbs_extra[i]);
    ga_strbuf_printf(&b, "# gahpo: the array (%s on qsub's command line) task i "
                 "runs the individual\n# on line i+1 of the tasks file; its "
                 "command line is in ind_I/task.json.\n# Nothing below "
                 "expands a value.\n", tq ? "-t" : "-J");
    for (size_t i = 0; i < s->nsetup; i++)
        ga_strbuf_printf(&b, "%s\n", s->setup[i]);
    char *g = ga_sched_quote(info->gahpo);
    char *t = ga_sched_quote(info->tasks_file);
    /* Torque's own PBS_ARRAYID; Slurm's torque wrappers set only Slurm's
     * variable. PBS Pro: a single task is a plain job, index 0. */
    if (g && t)
        ga_strbuf_printf(&b, "exec %s _task %s \"%s\"\n", g, t,
                     tq ? "${PBS_ARRAYID:-${SLURM_ARRAY_TASK_ID:-0}}"
                        : "${PBS_ARRAY_INDEX:-0}");
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

/* qsub's argv: the array on the command line. PBS Pro's -J needs two
 * elements or more, so one task is a plain job. %N limits the tasks at
 * once, only when it is below the array's size. */
void ga_pbs_qsub_argv(const char *dialect, const ga_array_script_info *info,
                      const char *script, char *argv[8], char *buf,
                      size_t bsize)
{
    int tq = dialect && !strcmp(dialect, "torque");
    int a = 0;
    argv[a++] = "qsub";
    if (tq || info->ntasks > 1) {
        argv[a++] = tq ? "-t" : "-J";
        int n = snprintf(buf, bsize, "0-%zu", info->ntasks - 1);
        if (info->max_concurrent > 0 &&
            (size_t)info->max_concurrent < info->ntasks && n > 0 &&
            (size_t)n < bsize)
            snprintf(buf + n, bsize - (size_t)n, "%%%ld", info->max_concurrent);
        argv[a++] = buf;
    }
    argv[a++] = (char *)script;
    argv[a] = NULL;
}

static void pro_submit_argv(const ga_array_script_info *info,
                            const char *script, char *argv[8], char *buf,
                            size_t bsize)
{
    ga_pbs_qsub_argv("pro", info, script, argv, buf, bsize);
}

static void torque_submit_argv(const ga_array_script_info *info,
                               const char *script, char *argv[8], char *buf,
                               size_t bsize)
{
    ga_pbs_qsub_argv("torque", info, script, argv, buf, bsize);
}

int ga_pbs_parse_jobid(const char *text, char *id, size_t size)
{
    const char *p = text;
    while (*p == ' ' || *p == '\n' || *p == '\t')
        p++;
    size_t n = 0;
    while (p[n] && p[n] != '\n' && p[n] != ' ' && p[n] != '\r') {
        char c = p[n];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || strchr(".-_[]", c)))
            return -1;
        n++;
    }
    if (n == 0 || n >= size || p[0] < '0' || p[0] > '9')
        return -1;
    memcpy(id, p, n);
    id[n] = '\0';
    return 0;
}

/* ---- states ----------------------------------------------------------------
 * Live states are PBS's letters (Q, R, H, W, E, B, ...); a task that ended
 * gets a word from its exit status, since PBS's F / X / C alone say nothing
 * of how it went. */

int ga_pbs_state_final(const char *state)
{
    return state && strlen(state) > 1;
}

/* The final word for an exit status (has_exit 0: none recorded). Negative
 * values are PBS Pro's JOB_EXEC_KILL_* codes: -29 walltime, -27 mem,
 * -26 vmem, -28 cput, -25/-24 ncpus. */
static void final_state(int has_exit, long code, char *buf, size_t size)
{
    const char *w = !has_exit ? "ENDED"
                  : code == 0 ? "FINISHED"
                  : code > 256 ? "KILLED"
                  : code > 0 ? "FAILED"
                  : code == -29 ? "WALLTIME"
                  : code == -27 || code == -26 ? "MEMLIMIT"
                  : code == -28 || code == -25 || code == -24 ? "CPULIMIT"
                  : "EXEC_FAILED";
    snprintf(buf, size, "%s", w);
}

/* An Exit_status that is a whole number an exit status can be: 1 with it
 * in *code; else 0 (read as none recorded), *code 0. */
static int exit_code(const cJSON *ex, long *code)
{
    *code = 0;
    if (!cJSON_IsNumber(ex) || !(fabs(ex->valuedouble) <= 1e6) ||
        ex->valuedouble != floor(ex->valuedouble))
        return 0;
    *code = (long)ex->valuedouble;
    return 1;
}

const char *ga_pbs_state_reason(const char *state)
{
    static const struct {
        const char *state, *why;
    } map[] = {
        { "FINISHED", "the task ended normally" },
        { "FAILED", "the task exited non-zero" },
        { "KILLED", "the task was killed by a signal (qdel, or an "
                    "administrator)" },
        { "WALLTIME", "the task reached its walltime limit" },
        { "MEMLIMIT", "the task exceeded its memory limit" },
        { "CPULIMIT", "the task exceeded its CPU time limit" },
        { "EXEC_FAILED", "PBS could not start the task" },
        { "ENDED", "the task ended without an exit status (deleted before it "
                   "ran, or Torque, which does not record one)" },
    };
    if (!state)
        return "unknown state";
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(state, map[i].state))
            return map[i].why;
    return ga_pbs_state_final(state) ? "the task ended in an unusual state"
                                     : "the task has not ended";
}

static int push(ga_array_task_state **out, size_t *n, const char *job,
                long task, const char *state)
{
    ga_array_task_state *g = realloc(*out, (*n + 1) * sizeof *g);
    if (!g)
        return -1;
    *out = g;
    ga_array_task_state *e = &g[(*n)++];
    snprintf(e->job, sizeof e->job, "%s", job);
    e->task = task;
    snprintf(e->state, sizeof e->state, "%s", state);
    return 0;
}

/* "123[4].srv" -> job "123[].srv", index 4; "123.srv" -> itself, -1. */
static long split_subjob(const char *id, char *job, size_t size)
{
    const char *open = strchr(id, '['), *close = open ? strchr(open, ']')
                                                      : NULL;
    if (!open || !close || close == open + 1) {
        snprintf(job, size, "%s", id);
        return -1;
    }
    char *end;
    long k = strtol(open + 1, &end, 10);
    if (end != close || k < 0) {
        snprintf(job, size, "%s", id);
        return -1;
    }
    snprintf(job, size, "%.*s[]%s", (int)(open - id), id, close + 1);
    return k;
}

int ga_pbs_parse_qstat_json(const char *text, ga_array_task_state **out,
                            size_t *n, ga_error *err)
{
    *out = NULL;
    *n = 0;
    cJSON *o = cJSON_Parse(text ? text : "");
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return ga_error_set(err, GA_EINPUT, "qstat: not JSON: \"%.200s\"",
                            text ? text : "");
    }
    const cJSON *jobs = cJSON_GetObjectItemCaseSensitive(o, "Jobs");
    const cJSON *j;
    int rc = GA_OK;
    if (jobs && !cJSON_IsObject(jobs)) {  /* entries without ids */
        cJSON_Delete(o);
        return ga_error_set(err, GA_EINPUT, "qstat: 'Jobs' is not an object");
    }
    cJSON_ArrayForEach(j, jobs) {
        char job[128], state[32];
        long code = 0;
        long k = split_subjob(j->string, job, sizeof job);
        const char *br = strchr(j->string, '[');
        if (br && br[1] == ']')
            continue;  /* the array's own record; its subjobs follow */
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(j, "job_state");
        const cJSON *ex = cJSON_GetObjectItemCaseSensitive(j, "Exit_status");
        if (!cJSON_IsString(st)) {
            rc = ga_error_set(err, GA_EINPUT, "qstat: %s has no job_state",
                              j->string);
            break;
        }
        if (!strcmp(st->valuestring, "F") || !strcmp(st->valuestring, "X")) {
            int has_exit = exit_code(ex, &code);
            final_state(has_exit, code, state, sizeof state);
        } else {
            snprintf(state, sizeof state, "%.1s", st->valuestring);
        }
        if (push(out, n, job, k < 0 ? 0 : k, state)) {
            rc = ga_error_set(err, GA_EFAIL, "out of memory");
            break;
        }
    }
    cJSON_Delete(o);
    if (rc) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

/* The value of "key = value" in a qstat -f record (up to its end). */
static int record_field(const char *rec, const char *end, const char *key,
                        char *buf, size_t size)
{
    size_t kl = strlen(key);
    for (const char *l = rec; l && l < end; l = strchr(l, '\n')) {
        while (l < end && (*l == '\n' || *l == ' ' || *l == '\t'))
            l++;
        if (!strncmp(l, key, kl) && strspn(l + kl, " \t") &&
            l[kl + strspn(l + kl, " \t")] == '=') {
            const char *v = l + kl + strspn(l + kl, " \t") + 1;
            v += strspn(v, " \t");
            size_t len = strcspn(v, "\n");
            if (v + len > end)
                len = (size_t)(end - v);
            snprintf(buf, size, "%.*s", (int)len, v);
            return 0;
        }
    }
    return -1;
}

int ga_pbs_parse_qstat_torque(const char *text, char *const *ids, size_t nids,
                              const ga_array_ref *refs, size_t nrefs,
                              ga_array_task_state **out, size_t *n,
                              ga_error *err)
{
    *out = NULL;
    *n = 0;
    int rc = GA_OK;
    const char *rec = text ? strstr(text, "Job Id:") : NULL;
    while (rec && rc == GA_OK) {
        const char *next = strstr(rec + 7, "Job Id:");
        const char *end = next ? next : rec + strlen(rec);
        char id[128] = "", js[32] = "", code[32] = "", state[32], job[128];
        sscanf(rec + 7, " %127s", id);
        record_field(rec, end, "job_state", js, sizeof js);
        int has_exit = record_field(rec, end, "exit_status", code,
                                    sizeof code) == 0;
        if (!id[0] || !js[0]) {
            rc = ga_error_set(err, GA_EINPUT, "qstat: cannot read a record: "
                              "\"%.200s\"", rec);
            break;
        }
        if (!strcmp(js, "C"))
            final_state(has_exit, strtol(code, NULL, 10), state, sizeof state);
        else
            snprintf(state, sizeof state, "%.1s", js);
        long k = split_subjob(id, job, sizeof job);
        int bad = 0;
        if (k >= 0) {
            bad = push(out, n, job, k, state);  /* real Torque: 123[4].srv */
        } else {
            /* Slurm's wrappers: a started task is a job of its own (its id
             * from job_id.txt); the array's id is the rest, not started */
            int master = 0;
            for (size_t i = 0; i < nids; i++)
                master |= !strcmp(ids[i], id);
            for (size_t i = 0; i < nrefs && !bad; i++)
                if (!strcmp(refs[i].own, id) ||
                    (master && !refs[i].own[0] && !strcmp(refs[i].job, id)))
                    bad = push(out, n, refs[i].job, refs[i].index, state);
        }
        if (bad)
            rc = ga_error_set(err, GA_EFAIL, "out of memory");
        rec = next;
    }
    if (rc) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

/* ---- asking qstat -------------------------------------------------------- */

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
        s[--n] = '\0';
}

static int unknown_job(const char *msg)
{
    return strstr(msg, "Unknown Job") || strstr(msg, "unknown job") ||
           strstr(msg, "Job has finished");
}

static int pbs_query(const ga_sched_settings *s, char *const *ids,
                     size_t nids, const ga_array_ref *refs, size_t nrefs,
                     ga_array_task_state **states, size_t *nstates, char *msg,
                     size_t msize)
{
    *states = NULL;
    *nstates = 0;
    int tq = torque(s);
    /* Torque: the arrays, and the tasks known by their own ids */
    size_t cap = 8 + nids + (tq ? nrefs : 0), a = 0;
    char **argv = calloc(cap, sizeof *argv);
    if (!argv) {
        snprintf(msg, msize, "out of memory");
        return -1;
    }
    argv[a++] = "qstat";
    if (!tq) {
        argv[a++] = "-x";
        argv[a++] = "-t";
    }
    argv[a++] = "-f";
    if (!tq) {
        argv[a++] = "-F";
        argv[a++] = "json";
    }
    for (size_t i = 0; i < nids; i++)
        argv[a++] = ids[i];
    for (size_t i = 0; tq && i < nrefs; i++) {
        int dup = !refs[i].own[0];
        for (size_t j = 1; j < a && !dup; j++)
            dup = !strcmp(argv[j], refs[i].own);
        if (!dup)
            argv[a++] = (char *)refs[i].own;
    }
    argv[a] = NULL;
    char *out, *errt;
    int rc = ga_array_run_cmd(argv, NULL, &out, &errt);
    free(argv);
    int ret = 0;
    trim(errt);
    ga_error e;
    /* qstat exits non-zero when one id is unknown, yet prints the rest */
    if (rc != 0 && !(out[0] && unknown_job(errt))) {
        ret = unknown_job(errt) || (tq && rc == 153 && !out[0]) ? 1 : -1;
        snprintf(msg, msize, "qstat: %.900s", errt[0] ? errt : "failed");
    } else if (tq ? ga_pbs_parse_qstat_torque(out, ids, nids, refs, nrefs,
                                              states, nstates, &e)
                  : ga_pbs_parse_qstat_json(out, states, nstates, &e)) {
        snprintf(msg, msize, "%.900s", e.msg);
        ret = -1;
    }
    free(out);
    free(errt);
    return ret;
}

static void pbs_task_id(const char *job, long index, char *buf, size_t size)
{
    const char *br = strstr(job, "[]");
    if (br)
        snprintf(buf, size, "%.*s[%ld]%s", (int)(br - job), job, index, br + 2);
    else
        snprintf(buf, size, "%s[%ld]", job, index);
}

/* qstat's account of one task: state, exit status, comment. */
static void why(int tq, const char *job, long index, const char *own,
                char *state, size_t ssize, char *detail, size_t dsize)
{
    char id[160];
    if (own && own[0])
        snprintf(id, sizeof id, "%s", own);
    else if (!tq && !strchr(job, '['))
        snprintf(id, sizeof id, "%s", job);  /* a plain job */
    else
        pbs_task_id(job, index, id, sizeof id);
    char *argv[] = { "qstat", "-x", "-f", "-F", "json", id, NULL };
    char *targv[] = { "qstat", "-f", id, NULL };
    char *out = NULL, *errt = NULL;
    detail[0] = '\0';
    if (ga_array_run_cmd(tq ? targv : argv, NULL, &out, &errt) == 0) {
        char js[32] = "", code[32] = "", comment[160] = "";
        if (tq) {
            const char *end = out + strlen(out);
            record_field(out, end, "job_state", js, sizeof js);
            record_field(out, end, "exit_status", code, sizeof code);
            record_field(out, end, "comment", comment, sizeof comment);
        } else {
            cJSON *o = cJSON_Parse(out);
            const cJSON *jobs = cJSON_GetObjectItemCaseSensitive(o, "Jobs");
            const cJSON *j = jobs ? jobs->child : NULL, *v;
            if (cJSON_IsString(v = cJSON_GetObjectItem(j, "job_state")))
                snprintf(js, sizeof js, "%.30s", v->valuestring);
            if (cJSON_IsNumber(v = cJSON_GetObjectItem(j, "Exit_status")))
                snprintf(code, sizeof code, "%ld", (long)v->valuedouble);
            if (cJSON_IsString(v = cJSON_GetObjectItem(j, "comment")))
                snprintf(comment, sizeof comment, "%.150s", v->valuestring);
            cJSON_Delete(o);
        }
        if (js[0] && (!strcmp(js, "F") || !strcmp(js, "X") ||
                      !strcmp(js, "C")))
            final_state(code[0] != '\0', strtol(code, NULL, 10), state, ssize);
        snprintf(detail, dsize, "job_state=%s Exit_status=%s%s%.150s",
                 js[0] ? js : "?", code[0] ? code : "?",
                 comment[0] ? " comment=" : "", comment);
    }
    free(out);
    free(errt);
}

static void pro_why(const char *job, long index, const char *own, char *state,
                    size_t ssize, char *detail, size_t dsize)
{
    why(0, job, index, own, state, ssize, detail, dsize);
}

static void torque_why(const char *job, long index, const char *own,
                       char *state, size_t ssize, char *detail, size_t dsize)
{
    why(1, job, index, own, state, ssize, detail, dsize);
}

/* ---- finding a submission jobs.txt never recorded ------------------------
 * PBS Pro keeps qsub's command line as Submit_arguments and its working
 * directory as PBS_O_WORKDIR; the driver runs `qsub [-J 0-N[%M]] SCRIPT`
 * in SCRIPT's directory, so together they name the submission. */

/* s is tail, or ends with a blank and tail. */
static int ends_with_arg(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return t && n >= t && !strcmp(s + n - t, tail) &&
           (n == t || s[n - t - 1] == ' ');
}

/* PBS_O_WORKDIR of a Variable_List into buf: an object (PBS Pro's JSON),
 * or "K=V,K=V" text with commas in values escaped by a backslash. */
static int workdir_of(const cJSON *vars, char *buf, size_t size)
{
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(vars, "PBS_O_WORKDIR");
    if (cJSON_IsString(w))  /* too long: none, never a cut name */
        return ga_path(buf, size, NULL, "%s", w->valuestring) ? -1 : 0;
    if (!cJSON_IsString(vars))
        return -1;
    const char *key = "PBS_O_WORKDIR=", *v = vars->valuestring;
    while ((v = strstr(v, key)) && v != vars->valuestring && v[-1] != ',')
        v += strlen(key);
    if (!v)
        return -1;
    size_t n = 0;
    for (v += strlen(key); *v && *v != ','; v++) {
        if (*v == '\\' && v[1])
            v++;
        if (n + 1 >= size) {  /* too long: none, never a cut name */
            buf[0] = '\0';
            return -1;
        }
        buf[n++] = *v;
    }
    buf[n] = '\0';
    return 0;
}

/* a and b name one directory: the same text, or the same inode (qsub may
 * record the physical path of a directory reached through a symlink). */
static int same_dir(const char *a, const char *b)
{
    struct stat x, y;
    return !strcmp(a, b) || (stat(a, &x) == 0 && stat(b, &y) == 0 &&
                             x.st_dev == y.st_dev && x.st_ino == y.st_ino);
}

int ga_pbs_find_in_qstat_json(const char *text, const char *script,
                              const char *user, char *id, size_t size)
{
    const char *slash = strrchr(script, '/');
    if (!slash || !slash[1])
        return -1;
    char dir[PATH_MAX];  /* the script's: a longer one was never written */
    if (ga_path(dir, sizeof dir, NULL, "%.*s", (int)(slash - script),
                script))
        return -1;  /* cannot tell, as for qstat's text */
    if (!dir[0])
        ga_path(dir, sizeof dir, NULL, "/");
    cJSON *o = cJSON_Parse(text ? text : "");
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return -1;  /* qstat said something else: cannot tell */
    }
    const cJSON *jobs = cJSON_GetObjectItemCaseSensitive(o, "Jobs"), *j;
    if (jobs && !cJSON_IsObject(jobs)) {  /* entries without ids */
        cJSON_Delete(o);
        return -1;
    }
    int found = 1;
    cJSON_ArrayForEach(j, jobs) {
        const char *br = strchr(j->string, '[');
        if (br && br[1] != ']')
            continue;  /* a subjob (qstat -t): its array is listed too */
        const cJSON *args = cJSON_GetObjectItemCaseSensitive(
                          j, "Submit_arguments");
        const cJSON *owner = cJSON_GetObjectItemCaseSensitive(j, "Job_Owner");
        char wd[PATH_MAX];
        if (!cJSON_IsString(args) ||
            (!ends_with_arg(args->valuestring, script) &&
             !ends_with_arg(args->valuestring, slash + 1)) ||
            workdir_of(cJSON_GetObjectItemCaseSensitive(j, "Variable_List"),
                       wd, sizeof wd) || !same_dir(wd, dir))
            continue;
        if (user && cJSON_IsString(owner)) {  /* "user@host" */
            size_t n = strcspn(owner->valuestring, "@");
            if (n != strlen(user) || strncmp(owner->valuestring, user, n))
                continue;
        }
        found = -1;  /* found, but its id does not fit */
        if (strlen(j->string) < size) {
            snprintf(id, size, "%s", j->string);
            found = 0;
        }
        break;
    }
    cJSON_Delete(o);
    return found;
}

/* PBS Pro: the queued and running jobs (finished arrays need not be
 * found: their tasks' status files are collected anyway). */
static int pro_find(const char *script, char *id, size_t size)
{
    char *argv[] = { "qstat", "-f", "-F", "json", NULL };
    char *out, *errt;
    int found = -1;  /* qstat failed: cannot tell */
    if (ga_array_run_cmd(argv, NULL, &out, &errt) == 0) {
        const struct passwd *pw = getpwuid(geteuid());
        found = ga_pbs_find_in_qstat_json(out, script, pw ? pw->pw_name : NULL,
                                          id, size);
    }
    free(out);
    free(errt);
    return found;
}

static const ga_array_backend pro_backend = {
    .name = "pbs",
    .label = "PBS",
    .submit_cmd = "qsub",
    .cancel_cmd = "qdel",
    .script = ga_pbs_script,
    .submit_argv = pro_submit_argv,
    .parse_id = ga_pbs_parse_jobid,
    .query = pbs_query,
    .state_final = ga_pbs_state_final,
    .state_reason = ga_pbs_state_reason,
    .task_id = pbs_task_id,
    .why = pro_why,
    .output_hint = "*.o* (PBS's output of %s)",
    .find = pro_find,
};

static const ga_array_backend torque_backend = {
    .name = "pbs",
    .label = "PBS",
    .submit_cmd = "qsub",
    .cancel_cmd = "qdel",
    .script = ga_pbs_script,
    .submit_argv = torque_submit_argv,
    .parse_id = ga_pbs_parse_jobid,
    .query = pbs_query,
    .state_final = ga_pbs_state_final,
    .state_reason = ga_pbs_state_reason,
    .task_id = pbs_task_id,
    .why = torque_why,
    .output_hint = "*.o* (PBS's output of %s)",
    /* no find: the wrappers' qstat -f shows neither the submit arguments
     * nor the working directory (docs/CLUSTERS.md) */
};

ga_executor *ga_exec_pbs_alloc(const ga_exec_array_opts *o, ga_error *err)
{
    if (!o->sched || !(o->sched->kind == GA_SCHED_PBS)) {
        ga_error_set(err, GA_EINPUT, "the PBS executor needs PBS settings");
        return NULL;
    }
    return ga_exec_array_alloc(o, torque(o->sched) ? &torque_backend
                                                   : &pro_backend, err);
}
