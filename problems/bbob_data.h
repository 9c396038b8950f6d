/* bbob_data.h - what bbob.c (building an instance) and bbob_eval.c
 * (evaluating it) share: the precomputed, read-only data of one BBOB
 * problem and the evaluators. Private to problems/bbob*.c. */
#ifndef PROB_BBOB_DATA_H
#define PROB_BBOB_DATA_H

#include <stddef.h>

#include "problem.h"

/* COCO's pi (coco_pi); 2 * BBOB_PI is exact, as COCO's coco_two_pi. */
#define BBOB_PI 3.14159265358979323846
#define BBOB_WEIERSTRASS_TERMS 12
/* Scratch doubles per dimension that an evaluation needs. */
#define BBOB_WORK 3
/* Gallagher's f21 has the most peaks. */
#define BBOB_MAX_PEAKS 101

typedef struct bbob_data bbob_data;

/* The value at one point x (finite, dim coordinates), f_opt included;
 * work holds BBOB_WORK * dim doubles. */
typedef double (*bbob_fn)(const bbob_data *d, const double *x, double *work);

/* Read-only after construction. Which fields a function uses is listed in
 * bbob_build (bbob.c). R and M are dim x dim, stored in row quads
 * (bbob_quad_rows) once built; so are Gallagher's npeaks x dim arrays. */
struct bbob_data {
    int fid;
    size_t dim;
    bbob_fn fn;
    double fopt;          /* COCO's objective offset, added last */
    double *xopt;         /* the shift subtracted from x */
    double *R;            /* first rotation (seed + 1000000 mostly) */
    double *M;            /* second linear map: R Lambda Q, Lambda Q, ... */
    double *c1, *c2, *c3; /* per-coordinate constants */
    double penalty;       /* factor of sum max(0, |x_i| - 5)^2, 0: none */
    double s1, s2;        /* per-function scalars */
    double ak[BBOB_WEIERSTRASS_TERMS], bk[BBOB_WEIERSTRASS_TERMS];
    size_t npeaks;        /* Gallagher: peaks, their heights, axis scales */
    double *peak_values;  /* and rotated positions (npeaks x dim each) */
    double *scales;
    double *local;
    double *logw;         /* log(peak_values) */
    int quads;            /* R, M already in row quads */
};

/* A rows x cols row-major matrix in row quads: element (r, j) at
 * ((r / 4) cols + j) 4 + r % 4, zero-padded to a multiple of 4 rows.
 * New array (caller frees) or NULL. */
double *bbob_quad_rows(const double *A, size_t rows, size_t cols);

/* The evaluator of function fid. */
bbob_fn bbob_evaluator(int fid);

/* prob_problem's batch evaluator over bbob_data. */
void bbob_eval(const prob_problem *p, const double *x, size_t n, double *f,
               gsl_rng *rng);

/* Raw functions COCO also evaluates at its stored optimum to get f_opt. */
double bbob_slope_raw(const bbob_data *d, const double *x);
double bbob_weierstrass_raw(const bbob_data *d, const double *z);
double bbob_griewank_rosenbrock_raw(const double *z, size_t D);
double bbob_schwefel_raw(const double *z, size_t D);
double bbob_gallagher_raw(const bbob_data *d, const double *x, double *work);
double bbob_lunacek_raw(const bbob_data *d, const double *x, double *work);

#endif
