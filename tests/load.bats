#!/usr/bin/env bats
# Load and faults: many containers at once, many in a row, and mkcontainer.sh
# killed with SIGKILL at random moments of its start. Nothing may leak.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	require_root
	require_rootfs
	snapshot "$BATS_TEST_TMPDIR/before"
}

teardown() {
	local k
	stop_containers
	for k in $(seq 1 20); do stop_detached "$(cname "$k")"; done
	stop_detached "$(cname)"
}

# fd_count PID: how many descriptors PID has open.
fd_count() {
	ls "/proc/$1/fd" | wc -l
}

@test "20 containers started at once: all up, each reachable at its own IP, listed, removed" {
	local k pids=()
	for k in $(seq 1 20); do
		"$MKC" -d "$(cname "$k")" "$(test_ip $((100 + k)))" server 8080 \
			>"$BATS_TEST_TMPDIR/start$k" 2>&1 </dev/null 3>&- &
		pids+=("$!")
	done
	for k in $(seq 1 20); do
		wait "${pids[$((k - 1))]}" || fail "start $k: $(cat "$BATS_TEST_TMPDIR/start$k")"
		assert_equal "$(cat "$BATS_TEST_TMPDIR/start$k")" "$(cname "$k")"
	done
	run -0 "$LS" -q
	[ "${#lines[@]}" -eq 20 ] || fail "$output"
	# distinct host-side interfaces and cgroups, all on the bridge
	run -0 ip -o link show master mkc0
	[ "$(grep -c 'mkc[0-9]*@' <<<"$output")" -eq 20 ] || fail "$output"
	for k in $(seq 1 20); do
		ip=$(test_ip $((100 + k)))
		assert_routed_via "$ip" mkc0
		_answers() { "$TOP/bin/demo/client" "$1" 8080 hi >/dev/null 2>&1; }
		eventually _answers "$ip" || fail "$ip does not answer"
		run -0 "$TOP/bin/demo/client" "$ip" 8080 hi
		assert_output "hello from $(cname "$k") ($ip): hi"
	done
	names=()
	for k in $(seq 1 20); do names+=("$(cname "$k")"); done
	run -0 "$RM" "${names[@]}"
	same_state "$BATS_TEST_TMPDIR/before"
}

@test "200 start/stop cycles in a row: all succeed, nothing accumulates" {
	local k
	for k in $(seq 1 100); do
		run -0 "$MKC" "$(cname)" "$(test_ip 2)" true
		run -0 "$MKC" -d "$(cname)" "$(test_ip 2)" sleep 1000
		run -0 "$RM" -t 1 "$(cname)"
	done
	same_state "$BATS_TEST_TMPDIR/before"
	run ! pgrep -f "mkcontainer.sh .*$(cname) "
}

# fds PID: its open descriptors below 10, one line
fds() {
	local f n out=''
	for f in /proc/"$1"/fd/*; do
		n=${f##*/}
		[ "$n" -lt 10 ] && out="$out $n"
	done
	echo "$out" | tr ' ' '\n' | sort -n | tr '\n' ' ' | sed 's/^ *//; s/ *$//'
}

@test "long-lived processes of a container hold only what they need" {
	exec 6>/dev/null 7>/dev/null
	run -0 "$MKC" -d "$(cname)" "$(test_ip 2)" sleep 1000
	exec 6>&- 7>&-
	supervisor=$(pgrep -f "mkcontainer.sh -d $(cname) ")
	chain=$(sed -n 's/^pid=//p' "/run/mkcontainer/$(cname)/info")
	init=$(cat "/run/mkcontainer/$(cname)/init.pid")
	cmd=$(pgrep -P "$init")
	# the supervisor: the log on 0-2 and the two locks (sh cannot close
	# descriptors from 10 up: see the README)
	assert_equal "$(fds "$supervisor")" "0 1 2 8 9"
	# the host side of the chain: the locks, and the pipe its child watches
	run ls "/proc/$chain/fd"
	extra=$(grep -vxE '0|1|2|8|9' <<<"$output")
	[ "$(wc -w <<<"$extra")" -eq 1 ] || fail "chain holds: $output"
	[[ $(readlink "/proc/$chain/fd/$extra") == pipe:* ]]
	# inside: nothing but 0, 1 and 2
	assert_equal "$(ls "/proc/$init/fd" | sort -n | tr '\n' ' ')" "0 1 2 "
	assert_equal "$(ls "/proc/$cmd/fd" | sort -n | tr '\n' ' ')" "0 1 2 "
	run -0 "$RM" "$(cname)"
}

# pause SECONDS: wait without a fork, so that the delays can be fractions of
# a millisecond (read times out on a FIFO nobody writes to).
pause() {
	read -r -t "$1" -u "$PAUSE_FD" || true
}

@test "30 times kill -9 of mkcontainer.sh during its start: rmcontainer cleans up, the name starts again" {
	local k mode delay phase nostate=0 partial=0 running=0
	mkfifo "$BATS_TEST_TMPDIR/never"
	exec {PAUSE_FD}<>"$BATS_TEST_TMPDIR/never"
	# The delays cover the time a container takes here from start to end
	# (about twice what it needs to start): some 40 ms on the machines of CI,
	# far more under emulation (qemu TCG).
	local t0=${EPOCHREALTIME/./} whole us
	run -0 "$MKC" "$(cname)" "$(test_ip 2)" true
	whole=$((${EPOCHREALTIME/./} - t0)) # microseconds
	for k in $(seq 0 29); do
		# from 0 to a whole run, denser early on (the start is short and
		# has the most steps); -d and foreground in turn
		us=$((whole * k * k / (29 * 29)))
		delay=$(printf '%d.%06d' $((us / 1000000)) $((us % 1000000)))
		mode=()
		[ $((k % 2)) -eq 0 ] || mode=(-d)
		"$MKC" "${mode[@]}" "$(cname)" "$(test_ip 2)" sleep 1000 \
			>/dev/null 2>&1 </dev/null 3>&- &
		pid=$!
		pause "$delay"
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" || true
		# where the start was when it died
		if [ ! -d "/run/mkcontainer/$(cname)" ]; then
			phase=nostate nostate=$((nostate + 1))
		elif "$LS" -q | grep -qx "$(cname)"; then
			phase=running running=$((running + 1))
		else
			phase=partial partial=$((partial + 1))
		fi
		run "$RM" -t 1 "$(cname)"
		[ "$status" -eq 0 ] || [[ $output == *"no container named"* ]] ||
			fail "round $k (${delay}s, $phase): rmcontainer exit $status: $output"
		run -0 "$RM" -s
		same_state "$BATS_TEST_TMPDIR/before" || fail "round $k (${delay}s, $phase)"
		_gone() { ! pgrep -f "mkcontainer.sh .*$(cname) " >/dev/null; }
		eventually _gone || fail "round $k: a mkcontainer.sh is left"
	done
	echo "phases: $nostate without state, $partial partly made, $running running" >&3
	[ "$running" -ge 1 ]
	[ $((nostate + partial)) -ge 1 ]
	run -0 "$MKC" "$(cname)" "$(test_ip 2)" hostname
	assert_output "$(cname)"
	same_state "$BATS_TEST_TMPDIR/before"
}
