#!/usr/bin/env bats
# Requirement: ps in the container shows only the container's processes, and
# two containers do not see each other's processes.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	require_root
	require_rootfs
}

teardown() {
	stop_containers
}

@test "ps shows only the container: init as PID 1, COMMAND as PID 2" {
	run -0 "$MKC" "$(cname)" "$(test_ip 2)" sh -c 'ps -o pid,comm; true'
	assert_line --index 0 --regexp 'PID +COMMAND'
	assert_line --index 1 --regexp '^ +1 init$'
	assert_line --index 2 --regexp '^ +2 sh$'
	# init, sh and ps: nothing of the host's
	[ "${#lines[@]}" -le 4 ]
	refute_output --partial bats
}

@test "the host sees the container's processes, under other PIDs" {
	start_container c "$(cname)" "$(test_ip 2)" sh -c 'echo "inner=$$"; echo ready; exec sleep 1000'
	wait_output "$c_out" ready
	pid=$(command_pid "$c_pid")
	[ "$pid" -ne 2 ]
	assert_equal "$(awk '/^NSpid/ {print $3}' "/proc/$pid/status")" 2
	[ "$(readlink "/proc/$pid/ns/pid")" != "$(readlink /proc/self/ns/pid)" ]
}

@test "two containers: neither one's ps shows the other's processes" {
	start_container a "$(cname a)" "$(test_ip 2)" sh -c 'echo ready; exec sleep 1001'
	start_container b "$(cname b)" "$(test_ip 3)" sh -c 'echo ready; exec sleep 1002'
	wait_output "$a_out" ready
	wait_output "$b_out" ready
	run -0 "$MKC" "$(cname c)" "$(test_ip 4)" ps -o args
	refute_output --partial 'sleep 100'
	# and from inside a: its own sleep only (nsenter into its namespaces)
	pid_a=$(command_pid "$a_pid")
	run -0 nsenter -t "$pid_a" -m -p ps -o args
	assert_output --partial 'sleep 1001'
	refute_output --partial 'sleep 1002'
}

@test "the container has its own IPC namespace" {
	run -0 "$MKC" "$(cname)" "$(test_ip 2)" sh -c 'readlink /proc/self/ns/ipc'
	refute_output "$(readlink /proc/self/ns/ipc)"
}
