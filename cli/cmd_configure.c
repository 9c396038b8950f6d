/* cmd_configure.c - `gahpo configure SPEC`: iterated racing over the GA's
 * parameters (sweeps/configure.h), the choice printed and written to
 * DIR/configure.json. */
#include "commands.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../ga/rundir.h"
#include "../ga/util.h"
#include "../sweeps/configure.h"
#include "../sweeps/evaluate.h"
#include "../sweeps/tune.h"
#include "cmd_util.h"

static const char *configure_usage =
    "usage: gahpo configure SPEC [--out DIR] [--threads N] [--quiet]\n"
    "                       [--compare LABEL=SETTINGS.json ...]";

static volatile sig_atomic_t configure_interrupted;

static void on_signal(int sig)
{
    (void)sig;
    configure_interrupted = 1;
}

#define MAX_COMPARE 8

typedef struct configure_args {
    const char *spec, *out;
    long threads;
    int quiet;
    const char *compare[MAX_COMPARE];  /* LABEL=FILE: also on the test set */
    int ncompare;
} configure_args;

static int usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "gahpo configure: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s\n", configure_usage);
    return 2;
}

static int parse_args(int argc, char **argv, configure_args *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--quiet"))
            a->quiet = 1;
        else if (!strcmp(argv[i], "--compare") && i + 1 < argc) {
            const char *eq = strchr(argv[++i], '=');
            if (!eq || eq == argv[i] || !eq[1] || a->ncompare >= MAX_COMPARE)
                return usage("--compare takes LABEL=SETTINGS.json (at most 8), "
                             "got '%s'", argv[i]);
            a->compare[a->ncompare++] = argv[i];
        }
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
            if (ga_parse_long(argv[++i], &a->threads) != 0 || a->threads < 1)
                return usage("--threads must be an integer >= 1, got '%s'",
                             argv[i]);
        } else if (!strcmp(argv[i], "--out") && i + 1 < argc)
            a->out = argv[++i];
        else if (argv[i][0] != '-' && !a->spec)
            a->spec = argv[i];
        else
            return usage("unexpected argument '%s'", argv[i]);
    }
    if (!a->spec)
        return usage("%s", "give a spec (a sweep spec with ranges under "
                     "\"parameters\" and optionally \"configure\"; "
                     "docs/SWEEPS.md)");
    return 0;
}

/* The test-set evidence into DIR/configure.json, under "test" (taken). */
static int add_evidence(const char *out, const sweep_spec *s, cJSON *evidence,
                        ga_error *err)
{
    char path[GA_PATH_MAX];
    if (ga_path(path, sizeof path, err, "%s/configure.json", out)) {
        cJSON_Delete(evidence);
        return err->status;
    }
    char *text = ga_read_file(path, NULL, err);
    cJSON *o = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!o) {
        cJSON_Delete(evidence);
        return ga_error_set(err, GA_EFAIL, "%s: cannot read it back", path);
    }
    cJSON *t = cJSON_AddObjectToObject(o, "test");
    cJSON *probs = cJSON_AddArrayToObject(t, "problems");
    for (size_t q = 0; q < s->nvalidation; q++)
        cJSON_AddItemToArray(probs, cJSON_CreateString(s->validation[q]));
    cJSON_AddNumberToObject(t, "replicates", (double)s->test_replicates);
    cJSON_AddItemToObject(t, "cells", evidence);
    int rc = ga_write_json_atomic(path, o, err);
    cJSON_Delete(o);
    return rc;
}

static void progress(void *ctx, long done, long total, double seconds)
{
    (void)ctx;
    if (done == total)
        fprintf(stderr, "configure: race of %ld runs done in %.1f s\n", total,
                seconds);
}

/* The settings of a --compare LABEL=FILE as the spec's factor values:
 * the spec's base, then the file. */
static int compare_values(const sweep_spec *s, const char *arg, char **label,
                          char **vals, ga_error *err)
{
    const char *eq = strchr(arg, '=');
    *label = strndup(arg, (size_t)(eq - arg));
    ga_settings st = s->base;
    if (!*label)
        return ga_error_set(err, GA_EFAIL, "out of memory");
    if (ga_settings_load(&st, eq + 1, err) != GA_OK)
        return GA_EINPUT;
    return sweep_setting_values(s, &st, vals, err);
}

/* The chosen settings and the --compare ones against CANDLE's defaults on
 * the spec's test problems (DIR/test/), the evidence into
 * DIR/configure.json. */
static int test_evaluation(const configure_args *a, const sweep_spec *s,
                           const char *out, const sweep_configured *c,
                           ga_error *err)
{
    size_t first = c ? 1 : 0, nf = s->nfactors;
    size_t n = first + (size_t)a->ncompare;
    char *labels[MAX_COMPARE + 1] = { "tuned" };
    char **vals = calloc(n * nf + 1, sizeof *vals);
    int rc = vals ? GA_OK : ga_error_set(err, GA_EFAIL, "out of memory");
    for (size_t k = 0; rc == GA_OK && c && k < nf; k++)
        if (!(vals[k] = strdup(c->values[k])))
            rc = ga_error_set(err, GA_EFAIL, "out of memory");
    for (int i = 0; rc == GA_OK && i < a->ncompare; i++)
        rc = compare_values(s, a->compare[i], &labels[first + (size_t)i],
                            vals + (first + (size_t)i) * nf, err);
    char dir[GA_PATH_MAX];
    sweep_eval_cell *cells = NULL;
    size_t ncells = 0;
    cJSON *evidence = NULL;
    if (rc == GA_OK && !ga_path(dir, sizeof dir, err, c ? "%s/test" : "%s",
                                out))
        rc = sweep_evaluate(s, labels, vals, n, s->test_replicates, dir,
                            (int)a->threads, &configure_interrupted, &cells,
                            &ncells, &evidence, err);
    else if (rc == GA_OK)
        rc = err->status;
    if (rc == GA_OK && c)
        rc = add_evidence(out, s, evidence, err);
    else
        cJSON_Delete(evidence);
    for (size_t i = 0; rc == GA_OK && !a->quiet && i < ncells; i++)
        printf("test: %-8s at %5ld %s: CANDLE/%s error ratio %.3g "
               "(95%% CI %.3g to %.3g) over %zu problems, A12 %.2f, p %.2g "
               "(Holm %.2g)\n", labels[cells[i].setting], cells[i].evaluations,
               cells[i].wallclock ? "evaluations' wall-clock time"
                                  : "evaluations",
               labels[cells[i].setting], cells[i].ratio, cells[i].lo,
               cells[i].hi, cells[i].problems, cells[i].a12, cells[i].p,
               cells[i].p_holm);
    for (size_t i = 0; vals && i < n * nf; i++)
        free(vals[i]);
    free(vals);
    for (int i = 0; i < a->ncompare; i++)
        free(labels[first + (size_t)i]);
    free(cells);
    return rc;
}

int gahpo_cmd_configure(int argc, char **argv)
{
    configure_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc;
    ga_error err;
    ga_error_clear(&err);
    sweep_spec *s = sweep_spec_load(a.spec, &err);
    if (!s) {
        fprintf(stderr, "gahpo: %s\n", err.msg);
        return err.status == GA_EINPUT ? 2 : 1;
    }
    char out[GA_PATH_MAX];
    if (a.out)
        snprintf(out, sizeof out, "%s", a.out);
    else
        snprintf(out, sizeof out, "results/%s", s->name);
    int lock = -1;
    if (ga_mkdirs(out, &err) != GA_OK || (lock = ga_rundir_lock(out, &err)) < 0) {
        fprintf(stderr, "gahpo: %s\n", err.msg);
        sweep_spec_free(s);
        return err.status == GA_EINPUT ? 2 : 1;
    }
    gahpo_on_stop_signals(on_signal);
    sweep_configured c;
    rc = sweep_configure(s, out, (int)a.threads, &configure_interrupted,
                         a.quiet ? NULL : progress, NULL, &c, &err);
    if (rc == GA_OK && s->nvalidation > 0)
        rc = test_evaluation(&a, s, out, &c, &err);
    if (rc == GA_OK && !a.quiet) {
        printf("configure: %ld races, %ld GA runs; chosen (mean rank %.3f in "
               "the last race):\n", c.races, c.runs, c.mean_rank);
        for (size_t k = 0; k < s->nfactors; k++)
            printf("  %-16s %s\n", s->factors[k].name, c.values[k]);
        printf("in %s: configure.json configure.csv race-*/\n", out);
    } else if (rc != GA_OK) {
        fprintf(stderr, "gahpo: %s\n", err.msg);
    }
    sweep_configured_free(&c, s->nfactors);
    ga_rundir_unlock(lock);
    sweep_spec_free(s);
    return rc == GA_OK ? 0 : rc == GA_EINPUT ? 2 : 1;
}

/* gahpo evaluate SPEC --out DIR LABEL=SETTINGS.json ...: settings against
 * CANDLE's defaults on the spec's test problems, without tuning. */
int gahpo_cmd_evaluate(int argc, char **argv)
{
    configure_args a;
    memset(&a, 0, sizeof a);
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--quiet"))
            a.quiet = 1;
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
            if (ga_parse_long(argv[++i], &a.threads) != 0 || a.threads < 1)
                return usage("--threads must be an integer >= 1, got '%s'",
                             argv[i]);
        } else if (!strcmp(argv[i], "--out") && i + 1 < argc)
            a.out = argv[++i];
        else if (strchr(argv[i], '=') && argv[i][0] != '-' &&
                 a.ncompare < MAX_COMPARE && a.spec)
            a.compare[a.ncompare++] = argv[i];
        else if (argv[i][0] != '-' && !a.spec)
            a.spec = argv[i];
        else
            return usage("unexpected argument '%s' (usage: gahpo evaluate SPEC "
                         "--out DIR LABEL=SETTINGS.json ...)", argv[i]);
    }
    if (!a.spec || !a.out || a.ncompare == 0)
        return usage("%s", "usage: gahpo evaluate SPEC --out DIR "
                     "LABEL=SETTINGS.json ... (at most 8)");
    ga_error err;
    ga_error_clear(&err);
    sweep_spec *s = sweep_spec_load(a.spec, &err);
    int rc = s ? GA_OK : err.status;
    int lock = -1;
    if (rc == GA_OK && (ga_mkdirs(a.out, &err) != GA_OK ||
                        (lock = ga_rundir_lock(a.out, &err)) < 0))
        rc = err.status;
    if (rc == GA_OK) {
        gahpo_on_stop_signals(on_signal);
        rc = test_evaluation(&a, s, a.out, NULL, &err);
    }
    if (rc != GA_OK)
        fprintf(stderr, "gahpo: %s\n", err.msg);
    else if (!a.quiet)
        printf("in %s: evaluation.md evaluation.csv problems.csv runs.csv\n",
               a.out);
    ga_rundir_unlock(lock);
    sweep_spec_free(s);
    return rc == GA_OK ? 0 : rc == GA_EINPUT ? 2 : 1;
}

/* gahpo tune SPEC [--out DIR]: the configurator at every (budget, workers)
 * cell of the spec's grid, the choices on the test set, DIR/
 * tuned_defaults.json (sweeps/tune.h). */
int gahpo_cmd_tune(int argc, char **argv)
{
    configure_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc;
    if (a.ncompare)
        return usage("%s", "--compare is for gahpo configure; a tune spec "
                     "names its \"references\"");
    char date[16];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y-%m-%d", &tm);
    sweep_tune_opts o = { a.spec, a.out ? a.out : "results/tuned",
                          (int)a.threads, a.quiet, &configure_interrupted,
                          GAHPO_VERSION, date };
    ga_error err;
    ga_error_clear(&err);
    int lock = -1;
    if (ga_mkdirs(o.out, &err) != GA_OK ||
        (lock = ga_rundir_lock(o.out, &err)) < 0) {
        fprintf(stderr, "gahpo: %s\n", err.msg);
        return err.status == GA_EINPUT ? 2 : 1;
    }
    gahpo_on_stop_signals(on_signal);
    cJSON *result = NULL;
    rc = sweep_tune(&o, &result, &err);
    if (rc == GA_OK && !a.quiet) {
        const cJSON *e;
        cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(result,
                                                               "entries")) {
            const cJSON *t = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(e, "evidence"), "test");
            const cJSON *wc = cJSON_GetObjectItemCaseSensitive(
                t, "at_equal_wallclock");
            printf("budget %5.0f  workers %3.0f  CANDLE/tuned error ratio %.3g",
                   cJSON_GetObjectItemCaseSensitive(e, "budget")->valuedouble,
                   cJSON_GetObjectItemCaseSensitive(e, "workers")->valuedouble,
                   cJSON_GetObjectItemCaseSensitive(t, "ratio")->valuedouble);
            if (wc)
                printf(", at equal wall-clock %.3g",
                       cJSON_GetObjectItemCaseSensitive(wc, "ratio")->valuedouble);
            printf(" (p Holm %.2g)\n",
                   cJSON_GetObjectItemCaseSensitive(t, "p_holm")->valuedouble);
        }
        printf("tuned defaults: %s/tuned_defaults.json (report.md beside it)\n",
               o.out);
    } else if (rc != GA_OK) {
        fprintf(stderr, "gahpo: %s\n", err.msg);
    }
    cJSON_Delete(result);
    ga_rundir_unlock(lock);
    return rc == GA_OK ? 0 : rc == GA_EINPUT ? 2 : 1;
}
