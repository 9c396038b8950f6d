/* cmd_space.c - `gahpo space FILE`: load a CANDLE hyperparameter space,
 * print its warnings and describe its parameters. */
#include <stdio.h>

#include "../ga/space.h"
#include "cmd_util.h"
#include "commands.h"

int gahpo_cmd_space(int argc, char **argv)
{
    if (argc != 1)
        return gahpo_usage("space takes one FILE");
    ga_error err;
    ga_space *s = ga_space_load(argv[0], &err);
    if (!s)
        return gahpo_fail(&err);
    gahpo_print_warnings(s);
    printf("%s: %zu parameters\n", argv[0], s->n);
    ga_space_describe(s, stdout);
    ga_space_free(s);
    return 0;
}
