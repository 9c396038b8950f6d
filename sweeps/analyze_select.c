/* analyze_select.c - from the tables to a choice: per point, its median
 * rounds and its mean normalised rank across problems; over the
 * (problem, replicate) blocks every surviving point ran, Friedman's test
 * and each point against the reference (Wilcoxon, Holm-corrected); then
 * the selected point and its improvement over the reference with a
 * bootstrap interval. Resamples are seeded from the spec's seed.
 *
 * The statistics (stats.h) give NaN and leave errno ENOMEM when out of
 * memory; each step here clears errno before them and checks it after. */
#include "analyze_int.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

/* GA_EFAIL "out of memory" if a statistic ran out since errno was cleared. */
static int stats_status(ga_error *err)
{
    return errno == ENOMEM ? ga_error_set(err, GA_EFAIL, "out of memory")
                           : GA_OK;
}

/* Median error per (point, problem); median rounds, idle slots and
 * generations per point, and whether it is within the rounds cap. buf has
 * room for every run of a point. */
static void point_medians(const sweep_loaded *l, sweep_selection *sel,
                          double *buf)
{
    const sweep_table *t = &l->table;
    size_t nq = t->nq;
    for (size_t p = 0; p < t->np; p++)
        for (size_t q = 0; q < nq; q++) {
            size_t n = sweep_table_slice(t, t->error, p, q, buf);
            sel->med[p * nq + q] = n ? sweep_quantile(buf, n, 0.5) : NAN;
        }
    const double *cols[3] = { t->rounds, t->idle, t->gens };
    for (size_t p = 0; p < t->np; p++) {
        sweep_point_summary *ps = &sel->ps[p];
        double *out[3] = { &ps->median_rounds, &ps->median_idle,
                           &ps->median_gens };
        for (int c = 0; c < 3; c++) {
            size_t n = 0;
            for (size_t q = 0; q < nq; q++)
                n += sweep_table_slice(t, cols[c], p, q, buf + n);
            if (c == 0)
                ps->runs = n;
            *out[c] = sweep_quantile(buf, n, 0.5);
        }
        ps->eligible = l->spec->max_rounds == 0 ||
                       ps->median_rounds <= (double)l->spec->max_rounds;
    }
}

/* The points that ran every (problem, replicate): all of them, or a race's
 * survivors; only they are tested and can be selected. Their indices into
 * act (the reference always runs: act[0] == 0), and their mean normalised
 * rank across problems (0 best, 1 worst) among themselves. */
static int rank_active(const sweep_table *t, sweep_selection *sel,
                       size_t *act, double *buf, ga_error *err)
{
    size_t np = t->np, nq = t->nq, most = 0, nact = 0;
    sweep_point_summary *ps = sel->ps;
    for (size_t p = 0; p < np; p++)
        most = ps[p].runs > most ? ps[p].runs : most;
    for (size_t p = 0; p < np; p++) {
        ps[p].active = ps[p].runs == most;
        if (ps[p].active)
            act[nact++] = p;
    }
    sel->nact = nact;
    double *rk = malloc(np * sizeof *rk);
    if (!rk)
        return ga_error_set(err, GA_EFAIL, "out of memory");
    for (size_t p = 0; p < np; p++)
        ps[p].mean_rank = ps[p].active ? 0 : NAN;
    for (size_t q = 0; q < nq; q++) {
        for (size_t j = 0; j < nact; j++)
            buf[j] = isnan(sel->med[act[j] * nq + q]) ? INFINITY
                                                       : sel->med[act[j] * nq + q];
        sweep_ranks(buf, nact, rk);
        for (size_t j = 0; j < nact; j++)
            ps[act[j]].mean_rank += (nact > 1 ? (rk[j] - 1) / (double)(nact - 1)
                                              : 0) / (double)nq;
    }
    free(rk);
    return GA_OK;
}

/* The blocks (problem, replicate) every active point ran: log10 errors,
 * blocks[b * nact + j] for active point j; their count. */
static size_t make_blocks(const sweep_table *t, const size_t *act, size_t nact,
                          double *blocks)
{
    size_t nb = 0;
    for (size_t q = 0; q < t->nq; q++)
        for (size_t r = 0; r < t->nr; r++) {
            int full = 1;
            for (size_t j = 0; j < nact && full; j++)
                full = !isnan(t->error[SWEEP_AT(t, act[j], q, r)]);
            if (!full)
                continue;
            for (size_t j = 0; j < nact; j++)
                blocks[nb * nact + j] =
                    log10(fmax(t->error[SWEEP_AT(t, act[j], q, r)], 0) + SWEEP_EPS);
            nb++;
        }
    return nb;
}

/* Each active point against the reference (active point 0) over the
 * blocks: its win rate and Wilcoxon p-value, Holm-corrected over them. */
static int test_against_reference(sweep_selection *sel, const size_t *act,
                                  const double *blocks, size_t np,
                                  ga_error *err)
{
    size_t nact = sel->nact, nb = sel->nb;
    sweep_point_summary *ps = sel->ps;
    double *x = malloc((nb + 1) * sizeof *x), *y = malloc((nb + 1) * sizeof *y);
    double *praw = calloc(np, sizeof *praw), *padj = calloc(np, sizeof *padj);
    int rc = !x || !y || !praw || !padj
                 ? ga_error_set(err, GA_EFAIL, "out of memory") : GA_OK;
    for (size_t p = 0; p < np; p++)
        ps[p].p_raw = ps[p].p_holm = ps[p].wins = NAN;
    for (size_t j = 1; rc == GA_OK && j < nact; j++) {
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
    if (rc == GA_OK && nact > 1)
        sweep_holm(praw, nact - 1, padj);
    for (size_t j = 1; rc == GA_OK && j < nact; j++) {
        ps[act[j]].p_raw = praw[j - 1];
        ps[act[j]].p_holm = padj[j - 1];
    }
    free(x);
    free(y);
    free(praw);
    free(padj);
    return rc;
}

/* The best score among eligible active points (the reference if none is
 * eligible); its index among the active points in *best_j. The score is
 * the mean rank, plus round_weight x median rounds relative to the most
 * any active point needs (rounds are wall-clock on a cluster). */
static void choose(const sweep_spec *s, sweep_selection *sel, const size_t *act,
                   size_t np, size_t *best_j)
{
    sweep_point_summary *ps = sel->ps;
    double most_rounds = 0;
    for (size_t j = 0; j < sel->nact; j++)
        most_rounds = fmax(most_rounds, ps[act[j]].median_rounds);
    for (size_t p = 0; p < np; p++)
        ps[p].score = ps[p].mean_rank +
                      (s->round_weight > 0 && most_rounds > 0
                           ? s->round_weight * ps[p].median_rounds / most_rounds
                           : 0);
    size_t best = 0;
    int found = 0;
    *best_j = 0;
    for (size_t j = 0; j < sel->nact; j++) {
        size_t p = act[j];
        if (ps[p].eligible && (!found || ps[p].score < ps[best].score)) {
            best = p;
            *best_j = j;
            found = 1;
        }
    }
    sel->most_rounds = most_rounds;
    sel->best = best;
}

/* Improvement of the selection over the reference, per block: the ratio
 * of errors (reference / selected) and a bootstrap interval of its median.
 * x has room for the blocks. */
static void improvement(const sweep_spec *s, sweep_selection *sel,
                        const double *blocks, size_t best_j, double *x)
{
    size_t nb = sel->nb, nact = sel->nact;
    sel->ratio_med = sel->ratio_lo = sel->ratio_hi = NAN;
    if (nb == 0)
        return;
    for (size_t b = 0; b < nb; b++)
        x[b] = pow(10, blocks[b * nact] - blocks[b * nact + best_j]);
    sel->ratio_med = sweep_quantile(x, nb, 0.5);
    sweep_bootstrap_median(x, nb, s->seed + 104729, 2000, 0.95, &sel->ratio_lo,
                           &sel->ratio_hi);
}

/* Sort key of a point in the report: raced-out points last. */
static double rank_key(const sweep_point_summary *p)
{
    return isnan(p->mean_rank) ? INFINITY : p->mean_rank;
}

/* Points by mean rank (insertion sort: ties keep their order). */
static void sort_by_rank(sweep_selection *sel, size_t np)
{
    const sweep_point_summary *ps = sel->ps;
    size_t *order = sel->order;
    for (size_t p = 0; p < np; p++)
        order[p] = p;
    for (size_t i = 1; i < np; i++)
        for (size_t j = i; j > 0 && rank_key(&ps[order[j]]) < rank_key(&ps[order[j - 1]]);
             j--) {
            size_t tmp = order[j];
            order[j] = order[j - 1];
            order[j - 1] = tmp;
        }
}

int sweep_select(const sweep_loaded *l, sweep_selection *sel, ga_error *err)
{
    const sweep_table *t = &l->table;
    size_t np = t->np, nq = t->nq, nr = t->nr;
    memset(sel, 0, sizeof *sel);
    sel->med = malloc(np * nq * sizeof *sel->med);
    sel->ps = calloc(np, sizeof *sel->ps);
    sel->order = malloc(np * sizeof *sel->order);
    size_t *act = malloc(np * sizeof *act);
    double *buf = malloc((nr * nq + np + 8) * sizeof *buf);
    double *blocks = malloc((nq * nr + 1) * np * sizeof *blocks);
    int rc = GA_OK;
    if (!sel->med || !sel->ps || !sel->order || !act || !buf || !blocks)
        rc = ga_error_set(err, GA_EFAIL, "out of memory");
    errno = 0;
    if (rc == GA_OK) {
        point_medians(l, sel, buf);
        rc = rank_active(t, sel, act, buf, err);
    }
    if (rc == GA_OK) {
        sel->nb = make_blocks(t, act, sel->nact, blocks);
        sel->fstat = sel->fp = NAN;
        if (sel->nb > 1 && sel->nact > 1)
            sel->fp = sweep_friedman(blocks, sel->nb, sel->nact, &sel->fstat,
                                     NULL);
        rc = test_against_reference(sel, act, blocks, np, err);
    }
    if (rc == GA_OK && (rc = stats_status(err)) == GA_OK) {
        size_t best_j;
        choose(l->spec, sel, act, np, &best_j);
        /* buf holds at least the blocks: nb <= nq x nr */
        improvement(l->spec, sel, blocks, best_j, buf);
        rc = stats_status(err);
        sort_by_rank(sel, np);
    }
    free(act);
    free(buf);
    free(blocks);
    return rc;
}

void sweep_selection_free(sweep_selection *sel)
{
    free(sel->med);
    free(sel->ps);
    free(sel->order);
    memset(sel, 0, sizeof *sel);
}
