/* fuzz_scontrol.c - libFuzzer harness of the readers of scontrol output
 * (exec/slurm.c): fields of `scontrol show job -o` lines, for the
 * first line and for array tasks (ga_slurm_scontrol_field), and
 * MaxArraySize in `scontrol show config` (ga_slurm_parse_max_array). */
#include <stdlib.h>

#include "../../exec/array.h"
#include "fuzzutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const keys[] = { "JobState", "Reason", "ExitCode" };
    static const long tasks[] = { -1, 0, 3 };
    char *text = fz_text(data, size);
    char buf[64];
    for (size_t t = 0; t < 3; t++)
        for (size_t k = 0; k < 3; k++)
            (void)ga_slurm_scontrol_field(text, tasks[t], keys[k], buf,
                                          sizeof buf);
    (void)ga_slurm_parse_max_array(text);
    free(text);
    return 0;
}
