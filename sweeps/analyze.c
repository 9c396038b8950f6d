/* analyze.c - from runs.csv to evidence and tuned defaults: load the
 * tables (analyze_load.c), rank, test and select (analyze_select.c), then
 * write summary.csv, the figures' data, report.md and tuned_defaults.json
 * (analyze_report.c, analyze_plots.c).
 *
 * Quality of a run is its final error (true best - f_opt; the raw value
 * where f_opt is unknown). Comparisons across problems use scale-free
 * quantities: ranks within each (problem, replicate) block, and paired
 * differences of log10(error + 1e-12). Every random resample is seeded
 * from the spec's seed, so the report is reproducible. */
#include "analyze.h"

#include <stdio.h>
#include <string.h>

#include "../ga/util.h"
#include "analyze_int.h"

/* The tuned defaults into an->tuned and, with write_files, into
 * dir/tuned_defaults.json. */
static int write_tuned(const char *dir, sweep_analysis *an,
                       const sweep_loaded *l, const sweep_selection *sel,
                       ga_error *err)
{
    cJSON *o = sweep_tuned_build(l, sel, an->version, err);
    if (!o)
        return err->status;
    char path[GA_PATH_MAX];
    int rc = an->write_files ? ga_path(path, sizeof path, err,
                                       "%s/tuned_defaults.json", dir) : GA_OK;
    if (rc == GA_OK && an->write_files)
        rc = ga_write_json_atomic(path, o, err);
    an->tuned = o;
    return rc;
}

int sweep_analyze(const char *dir, sweep_analysis *an, ga_error *err)
{
    sweep_loaded l;
    sweep_selection sel;
    ga_strbuf rep = GA_STRBUF_INIT;
    char path[GA_PATH_MAX];
    an->tuned = NULL;
    memset(&sel, 0, sizeof sel);
    int rc = sweep_load(dir, an, &l, err);
    if (rc == GA_OK)
        rc = sweep_select(&l, &sel, err);
    if (rc == GA_OK && an->write_files)
        rc = sweep_summary_write(dir, &l, &sel, err);
    if (rc == GA_OK) {
        sweep_report_build(&rep, dir, &l, &sel);
        rc = ga_strbuf_check(&rep, err);
    }
    /* the figures first: report.md shows them */
    if (rc == GA_OK && an->write_files)
        rc = sweep_plots_write(dir, &l, &sel, err);
    if (rc == GA_OK && an->write_files)
        rc = ga_path(path, sizeof path, err, "%s/report.md", dir);
    if (rc == GA_OK && an->write_files)
        rc = ga_strbuf_write(&rep, path, err);
    if (rc == GA_OK) {
        if (an->out)
            fputs(ga_strbuf_text(&rep), an->out);
        an->selected = sel.best;
        rc = write_tuned(dir, an, &l, &sel, err);
    }
    ga_strbuf_free(&rep);
    sweep_selection_free(&sel);
    sweep_loaded_free(&l);
    return rc;
}
