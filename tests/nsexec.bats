#!/usr/bin/env bats
# nsexec alone: new and joined namespaces, the hostname, the init as PID 1,
# signals and exit statuses.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	require_root
	NS=$(unique_name mkt)
}

teardown() {
	stop_containers
	ip netns del "$NS" 2>/dev/null || true
	if [ -n "${CGDIR:-}" ] && [ -d "$CGDIR" ]; then
		# What the test left there (when broken), then the cgroup.
		echo 1 >"$CGDIR/cgroup.kill" 2>/dev/null || true
		eventually rmdir "$CGDIR" || true
	fi
}

ns_of() { readlink "/proc/$1/ns/$2"; }

@test "-h prints usage on stdout and exits 0" {
	run --separate-stderr -0 nsexec -h
	assert_line --index 0 --partial "Usage: nsexec"
	[ -z "$stderr" ]
}

@test "usage errors exit 125 with a hint" {
	run -125 nsexec -Z true
	assert_output --partial "Try 'nsexec -h'"
	run -125 nsexec -u
	assert_output --partial "no command given"
}

@test "new namespaces differ from the host's, shared ones do not" {
	run -0 nsexec -m -u -i -n sh -c 'for n in mnt uts ipc net pid; do readlink /proc/self/ns/$n; done'
	assert_line --index 0 --regexp '^mnt:'
	refute_line "$(ns_of $$ mnt)"
	refute_line "$(ns_of $$ uts)"
	refute_line "$(ns_of $$ ipc)"
	refute_line "$(ns_of $$ net)"
	# no -p: the PID namespace is the host's
	assert_line "$(ns_of $$ pid)"
}

@test "--hostname sets the hostname in the new UTS namespace only" {
	before=$(hostname)
	run -0 nsexec -u --hostname=inside-box hostname
	assert_output inside-box
	[ "$(hostname)" = "$before" ]
}

@test "--hostname without a new UTS namespace is refused (it would rename the host)" {
	before=$(hostname)
	run -125 nsexec --hostname=renamed-host true
	assert_output --partial "needs a new UTS namespace"
	[ "$(hostname)" = "$before" ]
}

@test "with -p, COMMAND is PID 2 under an init that is PID 1" {
	run -0 nsexec -m -p sh -c 'mount -t proc proc /proc && echo "me=$$" && cat /proc/1/comm'
	assert_line "me=2"
	assert_line "init"
}

@test "with -p, COMMAND keeps the caller's working directory; the init leaves it for /" {
	cd "$BATS_TEST_TMPDIR"
	# the init's, seen from COMMAND
	run -0 nsexec -m -p sh -c 'mount -t proc proc /proc && pwd && readlink /proc/1/cwd'
	assert_line --index 0 "$BATS_TEST_TMPDIR"
	assert_line --index 1 "/"
}

@test "--into-cgroup: COMMAND is born in the cgroup v2 directory, the init stays out" {
	local root
	# (on a hybrid host, the unified one: CLONE_INTO_CGROUP works there too)
	root=$(cgroup2_root) || skip "no cgroup v2 hierarchy on this host"
	CGDIR=$root/$NS
	mkdir "$CGDIR"
	: >"$BATS_TEST_TMPDIR/ready"
	nsexec -m -p --pidfile="$BATS_TEST_TMPDIR/pid" --into-cgroup="$CGDIR" \
		sh -c 'echo $$ >"$1"; exec sleep 1000' sh "$BATS_TEST_TMPDIR/ready" 3>&- &
	BG_PIDS+=($!)
	wait_output "$BATS_TEST_TMPDIR/ready" '^[0-9]+$'
	init=$(cat "$BATS_TEST_TMPDIR/pid")
	cmd=$(pgrep -P "$init")
	run -0 grep '^0::' "/proc/$cmd/cgroup"
	assert_output "0::${CGDIR#"$root"}"
	run -0 grep '^0::' "/proc/$init/cgroup"
	refute_output "0::${CGDIR#"$root"}"
	run -0 cat "$CGDIR/cgroup.procs"
	assert_output "$cmd"
}

@test "--into-cgroup: refused without -p, and for a directory that is not cgroup v2" {
	run -125 nsexec --into-cgroup=/sys/fs/cgroup true
	assert_line --index 0 "nsexec: --into-cgroup needs a new PID namespace (-p): its init starts COMMAND"
	run -125 nsexec -p --into-cgroup="$BATS_TEST_TMPDIR" true
	assert_output --partial "nsexec: cannot start COMMAND in cgroup '$BATS_TEST_TMPDIR' (a cgroup v2 directory is needed"
	run -125 nsexec -p --into-cgroup="$BATS_TEST_TMPDIR/missing" true
	assert_output "nsexec: cannot open cgroup '$BATS_TEST_TMPDIR/missing': No such file or directory"
}

@test "nsexec, pivot, confine: each helper finds the next one, whichever runs it" {
	require_rootfs
	# nsexec runs pivot from a read-only copy of bin/ (its path there is
	# "/"): pivot still knows confine for one of its own.
	run -0 nsexec -m -p "$BIN/pivot" "$ROOTFS" "$BIN/confine" /bin/sh -c 'echo inside; ls /bin/busybox'
	assert_output "inside
/bin/busybox"
}

@test "a mount made under -m does not appear on the host" {
	run -0 nsexec -m sh -c 'mount -t tmpfs mkc-test-tmpfs /mnt && grep -c mkc-test-tmpfs /proc/self/mounts'
	assert_output 1
	run ! grep -q mkc-test-tmpfs /proc/self/mounts
}

@test "--net=FILE joins a network namespace made by ip netns" {
	ip netns add "$NS"
	run -0 nsexec --net="/run/netns/$NS" readlink /proc/self/ns/net
	assert_output "$(ip netns exec "$NS" readlink /proc/self/ns/net)"
}

@test "-t PID joins every namespace of a running process" {
	nsexec -u -p --hostname=target-box sh -c 'echo ready; exec sleep 1000' >"$BATS_TEST_TMPDIR/out" 3>&- &
	BG_PIDS+=("$!")
	wait_output "$BATS_TEST_TMPDIR/out" ready
	target=$(pgrep -f -n 'sleep 1000')
	run -0 nsexec -t "$target" sh -c 'hostname; readlink /proc/self/ns/uts'
	assert_line --index 0 target-box
	assert_line --index 1 "$(ns_of "$target" uts)"
}

@test "exit statuses: COMMAND's own, 127 not found, 126 not executable" {
	run -7 nsexec -p sh -c 'exit 7'
	run -127 nsexec -p no-such-command-here
	assert_output --partial "cannot execute 'no-such-command-here'"
	printf 'not a program\n' >"$BATS_TEST_TMPDIR/data"
	chmod 644 "$BATS_TEST_TMPDIR/data"
	run -126 nsexec -p "$BATS_TEST_TMPDIR/data"
}

@test "COMMAND killed by a signal: the init exits 128+N (143 for SIGTERM)" {
	run -143 nsexec -p sh -c 'kill -TERM $$'
	run -137 nsexec -p sh -c 'kill -KILL $$'
}

@test "without -p, a signal death is passed on unchanged" {
	run -143 nsexec -u sh -c 'kill -TERM $$'
}

@test "SIGTERM to nsexec reaches COMMAND, which can exit cleanly" {
	out=$BATS_TEST_TMPDIR/out
	nsexec -p sh -c 'trap "echo got TERM; exit 0" TERM; echo ready; sleep 1000 & wait' >"$out" 3>&- &
	pid=$!
	wait_output "$out" ready
	kill -TERM "$pid"
	status=0
	wait "$pid" || status=$?
	[ "$status" -eq 0 ]
	run cat "$out"
	assert_line "got TERM"
}

@test "-k: a COMMAND that ignores SIGTERM is killed when the grace period ends" {
	out=$BATS_TEST_TMPDIR/out
	nsexec -p -k 1 sh -c 'trap "" TERM; echo ready; while :; do sleep 1; done' >"$out" 3>&- &
	pid=$!
	wait_output "$out" ready
	kill -TERM "$pid"
	status=0
	wait "$pid" || status=$?
	[ "$status" -eq 137 ]
}

@test "init reaps orphans: no zombie is left when COMMAND does not wait" {
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	# The inner sh starts a child and exits at once: the child is
	# re-parented to PID 1, which must reap it when it ends; unreaped, it
	# would stay in /proc as a zombie. The child waits on a FIFO until its
	# parent was seen, however slow the machine.
	run -0 nsexec -m -p sh -c '
		mount -t proc proc /proc
		orphan=$(sh -c "cat \"\$1\" >/dev/null & echo \$!" sh "$1")
		grep PPid /proc/$orphan/status
		echo go >"$1"
		i=0
		while [ -e /proc/$orphan ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
		[ -e /proc/$orphan ] && grep State /proc/$orphan/status
		echo done' sh "$BATS_TEST_TMPDIR/fifo"
	assert_line --regexp "^PPid:\s+1$"
	refute_line --partial zombie
	assert_line done
}

@test "only stdin, stdout and stderr reach COMMAND in a new PID namespace" {
	exec 7</dev/null
	# ls lists the shell's descriptors ("; true": sh must not exec ls)
	run -0 nsexec -m -p sh -c 'mount -t proc proc /proc && ls /proc/$$/fd; true'
	exec 7<&-
	assert_output "0
1
2"
}

@test "nsexec dies with its container's host side: the container does not outlive it" {
	out=$BATS_TEST_TMPDIR/out
	nsexec -p sh -c 'echo ready; exec sleep 1000' >"$out" 3>&- &
	pid=$!
	wait_output "$out" ready
	inner=$(pgrep -P "$(pgrep -P "$pid")")
	kill -KILL "$pid"
	wait "$pid" || true
	eventually sh -c "! kill -0 $inner 2>/dev/null"
}
