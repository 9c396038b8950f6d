/* check_surrogate.c - surrogates/: log loaders on good and bad logs,
 * encoding round trips, GP gradients against finite differences, GP
 * predictions on a known function, the default fit against every restart
 * on all points, bit-identical fits and predictions for any thread count
 * and batch size, CV metrics on fixed data, model files
 * (bit-identical reload, corrupt and mismatched files), the surrogate as a
 * problem (deterministic, noisy, many threads), gahpo fit, the committed
 * DeepTTC model, and the quick comparison with scikit-learn. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>
#include <gsl/gsl_rng.h>
#include <omp.h>

#include "../ga/util.h"
#include "../surrogates/cv.h"
#include "../surrogates/encode.h"
#include "../surrogates/gp.h"
#include "../surrogates/log.h"
#include "../surrogates/model.h"
#include "../problems/surrogate.h"
#include "suites.h"
#include "testutil.h"

#define G (char *)tu_gahpo()

static const char *small_space =
    "[{\"name\": \"lr\", \"type\": \"float\", \"lower\": 1e-4, \"upper\": 1e-1,"
    "  \"log_scale\": true},"
    " {\"name\": \"units\", \"type\": \"int\", \"lower\": 8, \"upper\": 64},"
    " {\"name\": \"batch\", \"type\": \"ordered\", \"element_type\": \"int\","
    "  \"values\": [16, 32, 64]},"
    " {\"name\": \"opt\", \"type\": \"categorical\", \"element_type\": \"string\","
    "  \"values\": [\"sgd\", \"adam\", \"rmsprop\"]},"
    " {\"name\": \"bn\", \"type\": \"logical\"},"
    " {\"name\": \"epochs\", \"type\": \"constant\", \"value\": 20}]";

static ga_space *space_of(const char *text)
{
    ga_error err;
    ga_space *s = ga_space_parse(text, "test", &err);
    ck_assert_msg(s != NULL, "%s", err.msg);
    return s;
}

static char *write_tmp(const char *dir, const char *name, const char *text)
{
    char *path = malloc(4096);
    snprintf(path, 4096, "%s/%s", dir, name);
    ck_assert_int_eq(tu_write(path, text), 0);
    return path;
}

/* ---- loaders ------------------------------------------------------------- */

START_TEST(test_log_jsonl_good)
{
    char *dir = tu_tmpdir("surlog");
    ga_space *s = space_of(small_space);
    char *path = write_tmp(dir, "evals.jsonl",
        "{\"run\":\"r\",\"gen\":0,\"ind\":0,\"params\":{\"lr\":0.001,\"units\":16,"
        "\"batch\":32,\"opt\":\"adam\",\"bn\":true,\"epochs\":20},\"fitness\":0.5,"
        "\"wall_time\":1.5}\n"
        "{\"run\":\"r\",\"gen\":0,\"ind\":1,\"params\":{\"lr\":0.01,\"units\":8,"
        "\"batch\":16,\"opt\":\"sgd\",\"bn\":false,\"epochs\":20},\"fitness\":null,"
        "\"reason\":\"exit status 1\",\"wall_time\":0.2}\n"
        "\n"
        "{\"params\":{\"lr\":0.001,\"units\":16,\"batch\":32,\"opt\":\"adam\","
        "\"bn\":true},\"val_loss\":0.52}\n"
        "{\"params\":{\"lr\":0.001,\"units\":16,\"batch\":32,\"opt\":\"adam\","
        "\"bn\":true},\"val_loss\":\"nan\"}\n"
        "{\"params\":{\"lr\":0.1,\"units\":64,\"batch\":64,\"opt\":\"rmsprop\","
        "\"bn\":false},\"val_loss\":1.25}\n");
    ga_error err;
    sur_log *l = sur_log_load(s, path, NULL, 0, &err);
    ck_assert_msg(l != NULL, "%s", err.msg);
    ck_assert_uint_eq(l->n, 3);          /* the duplicate is kept */
    ck_assert_uint_eq(l->nfailed, 2);
    ck_assert_uint_eq(l->nskipped, 0);
    ck_assert_double_eq(l->y[0], 0.5);
    ck_assert_double_eq(l->y[1], 0.52);
    ck_assert_uint_eq(l->line[1], 4);
    ck_assert_double_eq(l->genes[0], 0.001);
    ck_assert_double_eq(l->genes[2], 1);  /* batch 32 is index 1 */
    ck_assert_double_eq(l->genes[3], 1);  /* adam */
    ck_assert_double_eq(l->genes[4], 1);
    ck_assert_double_eq(l->genes[2 * 6 + 3], 2);
    sur_log_free(l);
    ga_space_free(s);
    free(path);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(test_log_csv_good)
{
    char *dir = tu_tmpdir("surlog");
    ga_space *s = space_of(small_space);
    char *path = write_tmp(dir, "log.csv",
        "runtime,lr,units,batch,opt,bn,loss\n"
        "3.5,0.001,16,32,adam,True,0.5\n"
        "1.0,0.01,8,16,sgd,false,nan\n"
        "2.0,0.01,8,16,sgd,false,\n"
        "2.0,0.02,9,64,rmsprop,1,0.75\n");
    ga_error err;
    sur_log *l = sur_log_load(s, path, "loss", 0, &err);
    ck_assert_msg(l != NULL, "%s", err.msg);
    ck_assert_uint_eq(l->n, 2);
    ck_assert_uint_eq(l->nfailed, 2);
    ck_assert_double_eq(l->y[1], 0.75);
    ck_assert_uint_eq(l->line[1], 5);
    ck_assert_double_eq(l->genes[6 + 1], 9);
    sur_log_free(l);
    /* the default objective column is val_loss: missing here */
    l = sur_log_load(s, path, NULL, 0, &err);
    ck_assert_ptr_null(l);
    ck_assert_int_eq(err.status, GA_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "no column 'val_loss'"));
    ga_space_free(s);
    free(path);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

typedef struct bad_log {
    const char *name, *text, *expect;
} bad_log;

static const bad_log bad_logs[] = {
    { "a.csv", "lr,units,batch,opt,bn,val_loss\n0.001,16,32,adam,true,1\n"
      "0.5,16,32,adam,true,1\n", "a.csv:3: column 'lr'" },
    { "b.csv", "lr,units,batch,opt,bn,val_loss\n0.001,16.5,32,adam,true,1\n",
      "b.csv:2: column 'units'" },
    { "c.csv", "lr,units,batch,opt,bn,val_loss\n0.001,16,48,adam,true,1\n",
      "c.csv:2: column 'batch'" },
    { "d.csv", "lr,units,batch,opt,bn,val_loss\n0.001,16,32,adamw,true,1\n",
      "d.csv:2: column 'opt'" },
    { "e.csv", "lr,units,batch,opt,bn,val_loss\n0.001,16,32,adam,true,abc\n",
      "e.csv:2: column 'val_loss'" },
    { "f.csv", "lr,units,opt,bn,val_loss\n0.001,16,adam,true,1\n",
      "no column for parameter 'batch'" },
    { "k.csv", "lr,units,batch,opt,bn,val_loss\n0.001,16,32,adam,true,1\n"
      "0.001,16,32,adam,true\n0.002,16,32,sgd,false,2\n",
      "k.csv:3: 5 fields, but the header has 6" },
    { "l.csv", "lr,units,batch,opt,bn,val_loss\n0.001,16,32,adam,true,1,9\n"
      "0.002,16,32,sgd,false,2\n", "l.csv:2: more fields than the header's 6" },
    { "g.jsonl", "{\"params\":{\"lr\":0.001,\"units\":16,\"batch\":32,\"opt\":"
      "\"adam\",\"bn\":true},\"val_loss\":1}\n{\"params\":{\"lr\":0.001,\"units\":"
      "16,\"batch\":32,\"opt\":\"adam\",\"bn\":3},\"val_loss\":1}\n",
      "g.jsonl:2: params.bn" },
    { "h.jsonl", "{\"params\":{\"lr\":0.001,\"units\":16,\"batch\":32,\"opt\":"
      "\"adam\",\"bn\":true},\"val_loss\":1}\n{\"params\":{\"lr\":0.001,",
      "h.jsonl:2: not a JSON object" },
    { "i.jsonl", "{\"params\":{\"lr\":0.001,\"batch\":32,\"opt\":\"adam\","
      "\"bn\":true},\"val_loss\":1}\n", "i.jsonl:1: params: no value for "
      "parameter 'units'" },
    { "j.jsonl", "{\"params\":{\"lr\":0.001,\"units\":16,\"batch\":32,\"opt\":"
      "\"adam\",\"bn\":true}}\n", "j.jsonl:1: no \"val_loss\"" },
};

START_TEST(test_log_bad)
{
    const bad_log *b = &bad_logs[_i];
    char *dir = tu_tmpdir("surbad");
    ga_space *s = space_of(small_space);
    char *path = write_tmp(dir, b->name, b->text);
    ga_error err;
    sur_log *l = sur_log_load(s, path, NULL, 0, &err);
    ck_assert_ptr_null(l);
    ck_assert_int_eq(err.status, GA_EINPUT);
    ck_assert_msg(strstr(err.msg, b->expect), "%s: expected '%s' in: %s",
                  b->name, b->expect, err.msg);
    /* with skip_bad, a bad row (not a bad header) is skipped and counted */
    if (strstr(b->expect, ".csv:") || strstr(b->expect, ".jsonl:")) {
        l = sur_log_load(s, path, NULL, 1, &err);
        ck_assert_msg(l != NULL, "%s", err.msg);
        ck_assert_uint_eq(l->nskipped, 1);
        ck_assert_ptr_nonnull(strstr(l->first_skipped, b->expect));
        sur_log_free(l);
    }
    ga_space_free(s);
    free(path);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* ---- encoding ------------------------------------------------------------ */

START_TEST(test_encode_round_trip)
{
    ga_space *s = space_of(small_space);
    ga_error err;
    sur_encoding *e = sur_encoding_alloc(s, &err);
    ck_assert_ptr_nonnull(e);
    /* lr, units, batch, opt x3, bn; the constant is dropped */
    ck_assert_uint_eq(e->dim, 7);
    ck_assert_str_eq(e->names[3], "opt=sgd");
    ck_assert_str_eq(e->names[5], "opt=rmsprop");
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 3);
    double g[6], back[6], z[7];
    for (int t = 0; t < 500; t++) {
        g[0] = pow(10, -4 + 3 * gsl_rng_uniform(rng));
        if (g[0] > 0.1)
            g[0] = 0.1;
        g[1] = 8 + (double)gsl_rng_uniform_int(rng, 57);
        g[2] = (double)gsl_rng_uniform_int(rng, 3);
        g[3] = (double)gsl_rng_uniform_int(rng, 3);
        g[4] = (double)gsl_rng_uniform_int(rng, 2);
        g[5] = 0;
        sur_encode(e, g, z);
        for (int j = 0; j < 7; j++)
            ck_assert(z[j] >= 0 && z[j] <= 1);
        ck_assert_double_eq(z[3] + z[4] + z[5], 1);
        sur_decode(e, s, z, back);
        ck_assert_double_eq_tol(back[0], g[0], 1e-12 * g[0]);
        for (int j = 1; j < 6; j++)
            ck_assert_double_eq(back[j], g[j]);
    }
    /* the bounds land on 0 and 1 */
    g[0] = 1e-4;
    g[1] = 64;
    g[2] = 2;
    sur_encode(e, g, z);
    ck_assert_double_eq(z[0], 0);
    ck_assert_double_eq(z[1], 1);
    ck_assert_double_eq(z[2], 1);
    gsl_rng_free(rng);
    sur_encoding_free(e);
    ga_space_free(s);
    /* nothing to encode */
    s = space_of("[{\"name\": \"e\", \"type\": \"constant\", \"value\": 1}]");
    ck_assert_ptr_null(sur_encoding_alloc(s, &err));
    ck_assert_int_eq(err.status, GA_EINPUT);
    ga_space_free(s);
}
END_TEST

/* ---- the GP -------------------------------------------------------------- */

/* n points in [0,1]^d from a seeded rng; y = f(x) + noise. */
static void make_data(size_t n, size_t d, unsigned long seed, double noise,
                      double *x, double *y)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed);
    for (size_t i = 0; i < n; i++) {
        double f = 0;
        for (size_t k = 0; k < d; k++) {
            x[i * d + k] = gsl_rng_uniform(rng);
            f += (k == 0 ? 2.0 : 0.5 / (double)(k + 1)) *
                 sin(4 * x[i * d + k] + (double)k);
        }
        y[i] = f + noise * (gsl_rng_uniform(rng) - 0.5);
    }
    gsl_rng_free(rng);
}

START_TEST(test_gp_gradient)
{
    size_t n = 40, d = 3;
    double x[120], y[40];
    make_data(n, d, 7, 0.1, x, y);
    ga_error err;
    sur_gp *gp = sur_gp_alloc(x, y, n, d, &err);
    ck_assert_ptr_nonnull(gp);
    double thetas[3][5] = { { -0.5, 0.3, 1.0, 0.2, -3.0 },
                            { 0.0, 0.0, 0.0, 0.0, log(0.1) },
                            { -1.5, 1.2, -0.2, -0.7, -6.0 } };
    for (int t = 0; t < 3; t++) {
        double *th = thetas[t], g[5];
        double l = sur_gp_lml(gp, th, g);
        ck_assert(isfinite(l));
        for (int j = 0; j < 5; j++) {
            double h = 1e-5, keep = th[j];
            th[j] = keep + h;
            double a = sur_gp_lml(gp, th, NULL);
            th[j] = keep - h;
            double b = sur_gp_lml(gp, th, NULL);
            th[j] = keep;
            double fd = (a - b) / (2 * h);
            ck_assert_msg(fabs(fd - g[j]) <= 1e-5 * (1 + fabs(fd)),
                          "theta %d, param %d: analytic %.10g, finite "
                          "difference %.10g", t, j, g[j], fd);
        }
    }
    sur_gp_free(gp);
}
END_TEST

START_TEST(test_gp_known_function)
{
    size_t n = 80, d = 2, m = 200;
    double x[160], y[80], xt[400], yt[200], mean[200], var[200];
    make_data(n, d, 11, 0.02, x, y);
    make_data(m, d, 12, 0.0, xt, yt);
    ga_error err;
    sur_gp *gp = sur_gp_alloc(x, y, n, d, &err);
    sur_gp_options opt = sur_gp_options_default();
    ck_assert_int_eq(sur_gp_fit(gp, &opt, &err), GA_OK);
    double *scratch = malloc(sur_gp_scratch_size(gp) * sizeof *scratch);
    sur_gp_predict(gp, xt, m, mean, var, 0, scratch);
    double se = 0, ss = 0, mu = 0;
    for (size_t i = 0; i < m; i++)
        mu += yt[i] / (double)m;
    for (size_t i = 0; i < m; i++) {
        se += (mean[i] - yt[i]) * (mean[i] - yt[i]);
        ss += (yt[i] - mu) * (yt[i] - mu);
        ck_assert(var[i] >= 0);
    }
    ck_assert_msg(1 - se / ss > 0.99, "test R^2 %.4f", 1 - se / ss);
    /* x0 (amplitude 2) matters more than x1 (0.25): a shorter length scale */
    const double *th = sur_gp_theta(gp);
    ck_assert(th[0] < th[1]);
    /* far from the data the variance returns to the prior's */
    double far[2] = { 5.0, 5.0 }, fm, fv, nm, nv;
    sur_gp_predict(gp, far, 1, &fm, &fv, 0, scratch);
    sur_gp_predict(gp, x, 1, &nm, &nv, 0, scratch);
    ck_assert(fv > 100 * nv);
    free(scratch);
    sur_gp_free(gp);
}
END_TEST

START_TEST(test_gp_jitter_on_duplicates)
{
    /* every point twice, and noise driven to its floor: the kernel matrix
     * is singular without jitter; conditioning must still succeed */
    size_t n = 30, d = 2;
    double x[60], y[30];
    make_data(15, d, 5, 0, x, y);
    memcpy(x + 30, x, 30 * sizeof *x);
    memcpy(y + 15, y, 15 * sizeof *y);
    ga_error err;
    sur_gp *gp = sur_gp_alloc(x, y, n, d, &err);
    double theta[4] = { 2.0, 2.0, 0.0, -40.0 };
    ck_assert_int_eq(sur_gp_condition(gp, theta, &err), GA_OK);
    ck_assert(sur_gp_jitter(gp) > 0);
    sur_gp_free(gp);
}
END_TEST

/* The default fit (restarts on a subset, refined on all points) ends
 * within 1 of the log marginal likelihood that every restart run on all
 * points reaches (gahpo fit --subset all). */
START_TEST(test_gp_default_reaches_full_optimum)
{
    size_t n = 400, d = 6;
    double *x = malloc(n * d * sizeof *x), *y = malloc(n * sizeof *y);
    make_data(n, d, 31, 0.05, x, y);
    ga_error err;
    sur_gp *a = sur_gp_alloc(x, y, n, d, &err), *b = sur_gp_alloc(x, y, n, d, &err);
    sur_gp_options opt = sur_gp_options_default();
    ck_assert_int_eq(sur_gp_fit(a, &opt, &err), GA_OK);
    opt.subset = 0;                     /* every restart on all points */
    ck_assert_int_eq(sur_gp_fit(b, &opt, &err), GA_OK);
    ck_assert_msg(sur_gp_fitted_lml(a) >= sur_gp_fitted_lml(b) - 1.0,
                  "default fit: log marginal likelihood %.4f, all points: "
                  "%.4f", sur_gp_fitted_lml(a), sur_gp_fitted_lml(b));
    sur_gp_free(a);
    sur_gp_free(b);
    free(x);
    free(y);
}
END_TEST

/* Mean and variance of every point, predicted with OpenMP (and so
 * OpenBLAS) allowed t threads. */
static void fit_predict_threads(const double *x, const double *y, size_t n,
                                size_t d, int t, double *theta, double *mean,
                                double *var)
{
    int keep = omp_get_max_threads();
    omp_set_num_threads(t);
    ga_error err;
    sur_gp *gp = sur_gp_alloc(x, y, n, d, &err);
    sur_gp_options opt = sur_gp_options_default();
    opt.restarts = 2;
    ck_assert_int_eq(sur_gp_fit(gp, &opt, &err), GA_OK);
    memcpy(theta, sur_gp_theta(gp), (d + 2) * sizeof *theta);
    double *scratch = malloc(sur_gp_scratch_size(gp) * sizeof *scratch);
    sur_gp_predict(gp, x, n, mean, var, 1, scratch);
    free(scratch);
    sur_gp_free(gp);
    omp_set_num_threads(keep);
}

/* The fitted hyperparameters and every prediction are bit-identical for 1,
 * 2 and 3 threads. OpenBLAS's results depend on its thread count (its
 * Cholesky at 545 points differs between 1 and 2 threads), so this fails
 * if a BLAS call of the GP is left to run threaded; 520 points make both
 * OpenBLAS and the GP's own row loops (256 points and up) use threads. */
START_TEST(test_gp_thread_count_identical)
{
    size_t n = 520, d = 4;
    double *x = malloc(n * d * sizeof *x), *y = malloc(n * sizeof *y);
    double *m1 = malloc(n * sizeof *m1), *v1 = malloc(n * sizeof *v1);
    double *m2 = malloc(n * sizeof *m2), *v2 = malloc(n * sizeof *v2);
    double th1[6], th2[6];
    make_data(n, d, 41, 0.1, x, y);
    fit_predict_threads(x, y, n, d, 1, th1, m1, v1);
    for (int t = 2; t <= 3; t++) {
        fit_predict_threads(x, y, n, d, t, th2, m2, v2);
        ck_assert_msg(memcmp(th1, th2, sizeof th1) == 0, "theta differs with "
                      "%d threads", t);
        ck_assert_mem_eq(m1, m2, n * sizeof *m1);
        ck_assert_mem_eq(v1, v2, n * sizeof *v1);
    }
    free(x);
    free(y);
    free(m1);
    free(v1);
    free(m2);
    free(v2);
}
END_TEST

/* A batch (150 points: two full blocks of 64 and a part) predicts every
 * point's mean bit-identically to predicting it alone; its variance (one
 * dtrsm for a block, whose last bits depend on the block's size, then the
 * prior minus a sum, which magnifies them) within 1e-9 relative of it; and the same batch gives bit-identical results in any
 * thread, with any number of threads around it. */
START_TEST(test_gp_batch_equals_single)
{
    size_t n = 300, d = 3, m = 150;
    double *x = malloc(n * d * sizeof *x), *y = malloc(n * sizeof *y);
    double *xt = malloc(m * d * sizeof *xt), *yt = malloc(m * sizeof *yt);
    double mean[150], var[150], mean1[150], var1[150];
    double *many = malloc(4 * m * sizeof *many);
    make_data(n, d, 51, 0.1, x, y);
    make_data(m, d, 52, 0.0, xt, yt);
    ga_error err;
    sur_gp *gp = sur_gp_alloc(x, y, n, d, &err);
    sur_gp_options opt = sur_gp_options_default();
    opt.restarts = 2;
    ck_assert_int_eq(sur_gp_fit(gp, &opt, &err), GA_OK);
    double *scratch = malloc(sur_gp_scratch_size(gp) * sizeof *scratch);
    for (int noise = 0; noise <= 1; noise++) {
        sur_gp_predict(gp, xt, m, mean, var, noise, scratch);
        for (size_t p = 0; p < m; p++)
            sur_gp_predict(gp, xt + p * d, 1, mean1 + p, var1 + p, noise, scratch);
        ck_assert_mem_eq(mean, mean1, sizeof mean);
        for (size_t p = 0; p < m; p++)
            ck_assert_msg(fabs(var[p] - var1[p]) <= 1e-9 * var1[p],
                          "point %zu: batch variance %.17g, alone %.17g", p,
                          var[p], var1[p]);
    }
    sur_gp_predict(gp, xt, m, mean1, NULL, 1, scratch);
    ck_assert_mem_eq(mean, mean1, sizeof mean);
#pragma omp parallel for num_threads(3)
    for (int t = 0; t < 4; t++) {
        double *s = malloc(sur_gp_scratch_size(gp) * sizeof *s);
        double mu[150];
        sur_gp_predict(gp, xt, m, mu, many + t * m, 1, s);
        free(s);
    }
    for (int t = 0; t < 4; t++)
        ck_assert_mem_eq(var, many + t * m, sizeof var);
    free(many);
    free(scratch);
    sur_gp_free(gp);
    free(x);
    free(y);
    free(xt);
    free(yt);
}
END_TEST

/* ---- CV metrics ---------------------------------------------------------- */

START_TEST(test_metrics_fixed)
{
    /* reference values from scipy.stats (spearmanr, kendalltau) and numpy */
    double y[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    double p[8] = { 1.5, 1.0, 3.2, 3.9, 6.0, 5.5, 7.7, 7.7 };
    sur_metrics m;
    sur_metrics_compute(y, p, 8, &m);
    ck_assert_double_eq_tol(m.spearman, 0.9461247469114746, 1e-12);
    ck_assert_double_eq_tol(m.kendall, 0.836501912571304, 1e-12);
    ck_assert_double_eq_tol(m.r2, 0.9254761904761905, 1e-12);
    ck_assert_double_eq_tol(m.rmse, 0.6254998001598402, 1e-12);
    /* folds: a seeded shuffle dealt evenly, the same every time */
    size_t f1[23], f2[23], count[5] = { 0 };
    sur_cv_folds(23, 5, 9, f1);
    sur_cv_folds(23, 5, 9, f2);
    ck_assert_mem_eq(f1, f2, sizeof f1);
    for (int i = 0; i < 23; i++)
        count[f1[i]]++;
    for (int k = 0; k < 5; k++)
        ck_assert(count[k] == 4 || count[k] == 5);
}
END_TEST

START_TEST(test_cv_fixed_dataset)
{
    size_t n = 120, d = 3;
    double x[360], y[120];
    make_data(n, d, 21, 0.05, x, y);
    sur_gp_options opt = sur_gp_options_default();
    opt.restarts = 2;
    sur_cv a, b;
    ga_error err;
    ck_assert_int_eq(sur_cv_run(x, y, n, d, 0, 5, 4, &opt, &a, &err), GA_OK);
    ck_assert_msg(a.all.r2 > 0.95 && a.all.spearman > 0.95 &&
                  a.all.kendall > 0.8, "R2 %g Spearman %g Kendall %g",
                  a.all.r2, a.all.spearman, a.all.kendall);
    /* the same numbers for any thread count */
    opt.threads = 1;
    ck_assert_int_eq(sur_cv_run(x, y, n, d, 0, 5, 4, &opt, &b, &err), GA_OK);
    ck_assert_double_eq(a.all.r2, b.all.r2);
    ck_assert_double_eq(a.all.kendall, b.all.kendall);
    ck_assert_mem_eq(a.oof, b.oof, n * sizeof *a.oof);
    size_t total = 0;
    for (size_t k = 0; k < 5; k++)
        total += a.folds[k].n;
    ck_assert_uint_eq(total, n);
    sur_cv_free(&a);
    sur_cv_free(&b);
    ck_assert_int_eq(sur_cv_run(x, y, n, d, 0, 1, 4, &opt, &a, &err), GA_EINPUT);
}
END_TEST

/* ---- model files ---------------------------------------------------------- */

/* A small fitted model on the small space (log output transform). */
static sur_model *small_model(void)
{
    ga_space *s = space_of(small_space);
    sur_log log = { 0 };
    log.n = 60;
    log.dim = s->n;
    log.genes = calloc(60 * 6, sizeof *log.genes);
    log.y = calloc(60, sizeof *log.y);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 2);
    for (size_t i = 0; i < 60; i++) {
        double *g = log.genes + i * 6;
        g[0] = pow(10, -4 + 3 * gsl_rng_uniform(rng));
        g[0] = g[0] > 0.1 ? 0.1 : g[0];
        g[1] = 8 + (double)gsl_rng_uniform_int(rng, 57);
        g[2] = (double)gsl_rng_uniform_int(rng, 3);
        g[3] = (double)gsl_rng_uniform_int(rng, 3);
        g[4] = (double)gsl_rng_uniform_int(rng, 2);
        double u = log10(g[0]) + 2.5;
        log.y[i] = exp(0.3 * u * u + 0.01 * fabs(g[1] - 30) + 0.2 * g[3] -
                       0.1 * g[4] + 0.05 * gsl_rng_uniform(rng));
    }
    gsl_rng_free(rng);
    sur_gp_options opt = sur_gp_options_default();
    opt.restarts = 2;
    ga_error err;
    sur_model *m = sur_model_fit(small_space, "small", &log, 1, &opt, &err);
    ck_assert_msg(m != NULL, "%s", err.msg);
    free(log.genes);
    free(log.y);
    ga_space_free(s);
    return m;
}

static void predict_all(const sur_model *m, double *mean, double *var)
{
    double *scratch = malloc(sur_model_scratch_size(m) * sizeof *scratch);
    sur_model_predict_latent(m, m->genes, m->n, mean, var, scratch);
    free(scratch);
}

START_TEST(test_model_save_load_identical)
{
    char *dir = tu_tmpdir("surmodel");
    char path[4096];
    snprintf(path, sizeof path, "%s/m.json", dir);
    sur_model *m = small_model();
    ga_error err;
    ck_assert_int_eq(sur_model_save(m, path, &err), GA_OK);
    sur_model *r = sur_model_load(path, &err);
    ck_assert_msg(r != NULL, "%s", err.msg);
    double a[60], av[60], b[60], bv[60];
    predict_all(m, a, av);
    predict_all(r, b, bv);
    ck_assert_mem_eq(a, b, sizeof a);
    ck_assert_mem_eq(av, bv, sizeof av);
    ck_assert_int_eq(r->log_y, 1);
    ck_assert_double_eq(sur_gp_fitted_lml(m->gp), sur_gp_fitted_lml(r->gp));
    /* saving the reloaded model gives the same file */
    char path2[4096];
    snprintf(path2, sizeof path2, "%s/m2.json", dir);
    ck_assert_int_eq(sur_model_save(r, path2, &err), GA_OK);
    char *t1 = tu_read(path), *t2 = tu_read(path2);
    ck_assert_str_eq(t1, t2);
    free(t2);
    sur_model_free(r);

    /* corruptions: one changed digit in the training data, a truncated
     * file, another version, an encoding that does not match the space */
    struct { const char *from, *to; const char *expect; } bad[] = {
        { "\"version\":\t1", "\"version\":\t7", "model version 7" },
        { "\"opt=adam\"", "\"opt=Adam\"", "does not match" },
        { "\"gahpo-surrogate\"", "\"other\"", "not a gahpo surrogate" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *hit = strstr(t1, bad[i].from);
        ck_assert_msg(hit != NULL, "'%s' not in the model file", bad[i].from);
        size_t pre = (size_t)(hit - t1);
        char *t = malloc(strlen(t1) + 64);
        memcpy(t, t1, pre);
        strcpy(t + pre, bad[i].to);
        strcat(t, hit + strlen(bad[i].from));
        tu_write(path2, t);
        free(t);
        ck_assert_ptr_null(sur_model_load(path2, &err));
        ck_assert_int_eq(err.status, GA_EINPUT);
        ck_assert_msg(strstr(err.msg, bad[i].expect), "%s", err.msg);
    }
    /* one digit changed in a training value, in a hyperparameter */
    const char *keys[] = { "\"y\":", "\"log_signal_variance\":" };
    for (int i = 0; i < 2; i++) {
        char *at = strstr(t1, keys[i]);
        ck_assert_ptr_nonnull(at);
        char *digit = strpbrk(at + strlen(keys[i]) + 3, "123456789");
        char *t = ga_strdup(t1);
        t[digit - t1] = *digit == '9' ? '8' : (char)(*digit + 1);
        tu_write(path2, t);
        free(t);
        ck_assert_ptr_null(sur_model_load(path2, &err));
        ck_assert_msg(strstr(err.msg, "checksum mismatch"), "%s", err.msg);
    }
    /* truncated */
    t1[strlen(t1) / 2] = '\0';
    tu_write(path2, t1);
    ck_assert_ptr_null(sur_model_load(path2, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "not valid JSON"));
    free(t1);
    sur_model_free(m);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* ---- the surrogate as a problem ------------------------------------------- */

START_TEST(test_surrogate_problem)
{
    char *dir = tu_tmpdir("surprob");
    char path[4096];
    snprintf(path, sizeof path, "%s/m.json", dir);
    sur_model *m = small_model();
    ga_error err;
    ck_assert_int_eq(sur_model_save(m, path, &err), GA_OK);
    prob_problem *p = sur_problem_alloc(path, "surrogate:small", 0, &err);
    ck_assert_msg(p != NULL, "%s", err.msg);
    prob_problem *pn = sur_problem_alloc(path, "surrogate:small:noisy", 1, &err);
    ck_assert_ptr_nonnull(pn);
    ck_assert_uint_eq(p->dim, 6);
    ck_assert_str_eq(p->name, "surrogate:small");
    ck_assert_int_eq(pn->noisy, 1);
    double mean[60], var[60], f[60], f2[60];
    predict_all(m, mean, var);
    p->eval(p, m->genes, 60, f, NULL);
    for (int i = 0; i < 60; i++)
        ck_assert_double_eq(f[i], exp(mean[i]));
    /* noisy: deterministic given the rng, and spread as the model says */
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 5);
    pn->eval(pn, m->genes, 60, f, rng);
    gsl_rng_set(rng, 5);
    pn->eval(pn, m->genes, 60, f2, rng);
    ck_assert_mem_eq(f, f2, sizeof f);
    int differ = 0;
    for (int i = 0; i < 60; i++)
        differ += f[i] != exp(mean[i]);
    ck_assert_int_eq(differ, 60);
    double z2 = 0;
    for (int k = 0; k < 20; k++) {
        pn->eval(pn, m->genes, 60, f, rng);
        for (int i = 0; i < 60; i++) {
            double z = (log(f[i]) - mean[i]) / sqrt(var[i]);
            z2 += z * z;
        }
    }
    ck_assert_msg(fabs(z2 / 1200 - 1) < 0.15, "mean z^2 %g", z2 / 1200);
    /* many threads at once give what one thread gives */
    double *many = malloc(8 * 60 * sizeof *many);
#pragma omp parallel for num_threads(4)
    for (int t = 0; t < 8; t++) {
        gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(r, 100 + (unsigned long)t);
        pn->eval(pn, m->genes, 60, many + t * 60, r);
        gsl_rng_free(r);
    }
    for (int t = 0; t < 8; t++) {
        gsl_rng_set(rng, 100 + (unsigned long)t);
        pn->eval(pn, m->genes, 60, f, rng);
        ck_assert_mem_eq(f, many + t * 60, sizeof f);
    }
    free(many);
    gsl_rng_free(rng);
    prob_free(p);
    prob_free(pn);
    /* a bad file */
    tu_write(path, "{\"format\": \"gahpo-surrogate\"");
    ck_assert_ptr_null(sur_problem_alloc(path, "x", 0, &err));
    ck_assert_int_eq(err.status, GA_EINPUT);
    sur_model_free(m);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* ---- gahpo fit ------------------------------------------------------------ */

START_TEST(test_fit_cli)
{
    char *dir = tu_tmpdir("surfit");
    char space[4096], log[4096], out[4096], badlog[4096];
    snprintf(space, sizeof space, "%s/surrogates/data/synthetic_mixed/space.json",
             tu_root());
    snprintf(log, sizeof log, "%s/surrogates/data/synthetic_mixed/log.csv",
             tu_root());
    snprintf(out, sizeof out, "%s/m.json", dir);
    char *so, *se;
    int rc = tu_run((char *[]){ G, "fit", "--space", space, "--log", log, "--out",
                                out, "--cv", "3", "--restarts", "2", "--seed", "3",
                                NULL }, NULL, NULL, &so, &se);
    ck_assert_msg(rc == 0, "%s", se);
    ck_assert_ptr_nonnull(strstr(so, "failed (left out)"));
    ck_assert_ptr_nonnull(strstr(so, "Spearman"));
    ck_assert_ptr_nonnull(strstr(so, "length scales"));
    ck_assert_ptr_null(strstr(so, "NOT trustworthy"));
    free(so);
    free(se);
    char *text = tu_read(out);
    cJSON *o = cJSON_Parse(text);
    free(text);
    const cJSON *cv = cJSON_GetObjectItem(o, "cv");
    ck_assert_ptr_nonnull(cv);
    const char *keys[] = { "r2", "rmse", "spearman", "kendall" };
    for (int i = 0; i < 4; i++)
        ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(cv, keys[i])));
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(cv, "folds")), 3);
    ck_assert(cJSON_GetObjectItem(cv, "spearman")->valuedouble > 0.9);
    cJSON_Delete(o);
    prob_problem *p;
    ga_error err;
    p = sur_problem_alloc(out, "surrogate:m", 0, &err);
    ck_assert_msg(p != NULL, "%s", err.msg);
    prob_free(p);

    /* a bad row: exit 2, file, line and column named, nothing written */
    snprintf(badlog, sizeof badlog, "%s/bad.csv", dir);
    tu_write(badlog, "lr,momentum,units,batch,optimizer,batch_norm,val_loss\n"
                     "0.01,0.5,16,32,adam,true,0.5\n"
                     "0.01,0.5,16,32,nadam,true,0.5\n");
    snprintf(out, sizeof out, "%s/none.json", dir);
    rc = tu_run((char *[]){ G, "fit", "--space", space, "--log", badlog, "--out",
                            out, NULL }, NULL, NULL, &so, &se);
    ck_assert_int_eq(rc, 2);
    ck_assert_msg(strstr(se, "bad.csv:3: column 'optimizer'"), "%s", se);
    ck_assert_ptr_null(tu_read(out));
    free(so);
    free(se);
    /* usage */
    rc = tu_run((char *[]){ G, "fit", "--space", space, NULL }, NULL, NULL, &so,
                &se);
    ck_assert_int_eq(rc, 2);
    ck_assert_ptr_nonnull(strstr(se, "--log FILE is required"));
    free(so);
    free(se);
    rc = tu_run((char *[]){ G, "fit", "--space", space, "--log", log, "--out",
                            out, "--cv", "x", NULL }, NULL, NULL, &so, &se);
    ck_assert_int_eq(rc, 2);
    free(so);
    free(se);

    /* noise only: flagged as not trustworthy */
    char noise[4096];
    snprintf(noise, sizeof noise, "%s/noise.csv", dir);
    FILE *f = fopen(noise, "w");
    fprintf(f, "lr,momentum,units,batch,optimizer,batch_norm,val_loss\n");
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    const char *opts[] = { "sgd", "adam", "rmsprop" };
    for (int i = 0; i < 60; i++)
        fprintf(f, "%.6g,%.4f,%d,%d,%s,%s,%.6f\n",
                pow(10, -4 + 3 * gsl_rng_uniform(rng)) * 0.999,
                0.9 * gsl_rng_uniform(rng), 8 + (int)gsl_rng_uniform_int(rng, 200),
                16 << gsl_rng_uniform_int(rng, 5), opts[i % 3],
                i % 2 ? "true" : "false", gsl_rng_uniform(rng));
    fclose(f);
    gsl_rng_free(rng);
    snprintf(out, sizeof out, "%s/noise.json", dir);
    rc = tu_run((char *[]){ G, "fit", "--space", space, "--log", noise, "--out",
                            out, "--restarts", "2", NULL }, NULL, NULL, &so, &se);
    ck_assert_msg(rc == 0, "%s", se);
    ck_assert_msg(strstr(so, "NOT trustworthy"), "%s", so);
    text = tu_read(out);
    ck_assert_ptr_nonnull(strstr(text, "\"trustworthy\":\tfalse"));
    free(text);
    free(so);
    free(se);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* The committed DeepTTC model is what gahpo fit makes from the committed
 * log with the settings recorded in it. */
START_TEST(test_committed_model_matches)
{
    if (tu_quick()) {
        fprintf(stderr, "SKIPPED in quick mode: committed DeepTTC model refit\n");
        return;
    }
    char model[4096], space[4096], log[4096], out[4096], seed[32], restarts[32],
        subset[32], k[32];
    snprintf(model, sizeof model, "%s/surrogates/models/deepttc.json", tu_root());
    snprintf(space, sizeof space, "%s/surrogates/data/deepttc/space.json",
             tu_root());
    snprintf(log, sizeof log, "%s/surrogates/data/deepttc/log.jsonl", tu_root());
    char *text = tu_read(model);
    ck_assert_msg(text != NULL, "%s missing", model);
    cJSON *committed = cJSON_Parse(text);
    free(text);
    ck_assert_ptr_nonnull(committed);
    const cJSON *fit = cJSON_GetObjectItem(committed, "fit");
    const cJSON *cv = cJSON_GetObjectItem(committed, "cv");
    snprintf(seed, sizeof seed, "%.0f", cJSON_GetObjectItem(fit, "seed")->valuedouble);
    snprintf(restarts, sizeof restarts, "%.0f",
             cJSON_GetObjectItem(fit, "restarts")->valuedouble);
    snprintf(subset, sizeof subset, "%.0f",
             cJSON_GetObjectItem(fit, "subset")->valuedouble);
    snprintf(k, sizeof k, "%.0f", cJSON_GetObjectItem(cv, "k")->valuedouble);
    char *dir = tu_tmpdir("surcommitted");
    snprintf(out, sizeof out, "%s/deepttc.json", dir);
    char *so, *se;
    int rc = tu_run((char *[]){ G, "fit", "--space", space, "--log", log, "--out",
                                out, "--seed", seed, "--restarts", restarts,
                                "--subset", subset, "--cv", k, "--quiet", NULL },
                    NULL, NULL, &so, &se);
    ck_assert_msg(rc == 0, "%s", se);
    free(so);
    free(se);
    text = tu_read(out);
    cJSON *fresh = cJSON_Parse(text);
    free(text);
    /* the data exactly; the hyperparameters and CV to within what the
     * CPU's BLAS kernels change: OpenBLAS picks its kernels for the CPU
     * (or OPENBLAS_CORETYPE), and their last bits move a fit's optimum by
     * about 1e-6 (measured: Haswell and this EPYC's own, 67.1873966 and
     * 67.1873705) */
    const char *same[] = { "space", "encoding", "train" };
    for (int i = 0; i < 3; i++)
        ck_assert_msg(cJSON_Compare(cJSON_GetObjectItem(committed, same[i]),
                                    cJSON_GetObjectItem(fresh, same[i]), 1),
                      "surrogates/models/deepttc.json: '%s' differs from what "
                      "gahpo fit makes now (refit it: see docs/SURROGATES.md)",
                      same[i]);
    const cJSON *k1 = cJSON_GetObjectItem(committed, "kernel");
    const cJSON *k2 = cJSON_GetObjectItem(fresh, "kernel");
    const cJSON *l1 = cJSON_GetObjectItem(k1, "log_length_scales");
    const cJSON *l2 = cJSON_GetObjectItem(k2, "log_length_scales");
    ck_assert_int_eq(cJSON_GetArraySize(l1), cJSON_GetArraySize(l2));
    for (int i = 0; i < cJSON_GetArraySize(l1); i++)
        ck_assert_msg(fabs(cJSON_GetArrayItem(l1, i)->valuedouble -
                           cJSON_GetArrayItem(l2, i)->valuedouble) < 1e-3,
                      "surrogates/models/deepttc.json: length scale %d differs "
                      "from what gahpo fit makes now (refit it: see "
                      "docs/SURROGATES.md)", i);
    const char *kkeys[] = { "log_signal_variance", "log_noise_variance",
                            "log_marginal_likelihood" };
    for (int i = 0; i < 3; i++)
        ck_assert_msg(fabs(cJSON_GetObjectItem(k1, kkeys[i])->valuedouble -
                           cJSON_GetObjectItem(k2, kkeys[i])->valuedouble) < 1e-3,
                      "surrogates/models/deepttc.json: kernel %s differs from "
                      "what gahpo fit makes now (refit it)", kkeys[i]);
    const char *metrics[] = { "r2", "rmse", "spearman", "kendall" };
    const cJSON *cv2 = cJSON_GetObjectItem(fresh, "cv");
    for (int i = 0; i < 4; i++)
        ck_assert_double_eq_tol(cJSON_GetObjectItem(cv, metrics[i])->valuedouble,
                                cJSON_GetObjectItem(cv2, metrics[i])->valuedouble,
                                5e-3);
    cJSON_Delete(committed);
    cJSON_Delete(fresh);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* The pooled within-group variance of repeated rows, by hand: rows A x4
 * (1, 2, 3, 4: sum of squares 5, 3 dof) and B x3 (5, 7, 9: 8, 2 dof),
 * C once (no group): 13 / 5. Fewer than 5 dof: none. */
START_TEST(test_repeat_variance)
{
    /* rows A B A A C B A B, A = (1, 0), B = (2, 0), C = (3, 3) */
    const double rows[] = { 1, 0, 2, 0, 1, 0, 1, 0, 3, 3, 2, 0, 1, 0, 2, 0 };
    const double t[] = { 1, 5, 2, 3, 0, 7, 4, 9 };
    double var;
    size_t groups, points;
    ck_assert_int_eq(sur_repeat_variance(rows, t, 8, 2, &var, &groups,
                                         &points), 0);
    ck_assert_uint_eq(groups, 2);
    ck_assert_uint_eq(points, 7);
    ck_assert_double_eq_tol(var, 13.0 / 5.0, 1e-12);
    ck_assert_int_eq(sur_repeat_variance(rows, t, 5, 2, &var, &groups,
                                         &points), 0);
    ck_assert(isnan(var));
}
END_TEST

/* The committed real HPO models: each is what gahpo fit makes from its
 * committed log (the data exactly, the hyperparameters and the repeated
 * points' noise as recorded), is listed by `gahpo problems list`, and runs
 * as surrogate:NAME:noisy for an exact budget. */
static const char *const real_models[] = { "mlp_digits", "gbm_breast_cancer",
                                           "svm_wine", "forest_friedman" };

START_TEST(test_real_model_committed)
{
    const char *name = real_models[_i];
    char model[4096], space[4096], log[4096], out[4096], prob[256], run[4200];
    snprintf(model, sizeof model, "%s/surrogates/models/%s.json", tu_root(),
             name);
    snprintf(space, sizeof space, "%s/surrogates/data/%s/space.json",
             tu_root(), name);
    snprintf(log, sizeof log, "%s/surrogates/data/%s/log.jsonl", tu_root(),
             name);
    char *so, *se;
    ck_assert_int_eq(tu_run((char *[]){ G, "problems", "list", NULL }, NULL,
                            NULL, &so, &se), 0);
    snprintf(prob, sizeof prob, "surrogate:%s ", name);
    ck_assert_msg(strstr(so, prob), "%s not listed: %s", name, so);
    free(so);
    free(se);
    char *dir = tu_tmpdir("surreal");
    snprintf(run, sizeof run, "%s/run", dir);
    snprintf(prob, sizeof prob, "surrogate:%s:noisy", name);
    ck_assert_int_eq(tu_run((char *[]){ G, "run", "--no-env", "--problem",
                                        prob, "--out", run, "--budget", "30",
                                        "--quiet", NULL }, NULL, NULL, &so,
                            &se), 0);
    free(so);
    free(se);
    char evals[4300];
    snprintf(evals, sizeof evals, "%s/evals.jsonl", run);
    ck_assert_int_eq(tu_count_lines(evals), 30);
    if (tu_quick()) {
        fprintf(stderr, "SKIPPED in quick mode: refit of %s\n", name);
        tu_rmrf(dir);
        free(dir);
        return;
    }
    char *text = tu_read(model);
    ck_assert_msg(text != NULL, "%s missing", model);
    cJSON *committed = cJSON_Parse(text);
    free(text);
    snprintf(out, sizeof out, "%s/m.json", dir);
    int rc = tu_run((char *[]){ G, "fit", "--space", space, "--log", log,
                                "--out", out, "--log-output", "--cv", "0",
                                "--quiet", NULL }, NULL, NULL, &so, &se);
    ck_assert_msg(rc == 0, "%s", se);
    free(so);
    free(se);
    text = tu_read(out);
    cJSON *fresh = cJSON_Parse(text);
    free(text);
    const char *same[] = { "space", "encoding", "train" };
    for (int i = 0; i < 3; i++)
        ck_assert_msg(cJSON_Compare(cJSON_GetObjectItem(committed, same[i]),
                                    cJSON_GetObjectItem(fresh, same[i]), 1),
                      "%s: '%s' differs from what gahpo fit makes from the "
                      "committed log (refit: docs/SURROGATES.md)", model,
                      same[i]);
    /* the repeated points' noise exactly (it is the data's); the fit to
     * within what the CPU's BLAS kernels move it: on these 1,100-point
     * logs the optimizer stops at slightly different hyperparameters
     * (measured: log marginal likelihood -729.43 with OpenBLAS's Haswell
     * kernels, -728.55 with this EPYC's own), so the likelihood within 2
     * and the two models' predictions at every logged point in the same
     * order (Spearman >= 0.99) */
    const cJSON *k1 = cJSON_GetObjectItem(committed, "kernel");
    const cJSON *k2 = cJSON_GetObjectItem(fresh, "kernel");
    const cJSON *r1 = cJSON_GetObjectItem(k1, "repeat_noise_variance");
    const cJSON *r2 = cJSON_GetObjectItem(k2, "repeat_noise_variance");
    ck_assert(cJSON_IsNumber(r1) && cJSON_IsNumber(r2));
    ck_assert_double_eq_tol(r1->valuedouble, r2->valuedouble,
                            1e-12 * r1->valuedouble);
    double l1 = cJSON_GetObjectItem(k1, "log_marginal_likelihood")->valuedouble;
    double l2 = cJSON_GetObjectItem(k2, "log_marginal_likelihood")->valuedouble;
    ck_assert_msg(fabs(l1 - l2) < 2, "%s: log marginal likelihood %.6g, a "
                  "refit %.6g (refit: docs/SURROGATES.md)", model, l1, l2);
    ga_error err;
    sur_model *a = sur_model_load(model, &err), *b = sur_model_load(out, &err);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    double *pa = malloc(a->n * sizeof *pa), *pb = malloc(a->n * sizeof *pb);
    double *scratch = malloc(sur_model_scratch_size(a) * sizeof *scratch);
    sur_model_predict_latent(a, a->genes, a->n, pa, NULL, scratch);
    free(scratch);
    scratch = malloc(sur_model_scratch_size(b) * sizeof *scratch);
    sur_model_predict_latent(b, a->genes, a->n, pb, NULL, scratch);
    sur_metrics met;
    sur_metrics_compute(pa, pb, a->n, &met);
    ck_assert_msg(met.spearman >= 0.99, "%s: a refit ranks the logged points "
                  "differently (Spearman %.4f)", model, met.spearman);
    free(scratch);
    free(pa);
    free(pb);
    sur_model_free(a);
    sur_model_free(b);
    cJSON_Delete(committed);
    cJSON_Delete(fresh);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* surrogate:PATH.json: a model file of the user's, by path, mean and
 * noisy; a missing one is an error naming it. */
START_TEST(test_surrogate_by_path)
{
    char *dir = tu_tmpdir("surpath");
    char path[4096], prob[4200], noisy[4200], run[4200], evals[4300];
    snprintf(path, sizeof path, "%s/mine.json", dir);
    snprintf(prob, sizeof prob, "surrogate:%s", path);
    snprintf(noisy, sizeof noisy, "surrogate:%s:noisy", path);
    snprintf(run, sizeof run, "%s/run", dir);
    snprintf(evals, sizeof evals, "%s/evals.jsonl", run);
    sur_model *m = small_model();
    ga_error err;
    ck_assert_int_eq(sur_model_save(m, path, &err), GA_OK);
    char *so, *se;
    ck_assert_int_eq(tu_run((char *[]){ G, "run", "--no-env", "--problem",
                                        noisy, "--out", run, "--budget", "40",
                                        "--quiet", NULL }, NULL, NULL, &so,
                            &se), 0);
    free(so);
    free(se);
    ck_assert_int_eq(tu_count_lines(evals), 40);
    /* the mean at a training point, through the command, is the model's */
    double mean[60], var[60];
    predict_all(m, mean, var);
    char line[512] = "";
    for (size_t j = 0; j < m->space->n; j++) {
        char buf[128];
        ga_param_gene_format(&m->space->params[j], m->genes[j], buf,
                             sizeof buf);
        strcat(line, j ? "," : "");
        strcat(line, buf);
    }
    strcat(line, "\n");
    ck_assert_int_eq(tu_run((char *[]){ G, "problems", "eval", prob, NULL },
                            line, NULL, &so, &se), 0);
    /* the command runs in a clean environment, where OpenBLAS may pick
     * other kernels than this process: the last bits may differ */
    ck_assert_double_eq_tol(strtod(so, NULL), exp(mean[0]),
                            1e-9 * exp(mean[0]));
    free(so);
    free(se);
    char missing[4300];
    snprintf(missing, sizeof missing, "surrogate:%s/none.json", dir);
    ck_assert_int_eq(tu_run((char *[]){ G, "problems", "info", missing, NULL },
                            NULL, NULL, &so, &se), 2);
    ck_assert_msg(strstr(se, "none.json"), "%s", se);
    free(so);
    free(se);
    sur_model_free(m);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(test_compare_sklearn_quick)
{
    if (tu_quick()) {
        fprintf(stderr, "SKIPPED in quick mode: comparison with scikit-learn\n");
        return;
    }
    char script[4096];
    snprintf(script, sizeof script, "%s/tests/oracles/compare_sklearn.py", tu_root());
    char *so, *se;
    int rc = tu_run((char *[]){ "/usr/bin/python3", script, "--gahpo", G,
                                "--max-points", "150", "--restarts", "2", NULL },
                    NULL, NULL, &so, &se);
    ck_assert_msg(rc == 0, "%s\n%s", so, se);
    ck_assert_ptr_nonnull(strstr(so, "compare_sklearn: PASS"));
    free(so);
    free(se);
}
END_TEST

Suite *surrogate_suite(void)
{
    Suite *s = suite_create("surrogate");
    TCase *tc = tcase_create("surrogate");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_log_jsonl_good);
    tcase_add_test(tc, test_log_csv_good);
    tcase_add_loop_test(tc, test_log_bad, 0,
                        (int)(sizeof bad_logs / sizeof bad_logs[0]));
    tcase_add_test(tc, test_encode_round_trip);
    tcase_add_test(tc, test_gp_gradient);
    tcase_add_test(tc, test_gp_known_function);
    tcase_add_test(tc, test_gp_jitter_on_duplicates);
    tcase_add_test(tc, test_gp_default_reaches_full_optimum);
    tcase_add_test(tc, test_gp_thread_count_identical);
    tcase_add_test(tc, test_gp_batch_equals_single);
    tcase_add_test(tc, test_metrics_fixed);
    tcase_add_test(tc, test_cv_fixed_dataset);
    tcase_add_test(tc, test_model_save_load_identical);
    tcase_add_test(tc, test_surrogate_problem);
    tcase_add_test(tc, test_fit_cli);
    tcase_add_test(tc, test_committed_model_matches);
    tcase_add_test(tc, test_repeat_variance);
    tcase_add_loop_test(tc, test_real_model_committed, 0,
                        (int)(sizeof real_models / sizeof real_models[0]));
    tcase_add_test(tc, test_surrogate_by_path);
    tcase_add_test(tc, test_compare_sklearn_quick);
    suite_add_tcase(s, tc);
    return s;
}
