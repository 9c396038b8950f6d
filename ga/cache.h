/* cache.h - fitness of individuals already evaluated, by their exact genes.
 * DEAP re-evaluates an individual even when variation changed nothing; on a
 * cluster that costs GPU-hours. Only deterministic models should use it. */
#ifndef GA_CACHE_H
#define GA_CACHE_H

#include <stddef.h>

typedef struct ga_cache ga_cache;

/* A cache for individuals of dim genes; NULL on allocation failure. */
ga_cache *ga_cache_alloc(size_t dim);
void ga_cache_free(ga_cache *c);

/* 1 and the fitness in *fitness if genes were seen, else 0. */
int ga_cache_lookup(const ga_cache *c, const double *genes, double *fitness);

/* Remember genes -> fitness (the first value stays). 0, or -1 out of memory. */
int ga_cache_insert(ga_cache *c, const double *genes, double fitness);

/* Number of individuals held. */
size_t ga_cache_size(const ga_cache *c);

#endif
