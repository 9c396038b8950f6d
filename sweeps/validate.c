/* validate.c - held-out validation of a sweep's selection: the selected
 * settings and the CANDLE defaults on problems the sweep did not tune on
 * (spec key "validation"), same budget and replicates, paired by (problem,
 * replicate). Tuning and testing on the same problems flatters the winner;
 * this is the honest figure. */
#include "validate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <omp.h>

#include "../ga/util.h"
#include "stats.h"

int sweep_validate(const sweep_spec *s, const sweep_point *pts, size_t selected,
                   const char *dir, int threads, ga_error *err)
{
    if (s->nvalidation == 0)
        return GA_OK;
    size_t nq = s->nvalidation, nr = (size_t)s->replicates, n = nq * nr;
    double *e[2];
    e[0] = malloc(n * sizeof(double));
    e[1] = malloc(n * sizeof(double));
    prob_problem **probs = calloc(nq, sizeof *probs);
    int rc = GA_OK;
    for (size_t q = 0; q < nq; q++)
        if (!(probs[q] = prob_lookup(s->validation[q], err))) {
            rc = err->status;
            goto out;
        }
    int failed = 0;
    char fail_msg[2200] = "";
    const size_t which[2] = { 0, selected };
#pragma omp parallel for schedule(dynamic) num_threads(threads > 0 ? threads : omp_get_max_threads())
    for (long i = 0; i < (long)(2 * n); i++) {
        size_t side = (size_t)i / n, k = (size_t)i % n, q = k / nr, r = k % nr;
        /* problems numbered after the tuning ones: seeds never shared */
        unsigned long seed = sweep_run_seed(s->seed, which[side],
                                            s->nproblems + q, (long)r);
        sweep_result res;
        double best_at[s->ncheck + 1];
        long hit[s->ntargets + 1];
        long rounds_list[s->nworkers + 1];
        res.best_at = best_at;
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
    if (failed) {
        rc = ga_error_set(err, GA_EFAIL, "%s", fail_msg);
        goto out;
    }
    /* validation.csv and a section for report.md */
    size_t cap = 4096, len = 0;
    char *csv = malloc(cap), *md = malloc(cap * 4);
    size_t mlen = 0, mcap = cap * 4;
    len += (size_t)snprintf(csv, cap, "problem,replicate,error_defaults,"
                            "error_selected\n");
    mlen += (size_t)snprintf(md + mlen, mcap - mlen,
                             "\n## Held-out validation\n\nThe selected point %zu "
                             "and the CANDLE defaults on problems not used for "
                             "tuning, %zu replicates each, budget %ld.\n\n"
                             "| problem | median error, defaults | median error, "
                             "selected | wins |\n|---|---|---|---|\n",
                             selected, nr, s->budget);
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    double wins = 0;
    for (size_t q = 0; q < nq; q++) {
        double w = 0;
        for (size_t r = 0; r < nr; r++) {
            size_t k = q * nr + r;
            char a[40], b[40], line[256];
            ga_format_double(e[0][k], a, sizeof a);
            ga_format_double(e[1][k], b, sizeof b);
            int ll = snprintf(line, sizeof line, "%s,%zu,%s,%s\n",
                              s->validation[q], r, a, b);
            if (len + (size_t)ll + 1 > cap) {
                cap = 2 * (cap + (size_t)ll);
                csv = realloc(csv, cap);
            }
            memcpy(csv + len, line, (size_t)ll + 1);
            len += (size_t)ll;
            x[k] = log10(fmax(e[1][k], 0) + 1e-12);
            y[k] = log10(fmax(e[0][k], 0) + 1e-12);
            w += x[k] < y[k];
        }
        wins += w;
        if (mlen + 512 > mcap) {
            mcap *= 2;
            md = realloc(md, mcap);
        }
        mlen += (size_t)snprintf(md + mlen, mcap - mlen, "| %s | %.4g | %.4g | "
                                 "%.2f |\n", s->validation[q],
                                 sweep_quantile(e[0] + q * nr, nr, 0.5),
                                 sweep_quantile(e[1] + q * nr, nr, 0.5),
                                 w / (double)nr);
    }
    double st, p = sweep_wilcoxon(x, y, n, &st);
    if (mlen + 512 > mcap) {
        mcap *= 2;
        md = realloc(md, mcap);
    }
    mlen += (size_t)snprintf(md + mlen, mcap - mlen, "\nOver all %zu pairs: the "
                             "selected settings win %.0f%%; Wilcoxon signed-rank "
                             "on log10 errors p = %.3g.\n", n,
                             100 * wins / (double)n, p);
    char path[4200];
    snprintf(path, sizeof path, "%s/validation.csv", dir);
    rc = ga_write_file_atomic(path, csv, len, err);
    if (rc == GA_OK) {
        /* append the section to report.md */
        snprintf(path, sizeof path, "%s/report.md", dir);
        ga_error e2;
        char *old = ga_read_file(path, NULL, &e2);
        size_t ol = old ? strlen(old) : 0;
        char *all = malloc(ol + mlen + 1);
        memcpy(all, old ? old : "", ol);
        memcpy(all + ol, md, mlen + 1);
        rc = ga_write_file_atomic(path, all, ol + mlen, err);
        free(all);
        free(old);
    }
    if (rc == GA_OK) {
        /* and the evidence to the tuned defaults' provenance */
        snprintf(path, sizeof path, "%s/tuned_defaults.json", dir);
        ga_error e2;
        char *text = ga_read_file(path, NULL, &e2);
        cJSON *o = text ? cJSON_Parse(text) : NULL;
        free(text);
        cJSON *pv = cJSON_GetObjectItemCaseSensitive(o, "provenance");
        if (pv) {
            cJSON *v = cJSON_AddObjectToObject(pv, "held_out_validation");
            cJSON *pr = cJSON_AddArrayToObject(v, "problems");
            for (size_t q = 0; q < nq; q++)
                cJSON_AddItemToArray(pr, cJSON_CreateString(s->validation[q]));
            cJSON_AddItemToObject(v, "win_rate", ga_json_number(wins / (double)n));
            cJSON_AddItemToObject(v, "wilcoxon_p", ga_json_number(p));
            rc = ga_write_json_atomic(path, o, err);
        }
        cJSON_Delete(o);
    }
    free(x);
    free(y);
    free(csv);
    free(md);
out:
    for (size_t q = 0; q < nq; q++)
        prob_free(probs[q]);
    free(probs);
    free(e[0]);
    free(e[1]);
    return rc;
}
