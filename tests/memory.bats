#!/usr/bin/env bats
# Requirement: a cgroup memory limit, shown to hold by a memory-hungry
# program run in the container.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	require_root
	require_rootfs
}

teardown() {
	stop_containers
}

@test "hungry is killed at the memory limit (exit 137), below the limit" {
	run -137 "$MKC" -m 32M "$(cname)" "$(test_ip 2)" hungry
	assert_line "hungry: 16 MiB"
	refute_line "hungry: 32 MiB"
}

@test "an out-of-memory kill is reported on stderr, with the limit" {
	run -137 --separate-stderr "$MKC" -m 32M "$(cname)" "$(test_ip 2)" hungry
	[[ $stderr == *"ran out of memory"*"limit of 32M"* ]] || fail "stderr: $stderr"
	# a SIGKILL that is not the OOM killer's says nothing of memory
	run -137 --separate-stderr "$MKC" "$(cname)" "$(test_ip 2)" sh -c 'kill -KILL $$'
	[[ $stderr != *"memory"* ]] || fail "stderr: $stderr"
}

@test "a smaller allocation survives under the same limit" {
	run -0 "$MKC" -m 32M "$(cname)" "$(test_ip 2)" hungry 16M
	assert_line "hungry: done, 16 MiB in use"
}

@test "control: without a tight limit the same program gets past 32 MiB" {
	run -0 "$MKC" -m 256M "$(cname)" "$(test_ip 2)" hungry 64M
	assert_line "hungry: 48 MiB"
	assert_line "hungry: done, 64 MiB in use"
}

@test "hungry run from a shell: killed at the limit, with the shell (v2) or alone (v1)" {
	run "$MKC" -m 32M "$(cname)" "$(test_ip 2)" sh -c 'hungry >/dev/null; echo "hungry ended with $?"'
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		# memory.oom.group=1: the OOM killer ends the whole container
		[ "$status" -eq 137 ]
		refute_output --partial "hungry ended"
	else
		# v1 kills only the biggest process: the shell sees it
		[ "$status" -eq 0 ]
		assert_line "hungry ended with 137"
	fi
}

@test "the host sees the limit in the container's cgroup, with swap off" {
	start_container c -m 48M "$(cname)" "$(test_ip 2)" sh -c 'echo ready; exec sleep 1001'
	wait_output "$c_out" ready
	pid=$(command_pid "$c_pid")
	limit=$(cg_file "$pid" memory memory.limit_in_bytes memory.max)
	assert_equal "$(cat "$limit")" $((48 * 1024 * 1024))
	case $limit in
	*memory.max) swap=${limit%/*}/memory.swap.max expected=0 ;;
	*) swap=${limit%/*}/memory.memsw.limit_in_bytes expected=$((48 * 1024 * 1024)) ;;
	esac
	[ ! -e "$swap" ] || assert_equal "$(cat "$swap")" "$expected"
	# and it is mkcontainer's cgroup, named after the container
	[[ $limit == */mkc-$(cname)/* ]]
}

@test "default memory limit is 256M" {
	start_container c "$(cname)" "$(test_ip 2)" sh -c 'echo ready; exec sleep 1002'
	wait_output "$c_out" ready
	pid=$(command_pid "$c_pid")
	assert_equal "$(cat "$(cg_file "$pid" memory memory.limit_in_bytes memory.max)")" $((256 * 1024 * 1024))
}
