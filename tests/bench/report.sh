#!/bin/sh
# report.sh - put the parts' results together: DIR/report.md and PNG plots.
#
#   tests/bench/report.sh [-o DIR]
#
# Reads what start.sh, phases.sh, scale.sh, net.sh and partb.sh wrote to DIR
# (and machine.md and leaks.md from run.sh, if there), draws the plots with
# gnuplot (start.png, phases.png, scale.png, parallel.png, net.png,
# partb.png; whichever have data), writes DIR/report.md and prints it.
set -eu

prog=report.sh
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

usage() {
	cat <<'EOF'
Usage: tests/bench/report.sh [-o DIR]
Write DIR/report.md (and print it) and the PNG plots from the results the
benchmark parts left in DIR (default tests/bench/results).

  -o DIR  where the results are
  -h      print this help
EOF
}

out=$here/results
while getopts ':o:h' opt; do
	case $opt in
	o) out=$OPTARG ;;
	h) usage; exit 0 ;;
	:) die "option -$OPTARG needs a value (try: $0 -h)" ;;
	*) die "invalid option '-$OPTARG' (try: $0 -h)" ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || die "unexpected argument '$1' (try: $0 -h)"

bench_traps
[ -d "$out" ] || die "no results in '$out' (run: tests/bench/run.sh)"
out_dir "$out"
bench_tmp

# --- plots --------------------------------------------------------------------------

plots=''
# plot NAME GNUPLOT-COMMANDS: NAME.png from NAME's data, when there is some.
plot() {
	[ -s "$out/$1.dat" ] || return 0
	{
		echo "set terminal pngcairo size 900,500 font ',10' noenhanced"
		echo "set output '$out/$1.png'"
		echo "set grid ytics"
		echo "set key off"
		echo "cd '$out'"
		echo "$2"
	} >"$b_tmp/$1.gp"
	if gnuplot "$b_tmp/$1.gp" 2>"$b_tmp/$1.err"; then
		plots="$plots $1"
	else
		warn "gnuplot failed for $1: $(head -n 3 "$b_tmp/$1.err")"
		rm -f "$out/$1.png"
	fi
}

if command -v gnuplot >/dev/null 2>&1; then
	# bars with a min-to-max range, for start and net
	bars="set style data histogram
set style histogram errorbars gap 2 lw 1
set style fill solid 0.6 border -1
set yrange [0:*]"
	plot start "set title 'Start, run /bin/true, tear down: median ms (bars: min to max)'
set ylabel 'ms'
$bars
plot 'start.dat' using 2:3:4:xtic(1)"
	plot phases "set title 'Phases of a mkcontainer.sh start: median ms'
set ylabel 'ms'
set style data histogram
set style fill solid 0.6 border -1
set xtics rotate by -30
plot 'phases.dat' using 2:xtic(1)"
	plot scale "set title 'mkcontainer.sh /bin/true with N containers running (median, min to max)'
set xlabel 'containers running'
set ylabel 'ms'
set yrange [0:*]
set offsets graph 0.05, graph 0.05, 0, 0
plot 'scale.dat' using 1:2:3:4 with yerrorlines lw 2 pt 7"
	plot parallel "set title 'Containers started at once: when each answered'
set xlabel 'ms since the start'
set ylabel 'containers answering'
set yrange [0:*]
plot '< sort -n -k3 parallel.dat' using 3:(\$0 + 1) with steps lw 2"
	plot net "set title 'TCP bulk throughput: median MB/s (bars: min to max)'
set ylabel 'MB/s'
$bars
plot 'net.dat' using 2:3:4:xtic(1)"
	plot partb "set title 'Part B: throughput relative to the bare host (1.0 = bare; VM is qemu TCG, software emulation)'
set ylabel 'x bare host'
set style data histogram
set style histogram clustered gap 2
set style fill solid 0.6 border -1
set key on top right
set yrange [0:*]
plot 'partb.dat' using 2:xtic(1) title 'container -c 1', '' using 3 title 'VM (TCG)'"
else
	warn "gnuplot not found: no plots (run: scripts/install-deps.sh bench)"
fi

# --- report.md ------------------------------------------------------------------------

# section PART TITLE: PART's markdown, its plot under it, or why it is missing.
section() {
	if [ -f "$out/$1.md" ]; then
		cat "$out/$1.md"
	else
		echo "## $2"
		echo
		echo "Not run, or it failed: see the output of run.sh."
	fi
	echo
	for p in $3; do
		case " $plots " in
		*" $p "*) echo "![$p]($p.png)" && echo ;;
		esac
	done
}

{
	echo "# mkcontainer benchmarks"
	echo
	echo "Figures from tests/bench/ (\`make bench\`); they are measurements, not pass/fail tests."
	echo
	section start 'Start cost' start
	echo "## Machine"
	echo
	if [ -f "$out/machine.md" ]; then
		cat "$out/machine.md"
	else
		machine_facts
	fi
	echo
	section phases 'Phase costs' phases
	section scale 'Scale' 'scale parallel'
	section net 'Network' net
	section partb 'Part B' partb
	if [ -f "$out/leaks.md" ]; then
		cat "$out/leaks.md"
		echo
	fi
	[ -n "$plots" ] || echo "No plots (gnuplot missing or failed)."
} >"$out/report.md"
cat "$out/report.md"
