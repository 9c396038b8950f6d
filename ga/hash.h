/* hash.h - the one content hash (64-bit FNV-1a) and the one seed mixer
 * (splitmix64's finaliser) of the library. Pure functions: thread-safe. */
#ifndef GA_HASH_H
#define GA_HASH_H

#include <stddef.h>

/* FNV-1a's offset basis: the h to start a hash with. */
#define GA_FNV1A_INIT 14695981039346656037ULL

/* h (GA_FNV1A_INIT, or a hash so far) continued over n bytes of data. */
unsigned long long ga_fnv1a(unsigned long long h, const void *data, size_t n);

/* splitmix64's finaliser: z's bits spread over the whole word, so close
 * inputs give unrelated seeds. */
unsigned long long ga_mix64(unsigned long long z);

#endif
