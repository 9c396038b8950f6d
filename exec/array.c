/* array.c - the job-array machinery the Slurm and PBS executors share.
 *
 * The driver writes each individual's job directory DIR/gen_G/ind_I
 * (params.json, and task.json holding the model's whole argv), a tasks file
 * mapping array index -> individual, and a batch script (the backend's)
 * whose only shell expansion is the array index: every task execs
 * `gahpo _task TASKS_FILE INDEX`, which runs the model with execvp exactly
 * as the local executor does and writes status.json. Hyperparameter values
 * never pass through a shell. Results come back from the status files, with
 * the scheduler's own account for tasks that died without one. Exit-status
 * jobs (no result file: a sweep's chunks) have no params.json and no
 * --name value; a status of exit 0 is their success. */
#include <dirent.h>
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
#include "job.h"
#include "../ga/util.h"

#define POLL_FILES 0.25      /* status files are checked this often (per
                              * 100 tasks) */
#define POLL_QUEUE_MIN 1.0   /* first pause between queue queries */
#define POLL_MAX_DEFAULT 10.0
#define FS_GRACE 5.0         /* a shared file system may show a file late */
#define SCHED_GIVE_UP 600.0  /* the scheduler failing this long stops the run */
#define CMD_TIMEOUT 120.0    /* one submit/query/cancel call */
#define SUBMIT_TRIES 5
#define MAX_IDS 62           /* arrays per query or cancel call */

/* ---- running the scheduler's commands ----------------------------------------- */

static void sleep_s(double s)
{
    struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
    nanosleep(&ts, NULL);  /* a signal cuts it short: callers re-check */
}

static void append_fd(int fd, ga_strbuf *b, int *open_fd)
{
    char chunk[4096];
    ssize_t r = read(fd, chunk, sizeof chunk);
    if (r > 0) {
        if (b->len < (4u << 20))
            ga_strbuf_append_n(b, chunk, (size_t)r);
    } else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
        *open_fd = 0;
    }
}

/* argv (no shell) in cwd, stdin /dev/null, output captured (caller frees).
 * Returns the exit status, or -1 when it could not run, was killed, or
 * took longer than CMD_TIMEOUT. */
int ga_array_run_cmd(char *const argv[], const char *cwd, char **out,
                   char **errtxt)
{
    ga_strbuf ob = { 0 }, eb = { 0 };
    ga_strbuf_printf(&ob, "%s", "");
    ga_strbuf_printf(&eb, "%s", "");
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
        const char *m = ": cannot execute (is the scheduler installed?)\n";
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
            ga_strbuf_printf(&eb, "\n%s: no answer within %g s", argv[0], CMD_TIMEOUT);
        }
    }
    close(po[0]);
    close(pe[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (ob.oom || eb.oom)
        goto fail;
    *out = ob.data;
    *errtxt = eb.data;
    if (killed)
        return GA_CMD_TIMEOUT;
    if (!WIFEXITED(status))
        return GA_CMD_KILLED;
    return WEXITSTATUS(status);
fail:
    free(ob.data);
    free(eb.data);
    *out = ga_strdup("");
    *errtxt = ga_strdup("cannot run a scheduler command (out of processes "
                        "or memory)");
    return GA_CMD_CANNOT_RUN;
}

/* Errors worth another try: the controller busy, restarting or far away. */
int ga_array_transient(int rc, const char *msg)
{
    if (rc == GA_CMD_TIMEOUT || rc == GA_CMD_CANNOT_RUN)
        return 1;
    /* the schedulers' own words (sbatch and qsub exit 1 for every error) */
    static const char *const pats[] = {
        "timed out", "Unable to contact", "temporarily", "try again",
        "Connection refused", "Zero Bytes", "Socket",
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
    const ga_array_backend *b;
    char **argv;
    size_t argc;
    char *run_dir;
    char *run_id;
    char *gahpo;
    long jobs;
    double timeout;
    int param_flags;
    char *result_file;    /* NULL: exit-status jobs (exec.h) */
    char *result_key;
    ga_sched_settings *s;
    struct gen *flow;     /* streamed jobs: the run's tasks (submit, wait) */
    struct gen *batch;    /* a batch submitted, run to its end by wait */
    long array_limit;     /* tasks per array; 0 none; -1 not asked yet */
} slurm_ctx;

enum { T_WAIT, T_FLIGHT, T_DONE };

typedef struct task {
    int state;
    int attempts;
    long sub;             /* index in subs while in flight */
    long array_index;
    double gone_since;    /* the queue said it ended (or lost it), no status */
    char final_state[32];
    char own[64];         /* the task's own job id (job.txt), once known */
    char *argv_json;      /* the command line as task.json holds it */
    size_t index;         /* the individual's index (ind_I) */
    const double *genes;
    double *copy;         /* a copy of the genes (async), else NULL */
    char dir[GA_PATH_MAX];  /* gen's dir/ind_I, built by ga_path */
} task;

typedef struct sub {
    char id[128];
    long number;          /* S in array_S.sh, array_S.tasks */
} sub;

/* The tasks of one generation (a batch), or of a whole asynchronous run
 * (async: tasks come one by one through start; finished ones are dropped). */
typedef struct gen {
    slurm_ctx *c;
    const ga_space *space;
    long generation;
    int async;
    int reattached;       /* async: jobs.txt has been read */
    size_t n, cap;
    task *t;
    sub *subs;
    size_t nsubs;
    long next_number;
    char dir[GA_PATH_MAX];  /* run_dir/gen_G, built by ga_path */
    ga_result_fn done;
    void *done_ctx;
    size_t ndone;
    double queue_fail_since;
    double pause, next_queue, next_files;  /* polling, kept between waits */
} gen;

static void gen_free(gen *g);

static void slurm_free(void *p)
{
    slurm_ctx *c = p;
    if (!c)
        return;
    if (c->flow) {
        gen_free(c->flow);
        free(c->flow);
    }
    if (c->batch) {
        gen_free(c->batch);
        free(c->batch);
    }
    for (size_t i = 0; i < c->argc; i++)
        free(c->argv[i]);
    free(c->argv);
    free(c->run_dir);
    free(c->run_id);
    free(c->gahpo);
    free(c->result_file);
    free(c->result_key);
    ga_sched_settings_free(c->s);
    free(c);
}

/* The model's argv as a JSON array text: the command, then --name value
 * (ga_job_argv). */
static char *argv_json(const slurm_ctx *c, const ga_space *space,
                       const double *genes)
{
    char **argv = ga_job_argv(c->argv, c->argc, space, genes, c->param_flags);
    cJSON *a = argv ? cJSON_CreateArray() : NULL;
    int ok = a != NULL;
    for (size_t i = 0; ok && argv[i]; i++)
        ok = cJSON_AddItemToArray(a, cJSON_CreateString(argv[i]));
    ga_job_argv_free(argv);
    char *text = ok ? cJSON_PrintUnformatted(a) : NULL;
    cJSON_Delete(a);
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
    char path[GA_PATH_MAX];
    if (ga_path(path, sizeof path, err, "%s/status.json", t->dir))
        return err->status;
    unlink(path);
    if (ga_path(path, sizeof path, err, "%s/job_id.txt", t->dir))
        return err->status;
    unlink(path);
    t->own[0] = '\0';
    int rc = GA_OK;
    if (g->c->result_file) {  /* exit-status jobs take no parameters */
        if (ga_path(path, sizeof path, err, "%s/%s", t->dir,
                    g->c->result_file))
            return err->status;
        unlink(path);
        rc = ga_job_write_params(g->space, t->genes, t->dir, err);
    }
    if (rc)
        return rc;
    ga_strbuf b = { 0 };
    char tm[64];
    ga_format_double(g->c->timeout, tm, sizeof tm);
    ga_strbuf_printf(&b, "{\"argv\":%s,\"timeout\":%s}\n", t->argv_json, tm);
    if (b.oom)
        return ga_error_set(err, GA_EFAIL, "out of memory");
    rc = ga_path(path, sizeof path, err, "%s/task.json", t->dir);
    if (rc == GA_OK)
        rc = write_text(path, b.data, err);
    free(b.data);
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
    char path[GA_PATH_MAX];  /* a name too long: no status, as a missing file */
    if (ga_path(path, sizeof path, NULL, "%s/status.json", dir))
        return;
    ga_error e;
    /* in the job directory, where the model runs: read it as untrusted */
    char *text = ga_read_regular(path, "status.json", 65536, NULL, &e);
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

/* The result file, read as the local executor reads it; an exit-status
 * job's success (it exited 0) is fitness 0. */
static void read_result(const slurm_ctx *c, const char *dir, ga_result *r)
{
    if (c->result_file)
        ga_exec_read_result(dir, c->result_file, c->result_key, r);
    else
        r->fitness = 0;
}

static void task_job_id(const gen *g, const task *t, char *buf, size_t size)
{
    if (t->sub >= 0)
        g->c->b->task_id(g->subs[t->sub].id, t->array_index, buf, size);
    else
        snprintf(buf, size, "?");
}

/* A finished task with a status file. state: the scheduler's final state
 * if known. */
static void status_result(const gen *g, const task *t, const status *st,
                          const char *state, ga_result *r)
{
    const ga_array_backend *b = g->c->b;
    char id[160];
    task_job_id(g, t, id, sizeof id);
    r->fitness = NAN;
    r->reason[0] = '\0';
    r->wall_time = st->wall_time;
    snprintf(r->job_id, sizeof r->job_id, "%.63s", st->job[0] ? st->job : id);
    if (st->error[0])
        snprintf(r->reason, sizeof r->reason, "%s job %s could not run the "
                 "model: %.300s", b->label, r->job_id, st->error);
    else if (st->timed_out)
        snprintf(r->reason, sizeof r->reason, "timeout after %g s",
                 g->c->timeout);
    else if (st->stopped)
        snprintf(r->reason, sizeof r->reason, "%s job %s %s: %s (the model "
                 "was stopped by a signal)", b->label, r->job_id,
                 state && *state ? state : "stopped",
                 state && *state ? b->state_reason(state)
                                 : "the scheduler stopped the task");
    else if (!st->exited)
        snprintf(r->reason, sizeof r->reason, "killed by signal %d (%s job "
                 "%s)", st->signal, b->label, r->job_id);
    else if (st->exit_code != 0)
        snprintf(r->reason, sizeof r->reason, "exit status %d%s (%s job %s "
                 "FAILED)", st->exit_code, st->exit_code == 127 ?
                 " (command not found or not executable?)" : "", b->label,
                 r->job_id);
    else
        read_result(g->c, t->dir, r);
}

/* A task that ended without a status file: ask the scheduler why. */
static void gone_result(gen *g, task *t, ga_result *r)
{
    const ga_array_backend *b = g->c->b;
    char id[160], text_state[32] = "", detail[256] = "", out[256];
    task_job_id(g, t, id, sizeof id);
    b->why(g->subs[t->sub].id, t->array_index, t->own, text_state,
           sizeof text_state, detail, sizeof detail);
    const char *state = text_state[0] ? text_state : t->final_state;
    r->fitness = NAN;
    r->wall_time = NAN;
    snprintf(r->job_id, sizeof r->job_id, "%.63s", id);
    snprintf(out, sizeof out, b->output_hint, id);
    if (state[0])
        snprintf(r->reason, sizeof r->reason, "%s job %.100s %s: %s "
                 "(%.150s); the task wrote no status file, see gen_%ld/%.120s",
                 b->label, id, state, b->state_reason(state),
                 detail[0] ? detail : "?", g->generation, out);
    else
        snprintf(r->reason, sizeof r->reason, "%s job %.100s left the queue "
                 "without a status file; see gen_%ld/%.120s", b->label, id,
                 g->generation, out);
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
    g->done(g->done_ctx, t->index, r);
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

/* Submit script, retrying transient errors with waits of 1, 2, 4, 8 s. */
static int submit_cmd(gen *g, const ga_array_script_info *info,
                      const char *script, char *id, size_t size, ga_error *err)
{
    const ga_array_backend *b = g->c->b;
    char *argv[8] = { 0 }, buf[256];
    b->submit_argv(info, script, argv, buf, sizeof buf);
    double pause = 1;
    for (int attempt = 1;; attempt++) {
        char *out, *errt;
        int rc = ga_array_run_cmd(argv, g->dir, &out, &errt);
        int ok = rc == 0 && b->parse_id(out, id, size) == 0;
        if (!ok) {
            trim(errt);
            trim(out);
        }
        int again = !ok && attempt < SUBMIT_TRIES && ga_array_transient(rc, errt);
        if (!ok && !again)
            ga_error_set(err, GA_EFAIL, "%s %s failed%s: %.1500s",
                         b->submit_cmd, script,
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
        /* a timed-out submit may have been taken all the same: then it is
         * not submitted twice */
        if (b->find && b->find(script, id, size) == 0)
            return GA_OK;
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

/* Tasks per array: the settings', else the scheduler's limit (asked
 * once). */
static long array_limit(slurm_ctx *c)
{
    if (c->array_limit < 0)
        c->array_limit = c->s->max_array_size > 0 ? c->s->max_array_size
                         : c->b->max_array ? c->b->max_array() : 0;
    return c->array_limit;
}

static int submit_array(gen *g, long number, const char *tasks,
                        const char *script_path, const char *jobs_txt,
                        const size_t *taken, size_t count, ga_error *err);

/* The waiting tasks (at most the array limit) in one new job array. */
static int submit_one(gen *g, ga_error *err)
{
    slurm_ctx *c = g->c;
    long limit = array_limit(c);
    long number = g->next_number++;
    char tasks[GA_PATH_MAX], script_path[GA_PATH_MAX], jobs_txt[GA_PATH_MAX];
    if (ga_path(tasks, sizeof tasks, err, "%s/array_%ld.tasks", g->dir,
                number) ||
        ga_path(script_path, sizeof script_path, err, "%s/array_%ld.sh",
                g->dir, number) ||
        ga_path(jobs_txt, sizeof jobs_txt, err, "%s/jobs.txt", g->dir))
        return err->status;
    ga_strbuf b = { 0 };
    size_t count = 0, *taken = malloc((g->n ? g->n : 1) * sizeof *taken);
    if (!taken)
        return ga_error_set(err, GA_EFAIL, "out of memory");
    for (size_t k = 0; k < g->n && (limit <= 0 || (long)count < limit); k++) {
        if (g->t[k].state != T_WAIT)
            continue;
        if (prepare_task(g, k, err)) {
            free(b.data);
            free(taken);
            return err->status;
        }
        ga_strbuf_printf(&b, "%zu\n", g->t[k].index);
        taken[count++] = k;
    }
    if (b.oom || grow_subs(g)) {
        free(b.data);
        free(taken);
        return ga_error_set(err, GA_EFAIL, "out of memory");
    }
    int rc = write_text(tasks, b.data, err);
    free(b.data);
    if (rc == GA_OK)
        rc = submit_array(g, number, tasks, script_path, jobs_txt, taken,
                          count, err);
    free(taken);
    return rc;
}

static int submit_array(gen *g, long number, const char *tasks,
                        const char *script_path, const char *jobs_txt,
                        const size_t *taken, size_t count, ga_error *err)
{
    slurm_ctx *c = g->c;
    char name[256];
    int rc;
    if (c->s->job_name)
        snprintf(name, sizeof name, "%s", c->s->job_name);
    else if (g->async)
        snprintf(name, sizeof name, "gahpo-%.200s-async", c->run_id);
    else
        snprintf(name, sizeof name, "gahpo-%.200s-g%ld", c->run_id,
                 g->generation);
    ga_array_script_info info = {
        .job_name = name, .ntasks = count,
        .max_concurrent = g->async ? (long)count
                        : c->s->max_concurrent > 0 ? c->s->max_concurrent
                                                   : c->jobs,
        .gahpo = c->gahpo, .tasks_file = tasks };
    char *script = c->b->script(c->s, &info, err);
    if (!script)
        return err->status;
    rc = write_text(script_path, script, err);
    free(script);
    if (rc)
        return rc;
    sub *s = &g->subs[g->nsubs];
    s->number = number;
    /* a driver that dies after the scheduler took the array but before
     * jobs.txt has its id leaves this marker: --resume then asks the
     * scheduler for the script's job (adopt_unrecorded) */
    char marker[GA_PATH_MAX];
    if ((rc = ga_path(marker, sizeof marker, err, "%s/array_%ld.submitting",
                      g->dir, number)))
        return rc;
    if ((rc = write_text(marker, "", err)))
        return rc;
    if ((rc = submit_cmd(g, &info, script_path, s->id, sizeof s->id, err)))
        return rc;
    char line[200];
    snprintf(line, sizeof line, "%ld %s\n", number, s->id);
    if ((rc = append_line(jobs_txt, line, err)))
        return rc;
    unlink(marker);
    for (size_t i = 0; i < count; i++) {
        task *t = &g->t[taken[i]];
        t->state = T_FLIGHT;
        t->sub = (long)g->nsubs;
        t->array_index = (long)i;
        t->gone_since = 0;
    }
    g->nsubs++;
    return GA_OK;
}

/* Every waiting task, in arrays of at most the array limit. */
static int submit(gen *g, ga_error *err)
{
    for (;;) {
        int waiting = 0;
        for (size_t k = 0; k < g->n && !waiting; k++)
            waiting = g->t[k].state == T_WAIT;
        if (!waiting)
            return GA_OK;
        int rc = submit_one(g, err);
        if (rc)
            return rc;
    }
}

/* ---- watching -------------------------------------------------------------- */

/* The ids of the submissions from *from on with a task in flight (at most
 * MAX_IDS; *from is moved past them); "ID1,ID2,..." into buf for
 * messages. */
static size_t live_ids(const gen *g, size_t *from, char **ids, char *buf,
                       size_t size)
{
    buf[0] = '\0';
    size_t len = 0, n = 0, s;
    for (s = *from; s < g->nsubs && n < MAX_IDS; s++) {
        int live = 0;
        for (size_t k = 0; k < g->n && !live; k++)
            live = g->t[k].state == T_FLIGHT && g->t[k].sub == (long)s;
        if (!live)
            continue;
        ids[n++] = (char *)g->subs[s].id;
        if (len + strlen(g->subs[s].id) + 2 < size)
            len += (size_t)snprintf(buf + len, size - len, "%s%s",
                                    len ? "," : "", g->subs[s].id);
    }
    *from = s;
    return n;
}

/* The task's own job id, which `_task` writes to job_id.txt as it starts
 * (some schedulers know a running task only by it). */
static void read_own_id(task *t)
{
    if (t->own[0])
        return;
    char path[GA_PATH_MAX];  /* a name too long: not known, as no file */
    if (ga_path(path, sizeof path, NULL, "%s/job_id.txt", t->dir))
        return;
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    if (fgets(t->own, sizeof t->own, f))
        t->own[strcspn(t->own, "\n")] = '\0';
    else
        t->own[0] = '\0';
    fclose(f);
}

/* The scheduler's view of the tasks in flight in the submissions from
 * *from on (at most MAX_IDS of them; *from is moved past them): see
 * ga_array_backend.query; 2 when nothing is in flight there. */
static int query_flight(gen *g, size_t *from, ga_array_task_state **st,
                        size_t *ns, char *ids_text, size_t isize, char *msg,
                        size_t msize)
{
    char *ids[MAX_IDS];
    size_t first = *from;
    size_t nids = live_ids(g, from, ids, ids_text, isize);
    *st = NULL;
    *ns = 0;
    if (!nids)
        return 2;
    ga_array_ref *refs = calloc(g->n, sizeof *refs);
    if (!refs) {
        snprintf(msg, msize, "out of memory");
        return -1;
    }
    size_t n = 0;
    for (size_t k = 0; k < g->n; k++) {
        task *t = &g->t[k];
        if (t->state != T_FLIGHT || t->sub < (long)first ||
            t->sub >= (long)*from)
            continue;
        read_own_id(t);
        refs[n++] = (ga_array_ref){ g->subs[t->sub].id, t->array_index,
                                    t->own };
    }
    int q = g->c->b->query(g->c->s, ids, nids, refs, n, st, ns, msg, msize);
    free(refs);
    return q;
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

static const ga_array_task_state *find_state(const ga_array_task_state *s,
                                             size_t n, const char *job,
                                             long task)
{
    for (size_t i = 0; i < n; i++)
        if (s[i].task == task && !strcmp(s[i].job, job))
            return &s[i];
    return NULL;
}

/* One query round: tasks that ended; those without a status file (after
 * FS_GRACE) get the scheduler's account. GA_EFAIL when it has not answered
 * for SCHED_GIVE_UP seconds. */
static int check_group(gen *g, size_t *from, ga_error *err);

static int check_queue(gen *g, ga_error *err)
{
    int rc = GA_OK;
    for (size_t from = 0; rc == GA_OK && from < g->nsubs;)
        rc = check_group(g, &from, err);
    return rc;
}

/* check_queue for the submissions from *from on (moved past them). */
static int check_group(gen *g, size_t *from, ga_error *err)
{
    char ids[8192], msg[1024];
    ga_array_task_state *st;
    size_t ns, first = *from;
    int q = query_flight(g, from, &st, &ns, ids, sizeof ids, msg, sizeof msg);
    if (q == 2)
        return GA_OK;
    double now = ga_now();
    if (q < 0) {
        if (g->queue_fail_since == 0)
            g->queue_fail_since = now;
        if (now - g->queue_fail_since > SCHED_GIVE_UP)
            return ga_error_set(err, GA_EFAIL, "%s has not answered for %g "
                                "s (%s); jobs %s may still be running: resume "
                                "with --resume to collect them", g->c->b->label,
                                SCHED_GIVE_UP, msg, ids);
        return GA_OK;
    }
    g->queue_fail_since = 0;
    for (size_t k = 0; k < g->n; k++) {
        task *t = &g->t[k];
        if (t->state != T_FLIGHT || t->sub < (long)first ||
            t->sub >= (long)*from)
            continue;
        const ga_array_task_state *s =
            find_state(st, ns, g->subs[t->sub].id, t->array_index);
        if (s && !g->c->b->state_final(s->state)) {
            t->gone_since = 0;
            continue;
        }
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

/* Cancel what is in flight and wait (up to 30 s) until it has left the
 * queue; their status files go, so a resumed run runs them again. */
static void cancel_all(gen *g)
{
    char *argv[MAX_IDS + 2] = { (char *)g->c->b->cancel_cmd }, text[8192];
    size_t nids, any = 0;
    for (size_t from = 0;
         (nids = live_ids(g, &from, argv + 1, text, sizeof text)) > 0;) {
        argv[nids + 1] = NULL;
        char *out, *errt;
        ga_array_run_cmd(argv, NULL, &out, &errt);
        free(out);
        free(errt);
        any = 1;
    }
    if (!any)
        return;
    double deadline = ga_now() + 30;
    while (ga_now() < deadline) {
        int live = 0, unsure = 0;
        for (size_t from = 0; from < g->nsubs;) {
            ga_array_task_state *st;
            size_t ns;
            char msg[1024];
            char ids[8192];
            int q = query_flight(g, &from, &st, &ns, ids, sizeof ids, msg,
                                 sizeof msg);
            unsure |= q < 0;
            for (size_t i = 0; q == 0 && i < ns; i++)
                live |= !g->c->b->state_final(st[i].state);
            free(st);
        }
        if (!unsure && !live)
            break;
        sleep_s(0.2);
    }
    for (size_t k = 0; k < g->n; k++) {
        if (g->t[k].state != T_FLIGHT)
            continue;
        char path[GA_PATH_MAX];  /* a name too long: left, as unlink would */
        if (ga_path(path, sizeof path, NULL, "%s/status.json",
                    g->t[k].dir) == GA_OK)
            unlink(path);
    }
}

/* ---- reattaching after a driver crash -------------------------------------- */

/* task.json of a task holds this argv: it is this individual's. */
static int same_task(const task *t)
{
    char path[GA_PATH_MAX];  /* a name too long: not this task's, as no file */
    if (ga_path(path, sizeof path, NULL, "%s/task.json", t->dir))
        return 0;
    ga_error e;
    char *text = ga_read_regular(path, "task.json", 1 << 24, NULL, &e);
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
    char path[GA_PATH_MAX];  /* a name too long: unread, as a missing file */
    *count = 0;
    if (ga_path(path, sizeof path, NULL, "%s/array_%ld.tasks", g->dir,
                number))
        return NULL;
    ga_error e;
    char *text = ga_read_file(path, NULL, &e);
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
            if ((long)g->t[k].index == ind)
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
        /* one attempt (those before the crash are not recorded): a failure
         * is retried when --retries allows */
        attempt_ended(g, k, &r);
    }
}

/* Submission `number` (job id) of a dead driver: its tasks still queued or
 * running that are still wanted are adopted. */
static int adopt(gen *g, long number, const char *id, ga_error *err)
{
    if (number >= g->next_number)
        g->next_number = number + 1;
    if (grow_subs(g))
        return ga_error_set(err, GA_EFAIL, "out of memory");
    sub *s = &g->subs[g->nsubs];
    snprintf(s->id, sizeof s->id, "%s", id);
    s->number = number;
    ga_array_task_state *st = NULL;
    size_t ns = 0, count;
    char msg[1024];
    long *map = read_tasks_file(g, number, &count);
    int wanted = 0;
    for (size_t a = 0; map && a < count; a++)
        wanted |= map[a] >= 0 && g->t[map[a]].state == T_WAIT;
    if (!wanted) {  /* nothing of it is still to be had */
        free(map);
        g->nsubs++;
        return GA_OK;
    }
    ga_array_ref *refs = map ? calloc(count + 1, sizeof *refs) : NULL;
    for (size_t a = 0; refs && a < count; a++) {
        if (map[a] >= 0)
            read_own_id(&g->t[map[a]]);
        refs[a] = (ga_array_ref){ s->id, (long)a,
                                  map[a] >= 0 ? g->t[map[a]].own : "" };
    }
    char *ids[1] = { s->id };
    if (!refs || g->c->b->query(g->c->s, ids, 1, refs, count, &st, &ns,
                                msg, sizeof msg) != 0) {
        free(refs);
        free(map);
        free(st);
        return GA_OK;  /* purged or unreachable: what ran has a status */
    }
    free(refs);
    for (size_t i = 0; i < ns; i++) {
        long a = st[i].task;
        if (a < 0 || (size_t)a >= count || map[a] < 0 ||
            g->c->b->state_final(st[i].state))
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
    return GA_OK;
}

/* Submissions a dead driver started but did not record (the marker
 * array_S.submitting is written before the submit command runs, removed
 * once jobs.txt has the id): the scheduler is asked for a job of that
 * script; found, it is recorded and adopted. */
static int adopt_unrecorded(gen *g, const char *recorded, ga_error *err)
{
    DIR *d = opendir(g->dir);
    if (!d)
        return GA_OK;
    int rc = GA_OK;
    struct dirent *e;
    while (rc == GA_OK && (e = readdir(d))) {
        long number;
        char tail[32];
        if (sscanf(e->d_name, "array_%ld.%31s", &number, tail) != 2 ||
            strcmp(tail, "submitting") != 0 || number < 0)
            continue;
        char marker[GA_PATH_MAX], script[GA_PATH_MAX], line[64], id[128];
        if ((rc = ga_path(marker, sizeof marker, err, "%s/%s", g->dir,
                          e->d_name)) ||
            (rc = ga_path(script, sizeof script, err, "%s/array_%ld.sh",
                          g->dir, number)))
            break;
        snprintf(line, sizeof line, "%ld ", number);
        if (number >= g->next_number)
            g->next_number = number + 1;
        int known = 0;  /* jobs.txt has it after all */
        for (const char *p = recorded; p && *p && !known;
             p = strchr(p, '\n') ? strchr(p, '\n') + 1 : "")
            known = strncmp(p, line, strlen(line)) == 0;
        int f = !known && g->c->b->find ? g->c->b->find(script, id, sizeof id)
                                        : 1;
        if (f < 0) {  /* keep the marker: a later --resume asks again */
            rc = ga_error_set(err, GA_EFAIL, "%s did not answer whether it "
                              "took submission %ld (%s) before the driver "
                              "stopped; resume again when it answers (a "
                              "second submission could run those evaluations "
                              "twice)", g->c->b->label, number, script);
            break;
        }
        if (f == 0) {
            char rec[200], jobs_txt[GA_PATH_MAX];
            snprintf(rec, sizeof rec, "%ld %s\n", number, id);
            rc = ga_path(jobs_txt, sizeof jobs_txt, err, "%s/jobs.txt",
                         g->dir);
            if (rc == GA_OK)
                rc = append_line(jobs_txt, rec, err);
            if (rc == GA_OK)
                rc = adopt(g, number, id, err);
        }
        if (rc == GA_OK)
            unlink(marker);
    }
    closedir(d);
    return rc;
}

/* A resumed run: collect what finished, wait for what still runs in the
 * arrays recorded in jobs.txt (or submitted but not recorded), submit only
 * the rest. Live tasks are adopted first, then the status files are read:
 * a task that ends in between is found either way. */
static int reattach(gen *g, ga_error *err)
{
    char path[GA_PATH_MAX];
    if (ga_path(path, sizeof path, err, "%s/jobs.txt", g->dir))
        return err->status;
    ga_error e;
    char *text = ga_read_file(path, NULL, &e);
    char *recorded = text ? ga_strdup(text) : NULL;
    int rc = GA_OK;
    char *save = NULL;
    for (char *l = text ? strtok_r(text, "\n", &save) : NULL; rc == GA_OK && l;
         l = strtok_r(NULL, "\n", &save)) {
        long number;
        char id[128];
        if (sscanf(l, "%ld %127s", &number, id) == 2)
            rc = adopt(g, number, id, err);
    }
    free(text);
    if (rc == GA_OK)
        rc = adopt_unrecorded(g, recorded, err);
    free(recorded);
    if (rc == GA_OK)
        collect_finished(g);
    return rc;
}

/* ---- run --------------------------------------------------------------------- */

static void gen_free(gen *g)
{
    for (size_t k = 0; g->t && k < g->n; k++) {
        free(g->t[k].argv_json);
        free(g->t[k].copy);
    }
    free(g->t);
    free(g->subs);
}

static int gen_init(gen *g, slurm_ctx *c, const ga_space *space,
                    const ga_job *jobs, size_t n, ga_error *err)
{
    memset(g, 0, sizeof *g);
    g->c = c;
    g->space = space;
    g->generation = jobs[0].generation;
    g->n = g->cap = n;
    if (ga_path(g->dir, sizeof g->dir, err, "%s/gen_%ld", c->run_dir,
                jobs[0].generation) ||
        ga_mkdirs(g->dir, err))
        return err->status;
    g->t = calloc(n, sizeof *g->t);
    if (!g->t)
        return ga_error_set(err, GA_EFAIL, "out of memory");
    for (size_t k = 0; k < n; k++) {
        if (jobs[k].generation != jobs[0].generation)
            return ga_error_set(err, GA_EFAIL, "the %s executor runs one "
                                "generation per call", c->b->label);
        task *t = &g->t[k];
        t->sub = -1;
        if (ga_path(t->dir, sizeof t->dir, err, "%s/ind_%zu", g->dir,
                    jobs[k].index))
            return err->status;
        t->index = jobs[k].index;
        t->copy = malloc((space->n ? space->n : 1) * sizeof(double));
        if (!t->copy)
            return ga_error_set(err, GA_EFAIL, "out of memory");
        if (space->n)  /* exit-status jobs may have no genes */
            memcpy(t->copy, jobs[k].genes, space->n * sizeof(double));
        t->genes = t->copy;
        t->argv_json = argv_json(c, space, jobs[k].genes);
        if (!t->argv_json)
            return ga_error_set(err, GA_EFAIL, "cannot build the command line "
                                "(out of memory or a value over 64 KiB)");
    }
    return GA_OK;
}

static void watch_init(gen *g)
{
    g->pause = POLL_QUEUE_MIN;
    g->next_queue = ga_now() + g->pause;
    g->next_files = 0;
}

/* One round of watching: submit what waits (if submit_now), then read the
 * status files and ask the scheduler, each when it is due. */
static int watch_round(gen *g, int submit_now, ga_error *err)
{
    slurm_ctx *c = g->c;
    int rc;
    if (submit_now) {
        if ((rc = submit(g, err)))
            return rc;
        /* look at the new ones soon, but never later than planned: steady
         * submissions must not keep the queue from being asked */
        g->pause = POLL_QUEUE_MIN;
        g->next_queue = fmin(g->next_queue, ga_now() + g->pause);
    }
    double poll_max = c->s->poll_max > 0 ? c->s->poll_max : POLL_MAX_DEFAULT;
    /* a shared file system pays for each look: many tasks, fewer looks */
    double files_every = POLL_FILES * fmax(1.0, (double)g->n / 100.0);
    size_t before = g->ndone;
    if (ga_now() >= g->next_files) {
        check_status_files(g);
        g->next_files = ga_now() + files_every;
    }
    if (ga_now() >= g->next_queue) {
        if ((rc = check_queue(g, err)))
            return rc;
        g->pause = g->ndone > before ? POLL_QUEUE_MIN
                                     : fmin(g->pause * 1.5, poll_max);
        g->next_queue = ga_now() + g->pause;
    }
    return GA_OK;
}

/* A batch (a whole generation): one gen, its arrays submitted at the
 * first wait. */
static int batch_submit(slurm_ctx *c, const ga_space *space,
                        const ga_job *jobs, size_t n, ga_error *err)
{
    if (c->batch || c->flow)
        return ga_error_set(err, GA_EFAIL, "the %s executor has jobs in "
                            "flight: a batch is submitted alone",
                            c->b->label);
    gen *g = calloc(1, sizeof *g);
    if (!g)
        return ga_error_set(err, GA_EFAIL, "out of memory");
    int rc = gen_init(g, c, space, jobs, n, err);
    if (rc) {
        gen_free(g);
        free(g);
        return rc;
    }
    c->batch = g;
    return GA_OK;
}

/* Run the batch to its end: every task reported, failures retried as a
 * round once the array has ended. */
static int batch_wait(slurm_ctx *c, ga_result_fn done, void *done_ctx,
                      volatile sig_atomic_t *cancel, ga_error *err)
{
    gen *g = c->batch;
    size_t n = g->n;
    g->done = done;
    g->done_ctx = done_ctx;
    int rc = reattach(g, err);
    watch_init(g);
    for (int first = 1; rc == GA_OK && g->ndone < n; first = 0) {
        if (cancel && *cancel) {
            cancel_all(g);
            rc = ga_error_set(err, GA_EFAIL, "interrupted");
            break;
        }
        int flying = 0, waiting = 0;
        for (size_t k = 0; k < n; k++) {
            flying |= g->t[k].state == T_FLIGHT;
            waiting |= g->t[k].state == T_WAIT;
        }
        /* a retry round waits for the array; first: beside adopted tasks */
        if ((rc = watch_round(g, waiting && (!flying || first), err)))
            break;
        if (g->ndone < n)
            sleep_s(POLL_FILES);
    }
    /* on other errors the arrays in flight stay: they are in jobs.txt, and
     * --resume collects them */
    gen_free(g);
    free(g);
    c->batch = NULL;
    return rc;
}

/* ---- asynchronous use: start one, wait for any --------------------------- */

/* Drop the tasks that were reported. */
static void compact(gen *g)
{
    size_t w = 0;
    for (size_t k = 0; k < g->n; k++) {
        if (g->t[k].state == T_DONE) {
            free(g->t[k].argv_json);
            free(g->t[k].copy);
        } else {
            g->t[w++] = g->t[k];
        }
    }
    g->n = w;
    g->ndone = 0;
}

/* A streamed job joins the run's flow (one gen for the whole run). */
static int flow_add(slurm_ctx *c, const ga_space *space, const ga_job *job,
                    ga_error *err)
{
    gen *g = c->flow;
    if (!g) {
        g = c->flow = calloc(1, sizeof *g);
        if (!g)
            return ga_error_set(err, GA_EFAIL, "out of memory");
        g->c = c;
        g->async = 1;
        g->generation = job->generation;
        if (ga_path(g->dir, sizeof g->dir, err, "%s/gen_%ld", c->run_dir,
                    job->generation) ||
            ga_mkdirs(g->dir, err))
            return err->status;
        watch_init(g);
    }
    g->space = space;
    if (job->generation != g->generation)
        return ga_error_set(err, GA_EFAIL, "the jobs of an asynchronous run "
                            "share one generation");
    if (g->n == g->cap) {
        size_t cap = g->cap ? 2 * g->cap : 16;
        task *t = realloc(g->t, cap * sizeof *t);
        if (!t)
            return ga_error_set(err, GA_EFAIL, "out of memory");
        g->t = t;
        g->cap = cap;
    }
    task *t = &g->t[g->n];
    memset(t, 0, sizeof *t);
    if (ga_path(t->dir, sizeof t->dir, err, "%s/ind_%zu", g->dir, job->index))
        return err->status;
    t->sub = -1;
    t->state = T_WAIT;
    t->index = job->index;
    t->copy = malloc((space->n ? space->n : 1) * sizeof(double));
    t->argv_json = argv_json(c, space, job->genes);
    if (!t->copy || !t->argv_json) {
        free(t->copy);
        free(t->argv_json);
        return ga_error_set(err, GA_EFAIL, "cannot build the command line "
                            "(out of memory or a value over 64 KiB)");
    }
    if (space->n)  /* exit-status jobs may have no genes */
        memcpy(t->copy, job->genes, space->n * sizeof(double));
    t->genes = t->copy;
    g->n++;
    return GA_OK;
}

static int array_submit(void *p, const ga_space *space, const ga_job *jobs,
                        size_t n, int batch, ga_error *err)
{
    slurm_ctx *c = p;
    if (n == 0)
        return GA_OK;
    if (batch)
        return batch_submit(c, space, jobs, n, err);
    if (c->batch)
        return ga_error_set(err, GA_EFAIL, "the %s executor is running a "
                            "batch", c->b->label);
    int rc = GA_OK;
    for (size_t k = 0; rc == GA_OK && k < n; k++)
        rc = flow_add(c, space, &jobs[k], err);
    return rc;
}

static void array_stop(void *p)
{
    slurm_ctx *c = p;
    if (!c->flow)
        return;
    cancel_all(c->flow);
    gen_free(c->flow);
    free(c->flow);
    c->flow = NULL;
}

static int array_wait(void *p, double deadline, ga_result_fn done,
                      void *done_ctx, volatile sig_atomic_t *cancel,
                      ga_error *err)
{
    slurm_ctx *c = p;
    if (c->batch)
        return batch_wait(c, done, done_ctx, cancel, err);
    gen *g = c->flow;
    if (!g)
        return GA_OK;
    compact(g);
    g->done = done;
    g->done_ctx = done_ctx;
    int rc = GA_OK;
    if (!g->reattached) {
        /* a resumed run: tasks of a driver that died are found again */
        g->reattached = 1;
        rc = reattach(g, err);
    }
    while (rc == GA_OK && g->ndone == 0) {
        int waiting = 0, flying = 0;
        for (size_t k = 0; k < g->n; k++) {
            waiting |= g->t[k].state == T_WAIT;
            flying |= g->t[k].state == T_FLIGHT;
        }
        if (!waiting && !flying)
            break;
        if (deadline > 0 && ga_now() >= deadline && !waiting)
            break;
        if (cancel && *cancel) {
            array_stop(c);
            return ga_error_set(err, GA_EFAIL, "interrupted");
        }
        if ((rc = watch_round(g, waiting, err)))
            break;
        if (g->ndone == 0)
            sleep_s(POLL_FILES);
    }
    return rc;
}

ga_executor *ga_exec_array_alloc(const ga_exec_array_opts *o,
                                 const ga_array_backend *b, ga_error *err)
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
    if (o->result_file && (!o->result_file[0] ||
                           strstr(o->result_file, "..") ||
                           strchr(o->result_file, '/'))) {
        ga_error_set(err, GA_EINPUT, "--result-file must be a plain file name "
                     "inside the job directory, got \"%s\"", o->result_file);
        return NULL;
    }
    if (!o->result_file && o->param_flags) {
        ga_error_set(err, GA_EINPUT, "exit-status jobs (no result file) "
                     "take no parameters: param_flags must be 0");
        return NULL;
    }
    ga_executor *ex = calloc(1, sizeof *ex);
    slurm_ctx *c = calloc(1, sizeof *c);
    if (!ex || !c)
        goto oom;
    ex->ctx = c;
    ex->name = b->name;
    c->b = b;
    ex->submit = array_submit;
    ex->wait = array_wait;
    ex->stop = array_stop;
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
    int by_status = !o->result_file;
    c->result_file = by_status ? NULL : ga_strdup(o->result_file);
    c->result_key = by_status ? NULL : ga_strdup(o->result_key);
    c->s = o->sched ? ga_sched_settings_copy(o->sched)
                    : ga_sched_settings_alloc(GA_SCHED_SLURM);
    int have_result = by_status || (c->result_file && c->result_key);
    if (!c->run_dir || !c->run_id || !c->gahpo || !have_result || !c->s)
        goto oom;
    if (c->s->retries < 0)
        c->s->retries = 0;
    c->jobs = o->jobs;
    c->array_limit = -1;
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
