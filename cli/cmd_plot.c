/* cmd_plot.c - `gahpo plot-space`: colour plots of an evaluation log, every
 * pair of hyperparameters as a scatter coloured by the objective (low =
 * good), the way HPO results on a model are read. Writes the data and a
 * gnuplot script, and runs gnuplot (argv, no shell) when it is installed. */
#include "commands.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../surrogates/log.h"
#include "cmd_util.h"
#include "../ga/space.h"
#include "../ga/util.h"

#define MAX_PLOT_PARAMS 6

static int usage(void)
{
    fprintf(stderr, "usage: gahpo plot-space --space FILE --log LOG --out DIR "
            "[--objective KEY] [--params a,b,...]\n");
    return 2;
}

/* text made safe inside a gnuplot single-quoted string (a quote doubled)
 * or a comment (no line breaks): names come from the user's files, and
 * gnuplot scripts can run commands. */
static const char *gp_text(const char *in, char *out, size_t size)
{
    size_t n = 0;
    for (; *in && n + 3 < size; in++) {
        if (*in == '\'')
            out[n++] = '\'';
        out[n++] = (*in == '\n' || *in == '\r') ? ' ' : *in;
    }
    out[n] = '\0';
    return out;
}

/* A gene in plotting coordinates: log10 for log_scale, else the gene. */
static double coord(const ga_param *p, double g)
{
    return p->log_scale ? log10(g) : g;
}

int gahpo_cmd_plot_space(int argc, char **argv)
{
    const char *space_path = NULL, *log_path = NULL, *out = NULL;
    const char *objective = NULL, *params = NULL;
    for (int i = 0; i < argc; i++) {
        if (i + 1 >= argc)
            return usage();
        if (!strcmp(argv[i], "--space"))
            space_path = argv[++i];
        else if (!strcmp(argv[i], "--log"))
            log_path = argv[++i];
        else if (!strcmp(argv[i], "--out"))
            out = argv[++i];
        else if (!strcmp(argv[i], "--objective"))
            objective = argv[++i];
        else if (!strcmp(argv[i], "--params"))
            params = argv[++i];
        else
            return usage();
    }
    if (!space_path || !log_path || !out)
        return usage();
    ga_error err;
    ga_error_clear(&err);
    ga_space *space = ga_space_load(space_path, &err);
    sur_log *log = space ? sur_log_load(space, log_path, objective, 1, &err) : NULL;
    int rc = GA_OK;
    size_t sel[MAX_PLOT_PARAMS], k = 0;
    if (!log) {
        rc = err.status;
        goto done;
    }
    if (log->n < 2) {
        rc = ga_error_set(&err, GA_EINPUT, "%s: fewer than 2 usable evaluations "
                          "to plot", log_path);
        goto done;
    }
    if (params) {
        char buf[1024];
        snprintf(buf, sizeof buf, "%s", params);
        char *save = NULL;
        for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            long i = ga_space_find(space, t);
            if (i < 0 || k == MAX_PLOT_PARAMS) {
                rc = ga_error_set(&err, GA_EINPUT, i < 0 ? "--params: no "
                                  "parameter '%s' in %s" : "--params: at most 6 "
                                  "parameters (got '%s' too; %s)", t, space_path);
                goto done;
            }
            sel[k++] = (size_t)i;
        }
    } else {
        for (size_t i = 0; i < space->n && k < MAX_PLOT_PARAMS; i++)
            if (space->params[i].type != GA_CONSTANT)
                sel[k++] = i;
    }
    if (k < 2) {
        rc = ga_error_set(&err, GA_EINPUT, "need at least 2 parameters that vary");
        goto done;
    }
    if ((rc = ga_mkdirs(out, &err)))
        goto done;
    /* data: one row per evaluation, the chosen coordinates then the loss */
    size_t cap = 64 + log->n * (k + 1) * 26, len = 0;
    char *dat = malloc(cap);
    for (size_t r = 0; r < log->n; r++) {
        for (size_t j = 0; j < k; j++)
            len += (size_t)snprintf(dat + len, cap - len, "%.10g ",
                                    coord(&space->params[sel[j]],
                                          log->genes[r * log->dim + sel[j]]));
        len += (size_t)snprintf(dat + len, cap - len, "%.10g\n", log->y[r]);
    }
    char path[4200];
    snprintf(path, sizeof path, "%s/space.dat", out);
    rc = ga_write_file_atomic(path, dat, len, &err);
    free(dat);
    if (rc)
        goto done;
    /* the script: a k x k matrix; below the diagonal every pair, on it the
     * loss against the parameter */
    /* labels are cut to 255 bytes, so the script's buffer size holds */
    char q1[4200], q2[256];
    cap = 16384 + k * k * 4096;
    len = 0;
    char *gp = malloc(cap);
    len += (size_t)snprintf(gp + len, cap - len,
        "# made by gahpo plot-space from %s; run: gnuplot plots.gp\n"
        "set terminal pngcairo size %zu,%zu noenhanced font ',8'\n"
        "set output 'space.png'\nset palette defined (0 'dark-green', 0.5 "
        "'yellow', 1 'red')\nunset key\nunset colorbox\n"
        "set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05\n"
        "set multiplot layout %zu,%zu title 'evaluations coloured by %s (green "
        "= low)'\n", gp_text(log_path, q1, sizeof q1), 260 * k, 260 * k, k, k,
        gp_text(objective ? objective : "val_loss", q2, sizeof q2));
    for (size_t a = 0; a < k; a++)
        for (size_t b = 0; b < k; b++) {
            const ga_param *pa = &space->params[sel[a]], *pb = &space->params[sel[b]];
            if (b > a) {
                len += (size_t)snprintf(gp + len, cap - len, "set multiplot next\n");
                continue;
            }
            len += (size_t)snprintf(gp + len, cap - len, "set xlabel '%s%s'\n",
                                    pb->log_scale ? "log10 " : "",
                                    gp_text(pb->name, q2, sizeof q2));
            if (a == b)
                len += (size_t)snprintf(gp + len, cap - len, "set ylabel '%s'\n"
                    "plot 'space.dat' using %zu:%zu:%zu with points pt 7 ps 0.5 "
                    "palette\n", gp_text(objective ? objective : "val_loss", q2,
                                           sizeof q2), b + 1, k + 1,
                    k + 1);
            else
                len += (size_t)snprintf(gp + len, cap - len, "set ylabel '%s%s'\n"
                    "plot 'space.dat' using %zu:%zu:%zu with points pt 7 ps 0.5 "
                    "palette\n", pa->log_scale ? "log10 " : "",
                    gp_text(pa->name, q2, sizeof q2), b + 1,
                    a + 1, k + 1);
        }
    len += (size_t)snprintf(gp + len, cap - len, "unset multiplot\n");
    snprintf(path, sizeof path, "%s/plots.gp", out);
    rc = ga_write_file_atomic(path, gp, len, &err);
    free(gp);
    if (rc)
        goto done;
    printf("%zu evaluations (%zu failed, %zu bad rows skipped) of %zu parameters "
           "in %s/space.dat\n", log->n, log->nfailed, log->nskipped, k, out);
    if (gahpo_gnuplot(out, "plots.gp") == 0)
        printf("plot: %s/space.png\n", out);
    else
        fprintf(stderr, "gahpo: plot not made (is gnuplot installed? run it on "
                "%s/plots.gp)\n", out);
done:
    if (rc != GA_OK)
        fprintf(stderr, "gahpo: %s\n", err.msg);
    sur_log_free(log);
    ga_space_free(space);
    return rc;
}
