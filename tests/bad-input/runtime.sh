#!/bin/bash
# Bad things that happen while the VM runs (the rows cases.txt cannot express):
# - the --disk image shrinks under a guest doing I/O: the guest's requests past
#   the new end fail (it sees an I/O error and gives up), the VMM neither
#   crashes nor hangs and exits with the guest's reset (0);
# - the --net tap disappears (ip link del) under a running guest: the VMM keeps
#   running, does not crash, and still stops cleanly on SIGTERM (143).
. "$top_srcdir/tests/guest/lib.sh"
require_kvm
require_tiny
"$VMM" --help | grep -q -- "--disk" || { echo "SKIP: this build has no --disk"; exit 77; }

# wait_for FILE TEXT: up to 20 s
wait_for() {
	for _ in $(seq 200); do
		[ -e "$1" ] && tr -d '\r' <"$1" | grep -qF -- "$2" && return 0
		sleep 0.1
	done
	return 1
}

# 1. The disk shrinks to 0 while the guest's benchmark loop reads it.
truncate -s 64M "$work/disk.img"
timeout "$VM_TIMEOUT" "$VMM" --kernel "$TINY_ELF" --cmdline "tiny.test=blkbench tiny.bench_n=1000000000" \
	--disk "$work/disk.img" >"$OUT" 2>"$ERR" </dev/null &
tpid=$!
wait_for "$OUT" "TINY INFO tsc_per_ms" || fail "the guest's disk loop did not start"
truncate -s 0 "$work/disk.img"
wait "$tpid"
rc=$?
echo "disk shrank under I/O -> exit $rc; guest: $(grep 'TINY FAIL' "$OUT")"
[ "$rc" -ne 124 ] || fail "the VMM hung after its disk shrank"
[ "$rc" -lt 128 ] || fail "the VMM died of signal $((rc - 128)) after its disk shrank"
! grep -q 'Sanitizer\|runtime error:' "$ERR" || fail "sanitizer report"
expect_out "TINY FAIL blkbench: benchmark request failed"
expect_rc 0
expect_err "guest reset through the i8042"

# 2. The tap disappears under a running guest (root and ip(8) needed: the VMM
# creates the tap itself through /dev/net/tun: ,create).
if [ "$(id -u)" -ne 0 ] || [ ! -c /dev/net/tun ] || ! command -v ip >/dev/null; then
	echo "tap part skipped: needs root, /dev/net/tun and ip(8)"
	echo "PASS"
	exit 0
fi
tap="vmmgone$$"
tap=${tap:0:15}
rm -f "$OUT" "$ERR"
timeout "$VM_TIMEOUT" "$VMM" --kernel "$TINY_ELF" --cmdline tiny.test=idle --net "tap=$tap,create" >"$OUT" 2>"$ERR" </dev/null &
tpid=$!
wait_for "$OUT" "TINY INFO idle" || fail "guest did not reach idle"
pid=$(pgrep -P "$tpid" | head -1)
ip link show "$tap" >/dev/null 2>&1 || fail "tap $tap was not created"
ip link del "$tap" || fail "cannot delete tap $tap"
sleep 1
kill -0 "$pid" 2>/dev/null || fail "the VMM died when its tap disappeared"
echo "tap $tap deleted; VMM still running, CPU ticks (utime stime): $(cut -d' ' -f14,15 /proc/"$pid"/stat)"
kill -TERM "$pid"
wait "$tpid"
rc=$?
echo "SIGTERM after the tap disappeared -> exit $rc"
! grep -q 'Sanitizer\|runtime error:' "$ERR" || fail "sanitizer report"
expect_rc 143
expect_err "stopping the VM"
echo "PASS"
