/* encode.c - mixed-type genes to [0, 1] GP inputs and back. */
#include "encode.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ga/util.h"

void sur_encoding_free(sur_encoding *enc)
{
    if (!enc)
        return;
    for (size_t j = 0; j < enc->dim; j++)
        free(enc->names[j]);
    free(enc->names);
    free(enc->features);
    free(enc);
}

/* Append a feature named name[=level text]. */
static int add(sur_encoding *enc, const ga_param *p, sur_feature f,
               const cJSON *level)
{
    char buf[512];
    if (level) {
        char val[256];
        if (cJSON_IsString(level))
            snprintf(val, sizeof val, "%s", level->valuestring);
        else if (cJSON_IsBool(level))
            snprintf(val, sizeof val, "%s", cJSON_IsTrue(level) ? "true" : "false");
        else if (ga_format_double(level->valuedouble, val, sizeof val) != 0)
            val[0] = '\0';
        snprintf(buf, sizeof buf, "%s=%s", p->name, val);
    } else {
        snprintf(buf, sizeof buf, "%s", p->name);
    }
    enc->features[enc->dim] = f;
    enc->names[enc->dim] = ga_strdup(buf);
    if (!enc->names[enc->dim])
        return -1;
    enc->dim++;
    return 0;
}

sur_encoding *sur_encoding_alloc(const ga_space *space, ga_error *err)
{
    size_t cap = 0;
    for (size_t i = 0; i < space->n; i++)
        cap += space->params[i].type == GA_CATEGORICAL ? space->params[i].nvalues
                                                       : 1;
    sur_encoding *enc = calloc(1, sizeof *enc);
    if (!enc)
        goto oom;
    enc->ngenes = space->n;
    enc->features = calloc(cap + 1, sizeof *enc->features);
    enc->names = calloc(cap + 1, sizeof *enc->names);
    if (!enc->features || !enc->names)
        goto oom;
    for (size_t i = 0; i < space->n; i++) {
        const ga_param *p = &space->params[i];
        sur_feature f = { i, 0, 0, 0, 0, 1 };
        int rc = 0;
        switch (p->type) {
        case GA_INT:
        case GA_FLOAT:
            f.log10 = p->log_scale;
            f.lo = p->log_scale ? log10(p->lower) : p->lower;
            f.hi = p->log_scale ? log10(p->upper) : p->upper;
            rc = add(enc, p, f, NULL);
            break;
        case GA_ORDERED:
            if (p->nvalues < 2)
                break;
            f.hi = (double)(p->nvalues - 1);
            rc = add(enc, p, f, NULL);
            break;
        case GA_CATEGORICAL:
            if (p->nvalues < 2)
                break;
            f.onehot = 1;
            for (size_t v = 0; v < p->nvalues && rc == 0; v++) {
                f.level = v;
                rc = add(enc, p, f, cJSON_GetArrayItem(p->values, (int)v));
            }
            break;
        case GA_LOGICAL:
            rc = add(enc, p, f, NULL);
            break;
        case GA_CONSTANT:
            break;
        }
        if (rc)
            goto oom;
    }
    if (enc->dim == 0) {
        sur_encoding_free(enc);
        ga_error_set(err, GA_EINPUT, "the space has nothing to fit: every "
                     "parameter is constant");
        return NULL;
    }
    return enc;
oom:
    sur_encoding_free(enc);
    ga_error_set(err, GA_EFAIL, "out of memory");
    return NULL;
}

void sur_encode(const sur_encoding *enc, const double *genes, double *z)
{
    for (size_t j = 0; j < enc->dim; j++) {
        const sur_feature *f = &enc->features[j];
        double g = genes[f->gene];
        if (f->onehot)
            z[j] = g == (double)f->level ? 1.0 : 0.0;
        else
            z[j] = ((f->log10 ? log10(g) : g) - f->lo) / (f->hi - f->lo);
    }
}

void sur_decode(const sur_encoding *enc, const ga_space *space,
                const double *z, double *genes)
{
    for (size_t i = 0; i < enc->ngenes; i++)
        genes[i] = 0;
    for (size_t j = 0; j < enc->dim; j++) {
        const sur_feature *f = &enc->features[j];
        const ga_param *p = &space->params[f->gene];
        if (f->onehot) {
            /* the first level of a gene, or a larger one-hot, wins */
            if (f->level == 0 || z[j] > z[j - f->level + (size_t)genes[f->gene]])
                genes[f->gene] = (double)f->level;
            continue;
        }
        double v = f->lo + z[j] * (f->hi - f->lo);
        if (f->log10)
            v = pow(10.0, v);
        if (p->type != GA_FLOAT)
            v = nearbyint(v);
        if (p->type == GA_INT || p->type == GA_FLOAT)
            v = v < p->lower ? p->lower : v > p->upper ? p->upper : v;
        genes[f->gene] = v;
    }
}
