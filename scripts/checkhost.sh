#!/bin/sh
# checkhost.sh - can mkcontainer run on this host? What is there, what is not.
#
#   checkhost.sh [-q] [-h]
#
# Like lxc-checkconfig and moby's contrib/check-config.sh: one line per thing
# mkcontainer needs from the kernel, the cgroups, the network and the tools,
# each "ok", "missing" (mkcontainer cannot work without it: a problem) or
# "warning" (only some options need it, or it could not be checked), then a
# verdict. Exit status 0 when mkcontainer can run (warnings allowed), 1 when
# something it needs is missing, 2 on bad usage.
#
# It only reads: no sysctl is written, no module loaded, no link, namespace,
# cgroup or file made. That is why some answers come from the kernel version
# (a system call cannot be tried without making something) and some from the
# kernel's configuration. Run as a user other than root, it checks what it
# can and says which checks need root.
set -eu

# shellcheck disable=SC2034 # used by mkc-lib.sh
prog=checkhost
# Set by `make install`; empty when run from the source tree.
MKC_LIBEXEC=
MKC_DEFAULT_ROOTFS=
case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
# shellcheck source=scripts/mkc-lib.sh
. "${MKC_LIBEXEC:-$here}/mkc-lib.sh"

usage() {
	printf 'Usage: %s ' "${0##*/}"
	cat <<'EOF'
[-q]
Check what this host offers mkcontainer: kernel features, cgroups, network,
tools, the built helpers and the root filesystem. Each check prints one line,
"ok", "missing" (a problem: mkcontainer cannot work without it) or
"warning" (needed by some options only, or not checkable). Changes nothing.

  -q   print only the problems and the verdict
  -h   print this help

Exit status: 0 when mkcontainer can run here, 1 when something it needs is
missing, 2 on bad usage. Run it as root for the checks that need root
(capabilities, write access to the cgroups and the state directory).
EOF
}

quiet=''
while getopts ':qh' opt; do
	case $opt in
	q) quiet=1 ;;
	h) usage; exit 0 ;;
	*) warn "invalid option '-$OPTARG' (try: $0 -h)"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -gt 0 ]; then
	warn "unexpected argument '$1' (try: $0 -h)"
	exit 2
fi

# --- reporting -------------------------------------------------------------

problems=0
dots=..................................
# check NAME STATUS [DETAIL]: one line, "  NAME ...... STATUS: DETAIL".
# STATUS missing is a problem; with -q only problems are printed.
check() {
	[ "$2" != missing ] || problems=$((problems + 1))
	[ -z "$quiet" ] || [ "$2" = missing ] || return 0
	printf '  %s %.*s %s%s\n' "$1" "$((24 - ${#1}))" "$dots" "$2" "${3:+: $3}"
}
section() {
	[ -n "$quiet" ] || printf '%s\n' "$1"
}

# --- what the checks read ----------------------------------------------------

# status_field KEY: sets $field to KEY's value in /proc/self/status; false
# when this kernel has no such line.
status_field() {
	field=''
	while read -r key value; do
		if [ "$key" = "$1:" ]; then
			field=$value
			return 0
		fi
	done </proc/self/status
	return 1
}

# read_value FILE: sets $value to the first line of FILE, or '' (false).
# Not with read: dash reads a byte at a time, and a numeric sysctl answers
# only a read at offset 0 (max_user_namespaces 96364 would read as "9").
read_value() {
	value=$(head -n 1 "$1" 2>/dev/null) || value=''
	[ -n "$value" ]
}

# fs_magic PATH: the file system type of PATH as statfs(2) gives it, in hex,
# as setcg compares it (linux/magic.h); 0 when PATH does not exist.
fs_magic() {
	stat -f -c %t "$1" 2>/dev/null || echo 0
}
CGROUP2_MAGIC=63677270 CGROUP1_MAGIC=27e0eb TMPFS_MAGIC=1021994

# The kernel release, as MAJOR and MINOR numbers.
krelease=$(uname -r)
kmajor=${krelease%%.*}
kminor=${krelease#*.}
kminor=${kminor%%[!0-9]*}
case $kmajor.$kminor in
[0-9]*.[0-9]*) ;;
*) kmajor=0 kminor=0 ;;
esac
# kernel_at_least MAJOR MINOR
kernel_at_least() {
	[ "$kmajor" -gt "$1" ] || { [ "$kmajor" -eq "$1" ] && [ "$kminor" -ge "$2" ]; }
}

# The kernel's configuration, where it is published; only the options asked
# about below are kept.
kconfig_options='VETH|BRIDGE'
kconfig=''
if [ -r /proc/config.gz ] && command -v gzip >/dev/null; then
	kconfig=$(gzip -dc /proc/config.gz 2>/dev/null |
		grep -E "^(# )?CONFIG_($kconfig_options)[ =]") || true
elif [ -r "/boot/config-$krelease" ]; then
	kconfig=$(grep -E "^(# )?CONFIG_($kconfig_options)[ =]" \
		"/boot/config-$krelease") || true
fi

uid=$(id -u)
is_root=''
[ "$uid" -ne 0 ] || is_root=1
needs_root='not checked: needs root'

# Where the other scripts find the helpers (find_helpers) and the rootfs.
if [ -n "$MKC_LIBEXEC" ]; then
	bin=$MKC_LIBEXEC
else
	bin=$here/../bin
fi
case $here in
scripts) top=. ;;
*/scripts) top=${here%/scripts} ;;
*) top=$here/.. ;;
esac
rootfs=${MKC_DEFAULT_ROOTFS:-$top/rootfs}

# --- privileges ----------------------------------------------------------------

section Privileges
if [ -n "$is_root" ]; then
	check user ok root
else
	check user warning "uid $uid, not root: mkcontainer needs root (sudo); \
the checks of capabilities, the state directory and write access to the \
cgroups need root"
fi

# What the chain needs: CAP_SYS_ADMIN (namespaces, mounts, pivot_root),
# CAP_NET_ADMIN (mkveth), and Docker's default set that confine keeps for the
# container (capset(2) cannot grant what the caller lacks). Root in a
# container or under a restricted service may not have them all.
if [ -z "$is_root" ]; then
	check capabilities warning "$needs_root"
elif status_field CapEff && case $field in *[!0-9a-fA-F]* | '') false ;; esac; then
	lacking=''
	for cap in 0:CHOWN 1:DAC_OVERRIDE 3:FOWNER 4:FSETID 5:KILL 6:SETGID \
		7:SETUID 8:SETPCAP 10:NET_BIND_SERVICE 12:NET_ADMIN 13:NET_RAW \
		18:SYS_CHROOT 21:SYS_ADMIN 27:MKNOD 29:AUDIT_WRITE 31:SETFCAP; do
		[ "$((0x$field >> ${cap%%:*} & 1))" -eq 1 ] ||
			lacking="$lacking CAP_${cap#*:}"
	done
	if [ -z "$lacking" ]; then
		check capabilities ok "CAP_SYS_ADMIN, CAP_NET_ADMIN and the container's set"
	else
		check capabilities missing "this root lacks$lacking"
	fi
else
	check capabilities warning "cannot read CapEff in /proc/self/status"
fi

# The state directory (locks, info), made on first use.
if [ -z "$is_root" ]; then
	check "state directory" warning "$needs_root"
elif [ -d "$MKC_STATE" ]; then
	if [ -w "$MKC_STATE" ]; then
		check "state directory" ok "$MKC_STATE"
	else
		check "state directory" missing "$MKC_STATE is not writable"
	fi
elif [ -w "${MKC_STATE%/*}" ]; then
	check "state directory" ok "$MKC_STATE, made by the first container"
else
	check "state directory" missing "cannot create $MKC_STATE: ${MKC_STATE%/*} is not writable"
fi

# --- kernel --------------------------------------------------------------------

section Kernel
if kernel_at_least 5 12; then
	check version ok "$krelease (5.12 or later needed)"
else
	check version warning "$krelease is older than 5.12, the oldest mkcontainer runs on (see below)"
fi

# A namespace type exists when /proc/self/ns has it; it can be created while
# user.max_TYPE_namespaces is not 0.
for ns in mnt uts ipc pid net user cgroup; do
	case $ns in
	mnt) config=NAMESPACES used='' ;;
	uts) config=UTS_NS used='' ;;
	ipc) config=IPC_NS used='' ;;
	pid) config=PID_NS used='' ;;
	net) config=NET_NS used='' ;;
	user) config=USER_NS used='-U only' ;;
	cgroup) config=CGROUPS used='setcg -C only, not mkcontainer' ;;
	esac
	why='' value=''
	if [ ! -e "/proc/self/ns/$ns" ]; then
		why="not in this kernel (CONFIG_$config)"
	elif read_value "/proc/sys/user/max_${ns}_namespaces" && [ "$value" = 0 ]; then
		why="disabled: user.max_${ns}_namespaces is 0"
	fi
	if [ -z "$why" ]; then
		detail=${value:+user.max_${ns}_namespaces = $value}
		[ -z "$used" ] || detail="${detail:+$detail; }needed by $used"
		check "$ns namespace" ok "$detail"
	elif [ -n "$used" ]; then
		check "$ns namespace" warning "$why; needed by $used"
	else
		check "$ns namespace" missing "$why"
	fi
done
# Sysctls that stop users other than root from making user namespaces
# (Debian's, Ubuntu's). mkuserns runs as root: for information only.
for sysctl in kernel/unprivileged_userns_clone kernel/apparmor_restrict_unprivileged_userns; do
	if read_value "/proc/sys/$sysctl"; then
		check "unprivileged userns" ok "${sysctl%%/*}.${sysctl#*/} = $value \
(limits users other than root only; mkcontainer is root)"
	fi
done

# What pivot and confine call unconditionally; no way to try a system call
# without making something, so by the kernel version that brought it.
for api in "5 2 new mount API:open_tree, move_mount, fsopen, fsmount (Linux 5.2; pivot)" \
	"5 6 openat2:RESOLVE_BENEATH mount targets (Linux 5.6; pivot)" \
	"5 11 close_range:CLOSE_RANGE_CLOEXEC (Linux 5.11; confine)" \
	"5 12 mount_setattr:read-only and masked /proc, /sys (Linux 5.12; pivot)"; do
	major=${api%% *} rest=${api#* }
	minor=${rest%% *} rest=${rest#* }
	if kernel_at_least "$major" "$minor"; then
		check "${rest%%:*}" ok "${rest#*:}"
	else
		check "${rest%%:*}" missing "${rest#*:}: kernel $krelease is older"
	fi
done

# -U idmaps the rootfs: kernel 5.12, and a file system that supports it. The
# kernels that first did, for the file systems known to; others are not told
# (an overlay cannot be idmapped on 6.1: pivot -U fails with EINVAL).
fstype=''
if [ -d "$rootfs" ] && command -v findmnt >/dev/null; then
	fstype=$(findmnt -n -o FSTYPE -T "$rootfs" 2>/dev/null) || fstype=''
fi
case $fstype in
ext4 | xfs | vfat) since='5 12' ;;
btrfs) since='5 15' ;;
f2fs) since='5 18' ;;
tmpfs) since='6 3' ;;
*) since='' ;;
esac
if ! kernel_at_least 5 12; then
	check "idmapped mounts" warning "kernel $krelease is older than 5.12; needed by -U only"
elif [ -z "$fstype" ]; then
	check "idmapped mounts" warning "cannot tell the file system of $rootfs; needed by -U only"
elif [ -z "$since" ]; then
	check "idmapped mounts" warning "cannot tell whether $fstype (the rootfs's) supports them; needed by -U only"
elif kernel_at_least "${since% *}" "${since#* }"; then
	check "idmapped mounts" ok "rootfs on $fstype; needed by -U only"
else
	check "idmapped mounts" warning "$fstype (the rootfs's) has them from Linux ${since% *}.${since#* }; needed by -U only"
fi

# confine's filter returns EPERM/ENOSYS: SECCOMP_RET_ERRNO.
if ! status_field Seccomp; then
	check seccomp missing "not in this kernel (CONFIG_SECCOMP)"
elif read_value /proc/sys/kernel/seccomp/actions_avail; then
	case " $value " in
	*" errno "*) check seccomp ok "filters with the errno action" ;;
	*) check seccomp missing "no errno action in /proc/sys/kernel/seccomp/actions_avail" ;;
	esac
else
	check seccomp missing "no filters (CONFIG_SECCOMP_FILTER)"
fi
if status_field NoNewPrivs || kernel_at_least 3 5; then
	check no_new_privs ok
else
	check no_new_privs missing "kernel $krelease is older than 3.5"
fi

# --- cgroups ---------------------------------------------------------------------

# The way setcg detects it: /sys/fs/cgroup is cgroup2 (v2), or a tmpfs with a
# v1 hierarchy per controller in it, and maybe a v2 one at unified/ (hybrid).
# A controller is on v1 when its directory is a v1 mount, else on v2 when the
# v2 root lists it in cgroup.controllers.
section cgroups
CG=/sys/fs/cgroup
cgtype=$(fs_magic "$CG")
v2root=''
v2ctls=''
v1list=''
case $cgtype in
"$CGROUP2_MAGIC") v2root=$CG ;;
"$TMPFS_MAGIC")
	[ "$(fs_magic "$CG/unified")" != "$CGROUP2_MAGIC" ] || v2root=$CG/unified
	for d in "$CG"/*; do
		if [ ! -L "$d" ] && [ "$(fs_magic "$d")" = "$CGROUP1_MAGIC" ]; then
			v1list="$v1list ${d##*/}"
		fi
	done
	;;
esac
if [ -n "$v2root" ]; then
	read_value "$v2root/cgroup.controllers" || true
	v2ctls=$value
fi
if [ "$cgtype" = "$CGROUP2_MAGIC" ]; then
	check layout ok "v2: one hierarchy at $CG (controllers: ${v2ctls:-none})"
elif [ "$cgtype" != "$TMPFS_MAGIC" ]; then
	check layout missing "no cgroup file system at $CG"
elif [ -n "$v1list" ] && [ -n "$v2root" ]; then
	check layout ok "hybrid: v1 hierarchies${v1list}; v2 at $v2root (controllers: ${v2ctls:-none})"
elif [ -n "$v1list" ]; then
	check layout ok "v1: hierarchies${v1list}"
elif [ -n "$v2root" ]; then
	check layout ok "v2 at $v2root, no v1 hierarchy (controllers: ${v2ctls:-none})"
else
	check layout missing "no cgroup hierarchy mounted under $CG"
fi

on_v2=''
for ctl in memory cpu pids; do
	version='' dir=''
	if [ "$cgtype" = "$TMPFS_MAGIC" ] && [ "$(fs_magic "$CG/$ctl")" = "$CGROUP1_MAGIC" ]; then
		version=1 dir=$CG/$ctl
	elif [ -n "$v2root" ] && case " $v2ctls " in *" $ctl "*) true ;; *) false ;; esac; then
		version=2 dir=$v2root on_v2="$on_v2 $ctl"
	fi
	eval "dir_$ctl=\$dir"
	case $ctl in
	memory) use='the memory limit (-m) of every container' level=missing ;;
	pids) use='the process limit (-p) of every container' level=missing ;;
	cpu) use='-c only' level=warning ;;
	esac
	if [ -z "$version" ]; then
		check "$ctl" "$level" "no $ctl controller on v1 or v2; needed by $use"
	elif [ -n "$is_root" ] && [ ! -w "$dir" ]; then
		check "$ctl" "$level" "v$version at $dir, read-only: cannot create cgroups there"
	elif [ "$ctl" = cpu ] && [ "$version" = 1 ] && [ ! -e "$dir/cpu.cfs_quota_us" ]; then
		check cpu warning "v1 at $dir without cpu.cfs_quota_us (CONFIG_CFS_BANDWIDTH); needed by -c only"
	else
		check "$ctl" ok "v$version at $dir${is_root:+, writable}"
	fi
done

# v2_sample FILE: sets $sample to a cgroup below the v2 root that has FILE
# (the root itself has no limit files): something setcg made, or systemd's.
v2_sample() {
	sample=''
	[ -n "$v2root" ] || return 1
	for d in "$v2root"/*; do
		if [ -e "$d/$1" ]; then
			sample=$d
			return 0
		fi
	done
	return 1
}

# Without swap accounting a container can go past -m into swap.
# /proc/swaps: a heading, then one line per swap area in use.
lines=0
while read -r _; do lines=$((lines + 1)); done </proc/swaps
swapnote='no swap is on now'
[ "$lines" -le 1 ] || swapnote='swap is on'

if [ -n "$dir_memory" ] && [ "$dir_memory" != "$v2root" ]; then
	if [ -e "$dir_memory/memory.memsw.limit_in_bytes" ]; then
		check "swap accounting" ok "memory.memsw.* (v1): -m holds memory and swap together"
	else
		check "swap accounting" warning "no memory.memsw.* (boot with swapaccount=1): a container can swap past -m ($swapnote)"
	fi
elif [ -n "$dir_memory" ]; then
	if v2_sample memory.max; then
		if [ -e "$sample/memory.swap.max" ]; then
			check "swap accounting" ok "memory.swap.max (v2): setcg sets it to 0"
		else
			check "swap accounting" warning "no memory.swap.max in $sample: a container can swap past -m ($swapnote)"
		fi
	else
		check "swap accounting" warning "cannot tell: no cgroup below $v2root has the memory controller yet"
	fi
fi

# setcg -r kills a v2 cgroup in one write to cgroup.kill (5.14), else one
# process at a time: for information only.
if [ -z "$on_v2" ]; then
	check cgroup.kill ok "not used: memory, cpu and pids are on v1 (setcg kills process by process)"
elif kernel_at_least 5 14; then
	check cgroup.kill ok "setcg -r kills a whole container at once"
else
	check cgroup.kill ok "not in kernel $krelease (5.14): setcg kills process by process"
fi

# --- network ---------------------------------------------------------------------

# module_state NAME CONFIG: sets $state to how this kernel has module NAME;
# false (1) when it has not, 2 when that cannot be told. Read-only: loaded
# (/sys/module/NAME/initstate), built in (/sys/module/NAME without it, the
# configuration, modules.builtin), or a module the kernel loads when mkveth
# first asks for a link of that kind (modules.dep, modinfo).
module_state() {
	moddir=/lib/modules/$krelease
	if [ -e "/sys/module/$1/initstate" ]; then
		state='loaded module'
	elif [ -d "/sys/module/$1" ]; then
		state='built in'
	else
		case $kconfig in
		*"CONFIG_$2=y"*) state="built in (CONFIG_$2=y)"; return 0 ;;
		*"# CONFIG_$2 is not set"*) state="not in this kernel (CONFIG_$2 is not set)"; return 1 ;;
		esac
		if grep -q "/$1\.ko" "$moddir/modules.builtin" 2>/dev/null; then
			state='built in (modules.builtin)'
		elif grep -q "/$1\.ko" "$moddir/modules.dep" 2>/dev/null ||
			{ command -v modinfo >/dev/null && modinfo "$1" >/dev/null 2>&1; }; then
			state='module, loaded by the kernel on first use'
		else
			case $kconfig in
			*"CONFIG_$2=m"*) state="CONFIG_$2=m but no $1 module in $moddir"; return 1 ;;
			esac
			state="cannot tell (no /sys/module/$1, kernel configuration or $moddir)"
			return 2
		fi
	fi
}

section Network
for mod in veth:VETH bridge:BRIDGE; do
	rc=0
	module_state "${mod%:*}" "${mod#*:}" || rc=$?
	case $rc in
	0) check "${mod%:*}" ok "$state" ;;
	1) check "${mod%:*}" missing "$state" ;;
	*) check "${mod%:*}" warning "$state" ;;
	esac
done

have_ip=''
! command -v ip >/dev/null || have_ip=1
br=$MKC_BRIDGE
if [ -d "/sys/class/net/$br/bridge" ]; then
	addrs=''
	if [ -n "$have_ip" ]; then
		while read -r _ _ _ addr _; do
			addrs="$addrs $addr"
		done <<-EOF
			$(ip -o -4 addr show dev "$br" 2>/dev/null || true)
		EOF
	fi
	check "bridge $br" ok "exists${addrs:+, gateways$addrs}"
elif [ -e "/sys/class/net/$br" ]; then
	check "bridge $br" missing "a link named $br exists and is not a bridge: mkveth cannot use it"
else
	check "bridge $br" ok "not there yet: the first container makes it"
fi

if [ -z "$have_ip" ]; then
	check "ip netns" warning "not checked: no ip command (see Tools)"
elif ip netns list >/dev/null 2>&1; then
	version=$(ip -V 2>/dev/null) || version=''
	version=${version#*iproute2-}
	check "ip netns" ok "iproute2 ${version%%,*}"
else
	check "ip netns" warning "this ip has no 'ip netns' (iproute2's has): the tutorial and the tests use it"
fi

# --- tools -------------------------------------------------------------------------

# tool LEVEL NAME PACKAGE WHY: NAME on PATH, else a LEVEL line.
tool() {
	if path=$(command -v "$2"); then
		check "$2" ok "$path"
	else
		check "$2" "$1" "not found on PATH (Debian package $3); $4"
	fi
}
# tool_file LEVEL NAME FILE PACKAGE WHY: FILE exists, else a LEVEL line.
tool_file() {
	if [ -e "$3" ]; then
		check "$2" ok "$3"
	else
		check "$2" "$1" "no $3 (Debian package $4); $5"
	fi
}

section Tools
run='needed by mkcontainer'
# The scripts are #!/bin/sh.
if [ -x /bin/sh ]; then
	check sh ok /bin/sh
else
	check sh missing "no /bin/sh; $run"
fi
tool warning ip iproute2 "used by the tutorial and the tests (mkcontainer needs none)"
tool missing flock util-linux "needed by rmcontainer (it waits for a container's lock)"
for t in cat getconf mkdir mkfifo tail; do
	case $t in getconf) pkg=libc-bin ;; *) pkg=coreutils ;; esac
	tool missing "$t" "$pkg" "$run"
done
tool missing env coreutils 'needed by execcontainer (a clean environment)'

tests='needed by make test (which installs it)'
tool warning bats bats "$tests"
tool_file warning bats-assert /usr/lib/bats/bats-assert/load.bash bats-assert "$tests"
tool_file warning bats-support /usr/lib/bats/bats-support/load.bash bats-support "$tests"
tool warning shellcheck shellcheck "$tests"
tool warning script bsdutils "$tests"
tool warning ps procps "$tests"
tool warning pgrep procps "$tests"
tool warning dash dash 'the lint test parses the scripts with it'
build='needed by make (which installs it)'
tool warning cc gcc "$build"
tool warning musl-gcc musl-tools 'make links the helpers with musl when it is installed: they start in half the time'
tool warning make make 'needed to build the helpers'
tool_file warning busybox /bin/busybox busybox-static 'needed by make rootfs (which installs it)'
tool warning hyperfine hyperfine 'optional: make bench'

# The helpers, where the scripts look for them (find_helpers), each able to
# run here (-h).
broken=''
for h in nsexec pivot setcg mkveth confine mkuserns ptyexec; do
	"$bin/$h" -h >/dev/null 2>&1 || broken="$broken $h"
done
bindir=$(cd "$bin" 2>/dev/null && pwd -P) || bindir=$bin
if [ -z "$broken" ]; then
	check helpers ok "$bindir"
else
	check helpers missing "not built or not runnable in $bindir:$broken (run: make)"
fi

# The default root filesystem (mkcontainer -r DIR uses another).
shell=$rootfs/bin/sh
if [ -L "$shell" ]; then
	target=$(readlink "$shell") || target=''
	case $target in
	/*) shell=$rootfs$target ;;
	*) shell=$rootfs/bin/$target ;;
	esac
fi
rootdir=$(cd "$rootfs" 2>/dev/null && pwd -P) || rootdir=$rootfs
if [ ! -d "$rootfs" ]; then
	check rootfs missing "no $rootdir (run: make rootfs; or give mkcontainer -r DIR)"
elif [ ! -d "$rootfs/proc" ] || [ ! -d "$rootfs/sys" ] || [ ! -d "$rootfs/dev" ]; then
	check rootfs missing "$rootdir lacks a /proc, /sys or /dev directory (run: make rootfs)"
elif [ ! -x "$shell" ]; then
	check rootfs warning "$rootdir has no /bin/sh: give each container a COMMAND"
else
	check rootfs ok "$rootdir"
fi

if [ "$problems" -eq 0 ]; then
	echo "mkcontainer can run here"
	exit 0
fi
echo "mkcontainer cannot run here: $problems problem(s)"
exit 1
