/* bench_sweep.c - the sweep runner's throughput with 1 and 2 threads on a
 * fixed small sweep (BBOB and classic problems, 8 settings x 4 problems x
 * 12 replicates, 2,000 evaluations per run), and the speed-up, measured so
 * that a shared machine cannot fake it:
 *   - CPU time per run (process CPU over the sweep / runs), for 1 and 2
 *     threads: work, whatever else the machine runs;
 *   - the parallel fraction f = the runs' own CPU time (timings.csv, each
 *     run's thread CPU) / the whole sweep's CPU time with 1 thread, and
 *     Amdahl's speed-up on 2 cores from it, 1 / ((1 - f) + f / 2);
 *   - wall time and its speed-up, with the load average before and after.
 * The two thread counts alternate, 3 times; runs.csv must be identical for
 * both. The goal is at least 1.8x on 2 cores. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../ga/util.h"
#include "../sweeps/sweep.h"

static const char *spec_text =
    "{\"name\": \"bench\", \"seed\": 11, \"problems\": [\"bbob:f15:d10:i1\", "
    "\"bbob:f8:d10:i1\", \"rastrigin:d10\", \"ackley:d10\"], \"budget\": 2000,"
    " \"replicates\": 12, \"parameters\": {\"population_size\": [16, 64],"
    " \"strategy\": [\"mu_plus_lambda\", \"simple\"], \"tournsize\": [2, 4]}}";

typedef struct measure {
    double wall, cpu, runs_cpu;  /* runs_cpu: sum of timings.csv's CPU */
} measure;

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void loadavg(char *buf, size_t size)
{
    FILE *f = fopen("/proc/loadavg", "r");
    buf[0] = '\0';
    if (f) {
        if (fgets(buf, (int)size, f))
            buf[strcspn(buf, " ")] = '\0';  /* the 1-minute figure */
        fclose(f);
    }
}

/* The sum of the cpu_seconds column of a timings.csv. */
static double runs_cpu(const char *text)
{
    double sum = 0;
    const char *line = strchr(text, '\n');
    while (line && *++line) {
        long run;
        double wall, cpu;
        if (sscanf(line, "%ld,%lf,%lf", &run, &wall, &cpu) == 3)
            sum += cpu;
        line = strchr(line, '\n');
    }
    return sum;
}

static measure run(const sweep_spec *s, const sweep_point *pts, size_t np,
                   int threads, char **runs_csv)
{
    measure m = { -1, -1, -1 };
    char dir[] = "/tmp/gahpo-bench-sweep-XXXXXX";
    if (!mkdtemp(dir))
        return m;
    char out[256], cmd[512];
    snprintf(out, sizeof out, "%s/out", dir);
    ga_error err;
    double t0 = ga_now(), c0 = cpu_now();
    if (sweep_execute(s, pts, np, out, threads, 0, NULL, NULL, NULL, &err)) {
        fprintf(stderr, "bench_sweep: %s\n", err.msg);
        exit(1);
    }
    m.wall = ga_now() - t0;
    m.cpu = cpu_now() - c0;
    char path[300];
    snprintf(path, sizeof path, "%s/runs.csv", out);
    *runs_csv = ga_read_file(path, NULL, &err);
    snprintf(path, sizeof path, "%s/timings.csv", out);
    char *timings = ga_read_file(path, NULL, &err);
    m.runs_cpu = timings ? runs_cpu(timings) : -1;
    free(timings);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_sweep: could not remove %s\n", dir);
    return m;
}

static void keep_min(measure *best, measure m)
{
    if (m.cpu < best->cpu || best->cpu < 0)
        *best = m;
}

int main(void)
{
    ga_error err;
    sweep_spec *s = sweep_spec_parse(spec_text, "bench", &err);
    if (!s) {
        fprintf(stderr, "bench_sweep: %s\n", err.msg);
        return 1;
    }
    sweep_point *pts;
    size_t np;
    char *report;
    sweep_design(s, &pts, &np, &report, &err);
    long runs = (long)np * (long)s->nproblems * s->replicates;
    char *a, *b, load0[32], load1[32];
    measure m1 = { -1, -1, -1 }, m2 = { -1, -1, -1 };
    double wall1 = 1e300, wall2 = 1e300;
    loadavg(load0, sizeof load0);
    for (int rep = 0; rep < 3; rep++) {  /* alternating, minimum of each */
        measure x = run(s, pts, np, 1, &a);
        measure y = run(s, pts, np, 2, &b);
        keep_min(&m1, x);
        keep_min(&m2, y);
        wall1 = x.wall < wall1 ? x.wall : wall1;
        wall2 = y.wall < wall2 ? y.wall : wall2;
        if (strcmp(a, b) != 0) {
            fprintf(stderr, "bench_sweep: runs.csv differs between 1 and 2 "
                    "threads\n");
            return 1;
        }
        free(a);
        free(b);
    }
    loadavg(load1, sizeof load1);
    double f = m1.runs_cpu / m1.cpu;
    printf("sweep runner (command: make bench; %ld runs of %ld evaluations; "
           "1 and 2 threads alternating, minimum of 3; load average %s before, "
           "%s after, on %ld CPUs)\n", runs, s->budget, load0, load1,
           sysconf(_SC_NPROCESSORS_ONLN));
    printf("threads  wall s  CPU s  CPU ms/run  runs/s (wall)  speed-up (wall)\n");
    printf("1        %6.3f  %5.3f  %10.3f  %13.1f  1.00x\n", wall1, m1.cpu,
           m1.cpu / (double)runs * 1e3, (double)runs / wall1);
    printf("2        %6.3f  %5.3f  %10.3f  %13.1f  %.2fx\n", wall2, m2.cpu,
           m2.cpu / (double)runs * 1e3, (double)runs / wall2, wall1 / wall2);
    printf("parallel fraction (runs' own CPU / sweep CPU, 1 thread): %.4f; "
           "Amdahl's speed-up on 2 cores from it: %.2fx (goal >= 1.8x); CPU "
           "per run with 2 threads / with 1: %.2f\n", f,
           1.0 / ((1 - f) + f / 2), m2.cpu / m1.cpu);
    free(report);
    sweep_points_free(pts, np, s->nfactors);
    sweep_spec_free(s);
    return 0;
}
