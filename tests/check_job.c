/* check_job.c - unit tests of the job module (exec/job.h) the executors
 * share: params.json, the model's command line, ending a process group
 * (TERM, then KILL), running a job to its end (exit status, GAHPO_JOB and
 * GAHPO_JOB_INDEX, timeout, stop, a command that cannot run), and
 * ga_path, the one path builder. The jobs run /bin/sh. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cJSON.h>

#include "../exec/job.h"
#include "../ga/util.h"
#include "suites.h"
#include "testutil.h"

static const char *space_text =
    "[{\"name\":\"lr\",\"type\":\"float\",\"lower\":0.001,\"upper\":1,"
    "\"log_scale\":true},"
    " {\"name\":\"n\",\"type\":\"int\",\"lower\":1,\"upper\":9},"
    " {\"name\":\"act\",\"type\":\"categorical\",\"element_type\":\"string\","
    "\"values\":[\"relu\",\"a b;$(rm -rf x)'\\\"\"]},"
    " {\"name\":\"res\",\"type\":\"logical\"}]";

static ga_space *space(void)
{
    ga_error err;
    ga_space *s = ga_space_parse(space_text, "test", &err);
    ck_assert_msg(s, "%s", err.msg);
    return s;
}

/* The command, then --name value per parameter, values byte for byte. */
START_TEST(test_argv)
{
    ga_space *s = space();
    double genes[] = { 0.25, 3, 1, 1 };
    char *cmd[] = { "python3", "model.py" };
    char **argv = ga_job_argv(cmd, 2, s, genes, 1);
    ck_assert_ptr_nonnull(argv);
    const char *want[] = { "python3", "model.py", "--lr", "0.25", "--n", "3",
                           "--act", "a b;$(rm -rf x)'\"", "--res", "True",
                           NULL };
    for (size_t i = 0; want[i]; i++)
        ck_assert_str_eq(argv[i], want[i]);
    ck_assert_ptr_null(argv[10]);
    ck_assert_ptr_ne(argv[0], cmd[0]);  /* copies, owned by the array */
    ga_job_argv_free(argv);
    /* without param_flags: the command alone */
    argv = ga_job_argv(cmd, 2, s, genes, 0);
    ck_assert_str_eq(argv[1], "model.py");
    ck_assert_ptr_null(argv[2]);
    ga_job_argv_free(argv);
    ga_space_free(s);
}
END_TEST

/* A value longer than GA_JOB_VALUE_MAX is refused, not cut. */
START_TEST(test_argv_too_long)
{
    size_t n = GA_JOB_VALUE_MAX + 10;
    char *text = malloc(n + 200);
    char *big = malloc(n + 1);
    memset(big, 'v', n);
    big[n] = '\0';
    snprintf(text, n + 200, "[{\"name\":\"c\",\"type\":\"constant\","
             "\"value\":\"%s\"}]", big);
    ga_error err;
    ga_space *s = ga_space_parse(text, "test", &err);
    ck_assert_msg(s, "%s", err.msg);
    double g = 0;
    char *cmd[] = { "m" };
    ck_assert_ptr_null(ga_job_argv(cmd, 1, s, &g, 1));
    char **argv = ga_job_argv(cmd, 1, s, &g, 0);  /* not on the line: fine */
    ck_assert_ptr_nonnull(argv);
    ga_job_argv_free(argv);
    ga_space_free(s);
    free(big);
    free(text);
}
END_TEST

/* params.json holds the typed values by name. */
START_TEST(test_params)
{
    ga_space *s = space();
    double genes[] = { 0.5, 7, 0, 0 };
    char *dir = tu_tmpdir("job-params");
    ga_error err;
    ck_assert_int_eq(ga_job_write_params(s, genes, dir, &err), GA_OK);
    char path[4200];
    snprintf(path, sizeof path, "%s/params.json", dir);
    char *t = tu_read(path);
    cJSON *o = cJSON_Parse(t);
    ck_assert_ptr_nonnull(o);
    ck_assert(cJSON_GetObjectItem(o, "lr")->valuedouble == 0.5);
    ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(o, "n")));
    ck_assert_int_eq(cJSON_GetObjectItem(o, "n")->valueint, 7);
    ck_assert_str_eq(cJSON_GetObjectItem(o, "act")->valuestring, "relu");
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(o, "res")));
    cJSON_Delete(o);
    free(t);
    /* a directory that is not there: an error, no file */
    snprintf(path, sizeof path, "%s/missing", dir);
    ck_assert_int_ne(ga_job_write_params(s, genes, path, &err), GA_OK);
    tu_rmrf(dir);
    free(dir);
    ga_space_free(s);
}
END_TEST

/* A child that ignores SIGTERM: TERM first (the step says so once), then
 * KILL once the grace has passed, and nothing before it is due. */
START_TEST(test_end_step)
{
    int ready[2];
    ck_assert_int_eq(pipe(ready), 0);
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        signal(SIGTERM, SIG_IGN);
        (void)!write(ready[1], "r", 1);
        for (;;)
            pause();
    }
    ck_assert_int_gt(pid, 0);
    char c;
    ck_assert_int_eq(read(ready[0], &c, 1), 1);  /* ignoring TERM now */
    close(ready[0]);
    close(ready[1]);
    ck_assert_int_eq(getpgid(pid), pid);
    ga_job_term t = { 0 };
    double now = ga_now();
    ck_assert_int_eq(ga_job_end_step(pid, 0, now, &t), 0);  /* not ending */
    ck_assert_int_eq(t.sent, 0);
    ck_assert_int_eq(ga_job_end_step(pid, 1, now, &t), 1);
    ck_assert_int_eq(t.sent, 1);
    ck_assert_int_eq(ga_job_end_step(pid, 1, now + 0.1, &t), 0);  /* once */
    tu_sleep(0.2);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, WNOHANG), 0);  /* TERM ignored */
    ga_job_end_step(pid, 1, now + GA_JOB_KILL_GRACE + 0.1, &t);
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}
END_TEST

/* Runs `sh -c script` as job `index` in a fresh directory (its path into
 * dir, caller frees); the outcome into *out. */
static char *run_sh(const char *tag, const char *script, size_t index,
                    double timeout, volatile sig_atomic_t *stop,
                    ga_job_outcome *out)
{
    char *dir = tu_tmpdir(tag);
    char *argv[] = { "sh", "-c", (char *)script, NULL };
    ga_job_run(dir, index, argv, timeout, stop, out);
    return dir;
}

/* The text of dir/file (caller frees), asserted present. */
static char *job_file(const char *dir, const char *file)
{
    char path[4300];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    char *t = tu_read(path);
    ck_assert_msg(t != NULL, "no %s", path);
    return t;
}

/* Exit 0 and exit 3 are exit statuses; the job runs in its directory with
 * GAHPO_JOB and GAHPO_JOB_INDEX, its output in stdout.txt. */
START_TEST(test_run_exit)
{
    ga_job_outcome out;
    char *dir = run_sh("job-run0", "echo \"$GAHPO_JOB_INDEX $GAHPO_JOB $PWD\"",
                       7, 0, NULL, &out);
    ck_assert(out.started && out.exited && !out.timed_out && !out.stopped);
    ck_assert_int_eq(out.exit_code, 0);
    ck_assert_str_eq(out.error, "");
    ck_assert(out.wall_time >= 0 && out.wall_time < 10);
    char want[9000];
    snprintf(want, sizeof want, "7 %s %s\n", dir, dir);
    char *seen = job_file(dir, "stdout.txt");
    ck_assert_str_eq(seen, want);
    free(seen);
    tu_rmrf(dir);
    free(dir);
    /* index 0 is an index too; a failure is its exit status */
    dir = run_sh("job-run3", "echo $GAHPO_JOB_INDEX; exit 3", 0, 0, NULL, &out);
    ck_assert(out.started && out.exited);
    ck_assert_int_eq(out.exit_code, 3);
    seen = job_file(dir, "stdout.txt");
    ck_assert_str_eq(seen, "0\n");
    free(seen);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* Its timeout ends a job (TERM), as does a stop; a command that cannot
 * be executed exits 127 with a note in stderr.txt. */
START_TEST(test_run_ended)
{
    ga_job_outcome out;
    char *dir = run_sh("job-timeout", "exec sleep 30", 0, 0.2, NULL, &out);
    ck_assert(out.started && !out.exited && out.timed_out && !out.stopped);
    ck_assert_int_eq(out.signal, SIGTERM);
    ck_assert(out.wall_time >= 0.2 && out.wall_time < 10);
    tu_rmrf(dir);
    free(dir);
    volatile sig_atomic_t stop = 1;
    dir = run_sh("job-stop", "exec sleep 30", 0, 0, &stop, &out);
    ck_assert(out.started && !out.exited && out.stopped && !out.timed_out);
    ck_assert_int_eq(out.signal, SIGTERM);
    tu_rmrf(dir);
    free(dir);
    dir = tu_tmpdir("job-noexec");
    char *argv[] = { "/nonexistent/model", NULL };
    ga_job_run(dir, 1, argv, 0, NULL, &out);
    ck_assert(out.started && out.exited);
    ck_assert_int_eq(out.exit_code, 127);
    char *note = job_file(dir, "stderr.txt");
    ck_assert_msg(strstr(note, "cannot execute the model command: "
                         "/nonexistent/model"), "%s", note);
    free(note);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* The child every executor forks: GAHPO_JOB_INDEX is the job's index (0
 * too), replacing the driver's own. */
START_TEST(test_child_index)
{
    const size_t index[] = { 12, 0, 1234567 };
    const char *want[] = { "12\n", "0\n", "1234567\n" };
    char *top = tu_tmpdir("job-child");
    setenv("GAHPO_JOB_INDEX", "99", 1);  /* the driver's, if it had one */
    for (size_t i = 0; i < sizeof index / sizeof index[0]; i++) {
        char dir[4300];
        snprintf(dir, sizeof dir, "%s/ind_%zu", top, i);
        ck_assert_int_eq(mkdir(dir, 0755), 0);
        char *argv[] = { "sh", "-c", "echo ${GAHPO_JOB_INDEX-none}", NULL };
        pid_t pid = fork();
        if (pid == 0)
            ga_job_child(dir, index[i], argv);
        int status;
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        char *seen = job_file(dir, "stdout.txt");
        ck_assert_msg(!strcmp(seen, want[i]), "%zu: %s", index[i], seen);
        free(seen);
    }
    unsetenv("GAHPO_JOB_INDEX");
    tu_rmrf(top);
    free(top);
}
END_TEST

/* ga_path: the name, or an error naming the limit, never a cut name. */
START_TEST(test_path)
{
    char buf[16];
    ga_error err;
    ck_assert_int_eq(ga_path(buf, sizeof buf, &err, "%s/%s", "ab", "cd"),
                     GA_OK);
    ck_assert_str_eq(buf, "ab/cd");
    ck_assert_int_eq(ga_path(buf, sizeof buf, &err, "%s/%s", "abcdefgh",
                             "ijklmnop"), GA_EINPUT);
    ck_assert_str_eq(buf, "");
    ck_assert_msg(strstr(err.msg, "path too long (over 15 bytes)"), "%s",
                  err.msg);
    /* exactly full: 15 characters fit */
    ck_assert_int_eq(ga_path(buf, sizeof buf, &err, "%s", "123456789012345"),
                     GA_OK);
}
END_TEST

Suite *job_suite(void)
{
    Suite *s = suite_create("job");
    TCase *tc = tcase_create("job");
    tcase_add_test(tc, test_argv);
    tcase_add_test(tc, test_argv_too_long);
    tcase_add_test(tc, test_params);
    tcase_add_test(tc, test_end_step);
    tcase_add_test(tc, test_run_exit);
    tcase_add_test(tc, test_run_ended);
    tcase_add_test(tc, test_child_index);
    tcase_add_test(tc, test_path);
    suite_add_tcase(s, tc);
    return s;
}
