/* sweep.h - studies of the GA's own parameters: a spec (problems, GA
 * parameters to vary, design, budget in evaluations, replicates), its
 * expansion into design points, and the parallel runner that executes
 * design x problems x replicates and writes runs.csv.
 *
 * Reproducibility: every run owns a generator seeded from a hash of (sweep
 * seed, design point, problem, replicate); rows are written in run order at
 * the end, so runs.csv is byte-identical for any thread count. */
#ifndef SWEEP_SWEEP_H
#define SWEEP_SWEEP_H

#include <stddef.h>

#include <cJSON.h>

#include "../ga/error.h"
#include "../ga/settings.h"
#include "../problems/problem.h"

typedef enum sweep_design_type {
    SWEEP_FACTORIAL, SWEEP_LHS, SWEEP_RANDOM, SWEEP_RACE
} sweep_design_type;

/* One GA parameter to vary: levels (any setting) or a range (numeric). */
typedef struct sweep_factor {
    char *name;
    size_t nlevels;          /* > 0: these levels, as text */
    char **levels;
    double min, max;         /* nlevels == 0: a range */
    int integer;             /* range of integers */
    int log;                 /* range sampled in log space */
} sweep_factor;

typedef struct sweep_spec {
    char *name;
    char *text;              /* the spec file as read, for provenance */
    unsigned long long hash; /* FNV-1a of text */
    unsigned long seed;
    size_t nproblems;
    char **problems;
    size_t nvalidation;      /* held-out problems for the selection */
    char **validation;
    long budget;             /* evaluations per run, never exceeded */
    size_t ncheck;
    long *checkpoints;       /* best-so-far recorded at these evaluations */
    long replicates;
    long workers;            /* parallel jobs in production: rounds */
    size_t nworkers;         /* rounds are also recorded for each of these */
    long *workers_list;      /*   (workers_list[0] == workers) */
    size_t ntargets;
    double *targets;         /* precision targets: f - f_opt <= target */
    sweep_design_type design;
    long points;             /* lhs, random, race: number of candidates */
    size_t nfactors;
    sweep_factor *factors;
    ga_settings base;        /* CANDLE defaults + the spec's "fixed" */
    int drop_invalid;        /* cx_prob + mut_prob > 1: drop (1) or repair */
    long max_rounds;         /* selection: at most this many rounds; 0 none */
    double round_weight;     /* selection: mean rank + weight x median rounds
                                / the most median rounds; 0 none */
    long race_first_test;    /* race: instances before the first test */
    double race_alpha;
    long race_rounds_cap;    /* race: a run that needs more rounds (batches
                                on `workers`) scores worst; 0 no cap */
    long race_min_alive;     /* race: never fewer settings left (0: no
                                floor; the configurator keeps its elites
                                and the reference) */
    int race_anytime;        /* race: judge a run by the geometric mean of
                                its best-so-far error at the checkpoints
                                (quality over the budget range), not its
                                final error; 2: at the simulated wall-clock
                                checkpoints (best_time_*, durations); 3:
                                both sets of checkpoints */
    double dur_median;       /* durations: simulated job durations on
                                `workers` workers, log-normal with this
                                median (> 0) and shape dur_sigma; 0 off */
    double dur_sigma;
    double dur_fail;         /* durations: the chance a job fails (its
                                value NaN, its time spent), in [0, 1) */
    /* configure (iterated racing, sweeps/configure.h) */
    long conf_iterations;    /* races */
    long conf_candidates;    /* settings per race, elites included */
    long conf_elites;        /* kept from one race to the next */
    long conf_budget_runs;   /* tuning budget in GA runs; 0: no cap */
    size_t conf_ninitial;    /* settings the first race starts from (as
                                irace's initial configurations) */
    char **conf_initial;     /*   their factor values, ninitial x nfactors */
    long test_replicates;    /* the test-set evaluation's replicates
                                ("test" problems are kept in validation) */
} sweep_spec;

/* A design point: complete GA settings (seed set per run). */
typedef struct sweep_point {
    ga_settings settings;
    char **values;           /* nfactors values as text, for runs.csv */
    int reference;           /* the CANDLE defaults, added for comparisons */
} sweep_point;

/* Read and validate a spec. GA_EINPUT with file and key named on any error,
 * before anything runs. */
sweep_spec *sweep_spec_load(const char *path, ga_error *err);
sweep_spec *sweep_spec_parse(const char *text, const char *source, ga_error *err);
void sweep_spec_free(sweep_spec *spec);

/* Expand the design into points; the CANDLE defaults come first as the
 * reference. Points violating a constraint are repaired or dropped and said
 * so in *report (caller frees). GA_EFAIL "out of memory" (points NULL, 0
 * and report NULL) when an allocation fails. */
int sweep_design(const sweep_spec *spec, sweep_point **points, size_t *npoints,
                 char **report, ga_error *err);
void sweep_points_free(sweep_point *points, size_t npoints, size_t nfactors);

/* As sweep_design, from given candidates: vals[i * nfactors + k] is the
 * text of factor k in candidate i (n of them), judged as the design's.
 * point_of (n entries, may be NULL): the point each candidate became, 0
 * when it is the reference's settings, -1 when it was dropped. */
int sweep_design_from(const sweep_spec *spec, char *const *vals, size_t n,
                      sweep_point **points, size_t *npoints, long *point_of,
                      char **report, ga_error *err);

/* The outcome of one run. */
typedef struct sweep_result {
    long evals, generations, rounds, idle_slots;
    long *rounds_list;       /* rounds for each of spec->workers_list */
    double best;             /* best observed value */
    double true_best;        /* noiseless value of the best observed point */
    double error;            /* true_best - f_opt (NaN if f_opt unknown) */
    double *best_at;         /* best observed - f_opt at each checkpoint */
    double *best_time;       /* with durations: best observed - f_opt among
                                the evaluations finished by each time
                                checkpoint (checkpoint x median / workers,
                                the time that many evaluations take with no
                                worker idle) */
    double sim_time;         /* with durations: when the last one finished */
    long *hit;               /* evaluations to reach each target, -1 never */
    double seconds;          /* wall time of the run */
    double cpu_seconds;      /* CPU time of the thread that ran it */
} sweep_result;

/* The text of each of spec's factors in settings st, as the design
 * writes them, into vals (nfactors, caller frees each). GA_EFAIL when out
 * of memory. */
int sweep_setting_values(const sweep_spec *spec, const ga_settings *st,
                         char **vals, ga_error *err);

/* The geometric mean of max(e, 0) + 1e-12 over the checkpoints' best-so-
 * far errors: at[] (mode 1), time[] (the wall-clock ones, mode 2) or both
 * (mode 3). */
double sweep_anytime_score(int mode, const double *at, const double *time,
                           size_t ncheck);

/* A run's score in a race: its final error, or with race_anytime its
 * sweep_anytime_score. */
double sweep_run_score(const sweep_spec *spec, const sweep_result *r);

/* timings.csv: one line per run as it finishes, wall and CPU seconds. */
#define SWEEP_TIMINGS_HEADER "run,seconds,cpu_seconds\n"

/* The seed of run (point, problem, replicate) of a sweep. */
unsigned long sweep_run_seed(unsigned long sweep_seed, size_t point,
                             size_t problem, long replicate);

/* One run of settings on problem within the spec's budget. result's arrays
 * must hold spec->ncheck and spec->ntargets entries. */
int sweep_run_one(const sweep_spec *spec, const ga_settings *settings,
                  const prob_problem *problem, unsigned long seed,
                  sweep_result *result, ga_error *err);

/* Progress: runs done of total, and seconds so far. */
typedef void (*sweep_progress_fn)(void *ctx, long done, long total,
                                  double seconds);

/* Execute every run not yet done into dir: runs.csv (rows in run order,
 * written at the end; rows stream to runs.journal as runs finish, which
 * --resume reads), timings.csv, spec.json, design.csv. threads <= 0: the
 * OpenMP default. */
int sweep_execute(const sweep_spec *spec, const sweep_point *points,
                  size_t npoints, const char *dir, int threads, int resume,
                  volatile int *cancel, sweep_progress_fn progress,
                  void *progress_ctx, ga_error *err);

/* ---- sweeps in chunks: one cluster task per chunk (docs/SWEEPS.md) ----- */

/* As sweep_execute, for chunk `chunk` of nchunks only: the runs with
 * run % nchunks == chunk. runs.csv holds that chunk's rows (in run order);
 * the journal, timings.csv, spec.json and design.csv as above. GA_EINPUT
 * for a race design (its runs depend on each other) or more chunks than
 * runs. */
int sweep_execute_chunk(const sweep_spec *spec, const sweep_point *points,
                        size_t npoints, const char *dir, int threads,
                        int resume, long chunk, long nchunks,
                        volatile int *cancel, sweep_progress_fn progress,
                        void *progress_ctx, ga_error *err);

/* DIR/generator names the generator its runs were drawn from
 * ("xoshiro256++"). GA_OK when it is this gahpo's; GA_EINPUT naming what
 * it says (no file: a sweep begun before the file existed, mt19937), since
 * rows from two generators in one runs.csv would be two experiments;
 * GA_EFAIL when it cannot be read. */
int sweep_check_generator(const char *dir, ga_error *err);
/* Write DIR/generator (atomically). */
int sweep_write_generator(const char *dir, ga_error *err);

/* Merge the runs.csv of each chunk k (chunk_dirs[k], k < nchunks) into
 * dir/runs.csv in run order (atomically), byte-identical to a sweep on one
 * machine; and their timings.csv into dir/timings.csv. GA_EINPUT naming the
 * file when a chunk's header is not this spec's, a row is not the chunk's,
 * a run is missing or twice, or a chunk's runs were drawn from another
 * generator (sweep_check_generator); dir/generator is written after. */
int sweep_merge_chunks(const sweep_spec *spec, size_t npoints, const char *dir,
                       long nchunks, char *const *chunk_dirs, ga_error *err);

/* The header line of runs.csv for spec (caller frees); NULL when out of
 * memory. */
char *sweep_runs_header(const sweep_spec *spec);

/* design.csv and spec.json (the spec's text as read) into dir. */
int sweep_write_design(const sweep_spec *spec, const sweep_point *points,
                       size_t npoints, const char *dir, ga_error *err);

#endif
