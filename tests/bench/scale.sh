#!/bin/sh
# scale.sh - start latency with containers already running, many starts at
# once, and the memory an idle container takes.
#
#   tests/bench/scale.sh [-q] [-o DIR]
#
# 1. With 0, 10 and 100 detached idle containers running (sleep; quick mode:
#    0, 3, 10), hyperfine's median of a full mkcontainer.sh /bin/true.
# 2. Host memory per idle container: the drop of MemAvailable, and the sum
#    of the PSS of its processes (supervisor, nsexec, init, sleep), and its
#    cgroup's memory.current.
# 3. 100 containers (quick: 10) started at the same moment, each running
#    `server PORT`: the time until every one answers `client IP PORT`.
# Writes DIR/scale.md (printed too), scale.dat and parallel.dat.
set -eu

prog=scale.sh
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

usage() {
	cat <<'EOF'
Usage: tests/bench/scale.sh [-q] [-o DIR]
Start latency with 0, 10 and 100 containers running (quick: 0, 3, 10), the
memory of an idle container, and the time until 100 containers started at
once (quick: 10) all answer a client.

  -q      quick mode: few runs and containers, for a smoke test (or
          BENCH_QUICK=1)
  -o DIR  where the results go (default tests/bench/results)
  -h      print this help

BENCH_LEVELS="0 10 100" and BENCH_PARALLEL=100 change the counts (at most
100 each; levels in increasing order).
EOF
}

bench_options "$@"
bench_start hyperfine
note_gateway

if [ -n "$quick" ]; then
	levels='0 3 10' npar=10
else
	levels='0 10 100' npar=100
fi
levels=${BENCH_LEVELS:-$levels} npar=${BENCH_PARALLEL:-$npar}
for n in $levels $npar; do
	case $n in '' | *[!0-9]*) die "invalid BENCH_LEVELS or BENCH_PARALLEL: '$n'" ;; esac
done
if [ "$npar" -lt 1 ] || [ "$npar" -gt 100 ]; then
	die "BENCH_PARALLEL: 1 to 100"
fi
for n in $levels; do
	[ "$n" -le 100 ] || die "BENCH_LEVELS: at most 100 containers"
done
rootfs=$(cd "$ROOTFS" && pwd)
client=$top/bin/demo/client
[ -x "$client" ] || die "no $client (run: make)"
port=8080
probe=bench-scale
probe_ip=$NET.4
# Idle containers: bench-idle-N at .10 to .109; at once: bench-par-N at .110
# to .209. Every name goes on b_names first: cleanup removes what exists.
b_names=$probe
idle_ip() { echo "$NET.$((9 + $1))"; }

mem_available() { awk '$1 == "MemAvailable:" { print $2 }' /proc/meminfo; }

# container_pids NAME: the host processes of a detached container: its
# supervisor, the host side of nsexec, the init and what the init runs.
container_pids() {
	read_pid=''
	while IFS='=' read -r k v; do
		[ "$k" != pid ] || read_pid=$v
	done <"$STATE/$1/info"
	[ -n "$read_pid" ] || return 0
	awk '$1 == "PPid:" { print $2 }' "/proc/$read_pid/status" 2>/dev/null || true
	echo "$read_pid"
	init=''
	read -r init <"$STATE/$1/init.pid" 2>/dev/null || return 0
	echo "$init"
	tr 2>/dev/null <"/proc/$init/task/$init/children" ' ' '\n' | grep . || true
}

# kb_sum FIELD PID...: the sum of FIELD (Pss:, Rss:) in kB over smaps_rollup.
kb_sum() {
	f=$1
	shift
	for p; do
		cat "/proc/$p/smaps_rollup" 2>/dev/null || true
	done | awk -v f="$f" '$1 == f { s += $2 } END { print s + 0 }'
}

# cg_mem NAME: memory.current of the container's cgroup, in kB.
cg_mem() {
	"$BIN/setcg" -s "${MKC_CGROUP_PREFIX:-mkc-}$1" 2>/dev/null |
		awk '$1 == "memory.current" { printf "%d\n", $2 / 1024; f = 1 } END { if (!f) print 0 }'
}

# --- 1 and 2: latency with N running, memory per idle container ----------------

: >"$out/scale.dat"
: >"$b_tmp/levels"
running=0
avail0=''
for level in $levels; do
	if [ "$level" -gt "$running" ]; then
		[ -n "$avail0" ] || avail0=$(mem_available)
		say "starting $((level - running)) idle containers (to $level)"
		prev=$running
		t0=$(now_ms)
		while [ "$running" -lt "$level" ]; do
			running=$((running + 1))
			b_names="$b_names bench-idle-$running"
			bgwait "$MKC" -r "$rootfs" -d "bench-idle-$running" "$(idle_ip "$running")" \
				sleep 100000 >/dev/null ||
				die "cannot start container bench-idle-$running"
		done
		t_seq=$((($(now_ms) - t0) / (running - prev)))
	fi
	mem='-' pss='-' rss='-' cgm='-' seq='-'
	if [ "$running" -gt 0 ]; then
		seq=$t_seq
		mem=$(awk -v a="$avail0" -v b="$(mem_available)" -v n="$running" \
			'BEGIN { printf "%.2f", (a - b) / n / 1024 }')
		pids=''
		cgsum=0
		i=1
		while [ "$i" -le "$running" ]; do
			pids="$pids $(container_pids "bench-idle-$i" | tr '\n' ' ')"
			cgsum=$((cgsum + $(cg_mem "bench-idle-$i")))
			i=$((i + 1))
		done
		# shellcheck disable=SC2086 # one word per PID
		pss=$(awk -v s="$(kb_sum Pss: $pids)" -v n="$running" 'BEGIN { printf "%.2f", s / n / 1024 }')
		# shellcheck disable=SC2086
		rss=$(awk -v s="$(kb_sum Rss: $pids)" -v n="$running" 'BEGIN { printf "%.2f", s / n / 1024 }')
		cgm=$(awk -v s="$cgsum" -v n="$running" 'BEGIN { printf "%.2f", s / n / 1024 }')
	fi
	say "latency with $running containers running"
	# shellcheck disable=SC2046 # options, one word each
	hf "$b_tmp/scale-$running" $(hf_runs 3 20) -N -n "running=$running" \
		"$(shq "$MKC") -r $(shq "$rootfs") $probe $probe_ip -- /bin/true"
	cp "$b_tmp/scale-$running.json" "$out/scale-$running.json"
	csv=$b_tmp/scale-$running.csv
	med=$(hf_ms "$csv" "running=$running" median)
	min=$(hf_ms "$csv" "running=$running" min)
	max=$(hf_ms "$csv" "running=$running" max)
	echo "$running $med $min $max" >>"$out/scale.dat"
	echo "$running|$med|$min|$max|$seq|$mem|$pss|$rss|$cgm" >>"$b_tmp/levels"
done

say "removing $running idle containers"
t0=$(now_ms)
i=1 names=''
while [ "$i" -le "$running" ]; do
	names="$names bench-idle-$i"
	i=$((i + 1))
done
# shellcheck disable=SC2086 # names are single words
[ -z "$names" ] || bgwait "$RMC" $names >/dev/null
t_rm=$(($(now_ms) - t0))

# --- 3: many at once ------------------------------------------------------------

# One starter per container, in a process group of its own (cleanup ends it
# and the mkcontainer.sh -d it runs): writes the time -d returned (ms since
# the epoch), or "failed", to RES.start.
# shellcheck disable=SC2016 # expanded by that sh
one='
mkc=$1 rootfs=$2 name=$3 ip=$4 port=$5 res=$6
if "$mkc" -r "$rootfs" -d "$name" "$ip" server "$port" >/dev/null 2>"$res.err"; then
	echo "$(date +%s%3N)" >"$res.tmp"
else
	echo failed >"$res.tmp"
fi
mv "$res.tmp" "$res.start"
'
say "starting $npar containers at once"
i=1
while [ "$i" -le "$npar" ]; do
	b_names="$b_names bench-par-$i"
	i=$((i + 1))
done
jobs=''
t0=$(now_ms)
i=1
while [ "$i" -le "$npar" ]; do
	setsid sh -c "$one" sh "$MKC" "$rootfs" "bench-par-$i" "$NET.$((109 + i))" \
		"$port" "$b_tmp/par-$i" &
	jobs="$jobs $!"
	b_groups="$b_groups $!"
	i=$((i + 1))
done
# One poller (not one per container: a hundred of them would load the CPUs
# they measure): each sweep tries `client` once on every container whose
# start has returned and that has not answered yet; 10 ms between sweeps. It
# runs at a higher priority (nice -10), so that the figure is when the
# containers answer, not when a poller starved by a hundred starts gets to ask.
renice -n -10 -p "$$" >/dev/null 2>&1 || true
pending=$(i=1; while [ "$i" -le "$npar" ]; do echo "$i"; i=$((i + 1)); done)
fails=0
end=$((t0 + 120000))
: >"$b_tmp/par-start"
: >"$b_tmp/par-answer"
: >"$out/parallel.dat"
while [ -n "$pending" ]; do
	next='' checked=''
	for i in $pending; do
		t1=''
		[ ! -f "$b_tmp/par-$i.start" ] || read -r t1 <"$b_tmp/par-$i.start"
		case $t1 in
		'') next="$next $i"; continue ;;
		failed)
			fails=$((fails + 1))
			warn "bench-par-$i did not start: $(head -n 1 "$b_tmp/par-$i.err")"
			continue ;;
		esac
		ip=$NET.$((109 + i))
		# Every address is in our /24: one look at the route a sweep.
		if [ -z "$checked" ]; then
			route_ok "$ip" || die "$ip is not reached through $BRIDGE: not connecting"
			checked=1
		fi
		if "$client" "$ip" "$port" >/dev/null 2>&1; then
			t2=$(now_ms)
			echo "$((t1 - t0))" >>"$b_tmp/par-start"
			echo "$((t2 - t0))" >>"$b_tmp/par-answer"
			echo "$i $((t1 - t0)) $((t2 - t0))" >>"$out/parallel.dat"
		else
			next="$next $i"
		fi
	done
	pending=$next
	[ -n "$pending" ] || break
	if [ "$(now_ms)" -ge "$end" ]; then
		warn "containers$pending did not answer in 120 s"
		fails=$((fails + $(echo "$pending" | wc -w)))
		break
	fi
	sleep 0.01
done
renice -n 0 -p "$$" >/dev/null 2>&1 || true
for j in $jobs; do
	wait "$j" || true
done
b_groups=''
read -r a_med a_min a_max a_n <<EOF
$(stats <"$b_tmp/par-answer")
EOF
read -r s_med _ s_max _ <<EOF
$(stats <"$b_tmp/par-start")
EOF
read -r g_med _ g_max _ <<EOF
$(awk '{ print $3 - $2 }' "$out/parallel.dat" | stats)
EOF
say "removing $npar containers"
t1=$(now_ms)
names=''
i=1
while [ "$i" -le "$npar" ]; do
	names="$names bench-par-$i"
	i=$((i + 1))
done
# shellcheck disable=SC2086 # names are single words
remove_containers $names
t_rm_par=$(($(now_ms) - t1))

# --- report -------------------------------------------------------------------------

{
	echo "## Scale"
	echo
	echo "### Start latency with containers running"
	echo
	echo "hyperfine -N, $(mode_text) mode ($(hf_runs 3 20 | sed 's/--//g')): \`mkcontainer.sh NAME IP -- /bin/true\` while N detached containers (\`sleep\`) run. Memory per idle container, from N containers: the drop of MemAvailable (everything: processes, page tables, kernel objects of the namespaces, veth, cgroups; noisy, other activity on the host counts too), the PSS and RSS of its host processes (supervisor sh, nsexec, init, sleep), and its cgroup's memory.current."
	echo
	echo "| running | median ms | min ms | max ms | detached start ms (each) | MemAvailable drop MiB/container | PSS MiB/container | RSS MiB/container | cgroup memory MiB/container |"
	echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	while IFS='|' read -r n med min max seq mem pss rss cgm; do
		echo "| $n | $med | $min | $max | $seq | $mem | $pss | $rss | $cgm |"
	done <"$b_tmp/levels"
	echo
	echo "Removing the $running idle containers with one rmcontainer.sh: $t_rm ms ($(awk -v t="$t_rm" -v n="$running" 'BEGIN { if (n) printf "%.0f", t / n; else print "-" }') ms each)."
	echo
	echo "### $npar containers started at once"
	echo
	echo "$npar \`mkcontainer.sh -d NAME IP server $port\` started in parallel from t=0 (one fork each, in a loop); each then polled from the host with \`client IP $port\` until it answered (one poller: each sweep tries every container whose start returned and that has not answered; 10 ms between sweeps)."
	echo
	echo "| | ms |"
	echo "|---|---:|"
	echo "| all $npar answered (the last) | $a_max |"
	echo "| median container answered | $a_med |"
	echo "| first container answered | $a_min |"
	echo "| last \`mkcontainer.sh -d\` returned | $s_max |"
	echo "| median \`mkcontainer.sh -d\` returned | $s_med |"
	echo "| from \`-d\` returned to answered: median, max | $g_med, $g_max |"
	echo "| answered / failed | $a_n / $fails |"
	echo "| removing all $npar (rmcontainer.sh) | $t_rm_par |"
} >"$out/scale.md"
cat "$out/scale.md"
