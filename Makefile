# aggd: feed aggregator daemon and its client.
#
#   make            build build/aggd and build/aggctl
#   make check      build and run every test (unit, integration, parser corpus)
#   make asan       the whole suite under ASan+UBSan (in build/asan)
#   make run        aggd -f with built-in defaults, state under ./run
#   make bench      benchmarks (parser throughput, polling at scale, hooks)
#   make CC=clang fuzz   libFuzzer targets
#   make install    honours PREFIX and DESTDIR
#
# Missing Debian -dev packages are installed with apt-get when run as root;
# otherwise the build stops and names the command to run.

VERSION	= 0.1.0
PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
SYSTEMDDIR ?= /lib/systemd/system
BUILD	?= build

.DEFAULT_GOAL := all

CFLAGS	?= -O2 -g
WARN	= -std=c11 -Wall -Wextra -Werror -Wstrict-prototypes \
	  -Wmissing-prototypes -Wshadow -Wpointer-arith -Wwrite-strings \
	  -Wvla -fno-common
ifdef SANITIZE
SANFLAGS = -fsanitize=$(SANITIZE) -fno-sanitize-recover=$(SANITIZE) \
	   -fno-omit-frame-pointer
endif

DEPS	= libcurl=libcurl4-openssl-dev expat=libexpat1-dev \
	  libevent=libevent-dev sqlite3=libsqlite3-dev jansson=libjansson-dev \
	  libzstd=libzstd-dev
TESTDEPS = cmocka=libcmocka-dev cmd:jq=jq cmd:sqlite3=sqlite3 cmd:curl=curl \
	   cmd:pkill=procps cmd:openssl=openssl cmd:groff=groff-base
# As root, ip(8) too: test 2026 puts a public address in a network
# namespace of its own (and says it is skipped without one).
TESTDEPS += $(if $(filter 0,$(shell id -u)),cmd:ip=iproute2)

# Dependencies are checked (and installed) before anything is compiled;
# config.mk caches pkg-config's answer.
ifeq ($(filter clean,$(MAKECMDGOALS)),)
-include $(BUILD)/config.mk
endif
$(BUILD)/config.mk: Makefile mk/deps.sh
	@mkdir -p $(BUILD)
	@sh mk/deps.sh $(DEPS)
	@{ echo "PKG_CFLAGS = $$(pkg-config --cflags libcurl expat libevent sqlite3 jansson libzstd)"; \
	   echo "PKG_LIBS = $$(pkg-config --libs libcurl expat libevent sqlite3 jansson libzstd)"; \
	 } > $@.tmp && mv $@.tmp $@

ALL_CFLAGS = $(WARN) $(CFLAGS) $(SANFLAGS) -D_GNU_SOURCE \
	     -DAGG_VERSION='"$(VERSION)"' -Ilib -Idaemon $(PKG_CFLAGS) -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)
LIBS	= $(PKG_LIBS) -lm -pthread

# --- lib/: shared by both programs, the tests and the fuzzers -------------
LIB_SRC	= $(wildcard lib/*.c)
LIB_OBJ	= $(LIB_SRC:%.c=$(BUILD)/%.o)
LIBAGG	= $(BUILD)/libagg.a

# --- daemon/ and cli/: main.c only parses options and runs the loop -------
D_SRC	= $(filter-out daemon/main.c,$(wildcard daemon/*.c))
D_OBJ	= $(D_SRC:%.c=$(BUILD)/%.o)
LIBAGGD	= $(BUILD)/libaggd.a
C_SRC	= $(filter-out cli/main.c,$(wildcard cli/*.c))
C_OBJ	= $(C_SRC:%.c=$(BUILD)/%.o)
LIBAGGCTL = $(BUILD)/libaggctl.a

# --- tests -------------------------------------------------------------
UNIT_SRC = $(wildcard tests/unit/test-*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%) \
	$(BUILD)/tests/test-feedparse-sse2
FUZZ_SRC = $(wildcard tests/fuzz/fuzz-*.c)
FUZZ_REPLAY = $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/tests/%-replay)
FUZZ_BIN = $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
HTTPD	= $(BUILD)/tests/httpd
BENCH_SRC = $(wildcard bench/*.c)
BENCH_BIN = $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

PROGS	= $(BUILD)/aggd $(BUILD)/aggctl

all: $(PROGS) $(if $(wildcard tests/httpd/httpd.c),$(HTTPD)) $(FUZZ_REPLAY)

$(BUILD)/%.o: %.c $(BUILD)/config.mk
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIBAGG): $(LIB_OBJ)
	rm -f $@ && $(AR) rcs $@ $^
$(LIBAGGD): $(D_OBJ)
	rm -f $@ && $(AR) rcs $@ $^
$(LIBAGGCTL): $(C_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/aggd: $(BUILD)/daemon/main.o $(LIBAGGD) $(LIBAGG)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)
$(BUILD)/aggctl: $(BUILD)/cli/main.o $(LIBAGGCTL) $(LIBAGG)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

# The object sits beside the binary, not in a tests/httpd/ directory that
# would take the binary's name.
$(BUILD)/tests/httpd.o: tests/httpd/httpd.c $(BUILD)/config.mk
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<
$(HTTPD): $(BUILD)/tests/httpd.o $(LIBAGG)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) -lz

# Fuzz targets also build with gcc, with a replay main over their corpus,
# so that they keep compiling between fuzzing runs.
$(BUILD)/tests/%-replay: $(BUILD)/tests/fuzz/%.o $(BUILD)/tests/fuzz/replay.o $(LIBAGGD) $(LIBAGG)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

# --- make check ----------------------------------------------------------
$(BUILD)/testdeps.stamp: mk/deps.sh
	@mkdir -p $(BUILD)
	@sh mk/deps.sh $(TESTDEPS)
	@touch $@

$(BUILD)/tests/test-%: $(BUILD)/tests/unit/test-%.o $(LIBAGGD) $(LIBAGGCTL) $(LIBAGG) $(BUILD)/testdeps.stamp
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LIBS) -lcmocka

# The parser's tests again over the scan's SSE2 loop, which CPUs without
# AVX2 run.
$(BUILD)/tests/feedparse-sse2.o: lib/feedparse.c $(BUILD)/config.mk
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DFEEDPARSE_NO_AVX2 -c -o $@ $<
$(BUILD)/tests/test-feedparse-sse2: $(BUILD)/tests/unit/test-feedparse.o $(BUILD)/tests/feedparse-sse2.o $(LIBAGG) $(BUILD)/testdeps.stamp
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LIBS) -lcmocka

$(BUILD)/tests/unit/%.o: tests/unit/%.c $(BUILD)/config.mk $(BUILD)/testdeps.stamp
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# A raw control-socket client for the integration tests (half requests,
# garbage, other protocol versions).
SOCKPEER = $(BUILD)/tests/sockpeer
$(BUILD)/tests/sockpeer.o: tests/tools/sockpeer.c $(BUILD)/config.mk
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<
$(SOCKPEER): $(BUILD)/tests/sockpeer.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^

tests: all $(UNIT_BIN) $(SOCKPEER) $(BUILD)/bench/gen-db

check: tests
	@BUILD=$(BUILD) sh tests/run.sh

unit: tests
	@BUILD=$(BUILD) sh tests/run.sh unit

integration: tests
	@BUILD=$(BUILD) sh tests/run.sh integration

asan:
	$(MAKE) BUILD=build/asan SANITIZE=address,undefined CFLAGS="-O1 -g" check

# --- fuzzing (clang, libFuzzer) --------------------------------------------
FUZZ_CFLAGS = -fsanitize=fuzzer-no-link,address,undefined
fuzz:
	$(MAKE) BUILD=build/fuzz-obj CC=clang CFLAGS="-O1 -g $(FUZZ_CFLAGS)" fuzz-bins

fuzz-bins: $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
	@sh tests/fuzz/run.sh $(BUILD)/fuzz

$(BUILD)/fuzz/%: $(BUILD)/tests/fuzz/%.o $(LIBAGGD) $(LIBAGG)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $^ $(LIBS)

# --- benchmarks ------------------------------------------------------------
$(BUILD)/bench/%: $(BUILD)/bench/%.o $(LIBAGG)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)
# The database generator makes its schema with the daemon's store; the
# heavy-query tests use it too.
$(BUILD)/bench/gen-db: $(BUILD)/bench/gen-db.o $(LIBAGGD) $(LIBAGG)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

bench: all $(BENCH_BIN)
	@BUILD=$(BUILD) sh bench/run.sh

# --- running and installing ------------------------------------------------
run: all
	@mkdir -p run
	STATE_DIRECTORY=$(CURDIR)/run RUNTIME_DIRECTORY=$(CURDIR)/run \
	    AGGD_CONFIG=$(CURDIR)/run/aggd.conf $(BUILD)/aggd -f

install: $(PROGS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SYSCONFDIR)/aggd \
	    $(DESTDIR)$(SYSTEMDDIR)
	install -m 755 $(PROGS) $(DESTDIR)$(BINDIR)/
	install -m 644 config/aggd.conf $(DESTDIR)$(SYSCONFDIR)/aggd/aggd.conf.example
	sed 's,@BINDIR@,$(BINDIR),g' systemd/aggd.service > $(DESTDIR)$(SYSTEMDDIR)/aggd.service
	chmod 644 $(DESTDIR)$(SYSTEMDDIR)/aggd.service

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/aggd $(DESTDIR)$(BINDIR)/aggctl \
	    $(DESTDIR)$(SYSTEMDDIR)/aggd.service

clean:
	rm -rf build

# Keep the objects of chained rules (test and fuzz objects).
.SECONDARY:

.PHONY: all check unit integration tests asan fuzz fuzz-bins bench run install uninstall clean

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
