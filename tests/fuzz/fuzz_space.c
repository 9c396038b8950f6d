/* fuzz_space.c - libFuzzer harness of the space reader (ga_space_parse):
 * any text is a space or an error, never a crash; a space read is then
 * described, hashed, cloned and each parameter's bounds formatted and
 * parsed back, as `gahpo space` and a run use it. */
#include <stdio.h>
#include <stdlib.h>

#include "fuzzutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fz_text(data, size);
    ga_error err;
    ga_space *space = ga_space_parse(text, "fuzz", &err);
    free(text);
    if (!space)
        return 0;
    FILE *null = fopen("/dev/null", "w");
    if (null) {
        ga_space_describe(space, null);
        fclose(null);
    }
    ga_space_free(ga_space_clone(space));
    for (size_t i = 0; i < space->n; i++) {
        const ga_param *p = &space->params[i];
        double genes[2] = { p->lower, p->upper }, back;
        if (p->type == GA_CATEGORICAL || p->type == GA_ORDERED)
            genes[1] = (double)(p->nvalues - 1);
        for (int k = 0; k < 2; k++) {
            char buf[4096];
            if (!ga_param_gene_valid(p, genes[k]) ||
                ga_param_gene_format(p, genes[k], buf, sizeof buf) != 0)
                continue;
            (void)ga_param_gene_parse(p, buf, &back, &err);
            cJSON_Delete(ga_param_gene_to_json(p, genes[k]));
        }
    }
    ga_space_free(space);
    return 0;
}
