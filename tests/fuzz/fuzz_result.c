/* fuzz_result.c - libFuzzer harness of the model's result-file parser
 * (ga_parse_result, exec/local.c): a number, NaN or a JSON object
 * holding val_loss, else a reason. */
#include <stdlib.h>

#include "../../exec/exec.h"
#include "fuzzutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fz_text(data, size);
    double value;
    ga_error err;
    (void)ga_parse_result(text, "val_loss", &value, &err);
    free(text);
    return 0;
}
