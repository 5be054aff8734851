#!/bin/sh
# lscontainer.sh - list the running containers.
#
#   lscontainer.sh [-q]
#
# One line per running container, started with or without -d: its name,
# hostname, address, the host PID of its init (PID 1), and its limits next to
# what it uses now (memory, processes; CPUs is the limit only).
set -eu

# shellcheck disable=SC2034 # used by mkc-lib.sh
prog=lscontainer
# Set by `make install`; empty when run from the source tree.
MKC_LIBEXEC=
case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
# shellcheck source=scripts/mkc-lib.sh
. "${MKC_LIBEXEC:-$here}/mkc-lib.sh"

usage() {
	printf 'Usage: %s ' "${0##*/}"
	cat <<'EOF'
[-q]
List the running containers: NAME, HOSTNAME, IP, PID (the host PID of the
container's init), MEMORY (in use/limit), CPUS (limit), PIDS (in use/limit).

  -q   print the names only
  -h   print this help
EOF
}

quiet=''
while getopts ':qh' opt; do
	case $opt in
	q) quiet=1 ;;
	h) usage; exit 0 ;;
	*) die "invalid option '-$OPTARG' (try: $0 -h)" ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || die "unexpected argument '$1' (try: $0 -h)"
require_root
bin=''
find_helpers

# human BYTES: 1536 -> 1.5K
human() {
	n=$1 unit=B
	for u in K M G T; do
		[ "$n" -ge 1024 ] || break
		# tenths, rounded down: 1.5K, not 1K
		tenths=$((n * 10 / 1024)) n=$((n / 1024)) unit=$u
	done
	if [ "$unit" = B ]; then
		hum=$n
	elif [ "$n" -lt 10 ]; then
		hum=$((tenths / 10)).$((tenths % 10))$unit
	else
		hum=$n$unit
	fi
}

[ -n "$quiet" ] ||
	printf '%-16s %-16s %-18s %8s %-16s %5s %s\n' \
		NAME HOSTNAME IP PID MEMORY CPUS PIDS
for dir in "$MKC_STATE"/*/; do
	dir=${dir%/}
	is_running "$dir" || continue
	if [ -n "$quiet" ]; then
		printf '%s\n' "$info_name"
		continue
	fi
	init_pid "$dir" || init='-'
	mem=- nproc=- plimit=$info_pids
	stats=$("$bin/setcg" -s "$info_cgroup" 2>/dev/null) || stats=''
	while read -r key value; do
		case $key in
		memory.current) human "$value" && mem=$hum ;;
		pids.current) nproc=$value ;;
		esac
	done <<-EOF
		$stats
	EOF
	printf '%-16s %-16s %-18s %8s %-16s %5s %s\n' "$info_name" \
		"$info_hostname" "$info_ip/$info_prefix" "$init" \
		"$mem/$info_memory" "${info_cpus:--}" "$nproc/$plimit"
done
