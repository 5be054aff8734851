#!/usr/bin/env bats
# rootfs-build/import.sh: a root filesystem from a tarball (Alpine minirootfs,
# docker export), with nothing of the tarball landing outside DIR. The hostile
# tarballs are made here with GNU tar alone (-P keeps `..` and absolute
# names, --transform renames members and link targets); every path they aim
# at is under $BATS_TEST_TMPDIR.

# Containers of this suite go on their own subnet (see test_ip).
MKC_TEST_NET=10.217.0
load helpers
bats_require_minimum_version 1.5.0

IMPORT=$TOP/rootfs-build/import.sh
DEBIAN=$TOP/rootfs-build/debian.sh

setup() {
	T=$BATS_TEST_TMPDIR
	SRC=$T/src     # the tree a tarball is made of
	DIR=$T/dir     # where it is imported
	OUT=$T/outside # what a hostile tarball aims at
	mkdir "$SRC" "$OUT"
	echo "not to be touched" >"$OUT/secret"
}

teardown() {
	stop_containers
	rm -rf "$SRC" "$DIR" "$OUT" "$T"/*.tar* "$T"/dir.new.* "$T"/imported "$T"/control
}

# The import failed, said why, and left nothing behind, in DIR's place or
# outside it.
assert_refused() {
	assert_outside_untouched
	[ "$status" -ne 0 ] || fail "import succeeded: $output"
	assert_output --partial "$1"
	[ ! -e "$DIR" ] || fail "DIR was made: $(ls -la "$DIR")"
	run ! compgen -G "$DIR.new.*"
}

# Nothing outside DIR changed: $OUT holds its secret alone, unchanged.
assert_outside_untouched() {
	assert_equal "$(ls -A "$OUT")" secret
	assert_equal "$(cat "$OUT/secret")" "not to be touched"
	assert_equal "$(stat -c %h "$OUT/secret")" 1
}

@test "-h prints usage on stdout, exit 0; bad usage exits 2" {
	run -0 "$IMPORT" -h
	assert_line --index 0 --partial "usage: import.sh"
	run -2 "$IMPORT" only-one-argument
	run -2 "$IMPORT" -x a.tar "$DIR"
}

@test "a normal tarball imports: files, directories, modes, owners, links inside, FIFOs" {
	mkdir -p "$SRC/bin" "$SRC/etc" "$SRC/tmp" "$SRC/root" "$SRC/usr/lib"
	printf '#!/bin/sh\necho hi\n' >"$SRC/bin/prog"
	chmod 755 "$SRC/bin/prog"
	echo "config" >"$SRC/etc/conf"
	chmod 640 "$SRC/etc/conf"
	chmod 1777 "$SRC/tmp"
	chmod 700 "$SRC/root"
	echo lib >"$SRC/usr/lib/libx"
	ln -s usr/lib "$SRC/lib"            # relative, inside
	ln -s /bin/prog "$SRC/bin/sh"       # absolute: resolved in the container
	ln "$SRC/bin/prog" "$SRC/bin/prog2" # hard link
	mkfifo "$SRC/tmp/fifo"
	echo "spaced" >"$SRC/etc/a name -> with arrow"
	if [ "$(id -u)" -eq 0 ]; then chown 1234:5678 "$SRC/etc/conf"; fi
	tar -C "$SRC" -czf "$T/normal.tar.gz" .

	run -0 "$IMPORT" "$T/normal.tar.gz" "$DIR"
	assert_output --partial "root filesystem ready in $DIR"
	assert_equal "$(cat "$DIR/etc/conf")" config
	assert_equal "$(stat -c %a "$DIR/bin/prog")" 755
	assert_equal "$(stat -c %a "$DIR/etc/conf")" 640
	assert_equal "$(stat -c %a "$DIR/tmp")" 1777
	assert_equal "$(stat -c %a "$DIR/root")" 700
	assert_equal "$(stat -c %a "$DIR")" 755
	assert_equal "$(readlink "$DIR/lib")" usr/lib
	assert_equal "$(cat "$DIR/lib/libx")" lib
	assert_equal "$(readlink "$DIR/bin/sh")" /bin/prog
	[ "$DIR/bin/prog" -ef "$DIR/bin/prog2" ] || fail "the hard link is not one"
	[ -p "$DIR/tmp/fifo" ] || fail "the FIFO is missing"
	assert_equal "$(cat "$DIR/etc/a name -> with arrow")" spaced
	if [ "$(id -u)" -eq 0 ]; then
		assert_equal "$(stat -c %u:%g "$DIR/etc/conf")" 1234:5678
	fi
	# what mkcontainer mounts on
	[ -d "$DIR/proc" ] && [ -d "$DIR/sys" ] && [ -d "$DIR/dev" ]
	run ! compgen -G "$DIR.new.*"
}

@test "plain, gzip, xz and zstd tarballs, and one on standard input" {
	mkdir "$SRC/etc"
	echo hello >"$SRC/etc/motd"
	tar -C "$SRC" -cf "$T/r.tar" .
	for z in gzip xz zstd; do
		if command -v "$z" >/dev/null; then
			"$z" -c "$T/r.tar" >"$T/r.tar.$z"
		fi
	done
	for f in "$T"/r.tar*; do
		rm -rf "$DIR"
		run -0 "$IMPORT" "$f" "$DIR"
		assert_equal "$(cat "$DIR/etc/motd")" hello
	done
	rm -rf "$DIR"
	run -0 "$IMPORT" - "$DIR" <"$T/r.tar"
	assert_equal "$(cat "$DIR/etc/motd")" hello
	rm -rf "$DIR"
	gzip -c "$T/r.tar" | { run -0 "$IMPORT" - "$DIR"; }
	assert_equal "$(cat "$DIR/etc/motd")" hello
}

@test "a tarball others can write is imported from a private copy" {
	mkdir "$SRC/etc"
	echo hello >"$SRC/etc/motd"
	tar -C "$SRC" -cf "$T/r.tar" .
	chmod 666 "$T/r.tar"
	run -0 "$IMPORT" "$T/r.tar" "$DIR"
	assert_equal "$(cat "$DIR/etc/motd")" hello
}

@test "a ../ member is refused: nothing lands outside DIR" {
	echo evil >"$SRC/x"
	echo evil >"$SRC/y"
	# DIR/../outside/new; and a level up, in case the import extracts in a
	# directory below DIR's parent
	tar -C "$SRC" -cPf "$T/up.tar" \
		--transform 's|^x$|../outside/new|;s|^y$|../../outside/new2|' x y
	run "$IMPORT" "$T/up.tar" "$DIR"
	assert_refused "member '../outside/new' has a .. component: it would land outside DIR"
	tar -C "$SRC" -cPf "$T/up2.tar" \
		--transform 's|^x$|a/../../outside/new|;s|^y$|./a/../../../outside/new2|' x y
	run "$IMPORT" "$T/up2.tar" "$DIR"
	assert_refused "member 'a/../../outside/new' has a .. component"
}

@test "an absolute member is refused, not written to its absolute path" {
	echo evil >"$SRC/x"
	tar -C "$SRC" -cPf "$T/abs.tar" --transform "s|^x\$|$OUT/new|" x
	tar -tPf "$T/abs.tar" | grep -qx "$OUT/new" # the member is there
	run "$IMPORT" "$T/abs.tar" "$DIR"
	assert_refused "member '$OUT/new' is absolute: it would land outside DIR"
}

@test "symlink then file: nothing is written through a symlink member" {
	# member a -> $OUT (absolute), then member a/secret: a regular file
	mkdir "$SRC/1" "$SRC/2" "$SRC/2/a"
	ln -s "$OUT" "$SRC/1/a"
	echo evil >"$SRC/2/a/secret"
	tar -C "$SRC/1" -cf "$T/sl.tar" a
	tar -C "$SRC/2" -rf "$T/sl.tar" a/secret
	run "$IMPORT" "$T/sl.tar" "$DIR"
	assert_refused "member 'a/secret' is below the symlink 'a': it could land outside DIR"

	# the same with relative symlinks, DIR/a -> ../outside, b -> ../../outside
	ln -sfn ../outside "$SRC/1/a"
	ln -sfn ../../outside "$SRC/1/b"
	cp -r "$SRC/2/a" "$SRC/2/b"
	tar -C "$SRC/1" -cf "$T/sl2.tar" a b
	tar -C "$SRC/2" -rf "$T/sl2.tar" a/secret b/secret
	run "$IMPORT" "$T/sl2.tar" "$DIR"
	assert_refused "member 'a/secret' is below the symlink 'a'"

	# the file first, the symlink after it, then a file through it: whatever
	# the order, a symlink member is no directory
	tar -C "$SRC/2" -cf "$T/sl3.tar" a/secret
	tar -C "$SRC/1" -rf "$T/sl3.tar" a
	tar -C "$SRC/2" -rf "$T/sl3.tar" --transform 's|secret|new|' a/secret
	run "$IMPORT" "$T/sl3.tar" "$DIR"
	assert_refused "member 'a/secret' is below the symlink 'a'"

	# another member at the path of a symlink member: a file after it, a
	# directory before (or after) it
	mkdir "$SRC/3"
	echo evil >"$SRC/3/a"
	tar -C "$SRC/1" -cf "$T/sl5.tar" a
	tar -C "$SRC/3" -rf "$T/sl5.tar" a
	run "$IMPORT" "$T/sl5.tar" "$DIR"
	assert_refused "member 'a' comes after a symlink at the same path"
	tar -C "$SRC/2" -cf "$T/sl6.tar" --no-recursion a
	tar -C "$SRC/1" -rf "$T/sl6.tar" a
	run "$IMPORT" "$T/sl6.tar" "$DIR"
	assert_refused "member 'a/' is both a directory and something else in the archive"

	# a symlink member for DIR itself
	tar -C "$SRC/1" -cf "$T/sl4.tar" --transform 's|^a$|.|' a
	run "$IMPORT" "$T/sl4.tar" "$DIR"
	assert_refused "is DIR itself, and not a directory"
}

@test "a hard link to a path outside DIR is refused" {
	echo inside >"$SRC/f"
	ln "$SRC/f" "$SRC/g"
	# g's link target renamed, f itself not (H: not hardlink targets, RS: only them)
	tar -C "$SRC" -cPf "$T/hl.tar" --transform "s|^f\$|$OUT/secret|RS" f g
	tar -tvPf "$T/hl.tar" | grep -q "g link to $OUT/secret" # the member is there
	run "$IMPORT" "$T/hl.tar" "$DIR"
	assert_refused "hard link 'g' to '$OUT/secret': its target is absolute, outside DIR"

	echo inside >"$SRC/f2"
	ln "$SRC/f2" "$SRC/g2"
	tar -C "$SRC" -cPf "$T/hl2.tar" \
		--transform 's|^f$|../outside/secret|RS;s|^f2$|../../outside/secret|RS' f g f2 g2
	run "$IMPORT" "$T/hl2.tar" "$DIR"
	assert_refused "hard link 'g' to '../outside/secret': its target has a .. component, outside DIR"

	# through a symlink member pointing outside
	mkdir "$SRC/1"
	ln -s "$OUT" "$SRC/1/a"
	tar -C "$SRC/1" -cf "$T/hl3.tar" a
	tar -C "$SRC" -rPf "$T/hl3.tar" --transform 's|^f$|a/secret|RS' f g
	run "$IMPORT" "$T/hl3.tar" "$DIR"
	assert_refused "hard link 'g' to 'a/secret' goes through 'a'"

	# to a path the archive does not have (it could exist in DIR's place)
	tar -C "$SRC" -cPf "$T/hl4.tar" --transform 's|^f$|etc/shadow|RS' f g
	run "$IMPORT" "$T/hl4.tar" "$DIR"
	assert_refused "hard link 'g' to 'etc/shadow', which is no earlier file member"
}

@test "device nodes are skipped with a warning; FIFOs are kept" {
	require_root
	mkdir "$SRC/dev"
	mknod "$SRC/dev/mem-like" c 1 1
	mknod "$SRC/dev/disk-like" b 7 200
	ln "$SRC/dev/mem-like" "$SRC/dev/mem-link"
	mknod "$SRC/dev/tty é " c 5 0 # skipped by its exact name
	mkfifo "$SRC/dev/fifo"
	echo kept >"$SRC/dev/file"
	tar -C "$SRC" -cf "$T/dev.tar" .
	run -0 "$IMPORT" "$T/dev.tar" "$DIR"
	assert_output --partial "warning: skipping device './dev/mem-like'"
	assert_output --partial "warning: skipping device './dev/disk-like'"
	assert_output --partial "warning: skipping device './dev/mem-link'"
	assert_output --partial "warning: skipping device './dev/tty \303\251 '"
	assert_equal "$(find "$DIR" \( -type c -o -type b \) | wc -l)" 0
	[ ! -e "$DIR/dev/mem-like" ] && [ ! -e "$DIR/dev/mem-link" ]
	[ -p "$DIR/dev/fifo" ] || fail "the FIFO is missing"
	assert_equal "$(cat "$DIR/dev/file")" kept
}

@test "setuid and setgid bits are cleared, and kept with -s" {
	mkdir "$SRC/bin" "$SRC/shared"
	printf '#!/bin/sh\n' >"$SRC/bin/su"
	printf '#!/bin/sh\n' >"$SRC/bin/wall"
	chmod 4755 "$SRC/bin/su"
	chmod 2755 "$SRC/bin/wall"
	chmod 2775 "$SRC/shared"
	tar -C "$SRC" -cf "$T/suid.tar" .
	run -0 "$IMPORT" "$T/suid.tar" "$DIR"
	assert_output --partial "cleared the setuid/setgid bits of 2 files"
	assert_equal "$(stat -c %a "$DIR/bin/su")" 755
	assert_equal "$(stat -c %a "$DIR/bin/wall")" 755
	assert_equal "$(stat -c %a "$DIR/shared")" 2775 # a setgid directory stays
	rm -rf "$DIR"
	run -0 "$IMPORT" -s "$T/suid.tar" "$DIR"
	assert_equal "$(stat -c %a "$DIR/bin/su")" 4755
	assert_equal "$(stat -c %a "$DIR/bin/wall")" 2755
}

@test "file capabilities (security.capability xattrs) are not imported" {
	require_root
	command -v setcap >/dev/null && command -v getcap >/dev/null || skip "no setcap/getcap (libcap2-bin)"
	mkdir "$SRC/bin" "$T/control"
	cp /bin/true "$SRC/bin/ping"
	setcap cap_net_raw+ep "$SRC/bin/ping" || skip "no file capabilities on this filesystem"
	tar --xattrs --xattrs-include='*' -C "$SRC" -cf "$T/caps.tar" .
	# the capability is in the archive: tar --xattrs restores it
	tar --xattrs --xattrs-include='*' -C "$T/control" -xf "$T/caps.tar"
	assert_equal "$(getcap "$T/control/bin/ping")" "$T/control/bin/ping cap_net_raw=ep"
	run -0 "$IMPORT" "$T/caps.tar" "$DIR"
	[ -x "$DIR/bin/ping" ]
	assert_equal "$(getcap "$DIR/bin/ping")" ""
}

@test "DIR must be empty or not exist: a non-empty DIR is refused and kept" {
	mkdir "$SRC/etc"
	tar -C "$SRC" -cf "$T/r.tar" .
	mkdir "$DIR"
	echo mine >"$DIR/file"
	run -1 "$IMPORT" "$T/r.tar" "$DIR"
	assert_output "import.sh: DIR '$DIR' is not empty"
	assert_equal "$(ls -A "$DIR")" file
	rm "$DIR/file"
	run -0 "$IMPORT" "$T/r.tar" "$DIR/" # an empty one is fine
	[ -d "$DIR/etc" ]
	rm -rf "$DIR"
	echo file >"$DIR"
	run -1 "$IMPORT" "$T/r.tar" "$DIR"
	assert_output "import.sh: DIR '$DIR' exists and is not a directory"
	rm "$DIR"
	run -1 "$IMPORT" "$T/r.tar" "$T/no/such/dir"
	assert_output --partial "no directory '$T/no/such'"
}

@test "missing, unreadable, corrupt or empty tarballs: a clear error and no DIR" {
	run -1 "$IMPORT" "$T/missing.tar.gz" "$DIR"
	assert_refused "cannot read tarball '$T/missing.tar.gz': no such file"
	run -1 "$IMPORT" "$SRC" "$DIR"
	assert_refused "it is a directory"

	head -c 5000 /dev/urandom >"$T/garbage.tar"
	run -1 "$IMPORT" "$T/garbage.tar" "$DIR"
	assert_refused "cannot read tarball '$T/garbage.tar': not a tar archive, or a corrupt one"

	# a gzip cut short in the middle of a member
	head -c 300000 /dev/urandom >"$SRC/big"
	tar -C "$SRC" -czf "$T/full.tar.gz" .
	head -c 200000 "$T/full.tar.gz" >"$T/cut.tar.gz"
	run -1 "$IMPORT" "$T/cut.tar.gz" "$DIR"
	assert_refused "cannot read tarball '$T/cut.tar.gz': not a tar archive, or a corrupt one"

	tar -cf "$T/empty.tar" -T /dev/null
	run -1 "$IMPORT" "$T/empty.tar" "$DIR"
	assert_refused "the archive has no members"
}

@test "-d adds the demo programs, never through a symlink of the archive" {
	command -v "${CC:-cc}" >/dev/null || skip "no C compiler"
	mkdir -p "$SRC/usr/local/bin" "$SRC/etc"
	tar -C "$SRC" -cf "$T/r.tar" .
	run -0 "$IMPORT" -d "$T/r.tar" "$DIR"
	for p in server client hungry cpuburn; do
		[ -x "$DIR/usr/local/bin/$p" ] || fail "no $p"
	done
	[ -d "$DIR/var/shared_folder" ]

	rm -rf "$DIR" "$SRC/usr/local"
	ln -s "$OUT" "$SRC/usr/local"
	tar -C "$SRC" -cf "$T/r2.tar" .
	run "$IMPORT" -d "$T/r2.tar" "$DIR"
	assert_refused "cannot make /usr/local in the tree: the archive has it as a symlink"
}

@test "a rootfs imported from a tarball runs a container" {
	require_root
	require_rootfs
	tar -C "$ROOTFS" -czf "$T/rootfs.tar.gz" .
	run -0 "$IMPORT" "$T/rootfs.tar.gz" "$T/imported"
	echo "imported" >"$T/imported/etc/marker"
	name=$(unique_name imp)
	run -0 "$MKC" -r "$T/imported" "$name" "$(test_ip 2)" sh -c 'cat /etc/marker; hostname; command -v server'
	assert_equal "${lines[*]}" "imported $name /usr/local/bin/server"
}

@test "debian.sh: usage, and a non-empty DIR refused before anything is fetched" {
	run -0 "$DEBIAN" -h
	assert_line --index 0 --partial "usage: debian.sh"
	run -2 "$DEBIAN"
	mkdir "$DIR"
	touch "$DIR/file"
	run -1 "$DEBIAN" "$DIR"
	assert_output "debian.sh: DIR '$DIR' is not empty"
	run -1 "$DEBIAN" "$T/x" 'bad suite!'
	assert_output --partial "invalid SUITE"
}
