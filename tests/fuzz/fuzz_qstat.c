/* fuzz_qstat.c - libFuzzer harness of the readers of qstat and qsub output
 * (exec/pbs.c): PBS Pro's `qstat -x -t -f -F json`
 * (ga_pbs_parse_qstat_json, and ga_pbs_find_in_qstat_json searching it for
 * a submission), Torque's `qstat -f` records for an array's tasks
 * (ga_pbs_parse_qstat_torque) and qsub's job id (ga_pbs_parse_jobid). */
#include <stdlib.h>

#include "../../exec/array.h"
#include "fuzzutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fz_text(data, size);
    ga_array_task_state *states;
    size_t n;
    ga_error err;
    if (ga_pbs_parse_qstat_json(text, &states, &n, &err) == GA_OK) {
        for (size_t i = 0; i < n; i++)
            (void)ga_pbs_state_final(states[i].state);
        free(states);
    }
    char id[128];
    (void)ga_pbs_find_in_qstat_json(text, "/run/gen_0/array_0.sh", "user",
                                    id, sizeof id);
    (void)ga_pbs_find_in_qstat_json(text, "/run/gen_0/array_0.sh", NULL, id,
                                    sizeof id);
    /* one array with two tasks, the first started as its own job (Slurm's
     * Torque wrappers) */
    char *ids[] = { "12[].srv", "12" };
    const ga_array_ref refs[] = { { "12", 0, "13" }, { "12", 1, "" } };
    if (ga_pbs_parse_qstat_torque(text, ids, 2, refs, 2, &states, &n,
                                  &err) == GA_OK)
        free(states);
    (void)ga_pbs_parse_jobid(text, id, sizeof id);
    free(text);
    return 0;
}
