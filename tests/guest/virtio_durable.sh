#!/bin/bash
# Durability: the guest writes and flushes, prints a marker and idles; the
# test SIGKILLs the VMM after the marker; the data must be in the image file.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/virtio_lib.sh"
require_kvm
require_tiny
disk="$work/disk.img"
make_disk "$disk" 64
"$VMM" --kernel "$TINY_ELF" --cmdline "tiny.test=blk_durable" --disk "$disk" >"$OUT" 2>"$ERR" </dev/null &
pid=$!
for _ in $(seq 1 600); do
	grep -q "TINY INFO blk durable marker" "$OUT" && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
grep -q "TINY INFO blk durable marker" "$OUT" || { kill -9 "$pid" 2>/dev/null; fail "no durable marker within 60 s"; }
kill -9 "$pid"
wait "$pid"
rc=$?
echo "VMM killed after the marker: exit $rc"
[ "$rc" -eq 137 ] || fail "exit status $rc, expected 137 (SIGKILL)"
check_pattern "$disk"
echo "PASS"
