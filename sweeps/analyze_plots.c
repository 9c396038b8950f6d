/* analyze_plots.c - the report's figures, as data and a gnuplot script in
 * dir/plots/: heat maps of the mean normalised rank over two factors
 * (averaged over the others), median best-so-far curves and COCO-style
 * ECDFs of targets reached, for the reference and the five best points.
 * The command runs gnuplot on plots.gp when it is installed. */
#include "analyze_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ga/util.h"
#include "stats.h"

/* Index of factor name in the spec, or -1. */
static long factor_index(const sweep_spec *s, const char *name)
{
    for (size_t k = 0; k < s->nfactors; k++)
        if (!strcmp(s->factors[k].name, name))
            return (long)k;
    return -1;
}

/* The mean rank over the points at each pair of levels of fa x fb. */
static void heat_data(ga_strbuf *dat, const sweep_loaded *l,
                      const sweep_selection *sel, long a, long b)
{
    const sweep_factor *fa = &l->spec->factors[a], *fb = &l->spec->factors[b];
    const sweep_point *pts = l->points;
    for (size_t i = 0; i < fa->nlevels; i++) {
        for (size_t j = 0; j < fb->nlevels; j++) {
            double sum = 0;
            int n = 0;
            for (size_t p = 0; p < l->npoints; p++)
                if (!pts[p].reference && !isnan(sel->ps[p].mean_rank) &&
                    !strcmp(pts[p].values[a], fa->levels[i]) &&
                    !strcmp(pts[p].values[b], fb->levels[j])) {
                    sum += sel->ps[p].mean_rank;
                    n++;
                }
            ga_strbuf_printf(dat, "%zu %zu %.6g\n", i, j, n ? sum / n : NAN);
        }
        ga_strbuf_printf(dat, "\n");
    }
}

/* The heat map of factors a x b: its data file, and its part of the
 * script into gp. */
static int heat_map(const char *pdir, const sweep_loaded *l,
                    const sweep_selection *sel, long a, long b, ga_strbuf *gp,
                    ga_error *err)
{
    const sweep_factor *fa = &l->spec->factors[a], *fb = &l->spec->factors[b];
    char path[GA_PATH_MAX];
    ga_strbuf dat = GA_STRBUF_INIT;
    heat_data(&dat, l, sel, a, b);
    int rc = ga_path(path, sizeof path, err, "%s/heat_%s_%s.dat", pdir,
                     fa->name, fb->name);
    if (rc == GA_OK)
        rc = ga_strbuf_write(&dat, path, err);
    ga_strbuf_free(&dat);
    if (rc)
        return rc;
    ga_strbuf_printf(gp, "set output 'heat_%s_%s.png'\nset title 'mean "
                     "normalised rank (0 best), averaged over the other factors'\n"
                     "set xlabel '%s'\nset ylabel '%s'\nset xtics (", fa->name,
                     fb->name, fa->name, fb->name);
    for (size_t i = 0; i < fa->nlevels; i++)
        ga_strbuf_printf(gp, "%s'%s' %zu", i ? ", " : "", fa->levels[i], i);
    ga_strbuf_printf(gp, ")\nset ytics (");
    for (size_t j = 0; j < fb->nlevels; j++)
        ga_strbuf_printf(gp, "%s'%s' %zu", j ? ", " : "", fb->levels[j], j);
    ga_strbuf_printf(gp, ")\nset palette defined (0 'dark-green', 0.5 "
                     "'yellow', 1 'red')\nset cbrange [0:1]\nunset key\n"
                     "plot 'heat_%s_%s.dat' using 1:2:3 with image, '' using "
                     "1:2:(sprintf('%%.2f', $3)) with labels\nset xtics auto\n"
                     "set ytics auto\nset key outside right\n", fa->name,
                     fb->name);
    return GA_OK;
}

/* Point p's median log10 best-so-far at each checkpoint into cur, and the
 * fraction of its (run, target) pairs reached within e evaluations, for e
 * on a log scale up to the budget, into ecdf. v has room for its runs. */
static void curve_data(ga_strbuf *cur, ga_strbuf *ecdf, const sweep_loaded *l,
                       size_t p, double *v)
{
    const sweep_table *t = &l->table;
    size_t nruns = t->nq * t->nr;
    for (size_t c = 0; c < t->nc; c++) {
        size_t n = 0;
        for (size_t i = 0; i < nruns; i++) {
            double x = t->bat[((p * t->nq) * t->nr + i) * t->nc + c];
            if (!isnan(x))
                v[n++] = log10(fmax(x, 0) + SWEEP_EPS);
        }
        ga_strbuf_printf(cur, "%ld %.6g\n", l->spec->checkpoints[c],
                         n ? sweep_quantile(v, n, 0.5) : NAN);
    }
    ga_strbuf_printf(cur, "\n\n");
    for (int g = 0; g <= 40; g++) {
        double e = pow((double)l->spec->budget, g / 40.0);
        size_t reached = 0, total = 0;
        for (size_t i = 0; i < nruns; i++)
            for (size_t tt = 0; tt < t->nt; tt++) {
                long hh = t->hit[((p * t->nq) * t->nr + i) * t->nt + tt];
                if (hh == -2)
                    continue;
                total++;
                reached += hh >= 0 && (double)hh <= e;
            }
        ga_strbuf_printf(ecdf, "%.6g %.6g\n", e,
                         total ? (double)reached / (double)total : NAN);
    }
    ga_strbuf_printf(ecdf, "\n\n");
}

/* curves.dat and ecdf.dat for the points in show. */
static int curves(const char *pdir, const sweep_loaded *l, const size_t *show,
                  size_t nshow, ga_error *err)
{
    ga_strbuf cur = GA_STRBUF_INIT, ecdf = GA_STRBUF_INIT;
    double *v = malloc((l->table.nq * l->table.nr + 1) * sizeof *v);
    if (!v)
        return ga_error_set(err, GA_EFAIL, "out of memory");
    errno = 0;
    for (size_t k = 0; k < nshow; k++)
        curve_data(&cur, &ecdf, l, show[k], v);
    free(v);
    char path[GA_PATH_MAX];
    int rc = errno == ENOMEM ? ga_error_set(err, GA_EFAIL, "out of memory")
                             : GA_OK;
    if (rc == GA_OK)
        rc = ga_path(path, sizeof path, err, "%s/curves.dat", pdir);
    if (rc == GA_OK)
        rc = ga_strbuf_write(&cur, path, err);
    if (rc == GA_OK)
        rc = ga_path(path, sizeof path, err, "%s/ecdf.dat", pdir);
    if (rc == GA_OK)
        rc = ga_strbuf_write(&ecdf, path, err);
    ga_strbuf_free(&cur);
    ga_strbuf_free(&ecdf);
    return rc;
}

/* The script's part for the curves and the ECDFs. */
static void curves_script(ga_strbuf *gp, const size_t *show, size_t nshow)
{
    ga_strbuf_printf(gp, "set output 'curves.png'\nset title 'median "
                     "best-so-far over all runs'\nset xlabel 'evaluations'\n"
                     "set ylabel 'log10(best - f_opt)'\nset logscale x\nplot ");
    for (size_t k = 0; k < nshow; k++)
        ga_strbuf_printf(gp, "%s'curves.dat' index %zu using 1:2 with "
                         "linespoints title 'point %zu%s'", k ? ", " : "", k,
                         show[k], show[k] == 0 ? " (defaults)" : "");
    ga_strbuf_printf(gp, "\nset output 'ecdf.png'\nset title 'targets reached "
                     "(runs x targets)'\nset ylabel 'fraction'\nset yrange "
                     "[0:1]\nplot ");
    for (size_t k = 0; k < nshow; k++)
        ga_strbuf_printf(gp, "%s'ecdf.dat' index %zu using 1:2 with steps "
                         "title 'point %zu%s'", k ? ", " : "", k, show[k],
                         show[k] == 0 ? " (defaults)" : "");
    ga_strbuf_printf(gp, "\n");
}

int sweep_plots_write(const char *dir, const sweep_loaded *l,
                      const sweep_selection *sel, ga_error *err)
{
    char pdir[GA_PATH_MAX], path[GA_PATH_MAX];
    int rc = ga_path(pdir, sizeof pdir, err, "%s/plots", dir);
    if (rc == GA_OK)
        rc = ga_mkdirs(pdir, err);
    if (rc)
        return rc;
    ga_strbuf gp = GA_STRBUF_INIT;
    ga_strbuf_printf(&gp, "# made by gahpo analyze; run: gnuplot plots.gp\n"
                     "set terminal pngcairo size 800,600\nset key outside right\n");
    static const char *const pairs[2][2] = {
        { "cx_prob", "mut_prob" }, { "population_size", "tournsize" }
    };
    const sweep_spec *s = l->spec;
    for (int h = 0; h < 2 && rc == GA_OK; h++) {
        long a = factor_index(s, pairs[h][0]), b = factor_index(s, pairs[h][1]);
        if (a >= 0 && b >= 0 && s->factors[a].nlevels && s->factors[b].nlevels)
            rc = heat_map(pdir, l, sel, a, b, &gp, err);
    }
    /* curves and ECDFs for the reference and the five best */
    size_t show[6], nshow = 0;
    show[nshow++] = 0;
    for (size_t i = 0; i < l->npoints && nshow < 6; i++)
        if (sel->order[i] != 0 && !isnan(sel->ps[sel->order[i]].mean_rank))
            show[nshow++] = sel->order[i];
    if (rc == GA_OK)
        rc = curves(pdir, l, show, nshow, err);
    curves_script(&gp, show, nshow);
    if (rc == GA_OK)
        rc = ga_path(path, sizeof path, err, "%s/plots.gp", pdir);
    if (rc == GA_OK)
        rc = ga_strbuf_write(&gp, path, err);
    ga_strbuf_free(&gp);
    return rc;
}
