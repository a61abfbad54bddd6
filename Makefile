# aggd: feed aggregator daemon and its client.
#
#   make            build build/aggd and build/aggctl
#   make check      build and run every test (unit, integration, parser corpus)
#   make asan       the whole suite under ASan+UBSan (in build/asan)
#   make run        aggd in the foreground, state and socket under ./run
#   make bench      benchmarks (parser throughput, polling at scale, hooks)
#   make CC=clang fuzz   libFuzzer targets
#   make install    honours PREFIX, DESTDIR and the *DIR variables below;
#                   make uninstall removes exactly what it installed
#
# Missing Debian -dev packages are installed with apt-get when run as root;
# otherwise the build stops and names the command to run.

VERSION	= 0.1.0
PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
DATADIR	?= $(PREFIX)/share
MANDIR	?= $(DATADIR)/man
DOCDIR	?= $(DATADIR)/doc/aggd
SYSCONFDIR ?= /etc
# Where systemd looks for units and sysusers.d files (its pkg-config file
# says, when there is one); only the install rules read these.
SYSTEMDDIR ?= $(or $(shell pkg-config --variable=systemdsystemunitdir \
	systemd 2>/dev/null),/lib/systemd/system)
SYSTEMDUSERDIR ?= $(or $(shell pkg-config --variable=systemduserunitdir \
	systemd 2>/dev/null),/usr/lib/systemd/user)
SYSUSERSDIR ?= $(or $(shell pkg-config --variable=sysusersdir \
	systemd 2>/dev/null),/usr/lib/sysusers.d)
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
ZSHCOMPDIR ?= $(DATADIR)/zsh/vendor-completions
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
# aggd stays in the foreground, logging to stderr; ^C stops it.
run: all
	@mkdir -p run
	STATE_DIRECTORY=$(CURDIR)/run RUNTIME_DIRECTORY=$(CURDIR)/run \
	    AGGD_CONFIG=$(CURDIR)/run/aggd.conf $(BUILD)/aggd

# Every installed file as SOURCE:DESTINATION:MODE, where a mode ending in
# "s" means @BINDIR@ and @SYSCONFDIR@ are filled in.  install and
# uninstall both walk this one list, so uninstall removes exactly what
# install put.  Man pages, completions and example hooks are installed as
# they are, whichever of them the tree has.  No file goes into
# SYSCONFDIR: a missing aggd.conf means the built-in defaults, which
# share/doc/aggd/aggd.conf spells out, and an admin's own is never
# overwritten or removed.
INSTALL_LIST = \
	$(BUILD)/aggd:$(BINDIR)/aggd:755 \
	$(BUILD)/aggctl:$(BINDIR)/aggctl:755 \
	$(foreach s,1 5 8,$(foreach m,$(wildcard man/*.$(s)), \
	    $(m):$(MANDIR)/man$(s)/$(notdir $(m)):644)) \
	$(if $(wildcard completion/aggctl.bash), \
	    completion/aggctl.bash:$(BASHCOMPDIR)/aggctl:644) \
	$(if $(wildcard completion/_aggctl), \
	    completion/_aggctl:$(ZSHCOMPDIR)/_aggctl:644) \
	systemd/aggd.service:$(SYSTEMDDIR)/aggd.service:644s \
	systemd/aggd.socket:$(SYSTEMDDIR)/aggd.socket:644s \
	systemd/user/aggd.service:$(SYSTEMDUSERDIR)/aggd.service:644s \
	systemd/user/aggd.socket:$(SYSTEMDUSERDIR)/aggd.socket:644s \
	systemd/aggd.sysusers:$(SYSUSERSDIR)/aggd.conf:644 \
	config/aggd.conf:$(DOCDIR)/aggd.conf:644 \
	README.md:$(DOCDIR)/README.md:644 \
	$(foreach h,$(filter-out %~,$(wildcard examples/hooks/*)), \
	    $(h):$(DOCDIR)/examples/hooks/$(notdir $(h)):$(if \
	    $(shell test -x $(h) && echo x),755,644))

install: $(PROGS)
	@set -e; for e in $(INSTALL_LIST); do \
	    src=$${e%%:*}; rest=$${e#*:}; dst=$(DESTDIR)$${rest%:*}; \
	    mode=$${rest##*:}; \
	    install -d "$$(dirname "$$dst")"; \
	    case $$mode in \
	    *s) sed -e 's,@BINDIR@,$(BINDIR),g' \
		    -e 's,@SYSCONFDIR@,$(SYSCONFDIR),g' "$$src" >"$$dst.tmp"; \
		chmod $${mode%s} "$$dst.tmp"; mv -f "$$dst.tmp" "$$dst" ;; \
	    *)	install -m $$mode "$$src" "$$dst" ;; \
	    esac; \
	    echo "installed $$dst"; \
	done

uninstall:
	@for e in $(INSTALL_LIST); do \
	    rest=$${e#*:}; dst=$(DESTDIR)$${rest%:*}; \
	    if [ -e "$$dst" ]; then rm -f "$$dst" && echo "removed $$dst"; fi; \
	done
	@rmdir $(DESTDIR)$(DOCDIR)/examples/hooks $(DESTDIR)$(DOCDIR)/examples \
	    $(DESTDIR)$(DOCDIR) 2>/dev/null || true

clean:
	rm -rf build

# Keep the objects of chained rules (test and fuzz objects).
.SECONDARY:

.PHONY: all check unit integration tests asan fuzz fuzz-bins bench run install uninstall clean

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
