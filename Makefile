# mkcontainer - build, root filesystem, tests, demo, install.
#
#   make                helpers into bin/
#   sudo make rootfs    rootfs/ from Debian's busybox-static + the demo programs
#   sudo make test      everything, then the bats suites
#   sudo make run       everything, then a shell in container host-1 at 10.0.0.2
#   sudo make test-cgroup2   the bats suites again, on a pure cgroup v2 kernel (qemu)
#   make install PREFIX=/usr/local DESTDIR=

CC      ?= cc
CFLAGS  ?= -O2
# override: `make CFLAGS=-g` adds to these instead of replacing them.
override CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow \
           -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes
# Static helpers start faster (no dynamic loader) and run in any rootfs.
LDFLAGS ?= -static
# The helpers are linked with musl when musl-gcc is installed (Debian's
# musl-tools): a static musl program starts in half the time of a static
# glibc one (glibc probes the CPU at every start, and on a virtual machine
# each cpuid traps to the hypervisor), and a container start is mostly
# exec's of helpers. glibc ($(CC)) otherwise; both are tested.
ifeq ($(origin HELPER_CC),undefined)
HELPER_CC := $(if $(shell command -v musl-gcc 2>/dev/null),musl-gcc,$(CC))
endif
# musl-gcc searches musl's headers alone: the kernel's (linux/, asm/) are
# added from a directory of links to them.
ifneq ($(findstring musl,$(HELPER_CC)),)
KERNEL_INCLUDE = bin/.kernel-include
override CFLAGS += -isystem $(KERNEL_INCLUDE)
endif

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR   = $(PREFIX)/bin
LIBEXEC  = $(PREFIX)/libexec/mkcontainer
DATADIR  = $(PREFIX)/share/mkcontainer

HELPERS = nsexec pivot setcg mkveth confine mkuserns ptyexec mkstate
BINS    = $(addprefix bin/,$(HELPERS))
SCRIPTS = mkcontainer lscontainer execcontainer rmcontainer checkhost
COMMON  = helpers/common.o

# Which bats files to run: make test TESTS=tests/hostname.bats
TESTS  ?= tests

# The demo programs, for the host's side of a test or a demonstration (the
# client to a container's server): built here, never run from the rootfs,
# whose files any container may have changed.
DEMOS = $(patsubst rootfs-build/demo/%.c,bin/demo/%,$(wildcard rootfs-build/demo/*.c))

.PHONY: FORCE all rootfs test test-cgroup2 run clean install uninstall deps bench
all: $(BINS) $(DEMOS)

bin/demo/%: rootfs-build/demo/%.c
	@mkdir -p bin/demo
	$(CC) -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -static -o $@ $<

bin/%: helpers/%.o $(COMMON)
	$(HELPER_CC) $(CFLAGS) -o $@ $^ $(LDFLAGS)

bin/nsexec: helpers/nsexec.o helpers/supervise.o $(COMMON)
	$(HELPER_CC) $(CFLAGS) -o $@ $^ $(LDFLAGS)

bin/ptyexec: helpers/ptyexec.o helpers/supervise.o $(COMMON)
	$(HELPER_CC) $(CFLAGS) -o $@ $^ $(LDFLAGS)

helpers/%.o: helpers/%.c helpers/common.h helpers/sys.h bin/.cc | $(KERNEL_INCLUDE)
	$(HELPER_CC) $(CFLAGS) -c -o $@ $<

# The compiler of the objects: they are built again when it changes.
bin/.cc: FORCE
	@mkdir -p bin
	@[ "$$(cat $@ 2>/dev/null)" = '$(HELPER_CC)' ] || echo '$(HELPER_CC)' >$@

bin/.kernel-include:
	rm -rf $@.new && mkdir -p $@.new
	ln -s /usr/include/linux /usr/include/asm-generic $@.new/
	ln -s /usr/include/$$(gcc -print-multiarch)/asm $@.new/asm
	mv $@.new $@

FORCE:

helpers/nsexec.o helpers/ptyexec.o helpers/supervise.o: helpers/supervise.h

# Missing Debian packages are installed here, so that the two commands in the
# README work on a fresh machine.
deps:
	@scripts/install-deps.sh build test

# rootfs/etc/issue is written last: its age is the tree's.
# `make rootfs ROOTFS_TAR=alpine-minirootfs.tar.gz` (or a docker export):
# rootfs/ imported from that tarball instead, with the demo programs, anew each
# time (rootfs-build/import.sh). .rootfs.stamp marks the tree as imported, so
# that a plain `make rootfs` builds the busybox one again.
ifeq ($(ROOTFS_TAR),)
rootfs: rootfs/etc/issue
rootfs/etc/issue: rootfs-build/busybox.sh $(wildcard rootfs-build/demo/*.c) $(wildcard .rootfs.stamp)
	rootfs-build/busybox.sh rootfs
	rm -f .rootfs.stamp
else
rootfs:
	rm -rf rootfs.new.import
	CC='$(CC)' rootfs-build/import.sh -d '$(ROOTFS_TAR)' rootfs.new.import
	rm -rf rootfs && mv rootfs.new.import rootfs
	touch .rootfs.stamp
endif

# A test that hangs fails after BATS_TEST_TIMEOUT seconds instead.
test: deps
	$(MAKE) all rootfs
	BATS_TEST_TIMEOUT=$${BATS_TEST_TIMEOUT:-120} bats $(TESTS)

# The same suites on a kernel with cgroup v1 off (cgroup_no_v1=all), booted
# under qemu with this machine's / read-only below a tmpfs: tests/vm/cgroup2.sh.
test-cgroup2: deps
	@scripts/install-deps.sh vm
	$(MAKE) all rootfs
	tests/vm/cgroup2.sh $(MAKE) test TESTS='$(TESTS)' \
		BATS_TEST_TIMEOUT=$${BATS_TEST_TIMEOUT:-1200}

run: deps
	$(MAKE) all rootfs
	scripts/mkcontainer.sh host-1 10.0.0.2/24

bench: deps
	@scripts/install-deps.sh bench vm
	$(MAKE) all rootfs
	tests/bench/run.sh

clean:
	rm -rf bin helpers/*.o
	if [ -d rootfs ]; then rm -rf rootfs; fi

# Scripts go to $(BINDIR) without .sh; helpers and mkc-lib.sh to $(LIBEXEC),
# which the installed scripts are told about; man pages to $(MANDIR)/man1
# (scripts) and man8 (helpers). uninstall removes exactly these, and
# $(LIBEXEC) and $(DATADIR) once empty.
install uninstall: MANDIR = $(PREFIX)/share/man
install: all
	install -d "$(DESTDIR)$(BINDIR)" "$(DESTDIR)$(LIBEXEC)" \
		"$(DESTDIR)$(MANDIR)/man1" "$(DESTDIR)$(MANDIR)/man8"
	install -m 755 $(BINS) "$(DESTDIR)$(LIBEXEC)/"
	install -m 644 scripts/mkc-lib.sh "$(DESTDIR)$(LIBEXEC)/"
	install -m 644 $(HELPERS:%=man/%.8) "$(DESTDIR)$(MANDIR)/man8/"
	for s in $(SCRIPTS); do \
		sed -e 's|^MKC_LIBEXEC=$$|MKC_LIBEXEC=$(LIBEXEC)|' \
		    -e 's|^MKC_DEFAULT_ROOTFS=$$|MKC_DEFAULT_ROOTFS=$(DATADIR)/rootfs|' \
			scripts/$$s.sh > "$(DESTDIR)$(BINDIR)/$$s" && \
		chmod 755 "$(DESTDIR)$(BINDIR)/$$s" && \
		install -m 644 man/$$s.1 "$(DESTDIR)$(MANDIR)/man1/" || exit 1; \
	done
	if [ -d rootfs ]; then install -d "$(DESTDIR)$(DATADIR)" && \
		rm -rf "$(DESTDIR)$(DATADIR)/rootfs" && cp -a rootfs "$(DESTDIR)$(DATADIR)/"; fi

uninstall:
	for s in $(SCRIPTS); do \
		rm -f "$(DESTDIR)$(BINDIR)/$$s" "$(DESTDIR)$(MANDIR)/man1/$$s.1"; \
	done
	for h in $(HELPERS); do \
		rm -f "$(DESTDIR)$(LIBEXEC)/$$h" "$(DESTDIR)$(MANDIR)/man8/$$h.8"; \
	done
	rm -f "$(DESTDIR)$(LIBEXEC)/mkc-lib.sh"
	rm -rf "$(DESTDIR)$(DATADIR)/rootfs"
	for d in "$(DESTDIR)$(LIBEXEC)" "$(DESTDIR)$(DATADIR)"; do \
		if [ -d "$$d" ]; then rmdir "$$d" 2>/dev/null || \
			echo "uninstall: $$d is not empty: left in place" >&2; fi; \
	done
