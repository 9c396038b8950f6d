/* analyze_report.c - what a sweep's analysis writes: summary.csv (one row
 * per setting x problem), report.md, the figures' data and gnuplot script
 * in plots/, and the tuned-defaults document with its provenance. Texts
 * are built in a ga_strbuf and written atomically, only when whole. */
#include "analyze_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../ga/util.h"
#include "stats.h"

/* ---- summary.csv ---------------------------------------------------- */

/* The success rate and COCO's expected running time (all evaluations
 * spent, to the hit or the whole run, per success) of each target at
 * (p, q). */
static void target_cells(ga_strbuf *csv, const sweep_table *t, size_t p,
                         size_t q)
{
    for (size_t k = 0; k < t->nt; k++) {
        double succ = 0, spent = 0, runs_k = 0;
        for (size_t r = 0; r < t->nr; r++) {
            size_t i = SWEEP_AT(t, p, q, r);
            long h = t->hit[i * t->nt + k];
            if (h == -2)
                continue;
            runs_k++;
            if (h >= 0) {
                succ++;
                spent += (double)h;
            } else {
                spent += t->evals[i];
            }
        }
        ga_strbuf_printf(csv, ",%.4g,%.6g", succ / runs_k,
                         succ > 0 ? spent / succ : INFINITY);
    }
}

/* The row of (p, q), which has n > 0 errors in buf (room for t->nr). */
static void summary_row(ga_strbuf *csv, const sweep_loaded *l,
                        const sweep_selection *sel, size_t p, size_t q,
                        double *buf, size_t n)
{
    const sweep_table *t = &l->table;
    const sweep_spec *s = l->spec;
    size_t nq = t->nq;
    double lo, hi, mean = 0;
    for (size_t i = 0; i < n; i++)
        mean += buf[i] / (double)n;
    sweep_bootstrap_mean(buf, n, s->seed + 7919 * (p * nq + q), 1000, 0.95,
                         &lo, &hi);
    ga_strbuf_printf(csv, "%zu,%s,%zu,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g", p,
                     s->problems[q], n, sel->med[p * nq + q],
                     sweep_quantile(buf, n, 0.25), sweep_quantile(buf, n, 0.75),
                     mean, lo, hi);
    size_t na = sweep_table_slice(t, t->auc, p, q, buf);
    ga_strbuf_printf(csv, ",%.6g", na ? sweep_quantile(buf, na, 0.5) : NAN);
    const double *medians[3] = { t->evals, t->rounds, t->idle };
    for (int c = 0; c < 3; c++) {
        size_t ne = sweep_table_slice(t, medians[c], p, q, buf);
        ga_strbuf_printf(csv, ",%.6g", sweep_quantile(buf, ne, 0.5));
    }
    target_cells(csv, t, p, q);
    ga_strbuf_printf(csv, "\n");
}

int sweep_summary_write(const char *dir, const sweep_loaded *l,
                        const sweep_selection *sel, ga_error *err)
{
    const sweep_table *t = &l->table;
    const sweep_spec *s = l->spec;
    double *buf = malloc((t->nr + 1) * sizeof *buf);
    if (!buf)
        return ga_error_set(err, GA_EFAIL, "out of memory");
    ga_strbuf csv = GA_STRBUF_INIT;
    ga_strbuf_printf(&csv, "point,problem,runs,median,q25,q75,mean,mean_ci_lo,"
                     "mean_ci_hi,auc,median_evals,median_rounds,"
                     "median_idle_slots");
    for (size_t k = 0; k < t->nt; k++)
        ga_strbuf_printf(&csv, ",success_%g,ert_%g", s->targets[k],
                         s->targets[k]);
    ga_strbuf_printf(&csv, "\n");
    errno = 0;
    for (size_t p = 0; p < t->np; p++)
        for (size_t q = 0; q < t->nq; q++) {
            size_t n = sweep_table_slice(t, t->error, p, q, buf);
            if (n)
                summary_row(&csv, l, sel, p, q, buf, n);
        }
    free(buf);
    char path[GA_PATH_MAX];
    int rc = errno == ENOMEM ? ga_error_set(err, GA_EFAIL, "out of memory")
                             : ga_path(path, sizeof path, err, "%s/summary.csv",
                                       dir);
    if (rc == GA_OK)
        rc = ga_strbuf_write(&csv, path, err);
    ga_strbuf_free(&csv);
    return rc;
}

/* ---- report.md ------------------------------------------------------ */

/* The table of every point by mean rank. */
static void report_table(ga_strbuf *rep, const sweep_loaded *l,
                         const sweep_selection *sel)
{
    const sweep_spec *s = l->spec;
    ga_strbuf_printf(rep, "| rank | point |");
    for (size_t k = 0; k < s->nfactors; k++)
        ga_strbuf_printf(rep, " %s |", s->factors[k].name);
    ga_strbuf_printf(rep, " mean norm. rank | median rounds | wins vs "
                     "defaults | p (Holm) |\n|---|---|");
    for (size_t k = 0; k < s->nfactors; k++)
        ga_strbuf_printf(rep, "---|");
    ga_strbuf_printf(rep, "---|---|---|---|\n");
    for (size_t i = 0; i < l->npoints; i++) {
        size_t p = sel->order[i];
        const sweep_point_summary *ps = &sel->ps[p];
        ga_strbuf_printf(rep, "| %zu | %zu%s |", i + 1, p,
                         p == 0 ? " (defaults)" : "");
        for (size_t k = 0; k < s->nfactors; k++)
            ga_strbuf_printf(rep, " %s |", l->points[p].values[k]);
        ga_strbuf_printf(rep, " %.3f | %.0f%s | %.2f | %.3g%s |\n",
                         ps->mean_rank, ps->median_rounds,
                         ps->eligible ? "" : " (over cap)", ps->wins,
                         ps->p_holm, ps->active ? "" : " (raced out)");
    }
}

/* The selected point, its score and its evidence against the defaults. */
static void report_selection(ga_strbuf *rep, const sweep_loaded *l,
                             const sweep_selection *sel)
{
    const sweep_spec *s = l->spec;
    size_t best = sel->best;
    const sweep_point_summary *ps = &sel->ps[best];
    if (s->round_weight > 0)
        ga_strbuf_printf(rep, "\nSelection score: mean normalised rank + %g x "
                         "median rounds / %.0f (the most median rounds); point "
                         "%zu scores %.3f.\n", s->round_weight,
                         sel->most_rounds, best, ps->score);
    ga_strbuf_printf(rep, "\nSelected: point %zu (mean normalised rank %.3f). "
                     "Error ratio defaults/selected, median over blocks: %.3g "
                     "(95%% bootstrap CI %.3g to %.3g); %s than the defaults at "
                     "alpha 0.05 (Wilcoxon signed-rank, Holm-corrected p = "
                     "%.3g).\n", best, ps->mean_rank, sel->ratio_med,
                     sel->ratio_lo, sel->ratio_hi,
                     best == 0 ? "it is the defaults, so not better"
                     : ps->p_holm < 0.05 && ps->wins > 0.5 ? "significantly better"
                     : "not significantly better", ps->p_holm);
}

void sweep_report_build(ga_strbuf *rep, const char *dir, const sweep_loaded *l,
                        const sweep_selection *sel)
{
    const sweep_spec *s = l->spec;
    size_t np = l->npoints, nq = l->table.nq, full = np * nq * l->table.nr;
    ga_strbuf_printf(rep, "# Sweep %s\n\n", s->name);
    ga_strbuf_printf(rep, "Budget %ld evaluations per run, %ld replicates, %zu "
                     "problems, %zu settings (point 0: the CANDLE defaults), "
                     "%ld workers for rounds. Quality: final error (true best "
                     "- f_opt). Generated by `gahpo analyze %s`.\n\n",
                     s->budget, s->replicates, nq, np, s->workers, dir);
    if (l->design_report && l->design_report[0])
        ga_strbuf_printf(rep, "Design notes:\n\n```\n%s```\n\n",
                         l->design_report);
    if (l->nruns < full)
        ga_strbuf_printf(rep, "Race: %zu runs of the %zu a full design makes "
                         "(%zu saved); %zu of %zu settings survived to the end "
                         "(race.csv says when each was dropped). Tests and "
                         "selection use the survivors.\n\n", l->nruns, full,
                         full - l->nruns, sel->nact, np);
    ga_strbuf_printf(rep, "Friedman test over %zu (problem, replicate) blocks: "
                     "chi2 = %.4g, p = %.3g.\n\n", sel->nb, sel->fstat, sel->fp);
    report_table(rep, l, sel);
    report_selection(rep, l, sel);
    ga_strbuf_printf(rep, "\nFigures (made by gnuplot from plots/*.dat when it "
                     "is installed): ![heat map](plots/heat_cx_prob_mut_prob.png) "
                     "![heat map](plots/heat_population_size_tournsize.png) "
                     "![best so far](plots/curves.png) ![ECDF](plots/ecdf.png)\n");
}

/* ---- tuned_defaults.json -------------------------------------------- */

/* item added to o under key (to array a), or freed when it cannot be (out
 * of memory, which ga_json_oom reports). */
static void add_item(cJSON *o, const char *key, cJSON *item)
{
    if (!cJSON_AddItemToObject(o, key, item))
        cJSON_Delete(item);
}

static void append_item(cJSON *a, cJSON *item)
{
    if (!cJSON_AddItemToArray(a, item))
        cJSON_Delete(item);
}

/* The provenance's measure of the selection against the CANDLE defaults. */
static void add_improvement(cJSON *pv, const sweep_selection *sel)
{
    const sweep_point_summary *ps = &sel->ps[sel->best];
    cJSON *im = cJSON_AddObjectToObject(pv, "improvement_over_candle_defaults");
    add_item(im, "median_error_ratio", ga_json_number(sel->ratio_med));
    cJSON *ci = cJSON_AddArrayToObject(im, "ci95");
    append_item(ci, ga_json_number(sel->ratio_lo));
    append_item(ci, ga_json_number(sel->ratio_hi));
    add_item(im, "win_rate", ga_json_number(ps->wins));
    add_item(im, "wilcoxon_p_holm", ga_json_number(ps->p_holm));
}

/* Where the settings come from: the sweep, its budget and seeds, and how
 * much better they did. */
static void add_provenance(cJSON *o, const sweep_loaded *l,
                           const sweep_selection *sel, const char *version)
{
    const sweep_spec *s = l->spec;
    cJSON *pv = cJSON_AddObjectToObject(o, "provenance");
    char hash[32], date[32];
    snprintf(hash, sizeof hash, "%016llx", s->hash);
    time_t now = time(NULL);
    strftime(date, sizeof date, "%Y-%m-%d", gmtime(&now));
    cJSON_AddStringToObject(pv, "sweep", s->name);
    cJSON_AddStringToObject(pv, "spec_hash_fnv1a64", hash);
    cJSON *pr = cJSON_AddArrayToObject(pv, "problems");
    for (size_t q = 0; q < s->nproblems; q++)
        append_item(pr, cJSON_CreateString(s->problems[q]));
    cJSON_AddNumberToObject(pv, "budget_evaluations", (double)s->budget);
    cJSON_AddNumberToObject(pv, "replicates", (double)s->replicates);
    cJSON_AddNumberToObject(pv, "sweep_seed", (double)s->seed);
    cJSON_AddNumberToObject(pv, "workers", (double)s->workers);
    cJSON_AddNumberToObject(pv, "design_point", (double)sel->best);
    cJSON_AddNumberToObject(pv, "median_rounds", sel->ps[sel->best].median_rounds);
    add_improvement(pv, sel);
    cJSON_AddStringToObject(pv, "date", date);
    cJSON_AddStringToObject(pv, "gahpo_version", version);
    cJSON_AddNumberToObject(pv, "max_rounds", (double)s->max_rounds);
    add_item(pv, "round_weight", ga_json_number(s->round_weight));
}

cJSON *sweep_tuned_build(const sweep_loaded *l, const sweep_selection *sel,
                         const char *version, ga_error *err)
{
    ga_settings chosen = l->points[sel->best].settings;
    if (sel->ps[sel->best].median_gens > 0)  /* the generations the budget bought */
        chosen.num_iter = (long)sel->ps[sel->best].median_gens;
    ga_json_oom_clear();
    cJSON *o = cJSON_CreateObject();
    cJSON *st = ga_settings_to_json(&chosen);
    int whole = o && st;
    cJSON_DeleteItemFromObject(st, "seed");
    cJSON_DeleteItemFromObject(st, "max_seconds");
    cJSON_DeleteItemFromObject(st, "target");
    cJSON_DeleteItemFromObject(st, "stall_generations");
    add_item(o, "settings", st);
    add_provenance(o, l, sel, version);
    if (!whole || ga_json_oom()) {
        cJSON_Delete(o);
        ga_error_set(err, GA_EFAIL, "out of memory");
        return NULL;
    }
    return o;
}
