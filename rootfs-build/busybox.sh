#!/bin/sh
# busybox.sh - build a small root filesystem from Debian's busybox-static.
#
#   rootfs-build/busybox.sh DIR
#
# Offline: one static busybox binary with a symlink per applet (as lxc's
# busybox template does), a few files in /etc, the demo programs compiled
# static into /usr/local/bin, and /var/shared_folder for a shared folder.
# Installs the busybox-static package when it is missing (needs root). The
# tree is built next to DIR and renamed into place, so DIR is never half made.
set -eu

prog=busybox.sh
die() { printf '%s: %s\n' "$prog" "$*" >&2; exit 1; }

usage() { echo "usage: $prog DIR   (build a busybox root filesystem in DIR)"; }
case ${1-} in -h | --help) usage; exit 0 ;; -*) usage >&2; exit 2 ;; esac
[ $# -eq 1 ] || { usage >&2; exit 2; }
dir=${1%/}
# Absolute: the build changes directory, and cleanup must still find it.
case $dir in /*) ;; *) dir=$(pwd)/$dir ;; esac
here=$(cd "$(dirname "$0")" && pwd)
: "${CC:=cc}"
: "${BUSYBOX:=/bin/busybox}"

tmp=""
cleanup() { [ -z "$tmp" ] || rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# The busybox binary must be static: nothing else from the host goes in.
if ! dpkg-query -W -f '${Status}' busybox-static 2>/dev/null | grep -q 'ok installed'; then
	[ "$(id -u)" -eq 0 ] || die "busybox-static is not installed (run: sudo apt-get install busybox-static)"
	echo "$prog: installing busybox-static" >&2
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static >/dev/null
fi
[ -x "$BUSYBOX" ] || die "no busybox at $BUSYBOX"

tmp=$(mktemp -d "$dir.new.XXXXXX")
chmod 755 "$tmp"
cd "$tmp"

mkdir -p bin sbin usr/bin usr/sbin usr/local/bin etc root home mnt run \
	proc sys dev tmp var/tmp var/shared_folder
chmod 1777 tmp var/tmp
chmod 700 root
cp "$BUSYBOX" bin/busybox

# One symlink per applet, at the path busybox gives for it.
"$BUSYBOX" --list-full | while read -r applet; do
	case "$applet" in */*) ;; *) continue ;; esac
	[ -e "$applet" ] || [ -L "$applet" ] || ln -s /bin/busybox "$applet"
done

cat >etc/passwd <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >etc/group <<'EOF'
root:x:0:
tty:x:5:
nogroup:x:65534:
EOF
cat >etc/hosts <<'EOF'
127.0.0.1	localhost
::1	localhost
EOF
cat >etc/profile <<'EOF'
export PS1='\h:\w\$ '
EOF
echo 'mkcontainer busybox rootfs' >etc/issue

for src in "$here"/demo/*.c; do
	name=$(basename "$src" .c)
	"$CC" -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -static \
		-o "usr/local/bin/$name" "$src"
done

cd - >/dev/null
# Replace the old tree only now that the new one is complete.
if [ -e "$dir" ]; then
	rm -rf "$dir"
fi
mv "$tmp" "$dir"
tmp=""
echo "$prog: root filesystem ready in $dir ($(du -sh "$dir" | cut -f1))"
