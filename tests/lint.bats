#!/usr/bin/env bats
# The shell scripts are POSIX sh: they parse under dash and shellcheck finds
# nothing, not even a style note; every helper has -h.

load helpers
bats_require_minimum_version 1.5.0

shell_scripts() {
	for f in "$TOP"/scripts/*.sh "$TOP"/rootfs-build/*.sh "$TOP"/.ci/run; do
		[ -f "$f" ] && head -1 "$f" | grep -q '^#!/bin/sh' && echo "$f"
	done
}

@test "every script parses under dash" {
	command -v dash >/dev/null || skip "dash is not installed"
	for f in $(shell_scripts); do
		dash -n "$f" || fail "$f does not parse under dash"
	done
}

@test "shellcheck finds nothing in the scripts" {
	command -v shellcheck >/dev/null || skip "shellcheck is not installed"
	run shellcheck -x -s sh -S style $(shell_scripts)
	[ "$status" -eq 0 ] || fail "$output"
}

@test "every helper answers -h with usage on stdout and exit 0" {
	for h in nsexec pivot setcg mkveth confine mkuserns ptyexec mkstate; do
		run -0 "$BIN/$h" -h
		[[ ${lines[0]} == "Usage: $h"* ]] || fail "$h -h: ${lines[0]}"
	done
}

@test "every helper: an unknown option or an option without its value is one line and a hint, 125" {
	local h opt
	for h in nsexec:t pivot:b setcg:m mkveth:b confine:c mkuserns:u ptyexec:e mkstate:d; do
		opt=${h#*:} h=${h%:*}
		run -125 "$BIN/$h" -Z
		assert_equal "${#lines[@]}" 2
		assert_line --index 0 "$h: invalid option -- 'Z'"
		assert_line --index 1 "Try '$h -h' for more information."
		run -125 "$BIN/$h" "-$opt"
		assert_equal "${#lines[@]}" 2
		assert_line --index 0 "$h: option requires an argument -- '$opt'"
	done
	run -125 "$BIN/nsexec" --hostname
	assert_line --index 0 "nsexec: option '--hostname' requires an argument"
	run -125 "$BIN/nsexec" --bogus
	assert_line --index 0 "nsexec: invalid option '--bogus'"
}
