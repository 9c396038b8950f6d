/* check_pbs.c - the PBS executor. Unit tests (no PBS needed): the batch
 * script and qsub's arguments in both dialects, reading qsub and qstat
 * output (PBS Pro's JSON, Torque's -f records), states and their reasons,
 * settings and site profiles. Integration tests: the Torque dialect against
 * the real Torque wrappers of Debian's slurm-wlm-torque over the local
 * Slurm (skipped, visibly, when either is missing); the PBS Pro dialect
 * against the project's PBS Pro EMULATOR in tests/pbs-emulator (not a real
 * PBS server). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>

#include "../exec/array.h"
#include "../exec/exec.h"
#include "suites.h"
#include "testutil.h"

#define G (char *)tu_gahpo()

static char model[4096];

static void setup(void)
{
    snprintf(model, sizeof model, "%s/tests/models/model.py", tu_root());
}

static int count_of(const char *text, const char *what)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, what)); p += strlen(what))
        n++;
    return n;
}

/* ---- unit tests --------------------------------------------------------- */

static ga_slurm_settings *pbs_settings(const char *dialect)
{
    ga_error err;
    ga_slurm_settings *s = ga_pbs_settings_alloc();
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(ga_slurm_settings_set(s, "--pbs-dialect", dialect, &err),
                     0);
    return s;
}

START_TEST(test_script_pro)
{
    ga_error err;
    ga_slurm_settings *s = pbs_settings("pro");
    const char *set[][2] = {
        { "--account", "ABC123" }, { "--queue", "debug-scaling" },
        { "--walltime", "01:00:00" }, { "--cpus-per-task", "8" },
        { "--gpus-per-task", "1" }, { "--mem", "16G" },
        { "--filesystems", "home:grand" }, { "--pbs-extra", "-l place=scatter" },
        { "--pbs-setup", "module load conda" },
    };
    for (size_t i = 0; i < sizeof set / sizeof set[0]; i++)
        ck_assert_msg(ga_slurm_settings_set(s, set[i][0], set[i][1], &err) == 0,
                      "%s: %s", set[i][0], err.msg);
    ga_slurm_script_info info = { .job_name = "gahpo-x-g3", .ntasks = 5,
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
    ck_assert_int_eq(count_of(text, "$"), 1);  /* only the array index */
    ck_assert_ptr_null(strstr(text, "#PBS -J"));  /* that is on qsub's line */
    free(text);
    /* a whole select spec wins over the counts */
    ck_assert_int_eq(ga_slurm_settings_set(s, "--select", "2:system=polaris",
                                           &err), 0);
    text = ga_pbs_script(s, &info, &err);
    ck_assert_ptr_nonnull(strstr(text, "#PBS -l select=2:system=polaris\n"));
    ck_assert_int_eq(count_of(text, "select="), 1);
    free(text);
    info.ntasks = 0;
    ck_assert_ptr_null(ga_pbs_script(s, &info, &err));
    info.ntasks = 2;
    info.job_name = "a b";
    ck_assert_ptr_null(ga_pbs_script(s, &info, &err));
    ga_slurm_settings_free(s);
}
END_TEST

START_TEST(test_script_torque)
{
    ga_error err;
    ga_slurm_settings *s = pbs_settings("torque");
    ck_assert_int_eq(ga_slurm_settings_set(s, "--nodes", "1", &err), 0);
    ck_assert_int_eq(ga_slurm_settings_set(s, "--cpus-per-task", "4", &err), 0);
    ck_assert_int_eq(ga_slurm_settings_set(s, "--mem", "4000", &err), 0);
    ck_assert_int_eq(ga_slurm_settings_set(s, "--walltime", "00:10:00", &err),
                     0);
    ga_slurm_script_info info = { "gahpo-t-g0", 3, 3, "/bin/gahpo", "/r/t" };
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
    ga_slurm_settings_free(s);
}
END_TEST

/* -J needs 2 subjobs in PBS Pro: 1 task is a plain job. */
START_TEST(test_qsub_argv)
{
    char *argv[8], buf[64];
    ga_slurm_script_info info = { "n", 4, 4, "/g", "/t" };
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
    ga_slurm_task_state *st;
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
    ga_slurm_task_state *st;
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
    ga_slurm_settings *s = ga_pbs_settings_alloc();
    /* each executor takes only its own options */
    ck_assert_int_eq(ga_slurm_settings_set(s, "--partition", "gpu", &err),
                     GA_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "Slurm option"));
    ck_assert_int_eq(ga_slurm_settings_set(s, "--pbs-dialect", "lsf", &err),
                     GA_EINPUT);
    ck_assert_int_eq(ga_slurm_settings_set(s, "--queue", "a b", &err),
                     GA_EINPUT);
    ga_slurm_settings *sl = ga_slurm_settings_alloc();
    ck_assert_int_eq(ga_slurm_settings_set(sl, "--queue", "q", &err),
                     GA_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "PBS option"));
    ga_slurm_settings_free(sl);
    /* command line > CANDLE's variables > site profile */
    ck_assert_int_eq(ga_slurm_settings_set(s, "--queue", "prod", &err), 0);
    const char *env[] = { "WALLTIME", "02:00:00", "QUEUE", "debug", "PROJECT",
                          "P1", "PPN", "4", "PROCS", "6", NULL };
    ck_assert_msg(ga_slurm_settings_resolve(s, "polaris-like", env_of, env,
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
    cJSON *j = ga_slurm_settings_to_json(s);
    ck_assert_str_eq(cJSON_GetObjectItem(j, "scheduler")->valuestring, "pbs");
    ga_slurm_settings *back = ga_pbs_settings_alloc();
    ck_assert_int_eq(ga_slurm_settings_apply_json(back, j, "run.json", &err), 0);
    ck_assert_str_eq(back->queue, "prod");
    ck_assert_str_eq(back->filesystems, "home:eagle");
    ck_assert_uint_eq(back->nsetup, 3);
    cJSON_Delete(j);
    ga_slurm_settings_free(back);
    ga_slurm_settings_free(s);
    /* the test cluster through the Torque wrappers */
    s = ga_pbs_settings_alloc();
    ck_assert_msg(ga_slurm_settings_resolve(s, "localhost-torque", NULL, NULL,
                                            &err) == 0, "%s", err.msg);
    ck_assert_str_eq(s->dialect, "torque");
    ga_slurm_settings_free(s);
    /* a Slurm profile is refused by the PBS executor */
    s = ga_pbs_settings_alloc();
    ck_assert_int_eq(ga_slurm_settings_resolve(s, "localhost", NULL, NULL,
                                               &err), GA_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "slurm"));
    ga_slurm_settings_free(s);
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

/* ---- integration: the two dialects ---------------------------------------- */

static const char *space_text =
    "[{\"name\":\"x\",\"type\":\"float\",\"lower\":-2,\"upper\":2},"
    " {\"name\":\"n\",\"type\":\"int\",\"lower\":0,\"upper\":3},"
    " {\"name\":\"opt\",\"type\":\"categorical\",\"element_type\":\"string\","
    "\"values\":[\"adam\",\"sgd\"]},"
    " {\"name\":\"res\",\"type\":\"logical\"}]";

/* Slurm up and slurm-wlm-torque's qsub installed (asked once). */
static int torque_up = -1;

static void detect_torque(void)
{
    if (torque_up >= 0)
        return;
    char *out = tu_sh("timeout 15 sinfo -h -o %T 2>/dev/null");
    int slurm = strstr(out, "idle") || strstr(out, "mix") ||
                strstr(out, "alloc");
    free(out);
    out = tu_sh("grep -l Slurm /usr/bin/qsub /usr/bin/qstat 2>/dev/null | wc -l");
    torque_up = slurm && atoi(out) == 2;
    free(out);
    if (!torque_up)
        fprintf(stderr, "SKIPPED: Torque dialect tests need a running Slurm "
                "and Debian's slurm-wlm-torque wrappers (scripts/slurm-start.sh "
                "installs and starts both)\n");
}

#define NEED_TORQUE()        \
    do {                     \
        detect_torque();     \
        if (!torque_up)      \
            return;          \
    } while (0)

/* The PBS Pro emulator first on PATH, with its own state directory. */
static void use_emulator(const char *dir)
{
    char path[8192], state[4300];
    snprintf(path, sizeof path, "%s/tests/pbs-emulator:%s", tu_root(),
             getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
    setenv("PATH", path, 1);
    snprintf(state, sizeof state, "%s/pbs-emulator-state", dir);
    setenv("PBS_EMULATOR_DIR", state, 1);
}

/* gahpo run with the test space; extra options, then -- model mode. */
static int run_ga(const char *dir, const char *sub, const char *space,
                  const char *mode, const char *const *extra, char **err)
{
    char sp[4200], out_dir[4200];
    snprintf(sp, sizeof sp, "%s/hp.json", dir);
    if (space)
        tu_write(sp, space);
    snprintf(out_dir, sizeof out_dir, "%s/%s", dir, sub);
    char *argv[64] = { G, "run", "--no-env", "--space", sp, "--out", out_dir,
                       "--population-size", "4", "--num-iter", "2", "--jobs",
                       "4", "--quiet" };
    int k = 14;
    for (int i = 0; extra && extra[i]; i++)
        argv[k++] = (char *)extra[i];
    argv[k++] = "--";
    argv[k++] = model;
    argv[k++] = (char *)mode;
    argv[k] = NULL;
    char *out;
    char env0[4400];
    snprintf(env0, sizeof env0, "PBS_EMULATOR_DIR=%s",
             getenv("PBS_EMULATOR_DIR") ? getenv("PBS_EMULATOR_DIR") : "");
    char *env[] = { env0, NULL };
    int rc = tu_run(argv, NULL, env, &out, err);
    free(out);
    return rc;
}


/* Population 4, 2 generations, seed 7: the same files as a local run. */
static void same_as_local(const char *dialect)
{
    char *dir = tu_tmpdir("pbs-ok");
    if (!strcmp(dialect, "pro"))
        use_emulator(dir);
    char *err;
    const char *pbs[] = { "--executor", "pbs", "--pbs-dialect", dialect,
                          "--seed", "7", NULL };
    const char *local[] = { "--seed", "7", NULL };
    double t0 = (double)time(NULL);
    int rc = run_ga(dir, "pbs", space_text, "ok", pbs, &err);
    fprintf(stderr, "pbs (%s): pop 4, 2 generations: %.0f s\n", dialect,
            (double)time(NULL) - t0);
    ck_assert_msg(rc == 0, "%s", err);
    free(err);
    rc = run_ga(dir, "local", NULL, "ok", local, &err);
    ck_assert_msg(rc == 0, "%s", err);
    free(err);
    char a[4200], b[4200], path[4300];
    snprintf(a, sizeof a, "%s/pbs", dir);
    snprintf(b, sizeof b, "%s/local", dir);
    tu_assert_same_file(a, b, "stats.csv");
    tu_assert_same_file(a, b, "best.json");
    tu_assert_same_file(a, b, "population.json");
    int lines, failed, r;
    tu_scan_log(a, &lines, &failed, NULL, &r);
    ck_assert_int_eq(failed, 0);
    snprintf(path, sizeof path, "%s/gen_0/jobs.txt", a);
    ck_assert_int_eq(tu_count_lines(path), 1);
    char *jobs = tu_read(path);
    if (!strcmp(dialect, "pro"))   /* qsub -J prints ID[].SERVER */
        ck_assert_ptr_nonnull(strstr(jobs, "[].emu"));
    free(jobs);
    snprintf(path, sizeof path, "%s/run.json", a);
    char *rj = tu_read(path);
    ck_assert_ptr_nonnull(strstr(rj, "\"pbs\""));
    ck_assert_ptr_nonnull(strstr(rj, dialect));
    free(rj);
    tu_rmrf(dir);
    free(dir);
}

static void model_fails(const char *dialect)
{
    char *dir = tu_tmpdir("pbs-fail");
    if (!strcmp(dialect, "pro"))
        use_emulator(dir);
    char *err;
    const char *extra[] = { "--executor", "pbs", "--pbs-dialect", dialect,
                            NULL };
    int rc = run_ga(dir, "run", space_text, "fail", extra, &err);
    ck_assert_int_eq(rc, 1);
    ck_assert_ptr_nonnull(strstr(err, "all 4 evaluations in generation 0 failed"));
    free(err);
    char run[4200];
    snprintf(run, sizeof run, "%s/run", dir);
    int lines, failed, with;
    tu_scan_log(run, &lines, &failed, "exit status 3 (PBS job", &with);
    ck_assert_int_eq(failed, 4);
    ck_assert_int_eq(with, 4);
    tu_rmrf(dir);
    free(dir);
}

/* A task whose result file is garbage: NaN, the reason says why. */
START_TEST(test_pro_garbage_result)
{
    char *dir = tu_tmpdir("pbs-garbage");
    use_emulator(dir);
    char *err;
    const char *extra[] = { "--executor", "pbs", "--pbs-dialect", "pro", NULL };
    int rc = run_ga(dir, "run", space_text, "garbage", extra, &err);
    ck_assert_int_eq(rc, 1);
    free(err);
    char run[4200];
    snprintf(run, sizeof run, "%s/run", dir);
    int lines, failed, with;
    tu_scan_log(run, &lines, &failed,
                "result.json: cannot parse: not a number and not JSON", &with);
    ck_assert_int_eq(failed, 4);
    ck_assert_int_eq(with, 4);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

static void hostile_values(const char *dialect)
{
    char *dir = tu_tmpdir("pbs-hostile");
    if (!strcmp(dialect, "pro"))
        use_emulator(dir);
    char marker[4200];
    snprintf(marker, sizeof marker, "%s/pwned", dir);
    const char *values[] = {
        "a b", "it's \"quoted\"", "$(touch PWNED)", "; touch PWNED;",
        "`touch PWNED`", "line1\nline2", "--x", "'; touch PWNED; '", "*",
        "$HOME",
    };
    cJSON *sp = cJSON_CreateArray();
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "name", "v");
    cJSON_AddStringToObject(p, "type", "categorical");
    cJSON_AddStringToObject(p, "element_type", "string");
    cJSON *vals = cJSON_AddArrayToObject(p, "values");
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char v[4400];
        snprintf(v, sizeof v, "%s", values[i]);
        char *at = strstr(v, "PWNED");
        if (at) {
            char tail[4400];
            snprintf(tail, sizeof tail, "%s", at + 5);
            snprintf(at, sizeof v - (size_t)(at - v), "%s%s", marker, tail);
        }
        cJSON_AddItemToArray(vals, cJSON_CreateString(v));
    }
    cJSON_AddItemToArray(sp, p);
    char *text = cJSON_Print(sp);
    char space[4200], out_dir[4200], env0[4400];
    snprintf(space, sizeof space, "%s/hp.json", dir);
    tu_write(space, text);
    free(text);
    snprintf(out_dir, sizeof out_dir, "%s/run", dir);
    snprintf(env0, sizeof env0, "PBS_EMULATOR_DIR=%s",
             getenv("PBS_EMULATOR_DIR") ? getenv("PBS_EMULATOR_DIR") : "");
    char *out, *err;
    int rc = tu_run((char *[]){ G, "run", "--no-env", "--space", space, "--out",
                                out_dir, "--population-size", "12", "--num-iter",
                                "1", "--jobs", "12", "--quiet", "--executor",
                                "pbs", "--pbs-dialect", (char *)dialect,
                                "--no-cache", "--", model, "ok", NULL },
                    NULL, (char *[]){ env0, NULL }, &out, &err);
    ck_assert_msg(rc == 0, "%s", err);
    ck_assert_int_ne(access(marker, F_OK), 0);  /* nothing ran */
    for (int i = 0; i < 12; i++) {
        char path[4400];
        snprintf(path, sizeof path, "%s/gen_0/ind_%d/argv.json", out_dir, i);
        char *argv = tu_read(path);
        ck_assert_ptr_nonnull(argv);
        cJSON *a = cJSON_Parse(argv);
        snprintf(path, sizeof path, "%s/gen_0/ind_%d/params.json", out_dir, i);
        char *params = tu_read(path);
        cJSON *pj = cJSON_Parse(params);
        const char *from_argv = cJSON_GetArrayItem(a, 1)->valuestring;
        ck_assert_str_eq(from_argv, cJSON_GetObjectItem(pj, "v")->valuestring);
        int known = 0;
        const cJSON *v;
        cJSON_ArrayForEach(v, vals) known |= strcmp(v->valuestring, from_argv) == 0;
        ck_assert_msg(known, "value changed on the way: [%s]", from_argv);
        cJSON_Delete(a);
        cJSON_Delete(pj);
        free(argv);
        free(params);
    }
    cJSON_Delete(sp);
    free(out);
    free(err);
    tu_rmrf(dir);
    free(dir);
}

START_TEST(test_torque_same_as_local)
{
    NEED_TORQUE();
    same_as_local("torque");
}
END_TEST

START_TEST(test_torque_model_fails)
{
    NEED_TORQUE();
    model_fails("torque");
}
END_TEST

START_TEST(test_torque_hostile_values)
{
    NEED_TORQUE();
    hostile_values("torque");
}
END_TEST

START_TEST(test_pro_same_as_local)
{
    same_as_local("pro");
}
END_TEST

START_TEST(test_pro_model_fails)
{
    model_fails("pro");
}
END_TEST

START_TEST(test_pro_hostile_values)
{
    hostile_values("pro");
}
END_TEST

/* The emulator's qstat of gen_0's first array (caller frees); its id into
 * id. Waits (up to 30 s) until the array is recorded. */
static char *emu_qstat(const char *run, char *id, size_t size)
{
    char path[4300];
    snprintf(path, sizeof path, "%s/gen_0/jobs.txt", run);
    for (int i = 0; i < 300; i++, tu_sleep(0.1)) {
        char *t = tu_read(path);
        long number;
        char fmt[32];
        snprintf(fmt, sizeof fmt, "%%ld %%%zus", size - 1);
        int ok = t && sscanf(t, fmt, &number, id) == 2;
        free(t);
        if (!ok)
            continue;
        char cmd[512];
        snprintf(cmd, sizeof cmd, "qstat -x -t -f -F json '%s' 2>/dev/null", id);
        return tu_sh(cmd);
    }
    ck_abort_msg("no array submitted within 30 s");
    return NULL;
}

static void wait_emu_running(const char *run, int n, char *id, size_t size)
{
    for (int i = 0; i < 300; i++, tu_sleep(0.1)) {
        char *q = emu_qstat(run, id, size);
        int running = count_of(q, "\"job_state\": \"R\"");
        free(q);
        if (running >= n)
            return;
    }
    ck_abort_msg("the array did not start running within 30 s");
}

/* SIGTERM to the driver: qdel of the array, exit 1, nothing logged. */
START_TEST(test_pro_sigterm_qdel)
{
    char *dir = tu_tmpdir("pbs-cancel");
    use_emulator(dir);
    char sp[4200], run[4200];
    snprintf(sp, sizeof sp, "%s/hp.json", dir);
    tu_write(sp, space_text);
    snprintf(run, sizeof run, "%s/run", dir);
    char *argv[] = { G, "run", "--no-env", "--space", sp, "--out", run,
                     "--population-size", "4", "--num-iter", "2", "--jobs", "4",
                     "--executor", "pbs", "--", model, "sleep", NULL };
    pid_t pid = tu_spawn_quiet(argv);
    char id[128];
    wait_emu_running(run, 4, id, sizeof id);
    double t0 = (double)time(NULL);
    kill(pid, SIGTERM);
    int status;
    waitpid(pid, &status, 0);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1);
    ck_assert((double)time(NULL) - t0 < 30);
    char *q = emu_qstat(run, id, sizeof id);
    ck_assert_msg(count_of(q, "\"job_state\": \"R\"") == 0 &&
                  count_of(q, "\"job_state\": \"Q\"") == 0, "%s", q);
    /* every task ended by qdel's SIGTERM (the task forwards it to the model
     * and exits 143; a task killed outright would show 271) */
    ck_assert_int_eq(count_of(q, "\"Exit_status\": 143") +
                     count_of(q, "\"Exit_status\": 271"), 4);
    free(q);
    char path[4300];
    snprintf(path, sizeof path, "%s/evals.jsonl", run);
    ck_assert_int_eq(tu_count_lines(path), 0);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* Torque over Slurm: SIGTERM to the driver qdels the array (the wrapper's
 * qdel is scancel); nothing left in the queue, nothing logged. */
START_TEST(test_torque_sigterm_qdel)
{
    NEED_TORQUE();
    char *dir = tu_tmpdir("pbs-tq-cancel");
    char sp[4200], run[4200], path[4300];
    snprintf(sp, sizeof sp, "%s/hp.json", dir);
    tu_write(sp, space_text);
    snprintf(run, sizeof run, "%s/run", dir);
    char *argv[] = { G, "run", "--no-env", "--space", sp, "--out", run,
                     "--population-size", "4", "--num-iter", "2", "--jobs", "4",
                     "--executor", "pbs", "--pbs-dialect", "torque", "--", model,
                     "sleep", NULL };
    pid_t pid = tu_spawn_quiet(argv);
    snprintf(path, sizeof path, "%s/gen_0/jobs.txt", run);
    char id[128] = "", cmd[512];
    int running = 0;
    for (int i = 0; i < 300 && !running; i++, tu_sleep(0.1)) {
        char *t = tu_read(path);
        long number;
        int ok = t && sscanf(t, "%ld %127s", &number, id) == 2;
        free(t);
        if (!ok)
            continue;
        snprintf(cmd, sizeof cmd, "squeue -h -r -j %s -t R -o %%i 2>/dev/null "
                 "| wc -l", id);
        char *out = tu_sh(cmd);
        running = atoi(out);
        free(out);
    }
    ck_assert_msg(running > 0, "the array did not start within 30 s");
    kill(pid, SIGTERM);
    int status;
    waitpid(pid, &status, 0);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1);
    /* the models sleep a minute: only the qdel can empty it this soon */
    ck_assert_int_eq(tu_slurm_tasks_left(id, 10), 0);
    snprintf(path, sizeof path, "%s/evals.jsonl", run);
    ck_assert_int_eq(tu_count_lines(path), 0);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* Torque over Slurm: SIGKILL to the driver mid-array, then --resume adopts
 * the running tasks by their own job ids (job_id.txt): nothing submitted
 * twice, the same result as a local run. */
START_TEST(test_torque_reattach_after_kill)
{
    NEED_TORQUE();
    char *dir = tu_tmpdir("pbs-tq-reattach");
    char sp[4200], run[4200], ref[4200], path[4300], cmd[512], id[128] = "";
    snprintf(sp, sizeof sp, "%s/hp.json", dir);
    tu_write(sp, "[{\"name\":\"x\",\"type\":\"float\",\"lower\":-2,\"upper\":2},"
             "{\"name\":\"sleep_seconds\",\"type\":\"constant\",\"value\":3}]");
    snprintf(run, sizeof run, "%s/run", dir);
    snprintf(ref, sizeof ref, "%s/ref", dir);
    char *argv[] = { G, "run", "--no-env", "--space", sp, "--out", run,
                     "--population-size", "4", "--num-iter", "2", "--jobs", "4",
                     "--quiet", "--executor", "pbs", "--pbs-dialect", "torque",
                     "--", model, "sleep", NULL };
    pid_t pid = tu_spawn_quiet(argv);
    snprintf(path, sizeof path, "%s/gen_0/jobs.txt", run);
    int running = 0;
    for (int i = 0; i < 300 && !running; i++, tu_sleep(0.1)) {
        char *t = tu_read(path);
        long number;
        int ok = t && sscanf(t, "%ld %127s", &number, id) == 2;
        free(t);
        if (!ok)
            continue;
        snprintf(cmd, sizeof cmd, "squeue -h -r -j %s -t R -o %%i 2>/dev/null "
                 "| wc -l", id);
        char *out = tu_sh(cmd);
        running = atoi(out);
        free(out);
    }
    ck_assert_msg(running > 0, "the array did not start within 30 s");
    tu_sleep(0.5);  /* the running tasks have written job_id.txt */
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    char *out, *err;
    int rc = tu_run((char *[]){ G, "run", "--resume", run, "--quiet", NULL },
                    NULL, NULL, &out, &err);
    ck_assert_msg(rc == 0, "%s", err);
    free(out);
    free(err);
    ck_assert_int_eq(tu_count_lines(path), 1);  /* nothing submitted twice */
    rc = tu_run((char *[]){ G, "run", "--no-env", "--space", sp, "--out", ref,
                            "--population-size", "4", "--num-iter", "2",
                            "--jobs", "4", "--quiet", "--", model, "sleep",
                            NULL }, NULL, NULL, &out, &err);
    ck_assert_msg(rc == 0, "%s", err);
    free(out);
    free(err);
    tu_assert_same_file(run, ref, "stats.csv");
    tu_assert_same_file(run, ref, "best.json");
    int lines, failed, with;
    tu_scan_log(run, &lines, &failed, NULL, &with);
    ck_assert_int_eq(failed, 0);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* Killed by PBS without a status file: the reason is PBS's own. */
START_TEST(test_pro_walltime_reason)
{
    char *dir = tu_tmpdir("pbs-walltime");
    use_emulator(dir);
    char *err;
    const char *extra[] = { "--executor", "pbs", "--walltime", "00:00:01",
                            NULL };
    int rc = run_ga(dir, "run", space_text, "sleep", extra, &err);
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
    char *dir = tu_tmpdir("pbs-one");
    use_emulator(dir);
    char flaky[4200], sp[4200], run[4200], env0[4400];
    snprintf(flaky, sizeof flaky, "%s/flaky.py", dir);
    tu_write(flaky, "#!/usr/bin/python3\n"
             "import json, os, sys\n"
             "if os.path.basename(os.getcwd()) == 'ind_2' and \\\n"
             "        not os.path.exists('tried'):\n"
             "    open('tried', 'w').close()\n"
             "    sys.exit(5)\n"
             "x = float(sys.argv[2])\n"
             "json.dump({'val_loss': x * x}, open('result.json', 'w'))\n");
    chmod(flaky, 0755);
    snprintf(sp, sizeof sp, "%s/hp.json", dir);
    tu_write(sp, "[{\"name\":\"x\",\"type\":\"float\",\"lower\":-1,"
             "\"upper\":1}]");
    snprintf(run, sizeof run, "%s/run", dir);
    snprintf(env0, sizeof env0, "PBS_EMULATOR_DIR=%s", getenv("PBS_EMULATOR_DIR"));
    char *out, *err;
    int rc = tu_run((char *[]){ G, "run", "--no-env", "--space", sp, "--out",
                                run, "--population-size", "4", "--num-iter",
                                "1", "--jobs", "4", "--quiet", "--executor",
                                "pbs", "--retries", "1", "--", flaky, NULL },
                    NULL, (char *[]){ env0, NULL }, &out, &err);
    ck_assert_msg(rc == 0, "%s", err);
    int lines, failed, with;
    tu_scan_log(run, &lines, &failed, NULL, &with);
    ck_assert_int_eq(lines, 4);
    ck_assert_int_eq(failed, 0);
    char path[4300];
    snprintf(path, sizeof path, "%s/gen_0/jobs.txt", run);
    char *jobs = tu_read(path);
    long n0, n1;
    char id0[128], id1[128];
    ck_assert_int_eq(sscanf(jobs, "%ld %127s %ld %127s", &n0, id0, &n1, id1), 4);
    ck_assert_ptr_nonnull(strstr(id0, "[]"));   /* the array of 4 */
    ck_assert_ptr_null(strchr(id1, '['));       /* the retry: a plain job */
    free(jobs);
    free(out);
    free(err);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* SIGKILL to the driver mid-array, then --resume: nothing submitted twice,
 * the same result as an uninterrupted local run. */
START_TEST(test_pro_reattach_after_kill)
{
    char *dir = tu_tmpdir("pbs-reattach");
    use_emulator(dir);
    char sp[4200], run[4200], ref[4200], env0[4400];
    snprintf(sp, sizeof sp, "%s/hp.json", dir);
    tu_write(sp, "[{\"name\":\"x\",\"type\":\"float\",\"lower\":-2,\"upper\":2},"
             "{\"name\":\"sleep_seconds\",\"type\":\"constant\",\"value\":2}]");
    snprintf(run, sizeof run, "%s/run", dir);
    snprintf(ref, sizeof ref, "%s/ref", dir);
    snprintf(env0, sizeof env0, "PBS_EMULATOR_DIR=%s", getenv("PBS_EMULATOR_DIR"));
    char *argv[] = { G, "run", "--no-env", "--space", sp, "--out", run,
                     "--population-size", "4", "--num-iter", "2", "--jobs", "4",
                     "--quiet", "--executor", "pbs", "--", model, "sleep",
                     NULL };
    pid_t pid = tu_spawn_quiet(argv);
    char id[128];
    wait_emu_running(run, 1, id, sizeof id);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    char *out, *err;
    int rc = tu_run((char *[]){ G, "run", "--resume", run, "--quiet", NULL },
                    NULL, (char *[]){ env0, NULL }, &out, &err);
    ck_assert_msg(rc == 0, "%s", err);
    free(out);
    free(err);
    char path[4300];
    snprintf(path, sizeof path, "%s/gen_0/jobs.txt", run);
    ck_assert_int_eq(tu_count_lines(path), 1);  /* nothing submitted twice */
    rc = tu_run((char *[]){ G, "run", "--no-env", "--space", sp, "--out", ref,
                            "--population-size", "4", "--num-iter", "2",
                            "--jobs", "4", "--quiet", "--", model, "sleep",
                            NULL }, NULL, NULL, &out, &err);
    ck_assert_msg(rc == 0, "%s", err);
    free(out);
    free(err);
    tu_assert_same_file(run, ref, "stats.csv");
    tu_assert_same_file(run, ref, "best.json");
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* A driver killed after qsub took the array but before jobs.txt had its
 * id (made by removing the line, leaving the marker the driver writes
 * before qsub runs): --resume finds the job in `qstat -f -F json` by its
 * Submit_arguments and PBS_O_WORKDIR, records and adopts it; each
 * evaluation of generation 0 runs once. */
START_TEST(test_pro_reattach_unrecorded)
{
    char *dir = tu_tmpdir("pbs-unrecorded");
    use_emulator(dir);
    char sp[4200], run[4200], path[4300], env0[4400];
    snprintf(sp, sizeof sp, "%s/hp.json", dir);
    tu_write(sp, "[{\"name\":\"x\",\"type\":\"float\",\"lower\":-2,\"upper\":2},"
             "{\"name\":\"sleep_seconds\",\"type\":\"constant\",\"value\":2}]");
    snprintf(run, sizeof run, "%s/run", dir);
    snprintf(env0, sizeof env0, "PBS_EMULATOR_DIR=%s", getenv("PBS_EMULATOR_DIR"));
    char *argv[] = { G, "run", "--no-env", "--space", sp, "--out", run,
                     "--population-size", "4", "--num-iter", "2", "--jobs", "4",
                     "--quiet", "--no-cache", "--executor", "pbs",
                     "--pbs-dialect", "pro", "--", model, "sleep", NULL };
    pid_t pid = tu_spawn_quiet(argv);
    char id[128];
    wait_emu_running(run, 1, id, sizeof id);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    snprintf(path, sizeof path, "%s/gen_0/jobs.txt", run);
    ck_assert_int_eq(unlink(path), 0);
    snprintf(path, sizeof path, "%s/gen_0/array_0.submitting", run);
    tu_write(path, "");
    char *out, *err;
    int rc = tu_run((char *[]){ G, "run", "--resume", run, "--quiet", NULL },
                    NULL, (char *[]){ env0, NULL }, &out, &err);
    ck_assert_msg(rc == 0, "%s", err);
    free(out);
    free(err);
    ck_assert_int_ne(access(path, F_OK), 0);  /* the marker is gone */
    snprintf(path, sizeof path, "%s/gen_0/jobs.txt", run);
    char *jobs = tu_read(path), want[160];
    snprintf(want, sizeof want, "0 %s\n", id);
    ck_assert_str_eq(jobs, want);  /* recorded, nothing submitted again */
    free(jobs);
    ck_assert_int_eq(tu_count_calls(run), 4);  /* generation 0 ran once */
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* qsub refusing (a bad queue, say): exit 1 at once with its message. */
START_TEST(test_pro_qsub_refuses)
{
    char *dir = tu_tmpdir("pbs-refuse");
    use_emulator(dir);
    setenv("PBS_EMULATOR_REFUSE", "Unknown queue", 1);
    char *err;
    const char *extra[] = { "--executor", "pbs", "--queue", "nosuch", NULL };
    char sp[4200], env0[4400], out_dir[4200];
    snprintf(sp, sizeof sp, "%s/hp.json", dir);
    tu_write(sp, space_text);
    snprintf(out_dir, sizeof out_dir, "%s/run", dir);
    snprintf(env0, sizeof env0, "PBS_EMULATOR_REFUSE=Unknown queue");
    char *out;
    int rc = tu_run((char *[]){ G, "run", "--no-env", "--space", sp, "--out",
                                out_dir, "--population-size", "4", "--quiet",
                                (char *)extra[0], (char *)extra[1],
                                (char *)extra[2], (char *)extra[3], "--", model,
                                "ok", NULL }, NULL, (char *[]){ env0, NULL },
                    &out, &err);
    ck_assert_int_eq(rc, 1);
    ck_assert_msg(strstr(err, "qsub") && strstr(err, "Unknown queue"), "%s",
                  err);
    free(out);
    free(err);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* --strategy async on PBS: PBS Pro against the emulator (run, then kill -9
 * and resume: tasks in flight adopted, each ran once), Torque against the
 * wrappers over the local Slurm (one run). */
static void async_pbs(const char *dir, const char *dialect_opt,
                      const char *dialect, int kill_first)
{
    char sp[4200], run[4200], env0[4400];
    snprintf(sp, sizeof sp, "%s/hp.json", dir);
    tu_write(sp, "[{\"name\":\"x\",\"type\":\"float\",\"lower\":-2,\"upper\":2},"
             "{\"name\":\"sleep_seconds\",\"type\":\"constant\",\"value\":1}]");
    snprintf(run, sizeof run, "%s/run", dir);
    const char *emu = getenv("PBS_EMULATOR_DIR");
    snprintf(env0, sizeof env0, "PBS_EMULATOR_DIR=%s", emu ? emu : "");
    char *argv[] = { G, "run", "--no-env", "--space", sp, "--out", run,
                     "--strategy", "async", "--population-size", "4",
                     "--num-iter", "2", "--jobs", "3", "--quiet", "--no-cache",
                     "--executor", "pbs", (char *)dialect_opt,
                     (char *)dialect, "--", model, "sleep", NULL };
    char *out, *err;
    int rc;
    if (kill_first) {
        pid_t pid = tu_spawn_quiet(argv);
        char id[128];
        wait_emu_running(run, 1, id, sizeof id);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        rc = tu_run((char *[]){ G, "run", "--resume", run, "--quiet", NULL },
                    NULL, (char *[]){ env0, NULL }, &out, &err);
    } else {
        rc = tu_run(argv, NULL, (char *[]){ env0, NULL }, &out, &err);
    }
    ck_assert_msg(rc == 0, "%s", err);
    free(out);
    free(err);
    ck_assert_int_eq(tu_check_async_log(run, 4 + 1 * 2), 6);
    ck_assert_int_eq(tu_count_calls(run), 6);
}

START_TEST(test_pro_async)
{
    char *dir = tu_tmpdir("pbs-async");
    use_emulator(dir);
    async_pbs(dir, "--pbs-dialect", "pro", _i);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(test_torque_async)
{
    NEED_TORQUE();
    char *dir = tu_tmpdir("torque-async");
    async_pbs(dir, "--pbs-dialect", "torque", 0);
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
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_unchecked_fixture(tc, detect_torque, NULL);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_torque_same_as_local);
    tcase_add_test(tc, test_torque_model_fails);
    tcase_add_test(tc, test_torque_hostile_values);
    tcase_add_test(tc, test_torque_sigterm_qdel);
    tcase_add_test(tc, test_torque_reattach_after_kill);
    tcase_add_test(tc, test_torque_async);
    tcase_add_test(tc, test_pro_same_as_local);
    tcase_add_test(tc, test_pro_model_fails);
    tcase_add_test(tc, test_pro_garbage_result);
    tcase_add_test(tc, test_pro_hostile_values);
    tcase_add_test(tc, test_pro_sigterm_qdel);
    tcase_add_test(tc, test_pro_walltime_reason);
    tcase_add_test(tc, test_pro_array_of_one);
    tcase_add_test(tc, test_pro_reattach_after_kill);
    tcase_add_test(tc, test_pro_reattach_unrecorded);
    tcase_add_test(tc, test_pro_qsub_refuses);
    tcase_add_loop_test(tc, test_pro_async, 0, 2);
    suite_add_tcase(s, tc);
    return s;
}
