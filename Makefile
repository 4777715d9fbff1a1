# wsx — build, test, install.
#
#   make                 build/libwsx.a, build/libwsx.so (SONAME libwsx.so.0), build/wsx.pc
#   make check           unit tests (plain and -fsanitize=address,undefined), fuzz corpora, interop
#                        (the load and fault suites at a smaller size)
#   make stress          the load and fault suites at full size (WSX_STRESS=1, a few minutes):
#                        5,000 WebSocket + 5,000 SSE clients at once per round, floods of
#                        half-open connections, 2,000 abrupt disconnects per server; the demo
#                        cluster's 50 kills and 3,000-client fan-out
#   make examples        build/examples/*
#   make demo            the browser demo on http://127.0.0.1:$(PORT)/ (PORT=8080)
#   make demo-cluster    the demo on N=3 servers behind nginx, Redis between them, on
#                        http://127.0.0.1:$(PORT)/ (needs libhiredis-dev, redis-server, nginx)
#   make fuzz            libFuzzer binaries (clang) in build/fuzz/
#   make fuzz-run        each fuzz target for FUZZ_SECONDS (60) with its dictionary;
#                        FUZZ_TARGETS="fuzz_x fuzz_y" picks some (see fuzz/README.md)
#   make fuzz-smoke      fuzz-run with 15 seconds per target (CI); FUZZ_JOBS=N runs N at a time
#   make afl-run         AFL++ on AFL_TARGETS for AFL_SECONDS (600) each
#   make format          clang-format -i on every C file (make check fails on a difference)
#   make analyze         cppcheck, gcc -fanalyzer, clang-tidy, scan-build on src/ (both profiles)
#   make valgrind        the unit tests under valgrind memcheck
#   make coverage        line and branch coverage of src/ (gcc --coverage, gcovr) from
#                        the unit tests and the corpus replays; fails below
#                        COV_LINES / COV_BRANCHES percent
#   make bench           benchmarks side by side with other libraries (UWS_DIR=a copy of
#                        uWebSockets' source adds its frame parser and its EchoServer,
#                        PICO_DIR=a copy of picohttpparser its head parser; SKIPped
#                        without); bench/README.md
#   make size            code size per module on a Cortex-M4 (needs arm-none-eabi-gcc)
#   make amalgamate      dist/wsx.c and dist/wsx.h: the library as one source file and one
#                        header (scripts/amalgamate.py; make check tests its own copy)
#   make install         PREFIX DESTDIR LIBDIR INCLUDEDIR PKGCONFIGDIR
#
# Options: WERROR=1 adds -Werror.  OPENSSL=1 takes SHA-1 from libcrypto.
# CC, CFLAGS, CPPFLAGS, LDFLAGS, AR from the command line or environment are used.

VERSION      := 0.2.0
SOVERSION    := 0

CC           ?= cc
AR           ?= ar
CLANG        ?= clang
CFLAGS       ?= -O2 -g
PREFIX       ?= /usr/local
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig

B            := build
WARN         := -std=c99 -Wall -Wextra -Wpedantic $(if $(filter 1,$(WERROR)),-Werror)
LIB_CPPFLAGS := -Iinclude -DWSX_BUILDING
LIB_LIBS     :=
PC_REQUIRES  :=
ifeq ($(OPENSSL),1)
LIB_CPPFLAGS += -DWSX_USE_OPENSSL
LIB_LIBS     += -lcrypto
PC_REQUIRES  := Requires.private: libcrypto
endif

# Objects are rebuilt when the configuration (OPENSSL=) changes.
CONFIG_STAMP := $(B)/.config
CONFIG_LINE  := OPENSSL=$(OPENSSL)
ifneq ($(shell cat $(CONFIG_STAMP) 2>/dev/null),$(CONFIG_LINE))
$(shell mkdir -p $(B) && echo '$(CONFIG_LINE)' > $(CONFIG_STAMP))
endif

LIB_SRCS     := $(sort $(wildcard src/*.c))
LIB_OBJS     := $(LIB_SRCS:src/%.c=$(B)/obj/%.o)
ASAN_OBJS    := $(LIB_SRCS:src/%.c=$(B)/asan/obj/%.o)
SMALL_OBJS   := $(LIB_SRCS:src/%.c=$(B)/small/obj/%.o)
TEST_SRCS    := $(sort $(wildcard tests/test_*.c))
TESTS        := $(TEST_SRCS:tests/%.c=$(B)/tests/%)
ASAN_TESTS   := $(TEST_SRCS:tests/%.c=$(B)/asan/tests/%)
SMALL_TESTS  := $(TEST_SRCS:tests/%.c=$(B)/small/tests/%)
VG_TESTS     := $(TEST_SRCS:tests/%.c=$(B)/vg/tests/%)
FUZZ_SRCS    := $(sort $(wildcard fuzz/fuzz_*.c))
FUZZ_REPLAY  := $(FUZZ_SRCS:fuzz/%.c=$(B)/asan/fuzz/%)
SMALL_REPLAY := $(FUZZ_SRCS:fuzz/%.c=$(B)/small/fuzz/%)
FUZZ_BINS    := $(FUZZ_SRCS:fuzz/%.c=$(B)/fuzz/%)
# Examples: one file (examples/NAME.c) or a folder (examples/NAME/*.c), each
# linked with examples/common/*.c.  The demo's folder (examples/demo) builds
# two servers: plain.c or tls.c (OpenSSL) around the same core.
EX_SRCS      := $(sort $(wildcard examples/*.c))
EX_DIRS      := sse_cat sse_server ws_echo
# ws_echo_uring needs liburing (Debian liburing-dev); without it the other
# examples are built and `make examples` says loudly that it is not.
HAVE_LIBURING := $(shell pkg-config --exists liburing 2>/dev/null && echo 1)
ifeq ($(HAVE_LIBURING),1)
EX_DIRS      += ws_echo_uring
EX_LIBS_ws_echo_uring := $(shell pkg-config --libs liburing)
# liburing's inline functions use C11 atomics (clang -Wpedantic warns under C99)
EX_STD_ws_echo_uring  := -std=c11
endif
EX_COMMON    := $(sort $(wildcard examples/common/*.c))
EX_DEPS      := $(EX_COMMON) $(wildcard examples/common/*.h) $(B)/libwsx.a
DEMO_MAINS   := examples/demo/plain.c examples/demo/tls.c
# The demo's cluster mode (Redis through hiredis) is compiled in when
# pkg-config finds hiredis (Debian: libhiredis-dev); without it the demo
# builds and runs as one process.
HIREDIS      := $(shell pkg-config --exists hiredis 2>/dev/null && echo 1)
CLUSTER_SRCS := $(wildcard examples/demo/cluster*.c examples/demo/redis_loop.c)
DEMO_CORE    := $(filter-out $(DEMO_MAINS) $(if $(HIREDIS),,$(CLUSTER_SRCS)),$(sort $(wildcard examples/demo/*.c)))
DEMO_FLAGS   := $(if $(HIREDIS),-DDEMO_CLUSTER $(shell pkg-config --cflags hiredis))
DEMO_LIBS    := $(if $(HIREDIS),$(shell pkg-config --libs hiredis))
# demo_server is linked again when hiredis comes or goes (not under make -n).
DEMO_STAMP   := $(B)/.demo_config
ifeq ($(findstring n,$(firstword -$(MAKEFLAGS))),)
ifneq ($(shell cat $(DEMO_STAMP) 2>/dev/null),HIREDIS=$(HIREDIS))
$(shell mkdir -p $(B) && echo 'HIREDIS=$(HIREDIS)' > $(DEMO_STAMP))
endif
endif
$(DEMO_STAMP):
	@mkdir -p $(@D) && echo 'HIREDIS=$(HIREDIS)' > $@
EXAMPLES     := $(EX_SRCS:examples/%.c=$(B)/examples/%) $(EX_DIRS:%=$(B)/examples/%) \
                $(B)/examples/demo_server $(if $(filter 1,$(OPENSSL)),$(B)/examples/demo_server_tls)
BENCH_SRCS   := $(sort $(wildcard bench/bench_*.c))
BENCHES      := $(BENCH_SRCS:bench/%.c=$(B)/bench/%)
HEADERS      := $(wildcard include/*.h)

SAN          := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
# Libraries a test or fuzz target links besides libwsx: a comment line
# "TEST_LIBS: -lz" in its source (zlib as a test oracle; the library itself
# links none).
test_libs     = $(shell sed -n 's/^.*TEST_LIBS: *//p' $(1))
TEST_FLAGS   := $(WARN) -Iinclude -Isrc -Itests -D_DEFAULT_SOURCE -O1 -g

.PHONY: all check stress examples fuzz fuzz-run fuzz-smoke afl-run coverage format bench install uninstall clean unit-tests demo demo-cluster \
        analyze valgrind amalgamate

all: $(B)/libwsx.a $(B)/libwsx.so $(B)/wsx.pc

$(B)/obj/%.o: src/%.c $(HEADERS) $(wildcard src/*.h) $(CONFIG_STAMP)
	@mkdir -p $(@D)
	$(CC) $(WARN) $(LIB_CPPFLAGS) $(CPPFLAGS) -fPIC -fvisibility=hidden $(CFLAGS) -c $< -o $@

$(B)/libwsx.a: $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/libwsx.so.$(VERSION): $(LIB_OBJS)
	$(CC) -shared -Wl,-soname,libwsx.so.$(SOVERSION) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIB_LIBS)

$(B)/libwsx.so: $(B)/libwsx.so.$(VERSION)
	ln -sf libwsx.so.$(VERSION) $(B)/libwsx.so.$(SOVERSION)
	ln -sf libwsx.so.$(VERSION) $@

# The .pc names the directories of this make invocation; install writes its
# own copy so that `make && make install PREFIX=...` is right.
PC_SED := sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@VERSION@|$(VERSION)|g' \
	    -e 's|@REQUIRES@|$(PC_REQUIRES)|g'

PC_STAMP := $(B)/.pcdirs
PC_LINE  := $(PREFIX) $(LIBDIR) $(INCLUDEDIR) $(PC_REQUIRES)
ifneq ($(shell cat $(PC_STAMP) 2>/dev/null),$(PC_LINE))
$(shell mkdir -p $(B) && echo '$(PC_LINE)' > $(PC_STAMP))
endif

$(B)/wsx.pc: pkgconfig/wsx.pc.in Makefile $(PC_STAMP)
	@mkdir -p $(@D)
	$(PC_SED) $< > $@

# ---- tests ------------------------------------------------------------

$(B)/asan/obj/%.o: src/%.c $(HEADERS) $(wildcard src/*.h) $(CONFIG_STAMP)
	@mkdir -p $(@D)
	$(CC) $(WARN) $(LIB_CPPFLAGS) $(CPPFLAGS) $(SAN) -O1 -g -c $< -o $@

$(B)/asan/libwsx.a: $(ASAN_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/tests/%: tests/%.c $(wildcard tests/*.h) $(B)/libwsx.a
	@mkdir -p $(@D)
	$(CC) $(TEST_FLAGS) $(CPPFLAGS) $< -o $@ $(B)/libwsx.a $(LDFLAGS) $(LIB_LIBS) -lm $(call test_libs,$<)

# The unit tests for valgrind: the exhaustive loops trimmed (WSX_TEST_QUICK),
# no sanitizer.
$(B)/vg/tests/%: tests/%.c $(wildcard tests/*.h) $(B)/libwsx.a
	@mkdir -p $(@D)
	$(CC) $(TEST_FLAGS) -DWSX_TEST_QUICK $(CPPFLAGS) $< -o $@ $(B)/libwsx.a $(LDFLAGS) $(LIB_LIBS) -lm $(call test_libs,$<)

# Under the sanitizers the exhaustive loops are trimmed too (WSX_TEST_QUICK:
# every code path, a sample of the values): the plain and small builds run
# them whole.
$(B)/asan/tests/%: tests/%.c $(wildcard tests/*.h) $(B)/asan/libwsx.a
	@mkdir -p $(@D)
	$(CC) $(TEST_FLAGS) -DWSX_TEST_QUICK $(CPPFLAGS) $(SAN) $< -o $@ $(B)/asan/libwsx.a $(LDFLAGS) $(LIB_LIBS) -lm $(call test_libs,$<)

# The firmware profile (see wsx.h): the same tests against -Os code with
# WSX_SMALL and without the error strings (the tests see the define too).
SMALL_DEFS   := -DWSX_SMALL -DWSX_NO_ERROR_STRINGS
SMALL_STAMP  := $(B)/small/.defs
ifneq ($(shell cat $(SMALL_STAMP) 2>/dev/null),$(SMALL_DEFS))
$(shell mkdir -p $(B)/small && echo '$(SMALL_DEFS)' > $(SMALL_STAMP))
endif
$(B)/small/obj/%.o: src/%.c $(HEADERS) $(wildcard src/*.h) $(SMALL_STAMP)
	@mkdir -p $(@D)
	$(CC) $(WARN) $(LIB_CPPFLAGS) $(CPPFLAGS) -Os $(SMALL_DEFS) -g -c $< -o $@

$(B)/small/libwsx.a: $(SMALL_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/small/tests/%: tests/%.c $(wildcard tests/*.h) $(B)/small/libwsx.a $(SMALL_STAMP)
	@mkdir -p $(@D)
	$(CC) $(TEST_FLAGS) $(CPPFLAGS) $(SMALL_DEFS) $< -o $@ $(B)/small/libwsx.a $(LDFLAGS) $(LIB_LIBS) -lm \
	    $(call test_libs,$<)

$(B)/small/fuzz/%: fuzz/%.c fuzz/replay.c $(wildcard fuzz/*.h) $(B)/small/libwsx.a $(SMALL_STAMP)
	@mkdir -p $(@D)
	$(CC) $(TEST_FLAGS) $(CPPFLAGS) $(SMALL_DEFS) $< $(FUZZ_EXTRA_$*) fuzz/replay.c -o $@ $(B)/small/libwsx.a $(LDFLAGS) $(LIB_LIBS) \
	    $(call test_libs,$<)

# The fuzz targets, linked with a plain main that replays their corpus.
$(B)/asan/fuzz/%: fuzz/%.c fuzz/replay.c $(wildcard fuzz/*.h) $(B)/asan/libwsx.a
	@mkdir -p $(@D)
	$(CC) $(TEST_FLAGS) $(CPPFLAGS) $(SAN) $< $(FUZZ_EXTRA_$*) fuzz/replay.c -o $@ $(B)/asan/libwsx.a $(LDFLAGS) $(LIB_LIBS) \
	    $(call test_libs,$<)

# Extra sources of a fuzz target: fuzz_sse_profiles compares the library's
# SSE parser with the other profile, built from the same sources under other
# names (fuzz/sse_other_profile.c: the small profile next to a default
# library, the default one next to a WSX_SMALL library).
FUZZ_EXTRA_fuzz_sse_profiles := fuzz/sse_other_profile.c
$(B)/fuzz/fuzz_sse_profiles $(B)/asan/fuzz/fuzz_sse_profiles $(B)/small/fuzz/fuzz_sse_profiles: \
    fuzz/sse_other_profile.c $(wildcard src/sse_parse*)

# fuzz_ws_profiles runs both profiles of the frame decoder side by side:
# each is compiled once more into it under its own name
# (fuzz/ws_profile_fast.c, fuzz/ws_profile_small.c), whichever profile the
# library it links was built with.
FUZZ_EXTRA_fuzz_ws_profiles := fuzz/ws_profile_fast.c fuzz/ws_profile_small.c
$(B)/fuzz/fuzz_ws_profiles $(B)/asan/fuzz/fuzz_ws_profiles $(B)/small/fuzz/fuzz_ws_profiles: \
    $(FUZZ_EXTRA_fuzz_ws_profiles) $(wildcard src/ws_decode*)

# The amalgamation (scripts/amalgamate.py): dist/ for users, $(B)/amal/ for
# the tests, where every unit suite runs once more linked against
# $(B)/amal/wsx.c compiled alone instead of the library.
AMAL_GEN     := scripts/amalgamate.py $(LIB_SRCS) $(HEADERS) $(wildcard src/*.h)
AMAL_TESTS   := $(TEST_SRCS:tests/%.c=$(B)/amal/tests/%)

amalgamate: $(AMAL_GEN)
	python3 scripts/amalgamate.py dist

$(B)/amal/wsx.c: $(AMAL_GEN)
	python3 scripts/amalgamate.py $(B)/amal

$(B)/amal/wsx.o: $(B)/amal/wsx.c $(CONFIG_STAMP)
	$(CC) $(WARN) $(CPPFLAGS) $(if $(filter 1,$(OPENSSL)),-DWSX_USE_OPENSSL) $(CFLAGS) -c $< -o $@

$(B)/amal/tests/%: tests/%.c $(wildcard tests/*.h) $(B)/amal/wsx.o
	@mkdir -p $(@D)
	$(CC) $(TEST_FLAGS) $(CPPFLAGS) $< -o $@ $(B)/amal/wsx.o $(LDFLAGS) $(LIB_LIBS) -lm $(call test_libs,$<)

# C++ compile test of every public header.
$(B)/tests/cxx_headers.ok: $(HEADERS) tests/cxx_headers.cpp
	@mkdir -p $(@D)
	$(CXX) -Wall -Wextra -Wpedantic $(if $(filter 1,$(WERROR)),-Werror) -Iinclude -fsyntax-only tests/cxx_headers.cpp
	@touch $@

# The load generator of the interop load tests (tests/interop/load_*.c: many
# WebSocket and SSE clients on one epoll loop; it does not use wsx).
LOAD_SRCS    := $(sort $(wildcard tests/interop/load_*.c))
$(B)/interop/load_client: $(LOAD_SRCS) tests/interop/load_client.h
	@mkdir -p $(@D)
	$(CC) $(WARN) -D_GNU_SOURCE -O2 -g $(LOAD_SRCS) -o $@

# Server memory per connection (bench/bench_ws_memory.c, which does not
# use wsx either): make bench measures, tests/interop/test_ws_memory.sh
# checks bounds with this build of it.
$(B)/interop/ws_memory: bench/bench_ws_memory.c bench/bench_util.h
	@mkdir -p $(@D)
	$(CC) $(WARN) -D_GNU_SOURCE -O2 -g $< -o $@

unit-tests: all $(TESTS) $(ASAN_TESTS) $(SMALL_TESTS) $(AMAL_TESTS) $(FUZZ_REPLAY) $(SMALL_REPLAY) $(B)/tests/cxx_headers.ok examples \
            $(B)/interop/load_client \
            $(B)/interop/ws_memory

check: unit-tests
	@sh tests/run.sh $(B)

# The load and fault suites of tests/interop (test_stress_*.py,
# test_slot_exhaustion.py, test_demo_cluster*) at full size; make check
# runs them smaller.
STRESS_SUITES := test_stress_ test_slot_exhaustion test_demo_cluster
stress: all examples $(B)/interop/load_client
	@WSX_STRESS=1 WSX_TEST_FILTER="$(STRESS_SUITES)" sh tests/run.sh $(B)

# ---- analyzers: cppcheck, gcc -fanalyzer, clang-tidy, scan-build over src/
# (tests/analyze.sh); valgrind memcheck over the unit tests (tests/valgrind.sh)

analyze:
	@sh tests/analyze.sh $(B) $(or $(ANALYZE_JOBS),2)

valgrind: $(VG_TESTS)
	@sh tests/valgrind.sh $(B) $(or $(ANALYZE_JOBS),2)

# ---- formatting (.clang-format; tests/check_format.sh fails on a difference)

format:
	git ls-files '*.c' '*.h' '*.cpp' | xargs clang-format -i

# ---- examples ---------------------------------------------------------

examples: $(EXAMPLES)
ifneq ($(HAVE_LIBURING),1)
	@echo "SKIP build/examples/ws_echo_uring (the io_uring echo server): liburing is not installed"
	@echo "     (apt-get install liburing-dev)"
endif

EX_CC = $(CC) $(WARN) -Iinclude -Iexamples/common -D_GNU_SOURCE $(CPPFLAGS) $(CFLAGS)

$(B)/examples/%: examples/%.c $(EX_DEPS)
	@mkdir -p $(@D)
	$(EX_CC) $< $(EX_COMMON) -o $@ $(B)/libwsx.a $(LDFLAGS) $(LIB_LIBS)

define EX_DIR_RULE
$(B)/examples/$(1): $(wildcard examples/$(1)/*.c examples/$(1)/*.h) $(EX_DEPS)
	@mkdir -p $$(@D)
	$$(EX_CC) $$(EX_STD_$(1)) -Iexamples/$(1) $(sort $(wildcard examples/$(1)/*.c)) $$(EX_COMMON) -o $$@ $$(B)/libwsx.a $$(LDFLAGS) $$(LIB_LIBS) \
	    $$(EX_LIBS_$(1))
endef
$(foreach d,$(EX_DIRS),$(eval $(call EX_DIR_RULE,$(d))))

$(B)/examples/demo_server: $(DEMO_CORE) examples/demo/plain.c $(wildcard examples/demo/*.h) $(EX_DEPS) $(DEMO_STAMP)
	@mkdir -p $(@D)
	$(EX_CC) $(DEMO_FLAGS) $(DEMO_CORE) examples/demo/plain.c $(EX_COMMON) -o $@ $(B)/libwsx.a $(LDFLAGS) $(LIB_LIBS) $(DEMO_LIBS)

$(B)/examples/demo_server_tls: $(DEMO_CORE) examples/demo/tls.c $(wildcard examples/demo/*.h) $(EX_DEPS) $(DEMO_STAMP)
	@mkdir -p $(@D)
	$(EX_CC) $(DEMO_FLAGS) $(DEMO_CORE) examples/demo/tls.c $(EX_COMMON) -o $@ $(B)/libwsx.a $(LDFLAGS) $(LIB_LIBS) $(DEMO_LIBS) -lssl -lcrypto

# ---- demo: chat, token stream and live feed in a browser ----------------

PORT ?= 8080
demo: all examples
	@echo "wsx demo: open http://127.0.0.1:$(PORT)/ in a browser (Ctrl-C stops it)"
	$(B)/examples/demo_server --host 127.0.0.1 --port $(PORT) --state $(B)/demo_feed.state

# The same demo on N servers (default 3) behind nginx (round-robin, no
# sticky sessions), sharing a Redis of its own (examples/demo/cluster.sh).
N ?= 3
demo-cluster:
	@if [ -z "$(HIREDIS)" ]; then echo "make demo-cluster: hiredis not found (pkg-config hiredis): apt-get install libhiredis-dev, then run it again"; exit 1; fi
	@$(MAKE) --no-print-directory all examples
	bash examples/demo/cluster.sh $(B)/examples/demo_server $(PORT) $(N)

# ---- fuzzing (clang + libFuzzer) --------------------------------------

fuzz: $(FUZZ_BINS)

# The library is compiled once for all targets (coverage-guided, ASan and
# UBSan: fuzzer-no-link), each target linked against it.
FUZZ_CFLAGS := -std=c99 -Iinclude -Isrc -D_DEFAULT_SOURCE $(LIB_CPPFLAGS) -g -O1
$(B)/fuzz/obj/%.o: src/%.c $(HEADERS) $(wildcard src/*.h) $(CONFIG_STAMP)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -c $< -o $@

$(B)/fuzz/libwsx.a: $(LIB_SRCS:src/%.c=$(B)/fuzz/obj/%.o)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/fuzz/%: fuzz/%.c $(wildcard fuzz/*.h) $(B)/fuzz/libwsx.a
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined $< $(FUZZ_EXTRA_$*) \
	    $(B)/fuzz/libwsx.a -o $@ $(LIB_LIBS) $(call test_libs,$<)

# Each target runs on its corpus for FUZZ_SECONDS with its dictionary; new
# inputs go to build/fuzz-run/, not into fuzz/corpus (fuzz/run.sh).
FUZZ_SECONDS ?= 60
# targets run at a time, one core each
FUZZ_JOBS    ?= 1
FUZZ_TARGETS ?= $(FUZZ_SRCS:fuzz/%.c=%)
FUZZ_DICT_fuzz_ws_decode      := fuzz/ws.dict
FUZZ_DICT_fuzz_ws_conn        := fuzz/ws.dict
FUZZ_DICT_fuzz_ws_conn_deflate := fuzz/ws.dict
FUZZ_DICT_fuzz_ws_profiles    := fuzz/ws.dict
FUZZ_DICT_fuzz_http_request   := fuzz/http.dict
FUZZ_DICT_fuzz_http_response  := fuzz/http.dict
FUZZ_DICT_fuzz_chunked        := fuzz/http.dict
FUZZ_DICT_fuzz_sse_parse      := fuzz/sse.dict
FUZZ_DICT_fuzz_sse_profiles   := fuzz/sse.dict
FUZZ_DICT_fuzz_sse_roundtrip  := fuzz/sse.dict

fuzz-run: $(FUZZ_TARGETS:%=$(B)/fuzz/%)
	@sh fuzz/run.sh $(B) $(FUZZ_SECONDS) $(FUZZ_JOBS) $(foreach t,$(FUZZ_TARGETS),$(t)$(if $(FUZZ_DICT_$(t)),:$(FUZZ_DICT_$(t))))

fuzz-smoke:
	@$(MAKE) --no-print-directory fuzz-run FUZZ_SECONDS=15

# AFL++ (Debian's afl++) on the same targets, as a second opinion: the
# libFuzzer entry point linked with AFL++'s driver, ASan + UBSan.
AFL_CC      ?= afl-clang-fast
AFL_SECONDS ?= 600
AFL_TARGETS ?= fuzz_sse_parse fuzz_inflate
$(B)/afl/%: fuzz/%.c $(wildcard fuzz/*.h) $(LIB_SRCS) $(HEADERS)
	@mkdir -p $(@D)
	AFL_USE_ASAN=1 AFL_USE_UBSAN=1 AFL_QUIET=1 $(AFL_CC) -std=c99 -Iinclude -Isrc -D_DEFAULT_SOURCE $(LIB_CPPFLAGS) \
	    -g -O1 -fsanitize=fuzzer $< $(FUZZ_EXTRA_$*) $(LIB_SRCS) -o $@ $(LIB_LIBS) $(call test_libs,$<)

afl-run: $(AFL_TARGETS:%=$(B)/afl/%)
	@sh fuzz/afl.sh $(B) $(AFL_SECONDS) $(foreach t,$(AFL_TARGETS),$(t)$(if $(FUZZ_DICT_$(t)),:$(FUZZ_DICT_$(t))))

# ---- coverage (gcc --coverage + gcovr) ---------------------------------

# Minimum percentages of src/ lines and branches run by the unit tests and
# the corpus replays, counted over both profiles: build/cov is the default
# build, build/cov-small the WSX_SMALL one, and a line or branch counts as
# run when either build runs it (a file of one profile is empty in the
# other).
COV_LINES    ?= 97
COV_BRANCHES ?= 92
COV_CC       ?= gcc
COV          := $(B)/cov
COV_SMALL    := $(B)/cov-small
COV_FLAGS    := --coverage -O0 -g
COV_DIRS     := $(COV) $(COV_SMALL)
COV_DEFS_$(COV)       :=
COV_DEFS_$(COV_SMALL) := $(SMALL_DEFS)

# cov_rules(DIR): objects, library, unit tests and corpus replays of one
# coverage build, compiled with COV_DEFS_DIR.
define cov_rules
$(1)/.defs: FORCE
	@mkdir -p $(1)
	@echo '$$(COV_DEFS_$(1))' | cmp -s - $$@ || echo '$$(COV_DEFS_$(1))' > $$@

$(1)/obj/%.o: src/%.c $$(HEADERS) $$(wildcard src/*.h) $$(CONFIG_STAMP) $(1)/.defs
	@mkdir -p $$(@D)
	$$(COV_CC) $$(WARN) $$(LIB_CPPFLAGS) $$(CPPFLAGS) $$(COV_FLAGS) $$(COV_DEFS_$(1)) -c $$< -o $$@

$(1)/libwsx.a: $$(LIB_SRCS:src/%.c=$(1)/obj/%.o)
	@rm -f $$@
	$$(AR) rcs $$@ $$^

$(1)/tests/%: tests/%.c $$(wildcard tests/*.h) $(1)/libwsx.a
	@mkdir -p $$(@D)
	$$(COV_CC) $$(TEST_FLAGS) $$(CPPFLAGS) $$(COV_FLAGS) $$(COV_DEFS_$(1)) $$< -o $$@ $(1)/libwsx.a $$(LDFLAGS) \
	    $$(LIB_LIBS) -lm $$(call test_libs,$$<)

$(1)/fuzz/%: fuzz/%.c fuzz/replay.c $$(wildcard fuzz/*.h) $(1)/libwsx.a
	@mkdir -p $$(@D)
	$$(COV_CC) $$(TEST_FLAGS) $$(CPPFLAGS) $$(COV_FLAGS) $$(COV_DEFS_$(1)) $$< $$(FUZZ_EXTRA_$$*) fuzz/replay.c -o $$@ \
	    $(1)/libwsx.a $$(LDFLAGS) $$(LIB_LIBS) $$(call test_libs,$$<)
$(1)/fuzz/fuzz_sse_profiles: fuzz/sse_other_profile.c $$(wildcard src/sse_parse*)
$(1)/fuzz/fuzz_ws_profiles: $$(FUZZ_EXTRA_fuzz_ws_profiles) $$(wildcard src/ws_decode*)
endef
$(foreach d,$(COV_DIRS),$(eval $(call cov_rules,$(d))))

.PHONY: FORCE
FORCE:

coverage: $(foreach d,$(COV_DIRS),$(TEST_SRCS:tests/%.c=$(d)/tests/%) $(FUZZ_SRCS:fuzz/%.c=$(d)/fuzz/%))
	@sh tests/coverage.sh $(COV_LINES) $(COV_BRANCHES) $(COV_DIRS)

# ---- benchmarks -------------------------------------------------------

BENCH_CFLAGS ?= -O3 -march=native -g
# What the benchmarks need from Debian: wslay, zlib and libdeflate (linked
# by bench_ws_decode, bench_compress, bench_inflate) are required;
# libwebsockets, node's ws and eventsource-parser, gnuplot (the plot) and
# UWS_DIR are peers and extras, SKIPped loudly when absent.  bench/README.md.
BENCH_SETUP := sudo apt-get install -y libwslay-dev zlib1g-dev libdeflate-dev libwebsockets-dev \
	gnuplot-nox nodejs npm && (cd tests/interop && npm install --no-audit --no-fund)
.PHONY: bench-check
bench-check:
	@for h in wslay/wslay.h zlib.h libdeflate.h; do \
	  echo "#include <$$h>" | $(CC) -E -x c - >/dev/null 2>&1 && continue; \
	  echo "make bench needs <$$h> (and, for every peer and the plot, more). Run:"; \
	  echo "   $(BENCH_SETUP)"; exit 1; done
	@command -v gnuplot >/dev/null 2>&1 || echo "NOTE make bench: no gnuplot, no frames.svg; all of it: $(BENCH_SETUP)"
$(BENCHES): | bench-check
bench: bench-check $(BENCHES) examples $(B)/bench/lws_echo $(B)/bench/uws_parser $(B)/bench/uws_echo \
    $(B)/bench/pico_head
	@mkdir -p $(B)/bench
	@rm -f $(B)/bench/results.json
	@if [ ! -x $(B)/bench/uws_echo ]; then \
	  echo "== SKIP uws_echo (uWebSockets' EchoServer in bench_ws_echo): UWS_DIR is not set."; \
	  echo "   To run it: git clone --recursive https://github.com/uNetworking/uWebSockets /some/dir"; \
	  echo "   (outside this repository), then make bench UWS_DIR=/some/dir"; fi
	@for b in $(BENCHES); do echo "== $$b"; $$b $(B)/bench/results.json || exit 1; done
	@if [ -x $(B)/bench/uws_parser ]; then echo "== $(B)/bench/uws_parser"; \
	  $(B)/bench/uws_parser $(B)/bench/results.json || exit 1; \
	else echo "== SKIP uws_parser (wsx vs uWebSockets' frame parser): UWS_DIR is not set."; \
	  echo "   To run it: git clone --recursive https://github.com/uNetworking/uWebSockets /some/dir"; \
	  echo "   (outside this repository), then make bench UWS_DIR=/some/dir"; fi
	@if [ -x $(B)/bench/pico_head ]; then echo "== $(B)/bench/pico_head"; \
	  $(B)/bench/pico_head $(B)/bench/results.json || exit 1; \
	else echo "== SKIP pico_head (wsx vs picohttpparser, HTTP heads): PICO_DIR is not set."; \
	  echo "   To run it: git clone https://github.com/h2o/picohttpparser /some/dir"; \
	  echo "   (outside this repository), then make bench PICO_DIR=/some/dir"; fi
	@for s in bench/*.sh; do [ -f "$$s" ] || continue; echo "== $$s"; bash $$s $(B) || exit 1; done

# wsx side by side with uWebSockets' frame parser (bench/uws_parser.cpp,
# C++17): only with UWS_DIR, a copy of uWebSockets' source with uSockets
# inside it, never part of this repository.  The library is compiled as C
# with the bench flags, the bench itself with g++ (CXX).
CXX ?= g++
UWS_DIR ?=
BENCH_OBJS := $(LIB_SRCS:src/%.c=$(B)/bench/obj/%.o)
$(B)/bench/obj/%.o: src/%.c $(HEADERS) $(wildcard src/*.h)
	@mkdir -p $(@D)
	$(CC) $(WARN) $(LIB_CPPFLAGS) $(BENCH_CFLAGS) -c $< -o $@
ifneq ($(UWS_DIR),)
$(B)/bench/uws_parser: bench/uws_parser.cpp bench/bench_util.h $(BENCH_OBJS) $(HEADERS) \
    $(UWS_DIR)/src/WebSocketProtocol.h
	@mkdir -p $(@D)
	$(CXX) -std=c++17 $(BENCH_CFLAGS) -Iinclude -Ibench -I$(UWS_DIR)/src -I$(UWS_DIR)/uSockets/src \
	    $< $(BENCH_OBJS) -o $@ $(LIB_LIBS)

# uWebSockets' EchoServer (bench/uws_echo.cpp: its settings and handlers,
# compression off, the port from the command line) for bench_ws_echo,
# built the way uWS builds its examples: uSockets' C sources without TLS,
# -O3 -march=native with link-time optimization, C++2b.
UWS_FLAGS   := -O3 -march=native -flto=auto -DLIBUS_NO_SSL -DUWS_NO_ZLIB
USOCK_SRCS  := $(abspath $(wildcard $(UWS_DIR)/uSockets/src/*.c $(UWS_DIR)/uSockets/src/eventing/*.c \
                 $(UWS_DIR)/uSockets/src/crypto/*.c))
$(B)/bench/uws_echo: bench/uws_echo.cpp $(USOCK_SRCS) $(wildcard $(UWS_DIR)/src/*.h)
	@mkdir -p $(B)/bench/usockets
	rm -f $(B)/bench/usockets/*.o
	cd $(B)/bench/usockets && $(CC) -std=c11 $(UWS_FLAGS) -I$(abspath $(UWS_DIR))/uSockets/src -c $(USOCK_SRCS)
	$(CXX) -std=c++2b $(UWS_FLAGS) -I$(UWS_DIR)/src -I$(UWS_DIR)/uSockets/src $< $(B)/bench/usockets/*.o -o $@
else
.PHONY: $(B)/bench/uws_parser $(B)/bench/uws_echo
$(B)/bench/uws_parser $(B)/bench/uws_echo:
	@rm -f $@
endif

# wsx side by side with picohttpparser (bench/pico_head.c): only with
# PICO_DIR, a copy of picohttpparser.c and .h, never part of this repository.
PICO_DIR ?=
ifneq ($(PICO_DIR),)
$(B)/bench/pico_head: bench/pico_head.c bench/bench_util.h $(LIB_SRCS) $(HEADERS) \
    $(PICO_DIR)/picohttpparser.c
	@mkdir -p $(@D)
	$(CC) -std=gnu99 -Iinclude -Isrc -I$(PICO_DIR) -D_DEFAULT_SOURCE $(LIB_CPPFLAGS) $(BENCH_CFLAGS) \
	    $< $(PICO_DIR)/picohttpparser.c $(LIB_SRCS) -o $@ $(LIB_LIBS)
else
.PHONY: $(B)/bench/pico_head
$(B)/bench/pico_head:
	@rm -f $@
endif

# bench_ws_echo #includes its load client; its libwebsockets peer is not
# built without libwebsockets-dev (bench_ws_echo then prints SKIP for it).
$(B)/bench/bench_ws_echo: bench/ws_load.c
$(B)/bench/lws_echo: bench/lws_echo.c
	@mkdir -p $(@D)
	@if pkg-config --exists libwebsockets; then \
	  echo "$(CC) $(WARN) $(BENCH_CFLAGS) $< -o $@ `pkg-config --cflags --libs libwebsockets`"; \
	  $(CC) $(WARN) $(BENCH_CFLAGS) $< -o $@ `pkg-config --cflags --libs libwebsockets`; \
	else echo "SKIP lws_echo: libwebsockets-dev is not installed"; fi

$(B)/bench/%: bench/%.c $(LIB_SRCS) $(HEADERS)
	@mkdir -p $(@D)
	$(CC) -std=c99 -Iinclude -Isrc -D_DEFAULT_SOURCE $(LIB_CPPFLAGS) $(BENCH_CFLAGS) $< $(LIB_SRCS) -o $@ $(LIB_LIBS) \
	    $(shell sed -n 's/^.*BENCH_LIBS: *//p' $<)

# ---- firmware-style sizes (only this target needs arm-none-eabi-gcc) ---

.PHONY: size
size:
	@bash examples/firmware/size.sh $(B)/size

# ---- install ----------------------------------------------------------

install: all
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PKGCONFIGDIR)
	install -m 644 $(HEADERS) $(DESTDIR)$(INCLUDEDIR)/
	install -m 644 $(B)/libwsx.a $(DESTDIR)$(LIBDIR)/
	install -m 755 $(B)/libwsx.so.$(VERSION) $(DESTDIR)$(LIBDIR)/
	ln -sf libwsx.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libwsx.so.$(SOVERSION)
	ln -sf libwsx.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libwsx.so
	$(PC_SED) pkgconfig/wsx.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/wsx.pc

uninstall:
	rm -f $(addprefix $(DESTDIR)$(INCLUDEDIR)/,$(notdir $(HEADERS)))
	rm -f $(DESTDIR)$(LIBDIR)/libwsx.a $(DESTDIR)$(LIBDIR)/libwsx.so \
	      $(DESTDIR)$(LIBDIR)/libwsx.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libwsx.so.$(VERSION) \
	      $(DESTDIR)$(PKGCONFIGDIR)/wsx.pc

clean:
	rm -rf $(B)
