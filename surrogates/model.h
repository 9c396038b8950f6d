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
 * if var is not NULL, the variance of a new observation (latent + noise)
 * there (through BLAS, 64 points per triangular solve). Each point's values
 * are bit-identical to predicting it alone, and for any thread count
 * (sur_gp_predict). scratch: sur_model_scratch_size doubles, per thread. */
void sur_model_predict_latent(const sur_model *m, const double *genes,
                              size_t npoints, double *mean, double *var,
                              double *scratch);

/* Back from the modelling scale to the objective (exp with log_y). */
double sur_model_output(const sur_model *m, double v);

/* Length scale of each encoded input (enc->dim values into out). */
void sur_model_length_scales(const sur_model *m, double *out);

#endif
