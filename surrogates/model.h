/* model.h - a fitted surrogate: space, encoding, training data, GP
 * hyperparameters, in one JSON file that reloads to bit-identical
 * predictions. A checksum over the data and hyperparameters catches a
 * corrupted or hand-edited file. */
#ifndef SUR_MODEL_H
#define SUR_MODEL_H

#include <stddef.h>

#include <cJSON.h>

#include "../ga/error.h"
#include "../ga/space.h"
#include "encode.h"
#include "gp.h"
#include "log.h"

#define SUR_MODEL_VERSION 1

typedef struct sur_model {
    ga_space *space;
    cJSON *space_json;     /* the space as given: saved in the file */
    sur_encoding *enc;
    int log_y;             /* the GP models log(objective) */
    size_t n;              /* training points */
    double *genes;         /* n x space->n */
    double *y;             /* n raw objective values */
    double *x;             /* n x enc->dim encoded inputs */
    sur_gp *gp;
    double repeat_var;     /* the spread of a new observation around the
                              latent function, in the modelling scale,
                              measured from the log's repeated points (rows
                              with identical parameters): their pooled
                              within-group variance; NaN when the log has
                              none (then the GP's fitted noise is used) */
    size_t repeat_groups, repeat_points;
    cJSON *info;           /* report sections saved as they are ("source",
                              "fit", "cv", ...): an object, owned */
} sur_model;

/* Parse space_text (a CANDLE space; source names it in messages) and fit a
 * GP to log's rows (loaded against the same space). With log_y every
 * objective must be > 0. NULL with err. */
sur_model *sur_model_fit(const char *space_text, const char *source,
                         const sur_log *log, int log_y,
                         const sur_gp_options *opt, ga_error *err);

void sur_model_free(sur_model *m);

/* Write the model to path atomically (numbers exact). */
int sur_model_save(const sur_model *m, const char *path, ga_error *err);

/* Read a model file: NULL with err (GA_EINPUT naming the file and what is
 * wrong) for a corrupt, truncated or mismatched file. */
sur_model *sur_model_load(const char *path, ga_error *err);

/* Doubles of scratch the predict calls need (per thread). */
size_t sur_model_scratch_size(const sur_model *m);

/* For npoints points of genes (npoints x space->n), as one batch: the GP's
 * predictive mean in the modelling scale (log(objective) with log_y) and,
 * if var is not NULL, the variance of a new observation there: the
 * latent function's variance plus the noise (repeat_var when the log had
 * repeated points, else the GP's fitted noise) (through BLAS, 64 points per triangular solve). Each point's values
 * are bit-identical to predicting it alone, and for any thread count
 * (sur_gp_predict). scratch: sur_model_scratch_size doubles, per thread. */
void sur_model_predict_latent(const sur_model *m, const double *genes,
                              size_t npoints, double *mean, double *var,
                              double *scratch);

/* The pooled within-group variance of values t (n of them, in the
 * modelling scale) over the groups of rows of genes (n x g) that are
 * identical, into *var (NaN with fewer than 2 groups or 5 degrees of
 * freedom); the groups and the points in them. For tests and sur_model_fit;
 * allocates (-1 when out of memory, else 0). */
int sur_repeat_variance(const double *genes, const double *t, size_t n,
                        size_t g, double *var, size_t *groups,
                        size_t *points);

/* Back from the modelling scale to the objective (exp with log_y). */
double sur_model_output(const sur_model *m, double v);

/* The standard deviation of the training targets in the modelling scale
 * (the GP's unit: its variances times its square are in that scale). */
double sur_model_output_sd(const sur_model *m);

/* Length scale of each encoded input (enc->dim values into out). */
void sur_model_length_scales(const sur_model *m, double *out);

#endif
