#!/bin/sh
# import.sh - make a root filesystem from a tarball, safely.
#
#   rootfs-build/import.sh [-ds] TARBALL DIR
#
# TARBALL is an Alpine minirootfs (alpine-minirootfs-*.tar.gz), a `docker
# export` of a container, or any tar archive of a root filesystem: plain or
# compressed with anything GNU tar recognises (gzip, xz, zstd, bzip2, ...);
# `-` reads it from standard input.
#
# A tarball is data from someone else, and the import usually runs as root, so
# nothing in it may land outside DIR. Before anything is extracted, GNU tar
# lists the archive and every member is checked; the archive is refused,
# whole, when a member
#   - has a `..` component, or an absolute name (GNU tar would strip the
#     leading `/`; we refuse instead, as no root filesystem export has one);
#   - lies below a member that is not a directory: member `a` a symlink to /etc
#     and then `a/passwd` is the classic way to write through a symlink;
#   - comes after a symlink member at the same path, or is a directory at the
#     path of another member that is not (tar's handling of what it finds at
#     a path is then no longer our concern);
#   - is a hard link to a path outside DIR, or to no earlier member;
#   - is of an unknown type (tape volume headers and the like), or has a
#     newline in its name.
# Character and block devices are skipped with a warning: a container gets its
# own /dev from pivot, and a device node in the tree would give whoever can
# reach DIR a way to the host's hardware. FIFOs are kept.
#
# Then GNU tar extracts what was checked, with its own protections still on:
# owners as numbers (--numeric-owner: the host's user names do not remap
# them), permissions exactly as archived (a root filesystem needs its /tmp
# 1777 and /root 0700, which a umask would change), no extended attributes
# (so no file capabilities). Setuid and setgid bits of regular files are then
# cleared, unless -s is given; a setgid directory is left alone (it only sets
# the group of new files). The directories mkcontainer mounts on (/dev, /proc,
# /sys) are made when the archive has none.
#
# The archive is read twice (list, then extract): when someone other than us
# could change the file between the two reads, a private copy is read instead.
# The tree is built in a private directory next to DIR and renamed into place
# at the end: DIR is never half made, and a failed import leaves nothing.
set -eu

prog=import.sh
die() { printf '%s: %s\n' "$prog" "$*" >&2; exit 1; }

usage() {
	cat <<EOF
usage: $prog [-ds] TARBALL DIR
Import a root filesystem tarball (Alpine minirootfs, docker export; plain,
gzip, xz or zstd; - for standard input) into DIR, which must be empty or not
exist. Members that would land outside DIR refuse the whole archive; device
nodes are skipped; setuid and setgid bits are cleared.
  -d  also add the demo programs (rootfs-build/demo), compiled static with
      \$CC, to /usr/local/bin, and a directory /var/shared_folder
  -s  keep setuid and setgid bits
  -h  print this help and exit
EOF
}

demo='' keep_suid=''
while getopts dsh opt; do
	case $opt in
	d) demo=1 ;;
	s) keep_suid=1 ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 2 ] || { usage >&2; exit 2; }
tarball=$1
dir=$2
case $dir in
*/) dir=${dir%"${dir##*[!/]}"} ;; # trailing slashes
esac
[ -n "$dir" ] || die "invalid DIR '$2'"
here=$(cd "$(dirname "$0")" && pwd)
: "${CC:=cc}"
# GNU tar takes options from the environment too: none of those here.
unset TAR_OPTIONS
export LC_ALL=C
umask 022

# --- checks that need nothing made --------------------------------------------

if [ "$tarball" != - ]; then
	[ -e "$tarball" ] || die "cannot read tarball '$tarball': no such file"
	[ ! -d "$tarball" ] || die "cannot read tarball '$tarball': it is a directory"
	[ -r "$tarball" ] || die "cannot read tarball '$tarball': permission denied"
fi
if [ -e "$dir" ] || [ -L "$dir" ]; then
	{ [ -d "$dir" ] && [ ! -L "$dir" ]; } || die "DIR '$dir' exists and is not a directory"
	[ -z "$(ls -A "$dir")" ] || die "DIR '$dir' is not empty"
fi
parent=$(dirname "$dir")
[ -d "$parent" ] || die "cannot make DIR '$dir': no directory '$parent'"

tmp=""
cleanup() { [ -z "$tmp" ] || rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Private (mode 0700) until the end: nobody else can reach the tree, its
# setuid files or the copy of the archive while they are being made.
tmp=$(mktemp -d "$dir.new.XXXXXX") || die "cannot make a directory next to '$dir'"
root=$tmp/root
mkdir -m 755 "$root"

# --- the archive: the same bytes for the listing and the extraction ------------

if [ "$tarball" = - ]; then
	exec 3<&0
else
	exec 3<"$tarball"
fi
# /dev/fd/3 opens the same file again, even if its name has been replaced
# since. Only its content could change: not when the file is ours (or root's)
# and writable by its owner alone.
src=/dev/fd/3
uid=$(id -u)
if [ -f "$src" ]; then
	owner=$(stat -L -c %u "$src")
	mode=$(stat -L -c %a "$src")
	if { [ "$owner" != "$uid" ] && [ "$owner" != 0 ]; } || [ $((0$mode & 022)) -ne 0 ]; then
		src=''
	fi
else
	src='' # a pipe: it can be read only once
fi
if [ -z "$src" ]; then
	src=$tmp/archive
	cat <&3 >"$src" || die "cannot read tarball '$tarball'"
fi

# --- list and check every member before extracting anything -------------------

# One line a member: type and mode, uid/gid, size, date, time, then the name
# in C quotes ("a\nb": a newline cannot split a line, and a name cannot pass
# for a link target) and, for links, ` -> "TARGET"` or ` link to "TARGET"`.
# --absolute-names: the names as stored, not with a leading / already removed.
if ! tar --list --verbose --numeric-owner --absolute-names --quoting-style=c \
	--file="$src" >"$tmp/list" 2>"$tmp/err"; then
	why=$(grep -v '^$' "$tmp/err" | head -n 1)
	die "cannot read tarball '$tarball': not a tar archive, or a corrupt one (${why:-tar failed})"
fi

# Prints the names of the members to skip (devices), one a line, as stored,
# and warnings and errors on stderr; exits 1 at the first member refused.
# Names stay C-quoted for the checks: quoting never hides a `/` or a `.`, and
# the same name is always quoted the same way.
check_members() {
	awk -v prog="$prog" '
	function fail(msg) { printf "%s: %s\n", prog, msg > "/dev/stderr"; failed = 1; exit 1 }
	# The C-quoted string that starts at position p of s (a `"`); QEND is
	# the position after its closing quote, 0 when there is none.
	function quoted(s, p,    out, c) {
		out = ""
		for (p++; p <= length(s); p++) {
			c = substr(s, p, 1)
			if (c == "\\") { out = out c substr(s, p + 1, 1); p++; continue }
			if (c == "\"") { QEND = p + 1; return out }
			out = out c
		}
		QEND = 0
		return out
	}
	function unquote(q,    out, i, c) {
		out = ""
		for (i = 1; i <= length(q); i++) {
			c = substr(q, i, 1)
			if (c != "\\") { out = out c; continue }
			c = substr(q, ++i, 1)
			if (c ~ /[0-7]/) {
				out = out sprintf("%c", substr(q, i, 1) * 64 + substr(q, i + 1, 1) * 8 + substr(q, i + 2, 1))
				i += 2
			} else if (c == "n") out = out "\n"
			else if (c == "t") out = out "\t"
			else if (c == "r") out = out "\r"
			else if (c == "a") out = out "\007"
			else if (c == "b") out = out "\b"
			else if (c == "f") out = out "\f"
			else if (c == "v") out = out "\v"
			else out = out c
		}
		return out
	}
	# A name as a path below DIR: no empty or "." components, no trailing
	# slash; "" is DIR itself. BAD says why a name cannot be one.
	function below(q,    n, part, i, out) {
		BAD = ""
		if (q ~ /^\//) { BAD = "is absolute"; return "" }
		n = split(q, part, "/")
		out = ""
		for (i = 1; i <= n; i++) {
			if (part[i] == "" || part[i] == ".") continue
			if (part[i] == "..") { BAD = "has a .. component"; return "" }
			out = out == "" ? part[i] : out "/" part[i]
		}
		return out
	}
	# Splits a listing line into TYPE, NAME and LINK (C-quoted).
	function parse(line,    p, rest) {
		p = index(line, "\"")
		if (p < 2) fail("cannot make sense of tar'\''s listing: " line)
		TYPE = substr(line, 1, 1)
		NAME = quoted(line, p)
		if (QEND == 0) fail("cannot make sense of tar'\''s listing: " line)
		rest = substr(line, QEND)
		LINK = ""
		if (rest == "") return
		if (rest ~ /^ -> "/) p = 5
		else if (rest ~ /^ link to "/) p = 10
		else fail("cannot make sense of tar'\''s listing: " line)
		LINK = quoted(rest, p)
		if (QEND != length(rest) + 1) fail("cannot make sense of tar'\''s listing: " line)
	}
	# The first proper ancestor of path n that is not a directory member.
	function crossing(n,    i, a) {
		for (i = 1; i <= length(n); i++)
			if (substr(n, i, 1) == "/") {
				a = substr(n, 1, i - 1)
				if (a in nondir) return a
			}
		return ""
	}
	# First pass: which paths are directories, which something else,
	# wherever they come in the archive.
	FNR == NR {
		parse($0)
		n = below(NAME)
		if (BAD == "" && TYPE != "d") nondir[n] = TYPE
		if (BAD == "" && TYPE == "d") isdir[n] = 1
		next
	}
	{
		parse($0)
		members++
		n = below(NAME)
		if (BAD != "") fail("member '\''" NAME "'\'' " BAD ": it would land outside DIR")
		if (index(unquote(NAME), "\n")) fail("member '\''" NAME "'\'' has a newline in its name")
		if (n == "" && TYPE != "d") fail("member '\''" NAME "'\'' is DIR itself, and not a directory")
		if ((a = crossing(n)) != "") {
			if (nondir[a] == "l") fail("member '\''" NAME "'\'' is below the symlink '\''" a "'\'': it could land outside DIR")
			fail("member '\''" NAME "'\'' is below '\''" a "'\'', which is not a directory")
		}
		# What tar does at the path of a symlink it made is its business:
		# leave it none.
		if ((n in seen) && seen[n] == "l") fail("member '\''" NAME "'\'' comes after a symlink at the same path")
		if ((TYPE == "d") ? (n in nondir) : (n in isdir))
			fail("member '\''" NAME "'\'' is both a directory and something else in the archive")
		if (TYPE == "h") {
			t = below(LINK)
			if (BAD != "") fail("hard link '\''" NAME "'\'' to '\''" LINK "'\'': its target " BAD ", outside DIR")
			if ((a = crossing(t)) != "") fail("hard link '\''" NAME "'\'' to '\''" LINK "'\'' goes through '\''" a "'\'', which is not a directory")
			if (!(t in seen) || seen[t] == "d") fail("hard link '\''" NAME "'\'' to '\''" LINK "'\'', which is no earlier file member")
			if (seen[t] == "c" || seen[t] == "b") TYPE = seen[t]
		}
		if (TYPE == "c" || TYPE == "b") {
			printf "%s: warning: skipping device '\''%s'\''\n", prog, NAME > "/dev/stderr"
			print unquote(NAME)
		} else if (TYPE !~ /^[-SCdlhp]$/)
			fail("member '\''" NAME "'\'' has a type tar lists as '\''" TYPE "'\'', not a file, directory, link or FIFO")
		seen[n] = TYPE
	}
	END {
		if (!failed && members == 0) fail("the archive has no members")
	}' "$tmp/list" "$tmp/list"
}
check_members >"$tmp/skip" || exit 1 # it said why

# --- extract --------------------------------------------------------------------

# The skipped members go on the command line: tar trims the lines of an
# --exclude-from file. Literal (--no-wildcards), whole names (--anchored).
set --
while IFS= read -r name; do
	set -- "$@" "--exclude=$name"
done <"$tmp/skip"
if ! tar --extract --file="$src" --directory="$root" --numeric-owner \
	--same-permissions --delay-directory-restore --no-wildcards --anchored \
	"$@" 2>"$tmp/err"; then
	why=$(grep -v '^$' "$tmp/err" | head -n 1)
	die "cannot extract tarball '$tarball' (${why:-tar failed}): nothing was imported"
fi
exec 3<&-
cat "$tmp/err" >&2 # tar's warnings, e.g. the extended attributes it ignored

# find does not follow symlinks: every path it gives is inside the tree.
if [ -z "$keep_suid" ]; then
	n=$(find "$root" -type f -perm /6000 -exec chmod ug-s {} + -print | wc -l)
	[ "$n" -eq 0 ] || echo "$prog: cleared the setuid/setgid bits of $n files (-s keeps them)" >&2
fi

# mkdir_in PATH...: make each directory PATH of the tree (parents first);
# refuse to go through a symlink of the archive's.
mkdir_in() {
	for p in "$@"; do
		if [ -L "$root/$p" ]; then
			die "cannot make /$p in the tree: the archive has it as a symlink"
		elif [ ! -e "$root/$p" ]; then
			mkdir -m 755 "$root/$p"
		elif [ ! -d "$root/$p" ]; then
			die "cannot make /$p in the tree: the archive has it as a file"
		fi
	done
}

# mkcontainer mounts the container's own /proc, /sys and /dev on these.
for d in dev proc sys; do
	[ -e "$root/$d" ] || [ -L "$root/$d" ] || mkdir -m 755 "$root/$d"
done

if [ -n "$demo" ]; then
	mkdir_in usr usr/local usr/local/bin var var/shared_folder
	for c in "$here"/demo/*.c; do
		[ -f "$c" ] || continue
		out=$root/usr/local/bin/$(basename "$c" .c)
		rm -f "$out" # it could be a symlink of the archive's
		"$CC" -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -static -o "$out" "$c" ||
			die "cannot compile $c"
	done
fi

# rename(2) replaces an empty DIR, and refuses a DIR that is no longer empty.
mv -T "$root" "$dir" || die "cannot rename the new tree to '$dir'"
echo "$prog: root filesystem ready in $dir ($(du -sh "$dir" | cut -f1))"
