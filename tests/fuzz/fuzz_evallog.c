/* fuzz_evallog.c - libFuzzer harness of the evaluation-log (JSON lines)
 * readers: a run's evals.jsonl as a resume reads it (ga_rundir_log_each with
 * ga_rundir_log_genes on each line's params, ga_rundir_prefill_cache,
 * ga_rundir_cut_torn_line; ga/run.c) and as `gahpo fit` reads it
 * (sur_log_load, surrogates/log.c, strict and skipping bad rows), against
 * the cnn space of the seed runs (`gahpo run --problem mixed:cnn`). */
#include <stdlib.h>

#include "../../ga/rundir.h"
#include "../../surrogates/log.h"
#include "fuzzutil.h"

static int each_line(void *ctx, const cJSON *line)
{
    const ga_space *space = ctx;
    double genes[64];
    if (line && space->n <= 64)
        (void)ga_rundir_log_genes(space,
                               cJSON_GetObjectItemCaseSensitive(line, "params"),
                               genes);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ga_space *space;
    if (!space)
        space = fz_space(FZ_CNN_SPACE);
    const char *path = fz_write("evals.jsonl", data, size);
    ga_error err;
    sur_log_free(sur_log_load(space, path, NULL, 0, &err));
    sur_log_free(sur_log_load(space, path, "fitness", 1, &err));
    (void)ga_rundir_log_each(path, each_line, space);
    ga_cache *cache = ga_cache_alloc(space->n);
    if (cache) {
        ga_rundir_prefill_cache(path, space, cache);
        ga_cache_free(cache);
    }
    (void)ga_rundir_cut_torn_line(path, &err);
    return 0;
}
