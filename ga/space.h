/* space.h - the hyperparameter space, in CANDLE Supervisor's GA format.
 *
 * A space is an ordered list of typed parameters. Every parameter is one gene,
 * stored as a double: the value itself for int and float, an index into
 * `values` for categorical and ordered, 0/1 for logical, 0 for constant.
 * Integers are held exactly. Loading validates everything, so operators can
 * trust the space. */
#ifndef GA_SPACE_H
#define GA_SPACE_H

#include <stddef.h>
#include <stdio.h>

#include <cJSON.h>

#include "error.h"

typedef enum ga_type {
    GA_INT, GA_FLOAT, GA_CATEGORICAL, GA_ORDERED, GA_LOGICAL, GA_CONSTANT
} ga_type;

typedef enum ga_elem_type {
    GA_ELEM_INT, GA_ELEM_FLOAT, GA_ELEM_STRING, GA_ELEM_LOGICAL
} ga_elem_type;

typedef struct ga_param {
    char *name;
    ga_type type;
    double lower, upper;      /* int, float: bounds (inclusive) */
    double sigma;             /* int, float: value units, or log10 units with
                                 log_scale; ordered: index units */
    int log_scale;            /* int, float: draw and mutate in log10 space */
    ga_elem_type element_type;/* categorical, ordered */
    size_t nvalues;           /* categorical, ordered: at least 1 */
    cJSON *values;            /* categorical, ordered: owned JSON array */
    cJSON *value;             /* constant: owned JSON value */
} ga_param;

typedef struct ga_space {
    size_t n;                 /* number of parameters == genes */
    ga_param *params;
    int all_float;            /* every parameter a float without log_scale
                                 (derived: lets mutation skip the type
                                 switch) */
    size_t nwarnings;         /* non-fatal findings (unknown keys, ...) */
    char **warnings;
} ga_space;

/* Parse a space from JSON text; `source` names it in messages. Returns a new
 * space (free with ga_space_free) or NULL with err set to GA_EINPUT. */
ga_space *ga_space_parse(const char *text, const char *source, ga_error *err);

/* Read and parse the file at path. NULL with err set on failure. */
ga_space *ga_space_load(const char *path, ga_error *err);

/* A box of dim floats named x0..x{dim-1} in [lower, upper], sigma
 * (upper-lower)/10: the space of the real-valued test functions. */
ga_space *ga_space_alloc_box(size_t dim, double lower, double upper);

/* Deep copy; NULL on allocation failure. */
ga_space *ga_space_clone(const ga_space *space);

void ga_space_free(ga_space *space);

/* Index of the parameter called name, or -1. */
long ga_space_find(const ga_space *space, const char *name);

/* Name of a type ("int", "float", ...). */
const char *ga_type_name(ga_type type);

/* Is gene a legal value for p (right type, inside bounds)? */
int ga_param_gene_valid(const ga_param *p, double gene);

/* The typed JSON value of a gene (new item, caller owns). */
cJSON *ga_param_gene_to_json(const ga_param *p, double gene);

/* The gene as text, as passed to a model on its command line: shortest
 * round-trip decimal for numbers, the string itself for strings,
 * True/False for logicals. Returns 0, or -1 if buf is too small. */
int ga_param_gene_format(const ga_param *p, double gene, char *buf, size_t size);

/* Parse text (as written by ga_param_gene_format, or a plain number / value
 * from a CSV cell) into a gene. GA_EINPUT with a message naming the parameter
 * if the text is not a legal value. */
int ga_param_gene_parse(const ga_param *p, const char *text, double *gene,
                        ga_error *err);

/* Parse a typed JSON value (as in params.json or an evaluation log) into a
 * gene. GA_EINPUT if it is not a legal value of p. */
int ga_param_gene_from_json(const ga_param *p, const cJSON *item, double *gene,
                            ga_error *err);

/* Print one line per parameter: name, type, range or values, sigma. */
void ga_space_describe(const ga_space *space, FILE *out);


#endif
