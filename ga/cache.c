/* cache.c - an open-addressing hash table from gene vectors to fitness. */
#include "cache.h"

#include "hash.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct ga_cache {
    size_t dim, n, cap;      /* cap: a power of two, at most half full */
    double *genes;           /* cap x dim */
    double *fitness;
    unsigned char *used;
};

static uint64_t hash(const double *g, size_t dim)
{
    return ga_fnv1a(GA_FNV1A_INIT, g, dim * sizeof(double));
}

ga_cache *ga_cache_alloc(size_t dim)
{
    ga_cache *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->dim = dim;
    c->cap = 64;
    c->genes = malloc(c->cap * dim * sizeof(double));
    c->fitness = malloc(c->cap * sizeof(double));
    c->used = calloc(c->cap, 1);
    if (!c->genes || !c->fitness || !c->used) {
        ga_cache_free(c);
        return NULL;
    }
    return c;
}

void ga_cache_free(ga_cache *c)
{
    if (!c)
        return;
    free(c->genes);
    free(c->fitness);
    free(c->used);
    free(c);
}

/* The slot holding genes, or the empty slot where they would go. */
static size_t find(const ga_cache *c, const double *g)
{
    size_t i = (size_t)hash(g, c->dim) & (c->cap - 1);
    while (c->used[i] &&
           memcmp(c->genes + i * c->dim, g, c->dim * sizeof(double)) != 0)
        i = (i + 1) & (c->cap - 1);
    return i;
}

int ga_cache_lookup(const ga_cache *c, const double *genes, double *fitness)
{
    size_t i = find(c, genes);
    if (!c->used[i])
        return 0;
    *fitness = c->fitness[i];
    return 1;
}

static int grow(ga_cache *c)
{
    ga_cache bigger = { c->dim, 0, c->cap * 2, NULL, NULL, NULL };
    bigger.genes = malloc(bigger.cap * c->dim * sizeof(double));
    bigger.fitness = malloc(bigger.cap * sizeof(double));
    bigger.used = calloc(bigger.cap, 1);
    if (!bigger.genes || !bigger.fitness || !bigger.used) {
        free(bigger.genes);
        free(bigger.fitness);
        free(bigger.used);
        return -1;
    }
    for (size_t i = 0; i < c->cap; i++) {
        if (!c->used[i])
            continue;
        size_t j = find(&bigger, c->genes + i * c->dim);
        memcpy(bigger.genes + j * c->dim, c->genes + i * c->dim,
               c->dim * sizeof(double));
        bigger.fitness[j] = c->fitness[i];
        bigger.used[j] = 1;
        bigger.n++;
    }
    free(c->genes);
    free(c->fitness);
    free(c->used);
    *c = bigger;
    return 0;
}

int ga_cache_insert(ga_cache *c, const double *genes, double fitness)
{
    if (2 * (c->n + 1) > c->cap && grow(c) != 0)
        return -1;
    size_t i = find(c, genes);
    if (c->used[i])
        return 0;
    memcpy(c->genes + i * c->dim, genes, c->dim * sizeof(double));
    c->fitness[i] = fitness;
    c->used[i] = 1;
    c->n++;
    return 0;
}

size_t ga_cache_size(const ga_cache *c)
{
    return c->n;
}
