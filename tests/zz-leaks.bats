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
	run ! pgrep -f 'nsexec --net=/run/netns/mkc-'
	run ! pgrep -f 'mkcontainer.sh'
	run ! pgrep -x init -P 1
}
