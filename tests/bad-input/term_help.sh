#!/bin/bash
# Ctrl-A h on the console prints the escape keys (on stderr) and the guest keeps
# running; Ctrl-A x then quits with 0 as before.
. "$top_srcdir/tests/guest/lib.sh"
require_kvm
require_tiny
(sleep 1; printf '\001h'; sleep 0.5; printf '\001x') |
	timeout "$VM_TIMEOUT" "$VMM" --kernel "$TINY_ELF" --cmdline tiny.test=idle >"$OUT" 2>"$ERR"
rc=$?
expect_rc 0
expect_err "escape keys: Ctrl-A x quit, Ctrl-A Ctrl-A send Ctrl-A, Ctrl-A h this help"
expect_err "Ctrl-A x"
echo "PASS"
