/* cmd_run.c - `gahpo run`: the options parsed, the settings decided
 * (command line > environment > --settings > tuned defaults > CANDLE's),
 * the run directory made (run.json: everything a resume needs) or, with
 * --resume DIR, reopened from its run.json, the GA run through the chosen
 * executor, the summary printed. */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "../problems/problem.h"
#include "../ga/csv.h"
#include "../ga/engine.h"
#include "../exec/exec.h"
#include "../ga/run.h"
#include "../ga/rundir.h"
#include "../ga/settings.h"
#include "../ga/space.h"
#include "../ga/util.h"
#include "cmd_util.h"
#include "commands.h"

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

/* What `gahpo run` was asked; resumed, what DIR/run.json says. */
typedef struct run_args {
    const char *space_file, *problem, *out, *settings_file, *tuned_file;
    const char *init_file, *resume_dir;
    const char *result_file, *result_key;
    long jobs;
    double timeout;
    int param_flags, quiet, no_env;
    char **command;
    int ncommand;
    const char *keys[64];     /* settings from the command line, in order */
    const char *values[64];
    int nset;
    int jobs_set, timeout_set;
    const char *retries;      /* --retries: the local executor's, or passed
                                 to the cluster's settings */
    long local_retries;
    long budget;              /* evaluations planned: picks tuned defaults */
    int cache;                /* -1: the executor's default */
    int no_tuned;
    const char *executor;     /* "local" (default), "slurm" or "pbs" */
    const char *site;
    const char *slurm_keys[64];   /* Slurm options, in order */
    const char *slurm_values[64];
    int nslurm;
    ga_sched_settings *sched; /* resolved; owned by gahpo_cmd_run */
} run_args;

static const char *env_lookup(void *ctx, const char *name)
{
    (void)ctx;
    return getenv(name);
}

/* A generation's line on stderr (ga_run_opts.progress). */
static void progress(void *ctx, const ga_stats_row *r, long evals, double best)
{
    (void)ctx;
    fprintf(stderr, "gen %3ld  nevals %4ld  evals %6ld  best %-12.6g avg "
            "%-12.6g min %-12.6g max %-12.6g%s\n", r->gen, r->nevals, evals,
            best, r->avg, r->min, r->max, r->nfailed ? "  (failures)" : "");
}

/* A setting's option name (num-iter) as its key (num_iter). */
static void setting_key(const char *name, char key[64])
{
    snprintf(key, 64, "%s", name);
    for (char *c = key; *c; c++)
        if (*c == '-')
            *c = '_';
}

/* o a GA setting (--num-iter, or its short forms --stall and --max-time),
 * kept in order for resolve_settings: 0, or 2 after a usage message. */
static int parse_run_setting(run_args *a, const char *o, const char *v)
{
    char key[64];
    setting_key(o + 2, key);
    const char *canon = ga_settings_known(key) ? o + 2
                        : !strcmp(key, "stall") ? "stall_generations"
                        : !strcmp(key, "max_time") ? "max_seconds"
                        : NULL;
    if (!canon)
        return gahpo_usage("run: unknown option '%s'", o);
    if (a->nset >= 64)
        return gahpo_usage("run: too many settings");
    a->keys[a->nset] = canon;
    a->values[a->nset++] = v;
    return 0;
}

/* gahpo run's own options, as data: a flag sets an int to a value; an
 * option with a value is a string, a count >= 1 or seconds >= 0 (and may
 * mark that it was given), or one of a few words. */
enum { FLAG, TEXT, COUNT, SECONDS, CHOICE };

typedef struct run_option {
    const char *name;
    int kind;
    size_t off;              /* the member of run_args it fills */
    int flag_value;          /* FLAG: the value set */
    ptrdiff_t given;         /* COUNT, SECONDS: an int member set to 1; -1 */
    const char *bad;         /* COUNT, SECONDS, CHOICE: the usage message */
} run_option;

#define ARG(m) offsetof(run_args, m)
static const run_option run_options[] = {
    { "--no-env", FLAG, ARG(no_env), 1, -1, NULL },
    { "--no-param-flags", FLAG, ARG(param_flags), 0, -1, NULL },
    { "--quiet", FLAG, ARG(quiet), 1, -1, NULL },
    { "--no-tuned-defaults", FLAG, ARG(no_tuned), 1, -1, NULL },
    { "--cache", FLAG, ARG(cache), 1, -1, NULL },
    { "--no-cache", FLAG, ARG(cache), 0, -1, NULL },
    { "--space", TEXT, ARG(space_file), 0, -1, NULL },
    { "--problem", TEXT, ARG(problem), 0, -1, NULL },
    { "--out", TEXT, ARG(out), 0, -1, NULL },
    { "--settings", TEXT, ARG(settings_file), 0, -1, NULL },
    { "--tuned-defaults", TEXT, ARG(tuned_file), 0, -1, NULL },
    { "--budget", COUNT, ARG(budget), 0, -1,
      "run: --budget must be a number of evaluations >= 1, got '%s'" },
    { "--init-population", TEXT, ARG(init_file), 0, -1, NULL },
    { "--resume", TEXT, ARG(resume_dir), 0, -1, NULL },
    { "--executor", CHOICE, ARG(executor), 0, -1,
      "run: --executor must be local, slurm or pbs, got '%s'" },
    { "--site", TEXT, ARG(site), 0, -1, NULL },
    { "--retries", TEXT, ARG(retries), 0, -1, NULL },
    { "--result-file", TEXT, ARG(result_file), 0, -1, NULL },
    { "--result-key", TEXT, ARG(result_key), 0, -1, NULL },
    { "--jobs", COUNT, ARG(jobs), 0, ARG(jobs_set),
      "run: --jobs must be an integer >= 1, got '%s'" },
    { "--timeout", SECONDS, ARG(timeout), 0, ARG(timeout_set),
      "run: --timeout must be seconds >= 0, got '%s'" },
};
#define NRUN_OPTIONS (sizeof run_options / sizeof run_options[0])

static const run_option *find_run_option(const char *o)
{
    for (size_t i = 0; i < NRUN_OPTIONS; i++)
        if (!strcmp(run_options[i].name, o))
            return &run_options[i];
    return NULL;
}

/* Option d with its value v into a: 0, or 2 after a usage message. */
static int set_run_option(run_args *a, const run_option *d, const char *v)
{
    char *m = (char *)a + d->off;
    switch (d->kind) {
    case TEXT:
        *(const char **)m = v;
        return 0;
    case CHOICE:
        if (strcmp(v, "local") && strcmp(v, "slurm") && strcmp(v, "pbs"))
            return gahpo_usage(d->bad, v);
        *(const char **)m = v;
        return 0;
    case COUNT:
        if (ga_parse_long(v, (long *)m) != 0 || *(long *)m < 1)
            return gahpo_usage(d->bad, v);
        break;
    case SECONDS:
        if (ga_parse_double(v, (double *)m) != 0 || *(double *)m < 0)
            return gahpo_usage(d->bad, v);
        break;
    }
    if (d->given >= 0)
        *(int *)((char *)a + d->given) = 1;
    return 0;
}

/* Option o with its value v into a: gahpo run's own (the table, tried
 * first: --executor and --retries are also scheduler options), a Slurm
 * or PBS option, or a GA setting. 0, or 2 after a usage message. */
static int parse_run_option(run_args *a, const char *o, const char *v)
{
    const run_option *d = find_run_option(o);
    if (d)
        return set_run_option(a, d, v);
    if (ga_sched_option_known(o)) {
        if (a->nslurm >= 64)
            return gahpo_usage("run: too many Slurm options");
        a->slurm_keys[a->nslurm] = o;
        a->slurm_values[a->nslurm++] = v;
        return 0;
    }
    return parse_run_setting(a, o, v);
}

/* gahpo run's command line into a, over the defaults: 0, or 2 after a
 * usage message. --help prints the help and exits 0. */
static int parse_run_args(int argc, char **argv, run_args *a)
{
    memset(a, 0, sizeof *a);
    a->jobs = 1;
    a->cache = -1;
    a->param_flags = 1;
    a->result_file = "result.json";
    a->result_key = "val_loss";
    for (int i = 0; i < argc; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
            gahpo_print_help(stdout);
            exit(0);
        }
        if (strcmp(o, "--") == 0) {
            a->command = argv + i + 1;
            a->ncommand = argc - i - 1;
            return 0;
        }
        if (strncmp(o, "--", 2) != 0)
            return gahpo_usage("run: unexpected argument '%s' (put the model "
                               "command after --)", o);
        const run_option *flag = find_run_option(o);
        if (flag && flag->kind == FLAG) {
            *(int *)((char *)a + flag->off) = flag->flag_value;
            continue;
        }
        if (i + 1 >= argc)
            return gahpo_usage("run: %s needs a value", o);
        int rc = parse_run_option(a, o, argv[++i]);
        if (rc)
            return rc;
    }
    return 0;
}

/* Where each setting came from (ga_settings_key's order): a source's
 * name, or NULL for the built-in CANDLE default. */
typedef struct setting_sources {
    const char *of[32];
    int tuned[32];            /* set by the tuned defaults */
    long tuned_num_iter;      /* num_iter after the tuned defaults */
    ga_settings after_tuned;  /* the settings after the tuned defaults */
} setting_sources;

static long setting_index(const char *key)
{
    for (size_t i = 0; i < ga_settings_count(); i++)
        if (!strcmp(ga_settings_key(i), key))
            return (long)i;
    return -1;
}

/* The tuned defaults file to use, parsed: NULL with err GA_OK for none.
 * *path is the file's name (in builtin, GA_PATH_MAX, when it is the
 * committed one). */
static cJSON *tuned_root(const run_args *a, const char **path, char *builtin,
                         ga_error *err)
{
    /* the file given, or $GAHPO_TUNED_DEFAULTS, or the committed
     * sweeps/tuned_defaults.json (per budget and workers: applied when
     * --budget says which) */
    ga_error ignore;
    const char *tuned = a->tuned_file ? a->tuned_file
                        : a->no_env ? NULL : getenv("GAHPO_TUNED_DEFAULTS");
    if ((!tuned || !*tuned) && !a->no_tuned &&
        ga_data_path("sweeps/tuned_defaults.json", builtin, GA_PATH_MAX,
                     &ignore) == GA_OK)
        tuned = builtin;
    *path = tuned;
    err->status = GA_OK;
    if (!tuned || !*tuned || a->no_tuned)
        return NULL;
    char *text = ga_read_file(tuned, NULL, err);
    if (!text)
        return NULL;
    cJSON *root = ga_json_parse(text, tuned, NULL, err);
    free(text);
    return root;
}

/* The workers the tuned defaults are chosen for: a cluster's resolved
 * --max-concurrent (command line, PROCS, site profile), else --jobs, else
 * CANDLE's MAX_CONCURRENT. */
static long tuned_workers(const run_args *a)
{
    long workers = a->jobs;
    const char *mc = a->no_env ? NULL : getenv("MAX_CONCURRENT");
    long mcv;
    if (!a->jobs_set && mc && ga_parse_long(mc, &mcv) == 0 && mcv >= 1)
        workers = mcv;
    if (a->sched && a->sched->max_concurrent > 0)
        workers = a->sched->max_concurrent;
    return workers;
}

typedef struct source_ctx {
    const run_args *a;
    const cJSON *tuned;
    const char *tuned_path;
    char *chosen;
    size_t chosen_size;
} source_ctx;

static int from_tuned(ga_settings *s, source_ctx *c, ga_error *err)
{
    return ga_settings_apply_tuned(s, c->tuned, c->tuned_path, c->a->budget,
                                   tuned_workers(c->a), c->chosen,
                                   c->chosen_size, err);
}

static int from_file(ga_settings *s, source_ctx *c, ga_error *err)
{
    return ga_settings_load(s, c->a->settings_file, err);
}

static int from_env(ga_settings *s, source_ctx *c, ga_error *err)
{
    (void)c;
    return ga_settings_apply_env(s, env_lookup, NULL, err);
}

static int from_command_line(ga_settings *s, source_ctx *c, ga_error *err)
{
    for (int i = 0; i < c->a->nset; i++) {
        char key[64], source[96];
        setting_key(c->a->keys[i], key);
        snprintf(source, sizeof source, "command line --%s", c->a->keys[i]);
        if (ga_settings_set(s, key, c->a->values[i], source, err) != GA_OK)
            return GA_EINPUT;
    }
    return GA_OK;
}

/* Apply one source to s, and mark in src the settings it sets (applied to
 * settings unlike s as well: what comes out the same, it set). */
static int apply_source(ga_settings *s, setting_sources *src, const char *name,
                        int (*apply)(ga_settings *, source_ctx *, ga_error *),
                        source_ctx *c, ga_error *err)
{
    ga_settings other;
    ga_settings_unlike(s, &other);
    char *chosen = c->chosen;
    int rc = apply(s, c, err);
    if (rc != GA_OK)
        return rc;
    char scratch[8];
    c->chosen = scratch;
    c->chosen_size = sizeof scratch;
    ga_error ignore;
    apply(&other, c, &ignore);
    c->chosen = chosen;
    for (size_t i = 0; i < ga_settings_count(); i++)
        if (ga_settings_same(s, &other, i)) {
            src->of[i] = name;
            src->tuned[i] = !strcmp(name, "tuned defaults");
        }
    return GA_OK;
}

/* One line on what the chosen tuned-defaults entry is known to do: its
 * test-set evidence, or that it has only its tuning problems' ("" when
 * the file has no entries). */
static void tuned_evidence(const cJSON *root, const run_args *a, char *buf,
                           size_t size)
{
    buf[0] = '\0';
    const cJSON *e = ga_settings_tuned_entry(root, a->budget,
                                             tuned_workers(a));
    const cJSON *ev = cJSON_GetObjectItemCaseSensitive(e, "evidence");
    const cJSON *test = cJSON_GetObjectItemCaseSensitive(ev, "test");
    const cJSON *imp = cJSON_GetObjectItemCaseSensitive(
        ev, "improvement_over_candle_defaults");
    const cJSON *probs = cJSON_GetObjectItemCaseSensitive(ev, "problems");
    if (test) {
        const cJSON *r = cJSON_GetObjectItemCaseSensitive(test, "ratio");
        const cJSON *ci = cJSON_GetObjectItemCaseSensitive(test, "ratio_ci95");
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(test, "p_holm");
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(test, "problems");
        const cJSON *w = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(test, "at_equal_wallclock"),
            "ratio");
        char wall[320] = "";
        if (cJSON_IsNumber(w))
            snprintf(wall, sizeof wall, "; at equal simulated wall-clock %.3g",
                     w->valuedouble);
        const cJSON *sur = cJSON_GetArrayItem(
            cJSON_GetObjectItemCaseSensitive(test, "surrogates"), 0);
        const cJSON *sn = cJSON_GetObjectItemCaseSensitive(sur, "problem");
        const cJSON *sr = cJSON_GetObjectItemCaseSensitive(sur, "ratio");
        const cJSON *sa = cJSON_GetObjectItemCaseSensitive(sur, "a12");
        if (cJSON_IsString(sn) && cJSON_IsNumber(sr) && cJSON_IsNumber(sa))
            snprintf(wall + strlen(wall), sizeof wall - strlen(wall),
                     "; on the held-out %s alone %.3g (A12 %.2f)",
                     sn->valuestring, sr->valuedouble, sa->valuedouble);
        if (cJSON_IsNumber(r) && cJSON_GetArraySize(ci) == 2 &&
            cJSON_IsNumber(p) && cJSON_IsNumber(n))
            snprintf(buf, size, "on %.0f test problems never tuned on, "
                     "CANDLE's error / this entry's %.3g (95%% CI %.3g to "
                     "%.3g, problems as units) at equal evaluations, p "
                     "(Holm) %.2g%s", n->valuedouble, r->valuedouble,
                     cJSON_GetArrayItem(ci, 0)->valuedouble,
                     cJSON_GetArrayItem(ci, 1)->valuedouble, p->valuedouble,
                     wall);
    } else if (imp) {
        const cJSON *r = cJSON_GetObjectItemCaseSensitive(imp,
                                                          "median_error_ratio");
        const cJSON *ci = cJSON_GetObjectItemCaseSensitive(imp, "ci95");
        if (cJSON_IsNumber(r) && cJSON_GetArraySize(ci) == 2)
            snprintf(buf, size, "measured on its %d tuning problems only, no "
                     "test set: median error ratio CANDLE/this entry %.3g "
                     "(95%% CI %.3g to %.3g, pooled over problem x replicate "
                     "pairs); docs/GUIDE.md section 3", cJSON_GetArraySize(probs),
                     r->valuedouble, cJSON_GetArrayItem(ci, 0)->valuedouble,
                     cJSON_GetArrayItem(ci, 1)->valuedouble);
    }
}

/* mu_plus_lambda needs cx_prob + mut_prob <= 1; a tuned entry for
 * `simple` may have more. When the tuned defaults gave either and another
 * source made the strategy mu_plus_lambda, the tuned ones are scaled down
 * to a sum of 1 (as the tuning repairs its own candidates), and said. */
static void repair_tuned_probs(const run_args *a, ga_settings *s,
                               const setting_sources *src)
{
    long icx = setting_index("cx_prob"), imut = setting_index("mut_prob");
    int tcx = src->tuned[icx], tmut = src->tuned[imut];
    double cx = s->cx_prob, mut = s->mut_prob;
    if (s->strategy != GA_MU_PLUS_LAMBDA || cx + mut <= 1 || !(tcx || tmut))
        return;
    if (tcx && tmut) {
        s->cx_prob = cx / (cx + mut);
        s->mut_prob = mut / (cx + mut);
    } else if (tcx) {
        s->cx_prob = 1 - mut;
    } else {
        s->mut_prob = 1 - cx;
    }
    if (!a->quiet)
        fprintf(stderr, "gahpo: mu_plus_lambda needs cx_prob + mut_prob <= 1; "
                "the tuned defaults' %s scaled: cx_prob %.3g, mut_prob %.3g "
                "(were %.3g and %.3g)\n", tcx && tmut ? "cx_prob and mut_prob"
                : tcx ? "cx_prob" : "mut_prob", s->cx_prob, s->mut_prob, cx,
                mut);
}

/* Settings from all sources, in precedence order: built-in, tuned
 * defaults, settings file, environment, command line. */
static int resolve_settings(const run_args *a, ga_settings *s, char *tuned_used,
                            size_t tuned_size, char *evidence,
                            size_t evidence_size, setting_sources *src,
                            ga_error *err)
{
    ga_settings_defaults(s);
    memset(src, 0, sizeof *src);
    tuned_used[0] = '\0';
    source_ctx c = { a, NULL, NULL, tuned_used, tuned_size };
    char builtin[GA_PATH_MAX];
    cJSON *root = tuned_root(a, &c.tuned_path, builtin, err);
    if (!root && err->status != GA_OK)
        return err->status;
    c.tuned = root;
    int rc = root ? apply_source(s, src, "tuned defaults", from_tuned, &c, err)
                  : GA_OK;
    evidence[0] = '\0';
    if (rc == GA_OK && root && tuned_used[0])
        tuned_evidence(root, a, evidence, evidence_size);
    cJSON_Delete(root);
    src->tuned_num_iter = s->num_iter;
    src->after_tuned = *s;
    if (rc == GA_OK && a->settings_file)
        rc = apply_source(s, src, "settings file", from_file, &c, err);
    if (rc == GA_OK && !a->no_env)
        rc = apply_source(s, src, "environment", from_env, &c, err);
    if (rc == GA_OK)
        rc = apply_source(s, src, "command line", from_command_line, &c, err);
    if (rc != GA_OK)
        return GA_EINPUT;
    repair_tuned_probs(a, s, src);
    return ga_settings_validate(s, err);
}

/* The tuned defaults applied, but every setting they change from the
 * built-in defaults set again by a later source: say so, and do not claim
 * them in the header. */
static void tuned_overridden(setting_sources *src, char *tuned_used, int quiet)
{
    if (!tuned_used[0])
        return;
    ga_settings builtin;
    ga_settings_defaults(&builtin);
    int any = 0;
    for (size_t i = 0; i < ga_settings_count(); i++)
        any |= src->tuned[i] &&
               !ga_settings_same(&src->after_tuned, &builtin, i);
    if (any)
        return;
    if (!quiet)
        fprintf(stderr, "gahpo: the settings file, environment or command "
                "line sets every setting the tuned defaults %s give: they are "
                "not used\n", tuned_used);
    tuned_used[0] = '\0';
}

/* --budget N on a new run: exactly N evaluations (max_evaluations), the
 * generations computed for the population and batch the run has, wherever
 * they came from. */
static int apply_budget(const run_args *a, ga_settings *s,
                        const setting_sources *src, int quiet, ga_error *err)
{
    if (a->budget <= 0)
        return GA_OK;
    long ipop = setting_index("population_size");
    long iiter = setting_index("num_iter");
    const char *pop_from = src->of[ipop];
    if (a->budget < s->population_size) {
        if (pop_from && !src->tuned[ipop])
            return ga_error_set(err, GA_EINPUT, "--budget %ld is less than "
                                "population_size %ld (from the %s)", a->budget,
                                s->population_size, pop_from);
        if (a->budget < 2)
            return ga_error_set(err, GA_EINPUT, "--budget %ld: a population "
                                "needs at least 2 evaluations", a->budget);
        if (!quiet)
            fprintf(stderr, "gahpo: --budget %ld is less than population_size "
                    "%ld (%s): population_size %ld\n", a->budget,
                    s->population_size, pop_from ? pop_from : "built-in",
                    a->budget);
        s->population_size = a->budget;
    }
    long gens = ga_settings_generations_for(s, a->budget);
    if (gens < 1 && !(s->cx_prob > 0 || s->mut_prob > 0))
        return ga_error_set(err, GA_EINPUT, "--budget %ld: with cx_prob and "
                            "mut_prob both 0 no child is ever evaluated",
                            a->budget);
    if (gens < 1)
        return ga_error_set(err, GA_EINPUT, "--budget %ld: no generation fits "
                            "population_size %ld", a->budget,
                            s->population_size);
    if (!quiet && src->of[iiter] && !src->tuned[iiter])
        fprintf(stderr, "gahpo: num_iter %ld from the %s is replaced: --budget "
                "%ld decides the generations\n", s->num_iter, src->of[iiter],
                a->budget);
    else if (!quiet && src->of[iiter] && gens != src->tuned_num_iter &&
             ga_settings_full_batches(s))
        fprintf(stderr, "gahpo: generations recomputed for --budget %ld: %ld "
                "(the tuned defaults planned %ld for their own population "
                "and offspring)\n", a->budget, gens, src->tuned_num_iter);
    s->num_iter = gens;
    s->max_evaluations = a->budget;
    return ga_settings_validate(s, err);
}

static void print_summary(const char *dir, const ga_space *space,
                          const ga_engine *eng)
{
    size_t nh;
    const double *hf;
    const double *hof = ga_engine_hof(eng, &nh, &hf);
    printf("stopped: %s\n", ga_engine_done(eng) ? ga_engine_stop_reason(eng)
                                                : "not finished");
    printf("generations: %ld  evaluations: %ld\n",
           ga_engine_generation(eng) + 1, ga_engine_evaluations(eng));
    if (nh) {
        printf("best fitness: %.17g\nbest parameters:\n", hf[0]);
        for (size_t i = 0; i < space->n; i++) {
            char buf[4096];
            if (ga_param_gene_format(&space->params[i], hof[i], buf, sizeof buf))
                snprintf(buf, sizeof buf, "(too long)");
            printf("  %-24s %s\n", space->params[i].name, buf);
        }
    }
    printf("results in %s: best.json stats.csv population.json evals.jsonl\n",
           dir);
}

/* The summary of a run that has no engine to ask (async): best.json (one
 * not read, or whose name is too long, is a run not finished). */
static void print_best_file(const char *dir)
{
    char path[GA_PATH_MAX];
    ga_error e;
    char *text = ga_path(path, sizeof path, &e, "%s/best.json", dir) ? NULL
                 : ga_read_file(path, NULL, &e);
    cJSON *o = text ? cJSON_Parse(text) : NULL;
    free(text);
    const cJSON *why = cJSON_GetObjectItemCaseSensitive(o, "stop_reason");
    const cJSON *ev = cJSON_GetObjectItemCaseSensitive(o, "evaluations");
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(o, "fitness");
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "params");
    printf("stopped: %s\n", cJSON_IsString(why) ? why->valuestring
                                                : "not finished");
    if (cJSON_IsNumber(ev))
        printf("evaluations: %.0f\n", ev->valuedouble);
    if (cJSON_IsNumber(f)) {
        printf("best fitness: %.17g\nbest parameters:\n", f->valuedouble);
        const cJSON *v;
        cJSON_ArrayForEach(v, p) {
            char *t = cJSON_IsString(v) ? NULL : cJSON_PrintUnformatted(v);
            printf("  %-24s %s\n", v->string,
                   cJSON_IsString(v) ? v->valuestring : t ? t : "?");
            free(t);
        }
    }
    cJSON_Delete(o);
    printf("results in %s: best.json stats.csv population.json evals.jsonl\n",
           dir);
}

/* Fill run_args and settings back from a saved run.json (cfg, which the
 * strings in a point into): what the command line did not set. */
static int load_run_config(const char *dir, run_args *a, ga_settings *s,
                           ga_run_config *cfg, ga_error *err)
{
    int rc = ga_run_config_load(dir, cfg, err);
    if (rc)
        return rc;
    a->problem = cfg->problem;
    a->command = cfg->command;
    a->ncommand = (int)cfg->ncommand;
    char what[GA_PATH_MAX];
    ga_exec_saved sv;
    if ((rc = ga_path(what, sizeof what, err, "%s/run.json", dir)) ||
        (rc = ga_exec_config_from_json(cfg->executor, what, &sv, err)))
        return rc;
    if (!a->jobs_set && sv.jobs >= 0)
        a->jobs = sv.jobs;
    if (!a->timeout_set && !isnan(sv.timeout))
        a->timeout = sv.timeout;
    if (sv.param_flags >= 0)
        a->param_flags = sv.param_flags;
    if (sv.result_file)
        a->result_file = sv.result_file;
    if (sv.result_key)
        a->result_key = sv.result_key;
    if (sv.retries >= 0)
        a->local_retries = sv.retries;
    if (sv.sched) {
        a->sched = sv.sched;
        a->executor = (sv.sched->kind == GA_SCHED_PBS) ? "pbs" : "slurm";
    }
    if (a->cache < 0 && sv.cache >= 0)
        a->cache = sv.cache;
    *s = cfg->settings;
    return GA_OK;
}

/* ctx: the gahpo version that started the run (run.json), or NULL. */
static void warn(void *ctx, const char *msg)
{
    const char *started_by = ctx;
    fprintf(stderr, "gahpo: warning: %s%s%s%s\n", msg,
            started_by ? " (the run was started by gahpo " : "",
            started_by ? started_by : "", started_by ? ")" : "");
}

/* A run being extended: run.json gets the new settings once the
 * checkpoint has been accepted (ga_run_opts.accepted). */
typedef struct extension {
    const char *dir;
    ga_run_config *config;
    long from, to;        /* num_iter; equal: not extended */
    long evals_from, evals_to;  /* max_evaluations (--budget) */
} extension;

static int write_extension(void *ctx, ga_error *err)
{
    const extension *x = ctx;
    if (x->from == x->to && x->evals_from == x->evals_to)
        return GA_OK;
    int rc = ga_run_config_save(x->dir, x->config, err);
    if (rc == GA_OK && x->evals_from != x->evals_to)
        fprintf(stderr, "gahpo: extending the run to a budget of %ld "
                "evaluations (num_iter %ld)\n", x->evals_to, x->to);
    else if (rc == GA_OK)
        fprintf(stderr, "gahpo: extending the run from num_iter %ld to %ld\n",
                x->from, x->to);
    return rc;
}

/* --resume DIR with --num-iter N or --budget N: a run continued for more
 * evaluations. num_iter may only grow; config (run.json, written by
 * write_extension) gets the new one. */
static int extend_run(const char *dir, run_args *a, ga_settings *s,
                      ga_run_config *config, extension *x, ga_error *err)
{
    *x = (extension){ dir, config, s->num_iter, s->num_iter,
                      s->max_evaluations, s->max_evaluations };
    long num_iter = s->num_iter;
    for (int i = 0; i < a->nset; i++)  /* only num_iter gets here */
        if (ga_parse_long(a->values[i], &num_iter) != 0 || num_iter < 1)
            return ga_error_set(err, GA_EINPUT, "--num-iter must be a whole "
                                "number >= 1, got '%s'", a->values[i]);
    long max_evals = s->max_evaluations;
    if (a->budget > 0) {
        /* exactly budget evaluations in all, the generations to make them */
        num_iter = ga_settings_generations_for(s, a->budget);
        if (num_iter < 1)
            return ga_error_set(err, GA_EINPUT, "--budget %ld is less than "
                                "one population (%ld)", a->budget,
                                s->population_size);
        if (a->budget < s->max_evaluations)
            return ga_error_set(err, GA_EINPUT, "%s: the run's budget is %ld "
                                "evaluations; a run can be extended (a larger "
                                "--budget), not shortened to %ld", dir,
                                s->max_evaluations, a->budget);
        max_evals = a->budget;
        if (num_iter < s->num_iter)
            num_iter = s->num_iter;
    }
    if (max_evals != s->max_evaluations) {
        config->settings.max_evaluations = max_evals;
        s->max_evaluations = x->evals_to = max_evals;
    }
    if (num_iter == s->num_iter)
        return GA_OK;
    if (num_iter < s->num_iter)
        return ga_error_set(err, GA_EINPUT, "%s: num_iter is %ld; a run can be "
                            "extended (a larger --num-iter or --budget), not "
                            "shortened to %ld", dir, s->num_iter, num_iter);
    ga_settings grown = *s;
    grown.num_iter = num_iter;
    int rc = ga_settings_validate(&grown, err);
    if (rc)
        return rc;
    config->settings.num_iter = num_iter;
    s->num_iter = x->to = num_iter;
    return GA_OK;
}

/* The space run.json saved (a model run's): NULL with err when it is
 * missing or not a space. */
static ga_space *run_space(const char *dir, const ga_run_config *cfg,
                           ga_error *err)
{
    char *text = cfg->space ? cJSON_Print(cfg->space) : NULL;
    if (!text) {
        ga_error_set(err, cfg->space ? GA_EFAIL : GA_EINPUT, "%s/run.json: %s",
                     dir, cfg->space ? "out of memory" : "no space");
        return NULL;
    }
    ga_space *space = ga_space_parse(text, "run.json space", err);
    free(text);
    return space;
}

int gahpo_read_run_config(const char *dir, ga_error *err)
{
    char *args[] = { NULL };
    run_args a;
    int rc = parse_run_args(0, args, &a);
    ga_settings settings;
    ga_run_config cfg = { 0 };
    ga_space *space = NULL;
    double *init = NULL;
    size_t ninit = 0;
    if (rc == 0)
        rc = load_run_config(dir, &a, &settings, &cfg, err);
    if (rc == GA_OK && !a.problem) {
        space = run_space(dir, &cfg, err);
        rc = space ? GA_OK : err->status;
    }
    if (rc == GA_OK && space) {
        init = ga_run_config_init_genes(&cfg, space, &ninit, err);
        rc = init ? GA_OK : err->status;
    }
    free(init);
    ga_space_free(space);
    ga_run_config_free(&cfg);
    ga_sched_settings_free(a.sched);
    return rc;
}

/* What a run holds from its start to its end, freed by run_state_free. */
typedef struct run_state {
    ga_settings settings;
    ga_space *space;
    prob_problem *problem;
    ga_executor *exec;
    ga_engine *eng;           /* NULL for an async run */
    ga_run_config config;     /* run.json */
    cJSON *space_json;        /* the --space file, for run.json */
    char **command_abs;       /* a new run's model command, path absolute */
    double *init;             /* initial individuals, ninit x space->n */
    size_t ninit;
    char dir[PATH_MAX];       /* the run directory, absolute */
    char tuned_used[4400];    /* the tuned defaults applied; "" none */
    char tuned_evidence[768]; /* what is known of them, one line; "" none */
    int lock;                 /* the run directory's lock; -1 none */
    extension ext;
} run_state;

static void run_state_free(run_args *a, run_state *st)
{
    ga_rundir_unlock(st->lock);
    ga_engine_free(st->eng);
    ga_executor_free(st->exec);
    prob_free(st->problem);
    ga_space_free(st->space);
    ga_run_config_free(&st->config);
    cJSON_Delete(st->space_json);
    for (int i = 0; st->command_abs && i < a->ncommand; i++)
        free(st->command_abs[i]);
    free(st->command_abs);
    ga_sched_settings_free(a->sched);
    free(st->init);
}

/* --resume DIR takes everything else from DIR/run.json: 0 with DIR's
 * absolute path in dir, or 2 after a usage message. */
static int check_resume_args(const run_args *a, char *dir)
{
    int other_setting = 0;
    for (int i = 0; i < a->nset; i++)
        other_setting |= strcmp(a->keys[i], "num_iter") != 0 &&
                         strcmp(a->keys[i], "num-iter") != 0;
    if (a->out || a->space_file || a->problem || a->settings_file ||
        a->ncommand || a->executor || a->site || a->nslurm || a->retries ||
        other_setting)
        return gahpo_usage("run: --resume DIR takes the run's own settings "
                           "from DIR/run.json; give only --resume, and "
                           "optionally --num-iter or --budget (to extend "
                           "it), --jobs, --timeout, --quiet");
    if (!realpath(a->resume_dir, dir)) {
        fprintf(stderr, "gahpo: %s: %s\n", a->resume_dir, strerror(errno));
        return 2;
    }
    return 0;
}

static int is_cluster(const run_args *a)
{
    return a->executor && (!strcmp(a->executor, "slurm") ||
                           !strcmp(a->executor, "pbs"));
}

/* A new run's options, checked against each other, the space file from
 * $PARAM_SET_FILE and the cache's default decided: 0, or 2 after a usage
 * message. */
static int check_fresh_args(run_args *a)
{
    if (!a->out)
        return gahpo_usage("run: --out DIR is required");
    if (!a->problem && !a->space_file && !a->no_env)
        a->space_file = getenv("PARAM_SET_FILE");
    if (!a->problem && !a->space_file)
        return gahpo_usage("run: give --space FILE (or PARAM_SET_FILE), or "
                           "--problem NAME");
    int cluster = is_cluster(a);
    if ((a->nslurm || a->site) && !cluster)
        return gahpo_usage("run: Slurm and PBS options (--site, "
                           "--partition, --queue, ...) need --executor "
                           "slurm or pbs");
    if (a->problem && cluster)
        return gahpo_usage("run: --problem evaluates in-process; "
                           "--executor %s runs a model command", a->executor);
    if (a->retries && !cluster &&
        (ga_parse_long(a->retries, &a->local_retries) != 0 ||
         a->local_retries < 0 || a->local_retries > 100))
        return gahpo_usage("run: --retries must be a whole number from 0 "
                           "to 100, got '%s'", a->retries);
    if (a->retries && a->problem)
        return gahpo_usage("run: --retries is for a model command; an "
                           "in-process --problem does not fail");
    if (a->problem && a->ncommand)
        return gahpo_usage("run: --problem evaluates in-process; do not also "
                           "give a model command");
    /* cluster jobs cost GPU-hours: reuse identical individuals' fitness
     * unless told not to (--no-cache, for noisy models) */
    if (a->cache < 0 && cluster)
        a->cache = 1;
    if (!a->problem && !a->ncommand)
        return gahpo_usage("run: give the model command after --, or "
                           "--problem NAME");
    return 0;
}

/* CANDLE's environment for a new run, below the command line: the model's
 * time limit ($BENCHMARK_TIMEOUT, $SH_TIMEOUT, in seconds) and the initial
 * individuals ($INIT_PARAMS_FILE). 0, or 2 after a usage message. */
static int apply_candle_env(run_args *a)
{
    const char *tenv[] = { "BENCHMARK_TIMEOUT", "SH_TIMEOUT" };
    for (int i = 0; i < 2 && !a->timeout_set && !a->no_env; i++) {
        const char *t = getenv(tenv[i]);
        double tv;
        if (!t || !*t)
            continue;
        if (ga_parse_double(t, &tv) != 0 || tv < 0)
            return gahpo_usage("run: $%s must be a number of seconds >= 0",
                               tenv[i]);
        a->timeout = tv;
        a->timeout_set = 1;
    }
    if (!a->init_file && !a->no_env) {
        const char *f = getenv("INIT_PARAMS_FILE");
        if (f && *f)
            a->init_file = f;
    }
    return 0;
}

/* --executor slurm|pbs: a->sched from the command line, CANDLE's
 * environment and the site profile. 0, or -1 (err says why). */
static int cluster_settings(run_args *a, ga_error *err)
{
    a->sched = !strcmp(a->executor, "pbs") ? ga_sched_settings_alloc(GA_SCHED_PBS)
                                           : ga_sched_settings_alloc(GA_SCHED_SLURM);
    if (!a->sched) {
        ga_error_set(err, GA_EFAIL, "out of memory");
        return -1;
    }
    for (int i = 0; i < a->nslurm; i++)
        if (ga_sched_settings_set(a->sched, a->slurm_keys[i],
                                  a->slurm_values[i], err) != GA_OK)
            return -1;
    if (a->retries && ga_sched_settings_set(a->sched, "--retries",
                                            a->retries, err) != GA_OK)
        return -1;
    if (ga_sched_settings_resolve(a->sched, a->site, a->no_env ? NULL
                                  : env_lookup, NULL, err) != GA_OK)
        return -1;
    return 0;
}

/* A new run's cluster settings, GA settings and space (from --space, also
 * kept as JSON for run.json): 0, or -1 (err says why). */
static int load_fresh_run(run_args *a, run_state *st, ga_error *err)
{
    if (is_cluster(a) && cluster_settings(a, err) != 0)
        return -1;
    setting_sources src;
    if (resolve_settings(a, &st->settings, st->tuned_used,
                         sizeof st->tuned_used, st->tuned_evidence,
                         sizeof st->tuned_evidence, &src, err) != GA_OK)
        return -1;
    tuned_overridden(&src, st->tuned_used, a->quiet);
    if (apply_budget(a, &st->settings, &src, a->quiet, err) != GA_OK)
        return -1;
    if (a->space_file && !a->problem) {
        st->space = ga_space_load(a->space_file, err);
        if (!st->space)
            return -1;
        char *text = ga_read_file(a->space_file, NULL, err);
        st->space_json = text ? ga_json_parse(text, a->space_file, NULL, err)
                              : NULL;
        free(text);
        if (!st->space_json)  /* read a moment ago: out of memory */
            return -1;
    }
    return 0;
}

/* --resume: the run directory locked, run.json read back into a and st
 * (extended when --num-iter or --budget asks), the space rebuilt from it:
 * 0, or -1 (err says why). */
static int open_resumed_run(run_args *a, run_state *st, ga_error *err)
{
    if ((st->lock = ga_rundir_lock(st->dir, err)) < 0)
        return -1;
    ga_rundir_remove_stale_temp(st->dir);
    if (load_run_config(st->dir, a, &st->settings, &st->config, err) ||
        extend_run(st->dir, a, &st->settings, &st->config, &st->ext, err))
        return -1;
    if (!a->problem && !(st->space = run_space(st->dir, &st->config, err)))
        return -1;
    return 0;
}

/* --problem: the problem, and its space unless there is one; then the
 * space's warnings. 0, or -1 (err says why). */
static int load_problem(const run_args *a, run_state *st, ga_error *err)
{
    if (a->problem) {
        st->problem = prob_lookup(a->problem, err);
        if (!st->problem)
            return -1;
        if (!st->space)
            st->space = ga_space_clone(st->problem->space);
        if (!st->space) {
            ga_error_set(err, GA_EFAIL, "out of memory");
            return -1;
        }
    }
    if (st->space)
        gahpo_print_warnings(st->space);
    return 0;
}

/* A resumed run's initial individuals, as run.json saved them: 0, or -1
 * (err says why). */
static int read_saved_population(run_state *st, ga_error *err)
{
    ga_error_clear(err);
    st->init = ga_run_config_init_genes(&st->config, st->space, &st->ninit,
                                        err);
    return st->init ? 0 : -1;
}

/* --init-population (or $INIT_PARAMS_FILE): the initial individuals, at
 * most a population of them. 0, or -1 (err says why). */
static int read_init_file(const run_args *a, run_state *st, ga_error *err)
{
    char *warning = NULL;
    st->init = ga_csv_read_population(st->space, a->init_file, &st->ninit,
                                      &warning, err);
    if (!st->init)
        return -1;
    if (warning)
        fprintf(stderr, "gahpo: warning: %s\n", warning);
    free(warning);
    if (st->ninit > (size_t)st->settings.population_size) {
        ga_error_set(err, GA_EINPUT, "%s has %zu individuals but "
                     "population_size is %ld; raise population_size or "
                     "trim the file", a->init_file, st->ninit,
                     st->settings.population_size);
        return -1;
    }
    return 0;
}

/* The model command as run.json keeps it, its path working from the job
 * directories: 0, or -1 (err: out of memory, or the absolute path too
 * long). */
static int absolute_command(const run_args *a, run_state *st, ga_error *err)
{
    st->command_abs = calloc((size_t)a->ncommand + 1, sizeof *st->command_abs);
    for (int i = 0; st->command_abs && i < a->ncommand; i++) {
        /* a relative path made absolute, symlinks kept (the command as
         * typed: /usr/bin/python3 stays python3, not python3.11) */
        char buf[GA_PATH_MAX], cwd[PATH_MAX];
        if (i == 0 && strchr(a->command[0], '/') && a->command[0][0] != '/' &&
            getcwd(cwd, sizeof cwd)) {
            if (ga_path(buf, sizeof buf, err, "%s/%s", cwd, a->command[0] +
                        (strncmp(a->command[0], "./", 2) ? 0 : 2)))
                return -1;
            st->command_abs[i] = ga_strdup(buf);
        } else
            st->command_abs[i] = ga_strdup(a->command[i]);
    }
    int lost = !st->command_abs;
    for (int i = 0; !lost && i < a->ncommand; i++)
        lost = !st->command_abs[i];
    if (lost) {
        ga_error_set(err, GA_EFAIL, "out of memory");
        return -1;
    }
    return 0;
}

/* What the run's evaluations run on, from the arguments (the executor
 * factory's spec, also what run.json records). */
static ga_exec_spec exec_spec(const run_args *a, const run_state *st)
{
    return (ga_exec_spec){
        .problem = st->problem, .noise_seed = st->settings.seed,
        .argv = st->config.command,  /* absolute (run.json's) */
        .argc = (size_t)a->ncommand, .run_dir = st->dir, .jobs = a->jobs,
        .timeout = a->timeout, .param_flags = a->param_flags,
        .result_file = a->result_file, .result_key = a->result_key,
        .retries = a->local_retries, .sched = a->sched };
}

/* A new run's run.json: everything --resume needs to rebuild the run. */
static int write_run_config(const run_args *a, run_state *st, ga_error *err)
{
    ga_run_config *c = &st->config;
    ga_exec_spec spec = exec_spec(a, st);
    snprintf(c->gahpo, sizeof c->gahpo, "%s", GAHPO_VERSION);
    ga_rundir_new_uid(c->run_uid, sizeof c->run_uid);
    c->settings = st->settings;
    c->ncommand = (size_t)a->ncommand;
    /* the run's own copies, freed with the config */
    c->dir = ga_strdup(st->dir);
    c->problem = a->problem ? ga_strdup(a->problem) : NULL;
    c->space = st->space_json;
    st->space_json = NULL;
    c->command = st->command_abs;
    st->command_abs = NULL;
    c->executor = ga_exec_config_to_json(&spec, a->cache);
    /* the initial individuals themselves, so a run killed before its first
     * checkpoint restarts with them even if the CSV has gone */
    c->init = ga_run_config_init_json(st->space, st->init, st->ninit);
    if (!c->dir || (a->problem && !c->problem) || !c->executor || !c->init)
        return ga_error_set(err, GA_EFAIL, "out of memory");
    return ga_run_config_save(st->dir, c, err);
}

/* A new run's directory: made and locked, the initial individuals read,
 * run.json written, after checking that the directory holds no other run.
 * 0, or -1 (err says why). */
static int make_run_dir(const run_args *a, run_state *st, ga_error *err)
{
    if (ga_mkdirs(a->out, err) != GA_OK)
        return -1;
    if (!realpath(a->out, st->dir)) {
        ga_error_set(err, GA_EINPUT, "%s: %s", a->out, strerror(errno));
        return -1;
    }
    if ((st->lock = ga_rundir_lock(st->dir, err)) < 0)
        return -1;
    ga_rundir_remove_stale_temp(st->dir);
    if (a->init_file && read_init_file(a, st, err) != 0)
        return -1;
    if (absolute_command(a, st, err) != 0)
        return -1;
    int resume;
    if (ga_rundir_begin(st->dir, a->out, 0, &resume, err) != GA_OK)
        return -1;
    return write_run_config(a, st, err) == GA_OK ? 0 : -1;
}

/* Everything the run needs before its executor: settings, space, problem,
 * the run directory, new or resumed. 0, or -1 (err says why). */
static int open_run(run_args *a, run_state *st, ga_error *err)
{
    if (a->resume_dir ? open_resumed_run(a, st, err)
                      : load_fresh_run(a, st, err))
        return -1;
    if (load_problem(a, st, err))
        return -1;
    return a->resume_dir ? read_saved_population(st, err)
                         : make_run_dir(a, st, err);
}

/* The executor: in-process for --problem, else Slurm, PBS or local model
 * processes. 0, or -1 (err says why). */
static int open_executor(const run_args *a, run_state *st, ga_error *err)
{
    ga_exec_spec spec = exec_spec(a, st);
    /* descendants of a model that outlive it come to the driver, which
     * ends them */
    spec.end_orphans = !st->problem && !a->sched &&
                       prctl(PR_SET_CHILD_SUBREAPER, 1) == 0;
    st->exec = ga_exec_alloc(&spec, err);
    return st->exec ? 0 : -1;
}

/* The evaluations a run will make, as the header says it. */
static void planned_evaluations(const ga_settings *s, char *buf, size_t size)
{
    long n = s->population_size, batch = ga_settings_batch(s);
    if (s->max_evaluations > 0) {
        long rest = s->max_evaluations - n;
        long last = rest % (batch > 0 ? batch : 1);
        if (!ga_settings_full_batches(s))
            snprintf(buf, size, "%ld evaluations (budget; only the children "
                     "variation changed are evaluated, so the generations "
                     "vary)", s->max_evaluations);
        else if (s->strategy == GA_ASYNC)
            snprintf(buf, size, "%ld evaluations (budget)",
                     s->max_evaluations);
        else
            snprintf(buf, size, "%ld evaluations (budget: %ld, then %ld "
                     "generations of %ld%s)", s->max_evaluations, n,
                     s->num_iter - 1, batch, last ? ", the last cut to fit"
                                                  : "");
        return;
    }
    if (s->strategy == GA_SIMPLE)
        snprintf(buf, size, "up to %ld evaluations", n * s->num_iter);
    else
        snprintf(buf, size, "%ld evaluations", n + (s->num_iter - 1) * batch);
}

/* The line a run starts with, unless --quiet. */
static void print_start(const run_args *a, const run_state *st,
                        long in_flight)
{
    const ga_settings *s = &st->settings;
    char evals[256];
    planned_evaluations(s, evals, sizeof evals);
    if (!a->quiet && st->tuned_used[0])
        fprintf(stderr, "gahpo: tuned defaults from %s\n", st->tuned_used);
    /* random search uses only their population (its batch size): their
     * evidence is about the GA */
    if (!a->quiet && st->tuned_used[0] && st->tuned_evidence[0] &&
        s->strategy != GA_RANDOM)
        fprintf(stderr, "gahpo: their evidence: %s\n", st->tuned_evidence);
    if (!a->quiet && s->strategy == GA_ASYNC)
        fprintf(stderr, "gahpo: async run, population %ld, %s, %ld in flight, "
                "seed %lu, %s executor, in %s\n", s->population_size, evals,
                in_flight, s->seed, st->exec->name, st->dir);
    else if (!a->quiet)
        fprintf(stderr, "gahpo: %s run, population %ld, %s%ld generations, "
                "%s, seed %lu, %s executor, in %s\n",
                ga_strategy_name(s->strategy), s->population_size,
                s->max_evaluations > 0 && !ga_settings_full_batches(s)
                    ? "up to " : "",
                s->num_iter, evals, s->seed, st->exec->name, st->dir);
}

/* The GA, until it stops or SIGINT, SIGTERM or SIGHUP stop it (then
 * resumable); the summary unless --quiet. err says how it ended. */
static void run_ga(const run_args *a, run_state *st, ga_error *err)
{
    gahpo_on_stop_signals(on_signal);
    const char *uid = st->config.run_uid, *started_by = st->config.gahpo;
    const char *slash = strrchr(st->dir, '/');
    ga_run_opts ro = {
        .dir = st->dir, .run_id = slash ? slash + 1 : st->dir,
        .space = st->space, .settings = &st->settings, .executor = st->exec,
        .resume = a->resume_dir != NULL, .cache = a->cache > 0,
        .init_genes = st->init, .ninit = st->ninit, .cancel = &interrupted,
        .progress = a->quiet ? NULL : progress,
        /* async: as many evaluations running as the executor runs at once */
        .in_flight = a->sched && a->sched->max_concurrent > 0
                         ? a->sched->max_concurrent : a->jobs,
        .run_uid = uid[0] ? uid : NULL,
        .accepted = a->resume_dir ? write_extension : NULL,
        .accepted_ctx = &st->ext,
        .warn = warn, .warn_ctx = started_by[0] ? (void *)started_by : NULL };
    print_start(a, st, ro.in_flight);
    int rc = ga_run(&ro, &st->eng, err);
    if (rc == GA_OK && st->eng) {
        if (!a->quiet)
            print_summary(st->dir, st->space, st->eng);
    } else if (rc == GA_OK) {
        if (!a->quiet)
            print_best_file(st->dir);
    } else if (interrupted) {
        fprintf(stderr, "gahpo: interrupted; continue with: gahpo run --resume "
                "%s\n", st->dir);
    }
}

int gahpo_cmd_run(int argc, char **argv)
{
    run_args a;
    int rc = parse_run_args(argc, argv, &a);
    if (rc)
        return rc;
    ga_error err;
    ga_error_clear(&err);
    run_state st = { .lock = -1 };
    if (a.resume_dir)
        rc = check_resume_args(&a, st.dir);
    else if ((rc = check_fresh_args(&a)) == 0)
        rc = apply_candle_env(&a);
    if (rc)
        return rc;
    if (open_run(&a, &st, &err) == 0 && open_executor(&a, &st, &err) == 0)
        run_ga(&a, &st, &err);
    run_state_free(&a, &st);
    if (err.status != GA_OK)
        return gahpo_fail(&err);
    return 0;
}
