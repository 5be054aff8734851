#!/usr/bin/env bats
# make install and make uninstall. With DESTDIR and PREFIX, the scripts (named
# without .sh), the helpers, mkc-lib.sh and the man pages go where they
# belong; the installed scripts use the installed helpers; every man page
# renders without a warning and documents every option of its command's -h;
# an installed mkcontainer runs a container; uninstall leaves no file behind.

load helpers
bats_require_minimum_version 1.5.0

HELPER_NAMES=(nsexec pivot setcg mkveth confine mkuserns ptyexec mkstate)

# Containers of this suite use 10.216.0.0/24 only.
INSTALL_NET=10.216.0

setup() {
	D=$BATS_TEST_TMPDIR/d
	P=/usr/local
	SCRIPT_NAMES=(mkcontainer lscontainer execcontainer rmcontainer)
	# checkhost is installed once scripts/checkhost.sh exists.
	[ ! -f "$TOP/scripts/checkhost.sh" ] || SCRIPT_NAMES+=(checkhost)
	name=''
}

teardown() {
	[ -z "$name" ] || stop_detached "$name"
	make -C "$TOP" -s uninstall DESTDIR="$D" PREFIX="$P" >/dev/null 2>&1 || true
	rm -rf "$D" "$BATS_TEST_TMPDIR/p"
}

# install_to DESTDIR PREFIX
install_to() {
	# make install copies rootfs/, which has files only root can read.
	if [ -d "$TOP/rootfs" ] && [ -n "$(find "$TOP/rootfs" ! -readable -print -quit)" ]; then
		skip "make install copies rootfs/, which only root can read (run: sudo make test)"
	fi
	run make -C "$TOP" -s install DESTDIR="$1" PREFIX="$2"
	[ "$status" -eq 0 ] || fail "make install DESTDIR=$1 PREFIX=$2 failed: $output"
}

# The files install should make, relative to DESTDIR, without the rootfs.
expected_files() {
	local s h
	for s in "${SCRIPT_NAMES[@]}"; do
		echo "${P#/}/bin/$s"
		echo "${P#/}/share/man/man1/$s.1"
	done
	for h in "${HELPER_NAMES[@]}"; do
		echo "${P#/}/libexec/mkcontainer/$h"
		echo "${P#/}/share/man/man8/$h.8"
	done
	echo "${P#/}/libexec/mkcontainer/mkc-lib.sh"
}

installed_files() {
	find "$D" -type f ! -path "$D$P/share/mkcontainer/rootfs/*" -printf '%P\n'
}

# at_prefix COMMAND [ARG]...: run COMMAND in a mount namespace of its own
# where the DESTDIR tree is at PREFIX, as after a real install, and the
# source tree's bin/ and scripts/ are empty: only installed files can run.
at_prefix() {
	local empty=$BATS_TEST_TMPDIR/empty
	mkdir -p "$empty"
	# shellcheck disable=SC2016 # expanded by the inner sh
	unshare --mount --propagation private sh -c '
		mount --bind "$1" "$2" && mount --bind "$3" "$4/bin" &&
			mount --bind "$3" "$4/scripts" || exit 99
		shift 4
		exec "$@"' sh "$D$P" "$P" "$empty" "$TOP" "$@"
}

# The man pages of the source tree, one path a line.
man_pages() {
	local s h
	for s in "${SCRIPT_NAMES[@]}"; do echo "$TOP/man/$s.1"; done
	for h in "${HELPER_NAMES[@]}"; do echo "$TOP/man/$h.8"; done
}

@test "make install puts the scripts, helpers, mkc-lib.sh and man pages under DESTDIR/PREFIX" {
	install_to "$D" "$P"
	diff -u <(expected_files | sort) <(installed_files | sort) ||
		fail "the installed files differ from the expected ones (- expected, + installed)"
	for s in "${SCRIPT_NAMES[@]}"; do
		[ -x "$D$P/bin/$s" ] || fail "$P/bin/$s is not executable"
	done
	for h in "${HELPER_NAMES[@]}"; do
		[ -x "$D$P/libexec/mkcontainer/$h" ] || fail "helper $h is not executable"
	done
}

@test "the installed scripts point at the installed helpers, not at DESTDIR or the source tree" {
	install_to "$D" "$P"
	for s in "${SCRIPT_NAMES[@]}"; do
		grep -qx "MKC_LIBEXEC=$P/libexec/mkcontainer" "$D$P/bin/$s" ||
			fail "$s does not set MKC_LIBEXEC=$P/libexec/mkcontainer"
	done
	grep -qx "MKC_DEFAULT_ROOTFS=$P/share/mkcontainer/rootfs" "$D$P/bin/mkcontainer" ||
		fail "mkcontainer does not default to the installed rootfs"
	run grep -rlIF -e "$D" -e "$TOP" "$D$P/bin" "$D$P/libexec"
	[ "$status" -eq 1 ] || fail "installed files name DESTDIR or the source tree: $output"
	for h in "${HELPER_NAMES[@]}"; do
		run -0 "$D$P/libexec/mkcontainer/$h" -h
		[[ ${lines[0]} == "Usage: $h"* ]] || fail "installed $h -h: ${lines[0]}"
	done
}

@test "installed without DESTDIR, the scripts run with the installed helpers" {
	local p=$BATS_TEST_TMPDIR/p
	install_to "" "$p"
	for s in "${SCRIPT_NAMES[@]}"; do
		run -0 "$p/bin/$s" -h
		[[ ${lines[0]} == Usage:* ]] || fail "installed $s -h: ${lines[0]}"
	done
	# Without the installed nsexec they fail: no falling back to bin/.
	rm -f "$p/libexec/mkcontainer/nsexec"
	run -125 "$p/bin/execcontainer" no-such-container
	if [ "$(id -u)" -eq 0 ]; then
		assert_output --partial "helpers not found in '$p/libexec/mkcontainer'"
	fi
}

@test "a DESTDIR install works at its PREFIX: every script and helper runs" {
	require_root
	command -v unshare >/dev/null || skip "unshare is not installed (util-linux)"
	install_to "$D" "$P"
	for s in "${SCRIPT_NAMES[@]}"; do
		run -0 at_prefix "$P/bin/$s" -h
		[[ ${lines[0]} == Usage:* ]] || fail "$P/bin/$s -h: ${lines[0]}"
	done
	for h in "${HELPER_NAMES[@]}"; do
		run -0 at_prefix "$P/libexec/mkcontainer/$h" -h
		[[ ${lines[0]} == "Usage: $h"* ]] || fail "$h -h: ${lines[0]}"
	done
	run -0 at_prefix "$P/bin/lscontainer"
	assert_line --index 0 --regexp '^NAME +HOSTNAME +IP +PID +MEMORY +CPUS +PIDS$'
}

@test "an installed mkcontainer runs a container, from -r ROOTFS and from the installed rootfs" {
	require_root
	require_rootfs
	command -v unshare >/dev/null || skip "unshare is not installed (util-linux)"
	install_to "$D" "$P"
	name=$(cname inst)
	local ip=$INSTALL_NET.$((10 + BATS_TEST_NUMBER))

	run at_prefix "$P/bin/mkcontainer" -r "$ROOTFS" "$name" "$ip" \
		sh -c 'hostname; exit 3'
	[ "$status" -eq 3 ] || fail "status $status, not COMMAND's 3: $output"
	assert_output "$name"

	[ -d "$D$P/share/mkcontainer/rootfs" ] || fail "make install did not install the rootfs"
	run -0 at_prefix "$P/bin/mkcontainer" "$name" "$ip" sh -c 'hostname; ls /'
	assert_line --index 0 "$name"
	assert_line proc

	# It removed what it made.
	[ ! -e "/run/mkcontainer/$name" ] || fail "state /run/mkcontainer/$name is left"
	[ ! -e "/run/mkcontainer/.ip/$ip" ] || fail "address lock of $ip is left"
	[ ! -e "/run/netns/mkc-$name" ] || fail "network namespace mkc-$name is left"
	for cg in /sys/fs/cgroup/*/mkc-"$name" /sys/fs/cgroup/mkc-"$name"; do
		[ ! -e "$cg" ] || fail "cgroup $cg is left"
	done
}

@test "every helper and script has a man page, found by man in the right section" {
	install_to "$D" "$P"
	for s in "${SCRIPT_NAMES[@]}"; do
		grep -q "^\.TH ${s^^} 1 " "$D$P/share/man/man1/$s.1" ||
			fail "$s.1 has no .TH ${s^^} 1"
	done
	for h in "${HELPER_NAMES[@]}"; do
		grep -q "^\.TH ${h^^} 8 " "$D$P/share/man/man8/$h.8" ||
			fail "$h.8 has no .TH ${h^^} 8"
	done
	command -v man >/dev/null || skip "man is not installed (Debian package man-db)"
	for s in "${SCRIPT_NAMES[@]}"; do
		run -0 man -M "$D$P/share/man" -w 1 "$s"
		assert_output "$D$P/share/man/man1/$s.1"
	done
	for h in "${HELPER_NAMES[@]}"; do
		run -0 man -M "$D$P/share/man" -w 8 "$h"
		assert_output "$D$P/share/man/man8/$h.8"
	done
}

@test "every man page renders with man -l, without warnings" {
	command -v man >/dev/null || skip "man is not installed (Debian package man-db)"
	local page n
	for page in $(man_pages); do
		[ -f "$page" ] || fail "no man page $page"
		n=${page##*/}
		n=${n%.*}
		run --separate-stderr -0 env MANWIDTH=80 MANPAGER=cat PAGER=cat \
			man --warnings -l "$page"
		[ -z "$stderr" ] || fail "man -l $n: $stderr"
		assert_line NAME
		assert_line --regexp "^ +$n - "
		for section in SYNOPSIS DESCRIPTION OPTIONS 'EXIT STATUS' EXAMPLES 'SEE ALSO'; do
			assert_line "$section"
		done
	done
}

@test "groff -ww finds nothing to warn about in the man pages" {
	command -v groff >/dev/null || skip "groff is not installed (Debian package groff-base)"
	local page
	for page in $(man_pages); do
		[ -f "$page" ] || fail "no man page $page"
		run --separate-stderr groff -man -Tutf8 -ww -z "$page"
		[ "$status" -eq 0 ] && [ -z "$stderr" ] || fail "groff ${page##*/}: $stderr"
	done
}

@test "every option in a command's -h is in its man page" {
	local page cmd opt re missing
	for page in $(man_pages); do
		cmd=${page##*/}
		cmd=${cmd%.*}
		if [ -x "$BIN/$cmd" ]; then
			run -0 "$BIN/$cmd" -h
		else
			run -0 "$TOP/scripts/$cmd.sh" -h
		fi
		missing=''
		# shellcheck disable=SC2013 # one option a word
		for opt in $(grep -oE '(^|[][ ,])--?[A-Za-z][A-Za-z-]*' <<<"$output" |
			sed 's/^[][ ,]*//' | sort -u); do
			# in roff, each - of an option is \-
			re=${opt//-/\\\\-}
			grep -qE "${re}([^A-Za-z\\\\]|\$)" "$page" || missing="$missing $opt"
		done
		[ -z "$missing" ] || fail "${page##*/} lacks$missing (from $cmd -h)"
	done
}

@test "make uninstall removes every file make install made, and the libexec directory" {
	install_to "$D" "$P"
	[ -n "$(installed_files)" ] || fail "make install installed nothing"
	run -0 make -C "$TOP" -s uninstall DESTDIR="$D" PREFIX="$P"
	run find "$D" -type f
	assert_output ''
	[ ! -e "$D$P/libexec/mkcontainer" ] || fail "$P/libexec/mkcontainer is left"
	[ ! -e "$D$P/share/mkcontainer" ] || fail "$P/share/mkcontainer is left"
}

@test "make uninstall leaves other files in the same directories alone" {
	mkdir -p "$D$P/bin" "$D$P/share/man/man1" "$D$P/share/man/man8" "$D$P/libexec/mkcontainer"
	touch "$D$P/bin/other" "$D$P/share/man/man1/other.1" "$D$P/share/man/man8/other.8" \
		"$D$P/libexec/mkcontainer/local-file"
	install_to "$D" "$P"
	run -0 make -C "$TOP" -s uninstall DESTDIR="$D" PREFIX="$P"
	run bash -c "cd '$D' && find . -type f | sort"
	assert_output "./${P#/}/bin/other
./${P#/}/libexec/mkcontainer/local-file
./${P#/}/share/man/man1/other.1
./${P#/}/share/man/man8/other.8"
}
