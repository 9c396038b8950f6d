/* problem.h - a fitted surrogate as a problem (problems/problem.h): the
 * registry's surrogate:NAME loads surrogates/models/NAME.json through this. */
#ifndef SUR_PROBLEM_H
#define SUR_PROBLEM_H

#include "../ga/error.h"
#include "problem.h"

/* The surrogate in the model file at path as a problem named name: its
 * space is the model's space (genes follow it: ints, indices, 0/1, ...);
 * eval returns the GP predictive mean (exp of it for a log-output model),
 * or with noisy set a draw from the predictive distribution of a new
 * observation using the rng passed to eval (deterministic given that rng;
 * with a NULL rng the mean). Read-only after loading; reentrant (many
 * threads); scratch is allocated once per eval batch. NULL with err on a
 * bad or corrupt file. Free with prob_free. */
prob_problem *sur_problem_alloc(const char *model_path, const char *name,
                                int noisy, ga_error *err);

#endif
