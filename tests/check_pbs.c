/* check_pbs.c - the PBS executor. Unit tests (no PBS needed): the batch
 * script and qsub's arguments in both dialects, reading qsub and qstat
 * output (PBS Pro's JSON, Torque's -f records), states and their reasons,
 * settings and site profiles. Integration tests over both dialects: the
 * Torque dialect against the real Torque wrappers of Debian's
 * slurm-wlm-torque over the local Slurm (skipped, visibly, when either is
 * missing), the PBS Pro dialect against the project's PBS Pro EMULATOR in
 * tests/pbs-emulator (not a real PBS server). Those every scheduler runs
 * are in check_cluster.c; here what only PBS Pro's are: a walltime kill's
 * reason and a retry round of one task (a plain job, not an array). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "../exec/array.h"
#include "../exec/exec.h"
#include "cluster.h"
#include "suites.h"
#include "testutil.h"

#define G (char *)tu_gahpo()

/* ---- unit tests --------------------------------------------------------- */

static ga_sched_settings *pbs_settings(const char *dialect)
{
    ga_error err;
    ga_sched_settings *s = ga_sched_settings_alloc(GA_SCHED_PBS);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(ga_sched_settings_set(s, "--pbs-dialect", dialect, &err),
                     0);
    return s;
}

START_TEST(test_script_pro)
{
    ga_error err;
    ga_sched_settings *s = pbs_settings("pro");
    const char *set[][2] = {
        { "--account", "ABC123" }, { "--queue", "debug-scaling" },
        { "--walltime", "01:00:00" }, { "--cpus-per-task", "8" },
        { "--gpus-per-task", "1" }, { "--mem", "16G" },
        { "--filesystems", "home:grand" }, { "--pbs-extra", "-l place=scatter" },
        { "--pbs-setup", "module load conda" },
    };
    for (size_t i = 0; i < sizeof set / sizeof set[0]; i++)
        ck_assert_msg(ga_sched_settings_set(s, set[i][0], set[i][1], &err) == 0,
                      "%s: %s", set[i][0], err.msg);
    ga_array_script_info info = { .job_name = "gahpo-x-g3", .ntasks = 5,
                                  .max_concurrent = 2,
                                  .gahpo = "/opt/it's here/gahpo",
                                  .tasks_file = "/runs/a b/gen_3/array_0.tasks" };
    char *text = ga_pbs_script(s, &info, &err);
    ck_assert_msg(text != NULL, "%s", err.msg);
    const char *want[] = {
        "#!/bin/bash\n#PBS -N gahpo-x-g3\n", "#PBS -A ABC123\n",
        "#PBS -q debug-scaling\n", "#PBS -l walltime=01:00:00\n",
        "#PBS -l select=1:ncpus=8:ngpus=1:mem=16gb\n",
        "#PBS -l filesystems=home:grand\n", "#PBS -l place=scatter\n",
        "\nmodule load conda\n",
        "\nexec '/opt/it'\\''s here/gahpo' _task '/runs/a b/gen_3/array_0.tasks' "
        "\"${PBS_ARRAY_INDEX:-0}\"\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ck_assert_msg(strstr(text, want[i]), "missing [%s] in:\n%s", want[i],
                      text);
    ck_assert_int_eq(tu_count_of(text, "$"), 1);  /* only the array index */
    ck_assert_ptr_null(strstr(text, "#PBS -J"));  /* that is on qsub's line */
    free(text);
    /* a whole select spec wins over the counts */
    ck_assert_int_eq(ga_sched_settings_set(s, "--select", "2:system=polaris",
                                           &err), 0);
    text = ga_pbs_script(s, &info, &err);
    ck_assert_ptr_nonnull(strstr(text, "#PBS -l select=2:system=polaris\n"));
    ck_assert_int_eq(tu_count_of(text, "select="), 1);
    free(text);
    info.ntasks = 0;
    ck_assert_ptr_null(ga_pbs_script(s, &info, &err));
    info.ntasks = 2;
    info.job_name = "a b";
    ck_assert_ptr_null(ga_pbs_script(s, &info, &err));
    ga_sched_settings_free(s);
}
END_TEST

START_TEST(test_script_torque)
{
    ga_error err;
    ga_sched_settings *s = pbs_settings("torque");
    ck_assert_int_eq(ga_sched_settings_set(s, "--nodes", "1", &err), 0);
    ck_assert_int_eq(ga_sched_settings_set(s, "--cpus-per-task", "4", &err), 0);
    ck_assert_int_eq(ga_sched_settings_set(s, "--mem", "4000", &err), 0);
    ck_assert_int_eq(ga_sched_settings_set(s, "--walltime", "00:10:00", &err),
                     0);
    ga_array_script_info info = { "gahpo-t-g0", 3, 3, "/bin/gahpo", "/r/t" };
    char *text = ga_pbs_script(s, &info, &err);
    ck_assert_msg(text != NULL, "%s", err.msg);
    const char *want[] = {
        "#PBS -l nodes=1:ppn=4\n", "#PBS -l mem=4000mb\n",
        "#PBS -l walltime=00:10:00\n",
        "exec '/bin/gahpo' _task '/r/t' "
        "\"${PBS_ARRAYID:-${SLURM_ARRAY_TASK_ID:-0}}\"\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ck_assert_msg(strstr(text, want[i]), "missing [%s] in:\n%s", want[i],
                      text);
    ck_assert_ptr_null(strstr(text, "select="));
    free(text);
    ga_sched_settings_free(s);
}
END_TEST

/* -J needs 2 subjobs in PBS Pro: 1 task is a plain job. */
START_TEST(test_qsub_argv)
{
    char *argv[8], buf[64];
    ga_array_script_info info = { "n", 4, 4, "/g", "/t" };
    ga_pbs_qsub_argv("pro", &info, "array_0.sh", argv, buf, sizeof buf);
    ck_assert_str_eq(argv[0], "qsub");
    ck_assert_str_eq(argv[1], "-J");
    ck_assert_str_eq(argv[2], "0-3");
    ck_assert_str_eq(argv[3], "array_0.sh");
    ck_assert_ptr_null(argv[4]);
    info.max_concurrent = 2;
    ga_pbs_qsub_argv("pro", &info, "array_0.sh", argv, buf, sizeof buf);
    ck_assert_str_eq(argv[2], "0-3%2");
    info.ntasks = 1;
    ga_pbs_qsub_argv("pro", &info, "array_1.sh", argv, buf, sizeof buf);
    ck_assert_str_eq(argv[1], "array_1.sh");
    ck_assert_ptr_null(argv[2]);
    ga_pbs_qsub_argv("torque", &info, "array_1.sh", argv, buf, sizeof buf);
    ck_assert_str_eq(argv[1], "-t");
    ck_assert_str_eq(argv[2], "0-0");
    info.ntasks = 10;
    ga_pbs_qsub_argv("torque", &info, "a.sh", argv, buf, sizeof buf);
    ck_assert_str_eq(argv[2], "0-9%2");
}
END_TEST

START_TEST(test_parse_jobid)
{
    char id[128];
    ck_assert_int_eq(ga_pbs_parse_jobid("123[].pbs01.example.org\n", id,
                                        sizeof id), 0);
    ck_assert_str_eq(id, "123[].pbs01.example.org");
    ck_assert_int_eq(ga_pbs_parse_jobid("4567.server\n", id, sizeof id), 0);
    ck_assert_str_eq(id, "4567.server");
    ck_assert_int_eq(ga_pbs_parse_jobid("714\n", id, sizeof id), 0);
    ck_assert_str_eq(id, "714");
    ck_assert_int_eq(ga_pbs_parse_jobid("", id, sizeof id), -1);
    ck_assert_int_eq(ga_pbs_parse_jobid("qsub: error\n", id, sizeof id), -1);
    ck_assert_int_eq(ga_pbs_parse_jobid("12;rm -rf\n", id, sizeof id), -1);
}
END_TEST

START_TEST(test_parse_qstat_json)
{
    const char *text =
        "{\"timestamp\":1,\"pbs_version\":\"2022.1.1\",\"pbs_server\":\"srv\","
        "\"Jobs\":{"
        "\"12[].srv\":{\"job_state\":\"B\",\"array\":\"True\"},"
        "\"12[0].srv\":{\"job_state\":\"X\",\"Exit_status\":0},"
        "\"12[1].srv\":{\"job_state\":\"X\",\"Exit_status\":3},"
        "\"12[2].srv\":{\"job_state\":\"X\",\"Exit_status\":271},"
        "\"12[3].srv\":{\"job_state\":\"X\",\"Exit_status\":-29},"
        "\"12[4].srv\":{\"job_state\":\"R\"},"
        "\"12[5].srv\":{\"job_state\":\"Q\"},"
        "\"12[6].srv\":{\"job_state\":\"X\"},"
        "\"13.srv\":{\"job_state\":\"F\",\"Exit_status\":0}}}";
    ga_array_task_state *st;
    size_t n;
    ga_error err;
    ck_assert_int_eq(ga_pbs_parse_qstat_json(text, &st, &n, &err), 0);
    ck_assert_uint_eq(n, 8);
    const char *want[] = { "FINISHED", "FAILED", "KILLED", "WALLTIME", "R",
                           "Q", "ENDED", "FINISHED" };
    for (size_t i = 0; i < 7; i++) {
        ck_assert_str_eq(st[i].job, "12[].srv");
        ck_assert_int_eq(st[i].task, (long)i);
        ck_assert_str_eq(st[i].state, want[i]);
    }
    ck_assert_str_eq(st[7].job, "13.srv");  /* a plain job is task 0 */
    ck_assert_int_eq(st[7].task, 0);
    ck_assert_str_eq(st[7].state, want[7]);
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(ga_pbs_state_final(st[i].state),
                         strlen(st[i].state) > 1);
    free(st);
    ck_assert_int_eq(ga_pbs_parse_qstat_json("not json", &st, &n, &err),
                     GA_EINPUT);
    ck_assert_int_eq(ga_pbs_parse_qstat_json("{\"Jobs\":{\"1.s\":{}}}", &st, &n,
                                             &err), GA_EINPUT);
    ck_assert_ptr_nonnull(strstr(ga_pbs_state_reason("WALLTIME"), "walltime"));
    ck_assert_ptr_nonnull(strstr(ga_pbs_state_reason("KILLED"), "qdel"));
    ck_assert_ptr_nonnull(strstr(ga_pbs_state_reason("R"), "not ended"));
}
END_TEST

START_TEST(test_parse_qstat_torque)
{
    /* Slurm's wrappers: tasks are jobs of their own, known by job_id.txt;
     * the array's own record stands for the tasks not started */
    const char *wrapper =
        "Job Id:\t714\n\tJob_Name = g\n\tjob_state = Q\n\n"
        "Job Id:\t715\n\tJob_Name = g\n\tjob_state = R\n\n"
        "Job Id:\t716\n\tJob_Name = g\n\tjob_state = C\n";
    char *ids[] = { "714" };
    ga_array_ref refs[] = { { "714", 0, "715" }, { "714", 1, "716" },
                            { "714", 2, "" }, { "714", 3, "" } };
    ga_array_task_state *st;
    size_t n;
    ga_error err;
    ck_assert_int_eq(ga_pbs_parse_qstat_torque(wrapper, ids, 1, refs, 4, &st,
                                               &n, &err), 0);
    ck_assert_uint_eq(n, 4);
    ck_assert_int_eq(st[0].task, 2);
    ck_assert_str_eq(st[0].state, "Q");
    ck_assert_int_eq(st[1].task, 3);
    ck_assert_int_eq(st[2].task, 0);
    ck_assert_str_eq(st[2].state, "R");
    ck_assert_int_eq(st[3].task, 1);
    ck_assert_str_eq(st[3].state, "ENDED");  /* no exit status in C */
    free(st);
    /* real Torque: subjob records, with their exit status */
    const char *real =
        "Job Id: 123[0].host\n    job_state = C\n    exit_status = 0\n\n"
        "Job Id: 123[1].host\n    job_state = C\n    exit_status = 2\n\n"
        "Job Id: 123[2].host\n    job_state = R\n";
    char *rids[] = { "123[].host" };
    ck_assert_int_eq(ga_pbs_parse_qstat_torque(real, rids, 1, NULL, 0, &st, &n,
                                               &err), 0);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(st[0].job, "123[].host");
    ck_assert_str_eq(st[0].state, "FINISHED");
    ck_assert_int_eq(st[1].task, 1);
    ck_assert_str_eq(st[1].state, "FAILED");
    ck_assert_str_eq(st[2].state, "R");
    free(st);
    ck_assert_int_eq(ga_pbs_parse_qstat_torque("Job Id: 5\n", ids, 1, refs, 4,
                                               &st, &n, &err), GA_EINPUT);
}
END_TEST

/* --resume's search for a submission jobs.txt never recorded: PBS Pro's
 * `qstat -f -F json` of several users' jobs; only the job submitted from
 * the script, in its directory, by this user matches. */
START_TEST(test_find_in_qstat_json)
{
    const char *text =
        "{\n"
        "    \"timestamp\":1714070123,\n"
        "    \"pbs_version\":\"2022.1.4.20231116060607\",\n"
        "    \"pbs_server\":\"pbs01\",\n"
        "    \"Jobs\":{\n"
        /* another user's array from the same path */
        "        \"4410[].pbs01\":{\n"
        "            \"Job_Name\":\"gahpo-hpo1-g0\",\n"
        "            \"Job_Owner\":\"bob@login2.cluster\",\n"
        "            \"job_state\":\"B\",\n"
        "            \"Variable_List\":{\n"
        "                \"PBS_O_HOME\":\"/home/bob\",\n"
        "                \"PBS_O_WORKDIR\":\"/runs/hpo1/gen_0\",\n"
        "                \"PBS_NCPUS\":1\n"
        "            },\n"
        "            \"Submit_arguments\":\"-J 0-3 /runs/hpo1/gen_0/array_0.sh\",\n"
        "            \"array\":\"True\"\n"
        "        },\n"
        /* this user's, another array of the same generation */
        "        \"4411[].pbs01\":{\n"
        "            \"Job_Owner\":\"alice@login1.cluster\",\n"
        "            \"job_state\":\"Q\",\n"
        "            \"Variable_List\":{\"PBS_O_WORKDIR\":\"/runs/hpo1/gen_0\"},\n"
        "            \"Submit_arguments\":\"-J 0-3 /runs/hpo1/gen_0/array_10.sh\"\n"
        "        },\n"
        /* the same file name, submitted elsewhere */
        "        \"4412.pbs01\":{\n"
        "            \"Job_Owner\":\"alice@login1.cluster\",\n"
        "            \"job_state\":\"R\",\n"
        "            \"Variable_List\":{\"PBS_O_WORKDIR\":\"/home/alice\"},\n"
        "            \"Submit_arguments\":\"array_0.sh\"\n"
        "        },\n"
        /* an interactive job: no script */
        "        \"4413.pbs01\":{\n"
        "            \"Job_Owner\":\"alice@login1.cluster\",\n"
        "            \"job_state\":\"R\",\n"
        "            \"Variable_List\":{\"PBS_O_WORKDIR\":\"/runs/hpo1/gen_0\"},\n"
        "            \"Submit_arguments\":\"-I -l select=1:ncpus=4\"\n"
        "        },\n"
        "        \"4414[].pbs01\":{\n"
        "            \"Job_Name\":\"gahpo-hpo1-g0\",\n"
        "            \"Job_Owner\":\"alice@login1.cluster\",\n"
        "            \"job_state\":\"B\",\n"
        "            \"queue\":\"workq\",\n"
        "            \"Resource_List\":{\"ncpus\":1,\"select\":\"1:ncpus=1\"},\n"
        "            \"Variable_List\":{\n"
        "                \"PBS_O_HOME\":\"/home/alice\",\n"
        "                \"PBS_O_LOGNAME\":\"alice\",\n"
        "                \"PBS_O_WORKDIR\":\"/runs/hpo1/gen_0\",\n"
        "                \"PBS_O_SYSTEM\":\"Linux\",\n"
        "                \"PBS_O_QUEUE\":\"workq\",\n"
        "                \"PBS_O_HOST\":\"login1.cluster\"\n"
        "            },\n"
        "            \"Submit_arguments\":\"-J 0-3%2 /runs/hpo1/gen_0/array_0.sh\",\n"
        "            \"array\":\"True\",\n"
        "            \"array_state_count\":\"Queued:2 Running:2 Exiting:0 "
        "Expired:0 \",\n"
        "            \"array_indices_submitted\":\"0-3\",\n"
        "            \"project\":\"_pbs_project_default\",\n"
        "            \"Submit_Host\":\"login1.cluster\"\n"
        "        }\n"
        "    }\n"
        "}\n";
    const char *script = "/runs/hpo1/gen_0/array_0.sh";
    char id[128];
    ck_assert_int_eq(ga_pbs_find_in_qstat_json(text, script, "alice", id,
                                               sizeof id), 0);
    ck_assert_str_eq(id, "4414[].pbs01");
    ck_assert_int_eq(ga_pbs_find_in_qstat_json(text, script, "bob", id,
                                               sizeof id), 0);
    ck_assert_str_eq(id, "4410[].pbs01");
    ck_assert_int_eq(ga_pbs_find_in_qstat_json(text, script, "carol", id,
                                               sizeof id), 1);
    ck_assert_int_eq(ga_pbs_find_in_qstat_json(text, script, "alice", id, 8),
                     -1);  /* no room for the id */
    ck_assert_int_eq(ga_pbs_find_in_qstat_json(
                         text, "/runs/hpo1/gen_0/array_1.sh", "alice", id,
                         sizeof id), 1);
    ck_assert_int_eq(ga_pbs_find_in_qstat_json(
                         text, "/runs/hpo1/gen_0/array_10.sh", "alice", id,
                         sizeof id), 0);
    ck_assert_str_eq(id, "4411[].pbs01");
    /* the file name as qsub's argument, resolved by the working directory;
     * a plain job (one task); older servers' Variable_List as text; no
     * Job_Owner: not checked */
    const char *plain =
        "{\"Jobs\":{\"77.srv\":{\"job_state\":\"Q\","
        "\"Variable_List\":\"PBS_O_HOME=/h,PBS_O_WORKDIR=/r/a\\\\,b/gen_2,"
        "PBS_O_HOST=x\",\"Submit_arguments\":\"array_3.sh\"}}}";
    ck_assert_int_eq(ga_pbs_find_in_qstat_json(plain, "/r/a,b/gen_2/array_3.sh",
                                               "alice", id, sizeof id), 0);
    ck_assert_str_eq(id, "77.srv");
    ck_assert_int_eq(ga_pbs_find_in_qstat_json(plain, "/r/a,b/gen_1/array_3.sh",
                                               NULL, id, sizeof id), 1);
    /* no jobs at all, or not JSON */
    ck_assert_int_eq(ga_pbs_find_in_qstat_json(
                         "{\"timestamp\":1,\"pbs_server\":\"s\"}", script,
                         NULL, id, sizeof id), 1);
    ck_assert_int_eq(ga_pbs_find_in_qstat_json("qstat: cannot connect", script,
                                               NULL, id, sizeof id), -1);
}
END_TEST

static const char *env_of(void *ctx, const char *name)
{
    const char *const *kv = ctx;
    for (size_t i = 0; kv[i]; i += 2)
        if (!strcmp(kv[i], name))
            return kv[i + 1];
    return NULL;
}

START_TEST(test_settings)
{
    ga_error err;
    ga_sched_settings *s = ga_sched_settings_alloc(GA_SCHED_PBS);
    /* each executor takes only its own options */
    ck_assert_int_eq(ga_sched_settings_set(s, "--partition", "gpu", &err),
                     GA_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "Slurm option"));
    ck_assert_int_eq(ga_sched_settings_set(s, "--pbs-dialect", "lsf", &err),
                     GA_EINPUT);
    ck_assert_int_eq(ga_sched_settings_set(s, "--queue", "a b", &err),
                     GA_EINPUT);
    ga_sched_settings *sl = ga_sched_settings_alloc(GA_SCHED_SLURM);
    ck_assert_int_eq(ga_sched_settings_set(sl, "--queue", "q", &err),
                     GA_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "PBS option"));
    ga_sched_settings_free(sl);
    /* command line > CANDLE's variables > site profile */
    ck_assert_int_eq(ga_sched_settings_set(s, "--queue", "prod", &err), 0);
    const char *env[] = { "WALLTIME", "02:00:00", "QUEUE", "debug", "PROJECT",
                          "P1", "PPN", "4", "PROCS", "6", NULL };
    ck_assert_msg(ga_sched_settings_resolve(s, "polaris-like", env_of, env,
                                            &err) == 0, "%s", err.msg);
    ck_assert_str_eq(s->queue, "prod");
    ck_assert_str_eq(s->walltime, "02:00:00");
    ck_assert_str_eq(s->account, "P1");
    ck_assert_int_eq(s->cpus_per_task, 4);
    ck_assert_int_eq(s->max_concurrent, 6);
    ck_assert_str_eq(s->dialect, "pro");        /* the default */
    ck_assert_str_eq(s->select, "1:system=polaris");   /* from the site */
    ck_assert_ptr_null(s->partition);
    /* run.json round trip */
    cJSON *j = ga_sched_settings_to_json(s);
    ck_assert_str_eq(cJSON_GetObjectItem(j, "scheduler")->valuestring, "pbs");
    ga_sched_settings *back = ga_sched_settings_alloc(GA_SCHED_PBS);
    ck_assert_int_eq(ga_sched_settings_apply_json(back, j, "run.json", &err), 0);
    ck_assert_str_eq(back->queue, "prod");
    ck_assert_str_eq(back->filesystems, "home:eagle");
    ck_assert_uint_eq(back->nsetup, 3);
    cJSON_Delete(j);
    ga_sched_settings_free(back);
    ga_sched_settings_free(s);
    /* the test cluster through the Torque wrappers */
    s = ga_sched_settings_alloc(GA_SCHED_PBS);
    ck_assert_msg(ga_sched_settings_resolve(s, "localhost-torque", NULL, NULL,
                                            &err) == 0, "%s", err.msg);
    ck_assert_str_eq(s->dialect, "torque");
    ga_sched_settings_free(s);
    /* a Slurm profile is refused by the PBS executor */
    s = ga_sched_settings_alloc(GA_SCHED_PBS);
    ck_assert_int_eq(ga_sched_settings_resolve(s, "localhost", NULL, NULL,
                                               &err), GA_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "slurm"));
    ga_sched_settings_free(s);
}
END_TEST

START_TEST(test_cli_usage)
{
    char *out, *err;
    int rc = tu_run((char *[]){ G, "run", "--no-env", "--space", "/nonexist",
                                "--out", "/tmp/never", "--queue", "x", "--",
                                "true", NULL }, NULL, NULL, &out, &err);
    ck_assert_int_eq(rc, 2);
    ck_assert_ptr_nonnull(strstr(err, "--executor"));
    free(out);
    free(err);
    rc = tu_run((char *[]){ G, "run", "--executor", "lsf", NULL }, NULL, NULL,
                &out, &err);
    ck_assert_int_eq(rc, 2);
    free(out);
    free(err);
}
END_TEST

/* ---- integration: what only PBS Pro's tests cover -------------------------- */

static const cluster_backend *const pro = &cluster_backends[CLUSTER_PRO];

/* Asked once, in the runner before it forks the tests (an unchecked
 * fixture): the Torque tests need Slurm and its wrappers. */
static void detect_torque(void)
{
    cluster_backends[CLUSTER_TORQUE].available();
}

/* Killed by PBS without a status file: the reason is PBS's own. */
START_TEST(test_pro_walltime_reason)
{
    char *dir = cluster_tmpdir(pro, "walltime");
    char *err;
    const char *extra[] = { "--walltime", "00:00:01", NULL };
    int rc = cluster_run_ga(pro, dir, "run", cluster_space, "sleep", extra,
                            &err);
    ck_assert_int_eq(rc, 1);
    free(err);
    char run[4200];
    snprintf(run, sizeof run, "%s/run", dir);
    int lines, failed, with;
    tu_scan_log(run, &lines, &failed, "WALLTIME: the task reached its walltime "
             "limit (job_state=X Exit_status=-29", &with);
    ck_assert_int_eq(failed, 4);
    ck_assert_int_eq(with, 4);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* A retry round of one task: PBS Pro's -J needs 2, so a plain job. */
START_TEST(test_pro_array_of_one)
{
    char *dir = cluster_tmpdir(pro, "one"), path[4300];
    cluster_run_flaky(pro, dir, "os.path.basename(os.getcwd()) == 'ind_2'");
    snprintf(path, sizeof path, "%s/run/gen_0/jobs.txt", dir);
    char *jobs = tu_read(path);
    long n0, n1;
    char id0[128], id1[128];
    ck_assert_int_eq(sscanf(jobs, "%ld %127s %ld %127s", &n0, id0, &n1, id1), 4);
    ck_assert_ptr_nonnull(strstr(id0, "[]"));   /* the array of 4 */
    ck_assert_ptr_null(strchr(id1, '['));       /* the retry: a plain job */
    free(jobs);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

Suite *pbs_suite(void)
{
    Suite *s = suite_create("pbs");
    TCase *unit = tcase_create("unit");
    tcase_add_test(unit, test_script_pro);
    tcase_add_test(unit, test_script_torque);
    tcase_add_test(unit, test_qsub_argv);
    tcase_add_test(unit, test_parse_jobid);
    tcase_add_test(unit, test_parse_qstat_json);
    tcase_add_test(unit, test_parse_qstat_torque);
    tcase_add_test(unit, test_find_in_qstat_json);
    tcase_add_test(unit, test_settings);
    tcase_add_test(unit, test_cli_usage);
    suite_add_tcase(s, unit);
    TCase *tc = tcase_create("pbs");
    tcase_add_unchecked_fixture(tc, detect_torque, NULL);
    tcase_set_timeout(tc, 120);
    cluster_add_tests(tc, CLUSTER_PRO, CLUSTER_TORQUE + 1);
    tcase_add_test(tc, test_pro_walltime_reason);
    tcase_add_test(tc, test_pro_array_of_one);
    suite_add_tcase(s, tc);
    return s;
}
