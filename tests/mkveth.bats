#!/usr/bin/env bats
# mkveth: veth pair, bridge, gateway, addresses and routes over rtnetlink.
#
# Each test uses its own network namespaces, its own bridge (never mkc0) and a
# random /24 in 10.199.0.0/16. ip(8) is used here only to check and to clean.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	require_root
	NS=$(unique_name mkt) NS2=$(unique_name mkt) NS3=$(unique_name mkt)
	VETH=$(unique_name mkv) VETH2=$(unique_name mkv) VETH3=$(unique_name mkv)
	BR=$(unique_name mkb) BR2=$(unique_name mkb)
	SUB=10.199.$((RANDOM % 254 + 1))
	ip netns add "$NS"
}

teardown() {
	# Deleting a veth removes both ends at once; a namespace's links go
	# asynchronously, so the veths go first.
	local l n i
	for l in "$VETH" "$VETH2" "$VETH3"; do
		ip link del "$l" 2>/dev/null || true
	done
	for n in "$NS" "$NS2" "$NS3"; do
		ip netns del "$n" 2>/dev/null || true
	done
	for i in $(seq "${RUNS:-0}"); do
		ip link del "${VETH}c$i" 2>/dev/null || true
		ip netns del "$NS-$i" 2>/dev/null || true
	done
	ip link del "$BR" 2>/dev/null || true
	ip link del "$BR2" 2>/dev/null || true
}

# mkveth with the test's bridge: mkv HOSTIF NS ADDRESS [more...]
mkv() {
	mkveth -b "$BR" "$1" "/run/netns/$2" "${@:3}"
}

in_ns() {
	ip netns exec "$NS" "$@"
}

# BR2, up, with ADDRESS: the "other interface" of the host that owns a route.
other_bridge() {
	ip link add "$BR2" type bridge
	ip addr add "$1" dev "$BR2"
	ip link set "$BR2" up
}

@test "-h prints usage on stdout and exits 0" {
	run --separate-stderr -0 mkveth -h
	assert_line --index 0 --partial "Usage: mkveth"
	assert_output --partial "-d HOSTIF"
	[ -z "$stderr" ]
}

@test "an unknown option or missing operands is a usage error (125)" {
	run -125 mkveth -x "$VETH" "/run/netns/$NS" "$SUB.2/24"
	assert_output --partial "Try 'mkveth -h'"
	run -125 mkveth "$VETH" "/run/netns/$NS"
	assert_output --partial "missing HOSTIF, NETNS or ADDRESS"
	run ! ip link show "$VETH"
}

@test "host end is up, a veth, and plugged into the bridge, which has the gateway" {
	run -0 --separate-stderr mkv "$VETH" "$NS" "$SUB.2/24"
	[ -z "$stderr" ]
	run -0 ip -d -o link show dev "$VETH"
	assert_output --partial "master $BR "
	assert_output --partial ",UP,"
	assert_output --partial " veth "
	run -0 ip -d -o link show dev "$BR"
	assert_output --partial " bridge "
	assert_output --partial ",UP"
	run -0 ip -o -4 addr show dev "$BR"
	assert_output --partial "inet $SUB.1/24 brd $SUB.255 "
}

@test "inside the namespace: eth0 has the address and is up, lo is up, default route" {
	run -0 mkv "$VETH" "$NS" "$SUB.2/24"
	run -0 in_ns ip -o -4 addr show dev eth0
	assert_output --partial "inet $SUB.2/24 brd $SUB.255 "
	run -0 in_ns ip -o link show dev eth0
	assert_output --partial ",UP,"
	run -0 in_ns ip -o link show dev lo
	assert_output --partial ",UP,"
	run -0 in_ns ip -d route show default
	assert_output --regexp "^unicast default via $SUB.1 dev eth0 proto boot scope global *$"
}

@test "the container pings the gateway and the host pings the container" {
	run -0 mkv "$VETH" "$NS" "$SUB.2/24"
	assert_routed_via "$SUB.2" "$BR"
	run -0 in_ns busybox ping -c 1 -W 2 "$SUB.1"
	run -0 busybox ping -c 1 -W 2 "$SUB.2"
}

@test "two namespaces on the same bridge ping each other" {
	ip netns add "$NS2"
	run -0 mkv "$VETH" "$NS" "$SUB.2/24"
	run -0 mkv "$VETH2" "$NS2" "$SUB.3/24"
	assert_routed_via "$SUB.2" "$BR"
	assert_routed_via "$SUB.3" "$BR"
	run -0 ip -o link show master "$BR"
	assert_equal "${#lines[@]}" 2
	run -0 in_ns busybox ping -c 1 -W 2 "$SUB.3"
	run -0 ip netns exec "$NS2" busybox ping -c 1 -W 2 "$SUB.2"
}

# The bridge is created by whichever run gets there first; the others must
# take EEXIST from RTM_NEWLINK as success. The runs are held behind a lock and
# released together so that several look the bridge up before any creates it.
# The window is short: with EEXIST treated as an error this fails about one
# run in four here, not every time.
@test "concurrent runs share one bridge that none of them found" {
	local i lock=$BATS_TEST_TMPDIR/lock pids=
	RUNS=12 # for teardown
	exec {gate}>"$lock"
	flock -x "$gate"
	for i in $(seq "$RUNS"); do
		ip netns add "$NS-$i"
		# {gate}>&-: a copy of the held lock would block this very run.
		flock -s "$lock" mkveth -b "$BR" "${VETH}c$i" "/run/netns/$NS-$i" \
			"$SUB.$((i + 1))/24" {gate}>&- &
		pids="$pids $!"
	done
	exec {gate}>&-
	for i in $pids; do
		wait "$i"
	done
	run -0 ip -o link show master "$BR"
	assert_equal "${#lines[@]}" "$RUNS"
	run -0 ip -o -4 addr show dev "$BR"
	assert_equal "${#lines[@]}" 1
}

# Left to itself a bridge takes the lowest MAC of its ports, which would change
# the gateway's MAC under running containers as others come and go.
@test "the bridge keeps its own MAC address as ports come and go" {
	ip netns add "$NS2"
	run -0 mkv "$VETH" "$NS" "$SUB.2/24"
	mac=$(cat "/sys/class/net/$BR/address")
	[ "$mac" != "$(cat "/sys/class/net/$VETH/address")" ]
	run -0 mkv "$VETH2" "$NS2" "$SUB.3/24"
	run -0 mkveth -d "$VETH"
	assert_equal "$(cat "/sys/class/net/$BR/address")" "$mac"
}

@test "an existing bridge that is down is brought up and given the gateway" {
	ip link add "$BR" type bridge
	run -0 mkv "$VETH" "$NS" "$SUB.2/24"
	run -0 ip -o link show dev "$BR"
	assert_output --partial ",UP"
	run -0 ip -o -4 addr show dev "$BR"
	assert_output --partial "inet $SUB.1/24 "
}

@test "-g sets a custom gateway; its prefix defaults to the address's" {
	run -0 mkveth -b "$BR" -g "$SUB.254" "$VETH" "/run/netns/$NS" "$SUB.2/24"
	run -0 ip -o -4 addr show dev "$BR"
	assert_output --partial "inet $SUB.254/24 "
	run -0 in_ns ip route show default
	assert_output --partial "default via $SUB.254 dev eth0"
	assert_routed_via "$SUB.2" "$BR"
	run -0 in_ns busybox ping -c 1 -W 2 "$SUB.254"
}

@test "ADDRESS without a prefix means /24" {
	run -0 mkv "$VETH" "$NS" "$SUB.9"
	run -0 in_ns ip -o -4 addr show dev eth0
	assert_output --partial "inet $SUB.9/24 "
	run -0 in_ns ip route show default
	assert_output --partial "default via $SUB.1 dev eth0"
}

@test "a /16 gets the first address of the /16 as gateway" {
	run -0 mkv "$VETH" "$NS" "10.199.$((RANDOM % 200 + 20)).7/16"
	run -0 in_ns ip route show default
	assert_output --partial "default via 10.199.0.1 dev eth0"
}

@test "15-byte names are accepted, 16-byte names are not" {
	local host15=${VETH}abcdef
	VETH=$host15 # so that teardown deletes it
	run -0 mkveth -b "$BR" -i eth-fifteen-byt "$host15" "/run/netns/$NS" "$SUB.2/24"
	run -0 in_ns ip -o link show dev eth-fifteen-byt
	run -125 mkveth -b "$BR" "${host15}x" "/run/netns/$NS" "$SUB.3/24"
	assert_output --partial "invalid interface name '${host15}x'"
	run -125 mkveth -b "$BR" -i eth-sixteen-byte "$VETH2" "/run/netns/$NS" "$SUB.3/24"
	assert_output --partial "invalid interface name"
	run -125 mkveth -b "${BR}abcdefg" "$VETH2" "/run/netns/$NS" "$SUB.3/24"
	assert_output --partial "invalid bridge name"
	for bad in "a/b" "a:b" "a b" "" "."; do
		run -125 mkveth -b "$BR" -i "$bad" "$VETH2" "/run/netns/$NS" "$SUB.3/24"
		assert_output --partial "invalid interface name"
	done
	run ! ip link show "$VETH2"
}

@test "malformed addresses are rejected before anything is made" {
	for bad in 10.0.0.300/24 10.0.0.2/33 10.0.0.2/31 10.0.0.2/0 10.0.0.2/ \
		10.0.0/24 10.0.0.2/24x 10.0.0.2/+24 010.0.0.2/24 abc ""; do
		run -125 mkv "$VETH" "$NS" "$bad"
		assert_output --partial "invalid address '$bad'"
	done
	run ! ip link show "$BR"
	run ! ip link show "$VETH"
}

@test "network, broadcast and gateway addresses are refused" {
	run -125 mkv "$VETH" "$NS" "$SUB.0/24"
	assert_output --partial "network or broadcast"
	run -125 mkv "$VETH" "$NS" "$SUB.255/24"
	assert_output --partial "network or broadcast"
	run -125 mkv "$VETH" "$NS" "$SUB.1/24"
	assert_output --partial "is the gateway's"
	run -125 mkveth -b "$BR" -g "$SUB.7" "$VETH" "/run/netns/$NS" "$SUB.7/24"
	assert_output --partial "is the gateway's"
	run -125 mkveth -b "$BR" -g 10.198.0.1 "$VETH" "/run/netns/$NS" "$SUB.7/24"
	assert_output --partial "gateway must be a host address in the subnet"
	run -125 mkveth -b "$BR" -g "$SUB.255" "$VETH" "/run/netns/$NS" "$SUB.7/24"
	assert_output --partial "gateway must be a host address in the subnet"
	run ! ip link show "$BR"
	run ! ip link show "$VETH"
}

@test "a missing namespace file is one clear error and makes nothing" {
	run -125 mkv "$VETH" "$NS-nope" "$SUB.2/24"
	assert_output "mkveth: cannot open network namespace '/run/netns/$NS-nope': No such file or directory"
	run ! ip link show "$BR"
	run ! ip link show "$VETH"
}

@test "a file that is not a network namespace is refused before anything is made" {
	touch "$BATS_TEST_TMPDIR/plain"
	run -125 mkveth -b "$BR" "$VETH" "$BATS_TEST_TMPDIR/plain" "$SUB.2/24"
	assert_output "mkveth: '$BATS_TEST_TMPDIR/plain' is not a network namespace"
	run -125 mkveth -b "$BR" "$VETH" /proc/self/ns/uts "$SUB.2/24"
	assert_output "mkveth: '/proc/self/ns/uts' is not a network namespace"
	run ! ip link show "$BR"
	run ! ip link show "$VETH"
}

@test "an existing HOSTIF is an error and is left untouched" {
	ip link add "$VETH" type veth peer name "$VETH2"
	run -125 mkv "$VETH" "$NS" "$SUB.2/24"
	assert_output "mkveth: cannot create veth '$VETH': File exists"
	run -0 ip -o link show dev "$VETH"
	refute_output --partial "master"
	refute_output --partial ",UP"
	assert_output --partial "$VETH@$VETH2:"
	run ! in_ns ip link show eth0
}

@test "an existing IFNAME in the namespace is an error and makes no veth" {
	run -0 mkv "$VETH" "$NS" "$SUB.2/24"
	run -125 mkv "$VETH2" "$NS" "$SUB.3/24"
	assert_output "mkveth: 'eth0' already exists in network namespace '/run/netns/$NS'"
	run ! ip link show "$VETH2"
}

@test "a BRIDGE name that is not a bridge is refused" {
	ip link add "$VETH2" type veth peer name "$VETH3"
	run -125 mkveth -b "$VETH2" "$VETH" "/run/netns/$NS" "$SUB.2/24"
	assert_output "mkveth: '$VETH2' exists and is not a bridge"
	run ! ip link show "$VETH"
	run -0 ip -o -4 addr show dev "$VETH2"
	assert_output ""
}

# The in-namespace steps can only fail after the pair exists. A default route
# already in the namespace makes the last step (RTM_NEWROUTE with NLM_F_EXCL)
# fail, so this checks that the pair is deleted again: both ends.
@test "a failure after the veth was made deletes the veth" {
	ip -n "$NS" link set lo up
	ip -n "$NS" route add default dev lo
	run -125 mkv "$VETH" "$NS" "$SUB.2/24"
	assert_output "mkveth: cannot add default route via '$SUB.1': File exists"
	run ! ip link show "$VETH"
	run ! in_ns ip link show eth0
	run -0 ip -o link show master "$BR"
	assert_output ""
}

# The gateway on the bridge would be a second route to a subnet the host
# already reaches (its LAN, say): refused before anything is made. Tested
# with a route on a second test bridge, never with the host's real LAN, so
# that a broken check cannot disturb the host's network.
@test "a subnet equal to, inside or around a route on another link is refused" {
	other_bridge "$SUB.1/24"
	run -125 mkv "$VETH" "$NS" "$SUB.2/24"
	assert_output "mkveth: subnet $SUB.0/24 overlaps the host's route $SUB.0/24 dev $BR2: choose another subnet"
	run -125 mkv "$VETH" "$NS" "$SUB.130/25"
	assert_output "mkveth: subnet $SUB.128/25 overlaps the host's route $SUB.0/24 dev $BR2: choose another subnet"
	run -125 mkv "$VETH" "$NS" "$SUB.2/16"
	assert_output "mkveth: subnet 10.199.0.0/16 overlaps the host's route $SUB.0/24 dev $BR2: choose another subnet"
	run ! ip link show "$BR"
	run ! ip link show "$VETH"
	run ! in_ns ip link show eth0
}

@test "the next subnet of a route on another link is fine" {
	other_bridge "$SUB.1/25"
	run -0 mkv "$VETH" "$NS" "$SUB.130/25"
	run -0 ip -o -4 addr show dev "$BR"
	assert_output --partial "inet $SUB.129/25 "
}

# A /32 makes no route: only the address check sees it.
@test "a GATEWAY or ADDRESS that is the host's, on another link, is refused" {
	other_bridge "$SUB.7/32"
	run -125 mkv "$VETH" "$NS" "$SUB.7/24"
	assert_output "mkveth: address $SUB.7 is already in use by the host, on $BR2"
	run -125 mkveth -b "$BR" -g "$SUB.7" "$VETH" "/run/netns/$NS" "$SUB.2/24"
	assert_output "mkveth: gateway $SUB.7 is already in use by the host, on $BR2"
	run ! ip link show "$BR"
	run ! ip link show "$VETH"
}

@test "routes and the gateway on the bridge itself are fine" {
	ip link add "$BR" type bridge
	ip addr add "$SUB.1/24" dev "$BR"
	ip link set "$BR" up
	ip route add 10.199.0.0/16 dev "$BR"
	run -0 mkveth -v -b "$BR" "$VETH" "/run/netns/$NS" "$SUB.2/24"
	assert_line "mkveth: RTM_GETROUTE dump: does a route of the main table overlap $SUB.0/24?"
	assert_line "mkveth: route $SUB.0/24 is on the bridge: fine"
	assert_line "mkveth: route 10.199.0.0/16 is on the bridge: fine"
	assert_line "mkveth: RTM_GETADDR dump: is $SUB.1 or $SUB.2 already the host's?"
	run -0 in_ns ip -o -4 addr show dev eth0
	assert_output --partial "inet $SUB.2/24 "
}

@test "COMMAND is chain-loaded after setup, in the caller's namespace" {
	run -3 mkv "$VETH" "$NS" "$SUB.2/24" sh -c 'echo chained; readlink /proc/self/ns/net; exit 3'
	assert_line --index 0 chained
	assert_line --index 1 "$(readlink /proc/self/ns/net)"
	run -0 ip -o link show dev "$VETH"
}

@test "COMMAND inherits no netlink socket or namespace fd" {
	run -0 mkv "$VETH" "$NS" "$SUB.2/24" sh -c 'ls -l /proc/$$/fd'
	assert_output --partial " 0 -> "
	refute_output --partial "socket:"
	refute_output --partial "net:["
	refute_output --partial "/run/netns/$NS"
}

@test "a missing COMMAND exits 127, one that cannot run 126" {
	run -127 mkv "$VETH" "$NS" "$SUB.2/24" mkveth-no-such-command
	assert_output --partial "cannot execute 'mkveth-no-such-command'"
	touch "$BATS_TEST_TMPDIR/not-executable"
	ip netns add "$NS2"
	run -126 mkv "$VETH2" "$NS2" "$SUB.3/24" "$BATS_TEST_TMPDIR/not-executable"
}

@test "options stop at the first operand, so COMMAND keeps its own options" {
	run -0 mkv "$VETH" "$NS" "$SUB.2/24" echo -v -d x
	assert_output "-v -d x"
}

@test "-v traces each netlink request" {
	run -0 mkveth -v -b "$BR" "$VETH" "/run/netns/$NS" "$SUB.2/24"
	assert_line "mkveth: (see rtnetlink(7))"
	assert_line --regexp "^mkveth: RTM_NEWLINK bridge $BR address ([0-9a-f]{2}:){5}[0-9a-f]{2}$"
	assert_line "mkveth: RTM_NEWADDR $SUB.1/24 dev $BR"
	assert_line --regexp "^mkveth: RTM_NEWLINK veth $VETH master $BR mtu 65535 up, peer eth0 in netns fd [0-9]+$"
	assert_line "mkveth: RTM_NEWADDR $SUB.2/24 dev eth0 (in netns)"
	assert_line "mkveth: RTM_NEWROUTE default via $SUB.1 dev eth0 (in netns)"
}

@test "-d deletes both ends of the pair" {
	run -0 mkv "$VETH" "$NS" "$SUB.2/24"
	run -0 --separate-stderr mkveth -d "$VETH"
	[ -z "$stderr" ]
	run ! ip link show "$VETH"
	run ! in_ns ip link show eth0
	run -0 ip link show "$BR"
}

@test "-d refuses a missing link and anything but a veth" {
	run -125 mkveth -d "$VETH"
	assert_output "mkveth: cannot delete '$VETH': no such link"
	ip link add "$BR" type bridge
	run -125 mkveth -d "$BR"
	assert_output "mkveth: cannot delete '$BR': not a veth"
	run -0 ip link show "$BR"
	run -125 mkveth -d "$BR" extra
	assert_output --partial "-d takes HOSTIF"
}

@test "-n makes NETNS as ip netns add does; -r removes it, and the veth with it" {
	run -0 mkveth -n -b "$BR" "$VETH" "/run/netns/$NS2" "$SUB.2/24" true
	# ip(8) knows it: a bind mount of a network namespace, under a shared /run/netns
	ip netns list | grep -qw "$NS2"
	run -0 ip -n "$NS2" -o -4 addr show dev eth0
	assert_output --partial "$SUB.2/24"
	grep -q " /run/netns/$NS2 " /proc/self/mountinfo
	grep " /run/netns " /proc/self/mountinfo | grep -q "shared:"
	run -0 mkveth -r "/run/netns/$NS2"
	[ ! -e "/run/netns/$NS2" ]
	! grep -q " /run/netns/$NS2 " /proc/self/mountinfo
	# the veth goes with its namespace, asynchronously
	_veth_gone() { ! ip link show "$VETH" >/dev/null 2>&1; }
	eventually _veth_gone || fail "$VETH outlived its namespace"
}

@test "-n: an existing NETNS is refused and left alone; a later failure removes what -n made" {
	run -125 mkveth -n -b "$BR" "$VETH" "/run/netns/$NS" "$SUB.2/24"
	assert_output --partial "cannot create network namespace '/run/netns/$NS': File exists"
	ip netns exec "$NS" true
	# HOSTIF exists already: mkveth fails after making the namespace
	ip link add "$VETH" type veth peer name "${VETH}p"
	run -125 mkveth -n -b "$BR" "$VETH" "/run/netns/$NS2" "$SUB.2/24"
	[ ! -e "/run/netns/$NS2" ] || fail "NETNS left behind"
	! grep -q " /run/netns/$NS2 " /proc/self/mountinfo
}

@test "-N: COMMAND runs in a new network namespace with no file, which goes with its last process" {
	local before
	before=$(ip netns list)
	run -0 mkveth -N -b "$BR" "$VETH" "$SUB.2/24" sh -c '
		readlink /proc/self/ns/net; ip -o -4 addr show dev eth0; ip route show default
		busybox ping -c 1 -W 2 '"$SUB.1"' >/dev/null && echo reached-gateway'
	refute_line "$(readlink /proc/self/ns/net)"
	assert_line --regexp "^net:\[[0-9]+\]$"
	assert_line --partial "inet $SUB.2/24 "
	assert_line --partial "default via $SUB.1 dev eth0"
	assert_line reached-gateway
	# no file, no mount: nothing to remove by hand
	assert_equal "$(ip netns list)" "$before"
	# the namespace ended with sh, and the veth with it
	_veth_gone() { ! ip link show "$VETH" >/dev/null 2>&1; }
	eventually _veth_gone || fail "$VETH outlived its namespace"
}

@test "-N: usage errors; refused when HOSTIF exists, which it leaves alone" {
	run -125 mkveth -N -n -b "$BR" "$VETH" "$SUB.2/24"
	assert_output --partial "-n and -N do not go together"
	run -125 mkveth -N -b "$BR" "$VETH"
	assert_output --partial "missing HOSTIF or ADDRESS"
	run -125 mkveth -N -b "$BR" -i lo "$VETH" "$SUB.2/24"
	assert_output --partial "invalid interface name 'lo'"
	# HOSTIF exists already: refused after the namespace was made
	ip link add "$VETH" type veth peer name "${VETH}p"
	run -125 mkveth -N -b "$BR" "$VETH" "$SUB.2/24" true
	assert_output --partial "cannot create veth '$VETH'"
	run -0 ip link show "${VETH}p"
}

@test "a bridge already up with the gateway: no request to make it, bring it up or address it" {
	run -0 mkv "$VETH" "$NS" "$SUB.2/24"
	ip netns add "$NS2"
	run -0 mkveth -v -b "$BR" "$VETH2" "/run/netns/$NS2" "$SUB.3/24"
	refute_line --partial "RTM_NEWLINK bridge"
	refute_line "mkveth: RTM_NEWLINK $BR up"
	refute_line "mkveth: RTM_NEWADDR $SUB.1/24 dev $BR"
	assert_line --partial "RTM_NEWLINK veth $VETH2 master $BR "
	# a bridge that is down is brought up again
	ip link set "$BR" down
	ip netns add "$NS3"
	run -0 mkveth -v -b "$BR" "$VETH3" "/run/netns/$NS3" "$SUB.4/24"
	assert_line "mkveth: RTM_NEWLINK $BR up"
	refute_line "mkveth: RTM_NEWADDR $SUB.1/24 dev $BR"
	run -0 ip -o link show "$BR"
	assert_output --partial ",UP"
}

@test "-r refuses what is not a network namespace" {
	run -125 mkveth -r /proc/self/ns/user
	assert_output --partial "not a network namespace"
	echo data >"$BATS_TEST_TMPDIR/file"
	run -125 mkveth -r "$BATS_TEST_TMPDIR/file"
	assert_output --partial "not a network namespace"
	[ -s "$BATS_TEST_TMPDIR/file" ]
	run -125 mkveth -r "/run/netns/$NS" extra
	ip netns exec "$NS" true
}

@test "the pair's MTU is 65535 unless -m says otherwise; the bridge follows its ports" {
	run -0 mkv "$VETH" "$NS" "$SUB.2/24"
	assert_equal "$(cat "/sys/class/net/$VETH/mtu")" 65535
	assert_equal "$(in_ns cat /sys/class/net/eth0/mtu)" 65535
	assert_equal "$(cat "/sys/class/net/$BR/mtu")" 65535
	ip netns add "$NS2"
	run -0 mkveth -b "$BR" -m 1500 "$VETH2" "/run/netns/$NS2" "$SUB.3/24"
	assert_equal "$(cat "/sys/class/net/$VETH2/mtu")" 1500
	assert_equal "$(cat "/sys/class/net/$BR/mtu")" 1500
	run -125 mkveth -b "$BR" -m 67 "$VETH3" "/run/netns/$NS2" "$SUB.4/24"
	assert_output --partial "invalid MTU '67'"
	run -125 mkveth -b "$BR" -m 65536 "$VETH3" "/run/netns/$NS2" "$SUB.4/24"
}
