#!/bin/sh
# rmcontainer.sh - stop containers and remove what they made.
#
#   rmcontainer.sh [-t SECONDS] NAME...
#   rmcontainer.sh -s
#
# NAME: SIGTERM to the container's init, which passes it to COMMAND; SIGKILL
# if it still runs SECONDS later (default 10). The process that started the
# container (mkcontainer.sh, in the foreground or with -d) then removes what
# the container made; if that process is gone (kill -9), rmcontainer does.
#
# -s: sweep. Remove what containers that no longer run left behind: state,
# network namespaces, cgroups, address locks. A container whose name lock is
# held is running, and is never touched.
# -ef (same file) is not in POSIX, but dash, bash and busybox sh have it.
# shellcheck disable=SC3013
set -eu

# shellcheck disable=SC2034 # used by mkc-lib.sh
prog=rmcontainer
# Set by `make install`; empty when run from the source tree.
MKC_LIBEXEC=
case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
# shellcheck source=scripts/mkc-lib.sh
. "${MKC_LIBEXEC:-$here}/mkc-lib.sh"

usage() {
	printf 'Usage: %s ' "${0##*/}"
	cat <<'EOF'
[-t SECONDS] NAME...
       rmcontainer.sh -s
Stop each container NAME (SIGTERM to its init, SIGKILL after SECONDS,
default 10) and remove everything it made.

  -t SECONDS  grace period before SIGKILL
  -s          remove what containers that no longer run left behind (after
              a kill -9 or a crash), and print it; running ones are untouched
  -h          print this help
EOF
}

grace=10 sweep=''
while getopts ':t:sh' opt; do
	case $opt in
	t) grace=$OPTARG ;;
	s) sweep=1 ;;
	h) usage; exit 0 ;;
	:) die "option -$OPTARG needs a value (try: $0 -h)" ;;
	*) die "invalid option '-$OPTARG' (try: $0 -h)" ;;
	esac
done
shift $((OPTIND - 1))
case $grace in
'' | *[!0-9]* | ?????*) die "invalid -t '$grace': expected whole seconds" ;;
esac
if [ -n "$sweep" ] && [ $# -gt 0 ]; then
	die "-s takes no NAME (try: $0 -h)"
fi
[ -n "$sweep" ] || [ $# -gt 0 ] || die "missing NAME (try: $0 -h)"
require_root
bin=''
find_helpers
verbose_removal=1

# holders DIR: the processes that have the name lock open (on fd 8, where
# mkcontainer.sh and the chain keep it), for a container caught starting.
holders() {
	pids=''
	for fd in /proc/[0-9]*/fd/8; do
		if [ "$fd" -ef "$1/lock" ]; then
			p=${fd#/proc/}
			pids="$pids ${p%%/*}"
		fi
	done 2>/dev/null
}

# stop DIR NAME: end the container, wait until its starter has let go of the
# name, then remove whatever is left.
stop() {
	read_info "$1" || true
	# Appending creates it in a directory a start killed before its lock
	# left; a directory removed meanwhile (the container ended) fails.
	# (command: a failed redirection of plain exec would end the shell.)
	if ! { command exec 6>>"$1/lock"; } 2>/dev/null; then
		return 0
	fi
	if ! flock -n 6; then
		if init_pid "$1"; then
			kill -TERM "$init" 2>/dev/null || true
		else
			holders "$1"
			# shellcheck disable=SC2086 # one word per PID
			[ -z "$pids" ] || kill -TERM $pids 2>/dev/null || true
		fi
		# flock -w sleeps in the kernel until the lock is released.
		if ! flock -w "$grace" 6; then
			warn "container '$2' still runs after ${grace}s: killing it"
			init_pid "$1" && kill -KILL "$init" 2>/dev/null
			holders "$1"
			# shellcheck disable=SC2086 # one word per PID
			[ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
			flock -w 10 6 || die "container '$2' does not end"
		fi
	fi
	# We hold the lock. Whatever its starter did not remove, we do.
	if [ -d "$1" ] && [ "$1/lock" -ef /proc/self/fd/6 ]; then
		report "state of container $2"
		remove_container "$1"
	fi
	exec 6<&-
}

if [ -z "$sweep" ]; then
	status=0
	for name; do
		(
			container_dir "$name"
			stop "$dir" "$name"
		) || status=125
	done
	exit "$status"
fi

# --- sweep ---------------------------------------------------------------------

# running NAME: its name lock is held (we cannot take it). Opened
# read-only, so that a lock file removed meanwhile is not made again.
running() {
	{ command exec 6<"$MKC_STATE/$1/lock"; } 2>/dev/null || return 1
	if flock -n 6; then
		exec 6<&-
		return 1
	fi
	exec 6<&-
}

for dir in "$MKC_STATE"/*/; do
	dir=${dir%/}
	name=${dir##*/}
	[ -d "$dir" ] || continue
	# fd 6, not 8: holders() looks for the starters of a container on fd 8
	if lock 6 "$dir/lock"; then
		report "state of container $name"
		remove_container "$dir"
		exec 6>&-
	fi
done
for ns in /run/netns/mkc-*; do
	[ -e "$ns" ] || continue
	name=${ns#/run/netns/mkc-}
	if ! running "$name"; then
		"$bin/mkveth" -r "$ns" && report "network namespace ${ns##*/}"
	fi
done
for cg in /sys/fs/cgroup/*/"$MKC_CGROUP_PREFIX"* /sys/fs/cgroup/"$MKC_CGROUP_PREFIX"*; do
	[ -d "$cg" ] || continue
	cg=${cg##*/}
	name=${cg#"$MKC_CGROUP_PREFIX"}
	# Only what a container of ours could have been called.
	valid_name "$name" || continue
	cgroup_exists "$cg" || continue
	# Hold the name while its cgroup goes: a container of that name
	# starting now would reuse the cgroup and be killed with it. (One
	# starting meanwhile is refused: its name is in use.)
	dir=$MKC_STATE/$name made_dir=''
	if [ ! -d "$dir" ]; then
		# (as mkcontainer makes them: root's alone)
		umask 077
		[ -d "$MKC_STATE" ] || mkdir -p "$MKC_STATE"
		"$bin/mkstate" -d "$dir" && made_dir=1
	fi
	if lock 6 "$dir/lock"; then
		"$bin/setcg" -rf "$cg" && report "cgroup $cg"
		[ -z "$made_dir" ] || "$bin/mkstate" -r "$dir"
		exec 6>&-
	fi
done
for addr in "$MKC_IPS"/*; do
	[ -f "$addr" ] || continue
	if lock 7 "$addr"; then
		"$bin/mkstate" -r "$addr"
		report "address lock ${addr##*/}"
		exec 7>&-
	fi
done
