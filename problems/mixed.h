/* mixed.h - HPO-like problems over mixed-type CANDLE spaces with a known
 * optimum (definitions in mixed.c and docs/PROBLEMS.md; spaces in
 * problems/spaces/NAME.json). */
#ifndef PROB_MIXED_H
#define PROB_MIXED_H

#include "problem.h"

/* The mixed problem called name, noiseless or with its documented noise.
 * Reads its space from problems/spaces/NAME.json (see ga_data_path). */
prob_problem *prob_mixed_alloc(const char *name, int noisy, ga_error *err);

/* Is name a mixed problem? */
int prob_mixed_known(const char *name);

/* Description of the i-th mixed problem (its name in *name), or NULL past
 * the end. */
const char *prob_mixed_describe(size_t i, const char **name);

#endif
