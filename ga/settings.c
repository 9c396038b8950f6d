/* settings.c - defaults, parsing, environment and validation of GA settings. */
#include "settings.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void ga_settings_defaults(ga_settings *s)
{
    s->num_iter = 5;
    s->population_size = 16;
    s->strategy = GA_MU_PLUS_LAMBDA;
    s->offspring_prop = 0.5;
    s->mut_prob = 0.8;
    s->cx_prob = 0.2;
    s->mut_indpb = 0.5;
    s->cx_indpb = 0.5;
    s->tournsize = 4;
    s->seed = 1;
    s->nan_policy = GA_NAN_MEAN;
    s->hof_size = 1;
    s->stall_generations = 0;
    s->target = NAN;
    s->max_seconds = 0;
    s->max_evaluations = 0;
}

const char *ga_strategy_name(ga_strategy st)
{
    return st == GA_SIMPLE ? "simple"
         : st == GA_MU_PLUS_LAMBDA ? "mu_plus_lambda"
         : st == GA_RANDOM ? "random" : "async";
}

const char *ga_nan_policy_name(ga_nan_policy p)
{
    return p == GA_NAN_MEAN ? "mean" : p == GA_NAN_WORST ? "worst" : "fail";
}

enum kind { K_LONG, K_PROB, K_DOUBLE, K_STRATEGY, K_NAN, K_SEED };

/* A setting, and for numbers its range (inclusive) and what to add to a
 * message about it. Every long lies in [min, max] before it is cast, so
 * no cast from double is out of range. */
typedef struct setting {
    const char *key;
    enum kind kind;
    size_t offset;
    double min, max;
    const char *note;
} setting;

#define FIELD(f) offsetof(ga_settings, f)
static const setting table[] = {
    { "num_iter", K_LONG, FIELD(num_iter), 1, GA_SETTINGS_MAX_NUM_ITER,
      " (it counts the initial generation)" },
    { "population_size", K_LONG, FIELD(population_size), 2,
      GA_SETTINGS_MAX_POPULATION, "" },
    { "strategy", K_STRATEGY, FIELD(strategy), 0, 0, "" },
    { "offspring_prop", K_DOUBLE, FIELD(offspring_prop), 0,
      GA_SETTINGS_MAX_OFFSPRING_PROP, " (offspring per member of the "
      "population)" },
    { "mut_prob", K_PROB, FIELD(mut_prob), 0, 1, "" },
    { "cx_prob", K_PROB, FIELD(cx_prob), 0, 1, "" },
    { "mut_indpb", K_PROB, FIELD(mut_indpb), 0, 1, "" },
    { "cx_indpb", K_PROB, FIELD(cx_indpb), 0, 1, "" },
    { "tournsize", K_LONG, FIELD(tournsize), 1, GA_SETTINGS_MAX_TOURNSIZE, "" },
    { "seed", K_SEED, FIELD(seed), 0, 4294967295.0, "" },
    { "nan_policy", K_NAN, FIELD(nan_policy), 0, 0, "" },
    { "hof_size", K_LONG, FIELD(hof_size), 1, GA_SETTINGS_MAX_HOF, "" },
    { "stall_generations", K_LONG, FIELD(stall_generations), 0,
      GA_SETTINGS_MAX_STALL, " (0 turns it off)" },
    { "target", K_DOUBLE, FIELD(target), -HUGE_VAL, HUGE_VAL,
      " (none turns it off)" },
    { "max_seconds", K_DOUBLE, FIELD(max_seconds), 0, GA_SETTINGS_MAX_SECONDS,
      " (0 turns it off)" },
    { "max_evaluations", K_LONG, FIELD(max_evaluations), 0,
      (double)GA_SETTINGS_MAX_EVALUATIONS, " (0 turns it off)" },
};
#undef FIELD
#define NSETTINGS (sizeof table / sizeof table[0])

/* "<key> must be >= <min> and at most <max><note>, got " for a message. */
static void range_text(const setting *t, char *buf, size_t size)
{
    if (isinf(t->min))
        snprintf(buf, size, "%s must be a finite number%s, got ", t->key,
                 t->note);
    else
        snprintf(buf, size, "%s must be >= %s and at most %s%s, got ", t->key,
                 ga_num(t->min).s, ga_num(t->max).s, t->note);
}

static int in_range(const setting *t, double v)
{
    return v >= t->min && v <= t->max && isfinite(v);  /* NaN fails */
}

static const setting *find(const char *key)
{
    for (size_t i = 0; i < NSETTINGS; i++)
        if (strcmp(table[i].key, key) == 0)
            return &table[i];
    return NULL;
}

static int set_value(ga_settings *s, const setting *t, const char *text,
                     const char *source, ga_error *err)
{
    char *base = (char *)s + t->offset;
    char range[256];
    range_text(t, range, sizeof range);
    double d;
    long l;
    switch (t->kind) {
    case K_LONG:
        /* 16, and 16.0 or 1e3 as JSON numbers and exponents give them */
        if (ga_parse_long(text, &l) == 0)
            d = (double)l;
        else if (ga_parse_double(text, &d) != 0 || d != floor(d))
            return ga_error_set(err, GA_EINPUT, "%s: %s must be an integer, "
                                "got \"%s\"", source, t->key, text);
        if (!in_range(t, d))
            return ga_error_set(err, GA_EINPUT, "%s: %s\"%s\"", source, range,
                                text);
        *(long *)base = (long)d;
        return GA_OK;
    case K_SEED:
        /* seeds are 32 bits (as mt19937's were, so a run's seed means the
         * same everywhere): larger ones would silently alias */
        if (ga_parse_long(text, &l) != 0 || !in_range(t, (double)l))
            return ga_error_set(err, GA_EINPUT, "%s: seed must be an integer "
                                "in [0, 4294967295], got \"%s\"", source, text);
        *(unsigned long *)base = (unsigned long)l;
        return GA_OK;
    case K_PROB:
        if (ga_parse_double(text, &d) != 0 || !in_range(t, d))
            return ga_error_set(err, GA_EINPUT, "%s: %s must be a probability "
                                "in [0, 1], got \"%s\"", source, t->key, text);
        *(double *)base = d;
        return GA_OK;
    case K_DOUBLE:
        if (strcmp(text, "none") == 0 || strcmp(text, "off") == 0) {
            *(double *)base = strcmp(t->key, "target") == 0 ? NAN : 0;
            return GA_OK;
        }
        if (ga_parse_double(text, &d) != 0)
            return ga_error_set(err, GA_EINPUT, "%s: %s must be a number, got "
                                "\"%s\"", source, t->key, text);
        if (!in_range(t, d))
            return ga_error_set(err, GA_EINPUT, "%s: %s\"%s\"", source, range,
                                text);
        *(double *)base = d;
        return GA_OK;
    case K_STRATEGY:
        if (strcmp(text, "simple") == 0)
            s->strategy = GA_SIMPLE;
        else if (strcmp(text, "mu_plus_lambda") == 0)
            s->strategy = GA_MU_PLUS_LAMBDA;
        else if (strcmp(text, "async") == 0)
            s->strategy = GA_ASYNC;
        else if (strcmp(text, "random") == 0)
            s->strategy = GA_RANDOM;
        else
            return ga_error_set(err, GA_EINPUT, "%s: strategy must be simple, "
                                "mu_plus_lambda, async or random, got \"%s\"",
                                source, text);
        return GA_OK;
    case K_NAN:
        if (strcmp(text, "mean") == 0)
            s->nan_policy = GA_NAN_MEAN;
        else if (strcmp(text, "worst") == 0)
            s->nan_policy = GA_NAN_WORST;
        else if (strcmp(text, "fail") == 0)
            s->nan_policy = GA_NAN_FAIL;
        else
            return ga_error_set(err, GA_EINPUT, "%s: nan_policy must be mean, "
                                "worst or fail, got \"%s\"", source, text);
        return GA_OK;
    }
    return GA_EINPUT;
}

int ga_settings_known(const char *key)
{
    return find(key) != NULL;
}

int ga_settings_set(ga_settings *s, const char *key, const char *value,
                    const char *source, ga_error *err)
{
    const setting *t = find(key);
    if (!t)
        return ga_error_set(err, GA_EINPUT, "%s: unknown setting '%s'", source,
                            key);
    return set_value(s, t, value, source, err);
}

int ga_settings_apply_json(ga_settings *s, const cJSON *obj, const char *source,
                           ga_error *err)
{
    if (!cJSON_IsObject(obj))
        return ga_error_set(err, GA_EINPUT, "%s: expected a JSON object of "
                            "settings", source);
    const cJSON *inner = cJSON_GetObjectItemCaseSensitive(obj, "settings");
    if (inner) {
        if (!cJSON_IsObject(inner))
            return ga_error_set(err, GA_EINPUT, "%s: 'settings' must be an "
                                "object", source);
        obj = inner;
    }
    const cJSON *kv;
    cJSON_ArrayForEach(kv, obj) {
        if (!strcmp(kv->string, "provenance") || !strcmp(kv->string, "comment"))
            continue;
        const setting *t = find(kv->string);
        if (!t)
            return ga_error_set(err, GA_EINPUT, "%s: unknown setting '%s'; "
                                "known: num_iter, population_size, strategy, "
                                "offspring_prop, mut_prob, cx_prob, mut_indpb, "
                                "cx_indpb, tournsize, seed, nan_policy, "
                                "hof_size, stall_generations, target, "
                                "max_seconds, max_evaluations", source,
                                kv->string);
        char buf[64];
        const char *text;
        if (cJSON_IsString(kv))
            text = kv->valuestring;
        else if (cJSON_IsNumber(kv)) {
            ga_format_double(kv->valuedouble, buf, sizeof buf);
            text = buf;
        } else if (cJSON_IsNull(kv) && (t->kind == K_DOUBLE)) {
            text = "none";
        } else
            return ga_error_set(err, GA_EINPUT, "%s: setting '%s' must be a "
                                "number or a string", source, kv->string);
        char where[512];
        snprintf(where, sizeof where, "%s", source);
        if (set_value(s, t, text, where, err) != GA_OK)
            return GA_EINPUT;
    }
    return GA_OK;
}

/* The entry whose value of key is nearest to want in log scale (ties: the
 * smaller; nearest 1), else the largest <= want, else the smallest, among
 * the entries whose other_key matches. */
static const cJSON *pick(const cJSON *entries, const char *key, long want,
                         int nearest, const cJSON *other_key_match,
                         const char *other_key)
{
    const cJSON *best = NULL, *smallest = NULL, *e;
    double lw = log((double)(want > 0 ? want : 1)), bestd = INFINITY;
    cJSON_ArrayForEach(e, entries) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, key);
        if (!cJSON_IsNumber(v) || !(v->valuedouble > 0))
            continue;
        if (other_key_match) {
            const cJSON *o = cJSON_GetObjectItemCaseSensitive(e, other_key);
            if (!cJSON_IsNumber(o) || o->valuedouble != other_key_match->valuedouble)
                continue;
        }
        double x = v->valuedouble;
        if (!smallest || x < cJSON_GetObjectItemCaseSensitive(smallest,
                                                              key)->valuedouble)
            smallest = e;
        if (nearest) {
            double d = fabs(log(x) - lw);
            if (d < bestd || (d == bestd && x < cJSON_GetObjectItemCaseSensitive(
                                                     best, key)->valuedouble)) {
                bestd = d;
                best = e;
            }
        } else if (x <= (double)want &&
                   (!best || x > cJSON_GetObjectItemCaseSensitive(best,
                                                                  key)->valuedouble)) {
            best = e;
        }
    }
    return best ? best : smallest;
}

const cJSON *ga_settings_tuned_entry(const cJSON *root, long budget,
                                     long workers)
{
    const cJSON *entries = cJSON_GetObjectItemCaseSensitive(root, "entries");
    if (!cJSON_IsArray(entries) || budget <= 0)
        return NULL;
    const cJSON *by_budget = pick(entries, "budget", budget, 1, NULL, NULL);
    if (!by_budget)
        return NULL;
    return pick(entries, "workers", workers, 0,
                cJSON_GetObjectItemCaseSensitive(by_budget, "budget"),
                "budget");
}

int ga_settings_apply_tuned(ga_settings *s, const cJSON *root, const char *source,
                            long budget, long workers, char *chosen,
                            size_t chosen_size, ga_error *err)
{
    if (chosen && chosen_size)
        chosen[0] = '\0';
    const cJSON *entries = cJSON_GetObjectItemCaseSensitive(root, "entries");
    if (!entries) {
        if (ga_settings_apply_json(s, root, source, err) != GA_OK)
            return GA_EINPUT;
        if (chosen)
            snprintf(chosen, chosen_size, "%s", source);
        return GA_OK;
    }
    if (!cJSON_IsArray(entries) || cJSON_GetArraySize(entries) == 0)
        return ga_error_set(err, GA_EINPUT, "%s: 'entries' must be a non-empty "
                            "list", source);
    if (budget <= 0)
        return GA_OK;
    const cJSON *e = ga_settings_tuned_entry(root, budget, workers);
    if (!e)
        return ga_error_set(err, GA_EINPUT, "%s: entries need numeric 'budget' "
                            "and 'workers'", source);
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(e, "settings");
    if (!e || ga_settings_apply_json(s, st, source, err) != GA_OK)
        return err && err->status ? err->status
               : ga_error_set(err, GA_EINPUT, "%s: an entry has no settings",
                              source);
    if (chosen)
        snprintf(chosen, chosen_size, "%s (budget %g, workers %g)", source,
                 cJSON_GetObjectItemCaseSensitive(e, "budget")->valuedouble,
                 cJSON_GetObjectItemCaseSensitive(e, "workers")->valuedouble);
    return GA_OK;
}

int ga_settings_load(ga_settings *s, const char *path, ga_error *err)
{
    char *text = ga_read_file(path, NULL, err);
    if (!text)
        return GA_EINPUT;
    cJSON *root = ga_json_parse(text, path, NULL, err);
    ga_json_flaw flaw;
    if (root && ga_json_bad_string(text, GA_JSON_NUL, &flaw)) {
        /* "simple\u0000x" would read as "simple" */
        ga_error_set(err, GA_EINPUT, "%s:%d:%d: a string %s", path, flaw.line,
                     flaw.column, flaw.what);
        cJSON_Delete(root);
        root = NULL;
    }
    free(text);
    if (!root)
        return GA_EINPUT;
    int rc = ga_settings_apply_json(s, root, path, err);
    cJSON_Delete(root);
    return rc;
}

/* CANDLE's variables: the name cfg-prm-1.sh exports first, then the longer
 * name a user may set before sourcing it. */
static const struct { const char *key; const char *names[3]; } env_map[] = {
    { "num_iter", { "NUM_ITERATIONS", NULL, NULL } },
    { "population_size", { "POPULATION_SIZE", NULL, NULL } },
    { "strategy", { "GA_STRATEGY", "STRATEGY", NULL } },
    { "offspring_prop", { "OFFSPRING_PROPORTION", "OFF_PROP", "OFFSPRING_PROP" } },
    { "mut_prob", { "MUT_PROB", "MUTATION_PROBABILITY", NULL } },
    { "cx_prob", { "CX_PROB", "CROSSOVER_PROBABILITY", NULL } },
    { "mut_indpb", { "MUT_INDPB", "GENE_MUTATION_PROBABILITY", NULL } },
    { "cx_indpb", { "CX_INDPB", "GENE_CROSSOVER_PROBABILITY", NULL } },
    { "tournsize", { "TOURNSIZE", "TOURNAMENT_SIZE", NULL } },
    { "seed", { "SEED", NULL, NULL } },
};

int ga_settings_apply_env(ga_settings *s,
                          const char *(*lookup)(void *ctx, const char *name),
                          void *ctx, ga_error *err)
{
    for (size_t i = 0; i < sizeof env_map / sizeof env_map[0]; i++) {
        for (int k = 0; k < 3 && env_map[i].names[k]; k++) {
            const char *v = lookup(ctx, env_map[i].names[k]);
            if (!v || !*v)
                continue;
            char source[128];
            snprintf(source, sizeof source, "environment variable %s",
                     env_map[i].names[k]);
            if (ga_settings_set(s, env_map[i].key, v, source, err) != GA_OK)
                return GA_EINPUT;
            break;
        }
    }
    /* cfg-sys: IGNORE_ERRORS=1 turns failed model runs into NaN (CANDLE's
     * mean rule); 0 stops the workflow at the first failure. */
    const char *ie = lookup(ctx, "IGNORE_ERRORS");
    if (ie && *ie) {
        if (!strcmp(ie, "0"))
            s->nan_policy = GA_NAN_FAIL;
        else if (!strcmp(ie, "1"))
            s->nan_policy = GA_NAN_MEAN;
        else
            return ga_error_set(err, GA_EINPUT, "environment variable "
                                "IGNORE_ERRORS must be 0 or 1, got \"%s\"", ie);
    }
    return GA_OK;
}

long ga_settings_lambda(const ga_settings *s)
{
    double lambda = ga_round_half_even(s->offspring_prop *
                                       (double)s->population_size);
    /* settings that fail validation still get a defined answer */
    if (!(lambda >= 0 && lambda <= 1e15))
        return -1;
    return (long)lambda;
}

size_t ga_settings_count(void)
{
    return NSETTINGS;
}

const char *ga_settings_key(size_t i)
{
    return i < NSETTINGS ? table[i].key : NULL;
}

int ga_settings_same(const ga_settings *a, const ga_settings *b, size_t i)
{
    const setting *t = &table[i];
    const char *x = (const char *)a + t->offset, *y = (const char *)b + t->offset;
    switch (t->kind) {
    case K_LONG:
        return *(const long *)x == *(const long *)y;
    case K_SEED:
        return *(const unsigned long *)x == *(const unsigned long *)y;
    case K_PROB:
    case K_DOUBLE: {
        double u = *(const double *)x, v = *(const double *)y;
        return u == v || (isnan(u) && isnan(v));
    }
    case K_STRATEGY:
        return a->strategy == b->strategy;
    case K_NAN:
        return a->nan_policy == b->nan_policy;
    }
    return 0;
}

void ga_settings_unlike(const ga_settings *s, ga_settings *out)
{
    *out = *s;
    for (size_t i = 0; i < NSETTINGS; i++) {
        const setting *t = &table[i];
        char *x = (char *)out + t->offset;
        switch (t->kind) {
        case K_LONG: {
            long *v = (long *)x;
            *v = *v > (long)t->min ? *v - 1 : *v + 1;
            break;
        }
        case K_SEED: {
            unsigned long *v = (unsigned long *)x;
            *v = *v > 0 ? *v - 1 : *v + 1;
            break;
        }
        case K_PROB:
        case K_DOUBLE: {
            double *v = (double *)x;
            *v = isnan(*v) ? 0 : *v > t->min ? *v / 2 - 0.5 : *v + 1;
            if (isinf(t->min) && !isnan(*v))
                *v = isnan(*(double *)((char *)s + t->offset)) ? 0 : NAN;
            break;
        }
        case K_STRATEGY:
            out->strategy = s->strategy == GA_SIMPLE ? GA_RANDOM : GA_SIMPLE;
            break;
        case K_NAN:
            out->nan_policy = s->nan_policy == GA_NAN_MEAN ? GA_NAN_FAIL
                                                           : GA_NAN_MEAN;
            break;
        }
    }
}

long ga_settings_batch(const ga_settings *s)
{
    if (s->strategy == GA_MU_PLUS_LAMBDA || s->strategy == GA_ASYNC)
        return ga_settings_lambda(s);
    return s->population_size;
}

int ga_settings_full_batches(const ga_settings *s)
{
    return s->strategy == GA_RANDOM || s->strategy == GA_ASYNC ||
           (s->strategy == GA_MU_PLUS_LAMBDA &&
            s->cx_prob + s->mut_prob >= 1.0 - 1e-12);
}

long ga_settings_generations_for(const ga_settings *s, long budget)
{
    long n = s->population_size, batch = ga_settings_batch(s);
    if (budget < n || batch < 1)
        return -1;
    long rest = budget - n;
    if (ga_settings_full_batches(s)) {
        long gens = 1 + (rest + batch - 1) / batch;
        return gens < GA_SETTINGS_MAX_NUM_ITER ? gens : GA_SETTINGS_MAX_NUM_ITER;
    }
    /* only the children crossover or mutation touched are evaluated (each
     * with chance p): enough generations that the budget, not num_iter,
     * ends the run (4 x the expected number, and 10 more) */
    double p = s->strategy == GA_MU_PLUS_LAMBDA
                   ? s->cx_prob + s->mut_prob
                   : 1 - (1 - s->cx_prob) * (1 - s->mut_prob);
    if (!(p > 0))
        return -1;
    double gens = 11 + ceil(4 * (double)rest / ((double)batch * p));
    return gens < (double)GA_SETTINGS_MAX_NUM_ITER ? (long)gens
                                                   : GA_SETTINGS_MAX_NUM_ITER;
}

/* A number setting outside its range, as set in the struct directly. */
static int check_range(const ga_settings *s, const setting *t, ga_error *err)
{
    const char *base = (const char *)s + t->offset;
    double v;
    switch (t->kind) {
    case K_LONG:
        v = (double)*(const long *)base;
        break;
    case K_SEED:
        v = (double)*(const unsigned long *)base;
        break;
    case K_PROB:
    case K_DOUBLE:
        v = *(const double *)base;
        if (isnan(v) && strcmp(t->key, "target") == 0)
            return GA_OK;  /* off */
        break;
    default:
        return GA_OK;
    }
    if (in_range(t, v))
        return GA_OK;
    char range[256];
    range_text(t, range, sizeof range);
    if (t->kind == K_LONG || t->kind == K_SEED)
        return ga_error_set(err, GA_EINPUT, "%s%.0f", range, v);
    return ga_error_set(err, GA_EINPUT, "%s%s", range, ga_num(v).s);
}

int ga_settings_validate(const ga_settings *s, ga_error *err)
{
    for (size_t i = 0; i < NSETTINGS; i++)
        if (check_range(s, &table[i], err) != GA_OK)
            return GA_EINPUT;
    if (s->strategy == GA_MU_PLUS_LAMBDA) {
        /* DEAP asserts cxpb + mutpb <= 1.0; allow for decimal rounding */
        if (s->cx_prob + s->mut_prob > 1.0 + 1e-12)
            return ga_error_set(err, GA_EINPUT, "mu_plus_lambda needs cx_prob + "
                                "mut_prob <= 1, got %s + %s = %s",
                                ga_num(s->cx_prob).s, ga_num(s->mut_prob).s,
                                ga_num(s->cx_prob + s->mut_prob).s);
    }
    if (s->max_evaluations > 0 && s->max_evaluations < s->population_size)
        return ga_error_set(err, GA_EINPUT, "max_evaluations %ld is less than "
                            "one population (population_size %ld)",
                            s->max_evaluations, s->population_size);
    if (s->strategy == GA_MU_PLUS_LAMBDA || s->strategy == GA_ASYNC) {
        /* async spends population_size + (num_iter - 1) x lambda evaluations,
         * as mu_plus_lambda does; checked as a double, before any cast */
        double lambda = ga_round_half_even(s->offspring_prop *
                                           (double)s->population_size);
        if (lambda < 1)
            return ga_error_set(err, GA_EINPUT, "offspring_prop %s x "
                                "population_size %ld rounds to %.0f offspring; "
                                "need at least 1", ga_num(s->offspring_prop).s,
                                s->population_size, lambda);
        if (lambda > GA_SETTINGS_MAX_OFFSPRING)
            return ga_error_set(err, GA_EINPUT, "offspring_prop %s x "
                                "population_size %ld gives %.0f offspring; at "
                                "most %ld", ga_num(s->offspring_prop).s,
                                s->population_size, lambda,
                                GA_SETTINGS_MAX_OFFSPRING);
    }
    return GA_OK;
}

cJSON *ga_settings_to_json(const ga_settings *s)
{
    int outer = ga_json_oom_begin();
    cJSON *o = cJSON_CreateObject();
    if (!o) {
        ga_json_oom_end(outer);
        errno = ENOMEM;
        return NULL;
    }
    cJSON_AddNumberToObject(o, "num_iter", (double)s->num_iter);
    cJSON_AddNumberToObject(o, "population_size", (double)s->population_size);
    cJSON_AddStringToObject(o, "strategy", ga_strategy_name(s->strategy));
    ga_json_add(o, "offspring_prop", ga_json_number(s->offspring_prop));
    ga_json_add(o, "mut_prob", ga_json_number(s->mut_prob));
    ga_json_add(o, "cx_prob", ga_json_number(s->cx_prob));
    ga_json_add(o, "mut_indpb", ga_json_number(s->mut_indpb));
    ga_json_add(o, "cx_indpb", ga_json_number(s->cx_indpb));
    cJSON_AddNumberToObject(o, "tournsize", (double)s->tournsize);
    cJSON_AddNumberToObject(o, "seed", (double)s->seed);
    cJSON_AddStringToObject(o, "nan_policy", ga_nan_policy_name(s->nan_policy));
    cJSON_AddNumberToObject(o, "hof_size", (double)s->hof_size);
    cJSON_AddNumberToObject(o, "stall_generations", (double)s->stall_generations);
    if (isnan(s->target))
        cJSON_AddNullToObject(o, "target");
    else
        ga_json_add(o, "target", ga_json_number(s->target));
    ga_json_add(o, "max_seconds", ga_json_number(s->max_seconds));
    cJSON_AddNumberToObject(o, "max_evaluations", (double)s->max_evaluations);
    /* a member could not be made */
    if (ga_json_oom_end(outer) || cJSON_GetArraySize(o) != 16) {
        cJSON_Delete(o);
        errno = ENOMEM;
        return NULL;
    }
    return o;
}
