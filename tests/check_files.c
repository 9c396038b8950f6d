/* check_files.c - unit tests of the ga/ modules that hold the bytes of a
 * run: the fitness cache, checkpoint numbers (state.h), exact number
 * formatting, atomic writes, and the run directory's files (rundir.h: the
 * evaluation log and its reader, stats.csv, how a run begins); outside
 * make unit, gahpo run given a directory too long for its files. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cJSON.h>
#include <gsl/gsl_rng.h>

#include "../ga/cache.h"
#include "../ga/rng.h"
#include "../ga/rundir.h"
#include "../ga/state.h"
#include "../ga/util.h"
#include "suites.h"
#include "testutil.h"

/* ---- cache ----------------------------------------------------------- */

START_TEST(test_cache)
{
    ga_cache *c = ga_cache_alloc(3);
    double a[] = { 1, 2, 3 }, b[] = { 1, 2, 3.0000000000000004 }, f;
    ck_assert_int_eq(ga_cache_lookup(c, a, &f), 0);
    ck_assert_int_eq(ga_cache_insert(c, a, 0.5), 0);
    ck_assert_int_eq(ga_cache_lookup(c, a, &f), 1);
    ck_assert(f == 0.5);
    ck_assert_int_eq(ga_cache_lookup(c, b, &f), 0);  /* exact genes only */
    /* many entries: growth keeps every one */
    double g[3];
    for (int i = 0; i < 5000; i++) {
        g[0] = i;
        g[1] = -i;
        g[2] = i * 0.1;
        ck_assert_int_eq(ga_cache_insert(c, g, i), 0);
    }
    ck_assert_uint_eq(ga_cache_size(c), 5001);
    for (int i = 0; i < 5000; i += 97) {
        g[0] = i;
        g[1] = -i;
        g[2] = i * 0.1;
        ck_assert_int_eq(ga_cache_lookup(c, g, &f), 1);
        ck_assert(f == i);
    }
    ga_cache_free(c);
}
END_TEST

/* ---- checkpoint numbers ---------------------------------------------- */

START_TEST(test_state_numbers)
{
    double v[] = { 0.1, -1e-310, 1.7976931348623157e308, 0, NAN, 3 };
    cJSON *a = ga_state_numbers(v, 6);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "v", a);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    o = cJSON_Parse(text);  /* through text, as a checkpoint goes */
    free(text);
    double back[6];
    ga_error err;
    ck_assert_int_eq(ga_state_read_numbers(o, "v", back, 6, &err), GA_OK);
    for (int i = 0; i < 6; i++)
        ck_assert(isnan(v[i]) ? isnan(back[i]) : back[i] == v[i]);
    /* the wrong count is an error naming the key */
    ck_assert_int_eq(ga_state_read_numbers(o, "v", back, 5, &err), GA_EINPUT);
    ck_assert_msg(strstr(err.msg, "v"), "%s", err.msg);
    cJSON_Delete(o);
    /* the generator's state round-trips: the same draws after */
    gsl_rng *r = ga_rng_alloc(7), *r2 = ga_rng_alloc(8);
    for (int i = 0; i < 100; i++)
        gsl_rng_get(r);
    o = cJSON_CreateObject();
    ga_state_save_rng(o, r);
    ck_assert_str_eq(cJSON_GetObjectItem(o, "rng_type")->valuestring,
                     "xoshiro256++");
    ck_assert_int_eq(ga_state_restore_rng(o, &r2, 0, &err), GA_OK);
    for (int i = 0; i < 10; i++)
        ck_assert_uint_eq(gsl_rng_get(r), gsl_rng_get(r2));
    /* a checkpoint version that only had mt19937 refuses anything else */
    ck_assert_int_eq(ga_state_restore_rng(o, &r2, 1, &err), GA_EINPUT);
    ck_assert_msg(strstr(err.msg, "mt19937"), "%s", err.msg);
    /* an all-zero state would draw zeros forever */
    cJSON_ReplaceItemInObject(o, "rng", cJSON_CreateString(
        "0000000000000000000000000000000000000000000000000000000000000000"));
    ck_assert_int_eq(ga_state_restore_rng(o, &r2, 0, &err), GA_EINPUT);
    ck_assert_msg(strstr(err.msg, "all zero"), "%s", err.msg);
    /* a generator it does not know is named */
    cJSON_ReplaceItemInObject(o, "rng_type", cJSON_CreateString("ranlux"));
    ck_assert_int_eq(ga_state_restore_rng(o, &r2, 0, &err), GA_EINPUT);
    ck_assert_msg(strstr(err.msg, "ranlux"), "%s", err.msg);
    cJSON_Delete(o);
    /* an older run's mt19937 state replaces the generator, and the run
     * goes on with mt19937's own draws */
    gsl_rng *mt = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(mt, 7);
    for (int i = 0; i < 100; i++)
        gsl_rng_get(mt);
    o = cJSON_CreateObject();
    ga_state_save_rng(o, mt);
    ck_assert_int_eq(ga_state_restore_rng(o, &r2, 1, &err), GA_OK);
    ck_assert_str_eq(gsl_rng_name(r2), "mt19937");
    for (int i = 0; i < 10; i++)
        ck_assert_uint_eq(gsl_rng_get(mt), gsl_rng_get(r2));
    cJSON_Delete(o);
    gsl_rng_free(mt);
    gsl_rng_free(r);
    gsl_rng_free(r2);
}
END_TEST

/* ---- exact number formatting ----------------------------------------- */

START_TEST(test_format_double)
{
    /* shortest text that reads back to the same double */
    struct { double v; const char *text; } cases[] = {
        { 0.1, "0.1" }, { 1.0 / 3, "0.3333333333333333" }, { 100, "100" },
        { 1e-7, "1e-07" }, { -2.5, "-2.5" }, { 0.30000000000000004,
          "0.30000000000000004" }, { 1e22, "1e+22" },
    };
    char buf[40];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ck_assert_int_eq(ga_format_double(cases[i].v, buf, sizeof buf), 0);
        ck_assert_str_eq(buf, cases[i].text);
    }
    /* every double of a random sample reads back exactly */
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    for (int i = 0; i < 20000; i++) {
        double v = (gsl_rng_uniform(r) - 0.5) * pow(10, (int)(gsl_rng_uniform(r) * 40) - 20);
        double back;
        ck_assert_int_eq(ga_format_double(v, buf, sizeof buf), 0);
        ck_assert_int_eq(ga_parse_double(buf, &back), 0);
        ck_assert_msg(back == v, "%.17g -> %s -> %.17g", v, buf, back);
    }
    gsl_rng_free(r);
    ck_assert_int_eq(ga_format_double(0.1, buf, 3), -1);  /* too small */
}
END_TEST

/* ---- atomic writes ----------------------------------------------------- */

START_TEST(test_atomic_write)
{
    char *dir = tu_tmpdir("atomic");
    char path[4200];
    snprintf(path, sizeof path, "%s/f.txt", dir);
    ga_error err;
    ck_assert_int_eq(ga_write_file_atomic(path, "one\n", 4, &err), GA_OK);
    ck_assert_int_eq(ga_write_file_atomic(path, "two two\n", 8, &err), GA_OK);
    char *t = tu_read(path);
    ck_assert_str_eq(t, "two two\n");
    free(t);
    /* no temporary file left beside it */
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", dir);
    char *n = tu_sh(cmd);
    ck_assert_int_eq(atoi(n), 1);
    free(n);
    /* a directory it cannot write: an error, the old file untouched */
    if (geteuid() != 0) {
        chmod(dir, 0500);
        ck_assert_int_ne(ga_write_file_atomic(path, "three\n", 6, &err), GA_OK);
        chmod(dir, 0700);
        t = tu_read(path);
        ck_assert_str_eq(t, "two two\n");
        free(t);
    }
    snprintf(path, sizeof path, "%s/missing/f.txt", dir);
    ck_assert_int_ne(ga_write_file_atomic(path, "x", 1, &err), GA_OK);
    ck_assert_msg(strstr(err.msg, "missing"), "%s", err.msg);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* ---- the evaluation log ---------------------------------------------- */

static const char *space_text =
    "[{\"name\":\"x\",\"type\":\"float\",\"lower\":-5,\"upper\":5},"
    " {\"name\":\"k\",\"type\":\"int\",\"lower\":1,\"upper\":4}]";

typedef struct seen {
    int lines, nulls;
    double fitness[8];
} seen;

static int collect(void *p, const cJSON *o)
{
    seen *s = p;
    if (!o) {
        s->nulls++;
        return 0;
    }
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(o, "fitness");
    s->fitness[s->lines++ % 8] = cJSON_IsNumber(f) ? f->valuedouble : NAN;
    return 0;
}

START_TEST(test_log)
{
    ga_error err;
    ga_space *sp = ga_space_parse(space_text, "test", &err);
    char *dir = tu_tmpdir("evallog");
    char path[4200];
    snprintf(path, sizeof path, "%s/evals.jsonl", dir);
    /* no log yet: nothing read, no error */
    seen s = { 0 };
    ck_assert_int_eq(ga_rundir_log_each(path, collect, &s), 0);
    ck_assert_int_eq(s.lines, 0);
    FILE *f = fopen(path, "w");
    double g1[] = { 0.5, 2 }, g2[] = { -1.25, 4 };
    ga_job j1 = { .generation = 0, .index = 0, .genes = g1 };
    ga_job j2 = { .generation = 0, .index = 1, .genes = g2 };
    ga_result ok = { .fitness = 1.5, .wall_time = NAN };
    ga_result bad = { .fitness = NAN, .wall_time = 2, .transient = 1 };
    snprintf(bad.reason, sizeof bad.reason, "timeout after 1 s");
    ck_assert_int_eq(ga_rundir_log_line(f, "r1", sp, &j1, &ok, 0), 0);
    ck_assert_int_eq(ga_rundir_log_line(f, "r1", sp, &j2, &bad, 0), 0);
    fclose(f);
    char *t = tu_read(path);
    ck_assert_str_eq(t,
        "{\"run\":\"r1\",\"gen\":0,\"ind\":0,\"params\":{\"x\":0.5,\"k\":2},"
        "\"fitness\":1.5}\n"
        "{\"run\":\"r1\",\"gen\":0,\"ind\":1,\"params\":{\"x\":-1.25,\"k\":4},"
        "\"fitness\":null,\"reason\":\"timeout after 1 s\",\"transient\":true,"
        "\"wall_time\":2}\n");
    free(t);
    /* a torn last line: the reader stops before it, and cutting it leaves
     * the whole lines */
    f = fopen(path, "a");
    fputs("{\"run\":\"r1\",\"gen\":0,\"ind\":2,\"par", f);
    fclose(f);
    ck_assert_int_eq(ga_rundir_log_each(path, collect, &s), 0);
    ck_assert_int_eq(s.lines, 2);
    ck_assert(s.fitness[0] == 1.5 && isnan(s.fitness[1]));
    ck_assert_int_eq(ga_rundir_cut_torn_line(path, &err), GA_OK);
    struct stat st;
    stat(path, &st);
    t = tu_read(path);
    ck_assert_uint_eq((size_t)st.st_size, strlen(t));
    ck_assert(t[strlen(t) - 1] == '\n');
    free(t);
    /* reading back: genes, the transient mark, the cache prefill */
    cJSON *line = cJSON_Parse("{\"params\":{\"x\":-1.25,\"k\":4},"
                              "\"fitness\":null,\"transient\":true}");
    double back[2];
    ck_assert_int_eq(ga_rundir_log_genes(sp, cJSON_GetObjectItem(line, "params"),
                                         back), 0);
    ck_assert(back[0] == -1.25 && back[1] == 4);
    ck_assert_int_eq(ga_rundir_log_transient(line), 1);
    ck_assert_int_eq(ga_rundir_log_differs(sp, back, g2), -1);
    ck_assert_int_eq(ga_rundir_log_differs(sp, back, g1), 0);
    cJSON_Delete(line);
    ga_cache *c = ga_cache_alloc(2);
    ck_assert_int_eq(ga_rundir_prefill_cache(path, sp, c), 0);
    double fit;
    ck_assert_uint_eq(ga_cache_size(c), 1);  /* the failure is not cached */
    ck_assert_int_eq(ga_cache_lookup(c, g1, &fit), 1);
    ck_assert(fit == 1.5);
    ga_cache_free(c);
    /* a line that is not JSON reaches fn as NULL */
    f = fopen(path, "a");
    fputs("not json\n", f);
    fclose(f);
    seen s2 = { 0 };
    ck_assert_int_eq(ga_rundir_log_each(path, collect, &s2), 0);
    ck_assert_int_eq(s2.lines, 2);
    ck_assert_int_eq(s2.nulls, 1);
    tu_rmrf(dir);
    free(dir);
    ga_space_free(sp);
}
END_TEST

/* ---- stats.csv and how a run begins ----------------------------------- */

START_TEST(test_stats_and_begin)
{
    char *dir = tu_tmpdir("rundir-files");
    ga_error err;
    ga_stats_row rows[] = { { 0, 10, 0, 1.5, 0.25, 0.1, 3 },
                            { 1, 5, 0, 1.0 / 3, 0, -2e-9, 1e21 } };
    ck_assert_int_eq(ga_rundir_write_stats(dir, rows, 2, &err), GA_OK);
    char path[4200];
    snprintf(path, sizeof path, "%s/stats.csv", dir);
    char *t = tu_read(path);
    ck_assert_str_eq(t, "gen,nevals,avg,std,min,max\n"
                        "0,10,1.5,0.25,0.1,3\n"
                        "1,5,0.3333333333333333,0,-2e-09,1e+21\n");
    free(t);
    /* begin: empty dir -> fresh; --resume without a checkpoint -> fresh */
    int resume = -1;
    ck_assert_int_eq(ga_rundir_begin(dir, "shown", 0, &resume, &err), GA_OK);
    ck_assert_int_eq(resume, 0);
    ck_assert_int_eq(ga_rundir_begin(dir, "shown", 1, &resume, &err), GA_OK);
    ck_assert_int_eq(resume, 0);
    /* evaluations without a checkpoint: refused either way */
    snprintf(path, sizeof path, "%s/evals.jsonl", dir);
    tu_write(path, "{}\n");
    ck_assert_int_eq(ga_rundir_begin(dir, "shown", 1, &resume, &err), GA_EINPUT);
    ck_assert_msg(strstr(err.msg, "checkpoint.json is missing"), "%s", err.msg);
    /* a checkpoint: resume with --resume, refused without */
    snprintf(path, sizeof path, "%s/checkpoint.json", dir);
    tu_write(path, "{}");
    ck_assert_int_eq(ga_rundir_begin(dir, "shown", 1, &resume, &err), GA_OK);
    ck_assert_int_eq(resume, 1);
    ck_assert_int_eq(ga_rundir_begin(dir, "shown", 0, &resume, &err), GA_EINPUT);
    ck_assert_str_eq(err.msg, "shown already holds a run (checkpoint.json); "
                     "continue it with --resume shown or choose another --out");
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* ---- run.json ---------------------------------------------------------- */

/* A config saved and loaded back is the same: strings, command, settings,
 * the executor object as given, the initial individuals as genes. A
 * directory without run.json says so. */
START_TEST(test_run_config)
{
    char *dir = tu_tmpdir("runjson");
    ga_error err;
    ga_space *sp = ga_space_parse(space_text, "test", &err);
    ga_run_config c = { 0 };
    snprintf(c.gahpo, sizeof c.gahpo, "9.9.9");
    snprintf(c.run_uid, sizeof c.run_uid, "abc123");
    c.dir = strdup(dir);
    c.space = cJSON_Parse(space_text);
    char *cmd[] = { strdup("/bin/model"), strdup("a b"), NULL };
    c.command = malloc(3 * sizeof *c.command);
    memcpy(c.command, cmd, sizeof cmd);
    c.ncommand = 2;
    ga_settings_defaults(&c.settings);
    c.settings.num_iter = 7;
    c.settings.seed = 42;
    c.executor = cJSON_Parse("{\"jobs\":3,\"type\":\"local\"}");
    double init[] = { 0.25, 2, -1.5, 4 };
    c.init = ga_run_config_init_json(sp, init, 2);
    ck_assert_int_eq(ga_run_config_save(dir, &c, &err), GA_OK);
    ga_run_config back;
    ck_assert_int_eq(ga_run_config_load(dir, &back, &err), GA_OK);
    ck_assert_str_eq(back.gahpo, "9.9.9");
    ck_assert_str_eq(back.run_uid, "abc123");
    ck_assert_str_eq(back.dir, dir);
    ck_assert_ptr_null(back.problem);
    ck_assert_uint_eq(back.ncommand, 2);
    ck_assert_str_eq(back.command[1], "a b");
    ck_assert_ptr_null(back.command[2]);
    ck_assert_int_eq(back.settings.num_iter, 7);
    ck_assert_uint_eq(back.settings.seed, 42);
    ck_assert(cJSON_Compare(back.executor, c.executor, 1));
    ck_assert(cJSON_Compare(back.space, c.space, 1));
    size_t n;
    double *genes = ga_run_config_init_genes(&back, sp, &n, &err);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(memcmp(genes, init, sizeof init), 0);
    free(genes);
    /* saved again unchanged: the same bytes */
    char path[4200];
    snprintf(path, sizeof path, "%s/run.json", dir);
    char *first = tu_read(path);
    ck_assert_int_eq(ga_run_config_save(dir, &back, &err), GA_OK);
    char *second = tu_read(path);
    ck_assert_str_eq(first, second);
    free(first);
    free(second);
    ga_run_config_free(&back);
    ga_run_config_free(&c);
    /* an initial individual without a parameter */
    tu_write(path, "{\"settings\":{},\"init_population\":[{\"x\":1}]}");
    ck_assert_int_eq(ga_run_config_load(dir, &back, &err), GA_OK);
    ck_assert_ptr_null(ga_run_config_init_genes(&back, sp, &n, &err));
    ck_assert_msg(strstr(err.msg, "initial individual 0 lacks 'k'"), "%s",
                  err.msg);
    ga_run_config_free(&back);
    /* bad settings, bad command, no run.json */
    tu_write(path, "{\"settings\":{\"population_size\":\"many\"}}");
    ck_assert_int_eq(ga_run_config_load(dir, &back, &err), GA_EINPUT);
    tu_write(path, "{\"command\":[1],\"settings\":{}}");
    ck_assert_int_eq(ga_run_config_load(dir, &back, &err), GA_EINPUT);
    ck_assert_msg(strstr(err.msg, "bad 'command'"), "%s", err.msg);
    unlink(path);
    ck_assert_int_eq(ga_run_config_load(dir, &back, &err), GA_EINPUT);
    ck_assert_msg(strstr(err.msg, "not a gahpo run directory"), "%s", err.msg);
    ga_space_free(sp);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* ---- a run directory too long for its files ---------------------------- */

/* base/aaa/aaa/...: nested directories (names of at most 200 bytes) to an
 * absolute path of exactly len bytes in out, made when make is set. */
static void long_dir(const char *base, size_t len, int make, char *out)
{
    size_t n = strlen(base);
    memcpy(out, base, n + 1);
    while (n < len) {
        size_t rest = len - n;  /* a slash and a name, or more of them */
        size_t part = rest <= 201 ? rest - 1 : rest - 201 < 2 ? 100 : 200;
        out[n++] = '/';
        memset(out + n, 'a', part);
        n += part;
        out[n] = '\0';
        if (make)
            ck_assert_int_eq(mkdir(out, 0700), 0);
    }
}

/* A name over PATH_MAX is never cut to one that fits: gahpo run refuses
 * an --out the system cannot take before making any of it, and a
 * directory whose own files' names are too long once its first file (the
 * lock) is made; both with exit 2 and a message that says so (the path
 * would fill a message to its end), nothing written but the lock. */
START_TEST(test_rundir_too_long)
{
    char *base = tu_tmpdir("longdir");
    ck_assert(base && strlen(base) < 2000);
    char dir[4400], want[128], cmd[256];
    char *out = NULL, *err = NULL;
    snprintf(want, sizeof want, "path too long (over %d bytes): %.40s",
             PATH_MAX - 1, base);

    long_dir(base, 4200, 0, dir);
    int rc = tu_run((char *[]){ (char *)tu_gahpo(), "run", "--problem",
                                "sphere:d2", "--out", dir, NULL },
                    NULL, NULL, &out, &err);
    ck_assert_msg(rc == 2 && strstr(err, want), "exit %d: %s", rc, err);
    snprintf(cmd, sizeof cmd, "find '%s' -mindepth 1", base);
    char *made = tu_sh(cmd);
    ck_assert_str_eq(made, "");  /* not one of its parents */
    free(made);
    free(out);
    free(err);

    /* dir/.gahpo.lock fits (PATH_MAX - 2 bytes), dir/run.json.tmp.PID not */
    long_dir(base, PATH_MAX - 14, 1, dir);
    rc = tu_run((char *[]){ (char *)tu_gahpo(), "run", "--problem",
                            "sphere:d2", "--out", dir, NULL },
                NULL, NULL, &out, &err);
    ck_assert_msg(rc == 2 && strstr(err, want), "exit %d: %s", rc, err);
    snprintf(cmd, sizeof cmd, "find '%s' -type f -printf '%%f\\n'", base);
    made = tu_sh(cmd);
    ck_assert_str_eq(made, ".gahpo.lock\n");  /* no run.json.tm, no run.j */
    free(made);
    char lock[PATH_MAX];
    ck_assert_int_lt(snprintf(lock, sizeof lock, "%s/.gahpo.lock", dir),
                     (int)sizeof lock);
    ck_assert_int_eq(access(lock, F_OK), 0);
    free(out);
    free(err);
    tu_rmrf(base);
    free(base);
}
END_TEST

Suite *files_suite(void)
{
    Suite *s = suite_create("files");
    TCase *tc = tcase_create("files");
    tcase_add_test(tc, test_cache);
    tcase_add_test(tc, test_state_numbers);
    tcase_add_test(tc, test_format_double);
    tcase_add_test(tc, test_atomic_write);
    tcase_add_test(tc, test_log);
    tcase_add_test(tc, test_stats_and_begin);
    tcase_add_test(tc, test_run_config);
    if (!tu_unit_only())  /* runs gahpo */
        tcase_add_test(tc, test_rundir_too_long);
    suite_add_tcase(s, tc);
    return s;
}
