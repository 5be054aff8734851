#!/usr/bin/env bats
# The README's "A container by hand", pasted into a root shell: every step
# runs, shows what it says, and the last step leaves nothing behind.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	require_root
	require_rootfs
	N=tut$((RANDOM % 10000))
	snapshot "$BATS_TEST_TMPDIR/before"
}

teardown() {
	setcg -rf "mkc-$N" 2>/dev/null || true
	ip netns delete "$N" 2>/dev/null || true
	ip link delete "mkc$N" 2>/dev/null || true
	ip link delete "mkc${N}2" 2>/dev/null || true
}

# The tutorial's lines as a script, with the test's names and addresses. A
# step that opens a shell in the container is followed by a comment saying
# what to type there: that becomes the shell's -c.
tutorial() {
	awk '/^## A container by hand/ { f = 1 }
	     f && /^```sh$/ { b = 1; next }
	     b && /^```$/ { exit }
	     b' "$TOP/README.md" |
		sed -e '/^sudo -s$/d' \
			-e "s/10\\.0\\.0\\./$TEST_NET./g" \
			-e "s/demo/$N/g" \
			-e "s|/tmp/share|$BATS_TEST_TMPDIR/share|g" |
		awk '{ line[NR] = $0 }
		     END {
			for (n = 1; n <= NR; n++) {
				l = line[n]
				if (l ~ /\/bin\/sh$/ && line[n + 1] ~ /^#    inside: /) {
					cmds = line[n + 1]
					sub(/^#    inside: /, "", cmds)
					sub(/; exit$/, "", cmds)
					sub(/\/bin\/sh$/, "/bin/sh -c '\''" cmds "'\''", l)
				}
				print l
			}
		     }'
}

@test "the tutorial's block is found, and every shell in it gets its input" {
	run -0 tutorial
	assert_line "ip netns add $N"
	assert_line --partial "mkveth -N -b mkc0 "
	# three shells in the container, each given what the README says to type
	[ "$(grep -c "/bin/sh -c '" <<<"$output")" -eq 3 ]
	refute_line --regexp '/bin/sh$'
}

@test "pasted into a root shell, the tutorial builds the container step by step and cleans up" {
	tutorial >"$BATS_TEST_TMPDIR/tutorial.sh"
	cd "$TOP"
	run bash -e "$BATS_TEST_TMPDIR/tutorial.sh" </dev/null
	[ "$status" -eq 0 ] || fail "exit $status: $output"
	# 1, 2: the namespace, the veth, the address, the route; ping answered
	assert_line "$N"
	assert_line --regexp "^eth0@if[0-9]+ +UP +$TEST_NET\\.2/24"
	assert_line --regexp "^default via $TEST_NET\\.1 dev eth0"
	assert_line --regexp "1 packets transmitted, 1 packets received"
	# 3: hostname and PID namespace (the init is PID 1)
	assert_line "my PID is 2"
	# 4: the cgroup, seen from inside and with setcg -s
	assert_line --regexp "^[0-9]+:.*:/mkc-$N\$"
	assert_line "memory.limit 67108864"
	assert_line "pids.max 64"
	# 5: the rootfs and the volume
	assert_line "usr"
	assert_line hello
	# 6: powers gone: the capability set, the hostname, the filter
	assert_line --regexp "^CapEff:[[:space:]]+00000000a80425fb\$"
	assert_line --partial "Operation not permitted"
	assert_line "keyctl: Operation not permitted"
	# 7: the whole chain: network and no_new_privs
	assert_line --regexp "^NoNewPrivs:[[:space:]]+1\$"
	# 8: nothing left but the bridge (the veths go with their namespaces)
	[ ! -e "$BATS_TEST_TMPDIR/share" ]
	_nothing_left() { same_state "$BATS_TEST_TMPDIR/before" 2>/dev/null; }
	eventually _nothing_left || same_state "$BATS_TEST_TMPDIR/before"
}
