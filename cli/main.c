/* main.c - the gahpo command: a table of subcommands (cli/cmd_*.c) and
 * the help text. Each subcommand maps library statuses to exit codes:
 * 0 ok, 1 a run failed (or was interrupted), 2 bad input or usage. */
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "cmd_util.h"
#include "commands.h"

static int cmd_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("gahpo %s\n", GAHPO_VERSION);
    return 0;
}

static int cmd_help(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    gahpo_print_help(stdout);
    return 0;
}

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);   /* the arguments after the name */
    const char *help;   /* its lines under "usage:" in gahpo help; NULL: none */
} command;

/* In the order gahpo help lists them. */
static const command commands[] = {
    { "space", gahpo_cmd_space,
"  gahpo space FILE                 validate a CANDLE hyperparameter space\n" },
    { "run", gahpo_cmd_run,
"  gahpo run [options] [-- MODEL COMMAND ...]\n"
"  gahpo run --resume DIR [--num-iter N | --budget N]\n"
"                                   finish an interrupted run, or extend one\n" },
    { "problems", gahpo_cmd_problems,
"  gahpo problems list              the built-in test problems\n"
"  gahpo problems eval NAME         evaluate points read from stdin\n"
"  gahpo problems info NAME         a problem's space, f_opt and x_opt\n" },
    { "fit", gahpo_cmd_fit,
"  gahpo fit --space F --log F --out MODEL.json   fit a GP surrogate to a log\n" },
    { "plot-space", gahpo_cmd_plot_space,
"  gahpo plot-space --space FILE --log LOG --out DIR\n"
"                                   colour plots of an evaluation log\n" },
    { "sweep", gahpo_cmd_sweep,
"  gahpo sweep SPEC [--threads N] [--out DIR] [--resume]\n"
"                                   a study of the GA's parameters\n"
"  gahpo sweep SPEC --executor slurm|pbs --chunks K [cluster options]\n"
"                                   the same study as K array tasks\n" },
    { "analyze", gahpo_cmd_analyze,
"  gahpo analyze DIR                the statistics of a finished sweep\n" },
    { "tune", gahpo_cmd_tune,
"  gahpo tune SPEC [--threads N] [--out DIR]\n"
"                                   tuned defaults: the configurator at\n"
"                                   every budget and worker count\n" },
    { "configure", gahpo_cmd_configure,
"  gahpo configure SPEC [--threads N] [--out DIR]\n"
"                                   iterated racing over the GA's parameters\n" },
    { "evaluate", gahpo_cmd_evaluate,
"  gahpo evaluate SPEC --out DIR LABEL=SETTINGS.json ...\n"
"                                   settings vs CANDLE's on the test problems\n" },
    { "async-experiment", gahpo_cmd_async_experiment,
"  gahpo async-experiment [--workers W] [--budget B] ...\n"
"                                   async vs generational GA, simulated cluster\n" },
    /* version and help share one line */
    { "version", cmd_version, NULL },
    { "help", cmd_help, "  gahpo version | help\n" },
    { "--version", cmd_version, NULL },
    { "--help", cmd_help, NULL },
    { "-h", cmd_help, NULL },
    /* one Slurm or PBS task, run by the array executor's batch scripts */
    { "_task", gahpo_cmd_task, NULL },
};

/* gahpo help after the commands: the options of run and its executors */
static const char *options_help =
"\n"
"run options:\n"
"  --space FILE           hyperparameter space (or $PARAM_SET_FILE)\n"
"  --problem NAME         evaluate in-process on a built-in problem\n"
"  --out DIR              run directory (required)\n"
"  --settings FILE        GA settings JSON (CANDLE names)\n"
"  --tuned-defaults FILE  tuned defaults JSON (or $GAHPO_TUNED_DEFAULTS; else\n"
"                         the built-in sweeps/tuned_defaults.json)\n"
"  --budget N             evaluations planned: picks the tuned defaults'\n"
"                         entry for N and the workers (--max-concurrent on a\n"
"                         cluster, else --jobs); it does not cap the run\n"
"  --no-tuned-defaults    CANDLE's defaults below the other sources\n"
"  --cache | --no-cache   reuse the fitness of an individual identical to one\n"
"                         already evaluated (deterministic models; logged as\n"
"                         cached); default on for --executor slurm and\n"
"                         pbs, off for local runs\n"
"  --seed N               random seed\n"
"  --strategy simple|mu_plus_lambda|async\n"
"                         async: the steady-state GA, keeping --jobs (on a\n"
"                         cluster --max-concurrent) evaluations running; a\n"
"                         new one starts as soon as one ends (docs/ASYNC.md)\n"
"  --SETTING VALUE        any setting: --num-iter, --population-size,\n"
"                         --offspring-prop, --mut-prob, --cx-prob,\n"
"                         --mut-indpb, --cx-indpb, --tournsize, --nan-policy,\n"
"                         --hof-size, --stall-generations, --target,\n"
"                         --max-seconds\n"
"  --no-env               ignore CANDLE's environment variables\n"
"  --init-population CSV  initial individuals (or $INIT_PARAMS_FILE)\n"
"  --jobs N               model processes at once (default 1)\n"
"  --timeout S            kill a model run after S seconds (default none;\n"
"                         or CANDLE's $BENCHMARK_TIMEOUT, $SH_TIMEOUT)\n"
"  --retries N            run a failed evaluation again, up to N more times\n"
"                         (default 0; local, slurm and pbs)\n"
"  --result-file NAME     file the model writes (default result.json)\n"
"  --result-key KEY       key in a JSON result (default val_loss)\n"
"  --no-param-flags       do not pass --name value to the model\n"
"  --quiet                no per-generation progress\n"
"  --executor local|slurm|pbs  where model runs go (default local)\n"
"\n"
"slurm executor options (docs/CLUSTERS.md; one job array per generation):\n"
"  --site NAME|FILE       site profile (sites/NAME.json): account, partition,\n"
"                         time, gpus, setup lines (module load, export)\n"
"  --partition P  --account A  --time T  --mem M  --job-name NAME\n"
"  --nodes N  --ntasks N  --ntasks-per-node N  --cpus-per-task N\n"
"  --gpus-per-task N      passed to sbatch as #SBATCH lines when given\n"
"  --max-concurrent N     array tasks at once (default --jobs)\n"
"  --max-array-size N     tasks per array; more go in several arrays (default\n"
"                         Slurm's MaxArraySize); 1: one job per evaluation\n"
"  --retries N            resubmit a failed evaluation N times (default 0)\n"
"  --sbatch-extra LINE    one more #SBATCH directive (repeatable)\n"
"  --slurm-setup LINE     one more script line before the task (repeatable)\n"
"  --slurm-shell PATH     the batch script's interpreter (default /bin/bash)\n"
"  --poll-max S           longest pause between squeue calls (default 10)\n"
"  Slurm settings: command line > CANDLE's WALLTIME, QUEUE, PROJECT, PPN,\n"
"  PROCS > --site. --timeout is enforced inside each task.\n"
"\n"
"pbs executor options (docs/CLUSTERS.md; one qsub array per generation):\n"
"  --pbs-dialect pro|torque  PBS Pro/OpenPBS (qsub -J) or Torque (qsub -t)\n"
"                         (default pro)\n"
"  --queue Q  --account A  --walltime T  --job-name NAME  --site NAME|FILE\n"
"  --nodes N  --cpus-per-task N  --gpus-per-task N  --mem M\n"
"                         -l select=N:ncpus=C:ngpus=G:mem=M (Torque:\n"
"                         nodes=N:ppn=C:gpus=G, mem=M)\n"
"  --select SPEC          the whole -l select= (Torque: nodes=) spec instead\n"
"  --filesystems FS       -l filesystems=FS (e.g. home:grand)\n"
"  --pbs-extra LINE       one more #PBS directive (repeatable)\n"
"  --pbs-setup LINE  --pbs-shell PATH  --max-concurrent N  --retries N\n"
"  --max-array-size N     tasks per array (default no limit); 1: one job each\n"
"  --poll-max S           as for slurm (setup lines, interpreter, ...)\n"
"  PBS settings: command line > CANDLE's WALLTIME, QUEUE, PROJECT, PPN,\n"
"  PROCS > --site.\n"
"\n"
"Precedence of settings: command line > environment > --settings >\n"
"tuned defaults > built-in CANDLE defaults.\n";

void gahpo_print_help(FILE *out)
{
    fputs("gahpo " GAHPO_VERSION " - genetic-algorithm hyperparameter "
          "optimization\n\nusage:\n", out);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (commands[i].help)
            fputs(commands[i].help, out);
    fputs(options_help, out);
}

int main(int argc, char **argv)
{
    /* GSL's default handler aborts, on a failed allocation too; the library
     * checks GSL's return values instead */
    gsl_set_error_handler_off();
    if (argc < 2) {
        gahpo_print_help(stderr);
        return 2;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 2, argv + 2);
    return gahpo_usage("unknown command '%s'", argv[1]);
}
