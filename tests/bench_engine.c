/* bench_engine.c - the GA's own cost per evaluation and per generation,
 * measured the way scripts/bench_deap.py measures DEAP's: sphere D=10 and
 * D=100, population 100, 200 generations after the initial one, CANDLE's
 * other settings, both strategies, the whole ask/evaluate/tell loop
 * (statistics and hall of fame included). sphere costs a few nanoseconds,
 * so the time is the engine's. Minimum of --repeat runs; one JSON line per
 * case, like bench_deap.py's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ga/engine.h"
#include "../ga/util.h"
#include "../problems/problem.h"

static double run_case(const prob_problem *p, ga_strategy strategy, long pop,
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
    double t0 = ga_now();
    ga_engine *e = ga_engine_alloc(p->space, &s, &err);
    if (!e) {
        fprintf(stderr, "bench: %s\n", err.msg);
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
    double t = ga_now() - t0;
    *evals = ga_engine_evaluations(e);
    ga_engine_free(e);
    free(f);
    return t;
}

int main(int argc, char **argv)
{
    int repeat = 5;
    long gens = 200, pop = 100;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--repeat"))
            repeat = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--generations"))
            gens = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--pop"))
            pop = atol(argv[i + 1]);
    }
    const char *problems[] = { "sphere:d10", "sphere:d100" };
    const ga_strategy strategies[] = { GA_MU_PLUS_LAMBDA, GA_SIMPLE };
    for (int k = 0; k < 2; k++) {
        ga_error err;
        prob_problem *p = prob_lookup(problems[k], &err);
        for (int j = 0; j < 2; j++) {
            double best = 1e300;
            long evals = 0;
            for (int r = 0; r < repeat; r++) {
                double t = run_case(p, strategies[j], pop, gens, &evals);
                if (t < best)
                    best = t;
            }
            printf("{\"impl\": \"gahpo\", \"problem\": \"%s\", \"strategy\": "
                   "\"%s\", \"pop\": %ld, \"generations\": %ld, \"evals\": %ld, "
                   "\"seconds\": %.6f, \"us_per_eval\": %.4f, \"us_per_gen\": "
                   "%.3f}\n", problems[k], ga_strategy_name(strategies[j]), pop,
                   gens, evals, best, best / (double)evals * 1e6,
                   best / (double)gens * 1e6);
            fflush(stdout);
        }
        prob_free(p);
    }
    return 0;
}
