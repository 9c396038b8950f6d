# gahpo - every entry point: make, make test, make unit, make quick,
# make test-slurm, make asan,
# make fuzz, make fault, make bench, make sweep, make install PREFIX=...,
# make clean, make deps.

CC      ?= gcc
BUILD   ?= build
PREFIX  ?= /usr/local
PKGS     = gsl libcjson openblas check
# Recursive (=) so pkg-config runs when a recipe needs the flags, after the
# deps prerequisite has installed what was missing.
PKG_CFLAGS = $(shell pkg-config --cflags gsl libcjson)
# GSL's BLAS calls (the surrogates' Cholesky and solves) go to OpenBLAS, its
# OpenMP build (Debian's libopenblas-openmp-dev): threaded where the caller
# is serial, one thread inside an OpenMP sweep. BLAS_LIBS=-lgslcblas builds
# against GSL's reference CBLAS instead.
BLAS_LIBS ?= $(shell pkg-config --libs openblas)
PKG_LIBS   = $(filter-out -lgslcblas,$(shell pkg-config --libs gsl libcjson)) $(BLAS_LIBS)
CHECK_CFLAGS = $(shell pkg-config --cflags check)
CHECK_LIBS   = $(shell pkg-config --libs check)

CFLAGS  ?= -O2 -g
WARN     = -Wall -Wextra -Werror
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) -fopenmp $(CFLAGS) $(EXTRA_CFLAGS) $(PKG_CFLAGS)
ALL_LDFLAGS = -fopenmp $(LDFLAGS) $(EXTRA_LDFLAGS)

# The library: one folder a layer, each including only from those before it
# (make layers): ga < surrogates < problems < exec < sweeps. The command,
# which parses, calls the library and prints, is cli/.
LAYERS   = ga surrogates problems exec sweeps
CMD_SRC  = $(wildcard cli/*.c)
LIB_SRC  = $(foreach d,$(LAYERS),$(wildcard $(d)/*.c))
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CMD_OBJ  = $(CMD_SRC:%.c=$(BUILD)/obj/%.o)
TEST_SRC = $(wildcard tests/check_*.c) tests/testutil.c
TEST_OBJ = $(TEST_SRC:%.c=$(BUILD)/obj/%.o)
LIB      = $(BUILD)/libgahpo.a
BIN      = bin/gahpo
ifneq ($(BUILD),build)
BIN      = $(BUILD)/bin/gahpo
endif
CHECKER  = $(BUILD)/tests/check_gahpo
BENCHES  = $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/bench_*.c))

.PHONY: all deps-build layers test test-slurm unit quick asan bench sweep tune lomo compare configure compare-configurators hpo-study seed-study install clean deps

all: $(BIN)

# A plain build needs the C libraries only (deps-build); the tests, studies
# and comparisons need Check, Python's DEAP and scikit-learn, gnuplot (deps).
deps-build:
	@pkg-config --exists gsl libcjson openblas && command -v $(CC) >/dev/null \
	  || scripts/install-deps.sh build

deps:
	@pkg-config --exists $(PKGS) && command -v gcc >/dev/null && [ -x /usr/bin/python3 ] \
	  && /usr/bin/python3 -c 'import deap, scipy, sklearn' 2>/dev/null \
	  || scripts/install-deps.sh

$(BUILD)/obj/%.o: %.c | deps-build
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

# Tests build paths from temp directories into fixed buffers; gcc's guess
# that they may be cut is noise there, so that one warning is off for tests.
$(BUILD)/obj/tests/%.o: tests/%.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -Wno-format-truncation -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(BIN): $(CMD_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) $^ $(PKG_LIBS) -lm -o $@

$(CHECKER): $(TEST_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) $^ $(PKG_LIBS) $(CHECK_LIBS) -lm -o $@

$(BUILD)/tests/bench_%: $(BUILD)/obj/tests/bench_%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) $^ $(PKG_LIBS) -lm -o $@

# bench_engine built to count the engine's random draws (by kind) for the
# draw microbenchmark; the timing build has no wrapper in its path.
$(BUILD)/tests/bench_engine_count: tests/bench_engine.c $(LIB) | deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DBENCH_COUNT_DRAWS $(ALL_LDFLAGS) $< $(LIB) $(PKG_LIBS) -lm \
	  -Wl,--wrap=ga_rng_alloc,--wrap=gsl_ran_gaussian_ziggurat -o $@

# Unit, integration, DEAP-equivalence and convergence tests: one Check run,
# whose summary line closes the output.
test: deps layers $(BIN) $(CHECKER) fuzz-build fault-build
	GAHPO_BIN=$(abspath $(BIN)) GAHPO_DATA_DIR=$(CURDIR) $(CHECKER)

# Each folder includes only from the layers before it (scripts/layers.sh;
# docs/ARCHITECTURE.md).
layers:
	@scripts/layers.sh

# Only the Slurm and PBS executors' suites (slurm, pbs, chunks; CK_RUN_SUITE
# takes one name, so one Check run each, and all three run before a failure
# is reported). Starts nothing: the caller starts Slurm
# (scripts/slurm-start.sh, as .ci/run does); without one their integration
# tests print SKIPPED. make test runs these suites too.
test-slurm: $(BIN) $(CHECKER)
	@rc=0; for suite in slurm pbs chunks; do \
	  echo "CK_RUN_SUITE=$$suite $(CHECKER)"; \
	  GAHPO_BIN=$(abspath $(BIN)) GAHPO_DATA_DIR=$(CURDIR) CK_RUN_SUITE=$$suite \
	    $(CHECKER) || rc=1; \
	done; exit $$rc

# The unit suites only: one module each, in-process, no binary run (seconds).
unit: $(CHECKER)
	GAHPO_DATA_DIR=$(CURDIR) GAHPO_TEST_UNIT=1 $(CHECKER)

# Unit and integration suites, without the DEAP comparison and the
# convergence runs (used by asan; the full run takes minutes).
quick: $(BIN) $(CHECKER)
	GAHPO_BIN=$(abspath $(BIN)) GAHPO_DATA_DIR=$(CURDIR) GAHPO_TEST_QUICK=1 $(CHECKER)

asan:
	$(MAKE) BUILD=build/asan \
	  EXTRA_CFLAGS="-O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  EXTRA_LDFLAGS="-fsanitize=address,undefined" quick

# Fuzzing (tests/fuzz/, docs/TESTING.md): a libFuzzer harness per reader,
# built with clang, ASan and UBSan into build/fuzz/ from the library's own
# sources. make fuzz runs each for FUZZ_SECONDS (new inputs go to
# build/fuzz/corpus/, not to the committed corpus); make fuzz-smoke runs
# each for a few seconds and replays tests/fuzz/crashes/ (make test does
# the same through tests/check_fuzz.c). Without clang and libFuzzer,
# fuzz-build says SKIPPED and the smoke is skipped.
FUZZ_CC      ?= clang
FUZZ_BUILD    = build/fuzz
FUZZ_SECONDS ?= 60
# -Wno-pass-failed: at -O1 clang declines the GP's `omp simd` reductions
# and says so as a warning; the sanitized code is right without them.
FUZZ_CFLAGS   = -std=c11 -D_GNU_SOURCE $(WARN) -Wno-pass-failed -fopenmp -g \
  -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
  -fno-sanitize-recover=all $(PKG_CFLAGS)
FUZZ_NAMES    = $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS     = $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz_%)
FUZZ_OBJ      = $(LIB_SRC:%.c=$(FUZZ_BUILD)/obj/%.o) \
  $(FUZZ_BUILD)/obj/tests/fuzz/fuzzutil.o
FUZZ_LIB      = $(FUZZ_BUILD)/libgahpo-fuzz.a

.PHONY: fuzz fuzz-build fuzz-smoke

fuzz-build: | deps
	@mkdir -p $(FUZZ_BUILD)
	@if echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }' \
	    | $(FUZZ_CC) -x c - -fopenmp -fsanitize=fuzzer,address,undefined \
	      -o $(FUZZ_BUILD)/probe >/dev/null 2>&1; then \
	  $(MAKE) --no-print-directory $(FUZZ_BINS); \
	else \
	  echo "fuzz-build: SKIPPED: $(FUZZ_CC) cannot build a libFuzzer binary" \
	       "(scripts/install-deps.sh installs clang, libclang-rt-dev, libomp-dev)"; \
	fi

fuzz: fuzz-build
	FUZZ_DIR=$(FUZZ_BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh fuzz

fuzz-smoke: fuzz-build
	FUZZ_DIR=$(FUZZ_BUILD) tests/fuzz/run.sh smoke

$(FUZZ_BUILD)/obj/%.o: %.c | deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_LIB): $(FUZZ_OBJ)
	rm -f $@
	ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB) | deps
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -MMD -MP -MF $@.d $< \
	  $(FUZZ_LIB) $(PKG_LIBS) -lm -o $@

# The run.json harness reads it with the command's own code: cli/ built
# with main renamed, linked into that harness only.
FUZZ_CLI_OBJ  = $(CMD_SRC:%.c=$(FUZZ_BUILD)/obj/%.o)
$(FUZZ_CLI_OBJ): FUZZ_CFLAGS += -Dmain=gahpo_cli_main

$(FUZZ_BUILD)/fuzz_runjson: tests/fuzz/fuzz_runjson.c $(FUZZ_CLI_OBJ) $(FUZZ_LIB) | deps
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -MMD -MP -MF $@.d $< \
	  $(FUZZ_CLI_OBJ) $(FUZZ_LIB) $(PKG_LIBS) -lm -o $@

-include $(FUZZ_OBJ:.o=.d) $(FUZZ_BINS:=.d)
-include $(FUZZ_CLI_OBJ:.o=.d)

# Fault injection (tests/fault/fault.c, docs/TESTING.md): the command built
# into build/fault/ with ASan and UBSan and linked with -Wl,--wrap, so that
# GAHPO_FAULT_ALLOC=n or GAHPO_FAULT_WRITE=n fails its n-th allocation or
# file write; the library itself has no switch. make test runs the fault
# suite over a stride of n; make fault tries every n (FAULT_STRIDE=1).
FAULT_BUILD  = build/fault
FAULT_WRAP   = malloc calloc realloc gsl_rng_alloc open fopen write pwrite \
  fwrite fputs fputc fprintf vfprintf fflush fsync rename truncate ftruncate mkdir
FAULT_STRIDE ?= 1

.PHONY: fault fault-build

fault-build: | deps
	@$(MAKE) --no-print-directory BUILD=$(FAULT_BUILD) FAULT=1 \
	  EXTRA_CFLAGS="-O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  EXTRA_LDFLAGS="-fsanitize=address,undefined" $(FAULT_BUILD)/bin/gahpo

ifdef FAULT
$(BIN): $(BUILD)/obj/tests/fault/fault.o
ALL_LDFLAGS += $(FAULT_WRAP:%=-Wl,--wrap=%)
endif

fault: $(BIN) $(CHECKER) fault-build
	GAHPO_BIN=$(abspath $(BIN)) GAHPO_DATA_DIR=$(CURDIR) CK_RUN_SUITE=fault \
	  GAHPO_FAULT_STRIDE=$(FAULT_STRIDE) CK_DEFAULT_TIMEOUT=3600 $(CHECKER)

bench: deps $(BIN) $(BENCHES) $(BUILD)/tests/bench_engine_count
	scripts/bench.sh $(BUILD)/tests $(abspath $(BIN))

# The study: sweeps/default.json into results/default/ (resumes
# an interrupted one; a finished one is only analysed again).
SPEC ?= sweeps/default.json
sweep: deps $(BIN)
	$(BIN) sweep $(SPEC) --resume

# The shipped tuned defaults: the configurator at every budget (48 to 1000)
# and worker count (1 to 64) of sweeps/tune.json, each choice on the
# declared test set (results/tuned/report.md; 7 min 39 s on 2 cores here);
# refreshes the committed sweeps/tuned_defaults.json on purpose. The same
# command gives the same file byte for byte, except its date.
tune: deps $(BIN)
	rm -rf results/tuned
	$(BIN) tune sweeps/tune.json --out results/tuned
	for d in results/tuned/w*/test; do \
	    /usr/bin/python3 scripts/compare/figures.py $$d || exit 1; done
	cp results/tuned/tuned_defaults.json sweeps/tuned_defaults.json

# Leave one model out: the tuning procedure with each real HPO surrogate
# held out in turn, its choice against random search and CANDLE's defaults
# on the held-out surrogate, 101 seeds (results/lomo/report.md).
lomo: deps $(BIN)
	/usr/bin/python3 scripts/lomo.py --gahpo $(abspath $(BIN))

# The configurator (iterated racing over every GA parameter) at 100
# evaluations on 1 worker, and at 200 on 16 simulated workers with
# heavy-tailed job durations, on the declared training set, each choice
# evaluated on the test set (sweeps/configure*.json; under a minute on 2
# cores).
configure: deps $(BIN)
	rm -rf results/configure-b100 results/configure-b200-w16
	$(BIN) configure sweeps/configure.json --out results/configure-b100
	/usr/bin/python3 scripts/compare/figures.py results/configure-b100/test
	$(BIN) configure sweeps/configure_w16.json --out results/configure-b200-w16
	/usr/bin/python3 scripts/compare/figures.py results/configure-b200-w16/test

# HPO methods side by side: gahpo (tuned and CANDLE's defaults), DEAP with
# CANDLE's, Optuna's TPE and CMA-ES, random search, on the real HPO
# surrogates, the DeepTTC stand-in and held-out functions, 48 to 500
# evaluations, 31 seeds (results/compare/report.md; resumable).
# QUICK=1: 3 problems x 48 evaluations x 2 seeds into $(BUILD)/compare-quick
# (seconds; make test runs the same as its compare suite).
compare: deps $(BIN)
ifdef QUICK
	/usr/bin/python3 scripts/compare/hpo_methods.py --gahpo $(abspath $(BIN)) \
	    --seeds 2 --budgets 48 --out $(BUILD)/compare-quick \
	    --problems surrogate:mlp_digits:noisy,bbob:f2:d5:i3,mixed:cnn:noisy
else
	/usr/bin/python3 scripts/compare/hpo_methods.py --gahpo $(abspath $(BIN)) \
	    --out results/compare
endif

# gahpo's configurator against irace at equal tuning budget, 3 tuning
# seeds each, on the same test set (Debian's r-cran-irace; results/compare/
# configurators/; tens of minutes).
compare-configurators: deps $(BIN)
	scripts/install-deps.sh compare
	/usr/bin/python3 scripts/compare/irace_vs_configure.py sweeps/configure.json \
	    --gahpo $(BIN) --out results/compare/configurators

# The HPO study: the model's defaults vs random search vs the GA with
# CANDLE's and with tuned defaults, on every HPO surrogate (four real, the
# DeepTTC stand-in), 48 to 500 evaluations, 101 seeds, paired tests
# (results/hpo/; about 15 minutes on 2 cores). seed-study is its old name.
hpo-study seed-study: deps $(BIN)
	/usr/bin/python3 scripts/hpo_study.py --gahpo $(BIN)

# The command, and the data it finds at run time (ga_data_path looks in
# PREFIX/share/gahpo): the mixed problems' spaces and the surrogate models.
install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/gahpo/problems/spaces
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/gahpo
	install -m 0644 problems/spaces/*.json $(DESTDIR)$(PREFIX)/share/gahpo/problems/spaces/
	install -d $(DESTDIR)$(PREFIX)/share/gahpo/sweeps
	install -m 0644 sweeps/tuned_defaults.json $(DESTDIR)$(PREFIX)/share/gahpo/sweeps/
	install -d $(DESTDIR)$(PREFIX)/share/gahpo/sites $(DESTDIR)$(PREFIX)/share/gahpo/templates
	install -m 0644 sites/*.json $(DESTDIR)$(PREFIX)/share/gahpo/sites/
	install -m 0644 templates/* $(DESTDIR)$(PREFIX)/share/gahpo/templates/
	if ls surrogates/models/*.json >/dev/null 2>&1; then \
	  install -d $(DESTDIR)$(PREFIX)/share/gahpo/surrogates/models; \
	  install -m 0644 surrogates/models/*.json $(DESTDIR)$(PREFIX)/share/gahpo/surrogates/models/; \
	fi

clean:
	rm -rf build bin

-include $(LIB_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(CMD_OBJ:.o=.d)
