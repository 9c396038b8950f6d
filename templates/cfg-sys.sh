# TEMPLATE: a CANDLE-style configuration for gahpo (bash; docs/GUIDE.md).
#
# Use:   source /path/to/cfg-sys.sh
#        gahpo run --out RUN_DIR [--executor slurm|pbs --site FILE] \
#            -- /usr/bin/python3 /abs/path/model_wrapper.py
#
# gahpo reads these variables from its environment: `export` matters. Every
# line is written VAR=${VAR:-value}, as CANDLE's own cfg files are, so a
# value already set in your shell wins over the one here.
# Precedence in gahpo: command-line option > these variables > --settings
# file / --site profile > tuned defaults (--budget) > CANDLE's defaults.
# `gahpo run --no-env` ignores all of them.
#
# CHANGE the values marked CHANGE; leave the commented-out lines commented
# unless you want to fix that setting.

# ---- The model ---------------------------------------------------------
# CHANGE: the hyperparameter space (used when gahpo run has no --space).
export PARAM_SET_FILE=${PARAM_SET_FILE:-$HOME/hpo/space.json}
# An initial population: a CSV with one column per parameter (by name), one
# row per individual (used when gahpo run has no --init-population).
#export INIT_PARAMS_FILE=${INIT_PARAMS_FILE:-$HOME/hpo/init.csv}

# ---- The system: read by --executor slurm and --executor pbs only --------
# CHANGE: how many evaluations may run at once (the job array's cap,
# --max-concurrent). Unlike CANDLE, no process is reserved for a workflow
# engine: PROCS=8 runs 8 models at once.
export PROCS=${PROCS:-8}
# Slurm: --ntasks-per-node. PBS: --cpus-per-task (ncpus, Torque's ppn).
export PPN=${PPN:-1}
# CHANGE: the limit of EACH evaluation's job (Slurm --time, PBS
# --walltime), not of the whole search as in CANDLE. Give --timeout S on
# gahpo's command line too: it is enforced to the second inside the job.
export WALLTIME=${WALLTIME:-01:00:00}
# CHANGE: Slurm partition (--partition) or PBS queue (--queue).
export QUEUE=${QUEUE:-debug}
# CHANGE: the allocation to charge (--account).
export PROJECT=${PROJECT:-CHANGEME}
# 1: a failed model run counts as the mean loss of its generation (CANDLE's
# rule, nan_policy mean); 0: the first failed run stops the search
# (nan_policy fail).
export IGNORE_ERRORS=${IGNORE_ERRORS:-1}
# How many evaluations run at once, for the choice of tuned defaults by
# --budget on a local run without --jobs (on Slurm and PBS, PROCS above
# already sets it through --max-concurrent).
export MAX_CONCURRENT=${MAX_CONCURRENT:-$PROCS}

# ---- The GA ------------------------------------------------------------
# The search is reproducible: the same seed, space and results give the
# same individuals.
export SEED=${SEED:-1}
# Each variable below, when set, overrides --settings and the tuned
# defaults that `--budget N` picks. Leave them commented out to let --budget
# choose; uncomment one to fix that setting. The values shown are CANDLE's
# defaults.
#export NUM_ITERATIONS=${NUM_ITERATIONS:-5}       # generations, counting the initial one
#export POPULATION_SIZE=${POPULATION_SIZE:-16}
#export GA_STRATEGY=${GA_STRATEGY:-mu_plus_lambda}  # or simple
#export OFFSPRING_PROPORTION=${OFFSPRING_PROPORTION:-0.5}  # mu_plus_lambda: children = 0.5 x population
#export MUT_PROB=${MUT_PROB:-0.8}                 # an individual (child) is mutated
#export CX_PROB=${CX_PROB:-0.2}                   # a pair (child) comes from crossover
#export MUT_INDPB=${MUT_INDPB:-0.5}               # each gene of a mutated individual
#export CX_INDPB=${CX_INDPB:-0.5}                 # each gene swapped in a crossover
#export TOURNSIZE=${TOURNSIZE:-4}                 # individuals compared per selection
# Other tuned defaults than the built-in sweeps/tuned_defaults.json:
#export GAHPO_TUNED_DEFAULTS=${GAHPO_TUNED_DEFAULTS:-$HOME/hpo/tuned_defaults.json}
