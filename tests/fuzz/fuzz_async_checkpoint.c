/* fuzz_async_checkpoint.c - libFuzzer harness of the asynchronous run's
 * checkpoint reader (load_checkpoint in ga/run_async.c, which calls
 * ga_steady_restore of ga/steady.c, after the run's identity is checked,
 * ga/rundir.c): the input is checkpoint.json of a run directory (with an
 * empty evals.jsonl) that `gahpo run --resume` continues, here on the in-process sphere:d2 with CANDLE's defaults and
 * 3 generations, the run of the seed checkpoints (`gahpo run --problem
 * sphere:d2 --strategy async --num-iter 3 --no-tuned-defaults`). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../exec/exec.h"
#include "../../ga/run.h"
#include "../../problems/problem.h"
#include "fuzzutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static prob_problem *sphere;
    static ga_settings settings;
    static volatile sig_atomic_t cancel;
    ga_error err;
    if (!sphere) {
        sphere = prob_lookup("sphere:d2", &err);
        if (!sphere)
            abort();
        fz_settings(&settings, GA_ASYNC);
    }
    fz_write("checkpoint.json", data, size);
    fz_write("evals.jsonl", data, 0);
    /* the run's id as run.json would give it: the checkpoint's own */
    char *text = fz_text(data, size);
    cJSON *root = cJSON_Parse(text);
    free(text);
    const cJSON *uid = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(root, "run"), "run_uid");
    ga_executor *ex = ga_exec_problem_alloc(sphere, 1, &err);
    if (!ex)
        abort();
    ga_run_opts opts = {
        .dir = fz_tmpdir(), .run_id = "fuzz", .space = sphere->space,
        .settings = &settings, .executor = ex, .resume = 1,
        .cancel = &cancel, .in_flight = 4,
        .run_uid = cJSON_IsString(uid) ? uid->valuestring : NULL,
    };
    (void)ga_run(&opts, NULL, &err);
    ga_executor_free(ex);
    cJSON_Delete(root);
    return 0;
}
