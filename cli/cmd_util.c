/* cmd_util.c - small things the subcommands share. */
#include "cmd_util.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int gahpo_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gahpo_vusage("gahpo: ", "Run 'gahpo help' for usage.", fmt, ap);
    va_end(ap);
    return 2;
}

int gahpo_vusage(const char *prefix, const char *help, const char *fmt,
                 va_list ap)
{
    fputs(prefix, stderr);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n%s\n", help);
    return 2;
}

int gahpo_fail(const ga_error *err)
{
    fprintf(stderr, "gahpo: %s\n", err->msg);
    return err->status == GA_OK ? 1 : err->status;
}

void gahpo_print_warnings(const ga_space *s)
{
    for (size_t i = 0; i < s->nwarnings; i++)
        fprintf(stderr, "gahpo: warning: %s\n", s->warnings[i]);
}

void gahpo_on_stop_signals(void (*handler)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

int gahpo_gnuplot(const char *dir, const char *script)
{
    pid_t pid = fork();
    if (pid == 0) {
        if (chdir(dir) != 0)
            _exit(127);
        execlp("gnuplot", "gnuplot", script, (char *)NULL);
        _exit(127);
    }
    if (pid < 0)
        return -1;
    int status = 0;
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}
