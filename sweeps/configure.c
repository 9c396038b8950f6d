/* configure.c - iterated racing over the GA's parameters (configure.h). */
#include "configure.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "../ga/hash.h"
#include "../ga/strbuf.h"
#include "../ga/util.h"
#include "runs_row.h"
#include "stats.h"

void sweep_configured_free(sweep_configured *c, size_t nfactors)
{
    for (size_t k = 0; c->values && k < nfactors; k++)
        free(c->values[k]);
    free(c->values);
    c->values = NULL;
}

double sweep_factor_position(const sweep_factor *f, const char *text)
{
    if (f->nlevels) {
        for (size_t i = 0; i < f->nlevels; i++)
            if (!strcmp(f->levels[i], text))
                return ((double)i + 0.5) / (double)f->nlevels;
        return 0.5;
    }
    double v = strtod(text, NULL);
    double q = f->log ? (log(v) - log(f->min)) / (log(f->max) - log(f->min))
                      : (v - f->min) / (f->max - f->min);
    return fmin(fmax(q, 0), 1);
}

char *sweep_factor_value(const sweep_factor *f, double q)
{
    q = fmin(fmax(q, 0), 1);
    if (f->nlevels) {
        size_t i = (size_t)(q * (double)f->nlevels);
        return ga_strdup(f->levels[i < f->nlevels ? i : f->nlevels - 1]);
    }
    double v = f->log ? exp(log(f->min) + q * (log(f->max) - log(f->min)))
                      : f->min + q * (f->max - f->min);
    char buf[64];
    if (f->integer) {
        v = fmin(fmax(floor(v + 0.5), ceil(f->min)), floor(f->max));
        snprintf(buf, sizeof buf, "%.0f", v);
    } else {
        ga_format_double(fmin(fmax(v, f->min), f->max), buf, sizeof buf);
    }
    return ga_strdup(buf);
}

/* An elite: its factor values (owned) and its mean rank in its race. */
typedef struct elite {
    char **vals;
    double rank;
} elite;

static void elites_free(elite *e, size_t n, size_t nf)
{
    for (size_t i = 0; e && i < n; i++) {
        for (size_t k = 0; e[i].vals && k < nf; k++)
            free(e[i].vals[k]);
        free(e[i].vals);
    }
    free(e);
}

/* One new candidate's factor values into vals (nf, allocated): uniform in
 * race 0; later around an elite drawn with weight by rank (nel of them,
 * best first), the spread shrinking with the race. NULL entries when out
 * of memory. */
static void sample_candidate(const sweep_spec *s, const elite *el, size_t nel,
                             long race, gsl_rng *r, char **vals)
{
    size_t nf = s->nfactors;
    const elite *parent = NULL;
    if (nel > 0) {
        /* weights nel, nel - 1, ..., 1 */
        double total = (double)nel * ((double)nel + 1) / 2;
        double u = gsl_rng_uniform(r) * total;
        size_t i = 0;
        while (i + 1 < nel && u >= (double)(nel - i)) {
            u -= (double)(nel - i);
            i++;
        }
        parent = &el[i];
    }
    long n_new = s->conf_candidates - (long)nel;
    double sd = pow(1.0 / (double)(n_new > 1 ? n_new : 2),
                    (double)race / (double)nf);
    double keep = 0.5 + 0.5 * (double)race / (double)s->conf_iterations;
    for (size_t k = 0; k < nf; k++) {
        const sweep_factor *f = &s->factors[k];
        double q;
        if (!parent) {
            q = gsl_rng_uniform(r);
        } else if (f->nlevels) {
            q = gsl_rng_uniform(r) < keep
                    ? sweep_factor_position(f, parent->vals[k])
                    : gsl_rng_uniform(r);
        } else {
            double mu = sweep_factor_position(f, parent->vals[k]);
            int tries = 0;
            do
                q = mu + gsl_ran_gaussian(r, sd);
            while ((q < 0 || q > 1) && ++tries < 100);
        }
        vals[k] = sweep_factor_value(f, q);
    }
}

/* A race's runs.csv read back: for each run row its point, instance
 * (problem x replicates + replicate) and score (sweep_run_score's, from
 * the error or best_at columns). */
typedef struct race_rows {
    size_t n;
    size_t *point;
    long *instance;
    double *score;
} race_rows;

static void race_rows_free(race_rows *rr)
{
    free(rr->point);
    free(rr->instance);
    free(rr->score);
}

static long problem_index(const sweep_spec *s, const char *name)
{
    size_t len = strcspn(name, ",");
    for (size_t q = 0; q < s->nproblems; q++)
        if (strlen(s->problems[q]) == len && !strncmp(s->problems[q], name, len))
            return (long)q;
    return -1;
}

static int read_race(const sweep_spec *s, const char *dir, race_rows *rr,
                     ga_error *err)
{
    char path[GA_PATH_MAX];
    memset(rr, 0, sizeof *rr);
    if (ga_path(path, sizeof path, err, "%s/runs.csv", dir))
        return err->status;
    char *text = ga_read_file(path, NULL, err);
    if (!text)
        return err->status;
    size_t lines = 0;
    for (const char *c = text; *c; c++)
        lines += *c == '\n';
    rr->point = malloc((lines + 1) * sizeof *rr->point);
    rr->instance = malloc((lines + 1) * sizeof *rr->instance);
    rr->score = malloc((lines + 1) * sizeof *rr->score);
    long c_point = sweep_column(text, "point"), c_prob = sweep_column(text, "problem");
    long c_rep = sweep_column(text, "replicate"), c_err = sweep_column(text, "error");
    long c_rounds = sweep_column(text, "rounds");
    long c_at = -1, c_time = -1;
    if (s->ncheck) {
        char name[64];
        snprintf(name, sizeof name, "best_at_%ld", s->checkpoints[0]);
        c_at = sweep_column(text, name);
        snprintf(name, sizeof name, "best_time_%ld", s->checkpoints[0]);
        c_time = sweep_column(text, name);
    }
    double at[s->ncheck + 1], tm[s->ncheck + 1];
    int rc = rr->point && rr->instance && rr->score ? GA_OK
             : ga_error_set(err, GA_EFAIL, "out of memory");
    if (rc == GA_OK && (c_point < 0 || c_prob < 0 || c_rep < 0 || c_err < 0 ||
                        (s->race_anytime && c_at < 0) ||
                        (s->race_anytime >= 2 && c_time < 0)))
        rc = ga_error_set(err, GA_EFAIL, "%s: not a sweep's runs.csv", path);
    for (const char *line = strchr(text, '\n'); rc == GA_OK && line && line[1];
         line = strchr(line + 1, '\n')) {
        const char *row = line + 1;
        long q = problem_index(s, sweep_field(row, c_prob));
        size_t i = rr->n++;
        rr->point[i] = (size_t)strtoul(sweep_field(row, c_point), NULL, 10);
        rr->instance[i] = strtol(sweep_field(row, c_rep), NULL, 10) *
                              (long)s->nproblems + q;
        if (s->race_anytime) {
            for (size_t c = 0; c < s->ncheck; c++) {
                at[c] = strtod(sweep_field(row, c_at + (long)c), NULL);
                tm[c] = c_time < 0 ? NAN
                        : strtod(sweep_field(row, c_time + (long)c), NULL);
            }
            rr->score[i] = sweep_anytime_score(s->race_anytime, at, tm,
                                               s->ncheck);
        } else {
            rr->score[i] = strtod(sweep_field(row, c_err), NULL);
        }
        if (s->race_rounds_cap > 0 && c_rounds >= 0 &&
            strtol(sweep_field(row, c_rounds), NULL, 10) > s->race_rounds_cap)
            rr->score[i] = INFINITY;  /* slower than allowed: worst */
        if (q < 0)
            rc = ga_error_set(err, GA_EFAIL, "%s: a row of an unknown problem",
                              path);
    }
    free(text);
    return rc;
}

/* Mean rank (over the instances every one of them ran) of the points that
 * finished the race (complete[p]); NaN for the others. */
static int mean_ranks(const sweep_spec *s, const race_rows *rr, size_t np,
                      int *complete, double *rank, ga_error *err)
{
    long ninst = (long)s->nproblems * s->replicates;
    double *score = malloc(((size_t)ninst * np + 1) * sizeof *score);
    size_t *count = calloc(np + 1, sizeof *count);
    double *v = malloc((np + 1) * sizeof *v), *rk = malloc((np + 1) * sizeof *rk);
    size_t *map = malloc((np + 1) * sizeof *map);
    if (!score || !count || !v || !rk || !map) {
        free(score);
        free(count);
        free(v);
        free(rk);
        free(map);
        return ga_error_set(err, GA_EFAIL, "out of memory");
    }
    for (size_t i = 0; i < rr->n; i++) {
        if (rr->point[i] >= np || rr->instance[i] < 0 || rr->instance[i] >= ninst)
            continue;
        score[(size_t)rr->instance[i] * np + rr->point[i]] =
            log10(fmax(rr->score[i], 0) + 1e-12);
        count[rr->point[i]]++;
    }
    size_t k = 0;
    for (size_t p = 0; p < np; p++) {
        complete[p] = count[p] == (size_t)ninst;
        rank[p] = complete[p] ? 0 : NAN;
        if (complete[p])
            map[k++] = p;
    }
    for (long t = 0; t < ninst; t++) {
        for (size_t j = 0; j < k; j++)
            v[j] = score[(size_t)t * np + map[j]];
        sweep_ranks(v, k, rk);
        for (size_t j = 0; j < k; j++)
            rank[map[j]] += rk[j] / (double)ninst;
    }
    free(score);
    free(count);
    free(v);
    free(rk);
    free(map);
    return GA_OK;
}

/* The race's candidates: the elites' values (the initial settings in
 * the first race), then new ones. vals holds conf_candidates x nf
 * (allocated here). */
static char **race_candidates(const sweep_spec *s, const elite *el, size_t nel,
                              long race, gsl_rng *r)
{
    size_t nf = s->nfactors, n = (size_t)s->conf_candidates;
    char **vals = calloc(n * nf + 1, sizeof *vals);
    int ok = vals != NULL;
    for (size_t i = 0; ok && i < nel; i++)
        for (size_t k = 0; ok && k < nf; k++)
            ok = (vals[i * nf + k] = ga_strdup(el[i].vals[k])) != NULL;
    size_t from = nel;
    for (size_t i = 0; ok && race == 0 && i < s->conf_ninitial && from < n;
         i++, from++)  /* the first race starts from the initial settings */
        for (size_t k = 0; ok && k < nf; k++)
            ok = (vals[from * nf + k] =
                      ga_strdup(s->conf_initial[i * nf + k])) != NULL;
    for (size_t i = from; ok && i < n; i++) {
        sample_candidate(s, el, nel, race, r, vals + i * nf);
        for (size_t k = 0; k < nf; k++)
            ok = ok && vals[i * nf + k];
    }
    if (ok)
        return vals;
    for (size_t i = 0; vals && i < n * nf; i++)
        free(vals[i]);
    free(vals);
    return NULL;
}

/* The elites of a finished race: its best complete points but the
 * reference, by mean rank (ties: the lower point), at most conf_elites. */
static elite *race_elites(const sweep_spec *s, const sweep_point *pts,
                          size_t np, const int *complete, const double *rank,
                          size_t *nel)
{
    size_t nf = s->nfactors, n = 0;
    size_t *order = malloc((np + 1) * sizeof *order);
    elite *el = calloc((size_t)s->conf_elites + 1, sizeof *el);
    int ok = order && el;
    /* complete points but the reference, by (mean rank, point): an
     * insertion sort, stable */
    for (size_t p = 1; ok && p < np; p++) {
        if (!complete[p])
            continue;
        size_t j = n++;
        while (j > 0 && rank[order[j - 1]] > rank[p]) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = p;
    }
    if (n > (size_t)s->conf_elites)
        n = (size_t)s->conf_elites;
    for (size_t i = 0; ok && i < n; i++) {
        el[i].rank = rank[order[i]];
        ok = (el[i].vals = calloc(nf + 1, sizeof *el[i].vals)) != NULL;
        for (size_t k = 0; ok && k < nf; k++)
            ok = (el[i].vals[k] = ga_strdup(pts[order[i]].values[k])) != NULL;
    }
    free(order);
    if (!ok) {
        elites_free(el, n, nf);
        return NULL;
    }
    *nel = n;
    return el;
}

/* configure.csv's rows for one race. */
static void log_race(ga_strbuf *log, const sweep_spec *s, long race,
                     const sweep_point *pts, size_t np, const int *complete,
                     const double *rank, const elite *el, size_t nel)
{
    for (size_t p = 0; p < np; p++) {
        int is_elite = 0;
        for (size_t i = 0; i < nel && !is_elite; i++) {
            is_elite = 1;
            for (size_t k = 0; k < s->nfactors && is_elite; k++)
                is_elite = !strcmp(el[i].vals[k], pts[p].values[k]);
        }
        ga_strbuf_printf(log, "%ld,%zu", race, p);
        for (size_t k = 0; k < s->nfactors; k++)
            ga_strbuf_printf(log, ",%s", pts[p].values[k]);
        if (complete[p])
            ga_strbuf_printf(log, ",%.6f,1,%d\n", rank[p], is_elite && p > 0);
        else
            ga_strbuf_printf(log, ",,0,0\n");
    }
}

/* One race: design the candidates into points, run them, read the
 * result. */
static int run_race(const sweep_spec *s, const char *dir, long race,
                    char *const *vals, int threads, volatile int *cancel,
                    sweep_progress_fn progress, void *pctx, sweep_point **pts,
                    size_t *np, int **complete, double **rank, long *runs,
                    ga_error *err)
{
    sweep_spec rs = *s;  /* shares the spec's arrays: not freed */
    rs.design = SWEEP_RACE;
    rs.race_min_alive = s->conf_elites + 1;  /* the elites and the reference */
    unsigned long long key[2] = { s->seed, (unsigned long long)race };
    rs.seed = (unsigned long)(ga_fnv1a(GA_FNV1A_INIT, key, sizeof key) &
                              0xffffffffUL);
    char *report = NULL, sub[GA_PATH_MAX];
    int rc = ga_path(sub, sizeof sub, err, "%s/race-%02ld", dir, race + 1);
    if (rc == GA_OK)
        rc = sweep_design_from(&rs, vals, (size_t)s->conf_candidates, pts, np,
                               NULL, &report, err);
    free(report);
    if (rc == GA_OK)
        rc = sweep_execute(&rs, *pts, *np, sub, threads, 0, cancel, progress,
                           pctx, err);
    if (rc == GA_OK && cancel && *cancel)
        rc = ga_error_set(err, GA_EFAIL, "interrupted");
    race_rows rr;
    if (rc == GA_OK && (rc = read_race(&rs, sub, &rr, err)) == GA_OK) {
        *complete = malloc((*np + 1) * sizeof **complete);
        *rank = malloc((*np + 1) * sizeof **rank);
        rc = *complete && *rank ? mean_ranks(&rs, &rr, *np, *complete, *rank,
                                             err)
                                : ga_error_set(err, GA_EFAIL, "out of memory");
        *runs = (long)rr.n;
        race_rows_free(&rr);
    }
    return rc;
}

/* configure.json: the choice and what it cost. */
static int write_choice(const sweep_spec *s, const char *dir,
                        const sweep_configured *c, ga_error *err)
{
    char path[GA_PATH_MAX];
    int rc = ga_path(path, sizeof path, err, "%s/configure.json", dir);
    if (rc)
        return rc;
    cJSON *o = cJSON_CreateObject();
    cJSON *set = ga_settings_to_json(&c->settings);
    cJSON *vals = cJSON_CreateObject();
    for (size_t k = 0; vals && k < s->nfactors; k++)
        cJSON_AddStringToObject(vals, s->factors[k].name, c->values[k]);
    if (!o || !set || !vals) {
        cJSON_Delete(o);
        cJSON_Delete(set);
        cJSON_Delete(vals);
        return ga_error_set(err, GA_EFAIL, "out of memory");
    }
    cJSON_AddStringToObject(o, "spec", s->name);
    cJSON_AddNumberToObject(o, "races", (double)c->races);
    cJSON_AddNumberToObject(o, "runs", (double)c->runs);
    cJSON_AddItemToObject(o, "mean_rank", ga_json_number(c->mean_rank));
    cJSON_AddBoolToObject(o, "candle_defaults", c->reference);
    cJSON_AddItemToObject(o, "values", vals);
    cJSON_AddItemToObject(o, "settings", set);
    rc = ga_write_json_atomic(path, o, err);
    cJSON_Delete(o);
    return rc;
}

/* Keep the best elite as the choice (its settings from the last race's
 * points). */
static int choose(const sweep_spec *s, const sweep_point *pts, size_t np,
                  const elite *el, size_t nel, sweep_configured *out,
                  ga_error *err)
{
    for (size_t p = nel ? 1 : 0; p < np; p++) {
        int same = 1;
        if (nel == 0) {
            /* every candidate raced out by the CANDLE defaults, or ranked
             * behind them in the last race: they are the choice */
            out->settings = pts[0].settings;
            out->reference = 1;
            out->mean_rank = 1;
            out->values = calloc(s->nfactors + 1, sizeof *out->values);
            int ok = out->values != NULL;
            for (size_t k = 0; ok && k < s->nfactors; k++)
                ok = (out->values[k] = ga_strdup(pts[0].values[k])) != NULL;
            return ok ? GA_OK : ga_error_set(err, GA_EFAIL, "out of memory");
        }
        for (size_t k = 0; k < s->nfactors && same; k++)
            same = !strcmp(el[0].vals[k], pts[p].values[k]);
        if (!same)
            continue;
        out->settings = pts[p].settings;
        out->mean_rank = el[0].rank;
        out->values = calloc(s->nfactors + 1, sizeof *out->values);
        int ok = out->values != NULL;
        for (size_t k = 0; ok && k < s->nfactors; k++)
            ok = (out->values[k] = ga_strdup(el[0].vals[k])) != NULL;
        return ok ? GA_OK : ga_error_set(err, GA_EFAIL, "out of memory");
    }
    return ga_error_set(err, GA_EFAIL, "the best elite is not a point of the "
                        "last race");
}

int sweep_configure(const sweep_spec *s, const char *dir, int threads,
                    volatile int *cancel, sweep_progress_fn progress,
                    void *pctx, sweep_configured *out, ga_error *err)
{
    memset(out, 0, sizeof *out);
    char path[GA_PATH_MAX];
    struct stat st;
    int rc = ga_path(path, sizeof path, err, "%s/configure.csv", dir);
    if (rc == GA_OK && stat(path, &st) == 0)
        return ga_error_set(err, GA_EINPUT, "%s: already holds a configuration "
                            "(configure.csv); give another --out", dir);
    if (rc == GA_OK)
        rc = ga_mkdirs(dir, err);
    size_t nf = s->nfactors, nel = 0;
    elite *el = NULL;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    ga_strbuf log = GA_STRBUF_INIT;
    if (rc == GA_OK && !r)
        rc = ga_error_set(err, GA_EFAIL, "out of memory");
    if (r)
        gsl_rng_set(r, s->seed ^ 0xc0f16UL);
    ga_strbuf_append(&log, "race,point");
    for (size_t k = 0; k < nf; k++)
        ga_strbuf_printf(&log, ",%s", s->factors[k].name);
    ga_strbuf_append(&log, ",mean_rank,finished,elite\n");
    sweep_point *pts = NULL;
    size_t np = 0;
    for (long race = 0; rc == GA_OK && race < s->conf_iterations; race++) {
        if (s->conf_budget_runs > 0 && out->runs >= s->conf_budget_runs)
            break;
        char **vals = race_candidates(s, el, nel, race, r);
        int *complete = NULL;
        double *rank = NULL;
        long runs = 0;
        sweep_points_free(pts, np, nf);
        pts = NULL;
        np = 0;
        rc = vals ? run_race(s, dir, race, vals, threads, cancel, progress,
                             pctx, &pts, &np, &complete, &rank, &runs, err)
                  : ga_error_set(err, GA_EFAIL, "out of memory");
        for (size_t i = 0; vals && i < (size_t)s->conf_candidates * nf; i++)
            free(vals[i]);
        free(vals);
        size_t nnew = 0;
        elite *fresh = rc == GA_OK ? race_elites(s, pts, np, complete, rank,
                                                 &nnew) : NULL;
        if (rc == GA_OK && !fresh)
            rc = ga_error_set(err, GA_EFAIL, "out of memory");
        if (rc == GA_OK && (nnew > 0 || race + 1 == s->conf_iterations)) {
            /* no candidate survived (the reference beat them all): the
             * next race samples around the elites before, and after the
             * last one the choice is the reference */
            elites_free(el, nel, nf);
            el = fresh;
            nel = nnew;
        } else {
            elites_free(fresh, nnew, nf);
        }
        if (rc == GA_OK && race + 1 == s->conf_iterations && nel > 0 &&
            complete[0] && rank[0] < el[0].rank) {
            /* the defaults rank ahead of every survivor of the last race:
             * they stay the choice */
            elites_free(el, nel, nf);
            el = NULL;
            nel = 0;
        }
        if (rc == GA_OK) {
            log_race(&log, s, race + 1, pts, np, complete, rank, el, nel);
            out->runs += runs;
            out->races = race + 1;
        }
        free(complete);
        free(rank);
    }
    if (rc == GA_OK)
        rc = choose(s, pts, np, el, nel, out, err);
    if (rc == GA_OK && (rc = ga_path(path, sizeof path, err,
                                     "%s/configure.csv", dir)) == GA_OK)
        rc = ga_strbuf_write(&log, path, err);
    if (rc == GA_OK)
        rc = write_choice(s, dir, out, err);
    sweep_points_free(pts, np, nf);
    elites_free(el, nel, nf);
    ga_strbuf_free(&log);
    gsl_rng_free(r);
    if (rc != GA_OK)
        sweep_configured_free(out, nf);
    return rc;
}
