/* cmd_task.c - `gahpo _task TASKS_FILE TASK_ID`: one task of a Slurm or
 * PBS job array, as the array executor's batch scripts run it
 * (exec/array.c); not for users, so not in gahpo help. */
#include <signal.h>

#include "../exec/exec.h"
#include "cmd_util.h"
#include "commands.h"

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

int gahpo_cmd_task(int argc, char **argv)
{
    if (argc != 2)
        return gahpo_usage("_task TASKS_FILE TASK_ID is run by the Slurm "
                           "executor's batch scripts");
    gahpo_on_stop_signals(on_signal);
    ga_error err;
    int code;
    if (ga_exec_array_task(argv[0], argv[1], &interrupted, &code, &err))
        return gahpo_fail(&err);
    return code;
}
