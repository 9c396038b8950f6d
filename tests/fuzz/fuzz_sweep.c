/* fuzz_sweep.c - libFuzzer harness of the sweep-spec reader
 * (sweep_spec_parse, sweeps/spec.c) and, for a spec it accepts, the
 * design it expands to (sweep_design), as `gahpo sweep` does before any
 * run starts. */
#include <stdlib.h>

#include "../../sweeps/sweep.h"
#include "fuzzutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fz_text(data, size);
    ga_error err;
    sweep_spec *spec = sweep_spec_parse(text, "fuzz", &err);
    free(text);
    if (!spec)
        return 0;
    sweep_point *points = NULL;
    size_t npoints = 0;
    char *report = NULL;
    if (sweep_design(spec, &points, &npoints, &report, &err) == GA_OK)
        sweep_points_free(points, npoints, spec->nfactors);
    free(report);
    sweep_spec_free(spec);
    return 0;
}
