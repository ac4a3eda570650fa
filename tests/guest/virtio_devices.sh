#!/bin/bash
# Discovery (DSDT LNRO0005 nodes and virtio_mmio.device= entries agree),
# virtio-rng and virtio-console through the tiny guest.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/virtio_lib.sh"
require_kvm
require_tiny
disk="$work/disk.img"
make_disk "$disk" 16

check_discovery() {
	run_tiny virtio "$1" --disk "$disk" --rng --console virtio
	expect_out "TINY INFO virtio windows=3 dsdt=3 cmdline=3"
	expect_out "TINY INFO virtio dev base=0xc0000000 size=0x1000 gsi=5 id=2 dsdt=1 cmdline=1"
	expect_out "TINY INFO virtio dev base=0xc0001000 size=0x1000 gsi=6 id=4 dsdt=1 cmdline=1"
	expect_out "TINY INFO virtio dev base=0xc0002000 size=0x1000 gsi=7 id=3 dsdt=1 cmdline=1"
}
for_both_images check_discovery

# No virtio option: no window, nothing on the command line.
run_vm --kernel "$TINY_ELF" --cmdline "tiny.test=bootinfo"
expect_rc 0
expect_no_out "virtio_mmio.device="
run_vm --kernel "$TINY_ELF" --cmdline "tiny.test=virtio"
expect_out "TINY FAIL virtio: no virtio-mmio device found"

# Entropy: 64 bytes, not all equal.
run_tiny rng "$TINY_ELF" --rng
expect_out "TINY INFO rng got 64 bytes"

# Console: the guest's virtio-console output arrives on stdout.
run_tiny console "$TINY_ELF" --console virtio
expect_out "TINY VCON hello through virtio-console"
expect_err "virtio-console at 0xc0000000"

# Console input: stdin reaches the guest's receive buffer (through the main
# loop and a pipe), the guest sends it back on the transmit queue.
printf 'ping-vcon\n' | timeout "$VM_TIMEOUT" "$VMM" --kernel "$TINY_ELF" --cmdline "tiny.test=console_echo" \
	--console virtio >"$OUT" 2>"$ERR"
rc=$?
echo "ran: printf ping-vcon | vmm --console virtio (console_echo) -> exit $rc"
expect_out "TINY PASS console_echo"
expect_rc 0
expect_out "TINY VCON got: ping-vcon"
echo "PASS"
