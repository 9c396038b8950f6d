/* bbob_vs_coco.c - gahpo's 24 BBOB functions against COCO's own evaluator,
 * both built on this machine and run in one process: evaluations per
 * CPU-second (and per wall-second) of each function, instance 1, one
 * thread, the two sides interleaved, and a bit-for-bit check of their values.
 *
 * Needs COCO's C amalgamation (coco.c, coco.h), so it is not built by the
 * Makefile (whose wildcard is tests/bench_*.c): scripts/bench_coco.sh
 * compiles and runs it, `make bench COCO_DIR=...` calls that script.
 * DEVELOPERS.md says how to get and build COCO.
 *
 * Usage: bbob_vs_coco [--slice SECONDS] [--repeats R] [--dims 10,40] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "coco.h"

#include "../../problems/bbob.h"
#include "../bench_util.h"

#define BATCH 256        /* points per timed call, as tests/bench_bbob.c */
#define N_FAR 32         /* extra identity-check points in [-20, 20]^D */
#define MAX_REPEATS 64
#define MAX_DIMS 6

typedef struct timing {
    double evals, cpu, wall;  /* one slice of one side */
} timing;

typedef struct side_stats {
    double cpu_rate, wall_rate;  /* medians over the repeats, evals/s */
} side_stats;

/* Fills x with n points in [-a, a]^dim from a 64-bit LCG seeded by seed
 * (the generator of tests/bench_bbob.c, so both benches time the same
 * points). */
static void fill_points(double *x, size_t n, size_t dim, double a,
                        unsigned long long seed)
{
    for (size_t i = 0; i < n * dim; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        x[i] = ((double)(seed >> 11) / 9007199254740992.0) * 2 * a - a;
    }
}

static double sink;  /* read once at the end, so no timed loop is dropped */

/* Times gahpo's p->eval on the batch until `slice` CPU-seconds have passed. */
static timing time_gahpo(const prob_problem *p, const double *x, double slice)
{
    double f[BATCH], evals = 0;
    double c0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
    double w0 = clock_seconds(CLOCK_MONOTONIC), c;
    do {
        p->eval(p, x, BATCH, f, NULL);
        sink += f[0];
        evals += BATCH;
        c = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
    } while (c - c0 < slice);
    return (timing){evals, c - c0, clock_seconds(CLOCK_MONOTONIC) - w0};
}

/* Times coco_evaluate_function on the same batch, point by point (COCO has
 * no batch call), until `slice` CPU-seconds have passed. */
static timing time_coco(coco_problem_t *c, const double *x, size_t dim,
                        double slice)
{
    double y, evals = 0;
    double c0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
    double w0 = clock_seconds(CLOCK_MONOTONIC), t;
    do {
        for (size_t i = 0; i < BATCH; i++) {
            coco_evaluate_function(c, x + i * dim, &y);
            sink += y;
        }
        evals += BATCH;
        t = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
    } while (t - c0 < slice);
    return (timing){evals, t - c0, clock_seconds(CLOCK_MONOTONIC) - w0};
}

static int compare_double(const void *a, const void *b)
{
    double u = *(const double *)a, v = *(const double *)b;
    return (u > v) - (u < v);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, compare_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static side_stats summarise(const timing *t, int n)
{
    double cpu[MAX_REPEATS], wall[MAX_REPEATS];
    for (int r = 0; r < n; r++) {
        cpu[r] = t[r].evals / t[r].cpu;
        wall[r] = t[r].evals / t[r].wall;
    }
    return (side_stats){median(cpu, n), median(wall, n)};
}

/* Counts points of x (n of them) where the two evaluators give the same bits;
 * prints the first few that differ. */
static long same_bits(const prob_problem *p, coco_problem_t *c,
                      const double *x, size_t n, long *checked)
{
    long same = 0;
    static int shown;
    for (size_t i = 0; i < n; i++) {
        double a, b;
        p->eval(p, x + i * p->dim, 1, &a, NULL);
        coco_evaluate_function(c, x + i * p->dim, &b);
        if (memcmp(&a, &b, sizeof a) == 0)
            same++;
        else if (shown++ < 10)
            printf("  differs: %s point %zu: gahpo %.17g COCO %.17g\n",
                   p->name, i, a, b);
    }
    *checked += (long)n;
    return same;
}

typedef struct options {
    double slice;
    int repeats;
    size_t dims[MAX_DIMS];
    int n_dims;
} options;

static int parse_dims(const char *s, options *o)
{
    static const size_t coco_dims[] = {2, 3, 5, 10, 20, 40};
    o->n_dims = 0;
    while (*s) {
        char *end;
        long d = strtol(s, &end, 10);
        int known = 0;
        for (size_t k = 0; k < sizeof coco_dims / sizeof *coco_dims; k++)
            known |= d == (long)coco_dims[k];
        if (end == s || !known || o->n_dims == MAX_DIMS)
            return -1;
        o->dims[o->n_dims++] = (size_t)d;
        s = *end == ',' ? end + 1 : end;
        if (*end && *end != ',')
            return -1;
    }
    return o->n_dims ? 0 : -1;
}

static int parse_options(int argc, char **argv, options *o)
{
    *o = (options){.slice = 0.1, .repeats = 5, .dims = {10, 40}, .n_dims = 2};
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--slice") && v)
            o->slice = atof(v);
        else if (!strcmp(argv[i], "--repeats") && v)
            o->repeats = atoi(v);
        else if (!strcmp(argv[i], "--dims") && v) {
            if (parse_dims(v, o)) {
                fprintf(stderr, "bbob_vs_coco: --dims %s: expected a comma "
                        "list of COCO's bbob dimensions (2,3,5,10,20,40)\n", v);
                return -1;
            }
        } else {
            fprintf(stderr, "usage: bbob_vs_coco [--slice SECONDS] "
                    "[--repeats R] [--dims 10,40]\n");
            return -1;
        }
        i++;
    }
    if (!(o->slice > 0 && o->slice <= 10) || o->repeats < 1
        || o->repeats > MAX_REPEATS) {
        fprintf(stderr, "bbob_vs_coco: expected --slice in (0, 10] seconds "
                "and --repeats in 1..%d\n", MAX_REPEATS);
        return -1;
    }
    return 0;
}

/* Totals over the whole run, per side. */
typedef struct totals {
    double cpu[2], wall[2];
    double log_ratio_cpu, log_ratio_wall;
    long same, checked;
} totals;

/* One function at one dimension: identity check, then the interleaved
 * timing (gahpo first in even repeats, COCO first in odd ones), one row. */
static int bench_one(int fid, size_t dim, coco_suite_t *suite,
                     const options *o, totals *tot)
{
    ga_error err;
    prob_problem *p = prob_bbob_alloc(fid, dim, 1, &err);
    coco_problem_t *c = coco_suite_get_problem_by_function_dimension_instance(
        suite, (size_t)fid, dim, 1);
    if (!p || !c) {
        fprintf(stderr, "bbob_vs_coco: f%d D=%zu: %s\n", fid, dim,
                p ? "not in COCO's suite" : err.msg);
        prob_free(p);
        if (c)
            coco_problem_free(c);
        return -1;
    }
    if (strcmp(p->name, coco_problem_get_id(c)) != 0)
        printf("  id differs: gahpo %s COCO %s\n", p->name,
               coco_problem_get_id(c));

    double *x = malloc((BATCH + N_FAR + 1) * dim * sizeof *x);
    if (!x) {
        fprintf(stderr, "bbob_vs_coco: out of memory\n");
        exit(1);
    }
    fill_points(x, BATCH, dim, 5, 12345 + (unsigned long long)fid);
    fill_points(x + BATCH * dim, N_FAR, dim, 20, 777 + (unsigned long long)fid);
    memcpy(x + (BATCH + N_FAR) * dim, p->x_opt, dim * sizeof *x);
    tot->same += same_bits(p, c, x, BATCH + N_FAR + 1, &tot->checked);

    timing g[MAX_REPEATS], k[MAX_REPEATS];
    time_gahpo(p, x, 0.01);  /* warm up both */
    time_coco(c, x, dim, 0.01);
    for (int r = 0; r < o->repeats; r++) {
        if (r % 2 == 0) {
            g[r] = time_gahpo(p, x, o->slice);
            k[r] = time_coco(c, x, dim, o->slice);
        } else {
            k[r] = time_coco(c, x, dim, o->slice);
            g[r] = time_gahpo(p, x, o->slice);
        }
        tot->cpu[0] += g[r].cpu, tot->wall[0] += g[r].wall;
        tot->cpu[1] += k[r].cpu, tot->wall[1] += k[r].wall;
    }
    double pair[MAX_REPEATS];
    for (int r = 0; r < o->repeats; r++)
        pair[r] = (g[r].evals / g[r].cpu) / (k[r].evals / k[r].cpu);
    qsort(pair, (size_t)o->repeats, sizeof *pair, compare_double);
    side_stats gs = summarise(g, o->repeats), ks = summarise(k, o->repeats);
    char a[32], b[32], d[32], e[32];
    printf("%3d | %9s %9s %6.2fx %5.2f-%-5.2f | %9s %9s %6.2fx\n", fid,
           human(gs.cpu_rate, a, sizeof a), human(ks.cpu_rate, b, sizeof b),
           gs.cpu_rate / ks.cpu_rate, pair[0], pair[o->repeats - 1],
           human(gs.wall_rate, d, sizeof d), human(ks.wall_rate, e, sizeof e),
           gs.wall_rate / ks.wall_rate);
    fflush(stdout);
    tot->log_ratio_cpu += log(gs.cpu_rate / ks.cpu_rate);
    tot->log_ratio_wall += log(gs.wall_rate / ks.wall_rate);
    free(x);
    coco_problem_free(c);
    prob_free(p);
    return 0;
}

int main(int argc, char **argv)
{
    options o;
    if (parse_options(argc, argv, &o))
        return 2;
    coco_set_log_level("warning");
    char dims_option[64] = "dimensions: ";
    for (int i = 0; i < o.n_dims; i++)
        snprintf(dims_option + strlen(dims_option),
                 sizeof dims_option - strlen(dims_option), "%s%zu",
                 i ? "," : "", o.dims[i]);
    coco_suite_t *suite = coco_suite("bbob", "instances: 1", dims_option);
    if (!suite) {
        fprintf(stderr, "bbob_vs_coco: COCO's bbob suite could not be built\n");
        return 1;
    }

    printf("BBOB: gahpo (problems/bbob*.c, p->eval on batches of %d) against "
           "COCO %s\n(coco_evaluate_function, one point a call), same "
           "process, same points in [-5,5]^D,\ninstance 1, one thread; %d "
           "repeats of %g CPU-s per side, interleaved (gahpo first in\neven "
           "repeats, COCO first in odd ones); rates are medians over the "
           "repeats.\n", BATCH, coco_version, o.repeats, o.slice);
    print_load("at start");
    double c0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
    double w0 = clock_seconds(CLOCK_MONOTONIC);
    totals all = {0};
    for (int i = 0; i < o.n_dims; i++) {
        size_t dim = o.dims[i];
        totals t = {0};
        printf("\nD=%zu     evaluations per CPU-second           ratio range |"
               " per wall-second\n", dim);
        printf("%3s | %9s %9s %7s %11s | %9s %9s %7s\n", "f", "gahpo", "COCO",
               "ratio", "(repeats)", "gahpo", "COCO", "ratio");
        for (int fid = 1; fid <= 24; fid++)
            if (bench_one(fid, dim, suite, &o, &t))
                return 1;
        printf("geometric mean ratio D=%zu: %.2fx by CPU time, %.2fx by wall "
               "time\n", dim, exp(t.log_ratio_cpu / 24),
               exp(t.log_ratio_wall / 24));
        printf("timed slices D=%zu: gahpo %.1f CPU-s in %.1f wall-s, COCO %.1f "
               "CPU-s in %.1f wall-s\n", dim, t.cpu[0], t.wall[0], t.cpu[1],
               t.wall[1]);
        all.same += t.same, all.checked += t.checked;
        print_load("now");
    }
    double cpu = clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - c0;
    double wall = clock_seconds(CLOCK_MONOTONIC) - w0;
    printf("\nwhole run: %.1f CPU-s in %.1f wall-s (%.0f%% of one CPU: "
           "below 100%% means other work took this CPU)\n", cpu, wall,
           100 * cpu / wall);
    printf("values bit for bit equal: %ld of %ld (each problem: the %d timed "
           "points, %d in [-20,20]^D, x_opt)\n", all.same, all.checked,
           BATCH, N_FAR);
    print_load("at end");
    if (sink == 1234.5)
        printf(" ");
    coco_suite_free(suite);
    return all.same == all.checked ? 0 : 1;
}
