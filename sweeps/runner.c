/* runner.c - one run within a budget of evaluations, and the OpenMP loop
 * over design x problems x replicates.
 *
 * Budget: a run stops at the spec's evaluation budget, in the middle of a
 * generation if need be (the first individuals of the last batch are
 * evaluated, the rest not), so it never exceeds it; copies that variation
 * left unchanged cost nothing, as in DEAP. Rounds: each batch is split into
 * rounds of `workers` parallel jobs, as production would run it; idle
 * worker-slots are what the last round of each batch leaves unused. */
#include "sweep.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <omp.h>

#include "../ga/engine.h"
#include "../ga/hash.h"
#include "../ga/rng.h"
#include "../ga/strbuf.h"
#include "../ga/util.h"
#include "stats.h"

unsigned long sweep_run_seed(unsigned long sweep_seed, size_t point,
                             size_t problem, long replicate)
{
    unsigned long long z = 0x2545f4914f6cdd1dULL;
    unsigned long long parts[4] = { sweep_seed, point, problem,
                                    (unsigned long long)replicate };
    for (int i = 0; i < 4; i++) {
        z ^= parts[i] + 0x9e3779b97f4a7c15ULL + (z << 6) + (z >> 2);
        z = ga_mix64(z);
    }
    /* a GA seed is 32 bits (the settings' range, 1 to 2^32 - 1 here) */
    unsigned long s = (unsigned long)(z & 0xffffffffULL);
    return s ? s : 1;
}

/* CPU time of the calling thread: a run's own, whatever else the machine
 * runs. */
static double thread_cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The simulated clock of a run (spec "durations"): each batch's jobs
 * list-scheduled on `workers` workers from a barrier (the next batch
 * starts when all are done), durations log-normal, seeded by (run seed,
 * job); every evaluation's finish time and value kept for the best at the
 * time checkpoints. */
typedef struct wallclock {
    gsl_rng *rng;
    double now;
    double *free_at;       /* workers */
    double *t, *v;         /* per evaluation: finish time, value */
    long n;
} wallclock;

static int wallclock_open(wallclock *w, const sweep_spec *s)
{
    memset(w, 0, sizeof *w);
    if (!(s->dur_median > 0))
        return 0;
    w->rng = ga_rng_alloc(0);
    w->free_at = malloc(((size_t)s->workers + 1) * sizeof *w->free_at);
    w->t = malloc(((size_t)s->budget + 1) * sizeof *w->t);
    w->v = malloc(((size_t)s->budget + 1) * sizeof *w->v);
    return w->rng && w->free_at && w->t && w->v ? 0 : -1;
}

static void wallclock_close(wallclock *w)
{
    gsl_rng_free(w->rng);
    free(w->free_at);
    free(w->t);
    free(w->v);
}

/* The batch of k values f just evaluated. */
static void wallclock_batch(wallclock *w, const sweep_spec *s,
                            unsigned long seed, const double *f, size_t k)
{
    if (!w->rng)
        return;
    for (long i = 0; i < s->workers; i++)
        w->free_at[i] = w->now;
    double end = w->now;
    for (size_t j = 0; j < k; j++) {
        long i = 0;
        for (long u = 1; u < s->workers; u++)
            if (w->free_at[u] < w->free_at[i])
                i = u;
        gsl_rng_set(w->rng, prob_noise_seed(seed, -3, (size_t)w->n));
        double d = s->dur_median *
                   exp(s->dur_sigma * gsl_ran_gaussian_ziggurat(w->rng, 1.0));
        w->free_at[i] += d;
        w->t[w->n] = w->free_at[i];
        w->v[w->n++] = f[j];
        if (w->free_at[i] > end)
            end = w->free_at[i];
    }
    w->now = end;
}

/* Jobs that fail (spec durations "fail"): their values NaN, as a model
 * that crashed gives the engine; job done0 + j's fate seeded by (run
 * seed, job). */
static void fail_jobs(wallclock *w, const sweep_spec *s, unsigned long seed,
                      long done0, double *f, size_t k)
{
    if (!w->rng || !(s->dur_fail > 0))
        return;
    for (size_t j = 0; j < k; j++) {
        gsl_rng_set(w->rng, prob_noise_seed(seed, -4, (size_t)done0 + j));
        if (gsl_rng_uniform(w->rng) < s->dur_fail)
            f[j] = NAN;
    }
}

/* The best value finished by each time checkpoint, minus f_opt. */
static void wallclock_result(const wallclock *w, const sweep_spec *s,
                             double f_opt, sweep_result *r)
{
    if (!w->rng)
        return;
    r->sim_time = w->now;
    for (size_t c = 0; c < s->ncheck; c++) {
        double tc = (double)s->checkpoints[c] * s->dur_median /
                    (double)s->workers, best = INFINITY;
        for (long i = 0; i < w->n; i++)
            if (w->t[i] <= tc && w->v[i] < best)
                best = w->v[i];
        r->best_time[c] = best - f_opt;
    }
}

int sweep_run_one(const sweep_spec *spec, const ga_settings *settings,
                  const prob_problem *p, unsigned long seed, sweep_result *r,
                  ga_error *err)
{
    ga_settings s = *settings;
    s.seed = seed;
    s.stall_generations = 0;
    s.target = NAN;
    s.max_seconds = 0;
    double t0 = ga_now(), c0 = thread_cpu_now();
    ga_engine *e = ga_engine_alloc(p->space, &s, err);
    if (!e)
        return err->status;
    size_t cap = (size_t)s.population_size;
    long lambda = ga_settings_lambda(&s);
    if (s.strategy == GA_MU_PLUS_LAMBDA && (size_t)lambda > cap)
        cap = (size_t)lambda;
    size_t d = p->dim;
    double *f = malloc(cap * sizeof *f);
    double *best_x = malloc(d * sizeof *best_x);
    gsl_rng *noise = p->noisy ? ga_rng_alloc(0) : NULL;
    if (!f || !best_x || (p->noisy && !noise)) {
        free(f);
        free(best_x);
        gsl_rng_free(noise);
        ga_engine_free(e);
        return ga_error_set(err, GA_EFAIL, "out of memory");
    }
    double f_opt = isnan(p->f_opt) ? 0 : p->f_opt;
    double best = INFINITY;
    wallclock wc;
    if (wallclock_open(&wc, spec) != 0) {
        wallclock_close(&wc);
        free(f);
        free(best_x);
        gsl_rng_free(noise);
        ga_engine_free(e);
        return ga_error_set(err, GA_EFAIL, "out of memory");
    }
    size_t ci = 0;
    for (size_t t = 0; t < spec->ntargets; t++)
        r->hit[t] = -1;
    r->evals = r->rounds = r->idle_slots = 0;
    for (size_t w = 0; w < spec->nworkers; w++)
        r->rounds_list[w] = 0;
    int rc = GA_OK;
    while (!ga_engine_done(e) && r->evals < spec->budget) {
        ga_batch b;
        ga_engine_ask(e, &b);
        size_t k = b.count;
        if ((long)k > spec->budget - r->evals)
            k = (size_t)(spec->budget - r->evals);  /* the budget's last part */
        prob_eval_batch(p, b.genes, k, f, noise, seed, b.generation, b.index);
        fail_jobs(&wc, spec, seed, r->evals, f, k);
        wallclock_batch(&wc, spec, seed, f, k);
        for (size_t j = 0; j < k; j++) {
            r->evals++;
            if (f[j] < best) {
                best = f[j];
                memcpy(best_x, b.genes + j * d, d * sizeof *best_x);
                for (size_t t = 0; t < spec->ntargets; t++)
                    if (r->hit[t] < 0 && best - f_opt <= spec->targets[t])
                        r->hit[t] = r->evals;
            }
            while (ci < spec->ncheck && r->evals >= spec->checkpoints[ci])
                r->best_at[ci++] = best - f_opt;
        }
        if (k > 0) {
            long rounds = ((long)k + spec->workers - 1) / spec->workers;
            r->rounds += rounds;
            r->idle_slots += rounds * spec->workers - (long)k;
            for (size_t w = 0; w < spec->nworkers; w++)
                r->rounds_list[w] += ((long)k + spec->workers_list[w] - 1) /
                                     spec->workers_list[w];
        }
        if (k < b.count || r->evals >= spec->budget)
            break;
        if ((rc = ga_engine_tell(e, f, err)) != GA_OK) {
            /* every job of a batch failed with no earlier fitness to
             * stand in: the run stops there, as gahpo run would */
            if (spec->dur_fail > 0 && rc == GA_EFAIL) {
                rc = GA_OK;
                ga_error_clear(err);
            }
            break;
        }
    }
    while (ci < spec->ncheck)  /* ended early (num_iter): carry the last */
        r->best_at[ci++] = best - f_opt;
    r->generations = ga_engine_generation(e) + 1;
    r->best = best;
    r->true_best = best;
    if (p->noisy && isfinite(best))  /* what the recommended point is worth */
        p->eval(p, best_x, 1, &r->true_best, NULL);
    r->error = r->true_best - f_opt;
    wallclock_result(&wc, spec, f_opt, r);
    wallclock_close(&wc);
    r->seconds = ga_now() - t0;
    r->cpu_seconds = thread_cpu_now() - c0;
    free(f);
    free(best_x);
    gsl_rng_free(noise);
    ga_engine_free(e);
    return rc;
}

/* ---- the sweep ------------------------------------------------------- */

char *sweep_runs_header(const sweep_spec *s)
{
    ga_strbuf h = GA_STRBUF_INIT;
    ga_strbuf_append(&h, "run,point,problem,replicate,seed");
    for (size_t k = 0; k < s->nfactors; k++)
        ga_strbuf_printf(&h, ",%s", s->factors[k].name);
    ga_strbuf_append(&h, ",evals,generations,rounds,idle_slots,best,"
                         "true_best,error");
    for (size_t w = 0; w < s->nworkers; w++)
        ga_strbuf_printf(&h, ",rounds_w%ld", s->workers_list[w]);
    for (size_t c = 0; c < s->ncheck; c++)
        ga_strbuf_printf(&h, ",best_at_%ld", s->checkpoints[c]);
    for (size_t t = 0; t < s->ntargets; t++) {
        char num[40];
        ga_format_double(s->targets[t], num, sizeof num);
        ga_strbuf_printf(&h, ",hit_%s", num);
    }
    if (s->dur_median > 0) {
        ga_strbuf_append(&h, ",sim_time");
        for (size_t c = 0; c < s->ncheck; c++)
            ga_strbuf_printf(&h, ",best_time_%ld", s->checkpoints[c]);
    }
    ga_strbuf_append(&h, "\n");
    return ga_strbuf_take(&h);
}

/* A run's row of runs.csv (caller frees); NULL when out of memory. */
static char *run_row(const sweep_spec *s, const sweep_point *pt, long run,
                     size_t point, size_t problem, long rep, unsigned long seed,
                     const sweep_result *r)
{
    ga_strbuf row = GA_STRBUF_INIT;
    char a[40], b[40], c[40];
    ga_strbuf_printf(&row, "%ld,%zu,%s,%ld,%lu", run, point,
                     s->problems[problem], rep, seed);
    for (size_t k = 0; k < s->nfactors; k++)
        ga_strbuf_printf(&row, ",%s", pt->values[k]);
    ga_format_double(r->best, a, sizeof a);
    ga_format_double(r->true_best, b, sizeof b);
    ga_format_double(r->error, c, sizeof c);
    ga_strbuf_printf(&row, ",%ld,%ld,%ld,%ld,%s,%s,%s", r->evals,
                     r->generations, r->rounds, r->idle_slots, a, b, c);
    for (size_t w = 0; w < s->nworkers; w++)
        ga_strbuf_printf(&row, ",%ld", r->rounds_list[w]);
    for (size_t k = 0; k < s->ncheck; k++) {
        ga_format_double(r->best_at[k], a, sizeof a);
        ga_strbuf_printf(&row, ",%s", a);
    }
    for (size_t t = 0; t < s->ntargets; t++)
        ga_strbuf_printf(&row, ",%ld", r->hit[t]);
    if (s->dur_median > 0) {
        ga_format_double(r->sim_time, a, sizeof a);
        ga_strbuf_printf(&row, ",%s", a);
        for (size_t k = 0; k < s->ncheck; k++) {
            ga_format_double(r->best_time[k], a, sizeof a);
            ga_strbuf_printf(&row, ",%s", a);
        }
    }
    ga_strbuf_append(&row, "\n");
    return ga_strbuf_take(&row);
}

int sweep_write_design(const sweep_spec *s, const sweep_point *pts, size_t n,
                       const char *dir, ga_error *err)
{
    ga_strbuf csv = GA_STRBUF_INIT;
    char path[GA_PATH_MAX];
    ga_strbuf_append(&csv, "point,reference");
    for (size_t k = 0; k < s->nfactors; k++)
        ga_strbuf_printf(&csv, ",%s", s->factors[k].name);
    ga_strbuf_append(&csv, "\n");
    for (size_t i = 0; i < n; i++) {
        ga_strbuf_printf(&csv, "%zu,%d", i, pts[i].reference);
        for (size_t k = 0; k < s->nfactors; k++)
            ga_strbuf_printf(&csv, ",%s", pts[i].values[k]);
        ga_strbuf_append(&csv, "\n");
    }
    int rc = ga_path(path, sizeof path, err, "%s/design.csv", dir);
    if (rc == GA_OK)
        rc = ga_strbuf_write(&csv, path, err);
    ga_strbuf_free(&csv);
    if (rc)
        return rc;
    if (ga_path(path, sizeof path, err, "%s/spec.json", dir))
        return GA_EINPUT;
    return ga_write_file_atomic(path, s->text, strlen(s->text), err);
}

int sweep_check_generator(const char *dir, ga_error *err)
{
    char path[GA_PATH_MAX];
    int rc = ga_path(path, sizeof path, err, "%s/generator", dir);
    if (rc)
        return rc;
    const char *want = ga_rng_xoshiro256pp->name;
    if (access(path, F_OK) != 0)
        return ga_error_set(err, GA_EINPUT, "%s: its runs were drawn from "
                            "mt19937 (no generator file: begun by a gahpo "
                            "before %s); its rows and new ones would be two "
                            "experiments in one runs.csv: start the sweep in "
                            "another --out", dir, want);
    ga_error e;
    char *text = ga_read_file(path, NULL, &e);
    if (!text)
        return ga_error_set(err, GA_EFAIL, "%s", e.msg);
    size_t n = strlen(want);
    int same = !strncmp(text, want, n) && !strcmp(text + n, "\n");
    char was[64];
    snprintf(was, sizeof was, "%s", text);
    was[strcspn(was, "\r\n")] = '\0';
    free(text);
    if (!same)
        return ga_error_set(err, GA_EINPUT, "%s: its runs were drawn from "
                            "another generator than this gahpo's %s (%s "
                            "says '%s'); its rows and new ones would be two "
                            "experiments in one runs.csv: start the sweep in "
                            "another --out", dir, want, path, was);
    return GA_OK;
}

int sweep_write_generator(const char *dir, ga_error *err)
{
    char path[GA_PATH_MAX], line[64];
    int rc = ga_path(path, sizeof path, err, "%s/generator", dir);
    if (rc)
        return rc;
    int n = snprintf(line, sizeof line, "%s\n", ga_rng_xoshiro256pp->name);
    return ga_write_file_atomic(path, line, (size_t)n, err);
}

/* Rows already in the journal: "index,row" lines; a torn last line is cut.
 * Only runs of chunk `chunk` of nchunks (run % nchunks) are kept. */
static int read_journal(const char *path, char **rows, long total, long chunk,
                        long nchunks, long *done, ga_error *err)
{
    size_t len;
    ga_error e;
    char *text = ga_read_file(path, &len, &e);
    *done = 0;
    if (!text)  /* none yet (GA_EINPUT); one that cannot be read is an error */
        return e.status == GA_EFAIL ? ga_error_set(err, GA_EFAIL, "%s", e.msg)
                                    : GA_OK;
    size_t keep = len;
    while (keep > 0 && text[keep - 1] != '\n')
        keep--;
    text[keep] = '\0';
    if (keep != len && truncate(path, (off_t)keep) != 0) {
        free(text);
        return ga_error_set(err, GA_EFAIL, "%s: cannot cut a torn line: %s",
                            path, strerror(errno));
    }
    int rc = GA_OK;
    for (char *line = text; *line && rc == GA_OK;) {
        char *nl = strchr(line, '\n');
        if (!nl)  /* a NUL inside a line (a torn write): stop there */
            break;
        *nl = '\0';
        char *comma = strchr(line, ',');
        long idx;
        if (comma) {
            *comma = '\0';
            if (ga_parse_long(line, &idx) == 0 && idx >= 0 && idx < total &&
                idx % nchunks == chunk && !rows[idx]) {
                size_t n = strlen(comma + 1);
                if ((rows[idx] = malloc(n + 2))) {
                    memcpy(rows[idx], comma + 1, n);
                    rows[idx][n] = '\n';
                    rows[idx][n + 1] = '\0';
                    (*done)++;
                } else {
                    rc = ga_error_set(err, GA_EFAIL, "out of memory");
                }
            }
        }
        line = nl + 1;
    }
    free(text);
    return rc;
}

/* What the parallel loop needs, shared by the full design and the race. */
typedef struct exec_ctx {
    const sweep_spec *s;
    const sweep_point *pts;
    prob_problem **probs;
    char **rows;             /* per run: its runs.csv row, once done */
    double *errors;          /* per run: its final error (race decisions) */
    FILE *journal, *timings;
    long total, finished, planned;
    double t0;
    int threads;
    volatile int *cancel;
    sweep_progress_fn progress;
    void *progress_ctx;
    int failed;
    char fail_msg[2048];
} exec_ctx;

/* The error column of a row: after run, point, problem, replicate, seed,
 * the factors, and evals, generations, rounds, idle_slots, best, true_best. */
static double row_error(const char *row, size_t nfactors)
{
    size_t skip = 5 + nfactors + 6;
    const char *c = row;
    for (size_t i = 0; i < skip && c; i++) {
        c = strchr(c, ',');
        if (c)
            c++;
    }
    return c ? strtod(c, NULL) : NAN;
}

double sweep_anytime_score(int mode, const double *at, const double *time,
                           size_t ncheck)
{
    double sum = 0;
    size_t n = 0;
    for (size_t c = 0; mode != 2 && c < ncheck; c++, n++)
        sum += log10(fmax(at[c], 0) + 1e-12);
    for (size_t c = 0; mode >= 2 && c < ncheck; c++, n++)
        sum += log10(fmax(time[c], 0) + 1e-12);
    return n ? pow(10, sum / (double)n) : NAN;
}

double sweep_run_score(const sweep_spec *s, const sweep_result *r)
{
    if (s->race_rounds_cap > 0 && r->rounds > s->race_rounds_cap)
        return INFINITY;
    if (!s->race_anytime || s->ncheck == 0)
        return r->error;
    return sweep_anytime_score(s->race_anytime, r->best_at, r->best_time,
                               s->ncheck);
}

/* Run every listed run that is not done yet, in parallel. */
static void execute_ids(exec_ctx *x, const long *ids, long n)
{
    const sweep_spec *s = x->s;
#pragma omp parallel for schedule(dynamic) num_threads(x->threads)
    for (long i = 0; i < n; i++) {
        long run = ids[i];
        if (x->rows[run] || x->failed || (x->cancel && *x->cancel))
            continue;
        size_t point = (size_t)(run / ((long)s->nproblems * s->replicates));
        size_t problem = (size_t)((run / s->replicates) % (long)s->nproblems);
        long rep = run % s->replicates;
        unsigned long seed = sweep_run_seed(s->seed, point, problem, rep);
        sweep_result r;
        double best_at[s->ncheck + 1], best_time[s->ncheck + 1];
        long hit[s->ntargets + 1];
        long rounds_list[s->nworkers + 1];
        r.best_at = best_at;
        r.best_time = best_time;
        r.hit = hit;
        r.rounds_list = rounds_list;
        ga_error e;
        ga_error_clear(&e);
        char *row = NULL;
        if (sweep_run_one(s, &x->pts[point].settings, x->probs[problem], seed,
                          &r, &e) == GA_OK &&
            !(row = run_row(s, &x->pts[point], run, point, problem, rep, seed,
                            &r)))
            ga_error_set(&e, GA_EFAIL, "out of memory");
        if (!row) {
#pragma omp critical(sweep_fail)
            {
                x->failed = 1;
                snprintf(x->fail_msg, sizeof x->fail_msg, "run %ld: %.1900s",
                         run, e.msg);
            }
            continue;
        }
#pragma omp critical(sweep_journal)
        {
            x->rows[run] = row;
            x->errors[run] = sweep_run_score(s, &r);
            fprintf(x->journal, "%ld,%s", run, row);
            fflush(x->journal);
            fprintf(x->timings, "%ld,%.6f,%.6f\n", run, r.seconds,
                    r.cpu_seconds);
            x->finished++;
            if (x->progress)
                x->progress(x->progress_ctx, x->finished, x->planned,
                            ga_now() - x->t0);
        }
    }
}

static long run_index(const sweep_spec *s, size_t point, size_t problem, long rep)
{
    return ((long)point * (long)s->nproblems + (long)problem) * s->replicates + rep;
}

/* What a race keeps between instances. */
typedef struct race_state {
    size_t np;
    int *alive;              /* [p]: still racing */
    size_t nalive;
    long *ids;               /* the runs of one instance */
    size_t *map;             /* [j]: the point of alive setting j */
    double *blocks;          /* [instance][j]: log10 errors */
} race_state;

/* Conover's post-hoc test after Friedman rejected over b blocks of k
 * alive settings (rank sums R): drop each setting whose rank sum is
 * significantly worse than the best's, |R_j - R_best| > t * sqrt(2 (b A -
 * sum R^2) / ((b-1)(k-1))), A the sum of squared within-block ranks; never
 * the reference, and the worst first while more than race_min_alive
 * settings are left. Their points into dropped (a list). */
static void conover_drop(const sweep_spec *s, race_state *rs, size_t b,
                         size_t k, const double *R, double *rk, char *dropped,
                         size_t size)
{
    double A = 0, sumR2 = 0;
    for (size_t i = 0; i < b; i++) {
        sweep_ranks(rs->blocks + i * k, k, rk);
        for (size_t j = 0; j < k; j++)
            A += rk[j] * rk[j];
    }
    size_t bestj = 0;
    for (size_t j = 0; j < k; j++) {
        sumR2 += R[j] * R[j];
        if (R[j] < R[bestj])
            bestj = j;
    }
    double dfree = ((double)b - 1) * ((double)k - 1);
    double t = gsl_cdf_tdist_Pinv(1 - s->race_alpha / 2, dfree);
    double crit = t * sqrt(fmax(0, 2 * ((double)b * A - sumR2) / dfree));
    for (;;) {
        /* the worst setting still to drop */
        size_t worst = k;
        for (size_t j = 0; j < k; j++)
            if (rs->map[j] != 0 && rs->alive[rs->map[j]] &&
                R[j] - R[bestj] > crit && (worst == k || R[j] > R[worst]))
                worst = j;
        if (worst == k || rs->nalive <= (size_t)s->race_min_alive)
            break;
        rs->alive[rs->map[worst]] = 0;
        rs->nalive--;
        size_t dl = strlen(dropped);
        snprintf(dropped + dl, size - dl, "%s%zu", dl ? " " : "",
                 rs->map[worst]);
    }
}

/* The test after instance inst: Friedman over the instances so far and
 * the alive settings, Conover if it rejects at race_alpha. Its p-value
 * into *fp (NaN before race_first_test instances, or with two settings
 * left); the dropped points into dropped. */
static int race_test(exec_ctx *x, race_state *rs, long inst, double *fp,
                     char *dropped, size_t size, ga_error *err)
{
    const sweep_spec *s = x->s;
    long nq = (long)s->nproblems;
    size_t k = 0;
    for (size_t p = 0; p < rs->np; p++)
        if (rs->alive[p])
            rs->map[k++] = p;
    *fp = NAN;
    if (!(inst + 1 >= s->race_first_test && k > 2))
        return GA_OK;
    size_t b = (size_t)inst + 1;
    for (size_t i = 0; i < b; i++)
        for (size_t j = 0; j < k; j++) {
            long id = run_index(s, rs->map[j], (size_t)((long)i % nq),
                                (long)i / nq);
            rs->blocks[i * k + j] = log10(fmax(x->errors[id], 0) + 1e-12);
        }
    double stat, *R = malloc(k * sizeof *R), *rk = malloc(k * sizeof *rk);
    int rc = R && rk ? GA_OK : ga_error_set(err, GA_EFAIL, "out of memory");
    errno = 0;
    if (rc == GA_OK)
        *fp = sweep_friedman(rs->blocks, b, k, &stat, R);
    if (rc == GA_OK && *fp < s->race_alpha)
        conover_drop(s, rs, b, k, R, rk, dropped, size);
    if (rc == GA_OK && errno == ENOMEM)  /* a statistic ran out (stats.h) */
        rc = ga_error_set(err, GA_EFAIL, "out of memory");
    free(R);
    free(rk);
    return rc;
}

/* F-race: instances (problem, replicate) one at a time, replicate-major so
 * the first instances cover every problem; after race_first_test of them,
 * a Friedman test over the surviving settings (blocks = instances, values =
 * log10 error), and if it rejects at race_alpha, Conover's post-hoc test
 * drops every setting whose rank sum is significantly worse than the best's.
 * The reference (the CANDLE defaults) always runs, for the comparisons.
 * race.csv says what happened after each instance. */
static int race(exec_ctx *x, size_t np, const char *dir, ga_error *err)
{
    const sweep_spec *s = x->s;
    size_t nq = s->nproblems;
    long ninst = (long)nq * s->replicates;
    race_state rs = { np, malloc(np * sizeof *rs.alive), np,
                      malloc((np + 1) * sizeof *rs.ids),
                      malloc(np * sizeof *rs.map),
                      malloc(((size_t)ninst * np + 1) * sizeof *rs.blocks) };
    ga_strbuf log = GA_STRBUF_INIT;
    int rc = rs.alive && rs.ids && rs.map && rs.blocks
                 ? GA_OK : ga_error_set(err, GA_EFAIL, "out of memory");
    ga_strbuf_append(&log, "instance,problem,replicate,alive,friedman_p,"
                           "dropped\n");
    for (size_t p = 0; rc == GA_OK && p < np; p++)
        rs.alive[p] = 1;
    x->planned = (long)np * ninst;
    for (long inst = 0; rc == GA_OK && inst < ninst && !x->failed; inst++) {
        size_t q = (size_t)(inst % (long)nq);
        long rep = inst / (long)nq, n = 0;
        for (size_t p = 0; p < np; p++)
            if (rs.alive[p])
                rs.ids[n++] = run_index(s, p, q, rep);
        execute_ids(x, rs.ids, n);
        if (x->failed || (x->cancel && *x->cancel))
            break;
        double fp;
        char dropped[1024] = "";
        if ((rc = race_test(x, &rs, inst, &fp, dropped, sizeof dropped, err)))
            break;
        ga_strbuf_printf(&log, "%ld,%s,%ld,%zu,%.6g,%s\n", inst, s->problems[q],
                         rep, rs.nalive, fp, dropped);
        /* planned runs shrink as settings drop out */
        x->planned = x->finished + (long)rs.nalive * (ninst - inst - 1);
    }
    if (rc == GA_OK && !x->failed && !(x->cancel && *x->cancel)) {
        char path[GA_PATH_MAX];
        rc = ga_path(path, sizeof path, err, "%s/race.csv", dir);
        if (rc == GA_OK)
            rc = ga_strbuf_write(&log, path, err);
    }
    ga_strbuf_free(&log);
    free(rs.alive);
    free(rs.ids);
    free(rs.map);
    free(rs.blocks);
    return rc;
}

int sweep_execute(const sweep_spec *s, const sweep_point *pts, size_t npoints,
                  const char *dir, int threads, int resume, volatile int *cancel,
                  sweep_progress_fn progress, void *progress_ctx, ga_error *err)
{
    return sweep_execute_chunk(s, pts, npoints, dir, threads, resume, 0, 1,
                               cancel, progress, progress_ctx, err);
}

/* Before any run: chunk k of K can be made, dir holds no other sweep (or,
 * resuming, this spec's), and holds design.csv and spec.json. */
static int prepare(const sweep_spec *s, const sweep_point *pts, size_t npoints,
                   const char *dir, int resume, long chunk, long nchunks,
                   ga_error *err)
{
    char journal[GA_PATH_MAX], runs[GA_PATH_MAX], path[GA_PATH_MAX];
    long total = (long)npoints * (long)s->nproblems * s->replicates;
    if (nchunks < 1 || chunk < 0 || chunk >= nchunks)
        return ga_error_set(err, GA_EINPUT, "chunk %ld of %ld: want 0 <= chunk "
                            "< chunks", chunk, nchunks);
    if (nchunks > 1 && s->design == SWEEP_RACE)
        return ga_error_set(err, GA_EINPUT, "a race decides which runs to make "
                            "from the runs before: it cannot be split into "
                            "chunks");
    if (nchunks > total)
        return ga_error_set(err, GA_EINPUT, "%ld chunks for %ld runs: at most "
                            "one chunk per run", nchunks, total);
    /* the names first: a directory is made only if they fit */
    int rc = ga_path(journal, sizeof journal, err, "%s/runs.journal", dir);
    if (rc == GA_OK)
        rc = ga_path(runs, sizeof runs, err, "%s/runs.csv", dir);
    if (rc == GA_OK)
        rc = ga_path(path, sizeof path, err, "%s/spec.json", dir);
    if (rc == GA_OK)
        rc = ga_mkdirs(dir, err);
    if (rc)
        return rc;
    if (!resume && (access(journal, F_OK) == 0 || access(runs, F_OK) == 0))
        return ga_error_set(err, GA_EINPUT, "%s already holds a sweep; continue "
                            "it with --resume or choose another --out", dir);
    if (resume) {
        /* the same spec, or the journal's rows mean something else */
        ga_error e;
        char *old = ga_read_file(path, NULL, &e);
        int unread = !old && e.status == GA_EFAIL;  /* there, but not read */
        int differs = old && strcmp(old, s->text) != 0;
        free(old);
        if (unread)
            return ga_error_set(err, GA_EFAIL, "%s", e.msg);
        if (differs)
            return ga_error_set(err, GA_EINPUT, "%s/spec.json differs from this "
                                "spec: resume with the spec the sweep started "
                                "with", dir);
        /* rows already run were drawn from this gahpo's generator (a
         * journal that holds none, or is not a file, has nothing to mix) */
        struct stat st;
        if (stat(journal, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
            (rc = sweep_check_generator(dir, err)))
            return rc;
    }
    if ((rc = sweep_write_design(s, pts, npoints, dir, err)))
        return rc;
    return sweep_write_generator(dir, err);
}

/* x's arrays for every run, the journal's rows (resuming), the problems,
 * and the journal and timings open for appending. */
static int open_ctx(exec_ctx *x, const char *dir, int resume, long chunk,
                    long nchunks, ga_error *err)
{
    const sweep_spec *s = x->s;
    char journal[GA_PATH_MAX], timings[GA_PATH_MAX];
    if (ga_path(journal, sizeof journal, err, "%s/runs.journal", dir) ||
        ga_path(timings, sizeof timings, err, "%s/timings.csv", dir))
        return GA_EINPUT;
    x->rows = calloc((size_t)x->total + 1, sizeof *x->rows);
    x->errors = malloc(((size_t)x->total + 1) * sizeof *x->errors);
    x->probs = calloc(s->nproblems, sizeof *x->probs);
    if (!x->rows || !x->errors || !x->probs)
        return ga_error_set(err, GA_EFAIL, "out of memory");
    long done = 0;
    int rc;
    for (long i = 0; i < x->total; i++)
        x->errors[i] = NAN;
    if (resume && (rc = read_journal(journal, x->rows, x->total, chunk, nchunks,
                                     &done, err)))
        return rc;
    x->finished = done;
    for (long i = 0; i < x->total; i++)
        if (x->rows[i])
            x->errors[i] = row_error(x->rows[i], s->nfactors);
    for (size_t q = 0; q < s->nproblems; q++)
        if (!(x->probs[q] = prob_lookup(s->problems[q], err)))
            return err->status;
    int new_timings = access(timings, F_OK) != 0;
    x->journal = fopen(journal, "a");
    x->timings = fopen(timings, "a");
    if (x->timings && new_timings)
        fprintf(x->timings, SWEEP_TIMINGS_HEADER);
    if (!x->journal || !x->timings)
        return ga_error_set(err, GA_EFAIL, "%s: cannot write: %s", dir,
                            strerror(errno));
    return GA_OK;
}

static void close_ctx(exec_ctx *x)
{
    if (x->journal)
        fclose(x->journal);
    if (x->timings)
        fclose(x->timings);
    for (long i = 0; x->rows && i < x->total; i++)
        free(x->rows[i]);
    free(x->rows);
    free(x->errors);
    for (size_t q = 0; x->probs && q < x->s->nproblems; q++)
        prob_free(x->probs[q]);
    free(x->probs);
}

/* Chunk k of K: the runs with run % K == k, spread over the design so that
 * every chunk gets a like share of cheap and costly runs. */
static int execute_chunk(exec_ctx *x, long chunk, long nchunks, ga_error *err)
{
    long *ids = malloc(((size_t)x->planned + 1) * sizeof *ids);
    if (!ids)
        return ga_error_set(err, GA_EFAIL, "out of memory");
    long n = 0;
    for (long i = chunk; i < x->total; i += nchunks)
        ids[n++] = i;
    execute_ids(x, ids, n);
    free(ids);
    return GA_OK;
}

/* runs.csv: every row, in run order, whatever order they finished in (a
 * race leaves out the runs its dropped settings never made). */
static int write_runs(const exec_ctx *x, const char *dir, ga_error *err)
{
    char path[GA_PATH_MAX];
    if (ga_path(path, sizeof path, err, "%s/runs.csv", dir))
        return GA_EINPUT;
    char *header = sweep_runs_header(x->s);
    ga_strbuf csv = GA_STRBUF_INIT;
    if (!header)
        return ga_error_set(err, GA_EFAIL, "out of memory");
    ga_strbuf_append(&csv, header);
    free(header);
    for (long i = 0; i < x->total; i++)
        if (x->rows[i])
            ga_strbuf_append(&csv, x->rows[i]);
    int rc = ga_strbuf_write(&csv, path, err);
    ga_strbuf_free(&csv);
    return rc;
}

int sweep_execute_chunk(const sweep_spec *s, const sweep_point *pts,
                        size_t npoints, const char *dir, int threads,
                        int resume, long chunk, long nchunks,
                        volatile int *cancel, sweep_progress_fn progress,
                        void *progress_ctx, ga_error *err)
{
    int rc = prepare(s, pts, npoints, dir, resume, chunk, nchunks, err);
    if (rc)
        return rc;
    exec_ctx x;
    memset(&x, 0, sizeof x);
    x.s = s;
    x.pts = pts;
    x.total = (long)npoints * (long)s->nproblems * s->replicates;
    x.threads = threads > 0 ? threads : omp_get_max_threads();
    x.cancel = cancel;
    x.progress = progress;
    x.progress_ctx = progress_ctx;
    if ((rc = open_ctx(&x, dir, resume, chunk, nchunks, err)))
        goto out;
    x.t0 = ga_now();
    x.planned = (x.total - chunk + nchunks - 1) / nchunks;
    if (progress)
        progress(progress_ctx, x.finished, x.planned, 0);
    rc = s->design == SWEEP_RACE ? race(&x, npoints, dir, err)
                                 : execute_chunk(&x, chunk, nchunks, err);
    if (rc == GA_OK && x.failed)
        rc = ga_error_set(err, GA_EFAIL, "%s", x.fail_msg);
    else if (rc == GA_OK && cancel && *cancel)
        rc = ga_error_set(err, GA_EFAIL, "interrupted after %ld runs; continue "
                          "with --resume", x.finished);
    if (rc == GA_OK)
        rc = write_runs(&x, dir, err);
out:
    close_ctx(&x);
    return rc;
}
