/* analyze_int.h - the three steps of a sweep's analysis, internal to
 * sweeps/ (the public face is analyze.h's sweep_analyze, analyze.c):
 *   load    (analyze_load.c)   spec, design and runs.csv into tables;
 *   select  (analyze_select.c) ranks, tests and the chosen point;
 *   report  (analyze_report.c) summary.csv, report.md, plots/ and the
 *                              tuned-defaults document.
 * Each step fails with GA_EFAIL "out of memory" when an allocation does,
 * and leaves nothing for the caller to free but its own output struct. */
#ifndef SWEEP_ANALYZE_INT_H
#define SWEEP_ANALYZE_INT_H

#include <stddef.h>

#include <cJSON.h>

#include "../ga/error.h"
#include "../ga/strbuf.h"
#include "analyze.h"
#include "sweep.h"

/* Errors are compared as log10(error + SWEEP_EPS): scale-free, and 0 is
 * finite. */
#define SWEEP_EPS 1e-12

/* What runs.csv says, per run (point p, problem q, replicate r). */
typedef struct sweep_table {
    size_t np, nq, nr;            /* points, problems, replicates */
    double *error, *evals, *rounds, *idle, *gens;  /* [p][q][r], NaN missing */
    double *auc;                  /* mean log10 best-so-far over checkpoints */
    double *bat;                  /* [run][checkpoint] best - f_opt */
    size_t nc;
    long *hit;                    /* [p][q][r][t], -1 never; -2 missing */
    size_t nt;
} sweep_table;

/* Index of run (p, q, r) in a table's [p][q][r] arrays. */
#define SWEEP_AT(t, p, q, r) (((p) * (t)->nq + (q)) * (t)->nr + (r))

/* A finished sweep as the analysis reads it. */
typedef struct sweep_loaded {
    sweep_spec *spec;       /* with the analysis' workers and max_rounds */
    sweep_point *points;
    size_t npoints;
    char *design_report;    /* what the design repaired or dropped */
    size_t nruns;           /* rows of runs.csv (fewer than all: a race) */
    sweep_table table;
} sweep_loaded;

/* Read dir's spec.json, expand its design and load runs.csv into
 * l->table, with an's worker count and rounds cap applied to the spec.
 * GA_EINPUT for a runs.csv that is not this sweep's; on any failure l
 * holds what was read (sweep_loaded_free frees it). */
int sweep_load(const char *dir, const sweep_analysis *an, sweep_loaded *l,
               ga_error *err);
void sweep_loaded_free(sweep_loaded *l);

/* The values of v present in the [p][q][*] slice of t into out (room for
 * t->nr); their count. */
size_t sweep_table_slice(const sweep_table *t, const double *v, size_t p,
                         size_t q, double *out);

/* One point across all problems. */
typedef struct sweep_point_summary {
    double mean_rank;     /* mean normalised rank across problems, 0 best */
    double score;         /* selection: mean_rank + round_weight x rounds */
    double median_rounds, median_idle, median_gens;
    double p_raw, p_holm; /* Wilcoxon against the reference */
    double wins;          /* fraction of blocks better than the reference */
    int eligible;         /* satisfies max_rounds */
    int active;           /* ran every (problem, replicate): not raced out */
    size_t runs;
} sweep_point_summary;

/* The statistics and the choice they lead to. */
typedef struct sweep_selection {
    double *med;                /* [p * nq + q] median error, NaN: no runs */
    sweep_point_summary *ps;    /* [p] */
    size_t *order;              /* points by mean rank, raced-out last */
    size_t nact;                /* points that ran everything */
    size_t nb;                  /* (problem, replicate) blocks they all ran */
    double fstat, fp;           /* Friedman over those blocks */
    double most_rounds;         /* the most median rounds of those points */
    size_t best;                /* the selected point */
    double ratio_med, ratio_lo, ratio_hi;  /* error ratio reference /
                                   selected: median over blocks, 95% CI */
} sweep_selection;

/* Rank, test and select on l's table (seeded from the spec: the same
 * every time). sel's arrays are the caller's (sweep_selection_free), also
 * after a failure. */
int sweep_select(const sweep_loaded *l, sweep_selection *sel, ga_error *err);
void sweep_selection_free(sweep_selection *sel);

/* dir/summary.csv: one row per setting x problem. */
int sweep_summary_write(const char *dir, const sweep_loaded *l,
                        const sweep_selection *sel, ga_error *err);

/* report.md's text for the sweep in dir into rep (check rep for out of
 * memory). */
void sweep_report_build(ga_strbuf *rep, const char *dir, const sweep_loaded *l,
                        const sweep_selection *sel);

/* dir/plots/: the figures' data and a gnuplot script (plots.gp). */
int sweep_plots_write(const char *dir, const sweep_loaded *l,
                      const sweep_selection *sel, ga_error *err);

/* The tuned-defaults document of the selection (caller frees); NULL with
 * GA_EFAIL "out of memory" in err when it could not be built whole. */
cJSON *sweep_tuned_build(const sweep_loaded *l, const sweep_selection *sel,
                         const char *version, ga_error *err);

#endif
