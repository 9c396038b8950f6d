/* validate.h - the selected settings against the CANDLE defaults on
 * held-out problems (a spec's "validation" list). */
#ifndef SWEEP_VALIDATE_H
#define SWEEP_VALIDATE_H

#include "sweep.h"

/* Run the reference (point 0) and point `selected` on the spec's
 * validation problems; write validation.csv, append a section to report.md
 * and the evidence to tuned_defaults.json's provenance in dir. Nothing to
 * do without validation problems. */
int sweep_validate(const sweep_spec *spec, const sweep_point *points,
                   size_t selected, const char *dir, int threads, ga_error *err);

#endif
