/* ops.h - the variation and selection operators, per gene type.
 *
 * Semantics follow CANDLE's deap_ga.py on DEAP 1.3: uniform crossover swaps
 * each gene with probability indpb (tools.cxUniform); mutation visits each
 * gene with probability indpb and applies its type's move; tournament
 * selection draws tournsize aspirants with replacement and keeps the best
 * (lowest fitness, first drawn on ties, as Python's max over FitnessMin).
 * Which genes an operator touches is decided with as few random draws as
 * possible (bit masks for indpb = 0.5, geometric skips for small indpb):
 * the distribution is the same as one uniform draw per gene. */
#ifndef GA_OPS_H
#define GA_OPS_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "space.h"

/* Fill genes (space->n of them) with a random individual: uniform in the
 * bounds (log-uniform with log_scale), a uniform choice of value/index. */
void ga_op_init(const ga_space *space, gsl_rng *rng, double *genes);

/* Uniform crossover of a and b (n genes each) in place. */
void ga_op_crossover(size_t n, double indpb, gsl_rng *rng, double *a, double *b);

/* Mutate genes in place; every result is a legal value of its parameter. */
void ga_op_mutate(const ga_space *space, double indpb, gsl_rng *rng,
                  double *genes);

/* A uniform integer in [0, n), n <= 2^32, from one 32-bit draw in the
 * common case (Lemire's multiply-and-reject; no division). The generator
 * must give 32 random bits per draw, as the engine's does (rng.h). */
static inline unsigned long ga_op_below(gsl_rng *rng, unsigned long n)
{
    unsigned long long m = (unsigned long long)gsl_rng_get(rng) * n;
    unsigned long low = (unsigned long)(m & 0xffffffffULL);
    if (low < n) {
        unsigned long threshold = (0x100000000ULL - n) % n;
        while (low < threshold) {
            m = (unsigned long long)gsl_rng_get(rng) * n;
            low = (unsigned long)(m & 0xffffffffULL);
        }
    }
    return (unsigned long)(m >> 32);
}

/* Index in [0, n) of the winner of one tournament over fitness[0..n). */
size_t ga_op_tournament(const double *fitness, size_t n, size_t tournsize,
                        gsl_rng *rng);

#endif
