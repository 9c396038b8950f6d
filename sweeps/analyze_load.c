/* analyze_load.c - a finished sweep into tables: its spec and design as the
 * runner saw them, and runs.csv's rows placed by (point, problem,
 * replicate), with NaN (or -2 for targets) where a run is missing. */
#include "analyze_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ga/csv.h"
#include "../ga/util.h"

void sweep_loaded_free(sweep_loaded *l)
{
    sweep_table *t = &l->table;
    free(t->error);
    free(t->evals);
    free(t->rounds);
    free(t->idle);
    free(t->gens);
    free(t->auc);
    free(t->bat);
    free(t->hit);
    free(l->design_report);
    if (l->spec)
        sweep_points_free(l->points, l->npoints, l->spec->nfactors);
    sweep_spec_free(l->spec);
    memset(l, 0, sizeof *l);
}

size_t sweep_table_slice(const sweep_table *t, const double *v, size_t p,
                         size_t q, double *out)
{
    size_t n = 0;
    for (size_t r = 0; r < t->nr; r++)
        if (!isnan(v[SWEEP_AT(t, p, q, r)]))
            out[n++] = v[SWEEP_AT(t, p, q, r)];
    return n;
}

static long col(const ga_csv *c, const char *name)
{
    for (size_t j = 0; j < c->ncols; j++)
        if (strcmp(c->header[j], name) == 0)
            return (long)j;
    return -1;
}

static double cell(const ga_csv *c, size_t row, long j)
{
    double v;
    if (j < 0 || ga_parse_double(c->cells[row * c->ncols + (size_t)j], &v) != 0) {
        const char *s = j >= 0 ? c->cells[row * c->ncols + (size_t)j] : "";
        return strcmp(s, "inf") == 0 ? INFINITY : NAN;
    }
    return v;
}

/* The table's arrays for the spec's design, every run missing. */
static int table_alloc(const sweep_spec *s, size_t npoints, sweep_table *t,
                       ga_error *err)
{
    t->np = npoints;
    t->nq = s->nproblems;
    t->nr = (size_t)s->replicates;
    t->nt = s->ntargets;
    t->nc = s->ncheck;
    size_t n = t->np * t->nq * t->nr;
    double **cols[] = { &t->error, &t->evals, &t->rounds, &t->idle, &t->gens,
                        &t->auc };
    for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++)
        if (!(*cols[k] = malloc(n * sizeof(double))))
            return ga_error_set(err, GA_EFAIL, "out of memory");
    t->bat = malloc((n * t->nc + 1) * sizeof(double));
    t->hit = malloc((n * t->nt + 1) * sizeof(long));
    if (!t->bat || !t->hit)
        return ga_error_set(err, GA_EFAIL, "out of memory");
    for (size_t i = 0; i < n * t->nc; i++)
        t->bat[i] = NAN;
    for (size_t i = 0; i < n; i++)
        t->error[i] = t->evals[i] = t->rounds[i] = t->idle[i] = t->gens[i] =
            t->auc[i] = NAN;
    for (size_t i = 0; i < n * t->nt; i++)
        t->hit[i] = -2;
    return GA_OK;
}

/* The columns runs.csv must have, in the order load_rows reads them. */
enum { C_POINT, C_PROBLEM, C_REPLICATE, C_ERROR, C_EVALS, C_ROUNDS, C_IDLE,
       C_GENS, NCOLS };

/* Columns of runs.csv: the fixed ones into c (GA_EINPUT if one is
 * missing), best_at_<checkpoint> into cc and hit_<target> into ct (-1
 * where missing). Rounds are those of the spec's (possibly overridden)
 * worker count. */
static int find_columns(const sweep_spec *s, const ga_csv *runs, long *c,
                        long *cc, long *ct, ga_error *err)
{
    static const char *const names[NCOLS] = {
        "point", "problem", "replicate", "error", "evals", NULL,
        "idle_slots", "generations"
    };
    char name[64];
    for (int k = 0; k < NCOLS; k++)
        c[k] = names[k] ? col(runs, names[k]) : -1;
    snprintf(name, sizeof name, "rounds_w%ld", s->workers);
    c[C_ROUNDS] = col(runs, name) >= 0 ? col(runs, name) : col(runs, "rounds");
    for (int k = 0; k < NCOLS; k++)
        if (c[k] < 0)
            return ga_error_set(err, GA_EINPUT, "runs.csv: missing columns (is "
                                "it a gahpo sweep's?)");
    for (size_t k = 0; k < s->ncheck; k++) {
        snprintf(name, sizeof name, "best_at_%ld", s->checkpoints[k]);
        cc[k] = col(runs, name);
    }
    for (size_t k = 0; k < s->ntargets; k++) {
        char num[40];
        ga_format_double(s->targets[k], num, sizeof num);
        snprintf(name, sizeof name, "hit_%s", num);
        ct[k] = col(runs, name);
    }
    return GA_OK;
}

/* Each row of runs.csv into its place in t. */
static int load_rows(const sweep_spec *s, const ga_csv *runs, const long *c,
                     const long *cc, const long *ct, sweep_table *t,
                     ga_error *err)
{
    for (size_t row = 0; row < runs->nrows; row++) {
        double p = cell(runs, row, c[C_POINT]), r = cell(runs, row, c[C_REPLICATE]);
        const char *prob = runs->cells[row * runs->ncols + (size_t)c[C_PROBLEM]];
        size_t q = 0;
        while (q < t->nq && strcmp(s->problems[q], prob) != 0)
            q++;
        if (!(p >= 0 && p < (double)t->np && r >= 0 && r < (double)t->nr) ||
            q == t->nq)
            return ga_error_set(err, GA_EINPUT, "runs.csv:%zu: a run outside "
                                "the spec's design", runs->line[row]);
        size_t i = SWEEP_AT(t, (size_t)p, q, (size_t)r);
        t->error[i] = cell(runs, row, c[C_ERROR]);
        t->evals[i] = cell(runs, row, c[C_EVALS]);
        t->rounds[i] = cell(runs, row, c[C_ROUNDS]);
        t->idle[i] = cell(runs, row, c[C_IDLE]);
        t->gens[i] = cell(runs, row, c[C_GENS]);
        double a = 0;
        for (size_t k = 0; k < s->ncheck; k++) {
            t->bat[i * t->nc + k] = cell(runs, row, cc[k]);
            a += log10(fmax(t->bat[i * t->nc + k], 0) + SWEEP_EPS);
        }
        t->auc[i] = s->ncheck ? a / (double)s->ncheck : NAN;
        for (size_t k = 0; k < t->nt; k++)
            t->hit[i * t->nt + k] = (long)cell(runs, row, ct[k]);
    }
    return GA_OK;
}

/* runs.csv (parsed) into l->table. */
static int load_table(sweep_loaded *l, const ga_csv *runs, ga_error *err)
{
    const sweep_spec *s = l->spec;
    int rc = table_alloc(s, l->npoints, &l->table, err);
    if (rc)
        return rc;
    long c[NCOLS];
    long *cc = malloc((s->ncheck + 1) * sizeof *cc);
    long *ct = malloc((s->ntargets + 1) * sizeof *ct);
    if (!cc || !ct)
        rc = ga_error_set(err, GA_EFAIL, "out of memory");
    if (rc == GA_OK)
        rc = find_columns(s, runs, c, cc, ct, err);
    if (rc == GA_OK)
        rc = load_rows(s, runs, c, cc, ct, &l->table, err);
    free(cc);
    free(ct);
    return rc;
}

/* The analysis' worker count and rounds cap in place of the spec's. */
static int apply_options(const char *dir, const sweep_analysis *an,
                         sweep_spec *s, ga_error *err)
{
    if (an->workers > 0) {  /* judge rounds for another worker count */
        size_t w = 0;
        while (w < s->nworkers && s->workers_list[w] != an->workers)
            w++;
        if (w == s->nworkers)
            return ga_error_set(err, GA_EINPUT, "%s: the sweep recorded no "
                                "rounds for %ld workers", dir, an->workers);
        s->workers = an->workers;
    }
    if (an->max_rounds >= 0)
        s->max_rounds = an->max_rounds;
    return GA_OK;
}

int sweep_load(const char *dir, const sweep_analysis *an, sweep_loaded *l,
               ga_error *err)
{
    char path[GA_PATH_MAX];
    memset(l, 0, sizeof *l);
    if (ga_path(path, sizeof path, err, "%s/spec.json", dir))
        return GA_EINPUT;
    if (!(l->spec = sweep_spec_load(path, err)))
        return err->status;
    int rc = sweep_design(l->spec, &l->points, &l->npoints, &l->design_report,
                          err);
    if (rc == GA_OK)
        rc = apply_options(dir, an, l->spec, err);
    if (rc)
        return rc;
    if (ga_path(path, sizeof path, err, "%s/runs.csv", dir))
        return GA_EINPUT;
    char *text = ga_read_file(path, NULL, err);
    ga_csv *runs = text ? ga_csv_parse(text, path, err) : NULL;
    free(text);
    if (!runs)
        return err->status ? err->status : GA_EINPUT;
    l->nruns = runs->nrows;
    rc = load_table(l, runs, err);
    ga_csv_free(runs);
    return rc;
}
