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
#include "../ga/strbuf.h"
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

/* What `gahpo plot-space` was asked. */
typedef struct plot_args {
    const char *space_path, *log_path, *out;
    const char *objective, *params;   /* NULL: val_loss, the first six */
} plot_args;

/* The command line into a: 0, or 2 after the usage. */
static int parse_plot_args(int argc, char **argv, plot_args *a)
{
    *a = (plot_args){ NULL, NULL, NULL, NULL, NULL };
    for (int i = 0; i < argc; i++) {
        if (i + 1 >= argc)
            return usage();
        if (!strcmp(argv[i], "--space"))
            a->space_path = argv[++i];
        else if (!strcmp(argv[i], "--log"))
            a->log_path = argv[++i];
        else if (!strcmp(argv[i], "--out"))
            a->out = argv[++i];
        else if (!strcmp(argv[i], "--objective"))
            a->objective = argv[++i];
        else if (!strcmp(argv[i], "--params"))
            a->params = argv[++i];
        else
            return usage();
    }
    if (!a->space_path || !a->log_path || !a->out)
        return usage();
    return 0;
}

/* The parameters to plot into sel (*k of them): --params, or the first
 * MAX_PLOT_PARAMS that are not constant; at least 2. GA_OK or GA_EINPUT. */
static int choose_params(const plot_args *a, const ga_space *space,
                         size_t sel[MAX_PLOT_PARAMS], size_t *k, ga_error *err)
{
    *k = 0;
    if (a->params) {
        char buf[1024];
        snprintf(buf, sizeof buf, "%s", a->params);
        char *save = NULL;
        for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            long i = ga_space_find(space, t);
            if (i < 0 || *k == MAX_PLOT_PARAMS)
                return ga_error_set(err, GA_EINPUT, i < 0 ? "--params: no "
                                    "parameter '%s' in %s" : "--params: at most 6 "
                                    "parameters (got '%s' too; %s)", t,
                                    a->space_path);
            sel[(*k)++] = (size_t)i;
        }
    } else {
        for (size_t i = 0; i < space->n && *k < MAX_PLOT_PARAMS; i++)
            if (space->params[i].type != GA_CONSTANT)
                sel[(*k)++] = i;
    }
    if (*k < 2)
        return ga_error_set(err, GA_EINPUT, "need at least 2 parameters that vary");
    return GA_OK;
}

/* OUT/space.dat: one row per evaluation, the chosen coordinates then the
 * loss. */
static int write_plot_data(const char *out, const ga_space *space,
                           const sur_log *log, const size_t *sel, size_t k,
                           ga_error *err)
{
    ga_strbuf dat = GA_STRBUF_INIT;
    for (size_t r = 0; r < log->n; r++) {
        for (size_t j = 0; j < k; j++)
            ga_strbuf_printf(&dat, "%.10g ",
                             coord(&space->params[sel[j]],
                                   log->genes[r * log->dim + sel[j]]));
        ga_strbuf_printf(&dat, "%.10g\n", log->y[r]);
    }
    char path[GA_PATH_MAX];
    int rc = ga_path(path, sizeof path, err, "%s/space.dat", out);
    if (rc == GA_OK)
        rc = ga_strbuf_write(&dat, path, err);
    ga_strbuf_free(&dat);
    return rc;
}

/* OUT/plots.gp: a k x k matrix; below the diagonal every pair, on it the
 * loss against the parameter. */
static int write_plot_script(const plot_args *a, const ga_space *space,
                             const size_t *sel, size_t k, ga_error *err)
{
    const char *objective = a->objective ? a->objective : "val_loss";
    /* labels are cut to 255 bytes, so the script's buffer size holds */
    char q1[4200], q2[256];
    ga_strbuf gp = GA_STRBUF_INIT;
    ga_strbuf_printf(&gp, "# made by gahpo plot-space from %s; run: gnuplot plots.gp\n"
        "set terminal pngcairo size %zu,%zu noenhanced font ',8'\n"
        "set output 'space.png'\nset palette defined (0 'dark-green', 0.5 "
        "'yellow', 1 'red')\nunset key\nunset colorbox\n"
        "set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05\n"
        "set multiplot layout %zu,%zu title 'evaluations coloured by %s (green "
        "= low)'\n", gp_text(a->log_path, q1, sizeof q1), 260 * k, 260 * k, k,
        k, gp_text(objective, q2, sizeof q2));
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < k; j++) {
            const ga_param *pi = &space->params[sel[i]], *pj = &space->params[sel[j]];
            if (j > i) {
                ga_strbuf_printf(&gp, "set multiplot next\n");
                continue;
            }
            ga_strbuf_printf(&gp, "set xlabel '%s%s'\n",
                                    pj->log_scale ? "log10 " : "",
                                    gp_text(pj->name, q2, sizeof q2));
            if (i == j)
                ga_strbuf_printf(&gp, "set ylabel '%s'\n"
                    "plot 'space.dat' using %zu:%zu:%zu with points pt 7 ps 0.5 "
                    "palette\n", gp_text(objective, q2, sizeof q2), j + 1, k + 1,
                    k + 1);
            else
                ga_strbuf_printf(&gp, "set ylabel '%s%s'\n"
                    "plot 'space.dat' using %zu:%zu:%zu with points pt 7 ps 0.5 "
                    "palette\n", pi->log_scale ? "log10 " : "",
                    gp_text(pi->name, q2, sizeof q2), j + 1, i + 1, k + 1);
        }
    ga_strbuf_printf(&gp, "unset multiplot\n");
    char path[GA_PATH_MAX];
    int rc = ga_path(path, sizeof path, err, "%s/plots.gp", a->out);
    if (rc == GA_OK)
        rc = ga_strbuf_write(&gp, path, err);
    ga_strbuf_free(&gp);
    return rc;
}

/* The plots of log: the parameters chosen, OUT/space.dat and OUT/plots.gp
 * written, gnuplot run on them when it is installed. */
static int plot_log(const plot_args *a, const ga_space *space,
                    const sur_log *log, ga_error *err)
{
    size_t sel[MAX_PLOT_PARAMS], k = 0;
    if (log->n < 2)
        return ga_error_set(err, GA_EINPUT, "%s: fewer than 2 usable "
                            "evaluations to plot", a->log_path);
    int rc = choose_params(a, space, sel, &k, err);
    if (rc == GA_OK)
        rc = ga_mkdirs(a->out, err);
    if (rc == GA_OK)
        rc = write_plot_data(a->out, space, log, sel, k, err);
    if (rc == GA_OK)
        rc = write_plot_script(a, space, sel, k, err);
    if (rc != GA_OK)
        return rc;
    printf("%zu evaluations (%zu failed, %zu bad rows skipped) of %zu "
           "parameters in %s/space.dat\n", log->n, log->nfailed,
           log->nskipped, k, a->out);
    if (gahpo_gnuplot(a->out, "plots.gp") == 0)
        printf("plot: %s/space.png\n", a->out);
    else
        fprintf(stderr, "gahpo: plot not made (is gnuplot installed? run it "
                "on %s/plots.gp)\n", a->out);
    return GA_OK;
}

int gahpo_cmd_plot_space(int argc, char **argv)
{
    plot_args a;
    int rc = parse_plot_args(argc, argv, &a);
    if (rc)
        return rc;
    ga_error err;
    ga_error_clear(&err);
    ga_space *space = ga_space_load(a.space_path, &err);
    sur_log *log = space ? sur_log_load(space, a.log_path, a.objective, 1, &err)
                         : NULL;
    rc = log ? plot_log(&a, space, log, &err) : err.status;
    if (rc != GA_OK)
        fprintf(stderr, "gahpo: %s\n", err.msg);
    sur_log_free(log);
    ga_space_free(space);
    return rc;
}
