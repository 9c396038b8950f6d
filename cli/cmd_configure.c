/* cmd_configure.c - `gahpo configure SPEC`: iterated racing over the GA's
 * parameters (sweeps/configure.h), the choice printed and written to
 * DIR/configure.json. */
#include "commands.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ga/rundir.h"
#include "../ga/util.h"
#include "../sweeps/configure.h"
#include "cmd_util.h"

static const char *configure_usage =
    "usage: gahpo configure SPEC [--out DIR] [--threads N] [--quiet]";

static volatile sig_atomic_t configure_interrupted;

static void on_signal(int sig)
{
    (void)sig;
    configure_interrupted = 1;
}

typedef struct configure_args {
    const char *spec, *out;
    long threads;
    int quiet;
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
    *a = (configure_args){ NULL, NULL, 0, 0 };
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--quiet"))
            a->quiet = 1;
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

static void progress(void *ctx, long done, long total, double seconds)
{
    (void)ctx;
    if (done == total)
        fprintf(stderr, "configure: race of %ld runs done in %.1f s\n", total,
                seconds);
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
    if (rc == GA_OK && !a.quiet) {
        printf("configure: %ld races, %ld GA runs; chosen (mean rank %.3f in "
               "the last race):\n", c.races, c.runs, c.mean_rank);
        for (size_t k = 0; k < s->nfactors; k++)
            printf("  %-16s %s\n", s->factors[k].name, c.values[k]);
        printf("in %s: configure.json configure.csv race-*/\n", out);
    } else if (rc != GA_OK) {
        fprintf(stderr, "gahpo: %s\n", err.msg);
    }
    if (rc == GA_OK)
        sweep_configured_free(&c, s->nfactors);
    ga_rundir_unlock(lock);
    sweep_spec_free(s);
    return rc == GA_OK ? 0 : rc == GA_EINPUT ? 2 : 1;
}
