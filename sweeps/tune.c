/* tune.c - the configurator over a grid of budgets and worker counts, the
 * choices measured on the test set, tuned_defaults.json (tune.h). */
#include "tune.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ga/hash.h"
#include "../ga/strbuf.h"
#include "../ga/util.h"
#include "configure.h"
#include "evaluate.h"
#include "stats.h"

#define TUNE_MAX 16          /* budgets, worker counts, references */
/* W > 1: at most this many times the rounds CANDLE's defaults take (with
 * 8 workers their batches of 8 fill every round: an exact cap leaves
 * almost no setting) */
#define TUNE_ROUNDS_SLACK 1.25

/* The tune spec, read and checked. */
typedef struct tune_grid {
    char *text;
    cJSON *root;
    const char *name;
    long budgets[TUNE_MAX], workers[TUNE_MAX];
    size_t nb, nw, nref;
    const char *ref_label[TUNE_MAX];
    const cJSON *ref_settings[TUNE_MAX];
    unsigned long long hash;
} tune_grid;

/* One cell: the choice for (budget, workers) and what the test set says. */
typedef struct tune_cell {
    long budget, workers;
    sweep_configured conf;
    size_t nfactors;             /* conf.values' */
    int configured;
    sweep_eval_cell evals;       /* vs CANDLE at N evaluations */
    sweep_eval_cell wall;        /* W > 1: at the simulated wall-clock time
                                    N evaluations take */
    sweep_eval_cell ref_evals[TUNE_MAX], ref_wall[TUNE_MAX];
    size_t nsur;                 /* the test set's surrogates at N
                                    evaluations: CANDLE's median error over
                                    the choice's, A12 (one problem each) */
    char sur_name[4][128];
    double sur_ratio[4], sur_a12[4];
    double p_claim;              /* better at N evaluations: evals.p */
    double p_holm;               /* p_claim, Holm over the grid */
} tune_cell;

static int read_list(const cJSON *root, const char *key, long *out,
                     size_t *n, const char *src, ga_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key), *kv;
    *n = 0;
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0 ||
        cJSON_GetArraySize(v) > TUNE_MAX)
        return ga_error_set(err, GA_EINPUT, "%s: a tune spec needs \"%s\", a "
                            "list of 1 to %d integers", src, key, TUNE_MAX);
    cJSON_ArrayForEach(kv, v) {
        if (!cJSON_IsNumber(kv) || kv->valuedouble < 1 ||
            kv->valuedouble != floor(kv->valuedouble) ||
            (*n > 0 && kv->valuedouble <= (double)out[*n - 1]))
            return ga_error_set(err, GA_EINPUT, "%s: \"%s\" must be increasing "
                                "integers >= 1", src, key);
        out[(*n)++] = (long)kv->valuedouble;
    }
    return GA_OK;
}

/* The budgets cell b serves under the lookup rule (nearest in log
 * scale): from the geometric mean with the budget below (N / sqrt 2 for
 * the first) to the one with the budget above (N x sqrt 2 for the last). */
static void cell_range(const tune_grid *g, size_t b, long *lo, long *hi)
{
    double n = (double)g->budgets[b];
    *lo = lround(b > 0 ? sqrt((double)g->budgets[b - 1] * n) : n / M_SQRT2);
    *hi = lround(b + 1 < g->nb ? sqrt(n * (double)g->budgets[b + 1])
                               : n * M_SQRT2);
    if (*lo < 1 || *lo >= g->budgets[b])
        *lo = g->budgets[b] > 1 ? g->budgets[b] - 1 : 1;
    if (*hi <= g->budgets[b])
        *hi = g->budgets[b] + 1;
}

static void add_longs(cJSON *o, const char *key, const long *v, size_t n)
{
    cJSON *a = cJSON_AddArrayToObject(o, key);
    for (size_t i = 0; a && i < n; i++)
        if (i == 0 || v[i] > v[i - 1])
            cJSON_AddItemToArray(a, cJSON_CreateNumber((double)v[i]));
}

/* Cell b's configure spec (test 0: raced on the budgets it serves, lo, N
 * and hi, the previous budget's choice prev (may be NULL) among the first
 * race's candidates) or a worker count's test spec (test 1: to the
 * largest budget, read at every budget), as text. */
static char *cell_text(const tune_grid *g, size_t b, long workers, int test,
                       const cJSON *prev, long rounds_cap)
{
    cJSON *o = cJSON_Duplicate(g->root, 1);
    if (!o)
        return NULL;
    char name[300];
    long budget = g->budgets[test ? g->nb - 1 : b];
    if (test)
        snprintf(name, sizeof name, "%s-test-w%ld", g->name, workers);
    else
        snprintf(name, sizeof name, "%s-b%ld-w%ld", g->name, budget, workers);
    const char *drop[] = { "name", "budgets", "references", "budget",
                           "workers", "checkpoints" };
    for (size_t i = 0; i < sizeof drop / sizeof *drop; i++)
        cJSON_DeleteItemFromObjectCaseSensitive(o, drop[i]);
    cJSON_AddStringToObject(o, "name", name);
    long range[3] = { 0, budget, 0 };
    if (!test)
        cell_range(g, b, &range[0], &range[2]);
    cJSON_AddNumberToObject(o, "budget", (double)(test ? budget : range[2]));
    cJSON_AddNumberToObject(o, "workers", (double)workers);
    if (test) {  /* the budgets and powers of two from 16: the curves */
        long cp[2 * TUNE_MAX + 64], c = 16;
        size_t n = 0, i = 0;
        while (i < g->nb || c < budget) {  /* two sorted lists merged */
            if (c < budget && (i == g->nb || c < g->budgets[i])) {
                cp[n++] = c;
                c *= 2;
            } else {
                cp[n++] = g->budgets[i++];
            }
        }
        add_longs(o, "checkpoints", cp, n);  /* repeats dropped */
    } else
        add_longs(o, "checkpoints", range, 3);
    cJSON *conf = cJSON_GetObjectItemCaseSensitive(o, "configure");
    if (prev && !test) {
        if (!conf)
            conf = cJSON_AddObjectToObject(o, "configure");
        cJSON *init = cJSON_GetObjectItemCaseSensitive(conf, "initial");
        if (!init)
            init = cJSON_AddArrayToObject(conf, "initial");
        cJSON_AddItemToArray(init, cJSON_Duplicate(prev, 1));
    }
    cJSON *race = cJSON_GetObjectItemCaseSensitive(o, "race");
    if (!race)
        race = cJSON_AddObjectToObject(o, "race");
    cJSON_DeleteItemFromObjectCaseSensitive(race, "objective");
    cJSON_AddStringToObject(race, "objective", "anytime");
    cJSON_DeleteItemFromObjectCaseSensitive(race, "rounds_cap");
    if (rounds_cap > 0)
        cJSON_AddNumberToObject(race, "rounds_cap", (double)rounds_cap);
    char *t = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return t;
}

/* The rounds (batches on w workers) CANDLE's defaults, or the spec's base
 * settings b, take for n evaluations: every child is evaluated (cx_prob +
 * mut_prob = 1). */
static long base_rounds(const ga_settings *b, long n, long w)
{
    long p = b->population_size, lambda = ga_settings_batch(b);
    if (n <= p)
        return (n + w - 1) / w;
    long gens = (n - p) / lambda, rem = (n - p) % lambda;
    return (p + w - 1) / w + gens * ((lambda + w - 1) / w) +
           (rem ? (rem + w - 1) / w : 0);
}

/* Cell b's spec (cell_text), with W > 1 held to TUNE_ROUNDS_SLACK x the
 * rounds the spec's base settings (CANDLE's defaults) take for the cell's
 * budget. */
static sweep_spec *cell_spec(const tune_grid *g, size_t b, long workers,
                             int test, const cJSON *prev, const char *src,
                             ga_error *err)
{
    sweep_spec *s = NULL;
    long cap = 0;
    for (int pass = 0; pass < 2; pass++) {
        char *t = cell_text(g, b, workers, test, prev, cap);
        if (!t) {
            ga_error_set(err, GA_EFAIL, "out of memory");
            return NULL;
        }
        s = sweep_spec_parse(t, src, err);
        free(t);
        if (!s || test || workers == 1 || pass == 1)
            break;
        cap = (long)ceil(TUNE_ROUNDS_SLACK *
                         (double)base_rounds(&s->base, s->budget, workers));
        sweep_spec_free(s);
    }
    return s;
}

static void grid_free(tune_grid *g)
{
    cJSON_Delete(g->root);
    free(g->text);
    memset(g, 0, sizeof *g);
}

/* The references: {"LABEL": {settings}, ...}. */
static int read_references(tune_grid *g, const char *src, ga_error *err)
{
    const cJSON *refs = cJSON_GetObjectItemCaseSensitive(g->root, "references");
    const cJSON *r;
    if (refs && !cJSON_IsObject(refs))
        return ga_error_set(err, GA_EINPUT, "%s: \"references\" must be an "
                            "object of LABEL: {settings}", src);
    cJSON_ArrayForEach(r, refs) {
        if (!cJSON_IsObject(r) || g->nref >= TUNE_MAX || !r->string[0] ||
            strchr(r->string, ',') || !strcmp(r->string, "candle"))
            return ga_error_set(err, GA_EINPUT, "%s: reference '%s' must be a "
                                "settings object under a label without commas "
                                "(at most %d)", src, r->string, TUNE_MAX);
        g->ref_label[g->nref] = r->string;
        g->ref_settings[g->nref++] = r;
    }
    return GA_OK;
}

/* Every reference is a valid setting of the test spec for W workers. */
static int check_references(const tune_grid *g, long workers, const char *path,
                            ga_error *err)
{
    sweep_spec *s = cell_spec(g, g->nb - 1, workers, 1, NULL, path, err);
    if (!s)
        return err->status;
    char **vals = calloc(s->nfactors + 1, sizeof *vals);
    int rc = vals ? GA_OK : ga_error_set(err, GA_EFAIL, "out of memory");
    for (size_t r = 0; rc == GA_OK && r < g->nref; r++) {
        ga_settings st = s->base;
        char src[GA_PATH_MAX + 64];
        snprintf(src, sizeof src, "%s: references.%s", path, g->ref_label[r]);
        rc = ga_settings_apply_json(&st, g->ref_settings[r], src, err);
        if (rc == GA_OK)
            rc = sweep_setting_values(s, &st, vals, err);
        for (size_t k = 0; k < s->nfactors; k++) {
            free(vals[k]);
            vals[k] = NULL;
        }
    }
    free(vals);
    sweep_spec_free(s);
    return rc;
}

/* Read the spec and check every cell's spec before anything runs. */
static int grid_load(tune_grid *g, const char *path, ga_error *err)
{
    memset(g, 0, sizeof *g);
    if (!(g->text = ga_read_file(path, NULL, err)))
        return err->status;
    g->root = ga_json_parse(g->text, path, NULL, err);
    if (!g->root)
        return err->status ? err->status : GA_EINPUT;
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(g->root, "name");
    g->name = cJSON_IsString(name) ? name->valuestring : "tune";
    g->hash = ga_fnv1a(GA_FNV1A_INIT, g->text, strlen(g->text));
    int rc = read_list(g->root, "budgets", g->budgets, &g->nb, path, err);
    if (!rc)
        rc = read_list(g->root, "workers", g->workers, &g->nw, path, err);
    if (!rc)
        rc = read_references(g, path, err);
    if (!rc && g->workers[g->nw - 1] > 1 &&
        !cJSON_GetObjectItemCaseSensitive(g->root, "durations"))
        rc = ga_error_set(err, GA_EINPUT, "%s: a tune spec with more than one "
                          "worker needs \"durations\" (the simulated wall "
                          "clock)", path);
    for (size_t w = 0; !rc && w < g->nw; w++)
        for (size_t b = 0; !rc && b <= g->nb; b++) {
            if (b == g->nb) {
                rc = check_references(g, g->workers[w], path, err);
                if (rc)
                    break;
            }
            int test = b == g->nb;
            cJSON *dummy = b > 0 && !test ? cJSON_CreateObject() : NULL;
            sweep_spec *s = cell_spec(g, test ? b - 1 : b, g->workers[w], test,
                                      dummy, path, err);
            cJSON_Delete(dummy);
            if (s && s->nvalidation == 0)
                ga_error_set(err, GA_EINPUT, "%s: a tune spec needs \"test\" "
                             "problems (the defaults' evidence)", path);
            rc = s && s->nvalidation ? GA_OK : err->status;
            sweep_spec_free(s);
        }
    return rc;
}

/* The settings an entry carries: the factors' (the configured ones). */
static cJSON *entry_settings(const sweep_spec *s, const tune_cell *c)
{
    cJSON *all = ga_settings_to_json(&c->conf.settings);
    cJSON *set = cJSON_CreateObject();
    for (size_t k = 0; all && set && k < s->nfactors; k++) {
        cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(all,
                                                           s->factors[k].name);
        if (v)
            cJSON_AddItemToObject(set, s->factors[k].name, v);
    }
    cJSON_Delete(all);
    return set;
}

/* The configuration of cell b into OUT/wW/bN, the previous budget's
 * choice prev (may be NULL) among its first candidates. */
static int configure_cell(const tune_grid *g, const sweep_tune_opts *o,
                          size_t b, const tune_cell *prev, tune_cell *c,
                          ga_error *err)
{
    cJSON *pset = NULL;
    if (prev) {
        sweep_spec *ps = cell_spec(g, b - 1, c->workers, 0, NULL, o->spec_path,
                                   err);
        pset = ps ? entry_settings(ps, prev) : NULL;
        sweep_spec_free(ps);
        if (!pset)
            return err->status ? err->status
                               : ga_error_set(err, GA_EFAIL, "out of memory");
    }
    sweep_spec *s = cell_spec(g, b, c->workers, 0, pset, o->spec_path, err);
    cJSON_Delete(pset);
    if (!s)
        return err->status;
    char dir[GA_PATH_MAX];
    int rc = ga_path(dir, sizeof dir, err, "%s/w%ld/b%ld", o->out, c->workers,
                     c->budget);
    if (rc == GA_OK)
        rc = ga_mkdirs(dir, err);
    if (rc == GA_OK)
        rc = sweep_configure(s, dir, o->threads, o->cancel, NULL, NULL,
                             &c->conf, err);
    if (rc == GA_OK) {
        c->configured = 1;
        c->nfactors = s->nfactors;
        if (!o->quiet)
            fprintf(stderr, "tune: %ld evaluations, %ld workers: %ld GA runs "
                    "in %ld races\n", c->budget, c->workers, c->conf.runs,
                    c->conf.races);
    }
    if (rc != GA_OK)
        sweep_configured_free(&c->conf, s->nfactors);
    sweep_spec_free(s);
    return rc;
}

/* The eval cell of setting i at checkpoint N, wall-clock or not. */
static const sweep_eval_cell *find_cell(const sweep_eval_cell *cells,
                                        size_t ncells, size_t i, long n,
                                        int wall)
{
    for (size_t k = 0; k < ncells; k++)
        if (cells[k].setting == i && cells[k].evaluations == n &&
            cells[k].wallclock == wall)
            return &cells[k];
    return NULL;
}

/* The settings to evaluate for worker column w: every budget's choice,
 * then the references, as factor values (labels "bN", then the
 * references' labels). */
static int test_values(const tune_grid *g, const sweep_spec *s,
                       tune_cell *col, char **labels, char **vals,
                       ga_error *err)
{
    size_t nf = s->nfactors;
    for (size_t b = 0; b < g->nb; b++) {
        char l[32];
        snprintf(l, sizeof l, "b%ld", g->budgets[b]);
        if (!(labels[b] = ga_strdup(l)))
            return ga_error_set(err, GA_EFAIL, "out of memory");
        for (size_t k = 0; k < nf; k++)
            if (!(vals[b * nf + k] = ga_strdup(col[b].conf.values[k])))
                return ga_error_set(err, GA_EFAIL, "out of memory");
    }
    for (size_t r = 0; r < g->nref; r++) {
        ga_settings st = s->base;
        char src[300];
        snprintf(src, sizeof src, "%s: references.%s", s->name, g->ref_label[r]);
        if (!(labels[g->nb + r] = ga_strdup(g->ref_label[r])))
            return ga_error_set(err, GA_EFAIL, "out of memory");
        if (ga_settings_apply_json(&st, g->ref_settings[r], src, err) != GA_OK)
            return GA_EINPUT;
        if (sweep_setting_values(s, &st, vals + (g->nb + r) * nf, err) != GA_OK)
            return err->status;
    }
    return GA_OK;
}

/* The test set's HPO surrogates (problems named surrogate:...) for each
 * budget's choice at its budget, from DIR/problems.csv. */
static int read_surrogates(const tune_grid *g, const char *dir, tune_cell *col,
                           ga_error *err)
{
    char path[GA_PATH_MAX];
    if (ga_path(path, sizeof path, err, "%s/problems.csv", dir))
        return err->status;
    char *text = ga_read_file(path, NULL, err);
    if (!text)
        return err->status;
    for (const char *l = strchr(text, '\n'); l && l[1]; l = strchr(l + 1, '\n')) {
        char label[64], prob[128];
        long n;
        double mine, theirs, a12;
        if (sscanf(l + 1, "%63[^,],%ld,%127[^,],%lf,%lf,%lf", label, &n, prob,
                   &mine, &theirs, &a12) != 6 || strncmp(prob, "surrogate:", 10))
            continue;
        for (size_t b = 0; b < g->nb; b++) {
            char want[32];
            snprintf(want, sizeof want, "b%ld", g->budgets[b]);
            tune_cell *c = &col[b];
            if (strcmp(label, want) || n != g->budgets[b] || c->nsur >= 4)
                continue;
            snprintf(c->sur_name[c->nsur], sizeof c->sur_name[0], "%s", prob);
            c->sur_ratio[c->nsur] = pow(10, theirs - mine);
            c->sur_a12[c->nsur++] = a12;
        }
    }
    free(text);
    return GA_OK;
}

/* Worker column w's choices and references on the test set
 * (OUT/wW/test); the cells' results into col. */
static int test_column(const tune_grid *g, const sweep_tune_opts *o,
                       tune_cell *col, ga_error *err)
{
    long W = col[0].workers;
    sweep_spec *s = cell_spec(g, g->nb - 1, W, 1, NULL, o->spec_path, err);
    if (!s)
        return err->status;
    size_t n = g->nb + g->nref, nf = s->nfactors;
    char **labels = calloc(n + 1, sizeof *labels);
    char **vals = calloc(n * nf + 1, sizeof *vals);
    int rc = labels && vals ? test_values(g, s, col, labels, vals, err)
                            : ga_error_set(err, GA_EFAIL, "out of memory");
    char dir[GA_PATH_MAX];
    sweep_eval_cell *cells = NULL;
    size_t ncells = 0;
    if (rc == GA_OK)
        rc = ga_path(dir, sizeof dir, err, "%s/w%ld/test", o->out, W);
    if (rc == GA_OK)
        rc = sweep_evaluate(s, labels, vals, n, s->test_replicates, dir,
                            o->threads, o->cancel, &cells, &ncells, NULL, err);
    for (size_t b = 0; rc == GA_OK && b < g->nb; b++) {
        long N = g->budgets[b];
        const sweep_eval_cell *ec = find_cell(cells, ncells, b, N, 0);
        const sweep_eval_cell *wc = find_cell(cells, ncells, b, N, 1);
        if (!ec || (W > 1 && !wc)) {
            rc = ga_error_set(err, GA_EFAIL, "%s: no test cell at %ld "
                              "evaluations", dir, N);
            break;
        }
        col[b].evals = *ec;
        col[b].p_claim = ec->p;
        if (W > 1)
            col[b].wall = *wc;
        for (size_t r = 0; r < g->nref; r++) {
            const sweep_eval_cell *re = find_cell(cells, ncells, g->nb + r, N, 0);
            const sweep_eval_cell *rw = find_cell(cells, ncells, g->nb + r, N, 1);
            if (re)
                col[b].ref_evals[r] = *re;
            if (rw)
                col[b].ref_wall[r] = *rw;
        }
    }
    if (rc == GA_OK)
        rc = read_surrogates(g, dir, col, err);
    for (size_t b = 0; rc == GA_OK && b < g->nb; b++)  /* the defaults: */
        for (size_t q = 0; col[b].conf.reference && q < s->nvalidation &&
                           col[b].nsur < 4; q++)   /* their own runs */
            if (!strncmp(s->validation[q], "surrogate:", 10)) {
                tune_cell *c = &col[b];
                snprintf(c->sur_name[c->nsur], sizeof c->sur_name[0], "%s",
                         s->validation[q]);
                c->sur_ratio[c->nsur] = 1;
                c->sur_a12[c->nsur++] = 0.5;
            }
    if (rc == GA_OK && !o->quiet)
        fprintf(stderr, "tune: %ld workers: test set done (%s)\n", W, dir);
    for (size_t i = 0; labels && i < n; i++)
        free(labels[i]);
    for (size_t i = 0; vals && i < n * nf; i++)
        free(vals[i]);
    free(labels);
    free(vals);
    free(cells);
    sweep_spec_free(s);
    return rc;
}

/* Holm's correction over the whole grid: of each cell's claim (better at
 * N evaluations), and of each measure's own p (for "worse"). */
static int holm_grid(tune_cell *cells, size_t n, ga_error *err)
{
    double *p = malloc((n + 1) * sizeof *p), *adj = malloc((n + 1) * sizeof *adj);
    if (!p || !adj) {
        free(p);
        free(adj);
        return ga_error_set(err, GA_EFAIL, "out of memory");
    }
    errno = 0;
    for (int k = 0; k < 3; k++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (k < 2 || cells[i].workers > 1)
                p[m++] = k == 0 ? cells[i].p_claim : k == 1 ? cells[i].evals.p
                                                            : cells[i].wall.p;
        sweep_holm(p, m, adj);
        m = 0;
        for (size_t i = 0; i < n; i++)
            if (k < 2 || cells[i].workers > 1)
                *(k == 0 ? &cells[i].p_holm : k == 1 ? &cells[i].evals.p_holm
                                                     : &cells[i].wall.p_holm) =
                    adj[m++];
    }
    free(p);
    free(adj);
    return errno == ENOMEM ? ga_error_set(err, GA_EFAIL, "out of memory")
                           : GA_OK;
}

static cJSON *cell_numbers(const sweep_eval_cell *c, int holm)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "ratio", ga_json_number(c->ratio));
    cJSON *ci = cJSON_AddArrayToObject(o, "ratio_ci95");
    cJSON_AddItemToArray(ci, ga_json_number(c->lo));
    cJSON_AddItemToArray(ci, ga_json_number(c->hi));
    cJSON_AddItemToObject(o, "a12", ga_json_number(c->a12));
    cJSON_AddNumberToObject(o, "better_problems", (double)c->better);
    cJSON_AddNumberToObject(o, "worse_problems", (double)c->worse);
    cJSON_AddItemToObject(o, "p", ga_json_number(c->p));
    if (holm)
        cJSON_AddItemToObject(o, "p_holm", ga_json_number(c->p_holm));
    return o;
}

static cJSON *entry_json(const tune_grid *g, const sweep_spec *s,
                         const tune_cell *c)
{
    cJSON *e = cJSON_CreateObject();
    cJSON_AddNumberToObject(e, "budget", (double)c->budget);
    cJSON_AddNumberToObject(e, "workers", (double)c->workers);
    cJSON_AddItemToObject(e, "settings", entry_settings(s, c));
    cJSON *ev = cJSON_AddObjectToObject(e, "evidence");
    cJSON *cf = cJSON_AddObjectToObject(ev, "configure");
    char dir[64];
    snprintf(dir, sizeof dir, "w%ld/b%ld", c->workers, c->budget);
    cJSON_AddStringToObject(cf, "directory", dir);
    cJSON_AddNumberToObject(cf, "training_problems", (double)s->nproblems);
    cJSON_AddNumberToObject(cf, "ga_runs", (double)c->conf.runs);
    cJSON_AddNumberToObject(cf, "races", (double)c->conf.races);
    cJSON_AddBoolToObject(cf, "candle_defaults_chosen", c->conf.reference);
    cJSON_AddStringToObject(cf, "objective", "anytime");
    for (size_t b = 0; b < g->nb; b++)
        if (g->budgets[b] == c->budget) {
            long range[3] = { 0, c->budget, 0 };
            cell_range(g, b, &range[0], &range[2]);
            add_longs(cf, "objective_budgets", range, 3);
        }
    cJSON *t = cJSON_AddObjectToObject(ev, "test");
    cJSON_AddNumberToObject(t, "problems", (double)s->nvalidation);
    cJSON_AddNumberToObject(t, "replicates", (double)s->test_replicates);
    cJSON_AddStringToObject(t, "measure", "equal evaluations");
    cJSON *pn = cell_numbers(&c->evals, 0);
    cJSON *it = pn ? pn->child : NULL;
    while (it) {  /* the figures at equal evaluations at the top */
        cJSON *next = it->next;
        cJSON_AddItemToObject(t, it->string,
                              cJSON_DetachItemViaPointer(pn, it));
        it = next;
    }
    cJSON_Delete(pn);
    cJSON_AddItemToObject(t, "p_claim", ga_json_number(c->p_claim));
    cJSON_AddItemToObject(t, "p_holm", ga_json_number(c->p_holm));
    cJSON_AddItemToObject(t, "p_holm_equal_evaluations",
                          ga_json_number(c->evals.p_holm));
    if (c->workers > 1)
        cJSON_AddItemToObject(t, "at_equal_wallclock",
                              cell_numbers(&c->wall, 1));
    cJSON *sur = cJSON_AddArrayToObject(t, "surrogates");
    for (size_t i = 0; i < c->nsur; i++) {
        cJSON *so = cJSON_CreateObject();
        cJSON_AddStringToObject(so, "problem", c->sur_name[i]);
        cJSON_AddItemToObject(so, "ratio", ga_json_number(c->sur_ratio[i]));
        cJSON_AddItemToObject(so, "a12", ga_json_number(c->sur_a12[i]));
        cJSON_AddItemToArray(sur, so);
    }
    cJSON *refs = cJSON_AddObjectToObject(t, "references");
    for (size_t r = 0; r < g->nref; r++) {
        cJSON *ro = cell_numbers(&c->ref_evals[r], 0);
        if (c->workers > 1)
            cJSON_AddItemToObject(ro, "at_equal_wallclock",
                                  cell_numbers(&c->ref_wall[r], 0));
        cJSON_AddItemToObject(refs, g->ref_label[r], ro);
    }
    return e;
}

static const char *verdict(const tune_cell *c)
{
    int wide = c->workers > 1;
    int worse_w = wide && c->wall.p_holm < 0.05 && c->wall.ratio < 1;
    if (c->p_holm < 0.05 && c->evals.ratio > 1)
        return worse_w ? "better; worse at equal wall-clock" : "better";
    int worse_e = c->evals.p_holm < 0.05 && c->evals.ratio < 1;
    if (worse_e && worse_w)
        return "worse on both";
    if (worse_e)
        return "worse at equal evaluations";
    if (worse_w)
        return "worse at equal wall-clock";
    return "no significant difference";
}

/* One row of the report's grid table. */
static void report_row(ga_strbuf *m, const tune_grid *g, const sweep_spec *s,
                       const tune_cell *c)
{
    ga_strbuf_printf(m, "| %ld | %ld |", c->budget, c->workers);
    for (size_t k = 0; k < s->nfactors; k++) {
        const char *v = c->conf.values[k];
        char *end;
        double x = strtod(v, &end);
        if (*end == '\0' && x != floor(x))
            ga_strbuf_printf(m, " %.3g", x);
        else
            ga_strbuf_printf(m, " %s", v);
        ga_strbuf_append(m, k + 1 < s->nfactors ? "," : " |");
    }
    const sweep_eval_cell *p = &c->evals;
    ga_strbuf_printf(m, " %.3g (%.3g to %.3g) | %ld / %ld | %.2f |", p->ratio,
                     p->lo, p->hi, p->better, p->worse, p->a12);
    if (c->workers > 1)
        ga_strbuf_printf(m, " %.3g (%.3g to %.3g) | %ld / %ld |", c->wall.ratio,
                         c->wall.lo, c->wall.hi, c->wall.better, c->wall.worse);
    else
        ga_strbuf_append(m, " (one worker) | |");
    ga_strbuf_printf(m, " %.2g | %s |", c->p_holm, verdict(c));
    for (size_t i = 0; i < c->nsur; i++)
        ga_strbuf_printf(m, "%s%.3g (A12 %.2f)", i ? "; " : " ", c->sur_ratio[i],
                         c->sur_a12[i]);
    ga_strbuf_append(m, c->nsur ? " |" : " |");
    for (size_t r = 0; r < g->nref; r++) {
        ga_strbuf_printf(m, " %.3g", c->ref_evals[r].ratio);
        if (c->workers > 1)
            ga_strbuf_printf(m, " / %.3g", c->ref_wall[r].ratio);
        ga_strbuf_append(m, " |");
    }
    ga_strbuf_append(m, "\n");
}

/* OUT/report.md: the grid, each cell's choice and its test-set figures. */
static int write_report(const tune_grid *g, const sweep_tune_opts *o,
                        const sweep_spec *s, const tune_cell *cells,
                        size_t ncells, ga_error *err)
{
    ga_strbuf m = GA_STRBUF_INIT;
    ga_strbuf_printf(&m, "# Tuned defaults: the configurator at every budget "
                     "and worker count\n\nCommand: `gahpo tune %s`. Each cell: "
                     "iterated racing over", o->spec_path);
    for (size_t k = 0; k < s->nfactors; k++)
        ga_strbuf_printf(&m, "%s %s", k ? "," : "", s->factors[k].name);
    ga_strbuf_printf(&m, " on %zu training problems; the choice then runs "
                     "on %zu test problems never seen by the races, %ld "
                     "replicates each, beside CANDLE's defaults", s->nproblems,
                     s->nvalidation, s->test_replicates);
    for (size_t r = 0; r < g->nref; r++)
        ga_strbuf_printf(&m, "%s `%s`", r ? "," : " and", g->ref_label[r]);
    ga_strbuf_append(&m, ". Ratio: CANDLE's median error over the choice's, "
                     "geometric mean over problems (above 1: the choice is "
                     "better), 95% bootstrap interval over problems; A12: "
                     "Vargha-Delaney, mean over problems; p: Wilcoxon signed-"
                     "rank over the problems' median log ratios. At N "
                     "evaluations and, for more than one worker, also at the "
                     "simulated wall-clock time N evaluations take with no "
                     "worker idle (jobs log-normal");
    if (s->dur_fail > 0)
        ga_strbuf_printf(&m, ", each failing with chance %g", s->dur_fail);
    ga_strbuf_append(&m, "). Every cell is raced on best-so-far error over "
                     "the budgets it serves; with more than one worker only "
                     "settings that need at most the rounds of CANDLE's "
                     "defaults for those evaluations, plus a quarter, take part "
                     "(a run that needs more scores worst). The "
                     "claim is \"better at N evaluations\"; p (Holm): its p, "
                     "Holm over every cell of the grid; \"worse\" is tested "
                     "per measure, Holm over the grid.\n\n| N | W | choice (");
    for (size_t k = 0; k < s->nfactors; k++)
        ga_strbuf_printf(&m, "%s%s", k ? ", " : "", s->factors[k].name);
    ga_strbuf_append(&m, ") | ratio at N evaluations (95% CI) | better / worse "
                     "problems | A12 | ratio at equal wall-clock (95% CI) | "
                     "better / worse problems | p (Holm) | verdict | the "
                     "held-out HPO surrogate alone: ratio (A12) |");
    for (size_t r = 0; r < g->nref; r++)
        ga_strbuf_printf(&m, " ratio of %s (evaluations / wall-clock) |",
                         g->ref_label[r]);
    ga_strbuf_append(&m, "\n|---|---|---|---|---|---|---|---|---|---|---|");
    for (size_t r = 0; r < g->nref; r++)
        ga_strbuf_append(&m, "---|");
    ga_strbuf_append(&m, "\n");
    for (size_t i = 0; i < ncells; i++)
        report_row(&m, g, s, &cells[i]);
    ga_strbuf_append(&m, "\nPer worker count, every choice and reference on "
                     "every test problem: `wW/test/evaluation.md`, "
                     "`problems.csv`, figures in `wW/test/plots/`; each "
                     "configuration's races in `wW/bN/`.\n");
    char path[GA_PATH_MAX];
    int rc = ga_path(path, sizeof path, err, "%s/report.md", o->out);
    if (rc == GA_OK)
        rc = ga_strbuf_write(&m, path, err);
    ga_strbuf_free(&m);
    return rc;
}

/* tuned_defaults.json and report.md from the finished grid. */
static int write_results(const tune_grid *g, const sweep_tune_opts *o,
                         const tune_cell *cells, size_t ncells, cJSON **result,
                         ga_error *err)
{
    sweep_spec *s = cell_spec(g, g->nb - 1, g->workers[0], 1, NULL,
                              o->spec_path, err);
    if (!s)
        return err->status;
    cJSON *root = cJSON_CreateObject();
    cJSON *entries = cJSON_AddArrayToObject(root, "entries");
    for (size_t i = 0; i < ncells; i++)
        cJSON_AddItemToArray(entries, entry_json(g, s, &cells[i]));
    cJSON *pv = cJSON_AddObjectToObject(root, "provenance");
    char hash[32];
    snprintf(hash, sizeof hash, "%016llx", g->hash);
    cJSON_AddStringToObject(pv, "tune_spec", g->name);
    cJSON_AddStringToObject(pv, "spec_hash_fnv1a64", hash);
    cJSON_AddNumberToObject(pv, "seed", (double)s->seed);
    cJSON_AddStringToObject(pv, "rule", "the entry with the largest budget "
                            "<= the run's, else the smallest; within it the "
                            "largest workers <= the run's, else the smallest");
    cJSON_AddStringToObject(pv, "gahpo_version", o->version);
    cJSON_AddStringToObject(pv, "date", o->date);
    char path[GA_PATH_MAX];
    int rc = ga_path(path, sizeof path, err, "%s/tuned_defaults.json", o->out);
    if (rc == GA_OK)
        rc = ga_write_json_atomic(path, root, err);
    if (rc == GA_OK)
        rc = write_report(g, o, s, cells, ncells, err);
    sweep_spec_free(s);
    if (rc == GA_OK)
        *result = root;
    else
        cJSON_Delete(root);
    return rc;
}

int sweep_tune(const sweep_tune_opts *o, cJSON **result, ga_error *err)
{
    *result = NULL;
    tune_grid g;
    int rc = grid_load(&g, o->spec_path, err);
    size_t ncells = g.nb * g.nw;
    tune_cell *cells = rc ? NULL : calloc(ncells + 1, sizeof *cells);
    if (rc == GA_OK && !cells)
        rc = ga_error_set(err, GA_EFAIL, "out of memory");
    for (size_t w = 0; rc == GA_OK && w < g.nw; w++) {
        tune_cell *col = cells + w * g.nb;
        for (size_t b = 0; rc == GA_OK && b < g.nb; b++) {
            col[b].budget = g.budgets[b];
            col[b].workers = g.workers[w];
            rc = configure_cell(&g, o, b, b ? &col[b - 1] : NULL, &col[b],
                                err);
        }
        if (rc == GA_OK)
            rc = test_column(&g, o, col, err);
    }
    if (rc == GA_OK)
        rc = holm_grid(cells, ncells, err);
    if (rc == GA_OK)
        rc = write_results(&g, o, cells, ncells, result, err);
    for (size_t i = 0; cells && i < ncells; i++)
        if (cells[i].configured)
            sweep_configured_free(&cells[i].conf, cells[i].nfactors);
    free(cells);
    grid_free(&g);
    return rc;
}
