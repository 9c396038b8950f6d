/* space.c - loading, validating and describing CANDLE-format spaces.
 *
 * The loader accepts every quirk of real CANDLE files (unknown keys such as
 * "comment", numbers given as strings, a sigma wider than the range) and
 * rejects everything that would let an operator produce an illegal value. */
#include "space.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *const type_names[] = {
    "int", "float", "categorical", "ordered", "logical", "constant"
};

static const char *const elem_names[] = { "int", "float", "string", "logical" };

const char *ga_type_name(ga_type type)
{
    return type_names[type];
}

static void add_warning(ga_space *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void add_warning(ga_space *s, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char **w = realloc(s->warnings, (s->nwarnings + 1) * sizeof *w);
    if (!w)
        return;
    s->warnings = w;
    w[s->nwarnings] = ga_strdup(buf);
    if (w[s->nwarnings])
        s->nwarnings++;
}

void ga_space_free(ga_space *space)
{
    if (!space)
        return;
    for (size_t i = 0; i < space->n; i++) {
        free(space->params[i].name);
        cJSON_Delete(space->params[i].values);
        cJSON_Delete(space->params[i].value);
    }
    free(space->params);
    for (size_t i = 0; i < space->nwarnings; i++)
        free(space->warnings[i]);
    free(space->warnings);
    free(space);
}

static void space_derive(ga_space *s)
{
    s->all_float = 1;
    for (size_t i = 0; i < s->n; i++)
        if (s->params[i].type != GA_FLOAT || s->params[i].log_scale)
            s->all_float = 0;
}

/* s for a message: valid UTF-8 kept, control and invalid bytes as \xNN. */
static void printable(const char *s, char *buf, size_t size)
{
    size_t n = 0;
    const unsigned char *c = (const unsigned char *)s;
    while (*c && n + 5 < size) {
        size_t len = ga_utf8_sequence((const char *)c);
        if (len > 0 && *c >= 0x20) {
            memcpy(buf + n, c, len);
            n += len;
            c += len;
        } else {
            n += (size_t)snprintf(buf + n, size - n, "\\x%02x", *c++);
        }
    }
    buf[n] = '\0';
}

/* Context for messages about one parameter. */
typedef struct where {
    const char *source;
    size_t index;
    const char *name;
} where;

static int bad(ga_error *err, const where *w, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int bad(ga_error *err, const where *w, const char *fmt, ...)
{
    char what[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (w->name)
        return ga_error_set(err, GA_EINPUT, "%s: parameter '%s' (#%zu): %s",
                            w->source, w->name, w->index, what);
    return ga_error_set(err, GA_EINPUT, "%s: parameter #%zu: %s",
                        w->source, w->index, what);
}

/* Read a numeric key. Numbers given as strings ("0.000495", as in a real
 * CANDLE file) are accepted with a warning. Returns 1 if present, 0 if
 * absent, -1 on error. */
static int get_number(ga_space *s, const cJSON *obj, const char *key,
                      const where *w, double *out, ga_error *err)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!item)
        return 0;
    if (cJSON_IsNumber(item)) {
        *out = item->valuedouble;
    } else if (cJSON_IsString(item)) {
        char *end;
        errno = 0;
        double v = strtod(item->valuestring, &end);
        if (end == item->valuestring || *end != '\0' || errno)
            return bad(err, w, "'%s' must be a number, got the string \"%s\"",
                       key, item->valuestring), -1;
        *out = v;
        add_warning(s, "%s: parameter '%s' (#%zu): '%s' given as a string "
                    "\"%s\", read as the number %s", w->source, w->name,
                    w->index, key, item->valuestring, ga_num(v).s);
    } else {
        return bad(err, w, "'%s' must be a number", key), -1;
    }
    if (!isfinite(*out))
        return bad(err, w, "'%s' must be a finite number", key), -1;
    return 1;
}

static int is_integral(double v)
{
    return v == floor(v) && fabs(v) < 9007199254740992.0; /* 2^53 */
}

/* Does a JSON value belong to element type t? */
static int element_matches(const cJSON *v, ga_elem_type t)
{
    switch (t) {
    case GA_ELEM_INT:
        return cJSON_IsNumber(v) && is_integral(v->valuedouble);
    case GA_ELEM_FLOAT:
        return cJSON_IsNumber(v) && isfinite(v->valuedouble);
    case GA_ELEM_STRING:
        return cJSON_IsString(v);
    case GA_ELEM_LOGICAL:
        return cJSON_IsBool(v);
    }
    return 0;
}

static const char *json_kind(const cJSON *v)
{
    if (cJSON_IsNumber(v))
        return "a number";
    if (cJSON_IsString(v))
        return "a string";
    if (cJSON_IsBool(v))
        return "a boolean";
    if (cJSON_IsNull(v))
        return "null";
    if (cJSON_IsArray(v))
        return "a list";
    return "an object";
}

/* Guess the element type of a values list that has no element_type. */
static int infer_element_type(const cJSON *values, ga_elem_type *t)
{
    int all_int = 1, all_num = 1, all_str = 1, all_bool = 1;
    const cJSON *v;
    cJSON_ArrayForEach(v, values) {
        all_int &= element_matches(v, GA_ELEM_INT);
        all_num &= element_matches(v, GA_ELEM_FLOAT);
        all_str &= element_matches(v, GA_ELEM_STRING);
        all_bool &= element_matches(v, GA_ELEM_LOGICAL);
    }
    if (all_int)
        *t = GA_ELEM_INT;
    else if (all_num)
        *t = GA_ELEM_FLOAT;
    else if (all_str)
        *t = GA_ELEM_STRING;
    else if (all_bool)
        *t = GA_ELEM_LOGICAL;
    else
        return -1;
    return 0;
}

static int load_values(ga_space *s, const cJSON *obj, ga_param *p,
                       const where *w, ga_error *err)
{
    const cJSON *values = cJSON_GetObjectItemCaseSensitive(obj, "values");
    if (!values)
        return bad(err, w, "a %s parameter needs 'values', a non-empty list",
                   ga_type_name(p->type));
    if (!cJSON_IsArray(values))
        return bad(err, w, "'values' must be a list, got %s", json_kind(values));
    int n = cJSON_GetArraySize(values);
    if (n == 0)
        return bad(err, w, "'values' is empty; expected at least one value");

    const cJSON *et = cJSON_GetObjectItemCaseSensitive(obj, "element_type");
    if (et) {
        if (!cJSON_IsString(et))
            return bad(err, w, "'element_type' must be one of int, float, "
                       "string, logical");
        int found = 0;
        for (int t = 0; t < 4; t++)
            if (strcmp(et->valuestring, elem_names[t]) == 0) {
                p->element_type = (ga_elem_type)t;
                found = 1;
            }
        if (!found)
            return bad(err, w, "unknown element_type '%s'; expected one of "
                       "int, float, string, logical", et->valuestring);
    } else if (infer_element_type(values, &p->element_type) != 0) {
        return bad(err, w, "'values' mix types and there is no "
                   "'element_type' (int, float, string or logical)");
    } else {
        add_warning(s, "%s: parameter '%s' (#%zu): no 'element_type'; "
                    "inferred '%s' from the values", w->source, w->name,
                    w->index, elem_names[p->element_type]);
    }

    int i = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, values) {
        if (!element_matches(v, p->element_type))
            return bad(err, w, "value #%d is %s, which is not of "
                       "element_type '%s'", i, json_kind(v),
                       elem_names[p->element_type]);
        int j = 0;
        const cJSON *u;
        cJSON_ArrayForEach(u, values) {
            if (j >= i)
                break;
            if (cJSON_Compare(u, v, 1))
                return bad(err, w, "value #%d repeats value #%d", i, j);
            j++;
        }
        i++;
    }
    p->nvalues = (size_t)n;
    p->values = cJSON_Duplicate(values, 1);
    if (!p->values)
        return ga_error_set(err, GA_EFAIL, "out of memory");
    return GA_OK;
}

static int load_bounds(ga_space *s, const cJSON *obj, ga_param *p,
                       const where *w, ga_error *err)
{
    int r;
    if ((r = get_number(s, obj, "lower", w, &p->lower, err)) <= 0)
        return r < 0 ? GA_EINPUT : bad(err, w, "'lower' is missing; a %s "
                                       "parameter needs numeric 'lower' and "
                                       "'upper'", ga_type_name(p->type));
    if ((r = get_number(s, obj, "upper", w, &p->upper, err)) <= 0)
        return r < 0 ? GA_EINPUT : bad(err, w, "'upper' is missing; a %s "
                                       "parameter needs numeric 'lower' and "
                                       "'upper'", ga_type_name(p->type));
    if (p->type == GA_INT && (!is_integral(p->lower) || !is_integral(p->upper)))
        return bad(err, w, "int bounds must be integers, got lower=%s "
                   "upper=%s", ga_num(p->lower).s, ga_num(p->upper).s);
    if (p->lower >= p->upper)
        return bad(err, w, "'lower' (%s) must be less than 'upper' (%s)",
                   ga_num(p->lower).s, ga_num(p->upper).s);
    /* the operators draw lower + u (upper - lower): an infinite range would
     * hand the model inf */
    if (!isfinite(p->upper - p->lower))
        return bad(err, w, "upper - lower (%s - %s) must be a finite number; "
                   "narrow the range", ga_num(p->upper).s, ga_num(p->lower).s);

    const cJSON *ls = cJSON_GetObjectItemCaseSensitive(obj, "log_scale");
    if (ls) {
        if (!cJSON_IsBool(ls))
            return bad(err, w, "'log_scale' must be true or false");
        p->log_scale = cJSON_IsTrue(ls);
    }
    if (p->log_scale && p->lower <= 0)
        return bad(err, w, "log_scale needs 'lower' > 0, got %s",
                   ga_num(p->lower).s);
    /* finite for every finite lower > 0, checked all the same: mutation
     * works on these */
    if (p->log_scale && !isfinite(log10(p->upper) - log10(p->lower)))
        return bad(err, w, "log10(upper) - log10(lower) must be a finite "
                   "number");

    p->sigma = p->log_scale ? (log10(p->upper) - log10(p->lower)) / 10
                            : (p->upper - p->lower) / 10;
    if ((r = get_number(s, obj, "sigma", w, &p->sigma, err)) < 0)
        return GA_EINPUT;
    if (p->sigma < 0)
        return bad(err, w, "'sigma' must be >= 0, got %s", ga_num(p->sigma).s);
    return GA_OK;
}

/* Keys each type understands; anything else is warned about and ignored. */
static int key_known(ga_type t, const char *key)
{
    if (!strcmp(key, "name") || !strcmp(key, "type"))
        return 1;
    switch (t) {
    case GA_INT:
    case GA_FLOAT:
        return !strcmp(key, "lower") || !strcmp(key, "upper") ||
               !strcmp(key, "sigma") || !strcmp(key, "log_scale");
    case GA_CATEGORICAL:
        return !strcmp(key, "values") || !strcmp(key, "element_type");
    case GA_ORDERED:
        return !strcmp(key, "values") || !strcmp(key, "element_type") ||
               !strcmp(key, "sigma");
    case GA_LOGICAL:
        return 0;
    case GA_CONSTANT:
        return !strcmp(key, "value");
    }
    return 0;
}

static int load_param(ga_space *s, const cJSON *obj, size_t index,
                      const char *source, ga_param *p, ga_error *err)
{
    where w = { source, index, NULL };
    if (!cJSON_IsObject(obj))
        return bad(err, &w, "expected an object with 'name' and 'type', got %s",
                   json_kind(obj));
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(obj, "name");
    if (!name)
        return bad(err, &w, "'name' is missing");
    if (!cJSON_IsString(name) || name->valuestring[0] == '\0')
        return bad(err, &w, "'name' must be a non-empty string");
    w.name = name->valuestring;
    for (size_t i = 0; i < index; i++)
        if (strcmp(s->params[i].name, name->valuestring) == 0)
            return bad(err, &w, "duplicate name: parameter #%zu has the same "
                       "name", i);
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(obj, "type");
    if (!type)
        return bad(err, &w, "'type' is missing; expected one of int, float, "
                   "categorical, ordered, logical, constant");
    int t = -1;
    if (cJSON_IsString(type))
        for (int k = 0; k < 6; k++)
            if (strcmp(type->valuestring, type_names[k]) == 0)
                t = k;
    if (t < 0)
        return bad(err, &w, "unknown type %s%s%s; expected one of int, float, "
                   "categorical, ordered, logical, constant",
                   cJSON_IsString(type) ? "'" : "",
                   cJSON_IsString(type) ? type->valuestring : json_kind(type),
                   cJSON_IsString(type) ? "'" : "");
    p->name = ga_strdup(name->valuestring);
    if (!p->name)
        return ga_error_set(err, GA_EFAIL, "out of memory");
    p->type = (ga_type)t;

    int rc = GA_OK;
    switch (p->type) {
    case GA_INT:
    case GA_FLOAT:
        rc = load_bounds(s, obj, p, &w, err);
        break;
    case GA_CATEGORICAL:
        rc = load_values(s, obj, p, &w, err);
        break;
    case GA_ORDERED:
        rc = load_values(s, obj, p, &w, err);
        if (rc == GA_OK) {
            p->sigma = (double)p->nvalues / 10;
            if (get_number(s, obj, "sigma", &w, &p->sigma, err) < 0)
                return GA_EINPUT;
            if (p->sigma < 0)
                return bad(err, &w, "'sigma' must be >= 0, got %s",
                           ga_num(p->sigma).s);
        }
        break;
    case GA_LOGICAL:
        break;
    case GA_CONSTANT: {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "value");
        if (!v)
            return bad(err, &w, "a constant needs 'value'");
        p->value = cJSON_Duplicate(v, 1);
        if (!p->value)
            return ga_error_set(err, GA_EFAIL, "out of memory");
        break;
    }
    }
    if (rc != GA_OK)
        return rc;

    const cJSON *kv;
    cJSON_ArrayForEach(kv, obj) {
        if (!key_known(p->type, kv->string))
            add_warning(s, "%s: parameter '%s' (#%zu): unknown key '%s' "
                        "ignored", source, p->name, index, kv->string);
    }
    return GA_OK;
}

/* A string cJSON cannot hold whole (\u0000) or the model's json.load
 * cannot read (not UTF-8), named by its parameter, before anything else
 * reads the cut-short strings. GA_OK if there is none. */
static int check_strings(const char *text, const cJSON *root,
                         const char *source, ga_error *err)
{
    ga_json_flaw flaw;
    if (!ga_json_bad_string(text, GA_JSON_NUL | GA_JSON_UTF8, &flaw))
        return GA_OK;
    char at[64];
    snprintf(at, sizeof at, "%d:%d", flaw.line, flaw.column);
    const cJSON *obj = flaw.element >= 0 ? cJSON_GetArrayItem(root,
                                                             (int)flaw.element)
                                         : NULL;
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(obj, "name");
    if (flaw.element < 0)
        return ga_error_set(err, GA_EINPUT, "%s:%s: a string %s", source, at,
                            flaw.what);
    if (!cJSON_IsString(name))
        return ga_error_set(err, GA_EINPUT, "%s:%s: parameter #%ld: a string "
                            "%s", source, at, flaw.element, flaw.what);
    char shown[256];
    printable(name->valuestring, shown, sizeof shown);
    return ga_error_set(err, GA_EINPUT, "%s:%s: parameter '%s' (#%ld): a "
                        "string %s", source, at, shown, flaw.element,
                        flaw.what);
}

ga_space *ga_space_parse(const char *text, const char *source, ga_error *err)
{
    cJSON *root = ga_json_parse(text, source, "; a space is a JSON list of "
                                "parameter objects", err);
    if (!root)
        return NULL;
    if (check_strings(text, root, source, err) != GA_OK) {
        cJSON_Delete(root);
        return NULL;
    }
    if (!cJSON_IsArray(root)) {
        ga_error_set(err, GA_EINPUT, "%s: the top level must be a JSON list "
                     "of parameter objects, got %s", source, json_kind(root));
        cJSON_Delete(root);
        return NULL;
    }
    int n = cJSON_GetArraySize(root);
    if (n == 0) {
        ga_error_set(err, GA_EINPUT, "%s: the space is an empty list; expected "
                     "at least one parameter", source);
        cJSON_Delete(root);
        return NULL;
    }
    ga_space *s = calloc(1, sizeof *s);
    if (s)
        s->params = calloc((size_t)n, sizeof *s->params);
    if (!s || !s->params) {
        free(s);
        cJSON_Delete(root);
        ga_error_set(err, GA_EFAIL, "out of memory");
        return NULL;
    }
    size_t i = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, root) {
        s->n = i + 1;  /* so ga_space_free releases a half-built param */
        if (load_param(s, item, i, source, &s->params[i], err) != GA_OK) {
            ga_space_free(s);
            cJSON_Delete(root);
            return NULL;
        }
        i++;
    }
    cJSON_Delete(root);
    space_derive(s);
    return s;
}

ga_space *ga_space_load(const char *path, ga_error *err)
{
    size_t len;
    char *text = ga_read_file(path, &len, err);
    if (!text)
        return NULL;
    if (strlen(text) != len) {  /* the parser would stop there, unseen */
        ga_error_set(err, GA_EINPUT, "%s: a NUL byte at byte %zu; a space is "
                     "JSON text", path, strlen(text));
        free(text);
        return NULL;
    }
    ga_space *s = ga_space_parse(text, path, err);
    free(text);
    return s;
}

ga_space *ga_space_alloc_box(size_t dim, double lower, double upper)
{
    ga_space *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->params = calloc(dim, sizeof *s->params);
    if (!s->params) {
        free(s);
        return NULL;
    }
    for (size_t i = 0; i < dim; i++) {
        char name[32];
        snprintf(name, sizeof name, "x%zu", i);
        ga_param *p = &s->params[i];
        s->n = i + 1;
        p->name = ga_strdup(name);
        if (!p->name) {
            ga_space_free(s);
            return NULL;
        }
        p->type = GA_FLOAT;
        p->lower = lower;
        p->upper = upper;
        p->sigma = (upper - lower) / 10;
    }
    space_derive(s);
    return s;
}

ga_space *ga_space_clone(const ga_space *src)
{
    ga_space *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->params = calloc(src->n ? src->n : 1, sizeof *s->params);
    if (!s->params) {
        free(s);
        return NULL;
    }
    for (size_t i = 0; i < src->n; i++) {
        ga_param *p = &s->params[i];
        *p = src->params[i];
        p->name = NULL;
        p->values = NULL;
        p->value = NULL;
        s->n = i + 1;
        p->name = ga_strdup(src->params[i].name);
        if (src->params[i].values)
            p->values = cJSON_Duplicate(src->params[i].values, 1);
        if (src->params[i].value)
            p->value = cJSON_Duplicate(src->params[i].value, 1);
        if (!p->name || (src->params[i].values && !p->values) ||
            (src->params[i].value && !p->value)) {
            ga_space_free(s);
            return NULL;
        }
    }
    space_derive(s);
    return s;
}

long ga_space_find(const ga_space *space, const char *name)
{
    for (size_t i = 0; i < space->n; i++)
        if (strcmp(space->params[i].name, name) == 0)
            return (long)i;
    return -1;
}

int ga_param_gene_valid(const ga_param *p, double g)
{
    if (!isfinite(g))
        return 0;
    switch (p->type) {
    case GA_INT:
        return g == floor(g) && g >= p->lower && g <= p->upper;
    case GA_FLOAT:
        return g >= p->lower && g <= p->upper;
    case GA_CATEGORICAL:
    case GA_ORDERED:
        return g == floor(g) && g >= 0 && g < (double)p->nvalues;
    case GA_LOGICAL:
        return g == 0 || g == 1;
    case GA_CONSTANT:
        return g == 0;
    }
    return 0;
}

cJSON *ga_param_gene_to_json(const ga_param *p, double g)
{
    switch (p->type) {
    case GA_INT:
    case GA_FLOAT:
        return ga_json_number(g);
    case GA_CATEGORICAL:
    case GA_ORDERED:
        return cJSON_Duplicate(cJSON_GetArrayItem(p->values, (int)g), 1);
    case GA_LOGICAL:
        return cJSON_CreateBool(g != 0);
    case GA_CONSTANT:
        return cJSON_Duplicate(p->value, 1);
    }
    return NULL;
}

/* Text of a JSON scalar for a command line. */
static int format_json(const cJSON *v, char *buf, size_t size)
{
    int n;
    if (cJSON_IsString(v))
        n = snprintf(buf, size, "%s", v->valuestring);
    else if (cJSON_IsBool(v))
        n = snprintf(buf, size, "%s", cJSON_IsTrue(v) ? "True" : "False");
    else if (cJSON_IsNumber(v))
        return ga_format_double(v->valuedouble, buf, size);
    else {
        char *s = cJSON_PrintUnformatted(v);
        if (!s)
            return -1;
        n = snprintf(buf, size, "%s", s);
        free(s);
    }
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

int ga_param_gene_format(const ga_param *p, double g, char *buf, size_t size)
{
    switch (p->type) {
    case GA_INT:
    case GA_FLOAT:
        return ga_format_double(g, buf, size);
    case GA_CATEGORICAL:
    case GA_ORDERED:
        return format_json(cJSON_GetArrayItem(p->values, (int)g), buf, size);
    case GA_LOGICAL:
        return snprintf(buf, size, "%s", g != 0 ? "True" : "False") >= (int)size
                   ? -1 : 0;
    case GA_CONSTANT:
        return format_json(p->value, buf, size);
    }
    return -1;
}

static int parse_bool(const char *t, int *out)
{
    static const char *const yes[] = { "1", "true", "True", "TRUE", "yes" };
    static const char *const no[] = { "0", "false", "False", "FALSE", "no" };
    for (size_t i = 0; i < 5; i++) {
        if (!strcmp(t, yes[i])) {
            *out = 1;
            return 0;
        }
        if (!strcmp(t, no[i])) {
            *out = 0;
            return 0;
        }
    }
    return -1;
}

int ga_param_gene_parse(const ga_param *p, const char *text, double *gene,
                        ga_error *err)
{
    double v;
    int b;
    switch (p->type) {
    case GA_INT:
    case GA_FLOAT:
        if (ga_parse_double(text, &v) != 0)
            return ga_error_set(err, GA_EINPUT, "parameter '%s': expected a "
                                "number, got \"%s\"", p->name, text);
        if (p->type == GA_INT && v != floor(v))
            return ga_error_set(err, GA_EINPUT, "parameter '%s': expected an "
                                "integer, got \"%s\"", p->name, text);
        if (v < p->lower || v > p->upper)
            return ga_error_set(err, GA_EINPUT, "parameter '%s': %s is outside "
                                "[%s, %s]", p->name, text, ga_num(p->lower).s,
                                ga_num(p->upper).s);
        *gene = v;
        return GA_OK;
    case GA_LOGICAL:
        if (parse_bool(text, &b) != 0)
            return ga_error_set(err, GA_EINPUT, "parameter '%s': expected "
                                "true or false, got \"%s\"", p->name, text);
        *gene = b;
        return GA_OK;
    case GA_CONSTANT:
        *gene = 0;
        return GA_OK;
    case GA_CATEGORICAL:
    case GA_ORDERED: {
        size_t i = 0;
        const cJSON *item;
        cJSON_ArrayForEach(item, p->values) {
            int match = 0;
            if (cJSON_IsString(item))
                match = strcmp(item->valuestring, text) == 0;
            else if (cJSON_IsNumber(item))
                match = ga_parse_double(text, &v) == 0 && v == item->valuedouble;
            else if (cJSON_IsBool(item))
                match = parse_bool(text, &b) == 0 && b == cJSON_IsTrue(item);
            if (match) {
                *gene = (double)i;
                return GA_OK;
            }
            i++;
        }
        return ga_error_set(err, GA_EINPUT, "parameter '%s': \"%s\" is not one "
                            "of its values", p->name, text);
    }
    }
    return GA_EINPUT;
}

int ga_param_gene_from_json(const ga_param *p, const cJSON *item, double *gene,
                            ga_error *err)
{
    char buf[4096];
    if (cJSON_IsString(item))
        return ga_param_gene_parse(p, item->valuestring, gene, err);
    if (cJSON_IsNumber(item) || cJSON_IsBool(item)) {
        if (format_json(item, buf, sizeof buf) != 0)
            return ga_error_set(err, GA_EINPUT, "parameter '%s': value too "
                                "long", p->name);
        if (cJSON_IsNumber(item) && p->type != GA_INT && p->type != GA_FLOAT &&
            p->type != GA_CONSTANT) {
            /* match numbers by value, not by text */
            size_t i = 0;
            const cJSON *v;
            cJSON_ArrayForEach(v, p->values) {
                if (cJSON_IsNumber(v) && v->valuedouble == item->valuedouble) {
                    *gene = (double)i;
                    return GA_OK;
                }
                i++;
            }
            if (p->type == GA_LOGICAL && (item->valuedouble == 0 ||
                                          item->valuedouble == 1)) {
                *gene = item->valuedouble;
                return GA_OK;
            }
            return ga_error_set(err, GA_EINPUT, "parameter '%s': %s is not one "
                                "of its values", p->name, buf);
        }
        if (cJSON_IsNumber(item) && (p->type == GA_INT || p->type == GA_FLOAT)) {
            double v = item->valuedouble;
            if (p->type == GA_INT && v != floor(v))
                return ga_error_set(err, GA_EINPUT, "parameter '%s': expected "
                                    "an integer, got %s", p->name, buf);
            if (v < p->lower || v > p->upper)
                return ga_error_set(err, GA_EINPUT, "parameter '%s': %s is "
                                    "outside [%s, %s]", p->name, buf,
                                    ga_num(p->lower).s, ga_num(p->upper).s);
            *gene = v;
            return GA_OK;
        }
        return ga_param_gene_parse(p, buf, gene, err);
    }
    if (p->type == GA_CONSTANT) {
        *gene = 0;
        return GA_OK;
    }
    return ga_error_set(err, GA_EINPUT, "parameter '%s': expected a value of "
                        "type %s, got %s", p->name, ga_type_name(p->type),
                        json_kind(item));
}

void ga_space_describe(const ga_space *space, FILE *out)
{
    for (size_t i = 0; i < space->n; i++) {
        const ga_param *p = &space->params[i];
        char *vals;
        fprintf(out, "%-3zu %-24s %-12s", i, p->name, ga_type_name(p->type));
        switch (p->type) {
        case GA_INT:
        case GA_FLOAT:
            fprintf(out, "[%.10g, %.10g]%s  sigma %.10g%s\n", p->lower,
                    p->upper, p->log_scale ? " log_scale" : "", p->sigma,
                    p->log_scale ? " (log10 units)" : "");
            break;
        case GA_CATEGORICAL:
        case GA_ORDERED:
            vals = cJSON_PrintUnformatted(p->values);
            fprintf(out, "%zu %s values %s", p->nvalues,
                    elem_names[p->element_type], vals ? vals : "?");
            if (p->type == GA_ORDERED)
                fprintf(out, "  sigma %.10g (index units)", p->sigma);
            fputc('\n', out);
            free(vals);
            break;
        case GA_LOGICAL:
            fprintf(out, "true/false\n");
            break;
        case GA_CONSTANT:
            vals = cJSON_PrintUnformatted(p->value);
            fprintf(out, "= %s\n", vals ? vals : "?");
            free(vals);
            break;
        }
    }
}

