/* check_sched.c - unit tests of the scheduler settings Slurm and PBS share
 * (exec/sched.c): a copy is whole and independent. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "../exec/exec.h"
#include "suites.h"
#include "testutil.h"

static char *json_of(const ga_sched_settings *s)
{
    cJSON *o = ga_sched_settings_to_json(s);
    ck_assert_ptr_nonnull(o);
    char *t = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return t;
}

/* Every kind of field (strings, counts, seconds, lists) and the scheduler
 * kind survive the copy; freeing the original leaves the copy whole. */
START_TEST(test_copy)
{
    const char *sets[][2] = {
        { "--account", "proj1" }, { "--mem", "4G" }, { "--nodes", "2" },
        { "--cpus-per-task", "8" }, { "--retries", "0" }, { "--poll-max", "7.5" },
        { "--slurm-setup", "module load x" }, { "--slurm-setup", "export A=1" },
    };
    const char *slurm_only[][2] = { { "--partition", "debug" },
                                    { "--time", "01:00:00" },
                                    { "--sbatch-extra", "--exclusive" } };
    const char *pbs_only[][2] = { { "--queue", "workq" },
                                  { "--walltime", "00:30:00" },
                                  { "--pbs-dialect", "torque" },
                                  { "--pbs-extra", "-l place=scatter" } };
    for (int pbs = 0; pbs < 2; pbs++) {
        ga_sched_settings *s = pbs ? ga_sched_settings_alloc(GA_SCHED_PBS)
                                   : ga_sched_settings_alloc(GA_SCHED_SLURM);
        ga_error err;
        for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
            ck_assert_msg(ga_sched_settings_set(s, sets[i][0], sets[i][1], &err)
                          == GA_OK, "%s", err.msg);
        for (size_t i = 0; i < 4; i++) {
            const char *const *kv = pbs ? pbs_only[i] : (i < 3 ? slurm_only[i]
                                                               : NULL);
            if (kv)
                ck_assert_msg(ga_sched_settings_set(s, kv[0], kv[1], &err)
                              == GA_OK, "%s", err.msg);
        }
        char *before = json_of(s);
        ga_sched_settings *c = ga_sched_settings_copy(s);
        ck_assert_ptr_nonnull(c);
        ck_assert_int_eq(c->kind, pbs ? GA_SCHED_PBS : GA_SCHED_SLURM);
        ga_sched_settings_free(s);
        char *after = json_of(c);
        ck_assert_str_eq(after, before);
        ck_assert_msg(strstr(after, pbs ? "place=scatter" : "--exclusive") &&
                      strstr(after, "export A=1") && strstr(after, "7.5"),
                      "%s", after);
        free(before);
        free(after);
        ga_sched_settings_free(c);
    }
}
END_TEST

/* run.json's executor object: written from a spec, read back as saved
 * values (local: its retries; PBS: its settings under "pbs"); what it
 * lacks reads as not recorded. */
START_TEST(test_exec_config)
{
    ga_error err;
    ga_exec_spec spec = { .jobs = 6, .timeout = 2.5, .param_flags = 1,
                          .result_file = "out.json", .result_key = "loss",
                          .retries = 3 };
    cJSON *o = ga_exec_config_to_json(&spec, 1);
    ga_exec_saved sv;
    ck_assert_int_eq(ga_exec_config_from_json(o, "run.json", &sv, &err), GA_OK);
    ck_assert_int_eq(sv.jobs, 6);
    ck_assert_double_eq(sv.timeout, 2.5);
    ck_assert_int_eq(sv.param_flags, 1);
    ck_assert_str_eq(sv.result_file, "out.json");
    ck_assert_str_eq(sv.result_key, "loss");
    ck_assert_int_eq(sv.retries, 3);
    ck_assert_int_eq(sv.cache, 1);
    ck_assert_ptr_null(sv.sched);
    cJSON_Delete(o);
    ga_sched_settings *pbs = ga_sched_settings_alloc(GA_SCHED_PBS);
    ck_assert_int_eq(ga_sched_settings_set(pbs, "--queue", "workq", &err), GA_OK);
    spec.sched = pbs;
    o = ga_exec_config_to_json(&spec, 0);
    ck_assert_str_eq(cJSON_GetObjectItem(o, "type")->valuestring, "pbs");
    ck_assert_ptr_null(cJSON_GetObjectItem(o, "retries"));
    ck_assert_int_eq(ga_exec_config_from_json(o, "run.json", &sv, &err), GA_OK);
    ck_assert_ptr_nonnull(sv.sched);
    ck_assert_int_eq((sv.sched->kind == GA_SCHED_PBS), 1);
    ck_assert_str_eq(sv.sched->queue, "workq");
    ck_assert_int_eq(sv.retries, -1);
    ga_sched_settings_free(sv.sched);
    cJSON_Delete(o);
    ga_sched_settings_free(pbs);
    /* nothing recorded, and a scheduler setting that is not one */
    o = cJSON_Parse("{\"type\":\"slurm\",\"slurm\":{\"mem\":\"lots\"}}");
    ck_assert_int_eq(ga_exec_config_from_json(o, "run.json", &sv, &err),
                     GA_EINPUT);
    ck_assert_ptr_null(sv.sched);
    cJSON_Delete(o);
    ck_assert_int_eq(ga_exec_config_from_json(NULL, "run.json", &sv, &err),
                     GA_OK);
    ck_assert_int_eq(sv.jobs, -1);
    ck_assert(isnan(sv.timeout));
    ck_assert_ptr_null(sv.result_file);
}
END_TEST

Suite *sched_suite(void)
{
    Suite *s = suite_create("sched");
    TCase *tc = tcase_create("sched");
    tcase_add_test(tc, test_copy);
    tcase_add_test(tc, test_exec_config);
    suite_add_tcase(s, tc);
    return s;
}
