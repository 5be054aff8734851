#!/usr/bin/env bats
# Exit statuses, like `docker run`: COMMAND's own; 125 mkcontainer failed;
# 126 not executable; 127 not found; 128+N killed by signal N.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	require_root
	require_rootfs
}

@test "COMMAND's own status passes through" {
	run -0 "$MKC" "$(cname)" "$(test_ip 2)" true
	run -1 "$MKC" "$(cname)" "$(test_ip 2)" false
	run -42 "$MKC" "$(cname)" "$(test_ip 2)" sh -c 'exit 42'
}

@test "127 when COMMAND is not found in the container" {
	run -127 "$MKC" "$(cname)" "$(test_ip 2)" no-such-command
	assert_output --partial "cannot execute 'no-such-command'"
}

@test "126 when COMMAND is found but not executable" {
	run -126 "$MKC" "$(cname)" "$(test_ip 2)" /etc/passwd
}

@test "128+N when COMMAND is killed by signal N" {
	run -143 "$MKC" "$(cname)" "$(test_ip 2)" sh -c 'kill -TERM $$'
	run -137 "$MKC" "$(cname)" "$(test_ip 2)" sh -c 'kill -KILL $$'
	run -130 "$MKC" "$(cname)" "$(test_ip 2)" sh -c 'kill -INT $$'
}

@test "125 when mkcontainer itself fails" {
	run -125 "$MKC" -r "$BATS_TEST_TMPDIR/missing" "$(cname)" "$(test_ip 2)" true
}

@test "'--' separates COMMAND; COMMAND defaults to /bin/sh reading stdin" {
	run -0 "$MKC" "$(cname)" "$(test_ip 2)" -- echo -n x
	assert_output x
	run -0 "$MKC" "$(cname)" "$(test_ip 2)" <<<'echo "shell $0 on $(hostname)"'
	assert_output "shell /bin/sh on $(cname)"
}

@test "stdin, stdout and stderr pass through" {
	run --separate-stderr -0 "$MKC" "$(cname)" "$(test_ip 2)" sh -c 'read x; echo "out:$x"; echo "err:$x" >&2' <<<hello
	assert_output out:hello
	[ "$stderr" = err:hello ]
}
