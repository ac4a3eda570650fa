#!/bin/bash
# Reset through the i8042 ends the VM with exit status 0.
. "$(dirname "$0")/lib.sh"
require_kvm
require_tiny
check() {
	run_tiny reset "$1" --cpus 2
	expect_out "TINY INFO resetting through the i8042"
}
for_both_images check
echo "PASS"
