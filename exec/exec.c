/* exec.c - the executor factory (exec.h): in-process, local, Slurm or PBS
 * from one spec, and a run's executor as run.json records it. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "../ga/util.h"

ga_executor *ga_exec_alloc(const ga_exec_spec *s, ga_error *err)
{
    if (s->problem)
        return ga_exec_problem_alloc(s->problem, s->noise_seed, err);
    if (s->sched) {
        ga_exec_array_opts so = {
            .argv = s->argv, .argc = s->argc, .run_dir = s->run_dir,
            .jobs = s->jobs, .timeout = s->timeout,
            .param_flags = s->param_flags, .result_file = s->result_file,
            .result_key = s->result_key, .sched = s->sched, .gahpo = s->gahpo };
        return (s->sched->kind == GA_SCHED_PBS) ? ga_exec_pbs_alloc(&so, err)
                             : ga_exec_slurm_alloc(&so, err);
    }
    ga_exec_local_opts lo = {
        .argv = s->argv, .argc = s->argc, .run_dir = s->run_dir,
        .jobs = s->jobs, .timeout = s->timeout, .param_flags = s->param_flags,
        .result_file = s->result_file, .result_key = s->result_key,
        .retries = s->retries, .end_orphans = s->end_orphans };
    return ga_exec_local_alloc(&lo, err);
}

cJSON *ga_exec_config_to_json(const ga_exec_spec *s, int cache)
{
    int outer = ga_json_oom_begin();
    cJSON *ex = cJSON_CreateObject();
    cJSON_AddNumberToObject(ex, "jobs", (double)s->jobs);
    cJSON_AddNumberToObject(ex, "timeout", s->timeout);
    cJSON_AddBoolToObject(ex, "param_flags", s->param_flags);
    cJSON_AddStringToObject(ex, "result_file", s->result_file);
    cJSON_AddStringToObject(ex, "result_key", s->result_key);
    if (!s->sched)
        cJSON_AddNumberToObject(ex, "retries", (double)s->retries);
    const char *type = !s->sched ? "local" : (s->sched->kind == GA_SCHED_PBS) ? "pbs" : "slurm";
    cJSON_AddStringToObject(ex, "type", type);
    if (s->sched)
        ga_json_add(ex, type, ga_sched_settings_to_json(s->sched));
    cJSON_AddBoolToObject(ex, "cache", cache > 0);
    if (ga_json_oom_end(outer) || !ex) {
        cJSON_Delete(ex);
        errno = ENOMEM;
        return NULL;
    }
    return ex;
}

int ga_exec_config_from_json(const cJSON *ex, const char *what,
                             ga_exec_saved *sv, ga_error *err)
{
    *sv = (ga_exec_saved){ .jobs = -1, .timeout = NAN, .param_flags = -1,
                           .retries = -1, .cache = -1 };
    const cJSON *v;
    if (cJSON_IsNumber(v = cJSON_GetObjectItem(ex, "jobs")))
        sv->jobs = (long)v->valuedouble;
    if (cJSON_IsNumber(v = cJSON_GetObjectItem(ex, "timeout")))
        sv->timeout = v->valuedouble;
    if ((v = cJSON_GetObjectItem(ex, "param_flags")))
        sv->param_flags = cJSON_IsTrue(v);
    if (cJSON_IsString(v = cJSON_GetObjectItem(ex, "result_file")))
        sv->result_file = v->valuestring;
    if (cJSON_IsString(v = cJSON_GetObjectItem(ex, "result_key")))
        sv->result_key = v->valuestring;
    if (cJSON_IsNumber(v = cJSON_GetObjectItem(ex, "retries")))
        sv->retries = (long)v->valuedouble;
    if (cJSON_IsBool(v = cJSON_GetObjectItem(ex, "cache")))
        sv->cache = cJSON_IsTrue(v);
    if (cJSON_IsString(v = cJSON_GetObjectItem(ex, "type")) &&
        (!strcmp(v->valuestring, "slurm") || !strcmp(v->valuestring, "pbs"))) {
        int pbs = !strcmp(v->valuestring, "pbs");
        sv->sched = pbs ? ga_sched_settings_alloc(GA_SCHED_PBS) : ga_sched_settings_alloc(GA_SCHED_SLURM);
        if (!sv->sched)
            return ga_error_set(err, GA_EFAIL, "out of memory");
        if (ga_sched_settings_apply_json(sv->sched,
                                         cJSON_GetObjectItem(ex, v->valuestring),
                                         what, err) != GA_OK) {
            ga_sched_settings_free(sv->sched);
            sv->sched = NULL;
            return GA_EINPUT;
        }
    }
    return GA_OK;
}
