#!/usr/bin/env bats
# How the helpers are built: static, with musl when musl-gcc is there (they
# start twice as fast), and with glibc as well.

load helpers
bats_require_minimum_version 1.5.0

HELPERS=(nsexec pivot setcg mkveth confine mkuserns ptyexec mkstate)

teardown() {
	rmcontainer.sh -f "$(cname)" >/dev/null 2>&1 || true
}

@test "every helper is a static program: no dynamic loader" {
	for h in "${HELPERS[@]}"; do
		run -0 readelf -lW "$BIN/$h"
		[[ $output != *"Requesting program interpreter"* ]] ||
			fail "$h is dynamically linked"
	done
}

@test "with musl-gcc installed, the helpers are linked with musl, not glibc" {
	command -v musl-gcc >/dev/null || skip "musl-gcc is not installed (Debian: musl-tools)"
	run -0 cat "$BIN/.cc"
	assert_output musl-gcc
	for h in "${HELPERS[@]}"; do
		# glibc reads GLIBC_TUNABLES at every start; musl has no such thing.
		run grep -c GLIBC_TUNABLES "$BIN/$h"
		assert_output 0
	done
}

@test "the helpers build with glibc too (HELPER_CC=cc) and run a container" {
	require_root
	require_rootfs
	local tree="$BATS_TEST_TMPDIR/tree"
	mkdir -p "$tree"
	cp -a "$TOP/Makefile" "$TOP/helpers" "$TOP/scripts" "$tree/"
	rm -f "$tree"/helpers/*.o
	run -0 make -C "$tree" HELPER_CC=cc "${HELPERS[@]/#/bin/}"
	run -0 grep -c GLIBC_TUNABLES "$tree/bin/nsexec"
	run -0 "$tree/scripts/mkcontainer.sh" -r "$ROOTFS" "$(cname)" "$(test_ip 21)" \
		-- /bin/sh -c 'hostname; ip -4 -o addr show eth0'
	assert_line --index 0 "$(cname)"
	assert_line --index 1 --partial "inet $(test_ip 21)/24"
}
