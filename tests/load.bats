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
		_answers() { "$ROOTFS/usr/local/bin/client" "$1" 8080 hi >/dev/null 2>&1; }
		eventually _answers "$ip" || fail "$ip does not answer"
		run -0 "$ROOTFS/usr/local/bin/client" "$ip" 8080 hi
		assert_output "hello from $(cname "$k") ($ip): hi"
	done
	names=()
	for k in $(seq 1 20); do names+=("$(cname "$k")"); done
	run -0 "$RM" "${names[@]}"
	same_state "$BATS_TEST_TMPDIR/before"
}

@test "200 start/stop cycles in a row: all succeed, nothing accumulates" {
	local k fds_before fds_after
	fds_before=$(fd_count $$)
	for k in $(seq 1 100); do
		run -0 "$MKC" "$(cname)" "$(test_ip 2)" true
		run -0 "$MKC" -d "$(cname)" "$(test_ip 2)" sleep 1000
		run -0 "$RM" -t 1 "$(cname)"
	done
	fds_after=$(fd_count $$)
	assert_equal "$fds_after" "$fds_before"
	same_state "$BATS_TEST_TMPDIR/before"
	# and no zombie of ours is left under this shell
	run ! pgrep -P $$ -r Z
}

@test "30 times kill -9 of mkcontainer.sh during its start: rmcontainer cleans up, the name starts again" {
	local k pid delay
	for k in $(seq 1 30); do
		start_container c "$(cname)" "$(test_ip 2)" sleep 1000
		# signal mkcontainer.sh, not the shell bats forks to start it
		eventually grep -q mkcontainer "/proc/$c_pid/cmdline"
		delay=$((RANDOM % 40))
		sleep "0.$(printf '%03d' "$delay")"
		kill -KILL "$c_pid"
		wait "$c_pid" || true
		BG_PIDS=()
		run "$RM" -t 1 "$(cname)"
		[ "$status" -eq 0 ] || [[ $output == *"no container named"* ]] ||
			fail "round $k (${delay} ms): rmcontainer: $output"
		run -0 "$RM" -s
		same_state "$BATS_TEST_TMPDIR/before"
	done
	run -0 "$MKC" "$(cname)" "$(test_ip 2)" hostname
	assert_output "$(cname)"
	same_state "$BATS_TEST_TMPDIR/before"
}
