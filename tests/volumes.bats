#!/usr/bin/env bats
# A shared folder: a host directory bind-mounted into the container with -v,
# seen both ways.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	require_root
	require_rootfs
	SHARE=$BATS_TEST_TMPDIR/share
	mkdir "$SHARE"
}

@test "host -> container: a file the host writes is read inside" {
	echo "from the host" >"$SHARE/note"
	run -0 "$MKC" -v "$SHARE:/var/shared_folder" "$(cname)" "$(test_ip 2)" cat /var/shared_folder/note
	assert_output "from the host"
}

@test "container -> host: a file written inside is read on the host" {
	run -0 "$MKC" -v "$SHARE:/var/shared_folder" "$(cname)" "$(test_ip 2)" sh -c 'hostname >/var/shared_folder/from-inside'
	assert_equal "$(cat "$SHARE/from-inside")" "$(cname)"
}

@test "both ways while it runs: a running container sees a file appear" {
	start_container c -v "$SHARE:/var/shared_folder" "$(cname)" "$(test_ip 2)" sh -c '
		echo ready
		while [ ! -e /var/shared_folder/ping ]; do sleep 0.05; done
		echo pong >/var/shared_folder/pong'
	wait_output "$c_out" ready
	touch "$SHARE/ping"
	eventually test -e "$SHARE/pong"
	stop_containers
}

@test "several volumes, one read-only" {
	mkdir "$BATS_TEST_TMPDIR/ro"
	echo data >"$BATS_TEST_TMPDIR/ro/file"
	run -0 "$MKC" -v "$SHARE:/var/shared_folder" -v "$BATS_TEST_TMPDIR/ro:/mnt:ro" "$(cname)" "$(test_ip 2)" sh -c '
		cat /mnt/file; touch /mnt/new 2>/dev/null || echo "read-only"; touch /var/shared_folder/ok'
	assert_line data
	assert_line read-only
	[ -e "$SHARE/ok" ]
	[ ! -e "$BATS_TEST_TMPDIR/ro/new" ]
}

@test "the volume is gone from the host's mount table afterwards" {
	before=$(sort /proc/self/mountinfo)
	run -0 "$MKC" -v "$SHARE:/var/shared_folder" "$(cname)" "$(test_ip 2)" true
	[ "$(sort /proc/self/mountinfo)" = "$before" ]
}

teardown() {
	stop_containers
}
