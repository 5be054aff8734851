#!/usr/bin/env bats
# mkcontainer.sh -x: each command line before it runs, and each helper's
# system calls (-v), with the man pages to read.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	require_root
	require_rootfs
}

teardown() {
	stop_containers
}

@test "-x prints the chain: every helper, on a line of its own, before it runs" {
	run --separate-stderr -0 "$MKC" -x "$(cname)" "$(test_ip 2)" echo from-command
	assert_output from-command
	output=$stderr lines=("${stderr_lines[@]}")
	# -N: the network namespace has no file, nsexec joins no --net
	assert_line --regexp "^mkcontainer: \\+ [^ ]*/bin/mkveth -v -N -b mkc0 -g $(test_ip 1)/24 mkc[0-9]+ $(test_ip 2)/24 "
	refute_line --partial -- "--net="
	for h in ptyexec nsexec setcg pivot confine; do
		assert_line --regexp "^ +[^ ]*/bin/$h -v( |\$)"
	done
	# the container's environment: ptyexec's, none of the caller's
	assert_line --regexp "^ +[^ ]*/bin/ptyexec -v -i -e PATH=[^ ]+ -e HOME=/root -e TERM=[^ ]+ -e HOSTNAME=$(cname) "'\\$'
	# the command line comes first, then what the helpers do
	first=$(grep -n 'bin/confine -v echo from-command' <<<"$stderr" | cut -d: -f1)
	trace=$(grep -n '^mkveth: ' <<<"$stderr" | head -n 1 | cut -d: -f1)
	[ -n "$first" ] && [ -n "$trace" ] && [ "$first" -lt "$trace" ] ||
		fail "the chain ($first) is not printed before the helpers run ($trace)"
	# and the teardown: the namespace (and veth) went with the container
	refute_line --regexp "^mkcontainer: \\+ [^ ]*/bin/mkveth -v -r"
	# setcg chain-loads the removal of the state: one exec less
	assert_line --regexp "^mkcontainer: \\+ [^ ]*/bin/setcg -v -rf mkc-$(cname) \\\\\$"
	assert_line --regexp "^ +[^ ]*/bin/mkstate -r /run/mkcontainer/$(cname) /run/mkcontainer/.ip/$(test_ip 2)\$"
}

@test "-x: setcg's place in the chain, by the host's cgroups (v2: before nsexec, which starts COMMAND in the cgroup)" {
	run --separate-stderr -0 "$MKC" -x "$(cname)" "$(test_ip 2)" true
	output=$stderr lines=("${stderr_lines[@]}")
	order=$(grep -oE '/bin/(setcg|nsexec) -v' <<<"$stderr" | head -n 2 | tr '\n' ' ')
	if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
		assert_equal "$order" "/bin/setcg -v /bin/nsexec -v "
		assert_line --regexp "^ +[^ ]*/bin/setcg -v -n -m 268435456 -p 256 mkc-$(cname) \\\\\$"
		assert_line --regexp "/bin/nsexec -v .* --into-cgroup=/sys/fs/cgroup/mkc-$(cname) "
		assert_line --regexp "^nsexec: init: clone3\(CLONE_INTO_CGROUP, \"/sys/fs/cgroup/mkc-$(cname)\"\)"
	else
		assert_equal "$order" "/bin/nsexec -v /bin/setcg -v "
		refute_line --partial "--into-cgroup"
		assert_line --regexp '^setcg: write\(".*/tasks", "0"\)$'
	fi
}

@test "-x: each helper names its system calls and the man page to read" {
	run --separate-stderr -0 "$MKC" -x -c 0.5 "$(cname)" "$(test_ip 2)" true
	output=$stderr lines=("${stderr_lines[@]}")
	assert_line --partial "mkveth: RTM_NEWLINK veth "
	assert_line --partial "mkveth: RTM_NEWADDR $(test_ip 2)/24 dev eth0"
	assert_line --partial "mkveth: RTM_NEWROUTE default via $(test_ip 1)"
	assert_line "mkveth: (see rtnetlink(7))"
	assert_line "ptyexec: setsid() (see credentials(7))"
	assert_line --regexp '^nsexec: unshare\(CLONE_[A-Z|_]+\) \(see unshare\(2\)\)$'
	assert_line --partial 'nsexec: sethostname("'"$(cname)"'")'
	assert_line "nsexec: fork() (see pid_namespaces(7))"
	assert_line --partial "nsexec: init: "
	assert_line --regexp '^setcg: mkdir\(".*/mkc-'"$(cname)"'", 0755\)$'
	assert_line --regexp '^setcg: write\(".*/(memory.max|memory.limit_in_bytes)", "268435456"\)$'
	assert_line --regexp '^setcg: write\(".*/(cpu.max|cpu.cfs_quota_us)", "50000( 100000)?"\)$'
	assert_line "setcg: (see cgroups(7))"
	assert_line --partial 'pivot: pivot_root(".", ".")'
	assert_line --partial "(see pivot_root(2))"
	assert_line 'pivot: umount2(".", MNT_DETACH) (see umount2(2))'
	assert_line --partial 'confine: capset('
	assert_line --partial 'confine: seccomp(SECCOMP_SET_MODE_FILTER'
	assert_line 'confine: prctl(PR_SET_NO_NEW_PRIVS, 1)'
	assert_line --regexp '^setcg: rmdir\(".*/mkc-'"$(cname)"'"\)$'
}

@test "without -x: nothing but COMMAND's output" {
	run --separate-stderr -0 "$MKC" "$(cname)" "$(test_ip 2)" echo quiet
	assert_output quiet
	[ -z "$stderr" ] || fail "stderr: $stderr"
}

@test "-x quotes what the shell would split, so the lines can be pasted" {
	run --separate-stderr -0 "$MKC" -x "$(cname)" "$(test_ip 2)" sh -c "echo 'a b'"
	assert_output "a b"
	grep -qF "confine -v sh -c 'echo '\\''a b'\\'''" <<<"$stderr" ||
		fail "not quoted: $(grep confine <<<"$stderr")"
}
