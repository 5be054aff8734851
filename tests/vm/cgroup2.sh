#!/bin/sh
# cgroup2.sh - run a command on a pure cgroup v2 kernel, under qemu.
#
#   tests/vm/cgroup2.sh [-t SECONDS] [COMMAND [ARG]...]   (default: make test)
#
# Boots Debian's generic kernel with cgroup_no_v1=all under qemu's software
# emulation (TCG), with the host's whole filesystem shared read-only over
# virtio-9p and a tmpfs overlaid on it: every host tool is there, and nothing
# the guest writes reaches the host. COMMAND runs as root in the current
# directory; its output streams here and its exit status is ours. 124 means
# the timeout (MKC_VM_TIMEOUT, default 3600 s) ran out, 125 that the VM could
# not be made or did not report.
#
# The kernel (linux-image-amd64 and the version it depends on) is fetched with
# apt-get download into tests/vm/cache, or taken from MKC_VM_KERNEL (a
# vmlinuz) and MKC_VM_MODULES (a tree holding lib/modules/VERSION).
set -eu

prog=cgroup2.sh
here=$(cd "$(dirname "$0")" && pwd)
cache=${MKC_VM_CACHE:-$here/cache}
timeout=${MKC_VM_TIMEOUT:-3600}
# 9p and overlay for /, bridge and veth for the containers, virtio_blk and
# ext4 for the rootfs (see below), crc32c_generic for ext4's checksums.
mods="virtio_pci 9pnet_virtio 9p overlay bridge veth virtio_blk ext4 crc32c_generic"

die() { printf '%s: %s\n' "$prog" "$*" >&2; exit 125; }
usage() {
	echo "usage: $prog [-t SECONDS] [COMMAND [ARG]...]   (default: make test)"
}

while getopts t:h opt; do
	case $opt in
	t) timeout=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 125 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- make test
case $timeout in '' | *[!0-9]*) die "invalid timeout '$timeout': seconds expected" ;; esac

[ "$(id -u)" = 0 ] || die "must run as root (the guest shares / as root)"
for tool in qemu-system-x86_64 cpio gzip depmod modprobe; do
	command -v "$tool" >/dev/null 2>&1 ||
		die "$tool not found: run scripts/install-deps.sh vm"
done
busybox=/bin/busybox
# The initramfs needs a static busybox: the dynamic one has no libraries there.
if [ ! -x "$busybox" ] || ldd "$busybox" >/dev/null 2>&1; then
	die "$busybox is missing or not static: run scripts/install-deps.sh vm"
fi

# --- the kernel ---------------------------------------------------------------
# debian_kernel: sets $pkg, the versioned package linux-image-amd64 needs.
debian_kernel() {
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1)
}

kernel_from_debian() {
	debian_kernel
	if [ -z "$pkg" ]; then
		# A fresh machine may have no package lists yet.
		apt-get update -qq >/dev/null 2>&1 || :
		debian_kernel
	fi
	[ -n "$pkg" ] || die "no Debian kernel package known: run apt-get update"
	kver=${pkg#linux-image-}
	kdir=$cache/$pkg
	# Made again from the package when the list of modules changes.
	[ -f "$kdir/.done" ] && [ "$(cat "$kdir/.done")" = "$mods" ] && return
	rm -rf "$kdir" "$cache/tmp" && mkdir -p "$cache/tmp"
	set -- "$cache"/"$pkg"_*.deb
	if [ ! -f "$1" ]; then
		echo "$prog: fetching $pkg into $cache" >&2
		(cd "$cache" && apt-get download "$pkg") >"$cache/apt.log" 2>&1 ||
			die "apt-get download $pkg failed: see $cache/apt.log"
		set -- "$cache"/"$pkg"_*.deb
	fi
	dpkg-deb -x "$1" "$cache/tmp/root" || die "cannot unpack $1"
	# Keep the kernel and the modules the guest loads, drop the rest.
	depmod -b "$cache/tmp/root" "$kver" || die "depmod failed for $kver"
	mkdir -p "$kdir/mods"
	cp "$cache/tmp/root/boot/vmlinuz-$kver" "$kdir/vmlinuz"
	list_modules "$cache/tmp/root" | while read -r ko; do
		cp "$ko" "$kdir/mods/"
		echo "${ko##*/}" >>"$kdir/mods/order"
	done
	[ -s "$kdir/mods/order" ] || die "no modules found in $pkg"
	rm -rf "$cache/tmp"
	echo "$mods" >"$kdir/.done"
}

# list_modules ROOT: the .ko files of $mods and what they need, in load order.
list_modules() {
	for m in $mods; do
		modprobe -d "$1" -S "$kver" --show-depends "$m" ||
			die "module $m not found for $kver"
	done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }'
}

if [ -n "${MKC_VM_KERNEL-}" ]; then
	[ -n "${MKC_VM_MODULES-}" ] || die "MKC_VM_KERNEL needs MKC_VM_MODULES too"
	kver=$(ls "$MKC_VM_MODULES/lib/modules") || die "no lib/modules in $MKC_VM_MODULES"
	kdir=$cache/custom-$kver
	rm -rf "$kdir" && mkdir -p "$kdir/mods"
	cp "$MKC_VM_KERNEL" "$kdir/vmlinuz"
	depmod -b "$MKC_VM_MODULES" "$kver" || die "depmod failed for $kver"
	list_modules "$MKC_VM_MODULES" | while read -r ko; do
		cp "$ko" "$kdir/mods/" && echo "${ko##*/}" >>"$kdir/mods/order"
	done
else
	kernel_from_debian
fi

# --- the run directory, shared read-write with the guest ------------------------
run=$(mktemp -d "${TMPDIR:-/tmp}/mkc-vm.XXXXXX")
qpid=
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	[ -z "$qpid" ] || kill "$qpid" 2>/dev/null || :
	rm -rf "$run"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# quote ARG: ARG as one sh word.
quote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
{
	printf 'cd %s || exit 125\n' "$(quote "$PWD")"
	printf 'export TERM=%s\n' "$(quote "${TERM:-dumb}")"
	printf 'exec'
	for a in "$@"; do printf ' %s' "$(quote "$a")"; done
	echo
} >"$run/cmd"
tty=0
[ -t 0 ] && [ -t 1 ] && tty=1

# Idmapped mounts (mkcontainer -U) need a file system that allows them:
# overlayfs does not, nor does tmpfs before Linux 6.3. So the guest's TMPDIR
# is an empty ext4 disk (vda) at /run/mkc-tmp (not /tmp: the current
# directory may be below the host's /tmp), and the repository's rootfs, when
# the current directory has one, a copy on another (vdb) mounted over it.
# What the guest writes there is lost, like the rest. (Sparse files.)
command -v mke2fs >/dev/null 2>&1 || die "mke2fs not found: run scripts/install-deps.sh vm"
mke2fs -q -F -t ext4 "$run/tmp.img" 4G >/dev/null 2>&1 ||
	die "cannot make an ext4 image for TMPDIR"
disk="-drive file=$run/tmp.img,format=raw,if=virtio"
if [ -d "$PWD/rootfs" ]; then
	mb=$(du -sm "$PWD/rootfs" | cut -f1)
	mke2fs -q -F -t ext4 -d "$PWD/rootfs" "$run/rootfs.img" "$((mb * 2 + 256))M" >/dev/null ||
		die "cannot make an ext4 image of $PWD/rootfs"
	printf '%s\n' "$PWD/rootfs" >"$run/rootfs-at"
	disk="$disk -drive file=$run/rootfs.img,format=raw,if=virtio"
fi

# --- the initramfs: busybox, the modules, /init --------------------------------
mkdir -p "$run/ir/bin" "$run/ir/lib" "$run/ir/proc" "$run/ir/sys" "$run/ir/dev"
cp "$busybox" "$run/ir/bin/busybox"
cp "$kdir"/mods/* "$run/ir/lib/"
cat >"$run/ir/init" <<'EOF'
#!/bin/busybox sh
# Stage 1: modules, the host's / read-only under a tmpfs overlay, switch_root.
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
exec </dev/console >/dev/console 2>&1
fail() { echo "mkc-vm: $*" >/dev/console; poweroff -f; }
# (crc32c-intel is refused by a CPU without SSE 4.2: crc32c_generic is there)
while read -r ko; do insmod "/lib/$ko" || echo "mkc-vm: insmod $ko failed"; done </lib/order
mkdir -p /lower /rw /newroot /run
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose hostroot /lower ||
	fail "cannot mount the host's / over 9p"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 mkcrun /run || fail "cannot mount the run directory"
mount -t tmpfs -o mode=755 rw /rw && mkdir /rw/upper /rw/work
mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /newroot ||
	fail "cannot mount the overlay"
n=/newroot
mount -t proc proc $n/proc
mount -t sysfs sys $n/sys
mount -t cgroup2 -o nsdelegate cgroup2 $n/sys/fs/cgroup || fail "cannot mount cgroup2"
mount -t devtmpfs dev $n/dev
mkdir -p $n/dev/pts $n/dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts $n/dev/pts
mount -t tmpfs -o mode=1777 shm $n/dev/shm
for l in fd:/proc/self/fd stdin:/proc/self/fd/0 stdout:/proc/self/fd/1 stderr:/proc/self/fd/2; do
	ln -sf "${l#*:}" "$n/dev/${l%%:*}"
done
mount -t tmpfs -o mode=755 run $n/run
mkdir $n/run/mkc-tmp
mount -t ext4 /dev/vda $n/run/mkc-tmp || fail "cannot mount the TMPDIR disk"
chmod 1777 $n/run/mkc-tmp
if [ -s /run/rootfs-at ]; then
	mount -t ext4 /dev/vdb "$n$(cat /run/rootfs-at)" || fail "cannot mount the rootfs disk"
fi
mkdir -p $n/run/mkc-vm $n/run/lock
mount --move /run $n/run/mkc-vm
cp /bin/busybox $n/run/busybox
printf '::sysinit:/run/busybox sh /run/mkc-vm/stage2\n' >$n/etc/inittab
ip link set lo up
hostname mkc-vm
exec switch_root $n /run/busybox init
EOF
cat >"$run/stage2" <<'EOF'
# Stage 2, in the overlay root, under busybox init (which reaps orphans).
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
HOME=/root LANG=C.UTF-8 TMPDIR=/run/mkc-tmp
export PATH HOME LANG TMPDIR
bb=/run/busybox
$bb stty -onlcr 2>/dev/null <>/dev/console
{
	printf 'mkc-vm: Linux %s; /sys/fs/cgroup is %s with: %s\n' "$($bb uname -r)" \
		"$(/usr/bin/stat -fc %T /sys/fs/cgroup)" "$($bb cat /sys/fs/cgroup/cgroup.controllers)"
} >/dev/console 2>&1
if $bb grep -q 'mkc.tty=1' /proc/cmdline; then
	/bin/sh /run/mkc-vm/cmd <>/dev/console >&0 2>&1
	status=$?
else
	( /bin/sh /run/mkc-vm/cmd </dev/null 2>&1; echo $? >/run/mkc-vm/status.tmp ) | $bb cat >/dev/console
	status=$($bb cat /run/mkc-vm/status.tmp)
fi
echo "$status" >/run/mkc-vm/status
$bb sync
echo 0 >/proc/sys/kernel/printk
$bb poweroff -f
EOF
chmod 755 "$run/ir/init"
(cd "$run/ir" && find . | cpio -o -H newc --quiet | gzip -1) >"$run/initrd.gz" ||
	die "cannot build the initramfs"
rm -rf "$run/ir"

# --- boot ---------------------------------------------------------------------
cpus=$(nproc); [ "$cpus" -le 4 ] || cpus=4
echo "$prog: booting $kver (qemu TCG, $cpus CPUs, cgroup_no_v1=all); timeout ${timeout}s" >&2
fg=
[ "$tty" = 0 ] || fg=--foreground
exec 3<&0
# shellcheck disable=SC2086 # $fg, $disk: options or nothing
timeout $fg -k 10 "$timeout" qemu-system-x86_64 \
	-accel tcg,thread=multi -cpu max -smp "$cpus" -m 3072 \
	-nographic -no-reboot -nodefaults -serial stdio -monitor none \
	-bios qboot.rom \
	-kernel "$kdir/vmlinuz" -initrd "$run/initrd.gz" $disk \
	-append "console=ttyS0 quiet loglevel=1 panic=-1 cgroup_no_v1=all mkc.tty=$tty" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-virtfs "local,path=$run,mount_tag=mkcrun,security_model=none" <&3 3<&- &
qpid=$!
rc=0
wait "$qpid" || rc=$?
qpid=
[ "$rc" != 124 ] || { echo "$prog: timed out after ${timeout}s" >&2; exit 124; }
[ -s "$run/status" ] || die "the guest did not report a status (qemu exited with $rc)"
exit "$(cat "$run/status")"
