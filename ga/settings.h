/* settings.h - the GA's own parameters, under CANDLE's names.
 *
 * Sources, lowest precedence first: built-in CANDLE defaults, tuned
 * defaults, a settings file, CANDLE environment variables, the command
 * line. Each source is applied on top of the last; ga_settings_validate
 * checks the result as a whole. */
#ifndef GA_SETTINGS_H
#define GA_SETTINGS_H

#include <cJSON.h>

#include "error.h"

/* The range of each setting. ga_settings_set refuses a value outside it,
 * and ga_settings_validate a struct holding one, with a message naming the
 * setting and its range. The limits keep every count a well-defined long,
 * every allocation and every loop sane (a tournament of 1e12 would never
 * end); CANDLE's workflows stay far below them. */
#define GA_SETTINGS_MAX_NUM_ITER 10000000L     /* generations: num_iter in
                                                  [1, 1e7] */
#define GA_SETTINGS_MAX_POPULATION 1000000L    /* population_size in [2, 1e6] */
#define GA_SETTINGS_MAX_OFFSPRING_PROP 1000.0  /* offspring_prop in [0, 1000] */
#define GA_SETTINGS_MAX_OFFSPRING 1000000L     /* lambda = offspring_prop x
                                                  population_size <= 1e6 */
#define GA_SETTINGS_MAX_TOURNSIZE 1000L        /* tournsize in [1, 1000] */
#define GA_SETTINGS_MAX_HOF 100000L            /* hof_size in [1, 1e5] */
#define GA_SETTINGS_MAX_STALL 1000000000L      /* stall_generations in
                                                  [0, 1e9] */
#define GA_SETTINGS_MAX_SECONDS 1e9            /* max_seconds in [0, 1e9] */
#define GA_SETTINGS_MAX_EVALUATIONS 1000000000000L /* max_evaluations in
                                                      [0, 1e12] */
/* Probabilities lie in [0, 1], seed in [0, 2^32 - 1], target is any finite
 * number or NaN (off). */

/* GA_ASYNC: the asynchronous steady-state GA (ga/steady.h), run by
 * `gahpo run` only; the generational engine takes the other three.
 * GA_RANDOM: random search, the baseline: each generation is
 * population_size new points drawn uniformly (log-uniformly where
 * log_scale) from the space; the population is the best population_size
 * seen so far. */
typedef enum ga_strategy {
    GA_SIMPLE, GA_MU_PLUS_LAMBDA, GA_ASYNC, GA_RANDOM
} ga_strategy;

/* What a failed evaluation (NaN fitness) becomes. */
typedef enum ga_nan_policy {
    GA_NAN_MEAN,   /* CANDLE: mean of the generation's valid values, else the
                      previous generation's mean */
    GA_NAN_WORST,  /* the worst fitness seen so far */
    GA_NAN_FAIL    /* stop the run with an error */
} ga_nan_policy;

typedef struct ga_settings {
    long num_iter;          /* generations, counting the initial one */
    long population_size;
    ga_strategy strategy;
    double offspring_prop;  /* lambda = round(offspring_prop * N) */
    double mut_prob, cx_prob;
    double mut_indpb, cx_indpb;
    long tournsize;
    unsigned long seed;
    ga_nan_policy nan_policy;
    long hof_size;          /* hall of fame size */
    long stall_generations; /* stop after this many without improvement; 0 off */
    double target;          /* stop when best <= target; NaN off */
    double max_seconds;     /* wall-clock limit of a run; 0 off */
    long max_evaluations;   /* the run stops at exactly this many
                               evaluations, its last generation cut to fit
                               (`--budget`); 0 off */
} ga_settings;

/* Built-in CANDLE defaults: pop 16, 5 iterations, mu_plus_lambda,
 * offspring 0.5, mut 0.8, cx 0.2, indpb 0.5/0.5, tournament 4, seed 1. */
void ga_settings_defaults(ga_settings *s);

/* Set one setting by its CANDLE name from text (as from the environment or
 * the command line). `source` names where the text came from in messages. */
int ga_settings_set(ga_settings *s, const char *key, const char *value,
                    const char *source, ga_error *err);

/* Is key the name of a setting? */
int ga_settings_known(const char *key);

/* Apply a JSON object of settings (a settings file, or tuned defaults, whose
 * settings may sit under "settings"; "provenance" and "comment" keys are
 * ignored). Unknown keys are errors, to catch typos. */
int ga_settings_apply_json(ga_settings *s, const cJSON *obj, const char *source,
                           ga_error *err);

/* Apply tuned defaults (a tuned_defaults.json): either one set of
 * settings (from `gahpo sweep`), or "entries" per budget and worker count
 * (from `gahpo tune`), of which the one for the budget class nearest to
 * budget in log scale (ties: the smaller) and, among that class's, the
 * largest worker count <= workers (else the smallest) is applied. With entries and budget <= 0 nothing is applied.
 * *chosen (may be NULL) gets a short description of what was applied, or
 * "" for nothing. */
int ga_settings_apply_tuned(ga_settings *s, const cJSON *root, const char *source,
                            long budget, long workers, char *chosen,
                            size_t chosen_size, ga_error *err);

/* The entry of a tuned-defaults file with "entries" that
 * ga_settings_apply_tuned applies for budget and workers; NULL when there
 * is none (no entries, budget <= 0, no numeric budget). */
const cJSON *ga_settings_tuned_entry(const cJSON *root, long budget,
                                     long workers);

/* Read and apply a settings JSON file. */
int ga_settings_load(ga_settings *s, const char *path, ga_error *err);

/* Apply CANDLE's environment variables (NUM_ITERATIONS, POPULATION_SIZE,
 * GA_STRATEGY/STRATEGY, OFFSPRING_PROPORTION/OFF_PROP/OFFSPRING_PROP,
 * MUT_PROB/MUTATION_PROBABILITY, CX_PROB/CROSSOVER_PROBABILITY,
 * MUT_INDPB/GENE_MUTATION_PROBABILITY, CX_INDPB/GENE_CROSSOVER_PROBABILITY,
 * TOURNSIZE/TOURNAMENT_SIZE, SEED, IGNORE_ERRORS) looked up through lookup
 * (e.g. a getenv wrapper), so the library never reads the process
 * environment itself. */
int ga_settings_apply_env(ga_settings *s,
                          const char *(*lookup)(void *ctx, const char *name),
                          void *ctx, ga_error *err);

/* Check the settings as a whole: every setting in its range (above), and
 * for mu_plus_lambda cx_prob + mut_prob <= 1, for mu_plus_lambda and async
 * 1 <= lambda <= GA_SETTINGS_MAX_OFFSPRING, max_evaluations 0 or at least
 * population_size. GA_EINPUT naming the setting. */
int ga_settings_validate(const ga_settings *s, ga_error *err);

/* lambda = round-half-even(offspring_prop * population_size), as Python's
 * round() in deap_ga.py; -1 when that is not a count a long holds (NaN,
 * negative, above 1e15), which ga_settings_validate refuses. */
long ga_settings_lambda(const ga_settings *s);

/* Individuals evaluated per generation after the first: lambda for
 * mu_plus_lambda and async, population_size for random, and for simple
 * at most population_size (only those crossover or mutation changed). */
long ga_settings_batch(const ga_settings *s);

/* Does every generation after the first evaluate a whole batch? Random
 * search and async do, and mu_plus_lambda with cx_prob + mut_prob = 1;
 * simple evaluates only the children variation changed, and mu_plus_lambda
 * copies a child unchanged with probability 1 - cx_prob - mut_prob. */
int ga_settings_full_batches(const ga_settings *s);

/* Generations that make budget evaluations: with full batches the initial
 * population, then ceil((budget - population_size) / batch) generations,
 * the last one cut to fit; otherwise (only the children variation touched
 * are evaluated, each with chance p from cx_prob and mut_prob) 11 + 4 x
 * the generations expected to be needed, so that the budget ends the run.
 * Capped at GA_SETTINGS_MAX_NUM_ITER; -1 when budget < population_size or
 * no child is ever evaluated (cx_prob = mut_prob = 0). */
long ga_settings_generations_for(const ga_settings *s, long budget);

/* The settings one by one, for saying where each came from: their
 * number, the i-th's CANDLE name, and whether a and b hold the same value
 * of it (NaN targets are the same). */
size_t ga_settings_count(void);
const char *ga_settings_key(size_t i);
int ga_settings_same(const ga_settings *a, const ga_settings *b, size_t i);

/* Into out: settings that differ from s in every setting (not a valid
 * set: a value may be out of its range). Applying a source to both s and out
 * and comparing tells which settings that source sets. */
void ga_settings_unlike(const ga_settings *s, ga_settings *out);

/* The settings as a JSON object with CANDLE names (new, caller owns);
 * NULL when out of memory (errno ENOMEM), never an object missing a key. */
cJSON *ga_settings_to_json(const ga_settings *s);

const char *ga_strategy_name(ga_strategy st);
const char *ga_nan_policy_name(ga_nan_policy p);

#endif
