/* fuzz_checkpoint.c - libFuzzer harness of the generational checkpoint
 * reader (ga_engine_restore, ga/engine.c): a checkpoint.json (or its
 * "engine" state alone) for sphere:d2 with CANDLE's defaults and 3
 * generations, the run of the seed checkpoints. A state it accepts must be
 * one the engine can continue: the harness saves it again and runs it to
 * its end (ask, sphere fitness, tell), as `gahpo run --resume` would. */
#include <stdlib.h>

#include "../../ga/engine.h"
#include "fuzzutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ga_space *space;
    static ga_settings settings;
    if (!space) {
        space = ga_space_alloc_box(2, -5.12, 5.12);
        fz_settings(&settings, GA_MU_PLUS_LAMBDA);
    }
    char *text = fz_text(data, size);
    cJSON *root = cJSON_Parse(text);
    free(text);
    const cJSON *state = cJSON_GetObjectItemCaseSensitive(root, "engine");
    ga_error err;
    ga_engine *eng = ga_engine_restore(space, &settings, state ? state : root,
                                       &err);
    cJSON_Delete(root);
    if (!eng)
        return 0;
    cJSON_Delete(ga_engine_save(eng));
    /* at most num_iter tells: a restored run cannot have more left */
    for (long g = 0; g < settings.num_iter && !ga_engine_done(eng); g++) {
        ga_batch batch;
        ga_engine_ask(eng, &batch);
        double *fitness = malloc((batch.count + 1) * sizeof *fitness);
        if (!fitness)
            abort();
        for (size_t k = 0; k < batch.count; k++) {
            const double *x = batch.genes + k * batch.dim;
            fitness[k] = x[0] * x[0] + x[1] * x[1];
        }
        int rc = ga_engine_tell(eng, fitness, &err);
        free(fitness);
        if (rc != GA_OK)
            break;
    }
    size_t n;
    const double *fit;
    (void)ga_engine_stats(eng, &n);
    (void)ga_engine_population(eng, &n, &fit);
    (void)ga_engine_hof(eng, &n, &fit);
    ga_engine_free(eng);
    return 0;
}
