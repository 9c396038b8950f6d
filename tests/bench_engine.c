/* bench_engine.c - the GA's own cost per evaluation and per generation,
 * measured the way scripts/bench_deap.py measures DEAP's: sphere D=10 and
 * D=100, population 100, 200 generations after the initial one, CANDLE's
 * other settings, both strategies, the whole ask/evaluate/tell loop
 * (statistics and hall of fame included). sphere costs a few nanoseconds,
 * so the time is the engine's.
 *
 *   bench_engine [--repeat N] [--generations G] [--pop P]
 *                [--problem NAME] [--strategy NAME]
 *       one JSON line per case: CPU and wall seconds, the minimum of N runs
 *   bench_engine --draws GETS,UNIFORMS,GAUSSIANS [--repeat N]
 *       the draw microbenchmark: that many 32-bit draws (gsl_rng_get),
 *       uniform doubles (gsl_rng_uniform) and unit Gaussians
 *       (gsl_ran_gaussian_ziggurat) from the engine's generator, in a loop
 *       that does nothing else; one JSON line, minimum of N
 *
 * Built a second time with BENCH_COUNT_DRAWS (build/tests/bench_engine_count,
 * linked with --wrap=ga_rng_alloc,--wrap=gsl_ran_gaussian_ziggurat), it runs
 * each case once with a counting generator and prints how many draws of
 * each kind the engine made (the GETS given to --draws exclude those the
 * Gaussians consumed). The timing build has no wrapper in its path. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "../ga/engine.h"
#include "../ga/rng.h"
#include "../ga/util.h"
#include "../problems/problem.h"

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#ifdef BENCH_COUNT_DRAWS
/* Counting: the engine's generator is wrapped in a type that counts its
 * draws, and each Gaussian is counted with the 32-bit draws it used. */
static unsigned long long n_get, n_double, n_gauss, n_get_in_gauss;
static const gsl_rng_type *inner;

static unsigned long count_get(void *st)
{
    n_get++;
    return inner->get(st);
}

static double count_get_double(void *st)
{
    n_double++;
    return inner->get_double(st);
}

static gsl_rng_type counting;

gsl_rng *__real_ga_rng_alloc(unsigned long seed);
gsl_rng *__wrap_ga_rng_alloc(unsigned long seed)
{
    inner = ga_rng_xoshiro256pp;
    counting = *inner;
    counting.name = "counting";
    counting.get = count_get;
    counting.get_double = count_get_double;
    gsl_rng *r = gsl_rng_alloc(&counting);
    if (r)
        gsl_rng_set(r, seed);
    return r;
}

double __real_gsl_ran_gaussian_ziggurat(const gsl_rng *r, double sigma);
double __wrap_gsl_ran_gaussian_ziggurat(const gsl_rng *r, double sigma)
{
    unsigned long long g = n_get, u = n_double;
    double x = __real_gsl_ran_gaussian_ziggurat(r, sigma);
    n_gauss++;
    n_get_in_gauss += n_get - g;
    n_double = u;  /* the ziggurat's rare uniforms are part of its draw */
    return x;
}
#endif

typedef struct timing {
    double cpu, wall;
} timing;

static timing run_case(const prob_problem *p, ga_strategy strategy, long pop,
                       long gens, long *evals)
{
    ga_settings s;
    ga_settings_defaults(&s);
    s.population_size = pop;
    s.num_iter = gens + 1;
    s.strategy = strategy;
    s.seed = 1;
    ga_error err;
    double *f = malloc((size_t)pop * sizeof *f);
    double w0 = ga_now(), c0 = cpu_now();
    ga_engine *e = ga_engine_alloc(p->space, &s, &err);
    if (!e || !f) {
        fprintf(stderr, "bench: %s\n", e ? "out of memory" : err.msg);
        exit(1);
    }
    for (;;) {
        ga_batch b;
        ga_engine_ask(e, &b);
        if (b.count == 0)
            break;
        p->eval(p, b.genes, b.count, f, NULL);
        ga_engine_tell(e, f, &err);
    }
    timing t = { cpu_now() - c0, ga_now() - w0 };
    *evals = ga_engine_evaluations(e);
    ga_engine_free(e);
    free(f);
    return t;
}

/* The draw microbenchmark: the same numbers and kinds of draws as the
 * engine made, from the same generator, summed so none is optimised away. */
static timing run_draws(unsigned long long gets, unsigned long long uniforms,
                        unsigned long long gaussians, double *sink)
{
    gsl_rng *r = ga_rng_alloc(1);
    if (!r) {
        fprintf(stderr, "bench: out of memory\n");
        exit(1);
    }
    double w0 = ga_now(), c0 = cpu_now();
    unsigned long acc = 0;
    double x = 0;
    for (unsigned long long i = 0; i < gets; i++)
        acc += gsl_rng_get(r);
    for (unsigned long long i = 0; i < uniforms; i++)
        x += gsl_rng_uniform(r);
    for (unsigned long long i = 0; i < gaussians; i++)
        x += gsl_ran_gaussian_ziggurat(r, 1.0);
    timing t = { cpu_now() - c0, ga_now() - w0 };
    *sink += x + (double)acc;
    gsl_rng_free(r);
    return t;
}

static void keep_min(timing *best, timing t)
{
    if (t.cpu < best->cpu)
        *best = t;
}

static int draws_main(const char *counts, int repeat)
{
    unsigned long long g, u, n;
    if (sscanf(counts, "%llu,%llu,%llu", &g, &u, &n) != 3) {
        fprintf(stderr, "bench_engine: --draws expects GETS,UNIFORMS,"
                "GAUSSIANS, got '%s'\n", counts);
        return 2;
    }
    double sink = 0;
    timing best = { 1e300, 1e300 };
    for (int r = 0; r < repeat; r++)
        keep_min(&best, run_draws(g, u, n, &sink));
    printf("{\"impl\": \"draws\", \"generator\": \"%s\", \"gets\": %llu, "
           "\"uniforms\": %llu, \"gaussians\": %llu, \"cpu_seconds\": %.6f, "
           "\"seconds\": %.6f, \"sink\": %g}\n",
           ga_rng_xoshiro256pp->name,
           g, u, n, best.cpu, best.wall, sink);
    return 0;
}

int main(int argc, char **argv)
{
    int repeat = 5;
    long gens = 200, pop = 100;
    const char *only_problem = NULL, *only_strategy = NULL, *draws = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--repeat"))
            repeat = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--generations"))
            gens = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--pop"))
            pop = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--problem"))
            only_problem = argv[i + 1];
        else if (!strcmp(argv[i], "--strategy"))
            only_strategy = argv[i + 1];
        else if (!strcmp(argv[i], "--draws"))
            draws = argv[i + 1];
        else {
            fprintf(stderr, "bench_engine: unknown option '%s'\n", argv[i]);
            return 2;
        }
    }
    if (repeat < 1 || gens < 1 || pop < 2) {
        fprintf(stderr, "bench_engine: need --repeat >= 1, --generations >= 1, "
                "--pop >= 2\n");
        return 2;
    }
    if (draws)
        return draws_main(draws, repeat);
    const char *problems[] = { "sphere:d10", "sphere:d100" };
    const ga_strategy strategies[] = { GA_MU_PLUS_LAMBDA, GA_SIMPLE };
    for (int k = 0; k < 2; k++) {
        if (only_problem && strcmp(only_problem, problems[k]))
            continue;
        ga_error err;
        prob_problem *p = prob_lookup(problems[k], &err);
        for (int j = 0; j < 2; j++) {
            const char *sname = ga_strategy_name(strategies[j]);
            if (only_strategy && strcmp(only_strategy, sname))
                continue;
            timing best = { 1e300, 1e300 };
            long evals = 0;
#ifdef BENCH_COUNT_DRAWS
            n_get = n_double = n_gauss = n_get_in_gauss = 0;
            keep_min(&best, run_case(p, strategies[j], pop, gens, &evals));
            printf("{\"impl\": \"count\", \"problem\": \"%s\", \"strategy\": "
                   "\"%s\", \"evals\": %ld, \"gets\": %llu, \"uniforms\": %llu, "
                   "\"gaussians\": %llu, \"gets_in_gaussians\": %llu}\n",
                   problems[k], sname, evals, n_get - n_get_in_gauss, n_double,
                   n_gauss, n_get_in_gauss);
#else
            for (int r = 0; r < repeat; r++)
                keep_min(&best, run_case(p, strategies[j], pop, gens, &evals));
            printf("{\"impl\": \"gahpo\", \"problem\": \"%s\", \"strategy\": "
                   "\"%s\", \"pop\": %ld, \"generations\": %ld, \"evals\": %ld, "
                   "\"cpu_seconds\": %.6f, \"seconds\": %.6f, "
                   "\"us_per_eval\": %.4f, \"us_per_gen\": %.3f}\n",
                   problems[k], sname, pop, gens, evals, best.cpu, best.wall,
                   best.cpu / (double)evals * 1e6,
                   best.cpu / (double)gens * 1e6);
#endif
            fflush(stdout);
        }
        prob_free(p);
    }
    return 0;
}
