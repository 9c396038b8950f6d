/* classic.h - the classic real-valued test functions, as DEAP's benchmarks
 * module defines them, shifted so the optimum value is 0. */
#ifndef PROB_CLASSIC_H
#define PROB_CLASSIC_H

#include "problem.h"

/* The classic function called fname in dim dimensions, or NULL with err. */
prob_problem *prob_classic_alloc(const char *fname, size_t dim, ga_error *err);

/* Is fname one of the classic functions? */
int prob_classic_known(const char *fname);

#endif
