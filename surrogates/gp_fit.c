/* gp_fit.c - fitting the GP's hyperparameters: the log marginal likelihood
 * and its analytic gradient, GSL's BFGS2 on it, and the staged fit.
 * One likelihood+gradient is a Cholesky, a triangular inverse and L'L
 * (GSL's recursive BLAS-3 routines, so OpenBLAS's kernels and threads),
 * then O(n^2 d) for the traces. The restarts run on a random subset; the
 * best start is refined on nested subsets twice as large, and last on all
 * points to convergence, so the fit ends at the full-data optimum. */
#include "gp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <omp.h>

#include "gp_impl.h"
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
/* BFGS2's line search accepts a step when the slope has fallen to this
 * fraction (the usual 0.9 of quasi-Newton methods: fewer evaluations per
 * iteration than 0.1 or 0.5, measured) */
#define LINE_TOL 0.9

sur_gp_options sur_gp_options_default(void)
{
    sur_gp_options o;
    memset(&o, 0, sizeof o);
    o.seed = 1;
    o.restarts = 5;
    o.subset = 128;
    o.max_iter = 100;
    o.final_iter = 200;
    o.max_refine = 0;
    o.tol = 0.01;
    o.threads = 0;
    return o;
}

/* ---- the likelihood on one data set (all points, or a subset) ---------- */

typedef struct lml_work {
    size_t n, d;
    const double *xt, *y;  /* d x n inputs, n standardized targets */
    gsl_matrix *k;      /* kernel, then its factor, then K^-1 (lower) */
    gsl_matrix *r;      /* each pair's r = sqrt(5 s), for the gradient */
    double *u, *alpha;  /* K^-1 1, K^-1 (y - mean) */
    double *gpart;      /* n x (d + 1): each row's share of the gradient */
    double inv_l2[SUR_GP_MAX_D];
    double cached_theta[SUR_GP_MAX_D + 2], cached_lml;
    int cached;         /* k holds the factor at cached_theta */
    double jitter, mean;
    int threads;
    size_t evals;
} lml_work;

/* Workspace for n points; the gradient's matrices only if gradients will
 * be needed. */
static int work_init(lml_work *w, const double *xt, const double *y, size_t n,
                     size_t d, int gradients, int threads)
{
    memset(w, 0, sizeof *w);
    w->n = n;
    w->d = d;
    w->xt = xt;
    w->y = y;
    w->threads = threads;
    w->k = gsl_matrix_alloc(n, n);
    w->r = gradients ? gsl_matrix_alloc(n, n) : NULL;
    w->gpart = gradients ? malloc(n * (d + 1) * sizeof *w->gpart) : NULL;
    w->u = malloc(n * sizeof *w->u);
    w->alpha = malloc(n * sizeof *w->alpha);
    return w->k && (!gradients || (w->r && w->gpart)) && w->u && w->alpha
               ? 0 : -1;
}

static void work_free(lml_work *w)
{
    if (w->k)
        gsl_matrix_free(w->k);
    if (w->r)
        gsl_matrix_free(w->r);
    free(w->gpart);
    free(w->u);
    free(w->alpha);
}

/* Row i's share of the gradient, from K^-1 in w->k and the pairs' r in
 * w->r (overwritten): for each input q, sum_j<i W_ij c_ij (x_iq - x_jq)^2
 * with W = alpha alpha' - K^-1 and c_ij the kernel's derivative factor;
 * then the signal variance's share, sum_j<i W_ij k_ij + W_ii sf2 / 2. */
static void gradient_row(lml_work *w, size_t i, double sf2)
{
    size_t n = w->n, d = w->d;
    const double *kinv = gsl_matrix_const_ptr(w->k, i, 0);
    double *t = gsl_matrix_ptr(w->r, i, 0);
    const double *a = w->alpha;
    double g_sf2 = 0;
    for (size_t j = 0; j < i; j++) {
        double wij = a[i] * a[j] - kinv[j], r = t[j], e = exp(-r);
        g_sf2 += wij * sf2 * (1.0 + r + r * r / 3.0) * e;
        t[j] = wij * sf2 * (5.0 / 3.0) * (1.0 + r) * e;
    }
    double *out = w->gpart + i * (d + 1);
    for (size_t q = 0; q < d; q++) {
        const double *col = w->xt + q * n;
        double xi = col[i], acc = 0;
#pragma omp simd reduction(+ : acc)
        for (size_t j = 0; j < i; j++) {
            double dx = xi - col[j];
            acc += t[j] * dx * dx;
        }
        out[q] = acc;
    }
    out[d] = g_sf2 + 0.5 * (a[i] * a[i] - kinv[i]) * sf2;
}

/* Log marginal likelihood and (if grad) its gradient in theta:
 * dL/dtheta_j = 1/2 tr((alpha alpha' - K^-1) dK/dtheta_j). BFGS's line
 * search often asks for the gradient where it has just asked for the
 * value: the factor is kept for that (w->cached) and not redone. */
static double lml_eval(lml_work *w, const double *theta, double *grad)
{
    size_t n = w->n, d = w->d;
    w->evals++;
    if (!w->cached || memcmp(theta, w->cached_theta,
                             (d + 2) * sizeof *theta) != 0) {
        w->cached = 0;
        if (sur_gp_factor(w->k, w->r, w->xt, n, d, theta, w->inv_l2,
                          &w->jitter, w->threads) != 0)
            return -INFINITY;
        w->cached_lml = sur_gp_solve_lml(w->k, w->y, n, w->u, w->alpha,
                                         &w->mean);
        memcpy(w->cached_theta, theta, (d + 2) * sizeof *theta);
        w->cached = 1;
    }
    double lml = w->cached_lml;
    if (!grad)
        return lml;
    /* K^-1 = L^-T L^-1, lower triangle, in place (BLAS-3) */
    w->cached = 0;
    if (gsl_linalg_tri_invert(CblasLower, CblasNonUnit, w->k) != GSL_SUCCESS ||
        gsl_linalg_tri_LTL(w->k) != GSL_SUCCESS)
        return -INFINITY;
    double sf2 = exp(theta[d]), sn2 = exp(theta[d + 1]);
    int nt = sur_gp_loop_threads(n, w->threads);
#pragma omp parallel for schedule(dynamic, 16) num_threads(nt)
    for (size_t i = 0; i < n; i++)
        gradient_row(w, i, sf2);
    /* the rows' shares summed in row order: the same for any thread count */
    memset(grad, 0, (d + 2) * sizeof *grad);
    double g_sn2 = 0;
    for (size_t i = 0; i < n; i++) {
        const double *gp = w->gpart + i * (d + 1);
        for (size_t q = 0; q <= d; q++)
            grad[q] += gp[q];
        g_sn2 += w->alpha[i] * w->alpha[i] - gsl_matrix_get(w->k, i, i);
    }
    for (size_t q = 0; q < d; q++)
        grad[q] *= w->inv_l2[q];
    grad[d + 1] = 0.5 * sn2 * g_sn2;
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

/* The objective in theta: f = -lml/n + penalty, its gradient into grad
 * (if not NULL); 1e10 and a zero gradient where the factorization fails. */
static double objective_theta(lml_work *w, const double *theta, double *grad)
{
    size_t d = w->d, nt = d + 2;
    double lml = lml_eval(w, theta, grad);
    double scale = 1.0 / (double)w->n;
    if (!isfinite(lml)) {
        if (grad)
            memset(grad, 0, nt * sizeof *grad);
        return 1e10;
    }
    if (grad)
        for (size_t j = 0; j < nt; j++)
            grad[j] *= -scale;
    return -lml * scale + box_penalty(theta, d, grad);
}

/* BFGS runs in z, theta = theta0 + P z: with P from the previous stage's
 * Hessian (H^-1/2), the start's metric is close to the objective's, and a
 * refinement takes a few iterations instead of relearning the curvature. */
typedef struct precond_fn {
    lml_work *w;
    const double *theta0;
    const double *p;        /* nt x nt, row-major; NULL: theta = theta0 + z */
} precond_fn;

static void z_to_theta(const precond_fn *pf, const gsl_vector *z, double *theta)
{
    size_t nt = pf->w->d + 2;
    for (size_t i = 0; i < nt; i++) {
        double t = pf->theta0[i];
        for (size_t j = 0; j < nt; j++)
            t += (pf->p ? pf->p[i * nt + j] : (double)(i == j)) *
                 gsl_vector_get(z, j);
        theta[i] = t;
    }
}

static double objective(precond_fn *pf, const gsl_vector *z, gsl_vector *g)
{
    size_t nt = pf->w->d + 2;
    double theta[SUR_GP_MAX_D + 2], grad[SUR_GP_MAX_D + 2];
    z_to_theta(pf, z, theta);
    double f = objective_theta(pf->w, theta, g ? grad : NULL);
    for (size_t j = 0; g && j < nt; j++) {      /* g_z = P' g_theta */
        double t = 0;
        for (size_t i = 0; i < nt; i++)
            t += (pf->p ? pf->p[i * nt + j] : (double)(i == j)) * grad[i];
        gsl_vector_set(g, j, t);
    }
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

/* BFGS2 from theta (updated in place), preconditioned by p (NULL: none),
 * for at most max_iter iterations, until the gradient of the objective is
 * below 1e-4 or two iterations in a row gain less than tol in log marginal
 * likelihood. Returns the final objective (INFINITY if no start). */
static double minimize(lml_work *w, double *theta, const double *p,
                       size_t max_iter, double tol)
{
    size_t nt = w->d + 2;
    precond_fn pf = { w, theta, p };
    gsl_multimin_function_fdf fdf = { obj_f, obj_df, obj_fdf, nt, &pf };
    gsl_vector *z = gsl_vector_calloc(nt);
    gsl_multimin_fdfminimizer *s =
        gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, nt);
    if (!z || !s) {
        gsl_vector_free(z);
        gsl_multimin_fdfminimizer_free(s);
        return INFINITY;
    }
    double f = INFINITY, ftol = tol / (double)w->n;
    /* preconditioned, a unit step is about a Newton step */
    if (gsl_multimin_fdfminimizer_set(s, &fdf, z, p ? 1.0 : 0.5, LINE_TOL) ==
        GSL_SUCCESS) {
        int small = 0;
        for (size_t it = 0; it < max_iter; it++) {
            double before = s->f;
            if (gsl_multimin_fdfminimizer_iterate(s) != GSL_SUCCESS)
                break;
            if (gsl_multimin_test_gradient(s->gradient, 1e-4) == GSL_SUCCESS)
                break;
            small = before - s->f < ftol ? small + 1 : 0;
            if (small >= 2)
                break;
        }
        f = s->f;
        double t[SUR_GP_MAX_D + 2];
        z_to_theta(&pf, s->x, t);
        memcpy(theta, t, nt * sizeof *t);
    }
    gsl_multimin_fdfminimizer_free(s);
    gsl_vector_free(z);
    return isfinite(f) ? f : INFINITY;
}

/* P = V diag(lambda)^-1/2 from a Hessian hm (overwritten), eigenvalues
 * floored at 1e-6 of the largest and at 1e-8, so flat directions get long
 * but finite steps. 0, or -1 if the Hessian is not usable. */
static int precond_from_hessian(gsl_matrix *hm, double *p)
{
    size_t nt = hm->size1;
    gsl_matrix *v = gsl_matrix_alloc(nt, nt);
    gsl_vector *lambda = gsl_vector_alloc(nt);
    gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(nt);
    int rc = v && lambda && ws && gsl_eigen_symmv(hm, lambda, v, ws) ==
             GSL_SUCCESS ? 0 : -1;
    double top = rc == 0 ? gsl_vector_max(lambda) : NAN;
    if (!(isfinite(top) && top > 0))
        rc = -1;
    double floor = top * 1e-6 > 1e-8 ? top * 1e-6 : 1e-8;
    for (size_t i = 0; rc == 0 && i < nt; i++)
        for (size_t j = 0; j < nt; j++) {
            double l = gsl_vector_get(lambda, j);
            p[i * nt + j] = gsl_matrix_get(v, i, j) / sqrt(l > floor ? l : floor);
        }
    if (v)
        gsl_matrix_free(v);
    if (lambda)
        gsl_vector_free(lambda);
    if (ws)
        gsl_eigen_symmv_free(ws);
    return rc;
}

typedef struct lml_call {
    const sur_gp *gp;
    const double *theta;
    double *grad, lml;
    int threads;
} lml_call;

static void lml_serial(void *arg)
{
    lml_call *c = arg;
    lml_work w;
    c->lml = -INFINITY;
    if (work_init(&w, c->gp->xt, c->gp->y, c->gp->n, c->gp->d, c->grad != NULL,
                  c->threads) == 0)
        c->lml = lml_eval(&w, c->theta, c->grad);
    work_free(&w);
}

double sur_gp_lml(const sur_gp *gp, const double *theta, double *grad)
{
    sur_gsl_quiet();
    lml_call c = { gp, theta, grad, -INFINITY, omp_get_max_threads() };
    sur_gp_blas_serial(lml_serial, &c);
    return c.lml;
}

/* ---- stages: restarts on a subset, then nested subsets up to all -------- */

/* A stage's data: the first m points of the fit's shuffle, in increasing
 * order, as d x n inputs and targets. */
typedef struct stage_data {
    size_t m;
    double *xt, *y;
} stage_data;

static int stage_init(stage_data *st, const sur_gp *gp, const size_t *order,
                      size_t m)
{
    size_t d = gp->d, n = gp->n;
    st->m = m;
    st->xt = malloc(m * d * sizeof *st->xt);
    st->y = malloc(m * sizeof *st->y);
    size_t *pick = malloc(m * sizeof *pick);
    if (!st->xt || !st->y || !pick) {
        free(pick);
        return -1;
    }
    memcpy(pick, order, m * sizeof *pick);
    /* increasing order: the points' order in the data (insertion sort
     * would be quadratic; the shuffle's prefix is sorted by marking) */
    char *used = calloc(n, 1);
    if (!used) {
        free(pick);
        return -1;
    }
    for (size_t i = 0; i < m; i++)
        used[order[i]] = 1;
    for (size_t i = 0, c = 0; i < n; i++)
        if (used[i])
            pick[c++] = i;
    free(used);
    for (size_t i = 0; i < m; i++) {
        for (size_t q = 0; q < d; q++)
            st->xt[q * m + i] = gp->xt[q * n + pick[i]];
        st->y[i] = gp->y[pick[i]];
    }
    free(pick);
    return 0;
}

static void stage_free(stage_data *st)
{
    free(st->xt);
    free(st->y);
    st->xt = st->y = NULL;
}

/* A seeded shuffle of 0..n-1: stage m fits its first m points. */
static size_t *shuffle_order(unsigned long seed, size_t n)
{
    size_t *order = malloc(n * sizeof *order);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (order)
        for (size_t i = 0; i < n; i++)
            order[i] = i;
    if (order && rng) {
        gsl_rng_set(rng, seed);
        gsl_ran_shuffle(rng, order, n, sizeof *order);
    }
    if (rng)
        gsl_rng_free(rng);
    return rng ? order : (free(order), NULL);
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

/* Every restart from its start on the stage's points, in parallel; the
 * index of the best (restarts if none gave a usable factorization). */
static size_t run_restarts(const stage_data *st, size_t d,
                           const sur_gp_options *opt, size_t restarts,
                           double *thetas)
{
    size_t nt = d + 2;
    double *f = malloc(restarts * sizeof *f);
    if (!f)
        return restarts;
    int threads = opt->threads;
    if ((size_t)threads > restarts)
        threads = (int)restarts;
#pragma omp parallel for schedule(dynamic) num_threads(threads)
    for (size_t r = 0; r < restarts; r++) {
        double *theta = thetas + r * nt;
        draw_start(opt->seed, r, d, theta);
        lml_work w;
        f[r] = INFINITY;
        if (work_init(&w, st->xt, st->y, st->m, d, 1, 1) == 0)
            f[r] = minimize(&w, theta, NULL, opt->max_iter, opt->tol);
        work_free(&w);
    }
    size_t best = restarts;
    for (size_t r = 0; r < restarts; r++)
        if (isfinite(f[r]) && f[r] < 1e9 && (best == restarts || f[r] < f[best]))
            best = r;
    free(f);
    return best;
}

/* The size of the stage after one on m of n points: twice as many, but n
 * rather than a last stage barely larger (< 1.5x) than this one; m when
 * max_refine stops the refinement. */
static size_t next_stage(size_t m, size_t n, size_t max_refine)
{
    size_t next = 2 * m;
    if (next + next / 2 > n)
        next = n;
    if (max_refine && next > max_refine)
        next = 2 * m <= max_refine ? 2 * m : m;
    return next;
}

/* The second start of a larger stage: theta with every length scale at
 * most 3x its shortest and the noise variance a tenth. With few points,
 * inputs of weak effect are switched off (a length scale on the
 * likelihood's plateau, where its gradient vanishes) and their signal
 * taken for noise; with more data they matter, but BFGS from the plateau
 * cannot find that. */
#define REOPEN_LS 1.0986122886681098   /* log 3 */
#define REOPEN_SN M_LN10
static int reopen(const double *theta, size_t d, double *out)
{
    double lo = theta[0];
    for (size_t q = 1; q < d; q++)
        lo = theta[q] < lo ? theta[q] : lo;
    int changed = 0;
    for (size_t q = 0; q < d; q++) {
        out[q] = theta[q] > lo + REOPEN_LS ? lo + REOPEN_LS : theta[q];
        changed |= out[q] != theta[q];
    }
    out[d] = theta[d];
    out[d + 1] = theta[d + 1] - REOPEN_SN;
    return changed;
}

/* The preconditioner for the next stage at theta on this stage's data
 * into p (*have_p 0 if the Hessian was not usable): the objective's
 * Hessian by forward differences of the analytic gradient (nt + 1
 * gradients, in parallel, each column alone: the same for any thread
 * count), symmetrized. -1 if out of memory. */
static int precond_at(const stage_data *st, size_t d, const double *theta,
                      int threads, double *p, int *have_p)
{
    size_t nt = d + 2;
    const double h = 1e-4;
    double *g = malloc((nt + 1) * nt * sizeof *g);
    gsl_matrix *hm = gsl_matrix_alloc(nt, nt);
    int oom = !g || !hm, bad = 0;
    int team = threads;
    if ((size_t)team > nt + 1)
        team = (int)(nt + 1);
    if (!oom) {
#pragma omp parallel num_threads(team) reduction(| : oom, bad)
        {
            lml_work w;
            int ok = work_init(&w, st->xt, st->y, st->m, d, 1,
                               omp_get_num_threads() > 1 ? 1 : threads) == 0;
            oom |= !ok;
#pragma omp for schedule(static)
            for (size_t j = 0; j <= nt; j++) {
                double t[SUR_GP_MAX_D + 2];
                memcpy(t, theta, nt * sizeof *t);
                if (j < nt)
                    t[j] += h;
                if (ok && objective_theta(&w, t, g + j * nt) >= 1e10)
                    bad = 1;
            }
            work_free(&w);
        }
    }
    for (size_t i = 0; !oom && !bad && i < nt; i++)
        for (size_t j = 0; j <= i; j++) {
            double a = (g[j * nt + i] - g[nt * nt + i]) / h;
            double b = (g[i * nt + j] - g[nt * nt + j]) / h;
            gsl_matrix_set(hm, i, j, 0.5 * (a + b));
            gsl_matrix_set(hm, j, i, 0.5 * (a + b));
        }
    *have_p = !oom && !bad && precond_from_hessian(hm, p) == 0;
    free(g);
    if (hm)
        gsl_matrix_free(hm);
    return oom ? -1 : 0;
}

/* BFGS on the stage's first m points of order from each of the starts
 * (nt values each, updated in place; at most 2), in parallel, with the
 * preconditioner p if *have_p; the best's index into *best. Then, if
 * next_p, the best's preconditioner on this stage (for the next) into p.
 * -1 if out of memory. */
static int run_stage(const sur_gp *gp, const size_t *order, size_t m,
                     const sur_gp_options *opt, double *starts, size_t nstarts,
                     size_t iters, double tol, double *p, int *have_p,
                     int next_p, size_t *best)
{
    size_t d = gp->d, nt = d + 2;
    stage_data st = { 0, NULL, NULL };
    double f[2] = { INFINITY, INFINITY };
    int oom[2] = { 0, 0 };
    if (nstarts > 2 || stage_init(&st, gp, order, m) != 0) {
        stage_free(&st);
        return -1;
    }
    int threads = opt->threads;
    if ((size_t)threads > nstarts)
        threads = (int)nstarts;
    /* one start alone gets all the threads for its loops and BLAS */
    int inner = threads > 1 ? 1 : opt->threads;
    const double *pp = *have_p ? p : NULL;
#pragma omp parallel for schedule(static) num_threads(threads)
    for (size_t s = 0; s < nstarts; s++) {
        lml_work w;
        if (work_init(&w, st.xt, st.y, m, d, 1, inner) == 0)
            f[s] = minimize(&w, starts + s * nt, pp, iters, tol);
        else
            oom[s] = 1;
        work_free(&w);
    }
    *best = nstarts > 1 && f[1] < f[0] ? 1 : 0;
    int rc = oom[0] || oom[1] ? -1 : 0;
    if (rc == 0 && next_p)
        rc = precond_at(&st, d, starts + *best * nt, opt->threads, p, have_p);
    stage_free(&st);
    return rc;
}

/* theta refined on each larger stage in turn from itself and its reopened
 * variant, the last stage on all points (or max_refine) with final_iter
 * iterations; p (with *have_p) is the preconditioner from the stage on m
 * points. -1 if out of memory. */
static int refine(const sur_gp *gp, const size_t *order, size_t m,
                  const sur_gp_options *opt, double *theta, double *p,
                  int *have_p)
{
    size_t n = gp->n, d = gp->d, nt = d + 2;
    for (size_t next = next_stage(m, n, opt->max_refine); next > m;
         next = next_stage(m, n, opt->max_refine)) {
        m = next;
        double starts[2 * (SUR_GP_MAX_D + 2)];
        memcpy(starts, theta, nt * sizeof *theta);
        size_t nstarts = 1 + (size_t)reopen(theta, d, starts + nt), best = 0;
        int last = next_stage(m, n, opt->max_refine) == m;
        if (run_stage(gp, order, m, opt, starts, nstarts,
                      last ? opt->final_iter : opt->max_iter,
                      opt->tol, p, have_p,
                      !last, &best) != 0)
            return -1;
        memcpy(theta, starts + best * nt, nt * sizeof *theta);
    }
    return 0;
}

static int fit(sur_gp *gp, const sur_gp_options *opt, ga_error *err)
{
    size_t n = gp->n, d = gp->d, nt = d + 2;
    size_t restarts = opt->restarts ? opt->restarts : 1;
    size_t m = opt->subset >= 16 && opt->subset < n ? opt->subset : n;
    double *thetas = malloc(restarts * nt * sizeof *thetas);
    double *p = malloc(nt * nt * sizeof *p);
    size_t *order = shuffle_order(opt->seed, n);
    stage_data st = { 0, NULL, NULL };
    int rc = GA_OK, have_p = 0;
    if (!thetas || !p || !order || stage_init(&st, gp, order, m) != 0) {
        rc = ga_error_set(err, GA_EFAIL, "out of memory");
        goto done;
    }
    size_t best = run_restarts(&st, d, opt, restarts, thetas);
    if (best == restarts) {
        rc = ga_error_set(err, GA_EFAIL, "Gaussian-process fit failed: no "
                          "start gave a positive-definite kernel matrix");
        goto done;
    }
    double *theta = thetas + best * nt;
    if ((next_stage(m, n, opt->max_refine) > m &&
         precond_at(&st, d, theta, opt->threads, p, &have_p) != 0) ||
        refine(gp, order, m, opt, theta, p, &have_p) != 0) {
        rc = ga_error_set(err, GA_EFAIL, "out of memory");
        goto done;
    }
    rc = sur_gp_condition_serial(gp, theta, opt->threads, err);
done:
    stage_free(&st);
    free(order);
    free(p);
    free(thetas);
    return rc;
}

typedef struct fit_call {
    sur_gp *gp;
    sur_gp_options opt;
    ga_error *err;
    int rc;
} fit_call;

static void fit_serial(void *arg)
{
    fit_call *c = arg;
    c->rc = fit(c->gp, &c->opt, c->err);
}

int sur_gp_fit(sur_gp *gp, const sur_gp_options *opt, ga_error *err)
{
    sur_gsl_quiet();
    fit_call c = { gp, *opt, err, GA_OK };
    if (c.opt.threads <= 0)
        c.opt.threads = omp_get_max_threads();
    sur_gp_blas_serial(fit_serial, &c);
    return c.rc;
}
