/* popstats.c - the statistics row of a population (popstats.h). */
#include "popstats.h"

#include <math.h>

void ga_stats_row_fill(ga_stats_row *row, const double *fit, size_t n)
{
    if (n == 0) {
        row->avg = row->std = row->min = row->max = NAN;
        return;
    }
    double mean = 0, m2 = 0, lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        double x = fit[i];
        double delta = x - mean;
        mean += delta / (double)(i + 1);
        m2 += delta * (x - mean);
        if (x < lo)
            lo = x;
        if (x > hi)
            hi = x;
    }
    row->avg = mean;
    row->std = sqrt(m2 / (double)n);
    row->min = lo;
    row->max = hi;
}
