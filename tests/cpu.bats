#!/usr/bin/env bats
# Requirement (CPU): a CPU limit holds a CPU-bound program to its share.
# Measured against a control run without a limit on the same machine.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	require_root
	require_rootfs
}

teardown() {
	stop_containers
}

# percent OUTPUT: the "N% of one CPU" figure cpuburn prints.
percent() {
	sed -n 's/.* \([0-9]*\)% of one CPU$/\1/p' <<<"$1"
}

@test "cpuburn gets about its share under -c 0.25, and a whole CPU without" {
	run -0 "$MKC" "$(cname)" "$(test_ip 2)" cpuburn 1.5
	control=$(percent "$output")
	run -0 "$MKC" -c 0.25 "$(cname)" "$(test_ip 2)" cpuburn 1.5
	limited=$(percent "$output")
	echo "control ${control}%, limited ${limited}%" >&3
	[ "$control" -ge 70 ]
	[ "$limited" -le 35 ]
	[ "$limited" -ge 10 ]
}

@test "the host sees the CPU quota in the container's cgroup" {
	start_container c -c 0.5 "$(cname)" "$(test_ip 2)" sh -c 'echo ready; exec sleep 1003'
	wait_output "$c_out" ready
	pid=$(command_pid "$c_pid")
	file=$(cg_file "$pid" cpu cpu.cfs_quota_us cpu.max)
	case $file in
	*cpu.max) assert_equal "$(cat "$file")" "50000 100000" ;;
	*)
		assert_equal "$(cat "$file")" 50000
		assert_equal "$(cat "${file%/*}/cpu.cfs_period_us")" 100000
		;;
	esac
}

@test "without -c there is no CPU quota" {
	start_container c "$(cname)" "$(test_ip 2)" sh -c 'echo ready; exec sleep 1004'
	wait_output "$c_out" ready
	file=$(cg_file "$(command_pid "$c_pid")" cpu cpu.cfs_quota_us cpu.max)
	case $file in
	*cpu.max) assert_equal "$(cut -d' ' -f1 "$file")" max ;;
	*) assert_equal "$(cat "$file")" -1 ;;
	esac
}
