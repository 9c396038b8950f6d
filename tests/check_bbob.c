/* check_bbob.c - the BBOB suite against COCO's own values: every row of
 * ../shared/testdata/bbob/bbob_vectors_d{02,05,10}.csv (f, f - f_opt,
 * x_opt) within the exact tier, points from COCO's regression data (up to
 * D = 40, outside the box), then what COCO guarantees in other dimensions
 * and instances (f(x_opt) = f_opt, f >= f_opt, boundary penalties), bad
 * arguments, non-finite input, and many threads. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../problems/bbob.h"
#include "suites.h"
#include "testutil.h"

/* Tiers of the issue: "exact" is <= 4 ulp or <= 1e-14 max(1, |ref|);
 * "COCO-equivalent" is <= 1e-8 max(1, |ref|). */
static double rel_err(double got, double ref)
{
    if (got == ref)
        return 0;
    return fabs(got - ref) / fmax(1.0, fabs(ref));
}

static int within_exact(double got, double ref)
{
    if (got == ref)
        return 1;
    double ulp = nextafter(fabs(ref), INFINITY) - fabs(ref);
    return fabs(got - ref) <= 4 * ulp || rel_err(got, ref) <= 1e-14;
}

typedef struct worst {
    double f, fmf, xopt;   /* worst relative errors */
    long rows, inexact;
} worst;

/* Split a CSV line in place at commas; returns the number of fields. */
static int split(char *line, char **fields, int max)
{
    int n = 0;
    fields[n++] = line;
    for (char *s = line; *s && n < max; s++)
        if (*s == ',') {
            *s = '\0';
            fields[n++] = s + 1;
        }
    char *nl = strchr(fields[n - 1], '\n');
    if (nl)
        *nl = '\0';
    return n;
}

/* Compare every row of one file; returns the number of rows. */
static long check_file(const char *path, worst *w)
{
    FILE *fp = fopen(path, "r");
    ck_assert_msg(fp != NULL, "cannot open %s", path);
    char line[8192], current[64] = "";
    prob_problem *p = NULL;
    long rows = 0;
    ck_assert_ptr_nonnull(fgets(line, sizeof line, fp));  /* header */
    ck_assert_ptr_nonnull(strstr(line, "problem_id,function,dimension"));
    while (fgets(line, sizeof line, fp)) {
        char *f[12];
        ck_assert_int_eq(split(line, f, 12), 10);
        int fid = atoi(f[1]);
        size_t dim = (size_t)atol(f[2]);
        long inst = atol(f[3]);
        ck_assert(fid >= 1 && fid <= 24 && dim >= 2 && dim <= 64);
        if (strcmp(current, f[0]) != 0) {
            prob_free(p);
            ga_error err;
            p = prob_bbob_alloc(fid, dim, inst, &err);
            ck_assert_msg(p != NULL, "%s: %s", f[0], err.msg);
            ck_assert_str_eq(p->name, f[0]);
            snprintf(current, sizeof current, "%s", f[0]);
        }
        double x[64], fopt = strtod(f[4], NULL);
        char *s = f[7];
        for (size_t i = 0; i < dim; i++) {
            x[i] = strtod(s, &s);
            if (*s == ';')
                s++;
        }
        double ref = strtod(f[8], NULL), ref_d = strtod(f[9], NULL), y;
        p->eval(p, x, 1, &y, NULL);
        worst *wf = &w[fid];
        double e = rel_err(y, ref), ed = rel_err(y - p->f_opt, ref_d);
        wf->f = fmax(wf->f, e);
        wf->fmf = fmax(wf->fmf, ed);
        wf->rows++;
        int exact = within_exact(y, ref) && within_exact(y - p->f_opt, ref_d) &&
                    within_exact(p->f_opt, fopt);
        if (strcmp(f[6], "xopt") == 0)
            for (size_t i = 0; i < dim; i++) {
                wf->xopt = fmax(wf->xopt, rel_err(p->x_opt[i], x[i]));
                exact &= within_exact(p->x_opt[i], x[i]);
            }
        if (!exact) {
            wf->inexact++;
            fprintf(stderr, "bbob: %s point %s outside the exact tier: f %.17g "
                    "(COCO %.17g), f - f_opt %.17g (COCO %.17g)\n", f[0], f[5],
                    y, ref, y - p->f_opt, ref_d);
        }
        ck_assert_msg(e <= 1e-8 && ed <= 1e-8 && rel_err(p->f_opt, fopt) <= 1e-8,
                      "%s point %s: f %.17g, COCO %.17g; f - f_opt %.17g, COCO "
                      "%.17g", f[0], f[5], y, ref, y - p->f_opt, ref_d);
        rows++;
    }
    prob_free(p);
    fclose(fp);
    return rows;
}

START_TEST(test_reference_vectors)
{
    const char *dir = tu_testdata("bbob");
    if (!dir) {
        fprintf(stderr, "SKIPPED: ../shared/testdata/bbob not found\n");
        return;
    }
    worst w[25];
    memset(w, 0, sizeof w);
    long rows = 0;
    const char *dims[] = { "02", "05", "10" };
    for (int k = 0; k < 3; k++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/bbob_vectors_d%s.csv", dir, dims[k]);
        rows += check_file(path, w);
    }
    ck_assert_int_eq(rows, 3600);
    long inexact = 0;
    fprintf(stderr, "bbob vs COCO (%ld rows): worst relative error per function\n",
            rows);
    for (int fid = 1; fid <= 24; fid++) {
        fprintf(stderr, "  f%02d: f %.2g, f - f_opt %.2g, x_opt %.2g, outside exact "
                "tier %ld of %ld\n", fid, w[fid].f, w[fid].fmf, w[fid].xopt,
                w[fid].inexact, w[fid].rows);
        inexact += w[fid].inexact;
    }
    fprintf(stderr, "  values outside the exact tier: %ld\n", inexact);
    /* Measured: every value is bit for bit COCO's (docs/BBOB.md), so the
     * exact tier is asserted for all 24 functions. */
    for (int fid = 1; fid <= 24; fid++)
        ck_assert_msg(w[fid].inexact == 0, "f%d: %ld values outside the exact "
                      "tier", fid, w[fid].inexact);
}
END_TEST

/* Points from COCO's own regression data for its bbob suite
 * (numbbo/coco, code-experiments/test/regression-test/data/
 * regression_test_2data_for_suite_bbob.py: problem index -> point -> f,
 * with the suite's test-case instances 1-5 and 51-60): D = 2..40, several
 * far outside [-5, 5]. That data comes from another COCO build than the
 * reference vectors, so only the 1e-8 tier is asserted here. */
typedef struct coco_point {
    int fid, dim;
    long instance;
    double f;
    double x[40];
} coco_point;

static const coco_point coco_points[] = {
    { 1, 5, 1, 3409.8428938036641, { 13.382317228473649, 10.13915864997532,
          -12.670622241727648, 21.616498180472121, 47.318782398113612 } },
    { 1, 20, 4, 71.763707677549405, { 3.6060305551191565,
          -6.4665692131469097, 0.019775650884544804, -1.906572110422611,
          3.5323936633650725, 0.39586900342384851, -1.335789000288832,
          1.1590835732680331, 0.29363861749533426, 0.42684490522269425,
          -2.1731551700882523, 2.671070284273545, -2.4241302389506028,
          -0.48521379147735644, 2.11203097398836, -1.6670278892931523,
          -0.35473959831371915, 0.48047997673762322, 2.8597035637848442,
          0.98420407720000336 } },
    { 2, 5, 56, 6581233.6378474887, { 0.33927018774554368,
          0.34366526822518917, 0.32676357281325358, -1.6827427258365095,
          1.917220386547233 } },
    { 2, 10, 3, 15772336.783852827, { 0.34260653999354285,
          -0.098678241710591114, 0.064055335384277629, 0.17033148399456044,
          -0.00060252627393624146, -0.030956819753924333,
          0.11595488850617267, 0.10352020860549199, -0.38291440201788246,
          -0.36997726990845931 } },
    { 2, 40, 5, 2154538413.5167832, { 39.185570278603578, 74.287727727659998,
          33.730162256648022, -43.248324054311794, -11.008483499458647,
          -2.2711608405516759, 0.63918891630331565, -19.901647481449775,
          -35.143733848234142, 20.683470163818598, 29.52278469618809,
          53.880724321869629, -34.016239143892584, 40.95671827135785,
          -64.423755215446718, 5.4634906983172407, -94.97271603447372,
          16.413066430958114, 34.563775122978534, -40.540578006312508,
          6.6527239922048818, 18.683054277292477, -32.619041827076799,
          -13.58000653626506, -47.7422194538049, -17.012595209319464,
          0.22444403447716577, 3.4758057091283185, 30.635998799332359,
          14.640701157658921, -19.738779944323674, -10.892681171761717,
          32.844532025799694, 19.29396292881103, 14.802034691911585,
          -14.390792881281515, 32.147007702678188, -22.803784739125064,
          35.3872839047593, -19.183863930519934 } },
    { 3, 5, 51, 691.73690601654528, { 0.14302702011918042,
          0.039389115224825216, 0.11966099246159301, -0.14627496167066412,
          0.067765670924453333 } },
    { 5, 3, 51, 376.27684949588644, { 3.2468494958864769,
          -20.113726219033669, 33.434786467508864 } },
    { 5, 20, 2, 1110.2153962889352, { -3.1513523261275687,
          -2.4476761405722325, 5.1176699299404778, -5.7174033733852418,
          -5.1575715728269573, 3.63009487214187, 0.14679044378409165,
          0.1939521243696519, -3.2154238574360536, 0.24929188673961958,
          -4.6202430870172018, 2.8537421182069616, -0.29360731426244696,
          -10.636008508669182, 0.36665239585729559, 2.9350911533955193,
          4.8636656480362941, 8.7256522215312717, 1.8281898163024932,
          -0.13575402234541334 } },
    { 6, 3, 57, 31801.371870102208, { 0.54109015917907599,
          0.28530918960544899, 0.45625822078930206 } },
    { 7, 10, 1, 850.09425447190688, { 0.07127896933514466,
          0.069338680590770724, -0.24502386531612247, -0.10644094505932154,
          -0.0028361810880690869, -0.1177946802769979, 0.019156043745721999,
          -0.077308988685629867, -0.16250002729183, 0.054619761400912223 } },
    { 8, 2, 53, 17166.10808277371, { 0.28727599530113695, -0.10687418860968133 } },
    { 8, 2, 58, 148.64420689843777, { 0.048176547213852693,
          -0.075422276120297949 } },
    { 9, 10, 4, 248120148.14311245, { 17.962934592339327, 16.466125612092078,
          25.045604780029617, -1.1947316935096324, -39.713177213949557,
          -2.1127661732928056, -14.571059867305484, -16.229058723030317,
          10.806876839463685, 14.635546457078716 } },
    { 11, 2, 4, 20918782.066791113, { 1.9361136676810644, -1.5014043871608866 } },
    { 11, 3, 1, 11326030.27865451, { 0.0038909526511235987,
          -0.00025843556830110231, 0.0051249331094613817 } },
    { 11, 5, 4, 812189.02268257306, { -0.5440304062592517,
          -0.66581036479101141, -0.19209640780203416, 0.57562982055464307,
          -0.40543081397694386 } },
    { 12, 5, 55, 36450210.258501075, { 1.0818445359640174,
          0.49199469161538473, -0.21203508836832347, 0.94891591247833362,
          -1.0603183740324771 } },
    { 14, 2, 4, 45.572363184703732, { -0.29748149218593301,
          -0.60194396702417319 } },
    { 14, 3, 57, -10.364072984459686, { 0.052259500970817108,
          -0.073635498722472173, -0.0039361870391941564 } },
    { 14, 10, 3, 112.13340304247183, { 0.06720362243865885,
          -0.72676370601228213, 1.558085877942013, 0.15076227086943253,
          1.9101074499015021, -1.7326189045889875, 0.56252757175730106,
          0.12599417173904215, -2.63321737903606, 0.59281394873295201 } },
    { 15, 2, 57, 156.13397105698766, { -1.6543940325244937,
          -0.1928460387382675 } },
    { 15, 10, 5, 164.12629748459159, { -0.89319975499017157,
          2.0030210815907084, -0.036003622572198496, -1.901876477691667,
          2.9267201678314692, 1.6103760700854057, 0.66128554000190409,
          -2.9271907451121604, -5.4771273892496817, 2.5739082453831661 } },
    { 16, 5, 59, 98.564871360331736, { -2.6644783059727559,
          -3.1091775632437741, -5.5229487715524392, 2.1198291429558811,
          -7.7480057362031207 } },
    { 17, 2, 4, 64.360558825508548, { 0.32598204350746929,
          -0.12240041586110581 } },
    { 17, 10, 53, -130.57568942013674, { 0.043194822132676107,
          0.14291897560756578, 0.14820557652712463, 0.023379016542164337,
          -0.32476622148326673, -0.18957877690684816, 0.28644721109670229,
          0.12180703416722119, 0.014138394283389037, 0.32194685187580097 } },
    { 17, 40, 5, 1508.4650553024073, { 4.9004923444499235, 5.99851713484325,
          2.3669777539463426, -3.7918203651606022, 2.3669353511391047,
          0.53944798015671103, -0.16354041970383323, -8.4399798377674102,
          7.852565107418676, -2.0638992889404668, -5.1563588215400751,
          1.5218774646967983, 3.5210114493153122, -4.3515905511176838,
          11.416583568488084, -4.390052020727798, 3.7858227476817312,
          1.3778142094826935, -0.2870822384284078, -4.3840045786037383,
          -1.4089196869892862, -5.2918711227330046, 1.7185587892921101,
          2.3450428643105057, -8.1194518498532471, 9.1800885621979589,
          -4.4062214480448683, 8.5577021364167472, 2.7138690705992632,
          10.32496798894987, -2.2139346237003417, -5.2516799690808957,
          5.0329952418428094, 1.6713406037258136, -3.203571871376917,
          2.6517981375465736, 1.8396714335925266, -2.108713168444293,
          -5.1476605216204812, 0.57279836640962078 } },
    { 18, 2, 3, 383.11822241109655, { -2.3236829137046375,
          -0.29582281565743079 } },
    { 19, 2, 53, 3348.027526383757, { 7.2308172471067751, -7.5788603459747543 } },
    { 20, 2, 53, 251478.64775010647, { -4.0841004243917798,
          -5.7197685484023264 } },
    { 20, 3, 56, 5624.7449118354307, { 0.015931594130471179,
          0.034607080978509827, 0.0090620882113350305 } },
    { 20, 5, 51, 3805.4172041419401, { -0.51735347198185044,
          0.23606446270871731, -0.48906808455498729, -0.31315899505683742,
          -0.24084730224447565 } },
    { 20, 20, 59, 22011.738144589424, { 0.038754402307710011,
          0.30293260909379305, 0.1168492638186775, -0.30740549783217053,
          -0.0070590164533426598, 1.5285366448608844, -2.6452245844008044,
          -0.33886331715125889, 0.33102079049028793, 1.9311653513025975,
          0.92107447800395881, -2.4252157914870391, 0.59465312029164097,
          -1.4779340462447339, 0.62962330005694167, 0.55942808955630663,
          0.28410787332479531, -0.25960144803709845, 1.6547681779045478,
          0.052050553180817784 } },
    { 21, 3, 2, 12.918395773565544, { -0.0060400531773042799,
          0.18134741311175115, 0.063260617424276924 } },
    { 21, 3, 58, 91.197107645507543, { -0.7628696145106828,
          -0.41471817518863779, 0.69690476260240597 } },
    { 21, 5, 1, 142.31188369733121, { 3.6472217223054555,
          -3.9785310018064211, -3.7791315682464774, -9.2294643938015017,
          1.7179725043474665 } },
    { 21, 20, 57, -369.00223422967383, { -6.0907757009128911,
          3.5008726122278415, 4.0707975954598208, 2.3677119075722914,
          -3.002923390342457, -3.6423555642095486, -2.9253071037164271,
          1.4663142968079557, 2.3719479304630013, -2.9820436203501672,
          -0.082842012286139147, -5.9559126025907698, 1.4807647902514645,
          -6.098811822379421, -2.9079292210884704, -1.1059398906842344,
          -5.8839393739314216, -0.3914151247465244, 3.0264253308331992,
          -0.8433045304829192 } },
    { 22, 3, 55, -159.62359036662883, { 1.5151894465638467,
          -0.2280075687642758, 2.3875790758432194 } },
    { 23, 2, 3, -104.73656135785458, { 0.094812294860924226,
          0.33238069179051011 } },
    { 23, 10, 56, 74.350311751483176, { 0.029971451666324228,
          0.51670086749698896, -0.5826691680090933, -0.32360294358011382,
          0.013106670233214405, -0.3231744500562066, 0.53896454042630049,
          0.25107797925201764, 0.23644978398129343, 0.25313334894791312 } },
    { 24, 10, 60, -790.86151591829173, { 0.9862210297871723,
          -0.16524999013453587, 0.12599628293770215, 0.76991227069270074,
          0.030068781625675951, 0.36240473033837467, -0.063539713423306013,
          0.30594764190587048, 0.28186216198153791, -0.54492584703162938 } },
};

START_TEST(test_coco_regression_points)
{
    size_t n = sizeof coco_points / sizeof coco_points[0];
    double worst = 0;
    long inexact = 0;
    for (size_t k = 0; k < n; k++) {
        const coco_point *c = &coco_points[k];
        ga_error err;
        prob_problem *p = prob_bbob_alloc(c->fid, (size_t)c->dim, c->instance,
                                          &err);
        ck_assert_msg(p != NULL, "%s", err.msg);
        double y;
        p->eval(p, c->x, 1, &y, NULL);
        double e = rel_err(y, c->f);
        worst = fmax(worst, e);
        inexact += !within_exact(y, c->f);
        ck_assert_msg(e <= 1e-8, "%s: f %.17g, COCO %.17g", p->name, y, c->f);
        prob_free(p);
    }
    fprintf(stderr, "bbob vs COCO's regression data (%zu points, D = 2..40, "
            "instances 1-5, 51-60): worst relative error %.2g, %ld outside "
            "the exact tier\n", n, worst, inexact);
}
END_TEST

/* A reproducible point in [-a, a]^dim (splitmix64). */
static void random_point(unsigned long long *state, double a, double *x,
                         size_t dim)
{
    for (size_t i = 0; i < dim; i++) {
        unsigned long long z = (*state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        z ^= z >> 31;
        x[i] = ((double)(z >> 11) / 9007199254740992.0 * 2 - 1) * a;
    }
}

static const size_t other_dims[] = { 3, 20, 40 };

/* f(x_opt) = f_opt, f >= f_opt inside the box, and the boundary penalty:
 * other dimensions and instances 6..20 than the reference vectors. */
START_TEST(test_optimum_and_bounds)
{
    int fid = _i + 1;
    unsigned long long state = 1000 + (unsigned long long)fid;
    double x[40 * 8], y[8], worst_opt = 0;
    for (size_t k = 0; k < 3; k++) {
        size_t dim = other_dims[k];
        for (long inst = 6; inst <= 20; inst += (dim == 40 ? 7 : 2)) {
            ga_error err;
            prob_problem *p = prob_bbob_alloc(fid, dim, inst, &err);
            ck_assert_msg(p != NULL, "%s", err.msg);
            ck_assert_int_eq(p->dim, dim);
            ck_assert_int_eq(p->space->n, dim);
            ck_assert(isfinite(p->f_opt) && fabs(p->f_opt) <= 1000 + 1e-9);
            /* f(x_opt): f20's stored optimum is COCO's, not the exact one,
             * and its chain rounds differently from the raw value there, so
             * a few ulp either way; f5's is the corner, exactly. */
            p->eval(p, p->x_opt, 1, y, NULL);
            double e = fabs(y[0] - p->f_opt) / fmax(1, fabs(p->f_opt));
            worst_opt = fmax(worst_opt, e);
            ck_assert_msg(e <= 1e-12, "%s: f(x_opt) %.17g, f_opt %.17g", p->name,
                          y[0], p->f_opt);
            for (size_t i = 0; i < dim; i++)
                ck_assert(fabs(p->x_opt[i]) <= 5);
            /* f >= f_opt at random points inside the box; the batch call
             * gives what single calls give */
            random_point(&state, 5.0, x, dim * 8);
            p->eval(p, x, 8, y, NULL);
            for (int j = 0; j < 8; j++) {
                double one;
                p->eval(p, x + j * dim, 1, &one, NULL);
                ck_assert(one == y[j] || (isnan(one) && isnan(y[j])));
                ck_assert_msg(y[j] >= p->f_opt - 1e-12 * fmax(1, fabs(p->f_opt)),
                              "%s: f %.17g below f_opt %.17g", p->name, y[j],
                              p->f_opt);
            }
            /* 30 times as far from x_opt, far outside the box: larger
             * (penalty or growth), except for f5, whose slope COCO leaves
             * flat beyond the optimal corner, without penalty */
            for (int j = 0; j < 8; j++) {
                double out[40], fo;
                for (size_t i = 0; i < dim; i++)
                    out[i] = p->x_opt[i] + 30 * (x[j * dim + i] - p->x_opt[i]);
                p->eval(p, out, 1, &fo, NULL);
                if (fid != 5)
                    ck_assert_msg(fo > y[j], "%s: f far outside %.17g <= %.17g "
                                  "inside", p->name, fo, y[j]);
                else
                    ck_assert(fo >= p->f_opt);
            }
            prob_free(p);
        }
    }
    if (fid == 20 || fid == 5 || fid == 19 || fid == 9)
        fprintf(stderr, "bbob f%02d: worst |f(x_opt) - f_opt| relative %.2g "
                "(D = 3, 20, 40)\n", fid, worst_opt);
}
END_TEST

/* Beyond 64 dimensions scratch space comes from the heap, and f8, f9 and
 * f19 scale by sqrt(D)/8 > 1: their optimum must still be where COCO's
 * formulas put it. */
START_TEST(test_large_dimension)
{
    static const int fids[] = { 1, 8, 9, 15, 19, 21, 24 };
    for (size_t c = 0; c < sizeof fids / sizeof fids[0]; c++) {
        ga_error err;
        prob_problem *p = prob_bbob_alloc(fids[c], 70, 3, &err);
        ck_assert_msg(p != NULL, "%s", err.msg);
        ck_assert_str_eq(p->name + 13, "_d70");
        double y[2], x[140];
        memcpy(x, p->x_opt, 70 * sizeof *x);
        for (int i = 0; i < 70; i++)
            x[70 + i] = 4.0 * (i % 3 - 1);
        p->eval(p, x, 2, y, NULL);
        ck_assert_msg(fabs(y[0] - p->f_opt) <= 1e-12 * fmax(1, fabs(p->f_opt)),
                      "%s: f(x_opt) %.17g, f_opt %.17g", p->name, y[0], p->f_opt);
        ck_assert(y[1] > p->f_opt);
        prob_free(p);
    }
}
END_TEST

/* The functions with a penalty layer (the rest of f plus factor times
 * sum max(0, |x_i| - 5)^2, the rest >= 0 above f_opt) grow at least like
 * factor * t^2 at distance t outside the box. */
START_TEST(test_penalty_growth)
{
    static const struct { int fid; double factor; } cases[] = {
        { 4, 100 }, { 7, 1 }, { 16, 10.0 / 5 }, { 17, 10 }, { 18, 10 },
        { 21, 1 }, { 22, 1 }, { 23, 1 }, { 24, 1e4 },
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        ga_error err;
        prob_problem *p = prob_bbob_alloc(cases[c].fid, 5, 2, &err);
        ck_assert_ptr_nonnull(p);
        double x[5] = { 0, 0, 0, 0, 0 }, y;
        x[2] = 5.0 + 1000.0;
        p->eval(p, x, 1, &y, NULL);
        ck_assert_msg(y - p->f_opt >= 0.5 * cases[c].factor * 1e6, "%s: %g",
                      p->name, y);
        prob_free(p);
    }
}
END_TEST

START_TEST(test_bad_arguments)
{
    ga_error err;
    ga_error_clear(&err);
    ck_assert_ptr_null(prob_bbob_alloc(0, 10, 1, &err));
    ck_assert_int_eq(err.status, GA_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "expected 1..24"));
    ck_assert_ptr_null(prob_bbob_alloc(25, 10, 1, &err));
    ck_assert_int_eq(err.status, GA_EINPUT);
    ck_assert_ptr_null(prob_bbob_alloc(3, 1, 1, &err));
    ck_assert_int_eq(err.status, GA_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "dimension 1"));
    ck_assert_ptr_null(prob_bbob_alloc(3, 0, 1, &err));
    ck_assert_ptr_null(prob_bbob_alloc(3, 10, 0, &err));
    ck_assert_int_eq(err.status, GA_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "instance 0"));
    ck_assert_ptr_null(prob_bbob_alloc(3, 10, -4, &err));
    prob_problem *p = prob_bbob_alloc(15, 10, 3, &err);
    ck_assert_ptr_nonnull(p);
    ck_assert_str_eq(p->name, "bbob_f015_i03_d10");
    ck_assert(p->space->params[0].lower == -5 && p->space->params[9].upper == 5);
    ck_assert_str_eq(p->space->params[9].name, "x9");
    prob_free(p);
    p = prob_bbob_alloc(1, 2, 123, &err);
    ck_assert_str_eq(p->name, "bbob_f001_i123_d02");
    prob_free(p);
}
END_TEST

/* As coco_evaluate_function: an infinite coordinate gives |x_i|, a NaN one
 * NaN. */
START_TEST(test_non_finite)
{
    ga_error err;
    prob_problem *p = prob_bbob_alloc(10, 3, 1, &err);
    double x[9] = { 1, -INFINITY, 0, 1, NAN, 0, NAN, INFINITY, 0 }, y[3];
    p->eval(p, x, 3, y, NULL);
    ck_assert(isinf(y[0]) && y[0] > 0);
    ck_assert(isnan(y[1]));
    ck_assert(isinf(y[2]) && y[2] > 0);
    prob_free(p);
}
END_TEST

/* Reentrant: many threads on one problem give the serial values. */
START_TEST(test_threads)
{
    enum { N = 400 };
    static const int fids[] = { 7, 16, 21, 23, 24 };
    for (size_t c = 0; c < sizeof fids / sizeof fids[0]; c++) {
        ga_error err;
        prob_problem *p = prob_bbob_alloc(fids[c], 20, 4, &err);
        double *x = malloc(N * 20 * sizeof *x), serial[N], par[N];
        unsigned long long state = 77;
        random_point(&state, 6.0, x, N * 20);
        p->eval(p, x, N, serial, NULL);
#pragma omp parallel for schedule(dynamic, 1)
        for (int i = 0; i < N; i++)
            p->eval(p, x + i * 20, 1, &par[i], NULL);
        for (int i = 0; i < N; i++)
            ck_assert(par[i] == serial[i]);
        free(x);
        prob_free(p);
    }
}
END_TEST

/* The legacy generator: numbers in (0, 1), the seed's sign ignored (the
 * reference vectors pin its exact output). */
START_TEST(test_unif_range)
{
    double r[1000];
    prob_bbob_unif(r, 1000, 10001);
    for (int i = 0; i < 1000; i++)
        ck_assert(r[i] > 0 && r[i] < 1);
    double again[1000];
    prob_bbob_unif(again, 1000, -10001);
    ck_assert(memcmp(r, again, sizeof r) == 0);
}
END_TEST

Suite *bbob_suite(void)
{
    Suite *s = suite_create("bbob");
    TCase *tc = tcase_create("bbob");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_reference_vectors);
    tcase_add_test(tc, test_coco_regression_points);
    tcase_add_loop_test(tc, test_optimum_and_bounds, 0, 24);
    tcase_add_test(tc, test_large_dimension);
    tcase_add_test(tc, test_penalty_growth);
    tcase_add_test(tc, test_bad_arguments);
    tcase_add_test(tc, test_non_finite);
    tcase_add_test(tc, test_threads);
    tcase_add_test(tc, test_unif_range);
    suite_add_tcase(s, tc);
    return s;
}
