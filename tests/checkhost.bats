#!/usr/bin/env bats
# checkhost.sh: the host report. What it says about the cgroups is compared
# with what the kernel says of this process in /proc/self/cgroup (another
# source than the statfs(2) the script uses), so that the same suite holds on
# this hybrid host and on a pure cgroup v2 kernel (make test-cgroup2).

load helpers
bats_require_minimum_version 1.5.0

CHECK=$TOP/scripts/checkhost.sh

# on_v1 CONTROLLER: this process has a cgroup in a v1 hierarchy of it.
on_v1() {
	grep -qE "^[0-9]+:([^:]*,)?$1(,[^:]*)?:" /proc/self/cgroup
}

# The layout the report must give: v1 hierarchies ("N:ctl:/path" lines) next
# to the v2 one ("0::/path") is hybrid; "0::" alone, v2; no "0::", v1.
expected_layout() {
	if ! grep -q '^0::' /proc/self/cgroup; then
		echo v1
	elif grep -qvE '^0::' /proc/self/cgroup; then
		echo hybrid
	else
		echo v2
	fi
}

# A directory of links to every program on PATH but those named: a PATH on
# which exactly those are missing.
path_without() {
	local dir=$BATS_TEST_TMPDIR/path d name
	mkdir -p "$dir"
	for d in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
		[ -d "$d" ] && [ ! -L "$d" ] || continue
		ln -s "$d"/* "$dir"/ 2>/dev/null || true
	done
	for name in "$@"; do
		rm -f "$dir/$name"
		[ ! -e "$dir/$name" ] || fail "cannot take $name off the PATH"
	done
	echo "$dir"
}

# as_nobody COMMAND...: run COMMAND as user nobody (65534).
as_nobody() {
	if command -v setpriv >/dev/null; then
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	else
		su nobody -s /bin/sh -c '"$0" "$@"' "$@"
	fi
}

@test "the cgroup layout and where memory, cpu and pids are, as the kernel says" {
	local layout ctl
	layout=$(expected_layout)
	run -0 "$CHECK"
	assert_line --regexp "^  layout \\.+ ok: $layout: "
	for ctl in memory cpu pids; do
		if on_v1 "$ctl"; then
			assert_line --regexp "^  $ctl \\.+ ok: v1 at /sys/fs/cgroup/$ctl(,|\$)"
		elif [ "$layout" = v2 ]; then
			assert_line --regexp "^  $ctl \\.+ ok: v2 at /sys/fs/cgroup(,|\$)"
		else
			assert_line --regexp "^  $ctl \\.+ ok: v2 at /sys/fs/cgroup/unified(,|\$)"
		fi
	done
	# Swap accounting: the files of the version that holds memory.
	if on_v1 memory && [ -e /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes ]; then
		assert_line --regexp '^  swap accounting \.+ ok: memory\.memsw\.'
	elif on_v1 memory; then
		assert_line --regexp '^  swap accounting \.+ warning: no memory\.memsw\.'
	else
		assert_line --regexp '^  swap accounting \.+ [a-z]+: .*(memory\.swap\.max|cannot tell)'
	fi
}

@test "on this host mkcontainer can run: exit 0, nothing missing" {
	run -0 "$CHECK"
	refute_line --partial ' missing'
	assert_equal "${lines[-1]}" "mkcontainer can run here"
	# One line per check, in the four sections and the privileges.
	assert_line Privileges
	assert_line Kernel
	assert_line cgroups
	assert_line Network
	assert_line Tools
	assert_line --regexp '^  helpers \.+ ok: '
	assert_line --regexp '^  rootfs \.+ ok: '
}

@test "-q: on this host, only the verdict" {
	run -0 "$CHECK" -q
	assert_output "mkcontainer can run here"
}

@test "-h prints usage on stdout; a bad option is exit 2" {
	run -0 "$CHECK" -h
	[[ ${lines[0]} == "Usage: checkhost.sh"* ]] || fail "first line: ${lines[0]}"
	assert_line --regexp '^  -q '
	run -2 --separate-stderr "$CHECK" -x
	assert_equal "$output" ""
	[[ $stderr == *"invalid option '-x'"* ]] || fail "stderr: $stderr"
}

@test "a missing tool: exit 1, a line naming it, the count of problems" {
	local dir
	dir=$(path_without ip flock mkfifo)
	run -1 env PATH="$dir" "$CHECK"
	assert_line --regexp '^  flock \.+ missing: not found on PATH \(Debian package util-linux\)'
	assert_line --regexp '^  mkfifo \.+ missing: not found on PATH \(Debian package coreutils\)'
	# ip: the tutorial and the tests use it, mkcontainer does not
	assert_line --regexp '^  ip \.+ warning: not found on PATH \(Debian package iproute2\)'
	assert_equal "${lines[-1]}" "mkcontainer cannot run here: 2 problem(s)"
	assert_equal "$(grep -c ' missing: ' <<<"$output")" 2
	# -q: the two problems, the verdict, nothing else.
	run -1 env PATH="$dir" "$CHECK" -q
	assert_equal "${#lines[@]}" 3
	assert_line --index 0 --regexp '^  flock \.+ missing: '
	assert_line --index 1 --regexp '^  mkfifo \.+ missing: '
	assert_line --index 2 "mkcontainer cannot run here: 2 problem(s)"
}

@test "as a user other than root: the same report, and what needs root" {
	require_root
	command -v setpriv >/dev/null || command -v su >/dev/null ||
		skip "neither setpriv nor su to run as nobody"
	as_nobody test -x "$CHECK" || skip "nobody cannot run $CHECK (a directory above is closed)"
	run -0 "$CHECK"
	local as_root=$output
	run -0 as_nobody "$CHECK"
	assert_line --regexp '^  user \.+ warning: uid 65534, not root: mkcontainer needs root'
	assert_line --regexp '^  capabilities \.+ warning: not checked: needs root'
	assert_line --regexp '^  state directory \.+ warning: not checked: needs root'
	assert_equal "${lines[-1]}" "mkcontainer can run here"
	# What does not need root is found all the same.
	local same='^  (layout|memory|cpu|pids|veth|bridge|seccomp|user namespace) \.'
	assert_equal "$(grep -E "$same" <<<"$output" | sed 's/, writable$//')" \
		"$(grep -E "$same" <<<"$as_root" | sed 's/, writable$//')"
}

@test "changes nothing on the host" {
	require_root
	snapshot "$BATS_TEST_TMPDIR/before"
	# and no sysctl written, no module loaded
	local kernel=$BATS_TEST_TMPDIR/kernel
	kernel_state() {
		cat /proc/sys/user/max_*_namespaces /proc/sys/net/ipv4/ip_forward
		cut -d' ' -f1 /proc/modules 2>/dev/null | sort
		ls -d /run/mkcontainer /run/netns 2>/dev/null || true
	}
	kernel_state >"$kernel"
	run -0 "$CHECK"
	same_state "$BATS_TEST_TMPDIR/before"
	assert_equal "$(kernel_state)" "$(cat "$kernel")"
}
