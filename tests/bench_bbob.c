/* bench_bbob.c - gahpo's evaluations per second of each BBOB function at
 * D = 10 and D = 40 (instance 1, one thread, batches through p->eval), by
 * CPU time and by wall time, with the load average. COCO's rates from
 * ../shared/testdata/bbob/README.md are printed beside them as what they
 * are, figures recorded elsewhere on another CPU, with no ratio: a ratio
 * needs COCO measured in the same run (scripts/bench_coco.sh, called by
 * `make bench COCO_DIR=...`; DEVELOPERS.md).
 * Usage: bench_bbob [seconds per function and dimension, default 0.3] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "../problems/bbob.h"
#include "bench_util.h"

/* COCO's coco_evaluate_function, evaluations per CPU-second, instance 1,
 * one thread: the README's "Speed anchor" table, recorded on an Intel Xeon
 * (2 cores, +-30%), not on this machine. */
static const double coco_d10[25] = {
    0, 9.07e6, 855e3, 640e3, 622e3, 4.44e6, 2.27e6, 2.01e6, 5.77e6, 5.43e6,
    743e3, 811e3, 2.43e6, 3.94e6, 2.04e6, 493e3, 207e3, 663e3, 654e3, 2.08e6,
    499e3, 400e3, 1.32e6, 107e3, 1.55e6,
};
static const double coco_d40[25] = {
    0, 2.64e6, 204e3, 138e3, 135e3, 1.14e6, 497e3, 238e3, 1.20e6, 784e3,
    178e3, 184e3, 261e3, 541e3, 407e3, 118e3, 54e3, 154e3, 160e3, 413e3,
    196e3, 143e3, 398e3, 29e3, 202e3,
};

#define BATCH 256
#define REPEATS 3

typedef struct rates {
    double cpu, wall;  /* evaluations per CPU-second and per wall-second */
} rates;

static double median3(double a, double b, double c)
{
    return fmax(fmin(a, b), fmin(fmax(a, b), c));
}

/* Median over REPEATS slices of function fid in dim dimensions, each slice
 * `seconds / REPEATS` of CPU time. */
static rates rate(int fid, size_t dim, double seconds)
{
    ga_error err;
    prob_problem *p = prob_bbob_alloc(fid, dim, 1, &err);
    if (!p) {
        fprintf(stderr, "bench_bbob: %s\n", err.msg);
        exit(1);
    }
    double *x = malloc(BATCH * dim * sizeof *x), f[BATCH], sink = 0;
    if (!x) {
        fprintf(stderr, "bench_bbob: out of memory\n");
        exit(1);
    }
    unsigned long long s = 12345 + (unsigned long long)fid;
    for (size_t i = 0; i < BATCH * dim; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        x[i] = ((double)(s >> 11) / 9007199254740992.0) * 10 - 5;
    }
    p->eval(p, x, BATCH, f, NULL);  /* warm up */
    double cpu[REPEATS], wall[REPEATS];
    for (int r = 0; r < REPEATS; r++) {
        long evals = 0;
        double c0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID), c;
        double w0 = clock_seconds(CLOCK_MONOTONIC);
        do {
            p->eval(p, x, BATCH, f, NULL);
            sink += f[0];
            evals += BATCH;
            c = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
        } while (c - c0 < seconds / REPEATS);
        cpu[r] = (double)evals / (c - c0);
        wall[r] = (double)evals / (clock_seconds(CLOCK_MONOTONIC) - w0);
    }
    if (sink == 1234.5)  /* keep the loop */
        printf(" ");
    free(x);
    prob_free(p);
    return (rates){median3(cpu[0], cpu[1], cpu[2]),
                   median3(wall[0], wall[1], wall[2])};
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 0.3;
    if (!(seconds > 0))
        seconds = 0.3;
    printf("gahpo BBOB bench (command: build/tests/bench_bbob %g): evaluations "
           "per CPU-second and per\nwall-second, instance 1, one thread, "
           "batches of %d, median of %d slices of %g CPU-s.\n", seconds,
           BATCH, REPEATS, seconds / REPEATS);
    printf("COCO: recorded elsewhere (CPU: Intel Xeon, 2 cores, +-30%%; "
           "../shared/testdata/bbob/README.md),\nnot measured in this run and "
           "not comparable, so no ratio; for one, run make bench COCO_DIR=...\n"
           "(scripts/bench_coco.sh, DEVELOPERS.md).\n");
    print_load("at start");
    printf("%3s | %9s %9s %12s | %9s %9s %12s\n", "", "gahpo D10", "D10",
           "COCO D10", "gahpo D40", "D40", "COCO D40");
    printf("%3s | %9s %9s %12s | %9s %9s %12s\n", "f", "/CPU-s", "/wall-s",
           "(elsewhere)", "/CPU-s", "/wall-s", "(elsewhere)");
    double c0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
    double w0 = clock_seconds(CLOCK_MONOTONIC);
    for (int fid = 1; fid <= 24; fid++) {
        rates r10 = rate(fid, 10, seconds), r40 = rate(fid, 40, seconds);
        char a[32], b[32], c[32], d[32], e[32], g[32];
        printf("%3d | %9s %9s %12s | %9s %9s %12s\n", fid,
               human(r10.cpu, a, sizeof a), human(r10.wall, b, sizeof b),
               human(coco_d10[fid], c, sizeof c), human(r40.cpu, d, sizeof d),
               human(r40.wall, e, sizeof e), human(coco_d40[fid], g, sizeof g));
        fflush(stdout);
    }
    double cpu = clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - c0;
    double wall = clock_seconds(CLOCK_MONOTONIC) - w0;
    printf("whole run: %.1f CPU-s in %.1f wall-s (%.0f%% of one CPU)\n", cpu,
           wall, 100 * cpu / wall);
    print_load("at end");
    return 0;
}
