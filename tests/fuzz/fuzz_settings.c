/* fuzz_settings.c - libFuzzer harness of the settings readers in
 * ga/settings.c: the text as a settings file (ga_settings_apply_json) and
 * as tuned defaults (ga_settings_apply_tuned), each validated; and, read
 * as NAME=VALUE lines, as CANDLE's environment (ga_settings_apply_env,
 * which goes through ga_settings_set like the command line). */
#include <stdlib.h>
#include <string.h>

#include "../../ga/util.h"
#include "fuzzutil.h"

/* The value of NAME on a "NAME=VALUE" line of the text, or NULL. */
static const char *lookup(void *ctx, const char *name)
{
    static char value[1024];
    size_t n = strlen(name);
    for (const char *l = ctx; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (!strncmp(l, name, n) && l[n] == '=') {
            size_t len = strcspn(l + n + 1, "\n");
            if (len >= sizeof value)
                len = sizeof value - 1;
            memcpy(value, l + n + 1, len);
            value[len] = '\0';
            return value;
        }
    return NULL;
}

static void check(const ga_settings *s)
{
    ga_error err;
    if (ga_settings_validate(s, &err) == GA_OK) {
        (void)ga_settings_lambda(s);
        cJSON_Delete(ga_settings_to_json(s));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fz_text(data, size);
    ga_error err;
    ga_settings s;
    cJSON *root = ga_json_parse(text, "fuzz", NULL, &err);
    if (root) {
        ga_settings_defaults(&s);
        if (ga_settings_apply_json(&s, root, "fuzz", &err) == GA_OK)
            check(&s);
        char chosen[256];
        ga_settings_defaults(&s);
        if (ga_settings_apply_tuned(&s, root, "fuzz", 200, 8, chosen,
                                    sizeof chosen, &err) == GA_OK)
            check(&s);
        cJSON_Delete(root);
    } else {
        ga_settings_defaults(&s);
        if (ga_settings_apply_env(&s, lookup, text, &err) == GA_OK)
            check(&s);
    }
    free(text);
    return 0;
}
