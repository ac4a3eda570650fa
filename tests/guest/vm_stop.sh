#!/bin/bash
# The VM stops cleanly: SIGTERM/SIGINT (exit 128+N), Ctrl-A x (exit 0), and
# console input reaches the guest's COM1.
. "$(dirname "$0")/lib.sh"
require_kvm
require_tiny

# wait_for FILE TEXT: up to 20 s
wait_for() {
	for _ in $(seq 200); do
		[ -e "$1" ] && tr -d '\r' <"$1" | grep -qF -- "$2" && return 0
		sleep 0.1
	done
	return 1
}

for sig in TERM INT; do
	rm -f "$OUT" "$ERR" # wait_for must not see the previous run's output
	timeout "$VM_TIMEOUT" "$VMM" --kernel "$TINY_ELF" --cmdline tiny.test=idle --cpus 2 >"$OUT" 2>"$ERR" </dev/null &
	pid=$!
	wait_for "$OUT" "TINY INFO idle" || fail "guest did not reach idle"
	kill -s "$sig" "$pid"
	wait "$pid"
	rc=$?
	want=$((128 + $(kill -l "$sig")))
	echo "SIG$sig -> exit $rc"
	expect_rc "$want"
	expect_err "stopping the VM"
done

# Seccomp: with filters, every thread of the VMM is in filter mode (2); with
# --no-seccomp none is. Sanitizer builds have no filters (the log says so).
for mode in on off; do
	extra=()
	[ $mode = off ] && extra=(--no-seccomp)
	rm -f "$OUT" "$ERR"
	timeout "$VM_TIMEOUT" "$VMM" --kernel "$TINY_ELF" --cmdline tiny.test=idle --cpus 2 --log-level debug "${extra[@]}" \
		>"$OUT" 2>"$ERR" </dev/null &
	pid=$!
	wait_for "$OUT" "TINY INFO idle" || fail "guest did not reach idle"
	vpid=$(pgrep -P "$pid" | head -1)
	[ -n "$vpid" ] || fail "cannot find the vmm process"
	modes=$(cat /proc/"$vpid"/task/*/status | sed -n 's/^Seccomp:[[:space:]]*//p' | sort -u | tr '\n' ' ')
	kill -TERM "$pid"
	wait "$pid"
	echo "seccomp $mode: thread modes: $modes"
	if [ $mode = on ] && grep -qF "seccomp filters are not available" "$ERR"; then
		echo "seccomp: not in this build (sanitizers or no libseccomp), not checked"
		continue
	fi
	if [ $mode = on ]; then
		[ "$modes" = "2 " ] || fail "seccomp: threads in modes '$modes', expected all 2"
		expect_err "seccomp filter installed for the main thread"
		expect_err "seccomp filter installed for vCPU 1"
	else
		[ "$modes" = "0 " ] || fail "--no-seccomp: threads in modes '$modes', expected all 0"
	fi
done

# Ctrl-A x from the console quits with 0.
(sleep 1; printf '\001x') | timeout "$VM_TIMEOUT" "$VMM" --kernel "$TINY_ELF" --cmdline tiny.test=idle >"$OUT" 2>"$ERR"
rc=$?
expect_rc 0
expect_err "Ctrl-A x"

# Console input: one line typed reaches the guest.
(sleep 1; printf 'typed-line\n') | timeout "$VM_TIMEOUT" "$VMM" --kernel "$TINY_BZ" --cmdline tiny.test=echo >"$OUT" 2>"$ERR"
rc=$?
expect_rc 0
expect_out "TINY INFO echo got 'typed-line'"
expect_out "TINY PASS echo"
echo "PASS"
