/* gp.c - Matérn 5/2 ARD Gaussian process: likelihood with analytic
 * gradient, BFGS2 restarts, conditioning and prediction.
 * Cost: one likelihood+gradient is a Cholesky and an inverse, O(n^3). The
 * restarts run on a small random subset, the best is refined on doubling
 * subsets (up to opt->max_refine points), and only then is the GP
 * conditioned on all points, so 1,000+ points fit in seconds. */
#include "gp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <omp.h>

#include "gsl_quiet.h"

/* Soft box for the log hyperparameters (standardized targets, inputs
 * scaled to [0, 1]): a quadratic penalty outside keeps BFGS away from
 * degenerate kernels without making the objective non-smooth. */
#define LOG_LS_MIN (-6.907755278982137)   /* log 1e-3 */
#define LOG_LS_MAX (6.907755278982137)    /* log 1e3 */
#define LOG_SF2_MIN (-9.210340371976184)  /* log 1e-4 */
#define LOG_SF2_MAX (9.210340371976184)
#define LOG_SN2_MIN (-18.420680743952367) /* log 1e-8 */
#define LOG_SN2_MAX (2.302585092994046)   /* log 10 */
#define PENALTY 1.0
#define LOG_2PI 1.8378770664093453

struct sur_gp {
    size_t n, d;
    double *x;          /* n x d */
    double *y;          /* n, standardized */
    double y_mu, y_sd;
    double *theta;      /* d + 2 conditioned hyperparameters */
    double *inv_l2;     /* d: 1 / length_scale^2 */
    double sf2, sn2, mean, jitter, lml;
    gsl_matrix *chol;   /* lower Cholesky factor of K; NULL if unconditioned */
    double *alpha;      /* K^-1 (y - mean) */
};

sur_gp_options sur_gp_options_default(void)
{
    sur_gp_options o = { 1, 5, 128, 40, 8, 1024, 0 };
    return o;
}

size_t sur_gp_ntheta(size_t d)
{
    return d + 2;
}

/* ---- the likelihood on one data set (all points, or a subset) ---------- */

typedef struct lml_work {
    size_t n, d;
    const double *x, *y;
    gsl_matrix *k;      /* kernel, then its factor, then the factor's inverse */
    gsl_matrix *kinv;   /* K^-1 (lower triangle), for the gradient */
    double *u, *w;      /* K^-1 1, K^-1 y, then alpha */
    double inv_l2[512]; /* scratch for the length scales (d <= 512) */
    double jitter, mean;
    int evals;
} lml_work;

/* Workspace for n points; the inverse's matrix only if gradients will be
 * needed (conditioning a large GP needs one n x n matrix, not two). */
static int work_init(lml_work *w, const double *x, const double *y, size_t n,
                     size_t d, int gradients)
{
    memset(w, 0, sizeof *w);
    w->n = n;
    w->d = d;
    w->x = x;
    w->y = y;
    w->k = gsl_matrix_alloc(n, n);
    w->kinv = gradients ? gsl_matrix_alloc(n, n) : NULL;
    w->u = malloc(n * sizeof *w->u);
    w->w = malloc(n * sizeof *w->w);
    return w->k && (w->kinv || !gradients) && w->u && w->w ? 0 : -1;
}

static void work_free(lml_work *w)
{
    if (w->k)
        gsl_matrix_free(w->k);
    if (w->kinv)
        gsl_matrix_free(w->kinv);
    free(w->u);
    free(w->w);
}

/* Matérn 5/2 of squared scaled distance s: sf2 (1 + r + r^2/3) e^-r with
 * r = sqrt(5 s). */
static inline double matern52(double s, double sf2)
{
    double r = sqrt(5.0 * s);
    return sf2 * (1.0 + r + 5.0 * s / 3.0) * exp(-r);
}

static inline double scaled_dist2(const double *a, const double *b,
                                  const double *inv_l2, size_t d)
{
    double s = 0;
    for (size_t k = 0; k < d; k++) {
        double t = a[k] - b[k];
        s += t * t * inv_l2[k];
    }
    return s;
}

static void fill_kernel(gsl_matrix *k, const double *x, size_t n, size_t d,
                        const double *inv_l2, double sf2, double diag)
{
    for (size_t i = 0; i < n; i++) {
        double *row = gsl_matrix_ptr(k, i, 0);
        const double *xi = x + i * d;
        for (size_t j = 0; j < i; j++)
            row[j] = matern52(scaled_dist2(xi, x + j * d, inv_l2, d), sf2);
        row[i] = sf2 + diag;
    }
}

/* Kernel at theta into k and its Cholesky factor, escalating the jitter
 * from 0 through 1e-10 .. 1e-2 of sf2. 0, or -1 if every try fails. */
static int factor(gsl_matrix *k, const double *x, size_t n, size_t d,
                  const double *theta, double *inv_l2, double *jitter)
{
    for (size_t j = 0; j < d; j++)
        inv_l2[j] = exp(-2.0 * theta[j]);
    double sf2 = exp(theta[d]), sn2 = exp(theta[d + 1]);
    double jit = 0;
    for (int attempt = 0; attempt < 10; attempt++) {
        fill_kernel(k, x, n, d, inv_l2, sf2, sn2 + jit);
        if (gsl_linalg_cholesky_decomp1(k) == GSL_SUCCESS) {
            *jitter = jit;
            return 0;
        }
        jit = attempt == 0 ? 1e-10 * sf2 : jit * 10;
    }
    return -1;
}

/* Given the factor in w->k: the GLS constant mean, alpha in w->w, and the
 * log marginal likelihood. */
static double solve_lml(lml_work *w)
{
    size_t n = w->n;
    gsl_vector_view u = gsl_vector_view_array(w->u, n);
    gsl_vector_view a = gsl_vector_view_array(w->w, n);
    gsl_vector_set_all(&u.vector, 1.0);
    gsl_linalg_cholesky_svx(w->k, &u.vector);
    memcpy(w->w, w->y, n * sizeof *w->w);
    gsl_linalg_cholesky_svx(w->k, &a.vector);
    double su = 0, sw = 0;
    for (size_t i = 0; i < n; i++) {
        su += w->u[i];
        sw += w->w[i];
    }
    double m = su > 0 ? sw / su : 0;
    double quad = 0, logdet = 0;
    for (size_t i = 0; i < n; i++) {
        w->w[i] -= m * w->u[i];
        quad += (w->y[i] - m) * w->w[i];
        logdet += log(gsl_matrix_get(w->k, i, i));
    }
    w->mean = m;
    return -0.5 * quad - logdet - 0.5 * (double)n * LOG_2PI;
}

/* K^-1 = L^-T L^-1 into the lower triangle of kinv, from the factor L in
 * k (overwritten by L^-1). GSL's cholesky_invert does the same but its
 * second product runs at half this loop's speed on reference BLAS. */
static void inverse_from_factor(gsl_matrix *k, gsl_matrix *kinv)
{
    size_t n = k->size1;
    gsl_linalg_tri_lower_invert(k);
    for (size_t i = 0; i < n; i++)
        memset(gsl_matrix_ptr(kinv, i, 0), 0, (i + 1) * sizeof(double));
    /* (M^T M)_ij = sum_{k >= i} M_ki M_kj, j <= i: one row of M at a time */
    for (size_t r = 0; r < n; r++) {
        const double *mr = gsl_matrix_const_ptr(k, r, 0);
        for (size_t i = 0; i <= r; i++) {
            double a = mr[i];
            double *ci = gsl_matrix_ptr(kinv, i, 0);
            for (size_t j = 0; j <= i; j++)
                ci[j] += a * mr[j];
        }
    }
}

/* Log marginal likelihood and (if grad) its gradient in theta. */
static double lml_eval(lml_work *w, const double *theta, double *grad)
{
    size_t n = w->n, d = w->d;
    w->evals++;
    if (factor(w->k, w->x, n, d, theta, w->inv_l2, &w->jitter) != 0)
        return -INFINITY;
    double lml = solve_lml(w);
    if (!grad)
        return lml;
    /* dL/dtheta_j = 1/2 tr((a a^T - K^-1) dK/dtheta_j) */
    inverse_from_factor(w->k, w->kinv);
    double sf2 = exp(theta[d]), sn2 = exp(theta[d + 1]);
    const double *a = w->w;
    double g_sf2 = 0, g_sn2 = 0;
    double *g_ls = grad;
    memset(g_ls, 0, d * sizeof *g_ls);
    for (size_t i = 0; i < n; i++) {
        const double *kinv = gsl_matrix_const_ptr(w->kinv, i, 0);
        const double *xi = w->x + i * d;
        for (size_t j = 0; j < i; j++) {
            double wij = a[i] * a[j] - kinv[j];
            const double *xj = w->x + j * d;
            double s = scaled_dist2(xi, xj, w->inv_l2, d);
            double r = sqrt(5.0 * s), e = exp(-r);
            g_sf2 += wij * sf2 * (1.0 + r + 5.0 * s / 3.0) * e;
            double c = wij * sf2 * (5.0 / 3.0) * (1.0 + r) * e;
            for (size_t k = 0; k < d; k++) {
                double t = xi[k] - xj[k];
                g_ls[k] += c * t * t * w->inv_l2[k];
            }
        }
        double wii = a[i] * a[i] - kinv[i];
        g_sf2 += 0.5 * wii * sf2;
        g_sn2 += 0.5 * wii * sn2;
    }
    /* off-diagonal pairs count twice in the trace, times the 1/2 */
    grad[d] = g_sf2;
    grad[d + 1] = g_sn2;
    return lml;
}

/* ---- the objective BFGS minimizes: -lml / n + box penalty --------------- */

static double box_penalty(const double *theta, size_t d, double *grad)
{
    double p = 0;
    for (size_t j = 0; j < d + 2; j++) {
        double lo = j < d ? LOG_LS_MIN : j == d ? LOG_SF2_MIN : LOG_SN2_MIN;
        double hi = j < d ? LOG_LS_MAX : j == d ? LOG_SF2_MAX : LOG_SN2_MAX;
        double ex = theta[j] < lo ? theta[j] - lo : theta[j] > hi ? theta[j] - hi : 0;
        p += 0.5 * PENALTY * ex * ex;
        if (grad)
            grad[j] += PENALTY * ex;
    }
    return p;
}

static double objective(lml_work *w, const gsl_vector *v, gsl_vector *g)
{
    size_t d = w->d, nt = d + 2;
    double theta[514], grad[514];
    for (size_t j = 0; j < nt; j++)
        theta[j] = gsl_vector_get(v, j);
    double lml = lml_eval(w, theta, g ? grad : NULL);
    double scale = 1.0 / (double)w->n;
    if (!isfinite(lml)) {
        if (g)
            gsl_vector_set_zero(g);
        return 1e10;
    }
    double f = -lml * scale;
    if (g) {
        for (size_t j = 0; j < nt; j++)
            grad[j] *= -scale;
    }
    f += box_penalty(theta, d, g ? grad : NULL);
    if (g)
        for (size_t j = 0; j < nt; j++)
            gsl_vector_set(g, j, grad[j]);
    return f;
}

static double obj_f(const gsl_vector *v, void *p)
{
    return objective(p, v, NULL);
}

static void obj_df(const gsl_vector *v, void *p, gsl_vector *g)
{
    objective(p, v, g);
}

static void obj_fdf(const gsl_vector *v, void *p, double *f, gsl_vector *g)
{
    *f = objective(p, v, g);
}

/* BFGS2 from theta (updated in place) for at most max_iter iterations and
 * about max_evals likelihood evaluations; returns the final objective. */
static double minimize(lml_work *w, double *theta, size_t max_iter,
                       int max_evals)
{
    size_t nt = w->d + 2;
    gsl_multimin_function_fdf fdf = { obj_f, obj_df, obj_fdf, nt, w };
    gsl_vector *x = gsl_vector_alloc(nt);
    gsl_multimin_fdfminimizer *s =
        gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, nt);
    if (!x || !s) {
        gsl_vector_free(x);
        gsl_multimin_fdfminimizer_free(s);
        return INFINITY;
    }
    for (size_t j = 0; j < nt; j++)
        gsl_vector_set(x, j, theta[j]);
    double f = INFINITY;
    int start = w->evals;
    if (gsl_multimin_fdfminimizer_set(s, &fdf, x, 0.5, 0.5) == GSL_SUCCESS) {
        for (size_t it = 0; it < max_iter; it++) {
            if (gsl_multimin_fdfminimizer_iterate(s) != GSL_SUCCESS)
                break;
            if (gsl_multimin_test_gradient(s->gradient, 1e-4) == GSL_SUCCESS)
                break;
            if (w->evals - start >= max_evals)
                break;
        }
        f = s->f;
        for (size_t j = 0; j < nt; j++)
            theta[j] = gsl_vector_get(s->x, j);
    }
    gsl_multimin_fdfminimizer_free(s);
    gsl_vector_free(x);
    return isfinite(f) ? f : INFINITY;
}

/* The first m points of a seeded shuffle of 0..n-1, in increasing order
 * (the data of a fitting stage; m == n gives all points). */
static void choose_points(unsigned long seed, size_t n, size_t m, size_t *pick)
{
    size_t *all = malloc(n * sizeof *all);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!all || !rng || m >= n) {
        for (size_t i = 0; i < m; i++)
            pick[i] = i;
    } else {
        gsl_rng_set(rng, seed);
        for (size_t i = 0; i < n; i++)
            all[i] = i;
        gsl_ran_choose(rng, pick, m, all, n, sizeof *all);
    }
    free(all);
    if (rng)
        gsl_rng_free(rng);
}

/* A stage's data: the chosen points of x and y, copied. */
typedef struct stage_data {
    size_t m;
    double *x, *y;
} stage_data;

static int stage_init(stage_data *st, const sur_gp *gp, unsigned long seed,
                      size_t m)
{
    size_t d = gp->d;
    st->m = m;
    st->x = malloc(m * d * sizeof *st->x);
    st->y = malloc(m * sizeof *st->y);
    size_t *pick = malloc(m * sizeof *pick);
    if (!st->x || !st->y || !pick) {
        free(pick);
        return -1;
    }
    choose_points(seed, gp->n, m, pick);
    for (size_t i = 0; i < m; i++) {
        memcpy(st->x + i * d, gp->x + pick[i] * d, d * sizeof *st->x);
        st->y[i] = gp->y[pick[i]];
    }
    free(pick);
    return 0;
}

static void stage_free(stage_data *st)
{
    free(st->x);
    free(st->y);
}

/* ---- the GP object ------------------------------------------------------ */

sur_gp *sur_gp_alloc(const double *x, const double *y, size_t n, size_t d,
                     ga_error *err)
{
    sur_gsl_quiet();
    if (n < 2 || d < 1 || d > 512) {
        ga_error_set(err, GA_EINPUT, "a Gaussian process needs at least 2 "
                     "points and 1 to 512 inputs (got %zu points, %zu inputs)",
                     n, d);
        return NULL;
    }
    for (size_t i = 0; i < n * d; i++)
        if (!isfinite(x[i])) {
            ga_error_set(err, GA_EINPUT, "input %zu of point %zu is not "
                         "finite", i % d, i / d);
            return NULL;
        }
    for (size_t i = 0; i < n; i++)
        if (!isfinite(y[i])) {
            ga_error_set(err, GA_EINPUT, "target of point %zu is not finite", i);
            return NULL;
        }
    sur_gp *gp = calloc(1, sizeof *gp);
    if (!gp)
        goto oom;
    gp->n = n;
    gp->d = d;
    gp->x = malloc(n * d * sizeof *gp->x);
    gp->y = malloc(n * sizeof *gp->y);
    gp->theta = calloc(d + 2, sizeof *gp->theta);
    gp->inv_l2 = calloc(d, sizeof *gp->inv_l2);
    gp->alpha = calloc(n, sizeof *gp->alpha);
    if (!gp->x || !gp->y || !gp->theta || !gp->inv_l2 || !gp->alpha)
        goto oom;
    memcpy(gp->x, x, n * d * sizeof *x);
    double mu = 0, ss = 0;
    for (size_t i = 0; i < n; i++)
        mu += y[i];
    mu /= (double)n;
    for (size_t i = 0; i < n; i++)
        ss += (y[i] - mu) * (y[i] - mu);
    double sd = sqrt(ss / (double)n);
    gp->y_mu = mu;
    gp->y_sd = sd > 0 ? sd : 1.0;
    for (size_t i = 0; i < n; i++)
        gp->y[i] = (y[i] - mu) / gp->y_sd;
    return gp;
oom:
    sur_gp_free(gp);
    ga_error_set(err, GA_EFAIL, "out of memory");
    return NULL;
}

void sur_gp_free(sur_gp *gp)
{
    if (!gp)
        return;
    free(gp->x);
    free(gp->y);
    free(gp->theta);
    free(gp->inv_l2);
    free(gp->alpha);
    if (gp->chol)
        gsl_matrix_free(gp->chol);
    free(gp);
}

int sur_gp_condition(sur_gp *gp, const double *theta, ga_error *err)
{
    sur_gsl_quiet();
    size_t n = gp->n, d = gp->d;
    for (size_t j = 0; j < d + 2; j++)
        if (!isfinite(theta[j]))
            return ga_error_set(err, GA_EINPUT, "hyperparameter %zu is not "
                                "finite", j);
    lml_work w;
    if (work_init(&w, gp->x, gp->y, n, d, 0) != 0) {
        work_free(&w);
        return ga_error_set(err, GA_EFAIL, "out of memory for %zu points", n);
    }
    if (factor(w.k, gp->x, n, d, theta, gp->inv_l2, &w.jitter) != 0) {
        work_free(&w);
        return ga_error_set(err, GA_EFAIL, "the kernel matrix is not positive "
                            "definite even with jitter 1e-2");
    }
    gp->lml = solve_lml(&w);
    memcpy(gp->theta, theta, (d + 2) * sizeof *theta);
    memcpy(gp->alpha, w.w, n * sizeof *gp->alpha);
    gp->sf2 = exp(theta[d]);
    gp->sn2 = exp(theta[d + 1]);
    gp->mean = w.mean;
    gp->jitter = w.jitter;
    if (gp->chol)
        gsl_matrix_free(gp->chol);
    gp->chol = w.k;     /* keep the factor */
    w.k = NULL;
    work_free(&w);
    return GA_OK;
}

double sur_gp_lml(const sur_gp *gp, const double *theta, double *grad)
{
    sur_gsl_quiet();
    lml_work w;
    double v = -INFINITY;
    if (work_init(&w, gp->x, gp->y, gp->n, gp->d, grad != NULL) == 0)
        v = lml_eval(&w, theta, grad);
    work_free(&w);
    return v;
}

/* A start: restart 0 at unit length scales, signal 1, noise 0.1; the rest
 * log-uniform around them, from a seed per restart (so results do not
 * depend on the thread count). */
static void draw_start(unsigned long seed, size_t r, size_t d, double *theta)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (rng)
        gsl_rng_set(rng, seed * 1000003UL + r * 7919UL + 17UL);
    for (size_t j = 0; j < d + 2; j++) {
        double u = rng && r > 0 ? gsl_rng_uniform(rng) : 0.5;
        if (j < d)
            theta[j] = log(0.1) + u * log(100.0);       /* 0.1 .. 10 */
        else if (j == d)
            theta[j] = log(0.2) + u * log(25.0);        /* 0.2 .. 5 */
        else
            theta[j] = r == 0 ? log(0.1) : log(1e-3) + u * log(1e3);
    }
    if (rng)
        gsl_rng_free(rng);
}

/* Likelihood evaluations a refinement stage on m points may spend: about
 * the time of evals_512 evaluations on 512 points (an O(m^3) step each),
 * at least 4. */
static int stage_budget(size_t m, size_t evals_512)
{
    double r = 512.0 / (double)m;
    double b = (double)evals_512 * r * r * r;
    if (b > (double)evals_512)
        b = (double)evals_512;
    return b < 4 ? 4 : (int)b;
}

int sur_gp_fit(sur_gp *gp, const sur_gp_options *opt, ga_error *err)
{
    sur_gsl_quiet();
    size_t n = gp->n, d = gp->d, nt = d + 2;
    size_t restarts = opt->restarts ? opt->restarts : 1;
    size_t m = opt->subset >= 16 && opt->subset < n ? opt->subset : n;
    double *thetas = malloc(restarts * nt * sizeof *thetas);
    double *f = malloc(restarts * sizeof *f);
    stage_data st = { 0, NULL, NULL };
    int rc = GA_OK;
    if (!thetas || !f || stage_init(&st, gp, opt->seed, m) != 0) {
        rc = ga_error_set(err, GA_EFAIL, "out of memory");
        goto done;
    }
    /* stage 1: every restart on the same m points (so their optima
     * compare), in parallel */
    int threads = opt->threads > 0 ? opt->threads : omp_get_max_threads();
    if ((size_t)threads > restarts)
        threads = (int)restarts;
#pragma omp parallel for schedule(dynamic) num_threads(threads)
    for (size_t r = 0; r < restarts; r++) {
        double *theta = thetas + r * nt;
        draw_start(opt->seed, r, d, theta);
        lml_work w;
        f[r] = INFINITY;
        if (work_init(&w, st.x, st.y, m, d, 1) == 0)
            f[r] = minimize(&w, theta, opt->max_iter, 1 << 30);
        work_free(&w);
    }
    size_t best = restarts;
    for (size_t r = 0; r < restarts; r++)
        if (isfinite(f[r]) && f[r] < 1e9 && (best == restarts || f[r] < f[best]))
            best = r;
    if (best == restarts) {
        rc = ga_error_set(err, GA_EFAIL, "Gaussian-process fit failed: no "
                          "start gave a positive-definite kernel matrix");
        goto done;
    }
    double *theta = thetas + best * nt;
    /* refinement: the best start on twice the points, up to all of them */
    while (m < n && opt->polish_iter > 0) {
        /* double, but go straight to n rather than leave a last stage
         * barely larger than this one */
        size_t next = 2 * m;
        if (next + next / 2 > n)
            next = n;
        if (opt->max_refine && next > opt->max_refine)
            next = 2 * m <= opt->max_refine ? 2 * m : m;
        if (next == m)
            break;
        m = next;
        stage_free(&st);
        lml_work w;
        memset(&w, 0, sizeof w);
        double t[514];
        if (stage_init(&st, gp, opt->seed + m, m) != 0 ||
            work_init(&w, st.x, st.y, m, d, 1) != 0) {
            work_free(&w);
            rc = ga_error_set(err, GA_EFAIL, "out of memory");
            goto done;
        }
        memcpy(t, theta, nt * sizeof *t);
        /* stages up to 256 points are cheap: iterate as the restarts do */
        size_t iters = m <= 256 ? opt->max_iter : opt->polish_iter;
        int budget = m <= 256 ? 1 << 30 : stage_budget(m, 4 * opt->polish_iter);
        if (isfinite(minimize(&w, t, iters, budget)))
            memcpy(theta, t, nt * sizeof *t);
        work_free(&w);
    }
    rc = sur_gp_condition(gp, theta, err);
done:
    stage_free(&st);
    free(thetas);
    free(f);
    return rc;
}

const double *sur_gp_theta(const sur_gp *gp)
{
    return gp->theta;
}

double sur_gp_fitted_lml(const sur_gp *gp)
{
    return gp->lml;
}

double sur_gp_mean_constant(const sur_gp *gp)
{
    return gp->mean;
}

double sur_gp_jitter(const sur_gp *gp)
{
    return gp->jitter;
}

size_t sur_gp_n(const sur_gp *gp)
{
    return gp->n;
}

size_t sur_gp_d(const sur_gp *gp)
{
    return gp->d;
}

size_t sur_gp_scratch_size(const sur_gp *gp)
{
    return gp->n;
}

void sur_gp_predict(const sur_gp *gp, const double *x, size_t m, double *mean,
                    double *var, int with_noise, double *scratch)
{
    size_t n = gp->n, d = gp->d;
    for (size_t p = 0; p < m; p++) {
        const double *xp = x + p * d;
        double mu = 0;
        for (size_t i = 0; i < n; i++) {
            double kv = matern52(scaled_dist2(xp, gp->x + i * d, gp->inv_l2, d),
                                 gp->sf2);
            scratch[i] = kv;
            mu += kv * gp->alpha[i];
        }
        mean[p] = gp->y_mu + gp->y_sd * (gp->mean + mu);
        if (!var)
            continue;
        gsl_vector_view v = gsl_vector_view_array(scratch, n);
        gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, gp->chol,
                       &v.vector);
        double vv = 0;
        for (size_t i = 0; i < n; i++)
            vv += scratch[i] * scratch[i];
        double vf = gp->sf2 - vv;
        if (vf < 0)
            vf = 0;
        if (with_noise)
            vf += gp->sn2;
        var[p] = gp->y_sd * gp->y_sd * vf;
    }
}
