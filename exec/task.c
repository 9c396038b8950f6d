/* task.c - the job side of the Slurm and PBS executors: `gahpo _task
 * TASKS_FILE INDEX`, run by an array task on a compute node. It finds its
 * job on line INDEX of the tasks file, runs the command line in
 * ind_I/task.json as job I (ga_job_run, exec/job.h: execvp in its own
 * process group, ended on its timeout or a stop, exactly as the local
 * executor runs a model), and writes status.json for the driver
 * (exec/array.c) to read. */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "exec.h"
#include "job.h"
#include "../ga/util.h"

/* The individual on line `line` of the tasks file (0-based). */
static int task_individual(const char *tasks_file, long line, long *ind,
                           ga_error *err)
{
    char *text = ga_read_file(tasks_file, NULL, err);
    if (!text)
        return GA_EINPUT;
    long i = 0;
    int found = 0;
    char *save = NULL;
    for (char *l = strtok_r(text, "\n", &save); l && !found;
         l = strtok_r(NULL, "\n", &save), i++)
        if (i == line)
            found = ga_parse_long(l, ind) == 0 && *ind >= 0;
    free(text);
    if (!found)
        return ga_error_set(err, GA_EINPUT, "%s: no individual on line %ld",
                            tasks_file, line + 1);
    return GA_OK;
}

/* argv from task.json (caller frees with free_strings). */
static char **task_argv(const char *dir, double *timeout, ga_error *err)
{
    /* at most PATH_MAX: a longer name the system refuses, in a message the
     * path would fill to its end */
    char path[PATH_MAX];
    if (ga_path(path, sizeof path, err, "%s/task.json", dir))
        return NULL;
    char *text = ga_read_file(path, NULL, err);
    if (!text)
        return NULL;
    cJSON *o = cJSON_Parse(text);
    free(text);
    const cJSON *a = cJSON_GetObjectItem(o, "argv");
    const cJSON *t = cJSON_GetObjectItem(o, "timeout");
    int n = cJSON_IsArray(a) ? cJSON_GetArraySize(a) : 0;
    char **argv = n > 0 ? calloc((size_t)n + 1, sizeof *argv) : NULL;
    int i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, a) {
        if (!argv || !cJSON_IsString(e) || !(argv[i] = ga_strdup(e->valuestring)))
            break;
        i++;
    }
    *timeout = cJSON_IsNumber(t) ? t->valuedouble : 0;
    cJSON_Delete(o);
    if (!argv || i != n) {
        for (int j = 0; argv && j < i; j++)
            free(argv[j]);
        free(argv);
        ga_error_set(err, GA_EINPUT, "%s: no command line (\"argv\")", path);
        return NULL;
    }
    return argv;
}

int ga_exec_array_task(const char *tasks_file, const char *task_id,
                       volatile sig_atomic_t *stop, int *exit_code,
                       ga_error *err)
{
    *exit_code = 1;
    long line, ind;
    if (ga_parse_long(task_id, &line) != 0 || line < 0)
        return ga_error_set(err, GA_EINPUT, "_task: bad task id \"%s\"",
                            task_id);
    if (task_individual(tasks_file, line, &ind, err))
        return err->status;
    /* every name before the job runs: one too long is an error (exit 2)
     * and no model runs, whose status could not be written */
    char dir[GA_PATH_MAX], status_path[GA_PATH_MAX], id_path[GA_PATH_MAX];
    const char *slash = strrchr(tasks_file, '/');
    if (ga_path(dir, sizeof dir, err, "%.*s/ind_%ld",
                slash ? (int)(slash - tasks_file) : 1,
                slash ? tasks_file : ".", ind) ||
        ga_path(status_path, sizeof status_path, err, "%s/status.json", dir) ||
        ga_path(id_path, sizeof id_path, err, "%s/job_id.txt", dir))
        return err->status;
    double timeout;
    char **argv = task_argv(dir, &timeout, err);
    if (!argv)
        return err->status;
    /* the task's own job id, for schedulers that know a running task only
     * by it (Torque over Slurm: each started task is a job of its own) */
    const char *own = getenv("PBS_JOBID");
    if (!own || !*own)
        own = getenv("SLURM_JOB_ID");
    if (own && *own) {
        char line[128];
        snprintf(line, sizeof line, "%.120s\n", own);
        ga_error e;
        ga_write_file_atomic(id_path, line, strlen(line), &e);  /* only an aid to polling */
    }
    ga_job_outcome out;
    ga_job_run(dir, (size_t)ind, argv, timeout, stop, &out);
    ga_job_argv_free(argv);
    cJSON *st = cJSON_CreateObject();
    const char *aj = getenv("SLURM_ARRAY_JOB_ID"), *at = getenv("SLURM_ARRAY_TASK_ID");
    if (aj && at) {
        char job[64];
        snprintf(job, sizeof job, "%.30s_%.30s", aj, at);
        cJSON_AddStringToObject(st, "job", job);
    } else if (own && *own) {
        cJSON_AddStringToObject(st, "job", own);
    }
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    cJSON_AddStringToObject(st, "host", host);
    if (out.error[0]) {
        cJSON_AddStringToObject(st, "error", out.error);
    } else if (out.exited) {
        cJSON_AddNumberToObject(st, "exit", out.exit_code);
        *exit_code = out.exit_code;
    } else {
        cJSON_AddNumberToObject(st, "signal", out.signal);
        *exit_code = 128 + out.signal;
    }
    cJSON_AddBoolToObject(st, "timed_out", out.timed_out);
    cJSON_AddBoolToObject(st, "stopped", out.stopped);
    cJSON_AddItemToObject(st, "wall_time", ga_json_number(out.wall_time));
    if (out.timed_out)
        *exit_code = 124;
    int rc = ga_write_json_atomic(status_path, st, err);
    cJSON_Delete(st);
    return rc;
}
