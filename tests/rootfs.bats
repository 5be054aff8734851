#!/usr/bin/env bats
# Requirement: the shell starts in / of the given root filesystem, and `ls`
# shows that root filesystem.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	require_root
	require_rootfs
}

teardown() {
	stop_containers
}

@test "COMMAND starts in /, and ls / lists the rootfs" {
	run -0 "$MKC" "$(cname)" "$(test_ip 2)" sh -c 'pwd; ls /'
	assert_line --index 0 /
	[ "$(printf '%s\n' "${lines[@]:1}")" = "$(ls "$ROOTFS")" ]
}

@test "-r: another root filesystem, with a file only it has" {
	other=$BATS_TEST_TMPDIR/other
	cp -a "$ROOTFS" "$other"
	echo "only in the copy" >"$other/etc/marker"
	run -0 "$MKC" -r "$other" "$(cname)" "$(test_ip 2)" cat /etc/marker
	assert_output "only in the copy"
	run -1 "$MKC" "$(cname)" "$(test_ip 2)" sh -c 'cat /etc/marker 2>&1'
	assert_output --partial "No such file"
}

@test "the demo programs are on PATH in the rootfs" {
	run -0 "$MKC" "$(cname)" "$(test_ip 2)" sh -c 'for p in server client hungry cpuburn; do command -v $p; done; ls -d /var/shared_folder'
	assert_line /usr/local/bin/server
	assert_line /usr/local/bin/client
	assert_line /usr/local/bin/hungry
	assert_line /usr/local/bin/cpuburn
	assert_line /var/shared_folder
}

@test "the host's files are not reachable: the old root is detached" {
	marker=$BATS_TEST_TMPDIR/host-marker
	touch "$marker"
	run -0 "$MKC" "$(cname)" "$(test_ip 2)" sh -c "test -e '$marker' && echo visible || echo hidden"
	assert_output hidden
}

@test "PID 1's working directory and root are the container's /, from any caller's directory" {
	cd "$BATS_TEST_TMPDIR"
	start_container c "$(cname)" "$(test_ip 2)" sh -c 'echo ready; exec sleep 1000'
	wait_output "$c_out" ready
	init=$(cat "/run/mkcontainer/$(cname)/init.pid")
	# seen from the host (from inside, /proc/1 is not readable: see security)
	assert_equal "$(readlink "/proc/$init/cwd")" /
	assert_equal "$(readlink "/proc/$init/root")" /
	[ "/proc/$init/cwd/usr/local/bin/server" -ef "$ROOTFS/usr/local/bin/server" ]
}

@test "the environment is the container's own, not the caller's" {
	MKC_TEST_SECRET=leaked run -0 "$MKC" "$(cname)" "$(test_ip 2)" env
	refute_output --partial MKC_TEST_SECRET
	assert_line "HOSTNAME=$(cname)"
	assert_line --regexp '^PATH=/usr/local/sbin:'
}

@test "no process of the container has the caller's environment: COMMAND, the init, nsexec's host side" {
	MKC_TEST_SECRET=leaked start_container c "$(cname)" "$(test_ip 2)" sh -c 'echo ready; exec sleep 1000'
	wait_output "$c_out" ready
	init=$(cat "/run/mkcontainer/$(cname)/init.pid")
	chain=$(pgrep -o -P "$c_pid")
	cmd=$(command_pid "$c_pid")
	for p in "$chain" "$init" "$cmd"; do
		output=$(tr '\0' '\n' <"/proc/$p/environ") || fail "cannot read /proc/$p/environ"
		[ -n "$output" ] || fail "no environment read from /proc/$p/environ"
		[[ $output != *MKC_TEST_SECRET* ]] || fail "process $p has the caller's environment"
		[[ $output == *"HOSTNAME=$(cname)"* ]] || fail "process $p: $output"
	done
}
