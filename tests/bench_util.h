/* bench_util.h - what the BBOB benchmarks (tests/bench_bbob.c and
 * tests/coco/bbob_vs_coco.c) print and time with: a clock in seconds, a
 * rate in k or M, the load average. Header-only: bbob_vs_coco.c is built
 * by scripts/bench_coco.sh outside the Makefile. */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static inline double clock_seconds(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* r per second as "12.34 M" or "567 k", in buf. */
static inline const char *human(double r, char *buf, size_t n)
{
    if (r >= 999.5e3)  /* not "1000 k" */
        snprintf(buf, n, "%.2f M", r / 1e6);
    else
        snprintf(buf, n, "%.0f k", r / 1e3);
    return buf;
}

static inline void print_load(const char *when)
{
    double load[3];
    if (getloadavg(load, 3) == 3)
        printf("load average %s: %.2f %.2f %.2f (1, 5, 15 min; %ld CPUs)\n",
               when, load[0], load[1], load[2], sysconf(_SC_NPROCESSORS_ONLN));
    else
        printf("load average %s: not available\n", when);
}

#endif
