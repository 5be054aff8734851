#!/bin/sh
# install-deps.sh - install the Debian packages mkcontainer needs, if missing.
#
#   scripts/install-deps.sh [build|test|bench|vm]...   (default: build test)
#
# Called by `make test`, `make run`, `make bench` and `make test-cgroup2`, so
# that the two commands in the README work on a fresh Debian or Ubuntu machine.
# Installs nothing when everything is there.
set -eu

prog=install-deps.sh
case ${1-} in -h | --help)
	echo "usage: $prog [build|test|bench|vm]...   (default: build test)"
	exit 0 ;;
esac
[ $# -gt 0 ] || set -- build test

missing=''
need() { # need PACKAGE FILE: PACKAGE provides FILE
	[ -e "$2" ] || missing="$missing $1"
}
for what in "$@"; do
	case $what in
	build)
		need gcc /usr/bin/gcc
		need libc6-dev /usr/include/stdio.h
		need musl-tools /usr/bin/musl-gcc
		need linux-libc-dev /usr/include/linux/mount.h
		need busybox-static /bin/busybox
		need iproute2 /usr/bin/ip
		need util-linux /usr/bin/flock
		;;
	test)
		need bats /usr/bin/bats
		need bats-assert /usr/lib/bats/bats-assert/load.bash
		need bats-support /usr/lib/bats/bats-support/load.bash
		need shellcheck /usr/bin/shellcheck
		need procps /usr/bin/ps
		need bsdutils /usr/bin/script
		need man-db /usr/bin/man
		need groff-base /usr/bin/groff
		need xz-utils /usr/bin/xz
		need zstd /usr/bin/zstd
		need strace /usr/bin/strace
		;;
	bench) # tests/bench/: timings, other runtimes to compare, plots
		need hyperfine /usr/bin/hyperfine
		need bubblewrap /usr/bin/bwrap
		need runc /usr/sbin/runc
		need crun /usr/bin/crun
		need gnuplot-nox /usr/bin/gnuplot-nox
		;;
	vm) # tests/vm/cgroup2.sh: a cgroup v2 kernel under qemu
		need qemu-system-x86 /usr/bin/qemu-system-x86_64
		need busybox-static /bin/busybox
		need kmod /sbin/depmod
		need cpio /bin/cpio
		need gzip /bin/gzip
		need dpkg /usr/bin/dpkg-deb
		need e2fsprogs /sbin/mke2fs
		;;
	*) echo "usage: $prog [build|test|bench|vm]..." >&2; exit 2 ;;
	esac
done
# busybox (dynamic) would satisfy /bin/busybox but is not static.
case $* in
*build* | *vm*)
	dpkg-query -W -f '${Status}' busybox-static 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing busybox-static" ;;
esac
[ -n "$missing" ] || exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "$prog: missing Debian packages:$missing (run as root, or: sudo apt-get install$missing)" >&2
	exit 1
fi
echo "$prog: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086 # one word per package
apt-get install -y -qq --no-install-recommends $missing >/dev/null
