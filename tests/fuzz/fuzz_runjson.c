/* fuzz_runjson.c - libFuzzer harness of the run.json reader: the input as
 * DIR/run.json, read as `gahpo run --resume DIR` reads it (settings,
 * executor and Slurm/PBS settings, space, initial individuals;
 * gahpo_read_run_config in cli/cmd_run.c, linked from the command's objects
 * built with main renamed). Nothing is run. */
#include "../../cli/commands.h"
#include "fuzzutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_write("run.json", data, size);
    ga_error err;
    ga_error_clear(&err);
    (void)gahpo_read_run_config(fz_tmpdir(), &err);
    return 0;
}
