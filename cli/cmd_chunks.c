/* cmd_chunks.c - a sweep on a cluster: chunk k of K (the runs with
 * run % K == k) is task k of one Slurm or PBS job array, and runs its share
 * with OpenMP on its node. No scheduler code of its own: the chunks are
 * exit-status jobs of the array executor (exec/exec.h), one command for
 * all, `gahpo sweep DIR/spec.json --out . --resume --chunk-of K`, each
 * told its k by GAHPO_JOB_INDEX; `gahpo _task`, retries, scancel/qdel on
 * signals and reattach after a crash are the executor's. A chunk is done
 * when it exits 0 having written its record, chunk.json (written here too,
 * for `gahpo sweep --chunk`). It keeps its own journal in its job
 * directory, so a retried chunk continues where it stopped; a finished
 * chunk is never submitted again. */
#include "cmd_chunks.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../ga/util.h"

#define CHUNK_RECORD "chunk.json"

/* Where the array executor runs chunk k: DIR/chunks/gen_0/ind_k, into
 * buf (GA_PATH_MAX); ga_path's status and message. */
static int chunk_dir(const char *dir, long k, char *buf, size_t size,
                     ga_error *err)
{
    return ga_path(buf, size, err, "%s/chunks/gen_0/ind_%ld", dir, k);
}

int gahpo_chunk_write_record(const char *dir, long k, long K, long runs,
                             ga_error *err)
{
    char path[GA_PATH_MAX];
    if (ga_path(path, sizeof path, err, "%s/%s", dir, CHUNK_RECORD))
        return err->status;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "chunk", (double)k);
    cJSON_AddNumberToObject(o, "chunks", (double)K);
    cJSON_AddNumberToObject(o, "runs", (double)runs);
    int rc = ga_write_json_atomic(path, o, err);
    cJSON_Delete(o);
    return rc;
}

/* 1 when chunk k of K has finished: its chunk.json says so (it is written
 * after the chunk's runs.csv, before the chunk exits 0). Records of the
 * version that ran chunks as a fake parameter also hold "val_loss": 0,
 * which is not read: such sweeps resume. */
static int chunk_finished(const char *cdir, long k, long K)
{
    char path[GA_PATH_MAX];  /* a name too long: not finished, as no record */
    if (ga_path(path, sizeof path, NULL, "%s/%s", cdir, CHUNK_RECORD))
        return 0;
    ga_error e;
    char *text = ga_read_file(path, NULL, &e);
    cJSON *o = text ? cJSON_Parse(text) : NULL;
    free(text);
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(o, "chunk");
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, "chunks");
    int done = cJSON_IsNumber(c) && c->valuedouble == (double)k &&
               cJSON_IsNumber(n) && n->valuedouble == (double)K;
    cJSON_Delete(o);
    return done;
}

int gahpo_chunk_from_env(const char *K_text, long *k, long *K, char *why,
                         size_t size)
{
    const char *index = getenv("GAHPO_JOB_INDEX");
    if (ga_parse_long(K_text, K) != 0 || *K < 1)
        snprintf(why, size, "--chunk-of K wants the number of chunks, an "
                 "integer >= 1, got '%.100s'", K_text);
    else if (!index || !*index)
        snprintf(why, size, "--chunk-of %ld reads the chunk's number from "
                 "GAHPO_JOB_INDEX, which is not set (the array executor sets "
                 "it; by hand, use --chunk k/K)", *K);
    else if (ga_parse_long(index, k) != 0 || *k < 0 || *k >= *K)
        snprintf(why, size, "--chunk-of %ld: GAHPO_JOB_INDEX is '%.100s', not "
                 "a chunk in 0..%ld", *K, index, *K - 1);
    else
        return 0;
    return -1;
}

/* The directory holds no other sweep (or, resuming, this one with the same
 * chunking and scheduler); then DIR/chunks/chunks.json records both. */
static int check_dir(const gahpo_chunks_opts *o, const char *sched,
                     ga_error *err)
{
    char runs[GA_PATH_MAX], journal[GA_PATH_MAX], record[GA_PATH_MAX];
    char spec[GA_PATH_MAX], chunks[GA_PATH_MAX];
    if (ga_path(runs, sizeof runs, err, "%s/runs.csv", o->dir) ||
        ga_path(journal, sizeof journal, err, "%s/runs.journal", o->dir) ||
        ga_path(record, sizeof record, err, "%s/chunks/chunks.json",
                o->dir) ||
        ga_path(spec, sizeof spec, err, "%s/spec.json", o->dir) ||
        ga_path(chunks, sizeof chunks, err, "%s/chunks", o->dir))
        return err->status;
    int have_record = access(record, F_OK) == 0;
    if (!o->resume && (have_record || access(runs, F_OK) == 0 ||
                       access(journal, F_OK) == 0))
        return ga_error_set(err, GA_EINPUT, "%s already holds a sweep; continue "
                            "it with --resume or choose another --out", o->dir);
    if (o->resume && !have_record && access(journal, F_OK) == 0)
        return ga_error_set(err, GA_EINPUT, "%s holds a sweep run on one "
                            "machine (runs.journal): resume it without "
                            "--executor and --chunks", o->dir);
    ga_error e;
    char *old = o->resume ? ga_read_file(spec, NULL, &e) : NULL;
    int differs = old && strcmp(old, o->spec->text) != 0;
    free(old);
    if (differs)
        return ga_error_set(err, GA_EINPUT, "%s/spec.json differs from this "
                            "spec: resume with the spec the sweep started "
                            "with", o->dir);
    char *text = have_record ? ga_read_file(record, NULL, &e) : NULL;
    cJSON *r = text ? cJSON_Parse(text) : NULL;
    free(text);
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(r, "chunks");
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(r, "scheduler");
    int rc = GA_OK;
    if (have_record && (!cJSON_IsNumber(n) || !cJSON_IsString(s)))
        rc = ga_error_set(err, GA_EINPUT, "%s: not a chunk record", record);
    else if (have_record && n->valuedouble != (double)o->chunks)
        rc = ga_error_set(err, GA_EINPUT, "this sweep was started with --chunks "
                          "%.0f: resume it with the same number", n->valuedouble);
    else if (have_record && strcmp(s->valuestring, sched) != 0)
        rc = ga_error_set(err, GA_EINPUT, "this sweep was started with "
                          "--executor %.20s: resume it with the same executor "
                          "(its jobs are that scheduler's)", s->valuestring);
    cJSON_Delete(r);
    if (rc)
        return rc;
    if (ga_mkdirs(chunks, err))
        return err->status;
    cJSON *rec = cJSON_CreateObject();
    cJSON_AddNumberToObject(rec, "chunks", (double)o->chunks);
    cJSON_AddStringToObject(rec, "scheduler", sched);
    rc = ga_write_json_atomic(record, rec, err);
    cJSON_Delete(rec);
    return rc;
}

/* The last non-empty line of a chunk's stderr.txt (its own error), or "". */
static void last_words(const char *cdir, char *buf, size_t size)
{
    char path[GA_PATH_MAX];  /* a name too long: nothing, as no file */
    buf[0] = '\0';
    if (ga_path(path, sizeof path, NULL, "%s/stderr.txt", cdir))
        return;
    ga_error e;
    char *text = ga_read_file(path, NULL, &e);
    if (!text)
        return;
    size_t n = strlen(text);
    while (n && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' '))
        text[--n] = '\0';
    char *start = strrchr(text, '\n');
    snprintf(buf, size, "%s", start ? start + 1 : text);
    free(text);
}

typedef struct chunk_watch {
    const ga_job *jobs;
    const char *dir;             /* the sweep's */
    int *finished;               /* per job: exited 0 with its record */
    char (*reason)[512];
    size_t done, n;
    long K;
    int quiet;
} chunk_watch;

/* A chunk's job ended: done when it succeeded (exit status 0) and its
 * record says so. */
static void on_chunk(void *ctx, size_t j, const ga_result *r)
{
    chunk_watch *w = ctx;
    long k = (long)w->jobs[j].index;
    char cdir[GA_PATH_MAX];  /* fits: gahpo_sweep_in_chunks built it first */
    int ok = isfinite(r->fitness);  /* an exit-status job: exit 0 */
    w->finished[j] = ok && chunk_dir(w->dir, k, cdir, sizeof cdir, NULL) ==
                     GA_OK && chunk_finished(cdir, k, w->K);
    if (ok && !w->finished[j])
        snprintf(w->reason[j], sizeof w->reason[j], "exit status 0 but no "
                 "%s of chunk %ld/%ld (job %.63s)", CHUNK_RECORD, k, w->K,
                 r->job_id);
    else
        snprintf(w->reason[j], sizeof w->reason[j], "%s", r->reason);
    w->done++;
    if (w->quiet)
        return;
    if (w->finished[j])
        fprintf(stderr, "gahpo: chunk %zu/%ld finished (job %s); %zu of %zu "
                "ended\n", w->jobs[j].index, w->K, r->job_id, w->done, w->n);
    else
        fprintf(stderr, "gahpo: chunk %zu/%ld failed: %s\n", w->jobs[j].index,
                w->K, w->reason[j]);
}

/* Submit, watch and collect the chunks in jobs[0..n). */
static int run_chunks(const gahpo_chunks_opts *o, const ga_job *jobs, size_t n,
                      ga_error *err)
{
    char self[PATH_MAX], spec[GA_PATH_MAX], run_dir[GA_PATH_MAX];
    char threads[32], K[32];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0)
        return ga_error_set(err, GA_EFAIL, "cannot find the gahpo binary "
                            "(/proc/self/exe)");
    self[len] = '\0';
    if (ga_path(spec, sizeof spec, err, "%s/spec.json", o->dir) ||
        ga_path(run_dir, sizeof run_dir, err, "%s/chunks", o->dir))
        return err->status;
    snprintf(threads, sizeof threads, "%ld", o->threads);
    snprintf(K, sizeof K, "%ld", o->chunks);
    /* one command for every chunk, its output its job directory (--out .),
     * its k from GAHPO_JOB_INDEX */
    char *argv[] = { self, "sweep", spec, "--out", ".", "--resume",
                     "--chunk-of", K, "--threads", threads, NULL };
    size_t argc = o->threads > 0 ? 10 : 8;
    const ga_space no_params = { 0 };
    /* exit-status jobs on the sweep's scheduler (result_file NULL) */
    ga_exec_spec spec_ex = {
        .argv = argv, .argc = argc, .run_dir = run_dir, .jobs = o->chunks,
        .timeout = o->timeout, .param_flags = 0, .result_file = NULL,
        .sched = o->sched };
    ga_executor *ex = ga_exec_alloc(&spec_ex, err);
    chunk_watch w = { jobs, o->dir, calloc(n, sizeof *w.finished),
                      calloc(n, sizeof *w.reason), 0, n, o->chunks, o->quiet };
    int rc = GA_OK;
    if (!ex)
        rc = err->status;
    else if (!w.finished || !w.reason)
        rc = ga_error_set(err, GA_EFAIL, "out of memory");
    else
        rc = ga_executor_run(ex, &no_params, jobs, n, on_chunk, &w, o->cancel,
                             err);
    /* every failed chunk, with its reason and its own last words */
    size_t failed = 0, used = 0;
    char msg[sizeof err->msg];
    msg[0] = '\0';
    for (size_t j = 0; rc == GA_OK && j < n; j++) {
        if (w.finished[j])
            continue;
        char cdir[GA_PATH_MAX], words[400];
        if ((rc = chunk_dir(o->dir, (long)jobs[j].index, cdir, sizeof cdir,
                            err)))
            break;
        last_words(cdir, words, sizeof words);
        if (used < sizeof msg)
            used += (size_t)snprintf(msg + used, sizeof msg - used, "%schunk "
                                     "%zu/%ld failed: %.500s%s%.300s%s in "
                                     "%s", failed ? "; " : "", jobs[j].index,
                                     o->chunks, w.reason[j],
                                     words[0] ? " [its stderr: " : "", words,
                                     words[0] ? "]" : "", cdir);
        failed++;
    }
    if (failed && rc == GA_OK)
        rc = ga_error_set(err, GA_EFAIL, "%.1800s; the finished chunks are "
                          "kept: continue with --resume", msg);
    free(w.finished);
    free(w.reason);
    ga_executor_free(ex);
    return rc;
}

int gahpo_sweep_in_chunks(const gahpo_chunks_opts *o, ga_error *err)
{
    const char *sched = (o->sched->kind == GA_SCHED_PBS) ? "pbs" : "slurm";
    int rc = check_dir(o, sched, err);
    if (rc == GA_OK)
        rc = sweep_write_design(o->spec, o->points, o->npoints, o->dir, err);
    if (rc)
        return rc;
    long K = o->chunks;
    ga_job *jobs = calloc((size_t)K, sizeof *jobs);
    char **dirs = calloc((size_t)K, sizeof *dirs);
    if (!jobs || !dirs) {
        rc = ga_error_set(err, GA_EFAIL, "out of memory");
        goto out;
    }
    size_t n = 0;
    for (long k = 0; k < K; k++) {
        char cdir[GA_PATH_MAX], status[GA_PATH_MAX];
        if ((rc = chunk_dir(o->dir, k, cdir, sizeof cdir, err)) ||
            (rc = ga_path(status, sizeof status, err, "%s/status.json", cdir)))
            goto out;
        if (!(dirs[k] = ga_strdup(cdir))) {
            rc = ga_error_set(err, GA_EFAIL, "out of memory");
            goto out;
        }
        /* status first: a task writes it after its chunk.json, so a status
         * without chunk.json is an attempt that failed or was stopped; the
         * executor would collect it as this attempt's result (a reattach),
         * so it goes */
        int ended = access(status, F_OK) == 0;
        if (chunk_finished(cdir, k, K))
            continue;
        if (ended)
            unlink(status);
        /* an exit-status job: no genes, its index the chunk's number */
        jobs[n++] = (ga_job){ .generation = 0, .index = (size_t)k,
                              .genes = NULL };
    }
    if (!o->quiet) {
        fprintf(stderr, "gahpo: %ld chunks of about %ld runs as one %s job "
                "array in %s/chunks", K,
                (long)o->npoints * (long)o->spec->nproblems *
                    o->spec->replicates / K, (o->sched->kind == GA_SCHED_PBS) ? "PBS" : "Slurm",
                o->dir);
        if (n < (size_t)K)
            fprintf(stderr, "; %ld already finished", K - (long)n);
        fprintf(stderr, "\n");
    }
    if (n > 0 && (rc = run_chunks(o, jobs, n, err)))
        goto out;
    rc = sweep_merge_chunks(o->spec, o->npoints, o->dir, K, dirs, err);
out:
    for (long k = 0; dirs && k < K; k++)
        free(dirs[k]);
    free(dirs);
    free(jobs);
    return rc;
}
