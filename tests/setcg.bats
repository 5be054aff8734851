#!/usr/bin/env bats
# setcg: cgroup creation, limits, joining, removal and statistics, checked
# against the host's own cgroup files (v1, v2 or hybrid, whatever this is).
# shellcheck disable=SC2016 # $ in single quotes is for the inner shell

load helpers

bats_require_minimum_version 1.5.0

setup() {
	require_root
	CG="mkc-test/$(unique_name t)"
}

teardown() {
	local d
	[ -n "${CG:-}" ] || return 0
	# Background commands that did not land in the cgroup (when broken).
	[ -z "${BGPID:-}" ] || kill -KILL "$BGPID" 2>/dev/null || true
	setcg -rf "$CG" || true
	[ -z "${CG2:-}" ] || setcg -rf "$CG2" || true
	for d in /sys/fs/cgroup/*/mkc-test /sys/fs/cgroup/mkc-test; do
		[ ! -d "$d" ] || rmdir "$d" 2>/dev/null || true
	done
}

# 1 if controller $1 is a cgroup v1 hierarchy here, else 2.
cgversion() {
	case "$(stat -fc %T "/sys/fs/cgroup/$1" 2>/dev/null)" in
	cgroupfs) echo 1 ;;
	*) echo 2 ;;
	esac
}

# The directory of cgroup $2 for controller $1, on v1 or v2.
cgdir() {
	if [ "$(cgversion "$1")" = 1 ]; then
		echo "/sys/fs/cgroup/$1/$2"
	else
		echo "$(cgroup2_root || echo /sys/fs/cgroup/unified)/$2"
	fi
}

# A file of cgroup $2: cgfile CTL CGROUP V1NAME V2NAME
cgfile() {
	if [ "$(cgversion "$1")" = 1 ]; then
		echo "$(cgdir "$1" "$2")/$3"
	else
		echo "$(cgdir "$1" "$2")/$4"
	fi
}

# The regexp of the /proc/PID/cgroup line that puts controller $1 in $2.
cgline() {
	if [ "$(cgversion "$1")" = 1 ]; then
		echo "^[0-9]+:([^:]*,)?$1(,[^:]*)?:$2\$"
	else
		echo "^0::$2\$"
	fi
}

assert_no_cgroup() {
	local ctl
	for ctl in memory cpu pids; do
		[ ! -e "$(cgdir "$ctl" "$1")" ] || fail "$(cgdir "$ctl" "$1") exists"
	done
}

@test "setcg -h prints usage on stdout and exits 0" {
	run --separate-stderr setcg -h
	assert_success
	assert_line --index 0 --partial "Usage: setcg"
	assert_output --partial "-m SIZE"
	[ -z "$stderr" ] || fail "stderr: $stderr"
}

@test "limits land in the host's cgroup files, swap off" {
	run setcg -m 256M -c 0.5 -p 64 "$CG" true
	assert_success

	[ "$(cat "$(cgfile memory "$CG" memory.limit_in_bytes memory.max)")" = 268435456 ]
	local swap
	if [ "$(cgversion memory)" = 1 ]; then
		swap=$(cgfile memory "$CG" memory.memsw.limit_in_bytes -)
		if [ -e "$swap" ]; then
			[ "$(cat "$swap")" = 268435456 ]
		else
			[ "$(cat "$(cgfile memory "$CG" memory.swappiness -)")" = 0 ]
		fi
	else
		swap=$(cgfile memory "$CG" - memory.swap.max)
		[ ! -e "$swap" ] || [ "$(cat "$swap")" = 0 ]
	fi
	if [ "$(cgversion cpu)" = 1 ]; then
		[ "$(cat "$(cgfile cpu "$CG" cpu.cfs_quota_us -)")" = 50000 ]
		[ "$(cat "$(cgfile cpu "$CG" cpu.cfs_period_us -)")" = 100000 ]
	else
		[ "$(cat "$(cgfile cpu "$CG" - cpu.max)")" = "50000 100000" ]
	fi
	[ "$(cat "$(cgdir pids "$CG")/pids.max")" = 64 ]
}

@test "a reused cgroup takes new limits, higher ones too" {
	setcg -m 64M -p 10 "$CG" true
	run setcg -m 128M -p 20 "$CG" true
	assert_success
	[ "$(cat "$(cgfile memory "$CG" memory.limit_in_bytes memory.max)")" = 134217728 ]
	[ "$(cat "$(cgdir pids "$CG")/pids.max")" = 20 ]
}

@test "-v traces each write and the man page" {
	run setcg -v -p 7 "$CG" true
	assert_success
	assert_line "setcg: write(\"$(cgdir pids "$CG")/pids.max\", \"7\")"
	assert_line --regexp '/(cgroup.procs|tasks)", "[0-9]+"\)$'
	assert_line "setcg: (see cgroups(7))"
}

@test "COMMAND runs inside the cgroup" {
	run setcg "$CG" cat /proc/self/cgroup
	assert_success
	assert_line --regexp "$(cgline memory "/$CG")"
	assert_line --regexp "$(cgline pids "/$CG")"
}

@test "-n makes the cgroup with its limits, and COMMAND stays where it was" {
	run -0 setcg -n -m 64M -p 10 "$CG" cat /proc/self/cgroup
	refute_line --regexp "$(cgline memory "/$CG")"
	refute_line --regexp "$(cgline pids "/$CG")"
	[ "$(cat "$(cgfile memory "$CG" memory.limit_in_bytes memory.max)")" = 67108864 ]
	[ "$(cat "$(cgdir pids "$CG")/pids.max")" = 10 ]
	run -125 setcg -n -C "$CG" true
	assert_line --index 0 "setcg: -n only applies when making CGROUP, without -C"
}

@test "-C: COMMAND sees its cgroup as /" {
	run setcg -C "$CG" cat /proc/self/cgroup
	assert_success
	assert_line --regexp "$(cgline memory /)"
	[ -d "$(cgdir memory "$CG")" ]
}

@test "COMMAND's exit status passes through; 126 and 127 when it cannot run" {
	run setcg "$CG" sh -c 'exit 7'
	assert_failure 7
	run -127 setcg "$CG" /nonexistent/command
	assert_output --partial "cannot execute '/nonexistent/command'"
	run -126 setcg "$CG" /etc/passwd
}

@test "invalid SIZE, CPUS, N and CGROUP: 125, a message, nothing created" {
	local args
	for args in "-m 12X" "-m 0" "-c 0" "-c abc" "-c 0.001" "-p 0" "-p x" \
		"-p 99999999" "-m"; do
		# shellcheck disable=SC2086
		run setcg $args "$CG" true
		assert_failure 125
		assert_output --regexp "invalid|requires an argument"
		assert_no_cgroup "$CG"
		assert_no_cgroup mkc-test
	done
	for args in "mkc-test/../x" "/mkc-test/x" "mkc-test//x" "mkc-test/./x" \
		"mkc-test/x/" "mkc-test/a b" 'mkc-test/$x' ""; do
		run setcg "$args" true
		assert_failure 125
		assert_output --partial "invalid CGROUP"
		assert_no_cgroup mkc-test
	done
}

@test "usage errors: 125 and a hint" {
	run setcg "$CG"
	assert_failure 125
	assert_output --partial "missing COMMAND"
	assert_output --partial "Try 'setcg -h'"
	run setcg -r -m 1M "$CG"
	assert_failure 125
	run setcg -f "$CG" true
	assert_failure 125
	run setcg -s "$CG" extra
	assert_failure 125
	assert_output --partial "unexpected argument 'extra'"
	run setcg -x "$CG" true
	assert_failure 125
	assert_output --partial "invalid option"
	assert_no_cgroup mkc-test
}

@test "a failure after mkdir removes what this run made" {
	# cgroup.procs is a file in every cgroup: the mkdir of the leaf fails.
	run setcg -m 16M "$CG/cgroup.procs" true
	assert_failure 125
	assert_output --partial "cgroup.procs"
	assert_no_cgroup "$CG"
	assert_no_cgroup mkc-test
}

@test "the memory limit is enforced: OOM kill, status 137, counted" {
	run setcg -m 32M "$CG" sh -c 'x=$(head -c 200000000 /dev/zero | tr "\0" a)'
	assert_failure 137
	run setcg -s "$CG"
	assert_success
	local kills
	kills=$(awk '$1 == "memory.oom_kills" { print $2 }' <<<"$output")
	[ "${kills:-0}" -ge 1 ] || fail "memory.oom_kills '$kills' in: $output"
}

@test "the pids limit is enforced: fork fails" {
	# Without the limit, the shell starts all 20 and then stops them.
	run setcg -p 5 "$CG" sh -c 'i=0; while [ $i -lt 20 ]; do
		sleep 1000 >/dev/null 2>&1 & i=$((i+1)); done
		echo started $i; kill $(jobs -p)' 3>&-
	assert_failure
	assert_output --partial "fork"
	refute_output --partial "started 20"
	[ "$(cat "$(cgdir pids "$CG")/pids.current")" -le 5 ]
}

@test "-r kills what runs in the cgroup, removes it and its empty parent" {
	setcg "$CG" sleep 1000 3>&- &
	BGPID=$!
	local status=0
	eventually grep -q . "$(cgdir pids "$CG")/cgroup.procs"
	run setcg -r "$CG"
	assert_success
	wait "$BGPID" || status=$?
	[ "$status" -eq 137 ] || fail "background setcg ended with $status, not 137 (SIGKILL)"
	assert_no_cgroup "$CG"
	assert_no_cgroup mkc-test
}

@test "-r on empty cgroups: a plain rmdir each, nothing read, listed or killed" {
	command -v strace >/dev/null || skip "no strace (make deps)"
	setcg "$CG" true
	run -0 strace -f -e trace=open,openat,getdents64,kill,rmdir setcg -r "$CG"
	assert_line --regexp "^rmdir\\(\"[^\"]*/$CG\"\\) += 0$"
	refute_line --partial mountinfo
	refute_line --partial cgroup.procs
	refute_line --partial getdents64
	refute_line --partial "kill("
	assert_no_cgroup "$CG"
}

@test "-r removes cgroups made inside the cgroup, and their processes" {
	setcg "$CG" sh -c 'mkdir "$1/sub" && echo $$ >"$1/sub/cgroup.procs" && exec sleep 1000' \
		sh "$(cgdir memory "$CG")" 3>&- &
	BGPID=$!
	local status=0
	eventually grep -q . "$(cgdir memory "$CG")/sub/cgroup.procs"
	run setcg -r "$CG"
	assert_success
	wait "$BGPID" || status=$?
	[ "$status" -eq 137 ]
	assert_no_cgroup "$CG"
}

@test "-r keeps a parent that another cgroup still uses" {
	CG2="mkc-test/$(unique_name u)"
	setcg "$CG" true
	setcg "$CG2" true
	run setcg -r "$CG"
	assert_success
	assert_no_cgroup "$CG"
	[ -d "$(cgdir memory "$CG2")" ]
}

@test "-r on a missing cgroup: 125; with -f: 0" {
	run setcg -r "$CG"
	assert_failure 125
	assert_output "setcg: no cgroup '$CG'"
	run setcg -rf "$CG"
	assert_success
	assert_output ""
}

@test "-r then COMMAND: chain-loaded once the cgroup is gone, its status passed on; not run when -r fails" {
	setcg "$CG" true
	run setcg -r "$CG" sh -c 'for d in "$@"; do [ ! -e "$d" ] || exit 1; done; exit 7' \
		sh "$(cgdir memory "$CG")" "$(cgdir pids "$CG")"
	assert_failure 7
	assert_output ""
	assert_no_cgroup "$CG"
	# missing, without -f: an error, and COMMAND does not run
	run setcg -r "$CG" echo ran
	assert_failure 125
	assert_output "setcg: no cgroup '$CG'"
	run -0 setcg -rf "$CG" echo ran
	assert_output ran
}

@test "concurrent create and remove under one parent all succeed" {
	# Each remove also removes the shared parent when it finds it empty, so
	# creates keep meeting a parent that vanishes under them (ENOENT).
	local i
	for i in 1 2 3 4 5 6 7 8; do
		(for _ in $(seq 25); do
			setcg "$CG/$i" true && setcg -r "$CG/$i" || exit 1
		done) 3>&- &
	done
	for i in 1 2 3 4 5 6 7 8; do
		wait -n || fail "a create/remove loop failed"
	done
	assert_no_cgroup mkc-test
}

@test "-s prints limits and usage as key value lines" {
	setcg -m 64M -p 9 "$CG" true
	run setcg -s "$CG"
	assert_success
	assert_line "memory.limit 67108864"
	assert_line --regexp '^memory\.current [0-9]+$'
	assert_line "pids.max 9"
	assert_line "cpu.quota_usec max"
	assert_line --regexp '^cpu\.usage_usec [0-9]+$'
	run setcg -s "$CG-missing"
	assert_failure 125
	assert_output "setcg: no cgroup '$CG-missing'"
}

# The -r guard. Each case runs against a throwaway cgroup under mkc-test, so
# that a broken guard removes (and kills) only what the test itself made.

# Fail unless cgroup $1 still exists in every hierarchy setcg uses.
assert_cgroup() {
	local ctl
	for ctl in memory cpu pids; do
		[ -d "$(cgdir "$ctl" "$1")" ] || fail "$(cgdir "$ctl" "$1") was removed"
	done
}

@test "-r refuses the cgroup setcg runs in, -f or not" {
	local opt
	for opt in -r -rf; do
		run setcg "$CG" setcg "$opt" "$CG"
		assert_failure 125
		assert_output "setcg: refusing to remove '$CG': it contains setcg itself"
		assert_cgroup "$CG"
	done
}

@test "-r refuses an ancestor of the cgroup setcg runs in" {
	run setcg "$CG/child" sh -c 'setcg -r "$1"; echo "status $?"' sh "$CG"
	assert_success
	assert_line "setcg: refusing to remove '$CG': it contains setcg itself"
	assert_line "status 125"
	assert_cgroup "$CG/child"
}

@test "-r still removes a child of the cgroup setcg runs in" {
	setcg "$CG/child" true
	run setcg "$CG" setcg -r "$CG/child"
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		# v2: no process in a cgroup that hands controllers down
		assert_failure 125
		assert_output "setcg: cannot move into '/sys/fs/cgroup/$CG': it hands controllers to cgroups below it, and cgroup v2 keeps processes in leaves"
		assert_cgroup "$CG/child"
		return
	fi
	assert_success
	assert_no_cgroup "$CG/child"
	assert_cgroup "$CG"
}

@test "-r refuses names of systemd units, -f or not" {
	setcg "$CG/fake.slice" true
	run setcg -r "$CG/fake.slice"
	assert_failure 125
	assert_output "setcg: refusing to remove '$CG/fake.slice': it is managed by systemd"
	assert_cgroup "$CG/fake.slice"
	# Missing ones: without the guard, -rf would succeed on them.
	local name
	for name in system.slice "$CG/a.scope" "$CG/a.service/b" "$CG/fake.slice"; do
		run setcg -rf "$name"
		assert_failure 125
		assert_output "setcg: refusing to remove '$name': it is managed by systemd"
	done
	assert_cgroup "$CG/fake.slice"
}

@test "-r removes a name that only looks like a unit" {
	setcg "$CG/my.slices" true
	run setcg -r "$CG/my.slices"
	assert_success
	assert_no_cgroup "$CG/my.slices"
}
