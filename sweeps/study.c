/* study.c - design, runs, analysis and validation of one sweep (study.h). */
#include "study.h"

#include <stdlib.h>
#include <string.h>

#include "validate.h"

int sweep_study_open(sweep_study *st, sweep_spec *spec, ga_error *err)
{
    memset(st, 0, sizeof *st);
    st->spec = spec;
    int rc = sweep_design(spec, &st->points, &st->npoints, &st->report, err);
    if (rc)
        sweep_study_free(st);
    return rc;
}

void sweep_study_free(sweep_study *st)
{
    if (st->spec)
        sweep_points_free(st->points, st->npoints, st->spec->nfactors);
    free(st->report);
    sweep_spec_free(st->spec);
    memset(st, 0, sizeof *st);
}

int sweep_study_run(sweep_study *st, const sweep_study_opts *o, ga_error *err)
{
    int rc = o->execute
        ? o->execute(o->execute_ctx, st, err)
        : sweep_execute(st->spec, st->points, st->npoints, o->dir, o->threads,
                        o->resume, o->cancel, o->progress, o->progress_ctx,
                        err);
    if (rc)
        return rc;
    sweep_analysis an = o->analysis;
    an.tuned = NULL;
    rc = sweep_analyze(o->dir, &an, err);
    cJSON_Delete(an.tuned);
    if (rc)
        return rc;
    st->selected = an.selected;
    if (o->analysed)
        o->analysed(o->analysed_ctx, o->dir);
    if (st->spec->nvalidation)
        rc = sweep_validate(st->spec, st->points, st->selected, o->dir,
                            o->threads, err);
    return rc;
}
