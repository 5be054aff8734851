#!/bin/sh
# execcontainer.sh - run a command inside a running container.
#
#   execcontainer.sh NAME [COMMAND [ARG]...]
#
# COMMAND (default /bin/sh) joins everything the container has: its cgroup
# first, so that its limits hold (setcg -j), then all its namespaces and its
# root directory, taken from its init (nsexec -t), and the container's
# confinement (confine: capabilities, seccomp, user namespace). Like
# nsenter(1) with -t PID -a, plus the cgroup and the confinement. Exit status: COMMAND's; 125 when
# execcontainer failed; 126/127 COMMAND not executable/not found.
set -eu

# shellcheck disable=SC2034 # used by mkc-lib.sh
prog=execcontainer
# Set by `make install`; empty when run from the source tree.
MKC_LIBEXEC=
case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
# shellcheck source=scripts/mkc-lib.sh
. "${MKC_LIBEXEC:-$here}/mkc-lib.sh"

usage() {
	printf 'Usage: %s ' "${0##*/}"
	cat <<'EOF'
NAME [COMMAND [ARG]...]
Run COMMAND (default /bin/sh) in the running container NAME: in its
namespaces, its root filesystem and its cgroup, so its limits apply.

  -h   print this help

Exit status: COMMAND's; 125 when execcontainer failed; 126 COMMAND not
executable; 127 COMMAND not found.
EOF
}

case ${1-} in
-h) usage; exit 0 ;;
-*) die "invalid option '$1' (try: $0 -h)" ;;
'') die "missing NAME (try: $0 -h)" ;;
esac
require_root
bin=''
find_helpers
dir='' name=$1
container_dir "$name"
shift
[ "${1-}" != -- ] || shift
[ $# -gt 0 ] || set -- /bin/sh
is_running "$dir" || die "container '$name' is not running"
init_pid "$dir" || die "container '$name' has no init yet (still starting?)"
# Before pivot_root the init's root is still the host's: not a container yet.
# (-ef: not POSIX, but dash, bash and busybox sh have it.)
# shellcheck disable=SC3013
if [ "/proc/$init/root" -ef / ]; then
	die "container '$name' is still starting: try again"
fi

# The same confinement as the container's COMMAND (and with -U, its user
# namespace, passed as descriptor 4: after nsexec enters the container's root,
# the path is gone).
if [ -n "$info_userns" ]; then
	set -- --keep-fd=4 "$bin/confine" -u /proc/self/fd/4 "$@"
	exec 4<"$info_userns"
else
	set -- "$bin/confine" "$@"
fi
# ptyexec first: on a terminal it forks, and its host-side half, which holds
# the caller's terminal in raw mode, stays out of the container's cgroup. So
# when the container ends and its cgroup is killed, it lives on to restore
# the terminal; what runs in the container joins the cgroup (setcg -j).
exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	HOME=/root TERM="${TERM:-dumb}" HOSTNAME="$info_hostname" \
	"$bin/ptyexec" \
	"$bin/setcg" -j "$info_cgroup" \
	"$bin/nsexec" -t "$init" "$@"
