/* cmd_sweep.h - the `gahpo sweep` and `gahpo analyze` subcommands. */
#ifndef GA_CMD_SWEEP_H
#define GA_CMD_SWEEP_H

/* gahpo sweep SPEC [--threads N] [--out DIR] [--resume] [--quiet];
 * on a cluster: --executor slurm|pbs --chunks K [scheduler options]; one
 * chunk (what each array task runs): --chunk k/K --out DIR */
int gahpo_cmd_sweep(int argc, char **argv, const char *version);

/* gahpo tune SPEC [--threads N] [--out DIR] [--quiet]: a sweep per budget
 * class, a selection per worker count, results/tuned/tuned_defaults.json */
int gahpo_cmd_tune(int argc, char **argv, const char *version);

/* gahpo analyze DIR */
int gahpo_cmd_analyze(int argc, char **argv, const char *version);

#endif
