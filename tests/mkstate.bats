#!/usr/bin/env bats
# mkstate: the state directory's file work (mkdir, flock -n, rm -rf) in one
# static helper, so that a container start runs no dynamically linked program.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	d=$BATS_TEST_TMPDIR/state
}

@test "-d makes a directory with the umask's mode; an existing one is fine" {
	run -0 sh -c 'umask 077; "$1" -d "$2"' sh "$BIN/mkstate" "$d"
	run -0 stat -c %a "$d"
	assert_output 700
	run -0 mkstate -d "$d"
	run -125 mkstate -d "$d/missing/deeper"
	assert_output --partial "mkstate: cannot create directory '$d/missing/deeper': No such file or directory"
}

@test "-l locks the caller's descriptor: held after mkstate exits, refused to others (1)" {
	touch "$d.lock"
	exec 7>>"$d.lock"
	run -0 mkstate -l 7
	# Another open file description of the same file: held by us.
	run -1 sh -c 'exec 6>>"$1"; mkstate -l 6' sh "$d.lock"
	run -1 flock -n "$d.lock" true
	exec 7>&-
	run -0 flock -n "$d.lock" true
}

@test "-l repeated takes the locks in order; N when the Nth is held, the ones before it taken" {
	touch "$d.a" "$d.b"
	exec 7>>"$d.b"
	run -0 mkstate -l 7
	# a held, b held by us: the other process gets a, and stops at b (2)
	run -2 sh -c 'exec 5>>"$1" 6>>"$2"; mkstate -l 5 -l 6 || { s=$?; flock -n "$1" true || exit "$s"; exit 9; }' sh "$d.a" "$d.b"
	exec 7>&-
	run -0 sh -c 'exec 5>>"$1" 6>>"$2"; mkstate -l 5 -l 6 && ! flock -n "$1" true && ! flock -n "$2" true' sh "$d.a" "$d.b"
	exec 7>>"$d.a"
	run -0 mkstate -l 7
	run -1 sh -c 'exec 5>>"$1" 6>>"$2"; mkstate -l 5 -l 6' sh "$d.a" "$d.b"
	exec 7>&-
}

@test "-l on a descriptor that is not open, or not a number: 125 with the reason" {
	run -125 mkstate -l 99
	assert_output "mkstate: cannot lock descriptor 99: Bad file descriptor"
	run -125 mkstate -l x
	assert_line --index 0 "mkstate: invalid descriptor 'x'"
}

@test "-r removes files and directories with their files, a FIFO included; missing paths are fine" {
	mkdir "$d"
	touch "$d/lock" "$d/info" "$BATS_TEST_TMPDIR/file"
	mkfifo "$d/notify"
	run -0 mkstate -r "$d" "$BATS_TEST_TMPDIR/file" "$BATS_TEST_TMPDIR/missing"
	[ ! -e "$d" ] || fail "$d is still there"
	[ ! -e "$BATS_TEST_TMPDIR/file" ] || fail "the file is still there"
}

@test "-r removes a directory's lock last: a new owner's lock made meanwhile is not in the listing" {
	mkdir "$d"
	touch "$d/info" "$d/lock" "$d/log" "$d/zz"
	run -0 mkstate -v -r "$d"
	run -0 grep -o 'unlinkat("[^"]*", "[^"]*")\|rmdir("' <<<"$output"
	assert_equal "${#lines[@]}" 5
	assert_line --index 3 "unlinkat(\"$d\", \"lock\")"
	assert_line --index 4 'rmdir("'
}

@test "-r: a state directory left not empty once its lock went is a new owner's: 0, quietly; any other directory: 125" {
	command -v strace >/dev/null || skip "no strace (make deps)"
	# The kernel's answer when a new container of the same name has made
	# its lock there after ours was removed (strace makes rmdir say so).
	mkdir "$d"
	touch "$d/info" "$d/lock"
	run -0 strace -o /dev/null -e trace=rmdir -e inject=rmdir:error=ENOTEMPTY mkstate -r "$d"
	assert_output ""
	[ ! -e "$d/info" ] && [ ! -e "$d/lock" ] || fail "our files are still there"
	# no lock of ours in it: not a state directory, an error as before
	touch "$d/info"
	run -125 strace -o /dev/null -e trace=rmdir -e inject=rmdir:error=ENOTEMPTY mkstate -r "$d"
	assert_output "mkstate: cannot remove directory '$d': Directory not empty"
}

@test "-r goes on after a path it cannot remove, and then exits 125" {
	mkdir -p "$d/sub" "$d.2"
	touch "$d.2/f"
	run -125 mkstate -r "$d" "$d.2"
	assert_output --partial "cannot remove '$d/sub'"
	[ ! -e "$d.2" ] || fail "the path after the failure was not removed"
}

@test "-v names each system call; usage errors exit 125" {
	run -0 mkstate -v -d "$d"
	assert_output "mkstate: mkdir(\"$d\", 0777) (see mkdir(2))"
	run -125 mkstate -d "$d" -r
	assert_line --index 0 "mkstate: expected one of -d, -l and -r"
	run -125 mkstate -l 7 extra
	assert_line --index 0 "mkstate: unexpected argument 'extra'"
}

@test "a container start execs no program but the script, its helpers and COMMAND" {
	require_root
	require_rootfs
	command -v strace >/dev/null || skip "strace is not installed"
	run -0 strace -f -qq -e trace=execve -e signal=none -o "$BATS_TEST_TMPDIR/trace" \
		"$MKC" "$(cname)" "$(test_ip 2)" -- /bin/true
	run -0 grep -o 'execve("[^"]*"' "$BATS_TEST_TMPDIR/trace"
	for line in "${lines[@]}"; do
		case $line in
		'execve("'"$MKC"'"' | 'execve("'"$TOP"/scripts/../bin/*'"' | 'execve("/bin/true"') ;;
		*) fail "a start ran $line" ;;
		esac
	done
}
