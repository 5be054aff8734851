#!/usr/bin/env bats
# Requirement: a client/server pair across namespaces over a veth pair, with
# different IP addresses; containers reach the host and each other, and two
# containers can serve the same port.
#
# Traffic goes only to addresses of containers made here, or to the gateway
# address on the bridge; every test checks the route goes through the bridge
# before it connects.

load helpers
bats_require_minimum_version 1.5.0

SERVER=
CLIENT=

setup() {
	require_root
	require_rootfs
	SERVER=$TOP/bin/demo/server
	CLIENT=$TOP/bin/demo/client
}

teardown() {
	stop_containers
	ip addr del "$TEST_NET.254/24" dev mkc0 2>/dev/null || true
	[ -z "${OTHER-}" ] || ip link del "$OTHER" 2>/dev/null || true
	ip addr del 10.219.77.9/24 dev mkc0 2>/dev/null || true
}


# serve VAR NAME IP PORT: a container running `server PORT`, ready to accept.
serve() {
	start_container "$1" "$2" "$3" server "$4"
	local out="${1}_out"
	wait_output "${!out}" "listening on port $4"
}

@test "the container has eth0 with its address and a default route via the gateway" {
	run -0 "$MKC" "$(cname)" "$(test_ip 2)/24" sh -c 'ip -o -4 addr show; ip route'
	assert_line --regexp "eth0 +inet $(test_ip 2)/24 "
	assert_line --regexp "lo +inet 127.0.0.1/8"
	assert_line --partial "default via $GATEWAY dev eth0"
}

@test "the host end of the veth is on the bridge, which has the gateway address" {
	start_container c "$(cname)" "$(test_ip 2)" sh -c 'echo ready; exec sleep 1000'
	wait_output "$c_out" ready
	run -0 ip -o link show master mkc0
	assert_output --regexp "mkc[0-9]+@"
	run -0 ip -o -4 addr show dev mkc0
	assert_output --partial "inet $GATEWAY/24"
	# the container's address is not one of the host's
	run -0 ip -o -4 addr show
	refute_output --partial "inet $(test_ip 2)/"
}

@test "host client -> server in the container, different IP addresses" {
	serve c "$(cname)" "$(test_ip 2)" 8080
	assert_routed_via "$(test_ip 2)" mkc0
	run -0 "$CLIENT" "$(test_ip 2)" 8080 "hi from the host"
	assert_output "hello from $(cname) ($(test_ip 2)): hi from the host"
	wait_output "$c_out" "$GATEWAY said: hi from the host"
}

@test "container client -> server on the host's side of the veth" {
	# The container makes the bridge and its gateway address, then waits for
	# the host's server (in a shared folder, a file says it is ready).
	share=$BATS_TEST_TMPDIR/share
	mkdir "$share"
	start_container c -v "$share:/var/shared_folder" "$(cname)" "$(test_ip 2)" sh -c '
		echo ready
		while [ ! -e /var/shared_folder/go ]; do sleep 0.05; done
		client '"$GATEWAY"' 9090 "hi from inside"'
	wait_output "$c_out" ready
	# The gateway is the bridge's own address: nothing leaves the host.
	run -0 ip -o -4 addr show dev mkc0
	assert_output --partial "inet $GATEWAY/24"
	out=$BATS_TEST_TMPDIR/host-server
	# Bound to the gateway address only, so it listens on the bridge alone.
	"$SERVER" -1 9090 "$GATEWAY" >"$out" 2>&1 3>&- &
	BG_PIDS+=("$!")
	wait_output "$out" "listening on port 9090"
	touch "$share/go"
	wait_output "$c_out" "hello from"
	run cat "$c_out"
	assert_line "hello from $(hostname) ($GATEWAY): hi from inside"
	wait_output "$out" "$(test_ip 2) said: hi from inside"
}

@test "two containers reach each other by address" {
	serve a "$(cname a)" "$(test_ip 2)" 7070
	assert_routed_via "$(test_ip 2)" mkc0
	run -0 "$MKC" "$(cname b)" "$(test_ip 3)" client "$(test_ip 2)" 7070 "hi from b"
	assert_output "hello from $(cname a) ($(test_ip 2)): hi from b"
	wait_output "$a_out" "$(test_ip 3) said: hi from b"
}

@test "two containers listen on the same port at once" {
	serve a "$(cname a)" "$(test_ip 2)" 8080
	serve b "$(cname b)" "$(test_ip 3)" 8080
	assert_routed_via "$(test_ip 2)" mkc0
	assert_routed_via "$(test_ip 3)" mkc0
	run -0 "$CLIENT" "$(test_ip 2)" 8080 one
	assert_output "hello from $(cname a) ($(test_ip 2)): one"
	run -0 "$CLIENT" "$(test_ip 3)" 8080 two
	assert_output "hello from $(cname b) ($(test_ip 3)): two"
}

@test "-g sets another gateway address" {
	run -0 "$MKC" -g "$TEST_NET.254" "$(cname)" "$(test_ip 2)" ip route
	assert_line --partial "default via $TEST_NET.254 dev eth0"
	run -0 ip -o -4 addr show dev mkc0
	assert_output --partial "inet $TEST_NET.254/24"
}

@test "a container's network stack is its own: it cannot see the host's links" {
	run -0 "$MKC" "$(cname)" "$(test_ip 2)" sh -c 'ls /sys/class/net'
	assert_output "eth0
lo"
}

# A gateway on mkc0 in a subnet the host reaches through another link (its
# LAN, say) would be a second route to it. The other link here is a bridge
# of the test's own, so that a broken check cannot disturb the host.
@test "a subnet the host reaches through another link is refused and leaves nothing" {
	OTHER=$(unique_name mkb)
	ip link add "$OTHER" type bridge
	ip addr add 10.219.77.1/24 dev "$OTHER"
	ip link set "$OTHER" up
	snapshot "$BATS_TEST_TMPDIR/before"
	bridge=$(ip -o -4 addr show dev mkc0 2>/dev/null || true)
	run -125 --separate-stderr "$MKC" -g 10.219.77.9 "$(cname)" 10.219.77.5/24 true
	assert_equal "$stderr" "mkveth: subnet 10.219.77.0/24 overlaps the host's route 10.219.77.0/24 dev $OTHER: choose another subnet"
	same_state "$BATS_TEST_TMPDIR/before"
	assert_equal "$(ip -o -4 addr show dev mkc0 2>/dev/null || true)" "$bridge"
}
