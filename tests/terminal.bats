#!/usr/bin/env bats
# Interactive containers, like `docker run -it`: a terminal of their own,
# with job control and the caller's window size. script(1) gives the test a
# pseudo-terminal to be the caller's.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	require_root
	require_rootfs
	command -v script >/dev/null || skip "script (bsdutils) is not installed"
}

teardown() {
	stop_containers
	[ -z "${DETACHED:-}" ] || "$RM" "$DETACHED" >/dev/null 2>&1 || true
}

# on_tty COMMAND: run the shell COMMAND on a new pseudo-terminal; output
# without carriage returns in $output.
on_tty() {
	script -qec "$1" /dev/null </dev/null >"$BATS_TEST_TMPDIR/tty.out" 2>&1 || true
	output=$(tr -d '\r\0' <"$BATS_TEST_TMPDIR/tty.out")
	mapfile -t lines <<<"$output"
}

# on_tty_bg COMMAND: as on_tty, in the background. What the user types goes
# through script's stdin, a FIFO held open here on descriptor $keys (close it
# when done). SIGINT and SIGQUIT are at their defaults, as at a prompt (bats
# starts background jobs with them ignored, and sh cannot trap those).
on_tty_bg() {
	local defaults=()
	# (coreutils 8.31 and later; INT,QUIT is one word)
	# shellcheck disable=SC2054
	! env --default-signal=INT true 2>/dev/null || defaults=(env --default-signal=INT,QUIT)
	mkfifo "$BATS_TEST_TMPDIR/keys"
	"${defaults[@]}" script -qec "$1" /dev/null \
		<"$BATS_TEST_TMPDIR/keys" >"$BATS_TEST_TMPDIR/tty.out" 2>&1 &
	BG_PIDS+=("$!")
	exec {keys}>"$BATS_TEST_TMPDIR/keys"
}

@test "job control: the shell leads the terminal's foreground, a background job gets its own group" {
	# /proc/PID/stat: pid (comm) state ppid pgrp session tty_nr tpgid ...
	on_tty "$MKC $(cname) $(test_ip 2) sh -c 'set -m
		sleep 30 & job=\$!
		read -r _ _ _ _ pgrp _ tty tpgid _ </proc/\$\$/stat
		echo \"shell pgrp=\$pgrp tpgid=\$tpgid tty=\$tty\"
		read -r _ _ _ _ jpgrp _ </proc/\$job/stat
		echo \"job pid=\$job pgrp=\$jpgrp\"
		kill \$job'"
	refute_output --partial "job control turned off"
	[[ $output =~ shell\ pgrp=([0-9]+)\ tpgid=([0-9]+)\ tty=([0-9]+) ]] || fail "$output"
	# the shell is in the terminal's foreground process group
	[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ] || fail "not in the foreground: $output"
	[ "${BASH_REMATCH[3]}" != 0 ] || fail "no controlling terminal: $output"
	[[ $output =~ job\ pid=([0-9]+)\ pgrp=([0-9]+) ]] || fail "$output"
	# the background job is a group of its own, which ^C and ^Z do not reach
	[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ] || fail "job not in its own group: $output"
}

@test "^C at the terminal stops the foreground command, and the shell goes on" {
	on_tty_bg "$MKC $(cname) $(test_ip 2) sh -c 'trap : INT
		echo ready; sleep 30; echo \"sleep ended with \$?\"'"
	wait_output "$BATS_TEST_TMPDIR/tty.out" ready
	printf '\003' >&"$keys"
	EVENTUALLY_TIMEOUT=15 wait_output "$BATS_TEST_TMPDIR/tty.out" "sleep ended"
	exec {keys}>&-
	wait "${BG_PIDS[-1]}" || true
	run tr -d '\r\0' <"$BATS_TEST_TMPDIR/tty.out"
	# (the terminal echoes the ^C)
	assert_line --regexp "sleep ended with 130$"
}

@test "the window size is the caller's" {
	on_tty "stty rows 37 cols 101; $MKC $(cname) $(test_ip 2) stty size"
	# (script(1) types a NUL, ^@, at the end of its empty input)
	assert_line --regexp "(^|\\^@)37 101$"
}

@test "stdin redirected, stdout a terminal: still a terminal of its own, and stdin's end reaches COMMAND" {
	# the caller's terminal on stdout only: COMMAND must not get it (it
	# could read the user's keystrokes through it)
	on_tty "stat -L -c 'outer %t:%T' /proc/self/fd/1; $MKC $(cname) $(test_ip 2) sh -c 'stat -L -c \"inner %t:%T\" /proc/self/fd/1 /proc/self/fd/2; cat; echo cat-ended' </dev/null"
	outer=$(sed -n 's/^outer //p' <<<"$output")
	[ -n "$outer" ] || fail "$output"
	run grep -c "^inner " <<<"$output"
	[ "$output" = 2 ] || fail "no inner lines"
	run grep "^inner $outer\$" "$BATS_TEST_TMPDIR/tty.out"
	[ "$status" -ne 0 ] || fail "COMMAND has the caller's terminal $outer"
	grep -q "cat-ended" "$BATS_TEST_TMPDIR/tty.out" || fail "cat never saw the end of stdin"
}

@test "on a terminal (where ptyexec forks), the container is listed with its init, entered and removed" {
	on_tty_bg "$MKC $(cname) $(test_ip 2) sh -c 'echo ready; exec sleep 1000'"
	wait_output "$BATS_TEST_TMPDIR/tty.out" ready
	# the PID column: the host PID of its init, not "-"
	run -0 "$LS"
	assert_line --regexp "^$(cname) +$(cname) +$(test_ip 2)/24 +[0-9]+ "
	run -0 "$EXEC" "$(cname)" hostname
	assert_output "$(cname)"
	run -0 "$RM" "$(cname)"
	exec {keys}>&-
	run -0 "$LS" -q
	refute_output --partial "$(cname)"
}

@test "execcontainer on a terminal: when the container's cgroup is killed, the caller's terminal gets its mode back" {
	run -0 "$MKC" -d "$(cname)" "$(test_ip 2)" sleep 999
	DETACHED=$(cname)
	cat >"$BATS_TEST_TMPDIR/session" <<-EOF
		stty -a | grep -o -- '-\?icanon' | sed 's/^/before /'
		"$EXEC" "$(cname)" sh -c 'echo inside; exec sleep 1000'
		echo "status \$?"
		stty -a | grep -o -- '-\?icanon' | sed 's/^/after /'
	EOF
	on_tty_bg "sh $BATS_TEST_TMPDIR/session"
	wait_output "$BATS_TEST_TMPDIR/tty.out" inside
	# what the end of a container does to its cgroup: everything in it dies
	run -0 setcg -rf "mkc-$(cname)"
	wait_output "$BATS_TEST_TMPDIR/tty.out" "^after"
	exec {keys}>&-
	run tr -d '\r\0' <"$BATS_TEST_TMPDIR/tty.out"
	assert_line "before icanon"
	assert_line "status 137"
	assert_line "after icanon"
}

@test "stdin a terminal, stdout a file: the file gets COMMAND's output as written, no \\r\\n, no echo" {
	on_tty "$MKC $(cname) $(test_ip 2) sh -c 'echo one; echo two; [ -t 0 ] && echo stdin-tty >&2' >$BATS_TEST_TMPDIR/file"
	# the terminal still has COMMAND's stderr
	assert_output --partial stdin-tty
	run -0 od -An -c "$BATS_TEST_TMPDIR/file"
	assert_output "   o   n   e  \\n   t   w   o  \\n"
}

@test "stdin a file, stdout a terminal: COMMAND reads every byte of the file, control characters and all" {
	share=$BATS_TEST_TMPDIR/share
	mkdir "$share"
	printf 'a\003b\004c\r\nd\025e\177' >"$BATS_TEST_TMPDIR/in"
	on_tty "$MKC -v $share:/var/shared_folder $(cname) $(test_ip 2) sh -c '[ -t 1 ] && echo stdout-tty; cat >/var/shared_folder/copy; echo status \$?' <$BATS_TEST_TMPDIR/in"
	assert_line --partial stdout-tty
	assert_line --partial "status 0"
	cmp "$BATS_TEST_TMPDIR/in" "$share/copy" || fail "$(od -c "$share/copy")"
}

@test "stdin a terminal: a SIGINT sent to mkcontainer reaches COMMAND (^C there is a byte for the container's terminal)" {
	env --default-signal=INT true 2>/dev/null || skip "env --default-signal (coreutils 8.31) is needed"
	cat >"$BATS_TEST_TMPDIR/session" <<-'EOF'
		"$1" "$2" "$3" sh -c 'trap "echo got-int; exit 3" INT; echo ready; while :; do sleep 1; done'
		echo "status $?"
	EOF
	on_tty_bg "sh $BATS_TEST_TMPDIR/session $MKC $(cname) $(test_ip 2)"
	wait_output "$BATS_TEST_TMPDIR/tty.out" ready
	pkill -INT -f "^/bin/sh $MKC $(cname) "
	wait_output "$BATS_TEST_TMPDIR/tty.out" "^status"
	exec {keys}>&-
	run tr -d '\r\0' <"$BATS_TEST_TMPDIR/tty.out"
	assert_line got-int
	assert_line "status 3"
}

@test "stdin not a terminal, stdout one: a typed ^C reaches COMMAND once, not also through mkcontainer" {
	env --default-signal=INT true 2>/dev/null || skip "env --default-signal (coreutils 8.31) is needed"
	cat >"$BATS_TEST_TMPDIR/session" <<-'EOF'
		"$1" "$2" "$3" sh -c 'n=0; trap "n=\$((n + 1))" INT; echo ready; i=0
			while [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done; echo "ints $n"' </dev/null
	EOF
	on_tty_bg "sh $BATS_TEST_TMPDIR/session $MKC $(cname) $(test_ip 2)"
	wait_output "$BATS_TEST_TMPDIR/tty.out" ready
	printf '\003' >&"$keys"
	EVENTUALLY_TIMEOUT=20 wait_output "$BATS_TEST_TMPDIR/tty.out" "ints [0-9]"
	exec {keys}>&-
	run tr -d '\r\0' <"$BATS_TEST_TMPDIR/tty.out"
	# (after the terminal's echo of the ^C)
	assert_line --regexp "ints 1$"
}
