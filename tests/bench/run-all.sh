#!/bin/sh
# make bench: run every benchmark program and script, one after another, and
# collect their BENCH/RATIO lines in bench.log (in the build directory).
builddir="$1"; shift
log="$builddir/bench.log"
: "${top_builddir:=$builddir}"
export top_builddir
: > "$log"
status=0
for b in "$@"; do
	echo "== $b" | tee -a "$log"
	case "$b" in
	*.sh) sh "$b" 2>&1 | tee -a "$log" ;;
	*) "$builddir/$b" 2>&1 | tee -a "$log" ;;
	esac
	[ "$?" -eq 0 ] || status=1
done
echo "== summary (all BENCH/RATIO lines in $log)"
grep -E '^(BENCH|RATIO) ' "$log"
# BENCHMARKS.md: into the source tree when it is writable, else the build tree.
srcdir=$(cd "$(dirname "$0")/../.." && pwd)
md="$srcdir/BENCHMARKS.md"
[ -w "$srcdir" ] || md="$builddir/BENCHMARKS.md"
sh "$(dirname "$0")/report.sh" "$log" "$md" || status=1
exit $status
