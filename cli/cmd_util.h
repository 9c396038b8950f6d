/* cmd_util.h - small things the subcommands share. */
#ifndef GA_CMD_UTIL_H
#define GA_CMD_UTIL_H

/* Run `gnuplot script` in dir (argv, no shell). 0 if it ran and exited 0;
 * -1 otherwise (not installed, or it failed). */
int gahpo_gnuplot(const char *dir, const char *script);

#endif
