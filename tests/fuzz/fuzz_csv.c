/* fuzz_csv.c - libFuzzer harness of the CSV readers: the parser (ga/csv.c,
 * strict and lenient), an initial population (ga_csv_read_population) and
 * an evaluation log in CSV (sur_log_load, surrogates/log.c, strict and
 * skipping bad rows), both against the synthetic_mixed space whose
 * surrogates/data log seeds the corpus. */
#include <stdlib.h>

#include "../../ga/csv.h"
#include "../../surrogates/log.h"
#include "fuzzutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ga_space *space;
    if (!space)
        space = fz_space(FZ_MIXED_SPACE);
    char *text = fz_text(data, size);
    ga_error err;
    ga_csv_free(ga_csv_parse(text, "fuzz", &err));
    ga_csv_free(ga_csv_parse_lenient(text, "fuzz", &err));
    free(text);

    const char *path = fz_write("population.csv", data, size);
    size_t count;
    char *warning = NULL;
    free(ga_csv_read_population(space, path, &count, &warning, &err));
    free(warning);

    path = fz_write("log.csv", data, size);
    sur_log_free(sur_log_load(space, path, NULL, 0, &err));
    sur_log_free(sur_log_load(space, path, "runtime_s", 1, &err));
    return 0;
}
