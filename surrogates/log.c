/* log.c - reading evaluation logs (JSON lines and CSV) into genes and
 * objective values, with file:line:column messages for bad rows. */
#include "log.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cJSON.h>

#include "../ga/csv.h"
#include "../ga/util.h"

static sur_log *log_new(size_t dim)
{
    sur_log *l = calloc(1, sizeof *l);
    if (l)
        l->dim = dim;
    return l;
}

void sur_log_free(sur_log *l)
{
    if (!l)
        return;
    free(l->genes);
    free(l->y);
    free(l->line);
    free(l);
}

/* Append a row (genes copied). -1 on out of memory. */
static int log_push(sur_log *l, size_t *cap, const double *genes, double y,
                    size_t line)
{
    if (l->n == *cap) {
        size_t c = *cap ? 2 * *cap : 64;
        double *g = realloc(l->genes, c * l->dim * sizeof *g + sizeof *g);
        if (!g)
            return -1;
        l->genes = g;
        double *yy = realloc(l->y, c * sizeof *yy);
        if (!yy)
            return -1;
        l->y = yy;
        size_t *ln = realloc(l->line, c * sizeof *ln);
        if (!ln)
            return -1;
        l->line = ln;
        *cap = c;
    }
    memcpy(l->genes + l->n * l->dim, genes, l->dim * sizeof *genes);
    l->y[l->n] = y;
    l->line[l->n] = line;
    l->n++;
    return 0;
}

/* A bad row: fail, or with skip_bad count it (keeping the first message). */
static int bad_row(sur_log *l, int skip_bad, const ga_error *row, ga_error *err)
{
    if (!skip_bad) {
        ga_error_set(err, GA_EINPUT, "%s", row->msg);
        return -1;
    }
    if (l->nskipped++ == 0)
        memcpy(l->first_skipped, row->msg, sizeof l->first_skipped);
    return 0;
}

/* Is a CSV objective cell a failed evaluation? */
static int failed_text(const char *s)
{
    while (*s == ' ')
        s++;
    return !*s || !strcasecmp(s, "nan") || !strcasecmp(s, "null") ||
           !strcasecmp(s, "none") || !strcasecmp(s, "na");
}

static sur_log *load_csv(const ga_space *space, const char *path,
                         const char *text, const char *objective, int skip_bad,
                         ga_error *err)
{
    /* with skip_bad a row of the wrong width is skipped like any bad row */
    ga_csv *c = skip_bad ? ga_csv_parse_lenient(text, path, err)
                         : ga_csv_parse(text, path, err);
    if (!c)
        return NULL;
    sur_log *l = log_new(space->n);
    if (l && c->nbad) {
        l->nskipped = c->nbad;
        snprintf(l->first_skipped, sizeof l->first_skipped, "%s",
                 c->first_bad);
    }
    long *col = malloc((space->n + 1) * sizeof *col);
    double *genes = calloc(space->n + 1, sizeof *genes);
    size_t cap = 0;
    if (!l || !col || !genes) {
        ga_error_set(err, GA_EFAIL, "out of memory");
        goto fail;
    }
    long ycol = -1;
    for (size_t j = 0; j < c->ncols; j++)
        if (!strcmp(c->header[j], objective))
            ycol = (long)j;
    if (ycol < 0) {
        ga_error_set(err, GA_EINPUT, "%s:1: no column '%s' for the objective "
                     "(name it with --objective)", path, objective);
        goto fail;
    }
    for (size_t i = 0; i < space->n; i++) {
        col[i] = -1;
        for (size_t j = 0; j < c->ncols; j++)
            if (!strcmp(c->header[j], space->params[i].name)) {
                if (col[i] >= 0) {
                    ga_error_set(err, GA_EINPUT, "%s:1: column '%s' appears "
                                 "twice", path, c->header[j]);
                    goto fail;
                }
                col[i] = (long)j;
            }
        if (col[i] < 0 && space->params[i].type != GA_CONSTANT) {
            ga_error_set(err, GA_EINPUT, "%s:1: no column for parameter '%s'",
                         path, space->params[i].name);
            goto fail;
        }
    }
    for (size_t r = 0; r < c->nrows; r++) {
        ga_error row, e;
        int bad = 0;
        for (size_t i = 0; i < space->n && !bad; i++) {
            genes[i] = 0;
            if (col[i] < 0)
                continue;
            const char *cell = c->cells[r * c->ncols + (size_t)col[i]];
            if (ga_param_gene_parse(&space->params[i], cell, &genes[i], &e)) {
                ga_error_set(&row, GA_EINPUT, "%s:%zu: column '%s': %s", path,
                             c->line[r], space->params[i].name, e.msg);
                bad = 1;
            }
        }
        const char *ycell = c->cells[r * c->ncols + (size_t)ycol];
        double y = NAN;
        if (!bad && !failed_text(ycell) && ga_parse_double(ycell, &y) != 0) {
            ga_error_set(&row, GA_EINPUT, "%s:%zu: column '%s': expected a "
                         "number (or empty/nan for a failed evaluation), got "
                         "\"%s\"", path, c->line[r], objective, ycell);
            bad = 1;
        }
        if (bad) {
            if (bad_row(l, skip_bad, &row, err) != 0)
                goto fail;
            continue;
        }
        if (!isfinite(y)) {
            l->nfailed++;
            continue;
        }
        if (log_push(l, &cap, genes, y, c->line[r]) != 0) {
            ga_error_set(err, GA_EFAIL, "out of memory");
            goto fail;
        }
    }
    free(col);
    free(genes);
    ga_csv_free(c);
    return l;
fail:
    free(col);
    free(genes);
    ga_csv_free(c);
    sur_log_free(l);
    return NULL;
}

/* One JSON line into genes and y (NaN for a failed evaluation). */
static int parse_json_row(const ga_space *space, const char *path, size_t line,
                          const char *text, const char *objective,
                          double *genes, double *y, ga_error *row)
{
    cJSON *o = cJSON_Parse(text);
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return ga_error_set(row, GA_EINPUT, "%s:%zu: not a JSON object", path,
                            line);
    }
    int rc = GA_OK;
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(o, "params");
    if (!cJSON_IsObject(params)) {
        rc = ga_error_set(row, GA_EINPUT, "%s:%zu: no \"params\" object", path,
                          line);
        goto done;
    }
    for (size_t i = 0; i < space->n; i++) {
        const ga_param *p = &space->params[i];
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(params, p->name);
        genes[i] = 0;
        if (!v) {
            if (p->type == GA_CONSTANT)
                continue;
            rc = ga_error_set(row, GA_EINPUT, "%s:%zu: params: no value for "
                              "parameter '%s'", path, line, p->name);
            goto done;
        }
        ga_error e;
        if (ga_param_gene_from_json(p, v, &genes[i], &e) != GA_OK) {
            rc = ga_error_set(row, GA_EINPUT, "%s:%zu: params.%s: %s", path,
                              line, p->name, e.msg);
            goto done;
        }
    }
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(o, objective);
    const char *key = objective;
    if (!f) {
        f = cJSON_GetObjectItemCaseSensitive(o, "fitness");
        key = "fitness";
    }
    if (!f) {
        rc = ga_error_set(row, GA_EINPUT, "%s:%zu: no \"%s\" (or \"fitness\") "
                          "value", path, line, objective);
        goto done;
    }
    if (cJSON_IsNumber(f))
        *y = f->valuedouble;
    else if (cJSON_IsNull(f) ||
             (cJSON_IsString(f) && failed_text(f->valuestring)))
        *y = NAN;
    else if (!(cJSON_IsString(f) && ga_parse_double(f->valuestring, y) == 0))
        rc = ga_error_set(row, GA_EINPUT, "%s:%zu: \"%s\": expected a number "
                          "or null", path, line, key);
done:
    cJSON_Delete(o);
    return rc;
}

static sur_log *load_jsonl(const ga_space *space, const char *path, char *text,
                           const char *objective, int skip_bad, ga_error *err)
{
    sur_log *l = log_new(space->n);
    double *genes = calloc(space->n + 1, sizeof *genes);
    size_t cap = 0, line = 0;
    if (!l || !genes) {
        ga_error_set(err, GA_EFAIL, "out of memory");
        goto fail;
    }
    for (char *p = text; *p;) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        line++;
        char *s = p;
        p = nl ? nl + 1 : p + strlen(p);
        while (*s == ' ' || *s == '\t' || *s == '\r')
            s++;
        if (!*s)
            continue;
        double y = NAN;
        ga_error row;
        if (parse_json_row(space, path, line, s, objective, genes, &y, &row)) {
            if (bad_row(l, skip_bad, &row, err) != 0)
                goto fail;
            continue;
        }
        if (!isfinite(y)) {
            l->nfailed++;
            continue;
        }
        if (log_push(l, &cap, genes, y, line) != 0) {
            ga_error_set(err, GA_EFAIL, "out of memory");
            goto fail;
        }
    }
    free(genes);
    return l;
fail:
    free(genes);
    sur_log_free(l);
    return NULL;
}

sur_log *sur_log_load(const ga_space *space, const char *path,
                      const char *objective, int skip_bad, ga_error *err)
{
    if (!objective)
        objective = "val_loss";
    char *text = ga_read_file(path, NULL, err);
    if (!text)
        return NULL;
    size_t len = strlen(path);
    sur_log *l = len >= 4 && !strcasecmp(path + len - 4, ".csv")
                     ? load_csv(space, path, text, objective, skip_bad, err)
                     : load_jsonl(space, path, text, objective, skip_bad, err);
    free(text);
    return l;
}
