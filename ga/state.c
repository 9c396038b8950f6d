/* state.c - exact numbers and generator states in checkpoint files. */
#include "state.h"


#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "space.h"
#include "util.h"

cJSON *ga_state_number(double v)
{
    char buf[40];
    if (isnan(v))
        return cJSON_CreateNull();
    snprintf(buf, sizeof buf, "%a", v);
    return cJSON_CreateString(buf);
}

cJSON *ga_state_numbers(const double *v, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < n; i++)
        cJSON_AddItemToArray(a, ga_state_number(v[i]));
    return a;
}

int ga_state_item_number(const cJSON *v, double *out)
{
    if (cJSON_IsNumber(v))
        *out = v->valuedouble;
    else if (cJSON_IsNull(v))
        *out = NAN;
    else if ((cJSON_IsRaw(v) || cJSON_IsString(v)) &&
             ga_parse_double(v->valuestring, out) == 0)
        ;  /* hex-float strings, or raw numbers */
    else
        return -1;
    return 0;
}

int ga_state_read_numbers(const cJSON *o, const char *key, double *out,
                          size_t n, ga_error *err)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsArray(a) || (size_t)cJSON_GetArraySize(a) != n)
        return ga_error_set(err, GA_EINPUT, "checkpoint: '%s' should hold %zu "
                            "numbers", key, n);
    size_t i = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, a) {
        if (ga_state_item_number(v, &out[i]) != 0)
            return ga_error_set(err, GA_EINPUT, "checkpoint: '%s' item %zu is "
                                "not a number", key, i);
        i++;
    }
    return GA_OK;
}

int ga_state_read_number(const cJSON *o, const char *key, double *out,
                         ga_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (ga_state_item_number(v, out) != 0)
        return ga_error_set(err, GA_EINPUT, "checkpoint: '%s' is missing or "
                            "not a number", key);
    return GA_OK;
}

void ga_state_save_rng(cJSON *o, const gsl_rng *rng)
{
    size_t size = gsl_rng_size(rng);
    const unsigned char *raw = gsl_rng_state(rng);
    char *hex = malloc(2 * size + 1);
    if (hex) {
        for (size_t i = 0; i < size; i++)
            snprintf(hex + 2 * i, 3, "%02x", raw[i]);
        cJSON_AddStringToObject(o, "rng", hex);
        free(hex);
    }
    cJSON_AddStringToObject(o, "rng_type", gsl_rng_name(rng));
}

/* mt19937's state ends with its position in the 624 words: GSL trusts
 * it, so a bad one would read outside the state; and its words are 32-bit:
 * a wider one would make draws beyond gsl_rng_max, and indices drawn from
 * them beyond their arrays. */
static int mt19937_state_ok(const unsigned char *raw, size_t size,
                            ga_error *err)
{
    int mti;
    size_t at = 624 * sizeof(unsigned long);
    if (size < at + sizeof mti)
        return ga_error_set(err, GA_EINPUT, "checkpoint: 'rng' is too short");
    memcpy(&mti, raw + at, sizeof mti);
    if (mti < 0 || mti > 624)
        return ga_error_set(err, GA_EINPUT, "checkpoint: 'rng' state is "
                            "corrupt (position %d outside 0..624)", mti);
    for (size_t k = 0; k < 624; k++) {
        unsigned long word;
        memcpy(&word, raw + k * sizeof word, sizeof word);
        if (word > 0xffffffffUL)
            return ga_error_set(err, GA_EINPUT, "checkpoint: 'rng' state "
                                "is corrupt (word %zu is wider than 32 "
                                "bits)", k);
    }
    return GA_OK;
}

int ga_state_restore_rng(const cJSON *o, gsl_rng **rng, int legacy,
                         ga_error *err)
{
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(o, "rng_type");
    const char *want = gsl_rng_name(*rng);
    if (!cJSON_IsString(type))
        return ga_error_set(err, GA_EINPUT, "checkpoint: 'rng_type' is "
                            "missing");
    int old = !strcmp(type->valuestring, "mt19937");
    if (legacy && !old)
        return ga_error_set(err, GA_EINPUT, "checkpoint: 'rng_type' should "
                            "be \"mt19937\" in a checkpoint of this version");
    if (!old && strcmp(type->valuestring, want))
        return ga_error_set(err, GA_EINPUT, "checkpoint: 'rng_type' \"%s\" "
                            "is not a generator this gahpo knows (\"%s\", or "
                            "\"mt19937\" for runs started before it)",
                            type->valuestring, want);
    if (old && strcmp(want, "mt19937")) {
        /* a run started by a gahpo before xoshiro256++ goes on with the
         * generator it started with, so it stays the run it was */
        gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
        if (!r)
            return ga_error_set(err, GA_EFAIL, "out of memory");
        gsl_rng_free(*rng);
        *rng = r;
    }
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "rng");
    size_t size = gsl_rng_size(*rng);
    if (!cJSON_IsString(v) || strlen(v->valuestring) != 2 * size)
        return ga_error_set(err, GA_EINPUT, "checkpoint: 'rng' state is "
                            "missing or has the wrong size");
    unsigned char *raw = gsl_rng_state(*rng);
    for (size_t k = 0; k < size; k++) {
        unsigned int byte;
        if (sscanf(v->valuestring + 2 * k, "%2x", &byte) != 1)
            return ga_error_set(err, GA_EINPUT, "checkpoint: 'rng' is not hex");
        raw[k] = (unsigned char)byte;
    }
    if (old)
        return mt19937_state_ok(raw, size, err);
    if (!ga_rng_state_ok(*rng))
        return ga_error_set(err, GA_EINPUT, "checkpoint: 'rng' state is "
                            "corrupt (all zero)");
    return GA_OK;
}

int ga_state_counts_ok(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!(v[i] >= 0 && v[i] <= 1e15) || v[i] != floor(v[i]))
            return 0;
    return 1;
}

int ga_state_check_genes(const ga_space *space, const double *genes, size_t n,
                         const char *what, ga_error *err)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < space->n; j++)
            if (!ga_param_gene_valid(&space->params[j], genes[i * space->n + j]))
                return ga_error_set(err, GA_EINPUT, "checkpoint: '%s' %zu: the "
                                    "value of '%s' is not valid in the space",
                                    what, i, space->params[j].name);
    return GA_OK;
}

int ga_state_read_count(const cJSON *o, const char *key, long *out, ga_error *err)
{
    double v;
    if (ga_state_read_number(o, key, &v, err))
        return GA_EINPUT;
    if (!(v >= 0) || v > 1e15)
        return ga_error_set(err, GA_EINPUT, "checkpoint: '%s' is out of "
                            "range", key);
    *out = (long)v;
    return GA_OK;
}
