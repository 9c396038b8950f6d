/* async_sim.h - simulated cluster runs, to compare the generational GA with
 * the asynchronous steady-state one in wall-clock terms: W workers, job
 * durations drawn from a heavy-tailed (log-normal) distribution, seeded;
 * evaluations from a problem (e.g. surrogate:deepttc:noisy). Simulated:
 * no job runs, the clock is the sum of the drawn durations. */
#ifndef SWEEP_ASYNC_SIM_H
#define SWEEP_ASYNC_SIM_H

#include "../ga/settings.h"
#include "../problems/problem.h"

typedef struct sim_opts {
    long workers;            /* jobs at once */
    long budget;             /* evaluations */
    double median;           /* median job duration (hours, say) */
    double sigma;            /* log-normal shape: 1 is heavy-tailed */
    double target;           /* time to reach true best <= target */
    unsigned long seed;      /* durations, noise and the GA */
} sim_opts;

typedef struct sim_result {
    double makespan;         /* when the last evaluation finished */
    double time_to_target;   /* INFINITY if never reached */
    double utilization;      /* busy worker time / (workers x makespan) */
    double best_true;        /* noiseless value of the best observed point */
    long evals;
} sim_result;

/* The generational GA (settings' strategy) in batches: each generation's
 * jobs are spread over the workers, the next starts when all are done. */
int sim_generational(const prob_problem *p, const ga_settings *settings,
                     const sim_opts *o, sim_result *r, ga_error *err);

/* The asynchronous steady-state GA: a new job whenever one finishes. */
int sim_async(const prob_problem *p, const ga_settings *settings,
              const sim_opts *o, sim_result *r, ga_error *err);

#endif
