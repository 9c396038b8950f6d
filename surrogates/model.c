/* model.c - fitting a surrogate from a log, and its model file: save with
 * exact numbers and a checksum, load with checks, predictions. */
#include "model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ga/hash.h"
#include "../ga/util.h"

#define FORMAT_NAME "gahpo-surrogate"

void sur_model_free(sur_model *m)
{
    if (!m)
        return;
    ga_space_free(m->space);
    cJSON_Delete(m->space_json);
    sur_encoding_free(m->enc);
    free(m->genes);
    free(m->y);
    free(m->x);
    sur_gp_free(m->gp);
    cJSON_Delete(m->info);
    free(m);
}

/* A model with its space parsed and its training data copied and encoded
 * (the GP not yet conditioned). */
static sur_model *model_new(const char *space_text, const char *source,
                            const double *genes, const double *y, size_t n,
                            int log_y, ga_error *err)
{
    sur_model *m = calloc(1, sizeof *m);
    if (!m) {
        ga_error_set(err, GA_EFAIL, "out of memory");
        return NULL;
    }
    m->log_y = log_y;
    m->n = n;
    m->repeat_var = NAN;
    m->info = cJSON_CreateObject();
    m->space = ga_space_parse(space_text, source, err);
    if (!m->space)
        goto fail;
    m->space_json = cJSON_Parse(space_text);
    m->enc = sur_encoding_alloc(m->space, err);
    if (!m->enc)
        goto fail;
    size_t g = m->space->n, d = m->enc->dim;
    m->genes = malloc((n * g + 1) * sizeof *m->genes);
    m->y = malloc((n + 1) * sizeof *m->y);
    m->x = malloc((n * d + 1) * sizeof *m->x);
    double *ty = malloc((n + 1) * sizeof *ty);
    if (!m->info || !m->space_json || !m->genes || !m->y || !m->x || !ty) {
        free(ty);
        ga_error_set(err, GA_EFAIL, "out of memory");
        goto fail;
    }
    memcpy(m->genes, genes, n * g * sizeof *genes);
    memcpy(m->y, y, n * sizeof *y);
    for (size_t i = 0; i < n; i++) {
        sur_encode(m->enc, genes + i * g, m->x + i * d);
        if (log_y && !(y[i] > 0)) {
            free(ty);
            ga_error_set(err, GA_EINPUT, "%s: the log output transform needs "
                         "objective values > 0; point %zu has %.17g", source,
                         i, y[i]);
            goto fail;
        }
        ty[i] = log_y ? log(y[i]) : y[i];
    }
    m->gp = sur_gp_alloc(m->x, ty, n, d, err);
    free(ty);
    if (!m->gp)
        goto fail;
    return m;
fail:
    sur_model_free(m);
    return NULL;
}

/* m->repeat_var from its training data: 0, or -1 when out of memory. */
static int measure_repeats(sur_model *m)
{
    double *t = malloc((m->n + 1) * sizeof *t);
    if (!t)
        return -1;
    for (size_t i = 0; i < m->n; i++)
        t[i] = m->log_y ? log(m->y[i]) : m->y[i];
    int rc = sur_repeat_variance(m->genes, t, m->n, m->space->n,
                                 &m->repeat_var, &m->repeat_groups,
                                 &m->repeat_points);
    free(t);
    return rc;
}

sur_model *sur_model_fit(const char *space_text, const char *source,
                         const sur_log *log, int log_y,
                         const sur_gp_options *opt, ga_error *err)
{
    ga_space *s = ga_space_parse(space_text, source, err);
    if (!s)
        return NULL;
    size_t dim = s->n;
    ga_space_free(s);
    if (dim != log->dim) {
        ga_error_set(err, GA_EINPUT, "the log has %zu parameters, the space "
                     "%zu", log->dim, dim);
        return NULL;
    }
    sur_model *m = model_new(space_text, source, log->genes, log->y, log->n,
                             log_y, err);
    if (!m)
        return NULL;
    if (measure_repeats(m) != 0) {
        sur_model_free(m);
        ga_error_set(err, GA_EFAIL, "out of memory");
        return NULL;
    }
    if (sur_gp_fit(m->gp, opt, err) != GA_OK) {
        sur_model_free(m);
        return NULL;
    }
    return m;
}

/* Order of two gene rows (memcmp of the doubles: equal rows are equal
 * bytes, since genes are never -0 or NaN). */
static int row_cmp(const double *a, const double *b, size_t g)
{
    return memcmp(a, b, g * sizeof *a);
}

int sur_repeat_variance(const double *genes, const double *t, size_t n,
                        size_t g, double *var, size_t *groups, size_t *points)
{
    *var = NAN;
    *groups = *points = 0;
    size_t *idx = malloc((n + 1) * sizeof *idx);
    if (!idx)
        return -1;
    /* insertion sort of row indices; logs are a few thousand rows */
    for (size_t i = 0; i < n; i++) {
        size_t j = i;
        while (j > 0 && row_cmp(genes + idx[j - 1] * g, genes + i * g, g) > 0) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = i;
    }
    double ss = 0;
    size_t dof = 0;
    for (size_t a = 0; a < n;) {
        size_t b = a + 1;
        while (b < n && row_cmp(genes + idx[a] * g, genes + idx[b] * g, g) == 0)
            b++;
        if (b - a >= 2) {
            double mean = 0;
            for (size_t k = a; k < b; k++)
                mean += t[idx[k]];
            mean /= (double)(b - a);
            for (size_t k = a; k < b; k++)
                ss += (t[idx[k]] - mean) * (t[idx[k]] - mean);
            dof += b - a - 1;
            (*groups)++;
            *points += b - a;
        }
        a = b;
    }
    free(idx);
    if (*groups >= 2 && dof >= 5)
        *var = ss / (double)dof;
    return 0;
}

/* FNV-1a over the bytes of the training data and the hyperparameters (and
 * the repeated points' variance when there is one). */
static unsigned long long checksum(size_t n, size_t g, const double *genes,
                                   const double *y, size_t nt,
                                   const double *theta, int log_y,
                                   double repeat_var)
{
    unsigned long long sizes[4] = { n, g, nt, (unsigned long long)log_y };
    unsigned long long h = ga_fnv1a(GA_FNV1A_INIT, sizes, sizeof sizes);
    h = ga_fnv1a(h, genes, n * g * sizeof *genes);
    h = ga_fnv1a(h, y, n * sizeof *y);
    h = ga_fnv1a(h, theta, nt * sizeof *theta);
    return isnan(repeat_var) ? h : ga_fnv1a(h, &repeat_var, sizeof repeat_var);
}

static cJSON *number_array(const double *v, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < n; i++)
        cJSON_AddItemToArray(a, ga_json_number(v[i]));
    return a;
}

int sur_model_save(const sur_model *m, const char *path, ga_error *err)
{
    size_t g = m->space->n, d = m->enc->dim, nt = sur_gp_ntheta(d);
    const double *theta = sur_gp_theta(m->gp);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "format", FORMAT_NAME);
    cJSON_AddNumberToObject(o, "version", SUR_MODEL_VERSION);
    cJSON_AddItemToObject(o, "space", cJSON_Duplicate(m->space_json, 1));
    cJSON *enc = cJSON_AddObjectToObject(o, "encoding");
    cJSON *names = cJSON_AddArrayToObject(enc, "inputs");
    for (size_t j = 0; j < d; j++)
        cJSON_AddItemToArray(names, cJSON_CreateString(m->enc->names[j]));
    cJSON_AddStringToObject(enc, "output_transform", m->log_y ? "log" : "none");
    cJSON *k = cJSON_AddObjectToObject(o, "kernel");
    cJSON_AddStringToObject(k, "type", "matern52_ard+white");
    cJSON_AddItemToObject(k, "log_length_scales", number_array(theta, d));
    cJSON_AddItemToObject(k, "log_signal_variance", ga_json_number(theta[d]));
    cJSON_AddItemToObject(k, "log_noise_variance", ga_json_number(theta[d + 1]));
    cJSON *ls = cJSON_AddObjectToObject(k, "length_scales");
    for (size_t j = 0; j < d; j++)
        cJSON_AddItemToObject(ls, m->enc->names[j], ga_json_number(exp(theta[j])));
    cJSON_AddStringToObject(k, "note", "length scales in encoded units "
                            "(inputs scaled to [0,1]); variances and mean in "
                            "standardized objective units; informational "
                            "values are recomputed on load");
    cJSON_AddItemToObject(k, "mean", ga_json_number(sur_gp_mean_constant(m->gp)));
    cJSON_AddItemToObject(k, "jitter", ga_json_number(sur_gp_jitter(m->gp)));
    cJSON_AddItemToObject(k, "log_marginal_likelihood",
                          ga_json_number(sur_gp_fitted_lml(m->gp)));
    if (!isnan(m->repeat_var)) {
        cJSON_AddItemToObject(k, "repeat_noise_variance",
                              ga_json_number(m->repeat_var));
        cJSON_AddNumberToObject(k, "repeat_groups", (double)m->repeat_groups);
        cJSON_AddNumberToObject(k, "repeat_points", (double)m->repeat_points);
    }
    cJSON *tr = cJSON_AddObjectToObject(o, "train");
    cJSON_AddNumberToObject(tr, "n", (double)m->n);
    cJSON *rows = cJSON_AddArrayToObject(tr, "genes");
    for (size_t i = 0; i < m->n; i++)
        cJSON_AddItemToArray(rows, number_array(m->genes + i * g, g));
    cJSON_AddItemToObject(tr, "y", number_array(m->y, m->n));
    const cJSON *item;
    cJSON_ArrayForEach(item, m->info)
        cJSON_AddItemToObject(o, item->string, cJSON_Duplicate(item, 1));
    char sum[32];
    snprintf(sum, sizeof sum, "%016llx",
             checksum(m->n, g, m->genes, m->y, nt, theta, m->log_y,
                      m->repeat_var));
    cJSON_AddStringToObject(o, "checksum", sum);
    int rc = ga_write_json_atomic(path, o, err);
    cJSON_Delete(o);
    return rc;
}

/* ---- loading ------------------------------------------------------------- */

static int read_numbers(const cJSON *a, double *out, size_t n)
{
    if (!cJSON_IsArray(a) || (size_t)cJSON_GetArraySize(a) != n)
        return -1;
    size_t i = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, a) {
        if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
            return -1;
        out[i++] = v->valuedouble;
    }
    return 0;
}

static const cJSON *get(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* Line of position p in text, for a parse error. */
static size_t line_of(const char *text, const char *p)
{
    size_t line = 1;
    for (const char *c = text; p && c < p && *c; c++)
        line += *c == '\n';
    return line;
}

/* The model's space (parsed from the file's "space") and whether its
 * "encoding" matches it: the same input names, a known output transform. */
static ga_space *load_space(const char *path, const cJSON *space,
                            const cJSON *enc, char **space_text, int *log_y,
                            size_t *dim, ga_error *err)
{
    char src[4200];
    snprintf(src, sizeof src, "%s (space)", path);
    *space_text = cJSON_Print(space);
    ga_space *sp = *space_text ? ga_space_parse(*space_text, src, err) : NULL;
    if (!sp)
        return NULL;
    sur_encoding *e = sur_encoding_alloc(sp, err);
    if (!e) {
        ga_space_free(sp);
        return NULL;
    }
    const cJSON *inputs = get(enc, "inputs"), *tf = get(enc, "output_transform");
    int ok = cJSON_IsArray(inputs) &&
             (size_t)cJSON_GetArraySize(inputs) == e->dim && cJSON_IsString(tf) &&
             (!strcmp(tf->valuestring, "log") || !strcmp(tf->valuestring, "none"));
    for (size_t j = 0; ok && j < e->dim; j++) {
        const cJSON *nm = cJSON_GetArrayItem(inputs, (int)j);
        ok = cJSON_IsString(nm) && !strcmp(nm->valuestring, e->names[j]);
    }
    *dim = e->dim;
    sur_encoding_free(e);
    if (!ok) {
        ga_error_set(err, GA_EINPUT, "%s: \"encoding\" does not match the "
                     "model's space (inputs or output_transform)", path);
        ga_space_free(sp);
        return NULL;
    }
    *log_y = !strcmp(tf->valuestring, "log");
    return sp;
}

/* "train" (n rows of genes valid in sp, n finite y) and "kernel" (theta).
 * Allocates *genes, *y, *theta (the caller frees them in any case). */
static int load_data(const char *path, const cJSON *tr, const cJSON *kern,
                     const ga_space *sp, size_t d, size_t *n, double **genes,
                     double **y, double **theta, ga_error *err)
{
    size_t g = sp->n;
    const cJSON *rows = get(tr, "genes");
    *n = cJSON_IsArray(rows) ? (size_t)cJSON_GetArraySize(rows) : 0;
    *genes = malloc((*n * g + 1) * sizeof **genes);
    *y = malloc((*n + 1) * sizeof **y);
    *theta = malloc((d + 2) * sizeof **theta);
    if (!*genes || !*y || !*theta)
        return ga_error_set(err, GA_EFAIL, "out of memory");
    if (*n < 2 || read_numbers(get(tr, "y"), *y, *n) != 0)
        return ga_error_set(err, GA_EINPUT, "%s: \"train\" needs \"genes\" "
                            "(rows of %zu numbers) and \"y\" (as many finite "
                            "numbers), at least 2", path, g);
    size_t i = 0;
    const cJSON *row;
    cJSON_ArrayForEach(row, rows) {
        int ok = read_numbers(row, *genes + i * g, g) == 0;
        for (size_t j = 0; ok && j < g; j++)
            ok = ga_param_gene_valid(&sp->params[j], (*genes)[i * g + j]);
        if (!ok)
            return ga_error_set(err, GA_EINPUT, "%s: train.genes row %zu does "
                                "not fit the model's space", path, i);
        i++;
    }
    const cJSON *sf = get(kern, "log_signal_variance");
    const cJSON *sn = get(kern, "log_noise_variance");
    if (read_numbers(get(kern, "log_length_scales"), *theta, d) != 0 ||
        !cJSON_IsNumber(sf) || !cJSON_IsNumber(sn))
        return ga_error_set(err, GA_EINPUT, "%s: \"kernel\" needs %zu "
                            "log_length_scales, log_signal_variance and "
                            "log_noise_variance", path, d);
    (*theta)[d] = sf->valuedouble;
    (*theta)[d + 1] = sn->valuedouble;
    return GA_OK;
}

/* Format, version and sections of a parsed model file. */
static int check_sections(const char *path, const cJSON *o, ga_error *err)
{
    const cJSON *fmt = get(o, "format"), *ver = get(o, "version");
    if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, FORMAT_NAME) != 0)
        return ga_error_set(err, GA_EINPUT, "%s: not a gahpo surrogate model "
                            "(\"format\" should be \"" FORMAT_NAME "\")", path);
    if (!cJSON_IsNumber(ver) || ver->valuedouble != SUR_MODEL_VERSION)
        return ga_error_set(err, GA_EINPUT, "%s: model version %g; this gahpo "
                            "reads version %d (refit with gahpo fit)", path,
                            cJSON_IsNumber(ver) ? ver->valuedouble : -1.0,
                            SUR_MODEL_VERSION);
    if (!cJSON_IsArray(get(o, "space")) || !cJSON_IsObject(get(o, "encoding")) ||
        !cJSON_IsObject(get(o, "kernel")) || !cJSON_IsObject(get(o, "train")) ||
        !cJSON_IsString(get(o, "checksum")))
        return ga_error_set(err, GA_EINPUT, "%s: missing one of \"space\", "
                            "\"encoding\", \"kernel\", \"train\", "
                            "\"checksum\"", path);
    return GA_OK;
}

static int is_core_section(const char *k)
{
    const char *core[] = { "format", "version", "space", "encoding", "kernel",
                           "train", "checksum" };
    for (size_t i = 0; i < sizeof core / sizeof core[0]; i++)
        if (!strcmp(k, core[i]))
            return 1;
    return 0;
}

sur_model *sur_model_load(const char *path, ga_error *err)
{
    char *text = ga_read_file(path, NULL, err);
    if (!text)
        return NULL;
    const char *end = NULL;
    cJSON *o = cJSON_ParseWithOpts(text, &end, 1);
    sur_model *m = NULL;
    ga_space *sp = NULL;
    double *genes = NULL, *y = NULL, *theta = NULL;
    char *space_text = NULL;
    size_t d = 0, n = 0;
    int log_y = 0;
    if (!o) {
        ga_error_set(err, GA_EINPUT, "%s:%zu: not valid JSON (corrupt or "
                     "truncated model file)", path, line_of(text, end));
        goto done;
    }
    if (check_sections(path, o, err) != GA_OK)
        goto done;
    sp = load_space(path, get(o, "space"), get(o, "encoding"), &space_text,
                    &log_y, &d, err);
    if (!sp || load_data(path, get(o, "train"), get(o, "kernel"), sp, d, &n,
                         &genes, &y, &theta, err) != GA_OK)
        goto done;
    /* the repeated points' noise, optional (older files, logs without
     * repeats) */
    const cJSON *rv = get(get(o, "kernel"), "repeat_noise_variance");
    double repeat_var = NAN;
    if (rv && (!cJSON_IsNumber(rv) || !(rv->valuedouble >= 0) ||
               !isfinite(rv->valuedouble))) {
        ga_error_set(err, GA_EINPUT, "%s: kernel.repeat_noise_variance should "
                     "be a finite number >= 0", path);
        goto done;
    }
    if (rv)
        repeat_var = rv->valuedouble;
    char want[32];
    snprintf(want, sizeof want, "%016llx",
             checksum(n, sp->n, genes, y, d + 2, theta, log_y, repeat_var));
    if (strcmp(want, get(o, "checksum")->valuestring) != 0) {
        ga_error_set(err, GA_EINPUT, "%s: checksum mismatch: the training data "
                     "or hyperparameters were changed or corrupted (refit with "
                     "gahpo fit)", path);
        goto done;
    }
    char src[4200];
    snprintf(src, sizeof src, "%s (space)", path);
    m = model_new(space_text, src, genes, y, n, log_y, err);
    if (m && sur_gp_condition(m->gp, theta, err) != GA_OK) {
        sur_model_free(m);
        m = NULL;
    }
    if (m) {
        const cJSON *kern = get(o, "kernel");
        const cJSON *ng = get(kern, "repeat_groups"), *np = get(kern,
                                                              "repeat_points");
        m->repeat_var = repeat_var;
        m->repeat_groups = cJSON_IsNumber(ng) && ng->valuedouble >= 0
                               ? (size_t)ng->valuedouble : 0;
        m->repeat_points = cJSON_IsNumber(np) && np->valuedouble >= 0
                               ? (size_t)np->valuedouble : 0;
    }
    const cJSON *item;
    cJSON_ArrayForEach(item, o) {
        if (m && !is_core_section(item->string))
            cJSON_AddItemToObject(m->info, item->string, cJSON_Duplicate(item, 1));
    }
done:
    ga_space_free(sp);
    cJSON_Delete(o);
    free(text);
    free(space_text);
    free(genes);
    free(y);
    free(theta);
    return m;
}

/* Points encoded at a time by sur_model_predict_latent. */
#define ENCODE_BLOCK 64

size_t sur_model_scratch_size(const sur_model *m)
{
    return ENCODE_BLOCK * m->enc->dim + sur_gp_scratch_size(m->gp);
}

void sur_model_predict_latent(const sur_model *m, const double *genes,
                              size_t npoints, double *mean, double *var,
                              double *scratch)
{
    size_t g = m->space->n, d = m->enc->dim;
    for (size_t p0 = 0; p0 < npoints; p0 += ENCODE_BLOCK) {
        size_t b = npoints - p0 < ENCODE_BLOCK ? npoints - p0 : ENCODE_BLOCK;
        for (size_t p = 0; p < b; p++)
            sur_encode(m->enc, genes + (p0 + p) * g, scratch + p * d);
        int gp_noise = isnan(m->repeat_var);
        sur_gp_predict(m->gp, scratch, b, mean + p0, var ? var + p0 : NULL,
                       gp_noise, scratch + ENCODE_BLOCK * d);
        for (size_t p = 0; var && !gp_noise && p < b; p++)
            var[p0 + p] += m->repeat_var;
    }
}

double sur_model_output(const sur_model *m, double v)
{
    return m->log_y ? exp(v) : v;
}

double sur_model_output_sd(const sur_model *m)
{
    return sur_gp_y_sd(m->gp);
}

void sur_model_length_scales(const sur_model *m, double *out)
{
    const double *theta = sur_gp_theta(m->gp);
    for (size_t j = 0; j < m->enc->dim; j++)
        out[j] = exp(theta[j]);
}
