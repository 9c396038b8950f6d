/* validate.c - held-out validation of a sweep's selection: the selected
 * settings and the CANDLE defaults on problems the sweep did not tune on
 * (spec key "validation"), same budget and replicates, paired by (problem,
 * replicate). Tuning and testing on the same problems flatters the winner;
 * this is the honest figure. */
#include "validate.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <omp.h>

#include "../ga/strbuf.h"
#include "../ga/util.h"
#include "stats.h"

/* The validation runs: e[0] of the reference, e[1] of point `selected`,
 * [q * replicates + r] each; problems numbered after the tuning ones, so
 * no seed is shared with the sweep. */
static int run_pairs(const sweep_spec *s, const sweep_point *pts,
                     size_t selected, prob_problem **probs, int threads,
                     double **e, ga_error *err)
{
    size_t nr = (size_t)s->replicates, n = s->nvalidation * nr;
    int failed = 0;
    char fail_msg[2200] = "";
    const size_t which[2] = { 0, selected };
#pragma omp parallel for schedule(dynamic) num_threads(threads > 0 ? threads : omp_get_max_threads())
    for (long i = 0; i < (long)(2 * n); i++) {
        size_t side = (size_t)i / n, k = (size_t)i % n, q = k / nr, r = k % nr;
        unsigned long seed = sweep_run_seed(s->seed, which[side],
                                            s->nproblems + q, (long)r);
        sweep_result res;
        double best_at[s->ncheck + 1], best_time[s->ncheck + 1];
        long hit[s->ntargets + 1];
        long rounds_list[s->nworkers + 1];
        res.best_at = best_at;
        res.best_time = best_time;
        res.hit = hit;
        res.rounds_list = rounds_list;
        ga_error e1;
        if (sweep_run_one(s, &pts[which[side]].settings, probs[q], seed, &res,
                          &e1) != GA_OK) {
#pragma omp critical(validate_fail)
            {
                failed = 1;
                snprintf(fail_msg, sizeof fail_msg, "validation run of point "
                         "%zu on %s: %.1900s", which[side], s->validation[q],
                         e1.msg);
            }
            continue;
        }
        e[side][k] = res.error;
    }
    return failed ? ga_error_set(err, GA_EFAIL, "%s", fail_msg) : GA_OK;
}

/* What the pairs say. */
typedef struct evidence {
    double wins;   /* pairs the selected settings won */
    double p;      /* Wilcoxon signed-rank on log10 errors */
} evidence;

/* validation.csv's text into csv and report.md's section into md. */
static int compare_pairs(const sweep_spec *s, size_t selected, double **e,
                         ga_strbuf *csv, ga_strbuf *md, evidence *ev,
                         ga_error *err)
{
    size_t nq = s->nvalidation, nr = (size_t)s->replicates, n = nq * nr;
    double *x = malloc((n + 1) * sizeof *x), *y = malloc((n + 1) * sizeof *y);
    if (!x || !y) {
        free(x);
        free(y);
        return ga_error_set(err, GA_EFAIL, "out of memory");
    }
    ga_strbuf_append(csv, "problem,replicate,error_defaults,error_selected\n");
    ga_strbuf_printf(md, "\n## Held-out validation\n\nThe selected point %zu "
                     "and the CANDLE defaults on problems not used for tuning, "
                     "%zu replicates each, budget %ld.\n\n| problem | median "
                     "error, defaults | median error, selected | wins |\n"
                     "|---|---|---|---|\n", selected, nr, s->budget);
    errno = 0;
    ev->wins = 0;
    for (size_t q = 0; q < nq; q++) {
        double w = 0;
        for (size_t r = 0; r < nr; r++) {
            size_t k = q * nr + r;
            char a[40], b[40];
            ga_format_double(e[0][k], a, sizeof a);
            ga_format_double(e[1][k], b, sizeof b);
            ga_strbuf_printf(csv, "%s,%zu,%s,%s\n", s->validation[q], r, a, b);
            x[k] = log10(fmax(e[1][k], 0) + 1e-12);
            y[k] = log10(fmax(e[0][k], 0) + 1e-12);
            w += x[k] < y[k];
        }
        ev->wins += w;
        ga_strbuf_printf(md, "| %s | %.4g | %.4g | %.2f |\n", s->validation[q],
                         sweep_quantile(e[0] + q * nr, nr, 0.5),
                         sweep_quantile(e[1] + q * nr, nr, 0.5), w / (double)nr);
    }
    double st;
    ev->p = sweep_wilcoxon(x, y, n, &st);
    ga_strbuf_printf(md, "\nOver all %zu pairs: the selected settings win "
                     "%.0f%%; Wilcoxon signed-rank on log10 errors p = %.3g.\n",
                     n, 100 * ev->wins / (double)n, ev->p);
    free(x);
    free(y);
    if (errno == ENOMEM)  /* a statistic ran out (stats.h) */
        return ga_error_set(err, GA_EFAIL, "out of memory");
    int rc = ga_strbuf_check(csv, err);
    return rc ? rc : ga_strbuf_check(md, err);
}

/* md appended to dir/report.md (a report that is not there: md alone). */
static int append_report(const char *dir, const ga_strbuf *md, ga_error *err)
{
    char path[GA_PATH_MAX];
    if (ga_path(path, sizeof path, err, "%s/report.md", dir))
        return GA_EINPUT;
    ga_error e2;
    char *old = ga_read_file(path, NULL, &e2);
    if (!old && e2.status == GA_EFAIL)  /* there, but not read: keep it */
        return ga_error_set(err, GA_EFAIL, "%s", e2.msg);
    ga_strbuf all = GA_STRBUF_INIT;
    ga_strbuf_append(&all, old ? old : "");
    ga_strbuf_append(&all, ga_strbuf_text(md));
    free(old);
    int rc = ga_strbuf_write(&all, path, err);
    ga_strbuf_free(&all);
    return rc;
}

/* The evidence added to dir/tuned_defaults.json's provenance. */
static int add_provenance(const sweep_spec *s, const char *dir,
                          const evidence *ev, ga_error *err)
{
    char path[GA_PATH_MAX];
    size_t n = s->nvalidation * (size_t)s->replicates;
    if (ga_path(path, sizeof path, err, "%s/tuned_defaults.json", dir))
        return GA_EINPUT;
    ga_error e2;
    char *text = ga_read_file(path, NULL, &e2);
    if (!text && e2.status == GA_EFAIL)
        return ga_error_set(err, GA_EFAIL, "%s", e2.msg);
    ga_json_oom_clear();
    cJSON *o = text ? cJSON_Parse(text) : NULL;
    int rc = text && !o && ga_json_oom()
                 ? ga_error_set(err, GA_EFAIL, "%s: out of memory reading it", path)
                 : GA_OK;
    free(text);
    cJSON *pv = cJSON_GetObjectItemCaseSensitive(o, "provenance");
    if (pv) {
        cJSON *v = cJSON_AddObjectToObject(pv, "held_out_validation");
        cJSON *pr = cJSON_AddArrayToObject(v, "problems");
        for (size_t q = 0; q < s->nvalidation; q++) {
            cJSON *name = cJSON_CreateString(s->validation[q]);
            if (!cJSON_AddItemToArray(pr, name))
                cJSON_Delete(name);  /* out of memory: ga_json_oom says so */
        }
        cJSON *num[2] = { ga_json_number(ev->wins / (double)n),
                          ga_json_number(ev->p) };
        if (!cJSON_AddItemToObject(v, "win_rate", num[0]))
            cJSON_Delete(num[0]);
        if (!cJSON_AddItemToObject(v, "wilcoxon_p", num[1]))
            cJSON_Delete(num[1]);
        rc = ga_write_json_built(path, o, err);
    }
    cJSON_Delete(o);
    return rc;
}

int sweep_validate(const sweep_spec *s, const sweep_point *pts, size_t selected,
                   const char *dir, int threads, ga_error *err)
{
    if (s->nvalidation == 0)
        return GA_OK;
    size_t nq = s->nvalidation, n = nq * (size_t)s->replicates;
    double *e[2] = { malloc(n * sizeof(double)), malloc(n * sizeof(double)) };
    prob_problem **probs = calloc(nq, sizeof *probs);
    ga_strbuf csv = GA_STRBUF_INIT, md = GA_STRBUF_INIT;
    evidence ev = { 0, NAN };
    int rc = e[0] && e[1] && probs ? GA_OK
             : ga_error_set(err, GA_EFAIL, "out of memory");
    for (size_t q = 0; rc == GA_OK && q < nq; q++)
        if (!(probs[q] = prob_lookup(s->validation[q], err)))
            rc = err->status;
    if (rc == GA_OK)
        rc = run_pairs(s, pts, selected, probs, threads, e, err);
    if (rc == GA_OK)
        rc = compare_pairs(s, selected, e, &csv, &md, &ev, err);
    char path[GA_PATH_MAX];
    if (rc == GA_OK)
        rc = ga_path(path, sizeof path, err, "%s/validation.csv", dir);
    if (rc == GA_OK)
        rc = ga_strbuf_write(&csv, path, err);
    if (rc == GA_OK)
        rc = append_report(dir, &md, err);
    if (rc == GA_OK)
        rc = add_provenance(s, dir, &ev, err);
    ga_strbuf_free(&csv);
    ga_strbuf_free(&md);
    for (size_t q = 0; probs && q < nq; q++)
        prob_free(probs[q]);
    free(probs);
    free(e[0]);
    free(e[1]);
    return rc;
}
