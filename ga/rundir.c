/* rundir.c - the files of a run directory (rundir.h): one driver per
 * directory (an fcntl lock), the run's identity that a checkpoint carries
 * so a resume refuses what is not the run's own, the checkpoint, the
 * evaluation log, stats.csv and the JSON of individuals. */
#include "rundir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "strbuf.h"
#include "util.h"

int ga_rundir_lock(const char *dir, ga_error *err)
{
    /* at most PATH_MAX: a longer name the OS refuses, in a message the
     * path would fill to its end */
    char path[PATH_MAX];
    if (ga_path(path, sizeof path, err, "%s/%s", dir, GA_RUNDIR_LOCK_NAME))
        return -1;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) {
        ga_error_set(err, errno == ENOENT || errno == ENOTDIR ? GA_EINPUT
                     : GA_EFAIL, "%s: cannot open the run's lock file: %s",
                     path, strerror(errno));
        return -1;
    }
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    if (fcntl(fd, F_SETLK, &fl) != 0) {
        int busy = errno == EACCES || errno == EAGAIN;
        char holder[256] = "";
        if (busy) {
            ssize_t n = pread(fd, holder, sizeof holder - 1, 0);
            holder[n > 0 ? n : 0] = '\0';
            holder[strcspn(holder, "\n")] = '\0';
        }
        close(fd);
        if (busy)
            ga_error_set(err, GA_EINPUT, "%s is in use by another gahpo "
                         "driver (%s); wait for it to end, or stop it and "
                         "then resume", dir, holder[0] ? holder
                         : "its pid is not recorded");
        else
            ga_error_set(err, GA_EFAIL, "%s: cannot lock: %s (the file "
                         "system must support POSIX locks)", path,
                         strerror(errno));
        return -1;
    }
    char host[128] = "?", line[256];
    gethostname(host, sizeof host - 1);
    host[sizeof host - 1] = '\0';
    int len = snprintf(line, sizeof line, "pid %ld on %s\n", (long)getpid(),
                       host);
    if (ftruncate(fd, 0) != 0 || pwrite(fd, line, (size_t)len, 0) != len) {
        /* the lock holds without its note; say so rather than fail */
    }
    return fd;
}

void ga_rundir_unlock(int fd)
{
    if (fd >= 0)
        close(fd);
}

int ga_rundir_remove_stale_temp(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int removed = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *t = strstr(e->d_name, ".tmp.");
        if (!t || t == e->d_name || !t[5])
            continue;
        const char *c = t + 5;
        while (*c >= '0' && *c <= '9')
            c++;
        if (*c)  /* not NAME.tmp.DIGITS */
            continue;
        char path[GA_PATH_MAX];  /* a name too long: left, as unlink would */
        if (ga_path(path, sizeof path, NULL, "%s/%s", dir, e->d_name) == GA_OK)
            removed += unlink(path) == 0;
    }
    closedir(d);
    return removed;
}

void ga_rundir_new_uid(char *out, size_t size)
{
    unsigned char raw[16] = { 0 };
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    ssize_t got = fd >= 0 ? read(fd, raw, sizeof raw) : -1;
    if (fd >= 0)
        close(fd);
    if (got != (ssize_t)sizeof raw) {
        /* no kernel randomness: time and pid still tell runs apart */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        unsigned long long a = (unsigned long long)ts.tv_sec,
                           b = (unsigned long long)ts.tv_nsec ^
                               ((unsigned long long)getpid() << 32);
        memcpy(raw, &a, 8);
        memcpy(raw + 8, &b, 8);
    }
    size_t k = 0;
    for (size_t i = 0; i < sizeof raw && k + 2 < size; i++, k += 2)
        snprintf(out + k, 3, "%02x", raw[i]);
    if (size)
        out[k < size ? k : size - 1] = '\0';
}

/* One parameter as the space file gives it, in a fixed key order. */
static cJSON *param_json(const ga_param *p)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "name", p->name);
    cJSON_AddStringToObject(o, "type", ga_type_name(p->type));
    switch (p->type) {
    case GA_INT:
    case GA_FLOAT:
        cJSON_AddItemToObject(o, "lower", ga_json_number(p->lower));
        cJSON_AddItemToObject(o, "upper", ga_json_number(p->upper));
        cJSON_AddItemToObject(o, "sigma", ga_json_number(p->sigma));
        cJSON_AddBoolToObject(o, "log_scale", p->log_scale);
        break;
    case GA_ORDERED:
        cJSON_AddItemToObject(o, "sigma", ga_json_number(p->sigma));
        /* fall through */
    case GA_CATEGORICAL:
        cJSON_AddItemToObject(o, "values", cJSON_Duplicate(p->values, 1));
        break;
    case GA_CONSTANT:
        cJSON_AddItemToObject(o, "value", cJSON_Duplicate(p->value, 1));
        break;
    default:
        break;
    }
    return o;
}

cJSON *ga_rundir_identity(const char *uid, const ga_space *space,
                          const ga_settings *settings)
{
    ga_json_oom_clear();
    cJSON *o = cJSON_CreateObject();
    cJSON *params = cJSON_CreateArray();
    cJSON *set = ga_settings_to_json(settings);
    if (!o || !params || !set) {
        cJSON_Delete(o);
        cJSON_Delete(params);
        cJSON_Delete(set);
        return NULL;
    }
    if (uid)
        cJSON_AddStringToObject(o, "run_uid", uid);
    else
        cJSON_AddNullToObject(o, "run_uid");
    for (size_t i = 0; i < space->n; i++)
        cJSON_AddItemToArray(params, param_json(&space->params[i]));
    cJSON_AddItemToObject(o, "space", params);
    cJSON_AddItemToObject(o, "settings", set);
    if (cJSON_GetArraySize(params) != (int)space->n || ga_json_oom()) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* A number, or a raw number (ga_json_number's text), as a double: 1, or 0
 * for anything else. */
static int number_of(const cJSON *item, double *v)
{
    if (cJSON_IsNumber(item)) {
        *v = item->valuedouble;
        return 1;
    }
    if (!cJSON_IsRaw(item) || !item->valuestring)
        return 0;
    char *end;
    *v = strtod(item->valuestring, &end);
    return end != item->valuestring && *end == '\0';
}

/* Both numbers and equal as doubles (one side may print 17 digits where
 * the other has the shortest text of the same value). */
static int same_number(const cJSON *a, const cJSON *b)
{
    double x, y;
    return number_of(a, &x) && number_of(b, &y) && x == y;
}

static char *print(const cJSON *item)
{
    return item ? cJSON_PrintUnformatted(item) : ga_strdup("(missing)");
}

static int check_space(const cJSON *saved, const ga_space *space,
                       ga_error *err)
{
    if (!cJSON_IsArray(saved))
        return ga_error_set(err, GA_EINPUT, "checkpoint: the run's 'space' is "
                            "missing");
    size_t n = (size_t)cJSON_GetArraySize(saved);
    for (size_t i = 0; i < n || i < space->n; i++) {
        const cJSON *was = cJSON_GetArrayItem(saved, (int)i);
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(was, "name");
        if (i >= space->n)
            return ga_error_set(err, GA_EINPUT, "the space has changed since "
                                "the checkpoint: parameter '%s' is gone",
                                cJSON_IsString(name) ? name->valuestring : "?");
        ga_json_oom_clear();
        cJSON *now = param_json(&space->params[i]);
        char *a = print(was), *b = print(now);
        int same = a && b && strcmp(a, b) == 0;
        if (!same && a && b && !ga_json_oom())
            ga_error_set(err, GA_EINPUT, "the space has changed since the "
                         "checkpoint: parameter %zu was %.600s, now %.600s",
                         i + 1, a, b);
        else if (!same)
            ga_error_set(err, GA_EFAIL, "out of memory");
        cJSON_Delete(now);
        free(a);
        free(b);
        if (!same)
            return err ? err->status : GA_EINPUT;
    }
    return GA_OK;
}

static int check_settings(const cJSON *saved, const ga_settings *settings,
                          ga_error *err)
{
    if (!cJSON_IsObject(saved))
        return ga_error_set(err, GA_EINPUT, "checkpoint: the run's 'settings' "
                            "are missing");
    ga_json_oom_clear();
    cJSON *now = ga_settings_to_json(settings);
    if (!now || ga_json_oom()) {
        cJSON_Delete(now);
        return ga_error_set(err, GA_EFAIL, "out of memory");
    }
    int rc = GA_OK;
    const cJSON *was;
    cJSON_ArrayForEach(was, saved) {
        const cJSON *is = cJSON_GetObjectItemCaseSensitive(now, was->string);
        int grows = !strcmp(was->string, "num_iter") ||
                    !strcmp(was->string, "max_evaluations");
        if (grows && cJSON_IsNumber(was) && cJSON_IsNumber(is)) {
            /* max_evaluations 0 is no budget: it may be given one */
            int unset = !strcmp(was->string, "max_evaluations") &&
                        was->valuedouble == 0;
            if (is->valuedouble < was->valuedouble ||
                (!unset && !strcmp(was->string, "max_evaluations") &&
                 is->valuedouble == 0))
                rc = ga_error_set(err, GA_EINPUT, "%s was %.0f and is now "
                                  "%.0f: a run can be extended, not "
                                  "shortened", was->string, was->valuedouble,
                                  is->valuedouble);
        } else if (same_number(was, is)) {
            continue;
        } else {
            /* as text: numbers may be raw (ga_json_number) on one side */
            char *a = print(was), *b = print(is);
            if (!a || !b)
                rc = ga_error_set(err, GA_EFAIL, "out of memory");
            else if (strcmp(a, b) != 0)
                rc = ga_error_set(err, GA_EINPUT, "the settings have changed "
                                  "since the checkpoint: %s was %s, now %s",
                                  was->string, a, b);
            free(a);
            free(b);
        }
        if (rc)
            break;
    }
    /* a checkpoint from before max_evaluations existed: it was off */
    const cJSON *max = cJSON_GetObjectItemCaseSensitive(now, "max_evaluations");
    int older = !cJSON_GetObjectItemCaseSensitive(saved, "max_evaluations") &&
                cJSON_IsNumber(max) && max->valuedouble == 0;
    if (rc == GA_OK &&
        cJSON_GetArraySize(now) != cJSON_GetArraySize(saved) + older)
        rc = ga_error_set(err, GA_EINPUT, "the settings have changed since the "
                          "checkpoint: it records %d of them, the run has %d",
                          cJSON_GetArraySize(saved), cJSON_GetArraySize(now));
    cJSON_Delete(now);
    return rc;
}

int ga_rundir_check_identity(const cJSON *saved, const char *uid,
                             const ga_space *space, const ga_settings *settings,
                             ga_error *err)
{
    if (!cJSON_IsObject(saved))
        return ga_error_set(err, GA_EINPUT, "checkpoint: no 'run' identity");
    const cJSON *was = cJSON_GetObjectItemCaseSensitive(saved, "run_uid");
    const char *had = cJSON_IsString(was) ? was->valuestring : NULL;
    if ((uid || had) && (!uid || !had || strcmp(had, uid) != 0))
        return ga_error_set(err, GA_EINPUT, "the checkpoint belongs to another "
                            "run (its run id is %.64s; run.json's is %.64s)",
                            had ? had : "none", uid ? uid : "none");
    int rc = check_space(cJSON_GetObjectItemCaseSensitive(saved, "space"),
                         space, err);
    if (rc == GA_OK)
        rc = check_settings(cJSON_GetObjectItemCaseSensitive(saved, "settings"),
                            settings, err);
    return rc;
}

/* ---- checkpoint files ---------------------------------------------------- */

int ga_rundir_save_checkpoint(const char *dir, cJSON *o, const cJSON *identity,
                              ga_error *err)
{
    char path[GA_PATH_MAX];
    if (ga_path(path, sizeof path, err, "%s/checkpoint.json", dir))
        return GA_EINPUT;
    cJSON *format = cJSON_CreateNumber(GA_CHECKPOINT_FORMAT);
    if (!format || !cJSON_AddItemToObject(o, "format", format) ||
        !cJSON_AddItemReferenceToObject(o, "run", (cJSON *)identity)) {
        if (format && !cJSON_GetObjectItemCaseSensitive(o, "format"))
            cJSON_Delete(format);
        return ga_error_set(err, GA_EFAIL, "out of memory");
    }
    char *text = cJSON_PrintUnformatted(o);
    if (!text)
        return ga_error_set(err, GA_EFAIL, "out of memory");
    int rc = ga_write_file_atomic(path, text, strlen(text), err);
    free(text);
    return rc;
}

cJSON *ga_rundir_load_checkpoint(const char *dir, const char *uid,
                                 const ga_space *space,
                                 const ga_settings *settings,
                                 void (*warn)(void *ctx, const char *msg),
                                 void *warn_ctx, ga_error *err)
{
    int fmt, *format = &fmt;
    char path[GA_PATH_MAX];
    if (ga_path(path, sizeof path, err, "%s/checkpoint.json", dir))
        return NULL;
    ga_error e;
    char *text = ga_read_file(path, NULL, &e);
    if (!text) {
        if (e.status == GA_EFAIL)  /* out of memory, a read error */
            ga_error_set(err, GA_EFAIL, "%s", e.msg);
        else
            ga_error_set(err, GA_EINPUT, "%s: cannot read the checkpoint (is "
                         "this a gahpo run directory?)", path);
        return NULL;
    }
    ga_json_oom_clear();
    cJSON *root = cJSON_Parse(text);
    int oom = !root && ga_json_oom();
    free(text);
    if (oom) {
        ga_error_set(err, GA_EFAIL, "%s: out of memory reading it", path);
        return NULL;
    }
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        ga_error_set(err, GA_EINPUT, "%s: not valid JSON (the file was edited "
                     "or damaged; checkpoints are written atomically)", path);
        return NULL;
    }
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(root, "format");
    *format = f ? 0 : 1;
    if (cJSON_IsNumber(f) && f->valuedouble == GA_CHECKPOINT_FORMAT)
        *format = GA_CHECKPOINT_FORMAT;
    int rc = GA_OK;
    if (*format == 0)
        rc = ga_error_set(err, GA_EINPUT, "%s: checkpoint format %g is not one "
                          "this gahpo reads (1 or %d): written by another "
                          "version of gahpo, or edited", path,
                          cJSON_IsNumber(f) ? f->valuedouble : NAN,
                          GA_CHECKPOINT_FORMAT);
    else if (*format == GA_CHECKPOINT_FORMAT &&
             (rc = ga_rundir_check_identity(
                  cJSON_GetObjectItemCaseSensitive(root, "run"), uid, space,
                  settings, err)) != GA_OK) {
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%s", err->msg);
        ga_error_set(err, rc, "%s: %s; refusing to resume", path, msg);
    }
    if (rc) {
        cJSON_Delete(root);
        return NULL;
    }
    if (fmt == 1 && warn)
        warn(warn_ctx, "this run's checkpoint was written by an older "
             "gahpo (format 1, without the run's identity): resuming "
             "without checking that the space and settings are the ones "
             "it was made with");
    return root;
}

int ga_rundir_begin(const char *dir, const char *shown, int resume_asked,
                    int *resume, ga_error *err)
{
    char path[GA_PATH_MAX];
    if (ga_path(path, sizeof path, err, "%s/checkpoint.json", dir))
        return err->status;
    int have = access(path, F_OK) == 0;
    *resume = resume_asked && have;
    if (have && !resume_asked)
        return ga_error_set(err, GA_EINPUT, "%s already holds a run "
                            "(checkpoint.json); continue it with --resume %s "
                            "or choose another --out", shown, shown);
    return *resume ? GA_OK : ga_rundir_check_fresh(dir, err);
}

int ga_rundir_check_fresh(const char *dir, ga_error *err)
{
    char path[GA_PATH_MAX];
    if (ga_path(path, sizeof path, err, "%s/evals.jsonl", dir))
        return GA_EINPUT;
    struct stat st;
    if (stat(path, &st) == 0 && st.st_size > 0)
        return ga_error_set(err, GA_EINPUT, "%s holds %lld bytes of "
                            "evaluations but %s/checkpoint.json is missing: "
                            "refusing to start the run again over them (move "
                            "evals.jsonl away to start afresh)", path,
                            (long long)st.st_size, dir);
    return GA_OK;
}

/* ---- evals.jsonl, stats.csv, and the JSON of individuals -------------- */

cJSON *ga_rundir_params_json(const ga_space *space, const double *genes)
{
    cJSON *o = cJSON_CreateObject();
    for (size_t i = 0; o && i < space->n; i++)
        cJSON_AddItemToObject(o, space->params[i].name,
                              ga_param_gene_to_json(&space->params[i], genes[i]));
    return o;
}

static void add_fitness(cJSON *o, const char *key, double f)
{
    cJSON_AddItemToObject(o, key, ga_json_number(f));
}

cJSON *ga_rundir_individuals_json(const ga_space *space, const double *genes,
                               const double *fitness, size_t n)
{
    cJSON *list = cJSON_CreateArray();
    for (size_t i = 0; list && i < n; i++) {
        cJSON *e = cJSON_CreateObject();
        add_fitness(e, "fitness", fitness[i]);
        cJSON_AddItemToObject(e, "params", ga_rundir_params_json(space, genes + i * space->n));
        cJSON_AddItemToArray(list, e);
    }
    return list;
}

int ga_rundir_write_stats(const char *dir, const ga_stats_row *rows,
                          size_t nrows, ga_error *err)
{
    char path[GA_PATH_MAX];
    if (ga_path(path, sizeof path, err, "%s/stats.csv", dir))
        return err->status;
    ga_strbuf csv = GA_STRBUF_INIT;
    ga_strbuf_append(&csv, "gen,nevals,avg,std,min,max\n");
    for (size_t i = 0; i < nrows; i++) {
        char a[32], s[32], lo[32], hi[32];
        ga_format_double(rows[i].avg, a, sizeof a);
        ga_format_double(rows[i].std, s, sizeof s);
        ga_format_double(rows[i].min, lo, sizeof lo);
        ga_format_double(rows[i].max, hi, sizeof hi);
        ga_strbuf_printf(&csv, "%ld,%ld,%s,%s,%s,%s\n", rows[i].gen,
                         rows[i].nevals, a, s, lo, hi);
    }
    int rc = ga_strbuf_write(&csv, path, err);
    ga_strbuf_free(&csv);
    return rc;
}

int ga_rundir_log_each(const char *path, int (*fn)(void *ctx, const cJSON *line),
                    void *ctx)
{
    ga_error e;
    char *text = ga_read_file(path, NULL, &e);
    if (!text)
        return e.status == GA_EINPUT ? 0 : -1;  /* no log yet, or no memory */
    int rc = 0;
    for (char *line = text; rc == 0 && *line;) {
        char *nl = strchr(line, '\n');
        if (!nl)  /* a NUL inside a line (a torn write): stop there */
            break;
        *nl = '\0';
        ga_json_oom_clear();
        cJSON *o = cJSON_Parse(line);
        if (!o && ga_json_oom()) {
            rc = -1;
            break;
        }
        rc = fn(ctx, o);
        cJSON_Delete(o);
        line = nl + 1;
    }
    free(text);
    return rc;
}

int ga_rundir_log_genes(const ga_space *space, const cJSON *params, double *genes)
{
    ga_error e;
    if (!cJSON_IsObject(params))
        return -1;
    for (size_t i = 0; i < space->n; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(params,
                                                          space->params[i].name);
        if (!v || ga_param_gene_from_json(&space->params[i], v, &genes[i], &e))
            return -1;
    }
    return 0;
}

int ga_rundir_log_transient(const cJSON *line)
{
    return !cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(line, "fitness")) &&
           cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(line, "transient"));
}

long ga_rundir_log_differs(const ga_space *space, const double *logged,
                        const double *asked)
{
    for (size_t j = 0; j < space->n; j++) {
        const ga_param *p = &space->params[j];
        /* numbers as the log's text reads back; others are exact indexes */
        double back = asked[j];
        char text[40];
        if ((p->type == GA_INT || p->type == GA_FLOAT) &&
            (ga_format_double(asked[j], text, sizeof text) != 0 ||
             ga_parse_double(text, &back) != 0))
            back = NAN;
        if (!(logged[j] == back))
            return (long)j;
    }
    return -1;
}

int ga_rundir_cut_torn_line(const char *path, ga_error *err)
{
    size_t len;
    ga_error e;
    char *text = ga_read_file(path, &len, &e);
    if (!text)
        return GA_OK;  /* no log yet */
    size_t keep = len;
    while (keep > 0 && text[keep - 1] != '\n')
        keep--;
    free(text);
    if (keep != len && truncate(path, (off_t)keep) != 0)
        return ga_error_set(err, GA_EFAIL, "%s: cannot cut the unfinished last "
                            "line: %s", path, strerror(errno));
    return GA_OK;
}

int ga_rundir_log_line(FILE *f, const char *run_id, const ga_space *space,
                    const ga_job *job, const ga_result *r, int cached)
{
    ga_json_oom_clear();
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "run", run_id);
    cJSON_AddNumberToObject(o, "gen", (double)job->generation);
    cJSON_AddNumberToObject(o, "ind", (double)job->index);
    cJSON_AddItemToObject(o, "params", ga_rundir_params_json(space, job->genes));
    add_fitness(o, "fitness", r->fitness);
    if (!isfinite(r->fitness))
        cJSON_AddStringToObject(o, "reason", r->reason[0] ? r->reason
                                                          : "no fitness");
    if (!isfinite(r->fitness) && r->transient)
        cJSON_AddBoolToObject(o, "transient", 1);
    if (isfinite(r->wall_time))
        cJSON_AddNumberToObject(o, "wall_time", r->wall_time);
    if (r->job_id[0])
        cJSON_AddStringToObject(o, "job_id", r->job_id);
    if (cached)
        cJSON_AddBoolToObject(o, "cached", 1);
    char *line = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    int failed = !line || ga_json_oom() || fprintf(f, "%s\n", line) < 0 ||
                 fflush(f) != 0;
    free(line);
    return failed ? -1 : 0;
}

typedef struct prefill_ctx {
    const ga_space *space;
    ga_cache *cache;
    double *genes;
} prefill_ctx;

static int prefill_line(void *p, const cJSON *o)
{
    prefill_ctx *c = p;
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(o, "fitness");
    if (cJSON_IsNumber(f) &&
        ga_rundir_log_genes(c->space, cJSON_GetObjectItemCaseSensitive(o, "params"),
                         c->genes) == 0)
        return ga_cache_insert(c->cache, c->genes, f->valuedouble) != 0;
    return 0;
}

int ga_rundir_prefill_cache(const char *path, const ga_space *space, ga_cache *c)
{
    prefill_ctx pc = { space, c, malloc((space->n ? space->n : 1) *
                                        sizeof(double)) };
    int rc = pc.genes && ga_rundir_log_each(path, prefill_line, &pc) == 0 ? 0 : -1;
    free(pc.genes);
    return rc;
}

/* ---- run.json ---------------------------------------------------------------- */

int ga_run_config_save(const char *dir, const ga_run_config *c, ga_error *err)
{
    char path[GA_PATH_MAX];
    if (ga_path(path, sizeof path, err, "%s/run.json", dir))
        return err->status;
    ga_json_oom_clear();
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return ga_error_set(err, GA_EFAIL, "out of memory");
    cJSON_AddNumberToObject(o, "version", 1);
    cJSON_AddStringToObject(o, "gahpo", c->gahpo);
    cJSON_AddStringToObject(o, "run_uid", c->run_uid);
    cJSON_AddStringToObject(o, "dir", c->dir);
    if (c->problem)
        cJSON_AddStringToObject(o, "problem", c->problem);
    else
        cJSON_AddNullToObject(o, "problem");
    if (c->space)
        ga_json_add(o, "space", cJSON_Duplicate(c->space, 1));
    cJSON *cmd = cJSON_AddArrayToObject(o, "command");
    for (size_t i = 0; cmd && i < c->ncommand; i++)
        cJSON_AddItemToArray(cmd, cJSON_CreateString(c->command[i]));
    ga_json_add(o, "settings", ga_settings_to_json(&c->settings));
    ga_json_add(o, "executor", c->executor ? cJSON_Duplicate(c->executor, 1)
                                           : cJSON_CreateObject());
    ga_json_add(o, "init_population", c->init ? cJSON_Duplicate(c->init, 1)
                                              : cJSON_CreateArray());
    int rc = ga_write_json_built(path, o, err);
    cJSON_Delete(o);
    return rc;
}

void ga_run_config_free(ga_run_config *c)
{
    free(c->dir);
    free(c->problem);
    cJSON_Delete(c->space);
    for (size_t i = 0; c->command && i < c->ncommand; i++)
        free(c->command[i]);
    free(c->command);
    cJSON_Delete(c->executor);
    cJSON_Delete(c->init);
    memset(c, 0, sizeof *c);
}

/* o[key] as a copy of its string into buf, "" when absent. */
static void copy_string(const cJSON *o, const char *key, char *buf, size_t n)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    snprintf(buf, n, "%s", cJSON_IsString(v) ? v->valuestring : "");
}

/* o[key], detached from o and handed to the caller (NULL when absent). */
static cJSON *take(cJSON *o, const char *key)
{
    return cJSON_DetachItemFromObjectCaseSensitive(o, key);
}

static int read_command(const cJSON *o, ga_run_config *c, const char *path,
                        ga_error *err)
{
    const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(o, "command");
    size_t n = cJSON_IsArray(cmd) ? (size_t)cJSON_GetArraySize(cmd) : 0;
    c->command = calloc(n + 1, sizeof *c->command);
    if (!c->command)
        return ga_error_set(err, GA_EFAIL, "out of memory");
    const cJSON *e;
    cJSON_ArrayForEach(e, cmd) {
        if (!cJSON_IsString(e))
            return ga_error_set(err, GA_EINPUT, "%s: bad 'command'", path);
        if (!(c->command[c->ncommand] = ga_strdup(e->valuestring)))
            return ga_error_set(err, GA_EFAIL, "out of memory");
        c->ncommand++;
    }
    return GA_OK;
}

int ga_run_config_load(const char *dir, ga_run_config *c, ga_error *err)
{
    memset(c, 0, sizeof *c);
    char path[GA_PATH_MAX];
    if (ga_path(path, sizeof path, err, "%s/run.json", dir))
        return err->status;
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
    int rc = GA_OK;
    if (!cJSON_IsObject(o))
        rc = ga_error_set(err, GA_EINPUT, "%s: invalid JSON", path);
    const cJSON *prob = cJSON_GetObjectItemCaseSensitive(o, "problem");
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(o, "dir");
    if (rc == GA_OK && ((cJSON_IsString(prob) &&
                         !(c->problem = ga_strdup(prob->valuestring))) ||
                        !(c->dir = ga_strdup(cJSON_IsString(d) ? d->valuestring
                                                               : dir))))
        rc = ga_error_set(err, GA_EFAIL, "out of memory");
    if (rc == GA_OK) {
        copy_string(o, "gahpo", c->gahpo, sizeof c->gahpo);
        copy_string(o, "run_uid", c->run_uid, sizeof c->run_uid);
        rc = read_command(o, c, path, err);
    }
    if (rc == GA_OK) {
        c->space = take(o, "space");
        c->executor = take(o, "executor");
        c->init = take(o, "init_population");
        ga_settings_defaults(&c->settings);
        if (ga_settings_apply_json(&c->settings,
                                   cJSON_GetObjectItemCaseSensitive(o, "settings"),
                                   path, err) != GA_OK)
            rc = GA_EINPUT;
        else
            rc = ga_settings_validate(&c->settings, err);
    }
    cJSON_Delete(o);
    if (rc)
        ga_run_config_free(c);
    return rc;
}

cJSON *ga_run_config_init_json(const ga_space *space, const double *genes,
                               size_t count)
{
    int outer = ga_json_oom_begin();
    cJSON *ip = cJSON_CreateArray();
    for (size_t k = 0; ip && k < count; k++) {
        cJSON *ind = cJSON_CreateObject();
        for (size_t i = 0; ind && i < space->n; i++)
            ga_json_add(ind, space->params[i].name,
                        ga_param_gene_to_json(&space->params[i],
                                              genes[k * space->n + i]));
        cJSON_AddItemToArray(ip, ind);
    }
    if (ga_json_oom_end(outer) || !ip) {
        cJSON_Delete(ip);
        errno = ENOMEM;
        return NULL;
    }
    return ip;
}

double *ga_run_config_init_genes(const ga_run_config *c, const ga_space *space,
                                 size_t *count, ga_error *err)
{
    const cJSON *ip = c->init;
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
