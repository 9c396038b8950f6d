/* evaluate.c - settings against the CANDLE defaults on test problems,
 * problems as the unit (evaluate.h). */
#include "evaluate.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ga/hash.h"
#include "../ga/strbuf.h"
#include "../ga/util.h"
#include "runs_row.h"
#include "stats.h"

double sweep_a12(const double *x, size_t n, const double *y, size_t m)
{
    double wins = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < m; j++)
            wins += x[i] < y[j] ? 1 : x[i] == y[j] ? 0.5 : 0;
    return n && m ? wins / ((double)n * (double)m) : NAN;
}

/* The test runs read back: err[((p * nq + q) * reps + r) * ncheck + c],
 * the best-so-far error of point p on test problem q, replicate r, at
 * checkpoint c (NaN where no row). */
static int read_runs(const sweep_spec *ts, size_t np, const char *dir,
                     double *err_at, double *err_time, ga_error *err)
{
    char path[GA_PATH_MAX];
    if (ga_path(path, sizeof path, err, "%s/runs.csv", dir))
        return err->status;
    char *text = ga_read_file(path, NULL, err);
    if (!text)
        return err->status;
    long c_point = sweep_column(text, "point");
    long c_prob = sweep_column(text, "problem");
    long c_rep = sweep_column(text, "replicate");
    char first[64];
    snprintf(first, sizeof first, "best_at_%ld", ts->checkpoints[0]);
    long c_at = sweep_column(text, first);
    snprintf(first, sizeof first, "best_time_%ld", ts->checkpoints[0]);
    long c_time = err_time ? sweep_column(text, first) : 0;
    int rc = c_point < 0 || c_prob < 0 || c_rep < 0 || c_at < 0 || c_time < 0
                 ? ga_error_set(err, GA_EFAIL, "%s: not a sweep's runs.csv",
                                path)
                 : GA_OK;
    size_t nq = ts->nproblems, reps = (size_t)ts->replicates;
    for (const char *line = strchr(text, '\n'); rc == GA_OK && line && line[1];
         line = strchr(line + 1, '\n')) {
        const char *row = line + 1, *name = sweep_field(row, c_prob);
        size_t p = (size_t)strtoul(sweep_field(row, c_point), NULL, 10);
        size_t r = (size_t)strtoul(sweep_field(row, c_rep), NULL, 10);
        size_t len = strcspn(name, ",");
        size_t q = 0;
        while (q < nq && !(strlen(ts->problems[q]) == len &&
                           !strncmp(ts->problems[q], name, len)))
            q++;
        if (p >= np || q == nq || r >= reps) {
            rc = ga_error_set(err, GA_EFAIL, "%s: a row that is not the "
                              "evaluation's", path);
            break;
        }
        for (size_t c = 0; c < ts->ncheck; c++) {
            size_t at = ((p * nq + q) * reps + r) * ts->ncheck + c;
            err_at[at] = strtod(sweep_field(row, c_at + (long)c), NULL);
            if (err_time)
                err_time[at] = strtod(sweep_field(row, c_time + (long)c),
                                      NULL);
        }
    }
    free(text);
    return rc;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_log(const double *v, size_t n, double *scratch)
{
    for (size_t i = 0; i < n; i++)
        scratch[i] = log10(fmax(v[i], 0) + 1e-12);
    qsort(scratch, n, sizeof *scratch, cmp_double);
    return n % 2 ? scratch[n / 2] : (scratch[n / 2 - 1] + scratch[n / 2]) / 2;
}

/* One cell's statistics over the problems; each problem's figures as a
 * row of problems.csv into rows. */
static void cell_stats(const sweep_spec *ts, const double *err_at, size_t p,
                       size_t c, unsigned long seed, const char *label,
                       ga_strbuf *rows, sweep_eval_cell *cell)
{
    size_t nq = ts->nproblems, reps = (size_t)ts->replicates;
    double d[nq + 1], zero[nq + 1], a12[nq + 1];
    double ref[reps + 1], set[reps + 1], scratch[reps + 1];
    double sum_a12 = 0;
    cell->better = cell->worse = 0;
    for (size_t q = 0; q < nq; q++) {
        for (size_t r = 0; r < reps; r++) {
            ref[r] = err_at[((0 * nq + q) * reps + r) * ts->ncheck + c];
            set[r] = err_at[((p * nq + q) * reps + r) * ts->ncheck + c];
        }
        double mref = median_log(ref, reps, scratch);
        double mset = median_log(set, reps, scratch);
        d[q] = mref - mset;
        zero[q] = 0;
        a12[q] = sweep_a12(set, reps, ref, reps);
        ga_strbuf_printf(rows, "%s,%s%ld,%s,%.17g,%.17g,%.17g\n", label,
                         cell->wallclock ? "t" : "", ts->checkpoints[c],
                         ts->problems[q], mset, mref, a12[q]);
        sum_a12 += a12[q];
        cell->better += d[q] > 0;
        cell->worse += d[q] < 0;
    }
    double stat, mean = 0;
    for (size_t q = 0; q < nq; q++)
        mean += d[q] / (double)nq;
    cell->problems = nq;
    cell->ratio = pow(10, mean);
    cell->a12 = sum_a12 / (double)nq;
    cell->p = sweep_wilcoxon(d, zero, nq, &stat);
    double lo, hi;
    sweep_bootstrap_mean(d, nq, seed, 10000, 0.95, &lo, &hi);
    cell->lo = pow(10, lo);
    cell->hi = pow(10, hi);
}

/* evaluation.md and evaluation.csv, and the evidence as JSON. */
static int write_evaluation(const sweep_spec *ts, char *const *labels,
                            const sweep_eval_cell *cells, size_t ncells,
                            const char *dir, cJSON **evidence, ga_error *err)
{
    ga_strbuf md = GA_STRBUF_INIT, csv = GA_STRBUF_INIT;
    ga_strbuf_printf(&md, "# Test-set evaluation\n\nEach setting against "
                     "CANDLE's defaults on %zu test problems never used in "
                     "tuning, %ld replicates each (every run its own seed). "
                     "Ratio: the "
                     "defaults' median error over the setting's, geometric "
                     "mean over problems (above 1: the setting is better), "
                     "95%% bootstrap interval over problems; p: Wilcoxon "
                     "signed-rank over the problems' median log ratios "
                     "(problems as units), Holm over all %zu cells; A12: "
                     "Vargha-Delaney, the chance a run of the setting ends "
                     "lower than one of the defaults, mean over problems.\n\n"
                     "Problems: %s", ts->nproblems, ts->replicates, ncells,
                     ts->problems[0]);
    for (size_t q = 1; q < ts->nproblems; q++)
        ga_strbuf_printf(&md, ", %s", ts->problems[q]);
    ga_strbuf_append(&md, ".\n\nA checkpoint tN is the simulated wall-clock "
                          "time N evaluations take with no worker idle (N x "
                          "median duration / workers): the best finished by "
                          "then.\n\n| setting | evaluations | ratio | 95% CI | "
                          "better / worse problems | A12 | p | p (Holm) |\n"
                          "|---|---|---|---|---|---|---|---|\n");
    ga_strbuf_append(&csv, "setting,evaluations,problems,ratio,lo,hi,better,"
                           "worse,a12,p,p_holm\n");
    cJSON *ev = cJSON_CreateArray();
    for (size_t i = 0; i < ncells; i++) {
        const sweep_eval_cell *c = &cells[i];
        ga_strbuf_printf(&md, "| %s | %s%ld | %.3g | %.3g to %.3g | %ld / %ld | "
                         "%.2f | %.2g | %.2g |\n", labels[c->setting],
                         c->wallclock ? "t" : "", c->evaluations, c->ratio, c->lo, c->hi, c->better,
                         c->worse, c->a12, c->p, c->p_holm);
        ga_strbuf_printf(&csv, "%s,%s%ld,%zu,%.17g,%.17g,%.17g,%ld,%ld,%.17g,"
                         "%.17g,%.17g\n", labels[c->setting],
                         c->wallclock ? "t" : "", c->evaluations,
                         c->problems, c->ratio, c->lo, c->hi, c->better,
                         c->worse, c->a12, c->p, c->p_holm);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "setting", labels[c->setting]);
        cJSON_AddNumberToObject(o, "evaluations", (double)c->evaluations);
        cJSON_AddBoolToObject(o, "wallclock", c->wallclock);
        cJSON_AddNumberToObject(o, "problems", (double)c->problems);
        cJSON_AddItemToObject(o, "ratio", ga_json_number(c->ratio));
        cJSON *ci = cJSON_AddArrayToObject(o, "ratio_ci95");
        cJSON_AddItemToArray(ci, ga_json_number(c->lo));
        cJSON_AddItemToArray(ci, ga_json_number(c->hi));
        cJSON_AddItemToObject(o, "a12", ga_json_number(c->a12));
        cJSON_AddItemToObject(o, "p", ga_json_number(c->p));
        cJSON_AddItemToObject(o, "p_holm", ga_json_number(c->p_holm));
        cJSON_AddItemToArray(ev, o);
    }
    char path[GA_PATH_MAX];
    int rc = ga_path(path, sizeof path, err, "%s/evaluation.md", dir);
    if (rc == GA_OK)
        rc = ga_strbuf_write(&md, path, err);
    if (rc == GA_OK)
        rc = ga_path(path, sizeof path, err, "%s/evaluation.csv", dir);
    if (rc == GA_OK)
        rc = ga_strbuf_write(&csv, path, err);
    ga_strbuf_free(&md);
    ga_strbuf_free(&csv);
    if (rc == GA_OK && evidence)
        *evidence = ev;
    else
        cJSON_Delete(ev);
    return rc;
}

int sweep_evaluate(const sweep_spec *s, char *const *labels,
                   char *const *vals, size_t n, long replicates,
                   const char *dir, int threads, volatile int *cancel,
                   sweep_eval_cell **cells_out, size_t *ncells_out,
                   cJSON **evidence, ga_error *err)
{
    *cells_out = NULL;
    *ncells_out = 0;
    if (s->nvalidation == 0)
        return ga_error_set(err, GA_EINPUT, "%s: no test problems (the spec's "
                            "\"test\")", s->name);
    sweep_spec ts = *s;  /* shares the spec's arrays: not freed */
    ts.problems = s->validation;
    ts.nproblems = s->nvalidation;
    ts.nvalidation = 0;
    ts.replicates = replicates;
    ts.design = SWEEP_RANDOM;
    unsigned long long key[2] = { s->seed, 0x7e57ULL };
    ts.seed = (unsigned long)(ga_fnv1a(GA_FNV1A_INIT, key, sizeof key) &
                              0xffffffffUL);
    sweep_point *pts = NULL;
    size_t np = 0, nq = ts.nproblems, reps = (size_t)replicates;
    long *point_of = malloc((n + 1) * sizeof *point_of);
    char *report = NULL;
    int rc = point_of ? sweep_design_from(&ts, vals, n, &pts, &np, point_of,
                                          &report, err)
                      : ga_error_set(err, GA_EFAIL, "out of memory");
    free(report);
    for (size_t i = 0; rc == GA_OK && i < n; i++)
        if (point_of[i] < 0)
            rc = ga_error_set(err, GA_EINPUT, "setting '%s' is not valid for "
                              "this spec", labels[i]);
    if (rc == GA_OK)
        rc = sweep_execute(&ts, pts, np, dir, threads, 0, cancel, NULL, NULL,
                           err);
    if (rc == GA_OK && cancel && *cancel)
        rc = ga_error_set(err, GA_EFAIL, "interrupted");
    size_t nvals = np * nq * reps * ts.ncheck + 1;
    int timed = ts.dur_median > 0;
    double *err_at = rc == GA_OK ? malloc(nvals * sizeof *err_at) : NULL;
    double *err_time = rc == GA_OK && timed ? malloc(nvals * sizeof *err_time)
                                            : NULL;
    size_t ncells = n * ts.ncheck * (timed ? 2 : 1);
    sweep_eval_cell *cells = calloc(ncells + 1, sizeof *cells);
    double *p = malloc((ncells + 1) * sizeof *p), *adj = malloc((ncells + 1) *
                                                                sizeof *adj);
    if (rc == GA_OK && (!err_at || (timed && !err_time) || !cells || !p ||
                        !adj))
        rc = ga_error_set(err, GA_EFAIL, "out of memory");
    if (rc == GA_OK)
        rc = read_runs(&ts, np, dir, err_at, err_time, err);
    ga_strbuf rows = GA_STRBUF_INIT;
    ga_strbuf_append(&rows, "setting,evaluations,problem,median_log10_error,"
                            "median_log10_error_defaults,a12\n");
    for (size_t k = 0; rc == GA_OK && k < ncells; k++) {
        /* setting-major; within a setting the evaluation checkpoints, then
         * the wall-clock ones */
        size_t per = ncells / n, i = k / per, c = k % per % ts.ncheck;
        int wall = k % per >= ts.ncheck;
        sweep_eval_cell *cell = &cells[k];
        if (point_of[i] == 0) {  /* the defaults themselves */
            *cell = (sweep_eval_cell){ i, ts.checkpoints[c], wall, nq, 1, 1,
                                       1, 1, 1, 0.5, 0, 0 };
        } else {
            cell->setting = i;
            cell->evaluations = ts.checkpoints[c];
            cell->wallclock = wall;
            cell_stats(&ts, wall ? err_time : err_at, (size_t)point_of[i], c,
                       ts.seed + (unsigned long)k, labels[i], &rows, cell);
        }
        p[k] = cell->p;
    }
    if (rc == GA_OK) {
        errno = 0;
        sweep_holm(p, ncells, adj);
        for (size_t k = 0; k < ncells; k++)
            cells[k].p_holm = adj[k];
        rc = errno == ENOMEM ? ga_error_set(err, GA_EFAIL, "out of memory")
                             : write_evaluation(&ts, labels, cells, ncells,
                                                dir, evidence, err);
    }
    char path[GA_PATH_MAX];
    if (rc == GA_OK && !ga_path(path, sizeof path, err, "%s/problems.csv", dir))
        rc = ga_strbuf_write(&rows, path, err);
    /* which point of runs.csv each label is (figures read it) */
    ga_strbuf_free(&rows);
    ga_strbuf_append(&rows, "point,setting\n0,candle\n");
    for (size_t i = 0; i < n; i++)
        if (point_of && point_of[i] > 0)
            ga_strbuf_printf(&rows, "%ld,%s\n", point_of[i], labels[i]);
    if (rc == GA_OK && !ga_path(path, sizeof path, err, "%s/labels.csv", dir))
        rc = ga_strbuf_write(&rows, path, err);
    ga_strbuf_free(&rows);
    free(point_of);
    free(err_at);
    free(err_time);
    free(p);
    free(adj);
    sweep_points_free(pts, np, s->nfactors);
    if (rc != GA_OK) {
        free(cells);
        return rc;
    }
    *cells_out = cells;
    *ncells_out = ncells;
    return GA_OK;
}
