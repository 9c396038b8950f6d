/* mixed.c - HPO-like test problems over mixed-type CANDLE spaces.
 *
 * Real HPO spaces mix log-scale floats, ints, ordered lists, categoricals
 * and booleans, and their evaluations are noisy. Each problem here is a sum
 * of simple, documented pieces over such a space, built so that its optimum
 * is known exactly (docs/PROBLEMS.md gives every definition):
 *
 *   f(x) = base + sum_terms w (z^2 + r (1 - cos(2 pi 5 z)))
 *               + sum_couplings w (z_a - z_b)^2 + sum_choices offset
 *
 * where z = u - u_opt is a numeric parameter's distance from its optimum on
 * [0, 1] (u: the value scaled by its bounds, in log10 for log_scale, the
 * index for ordered), a choice's offset is added when a categorical or
 * logical takes that value (0 for the best value) and may move another
 * parameter's optimum (a switched landscape), and a term may count only
 * when a categorical has a given value (conditional structure). Every piece
 * is >= 0 and is 0 at the chosen optimum, so f_opt = base there.
 *
 * Noisy variants (`mixed:NAME:noisy`) return f (1 + m N1) + a N2 with
 * N1, N2 standard normal from the generator the caller passes. */
#include "mixed.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "../ga/util.h"

typedef struct term_def {
    const char *param;       /* an int, float or ordered parameter */
    const char *optimum;     /* its optimal value, as text */
    double weight;
    double ripple;           /* cosine ripple amplitude (local minima) */
    const char *when_param;  /* the term counts only when this parameter */
    const char *when_value;  /*   has this value; NULL: always */
} term_def;

typedef struct choice_def {
    const char *param;       /* a categorical or logical parameter */
    const char *value;
    double offset;           /* added when param == value; 0 for the best */
    const char *shift_param; /* with this value, the optimum of shift_param */
    double shift;            /*   moves by this much on [0, 1] */
} choice_def;

typedef struct coupling_def {
    const char *a, *b;
    double weight;           /* w (z_a - z_b)^2 */
} coupling_def;

typedef struct mixed_def {
    const char *name;
    const char *description;
    double base;
    double noise_mul, noise_add;  /* for the :noisy variant */
    const term_def *terms;
    const choice_def *choices;
    const coupling_def *couplings;
} mixed_def;

static const term_def cnn_terms[] = {
    { "learning_rate", "0.001", 1.0, 0, NULL, NULL },
    { "batch_size", "128", 0.3, 0, NULL, NULL },
    { "dropout", "0.2", 0.5, 0, NULL, NULL },
    { "conv_layers", "4", 0.4, 0, NULL, NULL },
    { "filters", "64", 0.2, 0, NULL, NULL },
    { "momentum", "0.9", 0.6, 0, "optimizer", "sgd" },
    { NULL, NULL, 0, 0, NULL, NULL }
};
static const choice_def cnn_choices[] = {
    { "optimizer", "adam", 0, NULL, 0 },
    { "optimizer", "sgd", 0.05, "learning_rate", 0.25 },
    { "optimizer", "rmsprop", 0.03, NULL, 0 },
    { "batch_norm", "true", 0, NULL, 0 },
    { "batch_norm", "false", 0.04, NULL, 0 },
    { NULL, NULL, 0, NULL, 0 }
};
static const coupling_def cnn_couplings[] = {
    { "learning_rate", "batch_size", 0.5 },
    { NULL, NULL, 0 }
};

static const term_def transformer_terms[] = {
    { "learning_rate", "0.0001", 1.2, 0, NULL, NULL },
    { "batch_size", "64", 0.3, 0, NULL, NULL },
    { "dropout", "0.1", 0.4, 0, NULL, NULL },
    { "n_layer", "8", 0.3, 0, NULL, NULL },
    { "emb_size", "128", 0.2, 0, NULL, NULL },
    { "intermediate_size", "512", 0.2, 0, NULL, NULL },
    { "attention_heads", "8", 0.15, 0, NULL, NULL },
    { "attention_dropout", "0.1", 0.25, 0, NULL, NULL },
    { NULL, NULL, 0, 0, NULL, NULL }
};
static const choice_def transformer_choices[] = {
    { "activation", "gelu", 0, NULL, 0 },
    { "activation", "relu", 0.02, "dropout", 0.2 },
    { "activation", "tanh", 0.08, NULL, 0 },
    { "warmup", "true", 0, NULL, 0 },
    { "warmup", "false", 0.03, "learning_rate", -0.1 },
    { NULL, NULL, 0, NULL, 0 }
};
static const coupling_def transformer_couplings[] = {
    { "emb_size", "intermediate_size", 0.3 },
    { "learning_rate", "n_layer", 0.4 },
    { NULL, NULL, 0 }
};

static const term_def ripple_terms[] = {
    { "x1", "1.5", 1.0, 0.5, NULL, NULL },
    { "x2", "-2", 1.0, 0.5, NULL, NULL },
    { "x3", "3", 1.0, 0.3, NULL, NULL },
    { "k1", "3", 1.0, 0.5, NULL, NULL },
    { "k2", "7", 1.0, 0, "flip", "false" },
    { "level", "0.5", 0.5, 0, NULL, NULL },
    { NULL, NULL, 0, 0, NULL, NULL }
};
static const choice_def ripple_choices[] = {
    { "basin", "centre", 0, NULL, 0 },
    { "basin", "left", 0.3, "x1", -0.3 },
    { "basin", "right", 0.3, "x1", 0.3 },
    { "flip", "false", 0, NULL, 0 },
    { "flip", "true", 0.1, NULL, 0 },
    { NULL, NULL, 0, NULL, 0 }
};
static const coupling_def no_couplings[] = { { NULL, NULL, 0 } };

static const mixed_def defs[] = {
    { "cnn", "CNN-like: 9 params (log lr, ordered batch/filters, int layers, "
      "optimizer with conditional momentum, batch_norm)", 0.25, 0.05, 0.01,
      cnn_terms, cnn_choices, cnn_couplings },
    { "transformer", "DeepTTC-like transformer: 11 params, activation and "
      "warmup switch the optimum", 0.18, 0.05, 0.01, transformer_terms,
      transformer_choices, transformer_couplings },
    { "ripple", "multimodal: cosine ripples on floats and ints, three "
      "categorical basins, a conditional int", 0, 0.05, 0.01, ripple_terms,
      ripple_choices, no_couplings },
};
#define NDEFS (sizeof defs / sizeof defs[0])

/* Compiled form: indices into the space, optimum coordinates. */
typedef struct term {
    size_t param;
    double u_opt, weight, ripple;
    long when_param;   /* -1: always */
    double when_gene;
} term;

typedef struct choice {
    size_t param;
    double gene, offset;
    long shift_term;   /* index into terms, or -1 */
    double shift;
} choice;

typedef struct coupling {
    size_t a, b;       /* term indices */
    double weight;
} coupling;

typedef struct mixed {
    const mixed_def *def;
    int noisy;
    size_t nterms, nchoices, ncouplings;
    term *terms;
    choice *choices;
    coupling *couplings;
    double *lo, *hi;   /* per gene: scaling of u (log10 for log_scale) */
    int *log;
} mixed;

static void mixed_free(void *p)
{
    mixed *m = p;
    if (!m)
        return;
    free(m->terms);
    free(m->choices);
    free(m->couplings);
    free(m->lo);
    free(m->hi);
    free(m->log);
    free(m);
}

/* A numeric gene's coordinate on [0, 1]. */
static double coord(const mixed *m, size_t i, double g)
{
    double x = m->log[i] ? log10(g) : g;
    return m->hi[i] > m->lo[i] ? (x - m->lo[i]) / (m->hi[i] - m->lo[i]) : 0;
}

static double mixed_value(const mixed *m, const double *g, double *shift)
{
    double f = m->def->base;
    for (size_t t = 0; t < m->nterms; t++)
        shift[t] = 0;
    for (size_t c = 0; c < m->nchoices; c++) {
        const choice *ch = &m->choices[c];
        if (g[ch->param] != ch->gene)
            continue;
        f += ch->offset;
        if (ch->shift_term >= 0)
            shift[ch->shift_term] += ch->shift;
    }
    for (size_t t = 0; t < m->nterms; t++) {
        const term *tm = &m->terms[t];
        double z = coord(m, tm->param, g[tm->param]) - tm->u_opt - shift[t];
        shift[t] = z;  /* kept for the couplings */
        if (tm->when_param >= 0 && g[tm->when_param] != tm->when_gene)
            continue;
        f += tm->weight * (z * z + tm->ripple * (1 - cos(2 * M_PI * 5 * z)));
    }
    for (size_t c = 0; c < m->ncouplings; c++) {
        double d = shift[m->couplings[c].a] - shift[m->couplings[c].b];
        f += m->couplings[c].weight * d * d;
    }
    return f;
}

static void eval_mixed(const prob_problem *p, const double *x, size_t n,
                       double *f, gsl_rng *rng)
{
    const mixed *m = p->data;
    double small[32];
    double *scratch = m->nterms <= 32 ? small : malloc(m->nterms * sizeof *scratch);
    for (size_t k = 0; k < n; k++) {
        double v = scratch ? mixed_value(m, x + k * p->dim, scratch) : NAN;
        if (m->noisy && rng)
            v = v * (1 + m->def->noise_mul * gsl_ran_gaussian_ziggurat(rng, 1.0)) +
                m->def->noise_add * gsl_ran_gaussian_ziggurat(rng, 1.0);
        f[k] = v;
    }
    if (scratch != small)
        free(scratch);
}

static int gene_of(const ga_space *s, const char *param, const char *value,
                   size_t *index, double *gene, ga_error *err)
{
    long i = ga_space_find(s, param);
    if (i < 0)
        return ga_error_set(err, GA_EFAIL, "mixed problem: no parameter '%s' "
                            "in its space", param);
    *index = (size_t)i;
    if (value && ga_param_gene_parse(&s->params[i], value, gene, err) != GA_OK)
        return GA_EFAIL;
    return GA_OK;
}

static long term_index(const mixed *m, size_t param)
{
    for (size_t t = 0; t < m->nterms; t++)
        if (m->terms[t].param == param)
            return (long)t;
    return -1;
}

/* Compile a definition against its space, and find the optimum. */
static int compile(mixed *m, const ga_space *s, double *x_opt, ga_error *err)
{
    const mixed_def *d = m->def;
    size_t n = s->n;
    m->lo = calloc(n, sizeof *m->lo);
    m->hi = calloc(n, sizeof *m->hi);
    m->log = calloc(n, sizeof *m->log);
    while (d->terms[m->nterms].param)
        m->nterms++;
    while (d->choices[m->nchoices].param)
        m->nchoices++;
    while (d->couplings[m->ncouplings].a)
        m->ncouplings++;
    m->terms = calloc(m->nterms + 1, sizeof *m->terms);
    m->choices = calloc(m->nchoices + 1, sizeof *m->choices);
    m->couplings = calloc(m->ncouplings + 1, sizeof *m->couplings);
    if (!m->lo || !m->hi || !m->log || !m->terms || !m->choices || !m->couplings)
        return ga_error_set(err, GA_EFAIL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const ga_param *p = &s->params[i];
        x_opt[i] = 0;
        if (p->type == GA_INT || p->type == GA_FLOAT) {
            m->log[i] = p->log_scale;
            m->lo[i] = p->log_scale ? log10(p->lower) : p->lower;
            m->hi[i] = p->log_scale ? log10(p->upper) : p->upper;
        } else if (p->type == GA_ORDERED) {
            m->hi[i] = (double)(p->nvalues - 1);
        }
    }
    for (size_t t = 0; t < m->nterms; t++) {
        const term_def *td = &d->terms[t];
        term *tm = &m->terms[t];
        double g;
        if (gene_of(s, td->param, td->optimum, &tm->param, &g, err))
            return GA_EFAIL;
        x_opt[tm->param] = g;
        tm->u_opt = coord(m, tm->param, g);
        tm->weight = td->weight;
        tm->ripple = td->ripple;
        tm->when_param = -1;
        if (td->when_param) {
            size_t w;
            if (gene_of(s, td->when_param, td->when_value, &w, &tm->when_gene, err))
                return GA_EFAIL;
            tm->when_param = (long)w;
        }
    }
    for (size_t c = 0; c < m->nchoices; c++) {
        const choice_def *cd = &d->choices[c];
        choice *ch = &m->choices[c];
        if (gene_of(s, cd->param, cd->value, &ch->param, &ch->gene, err))
            return GA_EFAIL;
        ch->offset = cd->offset;
        ch->shift = cd->shift;
        ch->shift_term = -1;
        if (cd->shift_param) {
            size_t sp = 0;
            if (gene_of(s, cd->shift_param, NULL, &sp, NULL, err))
                return GA_EFAIL;
            ch->shift_term = term_index(m, sp);
        }
        if (cd->offset == 0)  /* the best value is part of the optimum */
            x_opt[ch->param] = ch->gene;
    }
    for (size_t c = 0; c < m->ncouplings; c++) {
        size_t a = 0, b = 0;
        if (gene_of(s, d->couplings[c].a, NULL, &a, NULL, err) ||
            gene_of(s, d->couplings[c].b, NULL, &b, NULL, err))
            return GA_EFAIL;
        m->couplings[c].a = (size_t)term_index(m, a);
        m->couplings[c].b = (size_t)term_index(m, b);
        m->couplings[c].weight = d->couplings[c].weight;
    }
    return GA_OK;
}

int prob_mixed_known(const char *name)
{
    for (size_t i = 0; i < NDEFS; i++)
        if (strcmp(defs[i].name, name) == 0)
            return 1;
    return 0;
}

const char *prob_mixed_describe(size_t i, const char **name)
{
    if (i >= NDEFS)
        return NULL;
    *name = defs[i].name;
    return defs[i].description;
}

prob_problem *prob_mixed_alloc(const char *name, int noisy, ga_error *err)
{
    const mixed_def *d = NULL;
    for (size_t i = 0; i < NDEFS; i++)
        if (strcmp(defs[i].name, name) == 0)
            d = &defs[i];
    if (!d) {
        ga_error_set(err, GA_EINPUT, "unknown mixed problem '%s'", name);
        return NULL;
    }
    char rel[GA_PATH_MAX], path[GA_PATH_MAX];
    if (ga_path(rel, sizeof rel, err, "problems/spaces/%s.json", name) ||
        ga_data_path(rel, path, sizeof path, err) != GA_OK)
        return NULL;
    prob_problem *p = calloc(1, sizeof *p);
    mixed *m = calloc(1, sizeof *m);
    if (!p || !m) {
        free(p);
        free(m);
        ga_error_set(err, GA_EFAIL, "out of memory");
        return NULL;
    }
    p->data = m;
    p->free_data = mixed_free;
    m->def = d;
    m->noisy = noisy;
    p->space = ga_space_load(path, err);
    if (!p->space)
        goto fail;
    p->dim = p->space->n;
    p->x_opt = calloc(p->dim, sizeof *p->x_opt);
    if (!p->x_opt) {
        ga_error_set(err, GA_EFAIL, "out of memory");
        goto fail;
    }
    if (compile(m, p->space, p->x_opt, err) != GA_OK)
        goto fail;
    snprintf(p->name, sizeof p->name, "mixed:%s%s", name, noisy ? ":noisy" : "");
    p->eval = eval_mixed;
    p->noisy = noisy;
    p->f_opt = d->base;
    return p;
fail:
    prob_free(p);
    return NULL;
}
