/* fuzzutil.h - what the libFuzzer harnesses (tests/fuzz/fuzz_*.c) share:
 * the input as a C string, one temp directory per process for readers that
 * take a path, and the fixed spaces and settings readers are fuzzed
 * against. Everything here is for the harnesses only. */
#ifndef FUZZUTIL_H
#define FUZZUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "../../ga/settings.h"
#include "../../ga/space.h"

/* The input as a NUL-terminated string (it may hold NULs of its own;
 * readers of text see it up to the first). Caller frees. */
char *fz_text(const uint8_t *data, size_t size);

/* The process's temp directory, created on the first call (under $TMPDIR,
 * else /tmp) and removed with its files at exit. */
const char *fz_tmpdir(void);

/* Write data to fz_tmpdir()/name (replaced); returns the path (valid until
 * the next call). Aborts if it cannot be written. */
const char *fz_write(const char *name, const uint8_t *data, size_t size);

/* The space parsed from json (built into the harness); aborts when it does
 * not parse. Caller frees. */
ga_space *fz_space(const char *json);

/* A space with every parameter type: problems/spaces/cnn.json. */
extern const char *const FZ_CNN_SPACE;
/* surrogates/data/synthetic_mixed/space.json. */
extern const char *const FZ_MIXED_SPACE;

/* CANDLE's defaults with num_iter 3 and strategy st: the settings of the
 * seed checkpoints (`gahpo run --problem sphere:d2 --num-iter 3
 * --no-tuned-defaults`). */
void fz_settings(ga_settings *s, ga_strategy st);

#endif
