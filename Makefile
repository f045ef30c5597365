# certkeep - plain Makefile. `make` builds ./certkeep; `make check` builds
# with ASan+UBSan into build/san and runs every test; `make demo` runs the
# main job against a local Pebble; `make bench` measures; `make fuzz` builds
# the fuzzers (clang/libFuzzer), `make fuzz-run FUZZ_TIME=60` runs them;
# `make tsan` builds with ThreadSanitizer into build/tsan and runs the unit
# tests and the concurrent issuance test.

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
DESTDIR	?=
PKG_CONFIG ?= pkg-config
CC	?= cc
BUILD	?= build
SANITIZE ?=
TSAN	?=
JOBS	?= 2

PKGS	= yaml-0.1 libssl libcrypto libcurl libcjson ldns

CFLAGS	?= -O2 -g
WARN	= -std=c11 -Wall -Wextra -Werror -Wmissing-prototypes \
	  -Wstrict-prototypes -Wshadow -Wformat=2 -Wpointer-arith -Wvla \
	  -Wimplicit-fallthrough
ifneq ($(SANITIZE),)
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=undefined
endif
ifneq ($(TSAN),)
SANFLAGS = -fsanitize=thread -fno-omit-frame-pointer
endif
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS = $(WARN) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) -D_GNU_SOURCE -Isrc $(PKG_CFLAGS) \
	     -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)
LIBS	= $(PKG_LIBS) -lpthread

LIB_SRCS  = $(filter-out src/cli/main.c,$(wildcard src/*/*.c))
LIB_OBJS  = $(LIB_SRCS:%.c=$(BUILD)/%.o)
LIB	  = $(BUILD)/libcertkeep.a
TEST_SRCS = $(wildcard tests/unit/test_*.c)
TEST_BINS = $(TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

ifeq ($(BUILD),build)
PROG	= certkeep
else
PROG	= $(BUILD)/certkeep
endif

.PHONY: all check tests tsan demo bench fuzz fuzz-run install uninstall clean deps deb

all: $(PROG)

$(PROG): $(BUILD)/src/cli/main.o $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(BUILD)/src/cli/main.o $(LIB) $(LIBS)

$(LIB): $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $(LIB_OBJS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB) tests/unit/tap.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit $(ALL_LDFLAGS) -o $@ $< $(LIB) $(LIBS)

tests: $(TEST_BINS)

# Installs what is missing (the script does nothing when all is there).
deps:
	@sh contrib/install-deps.sh

# Tests run the sanitised build; the optimised ./certkeep is built too,
# for the valgrind runs (valgrind cannot run an ASan binary).
check: deps
	$(MAKE) all
	$(MAKE) BUILD=build/san SANITIZE=1 all tests
	CERTKEEP=$(CURDIR)/build/san/certkeep TESTBIN=$(CURDIR)/build/san/tests \
	    CERTKEEP_PLAIN=$(CURDIR)/$(PROG) JOBS=$(JOBS) sh tests/run.sh $(T)
	$(MAKE) tsan

# Threads under ThreadSanitizer: the unit tests and the concurrent
# issuance test, the etcd fleet, the http-01 responders (serve-http01 and
# its etcd token watch thread), a fleet read on several threads (a report
# makes the process fail at once).
TSAN_TESTS = test_ acme_concurrent etcd_fleet http01_serve state_summary_fleet
tsan: deps
	$(MAKE) all
	$(MAKE) BUILD=build/tsan TSAN=1 all tests
	TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
	    CERTKEEP=$(CURDIR)/build/tsan/certkeep \
	    TESTBIN=$(CURDIR)/build/tsan/tests CERTKEEP_PLAIN=$(CURDIR)/$(PROG) \
	    TEST_OUT=tests/out-tsan JOBS=$(JOBS) sh tests/run.sh $(TSAN_TESTS)

demo: deps
	$(MAKE) all
	sh contrib/demo.sh

bench: deps
	$(MAKE) all
	sh tests/bench/run.sh

fuzz:
	$(MAKE) -f tests/fuzz/Makefile

fuzz-run:
	$(MAKE) -f tests/fuzz/Makefile run

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man5
	install -m 0755 certkeep $(DESTDIR)$(BINDIR)/certkeep
	install -m 0644 man/certkeep.1 $(DESTDIR)$(MANDIR)/man1/certkeep.1
	install -m 0644 man/certkeep.yaml.5 $(DESTDIR)$(MANDIR)/man5/certkeep.yaml.5
	install -d $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(BASHCOMPDIR) \
	    $(DESTDIR)$(TMPFILESDIR)
	sed 's|/usr/bin/certkeep|$(BINDIR)/certkeep|' \
	    contrib/systemd/certkeep.service >$(DESTDIR)$(SYSTEMDUNITDIR)/certkeep.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/certkeep.service
	install -m 0644 contrib/systemd/certkeep.timer $(DESTDIR)$(SYSTEMDUNITDIR)/
	sed 's|/usr/bin/certkeep|$(BINDIR)/certkeep|' \
	    contrib/systemd/certkeep-serve-http01.service \
	    >$(DESTDIR)$(SYSTEMDUNITDIR)/certkeep-serve-http01.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/certkeep-serve-http01.service
	install -m 0644 contrib/systemd/certkeep.tmpfiles \
	    $(DESTDIR)$(TMPFILESDIR)/certkeep.conf
	install -m 0644 contrib/bash-completion/certkeep $(DESTDIR)$(BASHCOMPDIR)/certkeep

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/certkeep $(DESTDIR)$(MANDIR)/man1/certkeep.1 \
	    $(DESTDIR)$(MANDIR)/man5/certkeep.yaml.5 \
	    $(DESTDIR)$(SYSTEMDUNITDIR)/certkeep.service \
	    $(DESTDIR)$(SYSTEMDUNITDIR)/certkeep.timer \
	    $(DESTDIR)$(SYSTEMDUNITDIR)/certkeep-serve-http01.service \
	    $(DESTDIR)$(TMPFILESDIR)/certkeep.conf \
	    $(DESTDIR)$(BASHCOMPDIR)/certkeep

# ../certkeep_VERSION_ARCH.deb (debhelper; unsigned).
deb:
	dpkg-buildpackage -b -us -uc

clean:
	rm -rf build certkeep

-include $(LIB_OBJS:.o=.d) $(BUILD)/src/cli/main.d
