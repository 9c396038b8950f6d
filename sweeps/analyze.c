/* analyze.c - from runs.csv to evidence and tuned defaults.
 *
 * Quality of a run is its final error (true best - f_opt; the raw value
 * where f_opt is unknown). Comparisons across problems use scale-free
 * quantities: ranks within each (problem, replicate) block, and paired
 * differences of log10(error + 1e-12). Every random resample is seeded
 * from the spec's seed, so the report is reproducible. */
#include "analyze.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../ga/csv.h"
#include "../ga/util.h"
#include "stats.h"
#include "sweep.h"

#define EPS 1e-12

typedef struct table {
    size_t np, nq, nr;            /* points, problems, replicates */
    double *error, *evals, *rounds, *idle, *gens;  /* [p][q][r], NaN missing */
    double *auc;                  /* mean log10 best-so-far over checkpoints */
    double *bat;                  /* [run][checkpoint] best - f_opt */
    size_t nc;
    long *hit;                    /* [p][q][r][t], -1 never; -2 missing */
    size_t nt;
} table;

#define AT(t, p, q, r) (((p) * (t)->nq + (q)) * (t)->nr + (r))

static void table_free(table *t)
{
    free(t->error);
    free(t->evals);
    free(t->rounds);
    free(t->idle);
    free(t->gens);
    free(t->auc);
    free(t->bat);
    free(t->hit);
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

/* Rounds for the spec's (possibly overridden) worker count. */
static long rounds_col(const ga_csv *runs, const sweep_spec *s)
{
    char name[64];
    snprintf(name, sizeof name, "rounds_w%ld", s->workers);
    long c = col(runs, name);
    return c >= 0 ? c : col(runs, "rounds");
}

static int load_table(const sweep_spec *s, const ga_csv *runs, size_t npoints,
                      table *t, ga_error *err)
{
    t->np = npoints;
    t->nq = s->nproblems;
    t->nr = (size_t)s->replicates;
    t->nt = s->ntargets;
    size_t n = t->np * t->nq * t->nr;
    t->error = malloc(n * sizeof(double));
    t->evals = malloc(n * sizeof(double));
    t->rounds = malloc(n * sizeof(double));
    t->idle = malloc(n * sizeof(double));
    t->gens = malloc(n * sizeof(double));
    t->auc = malloc(n * sizeof(double));
    t->nc = s->ncheck;
    t->bat = malloc((n * t->nc + 1) * sizeof(double));
    for (size_t i = 0; i < n * t->nc; i++)
        t->bat[i] = NAN;
    t->hit = malloc((n * t->nt + 1) * sizeof(long));
    for (size_t i = 0; i < n; i++)
        t->error[i] = t->evals[i] = t->rounds[i] = t->idle[i] = t->gens[i] =
            t->auc[i] = NAN;
    for (size_t i = 0; i < n * t->nt; i++)
        t->hit[i] = -2;
    long cp = col(runs, "point"), cq = col(runs, "problem"),
         cr = col(runs, "replicate"), ce = col(runs, "error"),
         cv = col(runs, "evals"), cro = rounds_col(runs, s),
         ci = col(runs, "idle_slots"), cg = col(runs, "generations");
    if (cp < 0 || cq < 0 || cr < 0 || ce < 0 || cv < 0 || cro < 0 || ci < 0 ||
        cg < 0)
        return ga_error_set(err, GA_EINPUT, "runs.csv: missing columns (is it "
                            "a gahpo sweep's?)");
    long *cc = malloc((s->ncheck + 1) * sizeof *cc);
    long *ct = malloc((s->ntargets + 1) * sizeof *ct);
    for (size_t k = 0; k < s->ncheck; k++) {
        char name[64];
        snprintf(name, sizeof name, "best_at_%ld", s->checkpoints[k]);
        cc[k] = col(runs, name);
    }
    for (size_t k = 0; k < s->ntargets; k++) {
        char name[64], num[40];
        ga_format_double(s->targets[k], num, sizeof num);
        snprintf(name, sizeof name, "hit_%s", num);
        ct[k] = col(runs, name);
    }
    for (size_t row = 0; row < runs->nrows; row++) {
        double p = cell(runs, row, cp), r = cell(runs, row, cr);
        const char *prob = runs->cells[row * runs->ncols + (size_t)cq];
        size_t q = 0;
        while (q < t->nq && strcmp(s->problems[q], prob) != 0)
            q++;
        if (!(p >= 0 && p < (double)t->np && r >= 0 && r < (double)t->nr) ||
            q == t->nq) {
            free(cc);
            free(ct);
            return ga_error_set(err, GA_EINPUT, "runs.csv:%zu: a run outside "
                                "the spec's design", runs->line[row]);
        }
        size_t i = AT(t, (size_t)p, q, (size_t)r);
        t->error[i] = cell(runs, row, ce);
        t->evals[i] = cell(runs, row, cv);
        t->rounds[i] = cell(runs, row, cro);
        t->idle[i] = cell(runs, row, ci);
        t->gens[i] = cell(runs, row, cg);
        double a = 0;
        for (size_t k = 0; k < s->ncheck; k++) {
            t->bat[i * t->nc + k] = cell(runs, row, cc[k]);
            a += log10(fmax(t->bat[i * t->nc + k], 0) + EPS);
        }
        t->auc[i] = s->ncheck ? a / (double)s->ncheck : NAN;
        for (size_t k = 0; k < t->nt; k++)
            t->hit[i * t->nt + k] = (long)cell(runs, row, ct[k]);
    }
    free(cc);
    free(ct);
    return GA_OK;
}

/* Values of a [p][q][*] slice that are present. */
static size_t slice(const table *t, const double *v, size_t p, size_t q,
                    double *out)
{
    size_t n = 0;
    for (size_t r = 0; r < t->nr; r++)
        if (!isnan(v[AT(t, p, q, r)]))
            out[n++] = v[AT(t, p, q, r)];
    return n;
}

typedef struct point_summary {
    double mean_rank;     /* mean normalised rank across problems, 0 best */
    double score;         /* selection: mean_rank + round_weight x rounds */
    double median_rounds, median_idle, median_gens;
    double p_raw, p_holm; /* Wilcoxon against the reference */
    double wins;          /* fraction of blocks better than the reference */
    int eligible;         /* satisfies max_rounds */
    int active;           /* ran every (problem, replicate): not raced out */
    size_t runs;
} point_summary;

/* Sort key of a point in the report: raced-out points last. */
static double rank_key(const point_summary *p)
{
    return isnan(p->mean_rank) ? INFINITY : p->mean_rank;
}

static void add(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void add(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < *cap - *len) {
            *len += (size_t)n;
            return;
        }
        *cap = 2 * *cap + (size_t)(n > 0 ? n : 256);
        *buf = realloc(*buf, *cap);
    }
}

/* Index of factor name in the spec, or -1. */
static long factor_index(const sweep_spec *s, const char *name)
{
    for (size_t k = 0; k < s->nfactors; k++)
        if (!strcmp(s->factors[k].name, name))
            return (long)k;
    return -1;
}

/* Data and a gnuplot script for the report's figures, in dir/plots/:
 * heat maps of the mean normalised rank over two factors (averaged over the
 * others), median best-so-far curves and COCO-style ECDFs of targets
 * reached, for the reference and the five best points. The command runs
 * gnuplot on plots.gp when it is installed. */
static int write_plots(const char *dir, const sweep_spec *s,
                       const sweep_point *pts, const table *t,
                       const point_summary *ps, const size_t *order,
                       size_t np, ga_error *err)
{
    char pdir[4200], path[4300];
    snprintf(pdir, sizeof pdir, "%s/plots", dir);
    int rc = ga_mkdirs(pdir, err);
    if (rc)
        return rc;
    size_t len = 0, cap = 4096;
    char *gp = malloc(cap);
    add(&gp, &len, &cap, "# made by gahpo analyze; run: gnuplot plots.gp\n"
        "set terminal pngcairo size 800,600\nset key outside right\n");
    static const char *const pairs[2][2] = {
        { "cx_prob", "mut_prob" }, { "population_size", "tournsize" }
    };
    for (int h = 0; h < 2; h++) {
        long a = factor_index(s, pairs[h][0]), b = factor_index(s, pairs[h][1]);
        if (a < 0 || b < 0 || !s->factors[a].nlevels || !s->factors[b].nlevels)
            continue;
        const sweep_factor *fa = &s->factors[a], *fb = &s->factors[b];
        size_t dlen = 0, dcap = 1024;
        char *dat = malloc(dcap);
        for (size_t i = 0; i < fa->nlevels; i++) {
            for (size_t j = 0; j < fb->nlevels; j++) {
                double sum = 0;
                int n = 0;
                for (size_t p = 0; p < np; p++)
                    if (!pts[p].reference && !isnan(ps[p].mean_rank) &&
                        !strcmp(pts[p].values[a], fa->levels[i]) &&
                        !strcmp(pts[p].values[b], fb->levels[j])) {
                        sum += ps[p].mean_rank;
                        n++;
                    }
                add(&dat, &dlen, &dcap, "%zu %zu %.6g\n", i, j,
                    n ? sum / n : NAN);
            }
            add(&dat, &dlen, &dcap, "\n");
        }
        snprintf(path, sizeof path, "%s/heat_%s_%s.dat", pdir, fa->name, fb->name);
        rc = ga_write_file_atomic(path, dat, dlen, err);
        free(dat);
        if (rc)
            break;
        add(&gp, &len, &cap, "set output 'heat_%s_%s.png'\nset title 'mean "
            "normalised rank (0 best), averaged over the other factors'\n"
            "set xlabel '%s'\nset ylabel '%s'\nset xtics (", fa->name, fb->name,
            fa->name, fb->name);
        for (size_t i = 0; i < fa->nlevels; i++)
            add(&gp, &len, &cap, "%s'%s' %zu", i ? ", " : "", fa->levels[i], i);
        add(&gp, &len, &cap, ")\nset ytics (");
        for (size_t j = 0; j < fb->nlevels; j++)
            add(&gp, &len, &cap, "%s'%s' %zu", j ? ", " : "", fb->levels[j], j);
        add(&gp, &len, &cap, ")\nset palette defined (0 'dark-green', 0.5 "
            "'yellow', 1 'red')\nset cbrange [0:1]\nunset key\n"
            "plot 'heat_%s_%s.dat' using 1:2:3 with image, '' using 1:2:"
            "(sprintf('%%.2f', $3)) with labels\nset xtics auto\nset ytics "
            "auto\nset key outside right\n", fa->name, fb->name);
    }
    /* curves and ECDFs for the reference and the five best */
    size_t show[6], nshow = 0;
    show[nshow++] = 0;
    for (size_t i = 0; i < np && nshow < 6; i++)
        if (order[i] != 0 && !isnan(ps[order[i]].mean_rank))
            show[nshow++] = order[i];
    size_t dlen = 0, dcap = 4096, elen = 0, ecap = 4096;
    char *cur = malloc(dcap), *ecdf = malloc(ecap);
    size_t nruns = t->nq * t->nr;
    double *v = malloc((nruns + 1) * sizeof *v);
    for (size_t k = 0; k < nshow && rc == GA_OK; k++) {
        size_t p = show[k];
        for (size_t c = 0; c < t->nc; c++) {
            size_t n = 0;
            for (size_t i = 0; i < nruns; i++) {
                double x = t->bat[((p * t->nq) * t->nr + i) * t->nc + c];
                if (!isnan(x))
                    v[n++] = log10(fmax(x, 0) + EPS);
            }
            add(&cur, &dlen, &dcap, "%ld %.6g\n", s->checkpoints[c],
                n ? sweep_quantile(v, n, 0.5) : NAN);
        }
        add(&cur, &dlen, &dcap, "\n\n");
        /* fraction of (run, target) pairs reached within e evaluations */
        for (int g = 0; g <= 40; g++) {
            double e = pow((double)s->budget, g / 40.0);
            size_t reached = 0, total = 0;
            for (size_t i = 0; i < nruns; i++)
                for (size_t tt = 0; tt < t->nt; tt++) {
                    long hh = t->hit[((p * t->nq) * t->nr + i) * t->nt + tt];
                    if (hh == -2)
                        continue;
                    total++;
                    reached += hh >= 0 && (double)hh <= e;
                }
            add(&ecdf, &elen, &ecap, "%.6g %.6g\n", e,
                total ? (double)reached / (double)total : NAN);
        }
        add(&ecdf, &elen, &ecap, "\n\n");
    }
    free(v);
    snprintf(path, sizeof path, "%s/curves.dat", pdir);
    if (rc == GA_OK)
        rc = ga_write_file_atomic(path, cur, dlen, err);
    snprintf(path, sizeof path, "%s/ecdf.dat", pdir);
    if (rc == GA_OK)
        rc = ga_write_file_atomic(path, ecdf, elen, err);
    free(cur);
    free(ecdf);
    add(&gp, &len, &cap, "set output 'curves.png'\nset title 'median "
        "best-so-far over all runs'\nset xlabel 'evaluations'\nset ylabel "
        "'log10(best - f_opt)'\nset logscale x\nplot ");
    for (size_t k = 0; k < nshow; k++)
        add(&gp, &len, &cap, "%s'curves.dat' index %zu using 1:2 with "
            "linespoints title 'point %zu%s'", k ? ", " : "", k, show[k],
            show[k] == 0 ? " (defaults)" : "");
    add(&gp, &len, &cap, "\nset output 'ecdf.png'\nset title 'targets "
        "reached (runs x targets)'\nset ylabel 'fraction'\nset yrange [0:1]\n"
        "plot ");
    for (size_t k = 0; k < nshow; k++)
        add(&gp, &len, &cap, "%s'ecdf.dat' index %zu using 1:2 with steps "
            "title 'point %zu%s'", k ? ", " : "", k, show[k],
            show[k] == 0 ? " (defaults)" : "");
    add(&gp, &len, &cap, "\n");
    snprintf(path, sizeof path, "%s/plots.gp", pdir);
    if (rc == GA_OK)
        rc = ga_write_file_atomic(path, gp, len, err);
    free(gp);
    return rc;
}

int sweep_analyze(const char *dir, sweep_analysis *an, ga_error *err)
{
    const char *version = an->version;
    FILE *out = an->out;
    an->tuned = NULL;
    char path[4200];
    int rc = GA_OK;
    snprintf(path, sizeof path, "%s/spec.json", dir);
    sweep_spec *s = sweep_spec_load(path, err);
    if (!s)
        return err->status;
    sweep_point *pts = NULL;
    size_t np = 0;
    char *design_report = NULL;
    table t;
    memset(&t, 0, sizeof t);
    ga_csv *runs = NULL;
    if ((rc = sweep_design(s, &pts, &np, &design_report, err))) {
        sweep_spec_free(s);
        return rc;
    }
    if (an->workers > 0) {  /* judge rounds for another worker count */
        size_t w = 0;
        while (w < s->nworkers && s->workers_list[w] != an->workers)
            w++;
        if (w == s->nworkers) {
            rc = ga_error_set(err, GA_EINPUT, "%s: the sweep recorded no rounds "
                              "for %ld workers", dir, an->workers);
            goto out;
        }
        s->workers = an->workers;
    }
    if (an->max_rounds >= 0)
        s->max_rounds = an->max_rounds;
    snprintf(path, sizeof path, "%s/runs.csv", dir);
    char *text = ga_read_file(path, NULL, err);
    runs = text ? ga_csv_parse(text, path, err) : NULL;
    free(text);
    if (!runs || (rc = load_table(s, runs, np, &t, err))) {
        rc = err->status ? err->status : GA_EINPUT;
        goto out;
    }
    size_t nq = t.nq, nr = t.nr, nt = t.nt;
    double *buf = malloc((nr * nq * np + 8) * sizeof *buf);
    double *med = malloc(np * nq * sizeof *med);
    point_summary *ps = calloc(np, sizeof *ps);

    /* summary.csv: one row per setting x problem */
    size_t len = 0, cap = 8192;
    char *csv = malloc(cap);
    add(&csv, &len, &cap, "point,problem,runs,median,q25,q75,mean,mean_ci_lo,"
        "mean_ci_hi,auc,median_evals,median_rounds,median_idle_slots");
    for (size_t k = 0; k < nt; k++)
        add(&csv, &len, &cap, ",success_%g,ert_%g", s->targets[k], s->targets[k]);
    add(&csv, &len, &cap, "\n");
    for (size_t p = 0; p < np; p++)
        for (size_t q = 0; q < nq; q++) {
            size_t n = slice(&t, t.error, p, q, buf);
            med[p * nq + q] = n ? sweep_quantile(buf, n, 0.5) : NAN;
            if (!n)
                continue;
            double lo, hi, mean = 0;
            for (size_t i = 0; i < n; i++)
                mean += buf[i] / (double)n;
            sweep_bootstrap_mean(buf, n, s->seed + 7919 * (p * nq + q), 1000,
                                 0.95, &lo, &hi);
            add(&csv, &len, &cap, "%zu,%s,%zu,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g",
                p, s->problems[q], n, med[p * nq + q],
                sweep_quantile(buf, n, 0.25), sweep_quantile(buf, n, 0.75),
                mean, lo, hi);
            size_t na = slice(&t, t.auc, p, q, buf);
            add(&csv, &len, &cap, ",%.6g", na ? sweep_quantile(buf, na, 0.5) : NAN);
            size_t ne = slice(&t, t.evals, p, q, buf);
            add(&csv, &len, &cap, ",%.6g", sweep_quantile(buf, ne, 0.5));
            ne = slice(&t, t.rounds, p, q, buf);
            add(&csv, &len, &cap, ",%.6g", sweep_quantile(buf, ne, 0.5));
            ne = slice(&t, t.idle, p, q, buf);
            add(&csv, &len, &cap, ",%.6g", sweep_quantile(buf, ne, 0.5));
            for (size_t k = 0; k < nt; k++) {
                /* success rate, and COCO's expected running time: all
                 * evaluations spent (to the hit, or the whole run) per
                 * success */
                double succ = 0, spent = 0, runs_k = 0;
                for (size_t r = 0; r < nr; r++) {
                    size_t i = AT(&t, p, q, r);
                    long h = t.hit[i * nt + k];
                    if (h == -2)
                        continue;
                    runs_k++;
                    if (h >= 0) {
                        succ++;
                        spent += (double)h;
                    } else {
                        spent += t.evals[i];
                    }
                }
                add(&csv, &len, &cap, ",%.4g,%.6g", succ / runs_k,
                    succ > 0 ? spent / succ : INFINITY);
            }
            add(&csv, &len, &cap, "\n");
        }
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    if (an->write_files && (rc = ga_write_file_atomic(path, csv, len, err)))
        goto out2;

    for (size_t p = 0; p < np; p++) {
        size_t n = 0;
        for (size_t q = 0; q < nq; q++)
            n += slice(&t, t.rounds, p, q, buf + n);
        ps[p].runs = n;
        ps[p].median_rounds = sweep_quantile(buf, n, 0.5);
        n = 0;
        for (size_t q = 0; q < nq; q++)
            n += slice(&t, t.idle, p, q, buf + n);
        ps[p].median_idle = sweep_quantile(buf, n, 0.5);
        n = 0;
        for (size_t q = 0; q < nq; q++)
            n += slice(&t, t.gens, p, q, buf + n);
        ps[p].median_gens = sweep_quantile(buf, n, 0.5);
        ps[p].eligible = s->max_rounds == 0 || ps[p].median_rounds <= (double)s->max_rounds;
    }

    /* the points that ran every (problem, replicate): all of them, or a
     * race's survivors; only they are tested and can be selected */
    size_t most = 0, nact = 0;
    for (size_t p = 0; p < np; p++)
        most = ps[p].runs > most ? ps[p].runs : most;
    size_t *act = malloc(np * sizeof *act);
    for (size_t p = 0; p < np; p++) {
        ps[p].active = ps[p].runs == most;
        if (ps[p].active)
            act[nact++] = p;  /* the reference always runs: act[0] == 0 */
    }
    /* mean normalised rank across problems (0 best, 1 worst), among the
     * points that ran everything */
    double *rk = malloc(np * sizeof *rk);
    for (size_t p = 0; p < np; p++)
        ps[p].mean_rank = ps[p].active ? 0 : NAN;
    for (size_t q = 0; q < nq; q++) {
        for (size_t j = 0; j < nact; j++)
            buf[j] = isnan(med[act[j] * nq + q]) ? INFINITY : med[act[j] * nq + q];
        sweep_ranks(buf, nact, rk);
        for (size_t j = 0; j < nact; j++)
            ps[act[j]].mean_rank += (nact > 1 ? (rk[j] - 1) / (double)(nact - 1)
                                              : 0) / (double)nq;
    }
    free(rk);
    /* blocks (problem, replicate): Friedman, and each point against the
     * reference (point 0), on log10 errors */
    size_t nb = 0;
    double *blocks = malloc((nq * nr + 1) * np * sizeof *blocks);
    for (size_t q = 0; q < nq; q++)
        for (size_t r = 0; r < nr; r++) {
            int full = 1;
            for (size_t j = 0; j < nact && full; j++)
                full = !isnan(t.error[AT(&t, act[j], q, r)]);
            if (!full)
                continue;
            for (size_t j = 0; j < nact; j++)
                blocks[nb * nact + j] =
                    log10(fmax(t.error[AT(&t, act[j], q, r)], 0) + EPS);
            nb++;
        }
    double fstat = NAN, fp = NAN;
    if (nb > 1 && nact > 1)
        fp = sweep_friedman(blocks, nb, nact, &fstat, NULL);
    double *x = malloc((nb + 1) * sizeof *x), *y = malloc((nb + 1) * sizeof *y);
    double *praw = calloc(np, sizeof *praw), *padj = calloc(np, sizeof *padj);
    for (size_t p = 0; p < np; p++)
        ps[p].p_raw = ps[p].p_holm = ps[p].wins = NAN;
    for (size_t j = 1; j < nact; j++) {
        double w = 0;
        for (size_t b = 0; b < nb; b++) {
            x[b] = blocks[b * nact + j];
            y[b] = blocks[b * nact];
            w += x[b] < y[b];
        }
        double st;
        praw[j - 1] = sweep_wilcoxon(x, y, nb, &st);
        ps[act[j]].wins = nb ? w / (double)nb : NAN;
    }
    if (nact > 1)
        sweep_holm(praw, nact - 1, padj);
    for (size_t j = 1; j < nact; j++) {
        ps[act[j]].p_raw = praw[j - 1];
        ps[act[j]].p_holm = padj[j - 1];
    }

    /* selection: best score among eligible points that ran everything; the
     * score is the mean rank, plus round_weight x median rounds relative to
     * the most any of them needs (rounds are wall-clock on a cluster) */
    double most_rounds = 0;
    for (size_t j = 0; j < nact; j++)
        most_rounds = fmax(most_rounds, ps[act[j]].median_rounds);
    for (size_t p = 0; p < np; p++)
        ps[p].score = ps[p].mean_rank +
                      (s->round_weight > 0 && most_rounds > 0
                           ? s->round_weight * ps[p].median_rounds / most_rounds
                           : 0);
    size_t best = 0, best_j = 0;
    int found = 0;
    for (size_t j = 0; j < nact; j++) {
        size_t p = act[j];
        if (ps[p].eligible && (!found || ps[p].score < ps[best].score)) {
            best = p;
            best_j = j;
            found = 1;
        }
    }
    /* improvement of the selection over the reference, per block: the ratio
     * of errors (reference / selected) with a bootstrap interval of its
     * median */
    double ratio_med = NAN, ratio_lo = NAN, ratio_hi = NAN;
    if (nb > 0) {
        for (size_t b = 0; b < nb; b++)
            x[b] = pow(10, blocks[b * nact] - blocks[b * nact + best_j]);
        ratio_med = sweep_quantile(x, nb, 0.5);
        sweep_bootstrap_median(x, nb, s->seed + 104729, 2000, 0.95, &ratio_lo,
                               &ratio_hi);
    }

    /* report.md and the short report */
    size_t *order = malloc(np * sizeof *order);
    for (size_t p = 0; p < np; p++)
        order[p] = p;
    for (size_t i = 1; i < np; i++)  /* insertion sort by mean rank */
        for (size_t j = i; j > 0 && rank_key(&ps[order[j]]) < rank_key(&ps[order[j - 1]]);
             j--) {
            size_t tmp = order[j];
            order[j] = order[j - 1];
            order[j - 1] = tmp;
        }
    size_t rlen = 0, rcap = 8192;
    char *rep = malloc(rcap);
    add(&rep, &rlen, &rcap, "# Sweep %s\n\n", s->name);
    add(&rep, &rlen, &rcap, "Budget %ld evaluations per run, %ld replicates, "
        "%zu problems, %zu settings (point 0: the CANDLE defaults), %ld workers "
        "for rounds. Quality: final error (true best - f_opt). Generated by "
        "`gahpo analyze %s`.\n\n", s->budget, s->replicates, nq, np, s->workers,
        dir);
    if (design_report && design_report[0])
        add(&rep, &rlen, &rcap, "Design notes:\n\n```\n%s```\n\n", design_report);
    size_t nruns = runs->nrows, full = np * nq * nr;
    if (nruns < full)
        add(&rep, &rlen, &rcap, "Race: %zu runs of the %zu a full design makes "
            "(%zu saved); %zu of %zu settings survived to the end (race.csv "
            "says when each was dropped). Tests and selection use the "
            "survivors.\n\n", nruns, full, full - nruns, nact, np);
    add(&rep, &rlen, &rcap, "Friedman test over %zu (problem, replicate) "
        "blocks: chi2 = %.4g, p = %.3g.\n\n", nb, fstat, fp);
    add(&rep, &rlen, &rcap, "| rank | point |");
    for (size_t k = 0; k < s->nfactors; k++)
        add(&rep, &rlen, &rcap, " %s |", s->factors[k].name);
    add(&rep, &rlen, &rcap, " mean norm. rank | median rounds | wins vs "
        "defaults | p (Holm) |\n|---|---|");
    for (size_t k = 0; k < s->nfactors; k++)
        add(&rep, &rlen, &rcap, "---|");
    add(&rep, &rlen, &rcap, "---|---|---|---|\n");
    for (size_t i = 0; i < np; i++) {
        size_t p = order[i];
        add(&rep, &rlen, &rcap, "| %zu | %zu%s |", i + 1, p,
            p == 0 ? " (defaults)" : "");
        for (size_t k = 0; k < s->nfactors; k++)
            add(&rep, &rlen, &rcap, " %s |", pts[p].values[k]);
        add(&rep, &rlen, &rcap, " %.3f | %.0f%s | %.2f | %.3g%s |\n",
            ps[p].mean_rank, ps[p].median_rounds, ps[p].eligible ? "" : " (over cap)",
            ps[p].wins, ps[p].p_holm,
            ps[p].active ? "" : " (raced out)");
    }
    if (s->round_weight > 0)
        add(&rep, &rlen, &rcap, "\nSelection score: mean normalised rank + "
            "%g x median rounds / %.0f (the most median rounds); point %zu "
            "scores %.3f.\n", s->round_weight, most_rounds, best,
            ps[best].score);
    add(&rep, &rlen, &rcap, "\nSelected: point %zu (mean normalised rank "
        "%.3f). Error ratio defaults/selected, median over blocks: %.3g (95%% "
        "bootstrap CI %.3g to %.3g); %s than the defaults at alpha 0.05 "
        "(Wilcoxon signed-rank, Holm-corrected p = %.3g).\n", best,
        ps[best].mean_rank, ratio_med, ratio_lo, ratio_hi,
        best == 0 ? "it is the defaults, so not better"
        : ps[best].p_holm < 0.05 && ps[best].wins > 0.5 ? "significantly better"
        : "not significantly better", ps[best].p_holm);
    if (an->write_files && (rc = write_plots(dir, s, pts, &t, ps, order, np, err)))
        goto out3;
    add(&rep, &rlen, &rcap, "\nFigures (made by gnuplot from plots/*.dat when it "
        "is installed): ![heat map](plots/heat_cx_prob_mut_prob.png) "
        "![heat map](plots/heat_population_size_tournsize.png) "
        "![best so far](plots/curves.png) ![ECDF](plots/ecdf.png)\n");
    snprintf(path, sizeof path, "%s/report.md", dir);
    if (an->write_files && (rc = ga_write_file_atomic(path, rep, rlen, err)))
        goto out3;
    if (out)
        fputs(rep, out);

    an->selected = best;
    /* tuned_defaults.json */
    {
        ga_settings sel = pts[best].settings;
        if (ps[best].median_gens > 0)  /* the generations the budget bought */
            sel.num_iter = (long)ps[best].median_gens;
        cJSON *o = cJSON_CreateObject();
        cJSON *st = ga_settings_to_json(&sel);
        cJSON_DeleteItemFromObject(st, "seed");
        cJSON_DeleteItemFromObject(st, "max_seconds");
        cJSON_DeleteItemFromObject(st, "target");
        cJSON_DeleteItemFromObject(st, "stall_generations");
        cJSON_AddItemToObject(o, "settings", st);
        cJSON *pv = cJSON_AddObjectToObject(o, "provenance");
        char hash[32], date[32];
        snprintf(hash, sizeof hash, "%016llx", s->hash);
        time_t now = time(NULL);
        strftime(date, sizeof date, "%Y-%m-%d", gmtime(&now));
        cJSON_AddStringToObject(pv, "sweep", s->name);
        cJSON_AddStringToObject(pv, "spec_hash_fnv1a64", hash);
        cJSON *pr = cJSON_AddArrayToObject(pv, "problems");
        for (size_t q = 0; q < nq; q++)
            cJSON_AddItemToArray(pr, cJSON_CreateString(s->problems[q]));
        cJSON_AddNumberToObject(pv, "budget_evaluations", (double)s->budget);
        cJSON_AddNumberToObject(pv, "replicates", (double)s->replicates);
        cJSON_AddNumberToObject(pv, "sweep_seed", (double)s->seed);
        cJSON_AddNumberToObject(pv, "workers", (double)s->workers);
        cJSON_AddNumberToObject(pv, "design_point", (double)best);
        cJSON_AddNumberToObject(pv, "median_rounds", ps[best].median_rounds);
        cJSON *im = cJSON_AddObjectToObject(pv, "improvement_over_candle_defaults");
        cJSON_AddItemToObject(im, "median_error_ratio", ga_json_number(ratio_med));
        cJSON *ci = cJSON_AddArrayToObject(im, "ci95");
        cJSON_AddItemToArray(ci, ga_json_number(ratio_lo));
        cJSON_AddItemToArray(ci, ga_json_number(ratio_hi));
        cJSON_AddItemToObject(im, "win_rate", ga_json_number(ps[best].wins));
        cJSON_AddItemToObject(im, "wilcoxon_p_holm", ga_json_number(ps[best].p_holm));
        cJSON_AddStringToObject(pv, "date", date);
        cJSON_AddStringToObject(pv, "gahpo_version", version);
        cJSON_AddNumberToObject(pv, "max_rounds", (double)s->max_rounds);
        cJSON_AddItemToObject(pv, "round_weight",
                              ga_json_number(s->round_weight));
        snprintf(path, sizeof path, "%s/tuned_defaults.json", dir);
        if (an->write_files)
            rc = ga_write_json_atomic(path, o, err);
        an->tuned = o;
    }
out3:
    free(order);
    free(act);
    free(rep);
    free(blocks);
    free(x);
    free(y);
    free(praw);
    free(padj);
out2:
    free(csv);
    free(buf);
    free(med);
    free(ps);
out:
    table_free(&t);
    ga_csv_free(runs);
    free(design_report);
    sweep_points_free(pts, np, s->nfactors);
    sweep_spec_free(s);
    return rc;
}
