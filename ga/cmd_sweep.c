/* cmd_sweep.c - `gahpo sweep`: expand a spec, run it in parallel, analyse
 * it; `gahpo analyze`: the statistics of a finished sweep again. */
#include "cmd_sweep.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../sweeps/analyze.h"
#include "../sweeps/sweep.h"
#include "../sweeps/validate.h"
#include "cmd_util.h"
#include "util.h"

static volatile int sweep_interrupted;

static void on_signal(int sig)
{
    (void)sig;
    sweep_interrupted = 1;
}

/* gnuplot plots.gp in DIR/plots, when gnuplot is installed (argv, no
 * shell). Figures are a bonus: their absence is said, never an error. */
static void make_figures(const char *dir, int quiet)
{
    char plots[4200];
    snprintf(plots, sizeof plots, "%s/plots", dir);
    if (gahpo_gnuplot(plots, "plots.gp") != 0) {
        if (!quiet)
            fprintf(stderr, "gahpo: figures not made (is gnuplot installed? "
                    "run it on %s/plots.gp)\n", plots);
    } else if (!quiet) {
        fprintf(stderr, "gahpo: figures in %s/\n", plots);
    }
}

typedef struct bar {
    int tty;
    long last_step;
} bar;

static void progress(void *ctx, long done, long total, double seconds)
{
    bar *b = ctx;
    double rate = seconds > 0 ? (double)done / seconds : 0;
    double eta = rate > 0 ? (double)(total - done) / rate : 0;
    if (b->tty) {
        int width = 30, fill = total ? (int)(width * done / total) : width;
        fprintf(stderr, "\r[%.*s%*s] %ld/%ld runs  %.1f runs/s  ETA %.0f s ",
                fill, "##############################", width - fill, "",
                done, total, rate, eta);
        if (done == total)
            fputc('\n', stderr);
    } else {
        long step = total ? 10 * done / total : 10;  /* every 10% */
        if (step != b->last_step || done == total) {
            fprintf(stderr, "sweep: %ld/%ld runs, %.1f runs/s, ETA %.0f s\n",
                    done, total, rate, eta);
            b->last_step = step;
        }
    }
}

int gahpo_cmd_sweep(int argc, char **argv, const char *version)
{
    const char *spec_path = NULL, *out = NULL;
    long threads = 0;
    int resume = 0, quiet = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--resume"))
            resume = 1;
        else if (!strcmp(argv[i], "--quiet"))
            quiet = 1;
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
            if (ga_parse_long(argv[++i], &threads) != 0 || threads < 1) {
                fprintf(stderr, "gahpo: sweep: --threads must be an integer "
                        ">= 1\n");
                return 2;
            }
        } else if (!strcmp(argv[i], "--out") && i + 1 < argc)
            out = argv[++i];
        else if (argv[i][0] != '-' && !spec_path)
            spec_path = argv[i];
        else {
            fprintf(stderr, "gahpo: sweep: unexpected argument '%s'\nusage: "
                    "gahpo sweep SPEC [--threads N] [--out DIR] [--resume] "
                    "[--quiet]\n", argv[i]);
            return 2;
        }
    }
    if (!spec_path) {
        fprintf(stderr, "gahpo: sweep: give a spec file (see docs/SWEEPS.md)\n");
        return 2;
    }
    ga_error err;
    ga_error_clear(&err);
    sweep_spec *s = sweep_spec_load(spec_path, &err);
    if (!s) {
        fprintf(stderr, "gahpo: %s\n", err.msg);
        return err.status;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", out ? out : "");
    if (!out)
        snprintf(dir, sizeof dir, "results/%s", s->name);
    sweep_point *pts = NULL;
    size_t np = 0;
    char *report = NULL;
    int rc = sweep_design(s, &pts, &np, &report, &err);
    if (rc == GA_OK) {
        long total = (long)np * (long)s->nproblems * s->replicates;
        if (!quiet) {
            fprintf(stderr, "gahpo: sweep %s: %zu settings (1 reference) x %zu "
                    "problems x %ld replicates = %ld runs of %ld evaluations, "
                    "into %s\n", s->name, np, s->nproblems, s->replicates, total,
                    s->budget, dir);
            if (report && report[0])
                fprintf(stderr, "%s", report);
        }
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        bar b = { isatty(2), -1 };
        rc = sweep_execute(s, pts, np, dir, (int)threads, resume,
                           &sweep_interrupted, quiet ? NULL : progress, &b, &err);
        sweep_analysis an = { version, quiet ? NULL : stdout, 1, 0, -1, 0, NULL };
        if (rc == GA_OK)
            rc = sweep_analyze(dir, &an, &err);
        cJSON_Delete(an.tuned);
        size_t selected = an.selected;
        if (rc == GA_OK)
            make_figures(dir, quiet);
        if (rc == GA_OK && s->nvalidation) {
            rc = sweep_validate(s, pts, selected, dir, (int)threads, &err);
            if (rc == GA_OK && !quiet)
                printf("(held-out validation appended to %s/report.md)\n", dir);
        }
    }
    if (rc != GA_OK)
        fprintf(stderr, "gahpo: %s\n", err.msg);
    free(report);
    sweep_points_free(pts, np, s->nfactors);
    sweep_spec_free(s);
    return rc;
}

int gahpo_cmd_analyze(int argc, char **argv, const char *version)
{
    if (argc != 1) {
        fprintf(stderr, "gahpo: usage: gahpo analyze DIR\n");
        return 2;
    }
    ga_error err;
    ga_error_clear(&err);
    sweep_analysis an = { version, stdout, 1, 0, -1, 0, NULL };
    int rc = sweep_analyze(argv[0], &an, &err);
    cJSON_Delete(an.tuned);
    if (rc == GA_OK)
        make_figures(argv[0], 0);
    if (rc != GA_OK)
        fprintf(stderr, "gahpo: %s\n", err.msg);
    return rc;
}

/* The spec with its budget set to b (and its name tagged), as text. */
static char *spec_for_budget(const char *text, long b, ga_error *err)
{
    cJSON *o = cJSON_Parse(text);
    if (!o) {
        ga_error_set(err, GA_EINPUT, "invalid JSON");
        return NULL;
    }
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "name");
    char tagged[256];
    snprintf(tagged, sizeof tagged, "%s-b%ld",
             cJSON_IsString(name) ? name->valuestring : "tune", b);
    cJSON_ReplaceItemInObject(o, "name", cJSON_CreateString(tagged));
    cJSON_DeleteItemFromObject(o, "budgets");
    cJSON_DeleteItemFromObject(o, "budget");
    cJSON_DeleteItemFromObject(o, "checkpoints");  /* the defaults fit any b */
    cJSON_AddNumberToObject(o, "budget", (double)b);
    char *t = cJSON_Print(o);
    cJSON_Delete(o);
    return t;
}

int gahpo_cmd_tune(int argc, char **argv, const char *version)
{
    const char *spec_path = NULL, *out = "results/tuned";
    long threads = 0;
    int quiet = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--quiet"))
            quiet = 1;
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
            if (ga_parse_long(argv[++i], &threads) != 0 || threads < 1) {
                fprintf(stderr, "gahpo: tune: --threads must be an integer >= 1\n");
                return 2;
            }
        } else if (!strcmp(argv[i], "--out") && i + 1 < argc)
            out = argv[++i];
        else if (argv[i][0] != '-' && !spec_path)
            spec_path = argv[i];
        else {
            fprintf(stderr, "gahpo: tune: unexpected argument '%s'\nusage: gahpo "
                    "tune SPEC [--threads N] [--out DIR] [--quiet]\n", argv[i]);
            return 2;
        }
    }
    if (!spec_path) {
        fprintf(stderr, "gahpo: tune: give a tune spec (a sweep spec with "
                "\"budgets\" and \"workers\" lists; see docs/SWEEPS.md)\n");
        return 2;
    }
    ga_error err;
    ga_error_clear(&err);
    char *text = ga_read_file(spec_path, NULL, &err);
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    const cJSON *budgets = cJSON_GetObjectItemCaseSensitive(root, "budgets");
    const cJSON *rf = cJSON_GetObjectItemCaseSensitive(root, "rounds_factor");
    double factor = cJSON_IsNumber(rf) ? rf->valuedouble : 2.0;
    int rc = GA_OK;
    if (!text)
        rc = err.status;
    else if (!root)
        rc = ga_error_set(&err, GA_EINPUT, "%s: invalid JSON", spec_path);
    else if (!cJSON_IsArray(budgets) || cJSON_GetArraySize(budgets) == 0)
        rc = ga_error_set(&err, GA_EINPUT, "%s: a tune spec needs \"budgets\", a "
                          "list of evaluation budgets", spec_path);
    else if (!(factor >= 1))
        rc = ga_error_set(&err, GA_EINPUT, "%s: rounds_factor must be >= 1",
                          spec_path);
    /* check every budget's spec before anything runs */
    const cJSON *b;
    cJSON_ArrayForEach(b, budgets) {
        if (rc)
            break;
        if (!cJSON_IsNumber(b) || b->valuedouble < 1) {
            rc = ga_error_set(&err, GA_EINPUT, "%s: budgets must be integers >= 1",
                              spec_path);
            break;
        }
        char *t = spec_for_budget(text, (long)b->valuedouble, &err);
        sweep_spec *s = t ? sweep_spec_parse(t, spec_path, &err) : NULL;
        if (!s)
            rc = GA_EINPUT;
        sweep_spec_free(s);
        free(t);
    }
    cJSON *result = cJSON_CreateObject();
    cJSON *entries = cJSON_AddArrayToObject(result, "entries");
    cJSON_ArrayForEach(b, budgets) {
        if (rc)
            break;
        long budget = (long)b->valuedouble;
        char *t = spec_for_budget(text, budget, &err);
        sweep_spec *s = sweep_spec_parse(t, spec_path, &err);
        free(t);
        char dir[4200];
        snprintf(dir, sizeof dir, "%s/b%ld", out, budget);
        sweep_point *pts = NULL;
        size_t np = 0;
        char *report = NULL;
        rc = sweep_design(s, &pts, &np, &report, &err);
        bar bb = { isatty(2), -1 };
        if (!quiet)
            fprintf(stderr, "gahpo: tune: budget %ld: %zu settings x %zu problems "
                    "x %ld replicates, into %s\n", budget, np, s->nproblems,
                    s->replicates, dir);
        if (rc == GA_OK)
            rc = sweep_execute(s, pts, np, dir, (int)threads, 1, &sweep_interrupted,
                               quiet ? NULL : progress, &bb, &err);
        sweep_analysis an = { version, NULL, 1, 0, -1, 0, NULL };
        if (rc == GA_OK)
            rc = sweep_analyze(dir, &an, &err);
        cJSON_Delete(an.tuned);
        if (rc == GA_OK && s->nvalidation)
            rc = sweep_validate(s, pts, an.selected, dir, (int)threads, &err);
        /* one selection per worker count, rounds capped at factor x the
         * rounds a full batch per round would need */
        for (size_t w = 0; rc == GA_OK && w < s->nworkers; w++) {
            long W = s->workers_list[w];
            long cap = W == 1 ? 0 : (long)ceil(factor * (double)budget / (double)W);
            sweep_analysis aw = { version, NULL, 0, W, cap, 0, NULL };
            rc = sweep_analyze(dir, &aw, &err);
            if (rc != GA_OK)
                break;
            cJSON *e = cJSON_CreateObject();
            cJSON_AddNumberToObject(e, "budget", (double)budget);
            cJSON_AddNumberToObject(e, "workers", (double)W);
            cJSON_AddItemToObject(e, "settings", cJSON_DetachItemFromObject(
                                                     aw.tuned, "settings"));
            cJSON_AddItemToObject(e, "evidence", cJSON_DetachItemFromObject(
                                                     aw.tuned, "provenance"));
            cJSON_AddItemToArray(entries, e);
            cJSON_Delete(aw.tuned);
            if (!quiet)
                printf("budget %5ld  workers %3ld  -> point %zu\n", budget, W,
                       aw.selected);
        }
        free(report);
        sweep_points_free(pts, np, s->nfactors);
        sweep_spec_free(s);
    }
    if (rc == GA_OK) {
        cJSON *pv = cJSON_AddObjectToObject(result, "provenance");
        cJSON_AddStringToObject(pv, "tune_spec", spec_path);
        cJSON_AddStringToObject(pv, "gahpo_version", version);
        cJSON_AddNumberToObject(pv, "rounds_factor", factor);
        char path[4300];
        snprintf(path, sizeof path, "%s/tuned_defaults.json", out);
        rc = ga_write_json_atomic(path, result, &err);
        if (rc == GA_OK && !quiet)
            printf("tuned defaults: %s\n", path);
    }
    if (rc != GA_OK)
        fprintf(stderr, "gahpo: %s\n", err.msg);
    cJSON_Delete(result);
    cJSON_Delete(root);
    free(text);
    return rc;
}
