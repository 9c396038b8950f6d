/* commands.h - gahpo subcommands that live in their own files (cli/cmd_*.c).
 * Each takes the arguments after its name and returns the exit status:
 * 0 ok, 1 failure, 2 bad input or usage. */
#ifndef GA_COMMANDS_H
#define GA_COMMANDS_H

/* gahpo fit: a GP surrogate from an evaluation log (see docs/SURROGATES.md). */
int gahpo_cmd_fit(int argc, char **argv);

#endif
