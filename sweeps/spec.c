/* spec.c - reading a sweep spec and expanding its design.
 *
 * A spec is JSON (the files in sweeps/, documented in docs/SWEEPS.md). Everything
 * is checked before any run starts: unknown keys, unknown problems, bad
 * ranges, levels that are not legal settings. */
#include "sweep.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "../ga/hash.h"
#include "../ga/strbuf.h"
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
    for (size_t i = 0; s->conf_initial && i < s->conf_ninitial * s->nfactors;
         i++)
        free(s->conf_initial[i]);
    free(s->conf_initial);
    free(s);
}

static int known_key(const char *key)
{
    static const char *const keys[] = {
        "name", "seed", "problems", "budget", "checkpoints", "replicates",
        "workers", "targets", "design", "parameters", "fixed", "constraints",
        "max_rounds", "race", "comment", "validation", "budgets",
        "rounds_factor", "round_weight", "configure", "test",
        "test_replicates", "durations"
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

/* Text of a JSON scalar (a level), or NULL if v is none (or out of memory:
 * is_scalar tells which). */
static int is_scalar(const cJSON *v)
{
    return cJSON_IsString(v) || cJSON_IsRaw(v) || cJSON_IsNumber(v);
}

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

static int oom(ga_error *err)
{
    return ga_error_set(err, GA_EFAIL, "out of memory");
}

/* A factor's list of levels, each a legal value of its setting. */
static int parse_levels(const cJSON *item, sweep_factor *f, const char *src,
                        ga_error *err)
{
    int n = cJSON_GetArraySize(item);
    if (n == 0)
        return ga_error_set(err, GA_EINPUT, "%s: parameters.%s: no levels",
                            src, f->name);
    if (!(f->levels = calloc((size_t)n, sizeof *f->levels)))
        return oom(err);
    const cJSON *v;
    cJSON_ArrayForEach(v, item) {
        char *t = scalar_text(v);
        if (!t)
            return is_scalar(v) ? oom(err)
                   : ga_error_set(err, GA_EINPUT, "%s: parameters.%s: levels "
                                  "must be numbers or strings", src, f->name);
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

/* A factor's range {"min": a, "max": b, "integer", "log"}: both ends legal
 * values of its setting. */
static int parse_range(const cJSON *item, sweep_factor *f, const char *src,
                       ga_error *err)
{
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

static int parse_factor(const cJSON *item, sweep_factor *f, const char *src,
                        ga_error *err)
{
    if (!(f->name = ga_strdup(item->string)))
        return oom(err);
    if (!ga_settings_known(item->string) || !strcmp(item->string, "seed"))
        return ga_error_set(err, GA_EINPUT, "%s: parameters: '%s' is not a GA "
                            "setting that can be varied", src, item->string);
    /* stop rules: a sweep's runs end at the budget, these are switched off */
    if (!strcmp(item->string, "target") || !strcmp(item->string, "max_seconds") ||
        !strcmp(item->string, "stall_generations"))
        return ga_error_set(err, GA_EINPUT, "%s: parameters: '%s' is a stop "
                            "rule; sweep runs stop at their budget, so it cannot "
                            "be varied", src, item->string);
    if (cJSON_IsArray(item))
        return parse_levels(item, f, src, err);
    if (cJSON_IsObject(item))
        return parse_range(item, f, src, err);
    return ga_error_set(err, GA_EINPUT, "%s: parameters.%s: expected a list of "
                        "levels or {\"min\": a, \"max\": b}", src, f->name);
}

/* ---- the spec's keys, one step each, in the order they are checked ---- */

/* name, seed, budget, replicates, max_rounds and round_weight. */
static int parse_scalars(const cJSON *o, sweep_spec *s, const char *src,
                         ga_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "name");
    long l;
    if (!cJSON_IsString(v) || !v->valuestring[0] ||
        strspn(v->valuestring, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
               "0123456789_-.") != strlen(v->valuestring) || v->valuestring[0] == '.')
        return ga_error_set(err, GA_EINPUT, "%s: 'name' must be a plain name "
                            "(letters, digits, _ - .): it names results/<name>/",
                            src);
    if (!(s->name = ga_strdup(v->valuestring)))
        return oom(err);
    if (get_long(o, "seed", 1, 0, &l, src, err))
        return GA_EINPUT;
    s->seed = (unsigned long)l;
    if (get_long(o, "budget", 0, 1, &s->budget, src, err))
        return GA_EINPUT;
    if (s->budget < 1)
        return ga_error_set(err, GA_EINPUT, "%s: 'budget' (evaluations per run) "
                            "is required", src);
    if (get_long(o, "replicates", 10, 1, &s->replicates, src, err) ||
        get_long(o, "max_rounds", 0, 0, &s->max_rounds, src, err))
        return GA_EINPUT;
    v = cJSON_GetObjectItemCaseSensitive(o, "round_weight");
    if (v && (!cJSON_IsNumber(v) || !(v->valuedouble >= 0) ||
              !isfinite(v->valuedouble)))
        return ga_error_set(err, GA_EINPUT, "%s: 'round_weight' must be a number "
                            ">= 0 (0: rounds do not count in the selection)", src);
    s->round_weight = v ? v->valuedouble : 0;
    return GA_OK;
}

/* workers: a count, or a list of counts (rounds recorded for each). */
static int parse_workers(const cJSON *o, sweep_spec *s, const char *src,
                         ga_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "workers"), *kv;
    s->workers_list = calloc(v && cJSON_IsArray(v) ? (size_t)cJSON_GetArraySize(v) + 1
                                                   : 2, sizeof(long));
    if (!s->workers_list)
        return oom(err);
    if (v && cJSON_IsArray(v)) {
        cJSON_ArrayForEach(kv, v) {
            if (!cJSON_IsNumber(kv) || kv->valuedouble < 1 ||
                kv->valuedouble != floor(kv->valuedouble) || kv->valuedouble > 1e6)
                return ga_error_set(err, GA_EINPUT, "%s: 'workers' must be an "
                                    "integer >= 1 or a list of them", src);
            s->workers_list[s->nworkers++] = (long)kv->valuedouble;
        }
        if (s->nworkers == 0)
            return ga_error_set(err, GA_EINPUT, "%s: 'workers' is an empty list",
                                src);
    } else {
        if (get_long(o, "workers", 16, 1, &s->workers_list[0], src, err))
            return GA_EINPUT;
        s->nworkers = 1;
    }
    s->workers = s->workers_list[0];
    return GA_OK;
}

/* A problem name that the registry knows, else its message after `what`. */
static int check_problem(const cJSON *kv, const char *src, const char *what,
                         ga_error *err)
{
    prob_problem *p = cJSON_IsString(kv) ? prob_lookup(kv->valuestring, err)
                                         : NULL;
    if (p) {
        prob_free(p);
        return GA_OK;
    }
    char msg[sizeof err->msg];
    snprintf(msg, sizeof msg, "%s", cJSON_IsString(kv) ? err->msg
             : "names must be strings");
    /* out of memory (or a model file that cannot be read) is no input error */
    int status = cJSON_IsString(kv) && err->status == GA_EFAIL ? GA_EFAIL
                                                               : GA_EINPUT;
    return ga_error_set(err, status, "%s: %s: %s", src, what, msg);
}

/* problems: the tuning problems; validation: held-out ones, not tuned on. */
static int parse_problems(const cJSON *o, sweep_spec *s, const char *src,
                          ga_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "problems"), *kv;
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0)
        return ga_error_set(err, GA_EINPUT, "%s: 'problems' must be a non-empty "
                            "list of problem names", src);
    if (!(s->problems = calloc((size_t)cJSON_GetArraySize(v), sizeof *s->problems)))
        return oom(err);
    cJSON_ArrayForEach(kv, v) {
        if (check_problem(kv, src, "problems", err))
            return err->status;
        if (!(s->problems[s->nproblems++] = ga_strdup(kv->valuestring)))
            return oom(err);
    }
    /* "test" is the held-out list under the name the configurator uses */
    v = cJSON_GetObjectItemCaseSensitive(o, "validation");
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "test");
    if (v && t)
        return ga_error_set(err, GA_EINPUT, "%s: give 'test' or 'validation' "
                            "(the same held-out list), not both", src);
    if (get_long(o, "test_replicates", 31, 2, &s->test_replicates, src, err))
        return GA_EINPUT;
    if (t)
        v = t;
    if (!v)
        return GA_OK;
    if (!cJSON_IsArray(v))
        return ga_error_set(err, GA_EINPUT, "%s: '%s' must be a list of "
                            "held-out problem names", src, t ? "test"
                                                             : "validation");
    if (!(s->validation = calloc((size_t)cJSON_GetArraySize(v) + 1,
                                 sizeof *s->validation)))
        return oom(err);
    cJSON_ArrayForEach(kv, v) {
        if (check_problem(kv, src, "validation", err))
            return err->status;
        for (size_t q = 0; q < s->nproblems; q++)
            if (!strcmp(s->problems[q], kv->valuestring))
                return ga_error_set(err, GA_EINPUT, "%s: validation: '%s' is "
                                    "also a tuning problem; held-out means not "
                                    "tuned on", src, kv->valuestring);
        if (!(s->validation[s->nvalidation++] = ga_strdup(kv->valuestring)))
            return oom(err);
    }
    return GA_OK;
}

/* checkpoints (default: powers of two from 16, and the budget) and targets
 * (default: 10, 1, 0.1, 0.01). */
static int parse_records(const cJSON *o, sweep_spec *s, const char *src,
                         ga_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "checkpoints"), *kv;
    if (v && !cJSON_IsArray(v))
        return ga_error_set(err, GA_EINPUT, "%s: 'checkpoints' must be a list of "
                            "evaluation counts", src);
    if (!(s->checkpoints = calloc(v ? (size_t)cJSON_GetArraySize(v) + 1 : 64,
                                  sizeof(long))))
        return oom(err);
    long prev = 0;
    cJSON_ArrayForEach(kv, v) {
        if (!cJSON_IsNumber(kv) || kv->valuedouble != floor(kv->valuedouble) ||
            kv->valuedouble <= (double)prev || kv->valuedouble > (double)s->budget)
            return ga_error_set(err, GA_EINPUT, "%s: checkpoints must be "
                                "increasing integers in [1, budget]", src);
        prev = s->checkpoints[s->ncheck++] = (long)kv->valuedouble;
    }
    if (!v) {
        for (long c = 1; c < s->budget; c *= 2)
            if (c >= 16)
                s->checkpoints[s->ncheck++] = c;
        s->checkpoints[s->ncheck++] = s->budget;
    }
    v = cJSON_GetObjectItemCaseSensitive(o, "targets");
    if (v && !cJSON_IsArray(v))
        return ga_error_set(err, GA_EINPUT, "%s: 'targets' must be a list of "
                            "precisions (f - f_opt <= target)", src);
    static const double defaults[] = { 10, 1, 1e-1, 1e-2 };
    if (!(s->targets = calloc(v ? (size_t)cJSON_GetArraySize(v) + 1 : 4,
                              sizeof(double))))
        return oom(err);
    cJSON_ArrayForEach(kv, v) {
        if (!cJSON_IsNumber(kv) || !(kv->valuedouble >= 0))
            return ga_error_set(err, GA_EINPUT, "%s: targets must be numbers >= 0",
                                src);
        s->targets[s->ntargets++] = kv->valuedouble;
    }
    for (int i = 0; !v && i < 4; i++)
        s->targets[s->ntargets++] = defaults[i];
    return GA_OK;
}

/* fixed: settings on top of the CANDLE defaults for every point. */
static int parse_fixed(const cJSON *o, sweep_spec *s, const char *src,
                       ga_error *err)
{
    /* runs end at the budget: unless the spec fixes num_iter, generations
     * are not what stops them (a generation costs at least one evaluation
     * unless variation changes nothing, so budget + 1 is a bound) */
    s->base.num_iter = s->budget + 1;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "fixed");
    if (v && ga_settings_apply_json(&s->base, v, src, err) != GA_OK)
        return err->status;
    if (s->base.strategy == GA_ASYNC)
        return ga_error_set(err, GA_EINPUT, "%s: fixed.strategy async runs with "
                            "gahpo run (its own experiment: gahpo "
                            "async-experiment); a sweep compares simple and "
                            "mu_plus_lambda", src);
    return GA_OK;
}

/* design: its type and number of points; race: when to test, at what
 * level. */
static int parse_design(const cJSON *o, sweep_spec *s, const char *src,
                        ga_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "design");
    const cJSON *dt = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, "type")
                      : v;
    const char *type = cJSON_IsString(dt) ? dt->valuestring : "full_factorial";
    static const struct { const char *name; sweep_design_type type; } types[] = {
        { "full_factorial", SWEEP_FACTORIAL }, { "lhs", SWEEP_LHS },
        { "random", SWEEP_RANDOM }, { "race", SWEEP_RACE }
    };
    size_t k = 0;
    while (k < 4 && strcmp(type, types[k].name))
        k++;
    if (k == 4)
        return ga_error_set(err, GA_EINPUT, "%s: design type '%s' unknown; "
                            "expected full_factorial, lhs, random or race", src,
                            type);
    s->design = types[k].type;
    s->points = 20;
    if (cJSON_IsObject(v) && get_long(v, "points", 20, 1, &s->points, src, err))
        return GA_EINPUT;
    s->race_first_test = 5;
    v = cJSON_GetObjectItemCaseSensitive(o, "race");
    if (!v)
        return GA_OK;
    if (get_long(v, "first_test", 5, 2, &s->race_first_test, src, err) ||
        get_long(v, "rounds_cap", 0, 0, &s->race_rounds_cap, src, err))
        return GA_EINPUT;
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(v, "alpha");
    if (a && (!cJSON_IsNumber(a) || a->valuedouble <= 0 || a->valuedouble >= 1))
        return ga_error_set(err, GA_EINPUT, "%s: race.alpha must be in (0, 1)",
                            src);
    if (a)
        s->race_alpha = a->valuedouble;
    const cJSON *obj = cJSON_GetObjectItemCaseSensitive(v, "objective");
    static const char *objectives[] = { "final", "anytime",
                                        "anytime_wallclock", "anytime_both" };
    s->race_anytime = -1;
    for (int i = 0; obj && cJSON_IsString(obj) && i < 4; i++)
        if (!strcmp(obj->valuestring, objectives[i]))
            s->race_anytime = i;
    if (!obj)
        s->race_anytime = 0;
    if (s->race_anytime < 0)
        return ga_error_set(err, GA_EINPUT, "%s: race.objective must be "
                            "\"final\", \"anytime\", \"anytime_wallclock\" or "
                            "\"anytime_both\"", src);
    if (s->race_anytime >= 2 && !(s->dur_median > 0))
        return ga_error_set(err, GA_EINPUT, "%s: race.objective \"%s\" needs "
                            "\"durations\"", src, objectives[s->race_anytime]);
    return GA_OK;
}

/* durations: simulated job durations (log-normal median and sigma) on
 * the spec's workers, for the wall-clock columns of runs.csv, and the
 * chance a job fails ("fail", default 0). */
static int parse_durations(const cJSON *o, sweep_spec *s, const char *src,
                           ga_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "durations");
    if (!v)
        return GA_OK;
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(v, "median");
    const cJSON *sg = cJSON_GetObjectItemCaseSensitive(v, "sigma");
    if (!cJSON_IsNumber(m) || !(m->valuedouble > 0) ||
        !isfinite(m->valuedouble) || !cJSON_IsNumber(sg) ||
        !(sg->valuedouble >= 0) || sg->valuedouble > 10)
        return ga_error_set(err, GA_EINPUT, "%s: 'durations' needs a median > 0 "
                            "and a sigma in [0, 10] (a log-normal)", src);
    const cJSON *fl = cJSON_GetObjectItemCaseSensitive(v, "fail");
    if (fl && (!cJSON_IsNumber(fl) || !(fl->valuedouble >= 0) ||
               !(fl->valuedouble < 1)))
        return ga_error_set(err, GA_EINPUT, "%s: durations 'fail' must be a "
                            "probability in [0, 1)", src);
    s->dur_median = m->valuedouble;
    s->dur_sigma = sg->valuedouble;
    s->dur_fail = fl ? fl->valuedouble : 0;
    return GA_OK;
}

/* configure.initial: a list of settings objects (the spec's base, then
 * each) the first race starts from, as factor values. */
static int parse_initial(const cJSON *v, sweep_spec *s, const char *src,
                         ga_error *err)
{
    if (!v)
        return GA_OK;
    int n = cJSON_GetArraySize(v);
    if (!cJSON_IsArray(v) || n > s->conf_candidates)
        return ga_error_set(err, GA_EINPUT, "%s: configure.initial must be a "
                            "list of at most configure.candidates (%ld) settings "
                            "objects", src, s->conf_candidates);
    size_t nf = s->nfactors;
    if (!(s->conf_initial = calloc((size_t)n * nf + 1, sizeof *s->conf_initial)))
        return oom(err);
    const cJSON *kv;
    cJSON_ArrayForEach(kv, v) {
        char where[GA_PATH_MAX + 64];
        snprintf(where, sizeof where, "%s: configure.initial[%zu]", src,
                 s->conf_ninitial);
        ga_settings st = s->base;
        if (!cJSON_IsObject(kv))
            return ga_error_set(err, GA_EINPUT, "%s: a settings object", where);
        if (ga_settings_apply_json(&st, kv, where, err) != GA_OK)
            return GA_EINPUT;
        char **vals = s->conf_initial + s->conf_ninitial++ * nf;
        if (sweep_setting_values(s, &st, vals, err) != GA_OK)
            return err->status;
    }
    return GA_OK;
}

/* configure: iterated racing's iterations, candidates per race, elites,
 * tuning budget in GA runs and initial settings. */
static int parse_configure(const cJSON *o, sweep_spec *s, const char *src,
                           ga_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "configure"), *kv;
    s->conf_iterations = 4;
    s->conf_candidates = 12;
    s->conf_elites = 3;
    s->conf_budget_runs = 0;
    if (!v)
        return GA_OK;
    if (!cJSON_IsObject(v))
        return ga_error_set(err, GA_EINPUT, "%s: 'configure' must be an object "
                            "(iterations, candidates, elites, budget_runs)",
                            src);
    cJSON_ArrayForEach(kv, v)
        if (strcmp(kv->string, "iterations") && strcmp(kv->string, "candidates")
            && strcmp(kv->string, "elites") && strcmp(kv->string, "budget_runs")
            && strcmp(kv->string, "initial"))
            return ga_error_set(err, GA_EINPUT, "%s: configure: unknown key "
                                "'%s' (iterations, candidates, elites, "
                                "budget_runs, initial)", src, kv->string);
    if (get_long(v, "iterations", 4, 1, &s->conf_iterations, src, err) ||
        get_long(v, "candidates", 12, 3, &s->conf_candidates, src, err) ||
        get_long(v, "elites", 3, 1, &s->conf_elites, src, err) ||
        get_long(v, "budget_runs", 0, 0, &s->conf_budget_runs, src, err))
        return GA_EINPUT;
    if (s->conf_elites >= s->conf_candidates)
        return ga_error_set(err, GA_EINPUT, "%s: configure.elites (%ld) must be "
                            "fewer than configure.candidates (%ld)", src,
                            s->conf_elites, s->conf_candidates);
    return parse_initial(cJSON_GetObjectItemCaseSensitive(v, "initial"), s,
                         src, err);
}

/* parameters: the factors to vary; constraints: repair or drop a point
 * with cx_prob + mut_prob > 1. */
static int parse_factors(const cJSON *o, sweep_spec *s, const char *src,
                         ga_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "parameters"), *kv;
    if (!cJSON_IsObject(v) || cJSON_GetArraySize(v) == 0)
        return ga_error_set(err, GA_EINPUT, "%s: 'parameters' must name the GA "
                            "settings to vary", src);
    if (!(s->factors = calloc((size_t)cJSON_GetArraySize(v), sizeof *s->factors)))
        return oom(err);
    cJSON_ArrayForEach(kv, v) {
        if (parse_factor(kv, &s->factors[s->nfactors++], src, err) != GA_OK)
            return err->status;
        if (s->design == SWEEP_FACTORIAL && s->factors[s->nfactors - 1].nlevels == 0)
            return ga_error_set(err, GA_EINPUT, "%s: parameters.%s: a full "
                                "factorial design needs levels, not a range",
                                src, kv->string);
    }
    v = cJSON_GetObjectItemCaseSensitive(o, "constraints");
    if (v && cJSON_IsString(v) && !strcmp(v->valuestring, "drop"))
        s->drop_invalid = 1;
    else if (v && !(cJSON_IsString(v) && !strcmp(v->valuestring, "repair")))
        return ga_error_set(err, GA_EINPUT, "%s: 'constraints' must be \"repair\" "
                            "or \"drop\"", src);
    return GA_OK;
}

/* A spec as a whole: a JSON object of known keys. */
static int parse_object(const cJSON *o, sweep_spec *s, const char *src,
                        ga_error *err)
{
    (void)s;
    const cJSON *kv;
    if (!cJSON_IsObject(o))
        return ga_error_set(err, GA_EINPUT, "%s: a sweep spec is a JSON object",
                            src);
    cJSON_ArrayForEach(kv, o) {
        if (!known_key(kv->string))
            return ga_error_set(err, GA_EINPUT, "%s: unknown key '%s'", src,
                                kv->string);
    }
    return GA_OK;
}

typedef int (*parse_step)(const cJSON *o, sweep_spec *s, const char *src,
                          ga_error *err);

sweep_spec *sweep_spec_parse(const char *text, const char *src, ga_error *err)
{
    /* in order: later steps read what earlier ones set (the budget) */
    static const parse_step steps[] = {
        parse_object, parse_scalars, parse_workers, parse_problems,
        parse_records, parse_fixed, parse_durations, parse_design,
        parse_factors, parse_configure
    };
    cJSON *o = ga_json_parse(text, src, NULL, err);
    if (!o)
        return NULL;
    sweep_spec *s = calloc(1, sizeof *s);
    int rc = s && (s->text = ga_strdup(text)) ? GA_OK : oom(err);
    if (rc == GA_OK) {
        s->hash = ga_fnv1a(GA_FNV1A_INIT, text, strlen(text));
        ga_settings_defaults(&s->base);
        s->race_alpha = 0.05;
    }
    for (size_t i = 0; rc == GA_OK && i < sizeof steps / sizeof steps[0]; i++)
        rc = steps[i](o, s, src, err);
    cJSON_Delete(o);
    if (rc == GA_OK)
        return s;
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

/* The number of candidates the design makes; 0 if more than memory can
 * hold (a factorial of many levels). */
static size_t design_size(const sweep_spec *s)
{
    if (s->design != SWEEP_FACTORIAL)
        return (size_t)s->points;
    size_t n = 1;
    for (size_t k = 0; k < s->nfactors; k++) {
        if (n > SIZE_MAX / 8 / s->factors[k].nlevels / (s->nfactors + 1))
            return 0;
        n *= s->factors[k].nlevels;
    }
    return n;
}

static void free_values(char **vals, size_t n)
{
    for (size_t i = 0; vals && i < n; i++)
        free(vals[i]);
    free(vals);
}

/* The text values of every candidate, before they become settings:
 * vals[i * nfactors + k] (caller frees: free_values); NULL when out of
 * memory. */
static char **design_values(const sweep_spec *s, size_t *npoints)
{
    size_t nf = s->nfactors, n = design_size(s);
    char **vals = n ? calloc(n * nf + 1, sizeof *vals) : NULL;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    size_t *perm = malloc((n + 1) * sizeof *perm);
    int ok = vals && r && perm;
    if (ok)
        gsl_rng_set(r, s->seed ^ 0x5eedUL);
    for (size_t k = 0; ok && k < nf; k++) {
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
            ok = ok && v;
            vals[i * nf + k] = v;
        }
    }
    free(perm);
    gsl_rng_free(r);
    if (!ok) {
        free_values(vals, n * nf);
        return NULL;
    }
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

/* The text of setting name in st, as runs.csv shows it, into *text (caller
 * frees; NULL for a setting whose value is null). */
static int setting_text(const ga_settings *st, const char *name, char **text,
                        ga_error *err)
{
    ga_json_oom_clear();
    cJSON *j = ga_settings_to_json(st);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, name);
    *text = scalar_text(v);
    int failed = !j || ga_json_oom() || (!*text && is_scalar(v));
    cJSON_Delete(j);
    if (!failed)
        return GA_OK;
    free(*text);
    *text = NULL;
    return oom(err);
}

/* Point 0: the CANDLE defaults with the spec's fixed settings, the
 * reference every setting is compared with. */
static int reference_point(const sweep_spec *s, sweep_point *p, ga_error *err)
{
    ga_settings candle;
    ga_settings_defaults(&candle);
    p->reference = 1;
    p->settings = s->base;
    if (!(p->values = calloc(s->nfactors + 1, sizeof *p->values)))
        return oom(err);
    for (size_t k = 0; k < s->nfactors; k++) {
        const char *name = s->factors[k].name;
        if (setting_text(&candle, name, &p->values[k], err))
            return GA_EFAIL;
        if (!p->values[k] && !(p->values[k] = ga_strdup("none")))
            return oom(err);  /* (a setting whose default is null) */
        ga_settings_set(&p->settings, name, p->values[k], "defaults", NULL);
    }
    return GA_OK;
}

/* A candidate's settings from its values (vals[k] for factor k) into st,
 * repaired where the spec says so; 1 if it is dropped. why says what was
 * done, or stays "". */
static int judge_candidate(const sweep_spec *s, char *const *vals,
                           const ga_settings *reference, ga_settings *st,
                           char *why, size_t size)
{
    *st = s->base;
    for (size_t k = 0; k < s->nfactors; k++) {
        ga_error serr;
        if (ga_settings_set(st, s->factors[k].name, vals[k], "design",
                            &serr) != GA_OK) {
            snprintf(why, size, "dropped: %.400s", serr.msg);
            return 1;
        }
    }
    if (st->strategy == GA_MU_PLUS_LAMBDA &&
        st->cx_prob + st->mut_prob > 1.0 + 1e-12) {
        double sum = st->cx_prob + st->mut_prob;
        if (s->drop_invalid) {
            snprintf(why, size, "dropped: cx_prob %g + mut_prob %g > 1",
                     st->cx_prob, st->mut_prob);
            return 1;
        }
        snprintf(why, size, "repaired: cx_prob %g + mut_prob %g > 1, both "
                 "scaled by 1/%g", st->cx_prob, st->mut_prob, sum);
        st->cx_prob /= sum;
        st->mut_prob /= sum;
    }
    ga_error verr;
    if (ga_settings_validate(st, &verr) != GA_OK) {
        snprintf(why, size, "dropped: %.400s", verr.msg);
        return 1;
    }
    if (same_settings(st, reference)) {
        snprintf(why, size, "dropped: the same as the reference point");
        return 1;
    }
    return 0;
}

int sweep_setting_values(const sweep_spec *s, const ga_settings *st,
                         char **vals, ga_error *err)
{
    for (size_t k = 0; k < s->nfactors; k++) {
        if (setting_text(st, s->factors[k].name, &vals[k], err))
            return GA_EFAIL;
        if (!vals[k] && !(vals[k] = ga_strdup("none")))
            return oom(err);
    }
    return GA_OK;
}

/* A kept point's values: those actually used (after a repair). */
static int point_values(const sweep_spec *s, sweep_point *p, ga_error *err)
{
    if (!(p->values = calloc(s->nfactors + 1, sizeof *p->values)))
        return oom(err);
    for (size_t k = 0; k < s->nfactors; k++)
        if (setting_text(&p->settings, s->factors[k].name, &p->values[k], err))
            return GA_EFAIL;
    return GA_OK;
}

int sweep_design(const sweep_spec *s, sweep_point **out, size_t *nout,
                 char **report, ga_error *err)
{
    size_t n = 0;
    char **vals = design_values(s, &n);
    if (!vals) {
        *out = NULL;
        *nout = 0;
        *report = NULL;
        return oom(err);
    }
    int rc = sweep_design_from(s, vals, n, out, nout, NULL, report, err);
    free_values(vals, n * s->nfactors);
    return rc;
}

int sweep_design_from(const sweep_spec *s, char *const *vals, size_t n,
                      sweep_point **out, size_t *nout, long *point_of,
                      char **report, ga_error *err)
{
    size_t nf = s->nfactors, np = 1;
    sweep_point *pts = calloc(n + 1, sizeof *pts);
    ga_strbuf rep = GA_STRBUF_INIT;
    int rc = pts ? reference_point(s, &pts[0], err) : oom(err);
    for (size_t i = 0; rc == GA_OK && i < n; i++) {
        char why[512] = "";
        int bad = judge_candidate(s, vals + i * nf, &pts[0].settings,
                                  &pts[np].settings, why, sizeof why);
        if (why[0]) {
            ga_strbuf_printf(&rep, "candidate %zu (", i);
            for (size_t k = 0; k < nf; k++)
                ga_strbuf_printf(&rep, "%s%s=%s", k ? " " : "",
                                 s->factors[k].name, vals[i * nf + k]);
            ga_strbuf_printf(&rep, "): %s\n", why);
        }
        if (point_of)
            point_of[i] = bad ? (strstr(why, "the same as the reference")
                                     ? 0 : -1)
                              : (long)np;
        if (!bad && (rc = point_values(s, &pts[np], err)) == GA_OK)
            np++;
    }
    *report = rc == GA_OK ? ga_strbuf_take(&rep) : NULL;
    if (rc == GA_OK && !*report)
        rc = oom(err);
    if (rc) {
        ga_strbuf_free(&rep);
        /* the points kept, and the slot after them (pts holds n + 1)
         * where a point may have failed half-made */
        sweep_points_free(pts, pts ? (np <= n ? np + 1 : np) : 0, nf);
        *out = NULL;
        *nout = 0;
        return rc;
    }
    ga_error_clear(err);
    *out = pts;
    *nout = np;
    return GA_OK;
}
