/* rng.h - the engine's random generator: xoshiro256++ (Blackman and Vigna,
 * 2019) registered as a gsl_rng_type, so every call site keeps GSL's API
 * (gsl_rng_get, gsl_rng_uniform, gsl_ran_gaussian_ziggurat, ...).
 *
 * Why this one: drawing random numbers was over half of the engine's time
 * with GSL's mt19937; xoshiro256++ passes the same statistical batteries
 * (BigCrush, PractRand to 32 TB per its authors) with 32 bytes of state and
 * a few instructions per draw. What the engine relies on, and is tested in
 * the ga suite: 32 uniform bits per gsl_rng_get (the upper half of each
 * 64-bit output, the generator's best bits), 53-bit uniform doubles in
 * [0, 1) from gsl_rng_uniform, a state that is never all zero, and streams
 * for different seeds that do not overlap in practice (the 2^256 - 1 period
 * split by SplitMix64 seeding, as its authors recommend).
 *
 * gsl_rng_set(r, s) fills the state from SplitMix64 started at s; every seed
 * is valid, 0 included. The state is four 64-bit words (gsl_rng_size 32). */
#ifndef GA_RNG_H
#define GA_RNG_H

#include <gsl/gsl_rng.h>

/* The generator type: name "xoshiro256++", draws 0 .. 2^32 - 1. */
extern const gsl_rng_type *const ga_rng_xoshiro256pp;

/* A new generator of the engine's type, seeded with seed; NULL when out of
 * memory. Free with gsl_rng_free. */
gsl_rng *ga_rng_alloc(unsigned long seed);

/* 1 if a generator state of the engine's type read from a file is usable
 * (not all zero, which would draw zeros forever), else 0. */
int ga_rng_state_ok(const gsl_rng *r);

#endif
