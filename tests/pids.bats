#!/usr/bin/env bats
# Requirement (processes): a pids limit stops a fork storm in the container.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	require_root
	require_rootfs
}

teardown() {
	stop_containers
}

@test "forkbomb is stopped at -p 10, and starts all 50 under -p 100" {
	run -1 "$MKC" -p 10 "$(cname)" "$(test_ip 2)" forkbomb 50
	# forkbomb itself is one of the 10
	assert_output --regexp "started [0-9] of 50 processes: Resource temporarily unavailable"
	run -0 "$MKC" -p 100 "$(cname)" "$(test_ip 2)" forkbomb 50
	assert_output "forkbomb: started 50 of 50 processes: all started"
}

@test "a shell fork storm fails inside under -p 5, not under -p 20" {
	storm='for i in 1 2 3 4 5 6 7 8; do sleep 0.2 & done; wait'
	run "$MKC" -p 5 "$(cname)" "$(test_ip 2)" sh -c "$storm"
	[ "$status" -ne 0 ]
	assert_output --partial "can't fork"
	run -0 "$MKC" -p 20 "$(cname)" "$(test_ip 2)" sh -c "$storm"
	refute_output --partial "can't fork"
}

@test "the host sees pids.max in the container's cgroup; the default is 256" {
	start_container c -p 77 "$(cname a)" "$(test_ip 2)" sh -c 'echo ready; exec sleep 1005'
	start_container d "$(cname b)" "$(test_ip 3)" sh -c 'echo ready; exec sleep 1006'
	wait_output "$c_out" ready
	wait_output "$d_out" ready
	assert_equal "$(cat "$(cg_file "$(command_pid "$c_pid")" pids pids.max pids.max)")" 77
	assert_equal "$(cat "$(cg_file "$(command_pid "$d_pid")" pids pids.max pids.max)")" 256
}
