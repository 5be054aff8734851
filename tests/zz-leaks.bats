#!/usr/bin/env bats
# Runs last: after every suite, the host has the same network namespaces,
# links, cgroups, mounts and state files as before them (the bridge aside).

load helpers
bats_require_minimum_version 1.5.0

@test "the tests left no network namespace, link, cgroup, mount or state file" {
	require_root
	[ -f "$BATS_RUN_TMPDIR/host-before" ] || skip "no snapshot from setup_suite"
	same_state "$BATS_RUN_TMPDIR/host-before"
}

@test "no process of a container is left" {
	# Live ones: a zombie holds nothing, and here PID 1 (which reaps
	# orphans, such as a -d supervisor killed in lifecycle.bats) may take
	# a moment to reap it.
	live() { pgrep -r R,S,D,T,t "$@"; }
	# a container's nsexec holds its name and address locks
	run -1 live -f 'nsexec .*--hold-fd=8 --hold-fd=9'
	run -1 live -f 'mkcontainer.sh'
	run -1 live -x init -P 1
}
