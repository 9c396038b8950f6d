/* local.c - the local executor: each evaluation is a child process.
 *
 * The model command runs with execvp (never a shell), in its own process
 * group, in DIR/gen_G/ind_I/ beside params.json, with stdout/stderr in files
 * there. Hyperparameters reach it as `--name value` argv pairs and in
 * params.json, byte for byte whatever they contain. The objective is read
 * from the result file the model writes. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "job.h"
#include "exec.h"
#include "../ga/util.h"

typedef struct local_ctx {
    char **argv;
    size_t argc;
    char *run_dir;
    long jobs;
    double timeout;
    int param_flags;
    char *result_file;
    char *result_key;
    long retries;
    int end_orphans;
    /* jobs not started yet, in order; slots[jobs] for those running */
    struct queued *queue;
    size_t qhead, qlen, qcap;
    struct slot *slots;
    const ga_space *space;
} local_ctx;

/* A job waiting for a slot; own holds its copy of the genes. */
typedef struct queued {
    ga_job job;
    double *own;
} queued;

typedef struct slot {
    pid_t pid;
    ga_job job;           /* for a retry; genes are own's or the caller's */
    double *own;
    double start;
    ga_job_term term;     /* being ended: SIGTERM sent, when */
    int timed_out;
    long attempts;        /* retries made so far */
    int adopted;          /* a model started by an earlier driver: not our
                             child, its exit status unknown */
    double deadline;      /* adopted: the epoch second its timeout ends */
    char dir[GA_PATH_MAX];  /* run_dir/gen_G/ind_I, built by ga_path */
} slot;

static void local_stop(void *p);

static void local_free(void *p)
{
    local_ctx *c = p;
    if (!c)
        return;
    for (size_t i = 0; i < c->argc; i++)
        free(c->argv[i]);
    free(c->argv);
    free(c->run_dir);
    free(c->result_file);
    free(c->result_key);
    if (c->slots)
        local_stop(c);
    free(c->queue);
    free(c->slots);
    free(c);
}


/* The pid file's "pid deadline" (deadline 0: none); 0, or -1. */
static int read_pid_file(const char *dir, long *pid, double *deadline)
{
    char path[GA_PATH_MAX];  /* a name too long: no pid file, as none */
    if (ga_path(path, sizeof path, NULL, "%s/pid", dir))
        return -1;
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    *deadline = 0;
    int n = fscanf(f, "%ld %lf", pid, deadline);
    fclose(f);
    return n >= 1 && *pid > 1 ? 0 : -1;
}

/* pid is a live process (not a zombie) working in dir, leading its own
 * process group: a model of this job, not a reused pid. */
static int is_job_model(long pid, const char *dir)
{
    char path[64], cwd[4200], stat[512];
    snprintf(path, sizeof path, "/proc/%ld/cwd", pid);
    ssize_t n = readlink(path, cwd, sizeof cwd - 1);
    if (n <= 0)
        return 0;
    cwd[n] = '\0';
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t len = fread(stat, 1, sizeof stat - 1, f);
    fclose(f);
    stat[len] = '\0';
    const char *paren = strrchr(stat, ')');  /* the name may hold anything */
    return paren && paren[1] == ' ' && paren[2] != 'Z' &&
           strcmp(cwd, dir) == 0 && getpgid((pid_t)pid) == (pid_t)pid;
}

/* One pass of end_descendants over /proc: how many were killed (dir NULL:
 * only the driver's stray children). */
static int end_descendants_pass(const local_ctx *c, const char *dir)
{
    DIR *proc = opendir("/proc");
    int killed = 0;
    if (!proc)
        return 0;
    size_t want_len = strlen("GAHPO_JOB=") + (dir ? strlen(dir) : 0) + 1;
    char *want = malloc(want_len);
    char *env = malloc(65536);
    if (want && env)
        snprintf(want, want_len, "GAHPO_JOB=%s", dir ? dir : "");
    pid_t self = getpid();
    struct dirent *d;
    while (want && env && (d = readdir(proc)) != NULL) {
        char *end;
        long pid = strtol(d->d_name, &end, 10);
        if (*end || pid <= 1 || pid == self)
            continue;
        char path[64];
        snprintf(path, sizeof path, "/proc/%ld/environ", pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n = fd >= 0 ? read(fd, env, 65535) : -1;
        if (fd >= 0)
            close(fd);
        int mark = 0;
        for (ssize_t i = 0; dir && n > 0 && i < n && !mark;) {
            env[n] = '\0';
            mark = strcmp(env + i, want) == 0;
            i += (ssize_t)strlen(env + i) + 1;
        }
        if (!mark && c->end_orphans) {  /* a stray child of the driver */
            snprintf(path, sizeof path, "/proc/%ld/stat", pid);
            FILE *f = fopen(path, "r");
            char st[512] = "";
            size_t len = f ? fread(st, 1, sizeof st - 1, f) : 0;
            if (f)
                fclose(f);
            st[len] = '\0';
            const char *paren = strrchr(st, ')');
            long ppid = 0;
            char state = 0;
            mark = paren && sscanf(paren + 1, " %c %ld", &state, &ppid) == 2 &&
                   ppid == (long)self && state != 'Z';
            for (long i = 0; mark && i < c->jobs; i++)
                mark = c->slots[i].pid != (pid_t)pid;
        }
        if (mark && kill((pid_t)pid, SIGKILL) == 0)
            killed++;
    }
    free(want);
    free(env);
    closedir(proc);
    return killed;
}

/* Kill every process of this user still carrying GAHPO_JOB=dir (what the
 * model started, whatever its process group or session), and with
 * end_orphans every child of the driver that is not a running model
 * (descendants handed to the driver, the subreaper, when their parent
 * died). Passes repeat until one finds nothing, so a process forked while
 * a pass ran is found by the next. */
static void end_descendants(const local_ctx *c, const char *dir)
{
    for (int pass = 0; pass < 20 && end_descendants_pass(c, dir) > 0; pass++) {
        struct timespec ts = { 0, 2 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
}

/* With end_orphans, reap the driver's children that are not models (the
 * processes handed to it as subreaper), leaving the models' statuses. */
static void reap_strays(const local_ctx *c)
{
    for (;;) {
        siginfo_t si;
        memset(&si, 0, sizeof si);
        if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) != 0 ||
            si.si_pid == 0)
            return;
        for (long i = 0; i < c->jobs; i++)
            if (c->slots[i].pid == si.si_pid && !c->slots[i].adopted)
                return;  /* a model: step reads its status */
        waitpid(si.si_pid, NULL, 0);
    }
}

/* A model left running by a driver that died (kill -9) and is still
 * working in this job directory within its deadline: take it over instead
 * of starting the job again. 1 when adopted. */
static int adopt_orphan(slot *s)
{
    long pid;
    double deadline;
    if (read_pid_file(s->dir, &pid, &deadline) != 0 ||
        !is_job_model(pid, s->dir))
        return 0;
    if (deadline > 0 && (double)time(NULL) >= deadline)
        return 0;  /* past its time: stop_orphan ends it */
    s->pid = (pid_t)pid;
    s->adopted = 1;
    s->deadline = deadline;
    s->start = ga_now();
    s->term = (ga_job_term){ 0 };
    s->timed_out = 0;
    return 1;
}

/* A model process left running by a driver that was killed (kill -9) is
 * still working in this job directory: stop its process group before the
 * job starts again. The pid file names it; /proc confirms it is ours (its
 * working directory is the job directory), so a reused pid is left alone. */
static void stop_orphan(const char *dir)
{
    char path[GA_PATH_MAX], cwd[4200], link[64];
    if (ga_path(path, sizeof path, NULL, "%s/pid", dir))
        return;  /* a name too long: no pid file, as none */
    FILE *f = fopen(path, "r");
    long pid = 0;
    if (!f)
        return;
    if (fscanf(f, "%ld", &pid) != 1)
        pid = 0;
    fclose(f);
    if (pid <= 1)
        return;
    snprintf(link, sizeof link, "/proc/%ld/cwd", pid);
    ssize_t n = readlink(link, cwd, sizeof cwd - 1);
    if (n <= 0)
        return;
    cwd[n] = '\0';
    if (strcmp(cwd, dir) == 0 && getpgid((pid_t)pid) == (pid_t)pid) {
        killpg((pid_t)pid, SIGKILL);
        for (int i = 0; i < 100 && kill((pid_t)pid, 0) == 0; i++) {
            struct timespec ts = { 0, 10 * 1000 * 1000 };
            nanosleep(&ts, NULL);
        }
    }
}

static int start_job(local_ctx *c, const ga_space *space, const ga_job *job,
                     slot *s, ga_result *r, ga_error *err)
{
    /* every name before the directory is made: one too long fails the run
     * (GA_EINPUT, ga_path's message), as a directory that cannot be made */
    char result[GA_PATH_MAX], pid_path[GA_PATH_MAX];
    if (ga_path(s->dir, sizeof s->dir, err, "%s/gen_%ld/ind_%zu", c->run_dir,
                job->generation, job->index) ||
        ga_path(result, sizeof result, err, "%s/%s", s->dir, c->result_file) ||
        ga_path(pid_path, sizeof pid_path, err, "%s/pid", s->dir))
        return err->status;
    s->job = *job;
    s->adopted = 0;
    if (ga_mkdirs(s->dir, err) != GA_OK)
        return err->status;
    if (s->attempts == 0 && adopt_orphan(s))
        return GA_OK;
    stop_orphan(s->dir);
    end_descendants(c, s->dir);
    /* a result left by an interrupted earlier attempt must not count */
    unlink(result);
    if (ga_job_write_params(space, job->genes, s->dir, err) != GA_OK)
        return err->status;
    char **argv = ga_job_argv(c->argv, c->argc, space, job->genes,
                              c->param_flags);
    if (!argv)
        return ga_error_set(err, GA_EFAIL, "cannot build the command line "
                            "(out of memory or a value over 64 KiB)");
    s->start = ga_now();
    pid_t pid = fork();
    if (pid == 0)
        ga_job_child(s->dir, job->index, argv);
    ga_job_argv_free(argv);
    if (pid < 0) {
        r->fitness = NAN;
        snprintf(r->reason, sizeof r->reason, "fork failed: %s",
                 strerror(errno));
        return GA_OK;
    }
    setpgid(pid, pid);  /* also in the parent, so killpg works at once */
    /* the deadline too, so a driver that takes it over after a crash
     * still ends it on time */
    FILE *pf = fopen(pid_path, "w");
    if (pf) {
        fprintf(pf, "%ld %.0f\n", (long)pid, c->timeout > 0 ?
                ceil((double)time(NULL) + c->timeout) : 0.0);
        fclose(pf);
    }
    s->pid = pid;
    s->term = (ga_job_term){ 0 };
    s->timed_out = 0;
    return GA_OK;
}

/* Turn a finished child's status and result file into a result; GA_EFAIL
 * when out of memory reading the file (ga_exec_read_result). */
static int finish_job(const local_ctx *c, const slot *s, int status,
                      ga_result *r)
{
    r->fitness = NAN;
    r->reason[0] = '\0';
    r->wall_time = ga_now() - s->start;
    r->transient = 0;
    snprintf(r->job_id, sizeof r->job_id, "pid %ld", (long)s->pid);
    if (s->timed_out) {
        snprintf(r->reason, sizeof r->reason, "timeout after %g s", c->timeout);
        return GA_OK;
    }
    if (s->adopted)  /* not our child: no exit status, the file decides */
        return ga_exec_read_result(s->dir, c->result_file, c->result_key, r);
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        /* a signal the model does not give itself: another process (a
         * user, the OOM killer) ended it, and another try may well pass */
        r->transient = sig == SIGKILL || sig == SIGTERM || sig == SIGINT ||
                       sig == SIGHUP || sig == SIGQUIT;
        snprintf(r->reason, sizeof r->reason, "killed by signal %d%s", sig,
                 r->transient ? " from outside the run" : "");
        return GA_OK;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
        snprintf(r->reason, sizeof r->reason, "exit status %d%s",
                 WEXITSTATUS(status), WEXITSTATUS(status) == 127 ?
                 " (command not found or not executable?)" : "");
        return GA_OK;
    }
    return ga_exec_read_result(s->dir, c->result_file, c->result_key, r);
}

/* Stop every job: queued ones are dropped, running ones killed (and what
 * they started, and with end_orphans every stray child of the driver). */
static void local_stop(void *p)
{
    local_ctx *c = p;
    for (long i = 0; i < c->jobs; i++)
        if (c->slots[i].pid > 0)
            killpg(c->slots[i].pid, SIGKILL);
    for (long i = 0; i < c->jobs; i++) {
        if (c->slots[i].pid > 0 && !c->slots[i].adopted)
            waitpid(c->slots[i].pid, NULL, 0);
        if (c->slots[i].pid > 0)
            end_descendants(c, c->slots[i].dir);
        c->slots[i].pid = 0;
        c->slots[i].adopted = 0;
        free(c->slots[i].own);
        c->slots[i].own = NULL;
    }
    for (size_t i = c->qhead; i < c->qlen; i++)
        free(c->queue[i].own);
    c->qhead = c->qlen = 0;
    for (int pass = 0; c->end_orphans && pass < 20; pass++) {
        int killed = end_descendants_pass(c, NULL);
        if (killed > 0) {  /* let them die before they are reaped */
            struct timespec ts = { 0, 2 * 1000 * 1000 };
            nanosleep(&ts, NULL);
        }
        reap_strays(c);
        if (killed == 0)
            break;
    }
}

/* Queue a job with a copy of its genes. */
static int enqueue(local_ctx *c, const ga_job *job, ga_error *err)
{
    if (c->qhead == c->qlen)
        c->qhead = c->qlen = 0;
    if (c->qlen == c->qcap) {
        size_t cap = c->qcap ? 2 * c->qcap : 64;
        queued *q = realloc(c->queue, cap * sizeof *q);
        if (!q)
            return ga_error_set(err, GA_EFAIL, "out of memory");
        c->queue = q;
        c->qcap = cap;
    }
    queued *q = &c->queue[c->qlen];
    size_t d = c->space->n;
    q->job = *job;
    q->own = malloc((d ? d : 1) * sizeof(double));
    if (!q->own)
        return ga_error_set(err, GA_EFAIL, "out of memory");
    memcpy(q->own, job->genes, d * sizeof(double));
    q->job.genes = q->own;
    c->qlen++;
    return GA_OK;
}

static int running(const local_ctx *c)
{
    for (long i = 0; i < c->jobs; i++)
        if (c->slots[i].pid > 0)
            return 1;
    return 0;
}

/* The file system of dir has no space left (a failure there may be the
 * disk's, not the model's). */
static int disk_full(const char *dir)
{
    struct statvfs v;
    return statvfs(dir, &v) == 0 && (v.f_bavail == 0 || (v.f_files > 0 &&
                                                         v.f_favail == 0));
}

/* The slot's model has ended: its result, its descendants ended; GA_EFAIL
 * when out of memory reading the result (finish_job). */
static int end_job(const local_ctx *c, slot *s, int status, ga_result *r)
{
    if (!s->adopted)
        killpg(s->pid, SIGKILL);  /* what is left in its group */
    end_descendants(c, s->dir);
    int rc = finish_job(c, s, status, r);
    if (!isfinite(r->fitness) && !r->transient && disk_full(s->dir)) {
        r->transient = 1;
        size_t n = strlen(r->reason);
        snprintf(r->reason + n, sizeof r->reason - n, " (the disk is full)");
    }
    if (s->attempts > 0 && !isfinite(r->fitness)) {
        size_t n = strlen(r->reason);
        snprintf(r->reason + n, sizeof r->reason - n, " (attempt %ld of %ld)",
                 s->attempts + 1, c->retries + 1);
    }
    s->pid = 0;
    s->adopted = 0;
    return rc;
}

/* Has the slot's model ended? Our child: waitpid; adopted: it is gone. */
static int job_ended(const slot *s, int *status)
{
    *status = 0;
    if (s->adopted)
        return !is_job_model(s->pid, s->dir);
    return waitpid(s->pid, status, WNOHANG) == s->pid;
}

/* Start queued jobs in free slots, reap finished ones (reporting them, or
 * starting them again while --retries allows), enforce timeouts. *reported
 * counts the jobs reported. */
static int step(local_ctx *c, ga_result_fn done, void *done_ctx,
                size_t *reported, ga_error *err)
{
    for (long i = 0; i < c->jobs && c->qhead < c->qlen; i++) {
        slot *s = &c->slots[i];
        if (s->pid > 0)
            continue;
        queued *q = &c->queue[c->qhead++];
        ga_result r = { .fitness = NAN };
        s->own = q->own;
        s->attempts = 0;
        int rc = start_job(c, c->space, &q->job, s, &r, err);
        if (rc == GA_OK && s->pid <= 0) {  /* fork failed: report at once */
            done(done_ctx, s->job.index, &r);
            (*reported)++;
        }
        if (rc || s->pid <= 0) {
            free(s->own);
            s->own = NULL;
        }
        if (rc)
            return rc;
    }
    if (c->end_orphans)
        reap_strays(c);
    double now = ga_now();
    for (long i = 0; i < c->jobs; i++) {
        slot *s = &c->slots[i];
        if (s->pid <= 0)
            continue;
        int status;
        if (job_ended(s, &status)) {
            ga_result r;
            if (end_job(c, s, status, &r) != GA_OK) {
                /* the driver's failure, not the model's: the run stops
                 * and a resume evaluates the individual again */
                free(s->own);
                s->own = NULL;
                return ga_error_set(err, GA_EFAIL, "%s: %s", s->dir,
                                    r.reason);
            }
            if (!isfinite(r.fitness) && s->attempts < c->retries) {
                s->attempts++;
                ga_result again = { .fitness = NAN };
                int rc = start_job(c, c->space, &s->job, s, &again, err);
                if (rc != GA_OK)
                    return rc;
                if (s->pid > 0)
                    continue;  /* running again */
                r = again;     /* fork failed */
            }
            free(s->own);
            s->own = NULL;
            done(done_ctx, s->job.index, &r);
            (*reported)++;
        } else {
            /* an adopted model's timeout is the epoch second in its pid
             * file; our own child's, its start plus --timeout */
            int expired = s->adopted
                ? s->deadline > 0 && (double)time(NULL) >= s->deadline
                : c->timeout > 0 && now - s->start > c->timeout;
            if (ga_job_end_step(s->pid, expired, now, &s->term))
                s->timed_out = 1;
        }
    }
    return GA_OK;
}

static void nap(void)
{
    struct timespec ts = { 0, 5 * 1000 * 1000 };
    nanosleep(&ts, NULL);
}

static int local_submit(void *p, const ga_space *space, const ga_job *jobs,
                        size_t n, int batch, ga_error *err)
{
    local_ctx *c = p;
    int rc = GA_OK;
    (void)batch;  /* each job runs once a slot is free, however it came */
    c->space = space;
    for (size_t k = 0; rc == GA_OK && k < n; k++)
        rc = enqueue(c, &jobs[k], err);
    return rc;
}

static int local_wait(void *p, double deadline, ga_result_fn done,
                      void *done_ctx, volatile sig_atomic_t *cancel,
                      ga_error *err)
{
    local_ctx *c = p;
    size_t got = 0;
    while (got == 0 && (c->qhead < c->qlen || running(c)) &&
           !(deadline > 0 && ga_now() >= deadline)) {
        if (cancel && *cancel) {
            local_stop(c);
            return ga_error_set(err, GA_EFAIL, "interrupted");
        }
        int rc = step(c, done, done_ctx, &got, err);
        if (rc) {
            local_stop(c);
            return rc;
        }
        if (got == 0)
            nap();
    }
    return GA_OK;
}

ga_executor *ga_exec_local_alloc(const ga_exec_local_opts *o, ga_error *err)
{
    if (o->argc == 0) {
        ga_error_set(err, GA_EINPUT, "no model command given");
        return NULL;
    }
    if (o->jobs < 1) {
        ga_error_set(err, GA_EINPUT, "--jobs must be >= 1, got %ld", o->jobs);
        return NULL;
    }
    if (o->retries < 0 || o->retries > 100) {
        ga_error_set(err, GA_EINPUT, "--retries must be 0 to 100, got %ld",
                     o->retries);
        return NULL;
    }
    if (o->timeout < 0 || !isfinite(o->timeout)) {
        ga_error_set(err, GA_EINPUT, "--timeout must be >= 0 seconds");
        return NULL;
    }
    if (o->run_dir[0] != '/') {
        ga_error_set(err, GA_EINPUT, "run directory must be absolute");
        return NULL;
    }
    if (!o->result_file[0] || strstr(o->result_file, "..") ||
        o->result_file[0] == '/') {
        ga_error_set(err, GA_EINPUT, "--result-file must be a plain file name "
                     "inside the job directory, got \"%s\"", o->result_file);
        return NULL;
    }
    ga_executor *ex = calloc(1, sizeof *ex);
    local_ctx *c = calloc(1, sizeof *c);
    if (!ex || !c)
        goto oom;
    ex->ctx = c;
    ex->name = "local";
    ex->submit = local_submit;
    ex->wait = local_wait;
    ex->stop = local_stop;
    ex->free = local_free;
    c->argv = calloc(o->argc + 1, sizeof *c->argv);
    if (!c->argv)
        goto oom;
    for (size_t i = 0; i < o->argc; i++) {
        c->argv[i] = ga_strdup(o->argv[i]);
        if (!c->argv[i])
            goto oom;
        c->argc = i + 1;
    }
    c->run_dir = ga_strdup(o->run_dir);
    c->result_file = ga_strdup(o->result_file);
    c->result_key = ga_strdup(o->result_key);
    if (!c->run_dir || !c->result_file || !c->result_key)
        goto oom;
    c->jobs = o->jobs;
    c->slots = calloc((size_t)o->jobs, sizeof *c->slots);
    if (!c->slots)
        goto oom;
    c->timeout = o->timeout;
    c->param_flags = o->param_flags;
    c->retries = o->retries;
    c->end_orphans = o->end_orphans;
    return ex;
oom:
    if (ex && c)
        ga_executor_free(ex);
    else {
        free(ex);
        local_free(c);
    }
    ga_error_set(err, GA_EFAIL, "out of memory");
    return NULL;
}
