/* cmd_async.c - `gahpo async-experiment`: the generational GA (CANDLE's
 * mu_plus_lambda) against the asynchronous steady-state GA on simulated
 * cluster runs (sweeps/async_sim.h): wall-clock to a target loss and worker
 * utilisation, over seeds, paired by seed. Writes DIR/runs.csv and
 * DIR/report.md. */
#include "commands.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sweeps/async_sim.h"
#include "../sweeps/stats.h"
#include "../ga/settings.h"
#include "../ga/strbuf.h"
#include "../ga/util.h"

static int usage(void)
{
    fprintf(stderr, "usage: gahpo async-experiment [--problem NAME] [--seeds N] "
            "[--workers W] [--budget B] [--median H] [--sigma S] [--target T] "
            "[--out DIR]\n");
    return 2;
}

/* The median of v with +inf allowed (never reached). */
static double median_inf(const double *v, size_t n)
{
    return sweep_quantile(v, n, 0.5);
}

/* What `gahpo async-experiment` was asked. */
typedef struct async_args {
    const char *problem, *out;
    long seeds;
    sim_opts o;
} async_args;

/* The command line into a, over the defaults: 0, or 2 after the usage. */
static int parse_async_args(int argc, char **argv, async_args *a)
{
    *a = (async_args){ "surrogate:deepttc:noisy", "results/async", 31,
                       { 16, 400, 1.0, 1.0, 0.0095, 0 } };
    for (int i = 0; i < argc; i++) {
        if (i + 1 >= argc)
            return usage();
        const char *k = argv[i], *v = argv[++i];
        double x;
        if (!strcmp(k, "--problem"))
            a->problem = v;
        else if (!strcmp(k, "--out"))
            a->out = v;
        else if (ga_parse_double(v, &x) != 0)
            return usage();
        else if (!strcmp(k, "--seeds") && x >= 1)
            a->seeds = (long)x;
        else if (!strcmp(k, "--workers") && x >= 1)
            a->o.workers = (long)x;
        else if (!strcmp(k, "--budget") && x >= 2)
            a->o.budget = (long)x;
        else if (!strcmp(k, "--median") && x > 0)
            a->o.median = x;
        else if (!strcmp(k, "--sigma") && x >= 0)
            a->o.sigma = x;
        else if (!strcmp(k, "--target"))
            a->o.target = x;
        else
            return usage();
    }
    return 0;
}

/* Both GAs on p for seeds 1..a->seeds, in parallel, into g (generational)
 * and r (async): GA_OK, or GA_EFAIL naming a seed that failed. */
static int simulate_seeds(const prob_problem *p, const ga_settings *s,
                          const async_args *a, sim_result *g, sim_result *r,
                          ga_error *err)
{
    int failed = 0;
    char fail_msg[2200] = "";
#pragma omp parallel for schedule(dynamic)
    for (long i = 0; i < a->seeds; i++) {
        sim_opts oi = a->o;
        oi.seed = (unsigned long)(i + 1);
        ga_error e;
        if (sim_generational(p, s, &oi, &g[i], &e) != GA_OK ||
            sim_async(p, s, &oi, &r[i], &e) != GA_OK) {
#pragma omp critical(async_fail)
            {
                failed = 1;
                snprintf(fail_msg, sizeof fail_msg, "seed %ld: %.2000s", i + 1,
                         e.msg);
            }
        }
    }
    if (failed)
        return ga_error_set(err, GA_EFAIL, "%s", fail_msg);
    return GA_OK;
}

/* OUT/runs.csv: a row per seed and mode. */
static int write_runs_csv(const char *out, const sim_result *g,
                          const sim_result *r, size_t n, ga_error *err)
{
    ga_strbuf csv = GA_STRBUF_INIT;
    ga_strbuf_append(&csv, "seed,mode,makespan,time_to_target,utilization,"
                     "best_true,evals\n");
    for (size_t i = 0; i < n; i++)
        for (int m = 0; m < 2; m++) {
            const sim_result *x = m ? &r[i] : &g[i];
            ga_strbuf_printf(&csv, "%zu,%s,%.6g,%.6g,%.6g,%.10g,%ld\n", i + 1,
                             m ? "async" : "mu_plus_lambda", x->makespan,
                             x->time_to_target, x->utilization, x->best_true,
                             x->evals);
        }
    char path[GA_PATH_MAX];
    int rc = ga_path(path, sizeof path, err, "%s/runs.csv", out);
    if (rc == GA_OK)
        rc = ga_strbuf_write(&csv, path, err);
    ga_strbuf_free(&csv);
    return rc;
}

/* What the report says, per mode (0 mu_plus_lambda, 1 async). */
typedef struct async_summary {
    double makespan[2], time_to_target[2], utilization[2], best_true[2];
    size_t reached[2];            /* runs that reached the target */
    double ratio, lo, hi;         /* median time ratio async / generational,
                                     its 95% bootstrap interval */
    double pval;                  /* Wilcoxon signed-rank, paired by seed */
} async_summary;

/* The medians of both modes over the n seeds, and the paired comparison
 * of their times to target. */
static int summarise(const sim_result *g, const sim_result *r, size_t n,
                     async_summary *sum, ga_error *err)
{
    double *v[2][4];
    int lost = 0;
    for (int m = 0; m < 2; m++)
        for (int c = 0; c < 4; c++)
            lost |= !(v[m][c] = malloc((n ? n : 1) * sizeof(double)));
    double *ratio = malloc((n ? n : 1) * sizeof *ratio),
           *x = malloc((n ? n : 1) * sizeof *x),
           *y = malloc((n ? n : 1) * sizeof *y);
    if (lost || !ratio || !x || !y) {
        for (int m = 0; m < 2; m++)
            for (int c = 0; c < 4; c++)
                free(v[m][c]);
        free(ratio);
        free(x);
        free(y);
        return ga_error_set(err, GA_EFAIL, "out of memory");
    }
    sum->reached[0] = sum->reached[1] = 0;
    for (size_t i = 0; i < n; i++)
        for (int m = 0; m < 2; m++) {
            const sim_result *e = m ? &r[i] : &g[i];
            v[m][0][i] = e->makespan;
            v[m][1][i] = e->time_to_target;
            v[m][2][i] = e->utilization;
            v[m][3][i] = e->best_true;
            sum->reached[m] += isfinite(e->time_to_target);
        }
    for (size_t i = 0; i < n; i++) {
        /* a run that never reaches the target counts as its makespan x 2:
         * worse than any that does, for the paired test */
        x[i] = isfinite(r[i].time_to_target) ? r[i].time_to_target : 2 * r[i].makespan;
        y[i] = isfinite(g[i].time_to_target) ? g[i].time_to_target : 2 * g[i].makespan;
        ratio[i] = x[i] / y[i];
    }
    double st;
    sum->pval = sweep_wilcoxon(x, y, n, &st);
    sweep_bootstrap_median(ratio, n, 20261128, 4000, 0.95, &sum->lo, &sum->hi);
    for (int m = 0; m < 2; m++) {
        sum->makespan[m] = median_inf(v[m][0], n);
        sum->time_to_target[m] = median_inf(v[m][1], n);
        sum->utilization[m] = median_inf(v[m][2], n);
        sum->best_true[m] = median_inf(v[m][3], n);
    }
    sum->ratio = sweep_quantile(ratio, n, 0.5);
    for (int m = 0; m < 2; m++)
        for (int c = 0; c < 4; c++)
            free(v[m][c]);
    free(ratio);
    free(x);
    free(y);
    return GA_OK;
}

/* OUT/report.md, also printed: the command, the simulation, the table. */
static int write_report(const async_args *a, const async_summary *sum,
                        size_t n, ga_error *err)
{
    const sim_opts *o = &a->o;
    char rep[8192];
    int rl = snprintf(rep, sizeof rep,
        "# Asynchronous steady-state GA against generational mu_plus_lambda\n\n"
        "Command: `gahpo async-experiment --problem %s --seeds %ld --workers %ld "
        "--budget %ld --median %g --sigma %g --target %g --out %s`. "
        "**Simulated** cluster: no job runs; each job's duration is drawn from "
        "a log-normal with median %g and shape sigma %g (heavy-tailed), seeded "
        "by (seed, job), and its loss from %s (a GP fitted to a synthetic "
        "DeepTTC-like log when the problem is surrogate:deepttc). Both GAs use "
        "CANDLE's settings (population 16, cx 0.2, mut 0.8, tournament 4; "
        "mu_plus_lambda with 8 children per generation), %ld evaluations, %ld "
        "workers. Time to target: when the noiseless value of the best "
        "observed point first reaches %g.\n\n"
        "| | mu_plus_lambda | async |\n|---|---|---|\n"
        "| median makespan | %.3g | %.3g |\n"
        "| median time to target | %.3g | %.3g |\n"
        "| runs reaching the target | %zu of %zu | %zu of %zu |\n"
        "| median worker utilisation | %.0f%% | %.0f%% |\n"
        "| median final loss (noiseless) | %.6g | %.6g |\n\n"
        "Time to target, async / generational, paired by seed: median ratio "
        "%.3g (95%% bootstrap CI %.3g to %.3g); Wilcoxon signed-rank p = %.3g "
        "(a run that never reaches the target counts as twice its makespan).\n",
        a->problem, a->seeds, o->workers, o->budget, o->median, o->sigma,
        o->target, a->out, o->median, o->sigma, a->problem, o->budget,
        o->workers, o->target,
        sum->makespan[0], sum->makespan[1],
        sum->time_to_target[0], sum->time_to_target[1],
        sum->reached[0], n, sum->reached[1], n,
        100 * sum->utilization[0], 100 * sum->utilization[1],
        sum->best_true[0], sum->best_true[1],
        sum->ratio, sum->lo, sum->hi, sum->pval);
    char path[GA_PATH_MAX];
    int rc = ga_path(path, sizeof path, err, "%s/report.md", a->out);
    if (rc == GA_OK)
        rc = ga_write_file_atomic(path, rep, (size_t)rl, err);
    if (rc == GA_OK)
        fputs(rep, stdout);
    return rc;
}

int gahpo_cmd_async_experiment(int argc, char **argv)
{
    async_args a;
    int rc = parse_async_args(argc, argv, &a);
    if (rc)
        return rc;
    ga_error err;
    ga_error_clear(&err);
    prob_problem *p = prob_lookup(a.problem, &err);
    if (!p) {
        fprintf(stderr, "gahpo: %s\n", err.msg);
        return err.status;
    }
    ga_settings s;
    ga_settings_defaults(&s);  /* CANDLE's: pop 16, mu_plus_lambda, ... */
    size_t n = (size_t)a.seeds;
    sim_result *g = calloc(n ? n : 1, sizeof *g), *r = calloc(n ? n : 1, sizeof *r);
    rc = g && r ? simulate_seeds(p, &s, &a, g, r, &err)
                : ga_error_set(&err, GA_EFAIL, "out of memory");
    if (rc == GA_OK)
        rc = ga_mkdirs(a.out, &err);
    if (rc == GA_OK)
        rc = write_runs_csv(a.out, g, r, n, &err);
    if (rc == GA_OK) {
        async_summary sum;
        rc = summarise(g, r, n, &sum, &err);
        if (rc == GA_OK)
            rc = write_report(&a, &sum, n, &err);
    }
    if (rc != GA_OK)
        fprintf(stderr, "gahpo: %s\n", err.msg);
    free(g);
    free(r);
    prob_free(p);
    return rc;
}
