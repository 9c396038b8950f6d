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
#include <unistd.h>

#include <gsl/gsl_rng.h>
#include <omp.h>

#include "../ga/engine.h"
#include "../ga/util.h"

unsigned long sweep_run_seed(unsigned long sweep_seed, size_t point,
                             size_t problem, long replicate)
{
    unsigned long long z = 0x2545f4914f6cdd1dULL;
    unsigned long long parts[4] = { sweep_seed, point, problem,
                                    (unsigned long long)replicate };
    for (int i = 0; i < 4; i++) {
        z ^= parts[i] + 0x9e3779b97f4a7c15ULL + (z << 6) + (z >> 2);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        z ^= z >> 31;
    }
    /* mt19937 takes 32 bits of seed; 0 would mean its default seed */
    unsigned long s = (unsigned long)(z & 0xffffffffULL);
    return s ? s : 1;
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
    double t0 = ga_now();
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
    gsl_rng *noise = p->noisy ? gsl_rng_alloc(gsl_rng_mt19937) : NULL;
    if (!f || !best_x || (p->noisy && !noise)) {
        free(f);
        free(best_x);
        gsl_rng_free(noise);
        ga_engine_free(e);
        return ga_error_set(err, GA_EFAIL, "out of memory");
    }
    double f_opt = isnan(p->f_opt) ? 0 : p->f_opt;
    double best = INFINITY;
    size_t ci = 0;
    for (size_t t = 0; t < spec->ntargets; t++)
        r->hit[t] = -1;
    r->evals = r->rounds = r->idle_slots = 0;
    int rc = GA_OK;
    while (!ga_engine_done(e) && r->evals < spec->budget) {
        ga_batch b;
        ga_engine_ask(e, &b);
        size_t k = b.count;
        if ((long)k > spec->budget - r->evals)
            k = (size_t)(spec->budget - r->evals);  /* the budget's last part */
        if (!p->noisy) {
            p->eval(p, b.genes, k, f, NULL);
        } else {
            for (size_t j = 0; j < k; j++) {
                gsl_rng_set(noise, prob_noise_seed(seed, b.generation, b.index[j]));
                p->eval(p, b.genes + j * d, 1, f + j, noise);
            }
        }
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
        }
        if (k < b.count || r->evals >= spec->budget)
            break;
        if ((rc = ga_engine_tell(e, f, err)) != GA_OK)
            break;
    }
    while (ci < spec->ncheck)  /* ended early (num_iter): carry the last */
        r->best_at[ci++] = best - f_opt;
    r->generations = ga_engine_generation(e) + 1;
    r->best = best;
    r->true_best = best;
    if (p->noisy && isfinite(best))  /* what the recommended point is worth */
        p->eval(p, best_x, 1, &r->true_best, NULL);
    r->error = r->true_best - f_opt;
    r->seconds = ga_now() - t0;
    free(f);
    free(best_x);
    gsl_rng_free(noise);
    ga_engine_free(e);
    return rc;
}

/* ---- the sweep ------------------------------------------------------- */

static void append(char **buf, size_t *len, size_t *cap, const char *s)
{
    size_t n = strlen(s);
    if (*len + n + 1 > *cap) {
        *cap = 2 * (*cap + n + 64);
        *buf = realloc(*buf, *cap);
    }
    memcpy(*buf + *len, s, n + 1);
    *len += n;
}

static char *runs_header(const sweep_spec *s)
{
    size_t len = 0, cap = 256;
    char *h = calloc(cap, 1), tmp[64];
    append(&h, &len, &cap, "run,point,problem,replicate,seed");
    for (size_t k = 0; k < s->nfactors; k++) {
        append(&h, &len, &cap, ",");
        append(&h, &len, &cap, s->factors[k].name);
    }
    append(&h, &len, &cap, ",evals,generations,rounds,idle_slots,best,"
                           "true_best,error");
    for (size_t c = 0; c < s->ncheck; c++) {
        snprintf(tmp, sizeof tmp, ",best_at_%ld", s->checkpoints[c]);
        append(&h, &len, &cap, tmp);
    }
    for (size_t t = 0; t < s->ntargets; t++) {
        char num[40];
        ga_format_double(s->targets[t], num, sizeof num);
        snprintf(tmp, sizeof tmp, ",hit_%s", num);
        append(&h, &len, &cap, tmp);
    }
    append(&h, &len, &cap, "\n");
    return h;
}

static char *run_row(const sweep_spec *s, const sweep_point *pt, long run,
                     size_t point, size_t problem, long rep, unsigned long seed,
                     const sweep_result *r)
{
    size_t len = 0, cap = 512;
    char *row = calloc(cap, 1), tmp[512], a[40], b[40], c[40];
    snprintf(tmp, sizeof tmp, "%ld,%zu,%s,%ld,%lu", run, point,
             s->problems[problem], rep, seed);
    append(&row, &len, &cap, tmp);
    for (size_t k = 0; k < s->nfactors; k++) {
        append(&row, &len, &cap, ",");
        append(&row, &len, &cap, pt->values[k]);
    }
    ga_format_double(r->best, a, sizeof a);
    ga_format_double(r->true_best, b, sizeof b);
    ga_format_double(r->error, c, sizeof c);
    snprintf(tmp, sizeof tmp, ",%ld,%ld,%ld,%ld,%s,%s,%s", r->evals,
             r->generations, r->rounds, r->idle_slots, a, b, c);
    append(&row, &len, &cap, tmp);
    for (size_t k = 0; k < s->ncheck; k++) {
        ga_format_double(r->best_at[k], a, sizeof a);
        append(&row, &len, &cap, ",");
        append(&row, &len, &cap, a);
    }
    for (size_t t = 0; t < s->ntargets; t++) {
        snprintf(tmp, sizeof tmp, ",%ld", r->hit[t]);
        append(&row, &len, &cap, tmp);
    }
    append(&row, &len, &cap, "\n");
    return row;
}

static int write_design(const sweep_spec *s, const sweep_point *pts, size_t n,
                        const char *dir, ga_error *err)
{
    size_t len = 0, cap = 1024;
    char *csv = calloc(cap, 1), path[4200], tmp[64];
    append(&csv, &len, &cap, "point,reference");
    for (size_t k = 0; k < s->nfactors; k++) {
        append(&csv, &len, &cap, ",");
        append(&csv, &len, &cap, s->factors[k].name);
    }
    append(&csv, &len, &cap, "\n");
    for (size_t i = 0; i < n; i++) {
        snprintf(tmp, sizeof tmp, "%zu,%d", i, pts[i].reference);
        append(&csv, &len, &cap, tmp);
        for (size_t k = 0; k < s->nfactors; k++) {
            append(&csv, &len, &cap, ",");
            append(&csv, &len, &cap, pts[i].values[k]);
        }
        append(&csv, &len, &cap, "\n");
    }
    snprintf(path, sizeof path, "%s/design.csv", dir);
    int rc = ga_write_file_atomic(path, csv, len, err);
    free(csv);
    if (rc)
        return rc;
    snprintf(path, sizeof path, "%s/spec.json", dir);
    return ga_write_file_atomic(path, s->text, strlen(s->text), err);
}

/* Rows already in the journal: "index,row" lines; a torn last line is cut. */
static int read_journal(const char *path, char **rows, long total, long *done,
                        ga_error *err)
{
    size_t len;
    ga_error e;
    char *text = ga_read_file(path, &len, &e);
    *done = 0;
    if (!text)
        return GA_OK;
    size_t keep = len;
    while (keep > 0 && text[keep - 1] != '\n')
        keep--;
    text[keep] = '\0';
    if (keep != len && truncate(path, (off_t)keep) != 0) {
        free(text);
        return ga_error_set(err, GA_EFAIL, "%s: cannot cut a torn line: %s",
                            path, strerror(errno));
    }
    for (char *line = text; *line;) {
        char *nl = strchr(line, '\n');
        *nl = '\0';
        char *comma = strchr(line, ',');
        long idx;
        if (comma) {
            *comma = '\0';
            if (ga_parse_long(line, &idx) == 0 && idx >= 0 && idx < total &&
                !rows[idx]) {
                size_t n = strlen(comma + 1);
                rows[idx] = malloc(n + 2);
                memcpy(rows[idx], comma + 1, n);
                rows[idx][n] = '\n';
                rows[idx][n + 1] = '\0';
                (*done)++;
            }
        }
        line = nl + 1;
    }
    free(text);
    return GA_OK;
}

int sweep_execute(const sweep_spec *s, const sweep_point *pts, size_t npoints,
                  const char *dir, int threads, int resume, volatile int *cancel,
                  sweep_progress_fn progress, void *progress_ctx, ga_error *err)
{
    char journal[4200], runs[4200], timings[4200];
    int rc = ga_mkdirs(dir, err);
    if (rc)
        return rc;
    snprintf(journal, sizeof journal, "%s/runs.journal", dir);
    snprintf(runs, sizeof runs, "%s/runs.csv", dir);
    snprintf(timings, sizeof timings, "%s/timings.csv", dir);
    if (!resume && (access(journal, F_OK) == 0 || access(runs, F_OK) == 0))
        return ga_error_set(err, GA_EINPUT, "%s already holds a sweep; continue "
                            "it with --resume or choose another --out", dir);
    if (resume) {
        /* the same spec, or the journal's rows mean something else */
        char path[4200];
        snprintf(path, sizeof path, "%s/spec.json", dir);
        ga_error e;
        char *old = ga_read_file(path, NULL, &e);
        if (old && strcmp(old, s->text) != 0) {
            free(old);
            return ga_error_set(err, GA_EINPUT, "%s/spec.json differs from this "
                                "spec: resume with the spec the sweep started "
                                "with", dir);
        }
        free(old);
    }
    if ((rc = write_design(s, pts, npoints, dir, err)))
        return rc;

    long total = (long)npoints * (long)s->nproblems * s->replicates;
    char **rows = calloc((size_t)total + 1, sizeof *rows);
    prob_problem **probs = calloc(s->nproblems, sizeof *probs);
    long done = 0;
    if (!rows || !probs) {
        free(rows);
        free(probs);
        return ga_error_set(err, GA_EFAIL, "out of memory");
    }
    if (resume && (rc = read_journal(journal, rows, total, &done, err)))
        goto out;
    for (size_t q = 0; q < s->nproblems; q++)
        if (!(probs[q] = prob_lookup(s->problems[q], err))) {
            rc = err->status;
            goto out;
        }
    int new_timings = access(timings, F_OK) != 0;
    FILE *jf = fopen(journal, "a"), *tf = fopen(timings, "a");
    if (tf && new_timings)
        fprintf(tf, "run,seconds\n");
    if (!jf || !tf) {
        if (jf)
            fclose(jf);
        if (tf)
            fclose(tf);
        rc = ga_error_set(err, GA_EFAIL, "%s: cannot write: %s", dir,
                          strerror(errno));
        goto out;
    }
    double t0 = ga_now();
    long finished = done;
    int failed = 0;
    char fail_msg[sizeof err->msg] = "";
    if (progress)
        progress(progress_ctx, finished, total, 0);
    int nt = threads > 0 ? threads : omp_get_max_threads();
#pragma omp parallel for schedule(dynamic) num_threads(nt)
    for (long run = 0; run < total; run++) {
        if (rows[run] || failed || (cancel && *cancel))
            continue;
        size_t point = (size_t)(run / ((long)s->nproblems * s->replicates));
        size_t problem = (size_t)((run / s->replicates) % (long)s->nproblems);
        long rep = run % s->replicates;
        unsigned long seed = sweep_run_seed(s->seed, point, problem, rep);
        sweep_result r;
        double best_at[s->ncheck + 1];
        long hit[s->ntargets + 1];
        r.best_at = best_at;
        r.hit = hit;
        ga_error e;
        ga_error_clear(&e);
        if (sweep_run_one(s, &pts[point].settings, probs[problem], seed, &r, &e)) {
#pragma omp critical(sweep_fail)
            {
                failed = 1;
                snprintf(fail_msg, sizeof fail_msg, "run %ld: %.1900s", run, e.msg);
            }
            continue;
        }
        char *row = run_row(s, &pts[point], run, point, problem, rep, seed, &r);
#pragma omp critical(sweep_journal)
        {
            rows[run] = row;
            fprintf(jf, "%ld,%s", run, row);
            fflush(jf);
            fprintf(tf, "%ld,%.6f\n", run, r.seconds);
            finished++;
            if (progress)
                progress(progress_ctx, finished, total, ga_now() - t0);
        }
    }
    fclose(jf);
    fclose(tf);
    if (failed) {
        rc = ga_error_set(err, GA_EFAIL, "%s", fail_msg);
        goto out;
    }
    if (finished < total) {
        rc = ga_error_set(err, GA_EFAIL, "interrupted after %ld of %ld runs; "
                          "continue with --resume", finished, total);
        goto out;
    }
    /* runs.csv: every row, in run order, whatever order they finished in */
    {
        char *header = runs_header(s);
        size_t len = 0, cap = 4096;
        char *csv = calloc(cap, 1);
        append(&csv, &len, &cap, header);
        free(header);
        for (long i = 0; i < total; i++)
            append(&csv, &len, &cap, rows[i]);
        rc = ga_write_file_atomic(runs, csv, len, err);
        free(csv);
    }
out:
    for (long i = 0; i < total; i++)
        free(rows[i]);
    free(rows);
    for (size_t q = 0; q < s->nproblems; q++)
        prob_free(probs[q]);
    free(probs);
    return rc;
}
