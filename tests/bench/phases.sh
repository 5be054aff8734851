#!/bin/sh
# phases.sh - where the start of a container goes: one phase at a time.
#
#   tests/bench/phases.sh [-q] [-o DIR]
#
# hyperfine (no shell: -N) over cumulative chains of the helpers in bin/, the
# chain scripts/mkcontainer.sh runs (see `mkcontainer.sh -x`), one link added
# at a time:
#   exec   /bin/true of the rootfs, on the host
#   A      nsexec -m -u -i -p --hostname (fork: init + COMMAND)
#   B      A + pivot ROOTFS (mounts, pivot_root)
#   C      B + confine (capabilities, seccomp)
#   D      nsexec + setcg (cgroup made with limits, joined) + pivot + confine
#   F      mkveth -N (netns and veth pair) + ptyexec + D: the whole chain
#   full   scripts/mkcontainer.sh NAME IP -- /bin/true
# and on its own the teardown the chains leave to --prepare (untimed there):
# `setcg -r`. (The network namespace has no file: the kernel frees it, and
# the veth, after the chain's last process.) The differences are the cost of
# each phase; the rest of `full` is mkcontainer.sh itself. Writes
# DIR/phases.md (printed too), phases.dat and hyperfine's phases-*.json/csv.
set -eu

prog=phases.sh
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

usage() {
	cat <<'EOF'
Usage: tests/bench/phases.sh [-q] [-o DIR]
The cost of each phase of a container start (namespaces, pivot, confine,
cgroup, netns, veth, mkcontainer.sh itself), from cumulative chains of the
helpers in bin/ (hyperfine).

  -q      quick mode: few runs, for a smoke test (or BENCH_QUICK=1)
  -o DIR  where the results go (default tests/bench/results)
  -h      print this help
EOF
}

bench_options "$@"
bench_start hyperfine
note_gateway

name=bench-phase
cg=mkcbench-phase
veth=mkcbphase
ip=$NET.3
b_names=$name b_cgroups=$cg
rootfs=$(cd "$ROOTFS" && pwd)
# Words for the command lines (hyperfine -N splits them like sh would).
R=$(shq "$rootfs") B=$(shq "$BIN")
nsx="$B/nsexec -m -u -i -p --hostname=$name -k 10"
setcg="$B/setcg -m 268435456 -p 256 $cg"
tail="$B/pivot $R $B/confine /bin/true"
mkveth="$B/mkveth -N -b $BRIDGE -g $GW/24 $veth $ip/24"
ptyexec="$B/ptyexec -i -e PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin -e HOME=/root -e TERM=dumb -e HOSTNAME=$name"
# What a run leaves, removed before the next (untimed): the veth (at once:
# freed with its namespace it would linger a moment and block its name), the
# cgroup.
clean="$B/mkveth -d $veth 2>/dev/null; $B/setcg -rf $cg"
rm_cg="$B/setcg -rf $cg"
rm_all="sh -c $(shq "$clean")"

# phase KEY DESCRIPTION PREPARE COMMAND: one hyperfine each (each has its own
# --prepare); the key names the exports.
: >"$b_tmp/phases"
phase() {
	say "phase $1: $2"
	ph_rc=0
	if [ -n "$3" ]; then
		# shellcheck disable=SC2046 # options, one word each
		hf "$out/phases-$1" $(hf_runs 3 30) -N -n "$1" --prepare "$3" "$4" || ph_rc=$?
	else
		# shellcheck disable=SC2046
		hf "$out/phases-$1" $(hf_runs 3 30) -N -n "$1" "$4" || ph_rc=$?
	fi
	ph_ms=-
	if [ "$ph_rc" -eq 0 ]; then
		ph_ms=$(hf_ms "$out/phases-$1.csv" "$1" median || echo -)
	else
		warn "phase $1 failed (hyperfine exit status $ph_rc): its figure is left out"
	fi
	printf '%s\t%s\t%s\n' "$1" "$ph_ms" "$4" >>"$b_tmp/phases"
}

# The chain mkcontainer.sh runs now, from its explain mode (-x): the helpers
# in order, to check that the chains below still are that chain.
actual=''
if "$MKC" -x -r "$rootfs" "$name" "$ip" -- /bin/true 2>"$b_tmp/explain" >/dev/null; then
	sed -n '/^mkcontainer: + [^ ]*\/mkveth /,/[^\\]$/p' "$b_tmp/explain" |
		sed "s|$rootfs|ROOTFS|g; s|$top/scripts/\.\./bin/|bin/|g; s|$top/||g; s| -v||g" >"$b_tmp/chain"
	# The first word of each line: one helper a line.
	actual=$(sed 's/^mkcontainer: + //' "$b_tmp/chain" | awk '{ sub(/.*\//, "", $1); printf "%s ", $1 }')
fi
assumed='mkveth ptyexec nsexec setcg pivot confine '
[ "$actual" = "$assumed" ] ||
	warn "mkcontainer.sh runs the chain '${actual:-?}'; this script measures '$assumed'"

# Each chain once first: a failure here is clearer than in hyperfine.
if ! sh -c "$clean" || ! sh -c "$mkveth $ptyexec $nsx $setcg $tail" ||
	! sh -c "$clean"; then
	die "the helper chain does not run: $mkveth $ptyexec $nsx $setcg $tail"
fi

phase exec 'exec of /bin/true' '' "$R/bin/true"
phase A 'nsexec: new mount, UTS, IPC, PID namespaces' '' "$nsx $R/bin/true"
phase B '+ pivot' '' "$nsx $B/pivot $R /bin/true"
phase C '+ confine' '' "$nsx $tail"
phase D '+ setcg (create, join)' "$rm_cg" "$nsx $setcg $tail"
phase cgrm 'setcg -r alone' "$setcg /bin/true" "$rm_cg"
phase F '+ mkveth -N, ptyexec' "$rm_all" "$mkveth $ptyexec $nsx $setcg $tail"
sh -c "$clean"
phase full 'scripts/mkcontainer.sh' '' "$(shq "$MKC") -r $R $name $ip -- /bin/true"

# What one start executes and forks (strace, untimed), if strace is here.
execs=''
if command -v strace >/dev/null 2>&1 &&
	strace -f -qq -e trace=execve,execveat,fork,vfork,clone,clone3 -o "$b_tmp/strace" \
		"$MKC" -r "$rootfs" "$name" "$ip" -- /bin/true >/dev/null 2>&1; then
	# Calls, not results: vfork splits them into "unfinished" and
	# "resumed" lines; count the first ones.
	n_exec=$(grep -c '^[0-9]* *execve\(at\)\{0,1\}(' "$b_tmp/strace" || true)
	n_fork=$(grep -c '^[0-9]* *\(v\{0,1\}fork\|clone3\{0,1\}\)(' "$b_tmp/strace" || true)
	progs=$(sed -n 's/^[0-9]* *execve("\([^"]*\)".*/\1/p' "$b_tmp/strace" |
		sed 's|.*/||' | sort | uniq -c | awk '{ printf "%s%s%s", sep, $2, ($1 > 1 ? " x" $1 : ""); sep = ", " }')
	execs="One start of mkcontainer.sh (strace -f, untimed): $n_exec execve/execveat, $n_fork fork/vfork/clone. Programs by execve: $progs (the helpers after nsexec are started with execveat, not listed by name)."
fi

ms() { awk -F'\t' -v k="$1" '$1 == k { print $2 }' "$b_tmp/phases"; }
t_exec=$(ms exec) t_a=$(ms A) t_b=$(ms B) t_c=$(ms C) t_d=$(ms D)
t_f=$(ms F) t_full=$(ms full) t_cgrm=$(ms cgrm)
# What mkcontainer.sh adds to the helpers: everything not in the chain F and
# the separately timed teardown.
t_script=$(sub_ms "$t_full" "$(awk -v a="$t_f" -v b="$t_cgrm" 'BEGIN {
	if (a b ~ /-/) print "-"; else printf "%.2f\n", a + b }')")

# Phase, cost, what it is: one line each, largest first in the report.
{
	printf '%s\t%s\t%s\n' "exec" "$t_exec" 'fork+exec of the static /bin/true (the baseline of every chain)'
	printf '%s\t%s\t%s\n' "namespaces" "$(sub_ms "$t_a" "$t_exec")" 'nsexec: unshare mount, UTS, IPC, PID; hostname; fork init + COMMAND; wait'
	printf '%s\t%s\t%s\n' "pivot" "$(sub_ms "$t_b" "$t_a")" 'pivot: bind rootfs, /proc, /sys, /dev, masks, pivot_root, umount old root'
	printf '%s\t%s\t%s\n' "confine" "$(sub_ms "$t_c" "$t_b")" 'confine: capabilities, no_new_privs, seccomp filter'
	printf '%s\t%s\t%s\n' "cgroup create" "$(sub_ms "$t_d" "$t_c")" 'setcg: mkdir in each hierarchy, write limits, join'
	printf '%s\t%s\t%s\n' "cgroup remove" "$t_cgrm" 'setcg -r: kill what is left, rmdir (and the empty parent)'
	printf '%s\t%s\t%s\n' "netns + veth create" "$(sub_ms "$t_f" "$t_d")" 'mkveth -N: netns (unshare), veth pair over rtnetlink, bridge port, addresses, route; ptyexec (no removal: the kernel frees netns and veth after the last process, asynchronously)'
	printf '%s\t%s\t%s\n' "mkcontainer.sh" "$t_script" 'the script: sh start, validation, state and locks (mkstate), clean environment, fork/wait, teardown logic'
} >"$b_tmp/costs"
sort -t '	' -k2,2gr "$b_tmp/costs" |
	awk -F'\t' '$2 ~ /^-?[0-9.]+$/ { printf "\"%s\" %s\n", $1, $2 }' >"$out/phases.dat"

top_phase=$(sort -t '	' -k2,2gr "$b_tmp/costs" | head -n 1)
{
	echo "## Phase costs of one container start"
	echo
	echo "hyperfine -N, $(mode_text) mode ($(hf_runs 3 30 | sed 's/--//g')); median ms. Cumulative chains of the helpers (the chain of scripts/mkcontainer.sh, one link at a time); a phase costs the difference between two chains. The teardown, left to hyperfine's --prepare in the chains, is timed on its own (setcg -r; the network namespace has no file and goes with the chain's last process)."
	echo
	if [ -s "$b_tmp/chain" ]; then
		echo "The chain, as \`mkcontainer.sh -x\` shows it:"
		echo
		echo '```'
		sed 's/^mkcontainer: + //' "$b_tmp/chain"
		echo '```'
		echo
	fi
	if [ "$actual" != "$assumed" ]; then
		echo "**Note: mkcontainer.sh now runs the chain \`${actual:-?}\`; the chains below assume \`$assumed\`. The phase figures may not add up to mkcontainer.sh's.**"
		echo
	fi
	echo "| chain | median ms | command |"
	echo "|---|---:|---|"
	while IFS='	' read -r k v cmd; do
		echo "| $k | $v | \`$(printf '%s' "$cmd" | sed "s|$rootfs|ROOTFS|g; s|$BIN/|bin/|g; s|$top/||g; s/'//g")\` |"
	done <"$b_tmp/phases"
	echo
	echo "| phase | ms | % of full | what |"
	echo "|---|---:|---:|---|"
	sort -t '	' -k2,2gr "$b_tmp/costs" | while IFS='	' read -r k v what; do
		echo "| $k | $v | $(awk -v a="$v" -v b="$t_full" 'BEGIN { if (b > 0 && a ~ /^-?[0-9.]+$/) printf "%.0f", 100 * a / b; else print "-" }') | $what |"
	done
	echo "| **full mkcontainer.sh** | **$t_full** | 100 | the sum of the above |"
	echo
	if [ -n "$execs" ]; then
		echo "$execs"
		echo
	fi
	echo "Largest: **${top_phase%%	*}** ($(printf '%s' "$top_phase" | cut -f2) ms of $t_full ms). Differences of medians are noisy at the 1 ms level; a negative figure means within noise."
} >"$out/phases.md"
cat "$out/phases.md"
