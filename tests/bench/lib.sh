#!/bin/sh
# lib.sh - sourced (not run) by the benchmark scripts in tests/bench/.
# shellcheck shell=sh
# Its variables are for the scripts that source it:
# shellcheck disable=SC2034
#
# What the parts share: where things are, quick mode, a registry of what a
# part made and its removal on every way out, hyperfine and its CSV, polling
# helpers, the host-state snapshot, and markdown bits.
#
# A part sets $prog and $here, sources this file, installs the traps with
# bench_traps before it makes anything, then registers what it makes:
#   bench_tmp                a temporary directory ($b_tmp)
#   b_names="$b_names NAME"  a container of mkcontainer.sh
#   b_netns, b_cgroups       a network namespace, a cgroup (setcg path)
#   b_runc="$b_runc TOOL:STATEDIR"  a runc/crun state root
# and runs whatever may take long through `bgwait` (its own process group, so
# that a signal ends it and all it started at once).

: "${prog:=bench}" "${here:=.}"
top=$(cd "$here/../.." && pwd)
MKC=$top/scripts/mkcontainer.sh
RMC=$top/scripts/rmcontainer.sh
BIN=$top/bin
ROOTFS=${BENCH_ROOTFS:-$top/rootfs}
# The benchmark's own subnet on the bridge: never the test suite's 10.219.0/24
# nor the demo's 10.0.0/24.
NET=${BENCH_NET:-10.218.0}
GW=$NET.1
BRIDGE=mkc0
STATE=/run/mkcontainer
quick=''
case ${BENCH_QUICK:-0} in '' | 0 | no | false) ;; *) quick=1 ;; esac

warn() { printf '%s: %s\n' "$prog" "$*" >&2; }
die() { warn "$@"; exit 1; }
say() { printf '%s: %s\n' "$prog" "$*" >&2; }

# shq WORD: WORD quoted for sh (for command lines that hyperfine runs).
shq() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

# now_ms: milliseconds since the epoch (GNU date).
now_ms() { date +%s%3N; }

# --- what a part made, and its removal ------------------------------------------

b_tmp='' b_groups='' b_names='' b_netns='' b_cgroups='' b_runc='' b_gw=''

bench_tmp() {
	b_tmp=$(mktemp -d "${TMPDIR:-/tmp}/mkc-bench.XXXXXX")
}

# bench_traps: call before anything is made.
bench_traps() {
	trap bench_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
}

# shellcheck disable=SC2317 # called by the trap
bench_cleanup() {
	status=$?
	set +e
	trap '' INT TERM HUP
	# Whatever runs in the background, with all it started: a
	# mkcontainer.sh there removes what it made when it gets SIGTERM.
	for g in $b_groups; do
		# Not yet a group of its own in its first instant: the process then.
		kill -TERM "-$g" 2>/dev/null || kill -TERM "$g" 2>/dev/null
	done
	for g in $b_groups; do
		wait "$g" 2>/dev/null
	done
	b_groups=''
	# shellcheck disable=SC2086 # names are single words
	remove_containers $b_names
	for ns in $b_netns; do
		[ ! -e "/run/netns/$ns" ] || ip netns delete "$ns" || warn "cannot delete netns $ns"
	done
	for cg in $b_cgroups; do
		"$BIN/setcg" -rf "$cg" || warn "cannot remove cgroup $cg"
	done
	for r in $b_runc; do
		runc_sweep "${r%%:*}" "${r#*:}"
	done
	# The gateway address we put on the bridge, if nobody else uses it.
	if [ -n "$b_gw" ]; then
		in_use=''
		for f in "$STATE/.ip/$NET".*; do
			[ ! -e "$f" ] || in_use=1
		done
		[ -n "$in_use" ] || ip addr del "$GW/24" dev "$BRIDGE" 2>/dev/null || true
	fi
	[ -z "$b_tmp" ] || rm -rf "$b_tmp"
	exit "$status"
}

# note_gateway: remember whether the bridge has our gateway address now, so
# that cleanup removes it only if a container of ours added it.
note_gateway() {
	if ! ip -o addr show dev "$BRIDGE" 2>/dev/null | grep -q " $GW/24 "; then
		b_gw=1
	fi
}

# remove_containers NAME...: stop and remove those of the containers that
# still exist (rmcontainer.sh; it waits until each is gone).
remove_containers() {
	rc_left=''
	for n; do
		[ ! -d "$STATE/$n" ] || rc_left="$rc_left $n"
	done
	# shellcheck disable=SC2086 # names are single words
	[ -z "$rc_left" ] || "$RMC" -t 3 $rc_left >/dev/null ||
		warn "rmcontainer.sh$rc_left failed"
}

# runc_sweep TOOL STATEDIR: delete every container of TOOL under STATEDIR, and
# the cgroups of ours it might have left (named mkcbench-*).
runc_sweep() {
	[ -d "$2" ] || return 0
	for c in "$2"/*/; do
		[ -d "$c" ] || continue
		c=${c%/}
		"$1" --root "$2" delete -f "${c##*/}" >/dev/null 2>&1 ||
			warn "$1 delete -f ${c##*/} failed"
	done
	for cg in /sys/fs/cgroup/*/mkcbench-"$1"* /sys/fs/cgroup/*/*/*/mkcbench-"$1"*; do
		[ ! -d "$cg" ] || rmdir "$cg" 2>/dev/null || warn "cannot remove cgroup $cg"
	done
}

# bgwait COMMAND...: run COMMAND in a process group of its own and wait for it;
# returns its status. A signal to the part ends the group (see cleanup).
bgwait() {
	setsid "$@" &
	bgpid=$!
	b_groups="$b_groups $bgpid"
	bgrc=0
	wait "$bgpid" || bgrc=$?
	# wait returns early when a trapped signal comes: cleanup runs then.
	b_groups=$(for g in $b_groups; do [ "$g" = "$bgpid" ] || echo "$g"; done)
	return "$bgrc"
}

# --- checks and polling -----------------------------------------------------------

# route_ok IP: true when traffic to IP goes out through the bridge, so that no
# packet can reach a real network.
route_ok() {
	ip -o link show dev "$BRIDGE" >/dev/null 2>&1 || return 1
	case $(ip -o route get "$1" 2>/dev/null) in
	*" dev $BRIDGE "*) return 0 ;;
	esac
	return 1
}

# wait_for SECONDS COMMAND...: poll COMMAND every 10 ms until it succeeds;
# false when SECONDS pass first.
wait_for() {
	wf_end=$(($(now_ms) + $1 * 1000))
	shift
	until "$@"; do
		[ "$(now_ms)" -lt "$wf_end" ] || return 1
		sleep 0.01
	done
}

# has_line FILE PATTERN: FILE has a line matching the grep PATTERN.
has_line() { [ -f "$1" ] && grep -q -- "$2" "$1"; }

# gone NAME: the container NAME has no state left.
gone() { [ ! -d "$STATE/$1" ]; }

need_rootfs() {
	[ -x "$ROOTFS/bin/busybox" ] || die "no root filesystem at $ROOTFS (run: make rootfs)"
	[ -x "$BIN/nsexec" ] || die "no helpers in $BIN (run: make)"
	[ "$(id -u)" -eq 0 ] || die "must run as root"
}

# --- hyperfine ----------------------------------------------------------------------

# hf BASE [HYPERFINE ARGS]...: hyperfine with BASE.json and BASE.csv, its
# report on stderr.
hf() {
	hf_base=$1
	shift
	bgwait hyperfine --style basic --export-json "$hf_base.json" \
		--export-csv "$hf_base.csv" "$@" >&2
}

# hf_ms CSV NAME FIELD: FIELD (median, min, max, mean, stddev) of the
# command named NAME in a hyperfine CSV, in ms.
hf_ms() {
	awk -F, -v n="$2" -v f="$3" '
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$1 == n && (f in col) { printf "%.2f\n", $(col[f]) * 1000; found = 1; exit }
		END { exit !found }' "$1"
}

# runs: hyperfine options for the mode (quick: 3 runs).
hf_runs() {
	if [ -n "$quick" ]; then
		echo "--warmup 1 --runs ${1:-3}"
	else
		echo "--warmup 3 --runs ${2:-30}"
	fi
}

# --- figures ------------------------------------------------------------------------

# stats: read numbers, one a line; print "median min max count".
stats() {
	sort -g | awk '{ v[NR] = $1 }
		END {
			if (NR == 0) { print "- - - 0"; exit }
			m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%.2f %.2f %.2f %d\n", m, v[1], v[NR], NR
		}'
}

# ratio A B: A/B with 2 decimals, or "-".
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a + 0 > 0 && b + 0 > 0) printf "%.2f\n", a / b; else print "-" }'
}

# sub_ms A B: A-B with 2 decimals, or "-" when either is not a number.
sub_ms() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a ~ /^-?[0-9.]+$/ && b ~ /^-?[0-9.]+$/) printf "%.2f\n", a - b; else print "-" }'
}

# rate_of PREFIX: from lines "... R UNIT/s" (tcpbench, crunch) starting with
# PREFIX, print R, one a line.
rate_of() {
	tr -d '\r' | awk -v p="$1" 'index($0, p) == 1 && $NF ~ /\/s$/ { print $(NF - 1) }'
}

# --- the host's state, to check that nothing was left -----------------------------

host_state() {
	ip netns list | awk '{print "netns", $1}'
	ip -o link show | awk -F': ' '{sub(/@.*/, "", $2); print "link", $2}' |
		grep -v "^link $BRIDGE\$" || true
	find /sys/fs/cgroup -mindepth 2 -maxdepth 6 -type d -name '*mkc*' 2>/dev/null |
		sed 's/^/cgroup /'
	awk '{print "mount", $5}' /proc/self/mountinfo
	find "$STATE" -mindepth 1 ! -path "$STATE/.ip" 2>/dev/null | sed 's/^/state /'
	true
}

# same_state FILE: the host is as in FILE (a sorted host_state), allowing 10 s
# for veths freed with their namespaces; prints the difference if not.
same_state() {
	ss_end=$(($(now_ms) + 10000))
	while :; do
		host_state | sort >"$1.now"
		if cmp -s "$1" "$1.now"; then
			rm -f "$1.now"
			return 0
		fi
		[ "$(now_ms)" -lt "$ss_end" ] || break
		sleep 0.1
	done
	diff "$1" "$1.now" | grep '^[<>]' || true
	rm -f "$1.now"
	return 1
}

# --- output ---------------------------------------------------------------------------

# out_dir DIR: make DIR (absolute) and set $out.
out_dir() {
	mkdir -p "$1"
	out=$(cd "$1" && pwd)
}

# mode_text: "quick" or "full", for headings.
mode_text() { if [ -n "$quick" ]; then echo quick; else echo full; fi; }

# ver TOOL ARG...: the first line of TOOL's version, or that it is missing.
ver() {
	if command -v "$1" >/dev/null 2>&1; then
		"$@" 2>/dev/null | head -n 1
	else
		echo "$1: not installed"
	fi
}

# machine_facts: markdown lines about this host and now.
machine_facts() {
	model=$(awk -F': ' '$1 ~ /^model name/ { print $2; exit }' /proc/cpuinfo)
	virt=''
	! grep -qw hypervisor /proc/cpuinfo || virt=' (this host itself runs under a hypervisor)'
	if [ "$(stat -fc %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ]; then
		cg="cgroup v2 only, controllers: $(cat /sys/fs/cgroup/cgroup.controllers 2>/dev/null)"
	elif [ -d /sys/fs/cgroup/unified ]; then
		cg="hybrid: v1 hierarchies ($(for d in /sys/fs/cgroup/*/; do
			d=${d%/}
			[ "${d##*/}" = unified ] || printf '%s ' "${d##*/}"
		done | sed 's/ $//')) and v2 at /sys/fs/cgroup/unified (controllers: $(cat /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null))"
	else
		cg="cgroup v1"
	fi
	os=$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-?}")
	rev=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo '?')
	[ -z "$(git -C "$top" status --porcelain 2>/dev/null)" ] || rev="$rev (with uncommitted changes)"
	echo "| | |"
	echo "|---|---|"
	echo "| date | $(date -u '+%Y-%m-%d %H:%M:%S UTC') |"
	echo "| kernel | $(uname -sr) ($(uname -m)) |"
	echo "| CPU | ${model:-?}$virt |"
	echo "| CPUs (nproc) | $(nproc) |"
	echo "| memory | $(awk '$1 == "MemTotal:" { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) |"
	echo "| cgroups | $cg |"
	echo "| load average (1, 5, 15 min) | $(cut -d' ' -f1-3 /proc/loadavg) |"
	echo "| OS | $os |"
	echo "| mkcontainer | git $rev |"
	echo "| tools | $(ver hyperfine --version); $(ver runc --version); $(ver crun --version); $(ver bwrap --version); $(ver qemu-system-x86_64 --version) |"
}

# bench_options "$@": the options every part takes: -q, -o DIR, -h (each
# part has its own usage()). Sets $quick and $out.
bench_options() {
	out=$here/results
	OPTIND=1
	while getopts ':qo:h' opt; do
		case $opt in
		q) quick=1 ;;
		o) out=$OPTARG ;;
		h) usage; exit 0 ;;
		:) die "option -$OPTARG needs a value (try: $0 -h)" ;;
		*) die "invalid option '-$OPTARG' (try: $0 -h)" ;;
		esac
	done
	shift $((OPTIND - 1))
	[ $# -eq 0 ] || die "unexpected argument '$1' (try: $0 -h)"
}

# bench_start hyperfine|none: what every part does first: the traps, the
# rootfs, hyperfine if it uses it, the output and temporary directories.
bench_start() {
	bench_traps
	need_rootfs
	if [ "${1-}" = hyperfine ]; then
		command -v hyperfine >/dev/null 2>&1 ||
			die "hyperfine not found (run: scripts/install-deps.sh bench)"
	fi
	out_dir "$out"
	bench_tmp
}
