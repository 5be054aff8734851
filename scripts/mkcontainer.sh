#!/bin/sh
# mkcontainer.sh - run a command in a new container.
#
#   mkcontainer.sh [OPTIONS] HOSTNAME IP[/PREFIX] [--] [COMMAND [ARG]...]
#
# A container here is one chain of small helpers, each doing one kernel job and
# then exec'ing the next (run `mkcontainer.sh -h`, and see README.md):
#
#   mkveth   a new network namespace (the rest of the chain runs in it; it
#            goes when its last process does); veth pair: host end on the
#            bridge, eth0 inside
#   ptyexec  a terminal of its own (or at least a session of its own)
#   nsexec   new mount, UTS, IPC and PID namespaces; hostname;
#            fork: PID 1 is a small init, COMMAND is its child
#   setcg    cgroup with the memory, CPU and pids limits; move in
#   pivot    mounts, pivot_root into the root filesystem
#   confine  capabilities, no_new_privs, seccomp (-U: the user namespace)
#
# This script checks every input before it makes anything, writes the
# state, runs the chain, waits, and on every way out (COMMAND ends, an
# error, SIGINT/SIGTERM/SIGHUP to this script) removes what it made.
# -ef (same file) is not in POSIX, but dash, bash and busybox sh have it.
# shellcheck disable=SC3013
set -eu

# shellcheck disable=SC2034 # used by mkc-lib.sh
prog=mkcontainer
# Set by `make install`; empty when run from the source tree.
MKC_LIBEXEC=
MKC_DEFAULT_ROOTFS=
case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
# shellcheck source=scripts/mkc-lib.sh
. "${MKC_LIBEXEC:-$here}/mkc-lib.sh"

usage() {
	printf 'Usage: %s ' "${0##*/}"
	cat <<'EOF'
[OPTIONS] HOSTNAME IP[/PREFIX] [--] [COMMAND [ARG]...]
Run COMMAND (default /bin/sh) in a new container with its own mount, UTS,
PID, network and IPC namespaces, root filesystem, hostname, an IP address on
the host bridge mkc0, and cgroup limits.

  -r DIR      root filesystem (default: rootfs/ of the mkcontainer tree)
  -n NAME     container name (default: HOSTNAME); unique among running ones
  -m SIZE     memory limit: bytes, or with suffix K, M or G (default 256M);
              no swap
  -c CPUS     CPU limit in CPUs, e.g. 0.5 (default: none)
  -p N        maximum number of processes (default 256)
  -v SRC:DST  bind host directory SRC at DST in the container (repeatable;
              add :ro for read-only)
  -g IP       host-side gateway address on the bridge (default: the first
              host address of IP's subnet)
  -d          detach: print the container's name once COMMAND runs and
              exit 0; its output goes to /run/mkcontainer/NAME/log
  -x          explain: print each command line before it runs, and have
              each helper print the system calls it makes (-v)
  -U          user namespace: root in the container is host user (and
              group) 100000, IDs 0-65535 are 100000-165535 (MKC_USERNS=
              HOSTUID:COUNT to change); the rootfs and volumes are idmapped
  -h          print this help

HOSTNAME: letters, digits and '-', 1-63 characters, no '-' at either end.
IP: IPv4 address, prefix 8-30 (default /24); not the network, broadcast or
gateway address.

Exit status: COMMAND's; 125 when mkcontainer failed; 126 COMMAND not
executable; 127 COMMAND not found; 128+N when COMMAND was killed by signal N.

SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 to mkcontainer are
passed to COMMAND; after SIGTERM or SIGHUP, COMMAND is killed if it still
runs MKC_STOP_TIMEOUT seconds later (default 10). Everything the container
made is removed when it ends. See also lscontainer, execcontainer and
rmcontainer.
EOF
}

# --- validation: everything is checked before anything is made ------------

# valid_ipv4 TEXT: sets $ipnum to the address as a 32-bit number.
valid_ipv4() {
	ipnum=0
	rest=$1.
	for _ in 1 2 3 4; do
		octet=${rest%%.*}
		rest=${rest#*.}
		case $octet in
		'' | *[!0-9]* | 0?*) return 1 ;;
		esac
		[ "${#octet}" -le 3 ] || return 1
		[ "$octet" -le 255 ] || return 1
		ipnum=$((ipnum * 256 + octet))
	done
	[ -z "$rest" ]
}

ipv4_text() {
	ipv4=$(($1 >> 24 & 255)).$(($1 >> 16 & 255)).$(($1 >> 8 & 255)).$(($1 & 255))
}

# valid_size TEXT: sets $bytes.
valid_size() {
	case $1 in
	*[kK]) unit=1024 ;;
	*[mM]) unit=1048576 ;;
	*[gG]) unit=1073741824 ;;
	*) unit=1 ;;
	esac
	number=${1%[kKmMgG]}
	# No leading zero: the shell would read the number as octal.
	case $number in
	'' | *[!0-9]* | 0?*) return 1 ;;
	esac
	# At most 2^62 bytes, checked before the multiplication can overflow.
	[ "${#number}" -le 18 ] || return 1
	[ "$number" -le $(((1 << 62) / unit)) ] || return 1
	bytes=$((number * unit))
}

# valid_cpus TEXT: sets $cpus_hundredths.
valid_cpus() {
	case $1 in
	*.*) whole=${1%%.*} frac=${1#*.} ;;
	*) whole=$1 frac=00 ;;
	esac
	case $whole$frac in
	*[!0-9]*) return 1 ;;
	esac
	case $frac in
	? ) frac=${frac}0 ;;
	??) ;;
	*) return 1 ;;
	esac
	[ -n "$whole" ] || return 1
	[ "${#whole}" -le 4 ] || return 1
	# Leading zeros would make the shell read octal.
	whole=${whole#"${whole%%[!0]*}"}
	cpus_hundredths=$((${whole:-0} * 100 + ${frac#0}))
}

valid_hostname() {
	case $1 in
	'' | -* | *- | *[!A-Za-z0-9-]*) return 1 ;;
	esac
	[ "${#1}" -le 63 ]
}

case $here in
scripts) top=. ;;
*/scripts) top=${here%/scripts} ;;
*) top=$here/.. ;;
esac
rootfs=${MKC_DEFAULT_ROOTFS:-$top/rootfs}
name='' memory=256M cpus='' pids=256 gateway='' nvol=0 detach='' userns=''
explain=''
while getopts ':r:n:m:c:p:v:g:dUxh' opt; do
	case $opt in
	d) detach=1 ;;
	U) userns=1 ;;
	x) explain=1 ;;
	r) rootfs=$OPTARG ;;
	n) name=$OPTARG ;;
	m) memory=$OPTARG ;;
	c) cpus=$OPTARG ;;
	p) pids=$OPTARG ;;
	v) nvol=$((nvol + 1)); eval "vol_$nvol=\$OPTARG" ;;
	g) gateway=$OPTARG ;;
	h) usage; exit 0 ;;
	:) die "option -$OPTARG needs a value (try: $0 -h)" ;;
	*) die "invalid option '-$OPTARG' (try: $0 -h)" ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || die "missing HOSTNAME and IP (try: $0 -h)"
[ $# -ge 2 ] || die "missing IP after HOSTNAME '$1' (try: $0 -h)"
hostname=$1 address=$2
shift 2
[ "${1-}" != -- ] || shift
[ $# -gt 0 ] || set -- /bin/sh

valid_hostname "$hostname" ||
	die "invalid hostname '$hostname': use 1-63 letters, digits or '-', not starting or ending with '-'"
name=${name:-$hostname}
valid_name "$name" ||
	die "invalid name '$name': use 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit"

case $address in
*/*) ip=${address%/*} prefix=${address#*/} ;;
*) ip=$address prefix=24 ;;
esac
valid_ipv4 "$ip" || die "invalid IP address '$ip': expected an IPv4 address such as 10.0.0.2"
# Not a container's address: "this network", loopback, link-local, multicast
# and reserved.
case $ip in
0.* | 127.* | 169.254.* | 22[4-9].* | 2[3-5][0-9].*)
	die "invalid IP address '$ip': a special-purpose address (0/8, 127/8, 169.254/16, 224/3)" ;;
esac
case $prefix in
'' | *[!0-9]* | 0?*) die "invalid prefix '/$prefix': expected a number from 8 to 30" ;;
esac
if [ "$prefix" -lt 8 ] || [ "$prefix" -gt 30 ]; then
	die "invalid prefix '/$prefix': expected a number from 8 to 30"
fi
mask=$(((0xffffffff << (32 - prefix)) & 0xffffffff))
net=$((ipnum & mask)) ipn=$ipnum
bcast=$((net | (~mask & 0xffffffff)))
if [ -n "$gateway" ]; then
	valid_ipv4 "$gateway" || die "invalid gateway '$gateway': expected an IPv4 address"
	if [ $((ipnum & mask)) -ne "$net" ] || [ "$ipnum" -eq "$net" ] || [ "$ipnum" -eq "$bcast" ]; then
		die "invalid gateway '$gateway': not a host address of $ip/$prefix"
	fi
	gwn=$ipnum
else
	gwn=$((net + 1))
	ipv4_text "$gwn"
	gateway=$ipv4
fi
[ "$ipn" -ne "$net" ] || die "invalid IP '$ip/$prefix': it is the network address"
[ "$ipn" -ne "$bcast" ] || die "invalid IP '$ip/$prefix': it is the broadcast address"
[ "$ipn" -ne "$gwn" ] || die "invalid IP '$ip/$prefix': it is the gateway address"

valid_size "$memory" || die "invalid memory limit '$memory': expected bytes, or a number with K, M or G"
[ "$bytes" -ge 4194304 ] || die "invalid memory limit '$memory': the minimum is 4M"
if [ -n "$cpus" ]; then
	valid_cpus "$cpus" || die "invalid CPU limit '$cpus': expected a number of CPUs such as 0.5 or 2"
	ncpu=$(getconf _NPROCESSORS_ONLN)
	if [ "$cpus_hundredths" -lt 1 ] || [ "$cpus_hundredths" -gt $((ncpu * 100)) ]; then
		die "invalid CPU limit '$cpus': expected 0.01 to $ncpu (CPUs on this host)"
	fi
fi
case $pids in
'' | *[!0-9]* | 0*) die "invalid process limit '$pids': expected a whole number from 1" ;;
esac
if [ "${#pids}" -gt 7 ] || [ "$pids" -gt 4194304 ]; then
	die "invalid process limit '$pids': the maximum is 4194304"
fi

# -U: container IDs 0..COUNT-1 are host IDs BASE..BASE+COUNT-1.
uid_range=${MKC_USERNS:-100000:65536}
uid_base=${uid_range%%:*} uid_count=${uid_range#*:}
case $uid_base:$uid_count in
*[!0-9:]* | :* | *: | 0* | *:0* | *:*:*)
	die "invalid MKC_USERNS '$uid_range': expected HOSTUID:COUNT, e.g. 100000:65536" ;;
esac
if [ "${#uid_base}" -gt 10 ] || [ "${#uid_count}" -gt 10 ] ||
	[ $((uid_base + uid_count)) -gt 4294967295 ]; then
	die "invalid MKC_USERNS '$uid_range': past 4294967295"
fi

case ${MKC_STOP_TIMEOUT:-10} in
'' | *[!0-9]* | ?????*) die "invalid MKC_STOP_TIMEOUT '$MKC_STOP_TIMEOUT': expected seconds" ;;
esac

[ -d "$rootfs" ] || die "invalid root filesystem '$rootfs': no such directory (run: make rootfs)"
[ ! "$rootfs" -ef / ] || die "invalid root filesystem '$rootfs': it is the host's root"
if [ ! -r "$rootfs" ] || [ ! -x "$rootfs" ]; then
	die "invalid root filesystem '$rootfs': not accessible"
fi
case $rootfs in *'
'*) die "invalid root filesystem: its path has a newline" ;;
esac
# Where pivot mounts the kernel's filesystems: it changes nothing in the rootfs.
for d in proc sys dev; do
	[ -d "$rootfs/$d" ] || die "invalid root filesystem '$rootfs': it has no /$d directory"
done
i=1 vol=''
while [ "$i" -le "$nvol" ]; do
	eval "vol=\$vol_$i"
	src=${vol%%:*} dst=${vol#*:}
	case $dst in *:ro | *:rw) dst=${dst%:*} ;; esac
	case $vol in
	*:*) ;;
	*) die "invalid volume '$vol': expected SRC:DST" ;;
	esac
	case $dst in
	/*) ;;
	*) die "invalid volume '$vol': DST must be an absolute path" ;;
	esac
	case $dst in
	/ | *:* | */../* | */.. | */./* | */. | *//* | */ | *'
'*) die "invalid volume '$vol': DST must be a path below / without '..', '.', '//' or ':'" ;;
	esac
	case $dst in
	/proc | /proc/* | /sys | /sys/* | /dev | /dev/*)
		die "invalid volume '$vol': /proc, /sys and /dev are the container's own" ;;
	esac
	[ -n "$src" ] || die "invalid volume '$vol': expected SRC:DST"
	[ -e "$src" ] || die "invalid volume '$vol': no such host path '$src'"
	[ -e "$rootfs$dst" ] || die "invalid volume '$vol': no $dst in root filesystem '$rootfs'"
	i=$((i + 1))
done

require_root
bin=''
find_helpers

# --- state, locks, resources -------------------------------------------------

dir=$MKC_STATE/$name
veth='' # see start_chain
cgroup=$MKC_CGROUP_PREFIX$name
child=''
dir_made=''
name_locked=''
ip_new=''
ip_locked=''
info_written=''
handed_over=''

# shellcheck disable=SC2317 # called by the traps
cleanup() {
	status=$?
	set +e
	trap '' INT TERM HUP QUIT USR1 USR2
	# -d: what is made belongs to the supervisor now, which removes it.
	[ -z "$handed_over" ] || exit "$status"
	# $! as well: a signal may come between `&` and `child=$!`.
	child=${child:-${!-}}
	if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
		kill -KILL "$child" 2>/dev/null || true
		wait "$child" 2>/dev/null || true
	fi
	# The address's lock file: remove it if we hold its lock, or if we made
	# it and can take its lock (a signal came between our open and our
	# flock, or the name was in use). A file that was there before is not
	# ours to touch. remove_container removes it with the rest, in one go.
	if [ -n "$ip_locked" ] || { [ -n "$ip_new" ] && [ -e "/proc/self/fd/9" ] &&
		"$bin/mkstate" -l 9 && [ "$MKC_IPS/$ip" -ef "/proc/self/fd/9" ]; }; then
		also_rm=$MKC_IPS/$ip
	fi
	if [ -n "$info_written" ]; then
		# shellcheck disable=SC2034 # used by remove_made
		info_name=$name info_ip=$ip info_netns='' info_veth=$veth \
			info_cgroup=$cgroup
		remove_made "$dir"
	elif [ -n "$name_locked" ]; then
		remove_container "$dir"
	elif [ -n "$dir_made" ] && [ -d "$dir" ] && lock 8 "$dir/lock"; then
		# A signal came between our mkdir and our lock: if nobody holds
		# the name now, what is there is ours or stale.
		remove_container "$dir"
	fi
	[ -z "$also_rm" ] || "$bin/mkstate" -r "$also_rm"
	exit "$status"
}
trap cleanup EXIT
# Before the container runs, a signal just ends this script (and cleanup
# runs); once it runs, the signal is passed in (nsexec passes it to COMMAND)
# and we wait for the container to end. With a terminal on stdout or
# stderr but not on stdin, a ^C or ^\ typed there reaches ptyexec too (it is
# in our process group, and the terminal is not in raw mode), which passes
# it on: not a second time from here. (With stdin a terminal, ptyexec puts
# it in raw mode: ^C is a byte for the container's own terminal, and a
# SIGINT here was sent to us.)
# shellcheck disable=SC2317 # called by the traps
on_signal() {
	if [ -z "$child" ]; then
		exit $((128 + $2))
	fi
	case $1 in
	INT | QUIT)
		if [ ! -t 0 ] && { [ -t 1 ] || [ -t 2 ]; }; then
			return 0
		fi ;;
	esac
	# Until the chain has exec'd, it is our forked copy, which ignores
	# SIGINT and SIGQUIT (sh does that to background jobs) and catches the
	# others with our traps: a signal it gets then is lost at its exec.
	# It execs within microseconds: wait for it, then send.
	n=0
	while handled "$2" "$child" && [ "$n" -lt 10000 ]; do
		n=$((n + 1))
	done
	kill "-$1" "$child" 2>/dev/null || true
}
# handled SIGNUM PID: true while process PID ignores or catches signal
# SIGNUM (the helpers of the chain do neither: they block, or leave it be).
# shellcheck disable=SC2317 # called by on_signal
handled() {
	while read -r key mask; do
		case $key in
		SigIgn:) [ $((0x$mask >> ($1 - 1) & 1)) -eq 0 ] || return 0 ;;
		SigCgt:) [ $((0x$mask >> ($1 - 1) & 1)) -eq 1 ]; return ;;
		esac
	done 2>/dev/null <"/proc/$2/status"
	return 1
}
trap_signals() {
	trap 'on_signal INT 2' INT
	trap 'on_signal TERM 15' TERM
	trap 'on_signal HUP 1' HUP
	trap 'on_signal QUIT 3' QUIT
	trap 'on_signal USR1 10' USR1
	trap 'on_signal USR2 12' USR2
}
trap_signals

# The state (the container's output with -d, among others) is root's alone.
umask 077
[ -d "$MKC_IPS" ] || mkdir -p "$MKC_STATE" "$MKC_IPS" 2>/dev/null ||
	die "cannot create state directory '$MKC_IPS'"
# The name (its state directory and lock) and the address (its lock file),
# locked in one go. A container that is ending removes its directory, maybe
# between our mkdir and our open: then try again. (Descriptors 8 and 9 are
# ours: cleanup must not take a lock on the caller's.)
exec 8>&- 9>&-
tries=0
while :; do
	dir_made=1
	[ -d "$dir" ] || "$bin/mkstate" -d "$dir" 2>/dev/null || true
	rc=0
	[ -e "$MKC_IPS/$ip" ] || ip_new=1
	lock 8 "$dir/lock" 9 "$MKC_IPS/$ip" || rc=$?
	case $rc in
	0 | 2) break ;;
	1)
		dir_made=''
		die "name '$name' is in use by a running container" ;;
	4) die "cannot create lock file '$MKC_IPS/$ip'" ;;
	esac
	tries=$((tries + 1))
	[ "$tries" -lt 100 ] || die "cannot create state directory '$dir'"
done
name_locked=1
if [ "$rc" -eq 2 ]; then
	owner=''
	read -r owner <"$MKC_IPS/$ip" 2>/dev/null || true
	# Its holder writes its name once it has both locks.
	[ -n "$owner" ] || die "IP address $ip is in use by a container that is starting"
	die "IP address $ip is in use by running container '$owner'"
fi
ip_locked=1
# What a container of this name left when it could not clean up (kill -9).
[ ! -f "$dir/info" ] || remove_container "$dir" keep
# The gateway must not be a running container's address either.
if [ -e "$MKC_IPS/$gateway" ] && ! lock 7 "$MKC_IPS/$gateway"; then
	die "gateway $gateway is the address of a running container"
fi
exec 7>&-
# Who holds the address, for the "in use" message: written through our
# descriptor (no second open), after what a crashed holder left.
[ ! -s "$MKC_IPS/$ip" ] || : >"$MKC_IPS/$ip"
printf '%s\n' "$name" >&9

# What lscontainer, execcontainer and rmcontainer need, and what was made.
{ printf '%s\n' "name=$name" \
	"hostname=$hostname" \
	"ip=$ip" \
	"prefix=$prefix" \
	"gateway=$gateway" \
	"veth=$veth" \
	"cgroup=$cgroup" \
	"memory=$memory" \
	"cpus=$cpus" \
	"pids=$pids" \
	"rootfs=$rootfs" \
	"detached=$detach" \
	"userns=${userns:+$dir/userns}" >"$dir/info"; } 2>/dev/null ||
	die "cannot write '$dir/info'"
info_written=1

if [ -n "$userns" ]; then
	userns=$dir/userns
	explain "$bin/mkuserns" ${explain:+-v} -u "$uid_base" -c "$uid_count" "$userns"
	"$bin/mkuserns" ${explain:+-v} -u "$uid_base" -c "$uid_count" "$userns" ||
		die "cannot create a user namespace"
fi

# --- the container -----------------------------------------------------------

# Build the helper chain from the end: pivot's volumes, in order, go first.
# confine is the last link: capabilities, no_new_privs, seccomp (and with -U,
# the user namespace, given as descriptor 4); -d: it tells fd 3 COMMAND runs.
[ -z "$detach" ] || set -- -n 3 "$@"
[ -z "$userns" ] || set -- -u /proc/self/fd/4 "$@"
set -- "$rootfs" "$bin/confine" ${explain:+-v} "$@"
[ -z "$userns" ] || set -- -U /proc/self/fd/4 "$@"
while [ "$nvol" -gt 0 ]; do
	eval "set -- -b \"\$vol_$nvol\" \"\$@\""
	nvol=$((nvol - 1))
done
set -- "$bin/pivot" ${explain:+-v} "$@"
# setcg: on cgroup v1 (and hybrid hosts), COMMAND moves itself into its
# cgroup, after nsexec. On pure cgroup v2, that move (a write to
# cgroup.procs) waits for an RCU grace period, 15 to 25 ms: there setcg
# makes the cgroup before nsexec, without moving in (-n), and nsexec's init
# starts COMMAND in it (--into-cgroup, clone3). See start_chain.
if [ -e "$MKC_CGROUP_FS/cgroup.controllers" ]; then
	into_cgroup=$MKC_CGROUP_FS/$cgroup
else
	into_cgroup=''
	set -- "$bin/setcg" ${explain:+-v} -m "$bytes" -p "$pids" \
		${cpus:+-c "$cpus"} "$cgroup" "$@"
fi
[ -z "$detach" ] || set -- --keep-fd=3 "$@"
[ -z "$userns" ] || set -- --keep-fd=4 "$@"

# PATH in the container.
container_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# start_chain ARGS: run the chain in the background (sets $child). Its
# environment is the container's own, not the caller's; sh starts a
# background job with SIGINT and SIGQUIT ignored: the chain gets them back.
start_chain() {
	umask 022 # the container's, whatever the caller's (as Docker)
	# The host end of the veth is named after the PID of the process that
	# lives as long as the container (this one): unique among running
	# containers, and not reused at once, as a veth goes with its network
	# namespace, which the kernel frees a moment after its last process
	# ends.
	# ($$ is that of the script, also in the -d supervisor, a subshell.)
	if [ -z "$detach" ]; then
		self=$$
	else
		read -r self _ </proc/self/stat
	fi
	veth=mkc$self
	set -- "$bin/nsexec" ${explain:+-v} -m -u -i -p \
		--hostname="$hostname" -k "${MKC_STOP_TIMEOUT:-10}" \
		--pidfile="$dir/init.pid" --hold-fd=8 --hold-fd=9 \
		${into_cgroup:+"--into-cgroup=$into_cgroup"} "$@"
	if [ -n "$into_cgroup" ]; then
		set -- "$bin/setcg" ${explain:+-v} -n -m "$bytes" -p "$pids" \
			${cpus:+-c "$cpus"} "$cgroup" "$@"
	fi
	# mkveth -N: the network namespace has no file: it is the chain's own,
	# and goes with the container, whatever kills it. ptyexec -i -e: the
	# container's environment, not the caller's; set before nsexec starts,
	# whose environment its init keeps.
	set -- "$bin/mkveth" ${explain:+-v} -N -b "$MKC_BRIDGE" -g "$gateway/$prefix" \
		"$veth" "$ip/$prefix" \
		"$bin/ptyexec" ${explain:+-v} -i -e "PATH=$container_path" \
		-e HOME=/root -e TERM="${TERM:-dumb}" -e HOSTNAME="$hostname" "$@"
	explain "$@"
	"$@" <&5 5<&- 4<"${userns:-/dev/null}" &
	child=$!
	{ printf '%s\n' "pid=$child" "veth=$veth" >>"$dir/info"; } 2>/dev/null ||
		die "cannot write '$dir/info'"
}

# wait_chain: wait for the chain to end (sets $status). wait returns early
# when a trapped signal arrives: wait again until the chain is gone.
wait_chain() {
	while :; do
		status=0
		wait "$child" || status=$?
		kill -0 "$child" 2>/dev/null || break
	done
	child=''
	[ "$status" -ne 137 ] || report_oom
}

# After a SIGKILL: say so when it was the kernel's out-of-memory killer.
report_oom() {
	stats=$("$bin/setcg" -s "$cgroup" 2>/dev/null) || return 0
	while read -r key value; do
		if [ "$key" = memory.oom_kills ] && [ "$value" -gt 0 ]; then
			warn "container '$name' ran out of memory: the kernel killed" \
				"a process at its limit of $memory (-m)"
		fi
	done <<-EOF
		$stats
	EOF
}

if [ -z "$detach" ]; then
	exec 5<&0
	start_chain "$@"
	exec 5<&-
	wait_chain
	exit "$status"
fi

# -d: a supervisor, in the background, starts the container, waits for it
# and removes what it made when it ends; its output and the container's go to
# the log. This script waits until COMMAND runs (confine -n tells: "exec"
# then end of file) and prints the name. If the start fails, the supervisor
# writes "ended STATUS" and the log to the same pipe, before it cleans up.
mkfifo -m 600 "$dir/notify" 2>/dev/null || die "cannot create FIFO '$dir/notify'"
# Open both ends without waiting for the other side: fd 6 (read-write) is a
# writer until the supervisor has its own; fd 4 is our read end.
# shellcheck disable=SC2094 # a FIFO: both ends, on purpose
exec 6<>"$dir/notify" 4<"$dir/notify"
(
	trap cleanup EXIT
	trap_signals
	trap '' HUP # no terminal to lose: the container goes on
	# Nothing of the caller's stays open for the container's whole life
	# (sh can close descriptors 0 to 9 only).
	exec 3>"$dir/notify" 4<&- 6<&- 7>&- 5</dev/null </dev/null \
		>>"$dir/log" 2>&1
	start_chain "$@"
	exec 3>&- 5<&-
	wait_chain
	{
		echo "ended $status"
		tail -c 16384 "$dir/log"
	} 1<>"$dir/notify"
	exit "$status"
) &
child=$!
exec 6<&-
handed_over=1
# Until COMMAND runs, a signal here cancels the start.
cancelled=''
trap 'cancelled=1; kill -TERM "$child" 2>/dev/null || true' INT TERM HUP QUIT USR1 USR2
msg=''
read -r msg <&4 || true
if [ "$msg" = exec ] && ! read -r msg <&4 && [ -z "$cancelled" ]; then
	echo "$name"
	exit 0
fi
status=0
wait "$child" || status=$?
ended=''
while read -r msg <&4; do
	case $msg in
	"ended "*) ended=1 ;;
	exec | failed) ;;
	*) printf '%s\n' "$msg" >&2 ;;
	esac
done
# No "ended": the supervisor was killed before it could clean up (a signal
# in its first instant). We still hold the locks: clean up here.
[ -n "$ended" ] || handed_over=''
exit "$status"
