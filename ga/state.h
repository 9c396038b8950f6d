/* state.h - pieces of checkpoint files shared by the generational engine
 * and the steady-state GA: numbers that read back exactly (hex floats), and
 * a GSL generator's raw state. */
#ifndef GA_STATE_H
#define GA_STATE_H

#include <stddef.h>

#include <cJSON.h>
#include <gsl/gsl_rng.h>

#include "error.h"

/* v as a hex-float string ("0x1.8p+1"); null for NaN. */
cJSON *ga_state_number(double v);
/* An array of n such numbers. */
cJSON *ga_state_numbers(const double *v, size_t n);
/* A number item as ga_state_number writes it, a plain JSON number, or a raw
 * one; NaN for null. 0, or -1 for anything else. */
int ga_state_item_number(const cJSON *v, double *out);
/* o[key] as one number / exactly n numbers; GA_EINPUT naming the key. */
int ga_state_read_number(const cJSON *o, const char *key, double *out,
                         ga_error *err);
int ga_state_read_numbers(const cJSON *o, const char *key, double *out,
                          size_t n, ga_error *err);
/* o[key] as a count (a number in 0..1e15, as ga_state_read_number reads
 * it, cut to a whole number); GA_EINPUT naming the key when missing or
 * out of range. */
int ga_state_read_count(const cJSON *o, const char *key, long *out,
                        ga_error *err);
/* The generator's raw state as o["rng"] (hex) and o["rng_type"]; and back
 * into *rng (GA_EINPUT when missing, of the wrong size, not hex or not a
 * usable state). A checkpoint's "mt19937" (every checkpoint before the
 * engine drew from xoshiro256++; legacy says the checkpoint's version is
 * one of those, where nothing else is allowed) replaces *rng with an
 * mt19937 generator, so an old run goes on as it began. GA_EFAIL: out of
 * memory. */
void ga_state_save_rng(cJSON *o, const gsl_rng *rng);
int ga_state_restore_rng(const cJSON *o, gsl_rng **rng, int legacy,
                         ga_error *err);
/* v[0..n) are counts (whole numbers in 0..1e15), so casts to long are
 * defined: 1, else 0. */
int ga_state_counts_ok(const double *v, size_t n);
/* n individuals' genes are valid in space (a hand-edited checkpoint must
 * give an error, not a crash later): GA_OK, or GA_EINPUT naming what and
 * the parameter. */
struct ga_space;
int ga_state_check_genes(const struct ga_space *space, const double *genes,
                         size_t n, const char *what, ga_error *err);

#endif
