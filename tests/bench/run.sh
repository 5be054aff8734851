#!/bin/sh
# run.sh - every benchmark in one go, and the report (what `make bench` runs).
#
#   tests/bench/run.sh [-q] [-o DIR]
#
# Runs start.sh, phases.sh, scale.sh, net.sh and partb.sh (each also works
# alone), then report.sh: DIR/report.md with PNG plots, printed on stdout.
# Progress goes to stderr. Checks at the end that the host has the same
# network namespaces, links, cgroups, mounts and container state as before
# (the bridge mkc0 aside) and says so in the report.
set -eu

prog=run.sh
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

usage() {
	cat <<'EOF'
Usage: tests/bench/run.sh [-q] [-o DIR]
Run every benchmark (start cost, phases, scale, network, Part B) and write
DIR/report.md with PNG plots; print the report.

  -q      quick mode: few runs, for a smoke test (or BENCH_QUICK=1)
  -o DIR  where the results go (default tests/bench/results)
  -h      print this help

Environment: BENCH_QUICK=1 (as -q), BENCH_VM=0 (no VM in Part B),
BENCH_ROOTFS=DIR (another root filesystem; default rootfs/).
EOF
}

bench_options "$@"
bench_start hyperfine

# Only what the parts write: DIR may hold other files.
for f in report.md machine.md leaks.md start.md start.dat start.json start.csv \
	start.png phases.md phases.dat phases.png scale.md scale.dat scale.png \
	parallel.dat parallel.png net.md net.dat net.png partb.md partb.dat \
	partb.png; do
	rm -f "${out:?}/$f"
done
rm -f "$out"/phases-*.json "$out"/phases-*.csv "$out"/scale-*.json

host_state | sort >"$b_tmp/before"
machine_facts >"$out/machine.md"
load=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$load" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
	warn "the host is busy (load average $load on $(nproc) CPUs): the figures will be noisy"
	printf '\n**The host was busy when the run started (load average %s on %s CPUs): the figures are noisy.**\n' \
		"$load" "$(nproc)" >>"$out/machine.md"
fi

failed=''
set -- -o "$out"
[ -z "$quick" ] || set -- -q "$@"
for part in start phases scale net partb; do
	say "=== $part ($(mode_text) mode)"
	rc=0
	bgwait "$here/$part.sh" "$@" >/dev/null || rc=$?
	if [ "$rc" -ne 0 ]; then
		warn "$part.sh failed (exit status $rc)"
		failed="$failed $part"
		rm -f "$out/$part.md"
	fi
done

say "=== checking that the host is as before"
{
	echo "## Host state after the run"
	echo
	if same_state "$b_tmp/before" >"$b_tmp/diff"; then
		echo "The same network namespaces, links, cgroups, mounts and container state as before the run (the bridge mkc0 aside): nothing was left behind."
	else
		warn "the host changed during the run:"
		sed 's/^/  /' "$b_tmp/diff" >&2
		echo "Changed during the run (\`<\` before, \`>\` after; other activity on the host counts too, e.g. a test run):"
		echo
		echo '```'
		cat "$b_tmp/diff"
		echo '```'
	fi
	if [ -n "$failed" ]; then
		echo
		echo "Parts that failed:$failed (their output is on stderr of run.sh)."
	fi
} >"$out/leaks.md"

"$here/report.sh" -o "$out"
say "report: $out/report.md"
[ -z "$failed" ]
