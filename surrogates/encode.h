/* encode.h - genes of a CANDLE space as GP inputs in [0, 1]: int and float
 * scaled by their bounds (in log10 with log_scale), ordered values as a
 * scaled index, categoricals one-hot, logicals 0/1, constants dropped (as
 * are categoricals and ordereds with a single value). */
#ifndef SUR_ENCODE_H
#define SUR_ENCODE_H

#include <stddef.h>

#include "../ga/error.h"
#include "../ga/space.h"

typedef struct sur_feature {
    size_t gene;         /* which gene it comes from */
    int onehot;          /* categorical: 1 if the gene equals `level` */
    size_t level;
    int log10;           /* int/float with log_scale */
    double lo, hi;       /* gene (or log10 gene, or index) at 0 and at 1 */
} sur_feature;

typedef struct sur_encoding {
    size_t ngenes;       /* space->n */
    size_t dim;          /* encoded inputs */
    sur_feature *features;
    char **names;        /* dim names: "lr", "act=relu", ... */
} sur_encoding;

/* The encoding of space. NULL with err (GA_EINPUT) if nothing is left to
 * encode (every parameter constant). */
sur_encoding *sur_encoding_alloc(const ga_space *space, ga_error *err);

void sur_encoding_free(sur_encoding *enc);

/* Encode one point: ngenes genes into dim inputs. */
void sur_encode(const sur_encoding *enc, const double *genes, double *z);

/* Decode dim inputs back into genes (rounding ints and indices, the largest
 * one-hot wins, constants 0); the inverse of sur_encode on valid genes. */
void sur_decode(const sur_encoding *enc, const ga_space *space,
                const double *z, double *genes);

#endif
