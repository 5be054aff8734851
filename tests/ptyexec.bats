#!/usr/bin/env bats
# ptyexec alone: a pseudo-terminal of its own when there is a terminal, a
# session without one otherwise; status, signals and descriptors pass.
#
# script(1) gives the commands under test a terminal: its own new pty, so
# that nothing here touches the terminal the tests were started from.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	T=$BATS_TEST_TMPDIR
	export T
}

teardown() {
	# Processes a test left holding a pty.
	if [ -s "$T/leftover.pid" ]; then
		kill -KILL $(cat "$T/leftover.pid") 2>/dev/null || true
	fi
}

# script(1) is in bsdutils, which install-deps.sh does not check for.
require_script() {
	command -v script >/dev/null || skip "script(1) is not installed (Debian: bsdutils)"
}

# The probes that wait for a signal or use TIOCSTI are small Python programs.
require_python3() {
	command -v python3 >/dev/null || skip "python3 is not installed"
}

# on_tty 'sh code': run the code under script(1), on a terminal of its own;
# $output and $lines without the pty's carriage returns. Standard input is
# $TTY_INPUT when set, else a FIFO that gives neither data nor EOF (at EOF
# script(1) would type ^D into the terminal).
on_tty() {
	require_script
	printf '%s\n' "$1" >"$T/on_tty.sh"
	if [ -n "${TTY_INPUT-}" ]; then
		printf '%s' "$TTY_INPUT" >"$T/input"
	else
		[ -p "$T/input" ] || mkfifo "$T/input"
	fi
	run timeout 20 script -qec "sh $T/on_tty.sh" /dev/null <>"$T/input" 3>&-
	output=${output//$'\r'/}
	IFS=$'\n' read -d '' -r -a lines <<<"$output" || true
	[ "$status" -ne 124 ] || fail "timed out: $output"
}

# value KEY: the value of the first "KEY=VALUE" word in $output.
value() {
	grep -o "$1=[^ ]*" <<<"$output" | head -1 | cut -d= -f2-
}

@test "-h prints usage on stdout and exits 0" {
	run --separate-stderr -0 ptyexec -h
	assert_line --index 0 --partial "Usage: ptyexec"
	[ -z "$stderr" ]
}

@test "usage errors exit 125 with a hint" {
	run -125 ptyexec
	assert_output --partial "no command given"
	assert_output --partial "Try 'ptyexec -h'"
	run -125 ptyexec -Z true
	assert_output --partial "Try 'ptyexec -h'"
}

@test "-i and -e: COMMAND's environment, as env -i NAME=VALUE, with a terminal or not" {
	MKC_TEST_SECRET=x run -0 ptyexec -i -e A=1 -e B=x=y /usr/bin/env </dev/null
	assert_output "A=1
B=x=y"
	MKC_TEST_SECRET=x run -0 ptyexec -e A=2 /usr/bin/env </dev/null
	assert_line A=2
	assert_line MKC_TEST_SECRET=x
	MKC_TEST_SECRET=x on_tty 'ptyexec -i -e A=3 /usr/bin/env'
	[ "$status" -eq 0 ] || fail "$output"
	assert_output A=3
	run -125 ptyexec -e A /usr/bin/env
	assert_line --index 0 "ptyexec: invalid -e 'A': expected NAME=VALUE"
	run -125 ptyexec -e =1 /usr/bin/env
	assert_line --index 0 "ptyexec: invalid -e '=1': expected NAME=VALUE"
}

@test "COMMAND not found: 127, not executable: 126, with a terminal or not" {
	run -127 ptyexec /nonexistent/cmd </dev/null
	assert_output --partial "cannot execute '/nonexistent/cmd'"
	run -126 ptyexec /etc/passwd </dev/null
	on_tty 'ptyexec /nonexistent/cmd; echo "status=$?"; ptyexec /etc/passwd; echo "status=$?"'
	assert_line "status=127"
	assert_line "status=126"
}

@test "with a terminal: COMMAND has a new pty, in a new session whose controlling terminal it is" {
	on_tty '
		echo "outer tty=$(tty) sid=$(ps -o sid= -p $$ | tr -d " ")"
		ptyexec sh -c "[ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo all-ttys
			echo \"inner tty=\$(tty) out=\$(readlink /proc/\$\$/fd/1)\" \
				\"err=\$(readlink /proc/\$\$/fd/2)\" \
				\"pid=\$\$ sid=\$(ps -o sid= -p \$\$ | tr -d \" \")\" \
				\"ctty=/dev/\$(ps -o tty= -p \$\$ | tr -d \" \")\""'
	[ "$status" -eq 0 ] || fail "$output"
	assert_line all-ttys
	outer=$(grep '^outer ' <<<"$output")
	inner=$(grep '^inner ' <<<"$output")
	output=$outer
	outer_tty=$(value tty) outer_sid=$(value sid)
	output=$inner
	[[ $outer_tty == /dev/pts/* ]] || fail "outer: $outer"
	[[ $(value tty) == /dev/pts/* ]] || fail "inner: $inner"
	[ "$(value tty)" != "$outer_tty" ] || fail "same pty inside and out: $inner"
	[ "$(value out)" = "$(value tty)" ] || fail "stdout: $inner"
	[ "$(value err)" = "$(value tty)" ] || fail "stderr: $inner"
	# COMMAND leads the new session (the child exec'd it)...
	[ "$(value sid)" = "$(value pid)" ] || fail "not a session leader: $inner"
	[ "$(value sid)" != "$outer_sid" ] || fail "same session: $inner"
	# ...whose controlling terminal is the new pty.
	[ "$(value ctty)" = "$(value tty)" ] || fail "controlling terminal: $inner"
}

@test "with a terminal: the window size and settings are the caller's" {
	on_tty 'stty rows 33 cols 77 -echoe; ptyexec sh -c "stty size; stty -a"'
	[ "$status" -eq 0 ] || fail "$output"
	assert_line "33 77"
	assert_output --regexp '(^| )-echoe( |$)'
}

@test "with a terminal: output and input pass through" {
	TTY_INPUT=$'ping\n' on_tty \
		'ptyexec sh -c "read -r line && echo \"got:\$line\" && echo to-stderr >&2"'
	[ "$status" -eq 0 ] || fail "$output"
	assert_line "got:ping"
	assert_line "to-stderr"
}

@test "with a terminal: all the output is relayed, even a lot and at the very end" {
	on_tty 'ptyexec sh -c "seq 1 50000; printf last-line-without-newline" | tail -n 2'
	[ "$status" -eq 0 ] || fail "$output"
	assert_line --index 0 50000
	assert_line --index 1 last-line-without-newline
}

@test "with a terminal: processes left holding the pty do not keep ptyexec" {
	# The child ends at once; its own child keeps the pty open for a
	# minute, silent (sleep) or writing without end (a loop that ignores
	# the errors of its writes once the pty is gone, as yes would not).
	on_tty 'ptyexec sh -c "trap \"\" HUP; sleep 60 & echo \$! >>\"$T/leftover.pid\"; echo started"
		echo "status=$?"
		ptyexec sh -c "trap \"\" HUP; (while :; do echo y; done 2>/dev/null) & echo \$! >>\"$T/leftover.pid\"; echo started" >"$T/out"
		echo "status=$?"'
	assert_line started
	assert_line --index 1 "status=0"
	assert_line --index 2 "status=0"
	grep -q '^started' "$T/out" || fail "$(head -c 200 "$T/out")"
	for pid in $(cat "$T/leftover.pid"); do
		kill -0 "$pid" || fail "process $pid is gone: the test proves nothing"
	done
}

@test "with a terminal: the exit status passes, and a death by signal" {
	on_tty 'ptyexec sh -c "exit 7"; echo "status=$?"
		ptyexec sh -c "kill -TERM \$\$"; echo "status=$?"'
	assert_line "status=7"
	assert_line "status=143"
	on_tty 'exec ptyexec sh -c "exit 7"'
	[ "$status" -eq 7 ]
	on_tty 'exec ptyexec sh -c "kill -USR1 \$\$"'
	[ "$status" -eq 138 ]
}

@test "with a terminal: raw while COMMAND runs, the caller's settings restored after every end" {
	on_tty '
		t=$(tty)
		echo "before=$(stty -g)"
		ptyexec sh -c "echo during: \$(stty -a <$t)"
		echo "after-exit=$(stty -g)"
		ptyexec sh -c "kill -TERM \$\$"
		echo "after-signal=$(stty -g)"
		ptyexec /nonexistent/cmd
		echo "after-failure=$(stty -g)"'
	[ "$status" -eq 0 ] || fail "$output"
	before=$(value before)
	[ -n "$before" ] || fail "$output"
	# The caller's terminal is raw meanwhile: ^C is a byte for the pty.
	for flag in -isig -icanon -echo; do
		assert_output --regexp "during:.* $flag( |\$)"
	done
	[ "$(value after-exit)" = "$before" ] || fail "not restored after an exit: $output"
	[ "$(value after-signal)" = "$before" ] || fail "not restored after a signal: $output"
	[ "$(value after-failure)" = "$before" ] || fail "not restored after a failed exec: $output"
}

@test "with a terminal: SIGTERM to ptyexec reaches COMMAND" {
	require_python3
	on_tty '
		ptyexec python3 -c "
import signal, sys
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGTERM])
open(\"$T/ready\", \"w\").close()
if signal.sigtimedwait([signal.SIGTERM], 15):
    print(\"got-term\")
    sys.exit(9)" </dev/tty &
		p=$!
		n=0
		until [ -e "$T/ready" ] || [ $n -ge 200 ]; do sleep 0.05; n=$((n + 1)); done
		kill -TERM $p
		wait $p
		echo "status=$?"'
	assert_line got-term
	assert_line "status=9"
}

@test "with a terminal: a change of window size reaches COMMAND" {
	require_python3
	on_tty '
		stty rows 20 cols 60
		ptyexec python3 -c "
import os, signal
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGWINCH])
open(\"$T/ready\", \"w\").close()
size = (0, 0)
# stty sets the rows, then the columns: a signal for each.
while size != (40, 90) and signal.sigtimedwait([signal.SIGWINCH], 15):
    size = tuple(os.get_terminal_size(0))[::-1]
print(\"size=%sx%s\" % size)" </dev/tty &
		p=$!
		n=0
		until [ -e "$T/ready" ] || [ $n -ge 200 ]; do sleep 0.05; n=$((n + 1)); done
		stty rows 40 cols 90
		wait $p
		echo "status=$?"'
	assert_line "size=40x90"
	assert_line "status=0"
}

# The probe types MARKER-now into its terminal at once (TIOCSTI), then leaves
# a process behind that waits until the caller's shell runs again, and types
# MARKER-later: the real attack, since the shell then reads its terminal. It
# writes what became of that into the FIFO $T/done.
write_tiocsti_probe() {
	cat >"$T/probe.py" <<-'EOF'
	import fcntl, os, signal, sys, termios
	marker, go, done = sys.argv[1:4]
	tty = os.open("/dev/tty", os.O_RDWR)
	def inject(text):
	    for ch in text.encode():
	        fcntl.ioctl(tty, termios.TIOCSTI, bytes([ch]))
	inject(marker + "-now\n")
	if os.fork() == 0:
	    signal.signal(signal.SIGHUP, signal.SIG_IGN)
	    signal.alarm(15)
	    with open(go) as f:
	        f.read()
	    try:
	        inject(marker + "-later\n")
	        result = "injected"
	    except OSError as e:
	        result = "failed: " + e.strerror
	    with open(done, "w") as f:
	        f.write(result + "\n")
	    os._exit(0)
	EOF
	rm -f "$T/go" "$T/done"
	mkfifo "$T/go" "$T/done"
}

# tiocsti_attack [WRAPPER]: the probe, run by WRAPPER, then what the shell
# that started it reads from its terminal.
tiocsti_attack() {
	write_tiocsti_probe
	on_tty "
		$* python3 $T/probe.py MARK$$ $T/go $T/done
		echo go >$T/go
		echo \"probe: \$(cat $T/done)\"
		exec bash -c 'if read -t 1 -r line; then echo \"outer read: \$line\"; else echo \"outer read nothing\"; fi'"
}

@test "with a terminal: TIOCSTI cannot type into the caller's shell" {
	require_python3
	# Without ptyexec, the probe does reach the shell: else this kernel
	# refuses TIOCSTI (dev.tty.legacy_tiocsti = 0, not root) and the
	# test below could not fail.
	tiocsti_attack
	if [[ $output != *"outer read: MARK$$-"* ]]; then
		skip "TIOCSTI does not work here, even without ptyexec: $output"
	fi
	tiocsti_attack ptyexec
	# The probe ran, and its late attempt found its terminal hung up.
	assert_line --partial "probe: failed"
	assert_line "outer read nothing"
	refute_output --partial "outer read: MARK$$"
}

@test "without a terminal: a new session with no controlling terminal, same PID" {
	# Under script(1), the caller does have a controlling terminal to lose;
	# none of 0, 1 and 2 is a terminal (a pipe to cat for 1 and 2).
	on_tty '
		echo "outer sid=$(ps -o sid= -p $$ | tr -d " ")"
		{ sh -c "echo before=\$\$; exec ptyexec sh -c '\''
			echo after=\$\$ sid=\$(ps -o sid= -p \$\$ | tr -d \" \") ctty=\$(ps -o tty= -p \$\$)
			: </dev/tty; exit 5'\''"
		echo "status=$?"; } </dev/null 2>&1 | cat'
	outer_sid=$(value sid)
	inner=$(grep '^after=' <<<"$output") || fail "$output"
	[ -n "$(value before)" ] || fail "$output"
	[ "$(value after)" = "$(value before)" ] || fail "PID changed: $output"
	output=$inner
	[ "$(value sid)" = "$(value after)" ] || fail "not a new session: $inner"
	[ "$(value sid)" != "$outer_sid" ] || fail "same session: $inner"
	[ "$(value ctty)" = "?" ] || fail "has a controlling terminal: $inner"
	on_tty '{ ptyexec sh -c ": </dev/tty"; echo "status=$?"; } </dev/null 2>&1 | cat'
	assert_output --partial "No such device or address"
	assert_line "status=2"
}

@test "without a terminal: the exit status passes" {
	run -5 ptyexec sh -c 'exit 5' </dev/null
	run -0 ptyexec true </dev/null
}

@test "without a terminal, as a process group leader: forks, passes status, signals and ends" {
	require_python3
	# setsid(1) makes ptyexec a session (and group) leader: setsid fails
	# with EPERM, so the new session must be a child's.
	run -0 setsid ptyexec sh -c 'echo "pid=$$ sid=$(ps -o sid= -p $$ | tr -d " ")"' </dev/null
	[ "$(value sid)" = "$(value pid)" ] || fail "not a new session: $output"
	run -6 setsid ptyexec sh -c 'exit 6' </dev/null
	run -138 setsid ptyexec sh -c 'kill -USR1 $$' </dev/null

	setsid ptyexec python3 -c "
import signal, sys
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGTERM])
open('$T/ready', 'w').close()
if signal.sigtimedwait([signal.SIGTERM], 15):
    print('got-term')
    sys.exit(9)" </dev/null >"$T/out" 3>&- &
	p=$!
	EVENTUALLY_TIMEOUT=10 eventually test -e "$T/ready"
	kill -TERM "$p"
	status=0
	wait "$p" || status=$?
	[ "$status" -eq 9 ] || fail "status $status: $(cat "$T/out")"
	grep -qx got-term "$T/out"
}

@test "descriptors other than 0, 1 and 2 stay open in COMMAND, with a terminal or not" {
	run -0 ptyexec sh -c 'ls /proc/$$/fd' </dev/null 8>/dev/null 9<"$T"
	assert_line 8
	assert_line 9
	on_tty '
		exec 8>/dev/null 9<"$T"
		echo "outer=$(tty)"
		ptyexec sh -c "cd /proc/\$\$/fd && for fd in *; do echo \"fd \$fd \$(readlink \$fd)\"; done"'
	[ "$status" -eq 0 ] || fail "$output"
	assert_line "fd 8 /dev/null"
	assert_line "fd 9 $T"
	# And none of them is the caller's terminal.
	outer=$(value outer)
	[[ $outer == /dev/pts/* ]] || fail "$output"
	refute_line --regexp "^fd [0-9]+ $outer\$"
	assert_line --regexp '^fd 0 /dev/pts/'
}
