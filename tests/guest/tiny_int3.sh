#!/bin/bash
# A guest instruction KVM cannot emulate (int3 at CPL0 on KVM-PVM) is reported
# with reason, suberror, RIP, instruction bytes and registers; exit non-zero.
. "$(dirname "$0")/lib.sh"
require_kvm
require_tiny
check() {
	run_vm --kernel "$1" --cmdline "tiny.test=int3"
	if [ "$rc" -eq 0 ] && tr -d '\r' <"$OUT" | grep -qF "int3 delivered to the guest's IDT"; then
		echo "SKIP: int3 runs natively here (hardware virtualization), no internal error to report"
		exit 77
	fi
	expect_rc 2
	expect_err "KVM_EXIT_INTERNAL_ERROR, suberror 1 (emulation failure)"
	expect_err "instruction bytes: cc"
	expect_err "rip 0x"
	expect_err "rax "
	expect_err "cr0 "
	expect_no_out "TINY PASS"
	expect_no_out "TINY FAIL"
}
for_both_images check
echo "PASS"
