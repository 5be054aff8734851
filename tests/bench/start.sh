#!/bin/sh
# start.sh - what it costs to start a container and run /bin/true in it.
#
#   tests/bench/start.sh [-q] [-o DIR]
#
# hyperfine, /bin/true in the same busybox root filesystem, side by side:
#   mkcontainer  scripts/mkcontainer.sh NAME IP -- /bin/true: all namespaces,
#                pivot_root, a veth on the bridge, cgroup limits, teardown
#   floor        unshare -mupfni --mount-proc chroot: namespaces and a root,
#                nothing else
#   bubblewrap   bwrap --unshare-all
#   runc, crun   `runc spec` bundle, root.path the same rootfs
# Writes DIR/start.md (printed too), start.dat (for the plot) and the
# hyperfine exports start.json and start.csv. Times are figures, not tests.
set -eu

prog=start.sh
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

usage() {
	cat <<'EOF'
Usage: tests/bench/start.sh [-q] [-o DIR]
Start cost of /bin/true in a container: mkcontainer.sh next to
unshare+chroot (the floor), bubblewrap, runc and crun (hyperfine).

  -q      quick mode: few runs, for a smoke test (or BENCH_QUICK=1)
  -o DIR  where the results go (default tests/bench/results)
  -h      print this help
EOF
}

bench_options "$@"
bench_start hyperfine
note_gateway

name=bench-start
ip=$NET.2
b_names=$name
rootfs=$(cd "$ROOTFS" && pwd)
R=$(shq "$rootfs")

# One line per runtime in $b_tmp/tools: NAME<TAB>COMMAND or NAME<TAB>!why.
: >"$b_tmp/tools"
tool() { printf '%s\t%s\n' "$1" "$2" >>"$b_tmp/tools"; }

# try NAME COMMAND: run COMMAND once; the runtime is measured if that works,
# else the table says why not (its first line of error).
try() {
	try_rc=0
	sh -c "$2" >"$b_tmp/try.out" 2>&1 </dev/null || try_rc=$?
	if [ "$try_rc" -eq 0 ]; then
		tool "$1" "$2"
	else
		why=$(grep -v '^$' "$b_tmp/try.out" | head -n 1 | tr '\t|' '  ')
		case $why in
		*"not supported"* | *refuse* | *denied*) tool "$1" "!refused: $why" ;;
		*) tool "$1" "!failed: ${why:-exit status $try_rc}" ;;
		esac
		say "$1 does not run: $why"
	fi
}

try mkcontainer "$(shq "$MKC") -r $R $name $ip -- /bin/true"
if command -v unshare >/dev/null 2>&1 && command -v chroot >/dev/null 2>&1; then
	try floor "unshare -mupfni --mount-proc=$(shq "$rootfs/proc") chroot $R /bin/true"
else
	tool floor '!not installed (util-linux, coreutils)'
fi
if command -v bwrap >/dev/null 2>&1; then
	try bubblewrap "bwrap --ro-bind $R / --proc /proc --dev /dev --unshare-all /bin/true"
else
	tool bubblewrap '!not installed (apt-get install bubblewrap)'
fi

# A bundle for runc and crun: `runc spec`, made to run /bin/true without a
# terminal in our rootfs (read-only: neither writes to it).
bundle=$b_tmp/bundle
mkdir "$bundle"
for rt in runc crun; do
	if ! command -v "$rt" >/dev/null 2>&1; then
		tool "$rt" "!not installed (apt-get install $rt)"
		continue
	fi
	if [ ! -f "$bundle/config.json" ]; then
		(cd "$bundle" && "$rt" spec)
		sed -i -e 's/"terminal": true/"terminal": false/' \
			-e 's/^\([[:space:]]*\)"sh"$/\1"\/bin\/true"/' \
			-e 's|"path": "rootfs"|"path": "'"$rootfs"'"|' "$bundle/config.json"
		if ! grep -q '"terminal": false' "$bundle/config.json" ||
			! grep -q '"/bin/true"' "$bundle/config.json" ||
			! grep -q "\"path\": \"$rootfs\"" "$bundle/config.json"; then
			die "cannot adapt the config.json of '$rt spec'"
		fi
	fi
	# Its own state directory, so that cleanup finds whatever it left. `run`
	# deletes the container when it ends: runs can reuse one ID, named
	# mkcbench-* like the cgroups it makes.
	mkdir "$b_tmp/$rt-state"
	b_runc="$b_runc $rt:$b_tmp/$rt-state"
	try "$rt" "$rt --root $(shq "$b_tmp/$rt-state") run --bundle $(shq "$bundle") mkcbench-$rt"
done

# Everything that runs, in one hyperfine.
set --
while IFS='	' read -r t cmd; do
	case $cmd in '!'*) continue ;; esac
	set -- "$@" -n "$t" "$cmd"
done <"$b_tmp/tools"
[ $# -gt 0 ] || die "no runtime runs here"
say "hyperfine: $(($# / 3)) runtimes ($(mode_text) mode)"
# shellcheck disable=SC2046 # options, one word each
hf "$out/start" $(hf_runs 3 50) -N "$@"

csv=$out/start.csv
floor=$(hf_ms "$csv" floor median 2>/dev/null || echo -)
runc_med=$(hf_ms "$csv" runc median 2>/dev/null || echo -)
mkc_med=$(hf_ms "$csv" mkcontainer median 2>/dev/null || echo -)

: >"$out/start.dat"
{
	echo "## Start cost: /bin/true in a container"
	echo
	echo "hyperfine, $(mode_text) mode ($(hf_runs 3 50 | sed 's/--//g')), the same busybox rootfs. ms per start, run and teardown."
	echo
	echo "| runtime | median ms | min ms | max ms | x floor | what it sets up |"
	echo "|---|---:|---:|---:|---:|---|"
	while IFS='	' read -r t cmd; do
		case $t in
		mkcontainer) what='mount, UTS, IPC, PID, net namespaces; pivot_root; veth on bridge + IP; cgroup limits; caps + seccomp' ;;
		floor) what='unshare -mupfni + mount /proc + chroot (no cgroup, no network, no /dev)' ;;
		bubblewrap) what='--unshare-all (user, cgroup ns too), ro bind, /proc, /dev; no cgroup, no network' ;;
		runc | crun) what='OCI runtime spec default: namespaces, cgroups, caps, seccomp; no network' ;;
		*) what='' ;;
		esac
		case $cmd in
		'!'*)
			echo "| $t | ${cmd#!} | | | | $what |" ;;
		*)
			med=$(hf_ms "$csv" "$t" median) min=$(hf_ms "$csv" "$t" min)
			max=$(hf_ms "$csv" "$t" max)
			echo "| $t | $med | $min | $max | $(ratio "$med" "$floor") | $what |"
			printf '"%s" %s %s %s\n' "$t" "$med" "$min" "$max" >>"$out/start.dat" ;;
		esac
	done <"$b_tmp/tools"
	echo
	if [ "$mkc_med" != - ] && [ "$runc_med" != - ]; then
		echo "mkcontainer / runc: $(ratio "$mkc_med" "$runc_med") (median $mkc_med ms vs $runc_med ms)."
		echo
	fi
	echo "Commands (hyperfine -N: run directly, no shell):"
	echo
	bt='`'
	while IFS='	' read -r t cmd; do
		case $cmd in '!'*) continue ;; esac
		printf -- '- %s: %s%s%s\n' "$t" "$bt" "$cmd" "$bt"
	done <"$b_tmp/tools"
} >"$out/start.md"
cat "$out/start.md"
