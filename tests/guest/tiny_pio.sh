#!/bin/bash
# Unhandled port and MMIO accesses read as all ones and do not stop the guest.
. "$(dirname "$0")/lib.sh"
require_kvm
require_tiny
check() {
	run_tiny pio "$1"
	expect_out "in8=0xff in16=0xffff in32=0xffffffff"
	expect_out "mmio read32=0xffffffff read8=0xff"
}
for_both_images check
echo "PASS"
