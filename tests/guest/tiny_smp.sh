#!/bin/bash
# Every vCPU reports in: the guest starts its APs with INIT/SIPI/SIPI.
. "$(dirname "$0")/lib.sh"
require_kvm
require_tiny
check() {
	run_tiny smp "$1" --cpus 4
	expect_out "TINY INFO smp 3 of 3 APs up"
	expect_out "TINY INFO smp cpus=4"
	run_tiny smp "$1" --cpus 1
	expect_out "starting 0 APs"
}
for_both_images check
run_tiny smp "$TINY_ELF" --cpus 32
expect_out "TINY INFO smp cpus=32"
echo "PASS"
