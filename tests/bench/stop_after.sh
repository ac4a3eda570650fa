#!/bin/sh
# stop_after.sh PATTERN CMD ARGS...: run CMD, copy its output (stdout and
# stderr) to stdout line by line, and stop CMD once a line containing PATTERN
# has gone by. For a VMM that stays alive after its guest stopped (QEMU pauses
# on a KVM emulation failure), so serial_stamp need not wait for its timeout.
pat=$1
shift
dir=$(mktemp -d "${TMPDIR:-/tmp}/stop_after.XXXXXX")
mkfifo "$dir/out"
"$@" >"$dir/out" 2>&1 </dev/null &
pid=$!
while IFS= read -r line; do
	printf '%s\n' "$line"
	case $line in
	*"$pat"*) kill "$pid" 2>/dev/null; break ;;
	esac
done <"$dir/out"
wait "$pid"
rc=$?
rm -rf "$dir"
exit $rc
