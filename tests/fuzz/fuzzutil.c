/* fuzzutil.c - helpers of the libFuzzer harnesses (see fuzzutil.h). */
#include "fuzzutil.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const FZ_CNN_SPACE =
    "[{\"name\": \"learning_rate\", \"type\": \"float\", \"lower\": 1e-5,"
    "  \"upper\": 0.1, \"log_scale\": true},"
    " {\"name\": \"batch_size\", \"type\": \"ordered\", \"element_type\": \"int\","
    "  \"values\": [16, 32, 64, 128, 256, 512, 1024], \"sigma\": 1},"
    " {\"name\": \"dropout\", \"type\": \"float\", \"lower\": 0.0, \"upper\": 0.8,"
    "  \"sigma\": 0.08},"
    " {\"name\": \"conv_layers\", \"type\": \"int\", \"lower\": 1, \"upper\": 8,"
    "  \"sigma\": 1},"
    " {\"name\": \"filters\", \"type\": \"ordered\", \"element_type\": \"int\","
    "  \"values\": [16, 32, 64, 128, 256], \"sigma\": 1},"
    " {\"name\": \"optimizer\", \"type\": \"categorical\","
    "  \"element_type\": \"string\", \"values\": [\"adam\", \"sgd\", \"rmsprop\"]},"
    " {\"name\": \"momentum\", \"type\": \"float\", \"lower\": 0.0, \"upper\": 0.99,"
    "  \"sigma\": 0.1},"
    " {\"name\": \"batch_norm\", \"type\": \"logical\"},"
    " {\"name\": \"epochs\", \"type\": \"constant\", \"value\": 20}]";

const char *const FZ_MIXED_SPACE =
    "[{\"name\": \"lr\", \"type\": \"float\", \"lower\": 0.0001, \"upper\": 0.1,"
    "  \"log_scale\": true},"
    " {\"name\": \"momentum\", \"type\": \"float\", \"lower\": 0.0, \"upper\": 0.99},"
    " {\"name\": \"units\", \"type\": \"int\", \"lower\": 8, \"upper\": 256},"
    " {\"name\": \"batch\", \"type\": \"ordered\", \"element_type\": \"int\","
    "  \"values\": [16, 32, 64, 128, 256]},"
    " {\"name\": \"optimizer\", \"type\": \"categorical\","
    "  \"element_type\": \"string\", \"values\": [\"sgd\", \"adam\", \"rmsprop\"]},"
    " {\"name\": \"batch_norm\", \"type\": \"logical\"},"
    " {\"name\": \"epochs\", \"type\": \"constant\", \"value\": 50}]";

char *fz_text(const uint8_t *data, size_t size)
{
    char *t = malloc(size + 1);
    if (!t)
        abort();
    memcpy(t, data, size);
    t[size] = '\0';
    return t;
}

static char tmpdir[4096];

static int remove_one(const char *path, const struct stat *st, int flag,
                      struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void remove_tmpdir(void)
{
    if (tmpdir[0])
        nftw(tmpdir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *fz_tmpdir(void)
{
    if (tmpdir[0])
        return tmpdir;
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/gahpo-fuzz-XXXXXX",
             base && *base ? base : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("fuzz: mkdtemp");
        abort();
    }
    atexit(remove_tmpdir);
    return tmpdir;
}

const char *fz_write(const char *name, const uint8_t *data, size_t size)
{
    static char path[4200];
    snprintf(path, sizeof path, "%s/%s", fz_tmpdir(), name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
        perror(path);
        abort();
    }
    return path;
}

ga_space *fz_space(const char *json)
{
    ga_error err;
    ga_space *s = ga_space_parse(json, "fuzz space", &err);
    if (!s) {
        fprintf(stderr, "fuzz: the built-in space: %s\n", err.msg);
        abort();
    }
    return s;
}

void fz_settings(ga_settings *s, ga_strategy st)
{
    ga_settings_defaults(s);
    s->num_iter = 3;
    s->strategy = st;
}
