#!/usr/bin/env bats
# However the container ends - COMMAND exits, is killed, or mkcontainer.sh gets
# SIGTERM, SIGINT or SIGHUP - everything it made is removed (the bridge aside).

load helpers
bats_require_minimum_version 1.5.0

setup() {
	require_root
	require_rootfs
	snapshot "$BATS_TEST_TMPDIR/before"
}

teardown() {
	stop_containers
}

# signal_ends SIGNAL STATUS: SIGNAL to mkcontainer.sh stops a running
# container, mkcontainer.sh exits STATUS and leaves nothing behind.
# (bash starts background jobs with SIGINT ignored, and a shell cannot trap
# a signal ignored on entry: env --default-signal gives it back.)
signal_ends() {
	start_container c --default-signal=INT "$(cname)" "$(test_ip 2)" sh -c 'echo ready; exec sleep 1000'
	wait_output "$c_out" ready
	pid=$(command_pid "$c_pid")
	kill "-$1" "$c_pid"
	status=0
	wait "$c_pid" || status=$?
	BG_PIDS=()
	[ "$status" -eq "$2" ] || fail "exit status $status, expected $2: $(cat "$c_out")"
	run ! kill -0 "$pid"
	same_state "$BATS_TEST_TMPDIR/before"
}

@test "SIGTERM to mkcontainer.sh: the container stops, exit 143, nothing left" {
	signal_ends TERM 143
}

@test "SIGINT to mkcontainer.sh: the container stops, exit 130, nothing left" {
	signal_ends INT 130
}

@test "SIGHUP to mkcontainer.sh: the container stops, exit 129, nothing left" {
	signal_ends HUP 129
}

@test "SIGTERM is passed to COMMAND, which can exit cleanly with its own status" {
	start_container c "$(cname)" "$(test_ip 2)" sh -c '
		trap "echo cleaning up; exit 0" TERM
		echo ready
		sleep 1000 & wait'
	wait_output "$c_out" ready
	kill -TERM "$c_pid"
	status=0
	wait "$c_pid" || status=$?
	BG_PIDS=()
	[ "$status" -eq 0 ]
	run cat "$c_out"
	assert_line "cleaning up"
	same_state "$BATS_TEST_TMPDIR/before"
}

@test "a COMMAND that ignores SIGTERM is killed after the grace period (137)" {
	MKC_STOP_TIMEOUT=1 start_container c "$(cname)" "$(test_ip 2)" sh -c '
		trap "" TERM
		echo ready
		while :; do sleep 1; done'
	wait_output "$c_out" ready
	kill -TERM "$c_pid"
	status=0
	wait "$c_pid" || status=$?
	BG_PIDS=()
	[ "$status" -eq 137 ]
	same_state "$BATS_TEST_TMPDIR/before"
}

@test "COMMAND killed from the host (kill -9): exit 137, nothing left" {
	start_container c "$(cname)" "$(test_ip 2)" sh -c 'echo ready; exec sleep 1000'
	wait_output "$c_out" ready
	kill -KILL "$(command_pid "$c_pid")"
	status=0
	wait "$c_pid" || status=$?
	BG_PIDS=()
	[ "$status" -eq 137 ]
	same_state "$BATS_TEST_TMPDIR/before"
}

@test "the container's processes all end with it, background ones included" {
	start_container c "$(cname)" "$(test_ip 2)" sh -c 'sleep 1001 & sleep 1002 & echo ready; exec sleep 1000'
	wait_output "$c_out" ready
	kill -TERM "$c_pid"
	wait "$c_pid" || true
	BG_PIDS=()
	run ! pgrep -f '^sleep 100[0-2]$'
	same_state "$BATS_TEST_TMPDIR/before"
}

# any_moment SIGNAL: SIGNAL at moments throughout the start; each time the
# container ends and nothing is left.
any_moment() {
	for delay in 0 0.002 0.005 0.008 0.01 0.012 0.014 0.02 0.03 0.05 0.08; do
		start_container c --default-signal=INT "$(cname)" "$(test_ip 2)" sleep 1000
		# signal mkcontainer.sh, not the shell bats forks to start it
		eventually grep -q mkcontainer "/proc/$c_pid/cmdline"
		sleep "$delay"
		kill "-$1" "$c_pid"
		status=0
		EVENTUALLY_TIMEOUT=5 eventually sh -c "! kill -0 $c_pid 2>/dev/null" ||
			fail "still running $delay s after SIG$1"
		wait "$c_pid" || status=$?
		BG_PIDS=()
		[ "$status" -ne 0 ] || fail "exit 0 after SIG$1 at $delay s"
		same_state "$BATS_TEST_TMPDIR/before"
	done
}

@test "SIGTERM at any moment of the start leaves nothing behind" {
	any_moment TERM
}

@test "SIGINT at any moment of the start leaves nothing behind" {
	any_moment INT
}

@test "SIGQUIT, SIGUSR1 and SIGUSR2 to mkcontainer.sh reach COMMAND" {
	start_container c --default-signal=INT,QUIT "$(cname)" "$(test_ip 2)" sh -c '
		trap "echo got USR1" USR1
		trap "echo got USR2" USR2
		trap "echo got QUIT; exit 3" QUIT
		echo ready
		while :; do sleep 0.05; done'
	wait_output "$c_out" ready
	kill -USR1 "$c_pid"
	wait_output "$c_out" "got USR1"
	kill -USR2 "$c_pid"
	wait_output "$c_out" "got USR2"
	kill -QUIT "$c_pid"
	status=0
	wait "$c_pid" || status=$?
	BG_PIDS=()
	[ "$status" -eq 3 ]
	same_state "$BATS_TEST_TMPDIR/before"
}
