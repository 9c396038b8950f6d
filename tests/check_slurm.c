/* check_slurm.c - the Slurm executor. Unit tests (no Slurm needed): shell
 * quoting, the batch script, reading squeue/scontrol/sbatch output, state
 * reasons, settings precedence and site profiles, which failures are
 * transient. Integration tests against a real Slurm (scripts/slurm-start.sh;
 * skipped, visibly, when sinfo finds none): those every scheduler runs
 * (check_cluster.c: results equal the local executor's, failures become NaN
 * with their reason, hostile values arrive byte for byte, SIGTERM cancels
 * every job, retries, reattaching after kill -9, async runs, a refused
 * submission),
 * and here what only Slurm's are: arrays split by --max-array-size, --budget
 * and --max-concurrent, task timeouts, a cancel from outside, retrying
 * tasks that failed while the driver was dead, SIGTERM to an async run. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>

#include "../exec/array.h"
#include "../exec/exec.h"
#include "cluster.h"
#include "suites.h"
#include "testutil.h"

#define G (char *)tu_gahpo()

/* Asked once, in the runner before it forks the tests (an unchecked
 * fixture): sinfo takes seconds to give up on a controller that is down. */
static void detect_slurm(void)
{
    tu_slurm_up();
}

#define NEED_SLURM()         \
    do {                     \
        if (!tu_slurm_up())  \
            return;          \
    } while (0)

/* ---- unit tests --------------------------------------------------------- */

static const char *hostile[] = {
    "a b", "it's \"quoted\"", "$(touch /tmp/gahpo-pwned)", "; touch x;",
    "`id`", "line1\nline2", "'", "''", "\\", "$HOME", "*", "-",
};

START_TEST(test_quote_round_trip)
{
    for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
        char *q = ga_sched_quote(hostile[i]);
        ck_assert_ptr_nonnull(q);
        ck_assert(q[0] == '\'' && q[strlen(q) - 1] == '\'');
        char cmd[1024];
        snprintf(cmd, sizeof cmd, "printf '%%s' %s", q);
        char *out = tu_sh(cmd);
        ck_assert_msg(strcmp(out, hostile[i]) == 0, "[%s] came back as [%s]",
                      hostile[i], out);
        free(out);
        free(q);
    }
    char *q = ga_sched_quote("it's");
    ck_assert_str_eq(q, "'it'\\''s'");
    free(q);
}
END_TEST

START_TEST(test_script)
{
    ga_error err;
    ga_sched_settings *s = ga_sched_settings_alloc(GA_SCHED_SLURM);
    ck_assert_int_eq(ga_sched_settings_set(s, "--partition", "gpu", &err), 0);
    ck_assert_int_eq(ga_sched_settings_set(s, "--account", "ABC123", &err), 0);
    ck_assert_int_eq(ga_sched_settings_set(s, "--time", "1:30:00", &err), 0);
    ck_assert_int_eq(ga_sched_settings_set(s, "--gpus-per-task", "1", &err), 0);
    ck_assert_int_eq(ga_sched_settings_set(s, "--mem", "16G", &err), 0);
    ck_assert_int_eq(ga_sched_settings_set(s, "--sbatch-extra",
                                           "--constraint=a100", &err), 0);
    ck_assert_int_eq(ga_sched_settings_set(s, "--slurm-setup",
                                           "module load python", &err), 0);
    /* bad values are refused with the reason */
    ck_assert_int_eq(ga_sched_settings_set(s, "--partition", "a b", &err),
                     GA_EINPUT);
    ck_assert_int_eq(ga_sched_settings_set(s, "--time", "soon", &err),
                     GA_EINPUT);
    ck_assert_int_eq(ga_sched_settings_set(s, "--nodes", "0", &err), GA_EINPUT);
    ck_assert_int_eq(ga_sched_settings_set(s, "--mem", "16 G", &err), GA_EINPUT);
    ck_assert_int_eq(ga_sched_settings_set(s, "--sbatch-extra", "--a\n--b",
                                           &err), GA_EINPUT);
    ga_array_script_info info = { .job_name = "gahpo-x-g3", .ntasks = 5,
                                  .max_concurrent = 2,
                                  .gahpo = "/opt/it's here/gahpo",
                                  .tasks_file = "/runs/a b/gen_3/array_0.tasks" };
    char *text = ga_slurm_script(s, &info, &err);
    ck_assert_msg(text != NULL, "%s", err.msg);
    const char *want[] = {
        "#!/bin/bash\n", "#SBATCH --array=0-4%2\n",
        "#SBATCH --job-name=gahpo-x-g3\n", "#SBATCH --partition=gpu\n",
        "#SBATCH --account=ABC123\n", "#SBATCH --time=1:30:00\n",
        "#SBATCH --mem=16G\n", "#SBATCH --gpus-per-task=1\n",
        "#SBATCH --constraint=a100\n", "#SBATCH --output=slurm-%A_%a.out\n",
        "\nmodule load python\n",
        "\nexec '/opt/it'\\''s here/gahpo' _task '/runs/a b/gen_3/array_0.tasks' "
        "\"$SLURM_ARRAY_TASK_ID\"\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ck_assert_msg(strstr(text, want[i]), "missing [%s] in:\n%s", want[i],
                      text);
    ck_assert_ptr_null(strstr(text, "--nodes"));  /* not given, not passed */
    /* the only expansion in the script is the array task id */
    int dollars = 0;
    for (const char *c = text; *c; c++)
        dollars += *c == '$';
    ck_assert_int_eq(dollars, 1);
    free(text);
    info.ntasks = 0;
    ck_assert_ptr_null(ga_slurm_script(s, &info, &err));
    ga_sched_settings_free(s);
}
END_TEST

START_TEST(test_parse_squeue)
{
    ga_array_task_state *st;
    size_t n;
    ga_error err;
    ck_assert_int_eq(ga_slurm_parse_squeue("12_3 RUNNING\n12_[4-6,9%2] PENDING\n"
                                           "13 COMPLETED\n\n77_0 FAILED\n",
                                           &st, &n, &err), 0);
    ck_assert_uint_eq(n, 7);
    ck_assert_str_eq(st[0].job, "12");
    ck_assert_int_eq(st[0].task, 3);
    ck_assert_str_eq(st[0].state, "RUNNING");
    ck_assert_int_eq(st[1].task, 4);
    ck_assert_int_eq(st[3].task, 6);
    ck_assert_int_eq(st[4].task, 9);
    ck_assert_str_eq(st[4].state, "PENDING");
    ck_assert_str_eq(st[5].job, "13");
    ck_assert_int_eq(st[5].task, -1);
    ck_assert_str_eq(st[6].state, "FAILED");
    free(st);
    ck_assert_int_eq(ga_slurm_parse_squeue("", &st, &n, &err), 0);
    ck_assert_uint_eq(n, 0);
    free(st);
    ck_assert_int_eq(ga_slurm_parse_squeue("12_x RUNNING\n", &st, &n, &err),
                     GA_EINPUT);
    ck_assert_int_eq(ga_slurm_parse_squeue("12_[3-1] RUNNING\n", &st, &n, &err),
                     GA_EINPUT);
    ck_assert_int_eq(ga_slurm_parse_squeue("lonely\n", &st, &n, &err),
                     GA_EINPUT);
}
END_TEST

START_TEST(test_states)
{
    const char *live[] = { "PENDING", "RUNNING", "COMPLETING", "CONFIGURING",
                           "SUSPENDED", "REQUEUED" };
    const char *final[] = { "COMPLETED", "FAILED", "TIMEOUT", "CANCELLED",
                            "NODE_FAIL", "OUT_OF_MEMORY", "PREEMPTED",
                            "BOOT_FAIL", "DEADLINE" };
    for (size_t i = 0; i < sizeof live / sizeof live[0]; i++)
        ck_assert_msg(!ga_slurm_state_final(live[i]), "%s", live[i]);
    for (size_t i = 0; i < sizeof final / sizeof final[0]; i++)
        ck_assert_msg(ga_slurm_state_final(final[i]), "%s", final[i]);
    ck_assert(!ga_slurm_state_final(""));
    ck_assert_ptr_nonnull(strstr(ga_slurm_state_reason("TIMEOUT"), "--time"));
    ck_assert_ptr_nonnull(strstr(ga_slurm_state_reason("OUT_OF_MEMORY"),
                                 "memory"));
    ck_assert_ptr_nonnull(strstr(ga_slurm_state_reason("NODE_FAIL"), "node"));
    ck_assert_ptr_nonnull(strstr(ga_slurm_state_reason("CANCELLED by 0"),
                                 "cancelled"));
    ck_assert_ptr_nonnull(strstr(ga_slurm_state_reason("FAILED"), "non-zero"));
}
END_TEST

START_TEST(test_scontrol_and_jobid)
{
    const char *text =
        "JobId=2 ArrayJobId=2 ArrayTaskId=2-3%2 JobName=a b JobState=PENDING "
        "Reason=JobArrayTaskLimit ExitCode=0:0\n"
        "JobId=4 ArrayJobId=2 ArrayTaskId=1 JobName=x JobState=FAILED "
        "Reason=NonZeroExitCode ExitCode=3:0\n"
        "JobId=3 ArrayJobId=2 ArrayTaskId=0 JobName=x JobState=TIMEOUT "
        "Reason=TimeLimit ExitCode=0:15\n";
    char buf[64];
    ck_assert_int_eq(ga_slurm_scontrol_field(text, 1, "JobState", buf,
                                             sizeof buf), 0);
    ck_assert_str_eq(buf, "FAILED");
    ck_assert_int_eq(ga_slurm_scontrol_field(text, 1, "ExitCode", buf,
                                             sizeof buf), 0);
    ck_assert_str_eq(buf, "3:0");
    ck_assert_int_eq(ga_slurm_scontrol_field(text, 0, "Reason", buf,
                                             sizeof buf), 0);
    ck_assert_str_eq(buf, "TimeLimit");
    /* task 2 is inside a pending range, not a line of its own */
    ck_assert_int_eq(ga_slurm_scontrol_field(text, 2, "JobState", buf,
                                             sizeof buf), -1);
    ck_assert_int_eq(ga_slurm_scontrol_field(text, -1, "JobState", buf,
                                             sizeof buf), 0);
    ck_assert_str_eq(buf, "PENDING");
    ck_assert_int_eq(ga_slurm_scontrol_field(text, 1, "Nope", buf, sizeof buf),
                     -1);
    char id[32];
    ck_assert_int_eq(ga_slurm_parse_jobid("123\n", id, sizeof id), 0);
    ck_assert_str_eq(id, "123");
    ck_assert_int_eq(ga_slurm_parse_jobid("4567;cluster\n", id, sizeof id), 0);
    ck_assert_str_eq(id, "4567");
    ck_assert_int_eq(ga_slurm_parse_jobid("", id, sizeof id), -1);
    ck_assert_int_eq(ga_slurm_parse_jobid("sbatch: error", id, sizeof id), -1);
}
END_TEST

static const char *fake_env(void *ctx, const char *name)
{
    const char *const *kv = ctx;
    for (; kv[0]; kv += 2)
        if (!strcmp(kv[0], name))
            return kv[1];
    return NULL;
}

START_TEST(test_settings_precedence)
{
    char *dir = tu_tmpdir("site");
    char site[4200];
    snprintf(site, sizeof site, "%s/site.json", dir);
    tu_write(site, "{\"comment\": \"test\", \"scheduler\": \"slurm\","
             "\"partition\": \"sitep\", \"account\": \"sitea\","
             "\"time\": \"2:00:00\", \"gpus_per_task\": 1, \"mem\": 4000,"
             "\"sbatch_extra\": [\"--site1\", \"--site2\"],"
             "\"setup\": [\"module load x\"]}");
    ga_error err;
    ga_sched_settings *s = ga_sched_settings_alloc(GA_SCHED_SLURM);
    ga_sched_settings_set(s, "--partition", "clip", &err);
    ga_sched_settings_set(s, "--sbatch-extra", "--cli", &err);
    const char *env[] = { "QUEUE", "envq", "PROJECT", "enva", "WALLTIME",
                          "1:00:00", "PPN", "4", NULL };
    ck_assert_msg(ga_sched_settings_resolve(s, site, fake_env, env, &err) == 0,
                  "%s", err.msg);
    ck_assert_str_eq(s->partition, "clip");      /* command line */
    ck_assert_str_eq(s->account, "enva");        /* environment */
    ck_assert_str_eq(s->time, "1:00:00");
    ck_assert_int_eq(s->ntasks_per_node, 4);
    ck_assert_int_eq(s->gpus_per_task, 1);       /* site */
    ck_assert_str_eq(s->mem, "4000");
    ck_assert_int_eq(s->retries, 0);
    ck_assert_uint_eq(s->nsbatch_extra, 3);      /* site's first, then ours */
    ck_assert_str_eq(s->sbatch_extra[0], "--site1");
    ck_assert_str_eq(s->sbatch_extra[1], "--site2");
    ck_assert_str_eq(s->sbatch_extra[2], "--cli");
    ck_assert_ptr_nonnull(s->site);
    /* run.json round trip */
    cJSON *j = ga_sched_settings_to_json(s);
    ga_sched_settings *back = ga_sched_settings_alloc(GA_SCHED_SLURM);
    ck_assert_int_eq(ga_sched_settings_apply_json(back, j, "run.json", &err), 0);
    cJSON *j2 = ga_sched_settings_to_json(back);
    char *a = cJSON_PrintUnformatted(j), *b = cJSON_PrintUnformatted(j2);
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
    cJSON_Delete(j);
    cJSON_Delete(j2);
    ga_sched_settings_free(back);
    ga_sched_settings_free(s);
    /* without the environment the site's values apply */
    s = ga_sched_settings_alloc(GA_SCHED_SLURM);
    ck_assert_int_eq(ga_sched_settings_resolve(s, site, NULL, NULL, &err), 0);
    ck_assert_str_eq(s->partition, "sitep");
    ck_assert_str_eq(s->time, "2:00:00");
    ga_sched_settings_free(s);
    /* a typo, a PBS profile, a bad value: refused with the file's name */
    const char *bad[] = { "{\"partiton\": \"x\"}", "{\"scheduler\": \"pbs\"}",
                          "{\"nodes\": 0}", "{\"setup\": \"not a list\"}",
                          "[1]" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tu_write(site, bad[i]);
        s = ga_sched_settings_alloc(GA_SCHED_SLURM);
        ck_assert_int_eq(ga_sched_settings_resolve(s, site, NULL, NULL, &err),
                         GA_EINPUT);
        ck_assert_msg(strstr(err.msg, "site.json"), "%s", err.msg);
        ga_sched_settings_free(s);
    }
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* The example profiles in sites/ load (the PBS one is refused as such). */
START_TEST(test_site_examples)
{
    const char *names[] = { "localhost", "frontier-like", "perlmutter-like" };
    ga_error err;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        ga_sched_settings *s = ga_sched_settings_alloc(GA_SCHED_SLURM);
        ck_assert_msg(ga_sched_settings_resolve(s, names[i], NULL, NULL, &err)
                      == 0, "%s: %s", names[i], err.msg);
        ga_array_script_info info = { "n", 3, 3, "/bin/gahpo", "/r/t" };
        char *text = ga_slurm_script(s, &info, &err);
        ck_assert_ptr_nonnull(text);
        free(text);
        ga_sched_settings_free(s);
    }
    ga_sched_settings *s = ga_sched_settings_alloc(GA_SCHED_SLURM);
    ck_assert_int_eq(ga_sched_settings_resolve(s, "polaris-like", NULL, NULL,
                                               &err), GA_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "pbs"));
    ga_sched_settings_free(s);
}
END_TEST

START_TEST(test_cli_usage)
{
    char *out, *err;
    int rc = tu_run((char *[]){ G, "run", "--no-env", "--problem", "sphere:d2",
                                "--out", "/tmp/never", "--partition", "x",
                                NULL }, NULL, NULL, &out, &err);
    ck_assert_int_eq(rc, 2);
    ck_assert_ptr_nonnull(strstr(err, "--executor slurm"));
    free(out);
    free(err);
    rc = tu_run((char *[]){ G, "run", "--executor", "pbs", NULL }, NULL, NULL,
                &out, &err);
    ck_assert_int_eq(rc, 2);
    free(out);
    free(err);
    rc = tu_run((char *[]){ G, "run", "--resume", "/tmp", "--partition", "x",
                            NULL }, NULL, NULL, &out, &err);
    ck_assert_int_eq(rc, 2);
    free(out);
    free(err);
}
END_TEST

/* A scheduler command is tried again on what its status says (timed out,
 * could not run) or on the scheduler's own words for an unreachable or busy
 * controller, never on the text of gahpo's own messages. */
START_TEST(test_transient_by_status)
{
    ck_assert(ga_array_transient(GA_CMD_TIMEOUT, ""));
    ck_assert(ga_array_transient(GA_CMD_CANNOT_RUN, ""));
    ck_assert(!ga_array_transient(GA_CMD_KILLED, ""));
    ck_assert(ga_array_transient(1, "sbatch: error: Batch job submission "
                                    "failed: Socket timed out on send/recv"));
    ck_assert(ga_array_transient(1, "qsub: cannot connect to server pbs "
                                    "(errno=111) Connection refused"));
    ck_assert(!ga_array_transient(1, "sbatch: error: Batch job submission "
                                     "failed: Invalid account"));
    /* gahpo's own wording counts for nothing when the status says exit 1 */
    ck_assert(!ga_array_transient(1, "sbatch: no answer within 120 s"));
    char *out, *err;
    char *killed[] = { "/bin/sh", "-c", "kill -9 $$", NULL };
    ck_assert_int_eq(ga_array_run_cmd(killed, NULL, &out, &err), GA_CMD_KILLED);
    free(out);
    free(err);
    char *three[] = { "/bin/sh", "-c", "echo no >&2; exit 3", NULL };
    ck_assert_int_eq(ga_array_run_cmd(three, NULL, &out, &err), 3);
    ck_assert_str_eq(err, "no\n");
    free(out);
    free(err);
}
END_TEST

/* ---- with a real Slurm: what only Slurm's tests cover --------------------- */

static const cluster_backend *const slurm = &cluster_backends[CLUSTER_SLURM];

/* --max-array-size 3 splits a generation of 4 into arrays of 3 and 1
 * (submitted together); 1 makes one job per evaluation. Same results as
 * the local executor either way. */
START_TEST(test_split_arrays)
{
    NEED_SLURM();
    char *dir = tu_tmpdir("slurm-split");
    char *err;
    const char *local[] = { "--seed", "7", NULL };
    int rc = cluster_run_ga(NULL, dir, "local", cluster_space, "ok", local,
                            &err);
    ck_assert_msg(rc == 0, "%s", err);
    free(err);
    const char *sizes[] = { "3", "1" };
    const int arrays[] = { 2, 4 };
    for (int i = 0; i < 2; i++) {
        const char *extra[] = { "--seed", "7", "--max-array-size", sizes[i],
                                NULL };
        char sub[32], a[4200], b[4200], path[4300];
        snprintf(sub, sizeof sub, "split%s", sizes[i]);
        rc = cluster_run_ga(slurm, dir, sub, NULL, "ok", extra, &err);
        ck_assert_msg(rc == 0, "%s", err);
        free(err);
        snprintf(a, sizeof a, "%s/%s", dir, sub);
        snprintf(b, sizeof b, "%s/local", dir);
        tu_assert_same_file(a, b, "stats.csv");
        tu_assert_same_file(a, b, "best.json");
        snprintf(path, sizeof path, "%s/gen_0/jobs.txt", a);
        ck_assert_int_eq(tu_count_lines(path), arrays[i]);
        snprintf(path, sizeof path, "%s/gen_0/array_0.sh", a);
        char *script = tu_read(path);
        ck_assert_ptr_nonnull(strstr(script, i ? "#SBATCH --array=0-0%"
                                               : "#SBATCH --array=0-2%"));
        ck_assert_ptr_null(strstr(script, "max-array-size"));
        free(script);
    }
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* --budget picks the tuned defaults' entry for the cluster's workers: the
 * resolved --max-concurrent, not --jobs. */
START_TEST(test_budget_workers_from_max_concurrent)
{
    NEED_SLURM();
    char run[4200];
    char *dir = cluster_run_dir(slurm, "budget", cluster_space, run,
                                sizeof run);
    tu_argv a = { .n = 0 };
    cluster_ga_argv(&a, slurm, dir, "run");
    tu_argv_add(&a, "--population-size", "2", "--num-iter", "1",
                "--nan-policy", "worst", "--budget", "500", "--max-concurrent",
                "16", "--", "/bin/false", NULL);
    char *out, *err;
    int rc = tu_run(a.v, NULL, NULL, &out, &err);
    (void)rc;  /* /bin/false fails every evaluation; the choice is made */
    ck_assert_msg(strstr(err, "(budget 500, workers 16)") != NULL, "%s", err);
    free(out);
    free(err);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* --timeout: a task that runs past it is stopped, and its evaluation fails
 * saying so. */
START_TEST(test_task_timeout)
{
    NEED_SLURM();
    char *dir = tu_tmpdir("slurm-timeout");
    char *err;
    const char *extra[] = { "--timeout", "1", NULL };
    double t0 = (double)time(NULL);
    int rc = cluster_run_ga(slurm, dir, "run", cluster_long_sleep_space,
                            "sleep", extra, &err);
    ck_assert_int_eq(rc, 1);
    ck_assert((double)time(NULL) - t0 < 90);  /* 600 s sleeps were stopped */
    free(err);
    char run[4200];
    snprintf(run, sizeof run, "%s/run", dir);
    int lines, failed, with;
    tu_scan_log(run, &lines, &failed, "timeout after 1 s", &with);
    ck_assert_int_eq(with, 4);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* Cancelled from outside: the evaluations fail, saying so. */
START_TEST(test_cancelled_outside)
{
    NEED_SLURM();
    char run[4200];
    char *dir = cluster_run_dir(slurm, "scancel", cluster_space, run,
                                sizeof run);
    tu_argv a = { .n = 0 };
    cluster_ga_argv(&a, slurm, dir, "run");
    tu_argv_add(&a, "--population-size", "4", "--num-iter", "2", "--jobs", "4",
                "--", tu_model(), "sleep", NULL);
    pid_t pid = tu_spawn_quiet(a.v);
    char id[128], cmd[256];
    cluster_wait_running(slurm, run, 1, id, sizeof id);
    snprintf(cmd, sizeof cmd, "scancel %s", id);
    ck_assert_int_eq(system(cmd), 0);
    int status;
    waitpid(pid, &status, 0);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1);
    int lines, failed, with;
    tu_scan_log(run, &lines, &failed, "CANCELLED", &with);
    ck_assert_int_eq(failed, 4);
    ck_assert_int_eq(with, 4);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* Tasks that fail while the driver is dead: --resume retries them as
 * --retries says (the model fails on its first call, after 2 s). */
START_TEST(test_retry_after_reattach)
{
    NEED_SLURM();
    char *dir = tu_tmpdir("slurm-retry-dead");
    char flaky[4300], run[4200];
    cluster_write_flaky(dir, "True", 2, flaky, sizeof flaky);
    snprintf(run, sizeof run, "%s/run", dir);
    tu_argv a = { .n = 0 };
    cluster_ga_argv(&a, slurm, dir, "run");
    tu_argv_add(&a, "--population-size", "2", "--num-iter", "1", "--jobs", "2",
                "--quiet", "--retries", "1", "--", flaky, NULL);
    pid_t pid = tu_spawn_quiet(a.v);
    char id[128];
    cluster_wait_running(slurm, run, 1, id, sizeof id);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    /* they failed meanwhile */
    ck_assert_int_eq(cluster_tasks_left(slurm, id, 30), 0);
    char *err;
    ck_assert_msg(cluster_resume(run, &err) == 0, "%s", err);
    free(err);
    int lines, failed, with;
    tu_scan_log(run, &lines, &failed, NULL, &with);
    ck_assert_int_eq(lines, 2);
    ck_assert_int_eq(failed, 0);
    ck_assert_int_eq(tu_count_calls(run), 4);  /* failed once, then ran */
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* SIGTERM to an async driver cancels every task it has in flight. */
START_TEST(test_async_slurm_sigterm)
{
    NEED_SLURM();
    char run[4200];
    char *dir = cluster_run_dir(slurm, "async-term", cluster_space, run,
                                sizeof run);
    tu_argv a = { .n = 0 };
    cluster_ga_argv(&a, slurm, dir, "run");
    tu_argv_add(&a, "--strategy", "async", "--population-size", "4",
                "--num-iter", "2", "--jobs", "2", "--", tu_model(), "sleep",
                NULL);
    pid_t pid = tu_spawn_quiet(a.v);
    char id[128];
    cluster_wait_running(slurm, run, 1, id, sizeof id);
    kill(pid, SIGTERM);
    int status;
    waitpid(pid, &status, 0);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1);
    ck_assert_int_eq(tu_slurm_tasks_left(id, 10), 0);
    char path[4300];
    snprintf(path, sizeof path, "%s/evals.jsonl", run);
    ck_assert_int_eq(tu_count_lines(path), 0);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

Suite *slurm_suite(void)
{
    Suite *s = suite_create("slurm");
    TCase *unit = tcase_create("slurm-unit");
    tcase_add_test(unit, test_quote_round_trip);
    tcase_add_test(unit, test_script);
    tcase_add_test(unit, test_parse_squeue);
    tcase_add_test(unit, test_states);
    tcase_add_test(unit, test_scontrol_and_jobid);
    tcase_add_test(unit, test_settings_precedence);
    tcase_add_test(unit, test_site_examples);
    tcase_add_test(unit, test_cli_usage);
    tcase_add_test(unit, test_transient_by_status);
    suite_add_tcase(s, unit);
    TCase *tc = tcase_create("slurm-cluster");
    tcase_add_unchecked_fixture(tc, detect_slurm, NULL);
    tcase_set_timeout(tc, 120);
    cluster_add_tests(tc, CLUSTER_SLURM, CLUSTER_SLURM + 1);
    tcase_add_test(tc, test_split_arrays);
    tcase_add_test(tc, test_budget_workers_from_max_concurrent);
    tcase_add_test(tc, test_task_timeout);
    tcase_add_test(tc, test_cancelled_outside);
    tcase_add_test(tc, test_retry_after_reattach);
    tcase_add_test(tc, test_async_slurm_sigterm);
    suite_add_tcase(s, tc);
    return s;
}
