#!/usr/bin/env bats
# The container lifecycle: start detached (mkcontainer.sh -d), list
# (lscontainer.sh), enter (execcontainer.sh), stop and remove (rmcontainer.sh),
# and the init's reaping of orphans.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	require_root
	require_rootfs
	snapshot "$BATS_TEST_TMPDIR/before"
	A=$(cname a) B=$(cname b)
}

teardown() {
	stop_containers
	stop_detached "$A" "$B"
}

@test "-d prints the name, exits 0 at once, and the container keeps running" {
	run -0 --separate-stderr "$MKC" -d "$A" "$(test_ip 2)" sh -c 'echo started; exec sleep 1000'
	assert_output "$A"
	[ -z "$stderr" ]
	run -0 "$LS" -q
	assert_line "$A"
	# its output goes to the log in its state directory
	eventually grep -q started "/run/mkcontainer/$A/log"
	assert_routed_via "$(test_ip 2)" mkc0
}

@test "-d returns only once COMMAND runs: it is already exec'd" {
	for round in 1 2 3 4 5; do
		run -0 "$MKC" -d "$A" "$(test_ip 2)" sleep 1000
		# at once, no waiting: the init's child is COMMAND, not a helper
		init=$(cat "/run/mkcontainer/$A/init.pid")
		assert_equal "$(cat "/proc/$(pgrep -P "$init")/comm")" sleep
		run -0 "$RM" -t 0 "$A"
	done
}

@test "-d with a COMMAND that does not exist: 127, the reason, nothing left" {
	run -127 --separate-stderr "$MKC" -d "$A" "$(test_ip 2)" no-such-command
	[ -z "$output" ]
	[[ $stderr == *"cannot execute 'no-such-command'"* ]] || fail "$stderr"
	same_state "$BATS_TEST_TMPDIR/before"
}

@test "-d with a setup error: 125, the reason on stderr, nothing left" {
	other=$BATS_TEST_TMPDIR/rootfs-with-symlinked-proc
	mkdir -p "$other/bin" "$other/dev" "$other/sys" "$other/victim"
	ln -s victim "$other/proc"
	run -125 --separate-stderr "$MKC" -d -r "$other" "$A" "$(test_ip 2)" true
	[[ $stderr == *"symbolic link"* ]] || fail "$stderr"
	[ -z "$(ls -A "$other/victim")" ]
	same_state "$BATS_TEST_TMPDIR/before"
}

@test "a detached container is removed when COMMAND ends by itself" {
	run -0 "$MKC" -d "$A" "$(test_ip 2)" sh -c 'read x; exit 3'
	# stdin is /dev/null: read returns at once and COMMAND exits
	same_state "$BATS_TEST_TMPDIR/before"
}

@test "round trip: detach, list, exec, remove" {
	run -0 "$MKC" -d -m 48M -c 0.5 -p 40 "$A" "$(test_ip 2)" sh -c 'exec sleep 1000'
	run -0 "$LS"
	assert_line --index 0 --regexp '^NAME +HOSTNAME +IP +PID +MEMORY +CPUS +PIDS$'
	assert_line --regexp "^$A +$A +$(test_ip 2)/24 +[0-9]+ +[0-9.]+[KM]/48M +0.5 +1/40\$"
	pid=$(awk -v n="$A" '$1 == n {print $4}' <<<"$output")
	# the PID column is the host PID of the container's init
	assert_equal "$(cat "/proc/$pid/comm")" init
	# exec: hostname, same PID namespace, same root, same cgroup
	run -0 "$EXEC" "$A" sh -c "hostname; ps -o args; cat /proc/self/cgroup; test -x /usr/local/bin/hungry && ! test -e '$BATS_TEST_TMPDIR' && echo in-rootfs"
	assert_line --index 0 "$A"
	assert_line "sleep 1000"
	assert_line --partial "mkc-$A"
	assert_line in-rootfs
	run -0 "$RM" "$A"
	run -0 "$LS" -q
	! grep -qx "$A" <<<"$output"
	same_state "$BATS_TEST_TMPDIR/before"
}

@test "exec: COMMAND's exit status passes through" {
	run -0 "$MKC" -d "$A" "$(test_ip 2)" sleep 1000
	run -7 "$EXEC" "$A" sh -c 'exit 7'
	run -127 "$EXEC" "$A" no-such-command
	run -0 "$EXEC" "$A" true
	# stdin passes through too
	run -0 "$EXEC" "$A" sh -c 'read x; echo "got $x"' <<<hello
	assert_output "got hello"
}

not_listed() { ! "$LS" -q | grep -qx "$1"; }

@test "exec runs under the container's limits: hungry is killed at its memory limit" {
	run -0 "$MKC" -d -m 32M "$A" "$(test_ip 2)" sleep 1000
	run -137 "$EXEC" "$A" hungry
	assert_line "hungry: 16 MiB"
	refute_line "hungry: 32 MiB"
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		# memory.oom.group=1: the OOM killer ends the whole container,
		# and its supervisor removes it
		EVENTUALLY_TIMEOUT=15 eventually not_listed "$A" ||
			fail "$A still listed: $("$LS" -q)"
	else
		# v1 kills only the biggest process: the container lives on
		run -0 "$LS" -q
		assert_line "$A"
	fi
}

@test "exec joins the network namespace: the container's address and port" {
	run -0 "$MKC" -d "$A" "$(test_ip 2)" server 8080
	run -0 "$EXEC" "$A" sh -c 'ip -o -4 addr show dev eth0; client 127.0.0.1 8080 inside'
	assert_line --partial "inet $(test_ip 2)/24"
	assert_line "hello from $A (127.0.0.1): inside"
}

@test "foreground containers are listed too, and rmcontainer stops them" {
	start_container c "$A" "$(test_ip 2)" sh -c 'echo ready; exec sleep 1000'
	wait_output "$c_out" ready
	run -0 "$LS" -q
	assert_line "$A"
	run -0 "$RM" "$A"
	status=0
	wait "$c_pid" || status=$?
	BG_PIDS=()
	[ "$status" -eq 143 ]
	same_state "$BATS_TEST_TMPDIR/before"
}

@test "rmcontainer: SIGTERM reaches COMMAND, which can exit cleanly" {
	share=$BATS_TEST_TMPDIR/share
	mkdir "$share"
	run -0 "$MKC" -d -v "$share:/var/shared_folder" "$A" "$(test_ip 2)" sh -c '
		trap "echo clean exit >/var/shared_folder/note; exit 0" TERM
		sleep 1000 & wait'
	run -0 "$RM" "$A"
	assert_equal "$(cat "$share/note")" "clean exit"
	same_state "$BATS_TEST_TMPDIR/before"
}

@test "rmcontainer -t: a COMMAND that ignores SIGTERM is killed after the grace period" {
	run -0 "$MKC" -d "$A" "$(test_ip 2)" sh -c 'trap "" TERM; while :; do sleep 1; done'
	start=$SECONDS
	run -0 --separate-stderr "$RM" -t 1 "$A"
	[[ $stderr == *"still runs after 1s: killing it"* ]] || fail "$stderr"
	[ $((SECONDS - start)) -le 5 ]
	same_state "$BATS_TEST_TMPDIR/before"
}

@test "rmcontainer removes several at once" {
	run -0 "$MKC" -d "$A" "$(test_ip 2)" sleep 1000
	run -0 "$MKC" -d "$B" "$(test_ip 3)" sleep 1000
	run -0 "$RM" "$A" "$B"
	run -0 "$LS" -q
	assert_output ""
	same_state "$BATS_TEST_TMPDIR/before"
}

@test "unknown names: clear errors, non-zero" {
	run -125 --separate-stderr "$EXEC" no-such-container true
	assert_equal "$stderr" "execcontainer: no container named 'no-such-container'"
	run -125 --separate-stderr "$RM" no-such-container
	assert_equal "$stderr" "rmcontainer: no container named 'no-such-container'"
	run -125 "$EXEC" '../etc' true
	assert_output --partial "invalid container name"
	run -125 "$RM" ''
	assert_output --partial "invalid container name"
}

@test "rmcontainer -s never touches a running container" {
	run -0 "$MKC" -d "$A" "$(test_ip 2)" sleep 1000
	snapshot "$BATS_TEST_TMPDIR/running"
	run -0 "$RM" -s
	assert_output ""
	same_state "$BATS_TEST_TMPDIR/running"
	run -0 "$EXEC" "$A" true
}

@test "after kill -9 of mkcontainer.sh: the container runs on, rmcontainer removes it all" {
	run -0 "$MKC" -d "$A" "$(test_ip 2)" sleep 1000
	supervisor=$(pgrep -f "mkcontainer.sh -d $A ")
	kill -KILL "$supervisor"
	run -0 "$LS" -q
	assert_line "$A"
	run -0 "$RM" "$A"
	assert_output --partial "removed cgroup mkc-$A"
	# its network namespace has no file: it ends with the container's
	# processes, and its veth with it (same_state)
	refute_output --partial "network namespace"
	same_state "$BATS_TEST_TMPDIR/before"
	# the same name and address start cleanly
	run -0 "$MKC" "$A" "$(test_ip 2)" hostname
	assert_output "$A"
}

@test "rmcontainer -s removes what a killed start left, and says what" {
	# Leftovers as a kill -9 leaves them: state, a namespace, a cgroup.
	mkdir -p "/run/mkcontainer/$A"
	printf 'name=%s\nip=%s\nnetns=mkc-%s\ncgroup=mkc-%s\n' "$A" "$(test_ip 2)" "$A" "$A" \
		>"/run/mkcontainer/$A/info"
	echo "$A" >"/run/mkcontainer/.ip/$(test_ip 2)"
	ip netns add "mkc-$A"
	setcg "mkc-$A" true
	run -0 "$RM" -s
	assert_line "rmcontainer: removed state of container $A"
	assert_line --partial "removed network namespace mkc-$A"
	assert_line "rmcontainer: removed cgroup mkc-$A"
	assert_line "rmcontainer: removed address lock $(test_ip 2)"
	same_state "$BATS_TEST_TMPDIR/before"
}

@test "the init reaps orphans: COMMAND that never waits leaves no zombie" {
	run -0 "$MKC" -d "$A" "$(test_ip 2)" sh -c '
		for i in 1 2 3 4 5; do sh -c "sleep 0.1 & exit 0"; done
		exec sleep 1000'
	# the orphans end after 0.1 s; unreaped they would stay as zombies
	_no_orphans() {
		run -0 "$EXEC" "$A" ps -o stat,args
		! grep -qE '^Z|sleep 0.1' <<<"$output"
	}
	eventually _no_orphans || fail "$output"
}

@test "the init reaps what execcontainer leaves behind" {
	run -0 "$MKC" -d "$A" "$(test_ip 2)" sleep 1000
	for round in 1 2 3; do
		run -0 "$EXEC" "$A" sh -c 'sleep 0.1 >/dev/null 2>&1 & exit 0'
	done
	_no_orphans() {
		run -0 "$EXEC" "$A" ps -o stat,args
		! grep -qE '^Z|sleep 0.1' <<<"$output"
	}
	eventually _no_orphans || fail "$output"
}

@test "-h on each lifecycle script; bad options are refused" {
	for s in "$LS" "$EXEC" "$RM"; do
		run -0 "$s" -h
		assert_line --index 0 --partial "Usage: ${s##*/}"
	done
	run -125 "$LS" -Z
	run -125 "$RM" -t x "$A"
	assert_output --partial "invalid -t"
	run -125 "$RM" -s "$A"
	run -125 "$RM"
	assert_output --partial "missing NAME"
}
