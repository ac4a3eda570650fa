#!/bin/sh
# Run every built libFuzzer target for a while, each on a temporary copy of
# its seed corpus, with ASan + UBSan (the targets are built that way by
# ./configure CC=clang --enable-fuzzing).
#
# usage: tests/fuzz/run-all.sh [-t SECONDS] [-a ARTIFACT_DIR] [-b BUILDDIR] [TARGET...]
#   -t SECONDS       per target, default 60 (libFuzzer -max_total_time)
#   -a ARTIFACT_DIR  where crash/leak/timeout inputs are kept
#                    (default: ./fuzz-artifacts)
#   -b BUILDDIR      the configured build tree (default: $top_builddir or .)
#   TARGET           names such as fuzz_mem (default: every tests/fuzz/fuzz_*
#                    executable in the build tree)
# Prints one line per target:  FUZZ <target> <executions> execs <status>
# where status is ok, crash, leak, timeout, oom or error. Exits 1 if any
# target did not finish ok, 77 if no target is built.
set -u

secs=60
artifacts=./fuzz-artifacts
builddir=${top_builddir:-.}
srcdir=$(cd "$(dirname "$0")/../.." && pwd)

while getopts t:a:b: opt; do
	case $opt in
	t) secs=$OPTARG ;;
	a) artifacts=$OPTARG ;;
	b) builddir=$OPTARG ;;
	*) sed -n '6,17p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))

case $secs in '' | *[!0-9]*) echo "run-all.sh: -t wants seconds" >&2; exit 2 ;; esac

targets="$*"
if [ -z "$targets" ]; then
	for f in "$builddir"/tests/fuzz/fuzz_*; do
		[ -f "$f" ] && [ -x "$f" ] && targets="$targets $(basename "$f")"
	done
fi
if [ -z "$targets" ]; then
	echo "run-all.sh: no fuzz targets in $builddir/tests/fuzz (configure CC=clang --enable-fuzzing, then make)" >&2
	exit 77
fi

mkdir -p "$artifacts" || exit 2
artifacts=$(cd "$artifacts" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/vmm-fuzz.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT INT TERM

# Leaks fail the run; any UBSan report stops it like a crash.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}
export ASAN_OPTIONS UBSAN_OPTIONS

fail=0
for t in $targets; do
	bin=$builddir/tests/fuzz/$t
	if [ ! -x "$bin" ]; then
		echo "FUZZ $t 0 execs error"
		echo "run-all.sh: $bin is not built" >&2
		fail=1
		continue
	fi
	corpus=$work/$t
	mkdir -p "$corpus"
	# seeds: corpus/<target>/ (or corpus/<target without fuzz_>/, the virtio ones)
	for seeds in "$srcdir/tests/fuzz/corpus/$t" "$srcdir/tests/fuzz/corpus/${t#fuzz_}"; do
		[ -d "$seeds" ] && cp "$seeds"/* "$corpus"/ 2>/dev/null
	done
	log=$work/$t.log
	# -timeout: one input may take at most 10 s; the outer timeout is a
	# backstop for a hang libFuzzer itself cannot report.
	timeout -k 10 $((secs * 2 + 60)) "$bin" -max_total_time="$secs" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$artifacts/$t-" "$corpus" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^Done \([0-9][0-9]*\) runs.*/\1/p' "$log" | tail -n 1)
	[ -n "$execs" ] || execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
	[ -n "$execs" ] || execs=0
	if [ $rc -eq 0 ]; then
		status=ok
	elif grep -q 'ERROR: LeakSanitizer' "$log"; then
		status=leak
	elif grep -q 'ERROR: libFuzzer: timeout' "$log" || [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		status=timeout
	elif grep -q 'out-of-memory' "$log"; then
		status=oom
	elif grep -q -e 'deadly signal' -e 'ERROR: AddressSanitizer' -e 'runtime error' \
		-e 'invariant failed' "$log"; then
		status=crash
	else
		status=error
	fi
	echo "FUZZ $t $execs execs $status"
	if [ $status != ok ]; then
		fail=1
		cp "$log" "$artifacts/$t.log"
		# the first report, for the console
		grep -m 1 -B 2 -A 25 -e 'ERROR:' -e 'invariant failed' -e 'runtime error' "$log" >&2
	fi
done
exit $fail
