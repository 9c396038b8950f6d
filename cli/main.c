/* main.c - the gahpo command. Maps library statuses to exit codes:
 * 0 ok, 1 a run failed (or was interrupted), 2 bad input or usage. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "../problems/problem.h"
#include "cmd_async.h"
#include "cmd_plot.h"
#include "cmd_sweep.h"
#include "../ga/csv.h"
#include "commands.h"
#include "../ga/engine.h"
#include "../exec/exec.h"
#include "../ga/run.h"
#include "../ga/rundir.h"
#include "../ga/settings.h"
#include "../ga/space.h"
#include "../ga/util.h"

/* 0.2.0: checkpoint format 2 (the run's identity), the run-directory lock */
#define GAHPO_VERSION "0.2.0"

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

static int fail(const ga_error *err)
{
    fprintf(stderr, "gahpo: %s\n", err->msg);
    return err->status == GA_OK ? 1 : err->status;
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "gahpo: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nRun 'gahpo help' for usage.\n");
    return 2;
}

static void print_help(FILE *out)
{
    fprintf(out,
"gahpo " GAHPO_VERSION " - genetic-algorithm hyperparameter optimization\n"
"\n"
"usage:\n"
"  gahpo space FILE                 validate a CANDLE hyperparameter space\n"
"  gahpo run [options] [-- MODEL COMMAND ...]\n"
"  gahpo run --resume DIR [--num-iter N | --budget N]\n"
"                                   finish an interrupted run, or extend one\n"
"  gahpo problems list              the built-in test problems\n"
"  gahpo problems eval NAME         evaluate points read from stdin\n"
"  gahpo problems info NAME         a problem's space, f_opt and x_opt\n"
"  gahpo fit --space F --log F --out MODEL.json   fit a GP surrogate to a log\n"
"  gahpo plot-space --space FILE --log LOG --out DIR\n"
"                                   colour plots of an evaluation log\n"
"  gahpo sweep SPEC [--threads N] [--out DIR] [--resume]\n"
"                                   a study of the GA's parameters\n"
"  gahpo sweep SPEC --executor slurm|pbs --chunks K [cluster options]\n"
"                                   the same study as K array tasks\n"
"  gahpo analyze DIR                the statistics of a finished sweep\n"
"  gahpo tune SPEC [--threads N] [--out DIR]\n"
"                                   tuned defaults per budget and workers\n"
"  gahpo async-experiment [--workers W] [--budget B] ...\n"
"                                   async vs generational GA, simulated cluster\n"
"  gahpo version | help\n"
"\n"
"run options:\n"
"  --space FILE           hyperparameter space (or $PARAM_SET_FILE)\n"
"  --problem NAME         evaluate in-process on a built-in problem\n"
"  --out DIR              run directory (required)\n"
"  --settings FILE        GA settings JSON (CANDLE names)\n"
"  --tuned-defaults FILE  tuned defaults JSON (or $GAHPO_TUNED_DEFAULTS; else\n"
"                         the built-in sweeps/tuned_defaults.json)\n"
"  --budget N             evaluations planned: picks the tuned defaults'\n"
"                         entry for N and the workers (--max-concurrent on a\n"
"                         cluster, else --jobs); it does not cap the run\n"
"  --no-tuned-defaults    CANDLE's defaults below the other sources\n"
"  --cache | --no-cache   reuse the fitness of an individual identical to one\n"
"                         already evaluated (deterministic models; logged as\n"
"                         cached); default on for --executor slurm and\n"
"                         pbs, off for local runs\n"
"  --seed N               random seed\n"
"  --strategy simple|mu_plus_lambda|async\n"
"                         async: the steady-state GA, keeping --jobs (on a\n"
"                         cluster --max-concurrent) evaluations running; a\n"
"                         new one starts as soon as one ends (docs/ASYNC.md)\n"
"  --SETTING VALUE        any setting: --num-iter, --population-size,\n"
"                         --offspring-prop, --mut-prob, --cx-prob,\n"
"                         --mut-indpb, --cx-indpb, --tournsize, --nan-policy,\n"
"                         --hof-size, --stall-generations, --target,\n"
"                         --max-seconds\n"
"  --no-env               ignore CANDLE's environment variables\n"
"  --init-population CSV  initial individuals (or $INIT_PARAMS_FILE)\n"
"  --jobs N               model processes at once (default 1)\n"
"  --timeout S            kill a model run after S seconds (default none;\n"
"                         or CANDLE's $BENCHMARK_TIMEOUT, $SH_TIMEOUT)\n"
"  --retries N            run a failed evaluation again, up to N more times\n"
"                         (default 0; local, slurm and pbs)\n"
"  --result-file NAME     file the model writes (default result.json)\n"
"  --result-key KEY       key in a JSON result (default val_loss)\n"
"  --no-param-flags       do not pass --name value to the model\n"
"  --quiet                no per-generation progress\n"
"  --executor local|slurm|pbs  where model runs go (default local)\n"
"\n"
"slurm executor options (docs/CLUSTERS.md; one job array per generation):\n"
"  --site NAME|FILE       site profile (sites/NAME.json): account, partition,\n"
"                         time, gpus, setup lines (module load, export)\n"
"  --partition P  --account A  --time T  --mem M  --job-name NAME\n"
"  --nodes N  --ntasks N  --ntasks-per-node N  --cpus-per-task N\n"
"  --gpus-per-task N      passed to sbatch as #SBATCH lines when given\n"
"  --max-concurrent N     array tasks at once (default --jobs)\n"
"  --max-array-size N     tasks per array; more go in several arrays (default\n"
"                         Slurm's MaxArraySize); 1: one job per evaluation\n"
"  --retries N            resubmit a failed evaluation N times (default 0)\n"
"  --sbatch-extra LINE    one more #SBATCH directive (repeatable)\n"
"  --slurm-setup LINE     one more script line before the task (repeatable)\n"
"  --slurm-shell PATH     the batch script's interpreter (default /bin/bash)\n"
"  --poll-max S           longest pause between squeue calls (default 10)\n"
"  Slurm settings: command line > CANDLE's WALLTIME, QUEUE, PROJECT, PPN,\n"
"  PROCS > --site. --timeout is enforced inside each task.\n"
"\n"
"pbs executor options (docs/CLUSTERS.md; one qsub array per generation):\n"
"  --pbs-dialect pro|torque  PBS Pro/OpenPBS (qsub -J) or Torque (qsub -t)\n"
"                         (default pro)\n"
"  --queue Q  --account A  --walltime T  --job-name NAME  --site NAME|FILE\n"
"  --nodes N  --cpus-per-task N  --gpus-per-task N  --mem M\n"
"                         -l select=N:ncpus=C:ngpus=G:mem=M (Torque:\n"
"                         nodes=N:ppn=C:gpus=G, mem=M)\n"
"  --select SPEC          the whole -l select= (Torque: nodes=) spec instead\n"
"  --filesystems FS       -l filesystems=FS (e.g. home:grand)\n"
"  --pbs-extra LINE       one more #PBS directive (repeatable)\n"
"  --pbs-setup LINE  --pbs-shell PATH  --max-concurrent N  --retries N\n"
"  --max-array-size N     tasks per array (default no limit); 1: one job each\n"
"  --poll-max S           as for slurm (setup lines, interpreter, ...)\n"
"  PBS settings: command line > CANDLE's WALLTIME, QUEUE, PROJECT, PPN,\n"
"  PROCS > --site.\n"
"\n"
"Precedence of settings: command line > environment > --settings >\n"
"tuned defaults > built-in CANDLE defaults.\n");
}

/* ---- gahpo space ---------------------------------------------------- */

static void print_warnings(const ga_space *s)
{
    for (size_t i = 0; i < s->nwarnings; i++)
        fprintf(stderr, "gahpo: warning: %s\n", s->warnings[i]);
}

static int cmd_space(int argc, char **argv)
{
    if (argc != 1)
        return usage_error("space takes one FILE%s", "");
    ga_error err;
    ga_space *s = ga_space_load(argv[0], &err);
    if (!s)
        return fail(&err);
    print_warnings(s);
    printf("%s: %zu parameters\n", argv[0], s->n);
    ga_space_describe(s, stdout);
    ga_space_free(s);
    return 0;
}

/* ---- gahpo problems ------------------------------------------------- */

static int cmd_problems(int argc, char **argv)
{
    if (argc >= 1 && strcmp(argv[0], "list") == 0) {
        size_t n;
        const prob_family *f = prob_families(&n);
        for (size_t i = 0; i < n; i++)
            printf("%-22s %s\n", f[i].pattern, f[i].description);
        return 0;
    }
    if (argc != 2 || (strcmp(argv[0], "eval") != 0 && strcmp(argv[0], "info")))
        return usage_error("usage: gahpo problems list | gahpo problems eval "
                           "NAME | gahpo problems info NAME%s", "");
    ga_error err;
    prob_problem *p = prob_lookup(argv[1], &err);
    if (!p)
        return fail(&err);
    if (strcmp(argv[0], "info") == 0) {
        printf("%s: %zu parameters%s\n", p->name, p->dim,
               p->noisy ? ", noisy" : "");
        ga_space_describe(p->space, stdout);
        if (!isnan(p->f_opt))
            printf("f_opt %.17g\n", p->f_opt);
        if (p->x_opt) {
            printf("x_opt");
            for (size_t i = 0; i < p->dim; i++) {
                char buf[256];
                if (ga_param_gene_format(&p->space->params[i], p->x_opt[i], buf,
                                         sizeof buf))
                    snprintf(buf, sizeof buf, "?");
                printf("%s%s", i ? "," : " ", buf);
            }
            printf("\n");
        }
        prob_free(p);
        return 0;
    }
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t len;
    double *x = malloc(p->dim * sizeof *x);
    int rc = x ? 0 : 1;
    while (rc == 0 && (len = getline(&line, &cap, stdin)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0)
            continue;
        size_t k = 0;
        char *save = NULL;
        for (char *tok = strtok_r(line, ",", &save); tok;
             tok = strtok_r(NULL, ",", &save)) {
            if (k >= p->dim) {
                k++;
                break;
            }
            ga_error e;
            const ga_param *pk = &p->space->params[k];
            if (ga_param_gene_parse(pk, tok, &x[k], &e)) {
                /* numbers outside the bounds are legal for evaluation; a
                 * value a categorical, ordered or logical parameter does
                 * not have is not (it would be read as an index) */
                if ((pk->type != GA_INT && pk->type != GA_FLOAT) ||
                    ga_parse_double(tok, &x[k]) != 0) {
                    fprintf(stderr, "gahpo: stdin:%zu: value %zu: %s\n",
                            lineno, k + 1, e.msg);
                    rc = 2;
                    break;
                }
            }
            k++;
        }
        if (rc == 0 && k != p->dim) {
            fprintf(stderr, "gahpo: stdin:%zu: %s needs %zu comma-separated "
                    "values, got %s%zu\n", lineno, p->name, p->dim,
                    k > p->dim ? "more than " : "", k > p->dim ? p->dim : k);
            rc = 2;
        }
        if (rc == 0) {
            double f;
            p->eval(p, x, 1, &f, NULL);
            printf("%.17g\n", f);
        }
    }
    free(line);
    free(x);
    prob_free(p);
    return rc;
}

/* ---- gahpo run ------------------------------------------------------ */

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
    ga_slurm_settings *slurm; /* resolved; owned by cmd_run */
} run_args;

static const char *env_lookup(void *ctx, const char *name)
{
    (void)ctx;
    return getenv(name);
}

static void progress(void *ctx, const ga_stats_row *r, long evals, double best)
{
    (void)ctx;
    fprintf(stderr, "gen %3ld  nevals %4ld  evals %6ld  best %-12.6g avg "
            "%-12.6g min %-12.6g max %-12.6g%s\n", r->gen, r->nevals, evals,
            best, r->avg, r->min, r->max, r->nfailed ? "  (failures)" : "");
}

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
            print_help(stdout);
            exit(0);
        }
        if (strcmp(o, "--") == 0) {
            a->command = argv + i + 1;
            a->ncommand = argc - i - 1;
            return 0;
        }
        if (strncmp(o, "--", 2) != 0)
            return usage_error("run: unexpected argument '%s' (put the model "
                               "command after --)", o);
        /* flags without a value */
        if (!strcmp(o, "--no-env")) {
            a->no_env = 1;
            continue;
        }
        if (!strcmp(o, "--no-param-flags")) {
            a->param_flags = 0;
            continue;
        }
        if (!strcmp(o, "--quiet")) {
            a->quiet = 1;
            continue;
        }
        if (!strcmp(o, "--no-tuned-defaults")) {
            a->no_tuned = 1;
            continue;
        }
        if (!strcmp(o, "--cache") || !strcmp(o, "--no-cache")) {
            a->cache = strcmp(o, "--cache") == 0 ? 1 : 0;
            continue;
        }
        if (i + 1 >= argc)
            return usage_error("run: %s needs a value", o);
        const char *v = argv[++i];
        if (!strcmp(o, "--space"))
            a->space_file = v;
        else if (!strcmp(o, "--problem"))
            a->problem = v;
        else if (!strcmp(o, "--out"))
            a->out = v;
        else if (!strcmp(o, "--settings"))
            a->settings_file = v;
        else if (!strcmp(o, "--tuned-defaults"))
            a->tuned_file = v;
        else if (!strcmp(o, "--budget")) {
            if (ga_parse_long(v, &a->budget) != 0 || a->budget < 1)
                return usage_error("run: --budget must be a number of "
                                   "evaluations >= 1, got '%s'", v);
        }
        else if (!strcmp(o, "--init-population"))
            a->init_file = v;
        else if (!strcmp(o, "--resume"))
            a->resume_dir = v;
        else if (!strcmp(o, "--executor")) {
            if (strcmp(v, "local") && strcmp(v, "slurm") && strcmp(v, "pbs"))
                return usage_error("run: --executor must be local, slurm or "
                                   "pbs, got '%s'", v);
            a->executor = v;
        } else if (!strcmp(o, "--site"))
            a->site = v;
        else if (!strcmp(o, "--retries"))
            a->retries = v;
        else if (ga_slurm_option_known(o)) {
            if (a->nslurm >= 64)
                return usage_error("run: too many Slurm options%s", "");
            a->slurm_keys[a->nslurm] = o;
            a->slurm_values[a->nslurm++] = v;
        }
        else if (!strcmp(o, "--result-file"))
            a->result_file = v;
        else if (!strcmp(o, "--result-key"))
            a->result_key = v;
        else if (!strcmp(o, "--jobs")) {
            if (ga_parse_long(v, &a->jobs) != 0 || a->jobs < 1)
                return usage_error("run: --jobs must be an integer >= 1, got "
                                   "'%s'", v);
            a->jobs_set = 1;
        } else if (!strcmp(o, "--timeout")) {
            if (ga_parse_double(v, &a->timeout) != 0 || a->timeout < 0)
                return usage_error("run: --timeout must be seconds >= 0, got "
                                   "'%s'", v);
            a->timeout_set = 1;
        } else {
            char key[64];
            snprintf(key, sizeof key, "%s", o + 2);
            for (char *c = key; *c; c++)
                if (*c == '-')
                    *c = '_';
            const char *canon = ga_settings_known(key) ? o + 2
                                : !strcmp(key, "stall") ? "stall_generations"
                                : !strcmp(key, "max_time") ? "max_seconds"
                                : NULL;
            if (!canon)
                return usage_error("run: unknown option '%s'", o);
            if (a->nset >= 64)
                return usage_error("run: too many settings%s", "");
            a->keys[a->nset] = canon;
            a->values[a->nset++] = v;
        }
    }
    return 0;
}

/* Settings from all sources, in precedence order. */
static int resolve_settings(const run_args *a, ga_settings *s, char *tuned_used,
                            size_t tuned_size, ga_error *err)
{
    ga_settings_defaults(s);
    /* tuned defaults: the file given, or $GAHPO_TUNED_DEFAULTS, or the
     * committed sweeps/tuned_defaults.json (per budget and workers: applied
     * when --budget says which) */
    char builtin[4096];
    ga_error ignore;
    const char *tuned = a->tuned_file ? a->tuned_file
                        : a->no_env ? NULL : getenv("GAHPO_TUNED_DEFAULTS");
    if ((!tuned || !*tuned) && !a->no_tuned &&
        ga_data_path("sweeps/tuned_defaults.json", builtin, sizeof builtin,
                     &ignore) == GA_OK)
        tuned = builtin;
    tuned_used[0] = '\0';
    if (tuned && *tuned && !a->no_tuned) {
        char *text = ga_read_file(tuned, NULL, err);
        if (!text)
            return GA_EINPUT;
        cJSON *root = ga_json_parse(text, tuned, NULL, err);
        free(text);
        if (!root)
            return err->status;
        /* workers: a cluster's resolved --max-concurrent (command line,
         * PROCS, site profile), else --jobs, else CANDLE's MAX_CONCURRENT */
        long workers = a->problem ? 1 : a->jobs;
        const char *mc = a->no_env ? NULL : getenv("MAX_CONCURRENT");
        long mcv;
        if (!a->problem && !a->jobs_set && mc && ga_parse_long(mc, &mcv) == 0 &&
            mcv >= 1)
            workers = mcv;
        if (a->slurm && a->slurm->max_concurrent > 0)
            workers = a->slurm->max_concurrent;
        int rc = ga_settings_apply_tuned(s, root, tuned, a->budget, workers,
                                         tuned_used, tuned_size, err);
        cJSON_Delete(root);
        if (rc != GA_OK)
            return rc;
    }
    if (a->settings_file && ga_settings_load(s, a->settings_file, err) != GA_OK)
        return GA_EINPUT;
    if (!a->no_env && ga_settings_apply_env(s, env_lookup, NULL, err) != GA_OK)
        return GA_EINPUT;
    for (int i = 0; i < a->nset; i++) {
        char key[64], source[96];
        snprintf(key, sizeof key, "%s", a->keys[i]);
        for (char *c = key; *c; c++)
            if (*c == '-')
                *c = '_';
        snprintf(source, sizeof source, "command line --%s", a->keys[i]);
        if (ga_settings_set(s, key, a->values[i], source, err) != GA_OK)
            return GA_EINPUT;
    }
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

/* The summary of a run that has no engine to ask (async): best.json. */
static void print_best_file(const char *dir)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/best.json", dir);
    ga_error e;
    char *text = ga_read_file(path, NULL, &e);
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

/* run.json: everything --resume needs to rebuild the run. */
static cJSON *run_config(const run_args *a, const char *dir_abs,
                         const cJSON *space_json, const ga_settings *s,
                         char **command_abs, const ga_space *space,
                         const double *init, size_t ninit)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "version", 1);
    cJSON_AddStringToObject(o, "gahpo", GAHPO_VERSION);
    char uid[40];
    ga_rundir_new_uid(uid, sizeof uid);
    cJSON_AddStringToObject(o, "run_uid", uid);
    cJSON_AddStringToObject(o, "dir", dir_abs);
    if (a->problem)
        cJSON_AddStringToObject(o, "problem", a->problem);
    else
        cJSON_AddNullToObject(o, "problem");
    if (space_json)
        cJSON_AddItemToObject(o, "space", cJSON_Duplicate(space_json, 1));
    cJSON *cmd = cJSON_AddArrayToObject(o, "command");
    for (int i = 0; i < a->ncommand; i++)
        cJSON_AddItemToArray(cmd, cJSON_CreateString(command_abs[i]));
    cJSON_AddItemToObject(o, "settings", ga_settings_to_json(s));
    cJSON *ex = cJSON_AddObjectToObject(o, "executor");
    cJSON_AddNumberToObject(ex, "jobs", (double)a->jobs);
    cJSON_AddNumberToObject(ex, "timeout", a->timeout);
    cJSON_AddBoolToObject(ex, "param_flags", a->param_flags);
    cJSON_AddStringToObject(ex, "result_file", a->result_file);
    cJSON_AddStringToObject(ex, "result_key", a->result_key);
    if (!a->slurm)
        cJSON_AddNumberToObject(ex, "retries", (double)a->local_retries);
    const char *type = !a->slurm ? "local" : a->slurm->pbs ? "pbs" : "slurm";
    cJSON_AddStringToObject(ex, "type", type);
    if (a->slurm)
        cJSON_AddItemToObject(ex, a->slurm->pbs ? "pbs" : "slurm",
                              ga_slurm_settings_to_json(a->slurm));
    cJSON_AddBoolToObject(ex, "cache", a->cache > 0);
    /* the initial individuals themselves, so a run killed before its first
     * checkpoint restarts with them even if the CSV has gone */
    cJSON *ip = cJSON_AddArrayToObject(o, "init_population");
    for (size_t k = 0; ip && k < ninit; k++) {
        cJSON *ind = cJSON_CreateObject();
        for (size_t i = 0; i < space->n; i++)
            cJSON_AddItemToObject(ind, space->params[i].name,
                                  ga_param_gene_to_json(&space->params[i],
                                                        init[k * space->n + i]));
        cJSON_AddItemToArray(ip, ind);
    }
    return o;
}

/* The initial individuals saved in run.json (count x space->n genes). */
static double *config_init_population(const cJSON *config, const ga_space *space,
                                      size_t *count, ga_error *err)
{
    const cJSON *ip = cJSON_GetObjectItemCaseSensitive(config, "init_population");
    *count = cJSON_IsArray(ip) ? (size_t)cJSON_GetArraySize(ip) : 0;
    double *genes = calloc(*count * space->n + 1, sizeof *genes);
    if (!genes) {
        ga_error_set(err, GA_EFAIL, "out of memory");
        return NULL;
    }
    size_t k = 0;
    const cJSON *ind;
    cJSON_ArrayForEach(ind, ip) {
        for (size_t i = 0; i < space->n; i++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(
                ind, space->params[i].name);
            if (!v || ga_param_gene_from_json(&space->params[i], v,
                                              &genes[k * space->n + i], err)) {
                if (err->status == GA_OK || !v)
                    ga_error_set(err, GA_EINPUT, "run.json: initial individual "
                                 "%zu lacks '%s'", k, space->params[i].name);
                free(genes);
                return NULL;
            }
        }
        k++;
    }
    return genes;
}

/* Fill run_args and settings back from a saved run.json. */
static int load_run_config(const char *dir, run_args *a, ga_settings *s,
                           cJSON **config, char ***command, ga_error *err)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/run.json", dir);
    char *text = ga_read_file(path, NULL, err);
    if (!text && err->status == GA_EFAIL)  /* out of memory, a read error */
        return GA_EFAIL;
    if (!text)
        return ga_error_set(err, GA_EINPUT, "%s: not a gahpo run directory "
                            "(no readable run.json)", dir);
    cJSON *o = ga_json_parse(text, path, NULL, err);
    free(text);
    if (!o)
        return err->status;
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return ga_error_set(err, GA_EINPUT, "%s: invalid JSON", path);
    }
    *config = o;
    const cJSON *prob = cJSON_GetObjectItemCaseSensitive(o, "problem");
    a->problem = cJSON_IsString(prob) ? prob->valuestring : NULL;
    const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(o, "command");
    a->ncommand = cJSON_IsArray(cmd) ? cJSON_GetArraySize(cmd) : 0;
    *command = calloc((size_t)a->ncommand + 1, sizeof **command);
    if (!*command)
        return ga_error_set(err, GA_EFAIL, "out of memory");
    int i = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cmd) {
        if (!cJSON_IsString(c))
            return ga_error_set(err, GA_EINPUT, "%s: bad 'command'", path);
        (*command)[i++] = c->valuestring;
    }
    a->command = *command;
    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(o, "executor");
    const cJSON *v;
    if (!a->jobs_set && cJSON_IsNumber(v = cJSON_GetObjectItem(ex, "jobs")))
        a->jobs = (long)v->valuedouble;
    if (!a->timeout_set && cJSON_IsNumber(v = cJSON_GetObjectItem(ex, "timeout")))
        a->timeout = v->valuedouble;
    if ((v = cJSON_GetObjectItem(ex, "param_flags")))
        a->param_flags = cJSON_IsTrue(v);
    if (cJSON_IsString(v = cJSON_GetObjectItem(ex, "result_file")))
        a->result_file = v->valuestring;
    if (cJSON_IsString(v = cJSON_GetObjectItem(ex, "result_key")))
        a->result_key = v->valuestring;
    if (cJSON_IsNumber(v = cJSON_GetObjectItem(ex, "retries")))
        a->local_retries = (long)v->valuedouble;
    if (cJSON_IsString(v = cJSON_GetObjectItem(ex, "type")) &&
        (!strcmp(v->valuestring, "slurm") || !strcmp(v->valuestring, "pbs"))) {
        int pbs = !strcmp(v->valuestring, "pbs");
        a->executor = pbs ? "pbs" : "slurm";
        a->slurm = pbs ? ga_pbs_settings_alloc() : ga_slurm_settings_alloc();
        if (!a->slurm)
            return ga_error_set(err, GA_EFAIL, "out of memory");
        if (ga_slurm_settings_apply_json(a->slurm, cJSON_GetObjectItem(ex,
                                         a->executor), path, err) != GA_OK)
            return GA_EINPUT;
    }
    if (a->cache < 0 && cJSON_IsBool(v = cJSON_GetObjectItem(ex, "cache")))
        a->cache = cJSON_IsTrue(v);
    ga_settings_defaults(s);
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(o, "settings");
    if (ga_settings_apply_json(s, st, path, err) != GA_OK)
        return GA_EINPUT;
    return ga_settings_validate(s, err);
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
    cJSON *config;
    long from, to;        /* num_iter; equal: not extended */
} extension;

static int write_extension(void *ctx, ga_error *err)
{
    const extension *x = ctx;
    if (x->from == x->to)
        return GA_OK;
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/run.json", x->dir);
    int rc = ga_write_json_atomic(path, x->config, err);
    if (rc == GA_OK)
        fprintf(stderr, "gahpo: extending the run from num_iter %ld to %ld\n",
                x->from, x->to);
    return rc;
}

/* --resume DIR with --num-iter N or --budget N: a run continued for more
 * evaluations. num_iter may only grow; config (run.json, written by
 * write_extension) gets the new one. */
static int extend_run(const char *dir, run_args *a, ga_settings *s,
                      cJSON *config, extension *x, ga_error *err)
{
    *x = (extension){ dir, config, s->num_iter, s->num_iter };
    long num_iter = s->num_iter;
    for (int i = 0; i < a->nset; i++)  /* only num_iter gets here */
        if (ga_parse_long(a->values[i], &num_iter) != 0 || num_iter < 1)
            return ga_error_set(err, GA_EINPUT, "--num-iter must be a whole "
                                "number >= 1, got '%s'", a->values[i]);
    if (a->budget > 0) {
        /* the most generations whose planned evaluations fit the budget */
        long lambda = s->strategy == GA_SIMPLE ? s->population_size
                                               : ga_settings_lambda(s);
        if (a->budget < s->population_size || lambda < 1)
            return ga_error_set(err, GA_EINPUT, "--budget %ld is less than "
                                "one population (%ld)", a->budget,
                                s->population_size);
        num_iter = 1 + (a->budget - s->population_size) / lambda;
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
    ga_json_oom_clear();
    cJSON *st = ga_settings_to_json(&grown);
    if (!st || ga_json_oom() ||
        !cJSON_ReplaceItemInObjectCaseSensitive(config, "settings", st)) {
        cJSON_Delete(st);
        return ga_error_set(err, GA_EFAIL, "out of memory");
    }
    s->num_iter = x->to = num_iter;
    return GA_OK;
}

int gahpo_read_run_config(const char *dir, ga_error *err)
{
    char *args[] = { NULL };
    run_args a;
    int rc = parse_run_args(0, args, &a);
    ga_settings settings;
    cJSON *config = NULL;
    char **command = NULL;
    ga_space *space = NULL;
    double *init = NULL;
    size_t ninit = 0;
    if (rc == 0)
        rc = load_run_config(dir, &a, &settings, &config, &command, err);
    const cJSON *sj = cJSON_GetObjectItemCaseSensitive(config, "space");
    if (rc == GA_OK && !a.problem) {
        char *text = sj ? cJSON_Print(sj) : NULL;
        space = text ? ga_space_parse(text, "run.json space", err) : NULL;
        free(text);
        if (!space && err->status == GA_OK)
            ga_error_set(err, GA_EINPUT, "%s/run.json: no space", dir);
        rc = space ? GA_OK : err->status;
    }
    if (rc == GA_OK && space) {
        init = config_init_population(config, space, &ninit, err);
        rc = init ? GA_OK : err->status;
    }
    free(init);
    ga_space_free(space);
    cJSON_Delete(config);
    free(command);
    ga_slurm_settings_free(a.slurm);
    return rc;
}

static int cmd_run(int argc, char **argv)
{
    run_args a;
    int rc = parse_run_args(argc, argv, &a);
    if (rc)
        return rc;
    ga_error err;
    ga_error_clear(&err);
    ga_settings settings;
    ga_space *space = NULL;
    prob_problem *problem = NULL;
    ga_executor *exec = NULL;
    ga_engine *eng = NULL;
    cJSON *config = NULL, *space_json = NULL;
    char **command_abs = NULL, **saved_command = NULL;
    double *init = NULL;
    size_t ninit = 0;
    char dir[PATH_MAX];
    char tuned_used[4400] = "";
    int lock = -1;
    extension ext = { NULL, NULL, 0, 0 };

    if (a.resume_dir) {
        int other_setting = 0;
        for (int i = 0; i < a.nset; i++)
            other_setting |= strcmp(a.keys[i], "num_iter") != 0 &&
                             strcmp(a.keys[i], "num-iter") != 0;
        if (a.out || a.space_file || a.problem || a.settings_file || a.ncommand ||
            a.executor || a.site || a.nslurm || a.retries || other_setting)
            return usage_error("run: --resume DIR takes the run's own settings "
                               "from DIR/run.json; give only --resume, and "
                               "optionally --num-iter or --budget (to extend "
                               "it), --jobs, --timeout, --quiet%s", "");
        if (!realpath(a.resume_dir, dir)) {
            fprintf(stderr, "gahpo: %s: %s\n", a.resume_dir, strerror(errno));
            return 2;
        }
        if ((lock = ga_rundir_lock(dir, &err)) < 0)
            goto done;
        ga_rundir_remove_stale_temp(dir);
        if (load_run_config(dir, &a, &settings, &config, &saved_command, &err) ||
            extend_run(dir, &a, &settings, config, &ext, &err))
            goto done;
        const cJSON *sj = cJSON_GetObjectItemCaseSensitive(config, "space");
        if (!a.problem) {
            char *text = sj ? cJSON_Print(sj) : NULL;
            if (!text) {
                ga_error_set(&err, sj ? GA_EFAIL : GA_EINPUT, "%s/run.json: %s",
                             dir, sj ? "out of memory" : "no space");
                goto done;
            }
            space = ga_space_parse(text, "run.json space", &err);
            free(text);
            if (!space)
                goto done;
        }
    } else {
        if (!a.out)
            return usage_error("run: --out DIR is required%s", "");
        if (!a.problem && !a.space_file && !a.no_env)
            a.space_file = getenv("PARAM_SET_FILE");
        if (!a.problem && !a.space_file)
            return usage_error("run: give --space FILE (or PARAM_SET_FILE), or "
                               "--problem NAME%s", "");
        int cluster = a.executor && (!strcmp(a.executor, "slurm") ||
                                     !strcmp(a.executor, "pbs"));
        if ((a.nslurm || a.site) && !cluster)
            return usage_error("run: Slurm and PBS options (--site, "
                               "--partition, --queue, ...) need --executor "
                               "slurm or pbs%s", "");
        if (a.problem && cluster)
            return usage_error("run: --problem evaluates in-process; "
                               "--executor %s runs a model command",
                               a.executor);
        if (a.retries && !cluster &&
            (ga_parse_long(a.retries, &a.local_retries) != 0 ||
             a.local_retries < 0 || a.local_retries > 100))
            return usage_error("run: --retries must be a whole number from 0 "
                               "to 100, got '%s'", a.retries);
        if (a.retries && a.problem)
            return usage_error("run: --retries is for a model command; an "
                               "in-process --problem does not fail%s", "");
        if (a.problem && a.ncommand)
            return usage_error("run: --problem evaluates in-process; do not also "
                               "give a model command%s", "");
        /* cluster jobs cost GPU-hours: reuse identical individuals' fitness
         * unless told not to (--no-cache, for noisy models) */
        if (a.cache < 0 && cluster)
            a.cache = 1;
        if (!a.problem && !a.ncommand)
            return usage_error("run: give the model command after --, or "
                               "--problem NAME%s", "");
        /* CANDLE's per-model time limit, in seconds */
        const char *tenv[] = { "BENCHMARK_TIMEOUT", "SH_TIMEOUT" };
        for (int i = 0; i < 2 && !a.timeout_set && !a.no_env; i++) {
            const char *t = getenv(tenv[i]);
            double tv;
            if (!t || !*t)
                continue;
            if (ga_parse_double(t, &tv) != 0 || tv < 0)
                return usage_error("run: $%s must be a number of seconds >= 0",
                                   tenv[i]);
            a.timeout = tv;
            a.timeout_set = 1;
        }
        if (!a.init_file && !a.no_env) {
            const char *f = getenv("INIT_PARAMS_FILE");
            if (f && *f)
                a.init_file = f;
        }
        if (a.executor && (!strcmp(a.executor, "slurm") ||
                           !strcmp(a.executor, "pbs"))) {
            a.slurm = !strcmp(a.executor, "pbs") ? ga_pbs_settings_alloc()
                                                 : ga_slurm_settings_alloc();
            if (!a.slurm) {
                ga_error_set(&err, GA_EFAIL, "out of memory");
                goto done;
            }
            for (int i = 0; i < a.nslurm; i++)
                if (ga_slurm_settings_set(a.slurm, a.slurm_keys[i],
                                          a.slurm_values[i], &err) != GA_OK)
                    goto done;
            if (a.retries && ga_slurm_settings_set(a.slurm, "--retries",
                                                   a.retries, &err) != GA_OK)
                goto done;
            if (ga_slurm_settings_resolve(a.slurm, a.site, a.no_env ? NULL
                                          : env_lookup, NULL, &err) != GA_OK)
                goto done;
        }
        if (resolve_settings(&a, &settings, tuned_used, sizeof tuned_used,
                             &err) != GA_OK)
            goto done;
        if (a.space_file && !a.problem) {
            space = ga_space_load(a.space_file, &err);
            if (!space)
                goto done;
            char *text = ga_read_file(a.space_file, NULL, &err);
            space_json = text ? ga_json_parse(text, a.space_file, NULL, &err)
                              : NULL;
            free(text);
            if (!space_json)  /* read a moment ago: out of memory */
                goto done;
        }
    }
    if (a.problem) {
        problem = prob_lookup(a.problem, &err);
        if (!problem)
            goto done;
        if (!space)
            space = ga_space_clone(problem->space);
        if (!space) {
            ga_error_set(&err, GA_EFAIL, "out of memory");
            goto done;
        }
    }
    if (space)
        print_warnings(space);
    if (a.resume_dir) {
        ga_error_clear(&err);
        init = config_init_population(config, space, &ninit, &err);
        if (!init)
            goto done;
    }

    if (!a.resume_dir) {
        if (ga_mkdirs(a.out, &err) != GA_OK)
            goto done;
        if (!realpath(a.out, dir)) {
            ga_error_set(&err, GA_EINPUT, "%s: %s", a.out, strerror(errno));
            goto done;
        }
        if ((lock = ga_rundir_lock(dir, &err)) < 0)
            goto done;
        ga_rundir_remove_stale_temp(dir);
        if (a.init_file) {
            char *warning = NULL;
            init = ga_csv_read_population(space, a.init_file, &ninit, &warning,
                                          &err);
            if (!init)
                goto done;
            if (warning)
                fprintf(stderr, "gahpo: warning: %s\n", warning);
            free(warning);
            if (ninit > (size_t)settings.population_size) {
                ga_error_set(&err, GA_EINPUT, "%s has %zu individuals but "
                             "population_size is %ld; raise population_size or "
                             "trim the file", a.init_file, ninit,
                             settings.population_size);
                goto done;
            }
        }
        /* the model command's path must work from the job directories */
        command_abs = calloc((size_t)a.ncommand + 1, sizeof *command_abs);
        for (int i = 0; command_abs && i < a.ncommand; i++) {
            /* a relative path made absolute, symlinks kept (the command as
             * typed: /usr/bin/python3 stays python3, not python3.11) */
            char buf[PATH_MAX], cwd[PATH_MAX];
            if (i == 0 && strchr(a.command[0], '/') && a.command[0][0] != '/' &&
                getcwd(cwd, sizeof cwd) &&
                snprintf(buf, sizeof buf, "%s/%s", cwd, a.command[0] +
                         (strncmp(a.command[0], "./", 2) ? 0 : 2)) <
                    (int)sizeof buf)
                command_abs[i] = ga_strdup(buf);
            else
                command_abs[i] = ga_strdup(a.command[i]);
        }
        int lost = !command_abs;
        for (int i = 0; !lost && i < a.ncommand; i++)
            lost = !command_abs[i];
        if (lost) {
            ga_error_set(&err, GA_EFAIL, "out of memory");
            goto done;
        }
        char ckpt[PATH_MAX + 32];
        snprintf(ckpt, sizeof ckpt, "%s/checkpoint.json", dir);
        if (access(ckpt, F_OK) == 0) {
            ga_error_set(&err, GA_EINPUT, "%s already holds a run "
                         "(checkpoint.json); continue it with --resume %s or "
                         "choose another --out", a.out, a.out);
            goto done;
        }
        if (ga_rundir_check_fresh(dir, &err) != GA_OK)
            goto done;
        ga_json_oom_clear();
        config = run_config(&a, dir, space_json, &settings, command_abs, space,
                            init, ninit);
        char path[PATH_MAX + 32];
        snprintf(path, sizeof path, "%s/run.json", dir);
        if (ga_write_json_built(path, config, &err) != GA_OK)
            goto done;
    }

    if (problem)
        exec = ga_exec_problem_alloc(problem, settings.seed, &err);
    else if (a.slurm) {
        ga_exec_slurm_opts so = {
            .argv = a.resume_dir ? a.command : command_abs,
            .argc = (size_t)a.ncommand, .run_dir = dir, .jobs = a.jobs,
            .timeout = a.timeout, .param_flags = a.param_flags,
            .result_file = a.result_file, .result_key = a.result_key,
            .slurm = a.slurm };
        exec = a.slurm->pbs ? ga_exec_pbs_alloc(&so, &err)
                            : ga_exec_slurm_alloc(&so, &err);
    } else {
        ga_exec_local_opts lo = {
            .argv = a.resume_dir ? a.command : command_abs,
            .argc = (size_t)a.ncommand, .run_dir = dir, .jobs = a.jobs,
            .timeout = a.timeout, .param_flags = a.param_flags,
            .result_file = a.result_file, .result_key = a.result_key,
            .retries = a.local_retries,
            /* descendants of a model that outlive it come to the driver,
             * which ends them */
            .end_orphans = prctl(PR_SET_CHILD_SUBREAPER, 1) == 0 };
        exec = ga_exec_local_alloc(&lo, &err);
    }
    if (!exec)
        goto done;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* a closed terminal or a lost ssh session stops the run as SIGTERM
     * does: models stopped, the run resumable */
    sigaction(SIGHUP, &sa, NULL);

    const cJSON *uid = cJSON_GetObjectItemCaseSensitive(config, "run_uid");
    const cJSON *started_by = cJSON_GetObjectItemCaseSensitive(config, "gahpo");
    const char *slash = strrchr(dir, '/');
    ga_run_opts ro = {
        .dir = dir, .run_id = slash ? slash + 1 : dir, .space = space,
        .settings = &settings, .executor = exec, .resume = a.resume_dir != NULL,
        .cache = a.cache > 0,
        .init_genes = init, .ninit = ninit, .cancel = &interrupted,
        .progress = a.quiet ? NULL : progress,
        /* async: as many evaluations running as the executor runs at once */
        .in_flight = a.slurm && a.slurm->max_concurrent > 0
                         ? a.slurm->max_concurrent : a.jobs,
        .run_uid = cJSON_IsString(uid) ? uid->valuestring : NULL,
        .accepted = a.resume_dir ? write_extension : NULL,
        .accepted_ctx = &ext,
        .warn = warn, .warn_ctx = cJSON_IsString(started_by)
                                      ? started_by->valuestring : NULL };
    if (!a.quiet && tuned_used[0])
        fprintf(stderr, "gahpo: tuned defaults from %s\n", tuned_used);
    if (!a.quiet && settings.strategy == GA_ASYNC)
        fprintf(stderr, "gahpo: async run, population %ld, %ld evaluations, "
                "%ld in flight, seed %lu, %s executor, in %s\n",
                settings.population_size, settings.population_size +
                (settings.num_iter - 1) * ga_settings_lambda(&settings),
                ro.in_flight, settings.seed, exec->name, dir);
    else if (!a.quiet)
        fprintf(stderr, "gahpo: %s run, population %ld, %ld generations, seed "
                "%lu, %s executor, in %s\n",
                ga_strategy_name(settings.strategy), settings.population_size,
                settings.num_iter, settings.seed, exec->name, dir);
    rc = ga_run(&ro, &eng, &err);
    if (rc == GA_OK && eng) {
        if (!a.quiet)
            print_summary(dir, space, eng);
    } else if (rc == GA_OK) {
        if (!a.quiet)
            print_best_file(dir);
    } else if (interrupted) {
        fprintf(stderr, "gahpo: interrupted; continue with: gahpo run --resume "
                "%s\n", dir);
    }

done:
    ga_rundir_unlock(lock);
    ga_engine_free(eng);
    ga_executor_free(exec);
    prob_free(problem);
    ga_space_free(space);
    cJSON_Delete(config);
    cJSON_Delete(space_json);
    for (int i = 0; command_abs && i < a.ncommand; i++)
        free(command_abs[i]);
    free(command_abs);
    free(saved_command);
    ga_slurm_settings_free(a.slurm);
    free(init);
    if (err.status != GA_OK)
        return fail(&err);
    return 0;
}

int main(int argc, char **argv)
{
    /* GSL's default handler aborts, on a failed allocation too; the library
     * checks GSL's return values instead */
    gsl_set_error_handler_off();
    if (argc < 2) {
        print_help(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "space"))
        return cmd_space(argc - 2, argv + 2);
    if (!strcmp(cmd, "run"))
        return cmd_run(argc - 2, argv + 2);
    if (!strcmp(cmd, "problems"))
        return cmd_problems(argc - 2, argv + 2);
    if (!strcmp(cmd, "fit"))
        return gahpo_cmd_fit(argc - 2, argv + 2);
    if (!strcmp(cmd, "sweep"))
        return gahpo_cmd_sweep(argc - 2, argv + 2, GAHPO_VERSION);
    if (!strcmp(cmd, "_task")) {  /* one Slurm or PBS task (exec_array.c) */
        if (argc != 4)
            return usage_error("_task TASKS_FILE TASK_ID is run by the Slurm "
                               "executor's batch scripts%s", "");
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
        ga_error err;
        int code;
        if (ga_exec_slurm_task(argv[2], argv[3], &interrupted, &code, &err))
            return fail(&err);
        return code;
    }
    if (!strcmp(cmd, "async-experiment"))
        return gahpo_cmd_async_experiment(argc - 2, argv + 2);
    if (!strcmp(cmd, "plot-space"))
        return gahpo_cmd_plot_space(argc - 2, argv + 2);
    if (!strcmp(cmd, "tune"))
        return gahpo_cmd_tune(argc - 2, argv + 2, GAHPO_VERSION);
    if (!strcmp(cmd, "analyze"))
        return gahpo_cmd_analyze(argc - 2, argv + 2, GAHPO_VERSION);
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("gahpo %s\n", GAHPO_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        print_help(stdout);
        return 0;
    }
    return usage_error("unknown command '%s'", cmd);
}
