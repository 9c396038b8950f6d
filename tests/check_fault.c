/* check_fault.c - fault injection along a run, as SQLite tests it (issue
 * 10): the fault build of gahpo (make fault-build; tests/fault/fault.c)
 * fails its n-th allocation or its n-th file write, for n along a short
 * run and along a resume of an interrupted one. Each must end with exit 0
 * or 1 and, when not 0, a message naming the cause (never a signal, a
 * sanitizer report or exit 2, which blames the user's input); the normal
 * binary then finishes the run, which must be the uninterrupted run.
 *
 * Which n: every n under make fault (GAHPO_FAULT_STRIDE=1); under make
 * test about GAHPO_FAULT_TRIES (default 25) n per run and kind, n = 1,
 * 1 + s, 1 + 2s, ... with s = count / tries rounded up to a prime >= 5 (so
 * the four steps of an atomic write, create-write-sync-rename, are each
 * hit). Every n is split into GAHPO_FAULT_PARTS tests (8 under make fault,
 * so that none runs for more than a few minutes; Check cannot report a
 * test's time beyond 35 minutes). Without the fault build, and in quick
 * mode (make unit, make asan), the suite says SKIPPED. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "suites.h"
#include "testutil.h"

#define G (char *)tu_gahpo()

enum { ALLOC, WRITE };

/* The three short runs, each fresh and resumed, each with allocations and
 * writes failing: test number i is run i / 4, resumed (i / 2) % 2, kind
 * i % 2. */
static const char *const runs[] = { "generational", "async", "local model" };
#define NTESTS 12

static char fault_bin[4200];

static int fault_built(void)
{
    const char *b = getenv("GAHPO_FAULT_BIN");
    snprintf(fault_bin, sizeof fault_bin, "%s", b && *b ? b : "");
    if (!fault_bin[0])
        snprintf(fault_bin, sizeof fault_bin, "%s/build/fault/bin/gahpo",
                 tu_root());
    return access(fault_bin, X_OK) == 0;
}

/* The command line of run r into out (argv, NULL-terminated). */
static void run_argv(int r, const char *out, const char *space, char **argv)
{
    static char model[4200];
    snprintf(model, sizeof model, "%s/tests/models/model.py", tu_root());
    int k = 0;
    argv[k++] = G;
    argv[k++] = "run";
    argv[k++] = "--no-env";
    if (r == 2) {
        argv[k++] = "--space";
        argv[k++] = (char *)space;
        argv[k++] = "--population-size";
        argv[k++] = "4";
        argv[k++] = "--num-iter";
        argv[k++] = "2";
    } else {
        argv[k++] = "--problem";
        argv[k++] = "sphere:d2";
        argv[k++] = "--population-size";
        argv[k++] = "6";
        argv[k++] = "--num-iter";
        argv[k++] = "3";
    }
    if (r >= 1) {
        argv[k++] = "--jobs";
        argv[k++] = "2";
    }
    if (r == 1) {
        argv[k++] = "--strategy";
        argv[k++] = "async";
    }
    argv[k++] = "--seed";
    argv[k++] = "5";
    argv[k++] = "--out";
    argv[k++] = (char *)out;
    argv[k++] = "--quiet";
    if (r == 2) {
        argv[k++] = "--";
        argv[k++] = model;
        argv[k++] = "ok";
    }
    argv[k] = NULL;
}

/* Run argv with the fault build (when faulty) and the extra environment;
 * returns the exit status, stderr in *err (caller frees). */
static int run(char **argv, int faulty, char *const env[], char **err)
{
    char *bin = argv[0];
    if (faulty)
        argv[0] = fault_bin;
    char *out;
    int rc = tu_run(argv, NULL, env, &out, err);
    argv[0] = bin;
    free(out);
    return rc;
}

static int copy_dir(const char *from, const char *to)
{
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && cp -a '%s' '%s' && echo ok", to,
             from, to);
    char *out = tu_sh(cmd);
    int ok = strncmp(out, "ok", 2) == 0;
    free(out);
    return ok;
}

/* The counts GAHPO_FAULT_COUNT wrote into path: allocations and writes
 * into *allocs and *writes; returns how many faults fired. */
static long read_counts(const char *path, long *allocs, long *writes)
{
    char *text = tu_read(path);
    long fired = -1;
    ck_assert_msg(text && sscanf(text, "allocs %ld writes %ld fired %ld",
                                 allocs, writes, &fired) == 3,
                  "no counts in %s", path);
    free(text);
    return fired;
}

/* How many allocations and writes the fault build makes for argv. */
static void count(char **argv, const char *tmp, long *allocs, long *writes)
{
    char path[4300], assign[4400];
    snprintf(path, sizeof path, "%s/counts", tmp);
    snprintf(assign, sizeof assign, "GAHPO_FAULT_COUNT=%s", path);
    char *env[] = { assign, "ASAN_OPTIONS=detect_leaks=0", NULL };
    char *err;
    int rc = run(argv, 1, env, &err);
    ck_assert_msg(rc == 0, "the fault build without a fault failed (%d): %s",
                  rc, err);
    free(err);
    ck_assert_int_eq(read_counts(path, allocs, writes), 0);  /* none fired */
}

static long stride_for(long n)
{
    const char *s = getenv("GAHPO_FAULT_STRIDE");
    if (s && atol(s) > 0)
        return atol(s);
    const char *t = getenv("GAHPO_FAULT_TRIES");
    long tries = t && atol(t) > 0 ? atol(t) : 25;
    if (n / tries <= 1)
        return 1;
    for (long p = n / tries > 5 ? n / tries : 5;; p++) {  /* a prime */
        long d = 2;
        while (d * d <= p && p % d)
            d++;
        if (d * d > p)
            return p;
    }
}

/* The outcome of a run with the n-th call failing: exit 0 or 1, no
 * sanitizer report, and a message that names the cause. */
static void check_outcome(const char *what, long n, int rc, const char *err,
                          int kind)
{
    ck_assert_msg(!strstr(err, "Sanitizer") && !strstr(err, "runtime error"),
                  "%s, n = %ld: a sanitizer report:\n%s", what, n, err);
    ck_assert_msg(rc == 0 || rc == 1, "%s, n = %ld: exit %d (%s):\n%s", what,
                  n, rc, rc > 128 ? "a signal" : rc == 2 ? "bad input, but "
                  "the input is fine" : "?", err);
    if (rc == 0)
        return;
    const char *cause = kind == ALLOC ? "out of memory"
                                      : "No space left on device";
    ck_assert_msg(strstr(err, "gahpo: ") && (strstr(err, cause) ||
                  (kind == ALLOC && strstr(err, "Cannot allocate memory"))),
                  "%s, n = %ld: exit %d without saying '%s':\n%s", what, n,
                  rc, cause, err);
}

/* Finish the run in dir with the normal binary: resume it, or start it
 * again when it never wrote run.json; then it must be the reference run. */
static void finish_and_compare(const char *what, long n, char **argv,
                               const char *dir, const char *ref)
{
    char run_json[4300];
    snprintf(run_json, sizeof run_json, "%s/run.json", dir);
    char *resume[] = { G, "run", "--resume", (char *)dir, "--quiet", NULL };
    char *err;
    int rc = run(access(run_json, F_OK) == 0 ? resume : argv, 0, NULL, &err);
    ck_assert_msg(rc == 0, "%s, n = %ld: finishing the run failed (%d):\n%s",
                  what, n, rc, err);
    free(err);
    const char *files[] = { "stats.csv", "best.json", "population.json" };
    for (int i = 0; i < 3; i++) {
        char a[4300], b[4300];
        snprintf(a, sizeof a, "%s/%s", ref, files[i]);
        snprintf(b, sizeof b, "%s/%s", dir, files[i]);
        char *x = tu_read(a), *y = tu_read(b);
        ck_assert_msg(x && y && strcmp(x, y) == 0, "%s, n = %ld: %s is not "
                      "the uninterrupted run's", what, n, files[i]);
        free(x);
        free(y);
    }
    char a[4300], b[4300];
    snprintf(a, sizeof a, "%s/evals.jsonl", ref);
    snprintf(b, sizeof b, "%s/evals.jsonl", dir);
    ck_assert_msg(tu_count_lines(a) == tu_count_lines(b), "%s, n = %ld: %d "
                  "evaluations logged, the uninterrupted run logged %d", what,
                  n, tu_count_lines(b), tu_count_lines(a));
    tu_assert_same_run(ref, dir);
}

/* Tests per run and kind, each trying every parts-th of its n. */
static long parts(void)
{
    const char *p = getenv("GAHPO_FAULT_PARTS");
    const char *s = getenv("GAHPO_FAULT_STRIDE");
    if (p && atol(p) > 0)
        return atol(p);
    return s && atol(s) == 1 ? 8 : 1;
}

START_TEST(test_fault)
{
    long nparts = parts(), part = _i % nparts, t = _i / nparts;
    int r = (int)(t / 4), resumed = (t / 2) % 2, kind = t % 2;
    char what[200];
    snprintf(what, sizeof what, "%s%s, failing %s", runs[r],
             resumed ? " resumed" : "", kind == ALLOC ? "allocations"
                                                      : "writes");
    char *tmp = tu_tmpdir("fault");
    char ref[4300], got[4300], base[4300], space[4300];
    snprintf(ref, sizeof ref, "%s/ref", tmp);
    snprintf(got, sizeof got, "%s/got", tmp);
    snprintf(base, sizeof base, "%s/base", tmp);
    snprintf(space, sizeof space, "%s/hp.json", tmp);
    tu_write(space, "[{\"name\":\"x\",\"type\":\"float\",\"lower\":-2,"
                    "\"upper\":2}, {\"name\":\"n\",\"type\":\"int\",\"lower\":"
                    "1,\"upper\":5}]");
    char *argv[32], *err;
    run_argv(r, ref, space, argv);
    ck_assert_int_eq(run(argv, 0, NULL, &err), 0);
    free(err);
    run_argv(r, got, space, argv);
    long allocs, writes;
    count(argv, tmp, &allocs, &writes);
    char *resume[] = { G, "run", "--resume", got, "--quiet", NULL };
    if (resumed) {
        /* an interrupted run: a full disk two thirds of the way */
        run_argv(r, base, space, argv);
        int found = 0;
        for (long w = writes * 2 / 3; w > 0 && !found; w--) {
            char assign[64];
            snprintf(assign, sizeof assign, "GAHPO_FAULT_WRITE=%ld", w);
            char *env[] = { assign, "ASAN_OPTIONS=detect_leaks=0", NULL };
            tu_rmrf(base);
            int rc = run(argv, 1, env, &err);
            free(err);
            char ckpt[4400];
            snprintf(ckpt, sizeof ckpt, "%s/checkpoint.json", base);
            found = rc == 1 && access(ckpt, F_OK) == 0;
        }
        ck_assert_msg(found, "%s: no interrupted run to resume", what);
        ck_assert(copy_dir(base, got));
        count(resume, tmp, &allocs, &writes);
    }
    long total = kind == ALLOC ? allocs : writes, step = stride_for(total);
    fprintf(stderr, "fault: %s: n = 1..%ld every %ld", what, total, step);
    if (nparts > 1)
        fprintf(stderr, " (part %ld of %ld)", part + 1, nparts);
    fprintf(stderr, "\n");
    run_argv(r, got, space, argv);
    for (long n = 1 + part * step; n <= total; n += nparts * step) {
        if (resumed)
            ck_assert(copy_dir(base, got));
        else
            tu_rmrf(got);
        char assign[64];
        snprintf(assign, sizeof assign, "GAHPO_FAULT_%s=%ld",
                 kind == ALLOC ? "ALLOC" : "WRITE", n);
        /* leaks on the way out of a failed allocation are not counted:
         * cJSON's Add functions leave an item to its caller when the copy
         * of its key fails, at a hundred call sites, and the process ends */
        char *env[] = { assign, "ASAN_OPTIONS=detect_leaks=0:exitcode=86",
                        "UBSAN_OPTIONS=exitcode=86", NULL };
        int rc = run(resumed ? resume : argv, 1, env, &err);
        check_outcome(what, n, rc, err, kind);
        free(err);
        finish_and_compare(what, n, argv, got, ref);
    }
    tu_rmrf(tmp);
    free(tmp);
}
END_TEST

/* The CSV reader of an initial population (--init-population) with each
 * of its allocations failing in turn, every n: a file of 25 rows and 3
 * columns grows the cell table in the middle of a row, where a failure
 * once leaked the row's cells. Each run ends with exit 1 (out of memory)
 * or 2 (the file has more rows than population_size: read whole), with
 * leak detection on and no sanitizer report. */
START_TEST(test_fault_csv_reader)
{
    char *tmp = tu_tmpdir("fault-csv");
    char space[4300], init[4300], out[4300], path[4300], assign[4400];
    snprintf(space, sizeof space, "%s/hp.json", tmp);
    snprintf(init, sizeof init, "%s/init.csv", tmp);
    snprintf(out, sizeof out, "%s/run", tmp);
    tu_write(space, "[{\"name\":\"x\",\"type\":\"float\",\"lower\":-2,"
                    "\"upper\":2}, {\"name\":\"n\",\"type\":\"int\","
                    "\"lower\":1,\"upper\":5}]");
    char csv[2048] = "x,n,note\n";
    for (int i = 1; i <= 25; i++)
        snprintf(csv + strlen(csv), sizeof csv - strlen(csv), "0.5,%d,r%d\n",
                 i % 5 + 1, i);
    tu_write(init, csv);
    /* --no-tuned-defaults: the parse of sweeps/tuned_defaults.json (about
     * 1,800 allocations, each a run here) is not what this tests, and the
     * strided test_fault covers it */
    char *argv[] = { G, "run", "--no-env", "--no-tuned-defaults", "--space",
                     space, "--init-population", init, "--population-size",
                     "4", "--out", out, "--quiet", "--", "true", NULL };
    snprintf(path, sizeof path, "%s/counts", tmp);
    snprintf(assign, sizeof assign, "GAHPO_FAULT_COUNT=%s", path);
    char *count_env[] = { assign, NULL };
    char *err;
    ck_assert_int_eq(run(argv, 1, count_env, &err), 2);
    ck_assert_msg(strstr(err, "has 25 individuals"), "%s", err);
    free(err);
    long allocs = 0, writes;
    read_counts(path, &allocs, &writes);
    for (long n = 1; n <= allocs; n++) {
        snprintf(assign, sizeof assign, "GAHPO_FAULT_ALLOC=%ld", n);
        char *env[] = { assign, NULL };
        int rc = run(argv, 1, env, &err);
        ck_assert_msg(!strstr(err, "Sanitizer") && !strstr(err, "runtime error"),
                      "n = %ld: a sanitizer report:\n%s", n, err);
        ck_assert_msg(rc == 1 || rc == 2, "n = %ld: exit %d:\n%s", n, rc, err);
        free(err);
    }
    tu_rmrf(tmp);
    free(tmp);
}
END_TEST

/* run.json is written whole or not at all: a model run of one generation
 * (the model `true`, which writes no result) with each of its allocations
 * failing in turn, every n until run.json is behind it; wherever a
 * run.json was written, it holds the
 * space, the command, the settings and the executor, so --resume can
 * rebuild the run. (A builder nested in another once cleared the
 * out-of-memory flag, and run.json went out without its space.) */
START_TEST(test_fault_run_json_whole)
{
    char *tmp = tu_tmpdir("fault-runjson");
    char space[4300], out[4300], path[4300], assign[4400];
    snprintf(space, sizeof space, "%s/hp.json", tmp);
    snprintf(out, sizeof out, "%s/run", tmp);
    snprintf(path, sizeof path, "%s/counts", tmp);
    tu_write(space, "[{\"name\":\"x\",\"type\":\"float\",\"lower\":-2,"
                    "\"upper\":2}, {\"name\":\"n\",\"type\":\"int\","
                    "\"lower\":1,\"upper\":5}]");
    /* --no-tuned-defaults: as in test_fault_csv_reader */
    char *argv[] = { G, "run", "--no-env", "--no-tuned-defaults", "--space",
                     space, "--population-size", "4", "--num-iter", "1",
                     "--seed", "5", "--out", out, "--quiet", "--", "true",
                     NULL };
    snprintf(assign, sizeof assign, "GAHPO_FAULT_COUNT=%s", path);
    char *count_env[] = { assign, "ASAN_OPTIONS=detect_leaks=0", NULL };
    char *err;
    run(argv, 1, count_env, &err);  /* the model fails: exit 0 or 1 */
    free(err);
    long allocs = 0, writes;
    read_counts(path, &allocs, &writes);
    char runjson[4400];
    snprintf(runjson, sizeof runjson, "%s/run.json", out);
    /* allocations after run.json is written cannot change it: the scan
     * ends once 20 runs in a row wrote it whole */
    long written = 0, streak = 0;
    for (long n = 1; n <= allocs && streak < 20; n++) {
        tu_rmrf(out);
        snprintf(assign, sizeof assign, "GAHPO_FAULT_ALLOC=%ld", n);
        char *env[] = { assign, "ASAN_OPTIONS=detect_leaks=0", NULL };
        int rc = run(argv, 1, env, &err);
        ck_assert_msg(!strstr(err, "Sanitizer") && !strstr(err, "runtime error"),
                      "n = %ld: a sanitizer report:\n%s", n, err);
        free(err);
        ck_assert_msg(rc == 0 || rc == 1, "n = %ld: exit %d", n, rc);
        char *j = tu_read(runjson);
        if (!j) {
            streak = 0;
            continue;
        }
        written++;
        streak++;
        ck_assert_msg(strstr(j, "\"space\"") && strstr(j, "\"command\"") &&
                      strstr(j, "\"settings\"") && strstr(j, "\"executor\"") &&
                      strstr(j, "\"num_iter\""),
                      "n = %ld: run.json is not whole:\n%s", n, j);
        free(j);
    }
    ck_assert_int_gt(written, 0);
    tu_rmrf(tmp);
    free(tmp);
}
END_TEST

START_TEST(test_fault_skipped)
{
    if (tu_quick())
        fprintf(stderr, "SKIPPED: fault injection: quick mode (make fault "
                "runs it)\n");
    else
        fprintf(stderr, "SKIPPED: fault injection: %s is not built (make "
                "fault-build)\n", fault_bin);
}
END_TEST

Suite *fault_suite(void)
{
    Suite *s = suite_create("fault");
    TCase *tc = tcase_create("fault");
    const char *every = getenv("GAHPO_FAULT_STRIDE");
    tcase_set_timeout(tc, every && atol(every) == 1 ? 3600 : 600);
    if (fault_built() && !tu_quick()) {
        tcase_add_loop_test(tc, test_fault, 0, (int)(NTESTS * parts()));
        tcase_add_test(tc, test_fault_csv_reader);
        tcase_add_test(tc, test_fault_run_json_whole);
    }
    else
        tcase_add_test(tc, test_fault_skipped);
    suite_add_tcase(s, tc);
    return s;
}
