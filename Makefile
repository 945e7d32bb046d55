# secshim — build, install, test.
#
#   make              build/secshim (hardened, -Werror)
#   make asan         build/asan/secshim with ASan+UBSan
#   make test         every test suite; last line "N passed, N failed, N skipped"
#   make demo         install what is missing, start a private dockerd, show the policy at work
#   make fuzz         libFuzzer campaigns (FUZZ_SECONDS per target)
#   make install      PREFIX=/usr DESTDIR=... : binary, Landlock helper, policies in /etc/secshim
#
# Sources are found by wildcard: a new src/**/*.c or tests/unit/test_*.c needs
# no Makefile change.

CC ?= cc
PREFIX ?= /usr
BINDIR ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/lib/secshim
DATADIR ?= $(PREFIX)/share
SYSCONFDIR ?= /etc
MANDIR ?= $(DATADIR)/man
BUILD ?= build
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.1.0)

WARN := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes \
        -Wmissing-prototypes -Wpointer-arith -Wno-missing-field-initializers \
        -Wno-unused-parameter
ifeq ($(SANITIZE),1)
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
LDOPT := -fsanitize=address,undefined
else
OPT := -O2 -g -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=3 -fstack-protector-strong \
       -fstack-clash-protection -fcf-protection
LDOPT :=
endif
CPPFLAGS += -Iinclude -D_GNU_SOURCE -DSECSHIM_VERSION=\"$(VERSION)\" \
            -DSECSHIM_SYSCONFDIR=\"$(SYSCONFDIR)\" -DSECSHIM_LIBEXECDIR=\"$(LIBEXECDIR)\"
CFLAGS ?=
CFLAGS += -std=gnu11 -fPIE $(WARN) $(OPT)
LDFLAGS += -pie -Wl,-z,relro,-z,now -Wl,--as-needed $(LDOPT)
# secshim itself is a static PIE by default (LINK_LIBS=static-pie): the six
# libraries and glibc are linked in, so an exec maps no shared object and
# ld.so has nothing to load or relocate.  The dynamic loader was ~7% of the
# instructions of a create before execve, 217 k of 3.05 M, and most of what
# passthrough cost over a bare execv (docs/performance.md).  secshim uses
# no NSS: glibc's link warnings about getpwnam & co. come from libaudit and
# libcap-ng functions it never calls, so the secshim link alone runs with
# --no-warnings.  The price is a rebuild when one of the libraries or
# glibc gets a security fix (Built-Using in hack/build-deb.sh).  Its 2 600
# relative relocations are packed (DT_RELR, binutils 2.38 and glibc 2.36):
# the start-up applies them in 30 k instructions instead of 37 k.
#   LINK_LIBS=static   the six libraries static, glibc shared (unit tests
#                      are always linked this way)
#   LINK_LIBS=dynamic  everything shared, as the sanitizer build always is
DYNAMIC_LIBS := -lyajl -lseccomp -laudit -lcap-ng -lapparmor -lnettle
STATIC_LIBS := -Wl,-Bstatic -l:libyajl_s.a -lseccomp -laudit -lcap-ng -lapparmor -lnettle -Wl,-Bdynamic
STATIC_PIE_LIBS := -Wl,--start-group -l:libyajl_s.a -lseccomp -laudit -lcap-ng -lapparmor -lnettle -Wl,--end-group
ifeq ($(SANITIZE),1)
LINK_LIBS ?= dynamic
else
LINK_LIBS ?= static-pie
endif
ifeq ($(LINK_LIBS),dynamic)
LIBS := $(DYNAMIC_LIBS)
else
LIBS := $(STATIC_LIBS)
endif
ifeq ($(LINK_LIBS),static-pie)
SECSHIM_LINK := -static-pie $(filter-out -pie,$(LDFLAGS)) -Wl,-z,pack-relative-relocs -Wl,--no-warnings $(STATIC_PIE_LIBS)
else
SECSHIM_LINK := $(LDFLAGS) $(LIBS)
endif

LIB_SRCS := $(sort $(shell find src -name '*.c' ! -path src/main.c))
LIB_OBJS := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(LIB_SRCS))
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
# every header an object or a unit test may include, src/'s internal ones
# too (tests include src/json/node.h): a changed header rebuilds them all
HEADERS := $(shell find include src -name '*.h') $(wildcard tests/lib/*.h)

.PHONY: all deps asan test check demo fuzz install uninstall clean unit-tests bench deb check-format
all: $(BUILD)/secshim $(BUILD)/secshim-landlock $(UNIT_BINS)

$(BUILD)/obj/%.o: src/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/libsecshim.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/secshim: $(BUILD)/obj/main.o $(BUILD)/libsecshim.a
	$(CC) $(CFLAGS) -o $@ $^ $(SECSHIM_LINK)

# The Landlock helper runs inside containers (any image): static and
# freestanding, no libc, so none of the hardening flags that need one.
HELPER_CFLAGS := -std=gnu11 $(WARN) -O2 -g -ffreestanding -fno-builtin -fno-tree-loop-distribute-patterns \
                 -fno-stack-protector -fno-pie -fcf-protection -fno-asynchronous-unwind-tables
$(BUILD)/secshim-landlock: helper/secshim-landlock.c
	@mkdir -p $(dir $@)
	$(CC) $(HELPER_CFLAGS) -nostdlib -static -no-pie -Wl,-z,noexecstack -Wl,--build-id=none -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libsecshim.a $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/lib $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libsecshim.a $(LIBS)

unit-tests: $(UNIT_BINS)

asan:
	$(MAKE) BUILD=build/asan SANITIZE=1 all

# Installs what is missing first (quick when everything is there), so that
# `make test` works on a fresh Debian 12 machine; then builds and runs.
deps:
	hack/install-deps.sh

test check: deps
	$(MAKE) all
	tests/run-all.sh

demo:
	hack/demo.sh

fuzz:
	hack/fuzz.sh $(FUZZ_SECONDS)

bench: all
	hack/bench.sh

deb:
	hack/build-deb.sh

# The man page, from markdown (go-md2man, in hack/install-deps.sh).
$(BUILD)/secshim.1: docs/secshim.1.md
	@mkdir -p $(dir $@)
	go-md2man -in $< -out $@

install: $(BUILD)/secshim $(BUILD)/secshim-landlock $(BUILD)/secshim.1
	install -D -m 0755 $(BUILD)/secshim $(DESTDIR)$(BINDIR)/secshim
	install -D -m 0755 $(BUILD)/secshim-landlock $(DESTDIR)$(LIBEXECDIR)/secshim-landlock
	install -D -m 0755 hack/secshim-admin $(DESTDIR)$(LIBEXECDIR)/secshim-admin
	install -D -m 0644 $(BUILD)/secshim.1 $(DESTDIR)$(MANDIR)/man1/secshim.1
	install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/secshim
	cp -R policy/. $(DESTDIR)$(SYSCONFDIR)/secshim/
	chmod -R go-w $(DESTDIR)$(SYSCONFDIR)/secshim

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/secshim $(DESTDIR)$(LIBEXECDIR)/secshim-admin $(DESTDIR)$(LIBEXECDIR)/secshim-landlock $(DESTDIR)$(MANDIR)/man1/secshim.1

check-format:
	clang-format --dry-run --Werror $$(find src include helper tests/unit tests/fuzz -name '*.[ch]')

clean:
	rm -rf build
