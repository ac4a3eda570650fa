#!/bin/bash
# Reset through the i8042, and a triple fault (KVM_EXIT_SHUTDOWN), end the VM
# with exit status 0.
. "$(dirname "$0")/lib.sh"
require_kvm
require_tiny
check() {
	run_tiny reset "$1" --cpus 2
	expect_out "TINY INFO resetting through the i8042"
	run_vm --kernel "$1" --cmdline "tiny.test=triplefault" --cpus 2
	expect_out "TINY INFO triple fault next"
	expect_no_out "TINY FAIL"
	expect_rc 0
	expect_err "KVM_EXIT_SHUTDOWN (triple fault)"
}
for_both_images check
echo "PASS"
