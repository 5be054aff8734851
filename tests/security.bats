#!/usr/bin/env bats
# Secure defaults, each probed from inside a container. Every probe is
# harmless where the protection is missing: it reads, writes back a value that
# is already there, or uses arguments that fail anyway; nothing sets the
# clock, loads a module or writes a new value into /proc/sys or /sys.

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

# in_container COMMAND...: run it in a fresh container.
in_container() {
	"$MKC" "$(cname)" "$(test_ip 2)" "$@"
}

@test "masked: kernel memory, keys, timers, firmware read as empty" {
	run -0 in_container sh -c '
		for f in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug /proc/latency_stats /proc/interrupts; do
			[ ! -e $f ] || echo "$f $(wc -c <$f)"
		done
		for d in /sys/firmware /proc/acpi /proc/scsi /proc/asound; do
			[ ! -e $d ] || echo "$d [$(ls -A $d)]"
		done'
	assert_line "/proc/keys 0"
	assert_line "/proc/timer_list 0"
	assert_line "/proc/interrupts 0"
	assert_line "/sys/firmware []"
	refute_line --regexp ' [1-9][0-9]*$'
	refute_line --regexp '\[.+\]'
	# while the host's are not empty
	[ "$(wc -c </proc/timer_list)" -gt 0 ]
	[ -n "$(ls -A /sys/firmware)" ]
}

@test "read-only: /proc/sys refuses even the value it already has" {
	run -0 in_container sh -c '
		v=$(cat /proc/sys/kernel/core_pattern)
		(printf "%s\n" "$v" >/proc/sys/kernel/core_pattern) 2>&1 && echo "written"
		true'
	assert_output --partial "Read-only file system"
	refute_output --partial written
}

@test "read-only: /proc/sys, sysrq-trigger, irq, bus, fs and /sys are mounted read-only" {
	run -0 in_container sh -c 'cut -d" " -f5,6 /proc/self/mountinfo'
	for p in /proc/sys /proc/sysrq-trigger /proc/irq /proc/bus /proc/fs /sys; do
		[ -e "$p" ] || continue
		assert_line --regexp "^$p ro,"
	done
}

@test "the cgroup filesystem cannot be mounted from inside" {
	# in the container's own mount namespace: harmless if it did work
	run -0 in_container sh -c 'mount -t cgroup2 none /mnt 2>&1; echo "status $?"'
	refute_line "status 0"
	run -0 in_container sh -c 'mount -t cgroup -o memory none /mnt 2>&1; echo "status $?"'
	refute_line "status 0"
}

@test "/dev has only the harmless devices: no disks, no kmsg, no mem" {
	run -0 in_container ls -A /dev
	assert_equal "$(echo $output)" "fd full null ptmx pts random shm stderr stdin stdout tty urandom zero"
	run -0 in_container sh -c 'ls /dev/pts'
	assert_output ptmx
}

@test "/dev's devices are the host's nodes on read-only mounts: usable, but root inside cannot chmod them" {
	# chmod to the mode they already have: harmless if it were allowed
	run -0 in_container sh -c 'echo x >/dev/null && head -c 4 /dev/zero | wc -c
		chmod 666 /dev/null 2>&1; chown 0:0 /dev/zero 2>&1; true'
	assert_line 4
	assert_line --partial "chmod: /dev/null: Read-only file system"
	assert_line --partial "chown: /dev/zero: Read-only file system"
}

@test "capabilities: Docker's default set, without the dangerous ones; none inheritable or ambient" {
	run -0 in_container grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs)' /proc/self/status
	assert_line --regexp '^CapEff:\s+00000000a80425fb$'
	assert_line --regexp '^CapPrm:\s+00000000a80425fb$'
	assert_line --regexp '^CapBnd:\s+00000000a80425fb$'
	assert_line --regexp '^CapInh:\s+0000000000000000$'
	assert_line --regexp '^CapAmb:\s+0000000000000000$'
	assert_line --regexp '^NoNewPrivs:\s+1$'
	eff=$(awk '/^CapEff/ {print $2}' <<<"$output")
	# NET_ADMIN SYS_MODULE SYS_RAWIO SYS_PTRACE SYS_ADMIN SYS_BOOT SYS_TIME MAC_OVERRIDE MAC_ADMIN
	for bit in 12 16 17 19 21 22 25 32 33; do
		[ $((0x$eff >> bit & 1)) -eq 0 ] || fail "capability $bit is there"
	done
}

@test "capabilities: PID 1 (the init) has none of the dropped ones either" {
	run -0 in_container grep -E '^CapEff' /proc/1/status
	eff=$(awk '{print $2}' <<<"$output")
	for bit in 12 16 17 19 21 22 25 32 33; do
		[ $((0x$eff >> bit & 1)) -eq 0 ] || fail "PID 1 has capability $bit"
	done
}

@test "capabilities: what they stop, e.g. changing the hostname (SYS_ADMIN)" {
	run -0 in_container sh -c 'hostname other-name 2>&1; hostname'
	assert_line "$(cname)"
	refute_line other-name
}

@test "seccomp: a filter is on, and refuses with EPERM, not a kill" {
	run -0 in_container sh -c 'grep Seccomp: /proc/self/status; sysprobe keyctl add_key bpf perf_event_open io_uring_setup unshare_user clone_newns mount kexec_load init_module open_by_handle_at process_vm_readv kcmp name_to_handle_at clone3 getpid'
	assert_line --regexp '^Seccomp:\s+2$'
	for p in keyctl add_key bpf perf_event_open io_uring_setup unshare_user clone_newns mount kexec_load init_module open_by_handle_at process_vm_readv kcmp name_to_handle_at; do
		assert_line "$p: Operation not permitted"
	done
	assert_line "clone3: Function not implemented"
	# everything else works: the process lives on
	assert_line "getpid: ok"
}

@test "seccomp: ordinary programs still run (fork, threads, sockets, ping)" {
	assert_routed_via "$GATEWAY" mkc0 2>/dev/null || true
	run -0 in_container sh -c 'ls / >/dev/null && (echo sub) && ping -c 1 -W 2 127.0.0.1 >/dev/null && echo pinged'
	assert_line sub
	assert_line pinged
}

@test "no descriptor of the caller leaks in: only 0, 1 and 2, and the cwd is /" {
	exec 7</dev/null 8>/dev/null
	run -0 in_container sh -c 'ls /proc/$$/fd; readlink /proc/$$/cwd; true'
	exec 7<&- 8>&-
	assert_output "0
1
2
/"
}

@test "a rootfs whose /dev is a symlink to a host directory is refused, the host untouched" {
	copy=$BATS_TEST_TMPDIR/rootfs
	cp -a "$ROOTFS" "$copy"
	mkdir "$BATS_TEST_TMPDIR/victim"
	rmdir "$copy/dev"
	ln -s "$BATS_TEST_TMPDIR/victim" "$copy/dev"
	run -125 "$MKC" -r "$copy" "$(cname)" "$(test_ip 2)" true
	assert_output --partial "symbolic link"
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/victim")" ]
	same_state "$BATS_TEST_TMPDIR/before"
}

@test "a volume destination that is a symlink to a host path is refused, the host untouched" {
	copy=$BATS_TEST_TMPDIR/rootfs
	cp -a "$ROOTFS" "$copy"
	mkdir "$BATS_TEST_TMPDIR/victim" "$BATS_TEST_TMPDIR/share"
	ln -s "$BATS_TEST_TMPDIR/victim" "$copy/mnt/escape"
	run -125 "$MKC" -r "$copy" -v "$BATS_TEST_TMPDIR/share:/mnt/escape" "$(cname)" "$(test_ip 2)" true
	assert_output --partial "symbolic link"
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/victim")" ]
	same_state "$BATS_TEST_TMPDIR/before"
}

@test "the host's helper binary run as PID 1 cannot be opened through /proc/1/exe" {
	# Appending nothing: even unprotected, the kernel refuses writes to a
	# running program (ETXTBSY); the protection refuses the open itself.
	run -0 in_container sh -c '(: >>/proc/1/exe) 2>&1; (cat /proc/1/exe >/dev/null) 2>&1; readlink /proc/1/exe || echo "no link"'
	assert_line --partial "Permission denied"
	refute_output --partial "Text file busy"
	assert_line "no link"
	# exec'd commands cannot either
	run -0 "$MKC" -d "$(cname)" "$(test_ip 2)" sleep 1000
	run -0 "$EXEC" "$(cname)" sh -c '(: >>/proc/1/exe) 2>&1; true'
	assert_output --partial "Permission denied"
	run -0 "$RM" "$(cname)"
}

@test "without a terminal: a session of its own, no way to the caller's terminal" {
	run -0 in_container sh -c '(: </dev/tty) 2>&1; true' </dev/null
	assert_output --partial "No such device or address"
	# Seen from the host (inside, a session led from outside reads as 0):
	# COMMAND's session is not the caller's, and it has no controlling tty.
	start_container c "$(cname)" "$(test_ip 2)" sh -c 'echo ready; exec sleep 1000'
	wait_output "$c_out" ready
	pid=$(command_pid "$c_pid") || fail "no command under $c_pid"
	read -r sid tty < <(ps -o sid=,tty= -p "$pid")
	[ -n "$sid" ] && [ "$sid" != "$(ps -o sid= -p $$ | tr -d ' ')" ] ||
		fail "COMMAND $pid is in the caller's session $sid"
	[ "$tty" = "?" ] || fail "COMMAND has the controlling terminal $tty"
}

@test "with a terminal: its own pseudo-terminal, not the caller's" {
	command -v script >/dev/null || skip "script (util-linux) is not installed"
	out=$BATS_TEST_TMPDIR/out
	# Outside and inside: the terminal's device numbers, and its name.
	script -qec "stat -L -c 'outer %t:%T' /proc/self/fd/0; $MKC $(cname) $(test_ip 2) sh -c 'stat -L -c \"inner %t:%T\" /proc/self/fd/0; tty'" /dev/null \
		>"$out" </dev/null
	run tr -d '\r\0' <"$out"
	outer=$(sed -n 's/.*outer //p' <<<"$output")
	inner=$(sed -n 's/.*inner //p' <<<"$output")
	[ -n "$outer" ] && [ -n "$inner" ] || fail "$output"
	[ "$outer" != "$inner" ] || fail "the container uses the caller's terminal $outer"
	# a pty, known in the container as /dev/console
	# (Unix 98 ptys: major 136 to 143, 88 to 8f in hex)
	[[ $inner =~ ^8[89a-f]: ]] || fail "not a pty: $inner"
	assert_line /dev/console
}

@test "a helper run after pivot_root is executed from a read-only mount: its /proc/PID/exe cannot be reopened for writing" {
	# nsexec opens confine (the next helper) before the root changes and runs
	# it from that descriptor. confine blocks while it writes "exec" to a
	# full pipe (-n): meanwhile we take hold of its /proc/PID/exe, as a
	# process in a container might in the instant before a helper makes
	# itself non-dumpable. Once it no longer runs that file, writing through
	# the reference must fail (CVE-2019-5736).
	exec {r}<> <(:)
	head -c 65536 /dev/zero >&"$r" # now full: the next write blocks
	"$TOP/bin/nsexec" -m "$TOP/bin/confine" -n 3 true 3>&"$r" &
	local pid=$!
	BG_PIDS+=("$pid") # killed by the teardown if the test fails here
	_blocked() { grep -q pipe_write "/proc/$pid/wchan" 2>/dev/null; }
	eventually _blocked || fail "confine did not block on its notice"
	# (the detached read-only mount has no path: readlink shows "/")
	run -0 cmp "/proc/$pid/exe" "$TOP/bin/confine"
	exec {e}<"/proc/$pid/exe"
	head -c 65536 <&"$r" >/dev/null # drain: confine goes on, runs true, ends
	wait "$pid"
	BG_PIDS=()
	exec {r}<&-
	run sh -c ": >>/proc/self/fd/$e" 3>&-
	exec {e}<&-
	[ "$status" -ne 0 ] || fail "the host's confine was opened for writing"
	assert_output --partial "Read-only file system"
}
