/* bbob.h - the 24 noiseless BBOB functions exactly as COCO's bbob suite
 * builds and evaluates them (legacy BBOB-2009 generator, seeds, x_opt,
 * f_opt, rotations, T_osz/T_asy, conditioning, boundary penalties), so that
 * results can be compared with published BBOB data. See docs/BBOB.md. */
#ifndef PROB_BBOB_H
#define PROB_BBOB_H

#include <stddef.h>

#include "problem.h"

/* BBOB function fid (1..24) in dim >= 2 dimensions, instance >= 1, as
 * COCO's bbob suite builds it. The space is dim floats x0..x{dim-1} in
 * [-5, 5]; name is COCO's id "bbob_f%03d_i%02ld_d%02zu"; f_opt is
 * coco_problem_get_best_value and x_opt coco_problem_get_best_parameter;
 * eval returns coco_evaluate_function's value (f_opt included) and accepts
 * points outside [-5, 5] (boundary penalties). Caller frees with prob_free.
 * NULL with err (GA_EINPUT, clear message) for bad arguments. */
prob_problem *prob_bbob_alloc(int fid, size_t dim, long instance, ga_error *err);

/* COCO's legacy uniform generator: n numbers in (0, 1) from seed into r
 * (Park-Miller with a Bays-Durham shuffle, as bbob2009_unif). Exposed for
 * the tests. */
void prob_bbob_unif(double *r, size_t n, long seed);

#endif
