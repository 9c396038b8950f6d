/* check_ops.c - operators: types and bounds are never corrupted (property
 * tests over thousands of random operations on every test space), and the
 * per-gene rates and selection pressure are what DEAP's would be. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "../ga/ops.h"
#include "../ga/rng.h"
#include "../ga/space.h"
#include "suites.h"
#include "testutil.h"

static const char *mixed_space =
    "[{\"name\":\"lr\",\"type\":\"float\",\"lower\":1e-6,\"upper\":0.1,"
    "\"log_scale\":true},"
    " {\"name\":\"units\",\"type\":\"int\",\"lower\":8,\"upper\":4096,"
    "\"log_scale\":true},"
    " {\"name\":\"epochs\",\"type\":\"int\",\"lower\":1,\"upper\":5,\"sigma\":20},"
    " {\"name\":\"drop\",\"type\":\"float\",\"lower\":0,\"upper\":0.9},"
    " {\"name\":\"act\",\"type\":\"categorical\",\"element_type\":\"string\","
    "\"values\":[\"relu\",\"tanh\",\"elu\"]},"
    " {\"name\":\"one\",\"type\":\"categorical\",\"element_type\":\"int\","
    "\"values\":[7]},"
    " {\"name\":\"bs\",\"type\":\"ordered\",\"element_type\":\"int\","
    "\"values\":[16,32,64,128],\"sigma\":3},"
    " {\"name\":\"res\",\"type\":\"logical\"},"
    " {\"name\":\"c\",\"type\":\"constant\",\"value\":\"x y\"},"
    " {\"name\":\"big\",\"type\":\"int\",\"lower\":-5,\"upper\":10000000000}]";

static void assert_valid(const ga_space *s, const double *g, const char *what)
{
    for (size_t i = 0; i < s->n; i++)
        ck_assert_msg(ga_param_gene_valid(&s->params[i], g[i]),
                      "%s: parameter '%s' got illegal gene %.17g", what,
                      s->params[i].name, g[i]);
}

/* Thousands of random operations, every result checked. */
static void hammer(const ga_space *s, unsigned long seed)
{
    gsl_rng *r = ga_rng_alloc(0);
    gsl_rng_set(r, seed);
    size_t d = s->n;
    double *a = malloc(d * sizeof *a), *b = malloc(d * sizeof *b);
    const double rates[] = { 0, 0.05, 0.3, 0.5, 0.9, 1 };
    for (int it = 0; it < 4000; it++) {
        ga_op_init(s, r, a);
        assert_valid(s, a, "init");
        ga_op_init(s, r, b);
        double p = rates[it % 6];
        for (int k = 0; k < 5; k++) {
            ga_op_mutate(s, p, r, a);
            assert_valid(s, a, "mutate");
            ga_op_crossover(d, p, r, a, b);
            assert_valid(s, a, "crossover");
            assert_valid(s, b, "crossover");
        }
    }
    free(a);
    free(b);
    gsl_rng_free(r);
}

START_TEST(test_property_mixed_space)
{
    ga_error err;
    ga_space *s = ga_space_parse(mixed_space, "mixed", &err);
    ck_assert_msg(s != NULL, "%s", err.msg);
    hammer(s, 11);
    ga_space_free(s);
}
END_TEST

START_TEST(test_property_candle_spaces)
{
    const char *dir = tu_testdata("candle-spaces");
    if (!dir) {
        fprintf(stderr, "SKIPPED: ../shared/testdata/candle-spaces not found\n");
        return;
    }
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d))) {
        if (!strstr(e->d_name, ".json"))
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        ga_error err;
        ga_space *s = ga_space_load(path, &err);
        ck_assert_msg(s != NULL, "%s", err.msg);
        hammer(s, 100 + (unsigned long)n++);
        ga_space_free(s);
    }
    closedir(d);
    ck_assert_int_ge(n, 6);
}
END_TEST

/* Per-gene mutation rate: the fraction of float genes changed must match
 * indpb. 200k gene trials; the binomial standard deviation is at most
 * sqrt(0.25/200000) = 0.0011, and the tolerance is 5 of those. */
START_TEST(test_mutation_rate)
{
    const double rates[] = { 0.02, 0.1, 0.3, 0.5, 0.8 };
    ga_space *s = ga_space_alloc_box(20, -1e6, 1e6);  /* no clipping at 0 */
    gsl_rng *r = ga_rng_alloc(0);
    gsl_rng_set(r, 5);
    for (int k = 0; k < 5; k++) {
        double g[20];
        long changed = 0, total = 0;
        for (int it = 0; it < 10000; it++) {
            for (int i = 0; i < 20; i++)
                g[i] = 0;
            ga_op_mutate(s, rates[k], r, g);
            for (int i = 0; i < 20; i++)
                changed += g[i] != 0;
            total += 20;
        }
        double frac = (double)changed / (double)total;
        ck_assert_msg(fabs(frac - rates[k]) < 5 * 0.0011,
                      "indpb %g: mutated fraction %g", rates[k], frac);
    }
    gsl_rng_free(r);
    ga_space_free(s);
}
END_TEST

/* The engine's generator is xoshiro256++: its published first outputs from
 * the state {0, 0, 0, 1} (53 bits each through gsl_rng_uniform, the upper
 * 32 through gsl_rng_get), full 32-bit draws, distinct seeded streams. */
START_TEST(test_generator)
{
    const unsigned long long want[5] = {
        0x800000ULL, 0x800011ULL, 0x2200000800011ULL, 0x2200044000020ULL,
        0x22000448008A1ULL };
    gsl_rng *r = ga_rng_alloc(0);
    ck_assert_str_eq(gsl_rng_name(r), "xoshiro256++");
    ck_assert_uint_eq(gsl_rng_size(r), 32);
    const unsigned long long start[4] = { 0, 0, 0, 1 };
    memcpy(gsl_rng_state(r), start, sizeof start);
    for (int i = 0; i < 5; i++)
        ck_assert_uint_eq((unsigned long long)ldexp(gsl_rng_uniform(r), 53),
                          want[i] >> 11);
    memcpy(gsl_rng_state(r), start, sizeof start);
    for (int i = 0; i < 5; i++)
        ck_assert_uint_eq(gsl_rng_get(r), want[i] >> 32);
    /* 32 random bits per draw: the top bit half the time, the maximum near
     * 2^32 */
    gsl_rng_set(r, 3);
    unsigned long top = 0, max = 0;
    for (int i = 0; i < 100000; i++) {
        unsigned long x = gsl_rng_get(r);
        top += x >> 31;
        max = x > max ? x : max;
    }
    ck_assert_uint_le(max, 0xffffffffUL);
    ck_assert_uint_gt(max, 0xfff00000UL);
    ck_assert_msg(top > 49000 && top < 51000, "top bit set %lu times", top);
    /* seeds 0 and 1 (0 is a seed like any other) give different streams */
    gsl_rng *r0 = ga_rng_alloc(0), *r1 = ga_rng_alloc(1);
    int same = 0;
    for (int i = 0; i < 8; i++)
        same += gsl_rng_get(r0) == gsl_rng_get(r1);
    ck_assert_int_lt(same, 2);
    ck_assert(ga_rng_state_ok(r0));
    gsl_rng_free(r0);
    gsl_rng_free(r1);
    gsl_rng_free(r);
}
END_TEST

/* The all-float mutation at indpb 0.5 (one 32-bit draw per block of 32
 * genes, then each picked gene's step) makes the same moves from the same
 * draws as the general loop, at every block boundary, clipping included. */
START_TEST(test_float_fast_path)
{
    const size_t dims[] = { 1, 31, 32, 33, 70 };
    for (size_t k = 0; k < sizeof dims / sizeof dims[0]; k++) {
        size_t d = dims[k];
        ga_space *fast = ga_space_alloc_box(d, -1, 1);
        ga_space *slow = ga_space_alloc_box(d, -1, 1);
        ck_assert(fast->all_float);
        slow->all_float = 0;  /* the per-type loop */
        gsl_rng *r1 = ga_rng_alloc(11), *r2 = ga_rng_alloc(11);
        double *a = calloc(d, sizeof *a), *b = calloc(d, sizeof *b);
        long moved = 0;
        for (int it = 0; it < 300; it++) {
            ga_op_mutate(fast, 0.5, r1, a);
            ga_op_mutate(slow, 0.5, r2, b);
            for (size_t i = 0; i < d; i++) {
                ck_assert_msg(memcmp(&a[i], &b[i], sizeof a[i]) == 0,
                              "d=%zu gene %zu: %a vs %a", d, i, a[i], b[i]);
                moved += a[i] == 1 || a[i] == -1;
            }
        }
        ck_assert_uint_eq(gsl_rng_get(r1), gsl_rng_get(r2));
        ck_assert_int_gt(moved, 0);  /* the bounds were reached and clipped */
        free(a);
        free(b);
        gsl_rng_free(r1);
        gsl_rng_free(r2);
        ga_space_free(fast);
        ga_space_free(slow);
    }
}
END_TEST

/* Crossover swaps each gene independently with prob indpb: check the rate
 * and that positions are uncorrelated (both genes 0 and 1 swapped ~ p^2). */
START_TEST(test_crossover_rate)
{
    const double rates[] = { 0.1, 0.5, 0.7 };
    gsl_rng *r = ga_rng_alloc(0);
    gsl_rng_set(r, 6);
    for (int k = 0; k < 3; k++) {
        long swapped = 0, both = 0, total = 0;
        for (int it = 0; it < 20000; it++) {
            double a[10], b[10];
            for (int i = 0; i < 10; i++) {
                a[i] = 0;
                b[i] = 1;
            }
            ga_op_crossover(10, rates[k], r, a, b);
            for (int i = 0; i < 10; i++) {
                ck_assert_double_eq(a[i] + b[i], 1);  /* a swap, not a copy */
                swapped += a[i] == 1;
            }
            both += a[0] == 1 && a[1] == 1;
            total += 10;
        }
        double p = rates[k];
        ck_assert_double_eq_tol((double)swapped / (double)total, p, 0.006);
        ck_assert_double_eq_tol((double)both / 20000.0, p * p, 0.012);
    }
    gsl_rng_free(r);
}
END_TEST

START_TEST(test_type_moves)
{
    ga_error err;
    ga_space *s = ga_space_parse(mixed_space, "mixed", &err);
    gsl_rng *r = ga_rng_alloc(0);
    gsl_rng_set(r, 7);
    long act_counts[3] = { 0 };
    long bs_moves = 0, bs_big = 0;
    for (int it = 0; it < 30000; it++) {
        double g[10], h[10];
        ga_op_init(s, r, g);
        memcpy(h, g, sizeof g);
        ga_op_mutate(s, 1.0, r, h);
        ck_assert_double_ne(h[4], g[4]);          /* categorical: different */
        act_counts[(int)h[4]]++;
        ck_assert_double_eq(h[5], g[5]);          /* single value: kept */
        ck_assert_double_eq(h[7], 1 - g[7]);      /* logical: flipped */
        ck_assert_double_eq(h[8], 0);             /* constant: untouched */
        ck_assert_double_eq(h[1], nearbyint(h[1]));
        bs_moves += h[6] != g[6];
        bs_big += fabs(h[6] - g[6]) >= 2;
    }
    for (int k = 0; k < 3; k++)  /* every other value reachable, uniformly */
        ck_assert_double_eq_tol(act_counts[k] / 30000.0, 1.0 / 3, 0.02);
    ck_assert_int_gt(bs_moves, 15000);  /* sigma 3 index steps: mostly moves */
    ck_assert_int_gt(bs_big, 5000);
    gsl_rng_free(r);
    ga_space_free(s);
}
END_TEST

/* log_scale draws are log-uniform: each decade of [1e-6, 0.1] gets 1/5. */
START_TEST(test_log_uniform_init)
{
    ga_error err;
    ga_space *s = ga_space_parse(mixed_space, "mixed", &err);
    gsl_rng *r = ga_rng_alloc(0);
    gsl_rng_set(r, 8);
    long decade[5] = { 0 };
    for (int it = 0; it < 50000; it++) {
        double g[10];
        ga_op_init(s, r, g);
        int k = (int)floor(log10(g[0]) + 6);
        if (k == 5)
            k = 4;
        decade[k]++;
    }
    for (int k = 0; k < 5; k++)
        ck_assert_double_eq_tol(decade[k] / 50000.0, 0.2, 0.01);
    gsl_rng_free(r);
    ga_space_free(s);
}
END_TEST

/* Tournament: with k aspirants drawn with replacement from n distinct
 * fitnesses, the rank-i individual (0 best) wins with probability
 * ((n-i)/n)^k - ((n-i-1)/n)^k. */
START_TEST(test_tournament_distribution)
{
    double fit[5] = { 3, 1, 4, 0, 2 };  /* ranks: idx3=0, idx1=1, idx4=2... */
    gsl_rng *r = ga_rng_alloc(0);
    gsl_rng_set(r, 9);
    const long trials = 200000;
    for (size_t k = 1; k <= 4; k++) {
        long wins[5] = { 0 };
        for (long t = 0; t < trials; t++)
            wins[ga_op_tournament(fit, 5, k, r)]++;
        for (int idx = 0; idx < 5; idx++) {
            int rank = (int)fit[idx];
            double p = pow((5.0 - rank) / 5, (double)k) -
                       pow((4.0 - rank) / 5, (double)k);
            double sd = sqrt(p * (1 - p) / trials);
            ck_assert_msg(fabs(wins[idx] / (double)trials - p) < 5 * sd + 1e-9,
                          "k=%zu rank %d: %g vs %g", k, rank,
                          wins[idx] / (double)trials, p);
        }
    }
    /* ties: the first drawn wins, so equal fitnesses win equally often */
    double tied[4] = { 1, 1, 1, 1 };
    long w[4] = { 0 };
    for (long t = 0; t < trials; t++)
        w[ga_op_tournament(tied, 4, 3, r)]++;
    for (int i = 0; i < 4; i++)
        ck_assert_double_eq_tol(w[i] / (double)trials, 0.25, 0.01);
    gsl_rng_free(r);
}
END_TEST

Suite *ops_suite(void)
{
    Suite *s = suite_create("ops");
    TCase *tc = tcase_create("ops");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_property_mixed_space);
    tcase_add_test(tc, test_property_candle_spaces);
    tcase_add_test(tc, test_mutation_rate);
    tcase_add_test(tc, test_generator);
    tcase_add_test(tc, test_float_fast_path);
    tcase_add_test(tc, test_crossover_rate);
    tcase_add_test(tc, test_type_moves);
    tcase_add_test(tc, test_log_uniform_init);
    tcase_add_test(tc, test_tournament_distribution);
    suite_add_tcase(s, tc);
    return s;
}
