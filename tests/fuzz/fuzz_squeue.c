/* fuzz_squeue.c - libFuzzer harness of the readers of squeue and sbatch
 * output (exec/slurm.c): `squeue -h -r -o '%i %T'` lines with array
 * ranges (ga_slurm_parse_squeue), `squeue --me -o '%F|%o'` lines
 * searched for a script (ga_slurm_find_in_squeue), and sbatch --parsable's
 * job id (ga_slurm_parse_jobid). */
#include <stdlib.h>

#include "../../exec/array.h"
#include "fuzzutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fz_text(data, size);
    ga_array_task_state *states;
    size_t n;
    ga_error err;
    if (ga_slurm_parse_squeue(text, &states, &n, &err) == GA_OK) {
        for (size_t i = 0; i < n; i++)
            (void)ga_slurm_state_reason(states[i].state);
        free(states);
    }
    char id[128];
    (void)ga_slurm_find_in_squeue(text, "/run/gen_0/array_0.sh", id, sizeof id);
    (void)ga_slurm_parse_jobid(text, id, sizeof id);
    free(text);
    return 0;
}
