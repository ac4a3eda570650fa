#!/bin/bash
# The VM stops cleanly: SIGTERM/SIGINT (exit 128+N), Ctrl-A x (exit 0), and
# console input reaches the guest's COM1.
. "$(dirname "$0")/lib.sh"
require_kvm
require_tiny

# wait_for FILE TEXT: up to 20 s
wait_for() {
	for _ in $(seq 200); do
		tr -d '\r' <"$1" 2>/dev/null | grep -qF -- "$2" && return 0
		sleep 0.1
	done
	return 1
}

for sig in TERM INT; do
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
