#!/bin/sh
# seeds.sh - (re)writes the committed seed corpora tests/fuzz/corpus/NAME/
# from the repository's own files, short gahpo runs (bin/gahpo: make
# first) and scheduler output written from the formats the parsers read
# (the same as tests/check_slurm.c and check_pbs.c, and the PBS emulator's
# documented qstat format). Run from anywhere; rewrites the named seeds and
# leaves the inputs merged in from make fuzz runs (named by their SHA-1;
# docs/TESTING.md). Every seed must run clean: tests/fuzz/run.sh smoke
# checks it.
set -eu
cd "$(dirname "$0")/../.."
C=tests/fuzz/corpus
G=bin/gahpo
rm -f "$C"/checkpoint/running_*.json "$C"/async_checkpoint/running_*.json
mkdir -p "$C"/space "$C"/settings "$C"/csv "$C"/result "$C"/evallog "$C"/sweep \
         "$C"/checkpoint "$C"/async_checkpoint "$C"/squeue "$C"/scontrol "$C"/qstat
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# spaces
for f in problems/spaces/*.json; do cp "$f" "$C/space/problems-$(basename "$f")"; done
cp surrogates/data/deepttc/space.json "$C/space/deepttc.json"
cp surrogates/data/synthetic_mixed/space.json "$C/space/synthetic_mixed.json"
cp templates/space.json "$C/space/template.json"

# settings: a settings file, tuned defaults of both kinds, CANDLE's variables
cp templates/settings.json "$C/settings/template.json"
cp sweeps/tuned_defaults.json "$C/settings/tuned_defaults.json"
printf '{"settings": {"population_size": 8, "tournsize": 2}, "provenance": {}}\n' \
  >"$C/settings/sweep_tuned.json"
printf 'NUM_ITERATIONS=5\nPOPULATION_SIZE=16\nGA_STRATEGY=mu_plus_lambda\nOFFSPRING_PROPORTION=0.5\nMUT_PROB=0.8\nCX_PROB=0.2\nMUT_INDPB=0.5\nCX_INDPB=0.5\nTOURNSIZE=4\nSEED=1\nIGNORE_ERRORS=1\n' \
  >"$C/settings/env.txt"

# CSV: the surrogate data's log, an initial population, quoting and CRLF
head -n 12 surrogates/data/synthetic_mixed/log.csv >"$C/csv/log_head.csv"
printf 'lr,momentum,units,batch,optimizer,batch_norm\n0.001,0.9,64,32,adam,True\n0.01,0.5,8,256,sgd,False\n' \
  >"$C/csv/population.csv"
printf 'lr,"momentum",units,batch,optimizer,batch_norm,epochs,val_loss\r\n0.001,0.9,64,32,"ad""am",1,50,0.5\r\n"0.01",0.5,8,16,sgd,0,50,\r\n' \
  >"$C/csv/quoted_crlf.csv"

# result files, as models write them
printf '0.125\n' >"$C/result/number"
printf '{"val_loss": 0.5, "loss": 0.25}\n' >"$C/result/object"
printf '{"val_loss": NaN}\n' >"$C/result/python_nan"
printf '{"note": "a\\\\", "val_loss": Infinity}\n' >"$C/result/python_inf"
printf '{"val_loss": "0.3"}' >"$C/result/string"
printf 'null' >"$C/result/null"

# evaluation logs: a mixed:cnn run (the harness's space), the
# {"params", "val_loss"} form, a DeepTTC line (another space)
$G run --problem mixed:cnn --out "$tmp/cnn" --num-iter 2 --no-tuned-defaults --quiet >/dev/null
head -n 12 "$tmp/cnn/evals.jsonl" >"$C/evallog/cnn_run.jsonl"
printf '{"params": {"learning_rate": 0.001, "batch_size": 32, "dropout": 0.1, "conv_layers": 2, "filters": 64, "optimizer": "adam", "momentum": 0.9, "batch_norm": true, "epochs": 20}, "val_loss": 0.4}\n{"params": {"learning_rate": 0.01, "batch_size": 16, "dropout": 0.5, "conv_layers": 8, "filters": 16, "optimizer": "sgd", "momentum": 0, "batch_norm": false, "epochs": 20}, "val_loss": null}\n' \
  >"$C/evallog/params_val_loss.jsonl"
head -n 2 surrogates/data/deepttc/log.jsonl >"$C/evallog/deepttc_head.jsonl"

# sweep specs
for f in sweeps/default.json sweeps/full.json sweeps/smoke.json sweeps/tune.json; do
  cp "$f" "$C/sweep/$(basename "$f")"
done

# checkpoints of sphere:d2, CANDLE's defaults, 3 generations (the harnesses'
# run): finished ones from the in-process problem, and snapshots taken
# while a slow model command on the same space runs (generation 0 before
# its first tell included)
$G run --problem sphere:d2 --out "$tmp/gen" --num-iter 3 --no-tuned-defaults --quiet >/dev/null
cp "$tmp/gen/checkpoint.json" "$C/checkpoint/finished.json"
$G run --problem sphere:d2 --out "$tmp/async" --num-iter 3 --no-tuned-defaults \
  --strategy async --quiet >/dev/null
cp "$tmp/async/checkpoint.json" "$C/async_checkpoint/finished.json"
printf '[{"name": "x0", "type": "float", "lower": -5.12, "upper": 5.12, "sigma": 1.024},\n {"name": "x1", "type": "float", "lower": -5.12, "upper": 5.12, "sigma": 1.024}]\n' \
  >"$tmp/box.json"
model="import json, time; p = json.load(open('params.json')); time.sleep(1); json.dump({'val_loss': p['x0'] ** 2 + p['x1'] ** 2}, open('result.json', 'w'))"
for strategy in mu_plus_lambda async; do
  name=checkpoint
  [ $strategy = async ] && name=async_checkpoint
  out=$tmp/slow-$strategy
  $G run --space "$tmp/box.json" --out "$out" --num-iter 3 --no-tuned-defaults \
    --strategy $strategy --jobs 16 --quiet -- python3 -c "$model" >/dev/null &
  pid=$!
  k=0
  while kill -0 $pid 2>/dev/null; do
    if [ -f "$out/checkpoint.json" ] && ! cmp -s "$out/checkpoint.json" "$tmp/last" 2>/dev/null; then
      cp "$out/checkpoint.json" "$tmp/last"
      # async: every third (it checkpoints after each evaluation)
      if [ $strategy != async ] || [ $((k % 3)) -eq 0 ]; then
        cp "$tmp/last" "$C/$name/running_$k.json"
      fi
      k=$((k + 1))
    fi
    sleep 0.02
  done
  wait $pid
done

# squeue: `squeue -h -r -o '%i %T'` (ranges too), `squeue --me -o '%F|%o'`,
# sbatch --parsable
printf '12_3 RUNNING\n12_[4-6,9%%2] PENDING\n12_0 COMPLETED\n12_1 FAILED\n12_2 TIMEOUT\n13 CANCELLED\n' \
  >"$C/squeue/states"
printf '41|/home/u/job.sh\n42|/run/gen_0/array_0.sh\n' >"$C/squeue/find"
printf '4242;cluster\n' >"$C/squeue/sbatch"

# scontrol: `scontrol show job -o` lines, `scontrol show config`
printf 'JobId=2 ArrayJobId=2 ArrayTaskId=2-3%%2 JobName=a b JobState=PENDING Reason=JobArrayTaskLimit ExitCode=0:0\nJobId=4 ArrayJobId=2 ArrayTaskId=1 JobName=x JobState=FAILED Reason=NonZeroExitCode ExitCode=3:0\nJobId=3 ArrayJobId=2 ArrayTaskId=0 JobName=x JobState=TIMEOUT Reason=TimeLimit ExitCode=0:15\n' \
  >"$C/scontrol/show_job"
printf 'Configuration data as of 2024-04-25T10:00:00\nAccountingStorageType   = (null)\nMaxArraySize            = 1001\nMaxJobCount             = 10000\n' \
  >"$C/scontrol/show_config"

# qstat: PBS Pro's JSON (states, a search by script), Torque's records, qsub
printf '{"timestamp":1,"pbs_version":"2022.1.1","pbs_server":"srv","Jobs":{"12[].srv":{"job_state":"B","array":"True"},"12[0].srv":{"job_state":"X","Exit_status":0},"12[1].srv":{"job_state":"X","Exit_status":3},"12[2].srv":{"job_state":"X","Exit_status":271},"12[3].srv":{"job_state":"X","Exit_status":-29},"12[4].srv":{"job_state":"R"},"12[5].srv":{"job_state":"Q"},"13.srv":{"job_state":"F","Exit_status":0}}}\n' \
  >"$C/qstat/pro_states.json"
printf '{"Jobs":{"4414[].pbs01":{"Job_Name":"gahpo-g0","Job_Owner":"user@login1","job_state":"B","Variable_List":{"PBS_O_HOME":"/home/user","PBS_O_WORKDIR":"/run/gen_0"},"Submit_arguments":"-J 0-3%%2 /run/gen_0/array_0.sh","array":"True"},"77.srv":{"job_state":"Q","Variable_List":"PBS_O_HOME=/h,PBS_O_WORKDIR=/run/gen_0,PBS_O_HOST=x","Submit_arguments":"array_0.sh"}}}\n' \
  >"$C/qstat/pro_find.json"
printf 'Job Id:\t12\n\tJob_Name = g\n\tjob_state = Q\n\nJob Id:\t13\n\tJob_Name = g\n\tjob_state = R\n\n' \
  >"$C/qstat/torque_wrapper"
printf 'Job Id: 123[0].host\n    job_state = C\n    exit_status = 0\n\nJob Id: 123[1].host\n    job_state = C\n    exit_status = 2\n\nJob Id: 123[2].host\n    job_state = R\n' \
  >"$C/qstat/torque_real"
printf '123[].pbs01.example.org\n' >"$C/qstat/qsub"

du -sh "$C"
