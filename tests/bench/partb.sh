#!/bin/sh
# partb.sh - the assignment's Part B: an application's saturation throughput
# on the bare host, in a container and in a VM, with the same CPU share.
#
#   tests/bench/partb.sh [-q] [-o DIR]
#
# One workload script, run unchanged in the three places:
#   cpu  crunch N     integer mixing: pure CPU (rootfs-build/demo/crunch.c)
#   sys  crunch -s M  M getppid() system calls: the cost of entering the kernel
#   tcp  tcpbench     TCP bulk transfer over loopback (sender and receiver)
# Each on one CPU's worth:
#   bare       the host, taskset -c 0
#   container  mkcontainer.sh -c 1 (CFS quota of one CPU)
#   VM         tests/vm/cgroup2.sh under taskset -c 0: qemu with one vCPU, in
#              SOFTWARE EMULATION (TCG, no KVM here): not what a KVM VM costs
# and the start latency of each (to the command running). BENCH_VM=0 skips
# the VM. Writes DIR/partb.md (printed too) and partb.dat.
set -eu

prog=partb.sh
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

usage() {
	cat <<'EOF'
Usage: tests/bench/partb.sh [-q] [-o DIR]
Part B: throughput of a CPU-bound job (crunch), of system calls (crunch -s)
and of TCP over loopback (tcpbench), on the bare host, in a container with
-c 1 and in a qemu VM (software emulation, TCG) with one vCPU.

  -q      quick mode: less work, one repetition (or BENCH_QUICK=1)
  -o DIR  where the results go (default tests/bench/results)
  -h      print this help

BENCH_VM=0 skips the VM; MKC_VM_TIMEOUT etc. go to tests/vm/cgroup2.sh.
EOF
}

bench_options "$@"
bench_start hyperfine
note_gateway

rootfs=$(cd "$ROOTFS" && pwd)
for p in crunch tcpbench; do
	[ -x "$rootfs/usr/local/bin/$p" ] || die "no $p in $rootfs (run: make rootfs)"
done
if [ -n "$quick" ]; then
	n=50000000 m=200000 mb=100 reps=1 vm_timeout=600
else
	n=1000000000 m=5000000 mb=500 reps=3 vm_timeout=1800
fi
port=5301
name=bench-partb ip=$NET.30
b_names=$name

# The workload: BIN N M MB REPS PORT. "start" first (the VM's boot time is
# when it appears), then one "LABEL RESULT" line per measurement.
# shellcheck disable=SC2016 # expanded by that sh
work='
bin=$1 n=$2 m=$3 mb=$4 reps=$5 port=$6
echo start
i=0
while [ "$i" -lt "$reps" ]; do
	r=$("$bin/crunch" "$n") || exit 1
	echo "cpu $r"
	r=$("$bin/crunch" -s "$m") || exit 1
	echo "sys $r"
	i=$((i + 1))
done
sh -c '\''echo "$$"; exec "$1" -s "$2" 127.0.0.1'\'' sh "$bin/tcpbench" "$port" | {
	read -r pid
	read -r ready
	case $ready in
	"listening on port"*) ;;
	*) echo "tcp receiver failed: $ready"; kill "$pid"; exit 1 ;;
	esac
	i=0
	while [ "$i" -lt "$reps" ]; do
		r=$("$bin/tcpbench" 127.0.0.1 "$port" "$mb") || break
		echo "tcp $r"
		i=$((i + 1))
	done
	kill "$pid"
}
echo done
'
sh -n -c "$work" || die "the workload script does not parse"

# --- bare host ---------------------------------------------------------------------
say "bare host (taskset -c 0): crunch $n, crunch -s $m, tcpbench ${mb} MB, x$reps"
bgwait taskset -c 0 sh -c "$work" sh "$top/bin/demo" "$n" "$m" "$mb" "$reps" \
	"$port" >"$b_tmp/bare.out" 2>&1 </dev/null || die "bare host: the workload failed: $(tail -n 3 "$b_tmp/bare.out")"

# --- container -----------------------------------------------------------------------
say "container (-c 1)"
bgwait "$MKC" -r "$rootfs" -c 1 "$name" "$ip" -- sh -c "$work" sh /usr/local/bin "$n" "$m" "$mb" "$reps" \
	"$port" >"$b_tmp/container.out" 2>&1 </dev/null ||
	die "container: the workload failed: $(tail -n 3 "$b_tmp/container.out")"

# --- VM ----------------------------------------------------------------------------------
vm=$top/tests/vm/cgroup2.sh
vm_why=''
case ${BENCH_VM:-1} in 0 | no | false) vm_why='disabled (BENCH_VM=0)' ;; esac
if [ -z "$vm_why" ] && [ ! -x "$vm" ]; then
	vm_why="tests/vm/cgroup2.sh is missing"
fi
case $rootfs in
/tmp/* | /run/*) [ -n "$vm_why" ] || vm_why="the rootfs is under /tmp or /run, which the VM does not share" ;;
esac
if [ -z "$vm_why" ]; then
	say "VM (tests/vm/cgroup2.sh under taskset -c 0: qemu TCG, 1 vCPU); boots first"
	# Each line of its output with the host's time in ms: when "start"
	# appears, the VM booted. Its status is the last line.
	# The VM shares the host's files but not /tmp or /run: start it from
	# the top of the tree (every path here is absolute).
	cd "$top"
	t0=$(now_ms)
	# shellcheck disable=SC2016 # expanded by that sh
	bgwait sh -c '{ "$@"; echo "status $?"; } 2>&1 </dev/null |
		while IFS= read -r l; do printf "%s %s\n" "$(date +%s%3N)" "$l"; done' \
		sh taskset -c 0 "$vm" -t "$vm_timeout" sh -c "$work" sh \
		"$rootfs/usr/local/bin" "$n" "$m" "$mb" "$reps" "$port" >"$b_tmp/vm.ts" 2>&1 || true
	t1=$(now_ms)
	tr -d '\r' <"$b_tmp/vm.ts" | cut -d' ' -f2- >"$b_tmp/vm.out"
	vm_status=$(awk '$2 == "status" { s = $3 } END { print s }' "$b_tmp/vm.ts")
	if [ "$vm_status" != 0 ] || ! grep -q '^done' "$b_tmp/vm.out"; then
		vm_why="cgroup2.sh failed (status ${vm_status:-?}): $(grep -v '^status' "$b_tmp/vm.out" | tail -n 1 | tr '|' ' ')"
		warn "VM: $vm_why"
	else
		vm_boot=$(awk -v t0="$t0" '$2 == "start" { print $1 - t0; exit }' "$b_tmp/vm.ts")
		vm_total=$((t1 - t0))
		vm_kernel=$(sed -n 's/^mkc-vm: Linux \([^;]*\);.*/\1/p' "$b_tmp/vm.out" | head -n 1)
	fi
fi

# --- start latency of the container, for comparison ------------------------------
say "start latency: bare exec and container"
# shellcheck disable=SC2046 # options, one word each
hf "$b_tmp/start" $(hf_runs 3 10) -N -n bare "$(shq "$rootfs/bin/true")" \
	-n container "$(shq "$MKC") -r $(shq "$rootfs") -c 1 $name $ip -- /bin/true"

# --- report ---------------------------------------------------------------------------------

# med WHERE LABEL: median rate of LABEL lines in WHERE.out, and scaled.
med() {
	if [ ! -f "$b_tmp/$1.out" ] || { [ "$1" = vm ] && [ -n "$vm_why" ]; }; then
		echo -
		return
	fi
	rate_of "$2 " <"$b_tmp/$1.out" | stats | cut -d' ' -f1
}
: >"$out/partb.dat"
# sc X DIVISOR: X/DIVISOR with 2 decimals, or "-".
sc() { awk -v x="$1" -v d="$2" 'BEGIN { if (x == "-") print "-"; else printf "%.2f\n", x / d }'; }
row() { # row LABEL UNIT DIVISOR WHAT
	b=$(med bare "$1") c=$(med container "$1") v=$(med vm "$1")
	b=$(sc "$b" "$3") c=$(sc "$c" "$3") v=$(sc "$v" "$3")
	vcell=$v
	[ -z "$vm_why" ] || vcell="not run: $vm_why"
	echo "| $4 ($2) | $b | $c | $vcell | $(ratio "$c" "$b") | $(ratio "$v" "$b") |"
	echo "\"$1\" $(ratio "$c" "$b" | sed 's/^-$/0/') $(ratio "$v" "$b" | sed 's/^-$/0/')" >>"$out/partb.dat"
}
{
	echo "## Part B: bare host vs container vs VM"
	echo
	echo "The same workload script in three places, each with one CPU's worth: bare host under \`taskset -c 0\`; container \`mkcontainer.sh -c 1\` (CFS quota, 1 CPU); VM: \`tests/vm/cgroup2.sh\` under \`taskset -c 0\`, i.e. qemu with 1 vCPU and 3 GiB, **in software emulation (qemu TCG; KVM does not work on this host)**: the VM column measures a TCG-emulated CPU, far slower than a KVM guest would be, and is not a fair figure for hardware virtualisation. $(mode_text) mode: $reps repetition(s), median."
	echo
	echo "| workload | bare host | container -c 1 | VM (qemu TCG, 1 vCPU) | container / bare | VM / bare |"
	echo "|---|---:|---:|---:|---:|---:|"
	row cpu "Mops/s" 1000000 "CPU: crunch $n integer mixing rounds"
	row sys "M syscalls/s" 1000000 "kernel entry: crunch -s $m getppid()"
	row tcp "MB/s" 1 "TCP loopback: tcpbench ${mb} MB, sender + receiver"
	echo
	bare_ms=$(hf_ms "$b_tmp/start.csv" bare median)
	cont_ms=$(hf_ms "$b_tmp/start.csv" container median)
	echo "| start latency | ms |"
	echo "|---|---:|"
	echo "| bare host: exec /bin/true (hyperfine median) | $bare_ms |"
	echo "| container: \`mkcontainer.sh -c 1 ... /bin/true\`, start to teardown (hyperfine median) | $cont_ms |"
	if [ -z "$vm_why" ]; then
		echo "| VM (TCG): cgroup2.sh until the command runs (boot, 1 run) | $vm_boot |"
		echo "| VM (TCG): cgroup2.sh in all, with the workload and poweroff | $vm_total |"
	else
		echo "| VM | not run: $vm_why |"
	fi
	echo
	echo "How to read it: the container runs the same binaries on the same kernel, so its CPU figure can only differ by noise; a system-call figure lower than the bare host's, if it holds over repetitions, is the seccomp filter (confine) run on every kernel entry. The VM ${vm_kernel:+(guest kernel $vm_kernel, pure cgroup v2) }translates every guest instruction in software: a tight integer loop translates well, kernel entries and the TCP stack much less so. With KVM the VM's CPU figure would be close to the bare host's and its system calls would not leave the guest."
} >"$out/partb.md"
cat "$out/partb.md"
