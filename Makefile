# leakstamp — build, test, demo, bench, install.
#
#   make            build/lib/libleakstamp.so, build/bin/leakstamp-analyze and build/bin/leakstamp
#   make test       installs missing packages (scripts/install-deps.sh), builds, runs every test
#   make demo       runs the bundled leaky demo job under leakstamp and prints the ranked report
#
# Sources are found by wildcard: a new file in preload/, analyze/ or launch/ is built without editing
# this file.
# WERROR=1 adds -Werror (CI sets it).

CC      ?= gcc
CXX     ?= g++
OPT     ?= -O2 -g
WARN     = -Wall -Wextra $(if $(WERROR),-Werror)
CSTD     = -std=c11 -D_GNU_SOURCE
B        = build
VERSION := $(shell cat VERSION)

# ---- the preload -----------------------------------------------------------------------------
# Four rooms (docs/preload.md): core/ (every allocation), report/ (the report and the process's life),
# trap/ (named stamps), scan/ (heap scans); each room's header is its only interface to the others.
PRELOAD_ROOMS = core report trap scan
PRELOAD_SRC  = $(foreach r,$(PRELOAD_ROOMS),$(wildcard preload/$(r)/*.c))
PRELOAD_ASM  = $(foreach r,$(PRELOAD_ROOMS),$(wildcard preload/$(r)/*.S))
PRELOAD_HDR  = $(wildcard preload/*/*.h)
# common/: sources compiled into both halves (the preload's copy with the preload's flags).
COMMON_SRC   = $(wildcard common/*.c)
PRELOAD_OBJ  = $(PRELOAD_SRC:%.c=$(B)/obj/%.o) $(PRELOAD_ASM:%.S=$(B)/obj/%.o) \
               $(COMMON_SRC:common/%.c=$(B)/obj/preload/common/%.o)
# -fexceptions: a std::bad_alloc thrown from libstdc++ unwinds through our operator new.
# -flto: the hooks, the tracker and the sampler sit in separate files but form one hot path.
PRELOAD_CFLAGS = $(CSTD) $(OPT) $(WARN) -fPIC -fvisibility=hidden -ftls-model=initial-exec \
                 -fexceptions -flto -Iinclude -Ipreload -Icommon -DLEAKSTAMP_VERSION='"$(VERSION)"'
LIB = $(B)/lib/libleakstamp.so
# The named-stamp room demangles with its own copy of libstdc++'s demangler (cp-demangle.o, the only
# member of libsupc++.a it pulls in), kept hidden; docs/named-stamps.md says why.
SUPCXX := $(shell $(CC) -print-file-name=libsupc++.a)

# ---- the analyzer ----------------------------------------------------------------------------
ANALYZE_SRC  = $(wildcard analyze/*.c analyze/*/*.c) $(COMMON_SRC)
ANALYZE_HDR  = $(wildcard analyze/*.h analyze/*/*.h)
ANALYZE_OBJ  = $(ANALYZE_SRC:%.c=$(B)/obj/%.o)
ANALYZE_LIB_OBJ = $(filter-out $(B)/obj/analyze/main.o,$(ANALYZE_OBJ))
ANALYZE_CFLAGS = $(CSTD) $(OPT) $(WARN) -Iinclude -Ianalyze -Icommon -DLEAKSTAMP_VERSION='"$(VERSION)"'
ANALYZE_LIBS = -ldw -lelf -lm -lstdc++
ANALYZER = $(B)/bin/leakstamp-analyze

# ---- the launcher ----------------------------------------------------------------------------
# `leakstamp run|report|gate` (launch/launch.h): execs or supervises the job, runs the analyzer.
LAUNCH_SRC    = $(wildcard launch/*.c)
LAUNCH_HDR    = $(wildcard launch/*.h)
LAUNCH_OBJ    = $(LAUNCH_SRC:%.c=$(B)/obj/%.o) $(COMMON_SRC:%.c=$(B)/obj/%.o)
LAUNCH_CFLAGS = $(CSTD) $(OPT) $(WARN) -Ilaunch -Icommon -DLEAKSTAMP_VERSION='"$(VERSION)"'
LAUNCHER      = $(B)/bin/leakstamp

# ---- tests -----------------------------------------------------------------------------------
# tests/unit/test_*.c: Criterion suites, built with ASan/UBSan and linked with the analyzer's objects
# (without main) and the preload's pure modules (those that interpose nothing).
SAN          = -fsanitize=address,undefined -fno-omit-frame-pointer
UNIT_SRC     = $(wildcard tests/unit/test_*.c)
# tests/unit/test_launch_*.c test the launcher: linked with its objects (without main) instead.
UNIT_BIN     = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/unit/%)
LAUNCH_UNIT_BIN = $(filter $(B)/tests/unit/test_launch_%,$(UNIT_BIN))
CORE_UNIT_BIN   = $(filter-out $(LAUNCH_UNIT_BIN),$(UNIT_BIN))
PRELOAD_PURE = preload/report/escape.c preload/report/buf.c preload/core/arena.c preload/core/livemap.c \
               preload/core/livemap_side.c preload/core/maptable.c \
               preload/core/stacks.c preload/core/stack_bounds.c
JOB_C        = $(wildcard tests/jobs/*.c)
JOB_CXX      = $(wildcard tests/jobs/*.cpp)
JOB_BIN      = $(JOB_C:tests/jobs/%.c=$(B)/tests/jobs/%) $(JOB_CXX:tests/jobs/%.cpp=$(B)/tests/jobs/%)

BENCH_REPS ?= 5

.PHONY: all deps test unit integration check-cpython demo clean bench bench-paired fuzz install html-check
all: $(LIB) $(ANALYZER) $(LAUNCHER)

deps:
	@bash scripts/install-deps.sh

$(B)/obj/preload/%.o: preload/%.c $(PRELOAD_HDR) include/leakstamp.h VERSION
	@mkdir -p $(@D)
	$(CC) $(PRELOAD_CFLAGS) -c $< -o $@
$(B)/obj/preload/common/%.o: common/%.c common/*.h
	@mkdir -p $(@D)
	$(CC) $(PRELOAD_CFLAGS) -c $< -o $@
# $(OPT) too: -fcf-protection there must reach the assembly (<cet.h>), or the linked library loses its
# CET marking.
$(B)/obj/preload/%.o: preload/%.S $(PRELOAD_HDR)
	@mkdir -p $(@D)
	$(CC) $(OPT) -Ipreload -c $< -o $@
$(LIB): $(PRELOAD_OBJ)
	@mkdir -p $(@D)
	$(CC) $(OPT) $(WARN) -flto -shared -o $@ $^ $(SUPCXX) -Wl,--exclude-libs,libsupc++.a \
	    -Wl,-z,now -Wl,-z,nodelete -Wl,-z,defs -lunwind -ldl -lpthread -lm

$(B)/obj/analyze/%.o: analyze/%.c $(ANALYZE_HDR) VERSION
	@mkdir -p $(@D)
	$(CC) $(ANALYZE_CFLAGS) -c $< -o $@
$(B)/obj/common/%.o: common/%.c $(wildcard common/*.h)
	@mkdir -p $(@D)
	$(CC) $(ANALYZE_CFLAGS) -c $< -o $@
$(ANALYZER): $(ANALYZE_OBJ)
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(ANALYZE_LIBS)

$(B)/obj/launch/%.o: launch/%.c $(LAUNCH_HDR) $(wildcard common/*.h) VERSION
	@mkdir -p $(@D)
	$(CC) $(LAUNCH_CFLAGS) -c $< -o $@
$(LAUNCHER): $(LAUNCH_OBJ)
	@mkdir -p $(@D)
	$(CC) -o $@ $^

# ---- fuzzing the analyzer (libFuzzer) ----------------------------------------------------------
# The analyzer's sources (without main) are compiled into each harness with the fuzzer's coverage and
# ASan/UBSan. Four harnesses, FUZZ_SECONDS each: the report reader (seeds tests/fuzz/corpus), the
# gate's baseline JSON reader (tests/fuzz/corpus_baseline), its suppressions parser
# (tests/fuzz/corpus_suppressions) and the partial reader (tests/fuzz/corpus_partial). New inputs go to build/fuzz/corpus[_NAME], crashes to build/fuzz/.
FUZZ_CC      ?= clang-14
FUZZ_SECONDS ?= 600
FUZZ_BIN      = $(B)/fuzz/fuzz_reader
FUZZ_GATE_BIN = $(B)/fuzz/fuzz_baseline $(B)/fuzz/fuzz_suppressions $(B)/fuzz/fuzz_partial
FUZZ_FLAGS    = -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048
$(FUZZ_BIN) $(FUZZ_GATE_BIN): $(B)/fuzz/%: tests/fuzz/%.c $(filter-out analyze/main.c,$(ANALYZE_SRC)) \
                                           $(ANALYZE_HDR) $(wildcard common/*.h) VERSION
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CSTD) -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    -Iinclude -Ianalyze -Icommon -DLEAKSTAMP_VERSION='"$(VERSION)"' -o $@ $< \
	    $(filter-out analyze/main.c,$(ANALYZE_SRC)) $(ANALYZE_LIBS)
fuzz: $(FUZZ_BIN) $(FUZZ_GATE_BIN)
	@mkdir -p $(B)/fuzz/corpus $(B)/fuzz/corpus_baseline $(B)/fuzz/corpus_suppressions $(B)/fuzz/corpus_partial
	$(FUZZ_BIN) $(FUZZ_FLAGS) -artifact_prefix=$(B)/fuzz/ $(B)/fuzz/corpus tests/fuzz/corpus
	$(B)/fuzz/fuzz_baseline $(FUZZ_FLAGS) -artifact_prefix=$(B)/fuzz/baseline- \
	    $(B)/fuzz/corpus_baseline tests/fuzz/corpus_baseline
	$(B)/fuzz/fuzz_suppressions $(FUZZ_FLAGS) -artifact_prefix=$(B)/fuzz/suppressions- \
	    $(B)/fuzz/corpus_suppressions tests/fuzz/corpus_suppressions
	$(B)/fuzz/fuzz_partial $(FUZZ_FLAGS) -artifact_prefix=$(B)/fuzz/partial- \
	    $(B)/fuzz/corpus_partial tests/fuzz/corpus_partial

# The code under test is compiled once with the sanitizers (build/asan/) and linked into every suite.
UNIT_CFLAGS = $(CSTD) -O1 -g $(WARN) $(SAN) -Iinclude -Ianalyze -Ipreload -Icommon -DLEAKSTAMP_VERSION='"$(VERSION)"' \
              -DLEAKSTAMP_UNIT_TEST
UNIT_OBJ    = $(patsubst %.c,$(B)/asan/%.o,$(filter-out analyze/main.c,$(ANALYZE_SRC)) $(PRELOAD_PURE))
$(B)/asan/%.o: %.c $(ANALYZE_HDR) $(PRELOAD_HDR) $(wildcard common/*.h) VERSION
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) -c $< -o $@
# Static pattern rules: which objects a suite links is decided by its name, never by make's choice
# between two matching patterns (that choice changed with what was already built).
$(CORE_UNIT_BIN): $(B)/tests/unit/%: tests/unit/%.c $(UNIT_OBJ) $(ANALYZE_HDR) $(PRELOAD_HDR)
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) -o $@ $< $(UNIT_OBJ) -lcriterion $(ANALYZE_LIBS)
LAUNCH_UNIT_OBJ = $(patsubst %.c,$(B)/asan/%.o,$(filter-out launch/main.c,$(LAUNCH_SRC)) $(COMMON_SRC))
$(B)/asan/launch/%.o: launch/%.c $(LAUNCH_HDR) $(wildcard common/*.h) VERSION
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) -Ilaunch -c $< -o $@
$(LAUNCH_UNIT_BIN): $(B)/tests/unit/%: tests/unit/%.c $(LAUNCH_UNIT_OBJ) $(LAUNCH_HDR)
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) -Ilaunch -o $@ $< $(LAUNCH_UNIT_OBJ) -lcriterion

# Jobs run under the real preload: no sanitizers (ASan would replace the allocator we measure).
$(B)/tests/jobs/%: tests/jobs/%.c include/leakstamp.h
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O0 -g -Wall -Wextra $(if $(WERROR),-Werror) -Iinclude -pthread -o $@ $< -ldl
$(B)/tests/jobs/%: tests/jobs/%.cpp include/leakstamp.h
	@mkdir -p $(@D)
	$(CXX) -std=c++17 -O0 -g -Wall -Wextra $(if $(WERROR),-Werror) -Iinclude -pthread -o $@ $<

# The launcher's tests need the same small job linked statically and static-pie (no PT_INTERP; the
# static-pie one has PT_DYNAMIC): programs nothing can be preloaded into.
STATIC_JOBS = $(B)/tests/jobs/status_job_static $(B)/tests/jobs/status_job_static_pie
$(B)/tests/jobs/status_job_static: tests/jobs/status_job.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O0 -g -Wall -Wextra $(if $(WERROR),-Werror) -static -o $@ $<
$(B)/tests/jobs/status_job_static_pie: tests/jobs/status_job.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O0 -g -Wall -Wextra $(if $(WERROR),-Werror) -static-pie -fPIE -o $@ $<

# ---- named stamp symbols: test jobs that need shared libraries (tests/integration/test_named_stamps.sh)
# libsymev.so holds sym_shared's event function (exported, called from the executable through the PLT);
# libsymplugin.so is dlopen'ed by sym_dlopen. Both sit next to the jobs, found through $$ORIGIN.
SYM_JOB_LIBS = $(B)/tests/jobs/libsymev.so $(B)/tests/jobs/libsymplugin.so
# Libraries of test_job_unchanged.sh: libdeep.so (RTLD_DEEPBIND, a late stack), liboolhot.so and
# liboolplug.so (functions that run out of line).
SYM_JOB_LIBS += $(B)/tests/jobs/libdeep.so $(B)/tests/jobs/liboolhot.so $(B)/tests/jobs/liboolplug.so
$(B)/tests/jobs/lib%.so: tests/jobs/lib/%_lib.cpp $(wildcard tests/jobs/lib/*.h)
	@mkdir -p $(@D)
	$(CXX) -std=c++17 -O0 -g -Wall -Wextra $(if $(WERROR),-Werror) -fPIC -shared -o $@ $<
$(B)/tests/jobs/sym_shared: tests/jobs/sym_shared.cpp $(B)/tests/jobs/libsymev.so
	@mkdir -p $(@D)
	$(CXX) -std=c++17 -O0 -g -Wall -Wextra $(if $(WERROR),-Werror) -o $@ $< -L$(B)/tests/jobs -lsymev -Wl,-rpath,'$$ORIGIN'
$(B)/tests/jobs/sym_dlopen: $(B)/tests/jobs/libsymplugin.so
$(B)/tests/jobs/sym_direct: tests/jobs/lib/symev_lib.cpp tests/jobs/lib/symev_lib.h
# ---- end of named stamp symbols

# ---- real-shaped jobs (tests/integration/test_real_shapes.sh): optimised like production code, a
# library for python's ctypes, and a CPython extension module (python3-dev)
$(B)/tests/jobs/inline_deep: tests/jobs/inline_deep.cpp include/leakstamp.h
	@mkdir -p $(@D)
	$(CXX) -std=c++17 -O2 -g -Wall -Wextra $(if $(WERROR),-Werror) -Iinclude -o $@ $<
REAL_JOB_LIBS = $(B)/tests/jobs/libpyleak.so $(B)/tests/jobs/libctorleak.so $(B)/tests/jobs/leakext.so \
                $(B)/tests/jobs/libctorthreads.so
$(B)/tests/jobs/libpyleak.so $(B)/tests/jobs/libctorleak.so $(B)/tests/jobs/libctorthreads.so: \
  $(B)/tests/jobs/lib%.so: tests/jobs/lib/%_lib.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O0 -g -Wall -Wextra $(if $(WERROR),-Werror) -fPIC -shared -pthread -o $@ $<
# ctor_threads: linked with libctorthreads.so, whose constructor's threads allocate while we start up
$(B)/tests/jobs/ctor_threads: tests/jobs/ctor_threads.c $(B)/tests/jobs/libctorthreads.so
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O0 -g -Wall -Wextra $(if $(WERROR),-Werror) -pthread -o $@ $< \
	    -L$(B)/tests/jobs -lctorthreads -Wl,-rpath,'$$ORIGIN'
$(B)/tests/jobs/leakext.so: tests/jobs/lib/leakext_lib.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O0 -g -Wall -Wextra $(if $(WERROR),-Werror) -fPIC -shared \
	    $$(python3-config --includes) -o $@ $<
# ---- end of real-shaped jobs
# ---- mappings (tests/integration/test_maps.sh): libmapplugin.so is dlopen'ed by map_leaky; the
# foreign-allocator jobs are one source linked with tcmalloc and with jemalloc.
MAP_JOB_LIBS = $(B)/tests/jobs/libmapplugin.so $(B)/tests/jobs/heap_tcmalloc $(B)/tests/jobs/heap_jemalloc
$(B)/tests/jobs/libmapplugin.so: tests/jobs/lib/mapplugin_lib.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O0 -g -Wall -Wextra $(if $(WERROR),-Werror) -fPIC -shared -o $@ $<
$(B)/tests/jobs/heap_%: tests/jobs/lib/foreign_heap.c include/leakstamp.h
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O0 -g -Wall -Wextra $(if $(WERROR),-Werror) -Iinclude -o $@ $< -l$*

# ---- the real-shaped job (issue 12): tests/jobs/detsim/ — libdetsim.so (C++, -O2: inlined std:: templates,
# HepMC3 + FastJet + CLHEP) is loaded through ctypes by run.py, started through the bash shim python3.
DETSIM = $(B)/tests/jobs/detsim/libdetsim.so
$(DETSIM): tests/jobs/detsim/detsim.cpp tests/jobs/detsim/run.py tests/jobs/detsim/python3
	@mkdir -p $(@D)
	$(CXX) -std=c++17 -O2 -g -Wall -Wextra $(if $(WERROR),-Werror) -fPIC -shared -pthread -o $@ $< \
	    -lHepMC3 -lfastjet -lCLHEP
	cp tests/jobs/detsim/run.py tests/jobs/detsim/python3 $(@D)/

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

integration: all $(JOB_BIN) $(STATIC_JOBS) $(SYM_JOB_LIBS) $(REAL_JOB_LIBS) $(MAP_JOB_LIBS) $(DETSIM) $(B)/tests/bench/alloc_heavy \
             $(B)/tests/bench/churn $(B)/tests/bench/forward.so $(B)/tests/bench/hooks_only.so $(B)/tests/bench/tool_memory
	@bash tests/integration/run.sh

# CPython's own subprocess/threading/signal/fork/mmap/ctypes tests, with and without the preload: the
# same outcome for every test (tests/cpython/run.sh, about two minutes).
check-cpython: all
	@bash tests/cpython/run.sh

test: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory integration
	@$(MAKE) --no-print-directory check-cpython

# A fresh output directory each time, so the report shows this run only.
demo: deps
	@$(MAKE) --no-print-directory all $(B)/tests/jobs/demo_leaky
	@rm -rf $(B)/demo-out
	@$(LAUNCHER) run -o $(B)/demo-out -- $(B)/tests/jobs/demo_leaky 30
	@$(LAUNCHER) report $(B)/demo-out

# make install PREFIX=/usr/local [DESTDIR=...]: what goes where is listed in scripts/install.sh.
PREFIX  ?= /usr/local
install: all
	@bash scripts/install.sh "$(DESTDIR)" "$(PREFIX)" "$(VERSION)"

# The HTML export drawn by headless Chromium into build/html-check/report.png, to look at (needs the
# chromium package; not part of `make test`, which checks the HTML structurally).
html-check: all $(B)/tests/jobs/demo_leaky
	@bash scripts/html-check.sh

# The benchmark job is optimised like a production build (-O2), unlike the test jobs.
$(B)/tests/bench/alloc_heavy: tests/bench/alloc_heavy.cpp include/leakstamp.h
	@mkdir -p $(@D)
	$(CXX) -std=c++17 -O2 -g -Wall -Wextra $(if $(WERROR),-Werror) -Iinclude -pthread -o $@ $<

$(B)/tests/bench/churn: tests/bench/churn.cpp include/leakstamp.h
	@mkdir -p $(@D)
	$(CXX) -std=c++17 -O2 -g -Wall -Wextra $(if $(WERROR),-Werror) -Iinclude -pthread -o $@ $<

# The floor: a preload that only forwards (tests/bench/forward.c).
$(B)/tests/bench/forward.so: tests/bench/forward.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 -Wall -Wextra $(if $(WERROR),-Werror) -fPIC -shared -o $@ $<

# Between the two: leakstamp's assembly hooks with slow paths that only forward (tests/bench/hooks_only.c).
$(B)/tests/bench/hooks_only.so: tests/bench/hooks_only.c preload/core/hooks_fast.S preload/core/hooks_fast.h
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 -Wall -Wextra $(if $(WERROR),-Werror) -Ipreload -fPIC -shared -o $@ \
	    tests/bench/hooks_only.c preload/core/hooks_fast.S

$(B)/tests/bench/tool_memory: tests/bench/tool_memory.c include/leakstamp.h
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O1 -g -Wall -Wextra $(if $(WERROR),-Werror) -Iinclude -o $@ $<

$(B)/tests/bench/stamp_cost: tests/bench/stamp_cost.c include/leakstamp.h
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 -g -Wall -Wextra $(if $(WERROR),-Werror) -Iinclude -o $@ $<

$(B)/tests/bench/scan_cost: tests/bench/scan_cost.c include/leakstamp.h
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 -g -Wall -Wextra $(if $(WERROR),-Werror) -Iinclude -pthread -o $@ $<

bench: deps
	@$(MAKE) --no-print-directory $(LIB) $(ANALYZER) $(B)/tests/bench/alloc_heavy $(B)/tests/bench/churn \
	    $(B)/tests/bench/tool_memory $(B)/tests/bench/stamp_cost $(B)/tests/jobs/map_leaky $(B)/tests/jobs/rss_leak \
	    $(B)/tests/bench/scan_cost $(B)/tests/bench/forward.so $(B)/tests/bench/hooks_only.so
	@bash tests/bench/run.sh $(BENCH_REPS)

# The wall-time targets of one bench job with 95% intervals (tests/bench/paired.sh; ~10 minutes):
# make bench-paired [PAIRED_JOB=churn+threads|churn|heavy] [PAIRED_REPS=150]
bench-paired: deps
	@$(MAKE) --no-print-directory $(LIB) $(ANALYZER) $(B)/tests/bench/alloc_heavy $(B)/tests/bench/churn \
	    $(B)/tests/bench/forward.so $(B)/tests/bench/hooks_only.so
	@bash tests/bench/paired.sh $(or $(PAIRED_REPS),150) $(or $(PAIRED_JOB),churn+threads)

clean:
	rm -rf $(B)
