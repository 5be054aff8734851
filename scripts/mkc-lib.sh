#!/bin/sh
# mkc-lib.sh - sourced (not run) by the mkcontainer scripts.
# shellcheck shell=sh
# -ef (same file) is not in POSIX, but dash, bash and busybox sh have it.
# shellcheck disable=SC3013
#
# What the scripts share: where things are, errors, the state directory and
# its locks, and the removal of what a container made.
#
# State of a running container, in $MKC_STATE/NAME/ (default /run/mkcontainer):
#   lock   held (flock) for the container's whole life by its host-side
#          process: a container whose lock can be taken is not running
#   info   key=value lines: what it is and what it made (read by read_info)
#   init.pid  the host PID of the container's init (PID 1)
#   log    with -d, the output of the container
#   notify with -d, a FIFO that tells mkcontainer.sh -d that COMMAND runs
#   userns with -U, the user namespace (a bind mount, see mkuserns)
# and $MKC_STATE/.ip/ADDRESS, held the same way, so that an address is used
# by one running container at a time (no container name starts with a dot).

: "${prog:=mkcontainer}" "${here:=.}"
: "${MKC_STATE:=/run/mkcontainer}"
MKC_IPS=$MKC_STATE/.ip
: "${MKC_BRIDGE:=mkc0}"
# A container's cgroup is PREFIX+NAME at the top of each hierarchy: no shared
# parent to make and remove with every container (0.4 ms of each). rmcontainer
# -s removes what matches it: never an empty or odd prefix.
: "${MKC_CGROUP_PREFIX:=mkc-}"
# Where cgroups are mounted; a cgroup v2 host has cgroup.controllers there.
MKC_CGROUP_FS=/sys/fs/cgroup

also_rm='' # a file remove_container removes too (the caller's address lock)

warn() { printf '%s: %s\n' "$prog" "$*" >&2; }
die() { warn "$@"; exit 125; }

# MKC_CGROUP_PREFIX: a letter first, a separator last (so that no other
# cgroup's name is a container's), nothing that would make a path.
case $MKC_CGROUP_PREFIX in
[!A-Za-z]* | *[!-_.] | *[!A-Za-z0-9_.-]*)
	die "invalid MKC_CGROUP_PREFIX '$MKC_CGROUP_PREFIX': expected a letter, letters or digits, then '-', '_' or '.' (e.g. mkc-)" ;;
esac

# shquote WORD: sets $q to WORD quoted for sh, so that it can be pasted.
shquote() {
	case $1 in
	'' | *[!A-Za-z0-9_./=:,@%+-]*)
		q="'$(printf '%s' "$1" | sed "s/'/'\\\\''/g")'" ;;
	*) q=$1 ;;
	esac
}

# explain ARG...: with $explain set (mkcontainer.sh -x), print the command
# line about to run on stderr. A helper of the chain starts a new line.
explain() {
	[ -n "${explain:-}" ] || return 0
	line="$prog: +"
	for a in "$@"; do
		shquote "$a"
		case $a in
		"${bin:-/nonexistent}"/*) [ "$line" = "$prog: +" ] || line="$line \\
   " ;;
		esac
		line="$line $q"
	done
	printf '%s\n' "$line" >&2
}

# Helpers are in $MKC_LIBEXEC once installed, else in bin/ next to scripts/.
# Sets $bin.
find_helpers() {
	if [ -n "${MKC_LIBEXEC:-}" ]; then
		bin=$MKC_LIBEXEC
	else
		bin=$here/../bin
	fi
	[ -x "$bin/nsexec" ] || die "helpers not found in '$bin' (run: make)"
}

# Fail unless the effective user is root. First the quick test: we own /
# (test -O, which dash, bash and busybox sh have), as root does on any usual
# host. Only if not, the UID itself from /proc/self/status (0.2 ms: sh's read
# takes a system call per byte), e.g. for root where / shows as another
# user's, in some user namespaces.
require_root() {
	[ ! -O / ] || return 0
	while read -r key _ euid _; do
		if [ "$key" = Uid: ]; then
			[ "$euid" = 0 ] || die "must be run as root"
			return 0
		fi
	done </proc/self/status
	die "must be run as root"
}

# lock FD FILE [FD2 FILE2]: take an exclusive flock on FILE (created if
# missing) through descriptor FD, without waiting, then on FILE2 through FD2
# (mkstate -l: flock -n, but static and quick to start, and one exec for
# both; $bin must be set). Returns 1 when another process holds FILE's lock,
# 2 when one holds FILE2's (FILE's is ours then), 3 when FILE cannot be
# opened or a lock taken, 4 when FILE2 cannot be opened. Holders remove the
# file when they are done, so after taking the locks make sure each is still
# the file at its path; if not (it was removed in between), start again.
lock() {
	while :; do
		{ command eval "exec $1>>\"\$2\""; } 2>/dev/null || return 3
		if [ $# -ge 4 ]; then
			{ command eval "exec $3>>\"\$4\""; } 2>/dev/null || return 4
		fi
		lock_rc=0
		"$bin/mkstate" -l "$1" ${3:+-l "$3"} || lock_rc=$?
		case $lock_rc in
		0) ;;
		1 | 2) return "$lock_rc" ;;
		*) return 3 ;;
		esac
		[ "$2" -ef "/proc/self/fd/$1" ] &&
			{ [ $# -lt 4 ] || [ "$4" -ef "/proc/self/fd/$3" ]; } && return 0
	done
}

# Read a container's info file into info_* variables.
# shellcheck disable=SC2034
read_info() {
	info_name='' info_hostname='' info_ip='' info_prefix='' info_netns=''
	info_veth='' info_cgroup='' info_pid='' info_memory='' info_cpus=''
	info_pids='' info_detached='' info_userns=''
	[ -f "$1/info" ] || return 1
	while IFS='=' read -r key value; do
		case $key in
		name | hostname | ip | prefix | netns | veth | cgroup | pid | \
			memory | cpus | pids | detached | userns)
			eval "info_$key=\$value" ;;
		esac
	done <"$1/info"
}

# valid_name NAME: a container's name: 1-63 letters, digits, '.', '_' or
# '-', starting with a letter or digit (no name of ours starts with a dot).
valid_name() {
	case $1 in
	'' | [!A-Za-z0-9]* | *[!A-Za-z0-9_.-]*) return 1 ;;
	esac
	[ "${#1}" -le 63 ]
}

# container_dir NAME: sets $dir to NAME's state directory, or fails with a
# clear message when there is no such container.
container_dir() {
	valid_name "$1" || die "invalid container name '$1'"
	dir=$MKC_STATE/$1
	[ -d "$dir" ] || die "no container named '$1'"
}

# is_running DIR: true while the container's host-side process (the helper
# chain, pid= in info) still holds the name lock. Only reads: taking the lock
# to test it would make a container starting at that moment fail.
is_running() {
	read_info "$1" || return 1
	[ -n "$info_pid" ] && [ -e "$1/lock" ] &&
		[ "$1/lock" -ef "/proc/$info_pid/fd/8" ]
}

# init_pid DIR: sets $init to the host PID of the container's init, if it
# runs: a child of the chain's nsexec, which holds the name lock on
# descriptor 8 (guards against a reused PID). nsexec is not always the
# chain's first process (pid= in info): on a terminal, ptyexec forks.
init_pid() {
	init=''
	read -r init 2>/dev/null <"$1/init.pid" || return 1
	ppid=''
	while read -r key value; do
		[ "$key" != PPid: ] || ppid=$value
	done 2>/dev/null <"/proc/$init/status"
	[ -n "$ppid" ] && [ "$1/lock" -ef "/proc/$ppid/fd/8" ]
}

# report WHAT: with $verbose_removal set, print what was removed.
report() {
	[ -z "${verbose_removal:-}" ] || printf '%s: removed %s\n' "$prog" "$*"
}

# remove_container DIR [keep]: remove what a container made, given its state
# directory; with "keep", leave the directory and its lock file. Only call it
# with the container's name lock held. Every step copes with a half-made state.
remove_container() {
	read_info "$1" || true
	remove_made "$@"
}

# remove_made DIR [keep]: remove_container, with what the container made
# already in info_name, info_ip, info_netns, info_veth and info_cgroup (its
# own teardown knows them: no need to read them back).
remove_made() {
	rm_dir=$1
	# The state goes last, with one exec for all (mkstate -r is rm -rf,
	# quicker to start).
	if [ "${2-}" = keep ]; then
		set -- "$bin/mkstate" -r "$rm_dir/info" "$rm_dir/init.pid" \
			"$rm_dir/log" "$rm_dir/notify" ${also_rm:+"$also_rm"}
	else
		set -- "$bin/mkstate" -r "$rm_dir" ${also_rm:+"$also_rm"}
	fi
	if [ -n "$info_netns" ] && [ -e "/run/netns/$info_netns" ]; then
		# The veth goes with the namespace: its peer lives there.
		explain "$bin/mkveth" ${explain:+-v} -r "/run/netns/$info_netns"
		if "$bin/mkveth" ${explain:+-v} -r "/run/netns/$info_netns"; then
			report "network namespace $info_netns (and veth $info_veth)"
		else
			warn "cannot delete network namespace '$info_netns'"
		fi
	fi
	# The address lock, unless the caller holds it ($also_rm: it goes with
	# the state), and the user namespace go after the cgroup, before the
	# state.
	other_ip=''
	if [ -n "$info_ip" ] && [ "$also_rm" != "$MKC_IPS/$info_ip" ] &&
		[ -e "$MKC_IPS/$info_ip" ]; then
		other_ip=1
	fi
	if [ -n "$info_cgroup" ]; then
		# First the cgroup: setcg kills what is left in it, which may hold
		# the address in its network namespace still. Also when it seems
		# gone: -f is quiet about a missing one. (Whether it was there
		# matters only to the report: no look on a container's own way
		# out.) With nothing in between, as at a container's own end,
		# setcg chain-loads mkstate: one exec fewer.
		made='' chained=''
		[ -z "${verbose_removal:-}" ] || ! cgroup_exists "$info_cgroup" || made=1
		[ -n "$other_ip" ] || [ -e "$rm_dir/userns" ] || chained=1
		explain "$bin/setcg" ${explain:+-v} -rf "$info_cgroup" ${chained:+"$@"}
		if "$bin/setcg" ${explain:+-v} -rf "$info_cgroup" ${chained:+"$@"}; then
			[ -z "$made" ] || report "cgroup $info_cgroup"
		elif cgroup_exists "$info_cgroup"; then
			# setcg said why. Chained, it did not run mkstate: the
			# state stays, a record for rmcontainer -s. (Never mkstate
			# again: after ours, the name's directory may be a new
			# container's.) Otherwise the state goes anyway, below.
			warn "cannot remove cgroup '$info_cgroup'${chained:+: its state stays in $rm_dir}"
		else
			[ -z "$made" ] || report "cgroup $info_cgroup"
		fi
		if [ -n "$chained" ]; then
			also_rm=''
			return 0
		fi
	fi
	# The address is free for others once its lock file is gone; remove it
	# only while holding its lock, and only if it is still ours.
	# (Looked at again: setcg may have taken a while, and lock makes the
	# file if it is missing.)
	if [ -n "$other_ip" ] && [ -e "$MKC_IPS/$info_ip" ] &&
		lock 7 "$MKC_IPS/$info_ip"; then
		owner=''
		read -r owner <"$MKC_IPS/$info_ip" || true
		if [ "$owner" = "$info_name" ]; then
			"$bin/mkstate" -r "$MKC_IPS/$info_ip"
			report "address lock $info_ip"
		fi
		exec 7>&-
	fi
	if [ -e "$rm_dir/userns" ]; then
		"$bin/mkuserns" -d "$rm_dir/userns" && report "user namespace"
	fi
	"$@" || true
	also_rm=''
}

# cgroup_exists PATH: in any hierarchy (v1 controllers, or v2).
cgroup_exists() {
	for d in "$MKC_CGROUP_FS"/*/"$1" "$MKC_CGROUP_FS/$1"; do
		[ ! -d "$d" ] || return 0
	done
	return 1
}
