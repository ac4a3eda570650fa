#!/bin/bash
# virtio-blk through the tiny guest's driver: write a pattern, flush, read it
# back (guest) and find it in the image file (host); a read-only disk refuses
# writes with IOERR and stays unchanged; sectors past the end get IOERR.
# Both notification paths: ioeventfd + irqfd, and the vCPU-exit fallback.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/virtio_lib.sh"
require_kvm
require_tiny
disk="$work/disk.img"

check_blk() {
	make_disk "$disk" 64
	run_tiny blk "$1" --disk "$disk"
	expect_out "TINY INFO blk at 0xc0000000 gsi 5 capacity=64 ro=0"
	expect_out "TINY INFO blk read back matches"
	expect_err "virtio-blk0 at 0xc0000000 (4K), GSI 5"
	check_pattern "$disk"
}
for_both_images check_blk

# ioeventfd really takes the QueueNotify writes (no exit reaches a vCPU
# thread), irqfd really delivers the used-buffer interrupt (IOAPIC, edge).
make_disk "$disk" 64
run_tiny blk_irq "$TINY_ELF" --disk "$disk" --log-level debug
expect_out "TINY INFO blk_irq interrupts=1 isr=1 used=1 status=0"
expect_err "notify: ioeventfd, interrupt: irqfd"
expect_err "virtio-blk0: 1 queue wakeups in the event loop, 0 batches found by polling, 0 QueueNotify exits to a vCPU thread"
# The switches below exist only in the test-hook build: the program ignores them.
make_disk "$disk" 64
VMM_NO_IOEVENTFD=1 VMM_NO_IRQFD=1 run_tiny blk_irq "$TINY_ELF" --disk "$disk" --log-level debug
expect_err "notify: ioeventfd, interrupt: irqfd"
HOOKS="$top_builddir/monitor/vmm-testhooks"
[ -x "$HOOKS" ] || fail "$HOOKS not built"
VMM=$HOOKS
make_disk "$disk" 64
VMM_NO_IOEVENTFD=1 VMM_NO_IRQFD=1 run_tiny blk_irq "$TINY_ELF" --disk "$disk" --log-level debug
expect_out "TINY INFO blk_irq interrupts=1 isr=1 used=1 status=0"
expect_err "virtio-blk0: 1 queue wakeups in the event loop, 0 batches found by polling, 1 QueueNotify exits to a vCPU thread"

# Without ioeventfd/irqfd: QueueNotify exits wake the event loop, interrupts use KVM_IRQ_LINE.
make_disk "$disk" 64
VMM_NO_IOEVENTFD=1 VMM_NO_IRQFD=1 run_tiny blk "$TINY_ELF" --disk "$disk"
expect_err "notify: vCPU exit, interrupt: KVM_IRQ_LINE"
check_pattern "$disk"
VMM="$top_builddir/vmm"

# Read-only: VIRTIO_BLK_F_RO, reads work, the write gets IOERR, the file is unchanged.
make_disk "$disk" 64
printf 'keep me' | dd of="$disk" bs=512 seek=1 conv=notrunc status=none
cp "$disk" "$work/ro.orig"
chmod a-w "$disk"
run_tiny blk_ro "$TINY_ELF" --disk "$disk,ro"
expect_out "ro=1"
expect_out "TINY INFO blk_ro read status=0"
expect_out "TINY INFO blk_ro write status=1"
cmp -s "$disk" "$work/ro.orig" || fail "the read-only image changed"
chmod u+w "$disk"

# Out of range: the last sector reads fine, anything past it is IOERR, no host write.
make_disk "$disk" 64
run_tiny blk_oob "$TINY_ELF" --disk "$disk"
expect_out "TINY INFO blk_oob last=0 past=1 straddle=1 huge=1"
[ "$(stat -c %s "$disk")" -eq 32768 ] || fail "the image size changed"
cmp -s "$disk" <(head -c 32768 /dev/zero) || fail "the image content changed"

# Polling (--poll-us): the event loop keeps looking at the ring after a
# request, with notifications suppressed (EVENT_IDX: avail_event stays behind).
# The driver at CPL3 (native even on KVM-PVM) submits its next request within
# the 10 ms window, so nearly every request is found by polling rather than by
# a QueueNotify; with --poll-us 0 every one comes with a notification.
make_disk "$disk" 2048
poll_counts() { # prints "WAKEUPS POLLED" from the debug log line
	sed -n 's/.*virtio-blk0: \([0-9]*\) queue wakeups in the event loop, \([0-9]*\) batches found by polling.*/\1 \2/p' "$ERR"
}
run_tiny blkbench "$TINY_ELF" --disk "$disk" --poll-us 10000 --log-level debug \
	--cmdline "tiny.test=blkbench tiny.bench_n=100 tiny.cpl3=1"
expect_out "cpl=3"
read -r wake polled <<<"$(poll_counts)"
[ -n "$polled" ] || fail "no virtio-blk0 counters in the log"
# 8 rows of 100 requests make about 420 batches (one request each at queue
# depth 1, several at 32): measured 405-414 found by polling and 4-16 wakeups
# (a row's first request; a scheduler stall past 10 ms adds one).
[ "$polled" -ge 200 ] && [ "$wake" -le 100 ] || fail "polling found $polled batches with $wake wakeups"
run_tiny blkbench "$TINY_ELF" --disk "$disk" --poll-us 0 --log-level debug \
	--cmdline "tiny.test=blkbench tiny.bench_n=100 tiny.cpl3=1"
read -r wake polled <<<"$(poll_counts)"
[ "$polled" = 0 ] && [ "$wake" -ge 100 ] || fail "--poll-us 0: $polled batches polled, $wake wakeups"
# Without EVENT_IDX (tiny.event_idx=0) polling suppresses notifications with
# VIRTQ_USED_F_NO_NOTIFY instead; the requests complete the same.
run_tiny blkbench "$TINY_ELF" --disk "$disk" --poll-us 10000 \
	--cmdline "tiny.test=blkbench tiny.bench_n=50 tiny.cpl3=1 tiny.event_idx=0"
expect_out "event_idx=0 cpl=3"

# The window adapts: a driver slower than the window between requests (here
# the same loops at CPL0, emulated on KVM-PVM: 60 us and more per request)
# makes it shrink (to 0 after about six empty windows) instead of burning the
# loop's CPU after every request.
run_tiny blkbench "$TINY_ELF" --disk "$disk" --poll-us 50 --log-level debug \
	--cmdline "tiny.test=blkbench tiny.bench_n=40 tiny.cpl3=0"
win=$(sed -n 's/.*virtio-blk0: polling window \([0-9]*\) us at exit (of 50), \([0-9]*\) windows ended without work.*/\1 \2/p' "$ERR")
read -r w_us w_empty <<<"$win"
[ -n "$w_us" ] || fail "no polling window line in the log"
[ "$w_us" -lt 50 ] && [ "$w_empty" -ge 3 ] || fail "the window did not shrink: $w_us us after $w_empty empty windows"
# the data path under polling: pattern written, flushed, read back, in the file
make_disk "$disk" 64
run_tiny blk "$TINY_ELF" --disk "$disk" --poll-us 10000
check_pattern "$disk"

# The image shrinks under the running guest: the disk is mapped, so the
# copies past the new end fault (SIGBUS); those requests get IOERR, the VMM
# logs the first failure and the count, and keeps running until the guest
# (which sees its benchmark fail) resets.
make_disk "$disk" 131072
expect_mapped() { grep -qF "sectors, mapped" "$ERR" || fail "the disk was not mapped"; }
timeout "$VM_TIMEOUT" "$VMM" --kernel "$TINY_ELF" --disk "$disk" \
	--cmdline "tiny.test=blkbench tiny.bench_n=200000 tiny.cpl3=1" >"$OUT" 2>"$ERR" </dev/null &
pid=$!
for _ in $(seq 300); do
	grep -q "tsc_per_ms" "$OUT" && break
	sleep 0.05
done
truncate -s 1M "$disk"
wait "$pid"
rc=$?
echo "ran: vmm (blkbench, image cut to 1 MiB while it ran) -> exit $rc"
expect_rc 0
expect_mapped
expect_out "TINY FAIL blkbench: benchmark request failed"
expect_err "virtio-blk0: I/O on '$disk' failed on the host: Input/output error; the guest got an I/O error"
grep -qE "virtio-blk0: [0-9]+ requests failed on the host" "$ERR" || fail "no failure count at exit"
[ "$(stat -c %s "$disk")" -eq 1048576 ] || fail "the image grew back"

# Several disks: each gets its own window and GSI; the guest uses the first.
# The second is 16 sectors and 100 bytes long.
make_disk "$disk" 64
make_disk "$work/second.img" 16
printf '%100s' '' >>"$work/second.img" # not whole sectors: attached, with a warning
run_tiny blk "$TINY_ELF" --disk "$disk" --disk "$work/second.img,ro"
expect_err "virtio-blk1 at 0xc0001000 (4K), GSI 6"
expect_err "second.img': 8292 bytes is not a whole number of 512-byte sectors; the guest sees 16 sectors and not the last 100 bytes"
check_pattern "$disk"
echo "PASS"
