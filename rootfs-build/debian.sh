#!/bin/sh
# debian.sh - a Debian root filesystem, with apt, made by debootstrap.
#
#   rootfs-build/debian.sh [-m MIRROR] DIR [SUITE]
#
# For containers that need a real distribution: apt-get works inside (given a
# route to a mirror). SUITE defaults to bookworm, the variant is minbase
# (essential packages and apt, about 200 MB unpacked, 50 MB downloaded).
# Needs root and Debian's mirror; installs debootstrap and Debian's archive
# keyring when missing (debootstrap checks the Release file's signature).
#
# debootstrap mounts /proc and /sys (and sometimes /dev) in the new tree while
# it works: it runs in a mount namespace of its own, so that none of those
# mounts outlives it, not even when it fails half-way, and removing a failed
# tree can never reach the host's /sys or /dev. Device nodes debootstrap made
# are removed (a container gets its own /dev from pivot). The tree is built
# next to DIR and renamed into place: DIR is never half made.
set -eu

prog=debian.sh
die() { printf '%s: %s\n' "$prog" "$*" >&2; exit 1; }

usage() {
	cat <<EOF
usage: $prog [-m MIRROR] DIR [SUITE]
Make a Debian root filesystem (debootstrap, minbase variant) in DIR, which
must be empty or not exist. SUITE: bookworm (default), trixie, stable, ...
  -m MIRROR  Debian mirror (default: \$DEBIAN_MIRROR or $default_mirror)
  -h         print this help and exit
EOF
}

default_mirror=http://deb.debian.org/debian
mirror=${DEBIAN_MIRROR:-$default_mirror}
while getopts m:h opt; do
	case $opt in
	m) mirror=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
case $# in 1 | 2) ;; *) usage >&2; exit 2 ;; esac
dir=$1
suite=${2:-bookworm}
case $dir in
*/) dir=${dir%"${dir##*[!/]}"} ;;
esac
[ -n "$dir" ] || die "invalid DIR '$1'"
case $suite in
'' | -* | *[!a-z0-9.-]*) die "invalid SUITE '$suite': expected a name like bookworm" ;;
esac
case $mirror in
http://?* | https://?* | file:///*) ;;
*) die "invalid MIRROR '$mirror': expected an http://, https:// or file:/// URL" ;;
esac

if [ -e "$dir" ] || [ -L "$dir" ]; then
	{ [ -d "$dir" ] && [ ! -L "$dir" ]; } || die "DIR '$dir' exists and is not a directory"
	[ -z "$(ls -A "$dir")" ] || die "DIR '$dir' is not empty"
fi
parent=$(dirname "$dir")
[ -d "$parent" ] || die "cannot make DIR '$dir': no directory '$parent'"
[ "$(id -u)" -eq 0 ] || die "debootstrap needs root (run: sudo $0 $*)"

# What debootstrap needs, from Debian's packages.
missing=''
command -v debootstrap >/dev/null 2>&1 || missing=' debootstrap'
[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] ||
	missing="$missing debian-archive-keyring"
if [ -n "$missing" ]; then
	command -v apt-get >/dev/null 2>&1 ||
		die "please install$missing (there is no apt-get here to do it)"
	echo "$prog: installing$missing" >&2
	# shellcheck disable=SC2086 # one word a package
	if ! out=$(apt-get update -qq 2>&1 &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing 2>&1); then
		printf '%s\n' "$out" >&2
		die "cannot install$missing (above: apt-get's output): install it yourself"
	fi
fi

tmp=""
# Refuse to remove a tree something is still mounted in (it cannot happen:
# debootstrap's mounts are in its own namespace; this is the seat belt).
cleanup() {
	[ -n "$tmp" ] || return 0
	if awk -v t="$tmp/" 'index($5, t) == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; then
		echo "$prog: something is mounted below $tmp: not removing it" >&2
		return 0
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

tmp=$(mktemp -d "$dir.new.XXXXXX") || die "cannot make a directory next to '$dir'"
echo "$prog: debootstrap $suite from $mirror (minbase): a few minutes" >&2
if ! unshare --mount --propagation private \
	debootstrap --variant=minbase "$suite" "$tmp/root" "$mirror" >"$tmp/log" 2>&1; then
	tail -n 5 "$tmp/log" >&2
	die "debootstrap $suite failed (above: the end of its log): nothing was made"
fi

# Not the host's: its name (debootstrap copies /etc/hostname), device nodes.
# The downloaded packages are installed: their copies go, as apt-get clean does.
echo localhost >"$tmp/root/etc/hostname"
find "$tmp/root" -xdev \( -type c -o -type b \) -delete
find "$tmp/root/var/cache/apt/archives" -xdev -maxdepth 1 -type f -name '*.deb' -delete
for d in dev proc sys; do
	[ -d "$tmp/root/$d" ] || die "debootstrap made no /$d"
done
chmod 755 "$tmp/root"

# rename(2) replaces an empty DIR, and refuses a DIR that is no longer empty.
mv -T "$tmp/root" "$dir" || die "cannot rename the new tree to '$dir'"
echo "$prog: Debian $(cat "$dir/etc/debian_version") ready in $dir ($(du -sh "$dir" | cut -f1))"
