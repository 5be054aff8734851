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
# and $MKC_STATE/ip/ADDRESS, held the same way, so that an address is used by
# one running container at a time.

: "${prog:=mkcontainer}" "${here:=.}"
: "${MKC_STATE:=/run/mkcontainer}"
: "${MKC_BRIDGE:=mkc0}"
: "${MKC_CGROUP_PARENT:=mkc}"

warn() { printf '%s: %s\n' "$prog" "$*" >&2; }
die() { warn "$@"; exit 125; }

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

# Fail unless the effective user is root. Read from /proc: no fork.
require_root() {
	while read -r key _ euid _; do
		if [ "$key" = Uid: ]; then
			[ "$euid" = 0 ] || die "must be run as root"
			return 0
		fi
	done </proc/self/status
}

# lock FD FILE: take an exclusive flock on FILE (created if missing) through
# descriptor FD, without waiting. Returns 1 when another process holds it, 2
# when FILE cannot be opened. Holders remove FILE when they are done, so after
# taking the lock make sure it is still the file at that path; if not (it was
# removed in between), start again.
lock() {
	while :; do
		{ command eval "exec $1>>\"\$2\""; } 2>/dev/null || return 2
		flock -n "$1" || return 1
		[ "$2" -ef "/proc/$$/fd/$1" ] && return 0
	done
}

# Read a container's info file into info_* variables.
# shellcheck disable=SC2034
read_info() {
	info_name='' info_hostname='' info_ip='' info_netns='' info_veth=''
	info_cgroup='' info_pid=''
	[ -f "$1/info" ] || return 1
	while IFS='=' read -r key value; do
		case $key in
		name | hostname | ip | netns | veth | cgroup | pid)
			eval "info_$key=\$value" ;;
		esac
	done <"$1/info"
}

# remove_container DIR [keep]: remove what a container made, given its state
# directory; with "keep", leave the directory and its lock file. Only call it
# with the container's name lock held. Every step copes with a half-made state.
remove_container() {
	read_info "$1" || true
	if [ -n "$info_netns" ] && [ -e "/run/netns/$info_netns" ]; then
		# The veth goes with the namespace: its peer lives there.
		ip netns delete "$info_netns" 2>/dev/null ||
			warn "cannot delete network namespace '$info_netns'"
	fi
	if [ -n "$info_cgroup" ]; then
		"$bin/setcg" -rf "$info_cgroup" || warn "cannot remove cgroup '$info_cgroup'"
	fi
	# The address is free for others once its lock file is gone; remove it
	# only while holding its lock, and only if it is still ours.
	if [ -n "$info_ip" ] && [ -e "$MKC_STATE/ip/$info_ip" ] &&
		lock 7 "$MKC_STATE/ip/$info_ip"; then
		owner=''
		read -r owner <"$MKC_STATE/ip/$info_ip" || true
		[ "$owner" != "$info_name" ] || rm -f "$MKC_STATE/ip/$info_ip"
		exec 7>&-
	fi
	rm -f "$1/info"
	[ "${2-}" = keep ] || { rm -f "$1/lock" && rmdir "$1"; } 2>/dev/null || true
}
