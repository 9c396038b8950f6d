/* cmd_sweep.c - `gahpo sweep`: expand a spec, run it in parallel, analyse
 * it; `gahpo analyze`: the statistics of a finished sweep again. */
#include "cmd_sweep.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../sweeps/analyze.h"
#include "../sweeps/sweep.h"
#include "../sweeps/validate.h"
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
    pid_t pid = fork();
    if (pid == 0) {
        if (chdir(plots) != 0)
            _exit(127);
        execlp("gnuplot", "gnuplot", "plots.gp", (char *)NULL);
        _exit(127);
    }
    int status = 0;
    if (pid > 0)
        waitpid(pid, &status, 0);
    if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
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
        size_t selected = 0;
        if (rc == GA_OK)
            rc = sweep_analyze(dir, version, quiet ? NULL : stdout, &selected,
                               &err);
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
    int rc = sweep_analyze(argv[0], version, stdout, NULL, &err);
    if (rc == GA_OK)
        make_figures(argv[0], 0);
    if (rc != GA_OK)
        fprintf(stderr, "gahpo: %s\n", err.msg);
    return rc;
}
