/* problem.c - what every problem shares (problem.h): freeing one, the
 * seed of a noisy evaluation, and evaluating points with their noise. */
#include "problem.h"

#include <stdlib.h>

#include "../ga/hash.h"

unsigned long prob_noise_seed(unsigned long seed, long generation, size_t index)
{
    /* the three numbers mixed: well-spread seeds */
    unsigned long long z = seed * 0x9e3779b97f4a7c15ULL +
                           (unsigned long long)(generation + 1) * 0xbf58476d1ce4e5b9ULL +
                           (unsigned long long)index * 0x94d049bb133111ebULL;
    return (unsigned long)ga_mix64(z);
}

void prob_free(prob_problem *p)
{
    if (!p)
        return;
    ga_space_free(p->space);
    free(p->x_opt);
    if (p->free_data)
        p->free_data((void *)p->data);
    free(p);
}

void prob_eval_batch(const prob_problem *p, const double *genes, size_t n,
                     double *fitness, gsl_rng *rng, unsigned long seed,
                     long generation, const size_t *index)
{
    if (!p->noisy) {
        p->eval(p, genes, n, fitness, NULL);
        return;
    }
    /* each point's noise depends on (seed, generation, index) only, so a
     * resumed or reordered run draws what an uninterrupted one would */
    for (size_t k = 0; k < n; k++) {
        gsl_rng_set(rng, prob_noise_seed(seed, generation, index[k]));
        p->eval(p, genes + k * p->dim, 1, fitness + k, rng);
    }
}
