/* popstats.h - the statistics row of a population, as DEAP's Statistics
 * records it for CANDLE's GA (avg, std, min, max of the fitness): one row a
 * generation of the generational engine, one row every lambda evaluations
 * of the steady-state GA. One formula for both (stats.csv). */
#ifndef GA_POPSTATS_H
#define GA_POPSTATS_H

#include <stddef.h>

typedef struct ga_stats_row {
    long gen;
    long nevals;      /* evaluations made this generation */
    long nfailed;     /* of which failed (NaN, replaced by the policy) */
    double avg, std, min, max;  /* of the population's fitness */
} ga_stats_row;

/* avg, std (population standard deviation, numpy's default ddof 0, by
 * Welford's update), min and max of fit[0..n) into row (its counts are
 * left alone); all NaN when n is 0. */
void ga_stats_row_fill(ga_stats_row *row, const double *fit, size_t n);

#endif
