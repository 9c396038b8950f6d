/* spec.c - reading a sweep spec and expanding its design.
 *
 * A spec is JSON (the files in sweeps/, documented in docs/SWEEPS.md). Everything
 * is checked before any run starts: unknown keys, unknown problems, bad
 * ranges, levels that are not legal settings. */
#include "sweep.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "../ga/hash.h"
#include "../ga/util.h"

void sweep_spec_free(sweep_spec *s)
{
    if (!s)
        return;
    free(s->name);
    free(s->text);
    for (size_t i = 0; i < s->nproblems; i++)
        free(s->problems[i]);
    free(s->problems);
    for (size_t i = 0; i < s->nvalidation; i++)
        free(s->validation[i]);
    free(s->validation);
    free(s->checkpoints);
    free(s->workers_list);
    free(s->targets);
    for (size_t i = 0; i < s->nfactors; i++) {
        free(s->factors[i].name);
        for (size_t k = 0; k < s->factors[i].nlevels; k++)
            free(s->factors[i].levels[k]);
        free(s->factors[i].levels);
    }
    free(s->factors);
    free(s);
}

static int known_key(const char *key)
{
    static const char *const keys[] = {
        "name", "seed", "problems", "budget", "checkpoints", "replicates",
        "workers", "targets", "design", "parameters", "fixed", "constraints",
        "max_rounds", "race", "comment", "validation", "budgets",
        "rounds_factor", "round_weight"
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (!strcmp(key, keys[i]))
            return 1;
    return 0;
}

static int get_long(const cJSON *o, const char *key, long def, long min,
                    long *out, const char *src, ga_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v) {
        *out = def;
        return GA_OK;
    }
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) ||
        v->valuedouble < (double)min || v->valuedouble > 1e12)
        return ga_error_set(err, GA_EINPUT, "%s: '%s' must be an integer >= "
                            "%ld", src, key, min);
    *out = (long)v->valuedouble;
    return GA_OK;
}

/* Text of a JSON scalar (a level). */
static char *scalar_text(const cJSON *v)
{
    char buf[64];
    if (cJSON_IsString(v) || cJSON_IsRaw(v))
        return ga_strdup(v->valuestring);
    if (cJSON_IsNumber(v)) {
        ga_format_double(v->valuedouble, buf, sizeof buf);
        return ga_strdup(buf);
    }
    return NULL;
}

static int parse_factor(const cJSON *item, sweep_factor *f, const char *src,
                        ga_error *err)
{
    f->name = ga_strdup(item->string);
    if (!ga_settings_known(item->string) || !strcmp(item->string, "seed"))
        return ga_error_set(err, GA_EINPUT, "%s: parameters: '%s' is not a GA "
                            "setting that can be varied", src, item->string);
    /* stop rules: a sweep's runs end at the budget, these are switched off */
    if (!strcmp(item->string, "target") || !strcmp(item->string, "max_seconds") ||
        !strcmp(item->string, "stall_generations"))
        return ga_error_set(err, GA_EINPUT, "%s: parameters: '%s' is a stop "
                            "rule; sweep runs stop at their budget, so it cannot "
                            "be varied", src, item->string);
    if (cJSON_IsArray(item)) {
        int n = cJSON_GetArraySize(item);
        if (n == 0)
            return ga_error_set(err, GA_EINPUT, "%s: parameters.%s: no levels",
                                src, f->name);
        f->levels = calloc((size_t)n, sizeof *f->levels);
        const cJSON *v;
        cJSON_ArrayForEach(v, item) {
            char *t = scalar_text(v);
            if (!t)
                return ga_error_set(err, GA_EINPUT, "%s: parameters.%s: levels "
                                    "must be numbers or strings", src, f->name);
            /* a level must be a legal value of its setting */
            ga_settings probe;
            ga_settings_defaults(&probe);
            char where[256];
            snprintf(where, sizeof where, "%s: parameters.%s", src, f->name);
            if (ga_settings_set(&probe, f->name, t, where, err) != GA_OK) {
                free(t);
                return GA_EINPUT;
            }
            if (probe.strategy == GA_ASYNC) {
                free(t);
                return ga_error_set(err, GA_EINPUT, "%s: strategy async runs "
                                    "with gahpo run (its own experiment: gahpo "
                                    "async-experiment); a sweep compares simple "
                                    "and mu_plus_lambda", where);
            }
            f->levels[f->nlevels++] = t;
        }
        return GA_OK;
    }
    if (cJSON_IsObject(item)) {
        const cJSON *lo = cJSON_GetObjectItemCaseSensitive(item, "min");
        const cJSON *hi = cJSON_GetObjectItemCaseSensitive(item, "max");
        if (!cJSON_IsNumber(lo) || !cJSON_IsNumber(hi) ||
            !(lo->valuedouble < hi->valuedouble))
            return ga_error_set(err, GA_EINPUT, "%s: parameters.%s: a range "
                                "needs numbers min < max", src, f->name);
        if (!strcmp(f->name, "strategy") || !strcmp(f->name, "nan_policy"))
            return ga_error_set(err, GA_EINPUT, "%s: parameters.%s: give "
                                "levels (a list), not a range", src, f->name);
        f->min = lo->valuedouble;
        f->max = hi->valuedouble;
        f->integer = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(item, "integer"))
                     || !strcmp(f->name, "population_size") ||
                     !strcmp(f->name, "tournsize");
        f->log = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(item, "log"));
        if (f->log && f->min <= 0)
            return ga_error_set(err, GA_EINPUT, "%s: parameters.%s: a log range "
                                "needs min > 0", src, f->name);
        /* both ends must be legal values of the setting */
        for (int end = 0; end < 2; end++) {
            char text[64], where[256];
            ga_format_double(end ? f->max : f->min, text, sizeof text);
            snprintf(where, sizeof where, "%s: parameters.%s.%s", src, f->name,
                     end ? "max" : "min");
            ga_settings probe;
            ga_settings_defaults(&probe);
            if (ga_settings_set(&probe, f->name, text, where, err) != GA_OK)
                return GA_EINPUT;
        }
        return GA_OK;
    }
    return ga_error_set(err, GA_EINPUT, "%s: parameters.%s: expected a list of "
                        "levels or {\"min\": a, \"max\": b}", src, f->name);
}

sweep_spec *sweep_spec_parse(const char *text, const char *src, ga_error *err)
{
    cJSON *o = ga_json_parse(text, src, NULL, err);
    if (!o)
        return NULL;
    sweep_spec *s = calloc(1, sizeof *s);
    s->text = ga_strdup(text);
    s->hash = ga_fnv1a(GA_FNV1A_INIT, text, strlen(text));
    ga_settings_defaults(&s->base);
    s->race_alpha = 0.05;
    const cJSON *kv, *v;
    long l;
    if (!cJSON_IsObject(o)) {
        ga_error_set(err, GA_EINPUT, "%s: a sweep spec is a JSON object", src);
        goto fail;
    }
    cJSON_ArrayForEach(kv, o) {
        if (!known_key(kv->string)) {
            ga_error_set(err, GA_EINPUT, "%s: unknown key '%s'", src, kv->string);
            goto fail;
        }
    }
    v = cJSON_GetObjectItemCaseSensitive(o, "name");
    if (!cJSON_IsString(v) || !v->valuestring[0] ||
        strspn(v->valuestring, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
               "0123456789_-.") != strlen(v->valuestring) || v->valuestring[0] == '.') {
        ga_error_set(err, GA_EINPUT, "%s: 'name' must be a plain name (letters, "
                     "digits, _ - .): it names results/<name>/", src);
        goto fail;
    }
    s->name = ga_strdup(v->valuestring);
    if (get_long(o, "seed", 1, 0, &l, src, err))
        goto fail;
    s->seed = (unsigned long)l;
    if (get_long(o, "budget", 0, 1, &s->budget, src, err))
        goto fail;
    if (s->budget < 1) {
        ga_error_set(err, GA_EINPUT, "%s: 'budget' (evaluations per run) is "
                     "required", src);
        goto fail;
    }
    if (get_long(o, "replicates", 10, 1, &s->replicates, src, err) ||
        get_long(o, "max_rounds", 0, 0, &s->max_rounds, src, err))
        goto fail;
    v = cJSON_GetObjectItemCaseSensitive(o, "round_weight");
    if (v && (!cJSON_IsNumber(v) || !(v->valuedouble >= 0) ||
              !isfinite(v->valuedouble))) {
        ga_error_set(err, GA_EINPUT, "%s: 'round_weight' must be a number >= 0 "
                     "(0: rounds do not count in the selection)", src);
        goto fail;
    }
    s->round_weight = v ? v->valuedouble : 0;
    v = cJSON_GetObjectItemCaseSensitive(o, "workers");
    s->workers_list = calloc(v && cJSON_IsArray(v) ? (size_t)cJSON_GetArraySize(v) + 1
                                                   : 2, sizeof(long));
    if (v && cJSON_IsArray(v)) {
        cJSON_ArrayForEach(kv, v) {
            if (!cJSON_IsNumber(kv) || kv->valuedouble < 1 ||
                kv->valuedouble != floor(kv->valuedouble) || kv->valuedouble > 1e6) {
                ga_error_set(err, GA_EINPUT, "%s: 'workers' must be an integer "
                             ">= 1 or a list of them", src);
                goto fail;
            }
            s->workers_list[s->nworkers++] = (long)kv->valuedouble;
        }
        if (s->nworkers == 0) {
            ga_error_set(err, GA_EINPUT, "%s: 'workers' is an empty list", src);
            goto fail;
        }
    } else {
        if (get_long(o, "workers", 16, 1, &s->workers_list[0], src, err))
            goto fail;
        s->nworkers = 1;
    }
    s->workers = s->workers_list[0];

    v = cJSON_GetObjectItemCaseSensitive(o, "problems");
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0) {
        ga_error_set(err, GA_EINPUT, "%s: 'problems' must be a non-empty list "
                     "of problem names", src);
        goto fail;
    }
    s->problems = calloc((size_t)cJSON_GetArraySize(v), sizeof *s->problems);
    cJSON_ArrayForEach(kv, v) {
        if (!cJSON_IsString(kv)) {
            ga_error_set(err, GA_EINPUT, "%s: problems: names must be strings",
                         src);
            goto fail;
        }
        prob_problem *p = prob_lookup(kv->valuestring, err);
        if (!p) {
            char msg[sizeof err->msg];
            snprintf(msg, sizeof msg, "%s", err->msg);
            ga_error_set(err, GA_EINPUT, "%s: problems: %s", src, msg);
            goto fail;
        }
        prob_free(p);
        s->problems[s->nproblems++] = ga_strdup(kv->valuestring);
    }

    v = cJSON_GetObjectItemCaseSensitive(o, "validation");
    if (v) {
        if (!cJSON_IsArray(v)) {
            ga_error_set(err, GA_EINPUT, "%s: 'validation' must be a list of "
                         "held-out problem names", src);
            goto fail;
        }
        s->validation = calloc((size_t)cJSON_GetArraySize(v) + 1,
                               sizeof *s->validation);
        cJSON_ArrayForEach(kv, v) {
            prob_problem *p = cJSON_IsString(kv) ? prob_lookup(kv->valuestring, err)
                                                 : NULL;
            if (!p) {
                char msg[sizeof err->msg];
                snprintf(msg, sizeof msg, "%s", cJSON_IsString(kv) ? err->msg
                         : "names must be strings");
                ga_error_set(err, GA_EINPUT, "%s: validation: %s", src, msg);
                goto fail;
            }
            prob_free(p);
            for (size_t q = 0; q < s->nproblems; q++)
                if (!strcmp(s->problems[q], kv->valuestring)) {
                    ga_error_set(err, GA_EINPUT, "%s: validation: '%s' is also "
                                 "a tuning problem; held-out means not tuned on",
                                 src, kv->valuestring);
                    goto fail;
                }
            s->validation[s->nvalidation++] = ga_strdup(kv->valuestring);
        }
    }

    v = cJSON_GetObjectItemCaseSensitive(o, "checkpoints");
    if (v) {
        if (!cJSON_IsArray(v)) {
            ga_error_set(err, GA_EINPUT, "%s: 'checkpoints' must be a list of "
                         "evaluation counts", src);
            goto fail;
        }
        s->checkpoints = calloc((size_t)cJSON_GetArraySize(v) + 1, sizeof(long));
        long prev = 0;
        cJSON_ArrayForEach(kv, v) {
            if (!cJSON_IsNumber(kv) || kv->valuedouble != floor(kv->valuedouble) ||
                kv->valuedouble <= (double)prev || kv->valuedouble > (double)s->budget) {
                ga_error_set(err, GA_EINPUT, "%s: checkpoints must be increasing "
                             "integers in [1, budget]", src);
                goto fail;
            }
            prev = s->checkpoints[s->ncheck++] = (long)kv->valuedouble;
        }
    } else {
        /* powers of two, and the budget itself */
        s->checkpoints = calloc(64, sizeof(long));
        for (long c = 1; c < s->budget; c *= 2)
            if (c >= 16)
                s->checkpoints[s->ncheck++] = c;
        s->checkpoints[s->ncheck++] = s->budget;
    }

    v = cJSON_GetObjectItemCaseSensitive(o, "targets");
    if (v) {
        if (!cJSON_IsArray(v)) {
            ga_error_set(err, GA_EINPUT, "%s: 'targets' must be a list of "
                         "precisions (f - f_opt <= target)", src);
            goto fail;
        }
        s->targets = calloc((size_t)cJSON_GetArraySize(v) + 1, sizeof(double));
        cJSON_ArrayForEach(kv, v) {
            if (!cJSON_IsNumber(kv) || !(kv->valuedouble >= 0)) {
                ga_error_set(err, GA_EINPUT, "%s: targets must be numbers >= 0",
                             src);
                goto fail;
            }
            s->targets[s->ntargets++] = kv->valuedouble;
        }
    } else {
        static const double defaults[] = { 10, 1, 1e-1, 1e-2 };
        s->targets = calloc(4, sizeof(double));
        for (int i = 0; i < 4; i++)
            s->targets[s->ntargets++] = defaults[i];
    }

    /* runs end at the budget: unless the spec fixes num_iter, generations
     * are not what stops them (a generation costs at least one evaluation
     * unless variation changes nothing, so budget + 1 is a bound) */
    s->base.num_iter = s->budget + 1;
    v = cJSON_GetObjectItemCaseSensitive(o, "fixed");
    if (v && ga_settings_apply_json(&s->base, v, src, err) != GA_OK)
        goto fail;
    if (s->base.strategy == GA_ASYNC) {
        ga_error_set(err, GA_EINPUT, "%s: fixed.strategy async runs with gahpo "
                     "run (its own experiment: gahpo async-experiment); a "
                     "sweep compares simple and mu_plus_lambda", src);
        goto fail;
    }

    v = cJSON_GetObjectItemCaseSensitive(o, "design");
    const cJSON *dt = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, "type")
                      : v;
    const char *type = cJSON_IsString(dt) ? dt->valuestring : "full_factorial";
    if (!strcmp(type, "full_factorial"))
        s->design = SWEEP_FACTORIAL;
    else if (!strcmp(type, "lhs"))
        s->design = SWEEP_LHS;
    else if (!strcmp(type, "random"))
        s->design = SWEEP_RANDOM;
    else if (!strcmp(type, "race"))
        s->design = SWEEP_RACE;
    else {
        ga_error_set(err, GA_EINPUT, "%s: design type '%s' unknown; expected "
                     "full_factorial, lhs, random or race", src, type);
        goto fail;
    }
    if (cJSON_IsObject(v) && get_long(v, "points", 20, 1, &s->points, src, err))
        goto fail;
    if (!cJSON_IsObject(v))
        s->points = 20;

    v = cJSON_GetObjectItemCaseSensitive(o, "race");
    if (v) {
        if (get_long(v, "first_test", 5, 2, &s->race_first_test, src, err))
            goto fail;
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(v, "alpha");
        if (a && (!cJSON_IsNumber(a) || a->valuedouble <= 0 || a->valuedouble >= 1)) {
            ga_error_set(err, GA_EINPUT, "%s: race.alpha must be in (0, 1)", src);
            goto fail;
        }
        if (a)
            s->race_alpha = a->valuedouble;
    } else {
        s->race_first_test = 5;
    }

    v = cJSON_GetObjectItemCaseSensitive(o, "parameters");
    if (!cJSON_IsObject(v) || cJSON_GetArraySize(v) == 0) {
        ga_error_set(err, GA_EINPUT, "%s: 'parameters' must name the GA "
                     "settings to vary", src);
        goto fail;
    }
    s->factors = calloc((size_t)cJSON_GetArraySize(v), sizeof *s->factors);
    cJSON_ArrayForEach(kv, v) {
        if (parse_factor(kv, &s->factors[s->nfactors++], src, err) != GA_OK)
            goto fail;
        if (s->design == SWEEP_FACTORIAL && s->factors[s->nfactors - 1].nlevels == 0) {
            ga_error_set(err, GA_EINPUT, "%s: parameters.%s: a full factorial "
                         "design needs levels, not a range", src, kv->string);
            goto fail;
        }
    }

    v = cJSON_GetObjectItemCaseSensitive(o, "constraints");
    if (v) {
        if (cJSON_IsString(v) && !strcmp(v->valuestring, "drop"))
            s->drop_invalid = 1;
        else if (!(cJSON_IsString(v) && !strcmp(v->valuestring, "repair"))) {
            ga_error_set(err, GA_EINPUT, "%s: 'constraints' must be \"repair\" "
                         "or \"drop\"", src);
            goto fail;
        }
    }
    cJSON_Delete(o);
    return s;
fail:
    cJSON_Delete(o);
    sweep_spec_free(s);
    return NULL;
}

sweep_spec *sweep_spec_load(const char *path, ga_error *err)
{
    char *text = ga_read_file(path, NULL, err);
    if (!text)
        return NULL;
    sweep_spec *s = sweep_spec_parse(text, path, err);
    free(text);
    return s;
}

void sweep_points_free(sweep_point *p, size_t n, size_t nfactors)
{
    if (!p)
        return;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < nfactors; k++)
            free(p[i].values ? p[i].values[k] : NULL);
        free(p[i].values);
    }
    free(p);
}

/* Value of factor f at position q in [0, 1) for range factors. */
static char *range_value(const sweep_factor *f, double q)
{
    double v = f->log ? exp(log(f->min) + q * (log(f->max) - log(f->min)))
                      : f->min + q * (f->max - f->min);
    char buf[64];
    if (f->integer) {
        v = floor(v + 0.5);
        if (v > f->max)
            v = floor(f->max);
        snprintf(buf, sizeof buf, "%.0f", v);
    } else {
        ga_format_double(v, buf, sizeof buf);
    }
    return ga_strdup(buf);
}

/* The text values of every point, before they become settings. */
static char **design_values(const sweep_spec *s, size_t *npoints)
{
    size_t nf = s->nfactors, n;
    if (s->design == SWEEP_FACTORIAL) {
        n = 1;
        for (size_t k = 0; k < nf; k++)
            n *= s->factors[k].nlevels;
    } else {
        n = (size_t)s->points;
    }
    char **vals = calloc(n * nf + 1, sizeof *vals);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, s->seed ^ 0x5eedUL);
    size_t *perm = malloc((n + 1) * sizeof *perm);
    for (size_t k = 0; k < nf; k++) {
        const sweep_factor *f = &s->factors[k];
        /* Latin hypercube: a random permutation of n strata per factor */
        for (size_t i = 0; i < n; i++)
            perm[i] = i;
        for (size_t i = n; i > 1; i--) {
            size_t j = gsl_rng_uniform_int(r, i);
            size_t t = perm[i - 1];
            perm[i - 1] = perm[j];
            perm[j] = t;
        }
        size_t stride = 1;
        for (size_t j = k + 1; s->design == SWEEP_FACTORIAL && j < nf; j++)
            stride *= s->factors[j].nlevels;
        for (size_t i = 0; i < n; i++) {
            char *v;
            double q = s->design == SWEEP_RANDOM
                           ? gsl_rng_uniform(r)
                           : ((double)perm[i] + gsl_rng_uniform(r)) / (double)n;
            if (s->design == SWEEP_FACTORIAL)
                v = ga_strdup(f->levels[(i / stride) % f->nlevels]);
            else if (f->nlevels)
                v = ga_strdup(f->levels[(size_t)(q * (double)f->nlevels)]);
            else
                v = range_value(f, q);
            vals[i * nf + k] = v;
        }
    }
    free(perm);
    gsl_rng_free(r);
    *npoints = n;
    return vals;
}

static int same_settings(const ga_settings *a, const ga_settings *b)
{
    return a->num_iter == b->num_iter && a->population_size == b->population_size &&
           a->strategy == b->strategy && a->offspring_prop == b->offspring_prop &&
           a->mut_prob == b->mut_prob && a->cx_prob == b->cx_prob &&
           a->mut_indpb == b->mut_indpb && a->cx_indpb == b->cx_indpb &&
           a->tournsize == b->tournsize;
}

int sweep_design(const sweep_spec *s, sweep_point **out, size_t *nout,
                 char **report, ga_error *err)
{
    size_t n, nf = s->nfactors;
    char **vals = design_values(s, &n);
    sweep_point *pts = calloc(n + 1, sizeof *pts);
    size_t rep_cap = 4096, rep_len = 0;
    char *rep = calloc(rep_cap, 1);
    size_t np = 0;
    /* point 0: the CANDLE defaults with the spec's fixed settings, the
     * reference every setting is compared with */
    pts[0].reference = 1;
    pts[0].settings = s->base;
    pts[0].values = calloc(nf + 1, sizeof *pts[0].values);
    np = 1;
    ga_settings candle;
    ga_settings_defaults(&candle);
    for (size_t k = 0; k < nf; k++) {
        cJSON *j = ga_settings_to_json(&candle);
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, s->factors[k].name);
        pts[0].values[k] = scalar_text(v);
        cJSON_Delete(j);
        if (!pts[0].values[k])  /* a setting whose default is null */
            pts[0].values[k] = ga_strdup("none");
        ga_settings_set(&pts[0].settings, s->factors[k].name, pts[0].values[k],
                        "defaults", NULL);
    }
    for (size_t i = 0; i < n; i++) {
        sweep_point *p = &pts[np];
        p->settings = s->base;
        int bad = 0;
        char why[512] = "";
        for (size_t k = 0; k < nf && !bad; k++) {
            ga_error serr;
            bad = ga_settings_set(&p->settings, s->factors[k].name,
                                  vals[i * nf + k], "design", &serr) != GA_OK;
            if (bad)
                snprintf(why, sizeof why, "dropped: %.400s", serr.msg);
        }
        ga_settings *st = &p->settings;
        if (!bad && st->strategy == GA_MU_PLUS_LAMBDA &&
            st->cx_prob + st->mut_prob > 1.0 + 1e-12) {
            double sum = st->cx_prob + st->mut_prob;
            if (s->drop_invalid) {
                snprintf(why, sizeof why, "dropped: cx_prob %g + mut_prob %g > 1",
                         st->cx_prob, st->mut_prob);
                bad = 1;
            } else {
                snprintf(why, sizeof why, "repaired: cx_prob %g + mut_prob %g > 1, "
                         "both scaled by 1/%g", st->cx_prob, st->mut_prob, sum);
                st->cx_prob /= sum;
                st->mut_prob /= sum;
            }
        }
        ga_error verr;
        if (!bad && ga_settings_validate(st, &verr) != GA_OK) {
            snprintf(why, sizeof why, "dropped: %.400s", verr.msg);
            bad = 1;
        }
        if (!bad && same_settings(st, &pts[0].settings)) {
            snprintf(why, sizeof why, "dropped: the same as the reference point");
            bad = 1;
        }
        if (why[0]) {
            char line[1024];
            int len = snprintf(line, sizeof line, "candidate %zu (", i);
            for (size_t k = 0; k < nf; k++)
                len += snprintf(line + len, sizeof line - (size_t)len, "%s%s=%s",
                                k ? " " : "", s->factors[k].name, vals[i * nf + k]);
            snprintf(line + len, sizeof line - (size_t)len, "): %s\n", why);
            size_t ll = strlen(line);
            if (rep_len + ll + 1 > rep_cap) {
                rep_cap = 2 * (rep_cap + ll);
                rep = realloc(rep, rep_cap);
            }
            memcpy(rep + rep_len, line, ll + 1);
            rep_len += ll;
        }
        if (bad)
            continue;
        p->values = calloc(nf + 1, sizeof *p->values);
        for (size_t k = 0; k < nf; k++) {
            /* the value actually used (after a repair) */
            cJSON *j = ga_settings_to_json(st);
            p->values[k] = scalar_text(
                cJSON_GetObjectItemCaseSensitive(j, s->factors[k].name));
            cJSON_Delete(j);
        }
        np++;
    }
    for (size_t i = 0; i < n * nf; i++)
        free(vals[i]);
    free(vals);
    ga_error_clear(err);
    *out = pts;
    *nout = np;
    *report = rep;
    return GA_OK;
}
