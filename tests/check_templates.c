/* check_templates.c - the files model curators copy from templates/ work:
 * the space loads with every type, the settings apply, both site profiles
 * resolve into batch scripts, cfg-sys.sh sourced by bash reaches gahpo, and
 * model_wrapper.py parses flags, fails as documented and drives a real
 * `gahpo run` to a finite best. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "../exec/exec.h"
#include "../ga/settings.h"
#include "../ga/space.h"
#include "suites.h"
#include "testutil.h"

#define G (char *)tu_gahpo()
#define PY "/usr/bin/python3"

static char tdir[4096];

static void setup(void)
{
    snprintf(tdir, sizeof tdir, "%s/templates", tu_root());
}

/* templates/NAME as a path in buf. */
static char *tpath(const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s", tdir, name);
    return buf;
}

static cJSON *read_json(const char *path)
{
    char *text = tu_read(path);
    ck_assert_msg(text != NULL, "cannot read %s", path);
    cJSON *o = cJSON_Parse(text);
    ck_assert_msg(o != NULL, "%s: not JSON", path);
    free(text);
    return o;
}

/* settings as plain JSON (ga_settings_to_json writes exact raw numbers,
 * which cJSON_Compare does not match with parsed ones) */
static cJSON *settings_json(const ga_settings *s)
{
    cJSON *raw = ga_settings_to_json(s);
    char *text = cJSON_PrintUnformatted(raw);
    cJSON *o = cJSON_Parse(text);
    free(text);
    cJSON_Delete(raw);
    ck_assert_ptr_nonnull(o);
    return o;
}

/* ---- space.json -------------------------------------------------------- */

START_TEST(test_space_template)
{
    char path[4200];
    tpath("space.json", path, sizeof path);
    ga_error err;
    ga_space *s = ga_space_load(path, &err);
    ck_assert_msg(s != NULL, "%s", err.msg);
    /* every parameter type the loader has, and log_scale on int and float */
    int types[6] = { 0 }, log_float = 0, log_int = 0;
    for (size_t i = 0; i < s->n; i++) {
        types[s->params[i].type]++;
        log_float += s->params[i].type == GA_FLOAT && s->params[i].log_scale;
        log_int += s->params[i].type == GA_INT && s->params[i].log_scale;
    }
    for (int t = 0; t < 6; t++)
        ck_assert_msg(types[t] > 0, "no %s parameter", ga_type_name((ga_type)t));
    ck_assert_int_gt(log_float, 0);
    ck_assert_int_gt(log_int, 0);
    /* the only findings are the explanatory comment keys */
    ck_assert_uint_gt(s->nwarnings, 0);
    for (size_t i = 0; i < s->nwarnings; i++)
        ck_assert_msg(strstr(s->warnings[i], "unknown key 'comment' ignored"),
                      "%s", s->warnings[i]);
    /* sigmas as written (the comments quote them); the defaults otherwise */
    cJSON *j = read_json(path);
    for (size_t i = 0; i < s->n; i++) {
        const ga_param *p = &s->params[i];
        const cJSON *sig = cJSON_GetObjectItem(cJSON_GetArrayItem(j, (int)i),
                                               "sigma");
        if (cJSON_IsNumber(sig))
            ck_assert_double_eq(p->sigma, sig->valuedouble);
        else if (p->type == GA_FLOAT && p->log_scale)
            ck_assert_double_eq_tol(p->sigma, (log10(p->upper) -
                                               log10(p->lower)) / 10, 1e-12);
        else if (p->type == GA_FLOAT || p->type == GA_INT)
            ck_assert_double_eq_tol(p->sigma, (p->upper - p->lower) / 10,
                                    1e-12);
    }
    cJSON_Delete(j);
    ga_space_free(s);
    /* and the command says so too */
    char *out, *errs;
    int rc = tu_run((char *[]){ G, "space", path, NULL }, NULL, NULL, &out,
                    &errs);
    ck_assert_msg(rc == 0, "%s", errs);
    ck_assert_ptr_nonnull(strstr(out, "learning_rate"));
    ck_assert_ptr_nonnull(strstr(out, "log_scale"));
    free(out);
    free(errs);
}
END_TEST

/* ---- settings.json ----------------------------------------------------- */

/* Every key of file (but "comment") has the same value in settings. */
static void assert_settings_match(const cJSON *file, const cJSON *settings)
{
    int n = 0;
    const cJSON *kv;
    cJSON_ArrayForEach(kv, file) {
        if (!strcmp(kv->string, "comment"))
            continue;
        const cJSON *got = cJSON_GetObjectItem(settings, kv->string);
        ck_assert_msg(got && cJSON_Compare(kv, got, 1), "setting %s differs",
                      kv->string);
        n++;
    }
    ck_assert_int_gt(n, 0);
}

START_TEST(test_settings_template)
{
    char path[4200];
    tpath("settings.json", path, sizeof path);
    cJSON *file = read_json(path);
    /* it names every setting there is */
    ga_settings s;
    ga_settings_defaults(&s);
    cJSON *all = ga_settings_to_json(&s);
    const cJSON *kv;
    cJSON_ArrayForEach(kv, all)
        ck_assert_msg(cJSON_GetObjectItem(file, kv->string), "settings.json "
                      "lacks %s", kv->string);
    cJSON_Delete(all);
    /* the library applies it cleanly and the result is valid */
    ga_error err;
    ck_assert_msg(ga_settings_load(&s, path, &err) == GA_OK, "%s", err.msg);
    ck_assert_msg(ga_settings_validate(&s, &err) == GA_OK, "%s", err.msg);
    cJSON *got = settings_json(&s);
    assert_settings_match(file, got);
    cJSON_Delete(got);
    /* so does `gahpo run --settings` (run.json holds what the run used) */
    char *dir = tu_tmpdir("tsettings");
    char out_dir[4200], run_json[4300];
    snprintf(out_dir, sizeof out_dir, "%s/run", dir);
    char *out, *errs;
    int rc = tu_run((char *[]){ G, "run", "--no-env", "--problem", "sphere:d2",
                                "--settings", path, "--out", out_dir, "--quiet",
                                NULL }, NULL, NULL, &out, &errs);
    ck_assert_msg(rc == 0, "%s", errs);
    snprintf(run_json, sizeof run_json, "%s/run.json", out_dir);
    cJSON *run = read_json(run_json);
    assert_settings_match(file, cJSON_GetObjectItem(run, "settings"));
    cJSON_Delete(run);
    cJSON_Delete(file);
    free(out);
    free(errs);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* ---- site-slurm.json, site-pbs.json ------------------------------------ */

/* The profile with every disabled example ("_key", not "_doc_...") turned
 * on: the examples must be real keys with valid values. */
static cJSON *with_examples(const cJSON *site, int *nexamples)
{
    cJSON *o = cJSON_CreateObject();
    *nexamples = 0;
    const cJSON *kv;
    cJSON_ArrayForEach(kv, site) {
        const char *k = kv->string;
        if (k[0] == '_' && strncmp(k, "_doc_", 5) != 0) {
            cJSON_DeleteItemFromObject(o, k + 1);
            cJSON_AddItemToObject(o, k + 1, cJSON_Duplicate(kv, 1));
            (*nexamples)++;
        } else if (!cJSON_GetObjectItem(o, k)) {
            cJSON_AddItemToObject(o, k, cJSON_Duplicate(kv, 1));
        }
    }
    return o;
}

/* The script holds "PREFIX VALUE" for a string key of the profile. */
static void assert_line(const char *script, const cJSON *site, const char *key,
                        const char *fmt)
{
    const cJSON *v = cJSON_GetObjectItem(site, key);
    ck_assert_msg(cJSON_IsString(v), "the profile has no %s", key);
    char line[512];
    snprintf(line, sizeof line, fmt, v->valuestring);
    ck_assert_msg(strstr(script, line), "no \"%s\" in:\n%s", line, script);
}

static void assert_list_lines(const char *script, const cJSON *site,
                              const char *key, const char *prefix)
{
    const cJSON *e;
    int n = 0;
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(site, key)) {
        char line[512];
        snprintf(line, sizeof line, "%s%s\n", prefix, e->valuestring);
        ck_assert_msg(strstr(script, line), "no \"%s\" in:\n%s", line, script);
        n++;
    }
    ck_assert_int_gt(n, 0);
}

START_TEST(test_site_slurm_template)
{
    char path[4200];
    tpath("site-slurm.json", path, sizeof path);
    cJSON *site = read_json(path);
    ga_error err;
    ga_sched_settings *s = ga_sched_settings_alloc(GA_SCHED_SLURM);
    ck_assert_msg(ga_sched_settings_resolve(s, path, NULL, NULL, &err) == GA_OK,
                  "%s", err.msg);
    ck_assert_int_eq(s->max_concurrent,
                     cJSON_GetObjectItem(site, "max_concurrent")->valueint);
    ck_assert_int_eq(s->retries, cJSON_GetObjectItem(site, "retries")->valueint);
    ga_array_script_info info = { "gahpo-t-g0", 4, s->max_concurrent,
                                  "/opt/gahpo/bin/gahpo", "/r/gen_0/array_0.tasks" };
    char *script = ga_slurm_script(s, &info, &err);
    ck_assert_msg(script != NULL, "%s", err.msg);
    assert_line(script, site, "account", "#SBATCH --account=%s\n");
    assert_line(script, site, "partition", "#SBATCH --partition=%s\n");
    assert_line(script, site, "time", "#SBATCH --time=%s\n");
    assert_line(script, site, "mem", "#SBATCH --mem=%s\n");
    ck_assert_ptr_nonnull(strstr(script, "#SBATCH --gpus-per-task=1\n"));
    assert_list_lines(script, site, "sbatch_extra", "#SBATCH ");
    assert_list_lines(script, site, "setup", "");
    free(script);
    ga_sched_settings_free(s);
    /* the PBS executor refuses it */
    s = ga_sched_settings_alloc(GA_SCHED_PBS);
    ck_assert_int_eq(ga_sched_settings_resolve(s, path, NULL, NULL, &err),
                     GA_EINPUT);
    ga_sched_settings_free(s);
    /* its disabled examples are valid once enabled */
    int nex;
    cJSON *ex = with_examples(site, &nex);
    ck_assert_int_gt(nex, 0);
    s = ga_sched_settings_alloc(GA_SCHED_SLURM);
    ck_assert_msg(ga_sched_settings_apply_json(s, ex, "examples", &err) == 0,
                  "%s", err.msg);
    ck_assert_ptr_nonnull(s->shell);
    ck_assert_int_gt(s->ntasks_per_node, 0);
    ga_sched_settings_free(s);
    cJSON_Delete(ex);
    cJSON_Delete(site);
}
END_TEST

START_TEST(test_site_pbs_template)
{
    char path[4200];
    tpath("site-pbs.json", path, sizeof path);
    cJSON *site = read_json(path);
    ga_error err;
    ga_sched_settings *s = ga_sched_settings_alloc(GA_SCHED_PBS);
    ck_assert_msg(ga_sched_settings_resolve(s, path, NULL, NULL, &err) == GA_OK,
                  "%s", err.msg);
    ck_assert_str_eq(s->dialect, "pro");
    ga_array_script_info info = { "gahpo-t-g0", 4, s->max_concurrent,
                                  "/opt/gahpo/bin/gahpo", "/r/gen_0/array_0.tasks" };
    char *script = ga_pbs_script(s, &info, &err);
    ck_assert_msg(script != NULL, "%s", err.msg);
    assert_line(script, site, "account", "#PBS -A %s\n");
    assert_line(script, site, "queue", "#PBS -q %s\n");
    assert_line(script, site, "walltime", "#PBS -l walltime=%s\n");
    /* nodes, cpus, gpus and mem (32G as PBS's 32gb) become one select */
    ck_assert_msg(strstr(script, "#PBS -l select=1:ncpus=8:ngpus=1:mem=32gb\n"),
                  "%s", script);
    assert_list_lines(script, site, "pbs_extra", "#PBS ");
    assert_list_lines(script, site, "setup", "");
    free(script);
    ga_sched_settings_free(s);
    /* the Slurm executor refuses it */
    s = ga_sched_settings_alloc(GA_SCHED_SLURM);
    ck_assert_int_eq(ga_sched_settings_resolve(s, path, NULL, NULL, &err),
                     GA_EINPUT);
    ga_sched_settings_free(s);
    /* its examples once enabled: select replaces the separate resources */
    int nex;
    cJSON *ex = with_examples(site, &nex);
    ck_assert_int_gt(nex, 0);
    s = ga_sched_settings_alloc(GA_SCHED_PBS);
    ck_assert_msg(ga_sched_settings_apply_json(s, ex, "examples", &err) == 0,
                  "%s", err.msg);
    script = ga_pbs_script(s, &info, &err);
    ck_assert_msg(script != NULL, "%s", err.msg);
    assert_line(script, ex, "select", "#PBS -l select=%s\n");
    assert_line(script, ex, "filesystems", "#PBS -l filesystems=%s\n");
    const char *sel = strstr(script, "-l select=");
    ck_assert_ptr_null(strstr(sel + 1, "-l select="));  /* only that one */
    free(script);
    /* and the Torque dialect renders it too */
    ga_sched_settings_free(s);
    s = ga_sched_settings_alloc(GA_SCHED_PBS);
    ck_assert_int_eq(ga_sched_settings_set(s, "--pbs-dialect", "torque", &err), 0);
    ck_assert_msg(ga_sched_settings_resolve(s, path, NULL, NULL, &err) == GA_OK,
                  "%s", err.msg);
    script = ga_pbs_script(s, &info, &err);
    ck_assert_msg(strstr(script, "#PBS -l nodes=1:ppn=8:gpus=1\n"), "%s", script);
    free(script);
    ga_sched_settings_free(s);
    cJSON_Delete(ex);
    cJSON_Delete(site);
}
END_TEST

/* ---- cfg-sys.sh -------------------------------------------------------- */

/* Every variable gahpo reads (ga/settings.c, the executors, the command). */
static const char *const ga_vars[] = {
    "NUM_ITERATIONS", "POPULATION_SIZE", "GA_STRATEGY", "OFFSPRING_PROPORTION",
    "MUT_PROB", "CX_PROB", "MUT_INDPB", "CX_INDPB", "TOURNSIZE", NULL
};
static const char *const other_vars[] = {
    "SEED", "IGNORE_ERRORS", "PROCS", "PPN", "WALLTIME", "QUEUE", "PROJECT",
    "MAX_CONCURRENT", "PARAM_SET_FILE", "INIT_PARAMS_FILE",
    "GAHPO_TUNED_DEFAULTS", NULL
};
/* the setting each GA variable sets, in ga_vars' order */
static const char *const ga_keys[] = {
    "num_iter", "population_size", "strategy", "offspring_prop", "mut_prob",
    "cx_prob", "mut_indpb", "cx_indpb", "tournsize", NULL
};

static int in_list(const char *const *list, const char *name, size_t len)
{
    for (; *list; list++)
        if (strlen(*list) == len && !strncmp(*list, name, len))
            return 1;
    return 0;
}

/* bash sources cfg (set -eu) and prints NAME=VALUE for every variable it
 * set; the pairs go to kv (NULL-terminated, alternating), text owned by
 * *buf. */
static void source_cfg(const char *cfg, char **buf, const char **kv,
                       size_t max)
{
    char script[2048] = "set -eu; . \"$1\"; for v in";
    for (const char *const *l = ga_vars; *l; l++)
        strcat(strcat(script, " "), *l);
    for (const char *const *l = other_vars; *l; l++)
        strcat(strcat(script, " "), *l);
    strcat(script, "; do if [ -n \"${!v+x}\" ]; then printf '%s=%s\\n' \"$v\" "
           "\"${!v}\"; fi; done");
    char *errs;
    int rc = tu_run((char *[]){ "/bin/bash", "-c", script, "bash", (char *)cfg,
                                NULL }, NULL, NULL, buf, &errs);
    ck_assert_msg(rc == 0 && !*errs, "sourcing %s: %s", cfg, errs);
    free(errs);
    size_t n = 0;
    for (char *line = *buf; *line && n + 2 < max;) {
        char *nl = strchr(line, '\n');
        *nl = '\0';
        char *eq = strchr(line, '=');
        *eq = '\0';
        kv[n++] = line;
        kv[n++] = eq + 1;
        line = nl + 1;
    }
    kv[n] = NULL;
}

static const char *kv_get(void *ctx, const char *name)
{
    const char *const *kv = ctx;
    for (; kv[0]; kv += 2)
        if (!strcmp(kv[0], name))
            return kv[1];
    return NULL;
}

/* Run gahpo in the environment that sourcing cfg gives (plus env), with
 * args after `gahpo run`. */
static int run_sourced(const char *cfg, char *const env[], char *const args[],
                       char **out, char **errs)
{
    char *argv[40] = { "/bin/bash", "-c",
                       "set -eu; . \"$1\"; shift; exec \"$@\"", "bash",
                       (char *)cfg, G, "run" };
    int k = 7;
    for (int i = 0; args[i] && k < 39; i++)
        argv[k++] = args[i];
    argv[k] = NULL;
    return tu_run(argv, NULL, env, out, errs);
}

START_TEST(test_cfg_sys_template)
{
    char cfg[4200], space[4200], wrapper[4200];
    tpath("cfg-sys.sh", cfg, sizeof cfg);
    tpath("space.json", space, sizeof space);
    tpath("model_wrapper.py", wrapper, sizeof wrapper);
    /* it names only variables that gahpo reads, and all of the GA ones */
    char *text = tu_read(cfg);
    ck_assert_ptr_nonnull(text);
    int found = 0;
    for (const char *line = text; line && *line;
         line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        const char *name = !strncmp(line, "export ", 7) ? line + 7
                           : !strncmp(line, "#export ", 8) ? line + 8 : NULL;
        if (!name)
            continue;
        size_t len = strcspn(name, "=");
        ck_assert_msg(in_list(ga_vars, name, len) || in_list(other_vars, name,
                      len), "cfg-sys.sh exports %.*s, which gahpo does not "
                      "read", (int)len, name);
        found++;
    }
    for (const char *const *l = ga_vars; *l; l++) {
        char pat[64];
        snprintf(pat, sizeof pat, "export %s=", *l);
        ck_assert_msg(strstr(text, pat), "cfg-sys.sh lacks %s", *l);
    }
    ck_assert_int_ge(found, 15);

    /* sourced as shipped: the cluster variables reach both executors */
    char *buf;
    const char *kv[64];
    source_cfg(cfg, &buf, kv, 64);
    ga_error err;
    ga_sched_settings *s = ga_sched_settings_alloc(GA_SCHED_SLURM);
    ck_assert_msg(ga_sched_settings_resolve(s, NULL, kv_get, kv, &err) == 0,
                  "%s", err.msg);
    ck_assert_str_eq(s->time, kv_get(kv, "WALLTIME"));
    ck_assert_str_eq(s->partition, kv_get(kv, "QUEUE"));
    ck_assert_str_eq(s->account, kv_get(kv, "PROJECT"));
    ck_assert_int_eq(s->ntasks_per_node, atol(kv_get(kv, "PPN")));
    ck_assert_int_eq(s->max_concurrent, atol(kv_get(kv, "PROCS")));
    ga_sched_settings_free(s);
    s = ga_sched_settings_alloc(GA_SCHED_PBS);
    ck_assert_msg(ga_sched_settings_resolve(s, NULL, kv_get, kv, &err) == 0,
                  "%s", err.msg);
    ck_assert_str_eq(s->walltime, kv_get(kv, "WALLTIME"));
    ck_assert_str_eq(s->queue, kv_get(kv, "QUEUE"));
    ck_assert_str_eq(s->account, kv_get(kv, "PROJECT"));
    ck_assert_int_eq(s->cpus_per_task, atol(kv_get(kv, "PPN")));
    ck_assert_int_eq(s->max_concurrent, atol(kv_get(kv, "PROCS")));
    ga_sched_settings_free(s);
    ck_assert_str_eq(kv_get(kv, "MAX_CONCURRENT"), kv_get(kv, "PROCS"));

    /* ... and `gahpo run` with no --space takes PARAM_SET_FILE (given from
     * outside: the template's ${VAR:-...} lets it through), SEED and
     * IGNORE_ERRORS from it */
    char *dir = tu_tmpdir("tcfg");
    char out_dir[4200], run_json[4300], pset[4300];
    snprintf(out_dir, sizeof out_dir, "%s/run", dir);
    snprintf(pset, sizeof pset, "PARAM_SET_FILE=%s", space);
    char *out, *errs;
    int rc = run_sourced(cfg, (char *[]){ pset, NULL },
                         (char *[]){ "--out", out_dir, "--quiet",
                                     "--population-size", "4", "--num-iter",
                                     "2", "--jobs", "2", "--", PY, wrapper,
                                     NULL }, &out, &errs);
    ck_assert_msg(rc == 0, "%s", errs);
    snprintf(run_json, sizeof run_json, "%s/run.json", out_dir);
    cJSON *run = read_json(run_json);
    const cJSON *st = cJSON_GetObjectItem(run, "settings");
    ck_assert_double_eq(cJSON_GetObjectItem(st, "seed")->valuedouble,
                        atof(kv_get(kv, "SEED")));
    ck_assert_str_eq(cJSON_GetObjectItem(st, "nan_policy")->valuestring,
                     !strcmp(kv_get(kv, "IGNORE_ERRORS"), "1") ? "mean" : "fail");
    cJSON *sp = read_json(space);
    ck_assert(cJSON_Compare(cJSON_GetObjectItem(run, "space"), sp, 1));
    cJSON_Delete(sp);
    cJSON_Delete(run);
    free(out);
    free(errs);
    free(buf);

    /* with its GA lines uncommented every GA variable arrives, over a
     * settings file that says otherwise */
    char cfg2[4300], settings[4300];
    snprintf(cfg2, sizeof cfg2, "%s/cfg-ga.sh", dir);
    size_t len = strlen(text);
    char *ga_text = malloc(len + 1);
    size_t m = 0;
    for (size_t i = 0; i < len; i++) {
        if ((i == 0 || text[i - 1] == '\n') && !strncmp(text + i, "#export ", 8)
            && in_list(ga_vars, text + i + 8, strcspn(text + i + 8, "=")))
            continue;  /* drop the '#' */
        ga_text[m++] = text[i];
    }
    ga_text[m] = '\0';
    ck_assert_int_eq(tu_write(cfg2, ga_text), 0);
    source_cfg(cfg2, &buf, kv, 64);
    for (const char *const *l = ga_vars; *l; l++)
        ck_assert_msg(kv_get(kv, *l), "%s not set once uncommented", *l);
    snprintf(settings, sizeof settings, "%s/other.json", dir);
    const char *other = "{\"num_iter\": 3, \"population_size\": 6, "
        "\"strategy\": \"simple\", \"offspring_prop\": 0.25, \"mut_prob\": 0.3,"
        " \"cx_prob\": 0.3, \"mut_indpb\": 0.2, \"cx_indpb\": 0.3, "
        "\"tournsize\": 2}";
    tu_write(settings, other);
    snprintf(out_dir, sizeof out_dir, "%s/run2", dir);
    rc = run_sourced(cfg2, NULL, (char *[]){ "--problem", "sphere:d2",
                                             "--settings", settings, "--out",
                                             out_dir, "--quiet", NULL },
                     &out, &errs);
    ck_assert_msg(rc == 0, "%s", errs);
    snprintf(run_json, sizeof run_json, "%s/run.json", out_dir);
    run = read_json(run_json);
    st = cJSON_GetObjectItem(run, "settings");
    cJSON *oj = cJSON_Parse(other);
    for (size_t i = 0; ga_vars[i]; i++) {
        ga_settings want;
        ga_settings_defaults(&want);
        ck_assert_int_eq(ga_settings_set(&want, ga_keys[i],
                                         kv_get(kv, ga_vars[i]), "cfg", &err),
                         0);
        cJSON *wj = settings_json(&want);
        const cJSON *w = cJSON_GetObjectItem(wj, ga_keys[i]);
        ck_assert_msg(cJSON_Compare(cJSON_GetObjectItem(st, ga_keys[i]), w, 1),
                      "%s from %s did not arrive", ga_keys[i], ga_vars[i]);
        /* discriminating: the settings file said something else */
        ck_assert_msg(!cJSON_Compare(cJSON_GetObjectItem(oj, ga_keys[i]), w, 1),
                      "%s: pick another value in the test", ga_keys[i]);
        cJSON_Delete(wj);
    }
    cJSON_Delete(oj);
    cJSON_Delete(run);
    free(ga_text);
    free(text);
    free(out);
    free(errs);
    free(buf);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* ---- model_wrapper.py -------------------------------------------------- */

/* Run the wrapper by hand in dir with args; returns its exit status. */
static int run_wrapper(const char *dir, char *const args[], char **out,
                       char **errs)
{
    char wrapper[4200];
    tpath("model_wrapper.py", wrapper, sizeof wrapper);
    char *argv[40] = { "/bin/sh", "-c", "cd \"$1\" && shift && exec \"$@\"",
                       "sh", (char *)dir, PY, wrapper };
    int k = 7;
    for (int i = 0; args[i] && k < 39; i++)
        argv[k++] = args[i];
    argv[k] = NULL;
    return tu_run(argv, NULL, NULL, out, errs);
}

START_TEST(test_wrapper_by_hand)
{
    char *dir = tu_tmpdir("twrap");
    char result[4200];
    snprintf(result, sizeof result, "%s/result.json", dir);
    char *out, *errs;
    /* flags as gahpo writes them, typed back; =value works too */
    int rc = run_wrapper(dir, (char *[]){ "--epochs", "5", "--learning_rate",
                                          "0.01", "--batch_size", "32",
                                          "--optimizer", "sgd", "--batch_norm",
                                          "False", "--dropout=0.3", NULL },
                         &out, &errs);
    ck_assert_msg(rc == 0, "%s", errs);
    cJSON *r = read_json(result);
    const cJSON *loss = cJSON_GetObjectItem(r, "val_loss");
    ck_assert(cJSON_IsNumber(loss) && isfinite(loss->valuedouble));
    const cJSON *p = cJSON_GetObjectItem(r, "params");
    ck_assert_double_eq(cJSON_GetObjectItem(p, "learning_rate")->valuedouble,
                        0.01);
    ck_assert_double_eq(cJSON_GetObjectItem(p, "batch_size")->valuedouble, 32);
    ck_assert_double_eq(cJSON_GetObjectItem(p, "epochs")->valuedouble, 5);
    ck_assert_double_eq(cJSON_GetObjectItem(p, "dropout")->valuedouble, 0.3);
    ck_assert_str_eq(cJSON_GetObjectItem(p, "optimizer")->valuestring, "sgd");
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(p, "batch_norm")));
    /* defaults fill the rest */
    ck_assert_str_eq(cJSON_GetObjectItem(p, "activation")->valuestring, "relu");
    cJSON_Delete(r);
    free(out);
    free(errs);
    /* the write is atomic: no temporary file is left beside the result */
    char *ls;
    rc = tu_run((char *[]){ "/bin/ls", "-A", dir, NULL }, NULL, NULL, &ls, NULL);
    ck_assert_str_eq(ls, "result.json\n");
    free(ls);
    /* train() raising: exit 1, traceback on stderr, no result */
    unlink(result);
    rc = run_wrapper(dir, (char *[]){ "--learning_rate", "-1", NULL }, &out,
                     &errs);
    ck_assert_int_eq(rc, 1);
    ck_assert_ptr_nonnull(strstr(errs, "Traceback"));
    ck_assert_int_ne(access(result, F_OK), 0);
    free(out);
    free(errs);
    /* a NaN loss: exit 3, no result */
    rc = run_wrapper(dir, (char *[]){ "--learning_rate", "nan", NULL }, &out,
                     &errs);
    ck_assert_int_eq(rc, 3);
    ck_assert_ptr_nonnull(strstr(errs, "nan"));
    ck_assert_int_ne(access(result, F_OK), 0);
    free(out);
    free(errs);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* A short real search of the wrapper over the space template, with the
 * values passed as flags (_i 0) or only in params.json (_i 1). */
START_TEST(test_wrapper_run)
{
    char space[4200], wrapper[4200];
    tpath("space.json", space, sizeof space);
    tpath("model_wrapper.py", wrapper, sizeof wrapper);
    char *dir = tu_tmpdir("trun");
    char out_dir[4200], path[4400];
    snprintf(out_dir, sizeof out_dir, "%s/run", dir);
    char *argv[32] = { G, "run", "--no-env", "--space", space, "--out", out_dir,
                       "--population-size", "6", "--num-iter", "2", "--jobs",
                       "2", "--quiet" };
    int k = 14;
    if (_i == 1)
        argv[k++] = "--no-param-flags";
    argv[k++] = "--";
    argv[k++] = PY;
    argv[k++] = wrapper;
    argv[k] = NULL;
    char *out, *errs;
    int rc = tu_run(argv, NULL, NULL, &out, &errs);
    ck_assert_msg(rc == 0, "%s", errs);
    snprintf(path, sizeof path, "%s/best.json", out_dir);
    cJSON *best = read_json(path);
    const cJSON *f = cJSON_GetObjectItem(best, "fitness");
    ck_assert(cJSON_IsNumber(f) && isfinite(f->valuedouble));
    cJSON_Delete(best);
    int lines, failed, with;
    tu_scan_log(out_dir, &lines, &failed, NULL, &with);
    ck_assert_int_eq(lines, 6 + 3);  /* 6, then lambda = 3 children */
    ck_assert_int_eq(failed, 0);
    /* every job's model saw exactly the individual gahpo meant (typed), and
     * nothing but the space's parameters */
    ga_error err;
    ga_space *s = ga_space_load(space, &err);
    ck_assert_ptr_nonnull(s);
    for (int ind = 0; ind < 6; ind++) {
        snprintf(path, sizeof path, "%s/gen_0/ind_%d/params.json", out_dir, ind);
        cJSON *want = read_json(path);
        snprintf(path, sizeof path, "%s/gen_0/ind_%d/result.json", out_dir, ind);
        cJSON *r = read_json(path);
        const cJSON *got = cJSON_GetObjectItem(r, "params");
        ck_assert_msg(cJSON_Compare(got, want, 1), "ind %d: params differ", ind);
        ck_assert_int_eq(cJSON_GetArraySize(got), (int)s->n);
        cJSON_Delete(r);
        cJSON_Delete(want);
    }
    ga_space_free(s);
    free(out);
    free(errs);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

Suite *templates_suite(void)
{
    Suite *s = suite_create("templates");
    TCase *tc = tcase_create("templates");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_space_template);
    tcase_add_test(tc, test_settings_template);
    tcase_add_test(tc, test_site_slurm_template);
    tcase_add_test(tc, test_site_pbs_template);
    tcase_add_test(tc, test_cfg_sys_template);
    tcase_add_test(tc, test_wrapper_by_hand);
    tcase_add_loop_test(tc, test_wrapper_run, 0, 2);
    suite_add_tcase(s, tc);
    return s;
}
