/* cmd_fit.c - gahpo fit: load a space and an evaluation log, fit the GP
 * surrogate, cross-validate it, print the report and write MODEL.json. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <omp.h>

#include "../surrogates/cv.h"
#include "../surrogates/log.h"
#include "../surrogates/model.h"
#include "cmd_util.h"
#include "commands.h"
#include "../ga/util.h"

static const char *fit_usage =
    "usage: gahpo fit --space FILE --log FILE --out MODEL.json [--cv K]\n"
    "                 [--seed N] [--objective NAME] [--skip-bad] [--log-output]\n"
    "                 [--restarts N] [--subset N|all] [--threads N]\n"
    "                 [--export-encoded CSV] [--note TEXT] [--quiet]";

/* An argument error of gahpo fit, then its usage: returns 2. */
static int usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gahpo_vusage("gahpo fit: ", fit_usage, fmt, ap);
    va_end(ap);
    return 2;
}

static int failed(const ga_error *err)
{
    fprintf(stderr, "gahpo fit: %s\n", err->msg);
    return err->status == GA_EINPUT ? 2 : 1;
}

typedef struct fit_args {
    const char *space, *log, *out, *objective, *export_csv, *note;
    long cv, restarts, subset, threads;
    unsigned long seed;
    int skip_bad, log_output, quiet;
} fit_args;

/* text as an integer >= min into *out: 0, or 2 after the usage. */
static int parse_count(const char *flag, const char *text, long min, long *out)
{
    if (ga_parse_long(text, out) != 0 || *out < min)
        return usage("%s expects an integer >= %ld, got \"%s\"", flag, min,
                     text);
    return 0;
}

static int parse_args(int argc, char **argv, fit_args *a)
{
    memset(a, 0, sizeof *a);
    a->cv = 5;
    a->seed = 1;
    a->restarts = 5;
    a->subset = 128;
    a->objective = "val_loss";
    for (int i = 0; i < argc; i++) {
        const char *f = argv[i];
        const char **s = !strcmp(f, "--space") ? &a->space
                         : !strcmp(f, "--log") ? &a->log
                         : !strcmp(f, "--out") ? &a->out
                         : !strcmp(f, "--objective") ? &a->objective
                         : !strcmp(f, "--export-encoded") ? &a->export_csv
                         : !strcmp(f, "--note") ? &a->note : NULL;
        long *c = !strcmp(f, "--cv") ? &a->cv
                  : !strcmp(f, "--restarts") ? &a->restarts
                  : !strcmp(f, "--subset") ? &a->subset
                  : !strcmp(f, "--threads") ? &a->threads : NULL;
        if (!strcmp(f, "--skip-bad"))
            a->skip_bad = 1;
        else if (!strcmp(f, "--log-output"))
            a->log_output = 1;
        else if (!strcmp(f, "--quiet"))
            a->quiet = 1;
        else if (s || c || !strcmp(f, "--seed")) {
            if (i + 1 >= argc)
                return usage("%s needs a value", f);
            const char *v = argv[++i];
            long seed;
            if (s)
                *s = v;
            else if (c == &a->subset && !strcmp(v, "all"))
                a->subset = 0;          /* restarts on all points */
            else if (c && parse_count(f, v, !strcmp(f, "--cv") ||
                                      c == &a->subset ? 0 : 1, c))
                return 2;
            else if (!c) {
                if (ga_parse_long(v, &seed) != 0 || seed < 0)
                    return usage("--seed expects an integer >= 0, got \"%s\"", v);
                a->seed = (unsigned long)seed;
            }
        } else
            return usage("unknown option '%s'", f);
    }
    if (!a->space)
        return usage("--space FILE is required");
    if (!a->log)
        return usage("--log FILE is required");
    if (!a->out)
        return usage("--out MODEL.json is required");
    if (a->cv == 1)
        return usage("--cv needs K >= 2 folds (or 0 for none)");
    return 0;
}

static cJSON *metrics_json(const sur_metrics *m)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "n", (double)m->n);
    cJSON_AddItemToObject(o, "r2", ga_json_number(m->r2));
    cJSON_AddItemToObject(o, "rmse", ga_json_number(m->rmse));
    cJSON_AddItemToObject(o, "spearman", ga_json_number(m->spearman));
    cJSON_AddItemToObject(o, "kendall", ga_json_number(m->kendall));
    return o;
}

/* The encoded inputs, objective and CV fold of every point, for side-by-side
 * comparisons (tests/oracles/compare_sklearn.py). */
static int export_encoded(const char *path, const sur_model *m,
                          const size_t *fold_of, ga_error *err)
{
    size_t d = m->enc->dim, cap = 4096 + m->n * (d + 3) * 26, len = 0;
    char *buf = malloc(cap);
    if (!buf)
        return ga_error_set(err, GA_EFAIL, "out of memory");
    for (size_t j = 0; j < d; j++)
        len += (size_t)snprintf(buf + len, cap - len, "\"%s\",", m->enc->names[j]);
    len += (size_t)snprintf(buf + len, cap - len, "y,fold\n");
    for (size_t i = 0; i < m->n && len < cap; i++) {
        char num[40];
        for (size_t j = 0; j < d; j++) {
            ga_format_double(m->x[i * d + j], num, sizeof num);
            len += (size_t)snprintf(buf + len, cap - len, "%s,", num);
        }
        ga_format_double(m->y[i], num, sizeof num);
        len += (size_t)snprintf(buf + len, cap - len, "%s,%ld\n", num,
                                fold_of ? (long)fold_of[i] : -1L);
    }
    int rc = len < cap ? ga_write_file_atomic(path, buf, len, err)
                       : ga_error_set(err, GA_EFAIL, "%s: buffer too small", path);
    free(buf);
    return rc;
}

/* With a log-output model, the CV's out-of-fold predictions against the
 * objective in log scale: 0, or -1 (not a log model, out of memory). */
static int log_metrics(const sur_model *m, const sur_cv *cv, sur_metrics *out)
{
    if (!m->log_y)
        return -1;
    double *ly = malloc(2 * m->n * sizeof *ly);
    if (!ly)
        return -1;
    for (size_t i = 0; i < m->n; i++) {
        ly[i] = log(m->y[i]);
        ly[m->n + i] = log(cv->oof[i]);
    }
    sur_metrics_compute(ly, ly + m->n, m->n, out);
    free(ly);
    return 0;
}

/* The report sections of the model file: source, fit, cv. */
static void record_info(sur_model *m, const fit_args *a, const sur_log *log,
                        const sur_cv *cv, double fit_s, double cv_s)
{
    cJSON *src = cJSON_AddObjectToObject(m->info, "source");
    cJSON_AddStringToObject(src, "log", a->log);
    cJSON_AddStringToObject(src, "objective", a->objective);
    cJSON_AddNumberToObject(src, "used", (double)log->n);
    cJSON_AddNumberToObject(src, "failed", (double)log->nfailed);
    cJSON_AddNumberToObject(src, "skipped", (double)log->nskipped);
    if (a->note)
        cJSON_AddStringToObject(src, "note", a->note);
    cJSON *fi = cJSON_AddObjectToObject(m->info, "fit");
    cJSON_AddNumberToObject(fi, "seed", (double)a->seed);
    cJSON_AddNumberToObject(fi, "restarts", (double)a->restarts);
    cJSON_AddNumberToObject(fi, "subset", (double)a->subset);
    cJSON_AddItemToObject(fi, "seconds", ga_json_number(fit_s));
    if (!cv)
        return;
    cJSON *c = metrics_json(&cv->all);
    cJSON_AddNumberToObject(c, "k", (double)cv->k);
    cJSON_AddNumberToObject(c, "seed", (double)a->seed);
    cJSON_AddBoolToObject(c, "trustworthy", cv->all.spearman >= 0.5);
    cJSON_AddItemToObject(c, "seconds", ga_json_number(cv_s));
    cJSON *folds = cJSON_AddArrayToObject(c, "folds");
    for (size_t f = 0; f < cv->k; f++)
        cJSON_AddItemToArray(folds, metrics_json(&cv->folds[f]));
    sur_metrics lm;
    if (log_metrics(m, cv, &lm) == 0) {
        cJSON *l = metrics_json(&lm);
        cJSON_AddStringToObject(l, "note", "the same out-of-fold predictions "
                                "compared in log(objective), the scale the GP "
                                "models");
        cJSON_AddItemToObject(c, "log_scale", l);
    }
    cJSON_AddItemToObject(m->info, "cv", c);
}

static void print_report(const sur_model *m, const sur_cv *cv, double fit_s,
                         double cv_s, const fit_args *a)
{
    size_t d = m->enc->dim;
    double *ls = malloc(d * sizeof *ls);
    printf("fit: %zu points, %zu inputs from %zu parameters, %ld restarts, "
           "seed %lu: %.2f s, log marginal likelihood %.6g\n", m->n, d,
           m->space->n, a->restarts, a->seed, fit_s,
           sur_gp_fitted_lml(m->gp));
    const double *theta = sur_gp_theta(m->gp);
    double gp_sd = sqrt(exp(theta[d + 1])) * sur_model_output_sd(m);
    if (!isnan(m->repeat_var))
        printf("noise: %zu repeated configurations (%zu points): sd %.6g%s "
               "(the GP's fitted noise sd %.6g); surrogate:NAME:noisy draws "
               "with the repeated points' sd\n", m->repeat_groups,
               m->repeat_points, sqrt(m->repeat_var),
               m->log_y ? " in log(objective)" : "", gp_sd);
    else
        printf("noise: no repeated configurations in the log; the GP's "
               "fitted noise sd %.6g%s is what surrogate:NAME:noisy draws "
               "with\n", gp_sd, m->log_y ? " in log(objective)" : "");
    if (ls) {
        sur_model_length_scales(m, ls);
        printf("length scales (inputs scaled to [0,1]; small = matters):\n");
        for (size_t j = 0; j < d; j++)
            printf("  %-40s %10.4g\n", m->enc->names[j], ls[j]);
        free(ls);
    }
    if (!cv)
        return;
    printf("cross-validation (%zu folds, seed %lu, %.2f s): R^2 %.4f  RMSE "
           "%.6g  Spearman %.4f  Kendall %.4f\n", cv->k, a->seed, cv_s,
           cv->all.r2, cv->all.rmse, cv->all.spearman, cv->all.kendall);
    sur_metrics lm;
    if (log_metrics(m, cv, &lm) == 0)
        printf("  in log(objective), the scale the GP models: R^2 %.4f  RMSE "
               "%.6g (ranks are the same)\n", lm.r2, lm.rmse);
    for (size_t f = 0; f < cv->k; f++)
        printf("  fold %zu (%zu points): R^2 %.4f  RMSE %.6g  Spearman %.4f  "
               "Kendall %.4f\n", f + 1, cv->folds[f].n, cv->folds[f].r2,
               cv->folds[f].rmse, cv->folds[f].spearman, cv->folds[f].kendall);
    if (!(cv->all.spearman >= 0.5))
        printf("WARNING: CV Spearman %.3f is below 0.5: this surrogate is NOT "
               "trustworthy (its ranking of configurations is close to "
               "chance)\n", cv->all.spearman);
}

int gahpo_cmd_fit(int argc, char **argv)
{
    fit_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc;
    ga_error err;
    ga_error_clear(&err);
    char *space_text = ga_read_file(a.space, NULL, &err);
    if (!space_text)
        return failed(&err);
    ga_space *space = ga_space_parse(space_text, a.space, &err);
    sur_log *log = NULL;
    sur_model *m = NULL;
    sur_cv cv;
    memset(&cv, 0, sizeof cv);
    rc = 1;
    if (!space) {
        rc = failed(&err);
        goto done;
    }
    for (size_t i = 0; i < space->nwarnings && !a.quiet; i++)
        fprintf(stderr, "gahpo fit: warning: %s\n", space->warnings[i]);
    log = sur_log_load(space, a.log, a.objective, a.skip_bad, &err);
    if (!log) {
        rc = failed(&err);
        goto done;
    }
    if (!a.quiet) {
        printf("%s: %zu evaluations used, %zu failed (left out)", a.log,
               log->n, log->nfailed);
        if (log->nskipped)
            printf(", %zu bad rows skipped (first: %s)", log->nskipped,
                   log->first_skipped);
        printf("\n");
    }
    if (log->n < 4) {
        ga_error_set(&err, GA_EINPUT, "%s: %zu usable evaluations; a surrogate "
                     "needs at least 4", a.log, log->n);
        rc = failed(&err);
        goto done;
    }
    if (a.cv >= 2 && (size_t)a.cv * 2 > log->n) {
        ga_error_set(&err, GA_EINPUT, "--cv %ld: too many folds for %zu usable "
                     "evaluations", a.cv, log->n);
        rc = failed(&err);
        goto done;
    }
    sur_gp_options opt = sur_gp_options_default();
    opt.seed = a.seed;
    opt.restarts = (size_t)a.restarts;
    opt.subset = (size_t)a.subset;
    opt.threads = (int)a.threads;
    /* --threads bounds OpenBLAS too: its OpenMP build follows OpenMP's
     * thread count (the model does not depend on it) */
    if (a.threads > 0)
        omp_set_num_threads((int)a.threads);
    double t0 = ga_now();
    m = sur_model_fit(space_text, a.space, log, a.log_output, &opt, &err);
    if (!m) {
        rc = failed(&err);
        goto done;
    }
    double fit_s = ga_now() - t0, cv_s = 0;
    if (a.cv >= 2) {
        t0 = ga_now();
        if (sur_cv_run(m->x, m->y, m->n, m->enc->dim, m->log_y, (size_t)a.cv,
                       a.seed, &opt, &cv, &err) != GA_OK) {
            rc = failed(&err);
            goto done;
        }
        cv_s = ga_now() - t0;
    }
    record_info(m, &a, log, a.cv >= 2 ? &cv : NULL, fit_s, cv_s);
    if (!a.quiet)
        print_report(m, a.cv >= 2 ? &cv : NULL, fit_s, cv_s, &a);
    if (a.export_csv && export_encoded(a.export_csv, m, a.cv >= 2 ? cv.fold_of
                                                                  : NULL, &err)) {
        rc = failed(&err);
        goto done;
    }
    if (sur_model_save(m, a.out, &err) != GA_OK) {
        rc = failed(&err);
        goto done;
    }
    if (!a.quiet)
        printf("wrote %s\n", a.out);
    rc = 0;
done:
    sur_cv_free(&cv);
    sur_model_free(m);
    sur_log_free(log);
    ga_space_free(space);
    free(space_text);
    return rc;
}
