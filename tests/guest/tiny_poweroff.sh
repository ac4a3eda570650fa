#!/bin/bash
# ACPI poweroff (S5 through the sleep control register) ends the VM with exit 0.
. "$(dirname "$0")/lib.sh"
require_kvm
require_tiny
check() {
	run_vm --kernel "$1" --cmdline "tiny.test=poweroff" --cpus 2
	expect_out "TINY INFO powering off through port"
	expect_no_out "TINY FAIL"
	expect_rc 0
	expect_err "guest powered off (ACPI S5)"
}
for_both_images check
echo "PASS"
