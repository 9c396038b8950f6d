/* rundir.c - one driver per run directory (an fcntl lock), and the run's
 * identity that a checkpoint carries so a resume refuses a checkpoint, a
 * space or settings that are not the run's own. */
#include "rundir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

int ga_rundir_lock(const char *dir, ga_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, GA_RUNDIR_LOCK_NAME);
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
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
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
        if (!strcmp(was->string, "num_iter") && cJSON_IsNumber(was) &&
            cJSON_IsNumber(is)) {
            if (is->valuedouble < was->valuedouble)
                rc = ga_error_set(err, GA_EINPUT, "num_iter was %.0f and is "
                                  "now %.0f: a run can be extended, not "
                                  "shortened", was->valuedouble,
                                  is->valuedouble);
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
    if (rc == GA_OK && cJSON_GetArraySize(now) != cJSON_GetArraySize(saved))
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
    char path[4200];
    snprintf(path, sizeof path, "%s/checkpoint.json", dir);
    int rc = ga_write_file_atomic(path, text, strlen(text), err);
    free(text);
    return rc;
}

cJSON *ga_rundir_load_checkpoint(const char *dir, const char *uid,
                                 const ga_space *space,
                                 const ga_settings *settings, int *format,
                                 ga_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/checkpoint.json", dir);
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
    return root;
}

int ga_rundir_check_fresh(const char *dir, ga_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/evals.jsonl", dir);
    struct stat st;
    if (stat(path, &st) == 0 && st.st_size > 0)
        return ga_error_set(err, GA_EINPUT, "%s holds %lld bytes of "
                            "evaluations but %s/checkpoint.json is missing: "
                            "refusing to start the run again over them (move "
                            "evals.jsonl away to start afresh)", path,
                            (long long)st.st_size, dir);
    return GA_OK;
}
