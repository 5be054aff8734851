#!/bin/sh
# net.sh - TCP bulk throughput: host loopback, host to container over the
# veth and bridge, container to container, container to host.
#
#   tests/bench/net.sh [-q] [-o DIR]
#
# With the demo program tcpbench (rootfs-build/demo/tcpbench.c, static: the
# same binary runs on the host and in the containers). A few repetitions each,
# MB/s (10^6 bytes) median, min and max. Writes DIR/net.md (printed too) and
# net.dat.
set -eu

prog=net.sh
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

usage() {
	cat <<'EOF'
Usage: tests/bench/net.sh [-q] [-o DIR]
TCP bulk throughput with tcpbench: host loopback, host -> container,
container -> container and container -> host, in MB/s.

  -q      quick mode: fewer and shorter transfers (or BENCH_QUICK=1)
  -o DIR  where the results go (default tests/bench/results)
  -h      print this help
EOF
}

bench_options "$@"
bench_start none
note_gateway

# the host side runs the copy in bin/demo, never the rootfs's
tcpbench=$top/bin/demo/tcpbench
[ -x "$tcpbench" ] || die "no $tcpbench (run: make)"
if [ -n "$quick" ]; then
	reps=2 mb=200
else
	reps=5 mb=2000
fi
port=5201
rx=bench-net-rx rx_ip=$NET.20
tx=bench-net-tx tx_ip=$NET.21
b_names="$rx $tx"

# receiver LOG COMMAND...: start a tcpbench receiver in the background (its
# own process group, ended by cleanup), wait until it listens.
receiver() {
	log=$1
	shift
	setsid "$@" >"$log" 2>&1 </dev/null &
	b_groups="$b_groups $!"
	wait_for 10 has_line "$log" '^listening on port' ||
		die "the receiver did not start: $(cat "$log")"
}

# measure LABEL COMMAND...: run a sender $reps times; its MB/s go to
# $b_tmp/LABEL.
measure() {
	label=$1
	shift
	say "$label: $reps x $mb MB"
	: >"$b_tmp/$label"
	n=0
	while [ "$n" -lt "$reps" ]; do
		bgwait "$@" >"$b_tmp/run.out" 2>&1 </dev/null ||
			die "$label: the sender failed: $(cat "$b_tmp/run.out")"
		rate_of 'tcpbench:' <"$b_tmp/run.out" >>"$b_tmp/$label"
		n=$((n + 1))
	done
}

# 1. Both ends on the host, over lo.
receiver "$b_tmp/lo.log" "$tcpbench" -s "$port" 127.0.0.1
measure loopback "$tcpbench" 127.0.0.1 "$port" "$mb"
for g in $b_groups; do
	kill -TERM "-$g" 2>/dev/null || true
	wait "$g" 2>/dev/null || true
done
b_groups=''

# 2. The host sends to a container: veth + bridge.
"$MKC" -r "$ROOTFS" -d "$rx" "$rx_ip" tcpbench -s "$port" >/dev/null ||
	die "cannot start the receiving container"
wait_for 10 has_line "$STATE/$rx/log" '^listening on port' ||
	die "the receiver in container $rx did not start"
route_ok "$rx_ip" || die "$rx_ip is not reached through $BRIDGE: not sending"
measure host-to-container "$tcpbench" "$rx_ip" "$port" "$mb"

# 3. A container sends to another: both veths and the bridge (each repetition
# a new container; tcpbench times only its transfer).
measure container-to-container "$MKC" -r "$ROOTFS" "$tx" "$tx_ip" -- tcpbench "$rx_ip" "$port" "$mb"

# 4. A container sends to the host, to the gateway address on the bridge.
ip -o addr show dev "$BRIDGE" | grep -q " $GW/" || die "$GW is not on $BRIDGE"
receiver "$b_tmp/gw.log" "$tcpbench" -s "$((port + 1))" "$GW"
measure container-to-host "$MKC" -r "$ROOTFS" "$tx" "$tx_ip" -- tcpbench "$GW" "$((port + 1))" "$mb"

: >"$out/net.dat"
{
	echo "## Network: TCP bulk throughput"
	echo
	echo "tcpbench (one TCP stream, 128 KiB writes), $(mode_text) mode: $reps transfers of $mb MB each; MB/s = 10^6 bytes/s, as received. Containers without CPU limit, default memory limit (256M)."
	echo
	echo "| path | median MB/s | min | max | runs | vs loopback |"
	echo "|---|---:|---:|---:|---:|---:|"
	lo=$(stats <"$b_tmp/loopback" | cut -d' ' -f1)
	for label in loopback host-to-container container-to-container container-to-host; do
		read -r med min max n <<-EOF
			$(stats <"$b_tmp/$label")
		EOF
		echo "| $label | $med | $min | $max | $n | $(ratio "$med" "$lo") |"
		echo "\"$label\" $med $min $max" >>"$out/net.dat"
	done
} >"$out/net.md"
cat "$out/net.md"
