#!/usr/bin/env bats
# pivot alone (under nsexec -m -p): the new root, /proc, /sys, /dev, volumes,
# and the mount targets it refuses.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	require_root
	require_rootfs
	T=$BATS_TEST_TMPDIR
}

# A tiny root filesystem: busybox and its sh, in DIR.
mini_rootfs() {
	mkdir -p "$1/bin" "$1/proc" "$1/sys" "$1/dev"
	cp "$ROOTFS/bin/busybox" "$1/bin/busybox"
	ln -s busybox "$1/bin/sh"
	ln -s busybox "$1/bin/ls"
	ln -s busybox "$1/bin/cat"
}

in_pivot() {
	nsexec -m -p pivot "$@"
}

@test "-h prints usage on stdout and exits 0" {
	run --separate-stderr -0 pivot -h
	assert_line --index 0 --partial "Usage: pivot"
	[ -z "$stderr" ]
}

@test "refuses to run in the host's mount namespace" {
	before=$(wc -l </proc/self/mountinfo)
	run -125 pivot "$ROOTFS" true
	assert_output --partial "refusing to run in the host's mount namespace"
	[ "$(wc -l </proc/self/mountinfo)" -eq "$before" ]
}

@test "COMMAND starts in / of the new root, whose listing is the rootfs's" {
	run -0 in_pivot "$ROOTFS" sh -c 'pwd; ls -a /'
	assert_line --index 0 /
	expected=$(cd "$ROOTFS" && ls -a | sort)
	[ "$(printf '%s\n' "${lines[@]:1}" | sort)" = "$expected" ]
}

@test "the old root is gone: no host path is reachable" {
	touch "$T/host-only-marker"
	run -0 in_pivot "$ROOTFS" sh -c "ls '$T/host-only-marker' 2>&1; echo ---; cut -d' ' -f5 /proc/self/mountinfo"
	assert_line --index 0 --partial "No such file"
	# every mount point is inside the new root; none is the old one
	for mp in "${lines[@]:2}"; do
		case $mp in / | /proc | /proc/* | /sys | /sys/* | /dev | /dev/*) ;; *) fail "unexpected mount $mp" ;; esac
	done
}

@test "a fresh /proc shows only the new PID namespace" {
	run -0 in_pivot "$ROOTFS" ps -o pid,comm
	assert_line --regexp '^ +1 init$'
	assert_line --regexp '^ +2 ps$'
	[ "${#lines[@]}" -eq 3 ]
}

@test "/dev holds only the minimal set, /sys is read-only" {
	run -0 in_pivot "$ROOTFS" sh -c 'ls /dev; echo ---; ls /dev/pts; echo ---; grep " /sys " /proc/mounts'
	expected="fd full null ptmx pts random shm stderr stdin stdout tty urandom zero --- ptmx ---"
	[ "$(echo "${lines[@]:0:16}")" = "$expected" ]
	assert_line --regexp '^[^ ]+ /sys sysfs ro,'
}

@test "the minimal /dev works: null, zero, urandom, a new pty" {
	run -0 in_pivot "$ROOTFS" sh -c '
		echo x >/dev/null && head -c 4 /dev/zero | od -An -tx1 &&
		head -c 16 /dev/urandom | wc -c && ls /dev/pts/ptmx'
	assert_line --regexp '^ *00 00 00 00$'
	assert_line 16
}

@test "the rootfs is mounted nodev: a device node inside it cannot be opened" {
	root=$T/root
	mini_rootfs "$root"
	mknod "$root/mem-node" c 1 3 # /dev/null's numbers: harmless either way
	run -0 in_pivot "$root" sh -c 'cat /mem-node; echo "status $?"'
	assert_output --partial "Permission denied"
	assert_line "status 1"
}

@test "-b binds a host directory, read-write or read-only" {
	mkdir "$T/share" "$T/ro"
	echo from-host >"$T/share/in"
	run -0 in_pivot -b "$T/share:/var/shared_folder" -b "$T/ro:/mnt:ro" "$ROOTFS" sh -c '
		cat /var/shared_folder/in
		echo from-container >/var/shared_folder/out
		touch /mnt/x 2>&1 || echo "ro refused"'
	assert_line from-host
	assert_line "ro refused"
	[ "$(cat "$T/share/out")" = from-container ]
	[ ! -e "$T/ro/x" ]
}

@test "-b refuses a destination missing from the rootfs, and writes nothing there" {
	root=$T/root
	mini_rootfs "$root"
	mkdir "$T/share"
	before=$(cd "$root" && find . | sort)
	run -125 in_pivot -b "$T/share:/a/b/c" "$root" true
	assert_output --partial "'/a/b/c' does not exist in root filesystem"
	[ "$(cd "$root" && find . | sort)" = "$before" ]
}

@test "-b refuses destinations in /proc, /sys and /dev, which pivot mounts itself" {
	for dst in /proc /sys/x /dev/foo; do
		run -125 in_pivot -b "$T:$dst" "$ROOTFS" true
		assert_output --partial "is the container's own"
	done
}

@test "a rootfs without /proc, /sys or /dev is refused, and left as it was" {
	root=$T/root
	mini_rootfs "$root"
	rmdir "$root/sys"
	run -125 in_pivot "$root" true
	assert_output --partial "'/sys' does not exist in root filesystem"
	[ ! -e "$root/sys" ]
}

@test "a device node made in /dev cannot be opened (the tmpfs is nodev)" {
	# 1:3 is /dev/null: harmless even if the protection were missing
	run -0 in_pivot "$ROOTFS" sh -c 'mknod /dev/mynull c 1 3 && { echo x >/dev/mynull; echo "status $?"; }'
	assert_line "status 1"
	assert_output --partial "Permission denied"
}

@test "PID 1's working directory and root are the new root, not the host's" {
	touch "$T/host-marker"
	run -0 in_pivot "$ROOTFS" sh -c 'readlink /proc/1/cwd; readlink /proc/1/root; ls /proc/1/cwd/'"'$T'"' 2>&1; ls /proc/1/cwd/../'
	assert_line --index 0 /
	assert_line --index 1 /
	assert_line --index 2 --partial "No such file"
	assert_output --partial "usr"
}

@test "a rootfs whose /proc is a symlink to a host directory is refused, the host untouched" {
	root=$T/root
	mini_rootfs "$root"
	mkdir "$T/victim"
	rmdir "$root/proc"
	ln -s "$T/victim" "$root/proc"
	run -125 in_pivot "$root" true
	assert_output --partial "'proc' in root filesystem"
	assert_output --partial "symbolic link"
	[ -z "$(ls -A "$T/victim")" ]
	run ! grep -q "$T/victim" /proc/self/mountinfo
}

@test "a rootfs whose /dev is a symlink is refused, the host untouched" {
	root=$T/root
	mini_rootfs "$root"
	mkdir "$T/victim"
	rmdir "$root/dev"
	ln -s "$T/victim" "$root/dev"
	run -125 in_pivot "$root" true
	assert_output --partial "symbolic link"
	[ -z "$(ls -A "$T/victim")" ]
}

@test "a volume destination that goes through a symlink is refused" {
	root=$T/root
	mini_rootfs "$root"
	mkdir "$T/victim" "$T/share"
	ln -s "$T/victim" "$root/escape"
	run -125 in_pivot -b "$T/share:/escape/sub" "$root" true
	assert_output --partial "symbolic link"
	[ -z "$(ls -A "$T/victim")" ]
}

@test "bad volumes and root filesystems exit 125 with the reason" {
	run -125 in_pivot -b "/nonexistent-src:/x" "$ROOTFS" true
	assert_output --partial "invalid volume source '/nonexistent-src'"
	run -125 in_pivot -b "$T:relative" "$ROOTFS" true
	assert_output --partial "invalid volume destination"
	local dst
	for dst in /. // /var/./x /var/..; do
		run -125 in_pivot -b "$T:$dst" "$ROOTFS" true
		assert_output --partial "invalid volume destination '$dst'"
	done
	run -125 in_pivot "$T/no-such-rootfs" true
	assert_output --partial "invalid root filesystem"
	run -125 in_pivot / true
	assert_output --partial "host's root"
}

@test "COMMAND's exit status passes through; 127 when not in the rootfs" {
	run -3 in_pivot "$ROOTFS" sh -c 'exit 3'
	run -127 in_pivot "$ROOTFS" /usr/bin/no-such-program
	assert_output --partial "cannot execute '/usr/bin/no-such-program'"
}

@test "nothing is left mounted on the host afterwards" {
	before=$(sort /proc/self/mountinfo)
	run -0 in_pivot -b "$T:/mnt" "$ROOTFS" true
	[ "$(sort /proc/self/mountinfo)" = "$before" ]
}
