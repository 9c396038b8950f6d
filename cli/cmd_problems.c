/* cmd_problems.c - `gahpo problems list | info NAME | eval NAME`: the
 * built-in test problems, a problem's space and optimum, and its value at
 * points read from stdin (one comma-separated line each). */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../problems/problem.h"
#include "../ga/rng.h"
#include "../ga/util.h"
#include "cmd_util.h"
#include "commands.h"

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One line for a model file: its points, parameters, CV figures and the
 * note on where its log came from (read as JSON, not fitted). */
static void describe_model(const char *dir, const char *file)
{
    char path[GA_PATH_MAX], name[128];
    ga_error err;
    snprintf(name, sizeof name, "%.*s", (int)(strlen(file) - 5), file);
    if (ga_path(path, sizeof path, &err, "%s/%s", dir, file))
        return;
    char *text = ga_read_file(path, NULL, &err);
    cJSON *o = text ? cJSON_Parse(text) : NULL;
    free(text);
    const cJSON *tr = cJSON_GetObjectItemCaseSensitive(o, "train");
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(tr, "n");
    const cJSON *sp = cJSON_GetObjectItemCaseSensitive(o, "space");
    const cJSON *cv = cJSON_GetObjectItemCaseSensitive(o, "cv");
    const cJSON *r2 = cJSON_GetObjectItemCaseSensitive(cv, "r2");
    const cJSON *rho = cJSON_GetObjectItemCaseSensitive(cv, "spearman");
    const cJSON *src = cJSON_GetObjectItemCaseSensitive(o, "source");
    const cJSON *note = cJSON_GetObjectItemCaseSensitive(src, "note");
    if (!cJSON_IsNumber(n) || !cJSON_IsArray(sp)) {
        printf("  surrogate:%-20s (not a readable model file)\n", name);
        cJSON_Delete(o);
        return;
    }
    printf("  surrogate:%-20s %4.0f points, %2d parameters", name,
           n->valuedouble, cJSON_GetArraySize(sp));
    if (cJSON_IsNumber(r2) && cJSON_IsNumber(rho))
        printf(", CV R^2 %.3f Spearman %.3f", r2->valuedouble,
               rho->valuedouble);
    if (cJSON_IsString(note))
        printf("; %.160s", note->valuestring);
    printf("\n");
    cJSON_Delete(o);
}

/* The model files in surrogates/models/, sorted by name. */
static void list_models(void)
{
    char dir[GA_PATH_MAX];
    ga_error err;
    if (ga_data_path("surrogates/models", dir, sizeof dir, &err) != GA_OK)
        return;
    DIR *d = opendir(dir);
    if (!d)
        return;
    char *names[256];
    size_t k = 0;
    const struct dirent *e;
    while ((e = readdir(d)) && k < sizeof names / sizeof *names) {
        size_t len = strlen(e->d_name);
        if (len > 5 && !strcmp(e->d_name + len - 5, ".json") &&
            (names[k] = strdup(e->d_name)))
            k++;
    }
    closedir(d);
    qsort(names, k, sizeof *names, name_cmp);
    printf("\nsurrogate models in surrogates/models/ (each also as "
           "surrogate:NAME:noisy):\n");
    for (size_t i = 0; i < k; i++) {
        describe_model(dir, names[i]);
        free(names[i]);
    }
}

static int problems_list(void)
{
    size_t n;
    const prob_family *f = prob_families(&n);
    for (size_t i = 0; i < n; i++)
        printf("%-22s %s\n", f[i].pattern, f[i].description);
    list_models();
    return 0;
}

/* The problem's dimension, space, and f_opt and x_opt where known. */
static void problem_info(const prob_problem *p)
{
    printf("%s: %zu parameters%s\n", p->name, p->dim, p->noisy ? ", noisy" : "");
    ga_space_describe(p->space, stdout);
    if (!isnan(p->f_opt))
        printf("f_opt %.17g\n", p->f_opt);
    if (p->x_opt) {
        printf("x_opt");
        for (size_t i = 0; i < p->dim; i++) {
            char buf[256];
            if (ga_param_gene_format(&p->space->params[i], p->x_opt[i], buf,
                                     sizeof buf))
                snprintf(buf, sizeof buf, "?");
            printf("%s%s", i ? "," : " ", buf);
        }
        printf("\n");
    }
}

/* Line lineno of stdin (no line break) into x, p->dim genes: 0, or 2 after
 * saying on stderr what is wrong with it. */
static int parse_point(const prob_problem *p, char *line, size_t lineno,
                       double *x)
{
    size_t k = 0;
    char *save = NULL;
    for (char *tok = strtok_r(line, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        if (k >= p->dim) {
            k++;
            break;
        }
        ga_error e;
        const ga_param *pk = &p->space->params[k];
        if (ga_param_gene_parse(pk, tok, &x[k], &e)) {
            /* numbers outside the bounds are legal for evaluation; a
             * value a categorical, ordered or logical parameter does
             * not have is not (it would be read as an index) */
            if ((pk->type != GA_INT && pk->type != GA_FLOAT) ||
                ga_parse_double(tok, &x[k]) != 0) {
                fprintf(stderr, "gahpo: stdin:%zu: value %zu: %s\n",
                        lineno, k + 1, e.msg);
                return 2;
            }
        }
        k++;
    }
    if (k != p->dim) {
        fprintf(stderr, "gahpo: stdin:%zu: %s needs %zu comma-separated "
                "values, got %s%zu\n", lineno, p->name, p->dim,
                k > p->dim ? "more than " : "", k > p->dim ? p->dim : k);
        return 2;
    }
    return 0;
}

/* The problem's value at each point on stdin, one line each, until the
 * end or the first bad line: 0, 2 for a bad line, 1 out of memory. Each
 * answer is flushed at once, so another program can keep it open and ask
 * point by point (the same values in every tool). A noisy problem is
 * noiseless unless seeded: then line k's noise is drawn from
 * prob_noise_seed(seed, 0, k), the same for the same seed and line. */
static int problem_eval(prob_problem *p, int seeded, unsigned long seed)
{
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t len;
    double *x = malloc(p->dim * sizeof *x);
    gsl_rng *noise = seeded && p->noisy ? ga_rng_alloc(0) : NULL;
    int rc = x && (noise || !seeded || !p->noisy) ? 0 : 1;
    while (rc == 0 && (len = getline(&line, &cap, stdin)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0)
            continue;
        rc = parse_point(p, line, lineno, x);
        if (rc == 0) {
            double f;
            if (noise)
                gsl_rng_set(noise, prob_noise_seed(seed, 0, lineno - 1));
            p->eval(p, x, 1, &f, noise);
            printf("%.17g\n", f);
            fflush(stdout);
        }
    }
    free(line);
    free(x);
    gsl_rng_free(noise);
    return rc;
}

int gahpo_cmd_problems(int argc, char **argv)
{
    if (argc >= 1 && strcmp(argv[0], "list") == 0)
        return problems_list();
    long seed = 0;
    int seeded = argc == 4 && !strcmp(argv[0], "eval") &&
                 !strcmp(argv[2], "--seed");
    if (seeded && (ga_parse_long(argv[3], &seed) != 0 || seed < 0))
        return gahpo_usage("problems eval: --seed takes an integer >= 0, got "
                           "'%s'", argv[3]);
    if ((argc != 2 && !seeded) ||
        (strcmp(argv[0], "eval") != 0 && strcmp(argv[0], "info")))
        return gahpo_usage("usage: gahpo problems list | gahpo problems eval "
                           "NAME [--seed S] | gahpo problems info NAME");
    ga_error err;
    prob_problem *p = prob_lookup(argv[1], &err);
    if (!p)
        return gahpo_fail(&err);
    int rc = 0;
    if (strcmp(argv[0], "info") == 0)
        problem_info(p);
    else
        rc = problem_eval(p, seeded, (unsigned long)seed);
    prob_free(p);
    return rc;
}
