/* study.h - a study: a sweep's design, its runs, its analysis and its
 * held-out validation, in that order. The one pipeline `gahpo sweep` and
 * `gahpo tune` (a study per budget class) both run. */
#ifndef SWEEP_STUDY_H
#define SWEEP_STUDY_H

#include "analyze.h"
#include "sweep.h"

typedef struct sweep_study {
    sweep_spec *spec;        /* owned */
    sweep_point *points;     /* the design, the reference first */
    size_t npoints;
    char *report;            /* the design's own report ("" none) */
    size_t selected;         /* after sweep_study_run: the chosen point */
} sweep_study;

/* A study of spec (taken: freed with the study, also on failure): its
 * design expanded. GA_OK, or GA_EFAIL out of memory. */
int sweep_study_open(sweep_study *st, sweep_spec *spec, ga_error *err);
void sweep_study_free(sweep_study *st);

typedef struct sweep_study_opts {
    const char *dir;         /* the study's output directory */
    int threads;             /* OpenMP threads; <= 0 the default */
    int resume;              /* continue the runs a journal holds */
    volatile int *cancel;    /* set by a signal: the runs stop */
    sweep_progress_fn progress;
    void *progress_ctx;
    /* the runs, when not all of them here (NULL: sweep_execute): e.g. as
     * chunks on a cluster */
    int (*execute)(void *ctx, const sweep_study *st, ga_error *err);
    void *execute_ctx;
    sweep_analysis analysis;  /* how to analyse (its out-members unused) */
    /* after the analysis, before the validation (NULL: nothing): e.g. the
     * figures drawn from its data */
    void (*analysed)(void *ctx, const char *dir);
    void *analysed_ctx;
} sweep_study_opts;

/* Run the study: its runs (o->execute, or all here), the analysis of dir
 * (summary, report, tuned defaults when o->analysis.write_files), then
 * o->analysed, then the held-out validation when the spec has validation
 * problems. st->selected is the analysis' choice. GA_OK, or the first
 * error. */
int sweep_study_run(sweep_study *st, const sweep_study_opts *o, ga_error *err);

#endif
