/* commands.h - the gahpo subcommands, one cli/cmd_*.c each, that main.c's
 * table dispatches to. Each takes the arguments after its name and returns
 * the exit status: 0 ok, 1 failure, 2 bad input or usage. */
#ifndef GA_COMMANDS_H
#define GA_COMMANDS_H

#include <stdio.h>

#include "../ga/error.h"

/* 0.2.0: checkpoint format 2 (the run's identity), the run-directory lock */
#define GAHPO_VERSION "0.2.0"

/* gahpo space FILE: validate a space and describe it. */
int gahpo_cmd_space(int argc, char **argv);

/* gahpo problems list | eval NAME | info NAME: the built-in test problems. */
int gahpo_cmd_problems(int argc, char **argv);

/* gahpo run [options] [-- MODEL COMMAND ...] | run --resume DIR: a GA run
 * (cmd_run.c). */
int gahpo_cmd_run(int argc, char **argv);

/* gahpo _task TASKS_FILE TASK_ID: one task of a Slurm or PBS job array
 * (exec/array.c writes the batch scripts that run it). */
int gahpo_cmd_task(int argc, char **argv);

/* gahpo fit: a GP surrogate from an evaluation log (see docs/SURROGATES.md). */
int gahpo_cmd_fit(int argc, char **argv);

/* gahpo plot-space --space FILE --log LOG --out DIR [--objective KEY]
 * [--params a,b,...] */
int gahpo_cmd_plot_space(int argc, char **argv);

/* gahpo sweep SPEC [--threads N] [--out DIR] [--resume] [--quiet];
 * on a cluster: --executor slurm|pbs --chunks K [scheduler options]; one
 * chunk (what each array task runs): --chunk k/K --out DIR */
int gahpo_cmd_sweep(int argc, char **argv);

/* gahpo analyze DIR */
int gahpo_cmd_analyze(int argc, char **argv);

/* gahpo tune SPEC [--threads N] [--out DIR] [--quiet]: the configurator
 * at every (budget, workers) cell, each choice on the test set,
 * results/tuned/tuned_defaults.json (sweeps/tune.h) */
int gahpo_cmd_tune(int argc, char **argv);

/* gahpo configure SPEC [--out DIR] [--threads N] [--quiet]: iterated
 * racing over the GA's parameters (sweeps/configure.h). */
int gahpo_cmd_configure(int argc, char **argv);

/* gahpo evaluate SPEC --out DIR LABEL=SETTINGS.json ...: settings against
 * CANDLE's defaults on the spec's test problems (sweeps/evaluate.h). */
int gahpo_cmd_evaluate(int argc, char **argv);

/* gahpo async-experiment [--problem NAME] [--seeds N] [--workers W]
 * [--budget B] [--median H] [--sigma S] [--target T] [--out DIR] */
int gahpo_cmd_async_experiment(int argc, char **argv);

/* gahpo help: the usage text, to out (main.c). */
void gahpo_print_help(FILE *out);

/* Read DIR/run.json as `gahpo run --resume DIR` does (the settings, the
 * executor, the space, the initial individuals), then free all of it:
 * GA_OK, or the status a resume would stop with (err says why). For the
 * run.json fuzz harness (tests/fuzz/fuzz_runjson.c). */
int gahpo_read_run_config(const char *dir, ga_error *err);

#endif
