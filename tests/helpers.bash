# Shared by every bats suite: load with `load helpers`.
#
# Puts the built helpers first on PATH (as rbenv's test helper does), and gives
# small functions for the checks the suites repeat.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

# Beware: bats 1.8's `run` with flags (run -0 ...) assigns a global $i.
# Loops that call run use another name.

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

# --- containers ---------------------------------------------------------------

# The subnet containers use in tests, on the bridge mkc0: far from the
# 10.0.0.0/24 of `make run`, so a demo container does not get in the way.
TEST_NET=${MKC_TEST_NET:-10.219.0}
test_ip() { echo "$TEST_NET.$1"; }
GATEWAY=$TEST_NET.1

# A container name unique in the whole run: cname [SUFFIX]
cname() {
	echo "t${BATS_SUITE_TEST_NUMBER:-0}${1:+-$1}"
}

BG_PIDS=()

# start_container VAR [--default-signal=SIG,...] [mkcontainer args]: run
# mkcontainer.sh in the background, stdin from /dev/null, stdout and stderr in
# a file. Sets ${VAR}_pid and ${VAR}_out. fd 3 is bats' own: a background job
# must not hold it.
start_container() {
	local var=$1 out="$BATS_TEST_TMPDIR/$1.out" envopt=()
	shift
	case ${1-} in --default-signal=*) envopt=("$1"); shift ;; esac
	env "${envopt[@]}" "$MKC" "$@" >"$out" 2>&1 </dev/null 3>&- &
	printf -v "${var}_pid" %s "$!"
	printf -v "${var}_out" %s "$out"
	BG_PIDS+=("$!")
}

# wait_output FILE PATTERN: until FILE has a line matching PATTERN (grep -E).
wait_output() {
	EVENTUALLY_TIMEOUT=${EVENTUALLY_TIMEOUT:-15} eventually grep -qE -- "$2" "$1" ||
		fail "no line matching '$2' in $1 (${EVENTUALLY_TIMEOUT:-15}s): $(cat "$1")"
}

# Stop every container start_container started and wait for each.
stop_containers() {
	local pid
	for pid in "${BG_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${BG_PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	BG_PIDS=()
}

# Everything on the host a container could leave behind, one item a line:
# network namespaces, links (but the bridge), mkcontainer's cgroups, mounts
# and state files. Like the bridge, /run/netns made a shared mount point (by
# the first `ip netns add` or `mkveth -n` on a machine) stays.
host_state() {
	ip netns list | awk '{print "netns", $1}'
	ip -o link show | awk -F': ' '{sub(/@.*/, "", $2); print "link", $2}' |
		grep -v "^link $TEST_BRIDGE\$" || true
	find /sys/fs/cgroup -mindepth 1 -maxdepth 5 -type d -path '*/mkc*' 2>/dev/null |
		sed 's/^/cgroup /'
	awk '$5 != "/run/netns" {print "mount", $5}' /proc/self/mountinfo
	find /run/mkcontainer -mindepth 1 ! -path /run/mkcontainer/.ip 2>/dev/null |
		sed 's/^/state /'
	true
}
TEST_BRIDGE=mkc0

# snapshot FILE / same_state FILE: compare the host with an earlier snapshot.
# A veth is freed asynchronously with its namespace: allow it a moment.
snapshot() { host_state | sort >"$1"; }
same_state() {
	_same() { diff -u "$1" <(host_state | sort) >/dev/null; }
	eventually _same "$1" || fail "host state changed: $(diff -u "$1" <(host_state | sort))"
}

# cg_file PID CONTROLLER V1FILE V2FILE: the path of a cgroup file of process
# PID, on a v1 hierarchy of CONTROLLER (this host) or on cgroup v2.
cg_file() {
	local pid=$1 ctl=$2 line path
	line=$(grep -E "^[0-9]+:([^:]*,)?$ctl(,[^:]*)?:" "/proc/$pid/cgroup" || true)
	if [ -n "$line" ]; then
		path=${line#*:*:}
		echo "/sys/fs/cgroup/$ctl$path/$3"
		return
	fi
	path=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
	echo "$(cgroup2_root || echo /sys/fs/cgroup/unified)$path/$4"
}

# cgroup2_root: the cgroup v2 hierarchy: all of /sys/fs/cgroup, or the
# unified one of a hybrid host; fails when there is none.
cgroup2_root() {
	local d
	for d in /sys/fs/cgroup /sys/fs/cgroup/unified; do
		if [ "$(stat -f -c %T "$d" 2>/dev/null)" = cgroup2fs ]; then
			echo "$d"
			return
		fi
	done
	return 1
}

# command_pid PID: the host PID of COMMAND in the container that the
# mkcontainer.sh of PID runs: its child is nsexec, then the init, then COMMAND.
command_pid() {
	local p=$1 i
	for i in 1 2 3; do
		p=$(pgrep -o -P "$p") || return 1
	done
	echo "$p"
}

# The lifecycle scripts, with the built helpers.
LS=$TOP/scripts/lscontainer.sh
EXEC=$TOP/scripts/execcontainer.sh
RM=$TOP/scripts/rmcontainer.sh

# stop_detached NAME...: remove detached containers a test started (teardown).
stop_detached() {
	local n
	for n in "$@"; do
		[ ! -d "/run/mkcontainer/$n" ] || "$RM" -t 1 "$n" >/dev/null 2>&1 || true
	done
}
