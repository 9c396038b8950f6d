/* rng.c - xoshiro256++ as a gsl_rng_type (rng.h). */
#include "rng.h"

#include <stdint.h>

typedef struct xoshiro_state {
    uint64_t s[4];
} xoshiro_state;

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t next(xoshiro_state *st)
{
    uint64_t *s = st->s;
    uint64_t out = rotl(s[0] + s[3], 23) + s[0];
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

static unsigned long get(void *vstate)
{
    return (unsigned long)(next(vstate) >> 32);
}

static double get_double(void *vstate)
{
    return (double)(next(vstate) >> 11) * 0x1.0p-53;
}

/* SplitMix64 from the seed: four outputs of a bijection on distinct
 * counters, so never four zeros. */
static void set(void *vstate, unsigned long seed)
{
    xoshiro_state *st = vstate;
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) {
        uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        st->s[i] = z ^ (z >> 31);
    }
}

static const gsl_rng_type xoshiro256pp_type = {
    "xoshiro256++",
    0xffffffffUL,
    0,
    sizeof(xoshiro_state),
    &set,
    &get,
    &get_double
};

const gsl_rng_type *const ga_rng_xoshiro256pp = &xoshiro256pp_type;

gsl_rng *ga_rng_alloc(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(ga_rng_xoshiro256pp);
    if (r)
        gsl_rng_set(r, seed);
    return r;
}

int ga_rng_state_ok(const gsl_rng *r)
{
    const xoshiro_state *st = gsl_rng_state(r);
    return (st->s[0] | st->s[1] | st->s[2] | st->s[3]) != 0;
}
