/* commands.h - gahpo subcommands that live in their own files (cli/cmd_*.c).
 * Each takes the arguments after its name and returns the exit status:
 * 0 ok, 1 failure, 2 bad input or usage. */
#ifndef GA_COMMANDS_H
#define GA_COMMANDS_H

/* gahpo fit: a GP surrogate from an evaluation log (see docs/SURROGATES.md). */
int gahpo_cmd_fit(int argc, char **argv);

/* Read DIR/run.json as `gahpo run --resume DIR` does (the settings, the
 * executor, the space, the initial individuals), then free all of it:
 * GA_OK, or the status a resume would stop with (err says why). For the
 * run.json fuzz harness (tests/fuzz/fuzz_runjson.c). */
#include "../ga/error.h"
int gahpo_read_run_config(const char *dir, ga_error *err);

#endif
