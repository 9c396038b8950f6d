/* cmd_sweep.c - `gahpo sweep`: expand a spec, run it in parallel, analyse
 * it; `gahpo analyze`: the statistics of a finished sweep again. */
#include "commands.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../sweeps/analyze.h"
#include "../sweeps/study.h"
#include "../sweeps/sweep.h"
#include "../sweeps/validate.h"
#include "cmd_chunks.h"
#include "cmd_util.h"
#include "../ga/rundir.h"
#include "../ga/util.h"

static volatile sig_atomic_t sweep_interrupted;

static void on_signal(int sig)
{
    (void)sig;
    sweep_interrupted = 1;
}

/* gnuplot plots.gp in DIR/plots, when gnuplot is installed (argv, no
 * shell). Figures are a bonus: their absence is said, never an error. */
static void make_figures(const char *dir, int quiet)
{
    char plots[4200];
    snprintf(plots, sizeof plots, "%s/plots", dir);
    if (gahpo_gnuplot(plots, "plots.gp") != 0) {
        if (!quiet)
            fprintf(stderr, "gahpo: figures not made (is gnuplot installed? "
                    "run it on %s/plots.gp)\n", plots);
    } else if (!quiet) {
        fprintf(stderr, "gahpo: figures in %s/\n", plots);
    }
}

typedef struct bar {
    int tty;
    long last_step;
} bar;

static void progress(void *ctx, long done, long total, double seconds)
{
    bar *b = ctx;
    double rate = seconds > 0 ? (double)done / seconds : 0;
    double eta = rate > 0 ? (double)(total - done) / rate : 0;
    if (b->tty) {
        int width = 30, fill = total ? (int)(width * done / total) : width;
        fprintf(stderr, "\r[%.*s%*s] %ld/%ld runs  %.1f runs/s  ETA %.0f s ",
                fill, "##############################", width - fill, "",
                done, total, rate, eta);
        if (done == total)
            fputc('\n', stderr);
    } else {
        long step = total ? 10 * done / total : 10;  /* every 10% */
        if (step != b->last_step || done == total) {
            fprintf(stderr, "sweep: %ld/%ld runs, %.1f runs/s, ETA %.0f s\n",
                    done, total, rate, eta);
            b->last_step = step;
        }
    }
}

/* What `gahpo sweep` was asked. */
typedef struct sweep_args {
    const char *spec_path, *out;
    long threads;
    int resume, quiet, no_env;
    long chunk, chunks;          /* --chunk k/K (one chunk here): chunk >= 0 */
    long nchunks;                /* --chunks K (the cluster driver); 0 none */
    const char *executor, *site;
    double timeout;
    int timeout_set;
    const char *sched_keys[64], *sched_values[64];
    int nsched;
} sweep_args;

static const char *sweep_help =
    "usage: gahpo sweep SPEC [--threads N] [--out DIR] [--resume] [--quiet]\n"
    "       gahpo sweep SPEC --executor slurm|pbs --chunks K [--threads N] "
    "[--out DIR] [--resume]\n"
    "                   [--site NAME|FILE] [--timeout S] [--no-env] "
    "[Slurm or PBS options as for gahpo run]";

/* An argument error of gahpo sweep, then its usage: returns 2. */
static int sweep_usage(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static int sweep_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gahpo_vusage("gahpo: sweep: ", sweep_help, fmt, ap);
    va_end(ap);
    return 2;
}

/* "k/K" with 0 <= k < K. */
static int parse_chunk(const char *v, long *k, long *K)
{
    char num[64];
    const char *slash = strchr(v, '/');
    if (!slash || (size_t)(slash - v) >= sizeof num)
        return -1;
    memcpy(num, v, (size_t)(slash - v));
    num[slash - v] = '\0';
    return ga_parse_long(num, k) == 0 && ga_parse_long(slash + 1, K) == 0 &&
           *K >= 1 && *k >= 0 && *k < *K ? 0 : -1;
}

static int parse_sweep_args(int argc, char **argv, sweep_args *a)
{
    memset(a, 0, sizeof *a);
    a->chunk = -1;
    for (int i = 0; i < argc; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "--resume"))
            a->resume = 1;
        else if (!strcmp(o, "--quiet"))
            a->quiet = 1;
        else if (!strcmp(o, "--no-env"))
            a->no_env = 1;
        else if (o[0] != '-' && !a->spec_path)
            a->spec_path = o;
        else if (strncmp(o, "--", 2) != 0)
            return sweep_usage("unexpected argument '%s'", o);
        else if (i + 1 >= argc)
            return sweep_usage("%s needs a value", o);
        else {
            const char *v = argv[++i];
            if (!strcmp(o, "--threads")) {
                if (ga_parse_long(v, &a->threads) != 0 || a->threads < 1)
                    return sweep_usage("--threads must be an integer >= 1, "
                                       "got '%s'", v);
            } else if (!strcmp(o, "--out"))
                a->out = v;
            else if (!strcmp(o, "--chunks")) {
                if (ga_parse_long(v, &a->nchunks) != 0 || a->nchunks < 1)
                    return sweep_usage("--chunks must be an integer >= 1 (the "
                                       "number of cluster tasks), got '%s'", v);
            } else if (!strcmp(o, "--chunk")) {
                if (parse_chunk(v, &a->chunk, &a->chunks) != 0)
                    return sweep_usage("--chunk wants k/K with 0 <= k < K, got "
                                       "'%s'", v);
            } else if (!strcmp(o, "--chunk-of")) {  /* k from the job */
                char why[300];
                if (gahpo_chunk_from_env(v, &a->chunk, &a->chunks, why,
                                         sizeof why) != 0)
                    return sweep_usage("%s", why);
            } else if (!strcmp(o, "--executor")) {
                if (strcmp(v, "local") && strcmp(v, "slurm") && strcmp(v, "pbs"))
                    return sweep_usage("--executor must be local, slurm or pbs, "
                                       "got '%s'", v);
                a->executor = v;
            } else if (!strcmp(o, "--site"))
                a->site = v;
            else if (!strcmp(o, "--timeout")) {
                if (ga_parse_double(v, &a->timeout) != 0 || a->timeout < 0)
                    return sweep_usage("--timeout must be seconds >= 0, got "
                                       "'%s'", v);
                a->timeout_set = 1;
            } else if (ga_sched_option_known(o)) {
                if (a->nsched >= 64)
                    return sweep_usage("too many Slurm or PBS options");
                a->sched_keys[a->nsched] = o;
                a->sched_values[a->nsched++] = v;
            } else
                return sweep_usage("unknown option '%s'", o);
        }
    }
    if (!a->spec_path)
        return sweep_usage("give a spec file (see docs/SWEEPS.md)");
    int cluster = a->executor && strcmp(a->executor, "local") != 0;
    if (a->chunk >= 0 && (a->executor || a->nchunks || a->nsched || a->site ||
                          a->timeout_set))
        return sweep_usage("--chunk k/K runs one chunk on this machine (what "
                           "each cluster task runs): no --executor, --chunks "
                           "or scheduler options with it");
    if (a->chunk >= 0 && !a->out)
        return sweep_usage("--chunk k/K needs --out DIR (the chunk's own "
                           "directory)");
    if (a->nchunks && !a->executor)
        return sweep_usage("--chunks K splits the sweep into K cluster tasks: "
                           "give --executor slurm or pbs");
    if (a->nchunks && !cluster)
        return sweep_usage("--executor local runs the whole sweep on this "
                           "machine (use --threads); --chunks needs --executor "
                           "slurm or pbs");
    if (cluster && !a->nchunks)
        return sweep_usage("--executor %s needs --chunks K (the number of "
                           "array tasks, each running its share of the runs)",
                           a->executor);
    if (!cluster && (a->nsched || a->site || a->timeout_set))
        return sweep_usage("Slurm and PBS options (--site, --partition, "
                           "--queue, --timeout, ...) need --executor slurm or "
                           "pbs and --chunks K");
    return 0;
}

static const char *env_lookup(void *ctx, const char *name)
{
    (void)ctx;
    return getenv(name);
}

/* The scheduler's settings: command line > CANDLE's environment > site. */
static ga_sched_settings *sched_settings(const sweep_args *a, const char *name,
                                         ga_error *err)
{
    ga_sched_settings *s = !strcmp(a->executor, "pbs") ? ga_sched_settings_alloc(GA_SCHED_PBS)
                                                       : ga_sched_settings_alloc(GA_SCHED_SLURM);
    if (!s) {
        ga_error_set(err, GA_EFAIL, "out of memory");
        return NULL;
    }
    int rc = GA_OK;
    for (int i = 0; rc == GA_OK && i < a->nsched; i++)
        rc = ga_sched_settings_set(s, a->sched_keys[i], a->sched_values[i], err);
    if (rc == GA_OK)
        rc = ga_sched_settings_resolve(s, a->site, a->no_env ? NULL : env_lookup,
                                       NULL, err);
    if (rc == GA_OK && !s->job_name) {
        char job[300];
        snprintf(job, sizeof job, "gahpo-sweep-%.200s", name);
        rc = ga_sched_settings_set(s, "--job-name", job, err);
    }
    if (rc != GA_OK) {
        ga_sched_settings_free(s);
        return NULL;
    }
    return s;
}

/* The number of runs: points x problems x replicates. */
static long total_runs(const sweep_spec *s, size_t np)
{
    return (long)np * (long)s->nproblems * s->replicates;
}

/* --chunk k/K: this chunk's runs into dir, then dir/chunk.json, which
 * tells the driver (and a later --resume) that the chunk is complete. */
static int run_one_chunk(const sweep_args *a, const sweep_spec *s,
                         const sweep_point *pts, size_t np, const char *dir,
                         bar *b, ga_error *err)
{
    int rc = sweep_execute_chunk(s, pts, np, dir, (int)a->threads, a->resume,
                                 a->chunk, a->chunks, &sweep_interrupted,
                                 a->quiet ? NULL : progress, b, err);
    if (rc != GA_OK)
        return rc;
    long total = total_runs(s, np);
    return gahpo_chunk_write_record(dir, a->chunk, a->chunks,
                                    (total - a->chunk + a->chunks - 1) /
                                        a->chunks, err);
}

/* A sweep being run: what was asked, the design, where, and on a cluster
 * how; freed by sweep_state_free. */
typedef struct sweep_state {
    const sweep_args *a;
    sweep_study study;            /* the spec and its design */
    char dir[4096];               /* the output directory, as given */
    char dir_abs[PATH_MAX];       /* the same, absolute (--chunks) */
    ga_sched_settings *sched;     /* --chunks: the scheduler's settings */
    long chunk_threads;           /* --chunks: threads per chunk, on its node */
    int lock;                     /* the driver's lock on dir; -1 none */
} sweep_state;

static void sweep_state_free(sweep_state *st)
{
    ga_rundir_unlock(st->lock);
    ga_sched_settings_free(st->sched);
    sweep_study_free(&st->study);
}

/* The sweep can run as asked in chunks: not a race (its runs depend on the
 * ones before), at most one chunk per run, and a directory a cluster sweep
 * began is continued as one. GA_OK or GA_EINPUT (err says why). */
static int check_chunking(const sweep_state *st, ga_error *err)
{
    const sweep_args *a = st->a;
    long total = total_runs(st->study.spec, st->study.npoints);
    long nchunks = a->chunk >= 0 ? a->chunks : a->nchunks;
    char record[4200];
    snprintf(record, sizeof record, "%s/chunks/chunks.json", st->dir);
    if (nchunks > 1 && st->study.spec->design == SWEEP_RACE)
        return ga_error_set(err, GA_EINPUT, "%s: a race decides each "
                            "instance's runs from the ones before, so it "
                            "cannot run in chunks; use a factorial, lhs or "
                            "random design", a->spec_path);
    if (nchunks > total)
        return ga_error_set(err, GA_EINPUT, "--chunks %ld: the sweep has only "
                            "%ld runs (at most one chunk per run)", nchunks,
                            total);
    if (!a->nchunks && a->chunk < 0 && access(record, F_OK) == 0)
        return ga_error_set(err, GA_EINPUT, "%s holds a sweep run in chunks "
                            "on a cluster: resume it with the --executor and "
                            "--chunks it started with", st->dir);
    return GA_OK;
}

/* --chunks K: the scheduler's settings, and a thread per CPU asked for
 * each chunk unless --threads says. */
static int plan_chunks(sweep_state *st, ga_error *err)
{
    st->sched = sched_settings(st->a, st->study.spec->name, err);
    if (!st->sched)
        return err->status;
    if (!st->a->threads && st->sched->cpus_per_task > 0)
        st->chunk_threads = st->sched->cpus_per_task;
    return GA_OK;
}

/* The output directory made and, by the driver, locked: one driver per
 * directory (a chunk on a node writes only its own part, under the
 * driver's lock); with --chunks, its absolute path for the tasks. */
static int open_sweep_dir(sweep_state *st, ga_error *err)
{
    int rc = GA_OK;
    if (st->a->chunk < 0 && (ga_mkdirs(st->dir, err) != GA_OK ||
                             (st->lock = ga_rundir_lock(st->dir, err)) < 0))
        rc = err->status;
    if (st->lock >= 0)
        ga_rundir_remove_stale_temp(st->dir);
    if (rc == GA_OK && st->a->nchunks &&
        (ga_mkdirs(st->dir, err) != GA_OK || !realpath(st->dir, st->dir_abs)))
        rc = err->status ? err->status
                         : ga_error_set(err, GA_EFAIL, "%s: %s", st->dir,
                                        strerror(errno));
    return rc;
}

/* The sweep's size and place on stderr, unless --quiet. */
static void print_sweep_start(const sweep_state *st)
{
    const sweep_args *a = st->a;
    const sweep_spec *s = st->study.spec;
    if (a->quiet)
        return;
    fprintf(stderr, "gahpo: sweep %s: %zu settings (1 reference) x %zu "
            "problems x %ld replicates = %ld runs of %ld evaluations, "
            "into %s", s->name, st->study.npoints, s->nproblems, s->replicates,
            total_runs(s, st->study.npoints), s->budget, st->dir);
    if (a->chunk >= 0)
        fprintf(stderr, " (chunk %ld of %ld)", a->chunk, a->chunks);
    fprintf(stderr, "\n");
    if (st->study.report && st->study.report[0])
        fprintf(stderr, "%s", st->study.report);
}

/* The study's runs as the tasks of a cluster job array (--chunks K). */
static int execute_in_chunks(void *ctx, const sweep_study *study,
                             ga_error *err)
{
    const sweep_state *st = ctx;
    const sweep_args *a = st->a;
    gahpo_chunks_opts co = {
        .spec = study->spec, .points = study->points,
        .npoints = study->npoints, .dir = st->dir_abs, .chunks = a->nchunks,
        .threads = st->chunk_threads, .timeout = a->timeout,
        .resume = a->resume, .quiet = a->quiet, .sched = st->sched,
        .cancel = &sweep_interrupted };
    int rc = gahpo_sweep_in_chunks(&co, err);
    if (rc != GA_OK && sweep_interrupted)
        ga_error_set(err, GA_EFAIL, "interrupted (the chunks in flight "
                     "were cancelled; their journals keep what they "
                     "finished); continue with --resume");
    return rc;
}

/* The figures of an analysed sweep (quiet: ctx non-NULL). */
static void figures(void *ctx, const char *dir)
{
    make_figures(dir, ctx != NULL);
}

/* The whole study here or on a cluster: runs, analysis, figures,
 * validation (a chunk, --chunk k/K, runs only its part). */
static int run_sweep(sweep_state *st, ga_error *err)
{
    const sweep_args *a = st->a;
    bar b = { isatty(2), -1 };
    if (a->chunk >= 0)
        return run_one_chunk(a, st->study.spec, st->study.points,
                             st->study.npoints, st->dir, &b, err);
    sweep_study_opts o = {
        .dir = st->dir, .threads = (int)a->threads, .resume = a->resume,
        .cancel = &sweep_interrupted, .progress = a->quiet ? NULL : progress,
        .progress_ctx = &b, .execute = a->nchunks ? execute_in_chunks : NULL,
        .execute_ctx = st,
        .analysis = { GAHPO_VERSION, a->quiet ? NULL : stdout, 1, 0, -1, 0,
                      NULL },
        .analysed = figures, .analysed_ctx = a->quiet ? (void *)st : NULL };
    int rc = sweep_study_run(&st->study, &o, err);
    if (rc == GA_OK && st->study.spec->nvalidation && !a->quiet)
        printf("(held-out validation appended to %s/report.md)\n", st->dir);
    return rc;
}

int gahpo_cmd_sweep(int argc, char **argv)
{
    sweep_args a;
    int rc = parse_sweep_args(argc, argv, &a);
    if (rc)
        return rc;
    ga_error err;
    ga_error_clear(&err);
    sweep_state st = { .a = &a, .chunk_threads = a.threads, .lock = -1 };
    sweep_spec *spec = sweep_spec_load(a.spec_path, &err);
    if (!spec) {
        fprintf(stderr, "gahpo: %s\n", err.msg);
        return err.status;
    }
    snprintf(st.dir, sizeof st.dir, "%s", a.out ? a.out : "");
    if (!a.out)
        snprintf(st.dir, sizeof st.dir, "results/%s", spec->name);
    rc = sweep_study_open(&st.study, spec, &err);
    if (rc == GA_OK)
        rc = check_chunking(&st, &err);
    if (rc == GA_OK && a.nchunks)
        rc = plan_chunks(&st, &err);
    if (rc == GA_OK)
        rc = open_sweep_dir(&st, &err);
    if (rc == GA_OK) {
        print_sweep_start(&st);
        gahpo_on_stop_signals(on_signal);
        rc = run_sweep(&st, &err);
    }
    if (rc != GA_OK)
        fprintf(stderr, "gahpo: %s\n", err.msg);
    sweep_state_free(&st);
    return rc;
}

int gahpo_cmd_analyze(int argc, char **argv)
{
    if (argc != 1) {
        fprintf(stderr, "gahpo: usage: gahpo analyze DIR\n");
        return 2;
    }
    ga_error err;
    ga_error_clear(&err);
    sweep_analysis an = { GAHPO_VERSION, stdout, 1, 0, -1, 0, NULL };
    int rc = sweep_analyze(argv[0], &an, &err);
    cJSON_Delete(an.tuned);
    if (rc == GA_OK)
        make_figures(argv[0], 0);
    if (rc != GA_OK)
        fprintf(stderr, "gahpo: %s\n", err.msg);
    return rc;
}

