/* bench_sweep.c - the sweep runner's throughput with 1 and 2 threads on a
 * fixed small sweep (BBOB and classic problems, 8 settings x 4 problems x
 * 12 replicates, 2,000 evaluations per run), and the speed-up. The goal is
 * at least 1.8x on 2 cores. runs.csv must be identical for both. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../ga/util.h"
#include "../sweeps/sweep.h"

static const char *spec_text =
    "{\"name\": \"bench\", \"seed\": 11, \"problems\": [\"bbob:f15:d10:i1\", "
    "\"bbob:f8:d10:i1\", \"rastrigin:d10\", \"ackley:d10\"], \"budget\": 2000,"
    " \"replicates\": 12, \"parameters\": {\"population_size\": [16, 64],"
    " \"strategy\": [\"mu_plus_lambda\", \"simple\"], \"tournsize\": [2, 4]}}";

static double run(const sweep_spec *s, const sweep_point *pts, size_t np,
                  int threads, char **runs_csv)
{
    char dir[] = "/tmp/gahpo-bench-sweep-XXXXXX";
    if (!mkdtemp(dir))
        return -1;
    char out[256], cmd[512];
    snprintf(out, sizeof out, "%s/out", dir);
    ga_error err;
    double t0 = ga_now();
    if (sweep_execute(s, pts, np, out, threads, 0, NULL, NULL, NULL, &err)) {
        fprintf(stderr, "bench_sweep: %s\n", err.msg);
        exit(1);
    }
    double t = ga_now() - t0;
    char path[300];
    snprintf(path, sizeof path, "%s/runs.csv", out);
    *runs_csv = ga_read_file(path, NULL, &err);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_sweep: could not remove %s\n", dir);
    return t;
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
    char *a, *b;
    double t1 = 1e300, t2 = 1e300;
    for (int rep = 0; rep < 2; rep++) {  /* best of 2, the machine is shared */
        double x = run(s, pts, np, 1, &a);
        double y = run(s, pts, np, 2, &b);
        if (x < t1)
            t1 = x;
        if (y < t2)
            t2 = y;
        if (strcmp(a, b) != 0) {
            fprintf(stderr, "bench_sweep: runs.csv differs between 1 and 2 "
                    "threads\n");
            return 1;
        }
        free(a);
        free(b);
    }
    printf("sweep runner (command: make bench; %ld runs of %ld evaluations, "
           "best of 2)\n", runs, s->budget);
    printf("threads  seconds  runs/s   speed-up\n");
    printf("1        %7.3f  %7.1f  1.00x\n", t1, (double)runs / t1);
    printf("2        %7.3f  %7.1f  %.2fx (goal >= 1.8x on 2 cores)\n", t2,
           (double)runs / t2, t1 / t2);
    free(report);
    sweep_points_free(pts, np, s->nfactors);
    sweep_spec_free(s);
    return 0;
}
