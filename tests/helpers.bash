# Shared by every bats suite: load with `load helpers`.
#
# Puts the built helpers first on PATH (as rbenv's test helper does), and gives
# small functions for the checks the suites repeat.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
BIN="$TOP/bin"
MKC="$TOP/scripts/mkcontainer.sh"
ROOTFS="${MKC_TEST_ROOTFS:-$TOP/rootfs}"
PATH="$BIN:$TOP/scripts:$PATH"
export TOP BIN MKC ROOTFS PATH

# Skip, with the reason, when the test needs root and we are not.
require_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root (run: sudo make test)"
}

# Skip unless the root filesystem has been built.
require_rootfs() {
	[ -x "$ROOTFS/bin/busybox" ] || skip "no root filesystem at $ROOTFS (run: make rootfs)"
}

# A name unique to this test run, short enough for interface names:
# prefix + 6 hex digits. Usage: name=$(unique_name t)
unique_name() {
	printf '%s%06x\n' "$1" "$(( ($$ * 1000 + ${BATS_TEST_NUMBER:-0} * 7 + RANDOM) % 16777216 ))"
}

# Fail unless traffic to IP would leave through the bridge (or a link) we
# made: network tests call this before connecting anywhere, so that no packet
# can reach a real network even when the runtime under test is broken.
assert_routed_via() {
	local ip=$1 dev=$2 route
	ip -o link show dev "$dev" >/dev/null 2>&1 || fail "link $dev does not exist"
	route=$(ip -o route get "$ip") || fail "no route to $ip"
	case "$route" in
	*" dev $dev "*) ;;
	*) fail "traffic to $ip would not go through $dev: $route" ;;
	esac
}

# Wait (bounded) until a command succeeds: for asynchronous kernel work that
# has no event to wait for, such as a veth freed with its network namespace.
# Usage: eventually [SECONDS] command args...
eventually() {
	local deadline=$((SECONDS + ${EVENTUALLY_TIMEOUT:-5}))
	until "$@"; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.05
	done
}
