#!/usr/bin/env bats
# Every input mkcontainer.sh rejects: exit 125, one clear line on stderr
# naming what was wrong, nothing on stdout, and nothing made on the host.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	require_root
	require_rootfs
	snapshot "$BATS_TEST_TMPDIR/before"
}

teardown() {
	stop_containers
	[ -z "${IP_FILE:-}" ] || rm -f "$IP_FILE"
}

# rejects MESSAGE [mkcontainer args]: 125, exactly MESSAGE's line on stderr
# (as a substring), nothing else anywhere, the host unchanged.
rejects() {
	local message=$1
	shift
	run --separate-stderr -125 "$MKC" "$@"
	[ -z "$output" ] || fail "stdout: $output"
	[ "${#stderr_lines[@]}" -eq 1 ] || fail "stderr has ${#stderr_lines[@]} lines: $stderr"
	[[ $stderr == "mkcontainer: "*"$message"* ]] || fail "stderr: '$stderr', expected '$message'"
	same_state "$BATS_TEST_TMPDIR/before"
}

@test "invalid hostnames" {
	for h in -lead trail- under_score dot.ted 'sp ace' "$(printf 'x%.0s' {1..64})" 'a/b' ''; do
		rejects "invalid hostname" -- "$h" "$(test_ip 2)" true
	done
}

@test "invalid IP addresses and prefixes" {
	for ip in 10.219.0 10.219.0.256 10.219.0.2.1 abc 010.219.0.2 10.219.0.-1 ' 10.219.0.2' 10.219..2; do
		rejects "invalid IP address" "$(cname)" "$ip" true
	done
	for p in 7 31 32 33 x '' 024; do
		rejects "invalid prefix" "$(cname)" "10.219.0.2/$p" true
	done
}

@test "special-purpose addresses are refused" {
	for ip in 0.1.2.3 127.0.0.2 169.254.1.2 224.0.0.5 239.1.1.1 240.0.0.1 255.255.255.254; do
		rejects "special-purpose address" "$(cname)" "$ip/24" true
	done
}

@test "the network, broadcast and gateway addresses are refused" {
	rejects "network address" "$(cname)" 10.219.0.0/24 true
	rejects "broadcast address" "$(cname)" 10.219.0.255/24 true
	rejects "gateway address" "$(cname)" 10.219.0.1/24 true
	rejects "gateway address" -g 10.219.0.9 "$(cname)" 10.219.0.9/24 true
	rejects "invalid gateway" -g 10.220.0.1 "$(cname)" 10.219.0.2/24 true
	rejects "invalid gateway" -g nope "$(cname)" 10.219.0.2/24 true
}

@test "invalid memory sizes" {
	for m in abc 10X -5 1.5G '' 1M 4194303 99999999999999G 08M 010M 17179869184G 4611686018427387905; do
		rejects "invalid memory limit" -m "$m" "$(cname)" "$(test_ip 2)" true
	done
}

@test "invalid CPU limits" {
	for c in 0 0.00 abc 0.001 -1 1.5.5 .5 99999 "$(($(nproc) + 1))"; do
		rejects "invalid CPU limit" -c "$c" "$(cname)" "$(test_ip 2)" true
	done
}

@test "invalid process limits" {
	for p in 0 -1 abc 1.5 '' 01 99999999; do
		rejects "invalid process limit" -p "$p" "$(cname)" "$(test_ip 2)" true
	done
}

@test "invalid names" {
	for n in -x 'a b' 'a/b' .hidden "$(printf 'n%.0s' {1..64})"; do
		rejects "invalid name" -n "$n" "$(cname)" "$(test_ip 2)" true
	done
}

@test "invalid volumes" {
	rejects "invalid volume" -v nocolon "$(cname)" "$(test_ip 2)" true
	rejects "no such host path" -v "/nonexistent-$$:/x" "$(cname)" "$(test_ip 2)" true
	rejects "absolute path" -v "$BATS_TEST_TMPDIR:relative" "$(cname)" "$(test_ip 2)" true
	rejects "without '..'" -v "$BATS_TEST_TMPDIR:/a/../b" "$(cname)" "$(test_ip 2)" true
	rejects "without '..'" -v "$BATS_TEST_TMPDIR:/" "$(cname)" "$(test_ip 2)" true
	# each would mount over the container's / (a review found /. and //)
	for dst in /. // /./ /var/. /var//shared_folder /var/shared_folder/; do
		rejects "without '..', '.', '//'" -v "$BATS_TEST_TMPDIR:$dst" "$(cname)" "$(test_ip 2)" true
	done
	rejects "no /not-in-rootfs in root filesystem" -v "$BATS_TEST_TMPDIR:/not-in-rootfs" "$(cname)" "$(test_ip 2)" true
	[ ! -e "$ROOTFS/not-in-rootfs" ]
	for dst in /proc /sys/fs /dev/x; do
		rejects "are the container's own" -v "$BATS_TEST_TMPDIR:$dst" "$(cname)" "$(test_ip 2)" true
	done
}

@test "a missing or unusable root filesystem" {
	rejects "invalid root filesystem" -r "$BATS_TEST_TMPDIR/missing" "$(cname)" "$(test_ip 2)" true
	touch "$BATS_TEST_TMPDIR/file"
	rejects "invalid root filesystem" -r "$BATS_TEST_TMPDIR/file" "$(cname)" "$(test_ip 2)" true
	rejects "host's root" -r / "$(cname)" "$(test_ip 2)" true
	mkdir "$BATS_TEST_TMPDIR/empty"
	rejects "it has no /proc directory" -r "$BATS_TEST_TMPDIR/empty" "$(cname)" "$(test_ip 2)" true
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/empty")" ]
}

@test "usage errors: missing operands, unknown option, missing value" {
	rejects "missing HOSTNAME and IP"
	rejects "missing IP after HOSTNAME '$(cname)'" "$(cname)"
	rejects "invalid option '-Z'" -Z "$(cname)" "$(test_ip 2)" true
	run --separate-stderr -125 "$MKC" -m
	[ "$stderr" = "mkcontainer: option -m needs a value (try: $MKC -h)" ]
}

@test "-h prints the usage on stdout and exits 0" {
	run --separate-stderr -0 "$MKC" -h
	assert_line --index 0 --partial "Usage: mkcontainer.sh"
	[ -z "$stderr" ]
}

@test "a name used by a running container is refused" {
	start_container c "$(cname)" "$(test_ip 2)" sh -c 'echo ready; exec sleep 1000'
	wait_output "$c_out" ready
	snapshot "$BATS_TEST_TMPDIR/before"
	rejects "name '$(cname)' is in use" "$(cname)" "$(test_ip 3)" true
	# the name is the hostname by default; -n gives another
	run -0 "$MKC" -n "$(cname)-b" "$(cname)" "$(test_ip 3)" hostname
	assert_output "$(cname)"
}

@test "a gateway that is a running container's address is refused" {
	start_container c "$(cname a)" "$(test_ip 2)" sh -c 'echo ready; exec sleep 1000'
	wait_output "$c_out" ready
	snapshot "$BATS_TEST_TMPDIR/before"
	rejects "gateway $(test_ip 2) is the address of a running container" -g "$(test_ip 2)" "$(cname b)" "$(test_ip 3)" true
}

@test "an IP address used by a running container is refused" {
	start_container c "$(cname a)" "$(test_ip 2)" sh -c 'echo ready; exec sleep 1000'
	wait_output "$c_out" ready
	snapshot "$BATS_TEST_TMPDIR/before"
	rejects "IP address $(test_ip 2) is in use by running container '$(cname a)'" "$(cname b)" "$(test_ip 2)" true
}

@test "an address a start holds, before its name is written: 'starting'; a refused start leaves the lock file alone" {
	IP_FILE=/run/mkcontainer/.ip/$(test_ip 2)
	# A start that holds the address and has not written its name yet.
	mkdir -p /run/mkcontainer/.ip
	exec 7>>"$IP_FILE"
	flock -n 7
	snapshot "$BATS_TEST_TMPDIR/before"
	rejects "IP address $(test_ip 2) is in use by a container that is starting" "$(cname)" "$(test_ip 2)" true
	exec 7>&-
	# A lock file nobody holds (a start killed with -9 left it), and a start
	# refused for its name: it does not touch the file, which is not its own.
	start_container c "$(cname)" "$(test_ip 3)" sh -c 'echo ready; exec sleep 1000'
	wait_output "$c_out" ready
	snapshot "$BATS_TEST_TMPDIR/before"
	rejects "name '$(cname)' is in use" "$(cname)" "$(test_ip 2)" true
	[ -e "$IP_FILE" ] || fail "a start refused for its name removed $IP_FILE"
}

# race NAME1 IP1 NAME2 IP2 ...: start all at once; the one that runs waits
# until the test has seen the others fail.
race() {
	local share=$BATS_TEST_TMPDIR/share i=0
	mkdir -p "$share"
	while [ $# -gt 0 ]; do
		i=$((i + 1))
		start_container "r$i" -v "$share:/var/shared_folder" "$1" "$2" sh -c '
			echo ready
			while [ ! -e /var/shared_folder/go ]; do sleep 0.05; done'
		shift 2
	done
	_three_failed() { [ "$(cat "$BATS_TEST_TMPDIR"/r*.out | grep -c 'is in use')" -eq 3 ]; }
	EVENTUALLY_TIMEOUT=20 eventually _three_failed || fail "$(cat "$BATS_TEST_TMPDIR"/r*.out)"
	eventually _one_ready || fail "$(cat "$BATS_TEST_TMPDIR"/r*.out)"
	touch "$share/go"
	stop_containers
}
_one_ready() { [ "$(cat "$BATS_TEST_TMPDIR"/r*.out | grep -c '^ready$')" -eq 1 ]; }

@test "four containers started at once with one name: exactly one runs" {
	race "$(cname)" "$(test_ip 11)" "$(cname)" "$(test_ip 12)" \
		"$(cname)" "$(test_ip 13)" "$(cname)" "$(test_ip 14)"
	run cat "$BATS_TEST_TMPDIR"/r*.out
	[ "$(grep -c "name '$(cname)' is in use" <<<"$output")" -eq 3 ] || fail "$output"
}

@test "four containers started at once with one IP: exactly one runs" {
	race "$(cname 1)" "$(test_ip 20)" "$(cname 2)" "$(test_ip 20)" \
		"$(cname 3)" "$(test_ip 20)" "$(cname 4)" "$(test_ip 20)"
	run cat "$BATS_TEST_TMPDIR"/r*.out
	[ "$(grep -c "IP address $(test_ip 20) is in use" <<<"$output")" -eq 3 ] || fail "$output"
}

@test "a state directory that cannot be made: 125 and one line that says so" {
	MKC_STATE=/proc/mkc-nope run -125 "$MKC" "$(cname)" "$(test_ip 2)" true
	assert_output "mkcontainer: cannot create state directory '/proc/mkc-nope/.ip'"
}
