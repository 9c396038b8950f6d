/* registry.c - problem names to problem objects. */
#include "problem.h"

#include <stdlib.h>
#include <string.h>

#include "../ga/util.h"
#include "surrogate.h"
#include "bbob.h"
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
    { "bbob:fF:dD:iI", "BBOB function F (1-24) as COCO computes it, D >= 2, "
      "instance I >= 1; also COCO's id bbob_f015_i03_d10" },
    { "surrogate:NAME[:noisy]", "GP surrogate surrogates/models/NAME.json "
      "(listed below): predictive mean, or a draw with :noisy (the noise "
      "measured from the log's repeated points)" },
    { "surrogate:PATH.json[:noisy]", "a model file of yours, written by "
      "gahpo fit (a '/' or a .json ending makes it a path)" },
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

/* "bbob:f15:d10:i3" or COCO's "bbob_f015_i03_d10". */
static prob_problem *lookup_bbob(const char *name, ga_error *err)
{
    int fid, used = 0;
    long dim, inst;
    if ((sscanf(name, "bbob:f%d:d%ld:i%ld%n", &fid, &dim, &inst, &used) == 3 ||
         sscanf(name, "bbob_f%d_i%ld_d%ld%n", &fid, &inst, &dim, &used) == 3) &&
        name[used] == '\0' && dim >= 2 && dim <= 100000)
        return prob_bbob_alloc(fid, (size_t)dim, inst, err);
    ga_error_set(err, GA_EINPUT, "problem '%s': expected bbob:fF:dD:iI with F "
                 "in 1..24, D >= 2, I >= 1 (e.g. bbob:f15:d10:i3), or COCO's "
                 "bbob_f015_i03_d10", name);
    return NULL;
}

/* "surrogate:PATH.json[:noisy]": a model file of the user's (anything
 * with a '/' or ending in .json is a path). */
static prob_problem *lookup_surrogate_path(const char *rest, ga_error *err)
{
    char path[GA_PATH_MAX];
    size_t n = strlen(rest);
    int noisy = n > 6 && strcmp(rest + n - 6, ":noisy") == 0;
    if (noisy)
        n -= 6;
    if (n == 0 || n >= sizeof path) {
        ga_error_set(err, GA_EINPUT, "problem 'surrogate:%s': expected "
                     "surrogate:PATH.json or surrogate:PATH.json:noisy, PATH "
                     "a model file written by gahpo fit", rest);
        return NULL;
    }
    memcpy(path, rest, n);
    path[n] = '\0';
    char pname[GA_PATH_MAX + 32];
    snprintf(pname, sizeof pname, "surrogate:%s%s", path, noisy ? ":noisy" : "");
    return sur_problem_alloc(path, pname, noisy, err);
}

/* "surrogate:NAME[:noisy]": surrogates/models/NAME.json; a PATH instead of
 * a NAME is the user's model file. */
static prob_problem *lookup_surrogate(const char *rest, ga_error *err)
{
    char model[128], rel[GA_PATH_MAX], path[GA_PATH_MAX];
    const char *colon = strchr(rest, ':');
    size_t n = colon ? (size_t)(colon - rest) : strlen(rest);
    if (strchr(rest, '/') || (n >= 5 && strncmp(rest + n - 5, ".json", 5) == 0))
        return lookup_surrogate_path(rest, err);
    int noisy = colon && strcmp(colon + 1, "noisy") == 0;
    if (n == 0 || n >= sizeof model || (colon && !noisy) ||
        strspn(rest, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                     "0123456789_-") != n) {
        ga_error_set(err, GA_EINPUT, "problem 'surrogate:%s': expected "
                     "surrogate:NAME or surrogate:NAME:noisy, NAME a model in "
                     "surrogates/models/ (`gahpo problems list` shows them), "
                     "or surrogate:PATH.json for a model file of yours", rest);
        return NULL;
    }
    memcpy(model, rest, n);
    model[n] = '\0';
    if (ga_path(rel, sizeof rel, err, "surrogates/models/%s.json", model) ||
        ga_data_path(rel, path, sizeof path, err) != GA_OK)
        return NULL;
    char pname[160];
    snprintf(pname, sizeof pname, "surrogate:%s%s", model, noisy ? ":noisy" : "");
    return sur_problem_alloc(path, pname, noisy, err);
}

prob_problem *prob_lookup(const char *name, ga_error *err)
{
    if (strncmp(name, "bbob:", 5) == 0 || strncmp(name, "bbob_", 5) == 0)
        return lookup_bbob(name, err);
    if (strncmp(name, "surrogate:", 10) == 0)
        return lookup_surrogate(name + 10, err);
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
