# mkcontainer - build, root filesystem, tests, demo, install.
#
#   make                helpers into bin/
#   sudo make rootfs    rootfs/ from Debian's busybox-static + the demo programs
#   sudo make test      everything, then the bats suites
#   sudo make run       everything, then a shell in container host-1 at 10.0.0.2
#   make install PREFIX=/usr/local DESTDIR=

CC      ?= cc
CFLAGS  ?= -O2
# override: `make CFLAGS=-g` adds to these instead of replacing them.
override CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow \
           -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes
# Static helpers start faster (no dynamic loader) and run in any rootfs.
LDFLAGS ?= -static

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR   = $(PREFIX)/bin
LIBEXEC  = $(PREFIX)/libexec/mkcontainer
DATADIR  = $(PREFIX)/share/mkcontainer

HELPERS = nsexec pivot setcg mkveth confine mkuserns ptyexec
BINS    = $(addprefix bin/,$(HELPERS))
SCRIPTS = mkcontainer lscontainer execcontainer rmcontainer
COMMON  = helpers/common.o

# Which bats files to run: make test TESTS=tests/hostname.bats
TESTS  ?= tests

.PHONY: all rootfs test run clean install uninstall deps bench
all: $(BINS)

bin/%: helpers/%.o $(COMMON)
	@mkdir -p bin
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS)

bin/nsexec: helpers/nsexec.o helpers/supervise.o $(COMMON)
	@mkdir -p bin
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS)

bin/ptyexec: helpers/ptyexec.o helpers/supervise.o $(COMMON)
	@mkdir -p bin
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS)

helpers/%.o: helpers/%.c helpers/common.h
	$(CC) $(CFLAGS) -c -o $@ $<

helpers/nsexec.o helpers/ptyexec.o helpers/supervise.o: helpers/supervise.h

# Missing Debian packages are installed here, so that the two commands in the
# README work on a fresh machine.
deps:
	@scripts/install-deps.sh build test

# rootfs/etc/issue is written last: its age is the tree's.
rootfs: rootfs/etc/issue
rootfs/etc/issue: rootfs-build/busybox.sh $(wildcard rootfs-build/demo/*.c)
	rootfs-build/busybox.sh rootfs

# A test that hangs fails after BATS_TEST_TIMEOUT seconds instead.
test: deps
	$(MAKE) all rootfs
	BATS_TEST_TIMEOUT=$${BATS_TEST_TIMEOUT:-120} bats $(TESTS)

run: deps
	$(MAKE) all rootfs
	scripts/mkcontainer.sh host-1 10.0.0.2/24

bench: deps
	@scripts/install-deps.sh bench
	$(MAKE) all rootfs
	tests/bench/run.sh

clean:
	rm -rf bin helpers/*.o
	if [ -d rootfs ]; then rm -rf rootfs; fi

# Scripts go to $(BINDIR) without .sh; helpers and mkc-lib.sh to $(LIBEXEC),
# which the installed scripts are told about.
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXEC)
	install -m 755 $(BINS) $(DESTDIR)$(LIBEXEC)/
	install -m 644 scripts/mkc-lib.sh $(DESTDIR)$(LIBEXEC)/
	for s in $(SCRIPTS); do \
		sed -e 's|^MKC_LIBEXEC=$$|MKC_LIBEXEC=$(LIBEXEC)|' \
		    -e 's|^MKC_DEFAULT_ROOTFS=$$|MKC_DEFAULT_ROOTFS=$(DATADIR)/rootfs|' \
			scripts/$$s.sh > $(DESTDIR)$(BINDIR)/$$s && \
		chmod 755 $(DESTDIR)$(BINDIR)/$$s; \
	done
	if [ -d rootfs ]; then install -d $(DESTDIR)$(DATADIR) && \
		rm -rf $(DESTDIR)$(DATADIR)/rootfs && cp -a rootfs $(DESTDIR)$(DATADIR)/; fi

uninstall:
	for s in $(SCRIPTS); do rm -f $(DESTDIR)$(BINDIR)/$$s; done
	rm -rf $(DESTDIR)$(LIBEXEC) $(DESTDIR)$(DATADIR)
