#!/usr/bin/env bats
# Requirement: the container has the hostname given on the command line.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	require_root
	require_rootfs
}

teardown() {
	stop_containers
}

@test "hostname inside the container is HOSTNAME" {
	run -0 "$MKC" "$(cname)" "$(test_ip 2)" hostname
	assert_output "$(cname)"
}

@test "the host's hostname does not change, during or after" {
	before=$(hostname)
	start_container c "$(cname)" "$(test_ip 2)" sh -c 'hostname; echo ready; exec sleep 1000'
	wait_output "$c_out" ready
	[ "$(hostname)" = "$before" ]
	run cat "$c_out"
	assert_line --index 0 "$(cname)"
	stop_containers
	[ "$(hostname)" = "$before" ]
}

@test "the container is in its own UTS namespace (seen from the host)" {
	start_container c "$(cname)" "$(test_ip 2)" sh -c 'echo ready; exec sleep 1000'
	wait_output "$c_out" ready
	pid=$(command_pid "$c_pid")
	[ "$(readlink "/proc/$pid/ns/uts")" != "$(readlink /proc/self/ns/uts)" ]
	[ "$(nsenter -t "$pid" -u hostname)" = "$(cname)" ]
}

@test "a 63-character hostname works, a 64-character one is refused" {
	h63=$(printf 'h%.0s' {1..63})
	run -0 "$MKC" -n long-name "$h63" "$(test_ip 2)" hostname
	assert_output "$h63"
	run -125 "$MKC" -n long-name "${h63}x" "$(test_ip 2)" hostname
	assert_output --partial "invalid hostname"
}
