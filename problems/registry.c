/* registry.c - problem names to problem objects. */
#include "problem.h"

#include <stdlib.h>
#include <string.h>

#include "../ga/util.h"
#include "classic.h"
#include "mixed.h"

static const prob_family families[] = {
    { "sphere:dD", "sum x^2 on [-5.12, 5.12]^D" },
    { "rastrigin:dD", "10D + sum(x^2 - 10 cos 2 pi x) on [-5.12, 5.12]^D" },
    { "rosenbrock:dD", "sum 100(x[i+1]-x[i]^2)^2 + (1-x[i])^2 on [-5, 10]^D" },
    { "ackley:dD", "Ackley (20, 0.2, 2 pi) on [-32.768, 32.768]^D" },
    { "griewank:dD", "Griewank on [-600, 600]^D" },
    { "schwefel:dD", "Schwefel 418.98D - sum x sin sqrt|x| on [-500, 500]^D" },
    { "styblinski_tang:dD", "Styblinski-Tang minus its optimum, on [-5, 5]^D" },
    { "levy:dD", "Levy on [-10, 10]^D" },
    { "mixed:cnn[:noisy]", "CNN-like mixed space (9 params), optimum 0.25" },
    { "mixed:transformer[:noisy]", "DeepTTC-like mixed space (11 params), "
      "optimum 0.18" },
    { "mixed:ripple[:noisy]", "multimodal mixed space (8 params), optimum 0" },
};

const prob_family *prob_families(size_t *n)
{
    *n = sizeof families / sizeof families[0];
    return families;
}

unsigned long prob_noise_seed(unsigned long seed, long generation, size_t index)
{
    /* splitmix64's finaliser over the three numbers: well-spread seeds */
    unsigned long long z = seed * 0x9e3779b97f4a7c15ULL +
                           (unsigned long long)(generation + 1) * 0xbf58476d1ce4e5b9ULL +
                           (unsigned long long)index * 0x94d049bb133111ebULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return (unsigned long)(z ^ (z >> 31));
}

void prob_free(prob_problem *p)
{
    if (!p)
        return;
    ga_space_free(p->space);
    free(p->x_opt);
    if (p->free_data)
        p->free_data((void *)p->data);
    free(p);
}

prob_problem *prob_lookup(const char *name, ga_error *err)
{
    char family[64];
    const char *colon = strchr(name, ':');
    size_t len = colon ? (size_t)(colon - name) : strlen(name);
    if (len == 0 || len >= sizeof family)
        goto unknown;
    memcpy(family, name, len);
    family[len] = '\0';
    if (prob_classic_known(family)) {
        long dim;
        if (!colon || colon[1] != 'd' || ga_parse_long(colon + 2, &dim) != 0 ||
            dim < 1 || dim > 100000) {
            ga_error_set(err, GA_EINPUT, "problem '%s': expected %s:dD with D a "
                         "dimension >= 1, e.g. %s:d10", name, family, family);
            return NULL;
        }
        return prob_classic_alloc(family, (size_t)dim, err);
    }
    if (strcmp(family, "mixed") == 0 && colon) {
        char sub[64];
        const char *rest = colon + 1;
        const char *c2 = strchr(rest, ':');
        size_t n = c2 ? (size_t)(c2 - rest) : strlen(rest);
        int noisy = c2 && strcmp(c2 + 1, "noisy") == 0;
        if (n == 0 || n >= sizeof sub || (c2 && !noisy))
            goto unknown;
        memcpy(sub, rest, n);
        sub[n] = '\0';
        if (!prob_mixed_known(sub))
            goto unknown;
        return prob_mixed_alloc(sub, noisy, err);
    }
unknown:
    ga_error_set(err, GA_EINPUT, "unknown problem '%s'; `gahpo problems list` "
                 "shows the known ones (e.g. sphere:d10, rastrigin:d5)", name);
    return NULL;
}
