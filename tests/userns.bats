#!/usr/bin/env bats
# mkcontainer.sh -U: root in the container is an unprivileged user on the
# host; the rootfs (idmapped) and everything else work as without -U.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	require_root
	require_rootfs
	snapshot "$BATS_TEST_TMPDIR/before"
}

teardown() {
	stop_containers
	stop_detached "$(cname)" "$(cname b)"
	rm -f "$ROOTFS/tmp/userns-test-$BATS_SUITE_TEST_NUMBER"
}

@test "-U: id says root inside, the host sees user 100000" {
	run -0 "$MKC" -U -d "$(cname)" "$(test_ip 2)" sh -c 'exec sleep 1000'
	run -0 "$EXEC" "$(cname)" id
	assert_output "uid=0(root) gid=0(root)"
	init=$(cat "/run/mkcontainer/$(cname)/init.pid")
	cmd=$(pgrep -P "$init")
	run grep -E '^(Uid|Gid):' "/proc/$cmd/status"
	assert_line --regexp '^Uid:\s+100000\s+100000\s+100000\s+100000$'
	assert_line --regexp '^Gid:\s+100000\s+100000\s+100000\s+100000$'
	run -0 "$RM" "$(cname)"
	same_state "$BATS_TEST_TMPDIR/before"
}

@test "-U: the map is 0-65535 inside to 100000-165535 outside; MKC_USERNS changes it" {
	run -0 "$MKC" -U "$(cname)" "$(test_ip 2)" cat /proc/self/uid_map /proc/self/gid_map
	assert_line --regexp '^ +0 +100000 +65536$'
	MKC_USERNS=200000:1000 run -0 "$MKC" -U "$(cname)" "$(test_ip 2)" cat /proc/self/uid_map
	assert_output --regexp '^ +0 +200000 +1000$'
	MKC_USERNS=0:10 run -125 "$MKC" -U "$(cname)" "$(test_ip 2)" true
	assert_output --partial "invalid MKC_USERNS"
}

@test "-U: the rootfs is usable: owned by root inside, writable, and files land as root on the host" {
	f=/tmp/userns-test-$BATS_SUITE_TEST_NUMBER
	run -0 "$MKC" -U "$(cname)" "$(test_ip 2)" sh -c "ls -ln / | grep ' etc\$'; touch $f; ls -ln $f; ls /root >/dev/null && echo root-ok"
	assert_line --regexp '^d.* 0 +0 .* etc$'
	assert_line --regexp "^-.* 0 +0 .* $f\$"
	assert_line root-ok
	assert_equal "$(stat -c %u:%g "$ROOTFS$f")" 0:0
}

@test "-U: root inside has no power over files of host users outside its range" {
	# A host file reached through a volume, owned by host user 200000: not
	# one of the container's IDs (0-65535 are host 0-65535 through the
	# idmapped volume), so it is nobody's inside.
	share=$BATS_TEST_TMPDIR/share
	mkdir "$share"
	echo host >"$share/f"
	chown 200000:200000 "$share/f"
	chmod 600 "$share/f"
	run -0 "$MKC" -U -v "$share:/mnt" "$(cname)" "$(test_ip 2)" sh -c 'cat /mnt/f 2>&1; echo x 2>&1 >>/mnt/f; ls -ln /mnt/f'
	assert_output --partial "Permission denied"
	assert_equal "$(cat "$share/f")" host
}

@test "-U: volumes are idmapped too: root inside writes as root" {
	share=$BATS_TEST_TMPDIR/share
	mkdir "$share"
	run -0 "$MKC" -U -v "$share:/var/shared_folder" "$(cname)" "$(test_ip 2)" sh -c 'echo hi >/var/shared_folder/note && ls -ln /var/shared_folder/note'
	assert_output --regexp ' 0 +0 '
	assert_equal "$(stat -c %u "$share/note")" 0
}

@test "-U: network, hostname, limits and capabilities work as without -U" {
	run -0 "$MKC" -U -d "$(cname)" "$(test_ip 2)" server 8080
	assert_routed_via "$(test_ip 2)" mkc0
	_answers() { "$TOP/bin/demo/client" "$(test_ip 2)" 8080 hi >/dev/null 2>&1; }
	eventually _answers
	run -0 "$TOP/bin/demo/client" "$(test_ip 2)" 8080 hi
	assert_output "hello from $(cname) ($(test_ip 2)): hi"
	run -0 "$RM" "$(cname)"
	run -137 "$MKC" -U -m 32M "$(cname)" "$(test_ip 2)" hungry
	run -0 "$MKC" -U "$(cname)" "$(test_ip 2)" sh -c 'hostname; grep -E "CapEff|Seccomp:" /proc/self/status'
	assert_line "$(cname)"
	assert_line --regexp '^CapEff:\s+00000000a80425fb$'
	assert_line --regexp '^Seccomp:\s+2$'
	same_state "$BATS_TEST_TMPDIR/before"
}

@test "-U: the user namespace is removed with the container, also after kill -9" {
	run -0 "$MKC" -U -d "$(cname)" "$(test_ip 2)" sleep 1000
	grep -q "/run/mkcontainer/$(cname)/userns" /proc/self/mountinfo
	kill -KILL "$(pgrep -f "mkcontainer.sh -U -d $(cname) ")"
	run -0 "$RM" "$(cname)"
	assert_output --partial "removed user namespace"
	same_state "$BATS_TEST_TMPDIR/before"
}

@test "mkuserns: a FILE it made is removed again when it fails; one that was there is left" {
	command -v strace >/dev/null || skip "no strace (make deps)"
	local f=$BATS_TEST_TMPDIR/ns
	run -125 strace -f -o /dev/null -e trace=mount -e inject=mount:error=EPERM mkuserns "$f"
	assert_output --partial "cannot keep the user namespace in '$f'"
	[ ! -e "$f" ] || fail "$f is left"
	touch "$f"
	run -125 strace -f -o /dev/null -e trace=mount -e inject=mount:error=EPERM mkuserns "$f"
	[ -f "$f" ] || fail "the FILE that was there is gone"
}
