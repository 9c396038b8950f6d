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

static int sweep_usage(const char *fmt, const char *what)
{
    fprintf(stderr, "gahpo: sweep: ");
    fprintf(stderr, fmt, what);
    fprintf(stderr, "\nusage: gahpo sweep SPEC [--threads N] [--out DIR] "
            "[--resume] [--quiet]\n       gahpo sweep SPEC --executor "
            "slurm|pbs --chunks K [--threads N] [--out DIR] [--resume]\n"
            "                   [--site NAME|FILE] [--timeout S] [--no-env] "
            "[Slurm or PBS options as for gahpo run]\n");
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
            } else if (ga_slurm_option_known(o)) {
                if (a->nsched >= 64)
                    return sweep_usage("too many Slurm or PBS options%s", "");
                a->sched_keys[a->nsched] = o;
                a->sched_values[a->nsched++] = v;
            } else
                return sweep_usage("unknown option '%s'", o);
        }
    }
    if (!a->spec_path)
        return sweep_usage("give a spec file (see docs/SWEEPS.md)%s", "");
    int cluster = a->executor && strcmp(a->executor, "local") != 0;
    if (a->chunk >= 0 && (a->executor || a->nchunks || a->nsched || a->site ||
                          a->timeout_set))
        return sweep_usage("--chunk k/K runs one chunk on this machine (what "
                           "each cluster task runs): no --executor, --chunks "
                           "or scheduler options with it%s", "");
    if (a->chunk >= 0 && !a->out)
        return sweep_usage("--chunk k/K needs --out DIR (the chunk's own "
                           "directory)%s", "");
    if (a->nchunks && !a->executor)
        return sweep_usage("--chunks K splits the sweep into K cluster tasks: "
                           "give --executor slurm or pbs%s", "");
    if (a->nchunks && !cluster)
        return sweep_usage("--executor local runs the whole sweep on this "
                           "machine (use --threads); --chunks needs --executor "
                           "slurm or pbs%s", "");
    if (cluster && !a->nchunks)
        return sweep_usage("--executor %s needs --chunks K (the number of "
                           "array tasks, each running its share of the runs)",
                           a->executor);
    if (!cluster && (a->nsched || a->site || a->timeout_set))
        return sweep_usage("Slurm and PBS options (--site, --partition, "
                           "--queue, --timeout, ...) need --executor slurm or "
                           "pbs and --chunks K%s", "");
    return 0;
}

static const char *env_lookup(void *ctx, const char *name)
{
    (void)ctx;
    return getenv(name);
}

/* The scheduler's settings: command line > CANDLE's environment > site. */
static ga_slurm_settings *sched_settings(const sweep_args *a, const char *name,
                                         ga_error *err)
{
    ga_slurm_settings *s = !strcmp(a->executor, "pbs") ? ga_pbs_settings_alloc()
                                                       : ga_slurm_settings_alloc();
    if (!s) {
        ga_error_set(err, GA_EFAIL, "out of memory");
        return NULL;
    }
    int rc = GA_OK;
    for (int i = 0; rc == GA_OK && i < a->nsched; i++)
        rc = ga_slurm_settings_set(s, a->sched_keys[i], a->sched_values[i], err);
    if (rc == GA_OK)
        rc = ga_slurm_settings_resolve(s, a->site, a->no_env ? NULL : env_lookup,
                                       NULL, err);
    if (rc == GA_OK && !s->job_name) {
        char job[300];
        snprintf(job, sizeof job, "gahpo-sweep-%.200s", name);
        rc = ga_slurm_settings_set(s, "--job-name", job, err);
    }
    if (rc != GA_OK) {
        ga_slurm_settings_free(s);
        return NULL;
    }
    return s;
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
    long total = (long)np * (long)s->nproblems * s->replicates;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "chunk", (double)a->chunk);
    cJSON_AddNumberToObject(o, "chunks", (double)a->chunks);
    cJSON_AddNumberToObject(o, "runs",
                            (double)((total - a->chunk + a->chunks - 1) /
                                     a->chunks));
    cJSON_AddNumberToObject(o, "val_loss", 0);
    char path[4300];
    snprintf(path, sizeof path, "%s/chunk.json", dir);
    rc = ga_write_json_atomic(path, o, err);
    cJSON_Delete(o);
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
    sweep_spec *s = sweep_spec_load(a.spec_path, &err);
    if (!s) {
        fprintf(stderr, "gahpo: %s\n", err.msg);
        return err.status;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", a.out ? a.out : "");
    if (!a.out)
        snprintf(dir, sizeof dir, "results/%s", s->name);
    sweep_point *pts = NULL;
    size_t np = 0;
    char *report = NULL;
    ga_slurm_settings *sched = NULL;
    rc = sweep_design(s, &pts, &np, &report, &err);
    long total = (long)np * (long)s->nproblems * s->replicates;
    long nchunks = a.chunk >= 0 ? a.chunks : a.nchunks;
    char record[4200];
    snprintf(record, sizeof record, "%s/chunks/chunks.json", dir);
    if (rc == GA_OK && nchunks > 1 && s->design == SWEEP_RACE)
        rc = ga_error_set(&err, GA_EINPUT, "%s: a race decides each instance's "
                          "runs from the ones before, so it cannot run in "
                          "chunks; use a factorial, lhs or random design",
                          a.spec_path);
    else if (rc == GA_OK && nchunks > total)
        rc = ga_error_set(&err, GA_EINPUT, "--chunks %ld: the sweep has only "
                          "%ld runs (at most one chunk per run)", nchunks, total);
    else if (rc == GA_OK && !a.nchunks && a.chunk < 0 &&
             access(record, F_OK) == 0)
        rc = ga_error_set(&err, GA_EINPUT, "%s holds a sweep run in chunks on a "
                          "cluster: resume it with the --executor and --chunks "
                          "it started with", dir);
    long chunk_threads = a.threads;  /* per chunk, on its node */
    if (rc == GA_OK && a.nchunks) {
        sched = sched_settings(&a, s->name, &err);
        if (!sched)
            rc = err.status;
        else if (!a.threads && sched->cpus_per_task > 0)
            chunk_threads = sched->cpus_per_task;  /* a thread per CPU asked */
    }
    /* one driver per output directory (a chunk on a node writes only its
     * own part, under the driver's lock) */
    int lock = -1;
    if (rc == GA_OK && a.chunk < 0 &&
        (ga_mkdirs(dir, &err) != GA_OK || (lock = ga_rundir_lock(dir, &err)) < 0))
        rc = err.status;
    if (lock >= 0)
        ga_rundir_remove_stale_temp(dir);
    char dir_abs[PATH_MAX];
    if (rc == GA_OK && a.nchunks &&
        (ga_mkdirs(dir, &err) != GA_OK || !realpath(dir, dir_abs)))
        rc = err.status ? err.status
                        : ga_error_set(&err, GA_EFAIL, "%s: %s", dir,
                                       strerror(errno));
    if (rc == GA_OK) {
        if (!a.quiet) {
            fprintf(stderr, "gahpo: sweep %s: %zu settings (1 reference) x %zu "
                    "problems x %ld replicates = %ld runs of %ld evaluations, "
                    "into %s", s->name, np, s->nproblems, s->replicates, total,
                    s->budget, dir);
            if (a.chunk >= 0)
                fprintf(stderr, " (chunk %ld of %ld)", a.chunk, a.chunks);
            fprintf(stderr, "\n");
            if (report && report[0])
                fprintf(stderr, "%s", report);
        }
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
        bar b = { isatty(2), -1 };
        if (a.chunk >= 0) {
            rc = run_one_chunk(&a, s, pts, np, dir, &b, &err);
        } else if (a.nchunks) {
            gahpo_chunks_opts co = {
                .spec = s, .points = pts, .npoints = np, .dir = dir_abs,
                .chunks = a.nchunks, .threads = chunk_threads,
                .timeout = a.timeout, .resume = a.resume, .quiet = a.quiet,
                .sched = sched, .cancel = &sweep_interrupted };
            rc = gahpo_sweep_in_chunks(&co, &err);
            if (rc != GA_OK && sweep_interrupted)
                ga_error_set(&err, GA_EFAIL, "interrupted (the chunks in flight "
                             "were cancelled; their journals keep what they "
                             "finished); continue with --resume");
        } else {
            rc = sweep_execute(s, pts, np, dir, (int)a.threads, a.resume,
                               &sweep_interrupted, a.quiet ? NULL : progress,
                               &b, &err);
        }
        /* a chunk is a part: the driver analyses the whole */
        sweep_analysis an = { GAHPO_VERSION, a.quiet ? NULL : stdout, 1, 0, -1, 0,
                              NULL };
        if (rc == GA_OK && a.chunk < 0)
            rc = sweep_analyze(dir, &an, &err);
        cJSON_Delete(an.tuned);
        size_t selected = an.selected;
        if (rc == GA_OK && a.chunk < 0)
            make_figures(dir, a.quiet);
        if (rc == GA_OK && a.chunk < 0 && s->nvalidation) {
            rc = sweep_validate(s, pts, selected, dir, (int)a.threads, &err);
            if (rc == GA_OK && !a.quiet)
                printf("(held-out validation appended to %s/report.md)\n", dir);
        }
    }
    if (rc != GA_OK)
        fprintf(stderr, "gahpo: %s\n", err.msg);
    ga_rundir_unlock(lock);
    ga_slurm_settings_free(sched);
    free(report);
    sweep_points_free(pts, np, s->nfactors);
    sweep_spec_free(s);
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

/* The spec with its budget set to b (and its name tagged), as text. */
static char *spec_for_budget(const char *text, long b, ga_error *err)
{
    cJSON *o = cJSON_Parse(text);
    if (!o) {
        ga_error_set(err, GA_EINPUT, "invalid JSON");
        return NULL;
    }
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "name");
    char tagged[256];
    snprintf(tagged, sizeof tagged, "%s-b%ld",
             cJSON_IsString(name) ? name->valuestring : "tune", b);
    cJSON_ReplaceItemInObject(o, "name", cJSON_CreateString(tagged));
    cJSON_DeleteItemFromObject(o, "budgets");
    cJSON_DeleteItemFromObject(o, "budget");
    cJSON_DeleteItemFromObject(o, "checkpoints");  /* the defaults fit any b */
    cJSON_AddNumberToObject(o, "budget", (double)b);
    char *t = cJSON_Print(o);
    cJSON_Delete(o);
    return t;
}

int gahpo_cmd_tune(int argc, char **argv)
{
    const char *spec_path = NULL, *out = "results/tuned";
    long threads = 0;
    int quiet = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--quiet"))
            quiet = 1;
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
            if (ga_parse_long(argv[++i], &threads) != 0 || threads < 1) {
                fprintf(stderr, "gahpo: tune: --threads must be an integer >= 1\n");
                return 2;
            }
        } else if (!strcmp(argv[i], "--out") && i + 1 < argc)
            out = argv[++i];
        else if (argv[i][0] != '-' && !spec_path)
            spec_path = argv[i];
        else {
            fprintf(stderr, "gahpo: tune: unexpected argument '%s'\nusage: gahpo "
                    "tune SPEC [--threads N] [--out DIR] [--quiet]\n", argv[i]);
            return 2;
        }
    }
    if (!spec_path) {
        fprintf(stderr, "gahpo: tune: give a tune spec (a sweep spec with "
                "\"budgets\" and \"workers\" lists; see docs/SWEEPS.md)\n");
        return 2;
    }
    ga_error err;
    ga_error_clear(&err);
    char *text = ga_read_file(spec_path, NULL, &err);
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    const cJSON *budgets = cJSON_GetObjectItemCaseSensitive(root, "budgets");
    const cJSON *rf = cJSON_GetObjectItemCaseSensitive(root, "rounds_factor");
    double factor = cJSON_IsNumber(rf) ? rf->valuedouble : 2.0;
    int rc = GA_OK;
    if (!text)
        rc = err.status;
    else if (!root)
        rc = ga_error_set(&err, GA_EINPUT, "%s: invalid JSON", spec_path);
    else if (!cJSON_IsArray(budgets) || cJSON_GetArraySize(budgets) == 0)
        rc = ga_error_set(&err, GA_EINPUT, "%s: a tune spec needs \"budgets\", a "
                          "list of evaluation budgets", spec_path);
    else if (!(factor >= 1))
        rc = ga_error_set(&err, GA_EINPUT, "%s: rounds_factor must be >= 1",
                          spec_path);
    /* check every budget's spec before anything runs */
    const cJSON *b;
    cJSON_ArrayForEach(b, budgets) {
        if (rc)
            break;
        if (!cJSON_IsNumber(b) || b->valuedouble < 1) {
            rc = ga_error_set(&err, GA_EINPUT, "%s: budgets must be integers >= 1",
                              spec_path);
            break;
        }
        char *t = spec_for_budget(text, (long)b->valuedouble, &err);
        sweep_spec *s = t ? sweep_spec_parse(t, spec_path, &err) : NULL;
        if (!s)
            rc = GA_EINPUT;
        sweep_spec_free(s);
        free(t);
    }
    int lock = -1;  /* one tune per output directory */
    if (rc == GA_OK &&
        (ga_mkdirs(out, &err) != GA_OK || (lock = ga_rundir_lock(out, &err)) < 0))
        rc = err.status;
    cJSON *result = cJSON_CreateObject();
    cJSON *entries = cJSON_AddArrayToObject(result, "entries");
    cJSON_ArrayForEach(b, budgets) {
        if (rc)
            break;
        long budget = (long)b->valuedouble;
        char *t = spec_for_budget(text, budget, &err);
        sweep_spec *s = sweep_spec_parse(t, spec_path, &err);
        free(t);
        char dir[4200];
        snprintf(dir, sizeof dir, "%s/b%ld", out, budget);
        sweep_point *pts = NULL;
        size_t np = 0;
        char *report = NULL;
        rc = sweep_design(s, &pts, &np, &report, &err);
        bar bb = { isatty(2), -1 };
        if (!quiet)
            fprintf(stderr, "gahpo: tune: budget %ld: %zu settings x %zu problems "
                    "x %ld replicates, into %s\n", budget, np, s->nproblems,
                    s->replicates, dir);
        if (rc == GA_OK)
            rc = sweep_execute(s, pts, np, dir, (int)threads, 1, &sweep_interrupted,
                               quiet ? NULL : progress, &bb, &err);
        sweep_analysis an = { GAHPO_VERSION, NULL, 1, 0, -1, 0, NULL };
        if (rc == GA_OK)
            rc = sweep_analyze(dir, &an, &err);
        cJSON_Delete(an.tuned);
        if (rc == GA_OK && s->nvalidation)
            rc = sweep_validate(s, pts, an.selected, dir, (int)threads, &err);
        /* one selection per worker count, rounds capped at factor x the
         * rounds a full batch per round would need */
        for (size_t w = 0; rc == GA_OK && w < s->nworkers; w++) {
            long W = s->workers_list[w];
            long cap = W == 1 ? 0 : (long)ceil(factor * (double)budget / (double)W);
            sweep_analysis aw = { GAHPO_VERSION, NULL, 0, W, cap, 0, NULL };
            rc = sweep_analyze(dir, &aw, &err);
            if (rc != GA_OK)
                break;
            cJSON *e = cJSON_CreateObject();
            cJSON_AddNumberToObject(e, "budget", (double)budget);
            cJSON_AddNumberToObject(e, "workers", (double)W);
            cJSON_AddItemToObject(e, "settings", cJSON_DetachItemFromObject(
                                                     aw.tuned, "settings"));
            cJSON_AddItemToObject(e, "evidence", cJSON_DetachItemFromObject(
                                                     aw.tuned, "provenance"));
            cJSON_AddItemToArray(entries, e);
            cJSON_Delete(aw.tuned);
            if (!quiet)
                printf("budget %5ld  workers %3ld  -> point %zu\n", budget, W,
                       aw.selected);
        }
        free(report);
        sweep_points_free(pts, np, s->nfactors);
        sweep_spec_free(s);
    }
    if (rc == GA_OK) {
        cJSON *pv = cJSON_AddObjectToObject(result, "provenance");
        cJSON_AddStringToObject(pv, "tune_spec", spec_path);
        cJSON_AddStringToObject(pv, "gahpo_version", GAHPO_VERSION);
        cJSON_AddNumberToObject(pv, "rounds_factor", factor);
        char path[4300];
        snprintf(path, sizeof path, "%s/tuned_defaults.json", out);
        rc = ga_write_json_atomic(path, result, &err);
        if (rc == GA_OK && !quiet)
            printf("tuned defaults: %s\n", path);
    }
    if (rc != GA_OK)
        fprintf(stderr, "gahpo: %s\n", err.msg);
    ga_rundir_unlock(lock);
    cJSON_Delete(result);
    cJSON_Delete(root);
    free(text);
    return rc;
}
