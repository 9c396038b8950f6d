/* cmd_async.h - the `gahpo async-experiment` subcommand. */
#ifndef GA_CMD_ASYNC_H
#define GA_CMD_ASYNC_H

/* gahpo async-experiment [--problem NAME] [--seeds N] [--workers W]
 * [--budget B] [--median H] [--sigma S] [--target T] [--out DIR] */
int gahpo_cmd_async_experiment(int argc, char **argv);

#endif
