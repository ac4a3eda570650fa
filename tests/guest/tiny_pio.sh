#!/bin/bash
# Unhandled port and MMIO accesses read as all ones and do not stop the guest.
. "$(dirname "$0")/lib.sh"
require_kvm
require_tiny
check() {
	run_tiny pio "$1" --log-level debug
	expect_out "in8=0xff in16=0xffff in32=0xffffffff"
	expect_out "mmio read32=0xffffffff read8=0xff"
	# the misses went through the DeviceManager (logged at debug level)
	grep -F "0x104" "$ERR" | grep -qF "no device" || fail "port 0x104 miss not logged"
	grep -F "0xfd000000" "$ERR" | grep -qF "no device" || fail "MMIO 0xfd000000 miss not logged"
}
for_both_images check
echo "PASS"
